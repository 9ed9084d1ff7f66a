//! The harness: a real server on a random loopback port over a real SQLite file, its users and
//! tokens, an HTTP client, a clock the test moves, and small helpers shared by every area.

pub mod console;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Desk;
use kefu_model::drafts::{DepartmentDraft, UserDraft};
use kefu_model::{Clock, Role, SystemClock};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The test server's clock: it runs with the wall clock (so ids, orderings and session expiry
/// behave as in production) and jumps forward when a test says so; no test waits for time to
/// pass.
#[derive(Debug, Default)]
pub struct TestClock {
    ahead: Mutex<SignedDuration>,
}

impl TestClock {
    /// Moves the server's time forward by `by` (and keeps it running from there).
    pub fn advance(&self, by: SignedDuration) {
        let mut ahead = self.ahead.lock().unwrap();
        *ahead += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        SystemClock.now() + *self.ahead.lock().unwrap()
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    /// Tokens of the harness's users: `admin`, `agent01` (agent, service department), `ops01`
    /// (department staff, ops department) and `viewer` (readonly).
    pub admin: String,
    pub agent: String,
    pub ops: String,
    pub viewer: String,
    /// The server's clock: the wall clock plus whatever the test advanced it by.
    pub clock: Arc<TestClock>,
    /// The server's desk, for what a node does besides serving HTTP (firing due timers).
    pub desk: Desk,
    /// Tokens of the users `as_role` made for the roles the harness has no user of.
    pub more: Mutex<Vec<(Role, String)>>,
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
    let clock = Arc::new(TestClock::default());
    let desk = Desk::new(store.clone(), clock.clone())
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
        kefu_web::AppState::new(desk.clone()).with_search(index),
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
        clock,
        desk,
        more: Mutex::default(),
    };
    app.admin = app.login("admin").await;
    app.agent = app.login("agent01").await;
    app.ops = app.login("ops01").await;
    app.viewer = app.login("viewer").await;
    app
}

impl TestApp {
    /// Requests signed in as a user of `role`: the harness's own users for admin, agent,
    /// department and readonly; `supervisor01` and `finance01`, made on first use, for the others.
    ///
    /// ```ignore
    /// app.as_role(Role::Agent).put(path, body).await.expect(403);
    /// ```
    pub fn as_role(&self, role: Role) -> As<'_> {
        As {
            app: self,
            role: Some(role),
        }
    }

    /// Requests without credentials.
    pub fn anonymous(&self) -> As<'_> {
        As {
            app: self,
            role: None,
        }
    }

    /// A token of a user with `role` (see [`TestApp::as_role`]).
    pub async fn token_of(&self, role: Role) -> String {
        match role {
            Role::Admin => return self.admin.clone(),
            Role::Agent => return self.agent.clone(),
            Role::Department => return self.ops.clone(),
            Role::Readonly => return self.viewer.clone(),
            _ => {}
        }
        if let Some((_, t)) = self.more.lock().unwrap().iter().find(|(r, _)| *r == role) {
            return t.clone();
        }
        let username = format!("{}01", role.as_str());
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/users",
                Some(&self.admin),
                Some(json!({"username": username, "password": PASSWORD, "role": role.as_str()})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let token = self.login(&username).await;
        self.more.lock().unwrap().push((role, token.clone()));
        token
    }

    /// A network organisation created by the admin (the answer).
    pub async fn organisation(&self, body: Value) -> Value {
        let (status, org) = self
            .call(
                Method::POST,
                "/api/v1/network/organisations",
                Some(&self.admin),
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{org}");
        org
    }

    /// A user of `role` in the organisation or department `key`, signed in (the token).
    pub async fn staff_of(&self, username: &str, role: &str, key: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/users",
                Some(&self.admin),
                Some(json!({"username": username, "password": PASSWORD, "role": role, "department": key})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        self.login(username).await
    }

    /// What a node's timer loop does on a tick: records the breaches of every service clock
    /// that fell due by the server's (test) clock. Returns how many fired.
    pub async fn fire_due_timers(&self) -> usize {
        self.desk.fire_due_timers(500).await.unwrap()
    }

    /// The id of the department with this key (the harness makes `service` and `ops`).
    pub async fn department_id(&self, key: &str) -> String {
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

    pub async fn login(&self, username: &str) -> String {
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

    pub async fn call(
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

    pub async fn raw(
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

    pub async fn create_case(&self, body: Value) -> Value {
        let (status, case) = self
            .call(Method::POST, "/api/v1/cases", Some(&self.agent), Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{case}");
        case
    }

    pub async fn count_cases(&self) -> usize {
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

pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

pub fn new_case(phone: &str) -> Value {
    json!({"channel": "phone", "subject": "快递三天没更新", "description": "运单YL1234567890123一直不动",
           "customer": {"name": "张三", "phone": phone}})
}

pub fn own_waybill(serial: u64) -> String {
    let body = format!("{serial:012}");
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    format!("YL{body}{}", kefu_model::waybill::luhn_digit(&digits))
}

pub fn shipment(waybill: &str) -> Value {
    json!({
        "waybill_no": waybill,
        "sender": {"name": "张三", "phone": "13800138000", "address": "广东省深圳市南山区科技园科苑路15号"},
        "recipient": {"name": "李四", "phone": "13900139000", "address": "北京市朝阳区建国路88号"},
        "item": "衣服", "weight_kg": 1.2, "pieces": 1, "declared_value": "300", "insured": true, "freight": 18,
        "shipped_at": "2026-01-02T02:00:00Z", "promised_at": "2026-01-05T10:00:00Z"
    })
}

/// Percent-encodes every byte of `s` (for query strings with Chinese or reserved characters).
pub fn super_encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Requests made as one role (or anonymously); see [`TestApp::as_role`].
pub struct As<'a> {
    app: &'a TestApp,
    role: Option<Role>,
}

impl As<'_> {
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let token = match self.role {
            Some(role) => Some(self.app.token_of(role).await),
            None => None,
        };
        let (status, body) = self.app.call(method, path, token.as_deref(), body).await;
        Reply {
            who: self.role.map_or("anonymous", |r| r.as_str()),
            status,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }
}

/// A response's status and JSON body (a string if it was not JSON).
#[derive(Debug)]
pub struct Reply {
    pub who: &'static str,
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// Asserts the status (and, for 401 and 403, the stable error code) and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "as {}: {}",
            self.who,
            self.body
        );
        let code = match status {
            401 => Some("unauthenticated"),
            403 => Some("forbidden"),
            _ => None,
        };
        if let Some(code) = code {
            assert_eq!(
                error_code(&self.body),
                code,
                "as {}: {}",
                self.who,
                self.body
            );
        }
        self.body
    }
}
