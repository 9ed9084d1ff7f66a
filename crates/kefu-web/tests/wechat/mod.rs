//! The WeChat channel over HTTP: accounts through the API (secrets never answered), the public
//! callback URL as WeChat calls it (signed as documented: the URL check, plain and WeCom-encrypted
//! messages), messages becoming a case the bot answers first, retries taken once, refusals
//! storing nothing, unreadable callbacks kept raw, and replies delivered through a stand-in of
//! the customer-service API on loopback — or refused at once outside the 48-hour window.

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::routing::{get, post};
use jiff::SignedDuration;
use kefu_model::channels::AttemptResult;
use kefu_model::{Clock, Role};
use kefu_wechat::{ClientConfig, MessageCrypto, WeChatClient, sign};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::console::{Console, form_html};
use super::{TestApp, error_code, own_waybill, shipment, spawn_app};

const TOKEN: &str = "kefuToken2026";
const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const APP_ID: &str = "wx5823bf96d3bd56c7";
const APP_SECRET: &str = "app-secret-0123456789";
const CORP_ID: &str = "ww0123456789abcdef";
const OPENID: &str = "oWx-customer-0001";

fn official_account(api_base: &str) -> Value {
    json!({"name": "云路快递公众号", "app_id": APP_ID, "app_secret": APP_SECRET,
        "token": TOKEN, "api_base": api_base})
}

async fn create_account(app: &TestApp, draft: Value) -> String {
    let created = app
        .as_role(Role::Admin)
        .post("/api/v1/channels/wechat", draft)
        .await
        .expect(201);
    created["id"].as_str().unwrap().to_string()
}

fn now_seconds(app: &TestApp) -> String {
    app.clock.now().as_second().to_string()
}

fn text_message(openid: &str, msg_id: u64, content: &str, create_time: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_yunlu]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>\
         <CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>\
         <Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )
}

/// POSTs `body` to the account's callback URL, signed in plain mode with `token`.
async fn post_plain(app: &TestApp, id: &str, body: &str, token: &str) -> (StatusCode, String) {
    let timestamp = now_seconds(app);
    let nonce = "1320562132";
    let signature = sign(&[token, &timestamp, nonce]);
    let reply = app
        .http
        .post(format!(
            "{}/hooks/wechat/{id}?signature={signature}&timestamp={timestamp}&nonce={nonce}&openid={OPENID}",
            app.base
        ))
        .header("content-type", "text/xml")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (reply.status(), reply.text().await.unwrap())
}

async fn inbound(app: &TestApp) -> Vec<Value> {
    let list = app
        .as_role(Role::Admin)
        .get("/api/v1/channels/inbound")
        .await
        .expect(200);
    list["items"].as_array().unwrap().clone()
}

async fn messages(app: &TestApp, case_id: &str) -> Vec<Value> {
    let list = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{case_id}/messages"))
        .await
        .expect(200);
    list["items"].as_array().unwrap().clone()
}

