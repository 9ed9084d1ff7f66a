//! The quality pages as a browser without scripts uses them: the inspector's queue and the
//! scoring form beside the case's messages, a comment on a message, the agent's "my quality
//! scores" with the appeal, the rubric editor refusing weights that do not sum to 100, the
//! figures; the nav link only for those the desk lets in.

use reqwest::StatusCode;
use serde_json::json;

use super::{resolved, today};
use crate::console::Console;
use crate::spawn_app;
use kefu_model::Role;

#[tokio::test]
async fn quality_pages_score_appeal_and_edit() {
    let app = spawn_app().await;
    let (case, message) = resolved(&app, "13800138011", "complaint").await;
    app.as_role(Role::Admin)
        .put(
            "/api/v1/quality/settings",
            json!({"random_percent": 0, "complaints": true, "poor_ratings": true, "pass_score": 80}),
        )
        .await
        .expect(200);

    // The supervisor draws from the queue page.
    let boss = app.token_of(Role::Supervisor).await;
    let c = Console::open(&app, &boss, "zh-CN", "/console/quality").await;
    assert!(c.get("/console/quality").await.html.contains("抽检"));
    let (from, to) = today(&app);
    let drawn = c
        .post("/console/quality/draw", &[("from", &from), ("to", &to)])
        .await;
    assert_eq!(drawn.status, StatusCode::SEE_OTHER, "{}", drawn.html);
    let queue = app
        .as_role(Role::Admin)
        .get("/api/v1/quality/inspections?queue=pending")
        .await
        .expect(200);
    let id = queue["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(queue["items"][0]["case_id"], json!(case));

    // The inspector sees the nav link, the queue and the form with the case's message.
    let qa = app.token_of(Role::Inspector).await;
    let c = Console::open(&app, &qa, "zh-CN", "/console/quality").await;
    let page = c.get("/console/quality").await;
    assert!(page.html.contains("class=\"quality-link\""));
    assert!(page.html.contains(&format!("/console/quality/{id}")));
    let form = c.get(&format!("/console/quality/{id}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.html.contains("您好，包裹已在派送途中。"),
        "{}",
        form.html
    );
    assert!(form.html.contains(&format!("name=\"comment.{message}\"")));
    assert!(form.html.contains("开场/结束语规范"));
    let comment_field = format!("comment.{message}");
    let scored = c
        .post(
            &format!("/console/quality/{id}/score"),
            &[
                ("score.greeting", "5"),
                ("score.accuracy", "4"),
                ("score.empathy", "4"),
                ("score.resolution", "5"),
                ("score.compliance", "1"),
                (&comment_field, "答复清楚"),
                ("summary", "良好"),
            ],
        )
        .await;
    assert_eq!(scored.status, StatusCode::SEE_OTHER, "{}", scored.html);
    // 15 + 30 × 4/5 + 20 × 4/5 + 25 + 10 = 15 + 24 + 16 + 25 + 10 = 90.
    let detail = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/quality/inspections/{id}"))
        .await
        .expect(200);
    assert_eq!(detail["inspection"]["score"], json!(90.0));
    assert_eq!(
        detail["inspection"]["comments"],
        json!([{"message_id": message, "text": "答复清楚"}])
    );

    // The agent: "my quality scores", the comment shown, the appeal posted.
    let agent = app.token_of(Role::Agent).await;
    let c = Console::open(&app, &agent, "zh-CN", "/console/quality").await;
    let mine = c.get("/console/quality").await;
    assert!(mine.html.contains("我的质检成绩"), "{}", mine.html);
    assert!(mine.html.contains("90.00"));
    let page = c.get(&format!("/console/quality/{id}")).await;
    assert!(page.html.contains("答复清楚"));
    assert!(page.html.contains(&format!("/console/quality/{id}/appeal")));
    let appealed = c
        .post(
            &format!("/console/quality/{id}/appeal"),
            &[("reason", "客户先挂断")],
        )
        .await;
    assert_eq!(appealed.status, StatusCode::SEE_OTHER, "{}", appealed.html);
    let detail = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/quality/inspections/{id}"))
        .await
        .expect(200);
    assert_eq!(detail["inspection"]["status"], "appealed");

    // The rubric editor: weights summing to 95 are refused with 422, nothing saved.
    let c = Console::open(&app, &boss, "en", "/console/quality/rubric").await;
    let editor = c.get("/console/quality/rubric").await;
    assert!(editor.html.contains("Save as a new version"));
    let refused = c
        .post(
            "/console/quality/rubric",
            &[
                ("id", "default"),
                ("version", "1"),
                ("name", "Short"),
                ("key.0", "greeting"),
                ("name.0", "Greeting"),
                ("weight.0", "95"),
                ("max.0", "5"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let versions = app
        .as_role(Role::Admin)
        .get("/api/v1/quality/rubrics/default/versions")
        .await
        .expect(200);
    assert_eq!(versions["items"].as_array().unwrap().len(), 1);
    let figures = c
        .get(&format!("/console/quality/figures?from={from}&to={to}"))
        .await;
    assert_eq!(figures.status, StatusCode::OK);
    assert!(figures.html.contains("90.00"), "{}", figures.html);

    // The department user sees no link, and the page refuses.
    let ops = Console::open(&app, &app.ops, "zh-CN", "/department").await;
    let home = ops.get("/department").await;
    assert!(!home.html.contains("class=\"quality-link\""));
    assert_eq!(
        ops.get("/console/quality").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_scoring_form_lists_the_cases_calls_with_their_recordings() {
    let app = spawn_app().await;
    let account = crate::telephony::create_account(&app).await;
    let t0 = kefu_model::Clock::now(&*app.clock) - jiff::SignedDuration::from_mins(3);
    let at = |s: i64| t0 + jiff::SignedDuration::from_secs(s);
    let mut case = String::new();
    for event in [
        crate::telephony::event("offered", "qa-call", at(0), json!({})),
        crate::telephony::event(
            "answered",
            "qa-call",
            at(10),
            json!({"agent": "agent01", "wait_seconds": 10}),
        ),
        crate::telephony::event(
            "ended",
            "qa-call",
            at(190),
            json!({"agent": "agent01", "wait_seconds": 10,
                "recording_url": "https://rec.yunlu.example/2026/qa-call.mp3"}),
        ),
    ] {
        let (status, body) = crate::telephony::post_signed(&app, &account, &event).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        case = body["case_id"].as_str().unwrap().to_string();
    }
    for body in [
        json!({"status": "open", "category": "complaint"}),
        json!({"status": "resolved", "root_cause": {"resolution_code": "explained"}}),
    ] {
        app.as_role(Role::Admin)
            .patch(&format!("/api/v1/cases/{case}"), body)
            .await
            .expect(200);
    }
    let (from, to) = today(&app);
    let drawn = app
        .as_role(Role::Supervisor)
        .post("/api/v1/quality/draw", json!({"from": from, "to": to}))
        .await
        .expect(200);
    assert_eq!(
        drawn["chosen"],
        json!([{"case_id": case, "rule": "complaint"}])
    );
    let id = drawn["queued"][0].as_str().unwrap().to_string();
    let qa = app.token_of(Role::Inspector).await;
    let c = Console::open(&app, &qa, "zh-CN", "/console/quality").await;
    let page = c.get(&format!("/console/quality/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("通话与录音"), "{}", page.html);
    assert!(
        page.html.contains("href=\"/calls/qa-call\""),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("href=\"https://rec.yunlu.example/2026/qa-call.mp3\""),
        "{}",
        page.html
    );
}
