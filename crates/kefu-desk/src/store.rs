//! The storage contract: the umbrella [`Store`] and its per-aggregate traits. One implementation
//! per database (`kefu-store-sql`); all of them pass the same contract suite
//! (`kefu-store-contract`). The data they take and give back is `kefu_model::records`.

use async_trait::async_trait;
use jiff::Timestamp;
use kefu_model::calendar::CalendarSpec;
use kefu_model::case::{Case, CaseEvent};
use kefu_model::channels::{
    ChannelAccount, ChannelSecrets, ChannelStatus, Delivery, InboundOutcome, InboundRecord,
};
use kefu_model::codes::Channel;
use kefu_model::customer::{Customer, CustomerEvent};
use kefu_model::error::StoreError;
use kefu_model::export::{ExportRecord, ExportTable};
use kefu_model::ids::{CaseId, CustomerId, UserId};
use kefu_model::media::MediaFetch;
use kefu_model::network::Organisation;
use kefu_model::pbx_account::CallRecord;
use kefu_model::pickup::{Pickup, PickupQuery};
use kefu_model::records::{
    ArticleQuery, ArticleWrite, AuditEntry, CannedQuery, CaseQuery, CreatedCase, CustomerQuery,
    CustomerWrite, NewCase, Notification, OutboxEntry, Page, Session,
};
use kefu_model::shipment::Shipment;
use kefu_model::sla::SlaPolicy;
use kefu_model::user::{Department, User};
use kefu_model::work_order::{ListedOrder, OrderQuery, OrgFigures};

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything a store provides: one implementation per database implements each part, and
/// this umbrella comes with them (`Arc<dyn Store>` is what the desk and the binaries hold). Code
/// that needs one aggregate only can take that part's trait instead.
pub trait Store:
    CaseStore
    + DirectoryStore
    + AuditStore
    + ParcelStore
    + ChatStore
    + KnowledgeStore
    + ConfigStore
    + OutboxStore
    + Signals
    + TransferStore
    + ChannelStore
    + CallStore
    + NetworkStore
    + FigureStore
    + SurveyStore
    + StaffingStore
    + ReportStore
    + QualityStore
    + CauseStore
    + KeyAccountStore
{
}

impl<T> Store for T where
    T: CaseStore
        + DirectoryStore
        + AuditStore
        + ParcelStore
        + ChatStore
        + KnowledgeStore
        + ConfigStore
        + OutboxStore
        + Signals
        + TransferStore
        + ChannelStore
        + CallStore
        + NetworkStore
        + FigureStore
        + SurveyStore
        + StaffingStore
        + ReportStore
        + QualityStore
        + CauseStore
        + KeyAccountStore
        + ?Sized
{
}

/// The store traits, for one `use kefu_desk::store::prelude::*;` at a call site.
pub mod prelude {
    pub use super::{
        AuditStore, CallStore, CaseStore, CauseStore, ChannelStore, ChatStore, ConfigStore,
        DirectoryStore, FigureStore, KeyAccountStore, KnowledgeStore, NetworkStore, OutboxStore,
        ParcelStore, QualityStore, ReportStore, Signals, StaffingStore, Store, SurveyStore,
        TransferStore,
    };
}

/// What is written together with the events of [`CaseStore::append_events`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AppendOptions<'a> {
    /// The notifications the events cause.
    pub notifications: &'a [Notification],
    /// A pickup order written with the events: both or neither. New when `pickup_version` is
    /// `None` (booked from the case), else replacing that version (a courier's step).
    pub pickup: Option<&'a Pickup>,
    /// The version of the pickup replaced (`VersionConflict` when it moved on meanwhile).
    pub pickup_version: Option<i64>,
    /// Deliveries written (created or replaced by id) with the events: a public reply and its
    /// way out, an attempt's outcome and its event. A mail's Message-ID joins the case's thread.
    pub deliveries: &'a [Delivery],
    /// A telephone call's record written with the events its call event caused.
    pub call: Option<CallWrite<'a>>,
    /// Media downloads written (created or replaced by id) with the events: a customer's
    /// picture or voice message with its case message, an attempt's outcome with its event.
    pub media_fetches: &'a [MediaFetch],
    /// What the case's row of key figures needs besides the case (`None`: the row is left as
    /// it is — stores written by hand in tests).
    pub kpi: Option<&'a kefu_model::kpi::KpiContext>,
}

