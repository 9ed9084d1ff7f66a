//! Bad input: a JSON error with a stable code and the right status, and nothing written.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{error_code, new_case, spawn_app};

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
