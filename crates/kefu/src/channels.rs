//! The channel workers every node runs: a reader per enabled mailbox (fetch what came after the
//! remembered position, hand each mail to the desk, then IMAP IDLE until more comes), the
//! delivery sender (claim due replies and notices, send each the way its account speaks: SMTP
//! for a mailbox, the customer-service API for WeChat, the gateway contract for SMS; record the
//! outcome on the case), and the media fetcher (claim the due downloads of pictures and voice
//! messages customers sent by WeChat, download each through the account's media API with the
//! sender's clients, and hand the bytes to the desk to check and attach).
//!
//! Two nodes reading one mailbox take each mail in once (the desk keys mail by Message-ID); a
//! delivery is leased to one node while it is being sent, and a media download while it is
//! being fetched.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kefu_desk::Desk;
use kefu_desk::channels::{MailboxToRead, OutgoingMail};
use kefu_desk::wechat::{MediaFailure, WeChatSend};
use kefu_mailbox::{
    IdleOutcome, ImapAccount, ImapSecurity, MailboxPosition, SmtpAccount, SmtpEnvelope,
    SmtpSecurity, fetch_new, send_raw, wait_for_new,
};
use kefu_model::channels::{
    AttemptResult, ChannelKind, ChannelStatus, Delivery, MailSecurity, WeChatFlavor,
};
use kefu_sms::{SmsClient, SmsMessage};
use kefu_wechat::{ClientConfig, WeChatClient};
use tokio::task::JoinHandle;

/// How often the set of mailboxes is looked at again (added, changed, disabled).
const ACCOUNTS_EVERY: Duration = Duration::from_secs(2);
/// How long one IDLE waits before the reader fetches anyway (servers end IDLE after 30 min).
const IDLE_FOR: Duration = Duration::from_secs(300);
/// After a failed fetch: the first wait, doubled up to the last.
const RETRY_FIRST: Duration = Duration::from_secs(5);
const RETRY_MAX: Duration = Duration::from_secs(300);
/// How often the sender looks for due replies when it found none.
const SEND_EVERY: Duration = Duration::from_millis(500);
/// How often the media fetcher looks for due downloads when it found none.
const FETCH_EVERY: Duration = Duration::from_secs(1);
/// How often the report sender looks for scheduled reports that are due.
const REPORTS_EVERY: Duration = Duration::from_secs(5);

fn imap_account(mailbox: &MailboxToRead) -> ImapAccount {
    let email = &mailbox.email;
    ImapAccount {
        port: email.imap_port,
        security: match email.imap_security {
            MailSecurity::Tls => ImapSecurity::Tls,
            MailSecurity::StartTls => ImapSecurity::StartTls,
            MailSecurity::Plain => ImapSecurity::Plain,
        },
        mailbox: email.imap_mailbox.clone(),
        timeout: Duration::from_secs(60),
        ..ImapAccount::new(&email.imap_host, &email.imap_username, &mailbox.password)
    }
}

fn smtp_account(mail: &OutgoingMail) -> SmtpAccount {
    let server = &mail.server;
    let login = !server.username.is_empty();
    SmtpAccount {
        port: server.port,
        security: match server.security {
            MailSecurity::Tls => SmtpSecurity::Tls,
            MailSecurity::StartTls => SmtpSecurity::StartTls,
            MailSecurity::Plain => SmtpSecurity::Plain,
        },
        username: login.then(|| server.username.clone()),
        password: login.then(|| server.password.clone()),
        timeout: Duration::from_secs(60),
        ..SmtpAccount::new(&server.host, "", "", &server.hello_name)
    }
}