/// A call's record to write: new (`expected_version` `None`; a taken key is
/// `VersionConflict`, another node wrote it first) or replacing the version read.
#[derive(Debug, Clone, Copy)]
pub struct CallWrite<'a> {
    pub record: &'a CallRecord,
    pub expected_version: Option<i64>,
}

/// Cases and their append-only event log: creating a case (with its idempotency key), appending
/// events (with the notifications and, optionally, a pickup they cause, in one transaction), the
/// projections and lists, report figures, the service-clock timers, and staff notifications.
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Atomically: honour the idempotency key, resolve the customer, allocate the number, write
    /// the case, its `created` event and the key.
    async fn create_case(&self, new_case: NewCase) -> StoreResult<CreatedCase>;
    /// Appends events and writes the new projection, if the stored version is still
    /// `expected_version`; otherwise `VersionConflict` and nothing is written. In the same
    /// transaction it writes what `options` carries: the notifications the events cause and a
    /// new pickup order (a pickup booked from the case; a taken pickup number is `Duplicate`).
    /// All or nothing.
    async fn append_events(
        &self,
        projection: &Case,
        expected_version: i64,
        events: &[CaseEvent],
        options: AppendOptions<'_>,
    ) -> StoreResult<()>;
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
    ) -> StoreResult<Vec<kefu_model::stats::CaseFigures>>;
    /// Open (not resolved or closed) cases grouped by channel, department and assignee.
    async fn open_case_breakdown(&self) -> StoreResult<kefu_model::stats::OpenBreakdown>;
    async fn case_events(&self, id: &CaseId) -> StoreResult<Vec<CaseEvent>>;
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
    /// Cases with a service clock due at or before `now`, earliest first.
    async fn due_timers(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<CaseId>>;
    /// The earliest due time of any running clock.
    async fn next_timer_due(&self) -> StoreResult<Option<Timestamp>>;
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
    /// Per assignee: open chats and all open cases.
    async fn open_work_per_agent(&self) -> StoreResult<Vec<(UserId, i64, i64)>>;
}

/// People and organisation: departments, staff users and their sessions and routing profiles,
/// customers with their contact points and change events.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
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
    /// Creates or replaces a staff member's routing profile.
    async fn put_agent_profile(
        &self,
        profile: &kefu_model::routing::AgentProfile,
    ) -> StoreResult<()>;
    async fn agent_profiles(&self) -> StoreResult<Vec<kefu_model::routing::AgentProfile>>;
    /// Fails with `Duplicate` if one of its contacts already belongs to a customer.
    async fn insert_customer(&self, customer: &Customer) -> StoreResult<()>;
    async fn customer_by_id(&self, id: &CustomerId) -> StoreResult<Option<Customer>>;
    /// `kind` is `phone`, `email` or `external`.
    async fn customer_by_contact(&self, kind: &str, value: &str) -> StoreResult<Option<Customer>>;
    async fn list_customers(&self, query: &CustomerQuery) -> StoreResult<Page<Customer>>;
    /// Atomically: writes each changed customer if it is still at its expected version
    /// (`VersionConflict` otherwise), its contact points as its record now lists them (one
    /// taken by a customer outside the write is `Duplicate`), the customer events (numbered
    /// per customer as appended), the moved cases as [`CaseStore::append_events`] would, and a
    /// search outbox entry for every customer and case written. All or nothing.
    async fn write_customers(&self, write: &CustomerWrite) -> StoreResult<()>;
    /// A customer's events, oldest first.
    async fn customer_events(&self, id: &CustomerId) -> StoreResult<Vec<CustomerEvent>>;
}

/// The append-only record of who saw personal data in full (R-SEC-1).
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// Newest first; only entries about `subject` when given.
    async fn audit_entries(
        &self,
        subject: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>>;
}

