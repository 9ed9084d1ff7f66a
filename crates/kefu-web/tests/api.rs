//! Black-box tests of the HTTP API: a real server on a random loopback port over a real SQLite
//! file, driven by a real HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use kefu_domain::desk::{DepartmentDraft, UserDraft};
use kefu_domain::{Desk, Role, SystemClock};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod api_document;
mod browser;
mod canned_page;
mod chat;
mod customers;
mod history;
mod kb;
mod kb_pages;
mod privacy;
mod search;

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestApp {
    base: String,
    http: reqwest::Client,
    admin: String,
    agent: String,
    ops: String,
    viewer: String,
}

pub const PASSWORD: &str = "test-password-1";

pub async fn spawn_app() -> TestApp {
    let dir = std::env::temp_dir().join(format!(
        "kefu-web-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Arc::new(kefu_store_sqlite::open(&dir.join("kefu.db")).await.unwrap());
    let desk = Desk::new(store.clone(), Arc::new(SystemClock))
        .with_nlu(std::sync::Arc::new(kefu_nlu::SharedNlu))
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
    desk.bootstrap_admin(Some(PASSWORD.into())).await.unwrap();
    desk.install_builtin_calendars().await.unwrap();
    desk.install_default_policies().await.unwrap();
    desk.install_seed_replies().await.unwrap();
    desk.install_seed_articles().await.unwrap();
    for (key, name, kind) in [
        ("service", "客服部", "service"),
        ("ops", "运营部", "operations"),
    ] {
        desk.create_department(
            None,
            DepartmentDraft {
                key: key.into(),
                name: name.into(),
                kind: kind.into(),
            },
        )
        .await
        .unwrap();
    }
    for (username, role, department) in [
        ("agent01", Role::Agent, Some("service")),
        ("ops01", Role::Department, Some("ops")),
        ("viewer", Role::Readonly, None),
    ] {
        desk.create_user(
            None,
            UserDraft {
                username: username.into(),
                password: PASSWORD.into(),
                role,
                display_name: None,
                department: department.map(Into::into),
            },
        )
        .await
        .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // Search as a node runs it: an index fed from the store's outbox.
    let index = Arc::new(kefu_search::SearchIndex::in_memory().unwrap());
    tokio::spawn(kefu_search::desk::run_indexer(
        index.clone(),
        store.clone(),
        desk.clock().clone(),
    ));
    tokio::spawn(kefu_web::serve(
        listener,
        kefu_web::AppState::new(desk).with_search(index),
        std::future::pending(),
    ));
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut app = TestApp {
        base,
        http,
        admin: String::new(),
        agent: String::new(),
        ops: String::new(),
        viewer: String::new(),
    };
    app.admin = app.login("admin").await;
    app.agent = app.login("agent01").await;
    app.ops = app.login("ops01").await;
    app.viewer = app.login("viewer").await;
    app
}

impl TestApp {
    /// The id of the department with this key (the harness makes `service` and `ops`).
    async fn department_id(&self, key: &str) -> String {
        let (_, departments) = self
            .call(Method::GET, "/api/v1/departments", Some(&self.admin), None)
            .await;
        departments["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["key"] == key)
            .unwrap_or_else(|| panic!("no department {key}: {departments}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn login(&self, username: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_string()
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &'static str,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn create_case(&self, body: Value) -> Value {
        let (status, case) = self
            .call(Method::POST, "/api/v1/cases", Some(&self.agent), Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{case}");
        case
    }

    async fn count_cases(&self) -> usize {
        let (_, page) = self
            .call(
                Method::GET,
                "/api/v1/cases?limit=200",
                Some(&self.admin),
                None,
            )
            .await;
        page["items"].as_array().unwrap().len()
    }
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

fn new_case(phone: &str) -> Value {
    json!({"channel": "phone", "subject": "快递三天没更新", "description": "运单YL1234567890123一直不动",
           "customer": {"name": "张三", "phone": phone}})
}

#[tokio::test]
async fn health_metrics_and_openapi() {
    let app = spawn_app().await;
    let (status, body) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((status, body), (StatusCode::OK, Value::String("ok".into())));
    let (status, body) = app.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let text = body.as_str().unwrap();
    assert!(
        text.contains(
            "kefu_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("kefu_build_info"));
    let (status, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    // Every documented route is served (not the 404/405 fallbacks) and documented exactly once.
    for (method, path, ..) in kefu_web::ROUTES {
        assert!(
            doc["paths"][*path][*method].is_object(),
            "{method} {path} missing from the document"
        );
        let concrete = path.replace("{id}", "00000000-0000-7000-8000-000000000000");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, body) = app
            .call(m, &concrete, Some(&app.admin), Some(json!({})))
            .await;
        assert!(
            !(error_code(&body) == "method_not_allowed"
                || status == 404 && body["error"]["message"] == "no such endpoint"),
            "{method} {path} is not routed: {status} {body}"
        );
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(documented, kefu_web::ROUTES.len());
}

#[tokio::test]
async fn login_me_logout() {
    let app = spawn_app().await;
    let (status, body) = app
        .call(Method::GET, "/api/v1/me", Some(&app.agent), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["username"], "agent01");
    assert_eq!(body["role"], "agent");
    assert!(
        body.get("password_hash").is_none(),
        "hashes never leave the server"
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "agent01", "password": "nope-nope"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    let token = app.login("agent01").await;
    let (status, _) = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app
        .call(Method::GET, "/api/v1/me", Some(&token), None)
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    let (status, _) = app
        .call(Method::GET, "/api/v1/me", Some("garbage"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_case_from_creation_to_reopening() {
    let app = spawn_app().await;
    let case = app.create_case(new_case("13800138000")).await;
    for field in [
        "id",
        "number",
        "status",
        "channel",
        "category",
        "priority",
        "customer_id",
        "received_at",
        "created_at",
    ] {
        assert!(!case[field].is_null(), "{field} missing in {case}");
    }
    assert_eq!(case["status"], "new");
    assert_eq!(case["category"], "delay", "the classifier read the text");
    assert_eq!(case["priority"], "P3");
    let id = case["id"].as_str().unwrap();
    let number = case["number"].as_str().unwrap();
    assert!(number.starts_with("KF"));

    let (_, by_number) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(by_number["id"], id);
    // The same phone on another channel joins the same customer.
    let second = app.create_case(json!({"channel": "wechat", "subject": "我要投诉快递员", "customer": {"phone": "138-0013-8000"}})).await;
    assert_eq!(second["customer_id"], case["customer_id"]);
    assert_eq!(
        (second["category"].as_str(), second["priority"].as_str()),
        (Some("complaint"), Some("P2"))
    );
    let (_, page) = app
        .call(
            Method::GET,
            "/api/v1/cases?phone=13800138000",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let (_, customer) = app
        .call(
            Method::GET,
            &format!(
                "/api/v1/customers/{}",
                case["customer_id"].as_str().unwrap()
            ),
            Some(&app.agent),
            None,
        )
        .await;
    // Answers show the phone masked; the full number comes through the audited reveal.
    assert_eq!(customer["phones"], json!(["138****8000"]));
    let (status, customer) = app
        .call(
            Method::POST,
            &format!(
                "/api/v1/customers/{}/reveal",
                case["customer_id"].as_str().unwrap()
            ),
            Some(&app.agent),
            Some(json!({"reason": "回电"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{customer}");
    assert_eq!(customer["phones"], json!(["13800138000"]));
    let (_, found) = app
        .call(
            Method::GET,
            "/api/v1/customers?phone=13800138000",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(found["items"][0]["id"], case["customer_id"]);

    let (status, msg) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/messages"),
            Some(&app.agent),
            Some(json!({"body": "您好，已为您催促网点派送。"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{msg}");
    assert_eq!(msg["visibility"], "public");
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/messages"),
            Some(&app.agent),
            Some(json!({"body": "内部：网点电话无人接", "visibility": "internal"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, patched) = app
        .call(Method::PATCH, &format!("/api/v1/cases/{id}"), Some(&app.agent),
              Some(json!({"department": "ops", "status": "pending_department", "assignee": "agent01", "priority": "P2"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["status"], "pending_department");
    assert!(patched["first_response_at"].is_string());
    // Impossible transition: 409 and nothing appended.
    let (_, before) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            Some(json!({"status": "closed"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    let (_, after) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(before, after);
    for s in ["resolved", "closed"] {
        let (status, body) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/cases/{id}"),
                Some(&app.agent),
                Some(json!({"status": s})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/messages"),
            Some(&app.agent),
            Some(json!({"body": "x"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "case_closed")
    );
    let (status, reopened) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            Some(json!({"status": "open", "reason": "客户称仍未收到"})),
        )
        .await;
    assert_eq!(
        (status, reopened["status"].as_str()),
        (StatusCode::OK, Some("open"))
    );

    let (_, events) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    let items = events["items"].as_array().unwrap();
    let types: Vec<&str> = items
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .filter(|t| !t.starts_with("sla_"))
        .collect();
    assert_eq!(
        types,
        [
            "created",
            "message_added",
            "status_changed",
            "message_added",
            "priority_changed",
            "assigned",
            "transferred",
            "status_changed",
            "status_changed",
            "status_changed",
            "reopened"
        ]
    );
    assert_eq!(
        items[0]["at"], case["created_at"],
        "the projection and the event log agree on time"
    );
    for (i, e) in items.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1);
        let by_clock = e["type"].as_str().unwrap().starts_with("sla_");
        assert_eq!(
            e["actor"],
            if by_clock {
                "system:sla"
            } else {
                "user:agent01"
            }
        );
        assert!(e["at"].is_string());
    }
    // The phone policy's clocks: first response met by the reply, resolution met, then a new
    // resolution clock started by the reopening.
    let clocks: Vec<(&str, &str)> = items
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("sla_"))
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["data"]["clock"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        clocks,
        [
            ("sla_started", "first_response"),
            ("sla_started", "resolution"),
            ("sla_met", "first_response"),
            ("sla_met", "resolution"),
            ("sla_started", "resolution")
        ]
    );
    let (_, now) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            None,
        )
        .await;
    let resolution = now["sla"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "resolution")
        .unwrap();
    assert_eq!(resolution["state"], "running");
    let left = resolution["remaining_secs"].as_i64().unwrap();
    assert!(
        (86_000..=86_400).contains(&left),
        "about 24 h of the 24x7 calendar left: {left}"
    );
    let (_, messages) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/messages"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(messages["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn idempotency_key_returns_the_first_result() {
    let app = spawn_app().await;
    let send = |body: Value| {
        app.http
            .post(format!("{}/api/v1/cases", app.base))
            .bearer_auth(&app.agent)
            .header("Idempotency-Key", "order-42")
            .json(&body)
            .send()
    };
    let first = send(new_case("13900000001")).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send(new_case("13900000001")).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(first, again);
    let different = send(new_case("13900000002")).await.unwrap();
    assert_eq!(different.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count_cases().await, 1);
}

#[tokio::test]
async fn cursor_pages_are_stable_under_inserts() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            app.create_case(new_case(&format!("1370000000{i}"))).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let (_, first) = app
        .call(Method::GET, "/api/v1/cases?limit=2", Some(&app.agent), None)
        .await;
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    app.create_case(new_case("13700000009")).await;
    let (_, second) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases?limit=2&cursor={cursor}"),
            Some(&app.agent),
            None,
        )
        .await;
    let got: Vec<&str> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[2].as_str(), ids[1].as_str()]);
    let (_, filtered) = app
        .call(
            Method::GET,
            "/api/v1/cases?category=delay&status=new&priority=P3",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(filtered["items"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn roles_limit_what_each_user_sees_and_does() {
    let app = spawn_app().await;
    let mine = app.create_case(new_case("13600000001")).await;
    let other = app.create_case(new_case("13600000002")).await;
    let id = mine["id"].as_str().unwrap();
    app.call(
        Method::PATCH,
        &format!("/api/v1/cases/{id}"),
        Some(&app.agent),
        Some(json!({"department": "ops"})),
    )
    .await;
    // Department staff: only cases transferred to them; no customers; no re-routing.
    let (_, page) = app
        .call(Method::GET, "/api/v1/cases", Some(&app.ops), None)
        .await;
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id]);
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{}", other["id"].as_str().unwrap()),
            Some(&app.ops),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(Method::GET, "/api/v1/customers", Some(&app.ops), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            Some(&app.ops),
            Some(json!({"priority": "P1"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/messages"),
            Some(&app.ops),
            Some(json!({"body": "网点已安排重新派送"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Read-only: reads, never writes.
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some(&app.viewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.viewer),
            Some(new_case("13600000003")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Only admins manage users.
    let user = json!({"username": "agent02", "password": "long-enough-pw", "role": "agent"});
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&app.agent),
            Some(user.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, created) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin),
            Some(user.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, body) = app
        .call(Method::POST, "/api/v1/users", Some(&app.admin), Some(user))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "username_taken")
    );
    let (status, _) = app
        .call(Method::GET, "/api/v1/users", Some(&app.agent), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Every write endpoint against malformed JSON, wrong types, unknown ids, oversized bodies,
/// missing auth and the wrong role — and nothing is written by any of them.
#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let app = spawn_app().await;
    let case = app.create_case(new_case("13500000001")).await;
    let id = case["id"].as_str().unwrap().to_string();
    let unknown = "00000000-0000-7000-8000-000000000000";
    let writes: Vec<(Method, String)> = vec![
        (Method::POST, "/api/v1/cases".into()),
        (Method::PATCH, format!("/api/v1/cases/{id}")),
        (Method::POST, format!("/api/v1/cases/{id}/messages")),
        (Method::POST, "/api/v1/customers".into()),
        (Method::POST, "/api/v1/users".into()),
        (Method::POST, "/api/v1/departments".into()),
        (Method::POST, "/api/v1/auth/login".into()),
    ];
    let (_, events_before) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
            Some(&app.admin),
            None,
        )
        .await;
    let (_, customers_before) = app
        .call(Method::GET, "/api/v1/customers", Some(&app.admin), None)
        .await;
    for (method, path) in &writes {
        for body in ["{\"subject\": ", "not json", "[1,2", "{} extra"] {
            let (status, err) = app.raw(method.clone(), path, Some(&app.admin), body).await;
            assert_eq!(
                (status, error_code(&err)),
                (StatusCode::BAD_REQUEST, "malformed_body"),
                "{method} {path} {body:?}"
            );
        }
        let big = "x".repeat(kefu_web::BODY_LIMIT + 10);
        let res = app
            .http
            .request(method.clone(), format!("{}{path}", app.base))
            .bearer_auth(&app.admin)
            .header("content-type", "application/json")
            .body(format!("{{\"subject\":\"{big}\"}}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "{method} {path}"
        );
        let res = app
            .http
            .request(method.clone(), format!("{}{path}", app.base))
            .bearer_auth(&app.admin)
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{method} {path}"
        );
        if !path.ends_with("/login") {
            let (status, err) = app.call(method.clone(), path, None, Some(json!({}))).await;
            assert_eq!(
                (status, error_code(&err)),
                (StatusCode::UNAUTHORIZED, "unauthenticated"),
                "{method} {path}"
            );
            let (status, _) = app
                .call(method.clone(), path, Some(&app.viewer), Some(json!({})))
                .await;
            assert!(
                matches!(
                    status,
                    StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
                ),
                "{method} {path}: {status}"
            );
        }
    }
    // Wrong types and invalid values name the field.
    let cases: Vec<(Method, String, Value, &str)> = vec![
        (
            Method::POST,
            "/api/v1/cases".into(),
            json!({"channel": "fax", "subject": "x", "customer": {"phone": "13500000001"}}),
            "channel",
        ),
        (
            Method::POST,
            "/api/v1/cases".into(),
            json!({"channel": "phone", "subject": 42, "customer": {"phone": "13500000001"}}),
            "subject",
        ),
        (
            Method::POST,
            "/api/v1/cases".into(),
            json!({"channel": "phone", "subject": "  ", "customer": {"phone": "13500000001"}}),
            "subject",
        ),
        (
            Method::POST,
            "/api/v1/cases".into(),
            json!({"channel": "phone", "subject": "x", "customer": {"phone": "12345"}}),
            "customer.phone",
        ),
        (
            Method::POST,
            "/api/v1/cases".into(),
            json!({"channel": "phone", "subject": "x"}),
            "customer",
        ),
        (
            Method::POST,
            "/api/v1/cases".into(),
            json!({"channel": "phone", "subject": "x", "customer_id": unknown}),
            "customer_id",
        ),
        (
            Method::POST,
            "/api/v1/cases".into(),
            json!({"channel": "phone", "subject": "x", "customer": {"phone": "13500000001"}, "received_at": "yesterday"}),
            "received_at",
        ),
        (
            Method::POST,
            "/api/v1/cases".into(),
            json!({"channel": "phone", "subject": "x", "customer": {"phone": "13500000001"}, "priority": "P9"}),
            "priority",
        ),
        (
            Method::POST,
            "/api/v1/cases".into(),
            json!({"channel": "phone", "subject": "x", "customer": {"phone": "13500000001"}, "surprise": 1}),
            "surprise",
        ),
        (
            Method::PATCH,
            format!("/api/v1/cases/{id}"),
            json!({"status": "done"}),
            "status",
        ),
        (
            Method::PATCH,
            format!("/api/v1/cases/{id}"),
            json!({"assignee": "nobody"}),
            "assignee",
        ),
        (
            Method::PATCH,
            format!("/api/v1/cases/{id}"),
            json!({"department": "nowhere"}),
            "department",
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{id}/messages"),
            json!({"body": ""}),
            "body",
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{id}/messages"),
            json!({"body": "x", "visibility": "secret"}),
            "visibility",
        ),
        (
            Method::POST,
            "/api/v1/customers".into(),
            json!({"name": "x", "grade": 9}),
            "grade",
        ),
        (
            Method::POST,
            "/api/v1/customers".into(),
            json!({"name": "x", "email": "not-an-email"}),
            "email",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "x y", "password": "long-enough-pw", "role": "agent"}),
            "username",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "short", "password": "short", "role": "agent"}),
            "password",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "someone", "password": "long-enough-pw", "role": "god"}),
            "role",
        ),
    ];
    for (method, path, body, field) in cases {
        let (status, err) = app
            .call(method.clone(), &path, Some(&app.admin), Some(body.clone()))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {body}: {err}"
        );
        assert_eq!(err["error"]["code"], "invalid_field");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
        assert!(err["error"]["message"].as_str().unwrap().contains(field));
    }
    // Unknown ids are 404 everywhere.
    for (method, path, body) in [
        (Method::GET, format!("/api/v1/cases/{unknown}"), None),
        (
            Method::GET,
            "/api/v1/cases/KF20000101999999".to_string(),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/v1/cases/{unknown}"),
            Some(json!({"status": "open"})),
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{unknown}/messages"),
            Some(json!({"body": "x"})),
        ),
        (Method::GET, format!("/api/v1/cases/{unknown}/events"), None),
        (Method::GET, format!("/api/v1/customers/{unknown}"), None),
        (Method::GET, "/api/v1/customers/not-an-id".to_string(), None),
        (Method::GET, "/api/v1/nothing-here".to_string(), None),
    ] {
        let (status, err) = app
            .call(method.clone(), &path, Some(&app.admin), body)
            .await;
        assert_eq!(
            (status, error_code(&err)),
            (StatusCode::NOT_FOUND, "not_found"),
            "{method} {path}"
        );
    }
    let (status, err) = app
        .call(
            Method::GET,
            "/api/v1/cases?limit=lots",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
    );
    let (status, err) = app
        .call(
            Method::GET,
            "/api/v1/cases?status=weird",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("status"))
    );
    let (status, _) = app
        .call(Method::DELETE, "/api/v1/cases", Some(&app.admin), None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);

    assert_eq!(app.count_cases().await, 1);
    let (_, events_after) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(events_before, events_after);
    let (_, customers_after) = app
        .call(Method::GET, "/api/v1/customers", Some(&app.admin), None)
        .await;
    assert_eq!(customers_before, customers_after);
    let (_, users) = app
        .call(Method::GET, "/api/v1/users", Some(&app.admin), None)
        .await;
    assert_eq!(users["items"].as_array().unwrap().len(), 4);
    let (_, departments) = app
        .call(Method::GET, "/api/v1/departments", Some(&app.admin), None)
        .await;
    assert_eq!(departments["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn calendars_compute_due_times_and_refuse_bad_definitions() {
    let app = spawn_app().await;
    let (status, list) = app
        .call(Method::GET, "/api/v1/calendars", Some(&app.agent), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["24x7", "cn-office", "cn-service"]);
    let (_, office) = app
        .call(
            Method::GET,
            "/api/v1/calendars/cn-office",
            Some(&app.agent),
            None,
        )
        .await;
    assert!(
        office["holidays"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-10-01"))
    );
    assert!(
        office["extra_workdays"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-10-10"))
    );

    let add = |key: &str, body: Value| {
        let app = &app;
        let path = format!("/api/v1/calendars/{key}/add");
        async move {
            app.call(Method::POST, &path, Some(&app.agent), Some(body))
                .await
        }
    };
    // Thursday 30 Sep 2026 17:00 Beijing + 2 h: one hour that day, then National Day, then 8 Oct.
    let (status, due) = add(
        "cn-office",
        json!({"from": "2026-09-30T17:00:00+08:00", "minutes": 120}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{due}");
    assert_eq!(due["due"], "2026-10-08T02:00:00Z");
    assert_eq!(due["warnings"], json!([]));
    let (_, due) = add(
        "cn-office",
        json!({"from": "2026-02-13T10:00:00+08:00", "working_days": 2}),
    )
    .await;
    assert_eq!(
        due["due"], "2026-02-24T10:00:00Z",
        "Sat 14 Feb is a make-up day; 15–23 Feb is Spring Festival"
    );
    let (_, due) = add(
        "cn-office",
        json!({"from": "2026-12-31T17:30:00+08:00", "minutes": 60}),
    )
    .await;
    assert!(
        due["warnings"][0].as_str().unwrap().contains("2027"),
        "{due}"
    );
    let (_, due) = add(
        "24x7",
        json!({"from": "2026-11-24T10:00:00+08:00", "minutes": 30}),
    )
    .await;
    assert_eq!(due["due"], "2026-11-24T02:30:00Z");

    // A user's own calendar: split shift, night shift to 24:00, a holiday and a make-up day.
    let mine = json!({"timezone": "Asia/Shanghai",
        "hours": {"mon": [["09:00","12:00"],["13:30","18:00"]], "tue": [["20:00","24:00"]]},
        "holidays": ["2026-12-07"], "extra_workdays": ["2026-12-12"], "workday_hours": [["10:00","11:00"]]});
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/calendars/night-desk",
            Some(&app.agent),
            Some(mine.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) = app
        .call(
            Method::PUT,
            "/api/v1/calendars/night-desk",
            Some(&app.admin),
            Some(mine),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["key"], "night-desk");
    // Tue 1 Dec 23:00 + 120 min: 60 to midnight, then Mon 7 Dec is a holiday, Tue 8 Dec 20:00 + 60.
    let (_, due) = add(
        "night-desk",
        json!({"from": "2026-12-01T23:00:00+08:00", "minutes": 120}),
    )
    .await;
    assert_eq!(due["due"], "2026-12-08T13:00:00Z");

    let bad: Vec<(Value, &str)> = vec![
        (
            json!({"timezone": "Mars/Olympus", "hours": {"mon": [["09:00","18:00"]]}}),
            "timezone",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","25:00"]]}}),
            "hours.mon[0]",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["9:00","18:00"]]}}),
            "hours.mon[0]",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","12:00"],["11:00","13:00"]]}}),
            "hours.mon",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["18:00","09:00"]]}}),
            "hours.mon[0]",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"funday": [["09:00","18:00"]]}}),
            "hours.funday",
        ),
        (json!({"timezone": "Asia/Shanghai", "hours": {}}), "hours"),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","18:00"]]}, "holidays": ["2026-13-01"]}),
            "holidays[0]",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","18:00"]]}, "holidays": ["2026-12-12"], "extra_workdays": ["2026-12-12"]}),
            "extra_workdays",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00"]]}}),
            "hours.mon[0]",
        ),
        (json!({"hours": {"mon": [["09:00","18:00"]]}}), "timezone"),
    ];
    for (body, field) in bad {
        let (status, err) = app
            .call(
                Method::PUT,
                "/api/v1/calendars/broken",
                Some(&app.admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
    }
    let (status, err) = app
        .call(
            Method::PUT,
            "/api/v1/calendars/Bad%20Key",
            Some(&app.admin),
            Some(json!({"timezone": "UTC", "hours": {"mon": [["09:00","10:00"]]}})),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("key"))
    );
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/calendars/broken",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "refused calendars are not stored"
    );

    for (body, field) in [
        (json!({"from": "2026-11-24T10:00:00+08:00"}), "minutes"),
        (
            json!({"from": "2026-11-24T10:00:00+08:00", "minutes": 5, "working_days": 1}),
            "minutes",
        ),
        (
            json!({"from": "2026-11-24T10:00:00+08:00", "minutes": -5}),
            "minutes",
        ),
        (
            json!({"from": "2026-11-24T10:00:00+08:00", "working_days": 0}),
            "working_days",
        ),
        (json!({"from": "yesterday", "minutes": 5}), "from"),
        (json!({"minutes": 5}), "from"),
    ] {
        let (status, err) = add("cn-office", body.clone()).await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}: {err}"
        );
    }
    let (status, _) = add(
        "no-such-calendar",
        json!({"from": "2026-11-24T10:00:00+08:00", "minutes": 5}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Open only on Mondays, and those Mondays are holidays for years: an error, not a hang.
    let mut mondays = Vec::new();
    let mut d: jiff::civil::Date = "2026-11-23".parse().unwrap();
    for _ in 0..600 {
        mondays.push(d.to_string());
        d = d.checked_add(jiff::Span::new().days(7)).unwrap();
    }
    let never = json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","10:00"]]}, "holidays": mondays});
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/calendars/never",
            Some(&app.admin),
            Some(never),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = add(
        "never",
        json!({"from": "2026-11-23T00:00:00+08:00", "minutes": 1}),
    )
    .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar"))
    );
}

#[tokio::test]
async fn sla_policies_are_listed_edited_and_validated() {
    let app = spawn_app().await;
    let (status, list) = app
        .call(Method::GET, "/api/v1/sla-policies", Some(&app.agent), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "key-accounts",
            "regulator-complaints",
            "chat",
            "email",
            "phone",
            "default"
        ]
    );
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["order"].as_i64().unwrap() >= 100)
    );

    // A user's own policy comes first (order 10): web-form damage reports answered in 5 minutes.
    let mine = json!({"name": "破损优先", "order": 10, "match": {"category": ["damaged"]}, "calendar": "24x7",
        "targets": {"first_response_minutes": 5, "resolution_working_days": 1}, "pause_in": ["pending_customer"]});
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/sla-policies/damage",
            Some(&app.agent),
            Some(mine.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) = app
        .call(
            Method::PUT,
            "/api/v1/sla-policies/damage",
            Some(&app.admin),
            Some(mine),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let case = app
        .create_case(
            json!({"channel": "web", "subject": "箱子破了", "customer": {"phone": "13300000001"}}),
        )
        .await;
    let first = case["sla"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "first_response")
        .unwrap()
        .clone();
    assert_eq!(
        (first["policy"].as_str(), first["target_secs"].as_i64()),
        (Some("damage"), Some(300))
    );

    for (body, field) in [
        (
            json!({"name": "x", "order": 1, "calendar": "nope", "targets": {}}),
            "calendar",
        ),
        (
            json!({"name": "", "order": 1, "calendar": "24x7", "targets": {}}),
            "name",
        ),
        (
            json!({"name": "x", "order": 1, "calendar": "24x7", "targets": {"first_response_minutes": -1}}),
            "targets.first_response_minutes",
        ),
        (
            json!({"name": "x", "order": 1, "calendar": "24x7", "targets": {"resolution_minutes": 60, "resolution_working_days": 1}}),
            "targets.resolution_working_days",
        ),
        (
            json!({"name": "x", "order": 1, "calendar": "24x7", "targets": {}, "match": {"channel": ["fax"]}}),
            "match.channel[0]",
        ),
        (
            json!({"name": "x", "order": 1, "calendar": "24x7", "targets": {}, "match": {"customer_grade": [7]}}),
            "match.customer_grade",
        ),
        (
            json!({"name": "x", "order": 1, "calendar": "24x7", "targets": {}, "pause_in": ["closed"]}),
            "pause_in",
        ),
        (
            json!({"name": "x", "order": "first", "calendar": "24x7", "targets": {}}),
            "order",
        ),
        (
            json!({"name": "x", "calendar": "24x7", "targets": {}}),
            "order",
        ),
    ] {
        let (status, err) = app
            .call(
                Method::PUT,
                "/api/v1/sla-policies/bad",
                Some(&app.admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
    }
    let (_, list) = app
        .call(Method::GET, "/api/v1/sla-policies", Some(&app.agent), None)
        .await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        7,
        "refused policies are not stored"
    );
}

#[tokio::test]
async fn promises_escalation_and_notifications_over_http() {
    let app = spawn_app().await;
    let case = app.create_case(new_case("13200000001")).await;
    let id = case["id"].as_str().unwrap();
    #[allow(clippy::disallowed_methods)] // the server runs on the wall clock
    let in_an_hour = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1)).to_string();
    let (status, promised) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/commitments"),
            Some(&app.agent),
            Some(json!({"due_at": in_an_hour, "note": "15:00前回电"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{promised}");
    assert_eq!(promised["commitments"][0]["state"], "open");
    for (body, field) in [
        (
            json!({"due_at": "2020-01-01T00:00:00Z", "note": "x"}),
            "due_at",
        ),
        (json!({"due_at": "soon", "note": "x"}), "due_at"),
        (json!({"due_at": in_an_hour, "note": ""}), "note"),
        (json!({"note": "x"}), "due_at"),
        (
            json!({"due_at": in_an_hour, "note": "x", "remind_before_minutes": -5}),
            "remind_before_minutes",
        ),
    ] {
        let (status, err) = app
            .call(
                Method::POST,
                &format!("/api/v1/cases/{id}/commitments"),
                Some(&app.agent),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}: {err}"
        );
    }
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/commitments"),
            Some(&app.viewer),
            Some(json!({"due_at": in_an_hour, "note": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A logged call (an internal note marked as a call) keeps the promise and is the first response.
    let (status, _) = app
        .call(Method::POST, &format!("/api/v1/cases/{id}/messages"), Some(&app.agent),
              Some(json!({"body": "已电话回访，客户同意明天派送", "visibility": "internal", "call": true})))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, after_call) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(after_call["commitments"][0]["state"], "kept");
    assert!(after_call["first_response_at"].is_string());
    let first = after_call["sla"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "first_response")
        .unwrap();
    assert_eq!(first["state"], "met");
    let (_, listed) = app
        .call(Method::GET, "/api/v1/cases?limit=1", Some(&app.agent), None)
        .await;
    assert!(
        listed["items"][0]["sla"][0].get("remaining_secs").is_some(),
        "lists show remaining time too"
    );
    let (status, up) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/escalate"),
            Some(&app.agent),
            Some(json!({"reason": "客户要求主管回电"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{up}");
    assert_eq!(up["escalation_level"], 1);
    let (status, err) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/escalate"),
            Some(&app.agent),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    // The admin is told; the agent is not.
    let (_, notes) = app
        .call(
            Method::GET,
            "/api/v1/notifications?unread=true",
            Some(&app.admin),
            None,
        )
        .await;
    let items = notes["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "escalated");
    assert_eq!(items[0]["case_number"], case["number"]);
    let (_, mine) = app
        .call(Method::GET, "/api/v1/notifications", Some(&app.agent), None)
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 0);
    let (status, marked) = app
        .call(
            Method::POST,
            "/api/v1/notifications/read",
            Some(&app.admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, marked["marked"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    let (_, notes) = app
        .call(
            Method::GET,
            "/api/v1/notifications?unread=true",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(notes["items"].as_array().unwrap().len(), 0);
    let (status, err) = app
        .call(
            Method::GET,
            "/api/v1/notifications?unread=maybe",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unread"))
    );
    let (status, _) = app
        .call(Method::GET, "/api/v1/notifications", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn waybill_numbers_are_recognised() {
    let app = spawn_app().await;
    let (status, r) = app
        .call(
            Method::GET,
            "/api/v1/waybills/YL1234567890128/recognize",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (r["number"].as_str(), r["ours"].as_bool()),
        (Some("YL1234567890128"), Some(true))
    );
    assert_eq!(r["candidates"][0]["carrier"], "ours");
    let (_, r) = app
        .call(
            Method::GET,
            "/api/v1/waybills/sf1234567890123/recognize",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(
        (r["ours"].as_bool(), r["candidates"][0]["carrier"].as_str()),
        (Some(false), Some("sf"))
    );
    let (_, r) = app
        .call(
            Method::GET,
            "/api/v1/waybills/RB123456785GB/recognize",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(r["candidates"][0]["carrier"], "upu_s10");
    let (_, r) = app
        .call(
            Method::GET,
            "/api/v1/waybills/hello/recognize",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(r["candidates"], json!([]));
    let long = "9".repeat(80);
    let (status, err) = app
        .call(
            Method::GET,
            &format!("/api/v1/waybills/{long}/recognize"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("number"))
    );
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/waybills/YL1234567890128/recognize",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

fn own_waybill(serial: u64) -> String {
    let body = format!("{serial:012}");
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    format!("YL{body}{}", kefu_domain::waybill::luhn_digit(&digits))
}

fn shipment(waybill: &str) -> Value {
    json!({
        "waybill_no": waybill,
        "sender": {"name": "张三", "phone": "13800138000", "address": "广东省深圳市南山区科技园科苑路15号"},
        "recipient": {"name": "李四", "phone": "13900139000", "address": "北京市朝阳区建国路88号"},
        "item": "衣服", "weight_kg": 1.2, "pieces": 1, "declared_value": "300", "insured": true, "freight": 18,
        "shipped_at": "2026-01-02T02:00:00Z", "promised_at": "2026-01-05T10:00:00Z"
    })
}

#[tokio::test]
async fn shipments_and_tracking_over_http() {
    let app = spawn_app().await;
    let no = own_waybill(7);
    let post = |token: &str, body: Value| {
        let token = token.to_string();
        let app = &app;
        async move {
            app.call(Method::POST, "/api/v1/shipments", Some(&token), Some(body))
                .await
        }
    };
    let (status, body) = post(&app.admin, shipment(&no)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "created");
    assert_eq!(body["recipient"]["region"]["district"]["code"], "110105");
    let (status, _) = post(&app.admin, shipment(&no)).await;
    assert_eq!(status, StatusCode::OK, "an upsert of a stored shipment");
    let (status, body) = post(&app.agent, shipment(&no)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    // Bad input: 422 naming the field, nothing stored.
    for (patch, field) in [
        (json!({"weight_kg": -1}), "weight_kg"),
        (
            json!({"dimensions_cm": [10, 10, 100000]}),
            "dimensions_cm[2]",
        ),
        (json!({"waybill_no": "12-34"}), "waybill_no"),
        (
            json!({"recipient": {"name": "李四", "phone": "12345", "address": "北京"}}),
            "recipient.phone",
        ),
    ] {
        let mut bad = shipment(&own_waybill(8));
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, body) = post(&app.admin, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/shipments/{}", own_waybill(8)),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Scans: batch, idempotent, status derived.
    let scans = json!({"events": [
        {"at": "2026-01-02T03:00:00Z", "code": "picked_up", "location": "深圳南山网点", "description": "已揽收"},
        {"at": "2026-01-03T03:00:00Z", "code": "delivered", "location": "北京朝阳", "description": "已签收，本人签收"}
    ]});
    let path = format!("/api/v1/shipments/{no}/events");
    let (status, body) = app
        .call(Method::POST, &path, Some(&app.admin), Some(scans.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["added"].as_u64(), body["duplicates"].as_u64()),
        (Some(2), Some(0))
    );
    let (_, body) = app
        .call(Method::POST, &path, Some(&app.admin), Some(scans))
        .await;
    assert_eq!(
        (body["added"].as_u64(), body["duplicates"].as_u64()),
        (Some(0), Some(2))
    );
    let (status, body) = app
        .call(Method::POST, &path, Some(&app.admin), Some(json!({"events": [{"at": "2026-01-03T03:00:00Z", "code": "beamed", "location": "x"}]})))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("events[0].code"))
    );
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/shipments/{no}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "delivered");
    assert_eq!(body["events"].as_array().unwrap().len(), 2);
    // Tracking: delivered → with_result; "not received" opens a lost case (201).
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"waybill_no": no})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "with_result");
    assert_eq!(body["shipment"]["recipient"]["phone"], "139****9000");
    assert!(
        body["answer"].as_str().unwrap().contains("已签收"),
        "{body}"
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"waybill_no": no, "issue": "not_received", "open_case": {"phone": "13900139000", "note": "没收到"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (
            body["case"]["category"].as_str(),
            body["case"]["priority"].as_str()
        ),
        (Some("lost"), Some("P2"))
    );
    let case_id = body["case"]["id"].as_str().unwrap().to_string();
    let (_, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"waybill_no": "SF1234567890123"})),
        )
        .await;
    assert_eq!(
        (
            body["outcome"].as_str(),
            body["carrier"]["carrier"].as_str()
        ),
        (Some("other_carrier"), Some("sf"))
    );
    let (_, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"phone": "13800138000"})),
        )
        .await;
    assert_eq!(body["outcome"], "found_by_facts");
    assert_eq!(body["matches"][0]["sender"]["phone"], "138****8000");
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"name": "李四"})),
        )
        .await;
    assert_eq!(
        (status, body["outcome"].as_str()),
        (StatusCode::OK, Some("not_found"))
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"waybill_no": no, "issue": "teleported"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("issue"))
    );
    // A claim on the lost case: agent proposes, supervisor approves, finance pays.
    let claims = format!("/api/v1/cases/{case_id}/claims");
    let (status, body) = app
        .call(
            Method::POST,
            &claims,
            Some(&app.agent),
            Some(json!({"kind": "lost", "claimed_amount": 280})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["claim"]["insured"], true);
    let claim = body["claim"]["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/propose"),
            Some(&app.agent),
            Some(json!({"loss_amount": "-5"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("loss_amount"))
    );
    let (status, body) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/propose"),
            Some(&app.agent),
            Some(json!({"loss_amount": 280})),
        )
        .await;
    assert_eq!(
        (status, body["claim"]["compensation"].as_str()),
        (StatusCode::OK, Some("280")),
        "{body}"
    );
    let (status, body) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/pay"),
            Some(&app.agent),
            Some(json!({"reference": "X"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, _) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/approve"),
            Some(&app.admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/pay"),
            Some(&app.admin),
            Some(json!({"reference": "PAY-1"})),
        )
        .await;
    assert_eq!(
        (status, body["claim"]["state"].as_str()),
        (StatusCode::OK, Some("paid"))
    );
    let (status, _) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/teleport"),
            Some(&app.admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn quotes_pickups_and_settings_over_http() {
    let app = spawn_app().await;
    let quote = json!({"origin": "上海市浦东新区世纪大道100号", "destination": "江苏省苏州市姑苏区人民路1号",
        "weight_kg": 3.2, "dimensions_cm": [20, 20, 20], "pieces": 1, "item": "烟花爆竹一箱"});
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups/quote",
            Some(&app.agent),
            Some(quote.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["zone"], "regional", "{body}");
    assert_eq!(body["chargeable_weight_kg"], "4");
    assert_eq!(body["total"], "25.00", "¥13 + 3 × ¥4");
    assert_eq!(body["vehicle_needed"], false);
    let keywords: Vec<&str> = body["prohibited"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["keyword"].as_str())
        .collect();
    assert!(
        keywords.contains(&"烟花") || keywords.contains(&"爆竹"),
        "{body}"
    );
    for (patch, field) in [
        (json!({"weight_kg": -2}), "weight_kg"),
        (json!({"dimensions_cm": [0, 10, 10]}), "dimensions_cm"),
        (json!({"origin": "不知道哪里"}), "origin"),
        (json!({"pieces": 0}), "pieces"),
    ] {
        let mut bad = quote.clone();
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/pickups/quote",
                Some(&app.agent),
                Some(bad),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(
            body["error"]["field"].as_str().unwrap().starts_with(field),
            "{field}: {body}"
        );
    }
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups/quote",
            Some(&app.agent),
            Some(json!({
        "origin": "上海市浦东新区", "destination": "北京市朝阳区", "weight_kg": 80, "pieces": 1})),
        )
        .await;
    assert_eq!(
        (status, body["vehicle_needed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    // Settings: agents read, admins write; bad documents name their field.
    let (status, card) = app
        .call(
            Method::GET,
            "/api/v1/settings/rate_card",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(card["products"]["standard"].is_object(), "{card}");
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/settings/rate_card",
            Some(&app.agent),
            Some(card.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut cheaper = card.clone();
    cheaper["products"]["standard"]["zones"]["regional"]["first_fee"] = json!("11");
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings/rate_card",
            Some(&app.admin),
            Some(cheaper),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups/quote",
            Some(&app.agent),
            Some(quote),
        )
        .await;
    assert_eq!(
        body["total"], "23.00",
        "the edited card prices the next quote"
    );
    let mut broken = card;
    broken["products"]["standard"]["volumetric_divisor"] = json!("0");
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings/rate_card",
            Some(&app.admin),
            Some(broken),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["field"]
            .as_str()
            .unwrap()
            .contains("volumetric_divisor"),
        "{body}"
    );
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/settings/nonsense",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .call(Method::PUT, "/api/v1/settings/outlets", Some(&app.admin), Some(json!({"outlets": [
            {"key": "sh-pd", "name": "上海浦东网点", "districts": ["310115"], "couriers": [{"id": "c1", "name": "周师傅", "phone": "13500000001"}]}]})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Book, see the courier's task list, move the order on.
    let booking = json!({"sender": {"name": "王小明", "phone": "13812345678", "address": "上海市浦东新区世纪大道100号"},
        "recipient_address": "江苏省苏州市姑苏区人民路1号", "item": "文件", "weight_kg": 0.5});
    let (status, pickup) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(booking.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pickup}");
    assert_eq!(
        (pickup["status"].as_str(), pickup["courier"]["id"].as_str()),
        (Some("dispatched"), Some("c1"))
    );
    let (_, list) = app
        .call(
            Method::GET,
            "/api/v1/pickups?courier=c1&status=dispatched",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let number = pickup["number"].as_str().unwrap();
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/pickups/{number}/status"),
            Some(&app.agent),
            Some(json!({"status": "picked_up", "waybill_no": own_waybill(9)})),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("picked_up"))
    );
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/pickups/{number}/status"),
            Some(&app.agent),
            Some(json!({"status": "booked"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    let mut outside = booking;
    outside["sender"]["address"] = json!("台湾省台北市");
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(outside),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sender.address")),
        "{body}"
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/addresses/parse",
            Some(&app.agent),
            Some(json!({"address": "浙江杭州西湖区文三路90号"})),
        )
        .await;
    assert_eq!(
        (status, body["district"]["code"].as_str()),
        (StatusCode::OK, Some("330106"))
    );
    // The operator's own waybill format is a setting; recognition follows it at once.
    let digits: Vec<u32> = "123456789".chars().filter_map(|c| c.to_digit(10)).collect();
    let theirs = format!("SD123456789{}", kefu_domain::waybill::luhn_digit(&digits));
    let recognize = |n: String| {
        let app = &app;
        async move {
            app.call(
                Method::GET,
                &format!("/api/v1/waybills/{n}/recognize"),
                Some(&app.agent),
                None,
            )
            .await
            .1
        }
    };
    assert_eq!(recognize(theirs.clone()).await["ours"], false);
    let format = json!({"name": "顺达快运", "prefix": "SD", "digits": 10, "check": "luhn"});
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings/waybill_format",
            Some(&app.admin),
            Some(format),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = recognize(theirs).await;
    assert_eq!(
        (r["ours"].as_bool(), r["candidates"][0]["name"].as_str()),
        (Some(true), Some("顺达快运")),
        "{r}"
    );
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings/waybill_format",
            Some(&app.admin),
            Some(json!({"name": "x", "prefix": "", "digits": 12, "check": "none"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("check"))
    );
}

#[tokio::test]
async fn customers_by_name_and_pickups_booked_from_a_case() {
    let app = spawn_app().await;
    let case = app.create_case(new_case("13800138000")).await;
    app.create_case(json!({"channel": "phone", "subject": "查件", "customer": {"name": "张伟", "phone": "13800138001"}}))
        .await;
    app.create_case(json!({"channel": "phone", "subject": "查件", "customer": {"name": "李四", "phone": "13800138002"}}))
        .await;
    let names = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/customers?name={}", super_encode("张")),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&body), vec!["张伟", "张三"], "newest first");
    let (_, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/customers?name={}", super_encode("%")),
            Some(&app.agent),
            None,
        )
        .await;
    assert!(names(&body).is_empty(), "% is no wildcard: {body}");
    for bad in ["", "%20%20", &"x".repeat(51)] {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/customers?name={bad}"),
                Some(&app.agent),
                None,
            )
            .await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("name")),
            "{bad:?}: {body}"
        );
    }
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/customers?name=x",
            Some(&app.ops),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "department staff see no customers"
    );
    // A pickup from the case: for its customer, recorded on the case.
    let (status, _) = app
        .call(Method::PUT, "/api/v1/settings/outlets", Some(&app.admin), Some(json!({"outlets": [
            {"key": "sh-pd", "name": "上海浦东网点", "districts": ["310115"], "couriers": [{"id": "c1", "name": "周师傅", "phone": "13500000001"}]}]})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let number = case["number"].as_str().unwrap();
    let booking = json!({"sender": {"name": "", "phone": "", "address": "上海市浦东新区世纪大道100号"},
        "recipient_address": "江苏省苏州市姑苏区人民路1号", "item": "文件", "weight_kg": 0.5, "case_id": number});
    let events_before = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}/events"),
            Some(&app.agent),
            None,
        )
        .await
        .1;
    for (patch, field, code) in [
        (
            json!({"weight_kg": -1}),
            "weight_kg",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"recipient_address": "不知道哪里"}),
            "recipient_address",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"sender": {"name": "", "phone": "123", "address": "上海市浦东新区世纪大道100号"}}),
            "sender.phone",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let mut bad = booking.clone();
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, body) = app
            .call(Method::POST, "/api/v1/pickups", Some(&app.agent), Some(bad))
            .await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (code, Some(field)),
            "{body}"
        );
    }
    let mut unknown = booking.clone();
    unknown["case_id"] = json!("KF20990101999999");
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(unknown),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "not_found"),
        "{body}"
    );
    let (_, none) = app
        .call(
            Method::GET,
            &format!("/api/v1/pickups?case_id={number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(
        none["items"].as_array().unwrap().len(),
        0,
        "nothing written"
    );
    let (_, events) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(events, events_before, "the case is unchanged");
    let (status, pickup) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(booking),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pickup}");
    // The answer masks the phone; the full one (taken from the case's customer) comes through
    // the audited reveal.
    assert_eq!(
        (
            pickup["sender"]["name"].as_str(),
            pickup["sender"]["phone"].as_str()
        ),
        (Some("张三"), Some("138****8000"))
    );
    let (status, full) = app
        .call(
            Method::POST,
            &format!(
                "/api/v1/pickups/{}/reveal",
                pickup["number"].as_str().unwrap()
            ),
            Some(&app.agent),
            Some(json!({"reason": "回电确认取件"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{full}");
    assert_eq!(
        (
            full["sender"]["name"].as_str(),
            full["sender"]["phone"].as_str()
        ),
        (Some("张三"), Some("13800138000"))
    );
    assert_eq!(pickup["case_id"], case["id"]);
    let (_, listed) = app
        .call(
            Method::GET,
            &format!("/api/v1/pickups?case_id={number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(listed["items"][0]["number"], pickup["number"]);
    let (_, events) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    let last = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["type"] == "pickup_booked");
    assert_eq!(
        last.map(|e| &e["data"]["number"]),
        Some(&pickup["number"]),
        "{events}"
    );
    let (status, body) = app
        .call(
            Method::GET,
            "/api/v1/pickups?case_id=",
            Some(&app.agent),
            None,
        )
        .await;
    assert!(status.is_client_error(), "{body}");
}

fn super_encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn canned_replies_and_macros_over_http() {
    let app = spawn_app().await;
    let list = |token: String, query: &'static str| {
        let app = &app;
        async move {
            app.call(
                Method::GET,
                &format!("/api/v1/canned{query}"),
                Some(&token),
                None,
            )
            .await
        }
    };
    let (status, all) = list(app.agent.clone(), "").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let count = all["items"].as_array().unwrap().len();
    assert!(count >= 12, "{count}");
    let (status, found) = list(app.agent.clone(), "?q=%E7%A0%B4%E6%8D%9F&kind=macro").await;
    assert_eq!(status, StatusCode::OK);
    let titles: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["破损登记"]);

    // Bad input: 422 naming the field, and nothing is written.
    let post = |token: &String, body: Value| {
        let token = token.clone();
        let app = &app;
        async move {
            app.call(Method::POST, "/api/v1/canned", Some(&token), Some(body))
                .await
        }
    };
    let (status, body) = post(
        &app.agent,
        json!({"title": "坏", "body": "您好 {{custmer_name}}"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "invalid_field");
    assert_eq!(body["error"]["field"], "body");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("custmer_name")
    );
    let (status, body) = post(
        &app.agent,
        json!({"title": "长".repeat(101), "body": "好的"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "title");
    let (status, body) = post(
        &app.agent,
        json!({"title": "长正文", "body": "好".repeat(4001)}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "body");
    let (status, body) = post(
        &app.agent,
        json!({"title": "代表全组", "body": "好的", "scope": "team"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_code(&body), "forbidden");
    let (status, body) = list(app.agent.clone(), "?q=%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "q");
    let (_, again) = list(app.agent.clone(), "").await;
    assert_eq!(again["items"].as_array().unwrap().len(), count);

    // A personal template is its owner's: anyone else gets 404 whatever they try.
    let (status, mine) = post(
        &app.agent,
        json!({"title": "我的问候", "body": "{{customer_name}}您好，我是{{agent_name}}。", "tags": ["个人"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{mine}");
    let id = mine["id"].as_str().unwrap().to_string();
    for token in [&app.admin, &app.ops] {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/canned/{id}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, _) = app
            .call(
                Method::PUT,
                &format!("/api/v1/canned/{id}"),
                Some(token),
                Some(json!({"title": "改", "body": "改"})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/canned/{id}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, edited) = app
        .call(
            Method::PUT,
            &format!("/api/v1/canned/{id}"),
            Some(&app.agent),
            Some(json!({"title": "我的问候", "body": "{{customer_name}}您好！"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["body"], "{{customer_name}}您好！");

    // Render for a case: filled in, with placeholders for what the case lacks.
    let (status, case) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(json!({"channel": "phone", "subject": "咨询寄件", "customer": {"name": "钱多多", "phone": "13811112222"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let number = case["number"].as_str().unwrap().to_string();
    let (status, rendered) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/canned/seed-delay-apology/render"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rendered}");
    let text = rendered["text"].as_str().unwrap();
    assert!(text.starts_with("钱多多您好"), "{text}");
    assert!(
        text.contains("（暂无运单）") && text.contains(&number),
        "{text}"
    );
    assert_eq!(
        rendered["missing"],
        json!(["waybill", "latest_status", "reply_by"])
    );
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/canned/{id}/render"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/canned/no-such-template/render"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A macro: reply and fields together; refused for a reader, and a reply is no macro.
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/macros/seed-macro-damage"),
            Some(&app.viewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/macros/seed-greeting"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "macro");
    let (_, before) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(before["version"], case["version"], "refusals wrote nothing");
    let (status, applied) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/macros/seed-macro-damage"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["case"]["category"], "damaged");
    assert_eq!(applied["case"]["priority"], "P2");
    assert_eq!(applied["case"]["status"], "open");
    assert!(
        applied["case"]["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("破损登记"))
    );
    assert_eq!(applied["events"][0], "message_added");
    let (_, messages) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}/messages"),
            Some(&app.agent),
            None,
        )
        .await;
    assert!(
        messages["items"][0]["body"]
            .as_str()
            .unwrap()
            .starts_with("钱多多您好")
    );
    // Archived: no longer offered.
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/canned/{id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, after) = list(app.agent.clone(), "?scope=personal").await;
    assert_eq!(after["items"], json!([]));
}
