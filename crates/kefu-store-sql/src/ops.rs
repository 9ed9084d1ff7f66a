//! Every statement kefu runs, written once for both backends.

use kefu_desk::store::StoreResult;
use kefu_model::calendar::CalendarSpec;
use kefu_model::case::CommitmentState;
use kefu_model::customer::contact_keys;
use kefu_model::export::{ExportRecord, ExportTable};
use kefu_model::history::{ConfigChange, ConfigKind, Editor, ShipmentChange};
use kefu_model::ids::{CaseId, CustomerId, UserId};
use kefu_model::pickup::{Pickup, PickupQuery};
use kefu_model::records::{
    CaseQuery, CreatedCase, CustomerChoice, CustomerQuery, NewCase, Notification, Page, Session,
    case_number, case_number_seq,
};
use kefu_model::shipment::Shipment;
use kefu_model::sla::SlaPolicy;
use kefu_model::sla_clock::ClockState;
use kefu_model::{
    Case, CaseEvent, Category, Channel, Customer, Department, EventData, StoreError, User,
    from_millis, to_millis,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::conn::{Dialect, Row, Sql, SqlErrorKind, Value, fetch_optional};

/// A unit of writing: applied atomically by the backend (its own transaction, or a savepoint
/// inside a group commit).
#[derive(Debug, Clone)]
pub enum WriteOp {
    InsertDepartment(Department),
    InsertUser(User),
    InsertSession(Session),
    DeleteSession(String),
    InsertCustomer(Customer),
    WriteCustomers(Box<kefu_model::records::CustomerWrite>),
    CreateCase(Box<NewCase>),
    Append {
        projection: Box<Case>,
        expected_version: i64,
        events: Vec<CaseEvent>,
        notifications: Vec<Notification>,
        /// A new pickup order written with the events (booked from the case).
        pickup: Option<Box<Pickup>>,
        /// The pickup's version replaced (`None`: a new pickup).
        pickup_version: Option<i64>,
        /// Deliveries created or replaced with the events.
        deliveries: Vec<kefu_model::channels::Delivery>,
        /// A telephone call's record and the version it replaces (`None`: a new call).
        call: Option<Box<(kefu_model::pbx_account::CallRecord, Option<i64>)>>,
        /// Media downloads created or replaced with the events.
        media_fetches: Vec<kefu_model::media::MediaFetch>,
        /// What the case's row of key figures needs besides the case.
        kpi: Option<Box<kefu_model::kpi::KpiContext>>,
    },
    PutCaseKpis {
        rows: Vec<kefu_model::kpi::CaseKpi>,
        clear: bool,
    },
    PutCall {
        record: Box<kefu_model::pbx_account::CallRecord>,
        expected_version: Option<i64>,
    },
    PutOrganisation {
        organisation: Box<kefu_model::network::Organisation>,
        expected_version: Option<i64>,
    },
    PutPromotionDay {
        day: Box<kefu_model::staffing::PromotionDay>,
        at: jiff::Timestamp,
        replace: bool,
    },
    DeletePromotionDay(jiff::civil::Date),
    PutRubric(Box<kefu_model::quality::Rubric>),
    QueueInspections(
        Vec<(
            kefu_model::quality::Inspection,
            kefu_model::quality::InspectionEntry,
        )>,
    ),
    PutInspection {
        inspection: Box<kefu_model::quality::Inspection>,
        expected_version: i64,
        entry: Box<kefu_model::quality::InspectionEntry>,
    },
    PutImprovement {
        item: Box<kefu_model::improvement::Improvement>,
        expected_version: Option<i64>,
        entries: Vec<kefu_model::improvement::ImprovementEntry>,
    },
    PutSchedule(Vec<kefu_model::staffing::ScheduleDay>),
    PutParcelVolumes {
        organisation: kefu_model::ids::DepartmentId,
        days: Vec<kefu_model::work_order::DayVolume>,
    },
    MarkRead {
        user: String,
        ids: Vec<String>,
        at: i64,
    },
    Import(Vec<ExportRecord>),
    FinishImport,
    PutShipments {
        rows: Vec<(Shipment, Option<i64>)>,
        /// What the writes changed in the shipments' details.
        changes: Vec<ShipmentChange>,
    },
    AppendAudit(kefu_model::records::AuditEntry),
    PutSetting {
        key: String,
        doc: String,
        at: i64,
        /// Records the change in `config_history` when given.
        editor: Option<Editor>,
    },
    PutPickup {
        pickup: Box<Pickup>,
        expected_version: Option<i64>,
    },
    PutSlaPolicy {
        key: String,
        policy: Box<SlaPolicy>,
        only_if_absent: bool,
        editor: Option<Editor>,
    },
    PutCalendar {
        key: String,
        spec: Box<CalendarSpec>,
        at: i64,
        only_if_absent: bool,
        editor: Option<Editor>,
    },
    InsertConversation(Box<kefu_model::chat::ChatConversation>),
    MarkConversationRead {
        case_id: String,
        staff: bool,
        seq: i64,
    },
    PutAttachment(Box<kefu_model::attachment::StoredAttachment>),
    PutAgentProfile(Box<kefu_model::routing::AgentProfile>),
    PutCanned {
        reply: Box<kefu_model::canned::CannedReply>,
        only_if_absent: bool,
    },
    PutArticle {
        article: Box<kefu_model::kb::Article>,
        write: kefu_model::records::ArticleWrite,
    },
    AddArticleFeedback(Box<kefu_model::kb::ArticleFeedback>),
    AddSearchGap(Box<kefu_model::kb::SearchGap>),
    PutChannelAccount {
        account: Box<kefu_model::channels::ChannelAccount>,
        secrets: kefu_model::channels::ChannelSecrets,
        expected_version: Option<i64>,
    },
    PutChannelStatus {
        id: String,
        status: kefu_model::channels::ChannelStatus,
    },
    RecordInbound {
        record: Box<kefu_model::channels::InboundRecord>,
        thread_ids: Vec<String>,
    },
    SettleInbound {
        record: Box<kefu_model::channels::InboundRecord>,
        expected: kefu_model::channels::InboundOutcome,
    },
    ClaimDeliveries {
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
        limit: u32,
    },
    PutMediaFetches(Vec<kefu_model::media::MediaFetch>),
    ClaimMediaFetches {
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
        limit: u32,
    },
    PutReportSchedule(Box<kefu_model::report_schedule::ReportSchedule>),
    DeleteReportSchedule(kefu_model::ids::ReportScheduleId),
    ClaimReportSchedules {
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
        limit: u32,
    },
    PutKeyAccount {
        account: Box<kefu_model::key_accounts::KeyAccount>,
        expected_version: Option<i64>,
        grading: Option<Box<kefu_model::key_accounts::Grading>>,
    },
}

#[derive(Debug)]
pub enum WriteOutput {
    Done,
    Count(u64),
    Created(Box<CreatedCase>),
    Deliveries(Vec<kefu_model::channels::Delivery>),
    MediaFetches(Vec<kefu_model::media::MediaFetch>),
    ReportSchedules(Vec<kefu_model::report_schedule::ReportSchedule>),
    Ids(Vec<String>),
}

/// The version of every stored document this build writes, kept in the document itself under
/// [`DOC_VERSION_FIELD`] (so that SQL reading a document's fields finds them where they were).
/// A build that changes a stored shape raises it and reads the older versions explicitly;
/// a document without the field predates versions and is version 1.
pub const DOC_VERSION: i64 = 1;
pub const DOC_VERSION_FIELD: &str = "doc_version";

/// A document as stored: its JSON with the document version (objects only; every record is
/// one, and a setting that is not keeps its bare value, read as version 1).
pub(crate) fn to_json<T: Serialize>(v: &T) -> StoreResult<String> {
    let encode = |e: serde_json::Error| StoreError::Backend(format!("encode: {e}"));
    let mut value = serde_json::to_value(v).map_err(encode)?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert(DOC_VERSION_FIELD.into(), DOC_VERSION.into());
    }
    serde_json::to_string(&value).map_err(encode)
}

/// Reads a stored document: one from a newer build (a version above [`DOC_VERSION`]) is
/// refused with [`StoreError::DocumentTooNew`] rather than misread.
pub(crate) fn from_json<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    let decode = |e: serde_json::Error| StoreError::Backend(format!("decode stored document: {e}"));
    let mut value: serde_json::Value = serde_json::from_str(s).map_err(decode)?;
    if let Some(fields) = value.as_object_mut() {
        let version = match fields.remove(DOC_VERSION_FIELD) {
            None => 1,
            Some(v) => v.as_i64().ok_or_else(|| {
                StoreError::Backend(format!("stored document version is not a number: {v}"))
            })?,
        };
        if version > DOC_VERSION {
            let what = std::any::type_name::<T>();
            return Err(StoreError::DocumentTooNew {
                what: what.rsplit("::").next().unwrap_or(what).to_string(),
                found: version,
                known: DOC_VERSION,
            });
        }
    }
    serde_json::from_value(value).map_err(decode)
}

pub(crate) fn docs<T: DeserializeOwned>(rows: &[Row]) -> StoreResult<Vec<T>> {
    rows.iter().map(|r| from_json(r.text(0)?)).collect()
}

