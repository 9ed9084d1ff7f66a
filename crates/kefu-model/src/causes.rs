//! Root causes (R-CASE-10, R-MG-6): the `root_causes` setting — resolution codes and a two-level
//! list of causes, and the categories whose resolution needs a code —; what an agent records
//! when resolving or closing a case (`check_cause`); the cause read model's row (`CauseRow`);
//! the Pareto of causes and of codes with its cumulative share (`pareto`, the 80 % line); and
//! the complaint closed loop's steps (`LoopRow`, `closed_loop`, R-MG-5). Pure.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::codes::{Category, Priority, Status};
use crate::error::DomainError;
use crate::ids::{CaseId, DepartmentId};
use crate::string_enum::string_enum;

/// The setting's key in the settings table.
pub const CAUSES_SETTING: &str = "root_causes";
/// The longest lesson note.
pub const LESSON_MAX: usize = 2000;
/// At most this many causes on one case.
pub const MAX_CAUSES: usize = 10;
/// The Pareto's line: the causes up to the one whose cumulative share reaches this many
/// percent are the "vital few".
pub const PARETO_LINE_PERCENT: f64 = 80.0;

/// A code with its label (zh-CN) and, optionally, its English label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labelled {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
}

/// A group of causes (揽收, 派送 …); a group without causes of its own is a cause itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CauseGroup {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
    #[serde(default)]
    pub causes: Vec<Labelled>,
}

/// The `root_causes` setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CauseSettings {
    /// How a case ended (已解决-补发 …).
    pub codes: Vec<Labelled>,
    /// Why the problem happened: groups and their causes. A cause's tag is `group/cause`, or
    /// `group` for a group without causes.
    pub groups: Vec<CauseGroup>,
    /// Cases of these categories are resolved (or closed) only with a resolution code.
    pub required_for: Vec<Category>,
}

fn l(code: &str, label: &str, en: &str) -> Labelled {
    Labelled {
        code: code.into(),
        label: label.into(),
        en: en.into(),
    }
}

fn g(code: &str, label: &str, en: &str, causes: Vec<Labelled>) -> CauseGroup {
    CauseGroup {
        code: code.into(),
        label: label.into(),
        en: en.into(),
        causes,
    }
}

impl Default for CauseSettings {
    /// A courier's codes and causes.
    fn default() -> Self {
        CauseSettings {
            codes: vec![
                l("reshipped", "已解决-补发", "Resolved: reshipped"),
                l("compensated", "已解决-赔付", "Resolved: compensated"),
                l("explained", "已解决-解释说明", "Resolved: explained"),
                l("to_outlet", "转网点处理", "Handed to the outlet"),
                l("unresolved", "无法解决", "Could not be resolved"),
                l("withdrawn", "客户撤销", "Withdrawn by the customer"),
            ],
            groups: vec![
                g(
                    "pickup",
                    "揽收",
                    "Pickup",
                    vec![
                        l("missed", "漏揽", "Pickup missed"),
                        l("late", "揽收延迟", "Late pickup"),
                    ],
                ),
                g(
                    "sorting",
                    "分拣中转",
                    "Sorting and transit",
                    vec![
                        l("mis_sort", "错分", "Mis-sorted"),
                        l("hub_delay", "中转延误", "Hub delay"),
                    ],
                ),
                g(
                    "delivery",
                    "派送",
                    "Delivery",
                    vec![
                        l("not_delivered", "未派送", "Not delivered"),
                        l("false_scan", "虚假签收", "False \"delivered\" scan"),
                        l("no_consent", "未经同意代放", "Left without consent"),
                    ],
                ),
                g("packaging", "包装破损", "Damaged packaging", Vec::new()),
                g(
                    "system",
                    "系统/信息",
                    "Systems and information",
                    vec![l("wrong_tracking", "物流信息错误", "Wrong tracking")],
                ),
                g(
                    "service",
                    "客服",
                    "Customer service",
                    vec![
                        l("wrong_answer", "答复错误", "Wrong answer"),
                        l("slow_answer", "答复慢", "Slow answer"),
                    ],
                ),
                g(
                    "external",
                    "外部",
                    "External",
                    vec![
                        l("weather", "天气", "Weather"),
                        l("customs", "海关", "Customs"),
                        l("regulator", "监管", "Regulator"),
                    ],
                ),
                g("customer", "客户原因", "The customer", Vec::new()),
            ],
            required_for: vec![Category::Complaint],
        }
    }
}