async fn deliveries(app: &TestApp, case_id: &str) -> Vec<Value> {
    let list = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{case_id}/deliveries"))
        .await
        .expect(200);
    list["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn accounts_keep_their_secrets_to_themselves_and_refuse_bad_input() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    let created = admin
        .post(
            "/api/v1/channels/wechat",
            official_account("https://api.weixin.qq.com"),
        )
        .await
        .expect(201);
    let text = created.to_string();
    assert!(
        !text.contains(APP_SECRET) && !text.contains(TOKEN),
        "{text}"
    );
    assert_eq!(created["app_secret_set"], true);
    assert_eq!(created["token_set"], true);
    assert_eq!(created["encoding_aes_key_set"], false);
    assert_eq!(created["flavor"], "official_account");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["callback_path"], format!("/hooks/wechat/{id}"));

    for (field, value) in [
        ("api_base", json!("ftp://api.weixin.qq.com")),
        ("app_id", json!("wx 1; drop")),
        ("name", json!("")),
    ] {
        let mut bad = official_account("");
        bad[field] = value;
        let body = admin.post("/api/v1/channels/wechat", bad).await.expect(422);
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    // A key of the right length that is not Base64 of 32 bytes is refused by the full check.
    let mut bad_key = official_account("");
    bad_key["encrypted"] = json!(true);
    bad_key["encoding_aes_key"] = json!("!".repeat(43));
    let body = admin
        .post("/api/v1/channels/wechat", bad_key)
        .await
        .expect(422);
    assert_eq!(body["error"]["field"], "encoding_aes_key", "{body}");

    // An edit without secrets keeps them; a stale version is refused.
    let edit = json!({"name": "云路快递服务号", "app_id": APP_ID, "version": 1});
    let changed = admin
        .put(&format!("/api/v1/channels/wechat/{id}"), edit.clone())
        .await
        .expect(200);
    assert_eq!(changed["name"], "云路快递服务号");
    assert_eq!(changed["app_secret_set"], true);
    assert_eq!(changed["version"], 2);
    let stale = admin
        .put(&format!("/api/v1/channels/wechat/{id}"), edit)
        .await
        .expect(409);
    assert_eq!(error_code(&stale), "version_conflict");
    // The e-mail routes do not see it, nor it them.
    admin
        .get(&format!("/api/v1/channels/email/{id}"))
        .await
        .expect(404);
    let list = admin.get("/api/v1/channels/wechat").await.expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_url_check_answers_the_challenge_only_to_the_right_signature() {
    let app = spawn_app().await;
    let id = create_account(&app, official_account("")).await;
    let timestamp = now_seconds(&app);
    let nonce = "88420";
    let good = sign(&[TOKEN, &timestamp, nonce]);
    let url = |signature: &str, timestamp: &str| {
        format!(
            "{}/hooks/wechat/{id}?signature={signature}&timestamp={timestamp}&nonce={nonce}&echostr=challenge-4711",
            app.base
        )
    };
    let reply = app.http.get(url(&good, &timestamp)).send().await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.text().await.unwrap(), "challenge-4711");

    let wrong = sign(&["another-token", &timestamp, nonce]);
    let reply = app.http.get(url(&wrong, &timestamp)).send().await.unwrap();
    assert_eq!(reply.status(), 401);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(error_code(&body), "bad_signature", "{body}");
    let account = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/channels/wechat/{id}"))
        .await
        .expect(200);
    assert!(
        account["status"]["last_error"]
            .as_str()
            .unwrap()
            .starts_with("bad_signature"),
        "{account}"
    );

    // A correctly signed but old request is a replay.
    let old = (app.clock.now().as_second() - 600).to_string();
    let replayed = sign(&[TOKEN, &old, nonce]);
    let reply = app.http.get(url(&replayed, &old)).send().await.unwrap();
    assert_eq!(reply.status(), 401);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(error_code(&body), "stale_timestamp", "{body}");

    // WeCom: the challenge comes encrypted and signed with msg_signature.
    let wecom = create_account(
        &app,
        json!({"name": "企业微信客服", "flavor": "wecom", "app_id": CORP_ID, "agent_id": "1000002",
            "app_secret": APP_SECRET, "token": TOKEN, "encoding_aes_key": KEY}),
    )
    .await;
    let crypto = MessageCrypto::new(TOKEN, KEY, CORP_ID).unwrap();
    let echostr = crypto.encrypt("wecom-challenge-42", [7; 16]);
    let msg_signature = crypto.signature(&timestamp, nonce, &echostr);
    let reply = app
        .http
        .get(format!("{}/hooks/wechat/{wecom}", app.base))
        .query(&[
            ("msg_signature", msg_signature.as_str()),
            ("timestamp", timestamp.as_str()),
            ("nonce", nonce),
            ("echostr", echostr.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.text().await.unwrap(), "wecom-challenge-42");

    // An account that does not exist is not found, whatever the signature.
    let reply = app
        .http
        .get(format!(
            "{}/hooks/wechat/nope?timestamp={timestamp}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 404);
}

#[tokio::test]
async fn a_text_message_becomes_a_case_the_bot_answers_and_a_retry_changes_nothing() {
    let app = spawn_app().await;
    let waybill = own_waybill(77);
    app.as_role(Role::Admin)
        .post("/api/v1/shipments", shipment(&waybill))
        .await
        .expect(201);
    let id = create_account(&app, official_account("")).await;
    let now = now_seconds(&app);
    let xml = text_message(OPENID, 6_001, &format!("我的快递 {waybill} 到哪了？"), &now);
    let (status, body) = post_plain(&app, &id, &xml, TOKEN).await;
    assert_eq!((status.as_u16(), body.as_str()), (200, "success"));

    let records = inbound(&app).await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["outcome"], "created");
    assert_eq!(records[0]["channel"], "wechat");
    assert_eq!(records[0]["from"], OPENID);
    let case_id = records[0]["case_id"].as_str().unwrap().to_string();
    let case = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{case_id}"))
        .await
        .expect(200);
    assert_eq!(case["channel"], "wechat");
    assert!(
        case["waybill_nos"]
            .as_array()
            .unwrap()
            .contains(&json!(waybill)),
        "{case}"
    );
    let said = messages(&app, &case_id).await;
    let authors: Vec<&str> = said
        .iter()
        .map(|m| m["author_kind"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["customer", "bot"], "{said:?}");
    // The bot's answer goes out as a delivery (its address and text are checked where it is
    // sent, in the stand-in test below).
    let queued = deliveries(&app, &case_id).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0]["channel"], "wechat");
    assert_eq!(queued[0]["state"], "queued");
    assert_eq!(queued[0]["message_id"], said[1]["id"]);

    // WeChat retries the same MsgId: answered alike, nothing more stored.
    let (status, body) = post_plain(&app, &id, &xml, TOKEN).await;
    assert_eq!((status.as_u16(), body.as_str()), (200, "success"));
    assert_eq!(inbound(&app).await.len(), 1);
    assert_eq!(messages(&app, &case_id).await.len(), 2);
    assert_eq!(deliveries(&app, &case_id).await.len(), 1);

    // The next message joins the open case; an event is recorded, not a case.
    let next = text_message(OPENID, 6_002, "转人工", &now_seconds(&app));
    assert_eq!(post_plain(&app, &id, &next, TOKEN).await.0, 200);
    let follow = format!(
        "<xml><ToUserName>gh_yunlu</ToUserName><FromUserName>oWx-new-fan</FromUserName>\
         <CreateTime>{}</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>",
        now_seconds(&app)
    );
    assert_eq!(post_plain(&app, &id, &follow, TOKEN).await.0, 200);
    let records = inbound(&app).await;
    let outcomes: Vec<&str> = records
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.len(), 3, "{records:?}");
    assert!(outcomes.contains(&"joined") && outcomes.contains(&"event"));
    let joined = records.iter().find(|r| r["outcome"] == "joined").unwrap();
    assert_eq!(joined["case_id"], json!(case_id));
    assert!(
        records
            .iter()
            .all(|r| r["outcome"] != "event" || r["case_id"].is_null())
    );
    let account = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/channels/wechat/{id}"))
        .await
        .expect(200);
    assert_eq!(account["status"]["received"], 3, "{account}");
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_stores_nothing_and_unreadable_xml_is_kept() {
    let app = spawn_app().await;
    let id = create_account(&app, official_account("")).await;
    let cases_before = app.count_cases().await;
    let xml = text_message(OPENID, 7_001, "你好", &now_seconds(&app));
    let (status, body) = post_plain(&app, &id, &xml, "not-our-token").await;
    assert_eq!(status, 401);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error_code(&body), "bad_signature");
    // Unsigned and bodiless: refused the same way, never a server error.
    let (status, _) = app
        .raw(Method::POST, &format!("/hooks/wechat/{id}"), None, "")
        .await;
    assert_eq!(status, 401);
    assert!(inbound(&app).await.is_empty());
    assert_eq!(app.count_cases().await, cases_before);

    let (status, body) = post_plain(&app, &id, "<xml><FromUserName>oops", TOKEN).await;
    assert_eq!((status.as_u16(), body.as_str()), (200, "success"));
    let records = inbound(&app).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["outcome"], "unparsed");
    assert!(records[0]["raw_base64"].as_str().is_some(), "{records:?}");
    assert_eq!(app.count_cases().await, cases_before);

    // Too big to be WeChat's.
    let huge = "x".repeat(70 * 1024);
    let (status, body) = post_plain(&app, &id, &huge, TOKEN).await;
    assert_eq!(status, 413);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error_code(&body), "payload_too_large");
}

