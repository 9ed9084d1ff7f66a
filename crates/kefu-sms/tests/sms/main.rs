//! The client against a stand-in gateway on 127.0.0.1 that speaks the contract.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use kefu_sms::{SmsClient, SmsError, SmsMessage};
use serde_json::{Value, json};

#[derive(Clone, Default)]
struct Gateway {
    seen: Arc<Mutex<Vec<(String, Value)>>>,
}

/// Answers by the number: 13800000429 is "busy", 13800000400 "no such number", others taken.
async fn take(
    State(gateway): State<Gateway>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if auth != "Bearer right-key" {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "bad key"})));
    }
    let to = body["to"].as_str().unwrap_or_default().to_string();
    gateway.seen.lock().unwrap().push((auth, body));
    match to.as_str() {
        "13800000429" => (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({"error": "busy"})),
        ),
        "13800000400" => (StatusCode::BAD_REQUEST, Json(json!({"error": "号码无效"}))),
        _ => (StatusCode::OK, Json(json!({"ok": true}))),
    }
}

async fn stand_in() -> (String, Gateway) {
    let gateway = Gateway::default();
    let app = Router::new()
        .route("/sms", post(take))
        .with_state(gateway.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/sms"), gateway)
}

fn message(to: &str) -> SmsMessage {
    SmsMessage {
        id: "d-1".into(),
        to: to.into(),
        sign_name: "云路快递".into(),
        text: "您的问题已受理，工单号KF20261207-0001。".into(),
    }
}

#[tokio::test]
async fn a_message_reaches_the_gateway_with_its_key_and_fields() {
    let (url, gateway) = stand_in().await;
    let client = SmsClient::new(&url, "right-key").unwrap();
    client.send(&message("13800138000")).await.unwrap();
    let seen = gateway.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].1,
        json!({"id": "d-1", "to": "13800138000", "sign_name": "云路快递",
               "text": "您的问题已受理，工单号KF20261207-0001。"})
    );
}

#[tokio::test]
async fn refusals_are_temporary_or_permanent_as_the_contract_says() {
    let (url, _) = stand_in().await;
    let client = SmsClient::new(&url, "right-key").unwrap();
    let busy = client.send(&message("13800000429")).await.unwrap_err();
    assert!(busy.is_temporary(), "{busy}");
    let bad = client.send(&message("13800000400")).await.unwrap_err();
    assert_eq!(
        bad,
        SmsError::Refused {
            status: 400,
            message: "号码无效".into()
        }
    );
    assert!(!bad.is_temporary());
    let wrong_key = SmsClient::new(&url, "wrong").unwrap();
    let refused = wrong_key.send(&message("13800138000")).await.unwrap_err();
    assert!(!refused.is_temporary(), "{refused}");
}

#[tokio::test]
async fn an_unreachable_gateway_is_temporary() {
    // A port nothing listens on: bind, learn it, let it go.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = SmsClient::new(&format!("http://127.0.0.1:{port}/sms"), "k").unwrap();
    let err = client.send(&message("13800138000")).await.unwrap_err();
    assert!(
        matches!(err, SmsError::Transport(_)) && err.is_temporary(),
        "{err}"
    );
}
