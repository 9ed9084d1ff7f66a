use async_trait::async_trait;
use jiff::Timestamp;
use kefu_desk::store::prelude::*;
use kefu_desk::store::{AppendOptions, SignalReceiver, StoreResult};
use kefu_model::calendar::CalendarSpec;
use kefu_model::export::{ExportRecord, ExportTable};
use kefu_model::history::{ConfigChange, ConfigKind, Editor, ShipmentChange};
use kefu_model::ids::{CaseId, CustomerId, UserId};
use kefu_model::pickup::{Pickup, PickupQuery};
use kefu_model::records::{
    CaseQuery, CreatedCase, CustomerQuery, NewCase, Notification, Page, Session,
};
use kefu_model::shipment::Shipment;
use kefu_model::sla::SlaPolicy;
use kefu_model::{Case, CaseEvent, Customer, Department, StoreError, User, to_millis};

use kefu_model::channels::{
    ChannelAccount, ChannelSecrets, ChannelStatus, Delivery, InboundOutcome, InboundRecord,
};
use kefu_model::codes::Channel;
use kefu_model::media::MediaFetch;

use crate::conn::Sql;
use crate::ops::{self, WriteOp, WriteOutput};
use crate::{calls, channels};

/// What a database backend provides: connections to read from, and a durable way to write.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    /// A pooled connection for reads (outside any write transaction).
    async fn read(&self) -> StoreResult<Box<dyn Sql>>;
    /// Applies `op` atomically and durably: when this returns `Ok`, it is on disk.
    async fn write(&self, op: WriteOp) -> StoreResult<WriteOutput>;
    /// Tells the other nodes on this database; a single-node backend has nobody to tell.
    async fn publish_signal(&self, _payload: &str) -> StoreResult<()> {
        Ok(())
    }
    /// Signals from all nodes; `None` for a single-node backend.
    async fn signals(&self) -> StoreResult<Option<Box<dyn SignalReceiver>>> {
        Ok(None)
    }
}

/// A domain [`Store`] over any [`Backend`].
pub struct SqlStore<B> {
    backend: B,
}

impl<B: Backend> SqlStore<B> {
    pub fn new(backend: B) -> Self {
        Self { backend }
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    async fn write_done(&self, op: WriteOp) -> StoreResult<()> {
        self.backend.write(op).await.map(|_| ())
    }
}

#[async_trait]
impl<B: Backend> CaseStore for SqlStore<B> {
    async fn create_case(&self, new_case: NewCase) -> StoreResult<CreatedCase> {
        let retry = new_case.clone();
        let first = self
            .backend
            .write(WriteOp::CreateCase(Box::new(new_case)))
            .await;
        let outcome = match first {
            // Two requests with one idempotency key raced (or two new customers with one
            // phone); the loser runs again and now finds the winner's rows.
            Err(StoreError::Duplicate(_)) => {
                self.backend
                    .write(WriteOp::CreateCase(Box::new(retry)))
                    .await?
            }
            other => other?,
        };
        match outcome {
            WriteOutput::Created(created) => Ok(*created),
            WriteOutput::Done
            | WriteOutput::Count(_)
            | WriteOutput::Deliveries(_)
            | WriteOutput::MediaFetches(_)
            | WriteOutput::ReportSchedules(_)
            | WriteOutput::Ids(_) => Err(StoreError::Backend("create returned no case".into())),
        }
    }