/// Runs one write op on a connection that is already inside a transaction.
pub async fn apply(sql: &mut dyn Sql, op: WriteOp) -> StoreResult<WriteOutput> {
    match op {
        WriteOp::InsertDepartment(d) => insert_department_row(sql, &d).await?,
        WriteOp::InsertUser(u) => insert_user(sql, &u).await?,
        WriteOp::InsertSession(s) => {
            sql.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                &[
                    s.token_hash.into(),
                    s.user_id.to_string().into(),
                    to_millis(s.created_at).into(),
                    to_millis(s.expires_at).into(),
                ],
            )
            .await?;
        }
        WriteOp::DeleteSession(hash) => {
            sql.execute("DELETE FROM sessions WHERE token_hash = $1", &[hash.into()])
                .await?;
        }
        WriteOp::InsertCustomer(c) => {
            insert_customer(sql, &c).await?;
            outbox(sql, "customer", c.id.as_str(), c.created_at).await?;
        }
        WriteOp::WriteCustomers(write) => write_customers(sql, &write).await?,
        WriteOp::CreateCase(new_case) => {
            let created = create_case(sql, *new_case).await?;
            if !created.replayed {
                let c = &created.case;
                outbox(sql, "case", c.id.as_str(), c.updated_at).await?;
                // The customer may be new, or has a new case to be found by.
                outbox(sql, "customer", c.customer_id.as_str(), c.updated_at).await?;
            }
            return Ok(WriteOutput::Created(Box::new(created)));
        }
        WriteOp::Append {
            projection,
            expected_version,
            events,
            notifications,
            pickup,
            pickup_version,
            deliveries,
            call,
            media_fetches,
            kpi,
        } => {
            append(sql, &projection, expected_version, &events).await?;
            if let Some(cx) = kpi {
                let row = case_kpi(&projection, &cx)?;
                crate::kpis::put_case_kpis(sql, &[row], crate::kpis::Keep::of(&cx)).await?;
            }
            crate::channels::put_deliveries(sql, &deliveries).await?;
            crate::channels::put_media_fetches(sql, &media_fetches).await?;
            if let Some(call) = call {
                let (record, expected_version) = &*call;
                crate::calls::put_call(
                    sql,
                    kefu_desk::store::CallWrite {
                        record,
                        expected_version: *expected_version,
                    },
                )
                .await?;
            }
            outbox(sql, "case", projection.id.as_str(), projection.updated_at).await?;
            if let Some(p) = pickup {
                put_pickup(sql, &p, pickup_version).await?;
            }
            for n in &notifications {
                sql.execute(
                    "INSERT INTO notifications (id, user_id, created_at, read_at, doc) VALUES ($1, $2, $3, NULL, $4)",
                    &[
                        n.id.clone().into(),
                        n.user_id.to_string().into(),
                        to_millis(n.created_at).into(),
                        to_json(n)?.into(),
                    ],
                )
                .await?;
            }
        }
        WriteOp::PutChannelAccount {
            account,
            secrets,
            expected_version,
        } => crate::channels::put_account(sql, &account, &secrets, expected_version).await?,
        WriteOp::PutCall {
            record,
            expected_version,
        } => {
            crate::calls::put_call(
                sql,
                kefu_desk::store::CallWrite {
                    record: &record,
                    expected_version,
                },
            )
            .await?;
        }
        WriteOp::PutOrganisation {
            organisation,
            expected_version,
        } => crate::network::put_organisation(sql, &organisation, expected_version).await?,
        WriteOp::PutCaseKpis { rows, clear } => {
            if clear {
                crate::kpis::clear_kpis(sql).await?;
            }
            crate::kpis::put_case_kpis(sql, &rows, crate::kpis::Keep::default()).await?;
        }
        WriteOp::PutPromotionDay { day, at, replace } => {
            crate::staffing::put_promotion_day(sql, &day, at, replace).await?;
        }
        WriteOp::DeletePromotionDay(day) => {
            let n = crate::staffing::delete_promotion_day(sql, day).await?;
            return Ok(WriteOutput::Count(n));
        }
        WriteOp::PutSchedule(days) => crate::staffing::put_schedule(sql, &days).await?,
        WriteOp::PutRubric(rubric) => crate::quality::put_rubric(sql, &rubric).await?,
        WriteOp::QueueInspections(drawn) => {
            return Ok(WriteOutput::Ids(crate::quality::queue(sql, &drawn).await?));
        }
        WriteOp::PutInspection {
            inspection,
            expected_version,
            entry,
        } => crate::quality::put(sql, &inspection, expected_version, &entry).await?,
        WriteOp::PutImprovement {
            item,
            expected_version,
            entries,
        } => crate::causes::put_improvement(sql, &item, expected_version, &entries).await?,
        WriteOp::PutParcelVolumes { organisation, days } => {
            crate::network::put_parcel_volumes(sql, &organisation, &days).await?;
        }
        WriteOp::PutChannelStatus { id, status } => {
            crate::channels::put_status(sql, &id, &status).await?;
        }
        WriteOp::RecordInbound { record, thread_ids } => {
            let n = crate::channels::record_inbound(sql, &record, &thread_ids).await?;
            return Ok(WriteOutput::Count(n));
        }
        WriteOp::SettleInbound { record, expected } => {
            let n = crate::channels::settle_inbound(sql, &record, expected).await?;
            return Ok(WriteOutput::Count(n));
        }
        WriteOp::ClaimDeliveries {
            now,
            lease_until,
            limit,
        } => {
            let claimed = crate::channels::claim_deliveries(sql, now, lease_until, limit).await?;
            return Ok(WriteOutput::Deliveries(claimed));
        }
        WriteOp::PutMediaFetches(fetches) => {
            crate::channels::put_media_fetches(sql, &fetches).await?;
        }
        WriteOp::ClaimMediaFetches {
            now,
            lease_until,
            limit,
        } => {
            let claimed =
                crate::channels::claim_media_fetches(sql, now, lease_until, limit).await?;
            return Ok(WriteOutput::MediaFetches(claimed));
        }
        WriteOp::PutReportSchedule(schedule) => crate::reports::put(sql, &schedule).await?,
        WriteOp::DeleteReportSchedule(id) => {
            return Ok(WriteOutput::Count(crate::reports::delete(sql, &id).await?));
        }
        WriteOp::ClaimReportSchedules {
            now,
            lease_until,
            limit,
        } => {
            let claimed = crate::reports::claim(sql, now, lease_until, limit).await?;
            return Ok(WriteOutput::ReportSchedules(claimed));
        }
        WriteOp::PutKeyAccount {
            account,
            expected_version,
            grading,
        } => {
            crate::key_accounts::put(sql, &account, expected_version, grading.as_deref()).await?;
        }
        WriteOp::MarkRead { user, ids, at } => {
            let rows = sql
                .fetch(
                    "SELECT id, doc FROM notifications WHERE user_id = $1 AND read_at IS NULL",
                    &[user.clone().into()],
                )
                .await?;
            let mut marked = 0;
            for r in rows {
                let id = r.text(0)?.to_string();
                if !ids.is_empty() && !ids.contains(&id) {
                    continue;
                }
                let mut n: Notification = from_json(r.text(1)?)?;
                n.read_at = Some(from_millis(at));
                sql.execute(
                    "UPDATE notifications SET read_at = $2, doc = $3 WHERE id = $1",
                    &[id.into(), at.into(), to_json(&n)?.into()],
                )
                .await?;
                marked += 1;
            }
            return Ok(WriteOutput::Count(marked));
        }
        WriteOp::Import(records) => {
            for r in records {
                import_record(sql, r).await?;
            }
        }
        WriteOp::PutSlaPolicy {
            key,
            policy,
            only_if_absent,
            editor,
        } => {
            let old = config_before(sql, ConfigKind::SlaPolicy, &key, editor.is_some()).await?;
            put_sla_policy(sql, &key, &policy, only_if_absent).await?;
            if let Some(editor) = editor {
                record_config_change(sql, ConfigKind::SlaPolicy, &key, old, &editor).await?;
            }
        }
        WriteOp::PutCalendar {
            key,
            spec,
            at,
            only_if_absent,
            editor,
        } => {
            let old = config_before(sql, ConfigKind::Calendar, &key, editor.is_some()).await?;
            let stmt = if only_if_absent {
                "INSERT INTO calendars (key, updated_at, doc) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING"
            } else {
                "INSERT INTO calendars (key, updated_at, doc) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at, doc = excluded.doc"
            };
            sql.execute(
                stmt,
                &[key.clone().into(), at.into(), to_json(&spec)?.into()],
            )
            .await?;
            if let Some(editor) = editor {
                record_config_change(sql, ConfigKind::Calendar, &key, old, &editor).await?;
            }
        }
        WriteOp::AppendAudit(entry) => insert_audit(sql, &entry).await?,
        WriteOp::InsertConversation(c) => insert_conversation(sql, &c).await?,
        WriteOp::MarkConversationRead {
            case_id,
            staff,
            seq,
        } => {
            // Read marks only move forward: a late "read up to 3" after "read up to 9" is moot.
            let stmt = if staff {
                "UPDATE chat_conversations SET staff_read_seq = $2 WHERE case_id = $1 AND staff_read_seq < $2"
            } else {
                "UPDATE chat_conversations SET customer_read_seq = $2 WHERE case_id = $1 AND customer_read_seq < $2"
            };
            let n = sql.execute(stmt, &[case_id.into(), seq.into()]).await?;
            return Ok(WriteOutput::Count(n));
        }
        WriteOp::PutAgentProfile(p) => put_agent_profile(sql, &p).await?,
        WriteOp::PutCanned {
            reply,
            only_if_absent,
        } => put_canned(sql, &reply, only_if_absent).await?,
        WriteOp::PutArticle { article, write } => put_article(sql, &article, write).await?,
        WriteOp::AddArticleFeedback(f) => insert_feedback(sql, &f).await?,
        WriteOp::AddSearchGap(g) => insert_gap(sql, &g).await?,
        WriteOp::PutAttachment(a) => insert_attachment(sql, &a).await?,
        WriteOp::PutShipments { rows, changes } => {
            for (shipment, expected) in rows {
                put_shipment(sql, &shipment, expected).await?;
                outbox(sql, "shipment", &shipment.waybill_no, shipment.updated_at).await?;
            }
            for change in &changes {
                insert_shipment_change(sql, change).await?;
            }
        }
        WriteOp::PutSetting {
            key,
            doc,
            at,
            editor,
        } => {
            let old = config_before(sql, ConfigKind::Setting, &key, editor.is_some()).await?;
            sql.execute(
                "INSERT INTO settings (key, updated_at, doc) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at, doc = excluded.doc",
                &[key.clone().into(), at.into(), doc.into()],
            )
            .await?;
            if let Some(editor) = editor {
                record_config_change(sql, ConfigKind::Setting, &key, old, &editor).await?;
            }
        }
        WriteOp::PutPickup {
            pickup,
            expected_version,
        } => put_pickup(sql, &pickup, expected_version).await?,
        WriteOp::FinishImport => {
            let stmt = match sql.dialect() {
                Dialect::Sqlite => {
                    "UPDATE counters SET value = (SELECT COALESCE(MAX(number_seq), 0) FROM cases) WHERE name = 'case_number'"
                }
                Dialect::Postgres => {
                    "SELECT setval('case_number_seq', COALESCE((SELECT MAX(number_seq) FROM cases), 0) + 1, false)"
                }
            };
            sql.fetch(stmt, &[]).await?;
        }
    }
    Ok(WriteOutput::Done)
}

/// Writes a conversation with its read marks in their columns (where reads take them from);
/// the document's copy is only what they were when it was written.
async fn insert_conversation(
    sql: &mut dyn Sql,
    c: &kefu_model::chat::ChatConversation,
) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO chat_conversations (case_id, token_hash, visitor_id, created_at, customer_read_seq, staff_read_seq, doc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            c.case_id.to_string().into(),
            c.token_hash.clone().into(),
            c.visitor_id.clone().into(),
            to_millis(c.created_at).into(),
            c.customer_read_seq.into(),
            c.staff_read_seq.into(),
            to_json(c)?.into(),
        ],
    )
    .await
    // Name the missing row: an import whose dump lacks the case should say which one.
    .map_err(|e| match e.kind {
        SqlErrorKind::ForeignKey => StoreError::NotFound(format!("case {}", c.case_id)),
        _ => named_duplicate(e, "conversation".to_string()),
    })?;
    Ok(())
}

async fn put_agent_profile(
    sql: &mut dyn Sql,
    p: &kefu_model::routing::AgentProfile,
) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO agent_presence (user_id, updated_at, doc) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at, doc = excluded.doc",
        &[
            p.user_id.to_string().into(),
            to_millis(p.updated_at).into(),
            to_json(p)?.into(),
        ],
    )
    .await
    // As above, for the user.
    .map_err(|e| match e.kind {
        SqlErrorKind::ForeignKey => StoreError::NotFound(format!("user {}", p.user_id)),
        _ => e.into(),
    })?;
    Ok(())
}

/// Creates or replaces a canned reply; `only_if_absent` keeps an existing row (the shipped
/// replies are installed that way, so an edit or an archive survives a restart).
async fn put_canned(
    sql: &mut dyn Sql,
    r: &kefu_model::canned::CannedReply,
    only_if_absent: bool,
) -> StoreResult<()> {
    let stmt = if only_if_absent {
        "INSERT INTO canned_replies (id, scope, owner_id, department_id, is_macro, archived, search_text, updated_at, doc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING"
    } else {
        "INSERT INTO canned_replies (id, scope, owner_id, department_id, is_macro, archived, search_text, updated_at, doc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, owner_id = excluded.owner_id, \
         department_id = excluded.department_id, is_macro = excluded.is_macro, archived = excluded.archived, \
         search_text = excluded.search_text, updated_at = excluded.updated_at, doc = excluded.doc"
    };
    sql.execute(
        stmt,
        &[
            r.id.clone().into(),
            r.scope.as_str().to_string().into(),
            r.owner_id.as_ref().map(|u| u.to_string()).into(),
            r.department_id.as_ref().map(|d| d.to_string()).into(),
            i64::from(r.is_macro()).into(),
            i64::from(r.archived).into(),
            r.search_text().into(),
            to_millis(r.updated_at).into(),
            to_json(r)?.into(),
        ],
    )
    .await
    .map_err(|e| match e.kind {
        SqlErrorKind::ForeignKey => StoreError::NotFound("owner or department".to_string()),
        _ => e.into(),
    })?;
    Ok(())
}

pub(crate) async fn canned_reply(
    sql: &mut dyn Sql,
    id: &str,
) -> StoreResult<Option<kefu_model::canned::CannedReply>> {
    one_doc(sql, "SELECT doc FROM canned_replies WHERE id = $1", id).await
}

/// The caller's usable replies: team ones for everyone or their department, their own
/// personal ones; optionally only one scope, macros or plain replies, and containing a text.
pub(crate) async fn list_canned(
    sql: &mut dyn Sql,
    q: &kefu_model::records::CannedQuery,
) -> StoreResult<Vec<kefu_model::canned::CannedReply>> {
    // A user without a department matches no department row: '' is never an id.
    let department = q
        .department_id
        .as_ref()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let mut args: Vec<Value> = vec![department.into(), q.user_id.to_string().into()];
    let mut query = String::from(
        "SELECT doc FROM canned_replies WHERE archived = 0 AND \
         ((scope = 'team' AND (department_id IS NULL OR department_id = $1)) \
          OR (scope = 'personal' AND owner_id = $2))",
    );
    if let Some(scope) = q.scope {
        args.push(scope.as_str().to_string().into());
        query.push_str(&format!(" AND scope = ${}", args.len()));
    }
    if let Some(macros) = q.macros {
        args.push(i64::from(macros).into());
        query.push_str(&format!(" AND is_macro = ${}", args.len()));
    }
    if let Some(text) = &q.text {
        // Taken literally: the user's `%`, `_` and `\` are escaped.
        args.push(format!("%{}%", like_escaped(&text.to_lowercase())).into());
        query.push_str(&format!(
            " AND search_text LIKE ${} ESCAPE '\\'",
            args.len()
        ));
    }
    query.push_str(&format!(" ORDER BY updated_at DESC, id LIMIT {}", q.limit));
    docs(&sql.fetch(&query, &args).await?)
}

async fn insert_attachment(
    sql: &mut dyn Sql,
    a: &kefu_model::attachment::StoredAttachment,
) -> StoreResult<()> {
    use base64::Engine as _;
    sql.execute(
        "INSERT INTO attachments (id, case_id, created_at, doc, data) VALUES ($1, $2, $3, $4, $5)",
        &[
            a.attachment.id.clone().into(),
            a.case_id.to_string().into(),
            to_millis(a.created_at).into(),
            to_json(&a.attachment)?.into(),
            base64::engine::general_purpose::STANDARD
                .encode(&a.bytes)
                .into(),
        ],
    )
    .await
    // As above: a dump's attachment of a case it lacks names that case.
    .map_err(|e| match e.kind {
        SqlErrorKind::ForeignKey => StoreError::NotFound(format!("case {}", a.case_id)),
        _ => named_duplicate(e, format!("attachment {}", a.attachment.id)),
    })?;
    Ok(())
}