/// Keeps one reader running per enabled mailbox, restarting it when its settings change.
pub async fn run_mail_readers(desk: Desk) {
    let mut readers: HashMap<String, (i64, JoinHandle<()>)> = HashMap::new();
    loop {
        match desk.mailboxes_to_read().await {
            Ok(mailboxes) => {
                readers.retain(|id, (version, handle)| {
                    let current = mailboxes
                        .iter()
                        .any(|m| m.account.id == *id && m.account.version == *version);
                    if !current {
                        handle.abort();
                    }
                    current && !handle.is_finished()
                });
                for mailbox in mailboxes {
                    if !readers.contains_key(&mailbox.account.id) {
                        let id = mailbox.account.id.clone();
                        let version = mailbox.account.version;
                        let handle = tokio::spawn(read_mailbox(desk.clone(), mailbox));
                        readers.insert(id, (version, handle));
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "listing mailboxes failed; retrying"),
        }
        tokio::time::sleep(ACCOUNTS_EVERY).await;
    }
}

/// Reads one mailbox for ever: fetch, take in, remember the position, wait for more.
async fn read_mailbox(desk: Desk, mailbox: MailboxToRead) {
    let account = imap_account(&mailbox);
    let id = mailbox.account.id.clone();
    let mut status = mailbox.status;
    let mut retry = RETRY_FIRST;
    loop {
        let position = status
            .uid_validity
            .zip(status.last_uid)
            .map(|(uid_validity, last_uid)| MailboxPosition {
                uid_validity,
                last_uid,
            });
        let batch = match fetch_new(&account, position).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(mailbox = %id, error = %e, "fetching mail failed");
                status.last_error = Some(e.to_string());
                status.last_error_at = Some(desk.now());
                save_status(&desk, &id, &status).await;
                tokio::time::sleep(retry).await;
                retry = (retry * 2).min(RETRY_MAX);
                continue;
            }
        };
        retry = RETRY_FIRST;
        let mut stopped = None;
        let mut reached = position;
        for mail in &batch.mails {
            match desk.receive_mail(&id, &mail.raw).await {
                Ok(receipt) => {
                    if !receipt.duplicate {
                        status.received += 1;
                    }
                    reached = Some(MailboxPosition {
                        uid_validity: mail.uid_validity,
                        last_uid: mail.uid,
                    });
                }
                // The store failed: the mail is fetched again next time.
                Err(e) => {
                    stopped = Some(e.to_string());
                    break;
                }
            }
        }
        if batch.mails.is_empty() {
            reached = Some(batch.position);
        }
        if let Some(p) = reached {
            status.uid_validity = Some(p.uid_validity);
            status.last_uid = Some(p.last_uid);
        }
        match &stopped {
            Some(error) => {
                tracing::warn!(mailbox = %id, %error, "taking in a mail failed; retrying");
                status.last_error = Some(error.clone());
                status.last_error_at = Some(desk.now());
            }
            None => {
                status.last_ok_at = Some(desk.now());
                status.last_error = None;
            }
        }
        save_status(&desk, &id, &status).await;
        if stopped.is_some() {
            tokio::time::sleep(retry).await;
            continue;
        }
        if batch.more {
            continue;
        }
        match wait_for_new(&account, reached, IDLE_FOR).await {
            Ok(IdleOutcome::NewMail | IdleOutcome::Timeout) => {}
            Err(e) => {
                // Without IDLE (or with a dropped connection) the reader polls.
                tracing::debug!(mailbox = %id, error = %e, "IDLE failed; polling");
                tokio::time::sleep(RETRY_FIRST).await;
            }
        }
    }
}

async fn save_status(desk: &Desk, id: &str, status: &ChannelStatus) {
    if let Err(e) = desk.record_mailbox_status(id, status).await {
        tracing::warn!(mailbox = %id, error = %e, "saving the mailbox status failed");
    }
}

/// One attempt at a reply or notice by mail.
async fn send_mail(desk: &Desk, delivery: &Delivery) -> AttemptResult {
    match desk.outgoing_mail(delivery).await {
        Ok(mail) => {
            let envelope = SmtpEnvelope {
                from: mail.envelope_from.clone(),
                to: mail.envelope_to.clone(),
            };
            match send_raw(&smtp_account(&mail), &envelope, &mail.raw).await {
                Ok(()) => AttemptResult::Sent,
                Err(e) if e.is_temporary() => AttemptResult::Temporary(e.to_string()),
                Err(e) => AttemptResult::Permanent(e.to_string()),
            }
        }
        Err(reason) => AttemptResult::Permanent(reason),
    }
}

