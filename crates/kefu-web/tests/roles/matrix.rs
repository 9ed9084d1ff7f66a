//! Every endpoint × every role: one row per route of the router (`kefu_web::ROUTES`, which a
//! test in `basics` holds to the router), the status each role gets. A new route without a row
//! fails the test. The data each row touches exists and is visible to every role that may see
//! it (the case is transferred to the department the department user belongs to), so a 403 is
//! the permission speaking, not a lookup; rows whose call uses something up (deleting, archiving,
//! a claim step, a pickup's status, signing out) get a fresh object or token per caller.

use kefu_model::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::super::{PASSWORD, TestApp, error_code, own_waybill, shipment, spawn_app};

/// Column order of every row.
const WHO: [Option<Role>; 8] = [
    Some(Role::Admin),
    Some(Role::Supervisor),
    Some(Role::Agent),
    Some(Role::Department),
    Some(Role::Readonly),
    Some(Role::Inspector),
    Some(Role::Finance),
    None,
];

/// The routes (or, for settings, the paths) the network's roles may use, with the status
/// (outlet manager, courier) the matrix's call gets; 0: refused like every route not listed.
/// What they may use: their own session, profile, notifications and presence; the network's
/// organisations, and for a manager the work orders, the assessment, booking pickups and
/// searching what reached their organisation; the knowledge base and help centre (staff
/// read it); the reference tools (calendars, waybill recognition, tracking, addresses, the
/// parsers) and the settings those tools read; public endpoints. Never a customer, a case
/// outside their organisation, a channel, a user or a configuration change.
const NETWORK: &[(&str, &str, [u16; 2])] = &[
    ("POST", "/api/v1/addresses/parse", [200, 200]),
    ("POST", "/api/v1/auth/login", [200, 200]),
    ("GET", "/api/v1/calendars", [200, 200]),
    ("GET", "/api/v1/calendars/{id}", [200, 200]),
    ("POST", "/api/v1/calendars/{id}/add", [200, 200]),
    ("GET", "/api/v1/canned", [200, 200]),
    ("POST", "/api/v1/canned", [201, 0]),
    ("GET", "/api/v1/canned/{id}", [200, 200]),
    ("GET", "/api/v1/cases", [200, 200]),
    ("POST", "/api/v1/chat/conversations", [201, 201]),
    ("GET", "/api/v1/departments", [200, 200]),
    ("GET", "/api/v1/help/articles", [200, 200]),
    ("GET", "/api/v1/help/articles/{id}", [200, 200]),
    ("POST", "/api/v1/help/articles/{id}/feedback", [204, 204]),
    ("GET", "/api/v1/help/search", [200, 200]),
    ("GET", "/api/v1/kb/articles", [200, 200]),
    ("GET", "/api/v1/kb/articles/{id}", [200, 200]),
    ("GET", "/api/v1/kb/articles/{id}/feedback", [200, 200]),
    ("POST", "/api/v1/kb/articles/{id}/feedback", [204, 204]),
    ("GET", "/api/v1/kb/articles/{id}/versions", [200, 200]),
    (
        "GET",
        "/api/v1/kb/articles/{id}/versions/{version}",
        [200, 200],
    ),
    ("GET", "/api/v1/kb/categories", [200, 200]),
    ("GET", "/api/v1/kb/reviews/overdue", [200, 200]),
    ("GET", "/api/v1/kb/search", [200, 0]),
    ("GET", "/api/v1/me", [200, 200]),
    ("GET", "/api/v1/me/presence", [200, 200]),
    ("GET", "/api/v1/network/assessment", [200, 0]),
    ("GET", "/api/v1/network/organisations", [200, 200]),
    ("GET", "/api/v1/network/organisations/{id}", [200, 200]),
    ("POST", "/api/v1/nlu/parse", [200, 200]),
    ("GET", "/api/v1/notifications", [200, 200]),
    ("POST", "/api/v1/notifications/read", [200, 200]),
    ("GET", "/api/v1/openapi.json", [200, 200]),
    ("GET", "/api/v1/pickups", [200, 0]),
    ("POST", "/api/v1/pickups", [201, 0]),
    ("POST", "/api/v1/pickups/quote", [200, 0]),
    ("GET", "/api/v1/search", [200, 0]),
    // A survey link is public; its answer was given already by the column the call is from.
    ("GET", "/api/v1/surveys/{token}", [200, 200]),
    ("POST", "/api/v1/surveys/{token}", [409, 409]),
    ("GET", "/api/v1/settings/coverage", [200, 0]),
    ("GET", "/api/v1/settings/kb_categories", [200, 200]),
    ("GET", "/api/v1/settings/prohibited", [200, 0]),
    ("GET", "/api/v1/settings/rate_card", [200, 0]),
    ("GET", "/api/v1/settings/tracking", [200, 0]),
    ("GET", "/api/v1/settings/waybill_format", [200, 200]),
    ("GET", "/api/v1/sla-policies", [200, 200]),
    ("POST", "/api/v1/tracking/query", [200, 200]),
    ("GET", "/api/v1/waybills/{id}/recognize", [200, 200]),
    ("GET", "/api/v1/work-orders", [200, 0]),
    ("GET", "/healthz", [200, 200]),
    ("GET", "/metrics", [200, 200]),
    ("GET", "/readyz", [200, 200]),
];

/// One endpoint's row: the route as `ROUTES` spells it, the call each column makes, and the
/// status each column must get (admin, supervisor, agent, department, readonly, inspector,
/// finance, anonymous).
struct Row {
    method: Method,
    route: &'static str,
    calls: Vec<(String, Option<Value>)>,
    want: [u16; 8],
}

/// The same call for every column.
fn row(
    method: Method,
    route: &'static str,
    path: impl Into<String>,
    body: Option<Value>,
    want: [u16; 8],
) -> Row {
    let path = path.into();
    Row {
        method,
        route,
        calls: (0..8).map(|_| (path.clone(), body.clone())).collect(),
        want,
    }
}

/// A call per column (for calls that use their object up, or must not repeat).
fn each(
    method: Method,
    route: &'static str,
    calls: Vec<(String, Option<Value>)>,
    want: [u16; 8],
) -> Row {
    assert_eq!(calls.len(), 8, "{route}");
    Row {
        method,
        route,
        calls,
        want,
    }
}

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    app.as_role(Role::Admin).post(path, body).await.expect(201)
}

/// `n` resolved cases and their satisfaction surveys' links, read from the SMS each survey sent.
async fn survey_tokens(app: &TestApp, n: usize) -> Vec<(String, String)> {
    app.as_role(Role::Admin)
        .post(
            "/api/v1/channels/sms",
            json!({"name": "矩阵短信", "endpoint": "https://sms.yunlu.example/send",
                "sign_name": "云路快递", "api_key": "sms-key-matrix"}),
        )
        .await
        .expect(201);
    let mut tokens = Vec::new();
    for i in 0..n {
        let case = app
            .create_case(json!({"channel": "phone", "subject": "满意度矩阵",
                "customer": {"name": "钱七", "phone": format!("1377700{i:04}")}}))
            .await;
        let id = case["id"].as_str().unwrap();
        for status in ["open", "resolved"] {
            app.as_role(Role::Admin)
                .patch(&format!("/api/v1/cases/{id}"), json!({"status": status}))
                .await
                .expect(200);
        }
        let list = app
            .as_role(Role::Admin)
            .get(&format!("/api/v1/cases/{id}/deliveries"))
            .await
            .expect(200);
        let body = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["notice"] == "survey")
            .unwrap()["body"]
            .as_str()
            .unwrap()
            .to_string();
        let token = body.split("/survey/").nth(1).unwrap();
        tokens.push((
            id.to_string(),
            token.split_whitespace().next().unwrap().to_string(),
        ));
    }
    tokens
}