#[tokio::test]
async fn an_encrypted_wecom_callback_is_decrypted_into_a_case() {
    let app = spawn_app().await;
    let id = create_account(
        &app,
        json!({"name": "企业微信客服", "flavor": "wecom", "app_id": CORP_ID, "agent_id": "1000002",
            "app_secret": APP_SECRET, "token": TOKEN, "encoding_aes_key": KEY}),
    )
    .await;
    let crypto = MessageCrypto::new(TOKEN, KEY, CORP_ID).unwrap();
    let timestamp = now_seconds(&app);
    let nonce = "5511";
    let inner = text_message("zhangsan", 9_001, "寄一个包裹到北京要多少钱", &timestamp);
    let encrypted = crypto.encrypt(&inner, [3; 16]);
    let envelope = format!(
        "<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID>1000002</AgentID>\
         <Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    );
    let msg_signature = crypto.signature(&timestamp, nonce, &encrypted);
    let post = |signature: String| {
        app.http
            .post(format!("{}/hooks/wechat/{id}", app.base))
            .query(&[
                ("msg_signature", signature),
                ("timestamp", timestamp.clone()),
                ("nonce", nonce.to_string()),
            ])
            .body(envelope.clone())
            .send()
    };
    let reply = post(sign(&[TOKEN, &timestamp, nonce])).await.unwrap();
    assert_eq!(
        reply.status(),
        401,
        "the plain signature does not cover the ciphertext"
    );
    assert!(inbound(&app).await.is_empty());
    let reply = post(msg_signature).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.text().await.unwrap(), "success");
    let records = inbound(&app).await;
    assert_eq!(records[0]["outcome"], "created", "{records:?}");
    assert_eq!(records[0]["from"], "zhangsan");
    let case_id = records[0]["case_id"].as_str().unwrap();
    let said = messages(&app, case_id).await;
    assert_eq!(said[0]["body"], "寄一个包裹到北京要多少钱");
    let case = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{case_id}"))
        .await
        .expect(200);
    let customer = app
        .as_role(Role::Admin)
        .get(&format!(
            "/api/v1/customers/{}",
            case["customer_id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert!(customer.to_string().contains("wecom_userid"), "{customer}");
}

/// What the stand-in received: (openid, content).
type Inbox = Arc<Mutex<Vec<(String, String)>>>;

/// A stand-in of the official account's API on loopback: a token for our app id and secret,
/// and the customer-service send, which records what it was given.
async fn standin() -> (String, Inbox) {
    async fn token(
        Query(q): Query<std::collections::HashMap<String, String>>,
    ) -> axum::Json<Value> {
        let ok = q.get("grant_type").map(String::as_str) == Some("client_credential")
            && q.get("appid").map(String::as_str) == Some(APP_ID)
            && q.get("secret").map(String::as_str) == Some(APP_SECRET);
        axum::Json(if ok {
            json!({"access_token": "standin-token", "expires_in": 7200})
        } else {
            json!({"errcode": 40125, "errmsg": "invalid appsecret"})
        })
    }
    async fn send(
        State(inbox): State<Inbox>,
        Query(q): Query<std::collections::HashMap<String, String>>,
        axum::Json(body): axum::Json<Value>,
    ) -> axum::Json<Value> {
        if q.get("access_token").map(String::as_str) != Some("standin-token") {
            return axum::Json(json!({"errcode": 40001, "errmsg": "invalid credential"}));
        }
        let (Some(to), Some(content)) = (body["touser"].as_str(), body["text"]["content"].as_str())
        else {
            return axum::Json(json!({"errcode": 44002, "errmsg": "empty post data"}));
        };
        inbox
            .lock()
            .unwrap()
            .push((to.to_string(), content.to_string()));
        axum::Json(json!({"errcode": 0, "errmsg": "ok"}))
    }
    /// A template message, recorded as ("template:" + id, the fields' texts joined by " | ").
    async fn template(
        State(inbox): State<Inbox>,
        Query(q): Query<std::collections::HashMap<String, String>>,
        axum::Json(body): axum::Json<Value>,
    ) -> axum::Json<Value> {
        if q.get("access_token").map(String::as_str) != Some("standin-token") {
            return axum::Json(json!({"errcode": 40001, "errmsg": "invalid credential"}));
        }
        let (Some(to), Some(id), Some(data)) = (
            body["touser"].as_str(),
            body["template_id"].as_str(),
            body["data"].as_object(),
        ) else {
            return axum::Json(json!({"errcode": 44002, "errmsg": "empty post data"}));
        };
        let texts: Vec<&str> = data.values().filter_map(|v| v["value"].as_str()).collect();
        inbox.lock().unwrap().push((
            to.to_string(),
            format!("template:{id} {}", texts.join(" | ")),
        ));
        axum::Json(json!({"errcode": 0, "errmsg": "ok", "msgid": 1}))
    }
    let inbox = Inbox::default();
    let router = axum::Router::new()
        .route("/cgi-bin/token", get(token))
        .route("/cgi-bin/message/custom/send", post(send))
        .route("/cgi-bin/message/template/send", post(template))
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, inbox)
}

/// What the node's sender does with due deliveries: claim, ask the desk where to send, send
/// through the WeChat client, record the outcome.
async fn send_due(app: &TestApp) -> usize {
    let claimed = app.desk.claim_deliveries(20).await.unwrap();
    for delivery in &claimed {
        let target = app.desk.outgoing_wechat(delivery).await.unwrap();
        let config =
            ClientConfig::new(&target.app_id, &target.app_secret).with_base_url(&target.api_base);
        let client = WeChatClient::new(config, app.desk.clock().clone()).unwrap();
        let sent = match &delivery.wechat_template {
            Some(t) => {
                let data: Vec<(String, String)> = t
                    .fields
                    .iter()
                    .map(|f| (f.key.clone(), f.value.clone()))
                    .collect();
                client
                    .send_template(&delivery.to, &t.template_id, t.url.as_deref(), &data)
                    .await
            }
            None => client.send_text(&delivery.to, &delivery.body).await,
        };
        let result = match sent {
            Ok(()) => AttemptResult::Sent,
            Err(e) if e.is_transient() => AttemptResult::Temporary(e.to_string()),
            Err(e) => AttemptResult::Permanent(e.to_string()),
        };
        app.desk.finish_delivery(delivery, result).await.unwrap();
    }
    claimed.len()
}

#[tokio::test]
async fn an_agents_reply_reaches_the_customer_and_after_48_hours_fails_at_once() {
    let app = spawn_app().await;
    let (api_base, inbox) = standin().await;
    let id = create_account(&app, official_account(&api_base)).await;
    let xml = text_message(OPENID, 8_001, "转人工", &now_seconds(&app));
    assert_eq!(post_plain(&app, &id, &xml, TOKEN).await.0, 200);
    let case_id = inbound(&app).await[0]["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.as_role(Role::Agent)
        .post(
            &format!("/api/v1/cases/{case_id}/messages"),
            json!({"body": "您好，我是客服小王，请问有什么可以帮您？", "visibility": "public"}),
        )
        .await
        .expect(201);
    assert_eq!(
        send_due(&app).await,
        2,
        "the bot's hand-over note and the reply"
    );
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|(to, _)| to == OPENID));
    assert_eq!(got[1].1, "您好，我是客服小王，请问有什么可以帮您？");
    let sent = deliveries(&app, &case_id).await;
    assert!(sent.iter().all(|d| d["state"] == "sent"), "{sent:?}");

    // Two days later the customer-service API may no longer write to them.
    app.clock.advance(SignedDuration::from_hours(49));
    // Sessions expire sooner than that: the agent signs in again.
    let agent = app.login("agent01").await;
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case_id}/messages"),
            Some(&agent),
            Some(json!({"body": "请问问题解决了吗？", "visibility": "public"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(send_due(&app).await, 0, "nothing was queued");
    assert_eq!(inbox.lock().unwrap().len(), 2);
    let (_, events) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{case_id}/events"),
            Some(&agent),
            None,
        )
        .await;
    let failed: Vec<&Value> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "delivery_failed")
        .collect();
    assert_eq!(failed.len(), 1, "{events}");
    assert!(
        failed[0]["data"]["error"]
            .as_str()
            .unwrap()
            .contains("超过48小时客服消息窗口"),
        "{failed:?}"
    );
    assert_eq!(failed[0]["data"]["attempt"], 0);
}

#[tokio::test]
async fn the_console_adds_and_edits_wechat_accounts_without_showing_secrets() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.admin, "zh", "/channels").await;
    let page = console.get("/channels").await;
    assert!(
        page.html.contains("微信公众号 / 企业微信") && page.html.contains("还没有接入微信账号")
    );
    let fields = [
        ("name", "云路快递公众号"),
        ("flavor", "official_account"),
        ("enabled", "on"),
        ("app_id", APP_ID),
        ("app_secret", "console-app-secret"),
        ("token", "consoleToken1"),
    ];
    // WeCom without its AgentID: 422 with the reason, what was typed kept, no secret echoed.
    let mut bad = fields.to_vec();
    bad[1] = ("flavor", "wecom");
    bad.push(("encoding_aes_key", KEY));
    let refused = console.post("/channels/wechat", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("agent_id"), "{}", refused.html);
    assert!(refused.html.contains(APP_ID));
    assert!(!refused.html.contains("console-app-secret") && !refused.html.contains(KEY));

    let saved = console.post("/channels/wechat", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let listed = app
        .as_role(Role::Admin)
        .get("/api/v1/channels/wechat")
        .await
        .expect(200);
    let id = listed["items"][0]["id"].as_str().unwrap().to_string();
    let page = console.get("/channels").await;
    assert!(
        page.html.contains(&format!("/hooks/wechat/{id}")),
        "the callback path is shown"
    );
    let edit = console.get(&format!("/channels/wechat/{id}")).await;
    assert_eq!(edit.status, StatusCode::OK);
    let form = form_html(&edit.html, &format!("/channels/wechat/{id}"));
    assert!(form.contains("已保存；留空则不变"), "{form}");
    assert!(!edit.html.contains("console-app-secret") && !edit.html.contains("consoleToken1"));
    // Saved again with the secrets left empty: they stay.
    let again = [
        ("name", "云路快递服务号"),
        ("flavor", "official_account"),
        ("enabled", "on"),
        ("app_id", APP_ID),
        ("app_secret", ""),
        ("token", ""),
        ("version", "1"),
    ];
    let saved = console
        .post(&format!("/channels/wechat/{id}"), &again)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let one = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/channels/wechat/{id}"))
        .await
        .expect(200);
    assert_eq!(one["version"], 2);
    assert_eq!(
        (&one["app_secret_set"], &one["token_set"]),
        (&json!(true), &json!(true))
    );
    let stale = console
        .post(&format!("/channels/wechat/{id}"), &again)
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);

    let english = Console::open(&app, &app.admin, "en", "/channels").await;
    let page = english.get("/channels").await;
    assert!(page.html.contains("WeChat official accounts / WeCom"));
    assert!(page.html.contains("Official account"));
}

