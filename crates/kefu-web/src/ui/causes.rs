//! Root causes and improvement in the console: the case page's resolve panel (resolution code,
//! causes, responsible organisation, lesson — with a resolution or closure, or alone) and its
//! improvement panel (link the case to an item, or propose one); `/console/root-causes`, the
//! Pareto as HTML bars with its filters, CSV and the cases behind each bar; `/console/closed-loop`,
//! the complaint funnel with the complaints missing at each step; `/console/improvements`, the
//! backlog and an item's page with its history.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jiff::civil::Date;
use kefu_model::causes::{CauseDraft, CauseSettings, LoopBy, LoopStep, ParetoBy};
use kefu_model::improvement::{
    ImprovementDraft, ImprovementPatch, ImprovementStatus, may_manage, may_propose,
};
use kefu_model::{Category, DomainError};
use serde::Deserialize;

use super::case_forms::CaseAction;
use super::extract::{CsrfForm, Fields, NoFields};
use super::i18n::{Lang, label};
use super::pages::{Chrome, Opt};
use super::{StaffPage, UiSession, encode, error_page, redirect, render};
use crate::AppState;
use crate::causes::{LoopParams, ParetoParams, key_label};

/// The words of these pages and panels, by language.
pub struct CauseWords {
    pub title: &'static str,
    pub loop_title: &'static str,
    pub backlog: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub by: &'static str,
    pub by_cause: &'static str,
    pub by_code: &'static str,
    pub category: &'static str,
    pub any: &'static str,
    pub region: &'static str,
    pub organisation: &'static str,
    pub route: &'static str,
    pub show: &'static str,
    pub csv: &'static str,
    pub empty: &'static str,
    pub count: &'static str,
    pub share: &'static str,
    pub cumulative: &'static str,
    pub vital: &'static str,
    pub cases_counted: &'static str,
    pub behind: &'static str,
    pub case: &'static str,
    pub day: &'static str,
    pub code: &'static str,
    pub causes: &'static str,
    pub lesson: &'static str,
    pub panel: &'static str,
    pub resolve_with: &'static str,
    pub only_record: &'static str,
    pub resolve: &'static str,
    pub close: &'static str,
    pub none: &'static str,
    pub save: &'static str,
    pub required_note: &'static str,
    pub recorded: &'static str,
    pub missing: &'static str,
    pub by_region: &'static str,
    pub by_organisation: &'static str,
    pub unknown: &'static str,
    pub improvements: &'static str,
    pub link: &'static str,
    pub propose: &'static str,
    pub item_title: &'static str,
    pub description: &'static str,
    pub owner_user: &'static str,
    pub owner_department: &'static str,
    pub due: &'static str,
    pub status: &'static str,
    pub linked_cases: &'static str,
    pub unlink: &'static str,
    pub history: &'static str,
    pub who: &'static str,
    pub when: &'static str,
    pub what: &'static str,
    pub no_items: &'static str,
    pub change_status: &'static str,
    pub edit: &'static str,
    pub settings: &'static str,
    pub codes_help: &'static str,
    pub causes_help: &'static str,
    pub required_for: &'static str,
    pub saved: &'static str,
}