fn check_label(field: &str, item_code: &str, label: &str, en: &str) -> Result<(), DomainError> {
    crate::text::check_key(field, item_code)?;
    for (f, text, required) in [(field, label, true), (field, en, false)] {
        let n = text.chars().count();
        if (required && n == 0) || n > 40 || text.trim() != text {
            return Err(DomainError::invalid(
                f,
                "a label of 1 to 40 characters, no spaces around",
            ));
        }
    }
    Ok(())
}

impl CauseSettings {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.codes.is_empty() || self.codes.len() > 50 {
            return Err(DomainError::invalid("codes", "1 to 50 resolution codes"));
        }
        for (i, c) in self.codes.iter().enumerate() {
            check_label(&format!("codes.{i}"), &c.code, &c.label, &c.en)?;
            if self.codes[..i].iter().any(|o| o.code == c.code) {
                return Err(DomainError::invalid(
                    format!("codes.{i}"),
                    "a code is named twice",
                ));
            }
        }
        if self.groups.is_empty() || self.groups.len() > 50 {
            return Err(DomainError::invalid("groups", "1 to 50 groups of causes"));
        }
        for (i, group) in self.groups.iter().enumerate() {
            check_label(&format!("groups.{i}"), &group.code, &group.label, &group.en)?;
            if self.groups[..i].iter().any(|o| o.code == group.code) {
                return Err(DomainError::invalid(
                    format!("groups.{i}"),
                    "a group is named twice",
                ));
            }
            if group.causes.len() > 50 {
                return Err(DomainError::invalid(
                    format!("groups.{i}.causes"),
                    "at most 50 causes",
                ));
            }
            for (j, c) in group.causes.iter().enumerate() {
                let field = format!("groups.{i}.causes.{j}");
                check_label(&field, &c.code, &c.label, &c.en)?;
                if group.causes[..j].iter().any(|o| o.code == c.code) {
                    return Err(DomainError::invalid(field, "a cause is named twice"));
                }
            }
        }
        let mut seen = Vec::new();
        for c in &self.required_for {
            if seen.contains(c) {
                return Err(DomainError::invalid(
                    "required_for",
                    "a category is named twice",
                ));
            }
            seen.push(*c);
        }
        Ok(())
    }

    /// Every cause's tag with its labels, in the setting's order.
    pub fn tags(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for group in &self.groups {
            if group.causes.is_empty() {
                out.push((group.code.clone(), group.label.clone(), group.en.clone()));
            }
            for c in &group.causes {
                out.push((
                    format!("{}/{}", group.code, c.code),
                    format!("{}-{}", group.label, c.label),
                    match (group.en.is_empty(), c.en.is_empty()) {
                        (false, false) => format!("{}: {}", group.en, c.en),
                        _ => String::new(),
                    },
                ));
            }
        }
        out
    }

    /// A cause's label (zh-CN, or English when `english` and the setting has one); the tag
    /// itself for one the setting no longer lists.
    pub fn cause_label(&self, tag: &str, english: bool) -> String {
        self.tags()
            .into_iter()
            .find(|(t, _, _)| t == tag)
            .map(|(_, zh, en)| if english && !en.is_empty() { en } else { zh })
            .unwrap_or_else(|| tag.to_string())
    }

    /// A resolution code's label, like [`CauseSettings::cause_label`].
    pub fn code_label(&self, code: &str, english: bool) -> String {
        self.codes
            .iter()
            .find(|c| c.code == code)
            .map(|c| {
                if english && !c.en.is_empty() {
                    c.en.clone()
                } else {
                    c.label.clone()
                }
            })
            .unwrap_or_else(|| code.to_string())
    }

    /// Whether a case of `category` is resolved only with a resolution code.
    pub fn code_required(&self, category: Category) -> bool {
        self.required_for.contains(&category)
    }
}

