//! Quality inspection over HTTP: the rubric editor's checks (weights summing to 100), the
//! sampling rules and a draw that queues a case once, the inspector's scoring with comments on
//! the case's messages (an unknown item refused by field), the inspector refused any change to
//! the case, the agent's own scores with acknowledgement and appeal (another agent's not
//! found), the supervisor's rescore and the figures, hand-computed.

use kefu_model::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{TestApp, error_code, spawn_app};

mod pages;

/// A phone case handled by agent01 with one public reply, resolved: (id, the reply's message id).
pub(crate) async fn resolved(app: &TestApp, phone: &str, category: &str) -> (String, String) {
    let case = app
        .create_case(
            json!({"channel": "phone", "subject": "快递三天没更新", "category": category,
            "customer": {"name": "张三", "phone": phone}}),
        )
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    let agent = app
        .as_role(Role::Admin)
        .get("/api/v1/users")
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "agent01")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.as_role(Role::Admin)
        .patch(
            &format!("/api/v1/cases/{id}"),
            json!({"status": "open", "assignee": agent}),
        )
        .await
        .expect(200);
    let message = app
        .as_role(Role::Agent)
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            json!({"body": "您好，包裹已在派送途中。", "visibility": "public"}),
        )
        .await
        .expect(201);
    let message_id = message["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no message id: {message}"))
        .to_string();
    // With a resolution code: complaints are resolved only with one.
    app.as_role(Role::Admin)
        .patch(
            &format!("/api/v1/cases/{id}"),
            json!({"status": "resolved", "root_cause": {"resolution_code": "explained"}}),
        )
        .await
        .expect(200);
    (id, message_id)
}

pub(crate) fn today(app: &TestApp) -> (String, String) {
    let day = app
        .desk
        .time_zone()
        .to_datetime(kefu_model::Clock::now(&*app.clock))
        .date();
    (day.to_string(), day.tomorrow().unwrap().to_string())
}

fn scores(values: [u32; 5]) -> Value {
    let items = [
        "greeting",
        "accuracy",
        "empathy",
        "resolution",
        "compliance",
    ];
    Value::Array(
        items
            .iter()
            .zip(values)
            .map(|(item, score)| json!({"item": item, "score": score}))
            .collect(),
    )
}

#[tokio::test]
async fn quality_rubrics_keep_versions_and_refuse_bad_weights() {
    let app = spawn_app().await;
    let list = app
        .as_role(Role::Inspector)
        .get("/api/v1/quality/rubrics")
        .await
        .expect(200);
    let items = &list["items"][0]["items"];
    assert_eq!(list["items"][0]["id"], "default");
    assert_eq!(list["items"][0]["version"], 1);
    let weights: Vec<u64> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["weight"].as_u64().unwrap())
        .collect();
    assert_eq!(weights, vec![15, 30, 20, 25, 10]);
    assert_eq!(items[4]["critical"], true);

    let mut body = json!({"name": "投诉专用", "expected_version": 1, "items": items.clone()});
    // 15 + 30 + 20 + 25 + 20 = 110: refused, naming the items.
    body["items"][4]["weight"] = json!(20);
    let refused = app
        .as_role(Role::Supervisor)
        .put("/api/v1/quality/rubrics/default", body.clone())
        .await
        .expect(422);
    assert_eq!(error_code(&refused), "invalid_field");
    assert!(refused.to_string().contains("items"), "{refused}");
    body["items"][4]["weight"] = json!(10);
    body["items"][0]["weight"] = json!(10);
    body["items"][1]["weight"] = json!(35);
    // Agents and inspectors do not edit rubrics.
    for role in [Role::Agent, Role::Inspector] {
        app.as_role(role)
            .put("/api/v1/quality/rubrics/default", body.clone())
            .await
            .expect(403);
    }
    let v2 = app
        .as_role(Role::Supervisor)
        .put("/api/v1/quality/rubrics/default", body.clone())
        .await
        .expect(200);
    assert_eq!(
        (v2["version"].as_i64(), v2["name"].as_str()),
        (Some(2), Some("投诉专用"))
    );
    // From a stale version: 409.
    let stale = app
        .as_role(Role::Supervisor)
        .put("/api/v1/quality/rubrics/default", body)
        .await
        .expect(409);
    assert_eq!(error_code(&stale), "version_conflict");
    let versions = app
        .as_role(Role::Agent)
        .get("/api/v1/quality/rubrics/default/versions")
        .await
        .expect(200);
    let listed: Vec<i64> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![2, 1]);
    let v1 = app
        .as_role(Role::Agent)
        .get("/api/v1/quality/rubrics/default?version=1")
        .await
        .expect(200);
    assert_eq!(v1["items"][0]["weight"], 15);
    app.as_role(Role::Agent)
        .get("/api/v1/quality/rubrics/nosuch")
        .await
        .expect(404);
    // Malformed JSON is 400.
    let (status, _) = app
        .raw(
            Method::PUT,
            "/api/v1/quality/rubrics/default",
            Some(&app.token_of(Role::Supervisor).await),
            "{\"name\": ",
        )
        .await;
    assert_eq!(status.as_u16(), 400);
}

