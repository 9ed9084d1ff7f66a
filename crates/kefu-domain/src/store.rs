//! The storage contract. One implementation per database; all of them pass the same contract
//! suite (`kefu-store-contract`).

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::calendar::CalendarSpec;
use crate::case::{Case, CaseEvent, Category, EventData, Priority, Status};
use crate::customer::{Customer, CustomerEvent, Phone};
use crate::error::StoreError;
use crate::export::{ExportRecord, ExportTable};
use crate::ids::{CaseId, CustomerId, DepartmentId, UserId};
use crate::pickup::{Pickup, PickupQuery};
use crate::shipment::Shipment;
use crate::sla::SlaPolicy;
use crate::user::{Department, User};

pub type StoreResult<T> = Result<T, StoreError>;

/// Something a staff member should look at (a breach, a promise falling due, an escalation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub user_id: UserId,
    pub case_id: CaseId,
    pub case_number: String,
    /// The event type that caused it, e.g. `sla_breached`.
    pub kind: String,
    pub text: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A record of someone seeing personal data in full (R-SEC-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub at: Timestamp,
    /// `user:<name>`.
    pub actor: String,
    /// e.g. `reveal_contacts`.
    pub action: String,
    /// What was revealed, e.g. `customer:<id>`.
    pub subject: String,
    /// Why, when the person said.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// One page of a list, newest first, and the cursor for the next (older) page.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub status: Option<Status>,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub phone: Option<Phone>,
    pub customer_id: Option<CustomerId>,
    pub assignee: Option<UserId>,
    pub department: Option<DepartmentId>,
    /// Only ids strictly older than this one (the previous page's last id).
    pub before: Option<CaseId>,
    pub limit: u32,
    /// Only cases nobody is assigned to.
    pub unassigned: bool,
    /// Only cases not yet resolved or closed.
    pub open_only: bool,
    /// Only cases with a service clock (or a warning) due at or before this time.
    pub clock_due_before: Option<Timestamp>,
    /// Only cases with an open promise to the customer.
    pub open_promises: bool,
    /// Only cases that are with a department (transferred and not handed back).
    pub transferred: bool,
    /// Newest first unless asked otherwise; only newest-first lists page with a cursor (the
    /// others return their first `limit` cases).
    pub sort: CaseSort,
}

/// The order of a case list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    #[default]
    Newest,
    Oldest,
    /// P1 first, then newest.
    Priority,
    /// The clock or promise that falls due first comes first; cases without one last.
    DueSoonest,
    /// The department's deadline that falls due first comes first (overdue ones at the top);
    /// cases without a deadline last, newest first.
    DepartmentDue,
}

impl CaseSort {
    pub const ALL: &'static [CaseSort] = &[
        CaseSort::Newest,
        CaseSort::Oldest,
        CaseSort::Priority,
        CaseSort::DueSoonest,
        CaseSort::DepartmentDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseSort::Newest => "newest",
            CaseSort::Oldest => "oldest",
            CaseSort::Priority => "priority",
            CaseSort::DueSoonest => "due_soonest",
            CaseSort::DepartmentDue => "department_due",
        }
    }

    pub fn parse(s: &str) -> Option<CaseSort> {
        CaseSort::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// Which canned replies to list: those the caller may see (team ones of their department or
/// for everyone, their own personal ones), not archived, newest change first.
#[derive(Debug, Clone)]
pub struct CannedQuery {
    pub user_id: UserId,
    pub department_id: Option<DepartmentId>,
    /// Lower-cased text that the title, body or a tag contains (taken literally).
    pub text: Option<String>,
    pub scope: Option<crate::canned::TemplateScope>,
    /// `Some(true)`: only macros; `Some(false)`: only plain replies.
    pub macros: Option<bool>,
    pub limit: u32,
}

#[derive(Debug, Clone, Default)]
pub struct CustomerQuery {
    pub phone: Option<Phone>,
    pub email: Option<String>,
    /// Part of the name, matched without regard to case (`张` finds 张三 and 张伟). Taken
    /// literally: `%` and `_` are no wildcards.
    pub name: Option<String>,
    pub before: Option<CustomerId>,
    pub limit: u32,
}

/// A change to customers written as one: an edit (one customer), or a merge (both customers,
/// and the cases that move with a `customer_merged` event each).
#[derive(Debug, Clone, Default)]
pub struct CustomerWrite {
    /// Each new record with the version it replaces.
    pub customers: Vec<(Customer, i64)>,
    /// Their events (the store gives them their `seq`).
    pub events: Vec<CustomerEvent>,
    pub cases: Vec<CaseAppend>,
}

/// Events appended to a case with its new projection, at the version it was read.
#[derive(Debug, Clone)]
pub struct CaseAppend {
    pub projection: Case,
    pub expected_version: i64,
    pub events: Vec<CaseEvent>,
}

/// Who a new case belongs to: a known customer, or one to find by contact or else create.
#[derive(Debug, Clone)]
pub enum CustomerChoice {
    Existing(CustomerId),
    FindOrCreate(Customer),
}

/// A request to create a case, with everything but the parts the store must allocate inside
/// its transaction (the case number and, possibly, the customer).
#[derive(Debug, Clone)]
pub struct NewCase {
    pub id: CaseId,
    pub customer: CustomerChoice,
    /// Builds the `created` event once number and customer are known.
    pub template: CaseEvent,
    /// Events that follow `created` at once (the SLA clocks starting), at the same time, by
    /// `then_actor`.
    pub then: Vec<EventData>,
    pub then_actor: String,
    /// The local date for the case number, `YYYYMMDD`.
    pub number_date: String,
    pub idempotency: Option<IdempotencyKey>,
}

#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub user_id: UserId,
    pub key: String,
    /// Hash of the request body: the same key with a different body is refused.
    pub request_hash: String,
}