pub fn words(lang: Lang) -> CauseWords {
    let p = |zh, en| lang.pick(zh, en);
    CauseWords {
        title: p("根因分析", "Root causes"),
        loop_title: p("投诉闭环", "Complaint closed loop"),
        backlog: p("改进项", "Improvement backlog"),
        from: p("从", "From"),
        to: p("到（不含）", "To (not included)"),
        by: p("统计", "Count"),
        by_cause: p("按原因", "by cause"),
        by_code: p("按结案代码", "by resolution code"),
        category: p("类别", "Category"),
        any: p("全部", "All"),
        region: p("地区（省代码）", "Region (province code)"),
        organisation: p("责任网点", "Responsible organisation"),
        route: p(
            "线路（始发省-目的省）",
            "Route (origin-destination province)",
        ),
        show: p("查看", "Show"),
        csv: p("导出 CSV", "Download CSV"),
        empty: p(
            "这段时间没有记录原因。",
            "No causes recorded in this period.",
        ),
        count: p("件数", "Count"),
        share: p("占比", "Share"),
        cumulative: p("累计占比", "Cumulative"),
        vital: p("关键少数（累计 80% 内）", "Vital few (within 80 %)"),
        cases_counted: p("计入工单", "Cases counted"),
        behind: p("对应工单", "Cases behind the bar"),
        case: p("工单", "Case"),
        day: p("记录日", "Recorded on"),
        code: p("结案代码", "Resolution code"),
        causes: p("根本原因", "Root causes"),
        lesson: p("经验教训", "Lesson"),
        panel: p("结案原因", "Resolution and root cause"),
        resolve_with: p("同时", "And"),
        only_record: p("只记录原因", "only record the cause"),
        resolve: p("标记为已解决", "resolve the case"),
        close: p("关闭工单", "close the case"),
        none: p("（无）", "(none)"),
        save: p("保存", "Save"),
        required_note: p(
            "此类别的工单需填写结案代码才能解决或关闭。",
            "Cases of this category are resolved or closed only with a resolution code.",
        ),
        recorded: p("已记录", "Recorded"),
        missing: p("未完成", "Missing"),
        by_region: p("按地区", "by region"),
        by_organisation: p("按责任网点", "by organisation"),
        unknown: p("（未知）", "(unknown)"),
        improvements: p("改进项", "Improvement items"),
        link: p("关联到改进项", "Link to an item"),
        propose: p("提出改进项", "Propose an item"),
        item_title: p("标题", "Title"),
        description: p("说明", "Description"),
        owner_user: p("负责人（用户名）", "Owner (user name)"),
        owner_department: p("负责部门", "Owning department"),
        due: p("截止日期", "Due"),
        status: p("状态", "Status"),
        linked_cases: p("相关工单", "Linked cases"),
        unlink: p("取消关联", "Unlink"),
        history: p("变更记录", "History"),
        who: p("操作人", "Who"),
        when: p("时间", "When"),
        what: p("内容", "What"),
        no_items: p("还没有改进项。", "No improvement items yet."),
        change_status: p("变更状态", "Change status"),
        edit: p("修改", "Edit"),
        settings: p("结案代码与原因设置", "Resolution codes and causes"),
        codes_help: p(
            "每行一个结案代码：代码 | 中文名称 | English（英文可省略）",
            "One resolution code per line: code | 中文 | English (English optional)",
        ),
        causes_help: p(
            "每行一个原因组（组代码 | 中文 | English）或组内原因（组代码/原因代码 | 中文 | English），原因写在所属组之后",
            "One group per line (group | 中文 | English) or one cause of a group (group/cause | 中文 | English), each cause below its group",
        ),
        required_for: p(
            "以下类别须填写结案代码才能解决或关闭",
            "These categories are resolved or closed only with a resolution code",
        ),
        saved: p("已保存。", "Saved."),
    }
}

/// An improvement item's status in words.
pub fn status_label(lang: Lang, status: ImprovementStatus) -> &'static str {
    match status {
        ImprovementStatus::Proposed => lang.pick("已提出", "Proposed"),
        ImprovementStatus::Accepted => lang.pick("已采纳", "Accepted"),
        ImprovementStatus::InProgress => lang.pick("进行中", "In progress"),
        ImprovementStatus::Done => lang.pick("已完成", "Done"),
        ImprovementStatus::Rejected => lang.pick("已驳回", "Rejected"),
    }
}

/// A closed-loop step in words.
pub fn step_label(lang: Lang, step: LoopStep) -> &'static str {
    match step {
        LoopStep::Received => lang.pick("受理投诉", "Received"),
        LoopStep::Accepted => lang.pick("已受理", "Accepted"),
        LoopStep::Classified => lang.pick("已分类", "Classified"),
        LoopStep::Graded => lang.pick("已分级", "Graded"),
        LoopStep::ResolvedInTime => lang.pick("时限内解决", "Resolved in time"),
        LoopStep::CauseRecorded => lang.pick("已记录根因", "Cause recorded"),
        LoopStep::Linked => lang.pick("已关联改进项", "Linked to an item"),
        LoopStep::Improved => lang.pick("改进已完成", "Improvement done"),
    }
}

/// The options of every cause (grouped labels), `chosen` selected.
fn cause_options(settings: &CauseSettings, english: bool, chosen: &str) -> Vec<Opt> {
    settings
        .tags()
        .into_iter()
        .map(|(tag, zh, en)| Opt {
            selected: tag == chosen,
            label: if english && !en.is_empty() { en } else { zh },
            value: tag,
        })
        .collect()
}

// ---- the case page's panels -------------------------------------------------------------------

/// The resolve panel: what is recorded, and the form's choices.
pub struct CausePanel {
    pub action: String,
    pub codes: Vec<Opt>,
    /// Three selects of causes (the API takes up to ten).
    pub cause_selects: Vec<Vec<Opt>>,
    pub organisations: Vec<Opt>,
    pub lesson: String,
    pub required: bool,
    /// What is recorded, in words (empty: nothing yet).
    pub recorded: String,
    /// The improvement items: those naming the case, and those it may be linked to.
    pub items: Vec<(String, String)>,
    pub linkable: Vec<Opt>,
    pub may_propose: bool,
}

