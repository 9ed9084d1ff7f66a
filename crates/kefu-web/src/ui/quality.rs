//! The quality-inspection console pages (质检): the inspector's queue with the draw (managers),
//! an agent's "my quality scores", the scoring form beside the case's conversation with a
//! comment box per message, acknowledgement, appeal and the appeal's decision, the rubric
//! editor with the sampling rules, and the figures per agent or department.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kefu_model::DomainError;
use kefu_model::quality::{
    self, AppealOutcome, InspectionQueue, InspectionStatus, ItemScore, MessageComment,
    QualityDimension, QualitySettings, RubricDraft, RubricItem, ScoreDraft,
};

use super::extract::{CsrfForm, NoFields, StaffPage};
use super::i18n::{
    Lang, QualityWords, inspection_action_label, inspection_status_label, quality_words,
    sample_rule_label,
};
use super::pages::{Chrome, Opt};
use super::{error_page, redirect, render};
use crate::AppState;
use crate::quality::{messages, points};

/// One line of a queue.
pub struct Line {
    pub href: String,
    pub case: String,
    pub agent: String,
    pub rule: &'static str,
    pub status: &'static str,
    pub score: String,
    pub passed: Option<bool>,
    pub inspector: String,
}

#[derive(Template)]
#[template(path = "quality.html")]
pub struct QueuePage {
    pub chrome: Chrome,
    pub w: &'static QualityWords,
    pub mine: bool,
    pub manages: bool,
    pub queues: Vec<Opt>,
    pub lines: Vec<Line>,
    pub from: String,
    pub to: String,
}

#[derive(serde::Deserialize, Default)]
pub struct QueueParams {
    queue: Option<String>,
}

fn name_of(names: &HashMap<String, String>, id: Option<&str>) -> String {
    id.map_or_else(
        || "—".to_string(),
        |i| names.get(i).cloned().unwrap_or_else(|| i.to_string()),
    )
}

fn score_text(x100: Option<i64>) -> String {
    x100.map_or_else(|| "—".to_string(), |s| format!("{:.2}", points(s)))
}