/// One attempt at a notice by SMS, through the gateway's contract (`kefu-sms`).
async fn send_sms(desk: &Desk, delivery: &Delivery) -> AttemptResult {
    let sms = match desk.outgoing_sms(delivery).await {
        Ok(sms) => sms,
        Err(reason) => return AttemptResult::Permanent(reason),
    };
    let client = match SmsClient::new(&sms.endpoint, &sms.api_key) {
        Ok(client) => client,
        Err(e) => return AttemptResult::Temporary(e.to_string()),
    };
    let message = SmsMessage {
        id: delivery.id.clone(),
        to: sms.to,
        sign_name: sms.sign_name,
        text: sms.text,
    };
    match client.send(&message).await {
        Ok(()) => AttemptResult::Sent,
        Err(e) if e.is_temporary() => AttemptResult::Temporary(e.to_string()),
        Err(e) => AttemptResult::Permanent(e.to_string()),
    }
}

/// Mails scheduled reports for ever: claims the due schedules, has each report read as its
/// owner reads it, attaches it as the schedule's file type, sends it through the first
/// enabled mailbox and records the outcome on the schedule (a failure is tried again later).
pub async fn run_report_sender(desk: Desk) {
    loop {
        let attempted = send_due_reports(&desk).await;
        if attempted == 0 {
            tokio::time::sleep(REPORTS_EVERY).await;
        }
    }
}

/// One pass of the report sender; returns how many reports it attempted.
pub async fn send_due_reports(desk: &Desk) -> usize {
    let due = match desk.claim_due_reports(5).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "claiming scheduled reports failed");
            return 0;
        }
    };
    for schedule in &due {
        let error = send_report(desk, schedule).await.err();
        if let Some(error) = &error {
            tracing::warn!(schedule = %schedule.id, %error, "a scheduled report was not sent");
        }
        if let Err(e) = desk.finish_report_run(schedule, error).await {
            tracing::warn!(schedule = %schedule.id, error = %e, "recording a report run failed");
        }
    }
    due.len()
}

async fn send_report(
    desk: &Desk,
    schedule: &kefu_model::report_schedule::ReportSchedule,
) -> Result<(), String> {
    let report = desk
        .scheduled_report(schedule)
        .await
        .map_err(|e| e.to_string())?;
    let file = kefu_web::reports::report_file(&report, schedule.format)?;
    let mail = desk.report_mail(schedule, &report, file).await?;
    let envelope = SmtpEnvelope {
        from: mail.envelope_from.clone(),
        to: mail.envelope_to.clone(),
    };
    send_raw(&smtp_account(&mail), &envelope, &mail.raw)
        .await
        .map_err(|e| e.to_string())
}

/// Sends due replies and notices for ever, one at a time, recording each outcome on its case.
pub async fn run_sender(desk: Desk, wechat: WeChatClients) {
    loop {
        let attempted = send_due(&desk, &wechat).await;
        if attempted == 0 {
            tokio::time::sleep(SEND_EVERY).await;
        }
    }
}

/// Downloads the pictures and voice messages customers sent by WeChat for ever, through the
/// sender's clients (one access token per account).
pub async fn run_media_fetcher(desk: Desk, wechat: WeChatClients) {
    loop {
        let attempted = fetch_due_media(&desk, &wechat).await;
        if attempted == 0 {
            tokio::time::sleep(FETCH_EVERY).await;
        }
    }
}

/// One pass of the media fetcher: claims the downloads that are due, fetches each through its
/// account's media API (no more than its kind may weigh), and has the desk check and attach
/// what came or record why not. Returns how many it attempted.
pub async fn fetch_due_media(desk: &Desk, wechat: &WeChatClients) -> usize {
    let claimed = match desk.claim_media_fetches(10).await {
        Ok(claimed) => claimed,
        Err(e) => {
            tracing::warn!(error = %e, "claiming media downloads failed; retrying");
            Vec::new()
        }
    };
    let attempted = claimed.len();
    for fetch in claimed {
        let downloaded = match desk.media_source(&fetch).await.and_then(|source| {
            wechat
                .client(desk, &source)
                .map_err(|e| format!("微信客户端（{e}）"))
        }) {
            Ok(client) => client
                .download_media(&fetch.media_id, fetch.kind.max_bytes())
                .await
                .map_err(|e| MediaFailure::from(&e)),
            Err(reason) => Err(MediaFailure::Permanent(reason)),
        };
        if let Err(e) = desk.finish_media_fetch(&fetch, downloaded).await {
            // The lease runs out and another attempt records it.
            tracing::warn!(fetch = %fetch.id, error = %e, "recording a media download failed");
        }
    }
    attempted
}