    async fn append_events(
        &self,
        projection: &Case,
        expected_version: i64,
        events: &[CaseEvent],
        options: AppendOptions<'_>,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::Append {
            projection: Box::new(projection.clone()),
            expected_version,
            events: events.to_vec(),
            notifications: options.notifications.to_vec(),
            pickup: options.pickup.map(|p| Box::new(p.clone())),
            pickup_version: options.pickup_version,
            deliveries: options.deliveries.to_vec(),
            call: options
                .call
                .map(|c| Box::new((c.record.clone(), c.expected_version))),
            media_fetches: options.media_fetches.to_vec(),
            kpi: options.kpi.map(|cx| Box::new(cx.clone())),
        })
        .await
    }

    async fn case_by_id(&self, id: &CaseId) -> StoreResult<Option<Case>> {
        ops::case_by(&mut *self.backend.read().await?, "id", id.as_str()).await
    }

    async fn case_by_number(&self, number: &str) -> StoreResult<Option<Case>> {
        ops::case_by(&mut *self.backend.read().await?, "number", number).await
    }

    async fn list_cases(&self, query: &CaseQuery) -> StoreResult<Page<Case>> {
        ops::list_cases(&mut *self.backend.read().await?, query).await
    }

    async fn count_cases(&self, query: &CaseQuery) -> StoreResult<i64> {
        let mut c = self.backend.read().await?;
        ops::count_cases(&mut *c, query).await
    }

    async fn case_figures(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<kefu_model::stats::CaseFigures>> {
        let mut c = self.backend.read().await?;
        ops::case_figures(&mut *c, from, to).await
    }

    async fn open_case_breakdown(&self) -> StoreResult<kefu_model::stats::OpenBreakdown> {
        let mut c = self.backend.read().await?;
        ops::open_case_breakdown(&mut *c).await
    }

    async fn case_events(&self, id: &CaseId) -> StoreResult<Vec<CaseEvent>> {
        ops::case_events(&mut *self.backend.read().await?, id).await
    }

    async fn case_events_after(
        &self,
        id: &CaseId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<CaseEvent>> {
        ops::case_events_after(&mut *self.backend.read().await?, id, after, limit).await
    }

    async fn messages_with_client_id(
        &self,
        id: &CaseId,
        client_id: &str,
    ) -> StoreResult<Vec<CaseEvent>> {
        ops::messages_with_client_id(&mut *self.backend.read().await?, id, client_id).await
    }

    async fn due_timers(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<CaseId>> {
        ops::due_timers(
            &mut *self.backend.read().await?,
            kefu_model::to_millis(now),
            limit,
        )
        .await
    }

    async fn next_timer_due(&self) -> StoreResult<Option<Timestamp>> {
        Ok(ops::next_timer_due(&mut *self.backend.read().await?)
            .await?
            .map(kefu_model::from_millis))
    }

    async fn notifications(
        &self,
        user: &UserId,
        unread_only: bool,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        ops::notifications(
            &mut *self.backend.read().await?,
            user.as_str(),
            unread_only,
            limit,
        )
        .await
    }

    async fn mark_notifications_read(
        &self,
        user: &UserId,
        ids: &[String],
        at: Timestamp,
    ) -> StoreResult<u64> {
        match self
            .backend
            .write(WriteOp::MarkRead {
                user: user.to_string(),
                ids: ids.to_vec(),
                at: kefu_model::to_millis(at),
            })
            .await?
        {
            WriteOutput::Count(n) => Ok(n),
            _ => Ok(0),
        }
    }

    async fn open_work_per_agent(&self) -> StoreResult<Vec<(UserId, i64, i64)>> {
        ops::open_work_per_agent(&mut *self.backend.read().await?).await
    }
}

#[async_trait]
impl<B: Backend> DirectoryStore for SqlStore<B> {
    async fn insert_department(&self, department: &Department) -> StoreResult<()> {
        self.write_done(WriteOp::InsertDepartment(department.clone()))
            .await
    }

    async fn list_departments(&self) -> StoreResult<Vec<Department>> {
        ops::all_docs(
            &mut *self.backend.read().await?,
            "SELECT doc FROM departments ORDER BY key",
        )
        .await
    }

    async fn insert_user(&self, user: &User) -> StoreResult<()> {
        self.write_done(WriteOp::InsertUser(user.clone())).await
    }

    async fn user_by_id(&self, id: &UserId) -> StoreResult<Option<User>> {
        ops::one_doc(
            &mut *self.backend.read().await?,
            "SELECT doc FROM users WHERE id = $1",
            id.as_str(),
        )
        .await
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        ops::one_doc(
            &mut *self.backend.read().await?,
            "SELECT doc FROM users WHERE username = $1",
            username,
        )
        .await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        ops::all_docs(
            &mut *self.backend.read().await?,
            "SELECT doc FROM users ORDER BY username",
        )
        .await
    }

    async fn count_users(&self) -> StoreResult<i64> {
        ops::count_users(&mut *self.backend.read().await?).await
    }

    async fn insert_session(&self, session: &Session) -> StoreResult<()> {
        self.write_done(WriteOp::InsertSession(session.clone()))
            .await
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        ops::session(&mut *self.backend.read().await?, token_hash).await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.write_done(WriteOp::DeleteSession(token_hash.to_string()))
            .await
    }

    async fn put_agent_profile(
        &self,
        profile: &kefu_model::routing::AgentProfile,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutAgentProfile(Box::new(profile.clone())))
            .await
    }

    async fn agent_profiles(&self) -> StoreResult<Vec<kefu_model::routing::AgentProfile>> {
        ops::all_docs(
            &mut *self.backend.read().await?,
            "SELECT doc FROM agent_presence ORDER BY user_id",
        )
        .await
    }

    async fn insert_customer(&self, customer: &Customer) -> StoreResult<()> {
        self.write_done(WriteOp::InsertCustomer(customer.clone()))
            .await
    }

    async fn customer_by_id(&self, id: &CustomerId) -> StoreResult<Option<Customer>> {
        ops::one_doc(
            &mut *self.backend.read().await?,
            "SELECT doc FROM customers WHERE id = $1",
            id.as_str(),
        )
        .await
    }

    async fn customer_by_contact(&self, kind: &str, value: &str) -> StoreResult<Option<Customer>> {
        ops::customer_by_contact(&mut *self.backend.read().await?, kind, value).await
    }

    async fn list_customers(&self, query: &CustomerQuery) -> StoreResult<Page<Customer>> {
        ops::list_customers(&mut *self.backend.read().await?, query).await
    }

    async fn write_customers(&self, write: &kefu_model::records::CustomerWrite) -> StoreResult<()> {
        self.write_done(WriteOp::WriteCustomers(Box::new(write.clone())))
            .await
    }

    async fn customer_events(
        &self,
        id: &CustomerId,
    ) -> StoreResult<Vec<kefu_model::customer::CustomerEvent>> {
        ops::customer_events(&mut *self.backend.read().await?, id).await
    }
}

#[async_trait]
impl<B: Backend> AuditStore for SqlStore<B> {
    async fn append_audit(&self, entry: &kefu_model::records::AuditEntry) -> StoreResult<()> {
        self.write_done(WriteOp::AppendAudit(entry.clone())).await
    }

    async fn audit_entries(
        &self,
        subject: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::records::AuditEntry>> {
        let mut c = self.backend.read().await?;
        ops::audit_entries(&mut *c, subject, limit).await
    }
}

#[async_trait]
impl<B: Backend> ParcelStore for SqlStore<B> {
    async fn shipment(&self, waybill_no: &str) -> StoreResult<Option<Shipment>> {
        let mut c = self.backend.read().await?;
        ops::shipment(&mut *c, waybill_no).await
    }

    async fn shipments(&self, waybill_nos: &[String]) -> StoreResult<Vec<Shipment>> {
        let mut c = self.backend.read().await?;
        ops::shipments(&mut *c, waybill_nos).await
    }

    async fn shipments_by_phone(&self, phone: &str, limit: u32) -> StoreResult<Vec<Shipment>> {
        let mut c = self.backend.read().await?;
        ops::shipments_by_phone(&mut *c, phone, limit).await
    }

    async fn put_shipments(
        &self,
        rows: Vec<(Shipment, Option<i64>)>,
        changes: Vec<ShipmentChange>,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutShipments { rows, changes })
            .await
    }

    async fn shipment_changes(
        &self,
        waybill_no: &str,
        limit: u32,
    ) -> StoreResult<Vec<ShipmentChange>> {
        ops::shipment_changes(&mut *self.backend.read().await?, waybill_no, limit).await
    }

    async fn put_pickup(&self, pickup: &Pickup, expected_version: Option<i64>) -> StoreResult<()> {
        self.write_done(WriteOp::PutPickup {
            pickup: Box::new(pickup.clone()),
            expected_version,
        })
        .await
    }

    async fn pickup(&self, id_or_number: &str) -> StoreResult<Option<Pickup>> {
        let mut c = self.backend.read().await?;
        ops::pickup(&mut *c, id_or_number).await
    }

    async fn list_pickups(&self, query: &PickupQuery) -> StoreResult<Vec<Pickup>> {
        let mut c = self.backend.read().await?;
        ops::list_pickups(&mut *c, query).await
    }

    async fn open_pickups_per_courier(&self, outlet: &str) -> StoreResult<Vec<(String, i64)>> {
        let mut c = self.backend.read().await?;
        ops::open_pickups_per_courier(&mut *c, outlet).await
    }
}

#[async_trait]
impl<B: Backend> ChatStore for SqlStore<B> {
    async fn insert_conversation(
        &self,
        conversation: &kefu_model::chat::ChatConversation,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::InsertConversation(Box::new(conversation.clone())))
            .await
    }

    async fn conversation_by_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<kefu_model::chat::ChatConversation>> {
        ops::conversation(&mut *self.backend.read().await?, "token_hash", token_hash).await
    }

    async fn conversation_by_case(
        &self,
        case_id: &CaseId,
    ) -> StoreResult<Option<kefu_model::chat::ChatConversation>> {
        ops::conversation(
            &mut *self.backend.read().await?,
            "case_id",
            case_id.as_str(),
        )
        .await
    }

    async fn mark_conversation_read(
        &self,
        case_id: &CaseId,
        staff: bool,
        seq: i64,
    ) -> StoreResult<i64> {
        self.write_done(WriteOp::MarkConversationRead {
            case_id: case_id.to_string(),
            staff,
            seq,
        })
        .await?;
        let c = self
            .conversation_by_case(case_id)
            .await?
            .ok_or_else(|| StoreError::NotFound("conversation".into()))?;
        Ok(if staff {
            c.staff_read_seq
        } else {
            c.customer_read_seq
        })
    }

    async fn put_attachment(
        &self,
        attachment: &kefu_model::attachment::StoredAttachment,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutAttachment(Box::new(attachment.clone())))
            .await
    }

    async fn attachment(
        &self,
        id: &str,
    ) -> StoreResult<Option<kefu_model::attachment::StoredAttachment>> {
        ops::attachment(&mut *self.backend.read().await?, id).await
    }
}