/// The setting as an admin types it in the console: one line per code (`code | 中文 | English`)
/// and one per group or cause (`group | …` for a group, `group/cause | …` for a cause of it),
/// the English label optional. Reading it back gives the setting it was written from.
impl CauseSettings {
    pub fn codes_text(&self) -> String {
        self.codes
            .iter()
            .map(labelled_line)
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn causes_text(&self) -> String {
        let mut lines = Vec::new();
        for group in &self.groups {
            lines.push(labelled_line(&Labelled {
                code: group.code.clone(),
                label: group.label.clone(),
                en: group.en.clone(),
            }));
            for c in &group.causes {
                lines.push(labelled_line(&Labelled {
                    code: format!("{}/{}", group.code, c.code),
                    label: c.label.clone(),
                    en: c.en.clone(),
                }));
            }
        }
        lines.join("\n")
    }

    /// The setting from the two texts and the categories that need a code; a line that does
    /// not parse, or a cause whose group is not listed above it, is refused by its line.
    pub fn from_text(
        codes: &str,
        causes: &str,
        required_for: Vec<Category>,
    ) -> Result<CauseSettings, DomainError> {
        let codes = text_lines(codes)
            .map(|(n, line)| labelled_of("codes", n, line))
            .collect::<Result<Vec<_>, _>>()?;
        let mut groups: Vec<CauseGroup> = Vec::new();
        for (n, line) in text_lines(causes) {
            let item = labelled_of("causes", n, line)?;
            match item.code.split_once('/') {
                None => groups.push(CauseGroup {
                    code: item.code,
                    label: item.label,
                    en: item.en,
                    causes: Vec::new(),
                }),
                Some((group, cause)) => {
                    let Some(owner) = groups.iter_mut().find(|g| g.code == group) else {
                        return Err(DomainError::invalid(
                            "causes",
                            format!("line {n}: the group {group} is not listed above it"),
                        ));
                    };
                    owner.causes.push(Labelled {
                        code: cause.to_string(),
                        label: item.label,
                        en: item.en,
                    });
                }
            }
        }
        let settings = CauseSettings {
            codes,
            groups,
            required_for,
        };
        settings.validate()?;
        Ok(settings)
    }
}

fn labelled_line(l: &Labelled) -> String {
    match l.en.is_empty() {
        true => format!("{} | {}", l.code, l.label),
        false => format!("{} | {} | {}", l.code, l.label, l.en),
    }
}

/// The text's non-blank lines, trimmed, with their line numbers (from 1).
fn text_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

fn labelled_of(field: &str, n: usize, line: &str) -> Result<Labelled, DomainError> {
    let parts: Vec<&str> = line.split('|').map(str::trim).collect();
    match parts.as_slice() {
        [code, label] | [code, label, ""] => Ok(Labelled {
            code: code.to_string(),
            label: label.to_string(),
            en: String::new(),
        }),
        [code, label, en] => Ok(Labelled {
            code: code.to_string(),
            label: label.to_string(),
            en: en.to_string(),
        }),
        _ => Err(DomainError::invalid(
            field,
            format!("line {n}: write code | 中文 | English"),
        )),
    }
}

/// What an agent gives when resolving or closing a case (or amending it later).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CauseDraft {
    #[serde(default)]
    pub resolution_code: Option<String>,
    #[serde(default)]
    pub causes: Vec<String>,
    /// The organisation responsible (an outlet or a sorting centre of the network): its key.
    #[serde(default)]
    pub organisation: Option<String>,
    #[serde(default)]
    pub lesson: Option<String>,
}

impl CauseDraft {
    /// Nothing given at all.
    pub fn is_empty(&self) -> bool {
        self.resolution_code
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
            && self.causes.is_empty()
            && self
                .organisation
                .as_deref()
                .is_none_or(|o| o.trim().is_empty())
            && self.lesson.as_deref().is_none_or(|l| l.trim().is_empty())
    }
}

/// A checked draft: known code and causes (in the setting's order), the lesson trimmed. The
/// organisation is resolved by the desk.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedCause {
    pub code: Option<String>,
    pub causes: Vec<String>,
    pub lesson: String,
}

/// Checks a draft against the setting: an unknown code or cause is `invalid_field`.
pub fn check_cause(
    settings: &CauseSettings,
    draft: &CauseDraft,
) -> Result<CheckedCause, DomainError> {
    let code = match draft.resolution_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => match settings.codes.iter().any(|x| x.code == c) {
            true => Some(c.to_string()),
            false => {
                return Err(DomainError::invalid(
                    "resolution_code",
                    "not one of the setting's resolution codes",
                ));
            }
        },
    };
    if draft.causes.len() > MAX_CAUSES {
        return Err(DomainError::invalid(
            "causes",
            format!("at most {MAX_CAUSES} causes"),
        ));
    }
    let known = settings.tags();
    for (i, c) in draft.causes.iter().enumerate() {
        if !known.iter().any(|(t, _, _)| t == c.trim()) {
            return Err(DomainError::invalid(
                format!("causes.{i}"),
                "not one of the setting's causes",
            ));
        }
    }
    let causes = known
        .into_iter()
        .map(|(t, _, _)| t)
        .filter(|t| draft.causes.iter().any(|c| c.trim() == t))
        .collect();
    let lesson = crate::text::text(
        "lesson",
        draft.lesson.as_deref().unwrap_or(""),
        LESSON_MAX,
        false,
    )?;
    Ok(CheckedCause {
        code,
        causes,
        lesson,
    })
}

