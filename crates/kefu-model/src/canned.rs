//! Canned replies (快捷回复) and macros, pure: what a reply template is, which variables it may
//! use, how it is checked and how it is filled in for a case. No I/O; the use cases that read
//! and write them are in `replies.rs`.
//!
//! A template's body names variables as `{{customer_name}}`. Only the names in [`VARIABLES`]
//! exist: a body naming any other is refused when it is saved, so a typo is found by whoever
//! writes the template, not by the customer who would read `{{custmer_name}}`. A variable the
//! case has no value for (no waybill linked, no scan yet) renders a visible placeholder such as
//! `（暂无运单）`, never an empty string, so the agent sees the gap before sending.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::codes::{Category, Priority, Status};
use crate::customer::Customer;
use crate::error::DomainError;
use crate::ids::{DepartmentId, UserId};
use crate::shipment::Shipment;
use crate::string_enum::string_enum;

/// The variables a template may name.
pub const VARIABLES: &[&str] = &[
    "customer_name",
    "waybill",
    "latest_status",
    "expected_delivery",
    "case_number",
    "agent_name",
    "reply_by",
];

pub const TITLE_MAX: usize = 100;

/// The same limit as a chat message, so every template can be sent in a chat.
pub const BODY_MAX: usize = crate::chat::CHAT_TEXT_MAX;

/// What a search while typing takes.
pub const QUERY_MAX: usize = 50;

string_enum!(
    /// `team`: for a department, or for everyone when it names none; `personal`: one user's.
    TemplateScope { Team => "team", Personal => "personal" }
);

string_enum!(
    /// The language a template is written in.
    TemplateLanguage { Zh => "zh", En => "en" }
);

/// The field changes a macro makes besides its reply; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacroActions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Added to the case's tags (the case's other tags stay).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_tags: Vec<String>,
}

impl MacroActions {
    /// True when it changes routing fields, which department staff may not change.
    pub fn reroutes(&self) -> bool {
        self.category.is_some() || self.priority.is_some()
    }
}

/// A reply template; with `actions` it is a macro (reply and field changes in one action).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CannedReply {
    /// A UUIDv7, or `seed-…` for the replies kefu ships.
    pub id: String,
    pub title: String,
    pub body: String,
    pub scope: TemplateScope,
    /// Team templates: the department, or none for everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<DepartmentId>,
    /// Personal templates: whose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub language: TemplateLanguage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<MacroActions>,
    /// Archived templates are kept (a shipped one is not installed again) but not offered.
    #[serde(default)]
    pub archived: bool,
    /// `user:<name>`, or `system` for the shipped ones.
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

impl CannedReply {
    pub fn is_macro(&self) -> bool {
        self.actions.is_some()
    }

    /// What a search matches against: title, body and tags, lower-cased (the store keeps it
    /// in a column so the search is one `LIKE`).
    pub fn search_text(&self) -> String {
        let mut s = format!("{}\n{}", self.title, self.body);
        for t in &self.tags {
            s.push('\n');
            s.push_str(t);
        }
        s.to_lowercase()
    }
}

/// One piece of a parsed body.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

/// Splits a body into text and `{{variable}}` pieces. `{{` without a closing `}}`, or an empty
/// or unknown name inside, is refused with a message that names the problem.
fn parse(body: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("a '{{' is not closed with '}}'".to_string());
        };
        let name = after[..end].trim();
        if !VARIABLES.contains(&name) {
            return Err(format!(
                "unknown variable {{{{{name}}}}}; known: {}",
                VARIABLES.join(", ")
            ));
        }
        out.push(Piece::Var(name));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

/// The variables a body names, in order of appearance (each once), or why it is refused.
pub fn variables_in(body: &str) -> Result<Vec<&'static str>, String> {
    let mut out: Vec<&'static str> = Vec::new();
    for piece in parse(body)? {
        if let Piece::Var(name) = piece
            && let Some(known) = VARIABLES.iter().find(|v| **v == name)
            && !out.contains(known)
        {
            out.push(known);
        }
    }
    Ok(out)
}

