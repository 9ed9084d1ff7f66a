//! The server itself: health, metrics, the OpenAPI document against the router, and signing in
//! and out.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{error_code, spawn_app};

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