/// `GET /console/quality`: the queue (inspectors, supervisors, admins) or my scores (agents).
pub async fn queue_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(p): Query<QueueParams>,
) -> Response {
    let s = &page.s;
    let lang = s.tr.lang;
    let w = quality_words(lang);
    let queue = match crate::quality::queue_of(p.queue.as_deref()) {
        Ok(q) => q,
        Err(_) => {
            return error_page(
                s.tr,
                Some(s),
                &DomainError::invalid("queue", "a queue's code"),
            );
        }
    };
    let inspectors = quality::may_inspect(&s.actor);
    let found = match state.desk.inspections(&s.actor, queue, Some(200)).await {
        Ok(f) => f,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let names = match state.desk.people_names(&s.actor).await {
        Ok(n) => n,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let today = state.desk.time_zone().to_datetime(state.desk.now()).date();
    let from = today
        .checked_sub(jiff::Span::new().days(7))
        .unwrap_or(today);
    let mut queues = vec![Opt {
        value: String::new(),
        label: w.all.to_string(),
        selected: queue.is_none(),
    }];
    if inspectors {
        queues.extend(InspectionQueue::ALL.iter().map(|q| Opt {
            value: q.as_str().to_string(),
            label: match q {
                InspectionQueue::Mine => match lang {
                    Lang::Zh => "我的待质检".to_string(),
                    Lang::En => "Mine".to_string(),
                },
                InspectionQueue::Pending => {
                    inspection_status_label(lang, InspectionStatus::Pending).into()
                }
                InspectionQueue::Scored => {
                    inspection_status_label(lang, InspectionStatus::Scored).into()
                }
                InspectionQueue::Acknowledged => {
                    inspection_status_label(lang, InspectionStatus::Acknowledged).into()
                }
                InspectionQueue::Appealed => {
                    inspection_status_label(lang, InspectionStatus::Appealed).into()
                }
                InspectionQueue::Decided => {
                    inspection_status_label(lang, InspectionStatus::Decided).into()
                }
            },
            selected: queue == Some(*q),
        }));
    }
    render(&QueuePage {
        w,
        mine: !inspectors,
        manages: quality::may_manage(&s.actor),
        queues,
        lines: found
            .iter()
            .map(|i| Line {
                href: format!("/console/quality/{}", i.id),
                case: i.case_number.clone(),
                agent: name_of(&names, i.agent.as_ref().map(|a| a.as_str())),
                rule: sample_rule_label(lang, i.rule),
                status: inspection_status_label(lang, i.status),
                score: score_text(i.score_x100),
                passed: i.passed,
                inspector: name_of(&names, i.inspector.as_ref().map(|a| a.as_str())),
            })
            .collect(),
        from: from.to_string(),
        to: today.tomorrow().unwrap_or(today).to_string(),
        chrome: page.chrome,
    })
}

#[derive(serde::Deserialize)]
pub struct DrawForm {
    from: String,
    to: String,
}

/// `POST /console/quality/draw`: draws the period into the queue.
pub async fn draw(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<DrawForm>,
) -> Response {
    let day = |field: &str, v: &str| {
        v.trim()
            .parse::<jiff::civil::Date>()
            .map_err(|_| DomainError::invalid(field, "a date (YYYY-MM-DD)"))
    };
    let result = async {
        let (from, to) = (day("from", &form.from)?, day("to", &form.to)?);
        state.desk.draw_inspections(&s.actor, from, to).await
    }
    .await;
    match result {
        Ok(_) => redirect("/console/quality?queue=pending"),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

/// A message of the case with its comment, if any.
pub struct MessageLine {
    pub id: String,
    pub at: String,
    pub who: String,
    pub internal: bool,
    pub body: String,
    pub comment: String,
}

/// An item of the rubric with its score, if scored.
pub struct ItemLine {
    pub key: String,
    pub name: String,
    pub weight: u32,
    pub critical: bool,
    pub options: Vec<Opt>,
    pub comment: String,
}

pub struct HistoryLine {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub note: String,
}

#[derive(Template)]
#[template(path = "quality_inspection.html")]
pub struct InspectionPage {
    pub chrome: Chrome,
    pub w: &'static QualityWords,
    pub id: String,
    pub case_href: String,
    pub case: String,
    pub subject: String,
    pub agent: String,
    pub rule: &'static str,
    pub status: &'static str,
    pub score: String,
    pub passed: Option<bool>,
    pub rubric: String,
    pub summary: String,
    pub appeal_reason: String,
    pub decision: String,
    pub messages: Vec<MessageLine>,
    pub items: Vec<ItemLine>,
    pub history: Vec<HistoryLine>,
    /// The case's calls with their recordings (transcripts are among the messages).
    pub calls: Vec<super::calls::CallLine>,
    /// The scoring form is shown (pending, and the viewer may score it).
    pub scoring: bool,
    /// An inspector may take it for themselves.
    pub takes: bool,
    /// The agent's acknowledge and appeal forms.
    pub answers: bool,
    /// The decision form (appealed, a manager viewing).
    pub decides: bool,
}

/// `GET /console/quality/{id}`: the inspection beside its case's conversation.
pub async fn inspection_page(
    State(state): State<AppState>,
    page: StaffPage,
    Path(id): Path<String>,
) -> Response {
    let s = &page.s;
    let lang = s.tr.lang;
    let w = quality_words(lang);
    let d = match state.desk.inspection(&s.actor, &id).await {
        Ok(d) => d,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let names = match state.desk.people_names(&s.actor).await {
        Ok(n) => n,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let zone = state.desk.time_zone().clone();
    let when = |t: jiff::Timestamp| zone.to_datetime(t).strftime("%Y-%m-%d %H:%M").to_string();
    let i = &d.inspection;
    let (calls, _) =
        super::calls::calls_on_case(&state, &s.actor, i.case_id.as_str(), s.tr, &zone).await;
    let comments: HashMap<&str, &str> = i
        .comments
        .iter()
        .map(|c| (c.message_id.as_str(), c.text.as_str()))
        .collect();
    let pending = i.status == InspectionStatus::Pending;
    let may_score = quality::may_inspect(&s.actor)
        && (s.actor.role != kefu_model::Role::Inspector
            || i.inspector.as_ref().is_none_or(|x| x == &s.actor.user_id));
    let decides = i.status == InspectionStatus::Appealed && quality::may_manage(&s.actor);
    render(&InspectionPage {
        w,
        id: i.id.to_string(),
        case_href: format!("/cases/{}", i.case_id),
        case: i.case_number.clone(),
        subject: d.case.subject.clone(),
        agent: name_of(&names, i.agent.as_ref().map(|a| a.as_str())),
        rule: sample_rule_label(lang, i.rule),
        status: inspection_status_label(lang, i.status),
        score: score_text(i.score_x100),
        passed: i.passed,
        rubric: format!("{} v{}", d.rubric.name, d.rubric.version),
        summary: i.summary.clone(),
        appeal_reason: i.appeal_reason.clone().unwrap_or_default(),
        decision: i
            .decision
            .as_ref()
            .map(|x| {
                let outcome = match x.outcome {
                    AppealOutcome::Uphold => w.uphold,
                    AppealOutcome::Rescore => w.rescore,
                };
                format!("{outcome} · {}", x.note)
            })
            .unwrap_or_default(),
        messages: messages(&d)
            .into_iter()
            .map(|m| MessageLine {
                comment: comments
                    .get(m.message_id.as_str())
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                at: when(m.at),
                who: m.actor,
                internal: m.internal,
                body: m.body,
                id: m.message_id,
            })
            .collect(),
        items: d
            .rubric
            .items
            .iter()
            .map(|item| {
                let given = i.scores.iter().find(|x| x.item == item.key);
                ItemLine {
                    key: item.key.clone(),
                    name: item.name.clone(),
                    weight: item.weight,
                    critical: item.critical,
                    options: (0..=item.max)
                        .rev()
                        .map(|v| Opt {
                            value: v.to_string(),
                            label: format!("{v} / {}", item.max),
                            selected: given.is_some_and(|g| g.score == v),
                        })
                        .collect(),
                    comment: given.map(|g| g.comment.clone()).unwrap_or_default(),
                }
            })
            .collect(),
        history: d
            .history
            .iter()
            .map(|h| HistoryLine {
                at: when(h.at),
                actor: h.actor.clone(),
                action: inspection_action_label(lang, h.action),
                note: h.note.clone(),
            })
            .collect(),
        calls,
        scoring: pending && may_score,
        takes: pending && s.actor.role == kefu_model::Role::Inspector && i.inspector.is_none(),
        answers: i.status == InspectionStatus::Scored && i.agent.as_ref() == Some(&s.actor.user_id),
        decides,
        chrome: page.chrome,
    })
}

/// The scores and comments a scoring form posted: `score.{item}`, `note.{item}`,
/// `comment.{message id}`, `summary`.
fn score_draft(input: &HashMap<String, String>) -> Result<ScoreDraft, DomainError> {
    let mut scores = Vec::new();
    let mut comments = Vec::new();
    let mut keys: Vec<&String> = input.keys().collect();
    keys.sort();
    for k in keys {
        let v = &input[k];
        if let Some(item) = k.strip_prefix("score.") {
            let score = v
                .trim()
                .parse::<u32>()
                .map_err(|_| DomainError::invalid(k.as_str(), "a score"))?;
            scores.push(ItemScore {
                item: item.to_string(),
                score,
                comment: input
                    .get(&format!("note.{item}"))
                    .cloned()
                    .unwrap_or_default(),
            });
        } else if let Some(message) = k.strip_prefix("comment.")
            && !v.trim().is_empty()
        {
            comments.push(MessageComment {
                message_id: message.to_string(),
                text: v.clone(),
            });
        }
    }
    Ok(ScoreDraft {
        scores,
        comments,
        summary: input.get("summary").cloned().unwrap_or_default(),
    })
}

/// `POST /console/quality/{id}/score`.
pub async fn score(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, input, .. }: CsrfForm<NoFields>,
) -> Response {
    let result = async {
        let draft = score_draft(&input)?;
        state.desk.score_inspection(&s.actor, &id, draft).await
    }
    .await;
    match result {
        Ok(i) => redirect(&format!("/console/quality/{}", i.id)),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

/// `POST /console/quality/{id}/take`: an inspector takes a pending inspection.
pub async fn take(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, .. }: CsrfForm<NoFields>,
) -> Response {
    let me = s.actor.user_id.to_string();
    match state.desk.assign_inspection(&s.actor, &id, &me).await {
        Ok(i) => redirect(&format!("/console/quality/{}", i.id)),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

/// `POST /console/quality/{id}/acknowledge`.
pub async fn acknowledge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, .. }: CsrfForm<NoFields>,
) -> Response {
    match state.desk.acknowledge_inspection(&s.actor, &id).await {
        Ok(i) => redirect(&format!("/console/quality/{}", i.id)),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

#[derive(serde::Deserialize)]
pub struct AppealForm {
    reason: String,
}

/// `POST /console/quality/{id}/appeal`.
pub async fn appeal(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<AppealForm>,
) -> Response {
    match state
        .desk
        .appeal_inspection(&s.actor, &id, &form.reason)
        .await
    {
        Ok(i) => redirect(&format!("/console/quality/{}", i.id)),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

/// `POST /console/quality/{id}/decide`: `outcome`, `note`, and with a rescore the scores.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, input, .. }: CsrfForm<NoFields>,
) -> Response {
    let result = async {
        let outcome = input
            .get("outcome")
            .and_then(|o| AppealOutcome::parse(o))
            .ok_or_else(|| DomainError::invalid("outcome", "uphold or rescore"))?;
        let rescore = match outcome {
            AppealOutcome::Uphold => None,
            AppealOutcome::Rescore => Some(score_draft(&input)?),
        };
        let note = input.get("note").cloned().unwrap_or_default();
        state
            .desk
            .decide_appeal(&s.actor, &id, outcome, &note, rescore)
            .await
    }
    .await;
    match result {
        Ok(i) => redirect(&format!("/console/quality/{}", i.id)),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

pub struct RubricRow {
    pub index: usize,
    pub key: String,
    pub name: String,
    pub weight: String,
    pub max: String,
    pub critical: bool,
}

#[derive(Template)]
#[template(path = "quality_rubric.html")]
pub struct RubricPage {
    pub chrome: Chrome,
    pub w: &'static QualityWords,
    pub id: String,
    pub name: String,
    pub version: i64,
    pub rows: Vec<RubricRow>,
    pub versions: Vec<String>,
    pub manages: bool,
    pub settings: QualitySettings,
    pub long_hours: String,
}

/// `GET /console/quality/rubric`: the settings' rubric, its versions and the sampling rules.
pub async fn rubric_page(State(state): State<AppState>, page: StaffPage) -> Response {
    let s = &page.s;
    let w = quality_words(s.tr.lang);
    let result = async {
        let settings = state.desk.quality_settings(&s.actor).await?;
        let rubric = state.desk.rubric(&s.actor, &settings.rubric, None).await?;
        let versions = state.desk.rubric_versions(&s.actor, &rubric.id).await?;
        Ok::<_, DomainError>((settings, rubric, versions))
    }
    .await;
    let (settings, rubric, versions) = match result {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let mut rows: Vec<RubricRow> = rubric
        .items
        .iter()
        .enumerate()
        .map(|(index, i)| RubricRow {
            index,
            key: i.key.clone(),
            name: i.name.clone(),
            weight: i.weight.to_string(),
            max: i.max.to_string(),
            critical: i.critical,
        })
        .collect();
    let n = rows.len();
    rows.extend((n..n + 2).map(|index| RubricRow {
        index,
        key: String::new(),
        name: String::new(),
        weight: String::new(),
        max: String::new(),
        critical: false,
    }));
    render(&RubricPage {
        w,
        id: rubric.id.clone(),
        name: rubric.name.clone(),
        version: rubric.version,
        rows,
        versions: versions
            .iter()
            .map(|v| {
                format!(
                    "v{} · {} · {}",
                    v.version,
                    v.created_by,
                    v.items
                        .iter()
                        .map(|i| format!("{} {}", i.name, i.weight))
                        .collect::<Vec<_>>()
                        .join(" / ")
                )
            })
            .collect(),
        manages: quality::may_manage(&s.actor),
        long_hours: settings
            .long_handling_hours
            .map(|h| h.to_string())
            .unwrap_or_default(),
        settings,
        chrome: page.chrome,
    })
}

/// `POST /console/quality/rubric`: `id`, `version`, `name`, and per row `key.N`, `name.N`,
/// `weight.N`, `max.N`, `critical.N`; rows without a key are left out.
pub async fn save_rubric(
    State(state): State<AppState>,
    CsrfForm { s, input, .. }: CsrfForm<NoFields>,
) -> Response {
    let result = async {
        let f = super::extract::Fields(&input);
        let get = |k: &str| f.text(k);
        let number = |k: &str| f.value::<u32>(k, "a whole number");
        let mut items = Vec::new();
        for n in 0..quality::MAX_ITEMS + 2 {
            let key = get(&format!("key.{n}"));
            if key.is_empty() {
                continue;
            }
            items.push(RubricItem {
                key,
                name: get(&format!("name.{n}")),
                weight: number(&format!("weight.{n}"))?,
                max: number(&format!("max.{n}"))?,
                critical: f.ticked(&format!("critical.{n}")),
            });
        }
        let version = get("version").parse::<i64>().ok();
        state
            .desk
            .save_rubric(
                &s.actor,
                &get("id"),
                RubricDraft {
                    name: get("name"),
                    items,
                },
                version,
            )
            .await
    }
    .await;
    match result {
        Ok(_) => redirect("/console/quality/rubric"),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

/// `POST /console/quality/rules`: the sampling rules and the pass score.
pub async fn save_rules(
    State(state): State<AppState>,
    CsrfForm { s, input, .. }: CsrfForm<NoFields>,
) -> Response {
    let result = async {
        let f = super::extract::Fields(&input);
        let number = |k: &str| f.value::<u32>(k, "a whole number");
        let long = super::extract::optional_value::<u32>(
            input.get("long_handling_hours").map(String::as_str),
            "long_handling_hours",
            "a whole number of hours",
        )?;
        let current = state.desk.quality_settings(&s.actor).await?;
        let settings = QualitySettings {
            random_percent: number("random_percent")?,
            complaints: f.ticked("complaints"),
            poor_ratings: f.ticked("poor_ratings"),
            long_handling_hours: long,
            pass_score: number("pass_score")?,
            rubric: current.rubric,
            daily_draw: f.ticked("daily_draw"),
        };
        state.desk.put_quality_settings(&s.actor, settings).await
    }
    .await;
    match result {
        Ok(_) => redirect("/console/quality/rubric"),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

pub struct FigureLine {
    pub name: String,
    pub count: i64,
    pub average: String,
    pub pass_rate: String,
}

#[derive(Template)]
#[template(path = "quality_figures.html")]
pub struct FiguresPage {
    pub chrome: Chrome,
    pub w: &'static QualityWords,
    pub dims: Vec<Opt>,
    pub from: String,
    pub to: String,
    pub pass_score: u32,
    pub lines: Vec<FigureLine>,
}

#[derive(serde::Deserialize, Default)]
pub struct FiguresParams {
    by: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /console/quality/figures`: count, average and pass rate per agent or department.
pub async fn figures_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(p): Query<FiguresParams>,
) -> Response {
    let s = &page.s;
    let lang = s.tr.lang;
    let w = quality_words(lang);
    let result = async {
        let by = crate::quality::dimension_of(p.by.as_deref())
            .map_err(|_| DomainError::invalid("by", "agent or department"))?;
        let (from, to) = super::orders::period_of(&state, &p.from, &p.to)?;
        let rows = state.desk.quality_figures(&s.actor, by, from, to).await?;
        let pass = state.desk.quality_pass_score().await?;
        let names = state.desk.people_names(&s.actor).await?;
        Ok::<_, DomainError>((by, from, to, rows, pass, names))
    }
    .await;
    let (by, from, to, rows, pass_score, names) = match result {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let dims = QualityDimension::ALL
        .iter()
        .map(|d| Opt {
            value: d.as_str().to_string(),
            label: match (lang, d) {
                (Lang::Zh, QualityDimension::Agent) => "客服".to_string(),
                (Lang::Zh, QualityDimension::Department) => "部门".to_string(),
                (Lang::En, QualityDimension::Agent) => "Agent".to_string(),
                (Lang::En, QualityDimension::Department) => "Department".to_string(),
            },
            selected: *d == by,
        })
        .collect();
    render(&FiguresPage {
        w,
        dims,
        from: from.to_string(),
        to: to.to_string(),
        pass_score,
        lines: rows
            .iter()
            .map(|t| FigureLine {
                name: name_of(&names, (!t.key.is_empty()).then_some(t.key.as_str())),
                count: t.count,
                average: t
                    .average()
                    .map_or_else(|| "—".to_string(), |a| format!("{a:.2}")),
                pass_rate: t
                    .pass_rate()
                    .map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0)),
            })
            .collect(),
        chrome: page.chrome,
    })
}