/// A template as given in a request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedDraft {
    pub title: String,
    pub body: String,
    #[serde(default = "default_scope")]
    pub scope: TemplateScope,
    /// Team templates: a department id or key; absent for everyone.
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default = "default_language")]
    pub language: TemplateLanguage,
    #[serde(default)]
    pub actions: Option<MacroActions>,
}

fn default_scope() -> TemplateScope {
    TemplateScope::Personal
}

fn default_language() -> TemplateLanguage {
    TemplateLanguage::Zh
}

/// A draft's checked text: trimmed title and body, tags (deduplicated), macro tags. The body's
/// variables must all be known.
pub fn check_draft(draft: &CannedDraft) -> Result<CheckedDraft, DomainError> {
    let title = crate::text::text("title", &draft.title, TITLE_MAX, true)?;
    let body = crate::text::text("body", &draft.body, BODY_MAX, true)?;
    variables_in(&body).map_err(|m| DomainError::invalid("body", m))?;
    let tags = crate::text::tags("tags", &draft.tags)?;
    let actions = match &draft.actions {
        Some(a) => {
            let add_tags = crate::text::tags("actions.add_tags", &a.add_tags)?;
            let actions = MacroActions {
                add_tags,
                ..a.clone()
            };
            if actions == MacroActions::default() {
                return Err(DomainError::invalid(
                    "actions",
                    "a macro changes at least one of status, category, priority or tags",
                ));
            }
            Some(actions)
        }
        None => None,
    };
    Ok(CheckedDraft {
        title,
        body,
        tags,
        actions,
    })
}

#[derive(Debug, Clone)]
pub struct CheckedDraft {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub actions: Option<MacroActions>,
}

/// Everything a template may speak of: the case, its customer, the parcel the case is about
/// (the latest linked one that is on file), and who answers.
pub struct RenderContext<'a> {
    pub case: &'a Case,
    pub customer: Option<&'a Customer>,
    pub shipment: Option<&'a Shipment>,
    pub agent_name: &'a str,
    pub time_zone: &'a jiff::tz::TimeZone,
}

/// The name a customer is given when they left none (see `Desk::parse_customer`); a reply
/// should not address them by it.
const UNNAMED_CUSTOMER: &str = "未留名客户";

/// Fills in the variables; a variable without a value becomes a visible placeholder in the
/// template's language. A body that no longer parses (it was checked when saved, so only a
/// hand-edited row) is returned as it is rather than half-filled.
pub fn render(body: &str, language: TemplateLanguage, ctx: &RenderContext<'_>) -> String {
    let Ok(pieces) = parse(body) else {
        return body.to_string();
    };
    let mut out = String::with_capacity(body.len() + 32);
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(name) => out.push_str(&value_of(name, language, ctx)),
        }
    }
    out
}

