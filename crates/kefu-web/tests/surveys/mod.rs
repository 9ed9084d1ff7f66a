//! Satisfaction surveys over HTTP: the link a resolution's SMS carries opens the survey without
//! a sign-in and takes one answer (bad input refused by field, a second answer and a reopened
//! case refused, a bad or expired link not found); a poor answer opens a follow-up whose timer
//! makes it overdue and tells the supervisors; the figures, hand-counted on a small set, and
//! each figure's drill-down listing exactly the cases it counts; who may see what.

use std::collections::BTreeSet;

use jiff::SignedDuration;
use kefu_model::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{TestApp, error_code, spawn_app};

fn gateway() -> Value {
    json!({"name": "短信网关", "endpoint": "https://sms.yunlu.example/send",
        "sign_name": "云路快递", "api_key": "sms-key-789"})
}

async fn set(app: &TestApp, id: &str, body: Value) {
    app.as_role(Role::Admin)
        .patch(&format!("/api/v1/cases/{id}"), body)
        .await
        .expect(200);
}

/// A phone case of `phone`, served by `assignee` (a user id) and resolved: (id, number, the
/// survey link's token from the SMS).
async fn resolved(
    app: &TestApp,
    phone: &str,
    assignee: &str,
    channel: &str,
) -> (String, String, String) {
    let case = app
        .create_case(json!({"channel": channel, "subject": "快递三天没更新",
            "customer": {"name": "张三", "phone": phone}}))
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    set(app, &id, json!({"status": "open", "assignee": assignee})).await;
    set(app, &id, json!({"status": "resolved"})).await;
    let list = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{id}/deliveries"))
        .await
        .expect(200);
    let body = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["notice"] == "survey")
        .unwrap_or_else(|| panic!("no survey sent: {list}"))["body"]
        .as_str()
        .unwrap()
        .to_string();
    let token = body
        .split("/survey/")
        .nth(1)
        .unwrap()
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_string();
    (id, case["number"].as_str().unwrap().to_string(), token)
}

