//! Live chat, black-box: real servers on loopback, real WebSocket clients. Reconnect replay,
//! resends, the bot's handover and routing, two nodes on one PostgreSQL, bad frames.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kefu_desk::{Desk, Store};
use kefu_model::drafts::{DepartmentDraft, UserDraft};
use kefu_model::{Role, SystemClock};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::{PASSWORD, spawn_app};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for a frame before it fails.
const WAIT: Duration = Duration::from_secs(10);

struct Client {
    ws: Ws,
    /// Frames read while looking for another one.
    seen: Vec<Value>,
}

impl Client {
    async fn connect(base: &str, path: &str, bearer: Option<&str>) -> Client {
        let url = format!("{}{path}", base.replacen("http://", "ws://", 1));
        let mut req = url.into_client_request().unwrap();
        if let Some(t) = bearer {
            req.headers_mut()
                .insert("authorization", format!("Bearer {t}").parse().unwrap());
        }
        let (ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        Client {
            ws,
            seen: Vec::new(),
        }
    }

    async fn send(&mut self, v: Value) {
        self.ws
            .send(Message::Text(v.to_string().into()))
            .await
            .unwrap();
    }

    /// The next frame satisfying `want`, within `WAIT`; the frames passed over are kept.
    async fn until(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let msg = tokio::time::timeout(left, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("no such frame within {WAIT:?}; saw {:#?}", self.seen))
                .expect("socket closed")
                .unwrap();
            let Message::Text(text) = msg else { continue };
            let v: Value = serde_json::from_str(&text).unwrap();
            if want(&v) {
                return v;
            }
            self.seen.push(v);
        }
    }