pub(crate) async fn insert_department_row(sql: &mut dyn Sql, d: &Department) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO departments (id, key, doc) VALUES ($1, $2, $3)",
        &[
            d.id.to_string().into(),
            d.key.clone().into(),
            to_json(d)?.into(),
        ],
    )
    .await
    .map_err(|e| named_duplicate(e, format!("department {}", d.key)))?;
    Ok(())
}

async fn insert_user(sql: &mut dyn Sql, u: &User) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO users (id, username, doc) VALUES ($1, $2, $3)",
        &[
            u.id.to_string().into(),
            u.username.clone().into(),
            to_json(u)?.into(),
        ],
    )
    .await
    .map_err(|e| named_duplicate(e, format!("user {}", u.username)))?;
    Ok(())
}

fn named_duplicate(e: crate::conn::SqlError, what: String) -> StoreError {
    if e.kind == SqlErrorKind::Unique {
        StoreError::Duplicate(what)
    } else {
        StoreError::Backend(e.message)
    }
}

/// Notes in the search outbox, inside the caller's transaction, that an entity changed.
async fn outbox(
    sql: &mut dyn Sql,
    kind: &str,
    entity_id: &str,
    at: jiff::Timestamp,
) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO search_outbox (kind, entity_id, at) VALUES ($1, $2, $3)",
        &[kind.into(), entity_id.into(), to_millis(at).into()],
    )
    .await?;
    Ok(())
}

pub(crate) async fn search_outbox(
    sql: &mut dyn Sql,
    after: i64,
    since: jiff::Timestamp,
    limit: u32,
) -> StoreResult<Vec<kefu_model::records::OutboxEntry>> {
    let limit = limit.clamp(1, 10_000);
    sql.fetch(
        &format!(
            "SELECT id, kind, entity_id, at FROM search_outbox WHERE id > $1 OR at >= $2 ORDER BY id LIMIT {limit}"
        ),
        &[after.into(), to_millis(since).into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(kefu_model::records::OutboxEntry {
            id: r.int(0)?,
            kind: r.text(1)?.to_string(),
            entity_id: r.text(2)?.to_string(),
            at: from_millis(r.int(3)?),
        })
    })
    .collect()
}

async fn insert_customer(sql: &mut dyn Sql, c: &Customer) -> StoreResult<()> {
    // Name the contact that is taken, rather than reporting a bare constraint violation.
    for (kind, value) in contact_keys(c) {
        if customer_id_by_contact(sql, kind, &value).await?.is_some() {
            return Err(StoreError::Duplicate(format!("{kind} {value}")));
        }
    }
    sql.execute(
        "INSERT INTO customers (id, created_at, doc, name_key, version) VALUES ($1, $2, $3, $4, $5)",
        &[
            c.id.to_string().into(),
            to_millis(c.created_at).into(),
            to_json(c)?.into(),
            c.name.trim().to_lowercase().into(),
            c.version.into(),
        ],
    )
    .await?;
    insert_contacts(sql, c).await
}

async fn insert_contacts(sql: &mut dyn Sql, c: &Customer) -> StoreResult<()> {
    for (kind, value) in contact_keys(c) {
        sql.execute(
            "INSERT INTO customer_contacts (kind, value, customer_id) VALUES ($1, $2, $3)",
            &[kind.into(), value.clone().into(), c.id.to_string().into()],
        )
        .await
        .map_err(|e| named_duplicate(e, format!("{kind} {value}")))?;
    }
    Ok(())
}

/// An edit or a merge (see `DirectoryStore::write_customers`): the records at their versions, their
/// contacts (all of the written customers' rows go first, so a contact can pass from one to
/// the other), their events, the moved cases, and the outbox.
async fn write_customers(
    sql: &mut dyn Sql,
    write: &kefu_model::records::CustomerWrite,
) -> StoreResult<()> {
    for (c, expected) in &write.customers {
        let changed = sql
            .execute(
                "UPDATE customers SET doc = $2, name_key = $3, version = $4 WHERE id = $1 AND version = $5",
                &[
                    c.id.to_string().into(),
                    to_json(c)?.into(),
                    c.name.trim().to_lowercase().into(),
                    c.version.into(),
                    (*expected).into(),
                ],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::VersionConflict);
        }
        sql.execute(
            "DELETE FROM customer_contacts WHERE customer_id = $1",
            &[c.id.to_string().into()],
        )
        .await?;
    }
    for (c, _) in &write.customers {
        for (kind, value) in contact_keys(c) {
            if let Some(owner) = customer_id_by_contact(sql, kind, &value).await? {
                return Err(StoreError::Duplicate(format!(
                    "{kind} {value} (customer {owner})"
                )));
            }
        }
        insert_contacts(sql, c).await?;
    }
    for e in &write.events {
        let next = fetch_optional(
            sql,
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM customer_events WHERE customer_id = $1",
            &[e.customer_id.to_string().into()],
        )
        .await?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(1);
        let numbered = kefu_model::customer::CustomerEvent {
            seq: next,
            ..e.clone()
        };
        insert_customer_event(sql, &numbered).await?;
    }
    for a in &write.cases {
        append(sql, &a.projection, a.expected_version, &a.events).await?;
        outbox(
            sql,
            "case",
            a.projection.id.as_str(),
            a.projection.updated_at,
        )
        .await?;
    }
    for (c, _) in &write.customers {
        outbox(sql, "customer", c.id.as_str(), c.updated_at).await?;
    }
    Ok(())
}

async fn insert_customer_event(
    sql: &mut dyn Sql,
    e: &kefu_model::customer::CustomerEvent,
) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO customer_events (customer_id, seq, version, actor, at, field, doc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            e.customer_id.to_string().into(),
            e.seq.into(),
            e.version.into(),
            e.actor.clone().into(),
            to_millis(e.at).into(),
            e.field.clone().into(),
            to_json(e)?.into(),
        ],
    )
    .await
    .map_err(|err| match err.kind {
        SqlErrorKind::Unique => StoreError::VersionConflict,
        SqlErrorKind::ForeignKey => StoreError::NotFound(format!("customer {}", e.customer_id)),
        _ => StoreError::Backend(err.message),
    })?;
    Ok(())
}

pub(crate) async fn customer_events(
    sql: &mut dyn Sql,
    id: &CustomerId,
) -> StoreResult<Vec<kefu_model::customer::CustomerEvent>> {
    docs(
        &sql.fetch(
            "SELECT doc FROM customer_events WHERE customer_id = $1 ORDER BY seq",
            &[id.to_string().into()],
        )
        .await?,
    )
}

async fn customer_id_by_contact(
    sql: &mut dyn Sql,
    kind: &str,
    value: &str,
) -> StoreResult<Option<CustomerId>> {
    let row = fetch_optional(
        sql,
        "SELECT customer_id FROM customer_contacts WHERE kind = $1 AND value = $2",
        &[kind.into(), value.into()],
    )
    .await?;
    row.map(|r| r.text(0).map(|s| CustomerId::from_stored(s.to_string())))
        .transpose()
}

async fn next_case_seq(sql: &mut dyn Sql) -> StoreResult<i64> {
    let stmt = match sql.dialect() {
        Dialect::Sqlite => {
            "UPDATE counters SET value = value + 1 WHERE name = 'case_number' RETURNING value"
        }
        Dialect::Postgres => "SELECT nextval('case_number_seq')",
    };
    fetch_optional(sql, stmt, &[])
        .await?
        .ok_or_else(|| StoreError::Backend("case number counter missing".into()))?
        .int(0)
}

async fn create_case(sql: &mut dyn Sql, new_case: NewCase) -> StoreResult<CreatedCase> {
    if let Some(key) = &new_case.idempotency {
        let earlier = fetch_optional(
            sql,
            "SELECT request_hash, case_id FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            &[key.user_id.to_string().into(), key.key.clone().into()],
        )
        .await?;
        if let Some(row) = earlier {
            if row.text(0)? != key.request_hash {
                return Err(StoreError::IdempotencyMismatch);
            }
            let id = CaseId::from_stored(row.text(1)?.to_string());
            let case = case_by(sql, "id", id.as_str())
                .await?
                .ok_or_else(|| StoreError::Backend("idempotent case vanished".into()))?;
            return Ok(CreatedCase {
                case,
                replayed: true,
            });
        }
    }
    let customer_id = match new_case.customer {
        // The foreign key on cases.customer_id checks that it exists (see insert_case_row).
        CustomerChoice::Existing(id) => id,
        CustomerChoice::FindOrCreate(candidate) => {
            let mut found = None;
            for (kind, value) in contact_keys(&candidate) {
                found = customer_id_by_contact(sql, kind, &value).await?;
                if found.is_some() {
                    break;
                }
            }
            match found {
                Some(id) => id,
                None => {
                    insert_customer(sql, &candidate).await?;
                    candidate.id
                }
            }
        }
    };
    let seq = next_case_seq(sql).await?;
    let mut event = new_case.template;
    if let EventData::Created {
        number,
        customer_id: cid,
        ..
    } = &mut event.data
    {
        *number = case_number(&new_case.number_date, seq);
        *cid = customer_id;
    }
    let mut case = Case::from_created(&event)
        .ok_or_else(|| StoreError::Backend("a new case must start with a created event".into()))?;
    let mut events = vec![event];
    for (i, data) in new_case.then.into_iter().enumerate() {
        let next = CaseEvent {
            seq: 2 + i as i64,
            data,
            actor: new_case.then_actor.clone(),
            ..events[0].clone()
        };
        case.apply(&next);
        events.push(next);
    }
    insert_case_row(sql, &case).await?;
    for e in &events {
        insert_event(sql, e).await?;
    }
    if let Some(cx) = &new_case.kpi {
        let row = case_kpi(&case, cx)?;
        crate::kpis::put_case_kpis(sql, &[row], crate::kpis::Keep::of(cx)).await?;
    }
    if let Some(key) = new_case.idempotency {
        sql.execute(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, case_id, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[
                key.user_id.to_string().into(),
                key.key.into(),
                key.request_hash.into(),
                case.id.to_string().into(),
                to_millis(case.created_at).into(),
            ],
        )
        .await?;
    }
    Ok(CreatedCase {
        case,
        replayed: false,
    })
}

/// A case's row of key figures (a calendar that cannot measure is the store's error: the
/// desk checked its calendars when it loaded them).
fn case_kpi(
    case: &Case,
    cx: &kefu_model::kpi::KpiContext,
) -> StoreResult<kefu_model::kpi::CaseKpi> {
    kefu_model::kpi::CaseKpi::of(case, cx)
        .map_err(|e| StoreError::Backend(format!("the figures of case {}: {e}", case.number)))
}

fn case_columns(case: &Case) -> StoreResult<Vec<Value>> {
    Ok(vec![
        case.id.to_string().into(),
        case.number.clone().into(),
        case_number_seq(&case.number).unwrap_or(0).into(),
        case.version.into(),
        case.status.as_str().into(),
        case.channel.as_str().into(),
        case.category.as_str().into(),
        case.priority.as_str().into(),
        case.customer_id.to_string().into(),
        case.assignee.as_ref().map(|a| a.to_string()).into(),
        case.department.as_ref().map(|d| d.to_string()).into(),
        to_millis(case.received_at).into(),
        to_millis(case.created_at).into(),
        to_millis(case.updated_at).into(),
        to_json(case)?.into(),
        case.first_response_at.map(to_millis).into(),
        case.resolved_at.map(to_millis).into(),
        i64::from(case.sla.iter().any(|c| c.state == ClockState::Breached)).into(),
        i64::from(case.escalation_level).into(),
        case.department_due_at
            .filter(|_| case.department.is_some())
            .map(to_millis)
            .into(),
    ])
}

async fn insert_case_row(sql: &mut dyn Sql, case: &Case) -> StoreResult<()> {
    let customer = case.customer_id.to_string();
    sql.execute(
        "INSERT INTO cases (id, number, number_seq, version, status, channel, category, priority, customer_id, \
         assignee_id, department_id, received_at, created_at, updated_at, doc, first_response_at, resolved_at, \
         breached, escalation_level, department_due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        &case_columns(case)?,
    )
    .await
    .map_err(|e| match e.kind {
        SqlErrorKind::ForeignKey => StoreError::NotFound(format!("customer {customer}")),
        _ => named_duplicate(e, format!("case {}", case.number)),
    })?;
    // A new row has no timers to replace; an imported case brings its orders.
    insert_timers(sql, case).await?;
    sync_survey(sql, case).await?;
    crate::causes::sync_causes(sql, case).await?;
    crate::network::sync_work_orders(sql, case, None).await
}

/// One timer per running clock of the case, replacing what was there: timers are derived from
/// the projection and written in the same transaction, so they cannot drift from it.
async fn sync_timers(sql: &mut dyn Sql, case: &Case) -> StoreResult<()> {
    sql.execute(
        "DELETE FROM case_timers WHERE case_id = $1",
        &[case.id.to_string().into()],
    )
    .await?;
    insert_timers(sql, case).await
}