#[tokio::test]
async fn quality_inspections_are_drawn_scored_appealed_and_counted() {
    let app = spawn_app().await;
    let (complaint, message) = resolved(&app, "13800138001", "complaint").await;
    let (plain, _) = resolved(&app, "13800138002", "delay").await;
    // Only complaints: no random share, no handling-time rule; drawn daily as well.
    let rules = app
        .as_role(Role::Supervisor)
        .put(
            "/api/v1/quality/settings",
            json!({"random_percent": 0, "complaints": true, "poor_ratings": true,
                "long_handling_hours": null, "pass_score": 85, "daily_draw": true}),
        )
        .await
        .expect(200);
    assert_eq!(rules["daily_draw"], true);
    assert_eq!(
        app.as_role(Role::Inspector)
            .get("/api/v1/quality/settings")
            .await
            .expect(200)["daily_draw"],
        true
    );
    app.as_role(Role::Supervisor)
        .put(
            "/api/v1/quality/settings",
            json!({"random_percent": 101, "complaints": true, "poor_ratings": true, "pass_score": 85}),
        )
        .await
        .expect(422);
    let (from, to) = today(&app);
    app.as_role(Role::Inspector)
        .post("/api/v1/quality/draw", json!({"from": from, "to": to}))
        .await
        .expect(403);
    let drawn = app
        .as_role(Role::Supervisor)
        .post("/api/v1/quality/draw", json!({"from": from, "to": to}))
        .await
        .expect(200);
    assert_eq!(drawn["considered"], 2);
    assert_eq!(
        drawn["chosen"],
        json!([{"case_id": complaint, "rule": "complaint"}])
    );
    assert_eq!(drawn["queued"].as_array().unwrap().len(), 1);
    let again = app
        .as_role(Role::Supervisor)
        .post("/api/v1/quality/draw", json!({"from": from, "to": to}))
        .await
        .expect(200);
    assert_eq!(again["queued"], json!([]));
    app.as_role(Role::Supervisor)
        .post("/api/v1/quality/draw", json!({"from": to, "to": from}))
        .await
        .expect(422);

    let queue = app
        .as_role(Role::Inspector)
        .get("/api/v1/quality/inspections?queue=pending")
        .await
        .expect(200);
    assert_eq!(queue["items"].as_array().unwrap().len(), 1);
    let id = queue["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(queue["items"][0]["case_id"], json!(complaint));
    app.as_role(Role::Inspector)
        .get("/api/v1/quality/inspections?queue=nosuch")
        .await
        .expect(422);

    // The inspector reads the case and its messages but changes nothing on it.
    let detail = app
        .as_role(Role::Inspector)
        .get(&format!("/api/v1/quality/inspections/{id}"))
        .await
        .expect(200);
    assert!(
        detail["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["message_id"] == json!(message)),
        "{detail}"
    );
    app.as_role(Role::Inspector)
        .get(&format!("/api/v1/cases/{complaint}"))
        .await
        .expect(200);
    app.as_role(Role::Inspector)
        .patch(
            &format!("/api/v1/cases/{complaint}"),
            json!({"status": "open"}),
        )
        .await
        .expect(403);
    app.as_role(Role::Inspector)
        .post(
            &format!("/api/v1/cases/{complaint}/messages"),
            json!({"body": "质检备注"}),
        )
        .await
        .expect(403);
    let case_before = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{complaint}"))
        .await
        .expect(200);

    let score = |body: Value| {
        let app = &app;
        let id = id.clone();
        async move {
            app.as_role(Role::Inspector)
                .post(&format!("/api/v1/quality/inspections/{id}/score"), body)
                .await
        }
    };
    // An item the rubric does not have: 422 naming it; a comment on no message: 422.
    let mut unknown = scores([4, 5, 3, 4, 1]);
    unknown[4]["item"] = json!("speed");
    let refused = score(json!({"scores": unknown})).await.expect(422);
    assert_eq!(error_code(&refused), "invalid_field");
    assert!(refused.to_string().contains("scores.4.item"), "{refused}");
    let refused = score(json!({"scores": scores([4, 5, 3, 4, 1]),
        "comments": [{"message_id": "no-such-message", "text": "?"}]}))
    .await
    .expect(422);
    assert!(
        refused.to_string().contains("comments.0.message_id"),
        "{refused}"
    );
    // 15 × 4/5 + 30 × 5/5 + 20 × 3/5 + 25 × 4/5 + 10 × 1/1 = 12 + 30 + 12 + 20 + 10 = 84,
    // below the pass score of 85.
    let scored = score(json!({"scores": scores([4, 5, 3, 4, 1]),
        "comments": [{"message_id": message, "text": "结束语缺失"}], "summary": "态度尚可"}))
    .await
    .expect(200);
    assert_eq!(scored["score"], json!(84.0));
    assert_eq!(scored["passed"], json!(false));
    assert_eq!(scored["status"], "scored");
    assert_eq!(scored["comments"][0]["message_id"], json!(message));
    let case_after = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{complaint}"))
        .await
        .expect(200);
    assert_eq!(case_after["version"], case_before["version"]);

    // The agent sees their own score; another agent does not.
    let mine = app
        .as_role(Role::Agent)
        .get("/api/v1/quality/inspections")
        .await
        .expect(200);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let other = app.staff_of("agent02", "agent", "service").await;
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/quality/inspections/{id}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(status.as_u16(), 404, "{body}");
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/quality/inspections/{id}/appeal"),
            Some(&other),
            Some(json!({"reason": "不是我的"})),
        )
        .await;
    assert_eq!(status.as_u16(), 404);
    let (_, others) = app
        .call(
            Method::GET,
            "/api/v1/quality/inspections",
            Some(&other),
            None,
        )
        .await;
    assert_eq!(others["items"], json!([]));

    // Appeal without a reason: 422; with one: appealed. The inspector cannot decide.
    app.as_role(Role::Agent)
        .post(
            &format!("/api/v1/quality/inspections/{id}/appeal"),
            json!({"reason": "  "}),
        )
        .await
        .expect(422);
    let appealed = app
        .as_role(Role::Agent)
        .post(
            &format!("/api/v1/quality/inspections/{id}/appeal"),
            json!({"reason": "结束语在电话里说了，记录漏了"}),
        )
        .await
        .expect(200);
    assert_eq!(appealed["status"], "appealed");
    app.as_role(Role::Agent)
        .post(
            &format!("/api/v1/quality/inspections/{id}/acknowledge"),
            json!({}),
        )
        .await
        .expect(409);
    app.as_role(Role::Inspector)
        .post(
            &format!("/api/v1/quality/inspections/{id}/decide"),
            json!({"outcome": "uphold", "note": "维持"}),
        )
        .await
        .expect(403);
    // Rescored: greeting 5/5 → 15 + 30 + 12 + 20 + 10 = 87, passing.
    let decided = app
        .as_role(Role::Supervisor)
        .post(
            &format!("/api/v1/quality/inspections/{id}/decide"),
            json!({"outcome": "rescore", "note": "录音已核实", "scores": scores([5, 5, 3, 4, 1])}),
        )
        .await
        .expect(200);
    assert_eq!(
        (&decided["status"], &decided["score"], &decided["passed"]),
        (&json!("decided"), &json!(87.0), &json!(true))
    );
    assert_eq!(decided["decision"]["outcome"], "rescore");
    let detail = app
        .as_role(Role::Agent)
        .get(&format!("/api/v1/quality/inspections/{id}"))
        .await
        .expect(200);
    let actions: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["drawn", "scored", "appealed", "rescored"]);

    // Figures: agent01 one inspection of 87, passed; the agent sees only that row, by agent.
    let figures = app
        .as_role(Role::Supervisor)
        .get(&format!(
            "/api/v1/quality/figures?by=agent&from={from}&to={to}"
        ))
        .await
        .expect(200);
    assert_eq!(figures["pass_score"], 85);
    assert_eq!(figures["rows"].as_array().unwrap().len(), 1);
    let row = &figures["rows"][0];
    assert_eq!(
        (
            &row["count"],
            &row["score_x100_sum"],
            &row["passed"],
            &row["average"],
            &row["pass_rate"]
        ),
        (
            &json!(1),
            &json!(8700),
            &json!(1),
            &json!(87.0),
            &json!(1.0)
        )
    );
    let own = app
        .as_role(Role::Agent)
        .get(&format!("/api/v1/quality/figures?from={from}&to={to}"))
        .await
        .expect(200);
    assert_eq!(own["rows"], figures["rows"]);
    // The key figures carry the same: agent01's row and the centre, 1 inspection of 87,
    // 100 % passed; by channel there is no quality column.
    let agent01 = row["key"].as_str().unwrap().to_string();
    let kpis = app
        .as_role(Role::Supervisor)
        .get(&format!("/api/v1/kpis?by=agent&from={from}&to={to}"))
        .await
        .expect(200);
    let qa = |f: &Value| {
        (
            f["qa_inspections"].clone(),
            f["qa_score_avg"].clone(),
            f["qa_pass_rate_pct"].clone(),
        )
    };
    let kpi_row = kpis["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == agent01.as_str())
        .unwrap_or_else(|| panic!("no row of agent01: {kpis}"));
    assert_eq!(qa(kpi_row), (json!(1), json!(87.0), json!(100.0)));
    assert_eq!(qa(&kpis["total"]), (json!(1), json!(87.0), json!(100.0)));
    let by_channel = app
        .as_role(Role::Supervisor)
        .get(&format!("/api/v1/kpis?by=channel&from={from}&to={to}"))
        .await
        .expect(200);
    assert_eq!(
        qa(&by_channel["rows"][0]),
        (Value::Null, Value::Null, Value::Null)
    );
    let (_, none) = app
        .call(
            Method::GET,
            &format!("/api/v1/quality/figures?from={from}&to={to}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(none["rows"], json!([]));
    app.as_role(Role::Agent)
        .get(&format!(
            "/api/v1/quality/figures?by=department&from={from}&to={to}"
        ))
        .await
        .expect(403);
    app.as_role(Role::Supervisor)
        .get(&format!(
            "/api/v1/quality/figures?by=team&from={from}&to={to}"
        ))
        .await
        .expect(422);
    // The plain case was never queued.
    assert!(
        !app.as_role(Role::Supervisor)
            .get("/api/v1/quality/inspections")
            .await
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["case_id"] == json!(plain))
    );
}
