//! Nothing is silently changed, over HTTP: a shipment's changed details and every change of a
//! setting, SLA policy or calendar are kept and shown to the roles that may see them, masked
//! where they carry personal data; a refused write records nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{PASSWORD, TestApp, error_code, own_waybill, shipment, spawn_app};

async fn history(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    app.call(Method::GET, path, Some(token), None).await
}

fn items(body: &Value) -> &Vec<Value> {
    body["items"].as_array().unwrap()
}

#[tokio::test]
async fn shipment_changes_are_kept_masked_for_staff() {
    let app = spawn_app().await;
    let no = own_waybill(4242);
    let path = format!("/api/v1/shipments/{no}/history");
    let post = |body: Value| {
        app.call(
            Method::POST,
            "/api/v1/shipments",
            Some(&app.admin),
            Some(body),
        )
    };
    let (status, body) = post(shipment(&no)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = post(shipment(&no)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = history(&app, &app.agent, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(items(&body).is_empty(), "the same details again: {body}");

    // A refused upsert (a bad phone) changes and records nothing.
    let mut bad = shipment(&no);
    bad["recipient"]["phone"] = json!("12345");
    let (status, body) = post(bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, body) = history(&app, &app.agent, &path).await;
    assert!(items(&body).is_empty(), "{body}");

    // The recipient changes: name, phone and address.
    let mut moved = shipment(&no);
    moved["recipient"] =
        json!({"name": "王小明", "phone": "13712345678", "address": "上海市浦东新区世纪大道100号"});
    let (status, _) = post(moved.clone()).await;
    assert_eq!(status, StatusCode::OK);
    // Then the sender's phone.
    moved["sender"]["phone"] = json!("13611112222");
    let (status, _) = post(moved).await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = history(&app, &app.agent, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list = items(&body);
    assert_eq!(list.len(), 2, "{body}");
    assert!(
        list[0]["version"].as_i64() > list[1]["version"].as_i64(),
        "newest first: {body}"
    );
    assert_eq!(list[0]["actor"], "user:admin");
    assert_eq!(
        list[0]["fields"],
        json!([{"field": "sender.phone", "old": "138****8000", "new": "136****2222"}])
    );
    assert_eq!(
        list[1]["fields"],
        json!([
            {"field": "recipient.name", "old": "李*", "new": "王**"},
            {"field": "recipient.phone", "old": "139****9000", "new": "137****5678"},
            {"field": "recipient.address", "old": "北京市朝阳区", "new": "上海市浦东新区"},
        ])
    );
    let text = body.to_string();
    for secret in ["13712345678", "13611112222", "王小明", "世纪大道", "建国路"] {
        assert!(!text.contains(secret), "{secret} shown in full: {text}");
    }
    let (status, limited) = history(&app, &app.viewer, &format!("{path}?limit=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(items(&limited).len(), 1);
    assert_eq!(items(&limited)[0], list[0]);

    // Department users do not see shipments; an unknown waybill is 404; a stray parameter 422.
    let (status, body) = history(&app, &app.ops, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = history(
        &app,
        &app.agent,
        &format!("/api/v1/shipments/{}/history", own_waybill(4243)),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = history(&app, &app.agent, &format!("{path}?colour=red")).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field")
    );
    let (status, _) = app.call(Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The shipment itself reads as before: the history is not part of it.
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/shipments/{no}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("history").is_none(), "{body}");
}

#[tokio::test]
async fn config_changes_are_kept_for_admins_and_supervisors() {
    let app = spawn_app().await;
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin),
            Some(json!({"username": "sup01", "password": PASSWORD, "role": "supervisor", "department": "service"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let supervisor = app.login("sup01").await;
    let path = "/api/v1/config-history";

    // A setting changed by the admin; the same document again, a refused and an invalid one.
    let (_, tracking) = app
        .call(
            Method::GET,
            "/api/v1/settings/tracking",
            Some(&app.admin),
            None,
        )
        .await;
    let mut changed = tracking.clone();
    changed["no_result_after_hours"] = json!(36);
    let put_setting = |token: &str, body: Value| {
        let token = token.to_string();
        let app = &app;
        async move {
            app.call(
                Method::PUT,
                "/api/v1/settings/tracking",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let (status, body) = put_setting(&app.admin, changed.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = put_setting(&app.admin, changed.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = put_setting(&app.agent, tracking.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut bad = changed.clone();
    bad["expire_after_days"] = json!(0);
    let (status, body) = put_setting(&app.admin, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = history(&app, &app.admin, path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(items(&body).len(), 1, "only the one real change: {body}");

    // A calendar edited by the supervisor, a refused invalid one.
    let (_, mut office) = app
        .call(
            Method::GET,
            "/api/v1/calendars/cn-office",
            Some(&app.admin),
            None,
        )
        .await;
    // The document as stored and as PUT takes it: without the key the GET adds.
    office.as_object_mut().unwrap().remove("key");
    let office_before = office.clone();
    office["holidays"]
        .as_array_mut()
        .unwrap()
        .push(json!("2026-12-24"));
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/calendars/cn-office",
            Some(&supervisor),
            Some(office.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut broken = office.clone();
    broken["holidays"] = json!(["not a date"]);
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/calendars/cn-office",
            Some(&supervisor),
            Some(broken),
        )
        .await;
    assert!(status.is_client_error(), "{status}");

    // A new SLA policy by the admin.
    let mine = json!({"name": "破损优先", "order": 10, "match": {"category": ["damaged"]}, "calendar": "24x7",
        "targets": {"first_response_minutes": 5, "resolution_working_days": 1}, "pause_in": ["pending_customer"]});
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/sla-policies/damage",
            Some(&app.admin),
            Some(mine),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = history(&app, &supervisor, path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list = items(&body);
    let summary: Vec<(&str, &str, &str)> = list
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap(),
                c["key"].as_str().unwrap(),
                c["actor"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("sla_policy", "damage", "user:admin"),
            ("calendar", "cn-office", "user:sup01"),
            ("setting", "tracking", "user:admin"),
        ],
        "newest first: {body}"
    );
    assert_eq!(list[0]["old"], Value::Null, "a new policy has no before");
    assert_eq!(list[0]["new"]["name"], "破损优先");
    assert_eq!(list[1]["old"], office_before);
    assert_eq!(list[1]["new"]["holidays"], office["holidays"]);
    assert_eq!(list[2]["old"], Value::Null);
    assert_eq!(list[2]["new"]["no_result_after_hours"], 36);
    assert!(list[0]["seq"].as_i64() > list[1]["seq"].as_i64());

    // Filters and limit.
    let (_, body) = history(&app, &app.admin, &format!("{path}?kind=calendar")).await;
    assert_eq!(items(&body).len(), 1);
    assert_eq!(items(&body)[0]["key"], "cn-office");
    let (_, body) = history(
        &app,
        &app.admin,
        &format!("{path}?kind=setting&key=tracking"),
    )
    .await;
    assert_eq!(items(&body).len(), 1);
    let (_, body) = history(&app, &app.admin, &format!("{path}?key=nothing")).await;
    assert!(items(&body).is_empty());
    let (_, body) = history(&app, &app.admin, &format!("{path}?limit=2")).await;
    assert_eq!(items(&body).len(), 2);
    assert_eq!(items(&body)[0]["kind"], "sla_policy");
    let (status, body) = history(&app, &app.admin, &format!("{path}?kind=colour")).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        "{body}"
    );

    // Everyone else: 403.
    for token in [&app.agent, &app.ops, &app.viewer] {
        let (status, body) = history(&app, token, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
}
