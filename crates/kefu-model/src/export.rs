//! The portable dump's format: one JSON object per line, tagged with its table, in a fixed order
//! so that two exports of the same data are byte-identical whatever the backend. Writing and
//! reading it through a store is `kefu_desk::export`.

use serde::{Deserialize, Serialize};

use crate::attachment::{Attachment, StoredAttachment};
use crate::case::{Case, CaseEvent};
use crate::channels::{ChannelAccount, ChannelSecrets, ChannelStatus, Delivery, InboundRecord};
use crate::chat::ChatConversation;
use crate::customer::Customer;
use crate::error::DomainError;
use crate::ids::CaseId;
use crate::routing::AgentProfile;
use crate::user::{Department, User};

pub const FORMAT: &str = "kefu-export";

pub const FORMAT_VERSION: u32 = 1;
/// Records read from the store at a time, per table.
pub const CHUNK: u32 = 1000;
/// Attachments read at a time (they carry their bytes).
pub const ATTACHMENT_CHUNK: u32 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportTable {
    Departments,
    Users,
    Customers,
    Cases,
    CaseEvents,
    Calendars,
    SlaPolicies,
    Settings,
    Shipments,
    Pickups,
    Audit,
    ChatConversations,
    Attachments,
    AgentPresence,
    CannedReplies,
    Articles,
    ArticleVersions,
    ArticleFeedback,
    SearchGaps,
    ConfigHistory,
    ShipmentChanges,
    CustomerEvents,
    ChannelAccounts,
    InboundMessages,
    MailThreads,
    Deliveries,
    Calls,
    Organisations,
    MediaFetches,
    ParcelVolumes,
    ReportSchedules,
    Improvements,
    QualityRubrics,
    Inspections,
    StaffingPromotions,
    StaffingPlans,
    KeyAccounts,
    KeyAccountGradings,
}

impl ExportTable {
    /// Dependency order: what a record refers to comes before it (presence after users,
    /// conversations and attachments after cases). Tables added later go where their
    /// references allow without moving the older ones, so a dump written before they existed
    /// is still a valid dump.
    pub const ALL: [ExportTable; 38] = [
        ExportTable::Calendars,
        ExportTable::SlaPolicies,
        ExportTable::Settings,
        ExportTable::Departments,
        ExportTable::Users,
        ExportTable::AgentPresence,
        ExportTable::CannedReplies,
        ExportTable::Customers,
        ExportTable::Cases,
        ExportTable::CaseEvents,
        ExportTable::CustomerEvents,
        ExportTable::ChatConversations,
        ExportTable::Attachments,
        ExportTable::Shipments,
        ExportTable::Pickups,
        ExportTable::Audit,
        ExportTable::Articles,
        ExportTable::ArticleVersions,
        ExportTable::ArticleFeedback,
        ExportTable::SearchGaps,
        ExportTable::ConfigHistory,
        ExportTable::ShipmentChanges,
        // The channels (migration 0015): accounts before the messages taken in through them;
        // all four after the cases they name.
        ExportTable::ChannelAccounts,
        ExportTable::InboundMessages,
        ExportTable::MailThreads,
        ExportTable::Deliveries,
        // The telephone's calls (migration 0016): after the accounts and the cases they name.
        ExportTable::Calls,
        // The network's organisations (migration 0019): after the departments they are. The
        // work orders travel inside their cases and are rebuilt from them on import.
        ExportTable::Organisations,
        // WeChat media still to download (migration 0017): after the cases they belong to;
        // imported without their lease, so the new store's first fetcher takes them.
        ExportTable::MediaFetches,
        // The parcels each organisation handled per day (migration 0020): after the
        // organisations. The assessment's daily sums are rebuilt from the cases' orders.
        ExportTable::ParcelVolumes,
        // Scheduled reports (migration 0027): after the users who own them; imported without
        // their lease.
        ExportTable::ReportSchedules,
        // The improvement backlog (migration 0025): each item with its history, after the
        // cases it names. The causes' read model is rebuilt from the cases.
        ExportTable::Improvements,
        // Quality inspection (migration 0024): every version of every rubric, then each
        // inspection with its append-only history, after the cases and users it names. The
        // figures are summed from the inspections.
        ExportTable::QualityRubrics,
        ExportTable::Inspections,
        // The staffing planner (migration 0022): the promotion days and the planned agents
        // per day and channel. The arrivals are counted from the cases and calls.
        ExportTable::StaffingPromotions,
        ExportTable::StaffingPlans,
        // Key accounts (migration 0029): each account with its contacts, file, documents and
        // prices, after the users and customers it names; then the gradings of each.
        ExportTable::KeyAccounts,
        ExportTable::KeyAccountGradings,
    ];