#[derive(Debug, Clone)]
pub struct CreatedCase {
    pub case: Case,
    /// True when an earlier request with the same idempotency key created it.
    pub replayed: bool,
}

#[async_trait]
pub trait Store: Send + Sync {
    fn backend_name(&self) -> &'static str;

    async fn insert_department(&self, department: &Department) -> StoreResult<()>;
    async fn list_departments(&self) -> StoreResult<Vec<Department>>;

    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    async fn user_by_id(&self, id: &UserId) -> StoreResult<Option<User>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    async fn count_users(&self) -> StoreResult<i64>;

    async fn insert_session(&self, session: &Session) -> StoreResult<()>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    /// Fails with `Duplicate` if one of its contacts already belongs to a customer.
    async fn insert_customer(&self, customer: &Customer) -> StoreResult<()>;
    async fn customer_by_id(&self, id: &CustomerId) -> StoreResult<Option<Customer>>;
    /// `kind` is `phone`, `email` or `external`.
    async fn customer_by_contact(&self, kind: &str, value: &str) -> StoreResult<Option<Customer>>;
    async fn list_customers(&self, query: &CustomerQuery) -> StoreResult<Page<Customer>>;
    /// Atomically: writes each changed customer if it is still at its expected version
    /// (`VersionConflict` otherwise), its contact points as its record now lists them (one
    /// taken by a customer outside the write is `Duplicate`), the customer events (numbered
    /// per customer as appended), the moved cases as [`Store::append_events`] would, and a
    /// search outbox entry for every customer and case written. All or nothing.
    async fn write_customers(&self, write: &CustomerWrite) -> StoreResult<()>;
    /// A customer's events, oldest first.
    async fn customer_events(&self, id: &CustomerId) -> StoreResult<Vec<CustomerEvent>>;