/// One pass of the sender: claims what is due, sends each the way its account speaks, records
/// the outcomes. Returns how many deliveries it attempted.
pub async fn send_due(desk: &Desk, wechat: &WeChatClients) -> usize {
    let claimed = match desk.claim_deliveries(20).await {
        Ok(claimed) => claimed,
        Err(e) => {
            tracing::warn!(error = %e, "claiming deliveries failed; retrying");
            Vec::new()
        }
    };
    let attempted = claimed.len();
    for delivery in claimed {
        let result = match desk.delivery_way(&delivery).await {
            Ok(ChannelKind::Email) => send_mail(desk, &delivery).await,
            Ok(ChannelKind::Sms) => send_sms(desk, &delivery).await,
            Ok(ChannelKind::Wechat) => send_wechat(desk, wechat, &delivery).await,
            Ok(other) => AttemptResult::Permanent(format!("{other} accounts send nothing")),
            Err(reason) => AttemptResult::Permanent(reason),
        };
        if let Err(e) = desk.finish_delivery(&delivery, result).await {
            // The lease runs out and another attempt records it.
            tracing::warn!(delivery = %delivery.id, error = %e, "recording a delivery failed");
        }
    }
    attempted
}

/// One client per WeChat account and version: the access token is cached in the client, and
/// an edited account (new secret, new address) gets a new one. The sender and the media
/// fetcher share them (clones share the map), so an account has one token, not one per worker.
#[derive(Default, Clone)]
pub struct WeChatClients {
    clients: Arc<Mutex<ClientsByAccount>>,
}

/// Account id → the account version the client was built for, and the client.
type ClientsByAccount = HashMap<String, (i64, Arc<WeChatClient>)>;

impl WeChatClients {
    fn client(&self, desk: &Desk, send: &WeChatSend) -> Result<Arc<WeChatClient>, String> {
        // Held only to look up or insert: never across an await.
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((version, client)) = clients.get(&send.account_id)
            && *version == send.account_version
        {
            return Ok(client.clone());
        }
        let config = match send.flavor {
            WeChatFlavor::OfficialAccount => ClientConfig::new(&send.app_id, &send.app_secret),
            WeChatFlavor::WeCom => {
                ClientConfig::wecom(&send.app_id, &send.app_secret, &send.agent_id)
            }
        }
        .with_base_url(&send.api_base);
        let client =
            Arc::new(WeChatClient::new(config, desk.clock().clone()).map_err(|e| e.to_string())?);
        clients.insert(
            send.account_id.clone(),
            (send.account_version, client.clone()),
        );
        Ok(client)
    }
}

