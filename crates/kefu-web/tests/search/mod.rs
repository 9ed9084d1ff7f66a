//! Search over HTTP: a change is found soon after it is made (the node's indexer follows the
//! store's outbox), Chinese words and synonyms, exact identifiers first, and nobody finds what
//! they may not see.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{TestApp, spawn_app};

/// Searches until `want` holds for the hits, for at most 5 s (the indexer runs every 200 ms).
async fn search_until(
    app: &TestApp,
    token: &str,
    query: &str,
    want: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/search?{query}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let items = body["items"].as_array().cloned().unwrap_or_default();
        if want(&items) {
            return items;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "search {query} never gave what was wanted: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn q(text: &str) -> String {
    format!(
        "q={}",
        form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    )
}

#[tokio::test]
async fn new_cases_and_customers_are_found_by_words_synonyms_and_identifiers() {
    let app = spawn_app().await;
    let (status, damaged) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(
                json!({"channel": "phone", "subject": "收到的箱子外包装破了",
                "description": "客户说里面的杯子可能也坏了",
                "customer": {"name": "欧阳娜娜", "phone": "13800138000"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{damaged}");
    let (_, other) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(json!({"channel": "phone", "subject": "想问一下发票怎么开",
                "customer": {"name": "李雷", "phone": "13900139000"}})),
        )
        .await;
    let damaged_id = damaged["id"].as_str().unwrap().to_string();
    // 破损 finds 外包装破了 (a synonym), and not the invoice question.
    let hits = search_until(&app, &app.agent, &q("破损"), |h| {
        h.iter().any(|x| x["id"] == damaged_id.as_str())
    })
    .await;
    assert!(hits.iter().all(|x| x["id"] != other["id"]), "{hits:?}");
    let hit = hits
        .iter()
        .find(|x| x["id"] == damaged_id.as_str())
        .unwrap();
    assert_eq!(hit["type"], "case");
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>"), "{hit}");
    // The phone, and its last four, find the customer first.
    let customer_id = damaged["customer_id"].as_str().unwrap().to_string();
    for query in ["q=13800138000", "q=8000"] {
        let hits = search_until(&app, &app.agent, query, |h| !h.is_empty()).await;
        assert_eq!(hits[0]["id"], customer_id.as_str(), "{query}: {hits:?}");
    }
    // The case number finds the case first; the type filter keeps to one kind.
    let number = damaged["number"].as_str().unwrap();
    let hits = search_until(&app, &app.agent, &format!("q={number}&type=case"), |h| {
        !h.is_empty()
    })
    .await;
    assert_eq!(hits[0]["id"], damaged_id.as_str());
    assert!(hits.iter().all(|x| x["type"] == "case"));
    // A later message is searchable too.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{damaged_id}/messages"),
            Some(&app.agent),
            Some(json!({"body": "已安排网点上门取回破损件，顺便核对玻璃杯数量"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    search_until(&app, &app.agent, &q("玻璃杯"), |h| {
        h.iter().any(|x| x["id"] == damaged_id.as_str())
    })
    .await;
}

#[tokio::test]
async fn department_staff_find_only_cases_transferred_to_them() {
    let app = spawn_app().await;
    let ops = app.department_id("ops").await;
    let mut ids = Vec::new();
    for subject in ["包裹丢了一直没收到", "包裹丢了还没找到"] {
        let (_, case) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&app.agent),
                Some(json!({"channel": "phone", "subject": subject, "customer": {"phone": "13700137000"}})),
            )
            .await;
        ids.push(case["id"].as_str().unwrap().to_string());
    }
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{}", ids[0]),
            Some(&app.agent),
            Some(json!({"department": ops})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The agent sees both; operations only the one transferred to it, and no customers.
    search_until(&app, &app.agent, &q("丢件"), |h| {
        ids.iter()
            .all(|id| h.iter().any(|x| x["id"] == id.as_str()))
    })
    .await;
    let hits = search_until(&app, &app.ops, &q("丢件"), |h| {
        h.iter().any(|x| x["id"] == ids[0].as_str())
    })
    .await;
    assert!(hits.iter().all(|x| x["id"] != ids[1].as_str()), "{hits:?}");
    let (_, by_phone) = app
        .call(
            Method::GET,
            "/api/v1/search?q=13700137000",
            Some(&app.ops),
            None,
        )
        .await;
    assert!(
        by_phone["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["type"] == "case"),
        "{by_phone}"
    );
}

#[tokio::test]
async fn bad_searches_get_clear_errors() {
    let app = spawn_app().await;
    for (query, field) in [("q=", "q"), ("q=%20%20", "q"), ("q=x&type=ticket", "type")] {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/search?{query}"),
                Some(&app.agent),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }
    let long = "破".repeat(300);
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/search?{}", q(&long)),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .call(Method::GET, "/api/v1/search?q=破损", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