    /// Records asked for per chunk. Attachments are up to 2 MiB each, so a chunk of them is
    /// kept small enough to hold in memory; everything else is a few kilobytes a record.
    pub fn chunk_size(self) -> u32 {
        match self {
            ExportTable::Attachments => ATTACHMENT_CHUNK,
            _ => CHUNK,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportHeader {
    pub format: String,
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "table", content = "row", rename_all = "snake_case")]
pub enum ExportRecord {
    Department(Department),
    User(User),
    Customer(Customer),
    Case(Box<Case>),
    CaseEvent(CaseEvent),
    Calendar(NamedCalendar),
    SlaPolicy(NamedPolicy),
    Setting(NamedSetting),
    Shipment(Box<crate::shipment::Shipment>),
    Pickup(Box<crate::pickup::Pickup>),
    Audit(crate::records::AuditEntry),
    /// With the read marks as stored in their own columns (the truth), not the copy in the
    /// row's document.
    ChatConversation(Box<ChatConversation>),
    Attachment(Box<ExportAttachment>),
    AgentPresence(Box<AgentProfile>),
    /// Canned replies and macros, archived ones too (so a shipped one archived at the source
    /// stays archived).
    CannedReply(Box<crate::canned::CannedReply>),
    /// A knowledge-base article as it is now; its versions follow as `article_version`s.
    Article(Box<crate::kb::Article>),
    ArticleVersion(Box<crate::kb::Article>),
    ArticleFeedback(Box<crate::kb::ArticleFeedback>),
    SearchGap(Box<crate::kb::SearchGap>),
    /// A change of a setting, SLA policy or calendar, with its number (kept on import).
    ConfigChange(Box<crate::history::ConfigChange>),
    /// A write that changed a shipment's details.
    ShipmentChange(Box<crate::history::ShipmentChange>),
    /// A customer's history of changes (after the customers).
    CustomerEvent(Box<crate::customer::CustomerEvent>),
    /// A channel account with its passwords and its reader's status (see
    /// [`ExportChannelAccount`]).
    ChannelAccount(Box<ExportChannelAccount>),
    /// A message taken in, unparsed ones with their raw bytes.
    InboundMessage(Box<InboundRecord>),
    /// A Message-ID on a case, so answers to mail sent before the move still find their case.
    MailThread(MailThread),
    /// A reply on its way out (or sent, or given up), without its lease: an imported delivery
    /// is unleased, so the first worker of the new store claims it when it is due.
    Delivery(Box<Delivery>),
    /// A call of the telephone channel with its accepted events.
    Call(Box<crate::pbx_account::CallRecord>),
    /// An organisation of the network (its department travels with the departments).
    Organisation(Box<crate::network::Organisation>),
    /// A WeChat picture or voice message to download, or its outcome.
    MediaFetch(Box<crate::media::MediaFetch>),
    /// The parcels an organisation handled on a day.
    ParcelVolume(ParcelVolume),
    /// A scheduled report with its next run and last outcome.
    ReportSchedule(Box<crate::report_schedule::ReportSchedule>),
    /// An improvement item with its history.
    Improvement(Box<crate::improvement::ImprovementRecord>),
    /// One version of a quality rubric (every version travels, oldest first).
    QualityRubric(Box<crate::quality::Rubric>),
    /// An inspection with its history, written on import as it was (the history is only
    /// ever inserted).
    Inspection(Box<crate::quality::InspectionRecord>),
    /// A promotion day the staffing planner marked, with when it was last saved.
    PromotionDay(Box<crate::staffing::PromotionRecord>),
    /// A day's planned agents of one channel.
    StaffingPlan(Box<crate::staffing::ScheduleDay>),
    /// A key account with its contacts, customer file, documents and prices.
    KeyAccount(Box<crate::key_accounts::KeyAccount>),
    /// A quarter's grading of a key account.
    KeyAccountGrading(Box<crate::key_accounts::Grading>),
}

/// A day's parcel count of an organisation, as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParcelVolume {
    pub organisation: crate::ids::DepartmentId,
    pub day: jiff::civil::Date,
    pub parcels: i64,
}

/// A channel account as exported: the account, its passwords and its reader's status. The
/// passwords travel in clear because a backup is a backup: restored without them, every
/// mailbox would stop until an admin typed its passwords again. A dump is therefore as secret
/// as the database it was taken from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportChannelAccount {
    pub account: ChannelAccount,
    pub secrets: ChannelSecrets,
    pub status: ChannelStatus,
}