/// The case page's resolve and improvement panels, for those who write cases.
pub async fn case_panel(
    state: &AppState,
    s: &UiSession,
    case: &kefu_model::Case,
) -> Option<CausePanel> {
    if !s.actor.can_write_cases() || s.actor.role.is_department_bound() {
        return None;
    }
    let english = !s.tr.lang.is_zh();
    let settings = state.desk.cause_settings().await.unwrap_or_default();
    let current = case.root_cause.as_ref();
    let code = current.and_then(|r| r.code.clone()).unwrap_or_default();
    let mut codes = vec![Opt {
        value: String::new(),
        label: words(s.tr.lang).none.to_string(),
        selected: code.is_empty(),
    }];
    codes.extend(settings.codes.iter().map(|c| Opt {
        value: c.code.clone(),
        label: settings.code_label(&c.code, english),
        selected: c.code == code,
    }));
    let causes: Vec<String> = current.map(|r| r.causes.clone()).unwrap_or_default();
    let cause_selects = (0..3)
        .map(|i| {
            let chosen = causes.get(i).map(String::as_str).unwrap_or("");
            let mut opts = vec![Opt {
                value: String::new(),
                label: words(s.tr.lang).none.to_string(),
                selected: chosen.is_empty(),
            }];
            opts.extend(cause_options(&settings, english, chosen));
            opts
        })
        .collect();
    let org = current
        .and_then(|r| r.organisation.as_ref())
        .map(|o| o.to_string())
        .unwrap_or_default();
    let mut organisations = vec![Opt {
        value: String::new(),
        label: words(s.tr.lang).none.to_string(),
        selected: org.is_empty(),
    }];
    if let Ok(network) = state.desk.network().await {
        organisations.extend(
            network
                .organisations
                .iter()
                .filter(|o| o.active)
                .map(|o| Opt {
                    value: o.key.clone(),
                    label: o.name.clone(),
                    selected: o.id.as_str() == org,
                }),
        );
    }
    let recorded = current
        .map(|r| {
            let mut parts = Vec::new();
            if let Some(c) = &r.code {
                parts.push(settings.code_label(c, english));
            }
            parts.extend(r.causes.iter().map(|t| settings.cause_label(t, english)));
            if !r.organisation_name.is_empty() {
                parts.push(r.organisation_name.clone());
            }
            parts.join(" · ")
        })
        .unwrap_or_default();
    let all = state.desk.improvements(&s.actor).await.unwrap_or_default();
    let items = all
        .iter()
        .filter(|i| i.cases.iter().any(|c| c.case_id == case.id))
        .map(|i| (format!("/console/improvements/{}", i.id), i.title.clone()))
        .collect();
    let linkable = all
        .iter()
        .filter(|i| !i.cases.iter().any(|c| c.case_id == case.id))
        .filter(|i| {
            !matches!(
                i.status,
                ImprovementStatus::Done | ImprovementStatus::Rejected
            )
        })
        .map(|i| Opt {
            value: i.id.clone(),
            label: i.title.clone(),
            selected: false,
        })
        .collect();
    Some(CausePanel {
        action: format!("/cases/{}/resolve", case.id),
        codes,
        cause_selects,
        organisations,
        lesson: current.map(|r| r.lesson.clone()).unwrap_or_default(),
        required: settings.code_required(case.category),
        recorded,
        items,
        linkable,
        may_propose: may_propose(s.actor.role),
    })
}

/// The resolve form: the cause, and optionally a resolution or closure with it.
#[derive(Deserialize)]
pub struct ResolveForm {
    /// `resolved`, `closed`, or empty (only record).
    #[serde(default)]
    then: String,
    #[serde(default)]
    resolution_code: String,
    #[serde(default)]
    cause1: String,
    #[serde(default)]
    cause2: String,
    #[serde(default)]
    cause3: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    lesson: String,
}

impl CaseAction for ResolveForm {
    const NAME: &'static str = "resolve";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let blank = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let draft = CauseDraft {
            resolution_code: blank(&self.resolution_code),
            causes: [&self.cause1, &self.cause2, &self.cause3]
                .iter()
                .filter_map(|c| blank(c))
                .collect(),
            organisation: blank(&self.organisation),
            lesson: blank(&self.lesson),
        };
        let status = match self.then.trim() {
            "" => None,
            "resolved" => Some(kefu_model::Status::Resolved),
            "closed" => Some(kefu_model::Status::Closed),
            _ => return Err(DomainError::invalid("then", "resolved, closed or nothing")),
        };
        match status {
            None => {
                state.desk.record_root_cause(&s.actor, id, &draft).await?;
            }
            Some(status) => {
                let case = state.desk.get_case(&s.actor, id).await?;
                let patch = kefu_model::drafts::CasePatch {
                    status: (case.status != status).then_some(status),
                    root_cause: Some(draft),
                    ..Default::default()
                };
                state.desk.update_case(&s.actor, id, patch).await?;
            }
        }
        Ok(format!("/cases/{id}"))
    }
}