async fn insert_timers(sql: &mut dyn Sql, case: &Case) -> StoreResult<()> {
    let id = case.id.to_string();
    let mut timers: Vec<(String, jiff::Timestamp)> = case
        .sla
        .iter()
        .filter(|clock| clock.state == ClockState::Running)
        .flat_map(|clock| {
            let due = clock
                .due_at
                .map(|due| (clock.kind.as_str().to_string(), due));
            let warnings = clock
                .warnings
                .iter()
                .map(|(pct, at)| (format!("warn:{}:{pct}", clock.kind), *at));
            due.into_iter().chain(warnings)
        })
        .collect();
    for c in case
        .commitments
        .iter()
        .filter(|c| c.state == CommitmentState::Open)
    {
        timers.push((format!("commitment:{}", c.id), c.due_at));
        if !c.reminded && c.remind_at < c.due_at {
            timers.push((format!("reminder:{}", c.id), c.remind_at));
        }
    }
    if let (Some(d), Some(due)) = (&case.department, case.department_due_at)
        && !case.department_overdue
    {
        timers.push((format!("department:{d}"), due));
    }
    for c in case.claims.iter().filter(|c| c.is_open() && !c.overdue) {
        if let Some(due) = c.step_due_at {
            timers.push((format!("claim:{}", c.id), due));
        }
    }
    for o in &case.work_orders {
        if let Some(due) = o.next_due() {
            timers.push((format!("order:{}", o.id), due));
        }
    }
    if let Some(f) = case.survey.as_ref().and_then(|s| s.follow_up.as_ref())
        && f.state == kefu_model::survey::FollowUpState::Open
    {
        timers.push(("follow_up".to_string(), f.due_at));
    }
    for (name, due) in timers {
        sql.execute(
            "INSERT INTO case_timers (case_id, clock, due_at) VALUES ($1, $2, $3)",
            &[id.clone().into(), name.into(), to_millis(due).into()],
        )
        .await?;
    }
    Ok(())
}

async fn put_sla_policy(
    sql: &mut dyn Sql,
    key: &str,
    policy: &SlaPolicy,
    only_if_absent: bool,
) -> StoreResult<()> {
    let stmt = if only_if_absent {
        "INSERT INTO sla_policies (key, position, doc) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING"
    } else {
        "INSERT INTO sla_policies (key, position, doc) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET position = excluded.position, doc = excluded.doc"
    };
    sql.execute(
        stmt,
        &[key.into(), policy.order.into(), to_json(policy)?.into()],
    )
    .await?;
    Ok(())
}

pub(crate) async fn list_sla_policies(sql: &mut dyn Sql) -> StoreResult<Vec<(String, SlaPolicy)>> {
    sql.fetch(
        "SELECT key, doc FROM sla_policies ORDER BY position, key",
        &[],
    )
    .await?
    .iter()
    .map(|r| Ok((r.text(0)?.to_string(), from_json(r.text(1)?)?)))
    .collect()
}

pub(crate) async fn due_timers(
    sql: &mut dyn Sql,
    now: i64,
    limit: u32,
) -> StoreResult<Vec<CaseId>> {
    // A range scan of the due_at index (grouping by case would make the planner walk every
    // timer): the idle cost stays one index probe however many clocks are running.
    let rows = sql
        .fetch(
            &format!(
                "SELECT case_id FROM case_timers WHERE due_at <= $1 ORDER BY due_at LIMIT {limit}"
            ),
            &[now.into()],
        )
        .await?;
    let mut ids: Vec<CaseId> = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = CaseId::from_stored(r.text(0)?.to_string());
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

pub(crate) async fn next_timer_due(sql: &mut dyn Sql) -> StoreResult<Option<i64>> {
    let row = fetch_optional(
        sql,
        "SELECT due_at FROM case_timers ORDER BY due_at LIMIT 1",
        &[],
    )
    .await?;
    row.map(|r| r.int(0)).transpose()
}

async fn insert_event(sql: &mut dyn Sql, e: &CaseEvent) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO case_events (case_id, seq, type, actor, at, data) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            e.case_id.to_string().into(),
            e.seq.into(),
            e.data.type_name().into(),
            e.actor.clone().into(),
            to_millis(e.at).into(),
            to_json(&e.data)?.into(),
        ],
    )
    .await
    .map_err(|err| {
        if err.kind == SqlErrorKind::Unique {
            StoreError::VersionConflict
        } else {
            StoreError::Backend(err.message)
        }
    })?;
    Ok(())
}

async fn append(
    sql: &mut dyn Sql,
    projection: &Case,
    expected_version: i64,
    events: &[CaseEvent],
) -> StoreResult<()> {
    let mut args = case_columns(projection)?;
    args.push(expected_version.into());
    let changed = sql
        .execute(
            "UPDATE cases SET number = $2, number_seq = $3, version = $4, status = $5, channel = $6, category = $7, \
             priority = $8, customer_id = $9, assignee_id = $10, department_id = $11, received_at = $12, \
             created_at = $13, updated_at = $14, doc = $15, first_response_at = $16, resolved_at = $17, \
             breached = $18, escalation_level = $19, department_due_at = $20 WHERE id = $1 AND version = $21",
            &args,
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::VersionConflict);
    }
    sync_timers(sql, projection).await?;
    sync_survey(sql, projection).await?;
    crate::causes::sync_causes(sql, projection).await?;
    for e in events {
        insert_event(sql, e).await?;
    }
    let orders: Vec<&str> = events
        .iter()
        .filter_map(|e| e.data.work_order_id())
        .collect();
    if !orders.is_empty() {
        crate::network::sync_work_orders(sql, projection, Some(&orders)).await?;
    }
    Ok(())
}

async fn import_record(sql: &mut dyn Sql, record: ExportRecord) -> StoreResult<()> {
    match record {
        ExportRecord::Department(d) => insert_department_row(sql, &d).await,
        ExportRecord::User(u) => insert_user(sql, &u).await,
        ExportRecord::Customer(c) => insert_customer(sql, &c).await,
        ExportRecord::Case(c) => insert_case_row(sql, &c).await,
        ExportRecord::CaseEvent(e) => insert_event(sql, &e).await,
        ExportRecord::SlaPolicy(p) => put_sla_policy(sql, &p.key, &p.policy, false).await,
        ExportRecord::Setting(setting) => sql
            .execute(
                "INSERT INTO settings (key, updated_at, doc) VALUES ($1, 0, $2)",
                &[setting.key.into(), to_json(&setting.value)?.into()],
            )
            .await
            .map(|_| ())
            .map_err(StoreError::from),
        ExportRecord::Shipment(s) => put_shipment(sql, &s, None).await,
        ExportRecord::Pickup(p) => put_pickup(sql, &p, None).await,
        ExportRecord::Audit(a) => insert_audit(sql, &a).await,
        ExportRecord::ChatConversation(c) => insert_conversation(sql, &c).await,
        ExportRecord::Attachment(a) => insert_attachment(sql, &(*a).into()).await,
        // The target has no profiles yet (it is empty), so this inserts.
        ExportRecord::AgentPresence(p) => put_agent_profile(sql, &p).await,
        // The target installed the shipped replies when it started; the dump's win.
        ExportRecord::CannedReply(r) => put_canned(sql, &r, false).await,
        // As the shipped replies: the target installed the shipped articles; the dump's win.
        ExportRecord::Article(a) => write_article_row(sql, &a, ARTICLE_UPSERT).await.map(|_| ()),
        ExportRecord::ArticleVersion(a) => write_article_version(sql, &a).await,
        ExportRecord::ArticleFeedback(f) => insert_feedback(sql, &f).await,
        ExportRecord::SearchGap(g) => insert_gap(sql, &g).await,
        ExportRecord::ConfigChange(c) => insert_config_change(sql, &c).await,
        ExportRecord::ShipmentChange(c) => insert_shipment_change(sql, &c).await,
        ExportRecord::CustomerEvent(e) => insert_customer_event(sql, &e).await,
        ExportRecord::ChannelAccount(a) => crate::channels::import_account(sql, &a).await,
        ExportRecord::InboundMessage(m) => crate::channels::import_inbound(sql, &m).await,
        ExportRecord::MailThread(t) => crate::channels::import_mail_thread(sql, &t).await,
        ExportRecord::Delivery(d) => crate::channels::import_delivery(sql, &d).await,
        ExportRecord::Call(c) => crate::calls::import_call(sql, &c).await,
        ExportRecord::Organisation(o) => crate::network::import_organisation(sql, &o).await,
        ExportRecord::Improvement(i) => {
            crate::causes::put_improvement(sql, &i.item, None, &i.history).await
        }
        ExportRecord::QualityRubric(r) => crate::quality::import_rubric(sql, &r).await,
        ExportRecord::Inspection(i) => crate::quality::import_inspection(sql, &i).await,
        ExportRecord::PromotionDay(p) => crate::staffing::import_promotion(sql, &p).await,
        ExportRecord::StaffingPlan(d) => crate::staffing::put_schedule(sql, &[*d]).await,
        ExportRecord::MediaFetch(m) => crate::channels::put_media_fetches(sql, &[*m]).await,
        ExportRecord::ReportSchedule(r) => crate::reports::put(sql, &r).await,
        ExportRecord::KeyAccount(a) => crate::key_accounts::put(sql, &a, None, None).await,
        ExportRecord::KeyAccountGrading(g) => crate::key_accounts::insert_grading(sql, &g).await,
        ExportRecord::ParcelVolume(v) => {
            let day = kefu_model::work_order::DayVolume {
                day: v.day,
                parcels: v.parcels,
            };
            crate::network::put_parcel_volumes(sql, &v.organisation, &[day]).await
        }
        ExportRecord::Calendar(c) => {
            // The target installed the built-in calendars when it started; the dump's win.
            sql.execute(
                "INSERT INTO calendars (key, updated_at, doc) VALUES ($1, 0, $2) \
                 ON CONFLICT (key) DO UPDATE SET doc = excluded.doc",
                &[c.key.clone().into(), to_json(&c.spec)?.into()],
            )
            .await?;
            Ok(())
        }
    }
}

// ---- reads ----------------------------------------------------------------------------------

pub(crate) async fn case_by(
    sql: &mut dyn Sql,
    column: &str,
    value: &str,
) -> StoreResult<Option<Case>> {
    let query = match column {
        "id" => "SELECT doc FROM cases WHERE id = $1",
        _ => "SELECT doc FROM cases WHERE number = $1",
    };
    fetch_optional(sql, query, &[value.into()])
        .await?
        .map(|r| from_json(r.text(0)?))
        .transpose()
}

pub(crate) async fn one_doc<T: DeserializeOwned>(
    sql: &mut dyn Sql,
    query: &str,
    key: &str,
) -> StoreResult<Option<T>> {
    fetch_optional(sql, query, &[key.into()])
        .await?
        .map(|r| from_json(r.text(0)?))
        .transpose()
}

pub(crate) async fn all_docs<T: DeserializeOwned>(
    sql: &mut dyn Sql,
    query: &str,
) -> StoreResult<Vec<T>> {
    docs(&sql.fetch(query, &[]).await?)
}

pub(crate) async fn session(sql: &mut dyn Sql, token_hash: &str) -> StoreResult<Option<Session>> {
    let row = fetch_optional(
        sql,
        "SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = $1",
        &[token_hash.into()],
    )
    .await?;
    row.map(|r| {
        Ok(Session {
            token_hash: r.text(0)?.to_string(),
            user_id: UserId::from_stored(r.text(1)?.to_string()),
            created_at: from_millis(r.int(2)?),
            expires_at: from_millis(r.int(3)?),
        })
    })
    .transpose()
}

