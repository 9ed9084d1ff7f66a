//! The statements of the channel tables: accounts (with their secrets and status apart), the
//! messages taken in, mail threads and deliveries.

use jiff::Timestamp;
use kefu_desk::store::StoreResult;
use kefu_model::channels::{
    ChannelAccount, ChannelSecrets, ChannelStatus, Delivery, InboundOutcome, InboundRecord,
};
use kefu_model::codes::Channel;
use kefu_model::export::{ExportChannelAccount, MailThread};
use kefu_model::ids::CaseId;
use kefu_model::media::MediaFetch;
use kefu_model::{StoreError, from_millis, to_millis};

use crate::conn::{Dialect, Row, Sql, Value, fetch_optional};
use crate::ops::{docs, from_json, to_json};

pub(crate) async fn put_account(
    sql: &mut dyn Sql,
    account: &ChannelAccount,
    secrets: &ChannelSecrets,
    expected_version: Option<i64>,
) -> StoreResult<()> {
    match expected_version {
        None => {
            insert_account(sql, account, secrets, &ChannelStatus::default()).await?;
        }
        Some(expected) => {
            let changed = sql
                .execute(
                    "UPDATE channel_accounts SET version = $1, doc = $2, secrets = $3 \
                     WHERE id = $4 AND version = $5",
                    &[
                        account.version.into(),
                        to_json(account)?.into(),
                        to_json(secrets)?.into(),
                        account.id.clone().into(),
                        expected.into(),
                    ],
                )
                .await?;
            if changed == 0 {
                return Err(StoreError::VersionConflict);
            }
        }
    }
    Ok(())
}