fn value_of(name: &str, language: TemplateLanguage, ctx: &RenderContext<'_>) -> String {
    let zh = language == TemplateLanguage::Zh;
    let missing = |zh_text: &str, en_text: &str| {
        if zh {
            format!("（{zh_text}）")
        } else {
            format!("({en_text})")
        }
    };
    let local = |t: Timestamp| {
        let z = t.to_zoned_datetime(ctx.time_zone.clone());
        if zh {
            z.strftime("%-m月%-d日 %H:%M").to_string()
        } else {
            z.strftime("%b %-d, %H:%M").to_string()
        }
    };
    match name {
        "customer_name" => match ctx.customer {
            Some(c) if !c.name.trim().is_empty() && c.name != UNNAMED_CUSTOMER => c.name.clone(),
            _ => missing("暂无客户姓名", "no customer name"),
        },
        "waybill" => ctx
            .shipment
            .map(|s| s.waybill_no.clone())
            .or_else(|| ctx.case.waybill_nos.last().cloned())
            .unwrap_or_else(|| missing("暂无运单", "no waybill yet")),
        "latest_status" => match ctx.shipment {
            Some(s) => {
                let label = if zh {
                    s.status.label_zh()
                } else {
                    s.status.label_en()
                };
                let last = s.events.iter().max_by_key(|e| e.at);
                match (last, s.last_scan_at) {
                    (Some(scan), Some(at)) if !scan.location.is_empty() => {
                        if zh {
                            format!("{label}（{} {}）", local(at), scan.location)
                        } else {
                            format!("{label} ({}, {})", local(at), scan.location)
                        }
                    }
                    _ => label.to_string(),
                }
            }
            None => missing("暂无物流信息", "no tracking yet"),
        },
        "expected_delivery" => match ctx.shipment.and_then(|s| s.promised_at) {
            Some(at) => local(at),
            None => missing("暂无预计送达时间", "no expected delivery time"),
        },
        "case_number" => ctx.case.number.clone(),
        // The reply time the case promised (its earliest open commitment): an apology names a
        // time someone is held to, not one written into the template.
        "reply_by" => match reply_by(ctx.case) {
            Some(at) => local(at),
            None => missing("请先登记承诺回复时间", "set a reply commitment first"),
        },
        "agent_name" => {
            if ctx.agent_name.trim().is_empty() {
                missing("客服", "our agent")
            } else {
                ctx.agent_name.to_string()
            }
        }
        // `parse` lets only known names through.
        _ => missing("未知变量", "unknown variable"),
    }
}

/// The variables of `body` that have no value for this case (they render a placeholder).
pub fn missing_in(body: &str, ctx: &RenderContext<'_>) -> Vec<&'static str> {
    variables_in(body)
        .unwrap_or_default()
        .into_iter()
        .filter(|v| match *v {
            "customer_name" => !ctx
                .customer
                .is_some_and(|c| !c.name.trim().is_empty() && c.name != UNNAMED_CUSTOMER),
            "waybill" => ctx.shipment.is_none() && ctx.case.waybill_nos.is_empty(),
            "latest_status" => ctx.shipment.is_none(),
            "expected_delivery" => ctx.shipment.and_then(|s| s.promised_at).is_none(),
            "agent_name" => ctx.agent_name.trim().is_empty(),
            "reply_by" => reply_by(ctx.case).is_none(),
            _ => false,
        })
        .collect()
}

fn reply_by(case: &Case) -> Option<Timestamp> {
    case.commitments
        .iter()
        .filter(|c| c.state == crate::case::CommitmentState::Open)
        .map(|c| c.due_at)
        .min()
}

/// The parcel a template speaks of: the latest linked waybill that is on file.
pub fn latest_shipment<'a>(case: &Case, shipments: &'a [Shipment]) -> Option<&'a Shipment> {
    case.waybill_nos
        .iter()
        .rev()
        .find_map(|w| shipments.iter().find(|s| s.waybill_no == *w))
}

/// Who may see a template: team ones of their department (or everyone's), their own personal
/// ones. Archived ones nobody is offered.
pub fn visible_to(reply: &CannedReply, user: &UserId, department: Option<&DepartmentId>) -> bool {
    match reply.scope {
        TemplateScope::Team => {
            reply.department_id.is_none() || reply.department_id.as_ref() == department
        }
        TemplateScope::Personal => reply.owner_id.as_ref() == Some(user),
    }
}

/// A seeded template: (key, title, tags, body, macro actions).
type Seed = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    Option<fn() -> MacroActions>,
);