/// `n` resolved web cases of agent01 drawn into the inspection queue (every case at random):
/// their inspections' ids, pending.
async fn pending_inspections(app: &TestApp, n: usize) -> Vec<String> {
    let users = app
        .as_role(Role::Admin)
        .get("/api/v1/users")
        .await
        .expect(200);
    let agent = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "agent01")
        .unwrap()["id"]
        .clone();
    let mut cases = Vec::new();
    for i in 0..n {
        let case = app
            .create_case(json!({"channel": "web", "subject": "质检矩阵",
                "customer": {"name": "孙八", "phone": format!("1366600{i:04}")}}))
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        for body in [
            json!({"status": "open", "assignee": agent}),
            json!({"status": "resolved"}),
        ] {
            app.as_role(Role::Admin)
                .patch(&format!("/api/v1/cases/{id}"), body)
                .await
                .expect(200);
        }
        cases.push(id);
    }
    let day = app
        .desk
        .time_zone()
        .to_datetime(kefu_model::Clock::now(&*app.clock))
        .date();
    app.as_role(Role::Admin)
        .put(
            "/api/v1/quality/settings",
            json!({"random_percent": 100, "complaints": true, "poor_ratings": true, "pass_score": 80}),
        )
        .await
        .expect(200);
    app.as_role(Role::Admin)
        .post(
            "/api/v1/quality/draw",
            json!({"from": day.to_string(), "to": day.tomorrow().unwrap().to_string()}),
        )
        .await
        .expect(200);
    let queue = app
        .as_role(Role::Admin)
        .get("/api/v1/quality/inspections?queue=pending&limit=1000")
        .await
        .expect(200);
    cases
        .iter()
        .map(|c| {
            queue["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["case_id"] == json!(c))
                .unwrap_or_else(|| panic!("case {c} not queued: {queue}"))["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The default rubric's five items scored 4, 5, 3, 4, 1.
fn quality_scores() -> Value {
    json!({"scores": [{"item": "greeting", "score": 4}, {"item": "accuracy", "score": 5},
        {"item": "empathy", "score": 3}, {"item": "resolution", "score": 4},
        {"item": "compliance", "score": 1}]})
}

/// A case the department user may see: transferred to `ops`.
async fn department_case(app: &TestApp, phone: &str) -> (String, String) {
    let case = app
        .create_case(
            json!({"channel": "phone", "subject": "包裹破损", "description": "外箱压坏",
            "customer": {"name": "赵六", "phone": phone}}),
        )
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    app.as_role(Role::Agent)
        .patch(&format!("/api/v1/cases/{id}"), json!({"department": "ops"}))
        .await
        .expect(200);
    (id, case["number"].as_str().unwrap().to_string())
}

/// A case with a claim, proposed if `proposed`: (case id, claim id).
async fn claim(app: &TestApp, phone: &str, proposed: bool) -> (String, String) {
    let (case, _) = department_case(app, phone).await;
    let claims = format!("/api/v1/cases/{case}/claims");
    let body = app
        .as_role(Role::Agent)
        .post(
            &claims,
            json!({"kind": "lost", "claimed_amount": 280, "waybill_no": own_waybill(41)}),
        )
        .await
        .expect(201);
    let claim = body["claim"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no claim: {body}"))
        .to_string();
    if proposed {
        app.as_role(Role::Agent)
            .post(
                &format!("{claims}/{claim}/propose"),
                json!({"loss_amount": 280}),
            )
            .await
            .expect(200);
    }
    (case, claim)
}

/// A WebSocket handshake on `path`: 101 if the server switched protocols, else its status and
/// body.
async fn upgrade(app: &TestApp, path: &str, bearer: Option<&str>) -> (StatusCode, Value) {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}{path}", app.base.replacen("http://", "ws://", 1));
    let mut req = url.into_client_request().unwrap();
    if let Some(t) = bearer {
        req.headers_mut()
            .insert("authorization", format!("Bearer {t}").parse().unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((_socket, response)) => (response.status(), Value::Null),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let body = response
                .body()
                .as_deref()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or(Value::Null);
            (response.status(), body)
        }
        Err(e) => panic!("{path}: {e}"),
    }
}

/// A new customer's id.
async fn new_customer(app: &TestApp, phone: &str) -> String {
    created(
        app,
        "/api/v1/customers",
        json!({"name": "孙八", "phone": phone}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn article(title: &str) -> Value {
    json!({
        "category": "sending",
        "audience": "public",
        "tags": ["包装"],
        "intents": ["pickup"],
        "zh": {"title": title, "body": "每件单独用气泡膜包好。"},
        "en": {"title": "Packing", "body": "Wrap each piece."},
    })
}

/// An article at version 2 (so a version can be restored).
async fn two_versions(app: &TestApp, n: usize) -> String {
    let title = format!("矩阵文章{n}");
    let id = created(app, "/api/v1/kb/articles", article(&title)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut v = article(&title);
    v["base_version"] = json!(1);
    v["change_note"] = json!("第二版");
    app.as_role(Role::Admin)
        .put(&format!("/api/v1/kb/articles/{id}"), v)
        .await
        .expect(200);
    id
}

fn pickup(n: usize) -> Value {
    json!({
        "sender": {"name": "王小明", "phone": format!("1361234567{n}"), "address": "上海市浦东新区世纪大道100号"},
        "recipient_address": "江苏省苏州市姑苏区人民路1号", "item": "文件", "weight_kg": 0.5
    })
}

#[tokio::test]
async fn every_endpoint_answers_every_role_as_the_rules_say() {
    let app = spawn_app().await;
    for role in WHO.into_iter().flatten() {
        app.token_of(role).await;
    }

    // What the rows work on.
    let (case, number) = department_case(&app, "13712345678").await;
    let customer = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{case}"))
        .await
        .expect(200)["customer_id"]
        .as_str()
        .unwrap()
        .to_string();
    let no = own_waybill(41);
    created(&app, "/api/v1/shipments", shipment(&no)).await;
    let mailbox_draft = json!({"name": "客服邮箱", "address": "kefu@yunlu.example",
        "imap_host": "imap.yunlu.example", "imap_username": "kefu", "imap_password": "pw",
        "smtp_host": "smtp.yunlu.example"});
    let mailbox = created(&app, "/api/v1/channels/email", mailbox_draft.clone()).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Two mails that cannot be read: one to read again (it stays unreadable), one to dismiss.
    let mut unreadable = Vec::new();
    for garbage in ["\u{1} matrix garbage one", "\u{1} matrix garbage two"] {
        let encoded = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(garbage)
        };
        let receipt = app
            .as_role(Role::Admin)
            .post(
                &format!("/api/v1/channels/email/{mailbox}/mail"),
                json!({ "raw": encoded }),
            )
            .await
            .expect(200);
        assert_eq!(receipt["outcome"], "unparsed", "{receipt}");
    }
    let waiting = app
        .as_role(Role::Admin)
        .get("/api/v1/channels/inbound?outcome=unparsed")
        .await
        .expect(200);
    for item in waiting["items"].as_array().unwrap() {
        unreadable.push(item["key"].as_str().unwrap().to_string());
    }
    assert_eq!(unreadable.len(), 2, "{waiting}");
    let sms_draft = json!({"name": "短信网关", "endpoint": "https://sms.yunlu.example/send",
        "sign_name": "云路快递", "api_key": "k"});
    let sms_gateway = created(&app, "/api/v1/channels/sms", sms_draft.clone()).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut sms_change = sms_draft.clone();
    sms_change["version"] = json!(1);
    sms_change["enabled"] = json!(false);
    let wechat_draft = json!({"name": "云路快递公众号", "app_id": "wx5823bf96d3bd56c7",
        "app_secret": "matrix-secret", "token": "matrixToken"});
    let wechat = created(&app, "/api/v1/channels/wechat", wechat_draft.clone()).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut wechat_change = wechat_draft.clone();
    wechat_change["version"] = json!(1);
    // WeChat's callbacks carry a signature, not a session: every caller who has it gets in.
    let hook_time = kefu_model::Clock::now(&*app.clock).as_second().to_string();
    let hook = format!(
        "/hooks/wechat/{wechat}?signature={}&timestamp={hook_time}&nonce=7&echostr=matrix",
        kefu_wechat::sign(&["matrixToken", &hook_time, "7"])
    );
    let mut mailbox_change = mailbox_draft.clone();
    mailbox_change["version"] = json!(1);
    mailbox_change["signature"] = json!("云路快递客服");
    let pbx = super::super::telephony::create_account(&app).await;
    let pbx_change = json!({"name": "呼叫中心", "version": 1});
    let call_events: Vec<Value> = (0..8)
        .map(|n| {
            super::super::telephony::event(
                "offered",
                &format!("matrix-{n}"),
                kefu_model::Clock::now(app.clock.as_ref()),
                json!({}),
            )
        })
        .collect();
    let period = format!(
        "from={}&to={}",
        super::super::super_encode("2026-01-01T00:00:00Z"),
        super::super::super_encode("2026-02-01T00:00:00Z")
    );
    use base64::Engine as _;
    let raw_mail = base64::engine::general_purpose::STANDARD.encode(
        "From: a@example.cn\r\nTo: kefu@yunlu.example\r\nSubject: hi\r\nMessage-ID: <matrix@example.cn>\r\n\r\nhello\r\n",
    );
    let booked = app
        .as_role(Role::Agent)
        .post("/api/v1/pickups", pickup(9))
        .await
        .expect(201);
    let pickup_no = booked["number"].as_str().unwrap().to_string();
    let template = created(
        &app,
        "/api/v1/canned",
        json!({"title": "矩阵问候", "body": "您好！", "scope": "team"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let kb = created(&app, "/api/v1/kb/articles", article("矩阵文章")).await;
    let kb_id = kb["id"].as_str().unwrap().to_string();
    let chat = app
        .anonymous()
        .post(
            "/api/v1/chat/conversations",
            json!({"name": "王女士", "origin": "widget"}),
        )
        .await
        .expect(201);
    let chat_case = chat["case_id"].as_str().unwrap().to_string();
    app.as_role(Role::Agent)
        .patch(
            &format!("/api/v1/cases/{chat_case}"),
            json!({"department": "ops"}),
        )
        .await
        .expect(200);

    // Per-caller objects for calls that use theirs up.
    let mut doomed_templates = Vec::new();
    let (mut kb_put, mut kb_review, mut kb_restore, mut kb_archive) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut pickups = Vec::new();
    let mut to_propose = Vec::new();
    let mut to_approve = Vec::new();
    let mut to_pay = Vec::new();
    let mut to_escalate = Vec::new();
    let mut to_edit = Vec::new();
    let mut to_merge = Vec::new();
    let mut to_confirm = Vec::new();
    for n in 0..8 {
        doomed_templates.push(
            created(
                &app,
                "/api/v1/canned",
                json!({"title": format!("待删{n}"), "body": "x", "scope": "team"}),
            )
            .await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        for set in [
            &mut kb_put,
            &mut kb_review,
            &mut kb_restore,
            &mut kb_archive,
        ] {
            set.push(two_versions(&app, n).await);
        }
        pickups.push(
            app.as_role(Role::Agent)
                .post("/api/v1/pickups", pickup(n))
                .await
                .expect(201)["number"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        to_propose.push(claim(&app, &format!("1330000100{n}"), false).await);
        to_approve.push(claim(&app, &format!("1330000200{n}"), true).await);
        let (c, cl) = claim(&app, &format!("1330000300{n}"), true).await;
        app.as_role(Role::Supervisor)
            .post(&format!("/api/v1/cases/{c}/claims/{cl}/approve"), json!({}))
            .await
            .expect(200);
        to_pay.push((c, cl));
        to_escalate.push(department_case(&app, &format!("1330000400{n}")).await.0);
        to_confirm.push(department_case(&app, &format!("1330000500{n}")).await.0);
        to_edit.push(new_customer(&app, &format!("1330000600{n}")).await);
        to_merge.push((
            new_customer(&app, &format!("1330000700{n}")).await,
            new_customer(&app, &format!("1330000800{n}")).await,
        ));
    }
    // The network: two outlets, and an order per caller to answer and to re-route.
    created(
        &app,
        "/api/v1/network/organisations",
        json!({"key": "mx-a", "name": "矩阵朝阳网点", "kind": "outlet", "districts": ["110105"],
            "couriers": [{"id": "mx1", "name": "矩阵师傅", "phone": "13500000011"}]}),
    )
    .await;
    // Pickups dispatched to Chaoyang's courier, per caller and step: fresh for `accept`,
    // accepted for the others.
    let mut to_step: Vec<Vec<String>> = vec![Vec::new(); 4];
    for (s, set) in to_step.iter_mut().enumerate() {
        for n in 0..8 {
            let mut body = pickup(n);
            body["sender"]["address"] = json!("北京市朝阳区建国路88号");
            let booked = app
                .as_role(Role::Agent)
                .post("/api/v1/pickups", body)
                .await
                .expect(201);
            assert_eq!(booked["status"], "dispatched", "{booked}");
            let id = booked["id"].as_str().unwrap().to_string();
            if s > 0 {
                app.as_role(Role::Admin)
                    .post(&format!("/api/v1/pickups/{id}/accept"), json!({}))
                    .await
                    .expect(200);
            }
            set.push(id);
        }
    }
    created(
        &app,
        "/api/v1/network/organisations",
        json!({"key": "mx-b", "name": "矩阵海淀网点", "kind": "outlet", "districts": ["110108"]}),
    )
    .await;
    let order_body = |n: usize| json!({"kind": "trace", "organisation": "mx-a", "details": {"note": format!("查件{n}")}});
    let mut to_answer = Vec::new();
    let mut to_reroute = Vec::new();
    for n in 0..8 {
        for set in [&mut to_answer, &mut to_reroute] {
            set.push(
                app.as_role(Role::Agent)
                    .post(&format!("/api/v1/cases/{case}/work-orders"), order_body(n))
                    .await
                    .expect(201)["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
    }
    let an_order = to_answer[0].clone();
    // Signing out ends the token it is called with: a fresh one per caller.
    let mut logout_tokens = Vec::new();
    for who in &WHO {
        logout_tokens.push(match who {
            Some(role) => {
                let username = match role {
                    Role::Admin => "admin".to_string(),
                    Role::Agent => "agent01".to_string(),
                    Role::Department => "ops01".to_string(),
                    Role::Readonly => "viewer".to_string(),
                    other => format!("{}01", other.as_str()),
                };
                Some(app.login(&username).await)
            }
            None => None,
        });
    }

    let reveal = json!({"reason": "回电确认地址"});
    let quote = json!({"origin": "上海市浦东新区世纪大道100号", "destination": "江苏省苏州市姑苏区人民路1号", "weight_kg": 1});
    let calendar = json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","18:00"]]}});
    let policy = json!({"name": "破损优先", "order": 10, "match": {"category": ["damaged"]}, "calendar": "24x7",
        "targets": {"first_response_minutes": 5, "resolution_working_days": 1}, "pause_in": ["pending_customer"]});
    let waybill_format = json!({"name": "云路速运", "prefix": "YL", "digits": 13, "check": "luhn"});
    // Survey links: one to read, one to answer per caller (each answers once), and a case with
    // a poor answer's open follow-up.
    let surveyed = survey_tokens(&app, 10).await;
    let survey_tokens: Vec<String> = surveyed.iter().map(|(_, t)| t.clone()).collect();
    let (follow_up_case, poor_token) = surveyed[9].clone();
    app.anonymous()
        .post(
            &format!("/api/v1/surveys/{poor_token}"),
            json!({"score": 1, "reasons": ["响应慢"]}),
        )
        .await
        .expect(200);
    // The staffing planner: a promotion day every column may change, one per column to unmark.
    created(
        &app,
        "/api/v1/staffing/promotions",
        json!({"date": "2030-06-18", "name": "618", "multiplier": 2}),
    )
    .await;
    for n in 0..8 {
        created(
            &app,
            "/api/v1/staffing/promotions",
            json!({"date": format!("2030-12-1{n}"), "name": "清仓", "multiplier": 1.5}),
        )
        .await;
    }
    let staffing_settings = app
        .as_role(Role::Admin)
        .get("/api/v1/staffing/settings")
        .await
        .expect(200);
    // Scheduled reports: the admin's, which only the admin reads, changes and sends, and one
    // per column to remove.
    let report = json!({"name": "矩阵日报", "recipients": ["boss@yunlu.example"], "by": "all",
        "frequency": "daily", "hour": 8});
    let report_id = created(&app, "/api/v1/report-schedules", report.clone()).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut doomed_reports = Vec::new();
    for _ in 0..8 {
        doomed_reports.push(
            created(&app, "/api/v1/report-schedules", report.clone()).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // Quality inspection: per column a pending inspection to assign and one to score, a scored
    // one (of agent01's case) to acknowledge and one to appeal, an appealed one to decide, and
    // one scored to read.
    let mut inspections = pending_inspections(&app, 41).await.into_iter();
    let mut take = |k: usize| (&mut inspections).take(k).collect::<Vec<_>>();
    let (to_assign, to_score, to_acknowledge, to_appeal, to_decide, to_read) =
        (take(8), take(8), take(8), take(8), take(8), take(1));
    for id in to_acknowledge
        .iter()
        .chain(&to_appeal)
        .chain(&to_decide)
        .chain(&to_read)
    {
        app.as_role(Role::Admin)
            .post(
                &format!("/api/v1/quality/inspections/{id}/score"),
                quality_scores(),
            )
            .await
            .expect(200);
    }
    for id in &to_decide {
        app.as_role(Role::Agent)
            .post(
                &format!("/api/v1/quality/inspections/{id}/appeal"),
                json!({"reason": "矩阵申诉"}),
            )
            .await
            .expect(200);
    }
    app.token_of(Role::Inspector).await;
    let inspector_id = app
        .as_role(Role::Admin)
        .get("/api/v1/users")
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "inspector01")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let quality_day = app
        .desk
        .time_zone()
        .to_datetime(kefu_model::Clock::now(&*app.clock))
        .date();
    let quality_period = format!("from={quality_day}&to={}", quality_day.tomorrow().unwrap());
    // The improvement backlog: an item to read and change, and one per column naming the case
    // to unlink.
    let item = created(
        &app,
        "/api/v1/improvements",
        json!({"title": "签收规范", "cases": [case.clone()]}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut unlinkable = Vec::new();
    for _ in 0..8 {
        let body = created(
            &app,
            "/api/v1/improvements",
            json!({"title": "取消关联", "cases": [case.clone()]}),
        )
        .await;
        unlinkable.push(body["id"].as_str().unwrap().to_string());
    }
    // Key accounts: one assigned to agent01 with a contract covering 整车 on 广东-上海 and a
    // filed price; per column a contact, a file entry, a document to remove and a draft price
    // to file.
    let ka = created(
        &app,
        "/api/v1/key-accounts",
        json!({"code": "KA-MATRIX", "name": "矩阵客户", "assistants": ["agent01"]}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ka_base = format!("/api/v1/key-accounts/{ka}");
    let ka_document = json!({"kind": "contract", "number": "HT-M", "title": "矩阵合同",
        "starts_on": "2026-01-01", "ends_on": "2030-12-31",
        "services": ["整车"], "routes": ["广东-上海"]});
    let ka_contact = json!({"name": "钱经理", "phone": "13800000009"});
    let ka_entry = json!({"role": "shipper", "name": "矩阵仓", "address": "广东省广州市"});
    let ka_price = json!({"service": "整车", "route": "广东-上海", "unit": "trip",
        "price_fen": 300000, "effective_from": "2030-01-01"});
    let last_item = |body: &Value, list: &str| {
        body[list].as_array().unwrap().last().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut ka_contacts = Vec::new();
    let mut ka_entries = Vec::new();
    let mut ka_documents = Vec::new();
    let mut ka_drafts = Vec::new();
    for _ in 0..9 {
        let body = created(&app, &format!("{ka_base}/contacts"), ka_contact.clone()).await;
        ka_contacts.push(last_item(&body, "contacts"));
        let body = created(&app, &format!("{ka_base}/file-entries"), ka_entry.clone()).await;
        ka_entries.push(last_item(&body, "file_entries"));
        let body = created(&app, &format!("{ka_base}/documents"), ka_document.clone()).await;
        ka_documents.push(last_item(&body, "documents"));
        let body = created(&app, &format!("{ka_base}/prices"), ka_price.clone()).await;
        ka_drafts.push(body["id"].as_str().unwrap().to_string());
    }
    // The ninth of each is the one every column reads and changes; the ninth price is filed.
    let (ka_contact_id, ka_entry_id, ka_document_id, ka_filed) = (
        ka_contacts[8].clone(),
        ka_entries[8].clone(),
        ka_documents[8].clone(),
        ka_drafts[8].clone(),
    );
    app.as_role(Role::Admin)
        .post(&format!("{ka_base}/prices/{ka_filed}/file"), json!({}))
        .await
        .expect(200);
    let ka_quarter = kefu_model::key_accounts::Quarter::of(quality_day)
        .previous()
        .to_string();
    let ka_grading = json!({"quarter": ka_quarter, "revenue_yuan": 600000, "margin_pct": 15,
        "difficulty": 3, "staff": 4, "punctuality_pct": 95});
    let per = |f: &dyn Fn(usize) -> (String, Option<Value>)| (0..8).map(f).collect::<Vec<_>>();
    use Method as M;
    // admin, supervisor, agent, department, readonly, inspector, finance, anonymous
    let rows: Vec<Row> = vec![
        row(M::GET, "/healthz", "/healthz", None, [200; 8]),
        row(M::GET, "/readyz", "/readyz", None, [200; 8]),
        row(M::GET, "/metrics", "/metrics", None, [200; 8]),
        row(
            M::GET,
            "/api/v1/openapi.json",
            "/api/v1/openapi.json",
            None,
            [200; 8],
        ),
        row(
            M::POST,
            "/api/v1/auth/login",
            "/api/v1/auth/login",
            Some(json!({"username": "viewer", "password": PASSWORD})),
            [200; 8],
        ),
        // Signing out is the last row run (see below).
        row(
            M::GET,
            "/api/v1/me",
            "/api/v1/me",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/users",
            per(&|n| {
                (
                    "/api/v1/users".into(),
                    Some(
                        json!({"username": format!("matrix{n}"), "password": PASSWORD, "role": "agent"}),
                    ),
                )
            }),
            [201, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/users",
            "/api/v1/users",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/departments",
            per(&|n| {
                (
                    "/api/v1/departments".into(),
                    Some(
                        json!({"key": format!("matrix{n}"), "name": format!("矩阵部{n}"), "kind": "outlet"}),
                    ),
                )
            }),
            [201, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/departments",
            "/api/v1/departments",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/customers",
            per(&|n| {
                (
                    "/api/v1/customers".into(),
                    Some(json!({"name": "钱七", "phone": format!("1390000000{n}")})),
                )
            }),
            [201, 201, 201, 403, 403, 403, 201, 401],
        ),
        row(
            M::GET,
            "/api/v1/customers",
            "/api/v1/customers",
            None,
            [200, 200, 200, 403, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/customers/{id}",
            format!("/api/v1/customers/{customer}"),
            None,
            [200, 200, 200, 403, 200, 200, 200, 401],
        ),
        each(
            M::PATCH,
            "/api/v1/customers/{id}",
            per(&|n| {
                (
                    format!("/api/v1/customers/{}", to_edit[n]),
                    Some(json!({"version": 1, "name": "孙八妹"})),
                )
            }),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/customers/{id}/events",
            format!("/api/v1/customers/{customer}/events"),
            None,
            [200, 200, 200, 403, 200, 200, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/customers/{id}/merge",
            per(&|n| {
                let (into, from) = &to_merge[n];
                (
                    format!("/api/v1/customers/{into}/merge"),
                    Some(json!({"from": from, "reason": "同一个人换了手机号"})),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/cases/{id}/identity",
            per(&|n| {
                (
                    format!("/api/v1/cases/{}/identity", to_confirm[n]),
                    Some(json!({"method": "waybill"})),
                )
            }),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/cases",
            per(&|n| {
                (
                    "/api/v1/cases".into(),
                    Some(
                        json!({"channel": "phone", "subject": "查件", "customer": {"phone": format!("1380000100{n}")}}),
                    ),
                )
            }),
            [201, 201, 201, 403, 403, 403, 201, 401],
        ),
        row(
            M::GET,
            "/api/v1/cases",
            "/api/v1/cases",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/cases/{id}",
            format!("/api/v1/cases/{case}"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::PATCH,
            "/api/v1/cases/{id}",
            format!("/api/v1/cases/{case}"),
            Some(json!({"tags": ["矩阵"]})),
            [200, 200, 200, 200, 403, 403, 200, 401],
        ),
        // Re-grading is routing: not for department staff.
        row(
            M::PATCH,
            "/api/v1/cases/{id}",
            format!("/api/v1/cases/{case}"),
            Some(json!({"priority": "P2"})),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/cases/{id}/messages",
            format!("/api/v1/cases/{case}/messages"),
            Some(json!({"body": "已核实", "visibility": "internal"})),
            [201, 201, 201, 201, 403, 403, 201, 401],
        ),
        row(
            M::GET,
            "/api/v1/cases/{id}/messages",
            format!("/api/v1/cases/{case}/messages"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/cases/{id}/events",
            format!("/api/v1/cases/{case}/events"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/calendars",
            "/api/v1/calendars",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/calendars/{id}",
            "/api/v1/calendars/cn-office",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::PUT,
            "/api/v1/calendars/{id}",
            "/api/v1/calendars/matrix-desk",
            Some(calendar),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/calendars/{id}/add",
            "/api/v1/calendars/cn-office/add",
            Some(json!({"from": "2026-09-30T17:00:00+08:00", "minutes": 120})),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::POST,
            "/api/v1/cases/{id}/commitments",
            format!("/api/v1/cases/{case}/commitments"),
            Some(json!({"due_at": "2099-01-01T00:00:00Z", "note": "回电"})),
            [201, 201, 201, 201, 403, 403, 201, 401],
        ),
        each(
            M::POST,
            "/api/v1/cases/{id}/escalate",
            per(&|n| {
                (
                    format!("/api/v1/cases/{}/escalate", to_escalate[n]),
                    Some(json!({"reason": "客户要求主管回电"})),
                )
            }),
            [200, 200, 200, 200, 403, 403, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/waybills/{id}/recognize",
            "/api/v1/waybills/YL1234567890128/recognize",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/shipments",
            per(&|n| {
                (
                    "/api/v1/shipments".into(),
                    Some(shipment(&own_waybill(700 + n as u64))),
                )
            }),
            [201, 201, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/shipments/{id}",
            format!("/api/v1/shipments/{no}"),
            None,
            [200, 200, 200, 403, 200, 200, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/shipments/{id}/events",
            per(&|n| {
                (
                    format!("/api/v1/shipments/{no}/events"),
                    Some(
                        json!({"events": [{"at": format!("2026-01-03T0{n}:00:00Z"), "code": "in_transit", "location": "上海转运中心", "description": "运输中"}]}),
                    ),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/shipments/{id}/history",
            format!("/api/v1/shipments/{no}/history"),
            None,
            [200, 200, 200, 403, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/config-history",
            "/api/v1/config-history",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/tracking/query",
            "/api/v1/tracking/query",
            Some(json!({"waybill_no": no})),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        // Opening a case from a tracking answer is creating a case.
        each(
            M::POST,
            "/api/v1/tracking/query",
            per(&|n| {
                (
                    "/api/v1/tracking/query".into(),
                    Some(json!({"waybill_no": no, "issue": "not_received",
                        "open_case": {"phone": format!("1390013900{n}"), "note": "没收到"}})),
                )
            }),
            [201, 201, 201, 403, 403, 403, 201, 401],
        ),
        row(
            M::POST,
            "/api/v1/addresses/parse",
            "/api/v1/addresses/parse",
            Some(json!({"address": "浙江杭州西湖区文三路90号"})),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        // Settings: each key is read by the roles `parcels::SETTING_READERS` names.
        row(
            M::GET,
            "/api/v1/settings/{id}",
            "/api/v1/settings/routing",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/settings/{id}",
            "/api/v1/settings/tracking",
            None,
            [200, 200, 200, 200, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/settings/{id}",
            "/api/v1/settings/rate_card",
            None,
            [200, 200, 200, 200, 403, 403, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/settings/{id}",
            "/api/v1/settings/coverage",
            None,
            [200, 200, 200, 200, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/settings/{id}",
            "/api/v1/settings/prohibited",
            None,
            [200, 200, 200, 200, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/settings/{id}",
            "/api/v1/settings/claims",
            None,
            [200, 200, 200, 403, 403, 403, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/settings/{id}",
            "/api/v1/settings/waybill_format",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/settings/{id}",
            "/api/v1/settings/kb_categories",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        // An unknown setting is not found, whoever asks.
        row(
            M::GET,
            "/api/v1/settings/{id}",
            "/api/v1/settings/nonsense",
            None,
            [404, 404, 404, 404, 404, 404, 404, 401],
        ),
        row(
            M::PUT,
            "/api/v1/settings/{id}",
            "/api/v1/settings/waybill_format",
            Some(waybill_format),
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/pickups/quote",
            "/api/v1/pickups/quote",
            Some(quote),
            [200, 200, 200, 200, 403, 403, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/pickups",
            per(&|n| ("/api/v1/pickups".into(), Some(pickup(n)))),
            [201, 201, 201, 201, 403, 403, 201, 401],
        ),
        row(
            M::GET,
            "/api/v1/pickups",
            "/api/v1/pickups",
            None,
            [200, 200, 200, 403, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/pickups/{id}",
            format!("/api/v1/pickups/{pickup_no}"),
            None,
            [200, 200, 200, 403, 200, 200, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/pickups/{id}/status",
            per(&|n| {
                (
                    format!("/api/v1/pickups/{}/status", pickups[n]),
                    Some(json!({"status": "cancelled"})),
                )
            }),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        // The courier's steps are the pickup's courier's and its outlet's (tests/pickups);
        // admins and supervisors may record one the courier phoned in, agents change the
        // status instead, and department staff outside the network see no pickups.
        each(
            M::POST,
            "/api/v1/pickups/{id}/accept",
            per(&|n| {
                (
                    format!("/api/v1/pickups/{}/accept", to_step[0][n]),
                    Some(json!({})),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/pickups/{id}/arrive",
            per(&|n| {
                (
                    format!("/api/v1/pickups/{}/arrive", to_step[1][n]),
                    Some(json!({})),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/pickups/{id}/collect",
            per(&|n| {
                (
                    format!("/api/v1/pickups/{}/collect", to_step[2][n]),
                    Some(json!({"waybill_no": own_waybill(77)})),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/pickups/{id}/fail",
            per(&|n| {
                (
                    format!("/api/v1/pickups/{}/fail", to_step[3][n]),
                    Some(json!({"note": "客户不在"})),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/pickups/{id}/reveal",
            format!("/api/v1/pickups/{pickup_no}/reveal"),
            Some(reveal.clone()),
            [200, 200, 200, 403, 403, 403, 200, 401],
        ),
        row(
            M::POST,
            "/api/v1/cases/{id}/claims",
            format!("/api/v1/cases/{case}/claims"),
            Some(json!({"kind": "damaged", "claimed_amount": 100, "waybill_no": no})),
            [201, 201, 201, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/network/organisations",
            "/api/v1/network/organisations",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/network/organisations",
            per(&|n| {
                (
                    "/api/v1/network/organisations".into(),
                    Some(
                        json!({"key": format!("mx-new{n}"), "name": "新网点", "kind": "outlet", "districts": ["3101"]}),
                    ),
                )
            }),
            [201, 403, 403, 403, 403, 403, 403, 401],
        ),
        // Department staff of a department that is no organisation see none of the network's.
        row(
            M::GET,
            "/api/v1/network/organisations/{id}",
            "/api/v1/network/organisations/mx-b",
            None,
            [200, 200, 200, 404, 200, 200, 200, 401],
        ),
        row(
            M::PUT,
            "/api/v1/network/organisations/{id}",
            "/api/v1/network/organisations/mx-b",
            Some(
                json!({"key": "mx-b", "name": "矩阵海淀区网点", "kind": "outlet", "districts": ["110108"], "version": 1}),
            ),
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/network/organisations/{id}/volumes",
            "/api/v1/network/organisations/mx-b/volumes",
            Some(json!({"days": [{"day": "2026-01-05", "parcels": 1200}]})),
            [204, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/surveys/{token}",
            format!("/api/v1/surveys/{}", survey_tokens[0]),
            None,
            [200; 8],
        ),
        each(
            M::POST,
            "/api/v1/surveys/{token}",
            per(&|i| {
                (
                    format!("/api/v1/surveys/{}", survey_tokens[i + 1]),
                    Some(json!({"score": 5, "reasons": ["响应快"]})),
                )
            }),
            [200; 8],
        ),
        row(
            M::GET,
            "/api/v1/satisfaction",
            "/api/v1/satisfaction?from=2026-01-01&to=2026-02-01",
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/satisfaction/cases",
            "/api/v1/satisfaction/cases?from=2026-01-01&to=2026-02-01&figure=poor",
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/follow-ups",
            "/api/v1/follow-ups",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        // The admin records the outcome; after that there is none open.
        row(
            M::POST,
            "/api/v1/cases/{id}/follow-up",
            format!("/api/v1/cases/{follow_up_case}/follow-up"),
            Some(json!({"outcome": "called_back"})),
            [200, 409, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/cases/{id}/root-cause",
            format!("/api/v1/cases/{case}/root-cause"),
            Some(json!({"causes": ["packaging"]})),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/root-causes/pareto",
            "/api/v1/root-causes/pareto?from=2026-01-01&to=2026-02-01",
            None,
            [200, 200, 403, 403, 200, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/root-causes/pareto/export",
            "/api/v1/root-causes/pareto/export?from=2026-01-01&to=2026-02-01&by=code",
            None,
            [200, 200, 403, 403, 200, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/root-causes/cases",
            "/api/v1/root-causes/cases?from=2026-01-01&to=2026-02-01&key=packaging",
            None,
            [200, 200, 403, 403, 200, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/closed-loop",
            "/api/v1/closed-loop?from=2026-01-01&to=2026-02-01",
            None,
            [200, 200, 403, 403, 200, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/closed-loop/cases",
            "/api/v1/closed-loop/cases?from=2026-01-01&to=2026-02-01&step=linked",
            None,
            [200, 200, 403, 403, 200, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/closed-loop/export",
            "/api/v1/closed-loop/export?from=2026-01-01&to=2026-02-01&by=organisation",
            None,
            [200, 200, 403, 403, 200, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/improvements",
            "/api/v1/improvements",
            None,
            [200, 200, 200, 403, 200, 200, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/improvements",
            "/api/v1/improvements",
            Some(json!({"title": "矩阵提议"})),
            [201, 201, 201, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/improvements/{id}",
            format!("/api/v1/improvements/{item}"),
            None,
            [200, 200, 200, 403, 200, 200, 403, 401],
        ),
        row(
            M::PATCH,
            "/api/v1/improvements/{id}",
            format!("/api/v1/improvements/{item}"),
            Some(json!({"description": "矩阵"})),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/improvements/{id}/history",
            format!("/api/v1/improvements/{item}/history"),
            None,
            [200, 200, 200, 403, 200, 200, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/improvements/{id}/cases",
            format!("/api/v1/improvements/{item}/cases"),
            Some(json!({"case": case.clone()})),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        each(
            M::DELETE,
            "/api/v1/improvements/{id}/cases/{case}",
            per(&|i| {
                (
                    format!("/api/v1/improvements/{}/cases/{case}", unlinkable[i]),
                    None,
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/network/assessment",
            "/api/v1/network/assessment?from=2026-01-01&to=2026-02-01".to_string(),
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/staffing/history",
            "/api/v1/staffing/history?from=2026-01-01&to=2026-01-08",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/staffing/forecast",
            "/api/v1/staffing/forecast?day=2026-01-05",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/staffing/needed",
            "/api/v1/staffing/needed?day=2026-01-05",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/staffing/schedule",
            "/api/v1/staffing/schedule?from=2026-01-05&to=2026-01-12",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/staffing/schedule/{day}/{channel}",
            "/api/v1/staffing/schedule/2026-01-05/phone",
            Some(json!({"slots": vec![2; 48]})),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/staffing/promotions",
            "/api/v1/staffing/promotions",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/staffing/promotions",
            per(&|n| {
                (
                    "/api/v1/staffing/promotions".to_string(),
                    Some(
                        json!({"date": format!("2030-11-1{n}"), "name": "双十一", "multiplier": 3}),
                    ),
                )
            }),
            [201, 201, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/staffing/promotions/{date}",
            "/api/v1/staffing/promotions/2030-06-18",
            Some(json!({"name": "618 大促", "multiplier": 2.5})),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::DELETE,
            "/api/v1/staffing/promotions/{date}",
            per(&|n| (format!("/api/v1/staffing/promotions/2030-12-1{n}"), None)),
            [204, 204, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/report-schedules",
            "/api/v1/report-schedules",
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/report-schedules",
            "/api/v1/report-schedules",
            Some(report.clone()),
            [201, 201, 201, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/report-schedules/{id}",
            format!("/api/v1/report-schedules/{report_id}"),
            None,
            [200, 404, 404, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/report-schedules/{id}",
            format!("/api/v1/report-schedules/{report_id}"),
            Some(report.clone()),
            [200, 404, 404, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/report-schedules/{id}/send",
            format!("/api/v1/report-schedules/{report_id}/send"),
            None,
            [200, 404, 404, 403, 403, 403, 403, 401],
        ),
        each(
            M::DELETE,
            "/api/v1/report-schedules/{id}",
            per(&|n| {
                (
                    format!("/api/v1/report-schedules/{}", doomed_reports[n]),
                    None,
                )
            }),
            [204, 404, 404, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/staffing/settings",
            "/api/v1/staffing/settings",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/staffing/settings",
            "/api/v1/staffing/settings",
            Some(staffing_settings.clone()),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/quality/rubrics",
            "/api/v1/quality/rubrics",
            None,
            [200, 200, 200, 403, 403, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/quality/rubrics/{id}",
            "/api/v1/quality/rubrics/default?version=1",
            None,
            [200, 200, 200, 403, 403, 200, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/quality/rubrics/{id}",
            "/api/v1/quality/rubrics/matrix",
            Some(json!({"name": "矩阵评分表", "items": [
                {"key": "manner", "name": "礼貌", "weight": 40, "max": 5},
                {"key": "answer", "name": "答复", "weight": 60, "max": 5, "critical": true}]})),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/quality/rubrics/{id}/versions",
            "/api/v1/quality/rubrics/default/versions",
            None,
            [200, 200, 200, 403, 403, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/quality/settings",
            "/api/v1/quality/settings",
            None,
            [200, 200, 200, 403, 403, 200, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/quality/settings",
            "/api/v1/quality/settings",
            Some(
                json!({"random_percent": 100, "complaints": true, "poor_ratings": true,
                "long_handling_hours": 24, "pass_score": 80, "rubric": "default"}),
            ),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/quality/draw",
            "/api/v1/quality/draw",
            Some(
                json!({"from": quality_day.to_string(), "to": quality_day.tomorrow().unwrap().to_string()}),
            ),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/quality/inspections",
            "/api/v1/quality/inspections?queue=scored",
            None,
            [200, 200, 200, 403, 403, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/quality/inspections/{id}",
            format!("/api/v1/quality/inspections/{}", to_read[0]),
            None,
            [200, 200, 200, 403, 403, 200, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/quality/inspections/{id}/assign",
            per(&|n| {
                (
                    format!("/api/v1/quality/inspections/{}/assign", to_assign[n]),
                    Some(json!({"inspector": inspector_id})),
                )
            }),
            [200, 200, 403, 403, 403, 200, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/quality/inspections/{id}/score",
            per(&|n| {
                (
                    format!("/api/v1/quality/inspections/{}/score", to_score[n]),
                    Some(quality_scores()),
                )
            }),
            [200, 200, 403, 403, 403, 200, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/quality/inspections/{id}/acknowledge",
            per(&|n| {
                (
                    format!(
                        "/api/v1/quality/inspections/{}/acknowledge",
                        to_acknowledge[n]
                    ),
                    None,
                )
            }),
            [403, 403, 200, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/quality/inspections/{id}/appeal",
            per(&|n| {
                (
                    format!("/api/v1/quality/inspections/{}/appeal", to_appeal[n]),
                    Some(json!({"reason": "录音可证"})),
                )
            }),
            [403, 403, 200, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/quality/inspections/{id}/decide",
            per(&|n| {
                (
                    format!("/api/v1/quality/inspections/{}/decide", to_decide[n]),
                    Some(json!({"outcome": "uphold", "note": "维持原判"})),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/quality/figures",
            format!("/api/v1/quality/figures?by=department&{quality_period}"),
            None,
            [200, 200, 403, 403, 403, 200, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/cases/{id}/work-orders",
            format!("/api/v1/cases/{case}/work-orders"),
            Some(order_body(9)),
            [201, 201, 201, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/work-orders",
            "/api/v1/work-orders",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/work-orders/{id}",
            format!("/api/v1/work-orders/{an_order}"),
            None,
            [200, 200, 200, 404, 200, 200, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/work-orders/{id}/reroute",
            per(&|n| {
                (
                    format!("/api/v1/work-orders/{}/reroute", to_reroute[n]),
                    Some(json!({"organisation": "mx-b", "reason": "地址属海淀"})),
                )
            }),
            [200, 200, 200, 404, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/work-orders/{id}/{action}",
            per(&|n| {
                (
                    format!("/api/v1/work-orders/{}/reply", to_answer[n]),
                    Some(json!({"text": "已查到，在派送中"})),
                )
            }),
            [200, 200, 403, 404, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/cases/{id}/claims/{claim}/{step}",
            per(&|n| {
                let (c, cl) = &to_propose[n];
                (
                    format!("/api/v1/cases/{c}/claims/{cl}/propose"),
                    Some(json!({"loss_amount": 280})),
                )
            }),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/cases/{id}/claims/{claim}/{step}",
            per(&|n| {
                let (c, cl) = &to_approve[n];
                (
                    format!("/api/v1/cases/{c}/claims/{cl}/approve"),
                    Some(json!({})),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/cases/{id}/claims/{claim}/{step}",
            per(&|n| {
                let (c, cl) = &to_pay[n];
                (
                    format!("/api/v1/cases/{c}/claims/{cl}/pay"),
                    Some(json!({"reference": "PAY-1"})),
                )
            }),
            [200, 403, 403, 403, 403, 403, 200, 401],
        ),
        row(
            M::POST,
            "/api/v1/customers/{id}/reveal",
            format!("/api/v1/customers/{customer}/reveal"),
            Some(reveal.clone()),
            [200, 200, 200, 403, 403, 403, 200, 401],
        ),
        row(
            M::POST,
            "/api/v1/shipments/{id}/reveal",
            format!("/api/v1/shipments/{no}/reveal"),
            Some(reveal.clone()),
            [200, 200, 200, 403, 403, 403, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/audit",
            "/api/v1/audit",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/channels/email",
            "/api/v1/channels/email",
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/channels/email",
            "/api/v1/channels/email",
            Some(mailbox_draft.clone()),
            [201, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/channels/email/{id}",
            format!("/api/v1/channels/email/{mailbox}"),
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/channels/email/{id}",
            format!("/api/v1/channels/email/{mailbox}"),
            Some(mailbox_change),
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/channels/email/{id}/mail",
            format!("/api/v1/channels/email/{mailbox}/mail"),
            Some(json!({"raw": raw_mail})),
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/channels/inbound/{key}/original",
            format!("/api/v1/channels/inbound/{}/original", unreadable[0]),
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/channels/inbound/{key}/retake",
            format!("/api/v1/channels/inbound/{}/retake", unreadable[0]),
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/channels/inbound/{key}/dismiss",
            format!("/api/v1/channels/inbound/{}/dismiss", unreadable[1]),
            Some(json!({"reason": "矩阵测试"})),
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/channels/sms",
            "/api/v1/channels/sms",
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/channels/sms",
            "/api/v1/channels/sms",
            Some(sms_draft.clone()),
            [201, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/channels/sms/{id}",
            format!("/api/v1/channels/sms/{sms_gateway}"),
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/channels/sms/{id}",
            format!("/api/v1/channels/sms/{sms_gateway}"),
            Some(sms_change),
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/channels/pbx",
            "/api/v1/channels/pbx",
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/channels/pbx",
            "/api/v1/channels/pbx",
            Some(super::super::telephony::pbx_account()),
            [201, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/channels/pbx/{id}",
            format!("/api/v1/channels/pbx/{pbx}"),
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/channels/pbx/{id}",
            format!("/api/v1/channels/pbx/{pbx}"),
            Some(pbx_change),
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        // Public: the signature is the credential (see the branch below); a call per column.
        each(
            M::POST,
            "/hooks/pbx/{account_id}",
            call_events
                .iter()
                .map(|e| (format!("/hooks/pbx/{pbx}"), Some(e.clone())))
                .collect(),
            [200; 8],
        ),
        row(
            M::GET,
            "/api/v1/kpis",
            "/api/v1/kpis?from=2026-01-01&to=2026-02-01".to_string(),
            None,
            [200, 200, 200, 403, 200, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/kpis/cases",
            "/api/v1/kpis/cases?from=2026-01-01&to=2026-02-01&figure=cases".to_string(),
            None,
            [200, 200, 200, 403, 200, 200, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/kpis/export",
            "/api/v1/kpis/export?from=2026-01-01&to=2026-02-01".to_string(),
            None,
            [200, 200, 200, 403, 200, 200, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/kpis/recompute",
            "/api/v1/kpis/recompute".to_string(),
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/stats/phone",
            format!("/api/v1/stats/phone?{period}"),
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/channels/wechat",
            "/api/v1/channels/wechat",
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/channels/wechat",
            "/api/v1/channels/wechat",
            Some(wechat_draft.clone()),
            [201, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/channels/wechat/{id}",
            format!("/api/v1/channels/wechat/{wechat}"),
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/channels/wechat/{id}",
            format!("/api/v1/channels/wechat/{wechat}"),
            Some(wechat_change),
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/hooks/wechat/{account_id}",
            hook.clone(),
            None,
            [200; 8],
        ),
        // No body: signed, so kept as unreadable (once) and acknowledged.
        row(
            M::POST,
            "/hooks/wechat/{account_id}",
            hook.clone(),
            None,
            [200; 8],
        ),
        row(
            M::GET,
            "/api/v1/channels/inbound",
            "/api/v1/channels/inbound",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/cases/{id}/deliveries",
            format!("/api/v1/cases/{case}/deliveries"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::POST,
            "/api/v1/chat/conversations",
            "/api/v1/chat/conversations",
            Some(json!({"name": "王女士", "origin": "widget"})),
            [201; 8],
        ),
        // A real WebSocket handshake (see `upgrade`): every signed-in role that sees the chat
        // may watch it (sending is refused frame by frame to those who may not write; see `chat`).
        row(
            M::GET,
            "/api/v1/chat/cases/{id}/ws",
            format!("/api/v1/chat/cases/{chat_case}/ws"),
            None,
            [101, 101, 101, 101, 101, 101, 101, 401],
        ),
        row(
            M::GET,
            "/api/v1/chat/cases/{id}/frames",
            format!("/api/v1/chat/cases/{chat_case}/frames"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/me/presence",
            "/api/v1/me/presence",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::PUT,
            "/api/v1/me/presence",
            "/api/v1/me/presence",
            Some(json!({"presence": "away", "max_chats": 2})),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/routing/agents",
            "/api/v1/routing/agents",
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/canned",
            "/api/v1/canned",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/canned",
            per(&|n| {
                (
                    "/api/v1/canned".into(),
                    Some(json!({"title": format!("新模板{n}"), "body": "您好"})),
                )
            }),
            [201, 201, 201, 201, 403, 403, 201, 401],
        ),
        row(
            M::GET,
            "/api/v1/canned/{id}",
            format!("/api/v1/canned/{template}"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::PUT,
            "/api/v1/canned/{id}",
            format!("/api/v1/canned/{template}"),
            Some(json!({"title": "矩阵问候", "body": "您好！！", "scope": "team"})),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::DELETE,
            "/api/v1/canned/{id}",
            per(&|n| (format!("/api/v1/canned/{}", doomed_templates[n]), None)),
            [204, 204, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/cases/{id}/canned/{template}/render",
            format!("/api/v1/cases/{number}/canned/seed-delay-apology/render"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::POST,
            "/api/v1/cases/{id}/macros/{macro}",
            format!("/api/v1/cases/{number}/macros/seed-macro-damage"),
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/search",
            "/api/v1/search?q=%E5%BC%A0",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/kb/articles",
            "/api/v1/kb/articles",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        each(
            M::POST,
            "/api/v1/kb/articles",
            per(&|n| {
                (
                    "/api/v1/kb/articles".into(),
                    Some(article(&format!("新文章{n}"))),
                )
            }),
            [201, 201, 201, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/kb/articles/{id}",
            format!("/api/v1/kb/articles/{kb_id}"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        each(
            M::PUT,
            "/api/v1/kb/articles/{id}",
            per(&|n| {
                let mut v = article(&format!("矩阵文章{n}"));
                v["base_version"] = json!(2);
                v["change_note"] = json!("第三版");
                (format!("/api/v1/kb/articles/{}", kb_put[n]), Some(v))
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/kb/articles/{id}/review",
            per(&|n| {
                (
                    format!("/api/v1/kb/articles/{}/review", kb_review[n]),
                    Some(json!({"base_version": 2})),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/kb/articles/{id}/versions/{version}/restore",
            per(&|n| {
                (
                    format!("/api/v1/kb/articles/{}/versions/1/restore", kb_restore[n]),
                    Some(json!({"base_version": 2})),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/kb/articles/{id}/archive",
            per(&|n| {
                (
                    format!("/api/v1/kb/articles/{}/archive", kb_archive[n]),
                    Some(json!({"archived": true, "base_version": 2})),
                )
            }),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/kb/articles/{id}/versions",
            format!("/api/v1/kb/articles/{kb_id}/versions"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/kb/articles/{id}/versions/{version}",
            format!("/api/v1/kb/articles/{kb_id}/versions/1"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/kb/articles/{id}/feedback",
            format!("/api/v1/kb/articles/{kb_id}/feedback"),
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::POST,
            "/api/v1/kb/articles/{id}/feedback",
            format!("/api/v1/kb/articles/{kb_id}/feedback"),
            Some(json!({"helpful": true})),
            [204, 204, 204, 204, 204, 204, 204, 401],
        ),
        row(
            M::GET,
            "/api/v1/kb/reviews/overdue",
            "/api/v1/kb/reviews/overdue",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/kb/gaps",
            "/api/v1/kb/gaps",
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/kb/search",
            "/api/v1/kb/search?q=%E5%8C%85%E8%A3%85",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/kb/categories",
            "/api/v1/kb/categories",
            None,
            [200; 8],
        ),
        row(
            M::GET,
            "/api/v1/help/articles",
            "/api/v1/help/articles",
            None,
            [200; 8],
        ),
        row(
            M::GET,
            "/api/v1/help/articles/{id}",
            format!("/api/v1/help/articles/{kb_id}"),
            None,
            [200; 8],
        ),
        row(
            M::POST,
            "/api/v1/help/articles/{id}/feedback",
            format!("/api/v1/help/articles/{kb_id}/feedback"),
            Some(json!({"helpful": true})),
            [204; 8],
        ),
        row(
            M::GET,
            "/api/v1/help/search",
            "/api/v1/help/search?q=%E5%8C%85%E8%A3%85",
            None,
            [200; 8],
        ),
        row(
            M::POST,
            "/api/v1/nlu/parse",
            "/api/v1/nlu/parse",
            Some(json!({"text": "明天下午来取件，寄到北京朝阳区 5公斤"})),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/notifications",
            "/api/v1/notifications",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::POST,
            "/api/v1/notifications/read",
            "/api/v1/notifications/read",
            Some(json!({})),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::GET,
            "/api/v1/sla-policies",
            "/api/v1/sla-policies",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            M::PUT,
            "/api/v1/sla-policies/{id}",
            "/api/v1/sla-policies/damage",
            Some(policy),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        // Last: it ends the token it is called with (a fresh one per caller).
        each(
            M::POST,
            "/api/v1/auth/logout",
            per(&|_| ("/api/v1/auth/logout".into(), None)),
            [204, 204, 204, 204, 204, 204, 204, 401],
        ),
        // Key accounts: the head (admins, supervisors) and the assistant (agent01, assigned);
        // every other role is refused.
        row(
            M::GET,
            "/api/v1/key-accounts",
            "/api/v1/key-accounts",
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/key-accounts",
            per(&|n| {
                (
                    "/api/v1/key-accounts".to_string(),
                    Some(json!({"code": format!("KA-COL{n}"), "name": "矩阵新客户"})),
                )
            }),
            [201, 201, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/key-accounts/export",
            "/api/v1/key-accounts/export",
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/key-accounts/reminders",
            "/api/v1/key-accounts/reminders",
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/key-accounts/{id}",
            ka_base.clone(),
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::PATCH,
            "/api/v1/key-accounts/{id}",
            ka_base.clone(),
            Some(json!({"industry": "物流"})),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/key-accounts/{id}/assistants",
            format!("{ka_base}/assistants"),
            Some(json!({"assistants": ["agent01"]})),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/key-accounts/{id}/contacts",
            format!("{ka_base}/contacts"),
            Some(ka_contact.clone()),
            [201, 201, 201, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/key-accounts/{id}/contacts/{item}",
            format!("{ka_base}/contacts/{ka_contact_id}"),
            Some(ka_contact.clone()),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        each(
            M::DELETE,
            "/api/v1/key-accounts/{id}/contacts/{item}",
            per(&|n| (format!("{ka_base}/contacts/{}", ka_contacts[n]), None)),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/key-accounts/{id}/file-entries",
            format!("{ka_base}/file-entries"),
            Some(ka_entry.clone()),
            [201, 201, 201, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/key-accounts/{id}/file-entries/{item}",
            format!("{ka_base}/file-entries/{ka_entry_id}"),
            Some(ka_entry.clone()),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        each(
            M::DELETE,
            "/api/v1/key-accounts/{id}/file-entries/{item}",
            per(&|n| (format!("{ka_base}/file-entries/{}", ka_entries[n]), None)),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/key-accounts/{id}/file-reviewed",
            format!("{ka_base}/file-reviewed"),
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/key-accounts/{id}/file-export",
            format!("{ka_base}/file-export"),
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/key-accounts/{id}/gradings",
            format!("{ka_base}/gradings"),
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/key-accounts/{id}/gradings",
            format!("{ka_base}/gradings"),
            Some(ka_grading.clone()),
            [201, 201, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/key-accounts/{id}/documents",
            format!("{ka_base}/documents"),
            Some(ka_document.clone()),
            [201, 201, 201, 403, 403, 403, 403, 401],
        ),
        row(
            M::PUT,
            "/api/v1/key-accounts/{id}/documents/{item}",
            format!("{ka_base}/documents/{ka_document_id}"),
            Some(ka_document.clone()),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        each(
            M::DELETE,
            "/api/v1/key-accounts/{id}/documents/{item}",
            per(&|n| (format!("{ka_base}/documents/{}", ka_documents[n]), None)),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/key-accounts/{id}/documents/{item}/contacted",
            format!("{ka_base}/documents/{ka_document_id}/contacted"),
            Some(json!({"note": "已电话联系"})),
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/key-accounts/{id}/prices",
            format!("{ka_base}/prices"),
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::POST,
            "/api/v1/key-accounts/{id}/prices",
            format!("{ka_base}/prices"),
            Some(ka_price.clone()),
            [201, 201, 201, 403, 403, 403, 403, 401],
        ),
        each(
            M::POST,
            "/api/v1/key-accounts/{id}/prices/{item}/file",
            per(&|n| (format!("{ka_base}/prices/{}/file", ka_drafts[n]), None)),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/key-accounts/{id}/price",
            format!("{ka_base}/price?service=整车&route=广东-上海&on=2030-06-01"),
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
        row(
            M::GET,
            "/api/v1/settings/{id}",
            "/api/v1/settings/key_accounts",
            None,
            [200, 200, 200, 403, 403, 403, 403, 401],
        ),
    ];

    // Every route has a row, and every row is a route.
    let mut missing = Vec::new();
    for (method, path, ..) in kefu_web::ROUTES {
        if !rows
            .iter()
            .any(|r| r.method.as_str().eq_ignore_ascii_case(method) && r.route == *path)
        {
            missing.push(format!("{method} {path}"));
        }
    }
    assert!(missing.is_empty(), "routes without a row: {missing:#?}");
    for r in &rows {
        assert!(
            kefu_web::ROUTES
                .iter()
                .any(|(m, p, ..)| r.method.as_str().eq_ignore_ascii_case(m) && r.route == *p),
            "a row for no route: {} {}",
            r.method,
            r.route
        );
    }

    // Every answer a call gets is checked against what the document says that operation
    // answers with that status (the schemas derived from the handlers' view types).
    let doc = app
        .anonymous()
        .get("/api/v1/openapi.json")
        .await
        .expect(200);
    let mut off_schema = Vec::new();
    let mut checked = std::collections::BTreeSet::new();

    let mut wrong = Vec::new();
    let mut seen = Vec::new();
    for r in &rows {
        let mut got = [0u16; 8];
        for (i, who) in WHO.iter().enumerate() {
            let (path, body) = r.calls[i].clone();
            let reply = if r.route.ends_with("/ws") {
                let token = match who {
                    Some(role) => Some(app.token_of(*role).await),
                    None => None,
                };
                upgrade(&app, &path, token.as_deref()).await
            } else if r.route == "/hooks/pbx/{account_id}" {
                let event = body.unwrap_or_default();
                super::super::telephony::post_signed(&app, &pbx, &event).await
            } else if r.route == "/api/v1/auth/logout" {
                let (status, body) = app
                    .call(r.method.clone(), &path, logout_tokens[i].as_deref(), body)
                    .await;
                (status, body)
            } else {
                let as_who = match who {
                    Some(role) => app.as_role(*role),
                    None => app.anonymous(),
                };
                let reply = as_who.send(r.method.clone(), &path, body).await;
                (reply.status, reply.body)
            };
            got[i] = reply.0.as_u16();
            if let Some(problem) = off_document(&doc, &r.method, r.route, got[i], &reply.1) {
                off_schema.push(format!("{} {path} ({}): {problem}", r.method, got[i]));
            } else if (200..300).contains(&got[i]) && !reply.1.is_string() && !reply.1.is_null() {
                checked.insert(format!("{} {}", r.method, r.route));
            }
            let code_ok = match r.want[i] {
                401 => error_code(&reply.1) == "unauthenticated",
                403 => error_code(&reply.1) == "forbidden",
                _ => true,
            };
            if got[i] != r.want[i] || !code_ok {
                wrong.push(format!(
                    "{} {} as {}: {} (want {}) {}",
                    r.method,
                    path,
                    who.map_or("anonymous", |r| r.as_str()),
                    got[i],
                    r.want[i],
                    reply.1
                ));
            }
        }
        seen.push(format!("{} {} {:?}", r.method, r.calls[0].0, got));
    }
    if std::env::var_os("KEFU_MATRIX_PRINT").is_some() {
        eprintln!("{}", seen.join("\n"));
    }

    // The network's two roles, on every route: an outlet manager and a courier of the matrix's
    // outlet, making the department column's call. They are refused everything (403 by their
    // role, or 404 for what their organisation cannot see) except the routes in `NETWORK`,
    // where they get exactly the status given.
    let mut network_tokens = Vec::new();
    for (name, role) in [("mx-manager", "outlet_manager"), ("mx-courier", "courier")] {
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/users",
                Some(&app.admin),
                Some(json!({"username": name, "password": PASSWORD, "role": role, "department": "mx-b"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        network_tokens.push(app.login(name).await);
    }
    for r in &rows {
        if r.route.ends_with("/ws")
            || r.route.starts_with("/hooks/")
            || r.route == "/api/v1/auth/logout"
        {
            continue;
        }
        for (i, token) in network_tokens.iter().enumerate() {
            let (path, body) = r.calls[3].clone();
            let bare = path.split('?').next().unwrap_or_default();
            // A tracking query that also opens a case is refused: they open no cases.
            let opens_case = body.as_ref().is_some_and(|b| b.get("open_case").is_some());
            let allowed = NETWORK.iter().find(|(m, route, ..)| {
                !opens_case && r.method.as_str() == *m && (r.route == *route || bare == *route)
            });
            let (status, reply) = app.call(r.method.clone(), &path, Some(token), body).await;
            let got = status.as_u16();
            // Refused: forbidden by the role, or not found where their organisation cannot see.
            let refused = (got == 403 && error_code(&reply) == "forbidden")
                || (got == 404 && error_code(&reply) == "not_found");
            let ok = match allowed {
                Some((.., want)) if want[i] != 0 => got == want[i],
                _ => refused,
            };
            if !ok {
                wrong.push(format!(
                    "{} {path} as {}: {got} (want {}) {reply}",
                    r.method,
                    ["outlet_manager", "courier"][i],
                    allowed
                        .map(|(.., w)| w[i])
                        .filter(|w| *w != 0)
                        .map_or("403 or 404".to_string(), |w| w.to_string())
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    assert!(
        off_schema.is_empty(),
        "{} answers unlike the document:\n{}",
        off_schema.len(),
        off_schema.join("\n")
    );
    // Every operation that answers JSON had an answer checked.
    let answering_json: Vec<String> = kefu_web::ROUTES
        .iter()
        .filter(|(.., body)| matches!(body, kefu_web::Body::Json(_)))
        .map(|(m, p, ..)| format!("{} {p}", m.to_uppercase()))
        .collect();
    let unchecked: Vec<&String> = answering_json
        .iter()
        .filter(|op| !checked.contains(*op))
        .collect();
    assert!(unchecked.is_empty(), "no answer checked: {unchecked:#?}");

    // The OpenAPI document says which operations need no credentials (`security: []`): exactly
    // those that answer a caller without any.
    let mut misdocumented = Vec::new();
    for r in &rows {
        let open = (200..300).contains(&r.want[7]);
        let op = &doc["paths"][r.route][r.method.as_str().to_lowercase()];
        let documented_open = op["security"] == json!([]);
        if open != documented_open {
            misdocumented.push(format!(
                "{} {}: answers anonymous callers {}, documented {}",
                r.method,
                r.route,
                r.want[7],
                if documented_open {
                    "public"
                } else {
                    "as needing a token"
                }
            ));
        }
    }
    misdocumented.dedup();
    assert!(misdocumented.is_empty(), "{misdocumented:#?}");
}

/// Department staff work only on what was transferred to their department: every call about a
/// case that was not is refused as if the case did not exist.
#[tokio::test]
async fn department_staff_cannot_reach_a_case_not_transferred_to_them() {
    let app = spawn_app().await;
    let case = app
        .create_case(
            json!({"channel": "phone", "subject": "包裹破损", "description": "外箱压坏",
            "customer": {"name": "赵六", "phone": "13712345670"}}),
        )
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    let number = case["number"].as_str().unwrap().to_string();
    let chat = app
        .anonymous()
        .post(
            "/api/v1/chat/conversations",
            json!({"name": "王女士", "origin": "widget"}),
        )
        .await
        .expect(201);
    let chat_case = chat["case_id"].as_str().unwrap().to_string();
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/cases/{id}"), None),
        (Method::GET, format!("/api/v1/cases/{number}"), None),
        (
            Method::PATCH,
            format!("/api/v1/cases/{id}"),
            Some(json!({"tags": ["矩阵"]})),
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{id}/messages"),
            Some(json!({"body": "已核实", "visibility": "internal"})),
        ),
        (Method::GET, format!("/api/v1/cases/{id}/messages"), None),
        (Method::GET, format!("/api/v1/cases/{id}/events"), None),
        (Method::GET, format!("/api/v1/cases/{id}/deliveries"), None),
        (
            Method::POST,
            format!("/api/v1/cases/{id}/commitments"),
            Some(json!({"due_at": "2099-01-01T00:00:00Z", "note": "回电"})),
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{id}/escalate"),
            Some(json!({"reason": "客户要求主管回电"})),
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{number}/canned/seed-delay-apology/render"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{number}/macros/seed-macro-damage"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/chat/cases/{chat_case}/frames"),
            None,
        ),
    ];
    let before = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .expect(200);
    let mut wrong = Vec::new();
    for (method, path, body) in calls {
        let reply = app
            .as_role(Role::Department)
            .send(method.clone(), &path, body)
            .await;
        if reply.status.as_u16() != 404 {
            wrong.push(format!("{method} {path}: {} {}", reply.status, reply.body));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let after = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .expect(200);
    assert_eq!(after["version"], before["version"], "nothing was written");
}

/// What is wrong with `body` as the answer of `method route` with `status`, by the document:
/// `None` when it is what the document describes (or the call answered no JSON).
fn off_document(
    doc: &Value,
    method: &Method,
    route: &str,
    status: u16,
    body: &Value,
) -> Option<String> {
    let operation = &doc["paths"][route][method.as_str().to_lowercase()];
    let response = &operation["responses"][status.to_string()];
    if response.is_null() {
        return Some("the document lists no such status".into());
    }
    let Some(schema) = response["content"]["application/json"].get("schema") else {
        // No JSON: the harness keeps text (or nothing) as a string, a protocol switch as null.
        let no_json = body.is_string() || body.is_null();
        return (!no_json).then(|| format!("the document says no JSON body, got {body}"));
    };
    // The schema with the components its references point into.
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    let validator = match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
    {
        Ok(v) => v,
        Err(e) => return Some(format!("the document's schema does not compile: {e}")),
    };
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    (!errors.is_empty()).then(|| format!("{errors:?} in {body}"))
}
