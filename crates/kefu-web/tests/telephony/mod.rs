//! The telephone channel over HTTP: the PBX account (its secret never answered), signed call
//! events becoming phone cases (the call on the case, the answering agent assigned and sent a
//! screen pop), retries taking no effect, forged or stale webhooks refused with nothing stored,
//! an abandoned call's call-back promise, the figures per queue against hand-computed values,
//! and transcripts from a stand-in speech-to-text service.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kefu_model::Clock as _;
use kefu_model::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, error_code, spawn_app};

pub const SECRET: &str = "pbx-secret-0123456789";

pub fn pbx_account() -> Value {
    json!({"name": "呼叫中心", "webhook_secret": SECRET,
        "recording_base_url": "https://rec.yunlu.example"})
}

/// Creates the PBX account (as the admin) and gives its id.
pub async fn create_account(app: &TestApp) -> String {
    let created = app
        .as_role(Role::Admin)
        .post("/api/v1/channels/pbx", pbx_account())
        .await
        .expect(201);
    created["id"].as_str().unwrap().to_string()
}

/// Posts `event` to the account's webhook signed with `secret` at `signed_at` (Unix seconds).
pub async fn post_signed_with(
    app: &TestApp,
    account: &str,
    event: &Value,
    secret: &str,
    signed_at: i64,
) -> (StatusCode, Value) {
    let body = event.to_string();
    let timestamp = signed_at.to_string();
    let signature = kefu_telephony::WebhookVerifier::new(secret.as_bytes())
        .unwrap()
        .sign(&timestamp, body.as_bytes());
    let response = app
        .http
        .post(format!("{}/hooks/pbx/{account}", app.base))
        .header("content-type", "application/json")
        .header(kefu_telephony::TIMESTAMP_HEADER, timestamp)
        .header(kefu_telephony::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Posts `event` signed with the account's secret, now by the server's clock.
pub async fn post_signed(app: &TestApp, account: &str, event: &Value) -> (StatusCode, Value) {
    let now = app.clock.now().as_second();
    post_signed_with(app, account, event, SECRET, now).await
}

/// A call event of `kind` at `at`, with the fields its kind carries.
pub fn event(kind: &str, call: &str, at: Timestamp, extra: Value) -> Value {
    let mut e = json!({"type": kind, "call_id": call, "at": at.to_string(),
        "caller": "+86 139 1234 5678", "queue": "after-sales"});
    if let Value::Object(fields) = extra {
        for (k, v) in fields {
            e[k] = v;
        }
    }
    e
}

fn accept(reply: (StatusCode, Value)) -> Value {
    assert_eq!(reply.0, StatusCode::OK, "{}", reply.1);
    reply.1
}

async fn messages(app: &TestApp, case: &str) -> Vec<Value> {
    app.as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{case}/messages"))
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn the_account_keeps_its_secret_and_refuses_bad_input() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    let created = admin
        .post("/api/v1/channels/pbx", pbx_account())
        .await
        .expect(201);
    assert!(!created.to_string().contains(SECRET), "{created}");
    assert_eq!(created["webhook_secret_set"], true);
    assert_eq!(created["tolerance_seconds"], 300);
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["webhook_path"], format!("/hooks/pbx/{id}"));

    for (field, value) in [
        ("webhook_secret", json!("short")),
        ("tolerance_seconds", json!(5)),
        ("recording_base_url", json!("ftp://rec.example")),
        ("name", json!("")),
    ] {
        let mut bad = pbx_account();
        bad[field] = value;
        let body = admin.post("/api/v1/channels/pbx", bad).await.expect(422);
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    // An edit without a secret keeps it; a stale version is refused.
    let change = json!({"name": "呼叫中心（新）", "version": 1, "tolerance_seconds": 120});
    let changed = admin
        .put(&format!("/api/v1/channels/pbx/{id}"), change.clone())
        .await
        .expect(200);
    assert_eq!(changed["webhook_secret_set"], true);
    assert_eq!(changed["tolerance_seconds"], 120);
    let stale = admin
        .put(&format!("/api/v1/channels/pbx/{id}"), change)
        .await
        .expect(409);
    assert_eq!(error_code(&stale), "version_conflict");
    // Only PBX accounts are listed here, and an agent sees none of it.
    let listed = admin.get("/api/v1/channels/pbx").await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    app.as_role(Role::Agent)
        .get("/api/v1/channels/pbx")
        .await
        .expect(403);
}

#[tokio::test]
async fn an_answered_call_is_on_a_phone_case_with_a_screen_pop_and_retries_change_nothing() {
    let app = spawn_app().await;
    let account = create_account(&app).await;
    let t0 = app.clock.now() - SignedDuration::from_mins(3);
    let at = |s: i64| t0 + SignedDuration::from_secs(s);
    let offered = event("offered", "c-1", at(0), json!({}));
    let first = accept(post_signed(&app, &account, &offered).await);
    assert_eq!(first["phase"], "offered");
    assert_eq!(first["duplicate"], false);
    let case = first["case_id"].as_str().unwrap().to_string();
    accept(post_signed(&app, &account, &event("queued", "c-1", at(1), json!({}))).await);
    let answered = event(
        "answered",
        "c-1",
        at(13),
        json!({"agent": "agent01", "wait_seconds": 12}),
    );
    accept(post_signed(&app, &account, &answered).await);
    let ended = event(
        "ended",
        "c-1",
        at(200),
        json!({"agent": "agent01", "wait_seconds": 12,
            "recording_url": "https://rec.yunlu.example/2026/c-1.mp3"}),
    );
    let last = accept(post_signed(&app, &account, &ended).await);
    assert_eq!(last["phase"], "ended");
    assert_eq!(last["case_id"], case.as_str());

    // Retries, early or late, are taken as no change.
    for retry in [&offered, &answered, &ended] {
        let again = accept(post_signed(&app, &account, retry).await);
        assert_eq!(again["duplicate"], true, "{again}");
    }
    // An event that cannot follow is a conflict, and changes nothing either.
    let (status, body) = post_signed(
        &app,
        &account,
        &event("abandoned", "c-1", at(300), json!({"wait_seconds": 30})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "conflict");

    let admin = app.as_role(Role::Admin);
    let shown = admin
        .get(&format!("/api/v1/cases/{case}"))
        .await
        .expect(200);
    assert_eq!(shown["channel"], "phone");
    let me = app.as_role(Role::Agent).get("/api/v1/me").await.expect(200);
    assert_eq!(shown["assignee"], me["id"], "the answering agent: {shown}");
    let notes = messages(&app, &case).await;
    let bodies: Vec<&str> = notes.iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(
        notes.len(),
        3,
        "offered, answered, ended once each: {bodies:?}"
    );
    assert!(bodies[0].contains("来电 139****5678") && bodies[0].contains("after-sales"));
    assert!(bodies[1].contains("agent01") && bodies[1].contains("12 秒"));
    assert_eq!(
        notes[2]["call"], true,
        "the conversation counts as an answer"
    );
    assert!(
        notes.iter().all(|m| m["visibility"] == "internal"),
        "{notes:?}"
    );

    // The screen pop: the agent is told, with the caller page to open.
    let told = app
        .as_role(Role::Agent)
        .get("/api/v1/notifications")
        .await
        .expect(200);
    let pops: Vec<&Value> = told["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "call_answered")
        .collect();
    assert_eq!(pops.len(), 1, "{told}");
    assert!(pops[0]["text"].as_str().unwrap().contains("/calls/c-1"));
    assert_eq!(pops[0]["case_id"], case.as_str());

    // The caller became a customer by phone; their next call joins the open case.
    let second =
        accept(post_signed(&app, &account, &event("offered", "c-2", at(400), json!({}))).await);
    assert_eq!(second["case_id"], case.as_str());
    let status = admin
        .get(&format!("/api/v1/channels/pbx/{account}"))
        .await
        .expect(200);
    assert_eq!(status["status"]["received"], 5, "{status}");
}

#[tokio::test]
async fn forged_or_stale_webhooks_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let account = create_account(&app).await;
    let offered = event("offered", "c-9", app.clock.now(), json!({}));
    let now = app.clock.now().as_second();
    let cases_before = app.count_cases().await;
    for (secret, signed_at) in [
        ("another-secret-0123456789", now),
        (SECRET, now - 600),
        (SECRET, now + 600),
    ] {
        let (status, body) = post_signed_with(&app, &account, &offered, secret, signed_at).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(error_code(&body), "bad_signature");
    }
    // No headers at all.
    let response = app
        .http
        .post(format!("{}/hooks/pbx/{account}", app.base))
        .body(offered.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Signed, but not a call event.
    let (status, body) = post_signed(&app, &account, &json!({"type": "ringing"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), "invalid");
    // Signed, but `answered` before the call was offered.
    let (status, body) = post_signed(
        &app,
        &account,
        &event(
            "answered",
            "c-9",
            app.clock.now(),
            json!({"agent": "agent01", "wait_seconds": 3}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(app.count_cases().await, cases_before, "nothing stored");
    let shown = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/channels/pbx/{account}"))
        .await
        .expect(200);
    assert_eq!(shown["status"]["received"], 0);
    assert!(
        shown["status"]["last_error"]
            .as_str()
            .unwrap()
            .contains("webhook refused"),
        "{shown}"
    );
    // An unknown account.
    let (status, _) = post_signed(&app, "no-such-account", &offered).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_abandoned_call_leaves_a_call_back_promise_with_its_own_clock() {
    let app = spawn_app().await;
    let account = create_account(&app).await;
    let t0 = app.clock.now() - SignedDuration::from_mins(2);
    let first = accept(post_signed(&app, &account, &event("offered", "c-5", t0, json!({}))).await);
    let case = first["case_id"].as_str().unwrap().to_string();
    accept(
        post_signed(
            &app,
            &account,
            &event(
                "abandoned",
                "c-5",
                t0 + SignedDuration::from_secs(45),
                json!({"wait_seconds": 45}),
            ),
        )
        .await,
    );
    let shown = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{case}"))
        .await
        .expect(200);
    let promises = shown["commitments"].as_array().unwrap();
    assert_eq!(promises.len(), 1, "{shown}");
    assert_eq!(promises[0]["state"], "open");
    assert!(promises[0]["note"].as_str().unwrap().contains("回电"));
    let due: Timestamp = promises[0]["due_at"].as_str().unwrap().parse().unwrap();
    assert!(due > app.clock.now(), "due later: {due}");
    assert!(shown["tags"].as_array().unwrap().contains(&json!("回电")));
    let notes = messages(&app, &case).await;
    assert!(
        notes[1]["body"].as_str().unwrap().contains("请在"),
        "{notes:?}"
    );

    // Unkept, the promise falls due on its own clock and is recorded as missed.
    app.clock.advance(SignedDuration::from_hours(72));
    app.fire_due_timers().await;
    // (Sessions expired meanwhile: sign in again.)
    let token = app.login("admin").await;
    let (_, later) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/cases/{case}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(later["commitments"][0]["state"], "missed", "{later}");
}

#[tokio::test]
async fn the_figures_per_queue_match_the_hand_computed_ones() {
    let app = spawn_app().await;
    let account = create_account(&app).await;
    let t0 = app.clock.now() - SignedDuration::from_mins(50);
    let at = |s: i64| t0 + SignedDuration::from_secs(s);
    // after-sales: answered after 10 s and 30 s, abandoned after 40 s, a 3 s mis-dial.
    // sales: answered after 5 s.
    let calls: [(&str, &str, &str, u32); 5] = [
        ("a1", "after-sales", "ended", 10),
        ("a2", "after-sales", "ended", 30),
        ("a3", "after-sales", "abandoned", 40),
        ("a4", "after-sales", "abandoned", 3),
        ("s1", "sales", "ended", 5),
    ];
    for (n, (id, queue, end, wait)) in calls.iter().enumerate() {
        let start = (n as i64) * 300;
        let mut offered = event("offered", id, at(start), json!({}));
        offered["queue"] = json!(queue);
        offered["caller"] = json!(format!("1391234560{n}"));
        accept(post_signed(&app, &account, &offered).await);
        let wait_secs = i64::from(*wait);
        let mut finish = if *end == "ended" {
            let mut answered = offered.clone();
            answered["type"] = json!("answered");
            answered["at"] = json!(at(start + wait_secs).to_string());
            answered["agent"] = json!("agent01");
            answered["wait_seconds"] = json!(wait);
            accept(post_signed(&app, &account, &answered).await);
            let mut ended = answered.clone();
            ended["type"] = json!("ended");
            ended
        } else {
            let mut abandoned = offered.clone();
            abandoned["type"] = json!("abandoned");
            abandoned["wait_seconds"] = json!(wait);
            abandoned
        };
        finish["at"] = json!(at(start + wait_secs + 60).to_string());
        accept(post_signed(&app, &account, &finish).await);
    }
    let from = (t0 - SignedDuration::from_mins(1)).to_string();
    let to = (app.clock.now() + SignedDuration::from_mins(1)).to_string();
    let path = format!(
        "/api/v1/stats/phone?from={}&to={}",
        super::super_encode(&from),
        super::super_encode(&to)
    );
    let figures = app.as_role(Role::Supervisor).get(&path).await.expect(200);
    let queues = figures["queues"].as_array().unwrap();
    assert_eq!(queues.len(), 2, "{figures}");
    let after_sales = &queues[0];
    assert_eq!(after_sales["queue"], "after-sales");
    assert_eq!(after_sales["offered"], 3);
    assert_eq!(after_sales["answered"], 2);
    assert_eq!(after_sales["abandoned"], 1);
    assert_eq!(after_sales["short_abandoned"], 1);
    assert_eq!(after_sales["answered_within_threshold"], 1);
    let close = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-9;
    assert!(close(&after_sales["average_speed_of_answer"], 20.0));
    assert!(close(&after_sales["service_level"], 1.0 / 3.0));
    assert!(close(&after_sales["abandonment_rate"], 1.0 / 3.0));
    let sales = &queues[1];
    assert_eq!(
        (sales["offered"].as_u64(), sales["answered"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(close(&sales["average_speed_of_answer"], 5.0));
    assert!(close(&sales["service_level"], 1.0));
    assert!(close(&sales["abandonment_rate"], 0.0));

    // A period before the calls has none; agents do not see the figures; a bad period is 422.
    let earlier = format!(
        "/api/v1/stats/phone?from={}&to={}",
        super::super_encode(&(t0 - SignedDuration::from_hours(5)).to_string()),
        super::super_encode(&(t0 - SignedDuration::from_hours(4)).to_string())
    );
    let none = app.as_role(Role::Admin).get(&earlier).await.expect(200);
    assert_eq!(none["queues"], json!([]));
    app.as_role(Role::Agent).get(&path).await.expect(403);
    let backwards = format!(
        "/api/v1/stats/phone?from={}&to={}",
        super::super_encode(&to),
        super::super_encode(&from)
    );
    app.as_role(Role::Admin).get(&backwards).await.expect(422);
}

/// A stand-in transcription service on loopback: answers every recording with fixed words and
/// remembers which recordings it was asked about.
async fn stand_in_speech_service() -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let asked: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let seen = asked.clone();
    let service = axum::Router::new().route(
        "/transcribe",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let seen = seen.clone();
            async move {
                let url = body["recording_url"].as_str().unwrap_or("").to_string();
                seen.lock().unwrap().push(url);
                axum::Json(json!({"text": "您好，我的快递三天没更新了。"}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/transcribe", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    (url, asked)
}

#[tokio::test]
async fn a_recording_is_transcribed_once_into_an_internal_note() {
    let app = spawn_app().await;
    let account = create_account(&app).await;
    let (url, asked) = stand_in_speech_service().await;
    let engine = kefu_web::speech::HttpSpeechToText::new(url, Duration::from_secs(5)).unwrap();
    let t0 = app.clock.now() - SignedDuration::from_mins(5);
    let first = accept(post_signed(&app, &account, &event("offered", "c-7", t0, json!({}))).await);
    let case = first["case_id"].as_str().unwrap().to_string();
    for (kind, secs, extra) in [
        (
            "answered",
            8,
            json!({"agent": "agent01", "wait_seconds": 8}),
        ),
        (
            "ended",
            90,
            json!({"agent": "agent01", "wait_seconds": 8,
                "recording_url": "https://rec.yunlu.example/c-7.mp3"}),
        ),
    ] {
        accept(
            post_signed(
                &app,
                &account,
                &event(kind, "c-7", t0 + SignedDuration::from_secs(secs), extra),
            )
            .await,
        );
    }
    for _ in 0..2 {
        assert!(
            app.desk
                .transcribe_call(&engine, &account, "c-7")
                .await
                .unwrap()
        );
    }
    assert_eq!(
        asked.lock().unwrap().first().map(String::as_str),
        Some("https://rec.yunlu.example/c-7.mp3")
    );
    let notes = messages(&app, &case).await;
    let transcripts: Vec<&Value> = notes
        .iter()
        .filter(|m| m["body"].as_str().unwrap().starts_with("通话转写"))
        .collect();
    assert_eq!(transcripts.len(), 1, "once: {notes:?}");
    assert!(
        transcripts[0]["body"]
            .as_str()
            .unwrap()
            .contains("三天没更新")
    );
    assert_eq!(transcripts[0]["visibility"], "internal");

    // A service that is down is said on the case, not lost silently.
    let down = kefu_web::speech::HttpSpeechToText::new(
        "http://127.0.0.1:9/transcribe",
        Duration::from_secs(2),
    )
    .unwrap();
    let second = accept(
        post_signed(
            &app,
            &account,
            &event(
                "offered",
                "c-8",
                t0 + SignedDuration::from_secs(200),
                json!({}),
            ),
        )
        .await,
    );
    assert_eq!(second["case_id"], case.as_str());
    for (kind, secs, extra) in [
        (
            "answered",
            205,
            json!({"agent": "agent01", "wait_seconds": 5}),
        ),
        (
            "ended",
            260,
            json!({"agent": "agent01", "wait_seconds": 5,
                "recording_url": "https://rec.yunlu.example/c-8.mp3"}),
        ),
    ] {
        accept(
            post_signed(
                &app,
                &account,
                &event(kind, "c-8", t0 + SignedDuration::from_secs(secs), extra),
            )
            .await,
        );
    }
    app.desk
        .transcribe_call(&down, &account, "c-8")
        .await
        .unwrap();
    let notes = messages(&app, &case).await;
    assert!(
        notes
            .iter()
            .any(|m| m["body"].as_str().unwrap().starts_with("通话转写失败")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn the_console_shows_the_caller_page_the_recording_and_the_figures() {
    let app = spawn_app().await;
    let account = create_account(&app).await;
    let t0 = app.clock.now() - SignedDuration::from_mins(4);
    let first = accept(post_signed(&app, &account, &event("offered", "c-1", t0, json!({}))).await);
    let case = first["case_id"].as_str().unwrap().to_string();
    for (kind, secs, extra) in [
        (
            "answered",
            9,
            json!({"agent": "agent01", "wait_seconds": 9}),
        ),
        (
            "ended",
            120,
            json!({"agent": "agent01", "wait_seconds": 9,
                "recording_url": "https://rec.yunlu.example/2026/c-1.mp3"}),
        ),
    ] {
        accept(
            post_signed(
                &app,
                &account,
                &event(kind, "c-1", t0 + SignedDuration::from_secs(secs), extra),
            )
            .await,
        );
    }
    let number = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{case}"))
        .await
        .expect(200)["number"]
        .as_str()
        .unwrap()
        .to_string();

    // The screen pop in the console: every page's bar links to the caller page until it is
    // opened.
    let agent = super::console::Console::open(&app, &app.agent, "zh", "/queue/mine").await;
    let queue = agent.get("/queue/mine").await;
    assert!(
        queue
            .html
            .contains(r#"<a href="/calls/c-1" class="screen-pop""#),
        "{}",
        queue.html
    );

    // The screen pop's page: the caller masked, their case, in both languages.
    let page = agent.get("/calls/c-1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("139****5678"), "{}", page.html);
    assert!(!page.html.contains("13912345678"), "never the full number");
    assert!(page.html.contains(&format!("/cases/{number}")));
    assert!(page.html.contains("该号码的客户"));
    assert!(
        !agent.get("/queue/mine").await.html.contains("screen-pop"),
        "opened: no longer popping up"
    );
    let english = super::console::Console::open(&app, &app.agent, "en", "/calls/c-1").await;
    assert!(
        english
            .get("/calls/c-1")
            .await
            .html
            .contains("Open and recent cases")
    );
    assert_eq!(
        agent.get("/calls/no-such-call").await.status,
        StatusCode::NOT_FOUND
    );

    // The case page plays the recording, and its policy lets it load from the PBX's server.
    let response = app
        .http
        .get(format!("{}/cases/{number}", app.base))
        .header(
            "cookie",
            format!("kefu_session={}; kefu_lang=zh", app.agent),
        )
        .send()
        .await
        .unwrap();
    let policy = response
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("media-src 'self' https://rec.yunlu.example;"),
        "{policy}"
    );
    assert!(response.headers().get("x-kefu-media-sources").is_none());
    let html = response.text().await.unwrap();
    assert!(
        html.contains(
            r#"<audio controls preload="none" src="https://rec.yunlu.example/2026/c-1.mp3""#
        ),
        "{html}"
    );
    assert!(html.contains("/calls/c-1"));

    // The admins' channels page names the webhook and how it is doing.
    let admin_page = super::console::Console::open(&app, &app.admin, "zh", "/channels").await;
    let channels = admin_page.get("/channels").await.html;
    assert!(channels.contains("电话系统（PBX）"), "{channels}");
    assert!(channels.contains(&format!("/hooks/pbx/{account}")));
    assert!(!channels.contains(SECRET));

    // The dashboard's phone figures.
    let admin = super::console::Console::open(&app, &app.admin, "zh", "/dashboard?days=1").await;
    let board = admin.get("/dashboard?days=1").await.html;
    assert!(board.contains("电话接听"), "{board}");
    assert!(board.contains(r#"<tr data-queue="after-sales">"#));
    assert!(
        board.contains("100.0%"),
        "service level of one call answered in 9 s"
    );
}

#[tokio::test]
async fn the_console_page_connects_a_pbx_without_showing_its_secret() {
    use super::console::{Console, form_html};
    let app = spawn_app().await;
    let console = Console::open(&app, &app.admin, "zh", "/channels/pbx").await;
    let page = console.get("/channels/pbx").await;
    assert!(page.html.contains("还没有接入电话系统"), "{}", page.html);
    let fields = [
        ("name", "呼叫中心"),
        ("webhook_secret", "console-pbx-secret-123"),
        ("tolerance_seconds", "300"),
        ("recording_base_url", "https://rec.yunlu.example"),
        ("enabled", "on"),
    ];
    let mut short = fields.to_vec();
    short[1] = ("webhook_secret", "too-short");
    let refused = console.post("/channels/pbx", &short).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("webhook_secret"), "{}", refused.html);
    assert!(refused.html.contains("rec.yunlu.example"), "typed kept");
    assert!(
        !refused.html.contains("too-short"),
        "the secret is not echoed"
    );

    let saved = console.post("/channels/pbx", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let listed = app
        .as_role(Role::Admin)
        .get("/api/v1/channels/pbx")
        .await
        .expect(200);
    let id = listed["items"][0]["id"].as_str().unwrap().to_string();
    let page = console.get("/channels/pbx").await;
    assert!(
        page.html.contains(&format!("/hooks/pbx/{id}")),
        "{}",
        page.html
    );
    assert!(!page.html.contains("console-pbx-secret-123"));
    let edit = console.get(&format!("/channels/pbx/{id}")).await;
    assert!(form_html(&edit.html, &format!("/channels/pbx/{id}")).contains("已保存；留空则不变"));
    // Saved again with the secret left empty: it stays, and the version moves on.
    let again = [
        ("name", "呼叫中心（新）"),
        ("webhook_secret", ""),
        ("tolerance_seconds", "600"),
        ("recording_base_url", "https://rec.yunlu.example"),
        ("enabled", "on"),
        ("version", "1"),
    ];
    let saved = console.post(&format!("/channels/pbx/{id}"), &again).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let one = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/channels/pbx/{id}"))
        .await
        .expect(200);
    assert_eq!(
        (
            &one["version"],
            &one["tolerance_seconds"],
            &one["webhook_secret_set"]
        ),
        (&json!(2), &json!(600), &json!(true)),
        "{one}"
    );
    let stale = console.post(&format!("/channels/pbx/{id}"), &again).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    let agent = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    assert_eq!(
        agent.get("/channels/pbx").await.status,
        StatusCode::FORBIDDEN
    );
}