/// The replies kefu ships, for the situations of the service manual (greeting R-PU-1, tracking
/// R-TRK-1…6, damage and loss claims, prohibited items, pickups, complaints, transfers). Each
/// answers the way the manual asks: apologise first, commit a time, never just refuse.
const SEEDS: &[Seed] = &[
    (
        "greeting",
        "问候语",
        &["问候", "开场"],
        "您好！欢迎联系快递客服中心，{{agent_name}}为您服务，请问有什么可以帮您？",
        None,
    ),
    (
        "delay-apology",
        "延误致歉（承诺回复时间）",
        &["延误", "催件", "查询"],
        "{{customer_name}}您好，非常抱歉您的快件（运单号 {{waybill}}）未能按时送达，给您添麻烦了。目前快件状态：{{latest_status}}。我已登记工单 {{case_number}} 并联系网点加急处理，会在 {{reply_by}} 前给您回复处理结果，请您保持电话畅通。",
        None,
    ),
    (
        "no-result",
        "查无物流信息（安抚并确认地址）",
        &["无信息", "查询", "地址"],
        "{{customer_name}}您好，请您放心，您的快件（运单号 {{waybill}}）已在我们的系统中登记，目前暂未更新新的物流信息，可能是中转交接尚未扫描。为了尽快为您核实，麻烦您再确认一下收件地址是否完整准确。我会联系网点跟进，并在 2 小时内给您回复。",
        None,
    ),
    (
        "other-carrier",
        "他司单号（礼貌说明）",
        &["他司", "单号", "查询"],
        "您好，经核对，您提供的单号 {{waybill}} 不是我司的运单号码，可能属于其他快递公司，建议您通过该公司的官方渠道查询，以免耽误您的时间。如果您还有我司的快件需要查询，请随时告诉我，我很乐意为您服务。",
        None,
    ),
    (
        "no-waybill",
        "没有运单号（说明原因并提供电话查询）",
        &["无单号", "查询", "电话"],
        "您好，运单号是我们查找快件的唯一依据，有了它才能准确查到您的快件、避免查错他人信息。如果您暂时找不到运单号，也没关系：请提供寄件人或收件人的手机号码以及大致寄件日期，我可以帮您按手机号查询。",
        None,
    ),
    (
        "damage",
        "破损致歉（请提供照片与理赔流程）",
        &["破损", "理赔"],
        "{{customer_name}}您好，得知您的快件（运单号 {{waybill}}）出现破损，我们深表歉意。为了尽快为您处理，请您拍摄外包装、面单和受损物品的照片发给我们，并保留原包装。收到照片后我们会在 24 小时内核实，确认后按理赔流程为您办理：提交材料 → 核定损失 → 审批 → 赔付。工单号 {{case_number}}，请您留存。",
        None,
    ),
    (
        "lost",
        "丢失处理",
        &["丢失", "理赔"],
        "{{customer_name}}您好，非常抱歉给您带来困扰。您的快件（运单号 {{waybill}}）最新状态为：{{latest_status}}。我已启动查找流程，联系沿途网点和转运中心逐一排查，会在 24 小时内告诉您查找结果；如确认丢失，我们将按规定为您办理理赔。工单号 {{case_number}}。",
        None,
    ),
    (
        "prohibited",
        "禁寄物品（婉拒并说明）",
        &["禁寄", "揽件"],
        "您好，非常感谢您选择我们。根据国家《禁止寄递物品管理规定》，您要寄的物品属于禁寄或限寄物品，出于运输安全考虑我们暂时无法收寄，敬请谅解。如有其他物品需要寄递，我可以马上为您安排上门取件。",
        None,
    ),
    (
        "pickup-booked",
        "预约取件成功",
        &["揽件", "预约"],
        "{{customer_name}}您好，已为您预约上门取件，快递员会在约定时间前电话联系您，请保持电话畅通。寄件前请将物品包装好，贵重物品建议保价。工单号 {{case_number}}，如需修改时间请随时联系我们。",
        None,
    ),
    (
        "complaint",
        "投诉受理（先安抚，24 小时内答复）",
        &["投诉"],
        "{{customer_name}}您好，非常理解您现在的心情，给您带来这样的体验，我们真诚地向您道歉。您反映的问题我已经完整记录（工单号 {{case_number}}），并已转交专人处理，会在 24 小时内给您明确答复。感谢您的监督，我们一定认真改进。",
        None,
    ),
    (
        "transfer",
        "转交部门处理",
        &["转派", "部门"],
        "{{customer_name}}您好，您的问题需要相关部门进一步核实，我已将工单 {{case_number}} 转交给负责的同事，并注明了您的情况和诉求。他们处理后会尽快与您联系，我也会持续跟进进度，请您放心。",
        None,
    ),
    (
        "delivery-eta",
        "告知预计送达时间",
        &["查询", "送达"],
        "{{customer_name}}您好，您的快件（运单号 {{waybill}}）当前状态：{{latest_status}}，预计 {{expected_delivery}} 前送达，请您留意快递员的电话。",
        None,
    ),
    (
        "closing",
        "结束语",
        &["结束", "致谢"],
        "感谢您的耐心等待，请问还有其他可以帮您的吗？如无其他问题，祝您生活愉快，再见！",
        None,
    ),
    (
        "macro-damage",
        "破损登记",
        &["破损", "理赔", "宏"],
        "{{customer_name}}您好，您反映的快件（运单号 {{waybill}}）破损问题已登记，工单号 {{case_number}}。请您将外包装、面单和受损物品的照片发给我们，我们会在 24 小时内核实并告知理赔进度。给您带来不便，深表歉意。",
        Some(|| MacroActions {
            category: Some(Category::Damaged),
            priority: Some(Priority::P2),
            add_tags: vec!["破损登记".to_string()],
            ..MacroActions::default()
        }),
    ),
    (
        "macro-complaint",
        "投诉升级受理",
        &["投诉", "宏"],
        "{{customer_name}}您好，您的投诉已受理（工单号 {{case_number}}），已安排专人跟进，我们会在 24 小时内给您答复。再次向您致歉。",
        Some(|| MacroActions {
            category: Some(Category::Complaint),
            priority: Some(Priority::P1),
            add_tags: vec!["投诉".to_string()],
            ..MacroActions::default()
        }),
    ),
    (
        "macro-wait-customer",
        "待客户补充材料",
        &["待补充", "宏"],
        "{{customer_name}}您好，为了继续处理工单 {{case_number}}，还需要您补充相关材料（照片或凭证），收到后我们会第一时间跟进。",
        Some(|| MacroActions {
            status: Some(Status::PendingCustomer),
            add_tags: vec!["待补充材料".to_string()],
            ..MacroActions::default()
        }),
    ),
];

