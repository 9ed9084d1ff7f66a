//! A case's life over HTTP, idempotent creation, and cursor pages.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{error_code, new_case, spawn_app};

#[tokio::test]
async fn a_case_from_creation_to_reopening() {
    let app = spawn_app().await;
    let case = app.create_case(new_case("13800138000")).await;
    for field in [
        "id",
        "number",
        "status",
        "channel",
        "category",
        "priority",
        "customer_id",
        "received_at",
        "created_at",
    ] {
        assert!(!case[field].is_null(), "{field} missing in {case}");
    }
    assert_eq!(case["status"], "new");
    assert_eq!(case["category"], "delay", "the classifier read the text");
    assert_eq!(case["priority"], "P3");
    let id = case["id"].as_str().unwrap();
    let number = case["number"].as_str().unwrap();
    assert!(number.starts_with("KF"));

    let (_, by_number) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(by_number["id"], id);
    // The same phone on another channel joins the same customer.
    let second = app.create_case(json!({"channel": "wechat", "subject": "我要投诉快递员", "customer": {"phone": "138-0013-8000"}})).await;
    assert_eq!(second["customer_id"], case["customer_id"]);
    assert_eq!(
        (second["category"].as_str(), second["priority"].as_str()),
        (Some("complaint"), Some("P2"))
    );
    let (_, page) = app
        .call(
            Method::GET,
            "/api/v1/cases?phone=13800138000",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let (_, customer) = app
        .call(
            Method::GET,
            &format!(
                "/api/v1/customers/{}",
                case["customer_id"].as_str().unwrap()
            ),
            Some(&app.agent),
            None,
        )
        .await;
    // Answers show the phone masked; the full number comes through the audited reveal.
    assert_eq!(customer["phones"], json!(["138****8000"]));
    let (status, customer) = app
        .call(
            Method::POST,
            &format!(
                "/api/v1/customers/{}/reveal",
                case["customer_id"].as_str().unwrap()
            ),
            Some(&app.agent),
            Some(json!({"reason": "回电"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{customer}");
    assert_eq!(customer["phones"], json!(["13800138000"]));
    let (_, found) = app
        .call(
            Method::GET,
            "/api/v1/customers?phone=13800138000",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(found["items"][0]["id"], case["customer_id"]);

    let (status, msg) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/messages"),
            Some(&app.agent),
            Some(json!({"body": "您好，已为您催促网点派送。"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{msg}");
    assert_eq!(msg["visibility"], "public");
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/messages"),
            Some(&app.agent),
            Some(json!({"body": "内部：网点电话无人接", "visibility": "internal"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, patched) = app
        .call(Method::PATCH, &format!("/api/v1/cases/{id}"), Some(&app.agent),
              Some(json!({"department": "ops", "status": "pending_department", "assignee": "agent01", "priority": "P2"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["status"], "pending_department");
    assert!(patched["first_response_at"].is_string());
    // Impossible transition: 409 and nothing appended.
    let (_, before) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            Some(json!({"status": "closed"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    let (_, after) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(before, after);
    for s in ["resolved", "closed"] {
        let (status, body) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/cases/{id}"),
                Some(&app.agent),
                Some(json!({"status": s})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/messages"),
            Some(&app.agent),
            Some(json!({"body": "x"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "case_closed")
    );
    let (status, reopened) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            Some(json!({"status": "open", "reason": "客户称仍未收到"})),
        )
        .await;
    assert_eq!(
        (status, reopened["status"].as_str()),
        (StatusCode::OK, Some("open"))
    );

    let (_, events) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    let items = events["items"].as_array().unwrap();
    let types: Vec<&str> = items
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .filter(|t| !t.starts_with("sla_"))
        .collect();
    assert_eq!(
        types,
        [
            "created",
            "message_added",
            "status_changed",
            "message_added",
            "priority_changed",
            "assigned",
            "transferred",
            "status_changed",
            "status_changed",
            // The resolution opened the satisfaction survey.
            "survey_opened",
            "status_changed",
            "reopened"
        ]
    );
    assert_eq!(
        items[0]["at"], case["created_at"],
        "the projection and the event log agree on time"
    );
    for (i, e) in items.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1);
        let by_clock = e["type"].as_str().unwrap().starts_with("sla_");
        let by_survey = e["type"] == "survey_opened";
        assert_eq!(
            e["actor"],
            if by_clock {
                "system:sla"
            } else if by_survey {
                "system:survey"
            } else {
                "user:agent01"
            }
        );
        assert!(e["at"].is_string());
    }
    // The phone policy's clocks: first response met by the reply, resolution met, then a new
    // resolution clock started by the reopening.
    let clocks: Vec<(&str, &str)> = items
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("sla_"))
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["data"]["clock"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        clocks,
        [
            ("sla_started", "first_response"),
            ("sla_started", "resolution"),
            ("sla_met", "first_response"),
            ("sla_met", "resolution"),
            ("sla_started", "resolution")
        ]
    );
    let (_, now) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            None,
        )
        .await;
    let resolution = now["sla"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "resolution")
        .unwrap();
    assert_eq!(resolution["state"], "running");
    let left = resolution["remaining_secs"].as_i64().unwrap();
    assert!(
        (86_000..=86_400).contains(&left),
        "about 24 h of the 24x7 calendar left: {left}"
    );
    let (_, messages) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/messages"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(messages["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn idempotency_key_returns_the_first_result() {
    let app = spawn_app().await;
    let send = |body: Value| {
        app.http
            .post(format!("{}/api/v1/cases", app.base))
            .bearer_auth(&app.agent)
            .header("Idempotency-Key", "order-42")
            .json(&body)
            .send()
    };
    let first = send(new_case("13900000001")).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send(new_case("13900000001")).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(first, again);
    let different = send(new_case("13900000002")).await.unwrap();
    assert_eq!(different.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count_cases().await, 1);
}

#[tokio::test]
async fn cursor_pages_are_stable_under_inserts() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            app.create_case(new_case(&format!("1370000000{i}"))).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let (_, first) = app
        .call(Method::GET, "/api/v1/cases?limit=2", Some(&app.agent), None)
        .await;
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    app.create_case(new_case("13700000009")).await;
    let (_, second) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases?limit=2&cursor={cursor}"),
            Some(&app.agent),
            None,
        )
        .await;
    let got: Vec<&str> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[2].as_str(), ids[1].as_str()]);
    let (_, filtered) = app
        .call(
            Method::GET,
            "/api/v1/cases?category=delay&status=new&priority=P3",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(filtered["items"].as_array().unwrap().len(), 6);
}