pub(crate) async fn customer_by_contact(
    sql: &mut dyn Sql,
    kind: &str,
    value: &str,
) -> StoreResult<Option<Customer>> {
    fetch_optional(
        sql,
        "SELECT c.doc FROM customers c JOIN customer_contacts k ON k.customer_id = c.id \
         WHERE k.kind = $1 AND k.value = $2",
        &[kind.into(), value.into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

/// Builds a `WHERE` clause with numbered placeholders.
#[derive(Default)]
struct Filter {
    clauses: Vec<String>,
    args: Vec<Value>,
}

impl Filter {
    /// `clause` contains `?` where the next placeholder goes.
    fn add(&mut self, clause: &str, value: impl Into<Value>) {
        self.args.push(value.into());
        self.clauses
            .push(clause.replace('?', &format!("${}", self.args.len())));
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// Fetches `limit + 1` documents to know whether another page follows.
async fn page<T: DeserializeOwned>(
    sql: &mut dyn Sql,
    table: &str,
    filter: Filter,
    limit: u32,
    id_of: impl Fn(&T) -> String,
) -> StoreResult<Page<T>> {
    let query = format!(
        "SELECT doc FROM {table}{} ORDER BY id DESC LIMIT {}",
        filter.sql(),
        limit + 1
    );
    let mut items: Vec<T> = docs(&sql.fetch(&query, &filter.args).await?)?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(&id_of)
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

pub(crate) async fn list_cases(sql: &mut dyn Sql, q: &CaseQuery) -> StoreResult<Page<Case>> {
    use kefu_model::records::CaseSort;
    let mut f = case_filter(q);
    let order = match q.sort {
        CaseSort::Newest => {
            if let Some(b) = &q.before {
                f.add("id < ?", b.to_string());
            }
            return page(sql, "cases", f, q.limit, |c: &Case| c.id.to_string()).await;
        }
        CaseSort::Oldest => "id ASC",
        CaseSort::Priority => "priority ASC, id DESC",
        CaseSort::DueSoonest => {
            "(SELECT MIN(due_at) FROM case_timers t WHERE t.case_id = cases.id) ASC NULLS LAST, id DESC"
        }
        CaseSort::DepartmentDue => "department_due_at ASC NULLS LAST, id DESC",
    };
    let query = format!(
        "SELECT doc FROM cases{} ORDER BY {order} LIMIT {}",
        f.sql(),
        q.limit
    );
    Ok(Page {
        items: docs(&sql.fetch(&query, &f.args).await?)?,
        next_cursor: None,
    })
}

pub(crate) async fn count_cases(sql: &mut dyn Sql, q: &CaseQuery) -> StoreResult<i64> {
    let f = case_filter(q);
    fetch_optional(
        sql,
        &format!("SELECT COUNT(*) FROM cases{}", f.sql()),
        &f.args,
    )
    .await?
    .ok_or_else(|| StoreError::Backend("count returned nothing".into()))?
    .int(0)
}

fn case_filter(q: &CaseQuery) -> Filter {
    let mut f = Filter::default();
    if q.unassigned {
        f.clauses.push("assignee_id IS NULL".into());
    }
    if q.open_only {
        f.clauses
            .push("status NOT IN ('resolved', 'closed')".into());
    }
    if let Some(due) = q.clock_due_before {
        f.add(
            "id IN (SELECT case_id FROM case_timers WHERE due_at <= ? \
             AND clock NOT LIKE 'commitment:%' AND clock NOT LIKE 'reminder:%' AND clock NOT LIKE 'claim:%' \
             AND clock NOT LIKE 'department:%')",
            to_millis(due),
        );
    }
    if q.transferred {
        f.clauses.push("department_id IS NOT NULL".into());
    }
    if q.live_chat {
        f.clauses
            .push("id IN (SELECT case_id FROM chat_conversations)".into());
    }
    if q.open_promises {
        f.clauses
            .push("id IN (SELECT case_id FROM case_timers WHERE clock LIKE 'commitment:%')".into());
    }
    if let Some(s) = q.status {
        f.add("status = ?", s.as_str());
    }
    if let Some(c) = q.category {
        f.add("category = ?", c.as_str());
    }
    if let Some(p) = q.priority {
        f.add("priority = ?", p.as_str());
    }
    if let Some(c) = &q.customer_id {
        f.add("customer_id = ?", c.to_string());
    }
    if let Some(a) = &q.assignee {
        f.add("assignee_id = ?", a.to_string());
    }
    if let Some(d) = &q.department {
        f.add("department_id = ?", d.to_string());
    }
    if let Some(p) = &q.phone {
        f.add(
            "customer_id IN (SELECT customer_id FROM customer_contacts WHERE kind = 'phone' AND value = ?)",
            p.as_str(),
        );
    }
    f
}

pub(crate) async fn list_customers(
    sql: &mut dyn Sql,
    q: &CustomerQuery,
) -> StoreResult<Page<Customer>> {
    let mut f = Filter::default();
    if let Some(p) = &q.phone {
        f.add(
            "id IN (SELECT customer_id FROM customer_contacts WHERE kind = 'phone' AND value = ?)",
            p.as_str(),
        );
    }
    if let Some(e) = &q.email {
        f.add(
            "id IN (SELECT customer_id FROM customer_contacts WHERE kind = 'email' AND value = ?)",
            e.as_str(),
        );
    }
    if let Some(n) = &q.name {
        // Part of the name, literally: the user's `%`, `_` and `\` are escaped.
        f.add(
            "name_key LIKE ? ESCAPE '\\'",
            format!("%{}%", like_escaped(&n.to_lowercase())),
        );
    }
    if let Some(b) = &q.before {
        f.add("id < ?", b.to_string());
    }
    page(sql, "customers", f, q.limit, |c: &Customer| {
        c.id.to_string()
    })
    .await
}

/// `text` for a `LIKE … ESCAPE '\'` pattern, its wildcards and escapes taken literally.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn event_from_row(r: &Row) -> StoreResult<CaseEvent> {
    Ok(CaseEvent {
        case_id: CaseId::from_stored(r.text(0)?.to_string()),
        seq: r.int(1)?,
        actor: r.text(2)?.to_string(),
        at: from_millis(r.int(3)?),
        data: from_json(r.text(4)?)?,
    })
}

pub(crate) async fn case_events_after(
    sql: &mut dyn Sql,
    id: &CaseId,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<CaseEvent>> {
    let limit = limit.clamp(1, 10_000);
    sql.fetch(
        &format!(
            "SELECT case_id, seq, actor, at, data FROM case_events WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT {limit}"
        ),
        &[id.to_string().into(), after.into()],
    )
    .await?
    .iter()
    .map(event_from_row)
    .collect()
}

/// Candidates by a text match in SQL (the JSON is not decoded for every event of a long chat),
/// then checked exactly on the decoded events. Client ids may hold `_`, a LIKE wildcard: escaped.
pub(crate) async fn messages_with_client_id(
    sql: &mut dyn Sql,
    id: &CaseId,
    client_id: &str,
) -> StoreResult<Vec<CaseEvent>> {
    let needle = like_escaped(client_id);
    let pattern = format!("%\"client_id\":\"{needle}\"%");
    let rows = sql
        .fetch(
            "SELECT case_id, seq, actor, at, data FROM case_events \
             WHERE case_id = $1 AND type = 'message_added' AND data LIKE $2 ESCAPE '\\' ORDER BY seq",
            &[id.to_string().into(), pattern.into()],
        )
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let e = event_from_row(r)?;
        if matches!(&e.data, kefu_model::EventData::MessageAdded { client_id: Some(c), .. } if c == client_id)
        {
            out.push(e);
        }
    }
    Ok(out)
}

/// A conversation with its read marks, which live in their own columns.
pub(crate) async fn conversation(
    sql: &mut dyn Sql,
    column: &str,
    key: &str,
) -> StoreResult<Option<kefu_model::chat::ChatConversation>> {
    let query = match column {
        "token_hash" => {
            "SELECT doc, customer_read_seq, staff_read_seq FROM chat_conversations WHERE token_hash = $1"
        }
        _ => {
            "SELECT doc, customer_read_seq, staff_read_seq FROM chat_conversations WHERE case_id = $1"
        }
    };
    fetch_optional(sql, query, &[key.into()])
        .await?
        .map(|r| conversation_from_row(&r))
        .transpose()
}

/// `doc, customer_read_seq, staff_read_seq`: the marks are taken from their columns, which
/// `MarkConversationRead` moves; the document keeps the marks it was written with.
fn conversation_from_row(row: &Row) -> StoreResult<kefu_model::chat::ChatConversation> {
    let mut c: kefu_model::chat::ChatConversation = from_json(row.text(0)?)?;
    c.customer_read_seq = row.int(1)?;
    c.staff_read_seq = row.int(2)?;
    Ok(c)
}

pub(crate) async fn open_work_per_agent(
    sql: &mut dyn Sql,
) -> StoreResult<Vec<(kefu_model::UserId, i64, i64)>> {
    sql.fetch(
        "SELECT assignee_id, SUM(CASE WHEN channel = 'chat' THEN 1 ELSE 0 END), COUNT(*) FROM cases \
         WHERE status NOT IN ('resolved', 'closed') AND assignee_id IS NOT NULL GROUP BY assignee_id",
        &[],
    )
    .await?
    .iter()
    .map(|r| {
        Ok((
            kefu_model::UserId::from_stored(r.text(0)?.to_string()),
            r.int(1)?,
            r.int(2)?,
        ))
    })
    .collect()
}

pub(crate) async fn attachment(
    sql: &mut dyn Sql,
    id: &str,
) -> StoreResult<Option<kefu_model::attachment::StoredAttachment>> {
    fetch_optional(
        sql,
        "SELECT doc, case_id, created_at, data FROM attachments WHERE id = $1",
        &[id.into()],
    )
    .await?
    .map(|r| attachment_from_row(&r))
    .transpose()
}

/// `doc, case_id, created_at, data`.
fn attachment_from_row(row: &Row) -> StoreResult<kefu_model::attachment::StoredAttachment> {
    use base64::Engine as _;
    Ok(kefu_model::attachment::StoredAttachment {
        attachment: from_json(row.text(0)?)?,
        case_id: CaseId::from_stored(row.text(1)?.to_string()),
        created_at: from_millis(row.int(2)?),
        bytes: base64::engine::general_purpose::STANDARD
            .decode(row.text(3)?)
            .map_err(|e| StoreError::Backend(format!("decode stored attachment: {e}")))?,
    })
}

pub(crate) async fn case_events(sql: &mut dyn Sql, id: &CaseId) -> StoreResult<Vec<CaseEvent>> {
    sql.fetch(
        "SELECT case_id, seq, actor, at, data FROM case_events WHERE case_id = $1 ORDER BY seq",
        &[id.to_string().into()],
    )
    .await?
    .iter()
    .map(event_from_row)
    .collect()
}

async fn docs_after<T: DeserializeOwned>(
    sql: &mut dyn Sql,
    table: &str,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<T>> {
    let query = format!("SELECT doc FROM {table} WHERE id > $1 ORDER BY id LIMIT {limit}");
    docs(&sql.fetch(&query, &[after.into()]).await?)
}

pub(crate) async fn export_chunk(
    sql: &mut dyn Sql,
    table: ExportTable,
    after: Option<String>,
    limit: u32,
) -> StoreResult<Vec<ExportRecord>> {
    let after = after.unwrap_or_default();
    let records = match table {
        ExportTable::Departments => docs_after(sql, "departments", &after, limit)
            .await?
            .into_iter()
            .map(ExportRecord::Department)
            .collect(),
        ExportTable::Users => docs_after(sql, "users", &after, limit)
            .await?
            .into_iter()
            .map(ExportRecord::User)
            .collect(),
        ExportTable::Customers => docs_after(sql, "customers", &after, limit)
            .await?
            .into_iter()
            .map(ExportRecord::Customer)
            .collect(),
        ExportTable::Cases => docs_after(sql, "cases", &after, limit)
            .await?
            .into_iter()
            .map(ExportRecord::Case)
            .collect(),
        ExportTable::Calendars => sql
            .fetch(
                &format!(
                    "SELECT key, doc FROM calendars WHERE key > $1 ORDER BY key LIMIT {limit}"
                ),
                &[after.into()],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(ExportRecord::Calendar(kefu_model::export::NamedCalendar {
                    key: r.text(0)?.to_string(),
                    spec: from_json(r.text(1)?)?,
                }))
            })
            .collect::<StoreResult<_>>()?,
        ExportTable::SlaPolicies => sql
            .fetch(
                &format!(
                    "SELECT key, doc FROM sla_policies WHERE key > $1 ORDER BY key LIMIT {limit}"
                ),
                &[after.into()],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(ExportRecord::SlaPolicy(kefu_model::export::NamedPolicy {
                    key: r.text(0)?.to_string(),
                    policy: from_json(r.text(1)?)?,
                }))
            })
            .collect::<StoreResult<_>>()?,
        ExportTable::Settings => sql
            .fetch(
                &format!("SELECT key, doc FROM settings WHERE key > $1 ORDER BY key LIMIT {limit}"),
                &[after.into()],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(ExportRecord::Setting(kefu_model::export::NamedSetting {
                    key: r.text(0)?.to_string(),
                    value: from_json(r.text(1)?)?,
                }))
            })
            .collect::<StoreResult<_>>()?,
        ExportTable::Shipments => sql
            .fetch(
                &format!(
                    "SELECT doc FROM shipments WHERE waybill_no > $1 ORDER BY waybill_no LIMIT {limit}"
                ),
                &[after.into()],
            )
            .await?
            .iter()
            .map(|r| Ok(ExportRecord::Shipment(Box::new(from_json(r.text(0)?)?))))
            .collect::<StoreResult<_>>()?,
        ExportTable::Audit => docs_after(sql, "audit_log", &after, limit)
            .await?
            .into_iter()
            .map(ExportRecord::Audit)
            .collect(),
        ExportTable::Pickups => docs_after(sql, "pickups", &after, limit)
            .await?
            .into_iter()
            .map(|p| ExportRecord::Pickup(Box::new(p)))
            .collect(),
        ExportTable::ChatConversations => sql
            .fetch(
                &format!(
                    "SELECT doc, customer_read_seq, staff_read_seq FROM chat_conversations \
                     WHERE case_id > $1 ORDER BY case_id LIMIT {limit}"
                ),
                &[after.into()],
            )
            .await?
            .iter()
            .map(|r| conversation_from_row(r).map(|c| ExportRecord::ChatConversation(Box::new(c))))
            .collect::<StoreResult<_>>()?,
        ExportTable::Attachments => sql
            .fetch(
                &format!(
                    "SELECT doc, case_id, created_at, data FROM attachments \
                     WHERE id > $1 ORDER BY id LIMIT {limit}"
                ),
                &[after.into()],
            )
            .await?
            .iter()
            .map(|r| attachment_from_row(r).map(|a| ExportRecord::Attachment(Box::new(a.into()))))
            .collect::<StoreResult<_>>()?,
        ExportTable::AgentPresence => sql
            .fetch(
                &format!(
                    "SELECT doc FROM agent_presence WHERE user_id > $1 ORDER BY user_id LIMIT {limit}"
                ),
                &[after.into()],
            )
            .await?
            .iter()
            .map(|r| Ok(ExportRecord::AgentPresence(Box::new(from_json(r.text(0)?)?))))
            .collect::<StoreResult<_>>()?,
        ExportTable::CannedReplies => docs_after(sql, "canned_replies", &after, limit)
            .await?
            .into_iter()
            .map(|r| ExportRecord::CannedReply(Box::new(r)))
            .collect(),
        ExportTable::Articles => docs_after(sql, "kb_articles", &after, limit)
            .await?
            .into_iter()
            .map(|a| ExportRecord::Article(Box::new(a)))
            .collect(),
        ExportTable::ArticleVersions => docs_after(sql, "kb_article_versions", &after, limit)
            .await?
            .into_iter()
            .map(|a| ExportRecord::ArticleVersion(Box::new(a)))
            .collect(),
        ExportTable::ArticleFeedback => docs_after(sql, "kb_feedback", &after, limit)
            .await?
            .into_iter()
            .map(|f| ExportRecord::ArticleFeedback(Box::new(f)))
            .collect(),
        ExportTable::SearchGaps => docs_after(sql, "kb_gaps", &after, limit)
            .await?
            .into_iter()
            .map(|g| ExportRecord::SearchGap(Box::new(g)))
            .collect(),
        ExportTable::ConfigHistory => docs(
            &sql.fetch(
                &format!("SELECT doc FROM config_history WHERE seq > $1 ORDER BY seq LIMIT {limit}"),
                &[after.parse::<i64>().unwrap_or(0).into()],
            )
            .await?,
        )?
        .into_iter()
        .map(|c| ExportRecord::ConfigChange(Box::new(c)))
        .collect(),
        ExportTable::ShipmentChanges => {
            let (waybill_no, version) = match after.split_once('/') {
                Some((w, v)) => (w.to_string(), v.parse::<i64>().unwrap_or(0)),
                None => (String::new(), 0),
            };
            docs(
                &sql.fetch(
                    &format!(
                        "SELECT doc FROM shipment_changes \
                         WHERE waybill_no > $1 OR (waybill_no = $1 AND version > $2) \
                         ORDER BY waybill_no, version LIMIT {limit}"
                    ),
                    &[waybill_no.into(), version.into()],
                )
                .await?,
            )?
            .into_iter()
            .map(|c| ExportRecord::ShipmentChange(Box::new(c)))
            .collect()
        }
        ExportTable::CustomerEvents => {
            let (customer_id, seq) = match after.split_once('/') {
                Some((c, s)) => (c.to_string(), s.parse::<i64>().unwrap_or(0)),
                None => (String::new(), 0),
            };
            let query = format!(
                "SELECT doc FROM customer_events \
                 WHERE customer_id > $1 OR (customer_id = $1 AND seq > $2) ORDER BY customer_id, seq LIMIT {limit}"
            );
            docs(&sql.fetch(&query, &[customer_id.into(), seq.into()]).await?)?
                .into_iter()
                .map(|e| ExportRecord::CustomerEvent(Box::new(e)))
                .collect()
        }
        ExportTable::ChannelAccounts => crate::channels::export_accounts(sql, &after, limit)
            .await?
            .into_iter()
            .map(|a| ExportRecord::ChannelAccount(Box::new(a)))
            .collect(),
        ExportTable::InboundMessages => crate::channels::export_inbound(sql, &after, limit)
            .await?
            .into_iter()
            .map(|m| ExportRecord::InboundMessage(Box::new(m)))
            .collect(),
        ExportTable::MailThreads => crate::channels::export_mail_threads(sql, &after, limit)
            .await?
            .into_iter()
            .map(ExportRecord::MailThread)
            .collect(),
        ExportTable::Deliveries => crate::channels::export_deliveries(sql, &after, limit)
            .await?
            .into_iter()
            .map(|d| ExportRecord::Delivery(Box::new(d)))
            .collect(),
        ExportTable::Calls => crate::calls::export_calls(sql, &after, limit)
            .await?
            .into_iter()
            .map(|c| ExportRecord::Call(Box::new(c)))
            .collect(),
        ExportTable::Organisations => crate::network::export_organisations(sql, &after, limit)
            .await?
            .into_iter()
            .map(|o| ExportRecord::Organisation(Box::new(o)))
            .collect(),
        ExportTable::MediaFetches => crate::channels::export_media_fetches(sql, &after, limit)
            .await?
            .into_iter()
            .map(|m| ExportRecord::MediaFetch(Box::new(m)))
            .collect(),
        ExportTable::ParcelVolumes => crate::network::export_parcel_volumes(sql, &after, limit)
            .await?
            .into_iter()
            .map(ExportRecord::ParcelVolume)
            .collect(),
        ExportTable::ReportSchedules => crate::reports::export(sql, &after, limit)
            .await?
            .into_iter()
            .map(|r| ExportRecord::ReportSchedule(Box::new(r)))
            .collect(),
        ExportTable::Improvements => crate::causes::export_improvements(sql, &after, limit)
            .await?
            .into_iter()
            .map(|i| ExportRecord::Improvement(Box::new(i)))
            .collect(),
        ExportTable::QualityRubrics => crate::quality::export_rubrics(sql, &after, limit)
            .await?
            .into_iter()
            .map(|r| ExportRecord::QualityRubric(Box::new(r)))
            .collect(),
        ExportTable::Inspections => crate::quality::export_inspections(sql, &after, limit)
            .await?
            .into_iter()
            .map(|i| ExportRecord::Inspection(Box::new(i)))
            .collect(),
        ExportTable::StaffingPromotions => crate::staffing::export_promotions(sql, &after, limit)
            .await?
            .into_iter()
            .map(|p| ExportRecord::PromotionDay(Box::new(p)))
            .collect(),
        ExportTable::StaffingPlans => crate::staffing::export_schedule(sql, &after, limit)
            .await?
            .into_iter()
            .map(|d| ExportRecord::StaffingPlan(Box::new(d)))
            .collect(),
        ExportTable::KeyAccounts => crate::key_accounts::export(sql, &after, limit)
            .await?
            .into_iter()
            .map(|a| ExportRecord::KeyAccount(Box::new(a)))
            .collect(),
        ExportTable::KeyAccountGradings => crate::key_accounts::export_gradings(sql, &after, limit)
            .await?
            .into_iter()
            .map(|g| ExportRecord::KeyAccountGrading(Box::new(g)))
            .collect(),
        ExportTable::CaseEvents => {
            let (case_id, seq) = match after.split_once('/') {
                Some((c, s)) => (c.to_string(), s.parse::<i64>().unwrap_or(0)),
                None => (String::new(), 0),
            };
            let query = format!(
                "SELECT case_id, seq, actor, at, data FROM case_events \
                 WHERE case_id > $1 OR (case_id = $1 AND seq > $2) ORDER BY case_id, seq LIMIT {limit}"
            );
            sql.fetch(&query, &[case_id.into(), seq.into()])
                .await?
                .iter()
                .map(|r| event_from_row(r).map(ExportRecord::CaseEvent))
                .collect::<StoreResult<_>>()?
        }
    };
    Ok(records)
}

pub(crate) async fn is_empty(sql: &mut dyn Sql) -> StoreResult<bool> {
    let row = fetch_optional(
        sql,
        "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM customers) + (SELECT COUNT(*) FROM cases) \
         + (SELECT COUNT(*) FROM departments) + (SELECT COUNT(*) FROM shipments) \
         + (SELECT COUNT(*) FROM channel_accounts)",
        &[],
    )
    .await?
    .ok_or_else(|| StoreError::Backend("count returned nothing".into()))?;
    Ok(row.int(0)? == 0)
}

pub(crate) async fn count_users(sql: &mut dyn Sql) -> StoreResult<i64> {
    fetch_optional(sql, "SELECT COUNT(*) FROM users", &[])
        .await?
        .ok_or_else(|| StoreError::Backend("count returned nothing".into()))?
        .int(0)
}

pub(crate) async fn list_calendars(sql: &mut dyn Sql) -> StoreResult<Vec<(String, CalendarSpec)>> {
    sql.fetch("SELECT key, doc FROM calendars ORDER BY key", &[])
        .await?
        .iter()
        .map(|r| Ok((r.text(0)?.to_string(), from_json(r.text(1)?)?)))
        .collect()
}

pub(crate) async fn notifications(
    sql: &mut dyn Sql,
    user: &str,
    unread_only: bool,
    limit: u32,
) -> StoreResult<Vec<Notification>> {
    let query = if unread_only {
        format!(
            "SELECT doc FROM notifications WHERE user_id = $1 AND read_at IS NULL ORDER BY id DESC LIMIT {limit}"
        )
    } else {
        format!("SELECT doc FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT {limit}")
    };
    docs(&sql.fetch(&query, &[user.into()]).await?)
}

async fn put_shipment(sql: &mut dyn Sql, s: &Shipment, expected: Option<i64>) -> StoreResult<()> {
    let args: Vec<Value> = vec![
        s.waybill_no.clone().into(),
        s.version.into(),
        s.status.as_str().into(),
        s.sender.phone.as_str().into(),
        s.recipient.phone.as_str().into(),
        to_millis(s.shipped_at).into(),
        to_millis(s.updated_at).into(),
        to_json(s)?.into(),
    ];
    match expected {
        None => {
            sql.execute(
                "INSERT INTO shipments (waybill_no, version, status, sender_phone, recipient_phone, shipped_at, updated_at, doc) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &args,
            )
            .await
            .map_err(|e| {
                if e.kind == SqlErrorKind::Unique {
                    StoreError::VersionConflict
                } else {
                    StoreError::Backend(e.message)
                }
            })?;
        }
        Some(version) => {
            let mut args = args;
            args.push(version.into());
            let changed = sql
                .execute(
                    "UPDATE shipments SET version = $2, status = $3, sender_phone = $4, recipient_phone = $5, \
                     shipped_at = $6, updated_at = $7, doc = $8 WHERE waybill_no = $1 AND version = $9",
                    &args,
                )
                .await?;
            if changed == 0 {
                return Err(StoreError::VersionConflict);
            }
        }
    }
    Ok(())
}

pub(crate) async fn shipment(sql: &mut dyn Sql, waybill_no: &str) -> StoreResult<Option<Shipment>> {
    fetch_optional(
        sql,
        "SELECT doc FROM shipments WHERE waybill_no = $1",
        &[waybill_no.into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

pub(crate) async fn shipments(
    sql: &mut dyn Sql,
    waybill_nos: &[String],
) -> StoreResult<Vec<Shipment>> {
    let mut out = Vec::with_capacity(waybill_nos.len());
    // Bounded IN lists keep statements cacheable and under parameter limits.
    for chunk in waybill_nos.chunks(100) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let stmt = format!(
            "SELECT doc FROM shipments WHERE waybill_no IN ({})",
            placeholders.join(", ")
        );
        let args: Vec<Value> = chunk.iter().map(|w| w.clone().into()).collect();
        out.extend(docs::<Shipment>(&sql.fetch(&stmt, &args).await?)?);
    }
    Ok(out)
}

pub(crate) async fn shipments_by_phone(
    sql: &mut dyn Sql,
    phone: &str,
    limit: u32,
) -> StoreResult<Vec<Shipment>> {
    let rows = sql
        .fetch(
            "SELECT doc, shipped_at FROM shipments WHERE sender_phone = $1 \
             UNION SELECT doc, shipped_at FROM shipments WHERE recipient_phone = $1 \
             ORDER BY shipped_at DESC LIMIT $2",
            &[phone.into(), i64::from(limit).into()],
        )
        .await?;
    docs(&rows)
}

pub(crate) async fn setting(
    sql: &mut dyn Sql,
    key: &str,
) -> StoreResult<Option<serde_json::Value>> {
    fetch_optional(
        sql,
        "SELECT doc FROM settings WHERE key = $1",
        &[key.into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

async fn put_pickup(sql: &mut dyn Sql, p: &Pickup, expected: Option<i64>) -> StoreResult<()> {
    let mut args: Vec<Value> = vec![
        p.id.clone().into(),
        p.number.clone().into(),
        p.version.into(),
        p.status.as_str().into(),
        p.outlet.clone().into(),
        p.courier.as_ref().map(|c| c.id.clone()).into(),
        p.sender.phone.as_str().into(),
        to_millis(p.created_at).into(),
        to_json(p)?.into(),
        p.case_id.as_ref().map(|c| c.to_string()).into(),
        p.customer_id.as_ref().map(|c| c.to_string()).into(),
    ];
    match expected {
        None => {
            sql.execute(
                "INSERT INTO pickups (id, number, version, status, outlet, courier, phone, created_at, doc, \
                 case_id, customer_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &args,
            )
            .await
            .map_err(|e| named_duplicate(e, format!("pickup {}", p.number)))?;
        }
        Some(version) => {
            args.push(version.into());
            let changed = sql
                .execute(
                    "UPDATE pickups SET number = $2, version = $3, status = $4, outlet = $5, courier = $6, \
                     phone = $7, created_at = $8, doc = $9, case_id = $10, customer_id = $11 \
                     WHERE id = $1 AND version = $12",
                    &args,
                )
                .await?;
            if changed == 0 {
                return Err(StoreError::VersionConflict);
            }
        }
    }
    Ok(())
}

pub(crate) async fn pickup(sql: &mut dyn Sql, id_or_number: &str) -> StoreResult<Option<Pickup>> {
    fetch_optional(
        sql,
        "SELECT doc FROM pickups WHERE id = $1 OR number = $1",
        &[id_or_number.into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

pub(crate) async fn list_pickups(sql: &mut dyn Sql, q: &PickupQuery) -> StoreResult<Vec<Pickup>> {
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut filter = |column: &str, value: Option<String>| {
        if let Some(v) = value {
            args.push(v.into());
            clauses.push(format!("{column} = ${}", args.len()));
        }
    };
    filter("status", q.status.map(|s| s.as_str().to_string()));
    filter("courier", q.courier.clone());
    filter("outlet", q.outlet.clone());
    filter("phone", q.phone.clone());
    filter("case_id", q.case_id.clone());
    filter("customer_id", q.customer_id.clone());
    if let Some(outlets) = &q.scope_outlets {
        if outlets.is_empty() {
            return Ok(Vec::new());
        }
        let mut marks = Vec::new();
        for o in outlets {
            args.push(o.clone().into());
            marks.push(format!("${}", args.len()));
        }
        clauses.push(format!("outlet IN ({})", marks.join(", ")));
    }
    let limit = i64::from(q.limit.unwrap_or(50).clamp(1, 200));
    args.push(limit.into());
    let stmt = format!(
        "SELECT doc FROM pickups {} ORDER BY created_at DESC, id DESC LIMIT ${}",
        if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        },
        args.len()
    );
    docs(&sql.fetch(&stmt, &args).await?)
}

pub(crate) async fn open_pickups_per_courier(
    sql: &mut dyn Sql,
    outlet: &str,
) -> StoreResult<Vec<(String, i64)>> {
    let rows = sql
        .fetch(
            "SELECT courier, COUNT(*) FROM pickups WHERE outlet = $1 AND courier IS NOT NULL \
             AND status IN ('booked', 'dispatched', 'accepted', 'arrived') GROUP BY courier",
            &[outlet.into()],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.text(0)?.to_string(), r.int(1)?)))
        .collect()
}

pub(crate) async fn case_figures(
    sql: &mut dyn Sql,
    from: jiff::Timestamp,
    to: jiff::Timestamp,
) -> StoreResult<Vec<kefu_model::stats::CaseFigures>> {
    let rows = sql
        .fetch(
            "SELECT received_at, first_response_at, resolved_at, breached FROM cases \
             WHERE received_at BETWEEN $1 AND $2 \
             UNION ALL SELECT received_at, first_response_at, resolved_at, breached FROM cases \
             WHERE resolved_at BETWEEN $1 AND $2 AND received_at < $1",
            &[to_millis(from).into(), to_millis(to).into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(kefu_model::stats::CaseFigures {
                received_at: r.int(0)?,
                first_response_at: r.opt_int(1)?,
                resolved_at: r.opt_int(2)?,
                breached: r.int(3)? != 0,
            })
        })
        .collect()
}

pub(crate) async fn open_case_breakdown(
    sql: &mut dyn Sql,
) -> StoreResult<kefu_model::stats::OpenBreakdown> {
    const OPEN: &str = "status NOT IN ('resolved', 'closed')";
    let grouped = |column: &str| {
        format!(
            "SELECT {column}, COUNT(*) FROM cases WHERE {OPEN} GROUP BY {column} ORDER BY {column}"
        )
    };
    let mut out = kefu_model::stats::OpenBreakdown::default();
    for r in sql.fetch(&grouped("channel"), &[]).await? {
        out.by_channel.push((r.text(0)?.to_string(), r.int(1)?));
    }
    for r in sql.fetch(&grouped("department_id"), &[]).await? {
        out.by_department
            .push((r.opt_text(0)?.map(str::to_string), r.int(1)?));
    }
    for r in sql.fetch(&grouped("assignee_id"), &[]).await? {
        out.by_assignee
            .push((r.opt_text(0)?.map(str::to_string), r.int(1)?));
    }
    let one = |r: Option<Row>| -> StoreResult<i64> { r.map_or(Ok(0), |r| r.int(0)) };
    out.breached = one(fetch_optional(
        sql,
        &format!("SELECT COUNT(*) FROM cases WHERE {OPEN} AND breached = 1"),
        &[],
    )
    .await?)?;
    out.escalated = one(fetch_optional(
        sql,
        &format!("SELECT COUNT(*) FROM cases WHERE {OPEN} AND escalation_level > 0"),
        &[],
    )
    .await?)?;
    Ok(out)
}

pub(crate) async fn audit_entries(
    sql: &mut dyn Sql,
    subject: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<kefu_model::records::AuditEntry>> {
    let limit = i64::from(limit.clamp(1, 1000));
    let rows = match subject {
        Some(s) => {
            sql.fetch(
                "SELECT doc FROM audit_log WHERE subject = $1 ORDER BY at DESC, id DESC LIMIT $2",
                &[s.into(), limit.into()],
            )
            .await?
        }
        None => {
            sql.fetch(
                "SELECT doc FROM audit_log ORDER BY at DESC, id DESC LIMIT $1",
                &[limit.into()],
            )
            .await?
        }
    };
    docs(&rows)
}

async fn insert_audit(
    sql: &mut dyn Sql,
    entry: &kefu_model::records::AuditEntry,
) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO audit_log (id, at, actor, action, subject, doc) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            entry.id.clone().into(),
            to_millis(entry.at).into(),
            entry.actor.clone().into(),
            entry.action.clone().into(),
            entry.subject.clone().into(),
            to_json(entry)?.into(),
        ],
    )
    .await?;
    Ok(())
}

// ---- knowledge base -----------------------------------------------------------------------

fn intents_column(a: &kefu_model::kb::Article) -> String {
    let mut s = String::from(",");
    for i in &a.intents {
        s.push_str(i.as_str());
        s.push(',');
    }
    s
}

/// The documents of a one-parameter query, at most `limit` (at least one).
async fn docs_limited<T: DeserializeOwned>(
    sql: &mut dyn Sql,
    query: &str,
    arg: Value,
    limit: u32,
) -> StoreResult<Vec<T>> {
    let query = format!("{query} LIMIT {}", limit.max(1));
    docs(&sql.fetch(&query, &[arg]).await?)
}

fn version_key(article_id: &str, version: i64) -> String {
    format!("{article_id}/{version:08}")
}

/// The article's row, as an insert or (with `upsert`) a replacement whatever is stored.
async fn write_article_row(
    sql: &mut dyn Sql,
    a: &kefu_model::kb::Article,
    conflict: &str,
) -> StoreResult<u64> {
    let stmt = format!(
        "INSERT INTO kb_articles (id, category, audience, archived, review_by, intents, version, updated_at, doc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) {conflict}"
    );
    sql.execute(&stmt, &article_values(a)?)
        .await
        .map_err(|e| named_duplicate(e, format!("article {}", a.id)))
}

/// An article's row: id, category, audience, archived, review_by, intents, version,
/// updated_at, doc (`$1`…`$9` of both the insert and the update).
fn article_values(a: &kefu_model::kb::Article) -> StoreResult<Vec<Value>> {
    Ok(vec![
        a.id.clone().into(),
        a.category.clone().into(),
        a.audience.as_str().to_string().into(),
        i64::from(a.archived).into(),
        a.review_by.to_string().into(),
        intents_column(a).into(),
        a.version.into(),
        to_millis(a.updated_at).into(),
        to_json(a)?.into(),
    ])
}

const ARTICLE_UPSERT: &str = "ON CONFLICT (id) DO UPDATE SET category = excluded.category, \
     audience = excluded.audience, archived = excluded.archived, review_by = excluded.review_by, \
     intents = excluded.intents, version = excluded.version, updated_at = excluded.updated_at, \
     doc = excluded.doc";

async fn write_article_version(sql: &mut dyn Sql, a: &kefu_model::kb::Article) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO kb_article_versions (id, article_id, version, at, doc) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO UPDATE SET at = excluded.at, doc = excluded.doc",
        &[
            version_key(&a.id, a.version).into(),
            a.id.clone().into(),
            a.version.into(),
            to_millis(a.updated_at).into(),
            to_json(a)?.into(),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn put_article(
    sql: &mut dyn Sql,
    a: &kefu_model::kb::Article,
    write: kefu_model::records::ArticleWrite,
) -> StoreResult<()> {
    use kefu_model::records::ArticleWrite;
    match write {
        ArticleWrite::Create => {
            write_article_row(sql, a, "").await?;
        }
        ArticleWrite::InstallIfAbsent => {
            if write_article_row(sql, a, "ON CONFLICT (id) DO NOTHING").await? == 0 {
                return Ok(());
            }
        }
        ArticleWrite::Update { expected_version } => {
            if a.version != expected_version + 1 {
                return Err(StoreError::Backend(format!(
                    "article {} version {} does not follow {expected_version}",
                    a.id, a.version
                )));
            }
            let mut values = article_values(a)?;
            values.push(expected_version.into());
            let n = sql
                .execute(
                    "UPDATE kb_articles SET category = $2, audience = $3, archived = $4, review_by = $5, \
                     intents = $6, version = $7, updated_at = $8, doc = $9 WHERE id = $1 AND version = $10",
                    &values,
                )
                .await?;
            if n == 0 {
                let exists = fetch_optional(
                    sql,
                    "SELECT id FROM kb_articles WHERE id = $1",
                    &[a.id.clone().into()],
                )
                .await?
                .is_some();
                return Err(if exists {
                    StoreError::VersionConflict
                } else {
                    StoreError::NotFound(format!("article {}", a.id))
                });
            }
        }
    }
    write_article_version(sql, a).await?;
    outbox(sql, "article", &a.id, a.updated_at).await
}

pub(crate) async fn list_articles(
    sql: &mut dyn Sql,
    q: &kefu_model::records::ArticleQuery,
) -> StoreResult<Vec<kefu_model::kb::Article>> {
    let mut args: Vec<Value> = vec![i64::from(q.archived).into()];
    let mut query = String::from("SELECT doc FROM kb_articles WHERE archived = $1");
    if let Some(c) = &q.category {
        args.push(c.clone().into());
        query.push_str(&format!(" AND category = ${}", args.len()));
    }
    if let Some(a) = q.audience {
        args.push(a.as_str().to_string().into());
        query.push_str(&format!(" AND audience = ${}", args.len()));
    }
    if let Some(i) = q.intent {
        args.push(format!("%,{},%", i.as_str()).into());
        query.push_str(&format!(" AND intents LIKE ${}", args.len()));
    }
    if let Some(day) = q.review_before {
        args.push(day.to_string().into());
        query.push_str(&format!(" AND review_by < ${}", args.len()));
    }
    query.push_str(&format!(
        " ORDER BY updated_at DESC, id LIMIT {}",
        q.limit.max(1)
    ));
    docs(&sql.fetch(&query, &args).await?)
}

pub(crate) async fn article_versions(
    sql: &mut dyn Sql,
    id: &str,
    limit: u32,
) -> StoreResult<Vec<kefu_model::kb::Article>> {
    docs_limited(
        sql,
        "SELECT doc FROM kb_article_versions WHERE article_id = $1 ORDER BY version DESC",
        id.into(),
        limit,
    )
    .await
}

pub(crate) async fn article_version(
    sql: &mut dyn Sql,
    id: &str,
    version: i64,
) -> StoreResult<Option<kefu_model::kb::Article>> {
    one_doc(
        sql,
        "SELECT doc FROM kb_article_versions WHERE id = $1",
        &version_key(id, version),
    )
    .await
}

async fn insert_feedback(
    sql: &mut dyn Sql,
    f: &kefu_model::kb::ArticleFeedback,
) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO kb_feedback (id, article_id, helpful, at, doc) VALUES ($1, $2, $3, $4, $5)",
        &[
            f.id.clone().into(),
            f.article_id.clone().into(),
            i64::from(f.helpful).into(),
            to_millis(f.at).into(),
            to_json(f)?.into(),
        ],
    )
    .await
    .map_err(|e| match e.kind {
        SqlErrorKind::ForeignKey => StoreError::NotFound(format!("article {}", f.article_id)),
        _ => named_duplicate(e, format!("feedback {}", f.id)),
    })?;
    Ok(())
}

async fn insert_gap(sql: &mut dyn Sql, g: &kefu_model::kb::SearchGap) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO kb_gaps (id, at, doc) VALUES ($1, $2, $3)",
        &[
            g.id.clone().into(),
            to_millis(g.at).into(),
            to_json(g)?.into(),
        ],
    )
    .await
    .map_err(|e| named_duplicate(e, format!("gap {}", g.id)))?;
    Ok(())
}

pub(crate) async fn article_feedback_counts(
    sql: &mut dyn Sql,
    ids: &[String],
) -> StoreResult<Vec<(String, kefu_model::kb::FeedbackCounts)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let query = format!(
        "SELECT article_id, COUNT(CASE WHEN helpful = 1 THEN 1 END), COUNT(*) FROM kb_feedback WHERE article_id IN ({}) \
         GROUP BY article_id ORDER BY article_id",
        marks.join(", ")
    );
    let args: Vec<Value> = ids.iter().map(|i| i.clone().into()).collect();
    sql.fetch(&query, &args)
        .await?
        .iter()
        .map(|r| {
            let helpful = r.int(1)?;
            Ok((
                r.text(0)?.to_string(),
                kefu_model::kb::FeedbackCounts {
                    helpful,
                    not_helpful: r.int(2)? - helpful,
                },
            ))
        })
        .collect()
}

pub(crate) async fn article_feedback(
    sql: &mut dyn Sql,
    id: &str,
    limit: u32,
) -> StoreResult<Vec<kefu_model::kb::ArticleFeedback>> {
    docs_limited(
        sql,
        "SELECT doc FROM kb_feedback WHERE article_id = $1 ORDER BY at DESC, id DESC",
        id.into(),
        limit,
    )
    .await
}

pub(crate) async fn search_gaps(
    sql: &mut dyn Sql,
    since: jiff::Timestamp,
    limit: u32,
) -> StoreResult<Vec<kefu_model::kb::SearchGap>> {
    docs_limited(
        sql,
        "SELECT doc FROM kb_gaps WHERE at >= $1 ORDER BY at DESC, id DESC",
        to_millis(since).into(),
        limit,
    )
    .await
}

// ---- change histories ---------------------------------------------------------------------

/// The query reading the stored document of one kind by key.
fn config_doc_query(kind: ConfigKind) -> &'static str {
    match kind {
        ConfigKind::Setting => "SELECT doc FROM settings WHERE key = $1",
        ConfigKind::SlaPolicy => "SELECT doc FROM sla_policies WHERE key = $1",
        ConfigKind::Calendar => "SELECT doc FROM calendars WHERE key = $1",
    }
}

/// The stored document before a change that will be recorded (`None` when there is none, or
/// nothing is to be recorded). On PostgreSQL the history is locked first, so that concurrent
/// changes on several nodes are recorded one after the other, each with the document it
/// really replaced and the next number; SQLite has one writer anyway.
async fn config_before(
    sql: &mut dyn Sql,
    kind: ConfigKind,
    key: &str,
    recorded: bool,
) -> StoreResult<Option<serde_json::Value>> {
    if !recorded {
        return Ok(None);
    }
    if sql.dialect() == Dialect::Postgres {
        sql.execute_script("LOCK TABLE config_history IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    fetch_optional(sql, config_doc_query(kind), &[key.into()])
        .await?
        .map(|r| from_json(r.text(0)?))
        .transpose()
}

/// Appends the change of one document, read back as stored; nothing when it did not change.
async fn record_config_change(
    sql: &mut dyn Sql,
    kind: ConfigKind,
    key: &str,
    old: Option<serde_json::Value>,
    editor: &Editor,
) -> StoreResult<()> {
    let new: serde_json::Value = fetch_optional(sql, config_doc_query(kind), &[key.into()])
        .await?
        .map(|r| from_json(r.text(0)?))
        .transpose()?
        .ok_or_else(|| StoreError::Backend(format!("{kind} {key} vanished while written")))?;
    if old.as_ref() == Some(&new) {
        return Ok(());
    }
    let seq = fetch_optional(
        sql,
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM config_history",
        &[],
    )
    .await?
    .ok_or_else(|| StoreError::Backend("no next history number".into()))?
    .int(0)?;
    insert_config_change(
        sql,
        &ConfigChange {
            seq,
            kind,
            key: key.to_string(),
            at: editor.at,
            actor: editor.actor.clone(),
            old,
            new,
        },
    )
    .await
}

async fn insert_config_change(sql: &mut dyn Sql, change: &ConfigChange) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO config_history (seq, kind, key, at, actor, doc) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            change.seq.into(),
            change.kind.as_str().into(),
            change.key.clone().into(),
            to_millis(change.at).into(),
            change.actor.clone().into(),
            to_json(change)?.into(),
        ],
    )
    .await?;
    Ok(())
}