/// The case's recorded cause as its projection holds it (the last `root_cause_recorded`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RootCause {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<DepartmentId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organisation_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub lesson: String,
    /// The local day it was recorded: the day the Pareto counts it on.
    pub day: Date,
    /// The recipient's province of the case's first parcel, and the sender's (division codes),
    /// as they were when recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
    pub recorded_at: Timestamp,
    pub recorded_by: String,
    /// Times it was amended after the first record.
    #[serde(default)]
    pub amendments: u32,
}

/// The cause read model's row of a case (one per case with a recorded cause).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseRow {
    pub case_id: CaseId,
    pub case_number: String,
    pub day: Date,
    pub category: Category,
    pub code: Option<String>,
    pub causes: Vec<String>,
    pub organisation: Option<DepartmentId>,
    pub region: String,
    pub origin: String,
    pub recorded_at: Timestamp,
}

impl CauseRow {
    /// `origin→region`, the route's key (empty when either is unknown).
    pub fn route(&self) -> String {
        route_key(&self.origin, &self.region)
    }
}

/// A route's key from its two provinces' codes.
pub fn route_key(origin: &str, destination: &str) -> String {
    match origin.is_empty() || destination.is_empty() {
        true => String::new(),
        false => format!("{origin}-{destination}"),
    }
}

/// Which rows a Pareto counts: the days `[from, to)` (the day the cause was recorded) and the
/// filters given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseQuery {
    pub from: Date,
    pub to: Date,
    pub category: Option<Category>,
    pub region: Option<String>,
    pub organisation: Option<DepartmentId>,
    /// `origin-destination` province codes.
    pub route: Option<String>,
}

impl CauseQuery {
    /// Whether a row is in the query (the store's filter, in Rust: the contract suite checks
    /// one against the other).
    pub fn admits(&self, row: &CauseRow) -> bool {
        row.day >= self.from
            && row.day < self.to
            && self.category.is_none_or(|c| c == row.category)
            && self.region.as_ref().is_none_or(|r| *r == row.region)
            && self
                .organisation
                .as_ref()
                .is_none_or(|o| Some(o) == row.organisation.as_ref())
            && self.route.as_ref().is_none_or(|r| *r == row.route())
    }
}

string_enum!(
    /// What a Pareto counts: the causes (a case counts under each of its causes) or the
    /// resolution codes.
    ParetoBy { Cause => "cause", Code => "code" }
);

/// One bar: how many, its share of all counted and the cumulative share up to it, in
/// percent; `vital` for the bars up to the one that reaches the 80 % line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParetoBar {
    pub key: String,
    pub count: i64,
    pub share_percent: f64,
    pub cumulative_percent: f64,
    pub vital: bool,
}

impl ParetoBar {
    /// The bar in one tuple — key, count, share, cumulative share, vital — as a chart is
    /// compared with a hand-computed one.
    pub fn figures(&self) -> (&str, i64, f64, f64, bool) {
        (
            self.key.as_str(),
            self.count,
            self.share_percent,
            self.cumulative_percent,
            self.vital,
        )
    }
}

/// The keys a row counts under.
pub fn keys_of(row: &CauseRow, by: ParetoBy) -> Vec<String> {
    match by {
        ParetoBy::Cause => row.causes.clone(),
        ParetoBy::Code => row.code.iter().cloned().collect(),
    }
}

/// The bars of the rows, most first (ties by key), with their shares. A bar is vital when the
/// cumulative share before it is below the 80 % line.
pub fn pareto(rows: &[CauseRow], by: ParetoBy) -> Vec<ParetoBar> {
    let mut counts: std::collections::BTreeMap<String, i64> = Default::default();
    for row in rows {
        for key in keys_of(row, by) {
            *counts.entry(key).or_default() += 1;
        }
    }
    let total: i64 = counts.values().sum();
    let mut bars: Vec<(String, i64)> = counts.into_iter().collect();
    bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut running = 0i64;
    bars.into_iter()
        .map(|(key, count)| {
            let before = percent(running, total);
            running += count;
            ParetoBar {
                key,
                count,
                share_percent: percent(count, total),
                cumulative_percent: percent(running, total),
                vital: before < PARETO_LINE_PERCENT,
            }
        })
        .collect()
}