#[async_trait]
impl<B: Backend> KnowledgeStore for SqlStore<B> {
    async fn put_article(
        &self,
        article: &kefu_model::kb::Article,
        write: kefu_model::records::ArticleWrite,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutArticle {
            article: Box::new(article.clone()),
            write,
        })
        .await
    }

    async fn article(&self, id: &str) -> StoreResult<Option<kefu_model::kb::Article>> {
        ops::one_doc(
            &mut *self.backend.read().await?,
            "SELECT doc FROM kb_articles WHERE id = $1",
            id,
        )
        .await
    }

    async fn list_articles(
        &self,
        query: &kefu_model::records::ArticleQuery,
    ) -> StoreResult<Vec<kefu_model::kb::Article>> {
        ops::list_articles(&mut *self.backend.read().await?, query).await
    }

    async fn article_versions(
        &self,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::kb::Article>> {
        ops::article_versions(&mut *self.backend.read().await?, id, limit).await
    }

    async fn article_version(
        &self,
        id: &str,
        version: i64,
    ) -> StoreResult<Option<kefu_model::kb::Article>> {
        ops::article_version(&mut *self.backend.read().await?, id, version).await
    }

    async fn add_article_feedback(
        &self,
        feedback: &kefu_model::kb::ArticleFeedback,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::AddArticleFeedback(Box::new(feedback.clone())))
            .await
    }

    async fn article_feedback_counts(
        &self,
        ids: &[String],
    ) -> StoreResult<Vec<(String, kefu_model::kb::FeedbackCounts)>> {
        ops::article_feedback_counts(&mut *self.backend.read().await?, ids).await
    }

    async fn article_feedback(
        &self,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::kb::ArticleFeedback>> {
        ops::article_feedback(&mut *self.backend.read().await?, id, limit).await
    }

    async fn add_search_gap(&self, gap: &kefu_model::kb::SearchGap) -> StoreResult<()> {
        self.write_done(WriteOp::AddSearchGap(Box::new(gap.clone())))
            .await
    }

    async fn search_gaps(
        &self,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::kb::SearchGap>> {
        ops::search_gaps(&mut *self.backend.read().await?, since, limit).await
    }

    async fn put_canned(
        &self,
        reply: &kefu_model::canned::CannedReply,
        only_if_absent: bool,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutCanned {
            reply: Box::new(reply.clone()),
            only_if_absent,
        })
        .await
    }

    async fn canned_reply(&self, id: &str) -> StoreResult<Option<kefu_model::canned::CannedReply>> {
        ops::canned_reply(&mut *self.backend.read().await?, id).await
    }

    async fn list_canned(
        &self,
        query: &kefu_model::records::CannedQuery,
    ) -> StoreResult<Vec<kefu_model::canned::CannedReply>> {
        ops::list_canned(&mut *self.backend.read().await?, query).await
    }
}

