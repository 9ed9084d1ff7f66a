//! Personal data (issue #13): customer and shipment responses are masked for every role, full
//! values only through an audited reveal. Who gets which status on these endpoints (settings by
//! the roles `parcels::SETTING_READERS` names, quotes by the roles that may book pickups) is in
//! the matrix of every endpoint × every role, `roles::matrix`.

use kefu_model::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{TestApp, error_code, own_waybill, spawn_app};

const PHONE: &str = "13712345678";
const MASKED_PHONE: &str = "137****5678";
const EMAIL: &str = "zhang.san@example.com";
const SENDER_PHONE: &str = "13800138000";
const RECIPIENT_PHONE: &str = "13900139000";
const SENDER_STREET: &str = "科技园科苑路15号";
const RECIPIENT_STREET: &str = "建国路88号";
const PICKUP_PHONE: &str = "13612345678";
const PICKUP_STREET: &str = "世纪大道100号";
const PICKUP_TO_STREET: &str = "人民路1号";

/// Every role, with a token: admin, supervisor, agent, department, readonly, finance.
struct Roles {
    tokens: Vec<(&'static str, String)>,
}

impl Roles {
    async fn of(app: &TestApp) -> Roles {
        let mut tokens = Vec::new();
        for role in [
            Role::Admin,
            Role::Supervisor,
            Role::Agent,
            Role::Department,
            Role::Readonly,
            Role::Finance,
        ] {
            tokens.push((role.as_str(), app.token_of(role).await));
        }
        Roles { tokens }
    }