/// A row of the mail threads: a Message-ID (ours or the customer's) and its case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailThread {
    pub message_id: String,
    pub case_id: CaseId,
    pub at: jiff::Timestamp,
}

/// An image sent in a chat, as exported: its description, the case it belongs to, and its
/// bytes as standard padded base64 (what the `attachments.data` column holds). Decoding is
/// part of parsing the line, so a damaged dump is refused before anything is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportAttachment {
    #[serde(flatten)]
    pub attachment: Attachment,
    pub case_id: CaseId,
    pub created_at: jiff::Timestamp,
    #[serde(with = "base64_text")]
    pub data: Vec<u8>,
}

impl From<StoredAttachment> for ExportAttachment {
    fn from(a: StoredAttachment) -> Self {
        ExportAttachment {
            attachment: a.attachment,
            case_id: a.case_id,
            created_at: a.created_at,
            data: a.bytes,
        }
    }
}

impl From<ExportAttachment> for StoredAttachment {
    fn from(a: ExportAttachment) -> Self {
        StoredAttachment {
            attachment: a.attachment,
            case_id: a.case_id,
            created_at: a.created_at,
            bytes: a.data,
        }
    }
}

/// Bytes as standard padded base64 text in JSON.
mod base64_text {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// A configuration document with its key, as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedSetting {
    pub key: String,
    pub value: serde_json::Value,
}

/// An SLA policy with its key, as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedPolicy {
    pub key: String,
    #[serde(flatten)]
    pub policy: crate::sla::SlaPolicy,
}

/// A calendar with its key, as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedCalendar {
    pub key: String,
    #[serde(flatten)]
    pub spec: crate::calendar::CalendarSpec,
}

impl ExportRecord {
    /// The key the next chunk continues after.
    pub fn key(&self) -> String {
        match self {
            ExportRecord::Department(d) => d.id.to_string(),
            ExportRecord::User(u) => u.id.to_string(),
            ExportRecord::Customer(c) => c.id.to_string(),
            ExportRecord::Case(c) => c.id.to_string(),
            ExportRecord::CaseEvent(e) => format!("{}/{:012}", e.case_id, e.seq),
            ExportRecord::Calendar(c) => c.key.clone(),
            ExportRecord::SlaPolicy(p) => p.key.clone(),
            ExportRecord::Setting(s) => s.key.clone(),
            ExportRecord::Shipment(s) => s.waybill_no.clone(),
            ExportRecord::Pickup(p) => p.id.clone(),
            ExportRecord::Audit(a) => a.id.clone(),
            ExportRecord::ChatConversation(c) => c.case_id.to_string(),
            ExportRecord::Attachment(a) => a.attachment.id.clone(),
            ExportRecord::AgentPresence(p) => p.user_id.to_string(),
            ExportRecord::CannedReply(r) => r.id.clone(),
            ExportRecord::Article(a) => a.id.clone(),
            ExportRecord::ArticleVersion(a) => format!("{}/{:08}", a.id, a.version),
            ExportRecord::ArticleFeedback(f) => f.id.clone(),
            ExportRecord::SearchGap(g) => g.id.clone(),
            ExportRecord::ConfigChange(c) => format!("{:012}", c.seq),
            ExportRecord::ShipmentChange(c) => format!("{}/{:012}", c.waybill_no, c.version),
            ExportRecord::CustomerEvent(e) => format!("{}/{:012}", e.customer_id, e.seq),
            ExportRecord::ChannelAccount(a) => a.account.id.clone(),
            // The channel is a code without a slash, so the first one ends it.
            ExportRecord::InboundMessage(m) => format!("{}/{}", m.channel.as_str(), m.dedupe_key),
            ExportRecord::MailThread(t) => t.message_id.clone(),
            ExportRecord::Delivery(d) => d.id.clone(),
            // An account id is a generated id without a slash, so the first one ends it.
            ExportRecord::Call(c) => format!("{}/{}", c.account_id, c.call_id),
            ExportRecord::Organisation(o) => o.id.to_string(),
            ExportRecord::MediaFetch(m) => m.id.clone(),
            ExportRecord::ParcelVolume(v) => format!("{}/{}", v.organisation, v.day),
            ExportRecord::ReportSchedule(r) => r.id.to_string(),
            ExportRecord::Improvement(i) => i.item.id.clone(),
            // A rubric id is a key without a slash (`text::check_key`), so the first one ends it.
            ExportRecord::QualityRubric(r) => format!("{}/{:012}", r.id, r.version),
            ExportRecord::Inspection(i) => i.inspection.id.to_string(),
            ExportRecord::PromotionDay(p) => p.promotion.date.to_string(),
            // A date has no slash, so the first one ends it.
            ExportRecord::StaffingPlan(d) => format!("{}/{}", d.day, d.channel.as_str()),
            ExportRecord::KeyAccount(a) => a.id.to_string(),
            ExportRecord::KeyAccountGrading(g) => g.id.clone(),
        }
    }
}