/// Link the case to an item, or propose a new one naming it.
#[derive(Deserialize)]
pub struct ImprovementLinkForm {
    #[serde(default)]
    item: String,
    #[serde(default)]
    title: String,
}

impl CaseAction for ImprovementLinkForm {
    const NAME: &'static str = "improvement";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let case = state.desk.get_case(&s.actor, id).await?;
        if !self.title.trim().is_empty() {
            let draft = ImprovementDraft {
                title: self.title,
                cases: vec![case.id.to_string()],
                ..Default::default()
            };
            state.desk.create_improvement(&s.actor, &draft).await?;
        } else if !self.item.trim().is_empty() {
            state
                .desk
                .link_improvement_case(&s.actor, self.item.trim(), case.id.as_str())
                .await?;
        } else {
            return Err(DomainError::invalid(
                "item",
                "choose an item or give a title",
            ));
        }
        Ok(format!("/cases/{id}"))
    }
}

// ---- the Pareto ---------------------------------------------------------------------------------

pub struct BarLine {
    pub label: String,
    pub key: String,
    pub count: i64,
    pub share: String,
    pub cumulative: String,
    /// The bar's width in percent of the longest.
    pub width: i64,
    pub vital: bool,
    pub href: String,
}

#[derive(Template)]
#[template(path = "root_causes.html")]
pub struct ParetoPage {
    pub chrome: Chrome,
    pub w: CauseWords,
    pub from: String,
    pub to: String,
    pub by_code: bool,
    pub categories: Vec<Opt>,
    pub region: String,
    pub organisations: Vec<Opt>,
    pub route: String,
    pub bars: Vec<BarLine>,
    pub cases: i64,
    pub csv: String,
    pub error: Option<String>,
    /// Admins see the link to the codes and causes.
    pub settings: bool,
}

/// A default period: the 30 days up to today.
/// The console's period (the last 30 days by default).
fn period(
    state: &AppState,
    from: &Option<String>,
    to: &Option<String>,
) -> Result<(Date, Date), DomainError> {
    super::orders::period_of_days(state, from, to, 30)
}

#[derive(Deserialize, Default)]
pub struct ConsolePareto {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    organisation: Option<String>,
    #[serde(default)]
    route: Option<String>,
    #[serde(default)]
    key: Option<String>,
}

impl ConsolePareto {
    fn params(&self, state: &AppState) -> Result<ParetoParams, DomainError> {
        let (from, to) = period(state, &self.from, &self.to)?;
        Ok(ParetoParams {
            from: Some(from),
            to: Some(to),
            by: self.by.clone(),
            category: self.category.clone(),
            region: self.region.clone(),
            organisation: self.organisation.clone(),
            route: self.route.clone(),
            key: self.key.clone(),
        })
    }
}

fn query_string(p: &ParetoParams, by: ParetoBy) -> String {
    let opt = |v: &Option<String>| encode(v.as_deref().unwrap_or("").trim());
    format!(
        "from={}&to={}&by={}&category={}&region={}&organisation={}&route={}",
        p.from.map(|d| d.to_string()).unwrap_or_default(),
        p.to.map(|d| d.to_string()).unwrap_or_default(),
        by.as_str(),
        opt(&p.category),
        opt(&p.region),
        opt(&p.organisation),
        opt(&p.route),
    )
}