    /// Atomically: honour the idempotency key, resolve the customer, allocate the number, write
    /// the case, its `created` event and the key.
    async fn create_case(&self, new_case: NewCase) -> StoreResult<CreatedCase>;
    /// Appends events and writes the new projection, if the stored version is still
    /// `expected_version`; otherwise `VersionConflict` and nothing is written.
    /// …together with the notifications the events cause, in the same transaction.
    async fn append_events(
        &self,
        projection: &Case,
        expected_version: i64,
        events: &[CaseEvent],
        notifications: &[Notification],
    ) -> StoreResult<()>;
    /// Like [`Store::append_events`], and writes a new pickup order in the same transaction
    /// (a pickup booked from a case): both or neither. A taken pickup number is `Duplicate`.
    async fn append_events_with_pickup(
        &self,
        projection: &Case,
        expected_version: i64,
        events: &[CaseEvent],
        notifications: &[Notification],
        pickup: &Pickup,
    ) -> StoreResult<()>;
    /// A user's notifications, newest first.
    async fn notifications(
        &self,
        user: &UserId,
        unread_only: bool,
        limit: u32,
    ) -> StoreResult<Vec<Notification>>;
    /// Marks the user's notifications read (all of them when `ids` is empty); returns how many.
    async fn mark_notifications_read(
        &self,
        user: &UserId,
        ids: &[String],
        at: Timestamp,
    ) -> StoreResult<u64>;
    async fn case_by_id(&self, id: &CaseId) -> StoreResult<Option<Case>>;
    async fn case_by_number(&self, number: &str) -> StoreResult<Option<Case>>;
    async fn list_cases(&self, query: &CaseQuery) -> StoreResult<Page<Case>>;
    /// How many cases match (`before` and `limit` are ignored).
    async fn count_cases(&self, query: &CaseQuery) -> StoreResult<i64>;
    /// Report numbers of the cases received or resolved in `[from, to]`.
    async fn case_figures(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<crate::stats::CaseFigures>>;
    /// Open (not resolved or closed) cases grouped by channel, department and assignee.
    async fn open_case_breakdown(&self) -> StoreResult<crate::stats::OpenBreakdown>;
    async fn case_events(&self, id: &CaseId) -> StoreResult<Vec<CaseEvent>>;

    /// Creates or replaces a calendar. With `only_if_absent`, an existing one is kept (used to
    /// install the built-in calendars without overwriting a user's edits).
    /// With an `editor`, a change of the stored document is recorded in the configuration
    /// history in the same transaction (nothing when the document stays the same).
    async fn put_calendar(
        &self,
        key: &str,
        spec: &CalendarSpec,
        at: Timestamp,
        only_if_absent: bool,
        editor: Option<&crate::history::Editor>,
    ) -> StoreResult<()>;
    async fn calendar(&self, key: &str) -> StoreResult<Option<CalendarSpec>>;
    async fn list_calendars(&self) -> StoreResult<Vec<(String, CalendarSpec)>>;

    /// Creates or replaces an SLA policy (`only_if_absent`: keep an existing one). With an
    /// `editor`, the change is recorded as `put_calendar` records it.
    async fn put_sla_policy(
        &self,
        key: &str,
        policy: &SlaPolicy,
        only_if_absent: bool,
        editor: Option<&crate::history::Editor>,
    ) -> StoreResult<()>;
    /// All policies, by `order` then key.
    async fn list_sla_policies(&self) -> StoreResult<Vec<(String, SlaPolicy)>>;
    /// Cases with a service clock due at or before `now`, earliest first.
    async fn due_timers(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<CaseId>>;
    /// The earliest due time of any running clock.
    async fn next_timer_due(&self) -> StoreResult<Option<Timestamp>>;

    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// Newest first; only entries about `subject` when given.
    async fn audit_entries(
        &self,
        subject: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>>;

    /// One shipment by waybill number.
    async fn shipment(&self, waybill_no: &str) -> StoreResult<Option<Shipment>>;
    /// The stored ones among `waybill_nos` (any order).
    async fn shipments(&self, waybill_nos: &[String]) -> StoreResult<Vec<Shipment>>;
    /// Shipments whose sender or recipient has this phone, newest shipped first.
    async fn shipments_by_phone(&self, phone: &str, limit: u32) -> StoreResult<Vec<Shipment>>;
    /// Writes shipments atomically: each with the version it replaces (`None` inserts). Any
    /// mismatch fails the whole batch with `VersionConflict` and writes nothing. `changes`
    /// (what the writes changed in the shipments' details) are appended in the same
    /// transaction.
    async fn put_shipments(
        &self,
        rows: Vec<(Shipment, Option<i64>)>,
        changes: Vec<crate::history::ShipmentChange>,
    ) -> StoreResult<()>;
    /// The recorded changes of one shipment's details, newest first.
    async fn shipment_changes(
        &self,
        waybill_no: &str,
        limit: u32,
    ) -> StoreResult<Vec<crate::history::ShipmentChange>>;

    /// A configuration document (`tracking`, `rate_card`, `coverage`, `prohibited`, `outlets`,
    /// `claims`).
    async fn setting(&self, key: &str) -> StoreResult<Option<serde_json::Value>>;
    /// With an `editor`, the change is recorded as `put_calendar` records it.
    async fn put_setting(
        &self,
        key: &str,
        value: &serde_json::Value,
        at: Timestamp,
        editor: Option<&crate::history::Editor>,
    ) -> StoreResult<()>;
    /// Changes of settings, SLA policies and calendars, newest first; only of one kind and
    /// key when given.
    async fn config_history(
        &self,
        kind: Option<crate::history::ConfigKind>,
        key: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<crate::history::ConfigChange>>;

    /// Writes a pickup order: with the version it replaces, or `None` for a new one (a taken
    /// number is `Duplicate`).
    async fn put_pickup(&self, pickup: &Pickup, expected_version: Option<i64>) -> StoreResult<()>;
    async fn pickup(&self, id_or_number: &str) -> StoreResult<Option<Pickup>>;
    /// Newest first.
    async fn list_pickups(&self, query: &PickupQuery) -> StoreResult<Vec<Pickup>>;
    /// Open (booked or dispatched) orders per courier id, for spreading new ones evenly.
    async fn open_pickups_per_courier(&self, outlet: &str) -> StoreResult<Vec<(String, i64)>>;

    /// A new chat conversation (its token hash is unique).
    async fn insert_conversation(
        &self,
        conversation: &crate::chat::ChatConversation,
    ) -> StoreResult<()>;
    async fn conversation_by_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<crate::chat::ChatConversation>>;
    async fn conversation_by_case(
        &self,
        case_id: &CaseId,
    ) -> StoreResult<Option<crate::chat::ChatConversation>>;
    /// Raises the customer's (or, with `staff`, the staff's) read mark to `seq`; never lowers
    /// it. Returns the mark now stored.
    async fn mark_conversation_read(
        &self,
        case_id: &CaseId,
        staff: bool,
        seq: i64,
    ) -> StoreResult<i64>;
    /// The case's events with `seq > after`, oldest first, at most `limit`.
    async fn case_events_after(
        &self,
        id: &CaseId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<CaseEvent>>;
    /// The `message_added` events of a case that carry this `client_id` (at most one, unless
    /// something wrote around the desk), oldest first. Chats are long-lived: this must not
    /// decode the whole history.
    async fn messages_with_client_id(
        &self,
        id: &CaseId,
        client_id: &str,
    ) -> StoreResult<Vec<CaseEvent>>;
    async fn put_attachment(&self, attachment: &crate::chat::StoredAttachment) -> StoreResult<()>;
    async fn attachment(&self, id: &str) -> StoreResult<Option<crate::chat::StoredAttachment>>;

    /// Creates or replaces a staff member's routing profile.
    async fn put_agent_profile(&self, profile: &crate::routing::AgentProfile) -> StoreResult<()>;
    async fn agent_profiles(&self) -> StoreResult<Vec<crate::routing::AgentProfile>>;
    /// Per assignee: open chats and all open cases.
    async fn open_work_per_agent(&self) -> StoreResult<Vec<(UserId, i64, i64)>>;

    /// Search outbox entries with `id > after`, plus those written at or after `since` (late
    /// commits: on PostgreSQL a lower id can become visible after a higher one, so a reader
    /// re-reads a short window behind its cursor; entries are idempotent), oldest first.
    async fn search_outbox(
        &self,
        after: i64,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>>;
    /// The highest outbox id so far (0 when empty): where a rebuilt index starts following.
    async fn search_outbox_head(&self) -> StoreResult<i64>;
    /// Creates or replaces a canned reply or macro (`only_if_absent`: keep an existing one, used
    /// to install the shipped replies without undoing an operator's edits or archiving).
    async fn put_canned(
        &self,
        reply: &crate::canned::CannedReply,
        only_if_absent: bool,
    ) -> StoreResult<()>;
    /// One canned reply by id, archived or not.
    async fn canned_reply(&self, id: &str) -> StoreResult<Option<crate::canned::CannedReply>>;
    async fn list_canned(
        &self,
        query: &CannedQuery,
    ) -> StoreResult<Vec<crate::canned::CannedReply>>;

    /// Writes an article and, in the same transaction, its version to the history and an
    /// outbox entry for the search index.
    async fn put_article(
        &self,
        article: &crate::kb::Article,
        write: ArticleWrite,
    ) -> StoreResult<()>;
    /// One article by id, archived or not.
    async fn article(&self, id: &str) -> StoreResult<Option<crate::kb::Article>>;
    /// Articles matching the query, most recently changed first.
    async fn list_articles(&self, query: &ArticleQuery) -> StoreResult<Vec<crate::kb::Article>>;
    /// An article's saved versions, newest first, at most `limit`.
    async fn article_versions(&self, id: &str, limit: u32) -> StoreResult<Vec<crate::kb::Article>>;
    async fn article_version(
        &self,
        id: &str,
        version: i64,
    ) -> StoreResult<Option<crate::kb::Article>>;
    /// Records a reader's vote (the article must exist).
    async fn add_article_feedback(&self, feedback: &crate::kb::ArticleFeedback) -> StoreResult<()>;
    /// Votes per article, for the given ones (an article without votes is left out).
    async fn article_feedback_counts(
        &self,
        ids: &[String],
    ) -> StoreResult<Vec<(String, crate::kb::FeedbackCounts)>>;
    /// An article's most recent votes, newest first.
    async fn article_feedback(
        &self,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<crate::kb::ArticleFeedback>>;
    async fn add_search_gap(&self, gap: &crate::kb::SearchGap) -> StoreResult<()>;
    /// Gaps recorded at or after `since`, newest first, at most `limit`.
    async fn search_gaps(
        &self,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<crate::kb::SearchGap>>;

    /// Tells every node sharing this database (PostgreSQL NOTIFY); a single-node store may do
    /// nothing. `payload` is small (an id, a typing flag): receivers read what changed from
    /// the store.
    async fn publish_signal(&self, payload: &str) -> StoreResult<()>;
    /// The signals of all nodes, this one's included, as they arrive; `None` when the store
    /// serves a single node (SQLite), where in-process delivery is all there is.
    async fn signals(&self) -> StoreResult<Option<Box<dyn SignalReceiver>>>;

    /// Up to `limit` records of one table in key order, after the key `after`.
    async fn export_chunk(
        &self,
        table: ExportTable,
        after: Option<String>,
        limit: u32,
    ) -> StoreResult<Vec<ExportRecord>>;
    /// Writes records as they are (ids, times, hashes kept). Only into an empty store.
    async fn import_chunk(&self, records: Vec<ExportRecord>) -> StoreResult<()>;
    /// After an import: let new case numbers continue after the highest imported one.
    async fn finish_import(&self) -> StoreResult<()>;
    /// True when the store has no users, customers or cases.
    async fn is_empty(&self) -> StoreResult<bool>;
}

/// How an article is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleWrite {
    /// A new article (a taken id is `Duplicate`).
    Create,
    /// A shipped article: written only when no article has its id (an edit or an archive
    /// made by an operator survives every restart).
    InstallIfAbsent,
    /// A new version of an existing article, which must still be at `expected_version`
    /// (`VersionConflict` otherwise, and nothing is written).
    Update { expected_version: i64 },
}

/// Which articles to list.
#[derive(Debug, Clone, Default)]
pub struct ArticleQuery {
    pub category: Option<String>,
    pub audience: Option<crate::kb::ArticleAudience>,
    /// Only articles linked to this bot intent.
    pub intent: Option<crate::nlu::Intent>,
    /// Only articles whose review-by date is before this day (overdue on it).
    pub review_before: Option<jiff::civil::Date>,
    /// Archived ones instead of the live ones.
    pub archived: bool,
    pub limit: u32,
}

/// One change the search index must pick up: re-read `entity_id` of `kind` (`case`,
/// `customer`, `shipment`) from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub kind: String,
    pub entity_id: String,
    pub at: Timestamp,
}

/// A stream of cross-node signals.
#[async_trait]
pub trait SignalReceiver: Send {
    /// The next payload; `None` once the connection is gone for good.
    async fn recv(&mut self) -> Option<String>;
}

/// Case numbers are `KF` + local date + a sequence shared by the whole installation.
pub fn case_number(date: &str, seq: i64) -> String {
    format!("KF{date}{seq:06}")
}

/// The sequence part of a case number made by [`case_number`].
pub fn case_number_seq(number: &str) -> Option<i64> {
    number.get(10..)?.parse().ok()
}