fn percent(part: i64, total: i64) -> f64 {
    match total {
        0 => 0.0,
        t => part as f64 * 100.0 / t as f64,
    }
}

// ---- the complaint closed loop (R-MG-5) ------------------------------------------------------

string_enum!(
    /// The closed loop's steps: accepted, classified (category) and graded (priority),
    /// resolved within its clocks, a root cause recorded, linked to an improvement item, that
    /// item done.
    LoopStep {
        Received => "received", Accepted => "accepted", Classified => "classified",
        Graded => "graded", ResolvedInTime => "resolved_in_time", CauseRecorded => "cause_recorded",
        Linked => "linked", Improved => "improved",
    }
);

/// A complaint received in the period, as the closed loop sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoopRow {
    pub case_id: CaseId,
    pub case_number: String,
    pub received_on: Date,
    pub status: Status,
    pub priority: Priority,
    /// The recipient's province of its first parcel ("" unknown).
    pub region: String,
    /// The responsible organisation its root cause names.
    pub organisation: Option<DepartmentId>,
    /// Resolved or closed.
    pub resolved: bool,
    /// A service clock of it breached.
    pub breached: bool,
    pub cause_recorded: bool,
    /// Linked to an improvement item; `improved`: one of those items is done.
    pub linked: bool,
    pub improved: bool,
}

impl LoopRow {
    /// Whether the complaint has passed `step`. Every case is classified and graded when it is
    /// received (by the caller or the classifier), so a complaint that was accepted was
    /// classified and graded too.
    pub fn passed(&self, step: LoopStep) -> bool {
        let accepted = self.status != Status::New;
        match step {
            LoopStep::Received => true,
            LoopStep::Accepted | LoopStep::Classified | LoopStep::Graded => accepted,
            LoopStep::ResolvedInTime => self.resolved && !self.breached,
            LoopStep::CauseRecorded => self.cause_recorded,
            LoopStep::Linked => self.linked,
            LoopStep::Improved => self.improved,
        }
    }
}

/// One step's count, and how many complaints have not passed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoopCount {
    pub step: LoopStep,
    pub passed: i64,
    pub missing: i64,
}

/// The funnel over `rows`: per step, how many passed it and how many did not.
pub fn closed_loop(rows: &[LoopRow]) -> Vec<LoopCount> {
    LoopStep::ALL
        .iter()
        .map(|step| {
            let passed = rows.iter().filter(|r| r.passed(*step)).count() as i64;
            LoopCount {
                step: *step,
                passed,
                missing: rows.len() as i64 - passed,
            }
        })
        .collect()
}

string_enum!(
    /// How the closed loop is broken down: the recipient's province, or the responsible
    /// organisation.
    LoopBy { Region => "region", Organisation => "organisation" }
);

/// A row's key under `by` ("" when unknown).
pub fn loop_key(row: &LoopRow, by: LoopBy) -> String {
    match by {
        LoopBy::Region => row.region.clone(),
        LoopBy::Organisation => row
            .organisation
            .as_ref()
            .map(|o| o.to_string())
            .unwrap_or_default(),
    }
}

