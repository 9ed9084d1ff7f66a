//! Who may do what: each role's view of cases, and the matrix of every endpoint × every role.

mod matrix;

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{error_code, new_case, spawn_app};

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
