//! The demo's SMS gateway: a stand-in on this machine that speaks kefu's SMS contract (the
//! `kefu-sms` crate documents it) and prints every message it is given to the terminal, so a
//! demo user sees the notices kefu sends — a receipt for a new phone case, a resolution, a
//! survey — without an SMS provider. It is added after the demo's history is played, so only
//! what happens while the demo runs is sent.

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use kefu_desk::Desk;
use kefu_model::channels::SmsAccountDraft;
use kefu_model::customer::Phone;
use kefu_model::error::{DomainError, StoreError};
use kefu_model::user::Actor;
use serde_json::Value;

/// The key the demo gateway takes (it listens on 127.0.0.1 only).
const DEMO_KEY: &str = "demo-sms-key";

async fn take(headers: HeaderMap, Json(body): Json<Value>) -> StatusCode {
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if key != format!("Bearer {DEMO_KEY}") {
        return StatusCode::UNAUTHORIZED;
    }
    let to = body["to"].as_str().unwrap_or_default();
    let shown = Phone::parse(to).map_or_else(|_| "***".to_string(), |p| p.masked());
    println!(
        "[演示短信网关] → {shown}：【{}】{}",
        body["sign_name"].as_str().unwrap_or_default(),
        body["text"].as_str().unwrap_or_default()
    );
    StatusCode::OK
}

/// Starts the stand-in on 127.0.0.1 and gives its endpoint.
pub async fn start() -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("demo SMS gateway: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("demo SMS gateway: {e}"))?;
    let app = axum::Router::new().route("/sms", post(take));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "the demo SMS gateway stopped");
        }
    });
    Ok(format!("http://{address}/sms"))
}

/// Connects the demo's SMS gateway at `endpoint`.
pub async fn seed(desk: &Desk, endpoint: &str) -> Result<(), DomainError> {
    let admin = desk
        .store()
        .user_by_username("admin")
        .await?
        .ok_or_else(|| DomainError::Store(StoreError::NotFound("admin".into())))?;
    desk.create_sms_account(
        &Actor::of(&admin),
        SmsAccountDraft {
            name: "演示短信网关（本机，打印到终端）".into(),
            enabled: true,
            endpoint: endpoint.to_string(),
            sign_name: "云路快递".into(),
            api_key: Some(DEMO_KEY.into()),
            version: None,
        },
    )
    .await?;
    Ok(())
}
