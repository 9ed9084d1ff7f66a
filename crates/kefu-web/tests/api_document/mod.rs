//! The API answers as its document says: a malformed path parameter and a plain HTTP request
//! to a WebSocket endpoint get the JSON error with a stable code (not the framework's plain
//! text), and what a stored calendar, policy or bot message looks like is what the document
//! describes. (`.ci/fuzz-api` runs a third-party fuzzer against the whole document.)

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::spawn_app;

#[tokio::test]
async fn malformed_path_parameters_and_plain_requests_to_websockets_get_json_errors() {
    let app = spawn_app().await;
    for (path, token, status, code) in [
        (
            "/api/v1/kb/articles/seed-damage-claim/versions/not-a-number",
            Some(app.agent.as_str()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "/api/v1/chat/cases/KF1/ws",
            Some(app.agent.as_str()),
            StatusCode::BAD_REQUEST,
            "websocket_required",
        ),
        (
            "/chat/ws",
            None,
            StatusCode::BAD_REQUEST,
            "websocket_required",
        ),
    ] {
        let mut req = app.http.get(format!("{}{path}", app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            content_type.starts_with("application/json"),
            "{path}: {content_type}"
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
    }
}

#[tokio::test]
async fn stored_calendars_policies_and_bot_messages_are_documented_as_they_are_answered() {
    let app = spawn_app().await;
    let (_, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    let schemas = &doc["components"]["schemas"];
    // What the API answers carries the key it is stored under; the document says so.
    let (_, calendars) = app
        .call(Method::GET, "/api/v1/calendars", Some(&app.agent), None)
        .await;
    assert!(calendars["items"][0]["key"].is_string(), "{calendars}");
    assert_eq!(schemas["Calendar"]["properties"]["key"]["type"], "string");
    assert_eq!(
        schemas["CalendarList"]["properties"]["items"]["items"]["$ref"],
        "#/components/schemas/Calendar"
    );
    let (_, policies) = app
        .call(Method::GET, "/api/v1/sla-policies", Some(&app.agent), None)
        .await;
    assert!(policies["items"][0]["key"].is_string(), "{policies}");
    let view = &schemas["SlaPolicyView"];
    assert_eq!(view["properties"]["key"]["type"], "string");
    assert_eq!(view["additionalProperties"], false);
    for field in policies["items"][0].as_object().unwrap().keys() {
        assert!(
            view["properties"].get(field).is_some(),
            "SlaPolicyView lacks {field}"
        );
    }
    // The bot writes messages too.
    let kinds = &schemas["Message"]["properties"]["author_kind"]["enum"];
    assert!(
        kinds.as_array().unwrap().iter().any(|k| k == "bot"),
        "{kinds}"
    );
    // A version in a path is a number.
    let version = doc["paths"]["/api/v1/kb/articles/{id}/versions/{version}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "version")
        .cloned()
        .unwrap();
    assert_eq!(version["schema"]["type"], "integer");
}
