//! The knowledge base over HTTP: versions and their history, reviews, who may change what,
//! the public help centre (public articles only), feedback, and the gaps report.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{TestApp, spawn_app};

fn draft(title: &str, body: &str) -> Value {
    json!({
        "category": "sending",
        "audience": "public",
        "tags": ["包装"],
        "intents": ["pickup"],
        "zh": {"title": title, "body": body},
        "en": {"title": "Packing fragile items", "body": "Wrap each piece."},
    })
}

fn enc(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Polls until `want` holds, for at most 5 s (the indexer follows the outbox every 200 ms).
async fn until(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    want: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = app.call(Method::GET, path, token, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        if want(&body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} never gave what was wanted: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_save_is_a_version_and_any_version_can_be_restored() {
    let app = spawn_app().await;
    let (status, created) = app
        .call(
            Method::POST,
            "/api/v1/kb/articles",
            Some(&app.agent),
            Some(draft("易碎品怎么包装", "每件单独用气泡膜包好。")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["version"], 1);
    let id = created["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/kb/articles/{id}");
    // Version 2 by its owner.
    let mut second = draft(
        "易碎品怎么包装",
        "每件单独用气泡膜包好，箱内空隙用填充物塞满。",
    );
    second["base_version"] = json!(1);
    second["change_note"] = json!("补充填充物");
    let (status, v2) = app
        .call(Method::PUT, &path, Some(&app.agent), Some(second.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{v2}");
    assert_eq!(v2["version"], 2);
    // A save from version 1 again would undo version 2: refused, nothing written.
    let (status, body) = app
        .call(Method::PUT, &path, Some(&app.admin), Some(second))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "version_conflict");
    // Bad input: a clear error naming the field, nothing written.
    let mut bad = draft("t", "b");
    bad["base_version"] = json!(2);
    bad["category"] = json!("nope");
    let (status, body) = app
        .call(Method::PUT, &path, Some(&app.agent), Some(bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "category", "{body}");
    // Nobody but the owner, supervisors and admins changes it; readers do not write.
    let mut other = draft("x", "y");
    other["base_version"] = json!(2);
    for token in [&app.viewer, &app.ops] {
        let (status, body) = app
            .call(Method::PUT, &path, Some(token), Some(other.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/kb/articles",
            Some(&app.viewer),
            Some(draft("x", "y")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The history holds both versions, each whole.
    let (_, history) = app
        .call(
            Method::GET,
            &format!("{path}/versions"),
            Some(&app.agent),
            None,
        )
        .await;
    let versions: Vec<i64> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [2, 1]);
    assert_eq!(history["items"][0]["change_note"], "补充填充物");
    let (_, first) = app
        .call(
            Method::GET,
            &format!("{path}/versions/1"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(first["zh"]["body"], "每件单独用气泡膜包好。");
    // Restoring version 1 makes version 3 with version 1's text.
    let (status, v3) = app
        .call(
            Method::POST,
            &format!("{path}/versions/1/restore"),
            Some(&app.agent),
            Some(json!({"base_version": 2})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v3}");
    assert_eq!(v3["version"], 3);
    assert_eq!(v3["zh"]["body"], "每件单独用气泡膜包好。");
    let (_, now) = app.call(Method::GET, &path, Some(&app.agent), None).await;
    assert_eq!(now["version"], 3);
    // Archived: not listed, not public, still in its history.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("{path}/archive"),
            Some(&app.agent),
            Some(json!({"archived": true, "base_version": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app
        .call(Method::GET, "/api/v1/kb/articles", Some(&app.agent), None)
        .await;
    assert!(!ids(&list).contains(&id));
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/help/articles/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, history) = app
        .call(
            Method::GET,
            &format!("{path}/versions"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(history["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn overdue_reviews_are_listed_until_someone_reviews_them() {
    let app = spawn_app().await;
    let mut late = draft("旧的包装说明", "去年写的。");
    late["review_by"] = json!("2020-01-01");
    let (_, created) = app
        .call(
            Method::POST,
            "/api/v1/kb/articles",
            Some(&app.agent),
            Some(late),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    let (_, overdue) = app
        .call(
            Method::GET,
            "/api/v1/kb/reviews/overdue",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(
        ids(&overdue),
        std::slice::from_ref(&id),
        "the shipped articles are not due yet"
    );
    let (_, filtered) = app
        .call(
            Method::GET,
            "/api/v1/kb/articles?overdue=true",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(ids(&filtered), std::slice::from_ref(&id));
    // A next review in the past is refused.
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/kb/articles/{id}/review"),
            Some(&app.agent),
            Some(json!({"base_version": 1, "review_by": "2021-01-01"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, reviewed) = app
        .call(
            Method::POST,
            &format!("/api/v1/kb/articles/{id}/review"),
            Some(&app.agent),
            Some(json!({"base_version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    assert_eq!(reviewed["version"], 2);
    let (_, overdue) = app
        .call(
            Method::GET,
            "/api/v1/kb/reviews/overdue",
            Some(&app.agent),
            None,
        )
        .await;
    assert!(ids(&overdue).is_empty());
}

#[tokio::test]
async fn the_help_centre_shows_public_articles_only_and_takes_feedback() {
    let app = spawn_app().await;
    let (_, public) = app
        .call(Method::GET, "/api/v1/help/articles", None, None)
        .await;
    let public = ids(&public);
    assert!(
        public.contains(&"seed-damage-claim".to_string()),
        "{public:?}"
    );
    assert!(
        !public.iter().any(|id| id.starts_with("seed-internal")),
        "{public:?}"
    );
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/help/articles/seed-internal-damage-claim",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Staff read internal articles.
    let (status, internal) = app
        .call(
            Method::GET,
            "/api/v1/kb/articles/seed-internal-damage-claim",
            Some(&app.ops),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(internal["audience"], "internal");
    // 破损 finds the damage-claim article; the public never finds the internal one.
    let found = until(
        &app,
        None,
        &format!("/api/v1/help/search?q={}", enc("快递破损了怎么赔")),
        |b| b["items"].as_array().is_some_and(|i| !i.is_empty()),
    )
    .await;
    assert_eq!(found["items"][0]["id"], "seed-damage-claim", "{found}");
    assert!(!ids(&found).iter().any(|id| id.starts_with("seed-internal")));
    let staff = until(
        &app,
        Some(&app.agent),
        &format!("/api/v1/kb/search?q={}", enc("破损件处理规范")),
        |b| b["items"].as_array().is_some_and(|i| !i.is_empty()),
    )
    .await;
    assert!(
        ids(&staff).contains(&"seed-internal-damage-claim".to_string()),
        "{staff}"
    );
    // Feedback: counted, and shown to staff with its comment.
    for (helpful, comment) in [(true, None), (true, None), (false, Some("没说要多久"))] {
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/help/articles/seed-damage-claim/feedback",
                None,
                Some(json!({"helpful": helpful, "comment": comment})),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let (_, article) = app
        .call(
            Method::GET,
            "/api/v1/kb/articles/seed-damage-claim",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(article["feedback"], json!({"helpful": 2, "not_helpful": 1}));
    let (_, votes) = app
        .call(
            Method::GET,
            "/api/v1/kb/articles/seed-damage-claim/feedback",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(votes["items"][0]["comment"], "没说要多久");
    // Not on an internal article, and not with a bad body.
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/help/articles/seed-internal-damage-claim/feedback",
            None,
            Some(json!({"helpful": true})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/help/articles/seed-damage-claim/feedback",
            None,
            Some(json!({"helpful": "yes"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn questions_that_find_nothing_make_the_gaps_report() {
    let app = spawn_app().await;
    // Wait for the shipped articles to be indexed, then ask what no article answers.
    until(
        &app,
        None,
        &format!("/api/v1/help/search?q={}", enc("破损")),
        |b| b["items"].as_array().is_some_and(|i| !i.is_empty()),
    )
    .await;
    for q in ["你们招聘快递员吗", "你们招聘快递员吗？", "无人机航拍服务"] {
        let (_, found) = app
            .call(
                Method::GET,
                &format!("/api/v1/help/search?q={}", enc(q)),
                None,
                None,
            )
            .await;
        assert!(ids(&found).is_empty(), "{q}: {found}");
    }
    let (status, report) = app
        .call(
            Method::GET,
            "/api/v1/kb/gaps?days=7",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{report}");
    assert_eq!(items[0]["question"], "你们招聘快递员吗？");
    assert_eq!(items[0]["count"], 2);
    assert_eq!(items[0]["sources"], json!(["portal"]));
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/kb/gaps?days=0",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .call(Method::GET, "/api/v1/kb/gaps", Some(&app.viewer), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