#[async_trait]
impl<B: Backend> ConfigStore for SqlStore<B> {
    async fn put_calendar(
        &self,
        key: &str,
        spec: &CalendarSpec,
        at: Timestamp,
        only_if_absent: bool,
        editor: Option<&Editor>,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutCalendar {
            key: key.to_string(),
            spec: Box::new(spec.clone()),
            at: kefu_model::to_millis(at),
            only_if_absent,
            editor: editor.cloned(),
        })
        .await
    }

    async fn calendar(&self, key: &str) -> StoreResult<Option<CalendarSpec>> {
        ops::one_doc(
            &mut *self.backend.read().await?,
            "SELECT doc FROM calendars WHERE key = $1",
            key,
        )
        .await
    }

    async fn list_calendars(&self) -> StoreResult<Vec<(String, CalendarSpec)>> {
        ops::list_calendars(&mut *self.backend.read().await?).await
    }

    async fn put_sla_policy(
        &self,
        key: &str,
        policy: &SlaPolicy,
        only_if_absent: bool,
        editor: Option<&Editor>,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutSlaPolicy {
            key: key.to_string(),
            policy: Box::new(policy.clone()),
            only_if_absent,
            editor: editor.cloned(),
        })
        .await
    }

    async fn list_sla_policies(&self) -> StoreResult<Vec<(String, SlaPolicy)>> {
        ops::list_sla_policies(&mut *self.backend.read().await?).await
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<serde_json::Value>> {
        let mut c = self.backend.read().await?;
        ops::setting(&mut *c, key).await
    }

    async fn put_setting(
        &self,
        key: &str,
        value: &serde_json::Value,
        at: Timestamp,
        editor: Option<&Editor>,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutSetting {
            key: key.to_string(),
            doc: ops::to_json(value)?,
            at: to_millis(at),
            editor: editor.cloned(),
        })
        .await
    }

    async fn config_history(
        &self,
        kind: Option<ConfigKind>,
        key: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ConfigChange>> {
        ops::config_history(&mut *self.backend.read().await?, kind, key, limit).await
    }
}

#[async_trait]
impl<B: Backend> OutboxStore for SqlStore<B> {
    async fn search_outbox(
        &self,
        after: i64,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::records::OutboxEntry>> {
        ops::search_outbox(&mut *self.backend.read().await?, after, since, limit).await
    }

    async fn search_outbox_head(&self) -> StoreResult<i64> {
        let mut conn = self.backend.read().await?;
        let rows = conn
            .fetch("SELECT COALESCE(MAX(id), 0) FROM search_outbox", &[])
            .await?;
        rows.first().map_or(Ok(0), |r| r.int(0))
    }
}

#[async_trait]
impl<B: Backend> Signals for SqlStore<B> {
    async fn publish_signal(&self, payload: &str) -> StoreResult<()> {
        self.backend.publish_signal(payload).await
    }