async fn send_wechat(desk: &Desk, clients: &WeChatClients, delivery: &Delivery) -> AttemptResult {
    let client = match desk
        .outgoing_wechat(delivery)
        .await
        .and_then(|send| clients.client(desk, &send))
    {
        Ok(client) => client,
        Err(reason) => return AttemptResult::Permanent(reason),
    };
    let sent = match &delivery.wechat_template {
        // A notice to a follower whose 48-hour window has closed.
        Some(template) => {
            let data: Vec<(String, String)> = template
                .fields
                .iter()
                .map(|f| (f.key.clone(), f.value.clone()))
                .collect();
            client
                .send_template(
                    &delivery.to,
                    &template.template_id,
                    template.url.as_deref(),
                    &data,
                )
                .await
        }
        None => client.send_text(&delivery.to, &delivery.body).await,
    };
    match sent {
        Ok(()) => AttemptResult::Sent,
        Err(e) if e.is_transient() => AttemptResult::Temporary(e.to_string()),
        Err(e) => AttemptResult::Permanent(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::extract::{Query, State};
    use axum::routing::{get, post};
    use kefu_desk::wechat::CallbackQuery;
    use kefu_model::channels::DeliveryState;
    use kefu_model::wechat_account::WeChatAccountDraft;
    use kefu_model::{Actor, SystemClock};
    use serde_json::{Value, json};

    type Inbox = Arc<Mutex<Vec<(String, String)>>>;
    type Params = Query<HashMap<String, String>>;

    /// The customer-service API on loopback: any token works; sends are recorded.
    async fn standin() -> (String, Inbox) {
        async fn token() -> axum::Json<Value> {
            axum::Json(json!({"access_token": "t", "expires_in": 7200}))
        }
        async fn send(
            State(inbox): State<Inbox>,
            _: Params,
            axum::Json(body): axum::Json<Value>,
        ) -> axum::Json<Value> {
            let to = body["touser"].as_str().unwrap_or_default().to_string();
            let text = body["text"]["content"].as_str().unwrap_or_default();
            inbox.lock().unwrap().push((to, text.to_string()));
            axum::Json(json!({"errcode": 0, "errmsg": "ok"}))
        }
        let inbox = Inbox::default();
        let app = axum::Router::new()
            .route("/cgi-bin/token", get(token))
            .route("/cgi-bin/message/custom/send", post(send))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, inbox)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_sender_sends_a_wechat_delivery_through_its_accounts_api() {
        let dir = std::env::temp_dir().join(format!("kefu-sender-wechat-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = Arc::new(kefu_store_sqlite::open(&dir.join("kefu.db")).await.unwrap());
        let desk = Desk::new(store, Arc::new(SystemClock))
            .with_nlu(Arc::new(kefu_nlu::SharedNlu))
            .with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
        desk.bootstrap_admin(Some("sender-password-1".into()))
            .await
            .unwrap();
        desk.install_builtin_calendars().await.unwrap();
        desk.install_default_policies().await.unwrap();
        let admin = desk
            .store()
            .user_by_username("admin")
            .await
            .unwrap()
            .unwrap();
        let (api_base, inbox) = standin().await;
        let account = desk
            .create_wechat_account(
                &Actor::of(&admin),
                WeChatAccountDraft {
                    name: "公众号".into(),
                    enabled: true,
                    app_id: "wx5823bf96d3bd56c7".into(),
                    api_base: Some(api_base),
                    app_secret: Some("secret".into()),
                    token: Some("senderToken".into()),
                    ..WeChatAccountDraft::default()
                },
            )
            .await
            .unwrap();
        let now = desk.clock().now().as_second();
        let timestamp = now.to_string();
        let query = CallbackQuery {
            signature: kefu_wechat::sign(&["senderToken", &timestamp, "1"]),
            timestamp,
            nonce: "1".into(),
            ..CallbackQuery::default()
        };
        let xml = format!(
            "<xml><ToUserName>gh_x</ToUserName><FromUserName>oCustomer</FromUserName>\
             <CreateTime>{now}</CreateTime><MsgType>text</MsgType><Content>转人工</Content>\
             <MsgId>1</MsgId></xml>"
        );
        let receipt = desk
            .receive_wechat(&account.account.id, &query, &xml)
            .await
            .unwrap()
            .unwrap();
        let reply = receipt.bot_reply.expect("the bot answers");

        let clients = WeChatClients::default();
        assert_eq!(send_due(&desk, &clients).await, 1);
        assert_eq!(
            inbox.lock().unwrap().clone(),
            vec![("oCustomer".to_string(), reply)]
        );
        let case_id = receipt.case_id.unwrap();
        let deliveries = desk.store().deliveries_of_case(&case_id).await.unwrap();
        assert_eq!(deliveries[0].state, DeliveryState::Sent);
        assert_eq!(send_due(&desk, &clients).await, 0, "nothing left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    // ---- pictures and voice messages -----------------------------------------------------

    const JPEG: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1,
    ];

    type MediaFile = (String, Vec<u8>);

    /// The media API on loopback: any token works; files by media id, downloads counted, an
    /// unknown id answered as WeChat does (40007, HTTP 200).
    #[derive(Clone, Default)]
    struct MediaBook {
        /// Media id → content type and bytes.
        files: Arc<Mutex<HashMap<String, MediaFile>>>,
        downloads: Arc<Mutex<usize>>,
    }

    impl MediaBook {
        fn put(&self, media_id: &str, content_type: &str, bytes: &[u8]) {
            let file = (content_type.to_string(), bytes.to_vec());
            self.files.lock().unwrap().insert(media_id.into(), file);
        }

        fn downloads(&self) -> usize {
            *self.downloads.lock().unwrap()
        }
    }

    async fn media_standin() -> (String, MediaBook) {
        async fn token() -> axum::Json<Value> {
            axum::Json(json!({"access_token": "t", "expires_in": 7200}))
        }
        async fn media_get(
            State(book): State<MediaBook>,
            Query(query): Params,
        ) -> axum::response::Response {
            use axum::response::IntoResponse;
            let file = query
                .get("media_id")
                .and_then(|id| book.files.lock().unwrap().get(id).cloned());
            let Some((content_type, bytes)) = file else {
                let refusal = json!({"errcode": 40007, "errmsg": "invalid media_id"});
                return axum::Json(refusal).into_response();
            };
            *book.downloads.lock().unwrap() += 1;
            let disposition = "attachment; filename=\"photo.jpg\"".to_string();
            (
                [
                    (axum::http::header::CONTENT_TYPE, content_type),
                    (axum::http::header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        let book = MediaBook::default();
        let app = axum::Router::new()
            .route("/cgi-bin/token", get(token))
            .route("/cgi-bin/media/get", get(media_get))
            .with_state(book.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, book)
    }

    /// The stores the test runs on: a fresh SQLite file, and a fresh PostgreSQL schema when
    /// `KEFU_TEST_DATABASE_URL` names a database.
    async fn stores(name: &str) -> Vec<Arc<dyn kefu_desk::Store>> {
        let dir = std::env::temp_dir().join(format!("kefu-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let sqlite = kefu_store_sqlite::open(&dir.join("kefu.db")).await.unwrap();
        let mut stores: Vec<Arc<dyn kefu_desk::Store>> = vec![Arc::new(sqlite)];
        if let Ok(url) = std::env::var("KEFU_TEST_DATABASE_URL") {
            let pg = kefu_store_postgres::open_fresh_schema(&url, "kefu_media")
                .await
                .unwrap();
            stores.push(Arc::new(pg));
        }
        stores
    }

    /// A desk with an admin (password `media-password-1`) and a WeChat account whose API is
    /// `api_base`; returns the account id.
    async fn media_desk(store: Arc<dyn kefu_desk::Store>, api_base: &str) -> (Desk, String) {
        let desk = Desk::new(store, Arc::new(SystemClock))
            .with_nlu(Arc::new(kefu_nlu::SharedNlu))
            .with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
        desk.bootstrap_admin(Some("media-password-1".into()))
            .await
            .unwrap();
        desk.install_builtin_calendars().await.unwrap();
        desk.install_default_policies().await.unwrap();
        let admin = desk
            .store()
            .user_by_username("admin")
            .await
            .unwrap()
            .unwrap();
        let account = desk
            .create_wechat_account(
                &Actor::of(&admin),
                WeChatAccountDraft {
                    name: "公众号".into(),
                    enabled: true,
                    app_id: "wx5823bf96d3bd56c7".into(),
                    api_base: Some(api_base.into()),
                    app_secret: Some("secret".into()),
                    token: Some("mediaToken".into()),
                    ..WeChatAccountDraft::default()
                },
            )
            .await
            .unwrap();
        (desk, account.account.id)
    }

    /// A signed callback carrying a picture from `openid`.
    async fn send_picture(
        desk: &Desk,
        account_id: &str,
        openid: &str,
        msg_id: u64,
        media_id: &str,
    ) -> kefu_model::ids::CaseId {
        let now = desk.clock().now().as_second();
        let timestamp = now.to_string();
        let query = CallbackQuery {
            signature: kefu_wechat::sign(&["mediaToken", &timestamp, "5"]),
            timestamp,
            nonce: "5".into(),
            ..CallbackQuery::default()
        };
        let xml = format!(
            "<xml><ToUserName>gh_x</ToUserName><FromUserName>{openid}</FromUserName>\
             <CreateTime>{now}</CreateTime><MsgType>image</MsgType>\
             <PicUrl>http://mmbiz.qpic.cn/tmp/{media_id}</PicUrl><MediaId>{media_id}</MediaId>\
             <MsgId>{msg_id}</MsgId></xml>"
        );
        let receipt = desk
            .receive_wechat(account_id, &query, &xml)
            .await
            .unwrap()
            .unwrap();
        receipt.case_id.unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_wechat_picture_is_downloaded_kept_on_the_case_and_served() {
        for store in stores("media-saved").await {
            let (api_base, book) = media_standin().await;
            book.put("MEDIA_PHOTO", "image/jpeg", JPEG);
            let (desk, account_id) = media_desk(store, &api_base).await;
            let case_id = send_picture(&desk, &account_id, "oPhoto", 41, "MEDIA_PHOTO").await;
            // WeChat's retry of the same MsgId: still one download.
            let again = send_picture(&desk, &account_id, "oPhoto", 41, "MEDIA_PHOTO").await;
            assert_eq!(again, case_id);

            let clients = WeChatClients::default();
            assert_eq!(fetch_due_media(&desk, &clients).await, 1);
            assert_eq!(fetch_due_media(&desk, &clients).await, 0, "nothing left");
            assert_eq!(book.downloads(), 1);
            let events = desk.store().case_events(&case_id).await.unwrap();
            let attachment = events
                .iter()
                .find_map(|e| match &e.data {
                    kefu_model::EventData::MediaSaved { attachment, .. } => {
                        Some(attachment.clone())
                    }
                    _ => None,
                })
                .expect("the picture is on the case");
            assert_eq!(attachment.mime, "image/jpeg");
            assert!(events.iter().any(|e| matches!(&e.data,
                kefu_model::EventData::MessageAdded { body, .. } if body == "（图片）")));

            // The attachment route serves it to staff with its type; the case page shows it.
            let (token, _) = desk.login("admin", "media-password-1").await.unwrap();
            let app = kefu_web::router(kefu_web::AppState::new(desk.clone()));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let web = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(async move { axum::serve(listener, app).await });
            let http = reqwest::Client::new();
            let served = http
                .get(format!("{web}/chat/attachments/{}", attachment.id))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(served.status(), 200);
            assert_eq!(served.headers()["content-type"], "image/jpeg");
            assert_eq!(served.bytes().await.unwrap().as_ref(), JPEG);
            let anonymous = http
                .get(format!("{web}/chat/attachments/{}", attachment.id))
                .send()
                .await
                .unwrap();
            assert_eq!(anonymous.status(), 404);
            let page = http
                .get(format!("{web}/cases/{case_id}"))
                .header("cookie", format!("kefu_session={token}"))
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), 200);
            let html = page.text().await.unwrap();
            let img = format!("src=\"/chat/attachments/{}\"", attachment.id);
            assert!(html.contains(&img), "the case page shows the picture");
            assert!(
                !html.contains("mmbiz.qpic.cn"),
                "no temporary link on the case"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_picture_wechat_no_longer_has_becomes_a_note_for_a_person() {
        for store in stores("media-gone").await {
            let (api_base, book) = media_standin().await;
            let (desk, account_id) = media_desk(store, &api_base).await;
            let case_id = send_picture(&desk, &account_id, "oGone", 42, "MEDIA_GONE").await;
            let clients = WeChatClients::default();
            assert_eq!(fetch_due_media(&desk, &clients).await, 1);
            assert_eq!(book.downloads(), 0);
            let fetches = desk.store().media_fetches_of_case(&case_id).await.unwrap();
            assert_eq!(fetches[0].state, kefu_model::media::MediaFetchState::Failed);
            let events = desk.store().case_events(&case_id).await.unwrap();
            let note = events
                .iter()
                .find_map(|e| match &e.data {
                    kefu_model::EventData::MessageAdded {
                        body,
                        visibility: kefu_model::Visibility::Internal,
                        ..
                    } => Some(body.clone()),
                    _ => None,
                })
                .expect("an internal note");
            assert!(
                note.starts_with("图片未能保存：微信已不再提供该文件"),
                "{note}"
            );
            assert!(note.contains("40007"), "{note}");
            assert_eq!(
                fetch_due_media(&desk, &clients).await,
                0,
                "given up for good"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_nodes_download_each_picture_once() {
        for store in stores("media-two").await {
            let (api_base, book) = media_standin().await;
            let (desk, account_id) = media_desk(store, &api_base).await;
            for n in 0..3u64 {
                let media_id = format!("MEDIA_{n}");
                book.put(&media_id, "image/jpeg", JPEG);
                send_picture(&desk, &account_id, &format!("o{n}"), 50 + n, &media_id).await;
            }
            let other = desk.another_node();
            let (mine, theirs) = (WeChatClients::default(), WeChatClients::default());
            let (a, b) = tokio::join!(
                fetch_due_media(&desk, &mine),
                fetch_due_media(&other, &theirs)
            );
            assert_eq!(a + b, 3, "every picture claimed by one node");
            assert_eq!(book.downloads(), 3, "and downloaded once");
            assert_eq!(fetch_due_media(&desk, &mine).await, 0);
        }
    }
}