/// Parcels: shipments (versioned, with the history of changes to their details) and pickup orders.
#[async_trait]
pub trait ParcelStore: Send + Sync {
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
        changes: Vec<kefu_model::history::ShipmentChange>,
    ) -> StoreResult<()>;
    /// The recorded changes of one shipment's details, newest first.
    async fn shipment_changes(
        &self,
        waybill_no: &str,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::history::ShipmentChange>>;
    /// Writes a pickup order: with the version it replaces, or `None` for a new one (a taken
    /// number is `Duplicate`).
    async fn put_pickup(&self, pickup: &Pickup, expected_version: Option<i64>) -> StoreResult<()>;
    async fn pickup(&self, id_or_number: &str) -> StoreResult<Option<Pickup>>;
    /// Newest first.
    async fn list_pickups(&self, query: &PickupQuery) -> StoreResult<Vec<Pickup>>;
    /// Open (booked or dispatched) orders per courier id, for spreading new ones evenly.
    async fn open_pickups_per_courier(&self, outlet: &str) -> StoreResult<Vec<(String, i64)>>;
}

/// Chat conversations (token, read marks) and uploaded attachments. The messages themselves are
/// case events ([`CaseStore::case_events_after`], [`CaseStore::messages_with_client_id`]).
#[async_trait]
pub trait ChatStore: Send + Sync {
    /// A new chat conversation (its token hash is unique).
    async fn insert_conversation(
        &self,
        conversation: &kefu_model::chat::ChatConversation,
    ) -> StoreResult<()>;
    async fn conversation_by_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<kefu_model::chat::ChatConversation>>;
    async fn conversation_by_case(
        &self,
        case_id: &CaseId,
    ) -> StoreResult<Option<kefu_model::chat::ChatConversation>>;
    /// Raises the customer's (or, with `staff`, the staff's) read mark to `seq`; never lowers
    /// it. Returns the mark now stored.
    async fn mark_conversation_read(
        &self,
        case_id: &CaseId,
        staff: bool,
        seq: i64,
    ) -> StoreResult<i64>;
    async fn put_attachment(
        &self,
        attachment: &kefu_model::attachment::StoredAttachment,
    ) -> StoreResult<()>;
    async fn attachment(
        &self,
        id: &str,
    ) -> StoreResult<Option<kefu_model::attachment::StoredAttachment>>;
}