/// `GET /console/root-causes`.
pub async fn pareto_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(q): Query<ConsolePareto>,
) -> Response {
    let s = &page.s;
    let lang = s.tr.lang;
    let english = !lang.is_zh();
    let result = async {
        let p = q.params(&state)?;
        let (query, by) = p.query()?;
        let report = state.desk.cause_pareto(&s.actor, &query, by).await?;
        Ok::<_, DomainError>((p, query, by, report))
    }
    .await;
    let (p, query, by, report) = match result {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let settings = state.desk.cause_settings().await.unwrap_or_default();
    let network = state.desk.network().await.ok();
    let qs = query_string(&p, by);
    let longest = report.bars.first().map_or(1, |b| b.count.max(1));
    let bars = report
        .bars
        .iter()
        .map(|b| BarLine {
            label: key_label(&settings, by, &b.key, english),
            key: b.key.clone(),
            count: b.count,
            share: format!("{:.1}%", b.share_percent),
            cumulative: format!("{:.1}%", b.cumulative_percent),
            width: b.count * 100 / longest,
            vital: b.vital,
            href: format!("/console/root-causes/cases?{qs}&key={}", encode(&b.key)),
        })
        .collect();
    let chosen = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    let mut categories = vec![Opt {
        value: String::new(),
        label: words(lang).any.to_string(),
        selected: query.category.is_none(),
    }];
    categories.extend(kefu_model::Category::ALL.iter().map(|c| Opt {
        value: c.as_str().to_string(),
        label: label(s.tr, c.as_str()),
        selected: query.category == Some(*c),
    }));
    let org = chosen(&p.organisation);
    let mut organisations = vec![Opt {
        value: String::new(),
        label: words(lang).any.to_string(),
        selected: org.is_empty(),
    }];
    if let Some(n) = &network {
        organisations.extend(n.organisations.iter().map(|o| Opt {
            value: o.id.to_string(),
            label: o.name.clone(),
            selected: o.id.as_str() == org,
        }));
    }
    render(&ParetoPage {
        w: words(lang),
        from: query.from.to_string(),
        to: query.to.to_string(),
        by_code: by == ParetoBy::Code,
        categories,
        region: chosen(&p.region),
        organisations,
        route: chosen(&p.route),
        bars,
        cases: report.cases,
        csv: format!("/api/v1/root-causes/pareto/export?{qs}"),
        error: None,
        settings: s.actor.role == kefu_model::Role::Admin,
        chrome: page.chrome,
    })
}

pub struct CaseRowLine {
    pub href: String,
    pub number: String,
    pub day: String,
    pub code: String,
    pub causes: String,
    pub organisation: String,
    pub region: String,
}

#[derive(Template)]
#[template(path = "root_cause_cases.html")]
pub struct ParetoCasesPage {
    pub chrome: Chrome,
    pub w: CauseWords,
    pub heading: String,
    pub back: String,
    pub cases: Vec<CaseRowLine>,
}

/// `GET /console/root-causes/cases`: the cases behind a bar.
pub async fn pareto_cases_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(q): Query<ConsolePareto>,
) -> Response {
    let s = &page.s;
    let lang = s.tr.lang;
    let english = !lang.is_zh();
    let result = async {
        let p = q.params(&state)?;
        let (query, by) = p.query()?;
        let key = p
            .key
            .clone()
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| DomainError::invalid("key", "a bar's key is needed"))?;
        let rows = state.desk.cause_cases(&s.actor, &query, by, &key).await?;
        Ok::<_, DomainError>((p, by, key, rows))
    }
    .await;
    let (p, by, key, rows) = match result {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let settings = state.desk.cause_settings().await.unwrap_or_default();
    let network = state.desk.network().await.ok();
    let org_name = |id: &Option<kefu_model::DepartmentId>| {
        id.as_ref()
            .map(|id| {
                network
                    .as_ref()
                    .and_then(|n| n.by_id(id))
                    .map_or_else(|| id.to_string(), |o| o.name.clone())
            })
            .unwrap_or_default()
    };
    render(&ParetoCasesPage {
        heading: format!(
            "{}：{}",
            words(lang).behind,
            key_label(&settings, by, &key, english)
        ),
        back: format!("/console/root-causes?{}", query_string(&p, by)),
        cases: rows
            .iter()
            .map(|r| CaseRowLine {
                href: format!("/cases/{}", r.case_id),
                number: r.case_number.clone(),
                day: r.day.to_string(),
                code: r
                    .code
                    .as_deref()
                    .map(|c| settings.code_label(c, english))
                    .unwrap_or_default(),
                causes: r
                    .causes
                    .iter()
                    .map(|t| settings.cause_label(t, english))
                    .collect::<Vec<_>>()
                    .join("、"),
                organisation: org_name(&r.organisation),
                region: r.region.clone(),
            })
            .collect(),
        w: words(lang),
        chrome: page.chrome,
    })
}

// ---- the closed loop ----------------------------------------------------------------------------

pub struct StepCell {
    pub label: &'static str,
    pub passed: i64,
    pub missing: i64,
    pub href: String,
}

pub struct LoopLine {
    pub name: String,
    pub cells: Vec<StepCell>,
}

#[derive(Template)]
#[template(path = "closed_loop.html")]
pub struct LoopPage {
    pub chrome: Chrome,
    pub w: CauseWords,
    pub from: String,
    pub to: String,
    pub by_organisation: bool,
    pub steps: Vec<&'static str>,
    pub total: LoopLine,
    pub groups: Vec<LoopLine>,
    pub csv: String,
}

#[derive(Deserialize, Default)]
pub struct ConsoleLoop {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    step: Option<String>,
    #[serde(default)]
    key: Option<String>,
}

impl ConsoleLoop {
    fn params(&self, state: &AppState) -> Result<LoopParams, DomainError> {
        let (from, to) = period(state, &self.from, &self.to)?;
        Ok(LoopParams {
            from: Some(from),
            to: Some(to),
            by: self.by.clone(),
            step: self.step.clone(),
            key: self.key.clone(),
        })
    }
}