async fn user_id(app: &TestApp, username: &str) -> String {
    let users = app
        .as_role(Role::Admin)
        .get("/api/v1/users")
        .await
        .expect(200);
    users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("no user {username}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn answer(score: u8, reasons: &[&str], comment: &str) -> Value {
    json!({"score": score, "reasons": reasons, "comment": comment})
}

async fn notification_kinds(app: &TestApp, role: Role) -> Vec<String> {
    let list = app
        .as_role(role)
        .get("/api/v1/notifications")
        .await
        .expect(200);
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_survey_link_takes_one_checked_answer_and_a_poor_one_is_followed_up() {
    let app = spawn_app().await;
    app.as_role(Role::Admin)
        .post("/api/v1/channels/sms", gateway())
        .await
        .expect(201);
    // The supervisor exists before the poor answer, so they are told.
    app.as_role(Role::Supervisor)
        .get("/api/v1/me")
        .await
        .expect(200);
    let agent = user_id(&app, "agent01").await;
    let (id, number, token) = resolved(&app, "13800138101", &agent, "phone").await;
    let anon = app.anonymous();
    let form = anon
        .get(&format!("/api/v1/surveys/{token}"))
        .await
        .expect(200);
    assert_eq!(form["case_number"], number);
    assert_eq!(form["answered"], false);
    assert_eq!(form["satisfied_from"], 4);
    assert_eq!(form["poor_reasons"][0], "响应慢");

    // A forged or mangled link is not found.
    let mut forged = token.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    for bad in [forged.as_str(), "nonsense", &format!("{id}.short")] {
        let body = anon
            .get(&format!("/api/v1/surveys/{bad}"))
            .await
            .expect(404);
        assert_eq!(error_code(&body), "not_found", "{bad}");
        anon.post(&format!("/api/v1/surveys/{bad}"), answer(5, &[], ""))
            .await
            .expect(404);
    }
    // Bad answers: refused by field, nothing written.
    let path = format!("/api/v1/surveys/{token}");
    let long = "很".repeat(501);
    for (body, field) in [
        (answer(0, &[], ""), "score"),
        (answer(6, &[], ""), "score"),
        (answer(2, &["不存在的原因"], ""), "reasons.0"),
        (answer(5, &["响应慢"], ""), "reasons.0"),
        (answer(3, &[], &long), "comment"),
        (json!({"score": 4, "colour": "red"}), "colour"),
    ] {
        let refused = anon.post(&path, body.clone()).await.expect(422);
        assert_eq!(error_code(&refused), "invalid_field", "{body}");
        assert_eq!(refused["error"]["field"], field, "{body}: {refused}");
    }
    let (status, _) = app.raw(Method::POST, &path, None, "{\"score\": 3,").await;
    assert_eq!(status.as_u16(), 400);
    let case = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .expect(200);
    assert!(case["survey"]["answer"].is_null(), "{case}");

    // The answer: poor, with its reason and comment.
    let answered = anon
        .post(&path, answer(2, &["响应慢", "响应慢"], " 等了很久 "))
        .await
        .expect(200);
    assert_eq!(
        (
            &answered["score"],
            &answered["reasons"],
            &answered["comment"],
            &answered["via"]
        ),
        (
            &json!(2),
            &json!(["响应慢"]),
            &json!("等了很久"),
            &json!("api")
        )
    );
    assert_eq!(
        (&answered["satisfied"], &answered["poor"]),
        (&json!(false), &json!(true))
    );
    let again = anon.post(&path, answer(5, &[], "")).await.expect(409);
    assert_eq!(error_code(&again), "already_rated");
    let shown = anon.get(&path).await.expect(200);
    assert_eq!(shown["answered"], true);

    // The case shows the answer and the follow-up; the supervisors were told.
    let case = app
        .as_role(Role::Agent)
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .expect(200);
    assert_eq!(case["rating"], 2);
    assert_eq!(case["survey"]["answer"]["reasons"], json!(["响应慢"]));
    assert_eq!(case["survey"]["follow_up"]["state"], "open");
    assert!(case["survey"].get("token_hash").is_none(), "{case}");
    assert!(!case.to_string().contains(token.split('.').nth(1).unwrap()));
    assert!(
        notification_kinds(&app, Role::Supervisor)
            .await
            .contains(&"follow_up_opened".to_string())
    );
    let queue = app
        .as_role(Role::Supervisor)
        .get("/api/v1/follow-ups")
        .await
        .expect(200);
    assert_eq!(queue["items"][0]["case_number"], number);
    assert_eq!(queue["items"][0]["follow_up"], "open");
    app.as_role(Role::Agent)
        .get("/api/v1/follow-ups")
        .await
        .expect(403);

    // Its deadline passes: the timer makes it overdue and tells the supervisors again. (The
    // sessions of before have expired by then: fresh ones.)
    app.clock.advance(SignedDuration::from_hours(72));
    app.fire_due_timers().await;
    let admin = app.login("admin").await;
    let supervisor = app.login("supervisor01").await;
    let agent = app.login("agent01").await;
    let call = |token: &str, method: Method, path: &str, body: Option<Value>| {
        let token = token.to_string();
        let path = path.to_string();
        let app = &app;
        async move { app.call(method, &path, Some(&token), body).await }
    };
    let (_, case) = call(&admin, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(case["survey"]["follow_up"]["state"], "overdue");
    let (_, told) = call(&supervisor, Method::GET, "/api/v1/notifications", None).await;
    assert!(
        told["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "follow_up_overdue"),
        "{told}"
    );

    // The outcome closes it: checked, once, supervisors and admins only.
    let close = format!("/api/v1/cases/{id}/follow-up");
    let (status, bad) = call(
        &supervisor,
        Method::POST,
        &close,
        Some(json!({"outcome": "vanished"})),
    )
    .await;
    assert_eq!(status.as_u16(), 422);
    assert_eq!(bad["error"]["field"], "outcome", "{bad}");
    let (status, bad) = call(
        &supervisor,
        Method::POST,
        &close,
        Some(json!({"outcome": "other"})),
    )
    .await;
    assert_eq!(status.as_u16(), 422);
    assert_eq!(bad["error"]["field"], "note", "{bad}");
    let (status, _) = call(
        &agent,
        Method::POST,
        &close,
        Some(json!({"outcome": "called_back"})),
    )
    .await;
    assert_eq!(status.as_u16(), 403);
    let (status, closed) = call(
        &supervisor,
        Method::POST,
        &close,
        Some(json!({"outcome": "called_back", "note": "已致电致歉"})),
    )
    .await;
    assert_eq!(status.as_u16(), 200, "{closed}");
    assert_eq!(closed["survey"]["follow_up"]["state"], "closed");
    assert_eq!(closed["survey"]["follow_up"]["outcome"], "called_back");
    assert_eq!(closed["survey"]["follow_up"]["note"], "已致电致歉");
    let (status, twice) = call(
        &supervisor,
        Method::POST,
        &close,
        Some(json!({"outcome": "resolved"})),
    )
    .await;
    assert_eq!(status.as_u16(), 409);
    assert_eq!(error_code(&twice), "no_open_follow_up");
    let (_, queue) = call(&supervisor, Method::GET, "/api/v1/follow-ups", None).await;
    assert_eq!(queue["items"], json!([]));
    let (_, events) = call(
        &admin,
        Method::GET,
        &format!("/api/v1/cases/{id}/events?limit=200"),
        None,
    )
    .await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .filter(|t| t.contains("survey") || t.contains("follow_up") || *t == "rated")
        .collect();
    assert_eq!(
        kinds,
        [
            "survey_opened",
            "rated",
            "follow_up_opened",
            "follow_up_overdue",
            "follow_up_closed"
        ]
    );
}

#[tokio::test]
async fn an_expired_link_or_a_reopened_case_takes_no_answer() {
    let app = spawn_app().await;
    app.as_role(Role::Admin)
        .post("/api/v1/channels/sms", gateway())
        .await
        .expect(201);
    let agent = user_id(&app, "agent01").await;
    let (_, _, old) = resolved(&app, "13800138111", &agent, "phone").await;
    let (reopened, _, token) = resolved(&app, "13800138112", &agent, "phone").await;
    set(
        &app,
        &reopened,
        json!({"status": "open", "reason": "客户说还没收到"}),
    )
    .await;
    let refused = app
        .anonymous()
        .post(&format!("/api/v1/surveys/{token}"), answer(4, &[], ""))
        .await
        .expect(409);
    assert_eq!(error_code(&refused), "not_resolved");

    // A link stays open 7 days by default.
    app.clock.advance(SignedDuration::from_hours(7 * 24 + 1));
    app.anonymous()
        .get(&format!("/api/v1/surveys/{old}"))
        .await
        .expect(404);
    app.anonymous()
        .post(&format!("/api/v1/surveys/{old}"), answer(5, &[], ""))
        .await
        .expect(404);
    // The page says so in words.
    let page = app
        .http
        .get(format!("{}/survey/{old}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("该调查链接已过期"), "{html}");
    let page = app
        .http
        .get(format!("{}/survey/nonsense", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 404);
    assert!(page.text().await.unwrap().contains("没有找到这份调查"));
}

/// The counts of a tally row.
fn counts(row: &Value) -> [i64; 4] {
    ["surveyed", "answered", "satisfied", "poor"].map(|k| row[k].as_i64().unwrap())
}

#[tokio::test]
async fn figures_are_hand_counted_and_each_drills_down_to_exactly_its_cases() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    admin
        .post("/api/v1/channels/sms", gateway())
        .await
        .expect(201);
    let ops = app.department_id("ops").await;
    admin
        .post(
            "/api/v1/users",
            json!({"username": "agent02", "password": "test-password-1", "role": "agent",
                "department": ops}),
        )
        .await
        .expect(201);
    let a1 = user_id(&app, "agent01").await;
    let a2 = user_id(&app, "agent02").await;
    // agent01: 5, 2, 4, unanswered (phone, phone, web, web); agent02: 1 (phone), 5 (web).
    let plan: [(&str, &str, &str, Option<u8>); 6] = [
        ("13800138201", a1.as_str(), "phone", Some(5)),
        ("13800138202", a1.as_str(), "phone", Some(2)),
        ("13800138203", a1.as_str(), "web", Some(4)),
        ("13800138204", a1.as_str(), "web", None),
        ("13800138205", a2.as_str(), "phone", Some(1)),
        ("13800138206", a2.as_str(), "web", Some(5)),
    ];
    let mut numbers = Vec::new();
    // The survey days (a run across midnight in Beijing spans two).
    let mut first_day = String::new();
    let mut day = String::new();
    for (phone, agent, channel, score) in plan {
        let (id, number, token) = resolved(&app, phone, agent, channel).await;
        if let Some(score) = score {
            app.anonymous()
                .post(&format!("/api/v1/surveys/{token}"), answer(score, &[], ""))
                .await
                .expect(200);
        }
        let case = admin.get(&format!("/api/v1/cases/{id}")).await.expect(200);
        day = case["survey"]["day"].as_str().unwrap().to_string();
        if first_day.is_empty() {
            first_day = day.clone();
        }
        numbers.push(number);
    }
    let next = |d: &str| {
        let d: jiff::civil::Date = d.parse().unwrap();
        d.tomorrow().unwrap().to_string()
    };
    let to = next(&day);
    let day = first_day;
    let period = format!("from={day}&to={to}");

    let figures = admin
        .get(&format!("/api/v1/satisfaction?{period}&by=agent"))
        .await
        .expect(200);
    assert_eq!(figures["target"], 0.95);
    assert_eq!(figures["own_only"], false);
    assert_eq!(counts(&figures["total"]), [6, 5, 3, 2]);
    assert_eq!(figures["total"]["satisfaction_rate"], 0.6);
    assert_eq!(figures["total"]["response_rate"], 5.0 / 6.0);
    assert_eq!(figures["total"]["meets_target"], false);
    let rows = figures["rows"].as_array().unwrap();
    let row = |key: &str| rows.iter().find(|r| r["key"] == key).unwrap().clone();
    assert_eq!(counts(&row(&a1)), [4, 3, 2, 1]);
    assert_eq!(counts(&row(&a2)), [2, 2, 1, 1]);
    assert_eq!(row(&a2)["satisfaction_rate"], 0.5);
    assert_eq!(row(&a1)["label"], "agent01");

    // The key figures count the same answers on the days the cases were received: 3 satisfied
    // (5, 4, 5) and 2 poor (2, 1) of 5 answers; agent01 2 of 3, agent02 1 of 2.
    let kpis = admin
        .get(&format!("/api/v1/kpis?{period}&by=agent"))
        .await
        .expect(200);
    let csat = |f: &Value| {
        (
            f["rated"].as_i64().unwrap(),
            f["satisfied"].as_i64().unwrap(),
            f["poor"].as_i64().unwrap(),
            f["satisfaction_pct"].as_f64(),
        )
    };
    assert_eq!(csat(&kpis["total"]), (5, 3, 2, Some(60.0)), "{kpis}");
    let kpi_rows = kpis["rows"].as_array().unwrap();
    let kpi_row = |key: &str| kpi_rows.iter().find(|r| r["key"] == key).unwrap().clone();
    assert_eq!(csat(&kpi_row(&a1)), (3, 2, 1, Some(66.7)));
    assert_eq!(csat(&kpi_row(&a2)), (2, 1, 1, Some(50.0)));
    let poor = admin
        .get(&format!("/api/v1/kpis/cases?{period}&figure=poor"))
        .await
        .expect(200);
    let mut listed: Vec<String> = poor["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut expected = vec![numbers[1].clone(), numbers[4].clone()];
    expected.sort();
    assert_eq!(listed, expected);
    let by_channel = admin
        .get(&format!("/api/v1/satisfaction?{period}&by=channel"))
        .await
        .expect(200);
    let channels: Vec<(String, [i64; 4])> = by_channel["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_string(), counts(r)))
        .collect();
    assert_eq!(
        channels,
        [
            ("phone".to_string(), [3, 3, 1, 2]),
            ("web".to_string(), [3, 2, 2, 0])
        ]
    );
    assert_eq!(by_channel["days"][0]["key"], day.as_str());
    let per_day: i64 = by_channel["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["surveyed"].as_i64().unwrap())
        .sum();
    assert_eq!(per_day, 6);

    // Each figure lists exactly the cases it counts.
    let expected = |agent: Option<&str>, channel: Option<&str>, figure: &str| -> BTreeSet<String> {
        plan.iter()
            .zip(&numbers)
            .filter(|((_, a, c, _), _)| {
                agent.is_none_or(|x| x == *a) && channel.is_none_or(|x| x == *c)
            })
            .filter(|((_, _, _, s), _)| match figure {
                "surveyed" => true,
                "answered" => s.is_some(),
                "satisfied" => s.is_some_and(|s| s >= 4),
                _ => s.is_some_and(|s| s <= 2),
            })
            .map(|(_, n)| n.clone())
            .collect()
    };
    for figure in ["surveyed", "answered", "satisfied", "poor"] {
        let mut drills = vec![(
            None,
            None,
            format!("/api/v1/satisfaction/cases?{period}&figure={figure}"),
        )];
        for a in [&a1, &a2] {
            drills.push((
                Some(a.as_str()),
                None,
                format!("/api/v1/satisfaction/cases?{period}&figure={figure}&by=agent&key={a}"),
            ));
        }
        for c in ["phone", "web"] {
            drills.push((
                None,
                Some(c),
                format!("/api/v1/satisfaction/cases?{period}&figure={figure}&by=channel&key={c}"),
            ));
        }
        for (agent, channel, path) in drills {
            let listed = admin.get(&path).await.expect(200);
            let got: BTreeSet<String> = listed["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["case_number"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(got, expected(agent, channel, figure), "{path}");
            // And the count shown is the list's length.
            let shown = match (agent, channel) {
                (None, None) => counts(&figures["total"]),
                (Some(a), _) => counts(&row(a)),
                (_, Some(c)) => channels.iter().find(|(k, _)| k == c).unwrap().1,
            };
            let i = ["surveyed", "answered", "satisfied", "poor"]
                .iter()
                .position(|f| *f == figure)
                .unwrap();
            assert_eq!(got.len() as i64, shown[i], "{path}");
        }
    }

    // An agent sees their own cases only; department staff and readers none.
    let own = app
        .as_role(Role::Agent)
        .get(&format!("/api/v1/satisfaction?{period}&by=channel"))
        .await
        .expect(200);
    assert_eq!(own["own_only"], true);
    assert_eq!(counts(&own["total"]), [4, 3, 2, 1]);
    let own_cases = app
        .as_role(Role::Agent)
        .get(&format!(
            "/api/v1/satisfaction/cases?{period}&figure=surveyed&by=agent&key={a2}"
        ))
        .await
        .expect(200);
    assert_eq!(own_cases["items"], json!([]));
    for role in [Role::Department, Role::Readonly, Role::Finance] {
        app.as_role(role)
            .get(&format!("/api/v1/satisfaction?{period}"))
            .await
            .expect(403);
    }
    // Bad periods and dimensions.
    for (path, field) in [
        (format!("/api/v1/satisfaction?from={to}&to={day}"), "to"),
        (
            format!("/api/v1/satisfaction?from={day}&to=2099-01-01"),
            "to",
        ),
        (format!("/api/v1/satisfaction?{period}&by=colour"), "by"),
        (format!("/api/v1/satisfaction/cases?{period}&key=x"), "by"),
        (
            format!("/api/v1/satisfaction/cases?{period}&figure=happy"),
            "figure",
        ),
    ] {
        let refused = admin.get(&path).await.expect(422);
        assert_eq!(refused["error"]["field"], field, "{path}: {refused}");
    }

    // The console page shows the same figures, each a link to its cases.
    let console =
        super::console::Console::open(&app, &app.admin, "zh", "/console/satisfaction").await;
    let page = console
        .get(&format!("/console/satisfaction?{period}&by=agent"))
        .await;
    assert_eq!(page.status.as_u16(), 200);
    let html = page.html;
    assert!(html.contains("60.0%"), "{html}");
    assert!(html.contains("未达标"));
    assert!(
        html.contains(&format!(
            "/console/satisfaction/cases?from={day}&#38;to={to}&#38;figure=poor&#38;by=agent&#38;key={a1}"
        )),
        "{html}"
    );
    let cases = console
        .get(&format!("/console/satisfaction/cases?{period}&figure=poor"))
        .await
        .html;
    for n in expected(None, None, "poor") {
        assert!(cases.contains(&n), "{n} in {cases}");
    }
}