/// The funnel per key, by key.
pub fn closed_loop_by(rows: &[LoopRow], by: LoopBy) -> Vec<(String, Vec<LoopCount>)> {
    let mut groups: std::collections::BTreeMap<String, Vec<LoopRow>> = Default::default();
    for row in rows {
        groups
            .entry(loop_key(row, by))
            .or_default()
            .push(row.clone());
    }
    groups
        .into_iter()
        .map(|(key, rows)| (key, closed_loop(&rows)))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_typed_text_reads_back_as_the_setting_it_was_written_from() {
        let shipped = CauseSettings::default();
        let read = CauseSettings::from_text(
            &shipped.codes_text(),
            &shipped.causes_text(),
            shipped.required_for.clone(),
        )
        .unwrap();
        assert_eq!(read, shipped);
        assert!(
            shipped
                .codes_text()
                .starts_with("reshipped | 已解决-补发 | Resolved: reshipped\n")
        );
        assert!(
            shipped
                .causes_text()
                .contains("\ncustomer | 客户原因 | The customer")
        );
    }

    #[test]
    fn typed_text_is_refused_by_its_line() {
        let refused =
            |codes: &str, causes: &str| match CauseSettings::from_text(codes, causes, vec![]) {
                Err(DomainError::Invalid { field, message }) => format!("{field}: {message}"),
                other => panic!("{other:?}"),
            };
        assert_eq!(
            refused("ok | 好\n\nbad line", "g | 组"),
            "codes: line 3: write code | 中文 | English"
        );
        assert_eq!(
            refused("ok | 好", "g | 组\nh/x | 未列组"),
            "causes: line 2: the group h is not listed above it"
        );
        assert_eq!(
            refused("ok | 好 | Fine | extra", "g | 组"),
            "codes: line 1: write code | 中文 | English"
        );
        // The setting's own checks follow: a code named twice, no causes at all.
        assert!(refused("ok | 好\nok | 又", "g | 组").contains("named twice"));
        assert!(refused("ok | 好", "").starts_with("groups:"));
        let read = CauseSettings::from_text(
            "  fixed | 已处理 |  \n",
            "g | 组 | Group\ng/a | 甲",
            vec![Category::Complaint],
        )
        .unwrap();
        assert_eq!(read.codes[0].en, "");
        assert_eq!(read.tags()[0].0, "g/a");
        assert!(read.code_required(Category::Complaint));
    }

    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap_or_default()
    }

    fn row(n: u32, causes: &[&str], code: Option<&str>) -> CauseRow {
        CauseRow {
            case_id: CaseId::from_stored(format!("c{n}")),
            case_number: format!("N{n}"),
            day: day("2026-11-02"),
            category: Category::Complaint,
            code: code.map(str::to_string),
            causes: causes.iter().map(|c| c.to_string()).collect(),
            organisation: None,
            region: "44".into(),
            origin: "31".into(),
            recorded_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_shipped_setting_is_valid_and_lists_two_levels() {
        let s = CauseSettings::default();
        assert!(s.validate().is_ok());
        let tags: Vec<String> = s.tags().into_iter().map(|t| t.0).collect();
        assert_eq!(tags.len(), 15);
        assert_eq!(tags[0], "pickup/missed");
        assert!(tags.contains(&"packaging".to_string()));
        assert!(tags.contains(&"delivery/false_scan".to_string()));
        assert_eq!(s.cause_label("delivery/false_scan", false), "派送-虚假签收");
        assert_eq!(s.code_label("compensated", false), "已解决-赔付");
        assert!(s.code_required(Category::Complaint));
        assert!(!s.code_required(Category::Track));
    }

    #[test]
    fn a_draft_names_known_codes_and_causes_only() {
        let s = CauseSettings::default();
        let bad_code = CauseDraft {
            resolution_code: Some("nope".into()),
            ..Default::default()
        };
        assert!(
            matches!(check_cause(&s, &bad_code), Err(DomainError::Invalid { field, .. }) if field == "resolution_code")
        );
        let bad_cause = CauseDraft {
            causes: vec!["packaging".into(), "delivery/teleport".into()],
            ..Default::default()
        };
        assert!(
            matches!(check_cause(&s, &bad_cause), Err(DomainError::Invalid { field, .. }) if field == "causes.1")
        );
        // Causes come back in the setting's order, each once.
        let ok = CauseDraft {
            resolution_code: Some("reshipped".into()),
            causes: vec!["customer".into(), "pickup/late".into(), "customer".into()],
            organisation: None,
            lesson: Some("  早班漏揽  ".into()),
        };
        assert_eq!(
            check_cause(&s, &ok).ok(),
            Some(CheckedCause {
                code: Some("reshipped".into()),
                causes: vec!["pickup/late".into(), "customer".into()],
                lesson: "早班漏揽".into(),
            })
        );
    }

    #[test]
    fn the_pareto_sorts_by_count_with_the_cumulative_share_and_the_80_percent_line() {
        // Causes counted: delivery/false_scan 4, pickup/late 2, packaging 1, customer 1 → 8.
        let rows = vec![
            row(
                1,
                &["delivery/false_scan", "pickup/late"],
                Some("reshipped"),
            ),
            row(2, &["delivery/false_scan"], Some("reshipped")),
            row(3, &["delivery/false_scan", "customer"], Some("explained")),
            row(4, &["delivery/false_scan", "pickup/late"], None),
            row(5, &["packaging"], Some("compensated")),
        ];
        let bars = pareto(&rows, ParetoBy::Cause);
        let got: Vec<(&str, i64, f64, f64, bool)> = bars.iter().map(ParetoBar::figures).collect();
        assert_eq!(
            got,
            vec![
                ("delivery/false_scan", 4, 50.0, 50.0, true),
                ("pickup/late", 2, 25.0, 75.0, true),
                // 75 % before it: this bar crosses the line, so it is vital too.
                ("customer", 1, 12.5, 87.5, true),
                ("packaging", 1, 12.5, 100.0, false),
            ]
        );
        // Codes: reshipped 2, compensated 1, explained 1 (row 4 has none) → 4.
        let codes = pareto(&rows, ParetoBy::Code);
        let got: Vec<(&str, i64, f64, f64, bool)> = codes.iter().map(ParetoBar::figures).collect();
        assert_eq!(
            got,
            vec![
                ("reshipped", 2, 50.0, 50.0, true),
                ("compensated", 1, 25.0, 75.0, true),
                ("explained", 1, 25.0, 100.0, true),
            ]
        );
        assert!(pareto(&[], ParetoBy::Cause).is_empty());
    }

    #[test]
    fn a_query_admits_by_day_category_region_organisation_and_route() {
        let r = row(1, &["packaging"], None);
        let q = CauseQuery {
            from: day("2026-11-01"),
            to: day("2026-11-03"),
            category: Some(Category::Complaint),
            region: Some("44".into()),
            organisation: None,
            route: Some("31-44".into()),
        };
        assert!(q.admits(&r));
        assert!(
            !CauseQuery {
                to: day("2026-11-02"),
                ..q.clone()
            }
            .admits(&r)
        );
        assert!(
            !CauseQuery {
                route: Some("44-31".into()),
                ..q.clone()
            }
            .admits(&r)
        );
        assert!(
            !CauseQuery {
                organisation: Some(DepartmentId::from_stored("o".to_string())),
                ..q.clone()
            }
            .admits(&r)
        );
        assert!(
            !CauseQuery {
                category: Some(Category::Lost),
                ..q
            }
            .admits(&r)
        );
    }

    fn complaint(
        n: u32,
        status: Status,
        breached: bool,
        cause: bool,
        linked: bool,
        improved: bool,
    ) -> LoopRow {
        LoopRow {
            case_id: CaseId::from_stored(format!("c{n}")),
            case_number: format!("N{n}"),
            received_on: day("2026-11-02"),
            status,
            priority: Priority::P2,
            region: if n.is_multiple_of(2) {
                "44".into()
            } else {
                "31".into()
            },
            organisation: None,
            resolved: matches!(status, Status::Resolved | Status::Closed),
            breached,
            cause_recorded: cause,
            linked,
            improved,
        }
    }

    #[test]
    fn the_closed_loop_counts_each_step_and_what_is_missing() {
        let rows = vec![
            complaint(1, Status::New, false, false, false, false),
            complaint(2, Status::Open, true, false, false, false),
            complaint(3, Status::Resolved, true, true, false, false),
            complaint(4, Status::Resolved, false, true, true, false),
            complaint(5, Status::Closed, false, true, true, true),
        ];
        let got: Vec<(LoopStep, i64, i64)> = closed_loop(&rows)
            .into_iter()
            .map(|c| (c.step, c.passed, c.missing))
            .collect();
        assert_eq!(
            got,
            vec![
                (LoopStep::Received, 5, 0),
                (LoopStep::Accepted, 4, 1),
                (LoopStep::Classified, 4, 1),
                (LoopStep::Graded, 4, 1),
                (LoopStep::ResolvedInTime, 2, 3),
                (LoopStep::CauseRecorded, 3, 2),
                (LoopStep::Linked, 2, 3),
                (LoopStep::Improved, 1, 4),
            ]
        );
        // By region: odd numbers 31 (1, 3, 5), even 44 (2, 4).
        let by = closed_loop_by(&rows, LoopBy::Region);
        assert_eq!(by.len(), 2);
        assert_eq!(by[0].0, "31");
        assert_eq!((by[0].1[1].passed, by[0].1[4].passed), (2, 1));
        assert_eq!(by[1].0, "44");
        assert_eq!((by[1].1[1].passed, by[1].1[4].passed), (2, 1));
    }
}