/// The knowledge base: articles with their versions, readers' feedback and search gaps, and the
/// canned replies and macros.
#[async_trait]
pub trait KnowledgeStore: Send + Sync {
    /// Writes an article and, in the same transaction, its version to the history and an
    /// outbox entry for the search index.
    async fn put_article(
        &self,
        article: &kefu_model::kb::Article,
        write: ArticleWrite,
    ) -> StoreResult<()>;
    /// One article by id, archived or not.
    async fn article(&self, id: &str) -> StoreResult<Option<kefu_model::kb::Article>>;
    /// Articles matching the query, most recently changed first.
    async fn list_articles(
        &self,
        query: &ArticleQuery,
    ) -> StoreResult<Vec<kefu_model::kb::Article>>;
    /// An article's saved versions, newest first, at most `limit`.
    async fn article_versions(
        &self,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::kb::Article>>;
    async fn article_version(
        &self,
        id: &str,
        version: i64,
    ) -> StoreResult<Option<kefu_model::kb::Article>>;
    /// Records a reader's vote (the article must exist).
    async fn add_article_feedback(
        &self,
        feedback: &kefu_model::kb::ArticleFeedback,
    ) -> StoreResult<()>;
    /// Votes per article, for the given ones (an article without votes is left out).
    async fn article_feedback_counts(
        &self,
        ids: &[String],
    ) -> StoreResult<Vec<(String, kefu_model::kb::FeedbackCounts)>>;
    /// An article's most recent votes, newest first.
    async fn article_feedback(
        &self,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::kb::ArticleFeedback>>;
    async fn add_search_gap(&self, gap: &kefu_model::kb::SearchGap) -> StoreResult<()>;
    /// Gaps recorded at or after `since`, newest first, at most `limit`.
    async fn search_gaps(
        &self,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::kb::SearchGap>>;
    /// Creates or replaces a canned reply or macro (`only_if_absent`: keep an existing one, used
    /// to install the shipped replies without undoing an operator's edits or archiving).
    async fn put_canned(
        &self,
        reply: &kefu_model::canned::CannedReply,
        only_if_absent: bool,
    ) -> StoreResult<()>;
    /// One canned reply by id, archived or not.
    async fn canned_reply(&self, id: &str) -> StoreResult<Option<kefu_model::canned::CannedReply>>;
    async fn list_canned(
        &self,
        query: &CannedQuery,
    ) -> StoreResult<Vec<kefu_model::canned::CannedReply>>;
}

/// Configuration: business calendars, SLA policies and settings documents, and the history of
/// their changes.
#[async_trait]
pub trait ConfigStore: Send + Sync {
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
        editor: Option<&kefu_model::history::Editor>,
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
        editor: Option<&kefu_model::history::Editor>,
    ) -> StoreResult<()>;
    /// All policies, by `order` then key.
    async fn list_sla_policies(&self) -> StoreResult<Vec<(String, SlaPolicy)>>;
    /// A configuration document (`tracking`, `rate_card`, `coverage`, `prohibited`, `outlets`,
    /// `claims`).
    async fn setting(&self, key: &str) -> StoreResult<Option<serde_json::Value>>;
    /// With an `editor`, the change is recorded as `put_calendar` records it.
    async fn put_setting(
        &self,
        key: &str,
        value: &serde_json::Value,
        at: Timestamp,
        editor: Option<&kefu_model::history::Editor>,
    ) -> StoreResult<()>;
    /// Changes of settings, SLA policies and calendars, newest first; only of one kind and
    /// key when given.
    async fn config_history(
        &self,
        kind: Option<kefu_model::history::ConfigKind>,
        key: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::history::ConfigChange>>;
}

/// The search outbox the index follows (written by the other stores in their own transactions).
#[async_trait]
pub trait OutboxStore: Send + Sync {
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
}

/// Pub/sub between the nodes sharing one database.
#[async_trait]
pub trait Signals: Send + Sync {
    /// Tells every node sharing this database (PostgreSQL NOTIFY); a single-node store may do
    /// nothing. `payload` is small (an id, a typing flag): receivers read what changed from
    /// the store.
    async fn publish_signal(&self, payload: &str) -> StoreResult<()>;
    /// The signals of all nodes, this one's included, as they arrive; `None` when the store
    /// serves a single node (SQLite), where in-process delivery is all there is.
    async fn signals(&self) -> StoreResult<Option<Box<dyn SignalReceiver>>>;
}

/// The store as a whole: which database it is, whether it is empty, and the export/import of
/// every table.
#[async_trait]
pub trait TransferStore: Send + Sync {
    fn backend_name(&self) -> &'static str;
    /// True when the store has no users, customers or cases.
    async fn is_empty(&self) -> StoreResult<bool>;
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
}

/// Channels: configured accounts with their secrets (kept apart) and status, the messages taken
/// in (once per channel and key), the mail threads, the deliveries of replies, and the
/// downloads of what customers sent as media.
#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// Creates an account (`expected_version` `None`; a taken id is `Duplicate`) or replaces it
    /// if still at `expected_version` (`VersionConflict` otherwise), with its secrets. A new
    /// account starts with an empty status; a replaced one keeps its status.
    async fn put_channel_account(
        &self,
        account: &ChannelAccount,
        secrets: &ChannelSecrets,
        expected_version: Option<i64>,
    ) -> StoreResult<()>;
    /// All accounts, oldest first, with their status.
    async fn channel_accounts(&self) -> StoreResult<Vec<(ChannelAccount, ChannelStatus)>>;
    async fn channel_account(
        &self,
        id: &str,
    ) -> StoreResult<Option<(ChannelAccount, ChannelStatus)>>;
    /// The account's passwords: for the node's workers, never for an answer.
    async fn channel_secrets(&self, id: &str) -> StoreResult<Option<ChannelSecrets>>;
    async fn put_channel_status(&self, id: &str, status: &ChannelStatus) -> StoreResult<()>;
    /// Records a message taken in and, in the same transaction, its thread ids (Message-IDs)
    /// for its case. False when the channel already has a message with this key (nothing is
    /// written then).
    async fn record_inbound(
        &self,
        record: &InboundRecord,
        thread_ids: &[String],
    ) -> StoreResult<bool>;
    /// Replaces a message's record (a person read it again or dismissed it) only while its
    /// outcome is still `expected`: false, with nothing written, when someone else got there
    /// first.
    async fn settle_inbound(
        &self,
        record: &InboundRecord,
        expected: InboundOutcome,
    ) -> StoreResult<bool>;
    async fn inbound_record(
        &self,
        channel: Channel,
        dedupe_key: &str,
    ) -> StoreResult<Option<InboundRecord>>;
    /// Newest first; only one outcome when given.
    async fn inbound_records(
        &self,
        outcome: Option<InboundOutcome>,
        limit: u32,
    ) -> StoreResult<Vec<InboundRecord>>;
    /// The newest message taken in for a case (where replies go, and under which mail).
    async fn latest_inbound_of_case(&self, case_id: &CaseId) -> StoreResult<Option<InboundRecord>>;
    /// The case that holds one of these Message-IDs (the first of them found, in the order
    /// given).
    async fn case_of_mail_ids(&self, message_ids: &[String]) -> StoreResult<Option<CaseId>>;
    /// A case's Message-IDs, oldest first, at most `limit` of the newest.
    async fn mail_ids_of_case(&self, case_id: &CaseId, limit: u32) -> StoreResult<Vec<String>>;
    /// Claims up to `limit` queued deliveries due at `now` whose lease has run out, leasing
    /// them until `lease_until` (another node skips them meanwhile), earliest due first.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>>;
    /// A case's deliveries, oldest first.
    async fn deliveries_of_case(&self, case_id: &CaseId) -> StoreResult<Vec<Delivery>>;
    /// Claims up to `limit` pending media downloads due at `now` whose lease has run out,
    /// leasing them until `lease_until` (another node skips them meanwhile), earliest due
    /// first. They are written ([`AppendOptions::media_fetches`]) with their case's events.
    async fn claim_media_fetches(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<MediaFetch>>;
    /// Writes media downloads alone (created or replaced by id, the lease cleared): an attempt
    /// that changes nothing on the case, such as a retry planned for later.
    async fn put_media_fetches(&self, fetches: &[MediaFetch]) -> StoreResult<()>;
    /// A case's media downloads, oldest first.
    async fn media_fetches_of_case(&self, case_id: &CaseId) -> StoreResult<Vec<MediaFetch>>;
}

/// The telephone channel's calls: one record per call, written alone (an event that changes no
/// case) or with the case events it causes ([`AppendOptions::call`]).
#[async_trait]
pub trait CallStore: Send + Sync {
    /// Writes a call's record as [`CallWrite`] says; `VersionConflict` and nothing written if
    /// the stored version is not the expected one.
    async fn put_call(&self, write: CallWrite<'_>) -> StoreResult<()>;
    async fn call(&self, account_id: &str, call_id: &str) -> StoreResult<Option<CallRecord>>;
    /// A call by the PBX's id alone, whatever the account (the console's caller page).
    async fn call_by_id(&self, call_id: &str) -> StoreResult<Option<CallRecord>>;
    /// Calls offered in `[from, to)`, oldest first, at most `limit`.
    async fn calls_offered_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<CallRecord>>;
    /// A case's calls, oldest first.
    async fn calls_of_case(&self, case_id: &CaseId) -> StoreResult<Vec<CallRecord>>;
}

/// The franchised network: organisations (each a department with a profile) and the read model
/// of the work orders, whose truth is their cases' events (written by
/// [`CaseStore::append_events`] with the events that change them).
#[async_trait]
pub trait NetworkStore: Send + Sync {
    /// A new organisation with its department (`expected_version` `None`; a taken key is
    /// `Duplicate`) or the next version of one (`VersionConflict` if another write came first).
    async fn put_organisation(
        &self,
        organisation: &Organisation,
        expected_version: Option<i64>,
    ) -> StoreResult<()>;
    async fn organisations(&self) -> StoreResult<Vec<Organisation>>;
    /// Orders as the query says: open ones by their next deadline, others newest first.
    async fn work_orders(&self, query: &OrderQuery) -> StoreResult<Vec<ListedOrder>>;
    /// An order by its id or number.
    async fn work_order(&self, id_or_number: &str) -> StoreResult<Option<ListedOrder>>;
    /// Per organisation, the orders sent on the days `[from, to)` and the parcels it handled.
    async fn order_figures(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<OrgFigures>>;
    /// The number of the customer's latest complaint about the organisation sent at or after
    /// `since`.
    async fn latest_complaint(
        &self,
        customer: &kefu_model::ids::CustomerId,
        organisation: &kefu_model::ids::DepartmentId,
        since: Timestamp,
    ) -> StoreResult<Option<String>>;
    /// Sets an organisation's parcel counts for the days given (`NotFound` without the
    /// organisation).
    async fn put_parcel_volumes(
        &self,
        organisation: &kefu_model::ids::DepartmentId,
        days: &[kefu_model::work_order::DayVolume],
    ) -> StoreResult<()>;
}

/// The key performance figures' read model: per case a row of its keys and figures, per
/// dimension and day their sums — both written by [`CaseStore::append_events`] and
/// [`CaseStore::create_case`] from the projection, and rebuilt by [`FigureStore::put_case_kpis`].
#[async_trait]
pub trait FigureStore: Send + Sync {
    /// Per key of `dimension` and day in `[from, to)`, the sums of the cases received that day
    /// (days without cases left out).
    async fn kpi_days(
        &self,
        dimension: kefu_model::kpi::Dimension,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<(String, jiff::civil::Date, kefu_model::kpi::CaseTally)>>;
    /// The cases behind a figure, newest first, `limit` after the cursor `before`.
    #[allow(clippy::too_many_arguments)]
    async fn kpi_cases(
        &self,
        dimension: kefu_model::kpi::Dimension,
        key: &str,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        figure: kefu_model::kpi::KpiFigure,
        before: Option<&CaseId>,
        limit: u32,
    ) -> StoreResult<Vec<CaseId>>;
    /// Open cases per key of `dimension`, by age at `now`. Cases received before `recent_from`
    /// — the start of the local day `recent_day`, which the caller chooses at least 7 days
    /// before `now` — are all over 7 days old and are counted from the daily sums; the rest
    /// from their rows.
    async fn open_ageing(
        &self,
        dimension: kefu_model::kpi::Dimension,
        now: Timestamp,
        recent_day: jiff::civil::Date,
        recent_from: Timestamp,
    ) -> StoreResult<Vec<(String, kefu_model::kpi::Ageing)>>;
    /// The parcels the outlets reported per day in `[from, to)` (days without a report left out).
    async fn outlet_parcels(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<(jiff::civil::Date, i64)>>;
    /// Writes case rows and moves the sums; with `clear`, everything is forgotten first (the
    /// first batch of a rebuild).
    async fn put_case_kpis(
        &self,
        rows: &[kefu_model::kpi::CaseKpi],
        clear: bool,
    ) -> StoreResult<()>;
}

/// The satisfaction surveys' read model: one row per surveyed case, whose truth is the case's
/// survey (written by [`CaseStore::append_events`] with every append to a surveyed case).
#[async_trait]
pub trait SurveyStore: Send + Sync {
    /// Per value of the query's dimension, the surveys opened on its days (one agent's when
    /// given): surveyed, answered, satisfied, poor; by key.
    async fn survey_figures(
        &self,
        query: &kefu_model::survey::SurveyQuery,
    ) -> StoreResult<Vec<kefu_model::survey::SurveyTally>>;
    /// The surveyed cases a figure counts (`SurveyFigure::counts`), by day then case number.
    async fn survey_rows(
        &self,
        drill: &kefu_model::survey::SurveyDrill,
    ) -> StoreResult<Vec<kefu_model::survey::SurveyRow>>;
    /// Open follow-ups, overdue first then by due time; with `closed`, the closed ones after.
    async fn survey_follow_ups(
        &self,
        closed: bool,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::survey::SurveyRow>>;
}

/// Root causes and the improvement backlog (R-CASE-10, R-MG-5, R-MG-6): the causes' read model,
/// one row per case with a recorded cause (written by [`CaseStore::append_events`] from the
/// projection, like the surveys'), and the backlog's items with their case links and history.
#[async_trait]
pub trait CauseStore: Send + Sync {
    /// The cause rows a query admits (`CauseQuery::admits`), by day then case number; at most
    /// `limit`.
    async fn cause_rows(
        &self,
        query: &kefu_model::causes::CauseQuery,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::causes::CauseRow>>;
    /// The complaints received on the days `[from, to)` (the key figures' day and region) as
    /// the closed loop sees them, by day then case number.
    async fn complaint_rows(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<kefu_model::causes::LoopRow>>;
    /// Writes an item — new with `expected_version` `None` (`Duplicate` when its id exists),
    /// else over that version (`VersionConflict`) — with its case links and the history
    /// entries of the change, in one transaction.
    async fn put_improvement(
        &self,
        item: &kefu_model::improvement::Improvement,
        expected_version: Option<i64>,
        entries: &[kefu_model::improvement::ImprovementEntry],
    ) -> StoreResult<()>;
    /// Every item, most recently changed first.
    async fn improvements(&self) -> StoreResult<Vec<kefu_model::improvement::Improvement>>;
    async fn improvement(
        &self,
        id: &str,
    ) -> StoreResult<Option<kefu_model::improvement::Improvement>>;
    /// The items that name a case.
    async fn improvements_of_case(
        &self,
        case_id: &kefu_model::ids::CaseId,
    ) -> StoreResult<Vec<kefu_model::improvement::Improvement>>;
    /// An item's history, oldest first.
    async fn improvement_history(
        &self,
        id: &str,
    ) -> StoreResult<Vec<kefu_model::improvement::ImprovementEntry>>;
}

/// The staffing planner's data: arrivals counted in the database (never case by case), the
/// promotion days the planner marks and the planned agents per day and channel.
#[async_trait]
pub trait StaffingStore: Send + Sync {
    /// Cases received in `[from, to)`, counted per channel and UTC half-hour (each count's
    /// `start` a whole half-hour), grouped by the database.
    async fn case_arrivals(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<kefu_model::staffing::ArrivalCount>>;
    /// Calls offered in `[from, to)`, counted per UTC half-hour (channel `phone`).
    async fn call_arrivals(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<kefu_model::staffing::ArrivalCount>>;
    /// All promotion days, by date.
    async fn promotion_days(&self) -> StoreResult<Vec<kefu_model::staffing::PromotionDay>>;
    /// A new promotion day (`Duplicate` when its date has one) or, with `replace`, the new
    /// version of its date's (`NotFound` when there is none).
    async fn put_promotion_day(
        &self,
        day: &kefu_model::staffing::PromotionDay,
        at: Timestamp,
        replace: bool,
    ) -> StoreResult<()>;
    /// Removes a date's promotion day; false when it had none.
    async fn delete_promotion_day(&self, day: jiff::civil::Date) -> StoreResult<bool>;
    /// The planned agents of the days `[from, to)`, by day then channel.
    async fn schedule(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<kefu_model::staffing::ScheduleDay>>;
    /// Sets the planned agents of each day and channel given (replacing what was planned), in
    /// one transaction.
    async fn put_schedule(&self, days: &[kefu_model::staffing::ScheduleDay]) -> StoreResult<()>;
}

/// Which key accounts a list reads: an assistant's only, of a grade, of a status, whose code,
/// name or industry contains `text` (case-insensitive, `%` and `_` literal).
#[derive(Debug, Clone, Default)]
pub struct KeyAccountQuery {
    pub assistant: Option<kefu_model::ids::UserId>,
    pub grade: Option<u8>,
    pub status: Option<kefu_model::key_accounts::AccountStatus>,
    pub text: Option<String>,
}

/// Key accounts (issue #17): each account one version-checked document with its assistants
/// indexed, and the append-only gradings.
#[async_trait]
pub trait KeyAccountStore: Send + Sync {
    /// Writes an account: new when `expected_version` is `None` (`Duplicate` when its code is
    /// taken), else over that version (`VersionConflict` otherwise); `grading`, when given, is
    /// appended in the same transaction.
    async fn put_key_account(
        &self,
        account: &kefu_model::key_accounts::KeyAccount,
        expected_version: Option<i64>,
        grading: Option<&kefu_model::key_accounts::Grading>,
    ) -> StoreResult<()>;
    async fn key_account(
        &self,
        id: &kefu_model::ids::KeyAccountId,
    ) -> StoreResult<Option<kefu_model::key_accounts::KeyAccount>>;
    /// The accounts the query admits, by grade (ungraded last), then code.
    async fn key_accounts(
        &self,
        query: &KeyAccountQuery,
    ) -> StoreResult<Vec<kefu_model::key_accounts::KeyAccount>>;
    /// An account's gradings, oldest first.
    async fn key_account_gradings(
        &self,
        id: &kefu_model::ids::KeyAccountId,
    ) -> StoreResult<Vec<kefu_model::key_accounts::Grading>>;
    /// The accounts with a grading of `quarter`.
    async fn key_accounts_graded_in(
        &self,
        quarter: kefu_model::key_accounts::Quarter,
    ) -> StoreResult<Vec<kefu_model::ids::KeyAccountId>>;
}

/// Scheduled reports: each schedule a document, claimed when due by leasing it to one node.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Every schedule, or one owner's, oldest first.
    async fn report_schedules(
        &self,
        owner: Option<&kefu_model::ids::UserId>,
    ) -> StoreResult<Vec<kefu_model::report_schedule::ReportSchedule>>;
    async fn report_schedule(
        &self,
        id: &kefu_model::ids::ReportScheduleId,
    ) -> StoreResult<Option<kefu_model::report_schedule::ReportSchedule>>;
    /// Creates or replaces a schedule, ending any lease on it.
    async fn put_report_schedule(
        &self,
        schedule: &kefu_model::report_schedule::ReportSchedule,
    ) -> StoreResult<()>;
    /// Removes a schedule; false when there was none.
    async fn delete_report_schedule(
        &self,
        id: &kefu_model::ids::ReportScheduleId,
    ) -> StoreResult<bool>;
    /// Active schedules due at `now`, leased to the caller until `lease_until`.
    async fn claim_report_schedules(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::report_schedule::ReportSchedule>>;
}

/// Quality inspection (R-MG-4): rubrics with every version kept, the inspections — one per
/// case at most — each with its append-only history written in the same transaction as each
/// change, the resolved cases a draw chooses from, and the figures summed by the database.
#[async_trait]
pub trait QualityStore: Send + Sync {
    /// A rubric's version, or its newest when `version` is `None`.
    async fn rubric(
        &self,
        id: &str,
        version: Option<i64>,
    ) -> StoreResult<Option<kefu_model::quality::Rubric>>;
    /// The newest version of every rubric, by id.
    async fn rubrics(&self) -> StoreResult<Vec<kefu_model::quality::Rubric>>;
    /// A rubric's versions, newest first.
    async fn rubric_versions(&self, id: &str) -> StoreResult<Vec<kefu_model::quality::Rubric>>;
    /// Writes a rubric's version; `Duplicate` when that version exists (another editor saved
    /// first).
    async fn put_rubric(&self, rubric: &kefu_model::quality::Rubric) -> StoreResult<()>;
    /// The cases received on the days `[from, to)` and resolved (the key figures' rows), with
    /// whether each is a complaint, was rated poor, and its handling time; by case id.
    async fn quality_candidates(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<kefu_model::quality::Candidate>>;
    /// Queues drawn inspections, each with its first history entry, skipping a case that has
    /// an inspection already (a case is never queued twice); returns the ids queued.
    async fn queue_inspections(
        &self,
        drawn: &[(
            kefu_model::quality::Inspection,
            kefu_model::quality::InspectionEntry,
        )],
    ) -> StoreResult<Vec<kefu_model::ids::InspectionId>>;
    /// Replaces an inspection still at `expected_version` and appends its history entry, in one
    /// transaction (`VersionConflict` and nothing written otherwise).
    async fn put_inspection(
        &self,
        inspection: &kefu_model::quality::Inspection,
        expected_version: i64,
        entry: &kefu_model::quality::InspectionEntry,
    ) -> StoreResult<()>;
    async fn inspection(
        &self,
        id: &kefu_model::ids::InspectionId,
    ) -> StoreResult<Option<kefu_model::quality::Inspection>>;
    /// Inspections as the query says, newest first.
    async fn inspections(
        &self,
        query: &kefu_model::quality::InspectionQuery,
    ) -> StoreResult<Vec<kefu_model::quality::Inspection>>;
    /// An inspection's history, oldest first.
    async fn inspection_history(
        &self,
        id: &kefu_model::ids::InspectionId,
    ) -> StoreResult<Vec<kefu_model::quality::InspectionEntry>>;
    /// Per key of `dimension` (one key's only when given), the inspections scored on the days
    /// `[from, to)`: count, score sum and passed; by key.
    async fn quality_figures(
        &self,
        dimension: kefu_model::quality::QualityDimension,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        key: Option<&str>,
    ) -> StoreResult<Vec<kefu_model::quality::QualityTally>>;
}

/// A stream of cross-node signals.
#[async_trait]
pub trait SignalReceiver: Send {
    /// The next payload; `None` once the connection is gone for good.
    async fn recv(&mut self) -> Option<String>;
}