    /// Sends a customer message and returns the bot's answer to it.
    async fn ask_bot(&mut self, client_id: &str, body: &str) -> String {
        self.send(json!({"type": "message", "client_id": client_id, "body": body}))
            .await;
        self.frame("ack").await;
        self.until(|v| is_message(v, "bot")).await["body"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn frame(&mut self, kind: &str) -> Value {
        self.until(|v| v["type"] == kind).await
    }

    /// Every frame that arrives within `quiet` of the previous one.
    async fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(Some(Ok(msg))) = tokio::time::timeout(quiet, self.ws.next()).await {
            if let Message::Text(text) = msg {
                out.push(serde_json::from_str(&text).unwrap());
            }
        }
        out
    }
}

async fn start_chat(base: &str) -> Value {
    let res = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{base}/api/v1/chat/conversations"))
        .json(&json!({"name": "王女士", "origin": "widget"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn customer(base: &str, token: &str, after: i64) -> Client {
    let mut c = Client::connect(base, "/chat/ws", None).await;
    c.send(json!({"type": "hello", "token": token, "after": after}))
        .await;
    c.frame("welcome").await;
    c
}

/// The conversation as staff see it, over HTTP.
async fn staff_frames(app: &super::TestApp, case_id: &str) -> (StatusCode, Value) {
    app.call(
        reqwest::Method::GET,
        &format!("/api/v1/chat/cases/{case_id}/frames"),
        Some(&app.agent),
        None,
    )
    .await
}

fn is_message(v: &Value, author: &str) -> bool {
    v["type"] == "message" && v["author"] == author
}

#[tokio::test]
async fn a_reconnecting_customer_gets_what_was_missed_once_and_resends_store_nothing() {
    let app = spawn_app().await;
    let chat = start_chat(&app.base).await;
    let token = chat["token"].as_str().unwrap();
    let case_id = chat["case_id"].as_str().unwrap();

    let mut c = customer(&app.base, token, 0).await;
    let welcome = c.until(|v| is_message(v, "bot")).await;
    assert!(welcome["body"].as_str().unwrap().contains("您好"));
    c.send(json!({"type": "message", "client_id": "m-1", "body": "你好"}))
        .await;
    let ack = c.frame("ack").await;
    assert_eq!(ack["duplicate"], false);
    let m1_seq = ack["seq"].as_i64().unwrap();
    // The bot answers after the acknowledgement.
    let reply = c.until(|v| is_message(v, "bot")).await;
    let seen_seq = reply["seq"].as_i64().unwrap();
    assert!(seen_seq > m1_seq);
    drop(c);

    // While the customer is away (phone asleep), an agent answers.
    let mut agent = Client::connect(
        &app.base,
        &format!("/api/v1/chat/cases/{case_id}/ws"),
        Some(&app.agent),
    )
    .await;
    agent.send(json!({"type": "hello", "after": 0})).await;
    agent.frame("welcome").await;
    let m1 = agent.until(|v| is_message(v, "customer")).await;
    assert_eq!(m1["seq"].as_i64(), Some(m1_seq));
    agent
        .send(json!({"type": "message", "client_id": "a-1", "body": "您好，我是客服小李"}))
        .await;
    let agent_ack = agent.frame("ack").await;

    // Back online: only what came after the last seq seen, and the unacknowledged resend of
    // m-1 (the ack was lost, say) is recognised.
    let mut c = customer(&app.base, token, seen_seq).await;
    let missed = c.until(|v| is_message(v, "agent")).await;
    assert_eq!(missed["body"], "您好，我是客服小李");
    assert_eq!(missed["seq"], agent_ack["seq"]);
    assert!(
        c.seen
            .iter()
            .all(|f| f["seq"].as_i64().unwrap_or(i64::MAX) > seen_seq),
        "replayed old frames: {:?}",
        c.seen
    );
    c.send(json!({"type": "message", "client_id": "m-1", "body": "你好"}))
        .await;
    let again = c.frame("ack").await;
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["seq"].as_i64(), Some(m1_seq));

    // The whole conversation holds the customer's message once, and seqs never repeat.
    let (status, body) = staff_frames(&app, case_id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().unwrap();
    let from_customer = items.iter().filter(|f| is_message(f, "customer")).count();
    assert_eq!(from_customer, 1, "{items:#?}");
    let mut seqs: Vec<i64> = items.iter().map(|f| f["seq"].as_i64().unwrap()).collect();
    let n = seqs.len();
    seqs.dedup();
    assert_eq!(seqs.len(), n);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    // What the bot understood is there for staff (and only for staff).
    assert!(items.iter().any(|f| f["type"] == "understood"));
}

#[tokio::test]
async fn typing_and_read_receipts_reach_the_other_side() {
    let app = spawn_app().await;
    let chat = start_chat(&app.base).await;
    let token = chat["token"].as_str().unwrap();
    let case_id = chat["case_id"].as_str().unwrap();
    let mut c = customer(&app.base, token, 0).await;
    c.until(|v| is_message(v, "bot")).await;
    let mut agent = Client::connect(
        &app.base,
        &format!("/api/v1/chat/cases/{case_id}/ws"),
        Some(&app.agent),
    )
    .await;
    agent.send(json!({"type": "hello", "after": 0})).await;
    agent.frame("welcome").await;
    c.send(json!({"type": "typing"})).await;
    let typing = agent.frame("typing").await;
    assert_eq!(typing["who"], "customer");
    agent
        .send(json!({"type": "message", "client_id": "a-1", "body": "在的"}))
        .await;
    let ack = agent.frame("ack").await;
    let seq = ack["seq"].as_i64().unwrap();
    c.until(|v| is_message(v, "agent")).await;
    c.send(json!({"type": "read", "seq": seq})).await;
    let read = agent.frame("read").await;
    assert_eq!(read["who"], "customer");
    assert_eq!(read["seq"].as_i64(), Some(seq));
    // Internal notes never reach the customer.
    agent
        .send(json!({"type": "note", "client_id": "n-1", "body": "客户很着急"}))
        .await;
    agent.frame("ack").await;
    let later = c.drain(Duration::from_millis(600)).await;
    assert!(later.iter().all(|f| f["body"] != "客户很着急"), "{later:?}");
}

#[tokio::test]
async fn asking_for_a_person_hands_over_starts_the_30_second_clock_and_routes_to_a_free_agent() {
    let app = spawn_app().await;
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/presence",
            Some(&app.agent),
            Some(json!({"presence": "online", "max_chats": 2})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let chat = start_chat(&app.base).await;
    let token = chat["token"].as_str().unwrap();
    let case_id = chat["case_id"].as_str().unwrap();

    // While the bot answers, nobody owes a first reply.
    let (_, case) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/cases/{case_id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert!(
        case["sla"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["kind"] != "first_response" && c["clock"] != "first_response"),
        "{case}"
    );

    let mut c = customer(&app.base, token, 0).await;
    c.send(json!({"type": "message", "client_id": "m-1", "body": "转人工"}))
        .await;
    c.frame("ack").await;
    let handed = c
        .until(|v| v["type"] == "notice" && v["kind"] == "handed_over")
        .await;
    assert_eq!(handed["reason"], "asked_for_person");
    let joined = c
        .until(|v| v["type"] == "notice" && v["kind"] == "agent_joined")
        .await;
    assert!(joined["name"].is_string(), "{joined}");

    let (_, case) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/cases/{case_id}"),
            Some(&app.agent),
            None,
        )
        .await;
    let me = app
        .call(reqwest::Method::GET, "/api/v1/me", Some(&app.agent), None)
        .await
        .1;
    assert_eq!(case["assignee"], me["id"], "{case}");
    let first = case["sla"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c.to_string().contains("first_response"))
        .cloned()
        .unwrap_or_else(|| panic!("no first-response clock after the handover: {case}"));
    assert_eq!(first["target_secs"], 30, "{first}");
    assert_eq!(first["state"], "running", "{first}");
    assert_eq!(case["bot"]["active"], false);

    // The agent sees what the bot understood.
    let (_, frames) = staff_frames(&app, case_id).await;
    let understood = frames["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["type"] == "understood")
        .cloned()
        .unwrap();
    assert_eq!(understood["understood"]["intent"], "human");
}

/// A complaint made in a chat must be answered at the chat's pace (30 s, not the complaint rule's
/// 24 h) and resolved by the earlier of the chat's 24 h and the complaint's 2 working days: every
/// promise that applies holds, none replaces a stricter one.
#[tokio::test]
async fn a_chat_complaint_handed_over_keeps_the_chat_answer_time_and_the_complaint_resolution() {
    let app = spawn_app().await;
    let chat = start_chat(&app.base).await;
    let case_id = chat["case_id"].as_str().unwrap();
    let mut c = customer(&app.base, chat["token"].as_str().unwrap(), 0).await;
    c.send(json!({"type": "message", "client_id": "m-1", "body": "我要投诉你们的快递员，没送上门就点了签收"}))
        .await;
    let handed = c
        .until(|v| v["type"] == "notice" && v["kind"] == "handed_over")
        .await;
    assert_eq!(handed["reason"], "complaint", "{handed}");

    let (_, case) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/cases/{case_id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(case["category"], "complaint", "{case}");
    let clock = |kind: &str| {
        case["sla"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} clock: {case}"))
    };
    let first = clock("first_response");
    assert_eq!(first["target_secs"], 30, "{first}");
    assert_eq!(first["policy"], "chat", "{first}");
    let resolution = clock("resolution");
    assert_eq!(resolution["policy"], "chat", "{resolution}");
    assert_eq!(resolution["target_secs"], 24 * 3600, "{resolution}");
}

#[tokio::test]
async fn a_full_queue_tells_the_customer_where_they_stand() {
    let app = spawn_app().await;
    // Online but with room for no chats: nobody can take one, so the chat queues with a wait.
    app.call(
        reqwest::Method::PUT,
        "/api/v1/me/presence",
        Some(&app.agent),
        Some(json!({"presence": "online", "max_chats": 0})),
    )
    .await;
    let chat = start_chat(&app.base).await;
    let mut c = customer(&app.base, chat["token"].as_str().unwrap(), 0).await;
    c.send(json!({"type": "message", "client_id": "m-1", "body": "人工客服"}))
        .await;
    let told = c
        .until(|v| {
            is_message(v, "bot")
                && v["body"].as_str().is_some_and(|b| {
                    b.contains("没有空闲") || b.contains("排队") || b.contains("等待")
                })
        })
        .await;
    assert!(told["body"].is_string());
}

#[tokio::test]
async fn bad_frames_get_clear_errors_and_change_nothing() {
    let app = spawn_app().await;
    // A wrong token: refused, the socket ends.
    let mut c = Client::connect(&app.base, "/chat/ws", None).await;
    c.send(json!({"type": "hello", "token": "nope", "after": 0}))
        .await;
    let e = c.frame("error").await;
    assert_eq!(e["code"], "not_found");

    let chat = start_chat(&app.base).await;
    let token = chat["token"].as_str().unwrap();
    let case_id = chat["case_id"].as_str().unwrap();
    let mut c = customer(&app.base, token, 0).await;
    c.until(|v| is_message(v, "bot")).await;
    c.ws.send(Message::Text("{not json".into())).await.unwrap();
    assert_eq!(c.frame("error").await["code"], "malformed_frame");
    c.send(json!({"type": "message", "client_id": "m-1", "body": "  "}))
        .await;
    let e = c.frame("error").await;
    assert_eq!(e["code"], "invalid_field");
    assert_eq!(e["client_id"], "m-1");
    c.send(json!({"type": "message", "client_id": "bad id!", "body": "hi"}))
        .await;
    assert_eq!(c.frame("error").await["field"], "client_id");
    c.send(json!({"type": "message", "client_id": "m-2", "body": "x".repeat(4001)}))
        .await;
    assert_eq!(c.frame("error").await["field"], "body");
    c.send(json!({"type": "message", "client_id": "m-3", "body": "",
        "attachments": [{"name": "a.png", "mime": "image/png", "data": "PGh0bWw+"}]}))
        .await;
    assert_eq!(c.frame("error").await["field"], "attachments[0].data");
    c.send(json!({"type": "note", "client_id": "m-4", "body": "hi"}))
        .await;
    assert_eq!(c.frame("error").await["code"], "forbidden");
    // Still connected, and nothing was stored.
    c.send(json!({"type": "ping"})).await;
    c.frame("pong").await;
    let (_, frames) = staff_frames(&app, case_id).await;
    assert!(
        frames["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !is_message(f, "customer")),
        "{frames}"
    );

    // Starting a chat with a field that does not exist.
    let (status, body) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/chat/conversations",
            None,
            Some(json!({"nickname": "x"})),
        )
        .await;
    assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{status} {body}"
    );
    // Another agent's view of a chat needs a login.
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/chat/cases/{case_id}/frames", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn images_are_stored_and_only_their_conversation_opens_them() {
    use base64::Engine as _;
    let app = spawn_app().await;
    let chat = start_chat(&app.base).await;
    let mut c = customer(&app.base, chat["token"].as_str().unwrap(), 0).await;
    c.until(|v| is_message(v, "bot")).await;
    let png = [0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
    c.send(
        json!({"type": "message", "client_id": "img-1", "body": "箱子破了",
        "attachments": [{"name": "box.png", "mime": "image/png",
            "data": base64::engine::general_purpose::STANDARD.encode(png)}]}),
    )
    .await;
    c.frame("ack").await;
    // A second connection sees the message with a link that opens the image.
    let mut other = customer(&app.base, chat["token"].as_str().unwrap(), 0).await;
    let msg = other
        .until(|v| is_message(v, "customer") && v["attachments"].is_array())
        .await;
    let url = msg["attachments"][0]["url"].as_str().unwrap().to_string();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let res = http.get(format!("{}{url}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), &png);
    let bare = url.split('?').next().unwrap();
    let res = http
        .get(format!("{}{bare}?k=00", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_widget_and_its_frame_can_be_embedded_elsewhere() {
    let app = spawn_app().await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let res = http
        .get(format!("{}/widget.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert!(res.text().await.unwrap().contains("/portal/chat?embed=1"));
    let res = http
        .get(format!("{}/portal/chat?embed=1", app.base))
        .send()
        .await
        .unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(res.headers().get("x-frame-options").is_none());
    assert!(res.text().await.unwrap().contains("chat-log"));
    // The portal's own pages stay unframeable.
    let res = http
        .get(format!("{}/portal/chat", app.base))
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
}

/// One kefu node over `store`: its own desk, hub and HTTP server.
async fn node(store: Arc<dyn Store>) -> String {
    let desk = Desk::new(store, Arc::new(SystemClock))
        .with_nlu(Arc::new(kefu_nlu::SharedNlu))
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(kefu_web::serve(
        listener,
        kefu_web::AppState::new(desk),
        std::future::pending(),
    ));
    base
}

#[tokio::test]
async fn a_customer_on_one_node_and_an_agent_on_another_talk_through_postgres() {
    let Ok(url) = std::env::var("KEFU_TEST_DATABASE_URL") else {
        eprintln!("KEFU_TEST_DATABASE_URL is not set: the two-node chat test is skipped");
        return;
    };
    let schema = kefu_store_postgres::create_fresh_schema(&url, "kefu_chat")
        .await
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let node_url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    // Two connection pools, two hubs, two servers: nothing shared but the database.
    let store_a: Arc<dyn Store> = Arc::new(kefu_store_postgres::open(&node_url).await.unwrap());
    let store_b: Arc<dyn Store> = Arc::new(kefu_store_postgres::open(&node_url).await.unwrap());
    let setup = Desk::new(store_a.clone(), Arc::new(SystemClock))
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
    setup.bootstrap_admin(Some(PASSWORD.into())).await.unwrap();
    setup.install_builtin_calendars().await.unwrap();
    setup.install_default_policies().await.unwrap();
    setup.install_seed_replies().await.unwrap();
    setup
        .create_department(
            None,
            DepartmentDraft {
                key: "service".into(),
                name: "客服部".into(),
                kind: "service".into(),
            },
        )
        .await
        .unwrap();
    setup
        .create_user(
            None,
            UserDraft {
                username: "agent01".into(),
                password: PASSWORD.into(),
                role: Role::Agent,
                display_name: Some("小李".into()),
                department: Some("service".into()),
            },
        )
        .await
        .unwrap();
    let a = node(store_a).await;
    let b = node(store_b).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let login: Value = http
        .post(format!("{b}/api/v1/auth/login"))
        .json(&json!({"username": "agent01", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let agent_token = login["token"].as_str().unwrap().to_string();

    let chat = start_chat(&a).await;
    let case_id = chat["case_id"].as_str().unwrap();
    let mut c = customer(&a, chat["token"].as_str().unwrap(), 0).await;
    c.until(|v| is_message(v, "bot")).await;
    let mut agent = Client::connect(
        &b,
        &format!("/api/v1/chat/cases/{case_id}/ws"),
        Some(&agent_token),
    )
    .await;
    agent.send(json!({"type": "hello", "after": 0})).await;
    agent.frame("welcome").await;

    // Customer (node A) → agent (node B), and back; typing crosses too.
    for i in 0..5 {
        c.send(json!({"type": "message", "client_id": format!("m-{i}"), "body": format!("第{i}条：我的包裹还没到")}))
            .await;
        c.frame("ack").await;
        let got = agent
            .until(|v| is_message(v, "customer") && v["client_id"] == format!("m-{i}"))
            .await;
        assert_eq!(got["body"], format!("第{i}条：我的包裹还没到"));
        agent
            .send(json!({"type": "message", "client_id": format!("a-{i}"), "body": format!("收到第{i}条")}))
            .await;
        agent.frame("ack").await;
        let back = c
            .until(|v| is_message(v, "agent") && v["body"] == format!("收到第{i}条"))
            .await;
        assert_eq!(back["name"], "小李");
    }
    agent.send(json!({"type": "typing"})).await;
    assert_eq!(c.frame("typing").await["who"], "staff");
}

#[tokio::test]
async fn the_bot_answers_routine_questions_from_the_parcel_rules() {
    let app = spawn_app().await;
    let chat = start_chat(&app.base).await;
    let mut c = customer(&app.base, chat["token"].as_str().unwrap(), 0).await;
    c.until(|v| is_message(v, "bot")).await;
    let mut ask =
        async |client_id: &str, body: &str| -> String { c.ask_bot(client_id, body).await };
    let answer = ask("q-1", "锂电池能寄吗").await;
    assert!(answer.contains("锂电池"), "{answer}");
    let answer = ask("q-2", "我的快递到哪了").await;
    assert!(answer.contains("单号"), "{answer}");
    // The number it asked for is looked up (this one is nobody's parcel here).
    let answer = ask("q-3", "13800138000").await;
    assert!(!answer.is_empty());
    // A price, from the rate card.
    let answer = ask("q-4", "从杭州市西湖区寄到北京市朝阳区 3公斤多少钱").await;
    assert!(answer.contains("运费约 ¥"), "{answer}");
    // Coverage, from the coverage setting.
    let answer = ask("q-5", "你们的服务范围包括乌鲁木齐市吗").await;
    assert!(
        answer.contains("服务范围") || answer.contains("开通"),
        "{answer}"
    );
}

#[tokio::test]
async fn the_routing_policy_is_a_validated_setting() {
    let app = spawn_app().await;
    let (status, policy) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/settings/routing",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{policy}");
    assert_eq!(policy["average_handle_secs"], 300);
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/settings/routing",
            Some(&app.admin),
            Some(json!({"overflow_department": "00000000-0000-7000-8000-000000000000"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "overflow_department");
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/presence",
            Some(&app.agent),
            Some(json!({"presence": "online", "max_chats": 99})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, me) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/me/presence",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(
        me["presence"], "offline",
        "a refused change changes nothing: {me}"
    );
    let (status, parsed) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/nlu/parse",
            Some(&app.agent),
            Some(json!({"text": "明天下午来取件，寄到北京朝阳区 5公斤"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{parsed}");
    assert_eq!(parsed["intent"], "pickup");
    assert!(
        parsed["entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "weight")
    );
}

#[tokio::test]
async fn the_bot_books_a_pickup_slot_by_slot_after_the_customer_confirms_the_quote() {
    let app = spawn_app().await;
    let chat = start_chat(&app.base).await;
    let case_id = chat["case_id"].as_str().unwrap().to_string();
    let mut c = customer(&app.base, chat["token"].as_str().unwrap(), 0).await;
    c.until(|v| is_message(v, "bot")).await;
    let mut turn = 0;
    let mut say = async |body: &str| -> String {
        turn += 1;
        c.ask_bot(&format!("p-{turn}"), body).await
    };
    let mut answer = say("我要寄快递，3公斤的衣服").await;
    let replies = [
        ("取件地址", "浙江省杭州市西湖区文三路100号"),
        ("寄到哪里", "北京市朝阳区建国路88号"),
        ("手机号", "13800138000"),
        ("怎么称呼", "张三"),
    ];
    for (asked, reply) in replies {
        assert!(
            answer.contains(asked),
            "expected a question about {asked}: {answer}"
        );
        answer = say(reply).await;
    }
    assert!(
        answer.contains("运费约"),
        "the quote before booking: {answer}"
    );
    assert!(answer.contains("确认"), "{answer}");
    let booked = say("确认").await;
    assert!(booked.contains("预约单号"), "{booked}");
    let (status, pickups) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/pickups?case_id={case_id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pickups}");
    let items = pickups["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{pickups}");
    assert_eq!(items[0]["item"], "衣服");
    assert!(booked.contains(items[0]["number"].as_str().unwrap()));
}

#[tokio::test]
async fn a_chat_in_english_is_answered_in_english() {
    let app = spawn_app().await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let chat: Value = http
        .post(format!("{}/api/v1/chat/conversations", app.base))
        .json(&json!({"language": "en", "origin": "widget"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut c = customer(&app.base, chat["token"].as_str().unwrap(), 0).await;
    let welcome = c.until(|v| is_message(v, "bot")).await;
    assert!(
        welcome["body"].as_str().unwrap().starts_with("Hello"),
        "{welcome}"
    );
    c.send(json!({"type": "message", "client_id": "e-1", "body": "where is my parcel?"}))
        .await;
    c.frame("ack").await;
    let answer = c.until(|v| is_message(v, "bot")).await;
    let body = answer["body"].as_str().unwrap();
    assert!(body.contains("waybill number"), "{body}");
    assert!(
        !body
            .chars()
            .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
        "{body}"
    );
}

#[tokio::test]
async fn the_bot_answers_from_the_help_centre_and_says_so_when_nothing_fits() {
    let app = spawn_app().await;
    // The shipped articles are indexed first (the node builds its index from the outbox).
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (_, found) = app
            .call(
                reqwest::Method::GET,
                &format!(
                    "/api/v1/help/search?q={}",
                    form_urlencoded::byte_serialize("打包".as_bytes()).collect::<String>()
                ),
                None,
                None,
            )
            .await;
        if found["items"].as_array().is_some_and(|i| !i.is_empty()) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{found}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let chat = start_chat(&app.base).await;
    let mut c = customer(&app.base, chat["token"].as_str().unwrap(), 0).await;
    c.until(|v| is_message(v, "bot")).await;
    let mut ask =
        async |client_id: &str, body: &str| -> String { c.ask_bot(client_id, body).await };
    // A how-to question the bot has no rule for: the packing article answers it.
    let answer = ask("k-1", "易碎品怎么包装比较好").await;
    assert!(
        answer.contains("/portal/help/seed-packaging-tips"),
        "{answer}"
    );
    assert!(answer.contains("摘自帮助中心"), "{answer}");
    // An invoice question: the article linked to the invoice intent.
    let answer = ask("k-2", "运费可以开发票吗").await;
    assert!(answer.contains("/portal/help/seed-invoices"), "{answer}");
    // Nothing fits: the bot says so instead of guessing, and the question is a gap.
    let answer = ask("k-3", "你们招聘快递员吗").await;
    assert!(
        answer.contains("没有") || answer.contains("没太明白"),
        "{answer}"
    );
    assert!(!answer.contains("摘自帮助中心"), "{answer}");
    let (_, report) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/kb/gaps",
            Some(&app.agent),
            None,
        )
        .await;
    let items = report["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|g| g["question"] == "你们招聘快递员吗" && g["sources"] == json!(["bot"])),
        "{report}"
    );
}

/// The chat desk shows conversations. A chat-channel case recorded through the API (a chat held
/// somewhere else) has none: it stays in the queues and gets no chat panel, which could only
/// stay empty and whose socket would be refused.
#[tokio::test]
async fn the_chat_desk_shows_only_cases_with_a_conversation() {
    let app = spawn_app().await;
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/presence",
            Some(&app.agent),
            Some(json!({"presence": "online", "max_chats": 2})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let recorded = app
        .create_case(json!({"channel": "chat", "subject": "在别的平台聊过的问题",
            "customer": {"name": "赵先生", "phone": "13912345678"}}))
        .await;
    let recorded_number = recorded["number"].as_str().unwrap().to_string();
    let me = app
        .call(reqwest::Method::GET, "/api/v1/me", Some(&app.agent), None)
        .await
        .1;
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/cases/{recorded_number}"),
            Some(&app.agent),
            Some(json!({"assignee": me["id"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let chat = start_chat(&app.base).await;
    let mut c = customer(&app.base, chat["token"].as_str().unwrap(), 0).await;
    c.send(json!({"type": "message", "client_id": "m-1", "body": "转人工"}))
        .await;
    c.until(|v| v["type"] == "notice" && v["kind"] == "agent_joined")
        .await;
    let (_, live) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/cases/{}", chat["case_id"].as_str().unwrap()),
            Some(&app.agent),
            None,
        )
        .await;
    let live_number = live["number"].as_str().unwrap().to_string();

    let console = super::console::Console::open(&app, &app.agent, "zh", "/queue/mine").await;
    let page = console.get("/chats").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.html;
    assert!(html.contains(&live_number), "the live chat has its panel");
    assert!(
        !html.contains(&recorded_number),
        "a chat case without a conversation gets no panel"
    );
    // It is still the agent's case, in the queue.
    let (_, mine) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/cases?assignee={}", me["id"].as_str().unwrap()),
            Some(&app.agent),
            None,
        )
        .await;
    assert!(mine.to_string().contains(&recorded_number), "{mine}");
}

/// What a message already says is not asked again: the pickup address and weight given with the
/// request, the destination named in a price question (only the origin is asked for, and the
/// answer completes the price).
#[tokio::test]
async fn the_bot_does_not_ask_for_what_the_customer_already_said() {
    let app = spawn_app().await;
    let chat = start_chat(&app.base).await;
    let mut c = customer(&app.base, chat["token"].as_str().unwrap(), 0).await;
    c.until(|v| is_message(v, "bot")).await;
    let mut turn = 0;
    let mut say = async |body: &str| -> String {
        turn += 1;
        c.ask_bot(&format!("r-{turn}"), body).await
    };
    let answer = say("明天下午来我家取个件，上海市浦东新区张江路100号，大概3公斤").await;
    assert!(
        !answer.contains("取件地址") && !answer.contains("多重"),
        "the address and the weight were given: {answer}"
    );
    assert!(answer.contains("寄到哪里"), "{answer}");
    let answer = say("取消").await;
    assert!(!answer.is_empty());

    let answer = say("寄到北京5公斤多少钱").await;
    assert!(
        answer.contains("从哪里寄出"),
        "only the origin is missing: {answer}"
    );
    assert!(
        !answer.contains("寄到哪里") && !answer.contains("多重"),
        "{answer}"
    );
    let answer = say("杭州市西湖区").await;
    assert!(
        answer.contains("运费约 ¥"),
        "the price once the origin is known: {answer}"
    );
}

#[tokio::test]
async fn a_resolved_chat_shows_the_rating_card_whose_answer_is_taken_once() {
    let app = spawn_app().await;
    let chat = start_chat(&app.base).await;
    let token = chat["token"].as_str().unwrap();
    let case_id = chat["case_id"].as_str().unwrap();
    let mut c = customer(&app.base, token, 0).await;
    c.until(|v| is_message(v, "bot")).await;
    // Before the case is resolved a rating is refused.
    c.send(json!({"type": "rate", "score": 5})).await;
    let refused = c.frame("error").await;
    assert_eq!(refused["code"], "not_resolved", "{refused}");
    for status in ["open", "resolved"] {
        app.as_role(kefu_model::Role::Admin)
            .patch(
                &format!("/api/v1/cases/{case_id}"),
                json!({"status": status}),
            )
            .await
            .expect(200);
    }
    // The card: the survey notice with the reasons offered.
    let card = c
        .until(|v| v["type"] == "notice" && v["kind"] == "survey")
        .await;
    assert_eq!(card["satisfied_from"], 4);
    assert_eq!(card["poor_reasons"][1], "没解决问题");
    // A reason not offered with the score is refused; then the answer.
    c.send(json!({"type": "rate", "score": 2, "reasons": ["响应快"]}))
        .await;
    let refused = c.frame("error").await;
    assert_eq!(refused["code"], "invalid_field", "{refused}");
    c.send(json!({"type": "rate", "score": 2, "reasons": ["没解决问题"], "comment": "还没到"}))
        .await;
    let rated = c.frame("rated").await;
    assert_eq!(rated["score"], 2);
    let notice = c
        .until(|v| v["type"] == "notice" && v["kind"] == "rated")
        .await;
    assert_eq!(notice["reason"], "2");
    c.send(json!({"type": "rate", "score": 5})).await;
    let twice = c.frame("error").await;
    assert_eq!(twice["code"], "already_rated", "{twice}");
    let case = app
        .as_role(kefu_model::Role::Admin)
        .get(&format!("/api/v1/cases/{case_id}"))
        .await
        .expect(200);
    assert_eq!(case["survey"]["answer"]["via"], "chat");
    assert_eq!(case["survey"]["answer"]["comment"], "还没到");
    assert_eq!(case["survey"]["follow_up"]["state"], "open");
}