    async fn signals(&self) -> StoreResult<Option<Box<dyn SignalReceiver>>> {
        self.backend.signals().await
    }
}

#[async_trait]
impl<B: Backend> TransferStore for SqlStore<B> {
    fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        ops::is_empty(&mut *self.backend.read().await?).await
    }

    async fn export_chunk(
        &self,
        table: ExportTable,
        after: Option<String>,
        limit: u32,
    ) -> StoreResult<Vec<ExportRecord>> {
        ops::export_chunk(&mut *self.backend.read().await?, table, after, limit).await
    }

    async fn import_chunk(&self, records: Vec<ExportRecord>) -> StoreResult<()> {
        self.write_done(WriteOp::Import(records)).await
    }

    async fn finish_import(&self) -> StoreResult<()> {
        self.write_done(WriteOp::FinishImport).await
    }
}

#[async_trait]
impl<B: Backend> ChannelStore for SqlStore<B> {
    async fn put_channel_account(
        &self,
        account: &ChannelAccount,
        secrets: &ChannelSecrets,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutChannelAccount {
            account: Box::new(account.clone()),
            secrets: secrets.clone(),
            expected_version,
        })
        .await
    }

    async fn channel_accounts(&self) -> StoreResult<Vec<(ChannelAccount, ChannelStatus)>> {
        channels::accounts(&mut *self.backend.read().await?).await
    }

    async fn channel_account(
        &self,
        id: &str,
    ) -> StoreResult<Option<(ChannelAccount, ChannelStatus)>> {
        channels::account(&mut *self.backend.read().await?, id).await
    }

    async fn channel_secrets(&self, id: &str) -> StoreResult<Option<ChannelSecrets>> {
        channels::secrets(&mut *self.backend.read().await?, id).await
    }

    async fn put_channel_status(&self, id: &str, status: &ChannelStatus) -> StoreResult<()> {
        self.write_done(WriteOp::PutChannelStatus {
            id: id.to_string(),
            status: status.clone(),
        })
        .await
    }

    async fn record_inbound(
        &self,
        record: &InboundRecord,
        thread_ids: &[String],
    ) -> StoreResult<bool> {
        let written = self
            .backend
            .write(WriteOp::RecordInbound {
                record: Box::new(record.clone()),
                thread_ids: thread_ids.to_vec(),
            })
            .await?;
        Ok(matches!(written, WriteOutput::Count(n) if n > 0))
    }

    async fn settle_inbound(
        &self,
        record: &InboundRecord,
        expected: InboundOutcome,
    ) -> StoreResult<bool> {
        let written = self
            .backend
            .write(WriteOp::SettleInbound {
                record: Box::new(record.clone()),
                expected,
            })
            .await?;
        Ok(matches!(written, WriteOutput::Count(n) if n > 0))
    }

    async fn inbound_record(
        &self,
        channel: Channel,
        dedupe_key: &str,
    ) -> StoreResult<Option<InboundRecord>> {
        channels::inbound_record(&mut *self.backend.read().await?, channel, dedupe_key).await
    }

    async fn inbound_records(
        &self,
        outcome: Option<InboundOutcome>,
        limit: u32,
    ) -> StoreResult<Vec<InboundRecord>> {
        channels::inbound_records(&mut *self.backend.read().await?, outcome, limit).await
    }

    async fn latest_inbound_of_case(&self, case_id: &CaseId) -> StoreResult<Option<InboundRecord>> {
        channels::latest_inbound_of_case(&mut *self.backend.read().await?, case_id).await
    }

    async fn case_of_mail_ids(&self, message_ids: &[String]) -> StoreResult<Option<CaseId>> {
        channels::case_of_mail_ids(&mut *self.backend.read().await?, message_ids).await
    }

    async fn mail_ids_of_case(&self, case_id: &CaseId, limit: u32) -> StoreResult<Vec<String>> {
        channels::mail_ids_of_case(&mut *self.backend.read().await?, case_id, limit).await
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>> {
        match self
            .backend
            .write(WriteOp::ClaimDeliveries {
                now,
                lease_until,
                limit,
            })
            .await?
        {
            WriteOutput::Deliveries(claimed) => Ok(claimed),
            _ => Err(StoreError::Backend("claim returned no deliveries".into())),
        }
    }

    async fn deliveries_of_case(&self, case_id: &CaseId) -> StoreResult<Vec<Delivery>> {
        channels::deliveries_of_case(&mut *self.backend.read().await?, case_id).await
    }

    async fn claim_media_fetches(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<MediaFetch>> {
        match self
            .backend
            .write(WriteOp::ClaimMediaFetches {
                now,
                lease_until,
                limit,
            })
            .await?
        {
            WriteOutput::MediaFetches(claimed) => Ok(claimed),
            _ => Err(StoreError::Backend(
                "claim returned no media fetches".into(),
            )),
        }
    }

    async fn put_media_fetches(&self, fetches: &[MediaFetch]) -> StoreResult<()> {
        self.write_done(WriteOp::PutMediaFetches(fetches.to_vec()))
            .await
    }

    async fn media_fetches_of_case(&self, case_id: &CaseId) -> StoreResult<Vec<MediaFetch>> {
        channels::media_fetches_of_case(&mut *self.backend.read().await?, case_id).await
    }
}

#[async_trait]
impl<B: Backend> CallStore for SqlStore<B> {
    async fn put_call(&self, write: kefu_desk::store::CallWrite<'_>) -> StoreResult<()> {
        self.write_done(WriteOp::PutCall {
            record: Box::new(write.record.clone()),
            expected_version: write.expected_version,
        })
        .await
    }

    async fn call(
        &self,
        account_id: &str,
        call_id: &str,
    ) -> StoreResult<Option<kefu_model::pbx_account::CallRecord>> {
        calls::call(&mut *self.backend.read().await?, account_id, call_id).await
    }

    async fn call_by_id(
        &self,
        call_id: &str,
    ) -> StoreResult<Option<kefu_model::pbx_account::CallRecord>> {
        calls::call_by_id(&mut *self.backend.read().await?, call_id).await
    }

    async fn calls_offered_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::pbx_account::CallRecord>> {
        calls::calls_offered_between(&mut *self.backend.read().await?, from, to, limit).await
    }

    async fn calls_of_case(
        &self,
        case_id: &CaseId,
    ) -> StoreResult<Vec<kefu_model::pbx_account::CallRecord>> {
        calls::calls_of_case(&mut *self.backend.read().await?, case_id).await
    }
}

#[async_trait]
impl<B: Backend> CauseStore for SqlStore<B> {
    async fn cause_rows(
        &self,
        query: &kefu_model::causes::CauseQuery,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::causes::CauseRow>> {
        crate::causes::cause_rows(&mut *self.backend.read().await?, query, limit).await
    }

    async fn complaint_rows(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<kefu_model::causes::LoopRow>> {
        crate::causes::complaint_rows(&mut *self.backend.read().await?, from, to).await
    }

    async fn put_improvement(
        &self,
        item: &kefu_model::improvement::Improvement,
        expected_version: Option<i64>,
        entries: &[kefu_model::improvement::ImprovementEntry],
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutImprovement {
            item: Box::new(item.clone()),
            expected_version,
            entries: entries.to_vec(),
        })
        .await
    }

    async fn improvements(&self) -> StoreResult<Vec<kefu_model::improvement::Improvement>> {
        crate::causes::improvements(&mut *self.backend.read().await?).await
    }

    async fn improvement(
        &self,
        id: &str,
    ) -> StoreResult<Option<kefu_model::improvement::Improvement>> {
        crate::causes::improvement(&mut *self.backend.read().await?, id).await
    }

    async fn improvements_of_case(
        &self,
        case_id: &CaseId,
    ) -> StoreResult<Vec<kefu_model::improvement::Improvement>> {
        crate::causes::improvements_of_case(&mut *self.backend.read().await?, case_id).await
    }

    async fn improvement_history(
        &self,
        id: &str,
    ) -> StoreResult<Vec<kefu_model::improvement::ImprovementEntry>> {
        crate::causes::improvement_history(&mut *self.backend.read().await?, id).await
    }
}

#[async_trait]
impl<B: Backend> SurveyStore for SqlStore<B> {
    async fn survey_figures(
        &self,
        query: &kefu_model::survey::SurveyQuery,
    ) -> StoreResult<Vec<kefu_model::survey::SurveyTally>> {
        ops::survey_figures(&mut *self.backend.read().await?, query).await
    }

    async fn survey_rows(
        &self,
        drill: &kefu_model::survey::SurveyDrill,
    ) -> StoreResult<Vec<kefu_model::survey::SurveyRow>> {
        ops::survey_rows(&mut *self.backend.read().await?, drill).await
    }

    async fn survey_follow_ups(
        &self,
        closed: bool,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::survey::SurveyRow>> {
        ops::survey_follow_ups(&mut *self.backend.read().await?, closed, limit).await
    }
}

#[async_trait]
impl<B: Backend> NetworkStore for SqlStore<B> {
    async fn put_organisation(
        &self,
        organisation: &kefu_model::network::Organisation,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutOrganisation {
            organisation: Box::new(organisation.clone()),
            expected_version,
        })
        .await
    }

    async fn organisations(&self) -> StoreResult<Vec<kefu_model::network::Organisation>> {
        crate::network::organisations(&mut *self.backend.read().await?).await
    }

    async fn work_orders(
        &self,
        query: &kefu_model::work_order::OrderQuery,
    ) -> StoreResult<Vec<kefu_model::work_order::ListedOrder>> {
        crate::network::work_orders(&mut *self.backend.read().await?, query).await
    }

    async fn work_order(
        &self,
        id_or_number: &str,
    ) -> StoreResult<Option<kefu_model::work_order::ListedOrder>> {
        crate::network::work_order(&mut *self.backend.read().await?, id_or_number).await
    }

    async fn order_figures(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<kefu_model::work_order::OrgFigures>> {
        crate::network::order_figures(&mut *self.backend.read().await?, from, to).await
    }

    async fn latest_complaint(
        &self,
        customer: &kefu_model::ids::CustomerId,
        organisation: &kefu_model::ids::DepartmentId,
        since: Timestamp,
    ) -> StoreResult<Option<String>> {
        crate::network::latest_complaint(
            &mut *self.backend.read().await?,
            customer,
            organisation,
            since,
        )
        .await
    }

    async fn put_parcel_volumes(
        &self,
        organisation: &kefu_model::ids::DepartmentId,
        days: &[kefu_model::work_order::DayVolume],
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutParcelVolumes {
            organisation: organisation.clone(),
            days: days.to_vec(),
        })
        .await
    }
}

#[async_trait]
impl<B: Backend> FigureStore for SqlStore<B> {
    async fn kpi_days(
        &self,
        dimension: kefu_model::kpi::Dimension,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<(String, jiff::civil::Date, kefu_model::kpi::CaseTally)>> {
        crate::kpis::kpi_days(&mut *self.backend.read().await?, dimension, from, to).await
    }

    async fn kpi_cases(
        &self,
        dimension: kefu_model::kpi::Dimension,
        key: &str,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        figure: kefu_model::kpi::KpiFigure,
        before: Option<&CaseId>,
        limit: u32,
    ) -> StoreResult<Vec<CaseId>> {
        crate::kpis::kpi_cases(
            &mut *self.backend.read().await?,
            dimension,
            key,
            from,
            to,
            figure,
            before,
            limit,
        )
        .await
    }

    async fn open_ageing(
        &self,
        dimension: kefu_model::kpi::Dimension,
        now: Timestamp,
        recent_day: jiff::civil::Date,
        recent_from: Timestamp,
    ) -> StoreResult<Vec<(String, kefu_model::kpi::Ageing)>> {
        crate::kpis::open_ageing(
            &mut *self.backend.read().await?,
            dimension,
            now,
            recent_day,
            recent_from,
        )
        .await
    }

    async fn outlet_parcels(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<(jiff::civil::Date, i64)>> {
        crate::kpis::outlet_parcels(&mut *self.backend.read().await?, from, to).await
    }

    async fn put_case_kpis(
        &self,
        rows: &[kefu_model::kpi::CaseKpi],
        clear: bool,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutCaseKpis {
            rows: rows.to_vec(),
            clear,
        })
        .await
    }
}

#[async_trait]
impl<B: Backend> StaffingStore for SqlStore<B> {
    async fn case_arrivals(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<kefu_model::staffing::ArrivalCount>> {
        crate::staffing::case_arrivals(&mut *self.backend.read().await?, from, to).await
    }

    async fn call_arrivals(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<kefu_model::staffing::ArrivalCount>> {
        crate::staffing::call_arrivals(&mut *self.backend.read().await?, from, to).await
    }

    async fn promotion_days(&self) -> StoreResult<Vec<kefu_model::staffing::PromotionDay>> {
        crate::staffing::promotion_days(&mut *self.backend.read().await?).await
    }

    async fn put_promotion_day(
        &self,
        day: &kefu_model::staffing::PromotionDay,
        at: Timestamp,
        replace: bool,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutPromotionDay {
            day: Box::new(day.clone()),
            at,
            replace,
        })
        .await
    }

    async fn delete_promotion_day(&self, day: jiff::civil::Date) -> StoreResult<bool> {
        match self.backend.write(WriteOp::DeletePromotionDay(day)).await? {
            WriteOutput::Count(n) => Ok(n > 0),
            _ => Ok(false),
        }
    }

    async fn schedule(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<kefu_model::staffing::ScheduleDay>> {
        crate::staffing::schedule(&mut *self.backend.read().await?, from, to).await
    }

    async fn put_schedule(&self, days: &[kefu_model::staffing::ScheduleDay]) -> StoreResult<()> {
        self.write_done(WriteOp::PutSchedule(days.to_vec())).await
    }
}

#[async_trait]
impl<B: Backend> ReportStore for SqlStore<B> {
    async fn report_schedules(
        &self,
        owner: Option<&UserId>,
    ) -> StoreResult<Vec<kefu_model::report_schedule::ReportSchedule>> {
        crate::reports::list(&mut *self.backend.read().await?, owner).await
    }

    async fn report_schedule(
        &self,
        id: &kefu_model::ids::ReportScheduleId,
    ) -> StoreResult<Option<kefu_model::report_schedule::ReportSchedule>> {
        crate::reports::get(&mut *self.backend.read().await?, id).await
    }

    async fn put_report_schedule(
        &self,
        schedule: &kefu_model::report_schedule::ReportSchedule,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutReportSchedule(Box::new(schedule.clone())))
            .await
    }

    async fn delete_report_schedule(
        &self,
        id: &kefu_model::ids::ReportScheduleId,
    ) -> StoreResult<bool> {
        match self
            .backend
            .write(WriteOp::DeleteReportSchedule(id.clone()))
            .await?
        {
            WriteOutput::Count(n) => Ok(n > 0),
            _ => Ok(false),
        }
    }

    async fn claim_report_schedules(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<kefu_model::report_schedule::ReportSchedule>> {
        match self
            .backend
            .write(WriteOp::ClaimReportSchedules {
                now,
                lease_until,
                limit,
            })
            .await?
        {
            WriteOutput::ReportSchedules(claimed) => Ok(claimed),
            _ => Err(StoreError::Backend("claim returned no schedules".into())),
        }
    }
}

#[async_trait]
impl<B: Backend> QualityStore for SqlStore<B> {
    async fn rubric(
        &self,
        id: &str,
        version: Option<i64>,
    ) -> StoreResult<Option<kefu_model::quality::Rubric>> {
        crate::quality::rubric(&mut *self.backend.read().await?, id, version).await
    }

    async fn rubrics(&self) -> StoreResult<Vec<kefu_model::quality::Rubric>> {
        crate::quality::rubrics(&mut *self.backend.read().await?).await
    }

    async fn rubric_versions(&self, id: &str) -> StoreResult<Vec<kefu_model::quality::Rubric>> {
        crate::quality::rubric_versions(&mut *self.backend.read().await?, id).await
    }

    async fn put_rubric(&self, rubric: &kefu_model::quality::Rubric) -> StoreResult<()> {
        self.write_done(WriteOp::PutRubric(Box::new(rubric.clone())))
            .await
    }

    async fn quality_candidates(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> StoreResult<Vec<kefu_model::quality::Candidate>> {
        crate::quality::candidates(&mut *self.backend.read().await?, from, to).await
    }

    async fn queue_inspections(
        &self,
        drawn: &[(
            kefu_model::quality::Inspection,
            kefu_model::quality::InspectionEntry,
        )],
    ) -> StoreResult<Vec<kefu_model::ids::InspectionId>> {
        match self
            .backend
            .write(WriteOp::QueueInspections(drawn.to_vec()))
            .await?
        {
            WriteOutput::Ids(ids) => Ok(ids
                .into_iter()
                .map(kefu_model::ids::InspectionId::from_stored)
                .collect()),
            _ => Ok(Vec::new()),
        }
    }

    async fn put_inspection(
        &self,
        inspection: &kefu_model::quality::Inspection,
        expected_version: i64,
        entry: &kefu_model::quality::InspectionEntry,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutInspection {
            inspection: Box::new(inspection.clone()),
            expected_version,
            entry: Box::new(entry.clone()),
        })
        .await
    }

    async fn inspection(
        &self,
        id: &kefu_model::ids::InspectionId,
    ) -> StoreResult<Option<kefu_model::quality::Inspection>> {
        crate::quality::inspection(&mut *self.backend.read().await?, id).await
    }

    async fn inspections(
        &self,
        query: &kefu_model::quality::InspectionQuery,
    ) -> StoreResult<Vec<kefu_model::quality::Inspection>> {
        crate::quality::inspections(&mut *self.backend.read().await?, query).await
    }

    async fn inspection_history(
        &self,
        id: &kefu_model::ids::InspectionId,
    ) -> StoreResult<Vec<kefu_model::quality::InspectionEntry>> {
        crate::quality::history(&mut *self.backend.read().await?, id).await
    }

    async fn quality_figures(
        &self,
        dimension: kefu_model::quality::QualityDimension,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        key: Option<&str>,
    ) -> StoreResult<Vec<kefu_model::quality::QualityTally>> {
        crate::quality::figures(&mut *self.backend.read().await?, dimension, from, to, key).await
    }
}

#[async_trait]
impl<B: Backend> KeyAccountStore for SqlStore<B> {
    async fn put_key_account(
        &self,
        account: &kefu_model::key_accounts::KeyAccount,
        expected_version: Option<i64>,
        grading: Option<&kefu_model::key_accounts::Grading>,
    ) -> StoreResult<()> {
        self.write_done(WriteOp::PutKeyAccount {
            account: Box::new(account.clone()),
            expected_version,
            grading: grading.map(|g| Box::new(g.clone())),
        })
        .await
    }

    async fn key_account(
        &self,
        id: &kefu_model::ids::KeyAccountId,
    ) -> StoreResult<Option<kefu_model::key_accounts::KeyAccount>> {
        crate::key_accounts::get(&mut *self.backend.read().await?, id).await
    }

    async fn key_accounts(
        &self,
        query: &kefu_desk::store::KeyAccountQuery,
    ) -> StoreResult<Vec<kefu_model::key_accounts::KeyAccount>> {
        crate::key_accounts::list(&mut *self.backend.read().await?, query).await
    }

    async fn key_account_gradings(
        &self,
        id: &kefu_model::ids::KeyAccountId,
    ) -> StoreResult<Vec<kefu_model::key_accounts::Grading>> {
        crate::key_accounts::gradings(&mut *self.backend.read().await?, id).await
    }

    async fn key_accounts_graded_in(
        &self,
        quarter: kefu_model::key_accounts::Quarter,
    ) -> StoreResult<Vec<kefu_model::ids::KeyAccountId>> {
        crate::key_accounts::graded_in(&mut *self.backend.read().await?, &quarter.to_string()).await
    }
}