    fn token(&self, role: &str) -> &str {
        &self.tokens.iter().find(|(r, _)| *r == role).unwrap().1
    }
}

/// A customer with a phone and an e-mail, a shipment and a pickup: the customer's id, the
/// waybill number and the pickup number.
async fn customer_and_shipment(app: &TestApp) -> (String, String, String) {
    let (status, customer) = app
        .call(
            Method::POST,
            "/api/v1/customers",
            Some(&app.agent),
            Some(json!({"name": "张三", "phone": PHONE, "email": EMAIL})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{customer}");
    let no = own_waybill(41);
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/shipments",
            Some(&app.admin),
            Some(json!({
                "waybill_no": no,
                "sender": {"name": "张三", "phone": SENDER_PHONE, "address": format!("广东省深圳市南山区{SENDER_STREET}")},
                "recipient": {"name": "李四", "phone": RECIPIENT_PHONE, "address": format!("北京市朝阳区{RECIPIENT_STREET}")},
                "item": "衣服", "weight_kg": 1.2, "pieces": 1, "shipped_at": "2026-01-02T02:00:00Z"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, pickup) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(json!({
                "sender": {"name": "王小明", "phone": PICKUP_PHONE, "address": format!("上海市浦东新区{PICKUP_STREET}")},
                "recipient_address": format!("江苏省苏州市姑苏区{PICKUP_TO_STREET}"), "item": "文件", "weight_kg": 0.5
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pickup}");
    assert_masked("a booked pickup", &pickup);
    assert_eq!(pickup["sender"]["phone"], "136****5678", "{pickup}");
    (
        customer["id"].as_str().unwrap().to_string(),
        no,
        pickup["number"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn the_waybill_format_setting_reads_default_then_configured() {
    let app = spawn_app().await;
    let (status, body) = app
        .call(
            Method::GET,
            "/api/v1/settings/waybill_format",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"name": "云路速运", "prefix": "YL", "digits": 13, "check": "luhn"})
    );
    let mine = json!({"name": "快达", "prefix": "KD", "digits": 10, "check": "luhn"});
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings/waybill_format",
            Some(&app.admin),
            Some(mine.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .call(
            Method::GET,
            "/api/v1/settings/waybill_format",
            Some(&app.viewer),
            None,
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, mine));
}

fn assert_masked(what: &str, body: &Value) {
    let text = body.to_string();
    for full in [
        PHONE,
        EMAIL,
        SENDER_PHONE,
        RECIPIENT_PHONE,
        SENDER_STREET,
        RECIPIENT_STREET,
        PICKUP_PHONE,
        PICKUP_STREET,
        PICKUP_TO_STREET,
    ] {
        assert!(!text.contains(full), "{what} shows {full} in full: {text}");
    }
}

async fn get(app: &TestApp, role: &str, token: &str, path: String) -> Value {
    let (status, body) = app.call(Method::GET, &path, Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{role} {path}: {body}");
    assert_masked(&format!("{role} {path}"), &body);
    body
}

#[tokio::test]
async fn customer_and_shipment_answers_are_masked_for_every_role() {
    let app = spawn_app().await;
    let roles = Roles::of(&app).await;
    let (customer, no, pickup) = customer_and_shipment(&app).await;
    for role in ["admin", "supervisor", "agent", "readonly", "finance"] {
        let token = roles.token(role);
        let list = get(&app, role, token, "/api/v1/customers".into()).await;
        // The customer, next to the one the pickup's case was opened for (the sender's phone).
        let listed = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == customer.as_str())
            .unwrap_or_else(|| panic!("{list}"));
        assert_eq!(listed["phones"], json!([MASKED_PHONE]), "{list}");
        assert_eq!(listed["emails"], json!(["z***@example.com"]));
        // Searching by the full phone or e-mail still finds the customer; only the answer is
        // masked.
        let found = get(
            &app,
            role,
            token,
            format!("/api/v1/customers?phone={PHONE}"),
        )
        .await;
        assert_eq!(found["items"][0]["id"], customer.as_str(), "{found}");
        let found = get(
            &app,
            role,
            token,
            format!("/api/v1/customers?email={EMAIL}"),
        )
        .await;
        assert_eq!(found["items"][0]["id"], customer.as_str(), "{found}");
        let one = get(&app, role, token, format!("/api/v1/customers/{customer}")).await;
        assert_eq!(one["name"], "张三", "staff address the customer by name");
        assert_eq!(one["phones"], json!([MASKED_PHONE]));
        let shipment = get(&app, role, token, format!("/api/v1/shipments/{no}")).await;
        assert_eq!(
            (
                &shipment["sender"]["name"],
                &shipment["sender"]["phone"],
                &shipment["recipient"]["phone"],
                &shipment["recipient"]["region"],
            ),
            (
                &json!("张*"),
                &json!("138****8000"),
                &json!("139****9000"),
                &json!("北京市朝阳区")
            ),
            "{shipment}"
        );
        assert_eq!(shipment["waybill_no"], no.as_str());
        assert_eq!(shipment["item"], "衣服");
        let listed = get(&app, role, token, "/api/v1/pickups".into()).await;
        assert_eq!(listed["items"][0]["number"], pickup.as_str(), "{listed}");
        let one = get(&app, role, token, format!("/api/v1/pickups/{pickup}")).await;
        assert_eq!(
            (
                &one["sender"]["name"],
                &one["sender"]["phone"],
                &one["sender"]["region"],
                &one["recipient_region"]
            ),
            (
                &json!("王小明"),
                &json!("136****5678"),
                &json!("上海市浦东新区"),
                &json!("江苏省苏州市姑苏区")
            ),
            "{one}"
        );
    }
    // Search finds the parcel by its recipient's full phone; the hit shows no street.
    let path = format!("/api/v1/search?q={RECIPIENT_PHONE}&type=shipment");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let hits = loop {
        let (status, body) = app.call(Method::GET, &path, Some(&app.agent), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
        {
            break body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the parcel was never indexed: {body}"
        );
        // The indexer follows the outbox every 200 ms.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(hits["items"][0]["id"], no.as_str(), "{hits}");
    assert_masked("a shipment search hit", &hits);
    // The store still holds full values: the tracking query by the full phone finds the parcel.
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"phone": RECIPIENT_PHONE})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["matches"][0]["waybill_no"], no.as_str(), "{body}");
    assert_masked("tracking query", &body);
}

async fn audit(app: &TestApp, subject: &str) -> Vec<Value> {
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/audit?subject={subject}"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_reveal_writes_one_audit_entry_and_a_refused_one_none() {
    let app = spawn_app().await;
    let (customer, no, pickup) = customer_and_shipment(&app).await;
    let shipment_subject = format!("shipment:{no}");
    let customer_subject = format!("customer:{customer}");
    // Refused: the wrong role, no reason, a reason too long, an unknown parcel.
    let long = "为".repeat(201);
    for (token, path, body, want, code) in [
        (
            &app.viewer,
            format!("/api/v1/shipments/{no}/reveal"),
            json!({"reason": "看看"}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            &app.ops,
            format!("/api/v1/shipments/{no}/reveal"),
            json!({"reason": "看看"}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            &app.agent,
            format!("/api/v1/shipments/{no}/reveal"),
            json!({"reason": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            &app.agent,
            format!("/api/v1/shipments/{no}/reveal"),
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            &app.agent,
            format!("/api/v1/shipments/{no}/reveal"),
            json!({"reason": long}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            &app.agent,
            format!("/api/v1/shipments/{}/reveal", own_waybill(42)),
            json!({"reason": "回电"}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            &app.viewer,
            format!("/api/v1/customers/{customer}/reveal"),
            json!({"reason": "看看"}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            &app.agent,
            format!("/api/v1/customers/{customer}/reveal"),
            json!({"reason": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
    ] {
        let (status, answer) = app.call(Method::POST, &path, Some(token), Some(body)).await;
        assert_eq!(
            (status, error_code(&answer)),
            (want, code),
            "{path}: {answer}"
        );
        assert_masked(&path, &answer);
    }
    assert!(audit(&app, &shipment_subject).await.is_empty());
    assert!(audit(&app, &customer_subject).await.is_empty());

    // Allowed: the full values, and exactly one entry naming who and why.
    let (status, full) = app
        .call(
            Method::POST,
            &format!("/api/v1/shipments/{no}/reveal"),
            Some(&app.agent),
            Some(json!({"reason": "回电确认地址"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{full}");
    assert_eq!(full["sender"]["phone"], SENDER_PHONE);
    assert_eq!(full["recipient"]["phone"], RECIPIENT_PHONE);
    assert!(
        full["recipient"]["address"]
            .as_str()
            .unwrap()
            .contains(RECIPIENT_STREET),
        "{full}"
    );
    let entries = audit(&app, &shipment_subject).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        (
            &entries[0]["actor"],
            &entries[0]["action"],
            &entries[0]["reason"]
        ),
        (
            &json!("user:agent01"),
            &json!("reveal_contacts"),
            &json!("回电确认地址")
        )
    );

    let (status, full) = app
        .call(
            Method::POST,
            &format!("/api/v1/customers/{customer}/reveal"),
            Some(&app.agent),
            Some(json!({"reason": "客户要求回电"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{full}");
    assert_eq!(full["phones"], json!([PHONE]));
    assert_eq!(full["emails"], json!([EMAIL]));
    let entries = audit(&app, &customer_subject).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let (status, refused) = app
        .call(
            Method::POST,
            &format!("/api/v1/pickups/{pickup}/reveal"),
            Some(&app.viewer),
            Some(json!({"reason": "看看"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&refused)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    assert!(audit(&app, &format!("pickup:{pickup}")).await.is_empty());
    let (status, full) = app
        .call(
            Method::POST,
            &format!("/api/v1/pickups/{pickup}/reveal"),
            Some(&app.agent),
            Some(json!({"reason": "快递员找不到地址"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{full}");
    assert_eq!(full["sender"]["phone"], PICKUP_PHONE);
    assert!(
        full["sender"]["address"]
            .as_str()
            .unwrap()
            .contains(PICKUP_STREET),
        "{full}"
    );
    let pickup_entries = audit(&app, &format!("pickup:{pickup}")).await;
    assert_eq!(pickup_entries.len(), 1, "{pickup_entries:?}");
    assert_eq!(pickup_entries[0]["reason"], "快递员找不到地址");
    assert_eq!(
        (&entries[0]["actor"], &entries[0]["reason"]),
        (&json!("user:agent01"), &json!("客户要求回电"))
    );
    // The next look is masked again.
    let (_, again) = app
        .call(
            Method::GET,
            &format!("/api/v1/customers/{customer}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_masked("customer after a reveal", &again);
}
