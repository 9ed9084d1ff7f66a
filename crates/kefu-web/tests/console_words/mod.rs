//! The console speaks the viewer's language: no raw codes of the domain (`claim opened`,
//! `lost · opened`) on a zh-CN page, and the English words on an English one.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{TestApp, spawn_app};

async fn page(app: &TestApp, token: &str, lang: &str, path: &str) -> String {
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = http
        .get(format!("{}{path}", app.base))
        .header("cookie", format!("kefu_session={token}; kefu_lang={lang}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

#[tokio::test]
async fn a_claim_and_its_events_read_in_the_viewers_language() {
    let app = spawn_app().await;
    let case = app
        .create_case(
            json!({"channel": "phone", "subject": "包裹丢了", "category": "lost",
            "customer": {"phone": "13800138077"}}),
        )
        .await;
    let id = case["id"].as_str().unwrap();
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/claims"),
            Some(&app.agent),
            Some(json!({"kind": "lost", "claimed_amount": 280, "freight": 12, "waybill_no": super::own_waybill(91)})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let zh = page(&app, &app.agent, "zh", &format!("/cases/{id}")).await;
    for raw in [
        "claim opened",
        "lost · opened",
        ">lost<",
        ">opened<",
        "sla started",
    ] {
        assert!(!zh.contains(raw), "raw code {raw:?} on the zh-CN page");
    }
    assert!(zh.contains("理赔受理"), "the timeline names the claim");
    assert!(
        zh.contains("丢件") && zh.contains("已受理"),
        "the claim's kind and state"
    );

    let en = page(&app, &app.agent, "en", &format!("/cases/{id}")).await;
    assert!(en.contains("Claim opened"), "the English timeline");
    assert!(en.contains("Lost parcel"), "the English claim kind");
}