/// `GET /console/closed-loop`.
pub async fn loop_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(q): Query<ConsoleLoop>,
) -> Response {
    let s = &page.s;
    let lang = s.tr.lang;
    let result = async {
        let p = q.params(&state)?;
        let (from, to, by) = p.period()?;
        let report = state.desk.closed_loop(&s.actor, from, to, by).await?;
        Ok::<_, DomainError>(report)
    }
    .await;
    let report = match result {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let network = state.desk.network().await.ok();
    let (from, to, by) = (report.from, report.to, report.by);
    let line =
        |name: String, key: Option<&str>, counts: &[kefu_model::causes::LoopCount]| LoopLine {
            name,
            cells: counts
                .iter()
                .map(|c| StepCell {
                    label: step_label(lang, c.step),
                    passed: c.passed,
                    missing: c.missing,
                    href: format!(
                        "/console/closed-loop/cases?from={from}&to={to}&by={}&step={}{}",
                        by.as_str(),
                        c.step.as_str(),
                        key.map(|k| format!("&key={}", encode(k)))
                            .unwrap_or_default()
                    ),
                })
                .collect(),
        };
    let w = words(lang);
    let name_of = |key: &str| -> String {
        if key.is_empty() {
            return w.unknown.to_string();
        }
        match by {
            LoopBy::Region => {
                kefu_regions::division(key).map_or_else(|| key.to_string(), |d| d.name.to_string())
            }
            LoopBy::Organisation => network
                .as_ref()
                .and_then(|n| n.by_id(&kefu_model::DepartmentId::from_stored(key.to_string())))
                .map_or_else(|| key.to_string(), |o| o.name.clone()),
        }
    };
    let groups = report
        .groups
        .iter()
        .map(|(key, counts)| line(name_of(key), Some(key), counts))
        .collect();
    render(&LoopPage {
        from: from.to_string(),
        to: to.to_string(),
        by_organisation: by == LoopBy::Organisation,
        steps: LoopStep::ALL
            .iter()
            .map(|st| step_label(lang, *st))
            .collect(),
        total: line(words(lang).any.to_string(), None, &report.steps),
        groups,
        csv: format!(
            "/api/v1/closed-loop/export?from={from}&to={to}&by={}",
            by.as_str()
        ),
        w,
        chrome: page.chrome,
    })
}

pub struct LoopCaseLine {
    pub href: String,
    pub number: String,
    pub received: String,
    pub status: String,
    pub region: String,
}

#[derive(Template)]
#[template(path = "closed_loop_cases.html")]
pub struct LoopCasesPage {
    pub chrome: Chrome,
    pub w: CauseWords,
    pub heading: String,
    pub back: String,
    pub cases: Vec<LoopCaseLine>,
}

/// `GET /console/closed-loop/cases`: the complaints missing a step.
pub async fn loop_cases_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(q): Query<ConsoleLoop>,
) -> Response {
    let s = &page.s;
    let lang = s.tr.lang;
    let result = async {
        let p = q.params(&state)?;
        let (from, to, by) = p.period()?;
        let step = p.step()?;
        let key = p.key.clone().map(|k| (by, k.trim().to_string()));
        let rows = state
            .desk
            .closed_loop_missing(&s.actor, from, to, step, key)
            .await?;
        Ok::<_, DomainError>((from, to, by, step, rows))
    }
    .await;
    let (from, to, by, step, rows) = match result {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    render(&LoopCasesPage {
        heading: format!("{}：{}", words(lang).missing, step_label(lang, step)),
        back: format!(
            "/console/closed-loop?from={from}&to={to}&by={}",
            by.as_str()
        ),
        cases: rows
            .iter()
            .map(|r| LoopCaseLine {
                href: format!("/cases/{}", r.case_id),
                number: r.case_number.clone(),
                received: r.received_on.to_string(),
                status: label(s.tr, r.status.as_str()),
                region: r.region.clone(),
            })
            .collect(),
        w: words(lang),
        chrome: page.chrome,
    })
}

// ---- the backlog --------------------------------------------------------------------------------

pub struct ItemLine {
    pub href: String,
    pub title: String,
    pub status: &'static str,
    pub due: String,
    pub cases: usize,
}

#[derive(Template)]
#[template(path = "improvements.html")]
pub struct BacklogPage {
    pub chrome: Chrome,
    pub w: CauseWords,
    pub items: Vec<ItemLine>,
    pub may_propose: bool,
    pub error: Option<String>,
}

/// `GET /console/improvements`.
pub async fn backlog_page(State(state): State<AppState>, page: StaffPage) -> Response {
    backlog_for(&state, page, None).await
}

async fn backlog_for(state: &AppState, page: StaffPage, error: Option<String>) -> Response {
    let s = &page.s;
    let lang = s.tr.lang;
    let items = match state.desk.improvements(&s.actor).await {
        Ok(i) => i,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    render(&BacklogPage {
        items: items
            .iter()
            .map(|i| ItemLine {
                href: format!("/console/improvements/{}", i.id),
                title: i.title.clone(),
                status: status_label(lang, i.status),
                due: i.due_on.map(|d| d.to_string()).unwrap_or_default(),
                cases: i.cases.len(),
            })
            .collect(),
        may_propose: may_propose(s.actor.role),
        error,
        w: words(lang),
        chrome: page.chrome,
    })
}

#[derive(Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    due_on: String,
}

/// `POST /console/improvements`: a new item, proposed.
pub async fn propose(
    State(state): State<AppState>,
    page: StaffPage,
    CsrfForm { s, form, .. }: CsrfForm<ProposeForm>,
) -> Response {
    let result = async {
        let draft = ImprovementDraft {
            title: form.title,
            description: form.description,
            due_on: super::extract::optional_day(Some(&form.due_on), "due_on")?,
            ..Default::default()
        };
        state.desk.create_improvement(&s.actor, &draft).await
    }
    .await;
    match result {
        Ok(item) => redirect(&format!("/console/improvements/{}", item.id)),
        Err(DomainError::Forbidden(_)) | Err(DomainError::NotFound(_)) => {
            error_page(s.tr, Some(&s), &DomainError::Forbidden("propose".into()))
        }
        Err(e) => {
            let mut r = backlog_for(&state, page, Some(crate::error::public_message(&e))).await;
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
    }
}

pub struct EntryLine {
    pub at: String,
    pub by: String,
    pub what: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "improvement.html")]
pub struct ItemPage {
    pub chrome: Chrome,
    pub w: CauseWords,
    pub id: String,
    pub title: String,
    pub description: String,
    pub status: &'static str,
    pub owner: String,
    pub due: String,
    pub causes: String,
    pub cases: Vec<(String, String, String)>,
    pub history: Vec<EntryLine>,
    pub manage: bool,
    pub statuses: Vec<Opt>,
    pub cause_options: Vec<Opt>,
    pub error: Option<String>,
}

/// `GET /console/improvements/{id}`.
pub async fn item_page(
    State(state): State<AppState>,
    page: StaffPage,
    Path(id): Path<String>,
) -> Response {
    item_for(&state, page, &id, None).await
}

async fn item_for(state: &AppState, page: StaffPage, id: &str, error: Option<String>) -> Response {
    let s = &page.s;
    let lang = s.tr.lang;
    let english = !lang.is_zh();
    let (item, history) = match async {
        let item = state.desk.improvement(&s.actor, id).await?;
        let history = state.desk.improvement_history(&s.actor, id).await?;
        Ok::<_, DomainError>((item, history))
    }
    .await
    {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let settings = state.desk.cause_settings().await.unwrap_or_default();
    let names = state.desk.people_names(&s.actor).await.unwrap_or_default();
    let tz = state.desk.time_zone().clone();
    let owner = [
        item.owner_user.as_ref().map(|u| {
            names
                .get(u.as_str())
                .cloned()
                .unwrap_or_else(|| u.to_string())
        }),
        item.owner_department.as_ref().map(|d| {
            names
                .get(d.as_str())
                .cloned()
                .unwrap_or_else(|| d.to_string())
        }),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let manage = may_manage(s.actor.role);
    render(&ItemPage {
        id: item.id.clone(),
        title: item.title.clone(),
        description: item.description.clone(),
        status: status_label(lang, item.status),
        owner,
        due: item.due_on.map(|d| d.to_string()).unwrap_or_default(),
        causes: item
            .causes
            .iter()
            .map(|t| settings.cause_label(t, english))
            .collect::<Vec<_>>()
            .join("、"),
        cases: item
            .cases
            .iter()
            .map(|c| {
                (
                    format!("/cases/{}", c.case_id),
                    c.number.clone(),
                    c.case_id.to_string(),
                )
            })
            .collect(),
        history: history
            .iter()
            .map(|e| EntryLine {
                at: tz.to_datetime(e.at).strftime("%Y-%m-%d %H:%M").to_string(),
                by: e.by.trim_start_matches("user:").to_string(),
                what: e.what.clone(),
                detail: e.detail.clone(),
            })
            .collect(),
        manage,
        statuses: ImprovementStatus::ALL
            .iter()
            .filter(|st| **st == item.status || item.status.can_become(**st))
            .map(|st| Opt {
                value: st.as_str().to_string(),
                label: status_label(lang, *st).to_string(),
                selected: *st == item.status,
            })
            .collect(),
        cause_options: cause_options(&settings, english, ""),
        error,
        w: words(lang),
        chrome: page.chrome,
    })
}

#[derive(Deserialize)]
pub struct ItemForm {
    /// `status`, `edit` or `unlink`.
    action: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    owner_user: String,
    #[serde(default)]
    owner_department: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    cause: String,
    #[serde(default)]
    case: String,
}

/// `POST /console/improvements/{id}`: a status change, an edit or an unlink (managers).
pub async fn change_item(
    State(state): State<AppState>,
    page: StaffPage,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<ItemForm>,
) -> Response {
    let result = async {
        match form.action.as_str() {
            "status" => {
                let status = ImprovementStatus::parse(form.status.trim())
                    .ok_or_else(|| DomainError::invalid("status", "a status"))?;
                let patch = ImprovementPatch {
                    status: Some(status),
                    ..Default::default()
                };
                state.desk.update_improvement(&s.actor, &id, &patch).await?;
            }
            "edit" => {
                let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
                let patch = ImprovementPatch {
                    title: Some(form.title.clone()),
                    description: Some(form.description.clone()),
                    owner_user: opt(&form.owner_user).map(Some),
                    owner_department: opt(&form.owner_department).map(Some),
                    due_on: Some(super::extract::optional_day(Some(&form.due_on), "due_on")?),
                    causes: opt(&form.cause).map(|c| vec![c]),
                    status: None,
                };
                state.desk.update_improvement(&s.actor, &id, &patch).await?;
            }
            "unlink" => {
                state
                    .desk
                    .unlink_improvement_case(&s.actor, &id, form.case.trim())
                    .await?;
            }
            _ => return Err(DomainError::invalid("action", "status, edit or unlink")),
        }
        Ok::<_, DomainError>(())
    }
    .await;
    match result {
        Ok(()) => redirect(&format!("/console/improvements/{id}")),
        Err(e @ (DomainError::Forbidden(_) | DomainError::NotFound(_))) => {
            let mut r = error_page(s.tr, Some(&s), &e);
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
        Err(e) => {
            let mut r = item_for(&state, page, &id, Some(crate::error::public_message(&e))).await;
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
    }
}

// ---- the codes and causes (admins) ---------------------------------------------------------

#[derive(Template)]
#[template(path = "cause_settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    pub w: CauseWords,
    pub codes: String,
    pub causes: String,
    pub categories: Vec<Opt>,
    pub error: Option<String>,
    pub saved: bool,
}

fn settings_page(
    chrome: Chrome,
    lang: Lang,
    codes: String,
    causes: String,
    required_for: &[Category],
    error: Option<String>,
    saved: bool,
) -> SettingsPage {
    SettingsPage {
        chrome,
        w: words(lang),
        codes,
        causes,
        categories: Category::ALL
            .iter()
            .map(|c| Opt {
                value: c.as_str().to_string(),
                label: super::i18n::category_label(lang, *c).to_string(),
                selected: required_for.contains(c),
            })
            .collect(),
        error,
        saved,
    }
}

fn admin_only(s: &UiSession) -> Result<(), DomainError> {
    match s.actor.role == kefu_model::Role::Admin {
        true => Ok(()),
        false => Err(DomainError::Forbidden("only admins change settings".into())),
    }
}

/// `GET /console/cause-settings` (admins): the `root_causes` setting as text.
pub async fn settings_get(
    State(state): State<AppState>,
    page: StaffPage,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let s = &page.s;
    let current = async {
        admin_only(s)?;
        state.desk.cause_settings().await
    }
    .await;
    match current {
        Ok(c) => render(&settings_page(
            page.chrome,
            s.tr.lang,
            c.codes_text(),
            c.causes_text(),
            &c.required_for,
            None,
            q.contains_key("saved"),
        )),
        Err(e) => error_page(s.tr, Some(s), &e),
    }
}

/// `POST /console/cause-settings`: `codes` and `causes` as text, `required_<category>` ticked.
/// A refused form comes back as typed with the reason (422), and the setting is unchanged.
pub async fn settings_post(
    State(state): State<AppState>,
    CsrfForm { s, input, .. }: CsrfForm<NoFields>,
) -> Response {
    let f = Fields(&input);
    let required_for: Vec<Category> = Category::ALL
        .iter()
        .filter(|c| f.ticked(&format!("required_{}", c.as_str())))
        .copied()
        .collect();
    let attempt = async {
        admin_only(&s)?;
        let typed =
            CauseSettings::from_text(&f.text("codes"), &f.text("causes"), required_for.clone())?;
        let value = serde_json::to_value(&typed)
            .map_err(|e| DomainError::invalid("settings", e.to_string()))?;
        state
            .desk
            .put_setting(&s.actor, kefu_model::causes::CAUSES_SETTING, value)
            .await
    }
    .await;
    match attempt {
        Ok(_) => redirect("/console/cause-settings?saved=1"),
        Err(e @ DomainError::Invalid { .. }) => {
            let chrome = match super::pages::nav(&state, &s, "/console/cause-settings").await {
                Ok(c) => c,
                Err(e) => return error_page(s.tr, Some(&s), &e),
            };
            let mut r = render(&settings_page(
                chrome,
                s.tr.lang,
                f.text("codes"),
                f.text("causes"),
                &required_for,
                Some(crate::error::public_message(&e)),
                false,
            ));
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}