pub fn to_line<T: Serialize>(v: &T) -> Result<String, DomainError> {
    serde_json::to_string(v)
        .map_err(|e| DomainError::Store(crate::error::StoreError::Backend(e.to_string())))
}

/// Checks the first line of a dump.
pub fn parse_header(line: &str) -> Result<(), DomainError> {
    let header: ExportHeader = serde_json::from_str(line)
        .map_err(|e| DomainError::invalid("line 1", format!("not a kefu export header: {e}")))?;
    if header.format != FORMAT || header.version != FORMAT_VERSION {
        return Err(DomainError::invalid(
            "line 1",
            format!("unsupported export {} v{}", header.format, header.version),
        ));
    }
    Ok(())
}

/// Parses one record line; `line_no` (1-based) names the line in the error.
pub fn parse_record(line_no: usize, line: &str) -> Result<ExportRecord, DomainError> {
    serde_json::from_str(line)
        .map_err(|e| DomainError::invalid(format!("line {line_no}"), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment_line(data: &str) -> String {
        format!(
            r#"{{"table":"attachment","row":{{"id":"a1","name":"box.png","mime":"image/png","size":4,"case_id":"c1","created_at":"2026-11-24T02:00:00Z","data":"{data}"}}}}"#
        )
    }

    #[test]
    fn attachments_travel_as_base64_and_bad_base64_is_refused_with_its_line() {
        let line = attachment_line("iVBORw==");
        let record = parse_record(2, &line).unwrap();
        match &record {
            ExportRecord::Attachment(a) => {
                assert_eq!(a.data, vec![0x89, b'P', b'N', b'G']);
                assert_eq!(a.attachment.id, "a1");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(record.key(), "a1");
        assert_eq!(
            to_line(&record).unwrap(),
            line,
            "written back byte for byte"
        );
        match parse_record(7, &attachment_line("not base64!")) {
            Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "line 7"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_message_taken_in_continues_after_its_channel_and_key_and_an_account_keeps_its_secrets() {
        let line = r#"{"table":"inbound_message","row":{"channel":"email","dedupe_key":"m1@example.cn/part","account_id":"a1","received_at":"2026-11-24T02:00:00Z","outcome":"created","case_id":"c1","from":"wang@example.cn","reply_to":"wang@example.cn","thread_id":"m1@example.cn/part","subject":"破损","detail":""}}"#;
        let record = parse_record(2, line).unwrap();
        // Split at the first slash, the key gives back the channel and the whole Message-ID.
        assert_eq!(record.key(), "email/m1@example.cn/part");
        assert_eq!(to_line(&record).unwrap(), line);
        let account = r#"{"table":"channel_account","row":{"account":{"id":"a1","name":"客服邮箱","enabled":true,"email":{"address":"kefu@yunlu.example","display_name":"","imap_host":"imap.yunlu.example","imap_port":993,"imap_security":"tls","imap_username":"kefu","imap_mailbox":"INBOX","smtp_host":"smtp.yunlu.example","smtp_port":465,"smtp_security":"tls","smtp_username":"","signature":""},"created_at":"2026-11-24T02:00:00Z","updated_at":"2026-11-24T02:00:00Z","version":1},"secrets":{"imap_password":"imap-secret","smtp_password":""},"status":{"uid_validity":7,"last_uid":42,"last_ok_at":null,"last_error":null,"last_error_at":null,"received":2}}}"#;
        match parse_record(3, account).unwrap() {
            ExportRecord::ChannelAccount(a) => {
                assert_eq!(a.secrets.imap_password, "imap-secret");
                assert_eq!(a.status.last_uid, Some(42));
                assert_eq!(ExportRecord::ChannelAccount(a.clone()).key(), "a1");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_table_is_exported_once_with_dependencies_first() {
        // No wildcard: a new table does not compile until it has a number here, and then the
        // check below fails until it is in `ALL`.
        let number = |t: ExportTable| match t {
            ExportTable::Departments => 0,
            ExportTable::Users => 1,
            ExportTable::Customers => 2,
            ExportTable::Cases => 3,
            ExportTable::CaseEvents => 4,
            ExportTable::Calendars => 5,
            ExportTable::SlaPolicies => 6,
            ExportTable::Settings => 7,
            ExportTable::Shipments => 8,
            ExportTable::Pickups => 9,
            ExportTable::Audit => 10,
            ExportTable::ChatConversations => 11,
            ExportTable::Attachments => 12,
            ExportTable::AgentPresence => 13,
            ExportTable::CannedReplies => 14,
            ExportTable::Articles => 15,
            ExportTable::ArticleVersions => 16,
            ExportTable::ArticleFeedback => 17,
            ExportTable::SearchGaps => 18,
            ExportTable::ConfigHistory => 19,
            ExportTable::ShipmentChanges => 20,
            ExportTable::CustomerEvents => 21,
            ExportTable::ChannelAccounts => 22,
            ExportTable::InboundMessages => 23,
            ExportTable::MailThreads => 24,
            ExportTable::Deliveries => 25,
            ExportTable::Calls => 26,
            ExportTable::Organisations => 27,
            ExportTable::MediaFetches => 28,
            ExportTable::ParcelVolumes => 29,
            ExportTable::ReportSchedules => 30,
            ExportTable::Improvements => 31,
            ExportTable::QualityRubrics => 32,
            ExportTable::Inspections => 33,
            ExportTable::StaffingPromotions => 34,
            ExportTable::StaffingPlans => 35,
            ExportTable::KeyAccounts => 36,
            ExportTable::KeyAccountGradings => 37,
        };
        let mut numbers: Vec<usize> = ExportTable::ALL.iter().map(|t| number(*t)).collect();
        numbers.sort_unstable();
        // 38: one more than the highest number above.
        assert_eq!(numbers, (0..38).collect::<Vec<_>>(), "each table once");
        let at = |t: ExportTable| ExportTable::ALL.iter().position(|x| *x == t).unwrap();
        assert!(at(ExportTable::Users) < at(ExportTable::AgentPresence));
        assert!(at(ExportTable::Departments) < at(ExportTable::CannedReplies));
        assert!(at(ExportTable::Users) < at(ExportTable::CannedReplies));
        assert!(at(ExportTable::Cases) < at(ExportTable::ChatConversations));
        assert!(at(ExportTable::Cases) < at(ExportTable::Attachments));
        assert!(at(ExportTable::Customers) < at(ExportTable::CustomerEvents));
        assert!(at(ExportTable::Articles) < at(ExportTable::ArticleVersions));
        assert!(at(ExportTable::Articles) < at(ExportTable::ArticleFeedback));
        assert!(at(ExportTable::Settings) < at(ExportTable::ConfigHistory));
        assert!(at(ExportTable::SlaPolicies) < at(ExportTable::ConfigHistory));
        assert!(at(ExportTable::Calendars) < at(ExportTable::ConfigHistory));
        assert!(at(ExportTable::Shipments) < at(ExportTable::ShipmentChanges));
        assert!(at(ExportTable::ChannelAccounts) < at(ExportTable::InboundMessages));
        assert!(at(ExportTable::Cases) < at(ExportTable::InboundMessages));
        assert!(at(ExportTable::Cases) < at(ExportTable::MailThreads));
        assert!(at(ExportTable::Cases) < at(ExportTable::Deliveries));
        assert!(at(ExportTable::ChannelAccounts) < at(ExportTable::Calls));
        assert!(at(ExportTable::Cases) < at(ExportTable::Calls));
        assert!(at(ExportTable::Departments) < at(ExportTable::Organisations));
        assert!(at(ExportTable::Cases) < at(ExportTable::MediaFetches));
        assert!(at(ExportTable::Organisations) < at(ExportTable::ParcelVolumes));
        assert!(at(ExportTable::Users) < at(ExportTable::ReportSchedules));
        assert!(at(ExportTable::Cases) < at(ExportTable::Improvements));
        assert!(at(ExportTable::Cases) < at(ExportTable::Inspections));
        assert!(at(ExportTable::Users) < at(ExportTable::Inspections));
        assert!(at(ExportTable::Departments) < at(ExportTable::Inspections));
        assert!(at(ExportTable::Users) < at(ExportTable::KeyAccounts));
        assert!(at(ExportTable::Customers) < at(ExportTable::KeyAccounts));
        assert!(at(ExportTable::KeyAccounts) < at(ExportTable::KeyAccountGradings));
        assert!(ExportTable::Attachments.chunk_size() < CHUNK);
    }
}
