//! Canned replies and macros over the JSON API: listing, editing, rendering into a case.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{error_code, spawn_app};

#[tokio::test]
async fn canned_replies_and_macros_over_http() {
    let app = spawn_app().await;
    let list = |token: String, query: &'static str| {
        let app = &app;
        async move {
            app.call(
                Method::GET,
                &format!("/api/v1/canned{query}"),
                Some(&token),
                None,
            )
            .await
        }
    };
    let (status, all) = list(app.agent.clone(), "").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let count = all["items"].as_array().unwrap().len();
    assert!(count >= 12, "{count}");
    let (status, found) = list(app.agent.clone(), "?q=%E7%A0%B4%E6%8D%9F&kind=macro").await;
    assert_eq!(status, StatusCode::OK);
    let titles: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["破损登记"]);

    // Bad input: 422 naming the field, and nothing is written.
    let post = |token: &String, body: Value| {
        let token = token.clone();
        let app = &app;
        async move {
            app.call(Method::POST, "/api/v1/canned", Some(&token), Some(body))
                .await
        }
    };
    let (status, body) = post(
        &app.agent,
        json!({"title": "坏", "body": "您好 {{custmer_name}}"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "invalid_field");
    assert_eq!(body["error"]["field"], "body");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("custmer_name")
    );
    let (status, body) = post(
        &app.agent,
        json!({"title": "长".repeat(101), "body": "好的"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "title");
    let (status, body) = post(
        &app.agent,
        json!({"title": "长正文", "body": "好".repeat(4001)}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "body");
    let (status, body) = post(
        &app.agent,
        json!({"title": "代表全组", "body": "好的", "scope": "team"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_code(&body), "forbidden");
    let (status, body) = list(app.agent.clone(), "?q=%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "q");
    let (_, again) = list(app.agent.clone(), "").await;
    assert_eq!(again["items"].as_array().unwrap().len(), count);

    // A personal template is its owner's: anyone else gets 404 whatever they try.
    let (status, mine) = post(
        &app.agent,
        json!({"title": "我的问候", "body": "{{customer_name}}您好，我是{{agent_name}}。", "tags": ["个人"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{mine}");
    let id = mine["id"].as_str().unwrap().to_string();
    for token in [&app.admin, &app.ops] {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/canned/{id}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, _) = app
            .call(
                Method::PUT,
                &format!("/api/v1/canned/{id}"),
                Some(token),
                Some(json!({"title": "改", "body": "改"})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/canned/{id}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, edited) = app
        .call(
            Method::PUT,
            &format!("/api/v1/canned/{id}"),
            Some(&app.agent),
            Some(json!({"title": "我的问候", "body": "{{customer_name}}您好！"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["body"], "{{customer_name}}您好！");

    // Render for a case: filled in, with placeholders for what the case lacks.
    let (status, case) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(json!({"channel": "phone", "subject": "咨询寄件", "customer": {"name": "钱多多", "phone": "13811112222"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let number = case["number"].as_str().unwrap().to_string();
    let (status, rendered) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/canned/seed-delay-apology/render"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rendered}");
    let text = rendered["text"].as_str().unwrap();
    assert!(text.starts_with("钱多多您好"), "{text}");
    assert!(
        text.contains("（暂无运单）") && text.contains(&number),
        "{text}"
    );
    assert_eq!(
        rendered["missing"],
        json!(["waybill", "latest_status", "reply_by"])
    );
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/canned/{id}/render"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/canned/no-such-template/render"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A macro: reply and fields together; refused for a reader, and a reply is no macro.
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/macros/seed-macro-damage"),
            Some(&app.viewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/macros/seed-greeting"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "macro");
    let (_, before) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(before["version"], case["version"], "refusals wrote nothing");
    let (status, applied) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/macros/seed-macro-damage"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["case"]["category"], "damaged");
    assert_eq!(applied["case"]["priority"], "P2");
    assert_eq!(applied["case"]["status"], "open");
    assert!(
        applied["case"]["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("破损登记"))
    );
    assert_eq!(applied["events"][0], "message_added");
    let (_, messages) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}/messages"),
            Some(&app.agent),
            None,
        )
        .await;
    assert!(
        messages["items"][0]["body"]
            .as_str()
            .unwrap()
            .starts_with("钱多多您好")
    );
    // Archived: no longer offered.
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/canned/{id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, after) = list(app.agent.clone(), "?scope=personal").await;
    assert_eq!(after["items"], json!([]));
}