/// A new account row: the record, its secrets and its status.
async fn insert_account(
    sql: &mut dyn Sql,
    account: &ChannelAccount,
    secrets: &ChannelSecrets,
    status: &ChannelStatus,
) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO channel_accounts (id, kind, created_at, version, doc, secrets, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            account.id.clone().into(),
            account.kind().as_str().into(),
            to_millis(account.created_at).into(),
            account.version.into(),
            to_json(account)?.into(),
            to_json(secrets)?.into(),
            to_json(status)?.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A message taken in, as a row; taking in adds `ON CONFLICT … DO NOTHING`, an import does not.
const INSERT_INBOUND: &str = "INSERT INTO inbound_messages \
     (channel, dedupe_key, account_id, received_at, outcome, case_id, doc) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

fn inbound_values(record: &InboundRecord) -> StoreResult<[Value; 7]> {
    Ok([
        record.channel.as_str().into(),
        record.dedupe_key.clone().into(),
        record.account_id.clone().into(),
        to_millis(record.received_at).into(),
        record.outcome.as_str().into(),
        record.case_id.as_ref().map(|c| c.to_string()).into(),
        to_json(record)?.into(),
    ])
}

/// A delivery, unleased, as a row; writing one with its event replaces an existing one.
const INSERT_DELIVERY: &str = "INSERT INTO deliveries \
     (id, case_id, state, next_attempt_at, lease_until, doc) VALUES ($1, $2, $3, $4, NULL, $5)";

fn delivery_values(d: &Delivery) -> StoreResult<[Value; 5]> {
    Ok([
        d.id.clone().into(),
        d.case_id.to_string().into(),
        d.state.as_str().into(),
        to_millis(d.next_attempt_at).into(),
        to_json(d)?.into(),
    ])
}

fn account_row(row: &Row) -> StoreResult<(ChannelAccount, ChannelStatus)> {
    Ok((from_json(row.text(0)?)?, from_json(row.text(1)?)?))
}

pub(crate) async fn accounts(
    sql: &mut dyn Sql,
) -> StoreResult<Vec<(ChannelAccount, ChannelStatus)>> {
    sql.fetch(
        "SELECT doc, status FROM channel_accounts ORDER BY created_at, id",
        &[],
    )
    .await?
    .iter()
    .map(account_row)
    .collect()
}

pub(crate) async fn account(
    sql: &mut dyn Sql,
    id: &str,
) -> StoreResult<Option<(ChannelAccount, ChannelStatus)>> {
    fetch_optional(
        sql,
        "SELECT doc, status FROM channel_accounts WHERE id = $1",
        &[id.into()],
    )
    .await?
    .map(|r| account_row(&r))
    .transpose()
}

pub(crate) async fn secrets(sql: &mut dyn Sql, id: &str) -> StoreResult<Option<ChannelSecrets>> {
    fetch_optional(
        sql,
        "SELECT secrets FROM channel_accounts WHERE id = $1",
        &[id.into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

pub(crate) async fn put_status(
    sql: &mut dyn Sql,
    id: &str,
    status: &ChannelStatus,
) -> StoreResult<()> {
    let changed = sql
        .execute(
            "UPDATE channel_accounts SET status = $1 WHERE id = $2",
            &[to_json(status)?.into(), id.into()],
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("channel account {id}")));
    }
    Ok(())
}

/// 1 when recorded, 0 when the channel already had the key.
pub(crate) async fn record_inbound(
    sql: &mut dyn Sql,
    record: &InboundRecord,
    thread_ids: &[String],
) -> StoreResult<u64> {
    let inserted = sql
        .execute(
            &format!("{INSERT_INBOUND} ON CONFLICT (channel, dedupe_key) DO NOTHING"),
            &inbound_values(record)?,
        )
        .await?;
    if inserted > 0
        && let Some(case_id) = &record.case_id
    {
        for id in thread_ids {
            add_thread_id(sql, id, case_id, record.received_at).await?;
        }
    }
    Ok(inserted)
}

/// 1 when replaced, 0 when the record is gone or no longer has the `expected` outcome.
pub(crate) async fn settle_inbound(
    sql: &mut dyn Sql,
    record: &InboundRecord,
    expected: InboundOutcome,
) -> StoreResult<u64> {
    Ok(sql
        .execute(
            "UPDATE inbound_messages SET outcome = $3, case_id = $4, doc = $5 \
         WHERE channel = $1 AND dedupe_key = $2 AND outcome = $6",
            &[
                record.channel.as_str().into(),
                record.dedupe_key.clone().into(),
                record.outcome.as_str().into(),
                record.case_id.as_ref().map(|c| c.to_string()).into(),
                to_json(record)?.into(),
                expected.as_str().into(),
            ],
        )
        .await?)
}

async fn add_thread_id(
    sql: &mut dyn Sql,
    message_id: &str,
    case_id: &CaseId,
    at: Timestamp,
) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO mail_threads (message_id, case_id, at) VALUES ($1, $2, $3) \
         ON CONFLICT (message_id) DO NOTHING",
        &[
            message_id.into(),
            case_id.to_string().into(),
            to_millis(at).into(),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn inbound_record(
    sql: &mut dyn Sql,
    channel: Channel,
    dedupe_key: &str,
) -> StoreResult<Option<InboundRecord>> {
    fetch_optional(
        sql,
        "SELECT doc FROM inbound_messages WHERE channel = $1 AND dedupe_key = $2",
        &[channel.as_str().into(), dedupe_key.into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

pub(crate) async fn inbound_records(
    sql: &mut dyn Sql,
    outcome: Option<InboundOutcome>,
    limit: u32,
) -> StoreResult<Vec<InboundRecord>> {
    let limit = i64::from(limit.clamp(1, 1000));
    let rows = match outcome {
        Some(o) => {
            sql.fetch(
                "SELECT doc FROM inbound_messages WHERE outcome = $1 \
                 ORDER BY received_at DESC, dedupe_key LIMIT $2",
                &[o.as_str().into(), limit.into()],
            )
            .await?
        }
        None => {
            sql.fetch(
                "SELECT doc FROM inbound_messages ORDER BY received_at DESC, dedupe_key LIMIT $1",
                &[limit.into()],
            )
            .await?
        }
    };
    docs(&rows)
}

pub(crate) async fn latest_inbound_of_case(
    sql: &mut dyn Sql,
    case_id: &CaseId,
) -> StoreResult<Option<InboundRecord>> {
    fetch_optional(
        sql,
        "SELECT doc FROM inbound_messages WHERE case_id = $1 \
         ORDER BY received_at DESC, dedupe_key DESC LIMIT 1",
        &[case_id.to_string().into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

pub(crate) async fn case_of_mail_ids(
    sql: &mut dyn Sql,
    message_ids: &[String],
) -> StoreResult<Option<CaseId>> {
    for id in message_ids {
        if let Some(row) = fetch_optional(
            sql,
            "SELECT case_id FROM mail_threads WHERE message_id = $1",
            &[id.clone().into()],
        )
        .await?
        {
            return Ok(Some(CaseId::from_stored(row.text(0)?.to_string())));
        }
    }
    Ok(None)
}

pub(crate) async fn mail_ids_of_case(
    sql: &mut dyn Sql,
    case_id: &CaseId,
    limit: u32,
) -> StoreResult<Vec<String>> {
    let mut ids = sql
        .fetch(
            "SELECT message_id FROM mail_threads WHERE case_id = $1 \
             ORDER BY at DESC, message_id DESC LIMIT $2",
            &[
                case_id.to_string().into(),
                i64::from(limit.clamp(1, 1000)).into(),
            ],
        )
        .await?
        .iter()
        .map(|r| r.text(0).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    ids.reverse();
    Ok(ids)
}

/// Creates or replaces deliveries (an attempt's outcome clears the lease), and puts a mail's
/// Message-ID on its case's thread.
pub(crate) async fn put_deliveries(sql: &mut dyn Sql, deliveries: &[Delivery]) -> StoreResult<()> {
    for d in deliveries {
        sql.execute(
            &format!(
                "{INSERT_DELIVERY} ON CONFLICT (id) DO UPDATE SET \
                 state = excluded.state, next_attempt_at = excluded.next_attempt_at, \
                 lease_until = NULL, doc = excluded.doc"
            ),
            &delivery_values(d)?,
        )
        .await?;
        if let Some(mail) = &d.mail {
            add_thread_id(sql, &mail.message_id, &d.case_id, d.created_at).await?;
        }
    }
    Ok(())
}

/// Leases the due rows of a worker's table (`deliveries` whose state is `queued`,
/// `media_fetches` whose state is `pending`) until `lease_until`, earliest first, and returns
/// their documents. PostgreSQL skips rows another node is claiming right now instead of waiting.
pub(crate) async fn claim_leased<T: serde::de::DeserializeOwned>(
    sql: &mut dyn Sql,
    table: &'static str,
    waiting_state: &'static str,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> StoreResult<Vec<T>> {
    let skip_locked = match sql.dialect() {
        Dialect::Sqlite => "",
        Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    // `table` and `waiting_state` are our constants, never input.
    let select = format!(
        "SELECT id FROM {table} WHERE state = '{waiting_state}' AND next_attempt_at <= $1 \
         AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at, id LIMIT $2{skip_locked}"
    );
    let ids = sql
        .fetch(
            &select,
            &[
                to_millis(now).into(),
                i64::from(limit.clamp(1, 1000)).into(),
            ],
        )
        .await?;
    let update = format!("UPDATE {table} SET lease_until = $1 WHERE id = $2 RETURNING doc");
    let mut claimed = Vec::with_capacity(ids.len());
    for row in &ids {
        let leased = sql
            .fetch(
                &update,
                &[to_millis(lease_until).into(), row.text(0)?.into()],
            )
            .await?;
        for r in &leased {
            claimed.push(from_json(r.text(0)?)?);
        }
    }
    Ok(claimed)
}

pub(crate) async fn claim_deliveries(
    sql: &mut dyn Sql,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> StoreResult<Vec<Delivery>> {
    claim_leased(sql, "deliveries", "queued", now, lease_until, limit).await
}

pub(crate) async fn deliveries_of_case(
    sql: &mut dyn Sql,
    case_id: &CaseId,
) -> StoreResult<Vec<Delivery>> {
    let rows = sql
        .fetch(
            "SELECT doc FROM deliveries WHERE case_id = $1 ORDER BY id",
            &[case_id.to_string().into()],
        )
        .await?;
    docs(&rows)
}

/// Creates or replaces media downloads (an attempt's outcome clears the lease).
pub(crate) async fn put_media_fetches(
    sql: &mut dyn Sql,
    fetches: &[MediaFetch],
) -> StoreResult<()> {
    for f in fetches {
        sql.execute(
            "INSERT INTO media_fetches \
             (id, case_id, account_id, media_id, state, next_attempt_at, lease_until, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7) \
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, \
             next_attempt_at = excluded.next_attempt_at, lease_until = NULL, doc = excluded.doc",
            &[
                f.id.clone().into(),
                f.case_id.to_string().into(),
                f.account_id.clone().into(),
                f.media_id.clone().into(),
                f.state.as_str().into(),
                to_millis(f.next_attempt_at).into(),
                to_json(f)?.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Media downloads after `after` (an id), for an export.
pub(crate) async fn export_media_fetches(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<MediaFetch>> {
    let rows = sql
        .fetch(
            &format!("SELECT doc FROM media_fetches WHERE id > $1 ORDER BY id LIMIT {limit}"),
            &[after.into()],
        )
        .await?;
    docs(&rows)
}

pub(crate) async fn claim_media_fetches(
    sql: &mut dyn Sql,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> StoreResult<Vec<MediaFetch>> {
    claim_leased(sql, "media_fetches", "pending", now, lease_until, limit).await
}

pub(crate) async fn media_fetches_of_case(
    sql: &mut dyn Sql,
    case_id: &CaseId,
) -> StoreResult<Vec<MediaFetch>> {
    let rows = sql
        .fetch(
            "SELECT doc FROM media_fetches WHERE case_id = $1 ORDER BY id",
            &[case_id.to_string().into()],
        )
        .await?;
    docs(&rows)
}

// ---- export and import ----------------------------------------------------------------------

/// Accounts after `after` (an id), with their passwords and status: a backup is a backup.
pub(crate) async fn export_accounts(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<ExportChannelAccount>> {
    sql.fetch(
        &format!(
            "SELECT doc, secrets, status FROM channel_accounts WHERE id > $1 ORDER BY id LIMIT {limit}"
        ),
        &[after.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(ExportChannelAccount {
            account: from_json(r.text(0)?)?,
            secrets: from_json(r.text(1)?)?,
            status: from_json(r.text(2)?)?,
        })
    })
    .collect()
}

/// Messages taken in after `after` (`channel/dedupe_key`, as `ExportRecord::key` gives it).
pub(crate) async fn export_inbound(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<InboundRecord>> {
    let (channel, dedupe_key) = after.split_once('/').unwrap_or((after, ""));
    let rows = sql
        .fetch(
            &format!(
                "SELECT doc FROM inbound_messages \
                 WHERE channel > $1 OR (channel = $1 AND dedupe_key > $2) \
                 ORDER BY channel, dedupe_key LIMIT {limit}"
            ),
            &[channel.into(), dedupe_key.into()],
        )
        .await?;
    docs(&rows)
}

pub(crate) async fn export_mail_threads(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<MailThread>> {
    sql.fetch(
        &format!(
            "SELECT message_id, case_id, at FROM mail_threads WHERE message_id > $1 \
             ORDER BY message_id LIMIT {limit}"
        ),
        &[after.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(MailThread {
            message_id: r.text(0)?.to_string(),
            case_id: CaseId::from_stored(r.text(1)?.to_string()),
            at: from_millis(r.int(2)?),
        })
    })
    .collect()
}

/// Deliveries after `after` (an id); the lease stays behind.
pub(crate) async fn export_deliveries(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<Delivery>> {
    let rows = sql
        .fetch(
            &format!("SELECT doc FROM deliveries WHERE id > $1 ORDER BY id LIMIT {limit}"),
            &[after.into()],
        )
        .await?;
    docs(&rows)
}

/// Writes an exported account as it was: same version, passwords and status.
pub(crate) async fn import_account(sql: &mut dyn Sql, a: &ExportChannelAccount) -> StoreResult<()> {
    insert_account(sql, &a.account, &a.secrets, &a.status).await
}

/// Writes an exported message record; unlike taking a message in, a second copy is an error
/// (a dump holds each key once) and no thread ids are added (they come as their own rows).
pub(crate) async fn import_inbound(sql: &mut dyn Sql, record: &InboundRecord) -> StoreResult<()> {
    sql.execute(INSERT_INBOUND, &inbound_values(record)?)
        .await?;
    Ok(())
}

pub(crate) async fn import_mail_thread(sql: &mut dyn Sql, thread: &MailThread) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO mail_threads (message_id, case_id, at) VALUES ($1, $2, $3)",
        &[
            thread.message_id.clone().into(),
            thread.case_id.to_string().into(),
            to_millis(thread.at).into(),
        ],
    )
    .await?;
    Ok(())
}

/// Writes an exported delivery unleased; its Message-ID is already among the mail threads.
pub(crate) async fn import_delivery(sql: &mut dyn Sql, d: &Delivery) -> StoreResult<()> {
    sql.execute(INSERT_DELIVERY, &delivery_values(d)?).await?;
    Ok(())
}