/// The shipped templates, for everyone, as of `at`. Their ids are fixed (`seed-<key>`), so
/// installing them again finds them present and keeps an operator's edits.
pub fn seeded_replies(at: Timestamp) -> Vec<CannedReply> {
    SEEDS
        .iter()
        .map(|(key, title, tags, body, actions)| CannedReply {
            id: format!("seed-{key}"),
            title: (*title).to_string(),
            body: (*body).to_string(),
            scope: TemplateScope::Team,
            department_id: None,
            owner_id: None,
            tags: tags.iter().map(|t| (*t).to_string()).collect(),
            language: TemplateLanguage::Zh,
            actions: actions.map(|f| f()),
            archived: false,
            created_by: "system".to_string(),
            created_at: at,
            updated_by: "system".to_string(),
            updated_at: at,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_unclosed_variables_are_refused_and_known_ones_listed() {
        assert_eq!(
            variables_in("您好 {{ customer_name }}，单号 {{waybill}}，{{waybill}}").unwrap(),
            vec!["customer_name", "waybill"]
        );
        let e = variables_in("您好 {{custmer_name}}").unwrap_err();
        assert!(e.contains("custmer_name"), "{e}");
        assert!(variables_in("您好 {{customer_name").is_err());
        assert!(variables_in("{{}}").is_err());
        assert_eq!(variables_in("没有变量").unwrap(), Vec::<&str>::new());
    }

    #[test]
    fn every_seed_parses_and_there_are_enough_of_them() {
        let seeds = seeded_replies(Timestamp::UNIX_EPOCH);
        assert!(seeds.iter().filter(|s| !s.is_macro()).count() >= 12);
        assert!(seeds.iter().any(|s| s.title == "破损登记" && s.is_macro()));
        for s in &seeds {
            assert!(variables_in(&s.body).is_ok(), "{}", s.id);
            assert!(s.body.chars().count() <= BODY_MAX, "{}", s.id);
            assert!(s.title.chars().count() <= TITLE_MAX, "{}", s.id);
        }
    }
}