#[tokio::test]
async fn an_official_account_in_safe_mode_checks_its_url_plainly_and_decrypts_messages() {
    let app = spawn_app().await;
    let mut draft = official_account("");
    draft["encrypted"] = json!(true);
    draft["encoding_aes_key"] = json!(KEY);
    let id = create_account(&app, draft).await;
    let timestamp = now_seconds(&app);
    let nonce = "4242";
    // The URL check of an official account is plain even in safe mode.
    let reply = app
        .http
        .get(format!("{}/hooks/wechat/{id}", app.base))
        .query(&[
            ("signature", sign(&[TOKEN, &timestamp, nonce]).as_str()),
            ("timestamp", timestamp.as_str()),
            ("nonce", nonce),
            ("echostr", "plain-challenge"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.text().await.unwrap(), "plain-challenge");
    // Messages come encrypted for the app id, signed with msg_signature.
    let crypto = MessageCrypto::new(TOKEN, KEY, APP_ID).unwrap();
    let encrypted = crypto.encrypt(&text_message(OPENID, 9_501, "你好", &timestamp), [9; 16]);
    let reply = app
        .http
        .post(format!("{}/hooks/wechat/{id}", app.base))
        .query(&[
            ("signature", sign(&[TOKEN, &timestamp, nonce])),
            ("msg_signature", crypto.signature(&timestamp, nonce, &encrypted)),
            ("timestamp", timestamp.clone()),
            ("nonce", nonce.to_string()),
            ("encrypt_type", "aes".to_string()),
        ])
        .body(format!(
            "<xml><ToUserName><![CDATA[gh_yunlu]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let records = inbound(&app).await;
    assert_eq!(records[0]["outcome"], "created", "{records:?}");
    // Encrypted for someone else (another app id): WeChat's signature holds, so it is kept.
    let other = MessageCrypto::new(TOKEN, KEY, "wx0000000000000000").unwrap();
    let misrouted = other.encrypt(&text_message(OPENID, 9_502, "你好", &timestamp), [9; 16]);
    let reply = app
        .http
        .post(format!("{}/hooks/wechat/{id}", app.base))
        .query(&[
            (
                "msg_signature",
                other.signature(&timestamp, nonce, &misrouted),
            ),
            ("timestamp", timestamp.clone()),
            ("nonce", nonce.to_string()),
        ])
        .body(format!(
            "<xml><Encrypt><![CDATA[{misrouted}]]></Encrypt></xml>"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let records = inbound(&app).await;
    assert!(
        records.iter().any(|r| r["outcome"] == "unparsed"),
        "{records:?}"
    );
}

/// Notices on a WeChat case: within the 48-hour window as customer-service messages; after it,
/// by the template message the admin set for that notice, or not at all (the case says why).
#[tokio::test]
async fn notices_reach_a_follower_by_message_then_by_template_message() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    let (api_base, inbox) = standin().await;
    let id = create_account(&app, official_account(&api_base)).await;
    let mut templates = admin.get("/api/v1/settings/notices").await.expect(200);
    templates["templates"][2]["wechat_template"] = json!({"template_id": "tpl-resolved",
        "fields": [{"key": "first", "value": "您的工单已处理完毕"},
                   {"key": "keyword1", "value": "{case_number}"}]});
    admin
        .put("/api/v1/settings/notices", templates)
        .await
        .expect(200);
    let xml = text_message(OPENID, 9_001, "转人工", &now_seconds(&app));
    assert_eq!(post_plain(&app, &id, &xml, TOKEN).await.0, 200);
    let case_id = inbound(&app).await[0]["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    let number = admin
        .get(&format!("/api/v1/cases/{case_id}"))
        .await
        .expect(200)["number"]
        .as_str()
        .unwrap()
        .to_string();
    send_due(&app).await;
    let before = inbox.lock().unwrap().len();

    // Within the window: the resolution and the survey as messages.
    let set = |status: &'static str| {
        let app = &app;
        let case_id = case_id.clone();
        async move {
            let token = app.login("admin").await;
            let (code, body) = app
                .call(
                    Method::PATCH,
                    &format!("/api/v1/cases/{case_id}"),
                    Some(&token),
                    Some(json!({"status": status})),
                )
                .await;
            assert_eq!(code, 200, "{body}");
        }
    };
    set("open").await;
    set("resolved").await;
    assert_eq!(send_due(&app).await, 2);
    let got = inbox.lock().unwrap()[before..].to_vec();
    assert!(got.iter().all(|(to, _)| to == OPENID), "{got:?}");
    assert!(
        got.iter()
            .any(|(_, text)| text.contains(&number) && text.contains("处理完毕")),
        "{got:?}"
    );
    assert!(got.iter().all(|(_, text)| !text.starts_with("template:")));

    // Two days on, reopened and resolved again: only the template message can reach them.
    app.clock.advance(SignedDuration::from_hours(49));
    set("open").await;
    set("resolved").await;
    let claimed_before = inbox.lock().unwrap().len();
    assert_eq!(
        send_due(&app).await,
        1,
        "the resolution (the survey went once)"
    );
    let got = inbox.lock().unwrap()[claimed_before..].to_vec();
    assert_eq!(
        got,
        vec![(
            OPENID.to_string(),
            format!("template:tpl-resolved 您的工单已处理完毕 | {number}")
        )]
    );

    // A promise has no template: after the window nothing reaches them, and the case says so.
    let token = app.login("admin").await;
    let due = (app.clock.now() + SignedDuration::from_hours(2)).to_string();
    let (code, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case_id}/commitments"),
            Some(&token),
            Some(json!({"due_at": due, "note": "两小时内回电"})),
        )
        .await;
    assert_eq!(code, 201, "{body}");
    let (_, events) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{case_id}/events?limit=200"),
            Some(&token),
            None,
        )
        .await;
    let skipped: Vec<&Value> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "notice_skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{events}");
    assert_eq!(skipped[0]["data"]["kind"], "callback_promised");
}

#[tokio::test]
async fn a_bare_digit_answers_the_open_survey_of_a_wechat_case() {
    let app = spawn_app().await;
    let id = create_account(&app, official_account("")).await;
    let xml = text_message(OPENID, 9_001, "我的快递怎么还没到？", &now_seconds(&app));
    let (status, _) = post_plain(&app, &id, &xml, TOKEN).await;
    assert_eq!(status.as_u16(), 200);
    let case_id = inbound(&app).await[0]["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    // A digit while the case is open is just a message.
    let xml = text_message(OPENID, 9_002, "5", &now_seconds(&app));
    post_plain(&app, &id, &xml, TOKEN).await;
    let said = messages(&app, &case_id).await.len();
    assert!(said >= 2, "the digit joined the open case as a message");
    let admin = app.as_role(Role::Admin);
    for status in ["open", "resolved"] {
        admin
            .patch(
                &format!("/api/v1/cases/{case_id}"),
                json!({"status": status}),
            )
            .await
            .expect(200);
    }
    let case = admin
        .get(&format!("/api/v1/cases/{case_id}"))
        .await
        .expect(200);
    assert!(case["survey"]["opened_at"].is_string(), "{case}");
    assert!(case["rating"].is_null());

    // Now "５" (a full-width digit) answers the survey: a rating, not a message or a new case.
    let xml = text_message(OPENID, 9_003, " ５ ", &now_seconds(&app));
    let (status, body) = post_plain(&app, &id, &xml, TOKEN).await;
    assert_eq!((status.as_u16(), body.as_str()), (200, "success"));
    let case = admin
        .get(&format!("/api/v1/cases/{case_id}"))
        .await
        .expect(200);
    assert_eq!(case["rating"], 5);
    assert_eq!(case["survey"]["answer"]["via"], "wechat");
    assert_eq!(case["survey"]["answer"]["satisfied"], true);
    assert_eq!(messages(&app, &case_id).await.len(), said);
    let records = inbound(&app).await;
    assert_eq!(records.len(), 3, "{records:?}");
    let rating = records
        .iter()
        .find(|r| r["detail"] == "满意度评价 5 分")
        .unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!(rating["case_id"], case_id.as_str());
    assert_eq!(app.count_cases().await, 1);
    // WeChat retries the same MsgId: nothing changes.
    post_plain(&app, &id, &xml, TOKEN).await;
    assert_eq!(inbound(&app).await.len(), 3);
}