async fn insert_shipment_change(sql: &mut dyn Sql, change: &ShipmentChange) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO shipment_changes (waybill_no, version, at, actor, doc) VALUES ($1, $2, $3, $4, $5)",
        &[
            change.waybill_no.clone().into(),
            change.version.into(),
            to_millis(change.at).into(),
            change.actor.clone().into(),
            to_json(change)?.into(),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn config_history(
    sql: &mut dyn Sql,
    kind: Option<ConfigKind>,
    key: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<ConfigChange>> {
    let limit = i64::from(limit.clamp(1, 1000));
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(kind) = kind {
        args.push(kind.as_str().into());
        clauses.push(format!("kind = ${}", args.len()));
    }
    if let Some(key) = key {
        args.push(key.into());
        clauses.push(format!("key = ${}", args.len()));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {} ", clauses.join(" AND "))
    };
    args.push(limit.into());
    let query = format!(
        "SELECT doc FROM config_history {filter}ORDER BY seq DESC LIMIT ${}",
        args.len()
    );
    docs(&sql.fetch(&query, &args).await?)
}

pub(crate) async fn shipment_changes(
    sql: &mut dyn Sql,
    waybill_no: &str,
    limit: u32,
) -> StoreResult<Vec<ShipmentChange>> {
    let limit = i64::from(limit.clamp(1, 1000));
    docs(
        &sql.fetch(
            "SELECT doc FROM shipment_changes WHERE waybill_no = $1 ORDER BY version DESC LIMIT $2",
            &[waybill_no.into(), limit.into()],
        )
        .await?,
    )
}

// ---- satisfaction surveys ----------------------------------------------------------------------

/// The survey read model's row of a case, written with every append to a surveyed case (its
/// channel and category follow the case; agent, team and grade are the survey's own).
pub(crate) async fn sync_survey(sql: &mut dyn Sql, case: &Case) -> StoreResult<()> {
    let Some(row) = case.survey_row() else {
        return Ok(());
    };
    let flag = |b: bool| Value::from(i64::from(b));
    sql.execute(
        "INSERT INTO surveys (case_id, case_number, day, channel, category, agent_id, team_id, grade, \
         score, satisfied, poor, answered_at, follow_up, follow_up_due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (case_id) DO UPDATE SET case_number = excluded.case_number, day = excluded.day, \
         channel = excluded.channel, category = excluded.category, agent_id = excluded.agent_id, \
         team_id = excluded.team_id, grade = excluded.grade, score = excluded.score, \
         satisfied = excluded.satisfied, poor = excluded.poor, answered_at = excluded.answered_at, \
         follow_up = excluded.follow_up, follow_up_due_at = excluded.follow_up_due_at",
        &[
            row.case_id.to_string().into(),
            row.case_number.clone().into(),
            row.day.to_string().into(),
            row.channel.as_str().into(),
            row.category.as_str().into(),
            row.agent.as_ref().map(|a| a.to_string()).unwrap_or_default().into(),
            row.team.as_ref().map(|t| t.to_string()).unwrap_or_default().into(),
            i64::from(row.grade).into(),
            row.score.map(i64::from).into(),
            flag(row.satisfied),
            flag(row.poor),
            row.answered_at.map(to_millis).into(),
            row.follow_up.map(|f| f.as_str().to_string()).into(),
            row.follow_up_due_at.map(to_millis).into(),
        ],
    )
    .await?;
    Ok(())
}

const SURVEY_COLUMNS: &str = "case_id, case_number, day, channel, category, agent_id, team_id, grade, \
     score, satisfied, poor, answered_at, follow_up, follow_up_due_at";

fn survey_row(r: &Row) -> StoreResult<kefu_model::survey::SurveyRow> {
    use kefu_model::survey::{FollowUpState, SurveyRow};
    let bad = |what: &str, v: &str| StoreError::Backend(format!("surveys.{what}: {v}"));
    let text_opt = |i: usize| -> StoreResult<Option<String>> {
        Ok(Some(r.text(i)?.to_string()).filter(|s| !s.is_empty()))
    };
    let day = r.text(2)?;
    let channel = r.text(3)?;
    let category = r.text(4)?;
    Ok(SurveyRow {
        case_id: CaseId::from_stored(r.text(0)?.to_string()),
        case_number: r.text(1)?.to_string(),
        day: day.parse().map_err(|_| bad("day", day))?,
        channel: Channel::parse(channel).ok_or_else(|| bad("channel", channel))?,
        category: Category::parse(category).ok_or_else(|| bad("category", category))?,
        agent: text_opt(5)?.map(UserId::from_stored),
        team: text_opt(6)?.map(kefu_model::ids::DepartmentId::from_stored),
        grade: u8::try_from(r.int(7)?).map_err(|_| bad("grade", "out of range"))?,
        score: r
            .opt_int(8)?
            .map(|s| u8::try_from(s).map_err(|_| bad("score", "out of range")))
            .transpose()?,
        satisfied: r.int(9)? != 0,
        poor: r.int(10)? != 0,
        answered_at: r.opt_int(11)?.map(from_millis),
        follow_up: r
            .opt_text(12)?
            .map(|s| FollowUpState::parse(s).ok_or_else(|| bad("follow_up", s)))
            .transpose()?,
        follow_up_due_at: r.opt_int(13)?.map(from_millis),
    })
}

/// The column a dimension groups by (names from a closed set, never from input).
fn survey_dimension_column(d: kefu_model::survey::SurveyDimension) -> &'static str {
    use kefu_model::survey::SurveyDimension as D;
    match d {
        D::Agent => "agent_id",
        D::Team => "team_id",
        D::Channel => "channel",
        D::Category => "category",
        D::Grade => "CAST(grade AS TEXT)",
        D::Day => "day",
    }
}

/// Per value of the query's dimension: surveyed, answered, satisfied, poor — over the surveys
/// opened on the days `[from, to)` (of one agent when given), by key.
pub(crate) async fn survey_figures(
    sql: &mut dyn Sql,
    query: &kefu_model::survey::SurveyQuery,
) -> StoreResult<Vec<kefu_model::survey::SurveyTally>> {
    let column = survey_dimension_column(query.dimension);
    let mut args: Vec<Value> = vec![query.from.to_string().into(), query.to.to_string().into()];
    let mut filter = String::new();
    if let Some(agent) = &query.agent {
        args.push(agent.to_string().into());
        filter.push_str(" AND agent_id = $3");
    }
    let rows = sql
        .fetch(
            &format!(
                "SELECT {column}, COUNT(*), CAST(SUM(CASE WHEN score IS NULL THEN 0 ELSE 1 END) AS BIGINT), \
                 CAST(SUM(satisfied) AS BIGINT), CAST(SUM(poor) AS BIGINT) FROM surveys \
                 WHERE day >= $1 AND day < $2{filter} GROUP BY {column} ORDER BY {column}"
            ),
            &args,
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(kefu_model::survey::SurveyTally {
                key: r.text(0)?.to_string(),
                surveyed: r.int(1)?,
                answered: r.int(2)?,
                satisfied: r.int(3)?,
                poor: r.int(4)?,
            })
        })
        .collect()
}

/// The surveyed cases behind a figure, oldest day first then by case number. The figure's
/// filter is the SQL twin of `SurveyFigure::counts`.
pub(crate) async fn survey_rows(
    sql: &mut dyn Sql,
    drill: &kefu_model::survey::SurveyDrill,
) -> StoreResult<Vec<kefu_model::survey::SurveyRow>> {
    use kefu_model::survey::SurveyFigure;
    let mut args: Vec<Value> = vec![drill.from.to_string().into(), drill.to.to_string().into()];
    let mut filter = String::new();
    if let Some(agent) = &drill.agent {
        args.push(agent.to_string().into());
        filter.push_str(&format!(" AND agent_id = ${}", args.len()));
    }
    if let Some((dimension, key)) = &drill.dimension {
        args.push(key.clone().into());
        filter.push_str(&format!(
            " AND {} = ${}",
            survey_dimension_column(*dimension),
            args.len()
        ));
    }
    filter.push_str(match drill.figure {
        SurveyFigure::Surveyed => "",
        SurveyFigure::Answered => " AND score IS NOT NULL",
        SurveyFigure::Satisfied => " AND satisfied = 1",
        SurveyFigure::Poor => " AND poor = 1",
    });
    let limit = drill.limit.clamp(1, 10_000);
    let rows = sql
        .fetch(
            &format!(
                "SELECT {SURVEY_COLUMNS} FROM surveys WHERE day >= $1 AND day < $2{filter} \
                 ORDER BY day, case_number LIMIT {limit}"
            ),
            &args,
        )
        .await?;
    rows.iter().map(survey_row).collect()
}

/// Follow-ups: open and overdue ones, overdue first, then by due time; with `closed`, the
/// closed ones too (most recently due first, after the open ones).
pub(crate) async fn survey_follow_ups(
    sql: &mut dyn Sql,
    closed: bool,
    limit: u32,
) -> StoreResult<Vec<kefu_model::survey::SurveyRow>> {
    let states = if closed {
        "('open', 'overdue', 'closed')"
    } else {
        "('open', 'overdue')"
    };
    let limit = limit.clamp(1, 1000);
    let rows = sql
        .fetch(
            &format!(
                "SELECT {SURVEY_COLUMNS} FROM surveys WHERE follow_up IN {states} \
                 ORDER BY CASE follow_up WHEN 'overdue' THEN 0 WHEN 'open' THEN 1 ELSE 2 END, \
                 CASE WHEN follow_up = 'closed' THEN -follow_up_due_at ELSE follow_up_due_at END, \
                 case_number LIMIT {limit}"
            ),
            &[],
        )
        .await?;
    rows.iter().map(survey_row).collect()
}
