//! Root causes and improvement over HTTP (R-CASE-10, R-MG-5, R-MG-6): a complaint is resolved
//! only with a resolution code (a refusal changes nothing), unknown codes and causes are refused
//! by field, the record is a case event the history shows and an amendment another; the Pareto
//! of a small hand-counted set with its cumulative shares, the cases behind a bar and the CSV;
//! the backlog — agents propose and link, supervisors move the status — and the closed loop's
//! funnel.

use kefu_model::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, error_code, spawn_app};

fn today(app: &TestApp) -> String {
    let day = jiff::tz::TimeZone::get("Asia/Shanghai")
        .unwrap()
        .to_datetime(kefu_model::Clock::now(app.clock.as_ref()))
        .date();
    format!("from={day}&to={}", day.tomorrow().unwrap())
}

async fn complaint(app: &TestApp, phone: &str) -> (String, String) {
    let case = app
        .create_case(json!({"channel": "phone", "subject": "快递员没送上门就签收",
            "customer": {"name": "投诉人", "phone": phone}, "category": "complaint", "priority": "P2"}))
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    app.as_role(Role::Agent)
        .patch(&format!("/api/v1/cases/{id}"), json!({"status": "open"}))
        .await
        .expect(200);
    (id, case["number"].as_str().unwrap().to_string())
}

async fn record(app: &TestApp, id: &str, body: Value) -> Value {
    app.as_role(Role::Agent)
        .post(&format!("/api/v1/cases/{id}/root-cause"), body)
        .await
        .expect(200)
}

async fn events(app: &TestApp, id: &str) -> usize {
    app.as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{id}/events"))
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_complaint_is_resolved_only_with_a_known_code_and_the_history_shows_the_cause() {
    let app = spawn_app().await;
    let (id, number) = complaint(&app, "13700000001").await;
    let path = format!("/api/v1/cases/{id}");
    let before = events(&app, &id).await;

    // No code: refused by field, nothing written.
    let refused = app
        .as_role(Role::Agent)
        .patch(&path, json!({"status": "resolved"}))
        .await
        .expect(422);
    assert_eq!(error_code(&refused), "invalid_field");
    assert_eq!(refused["error"]["field"], "resolution_code", "{refused}");
    // An unknown code, an unknown cause, an unknown organisation.
    let bad_code = app
        .as_role(Role::Agent)
        .patch(
            &path,
            json!({"status": "resolved", "root_cause": {"resolution_code": "magic"}}),
        )
        .await
        .expect(422);
    assert_eq!(bad_code["error"]["field"], "resolution_code");
    let bad_cause = app
        .as_role(Role::Agent)
        .post(
            &format!("{path}/root-cause"),
            json!({"causes": ["packaging", "delivery/teleport"]}),
        )
        .await
        .expect(422);
    assert_eq!(bad_cause["error"]["field"], "causes.1");
    let bad_org = app
        .as_role(Role::Agent)
        .post(
            &format!("{path}/root-cause"),
            json!({"organisation": "nowhere"}),
        )
        .await
        .expect(422);
    assert_eq!(bad_org["error"]["field"], "organisation");
    let case = app.as_role(Role::Admin).get(&path).await.expect(200);
    assert_eq!(case["status"], "open");
    assert!(case.get("root_cause").is_none(), "{case}");
    assert_eq!(events(&app, &id).await, before, "a refusal writes nothing");

    // With a code and causes: one event for the cause, then the status.
    let resolved = app
        .as_role(Role::Agent)
        .patch(
            &path,
            json!({"status": "resolved", "root_cause": {"resolution_code": "compensated",
                "causes": ["delivery/false_scan", "pickup/late"], "lesson": "签收前须电话确认"}}),
        )
        .await
        .expect(200);
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["root_cause"]["resolution_code"], "compensated");
    assert_eq!(
        resolved["root_cause"]["causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["tag"].as_str().unwrap())
            .collect::<Vec<_>>(),
        // The setting's order: pickup before delivery.
        vec!["pickup/late", "delivery/false_scan"]
    );
    let list = app
        .as_role(Role::Admin)
        .get(&format!("{path}/events"))
        .await
        .expect(200);
    let types: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    let at = types
        .iter()
        .position(|t| *t == "root_cause_recorded")
        .unwrap();
    assert_eq!(types[at + 1], "status_changed", "{types:?}");

    // A resolved complaint keeps its code: an amendment without one is refused.
    let dropped = app
        .as_role(Role::Agent)
        .post(
            &format!("{path}/root-cause"),
            json!({"causes": ["packaging"]}),
        )
        .await
        .expect(422);
    assert_eq!(dropped["error"]["field"], "resolution_code");
    // An amendment is another event; the case shows the latest record.
    let amended = record(
        &app,
        &id,
        json!({"resolution_code": "explained", "causes": ["delivery/false_scan"]}),
    )
    .await;
    assert_eq!(amended["root_cause"]["resolution_code"], "explained");
    assert_eq!(amended["root_cause"]["amendments"], 1);

    // The case page's history shows both, with the setting's words.
    let console =
        super::console::Console::open(&app, &app.agent, "zh", &format!("/cases/{number}")).await;
    let page = console.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("记录结案原因：已解决-赔付"),
        "{}",
        page.html
    );
    assert!(page.html.contains("派送-虚假签收"));
    assert!(page.html.contains("签收前须电话确认"));
    assert!(page.html.contains("修改结案原因：已解决-解释说明"));
    // The resolve panel is on the page with the code chosen.
    assert!(
        page.html
            .contains(&format!("action=\"/cases/{id}/resolve\""))
    );
}

#[tokio::test]
async fn the_console_resolves_with_a_cause_and_refuses_a_complaint_without_a_code() {
    let app = spawn_app().await;
    let (id, _) = complaint(&app, "13700000002").await;
    let console =
        super::console::Console::open(&app, &app.agent, "zh", &format!("/cases/{id}")).await;
    let refused = console
        .post(
            &format!("/cases/{id}/resolve"),
            &[
                ("then", "resolved"),
                ("resolution_code", ""),
                ("cause1", "packaging"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let case = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .expect(200);
    assert_eq!(case["status"], "open");
    assert!(case.get("root_cause").is_none());
    let done = console
        .post(
            &format!("/cases/{id}/resolve"),
            &[
                ("then", "resolved"),
                ("resolution_code", "reshipped"),
                ("cause1", "sorting/mis_sort"),
                ("cause2", ""),
                ("cause3", "packaging"),
                ("organisation", ""),
                ("lesson", "分拣口贴错标签"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let case = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .expect(200);
    assert_eq!(case["status"], "resolved");
    assert_eq!(case["root_cause"]["resolution_code"], "reshipped");
    assert_eq!(case["root_cause"]["lesson"], "分拣口贴错标签");
    assert_eq!(case["root_cause"]["causes"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_pareto_counts_causes_with_cumulative_shares_and_lists_each_bars_cases() {
    let app = spawn_app().await;
    let period = today(&app);
    // Causes: delivery/false_scan 3, packaging 1, pickup/late 1 → 5 counted on 4 cases.
    let mut numbers = Vec::new();
    for (i, causes) in [
        vec!["delivery/false_scan", "pickup/late"],
        vec!["delivery/false_scan"],
        vec!["delivery/false_scan"],
        vec!["packaging"],
    ]
    .into_iter()
    .enumerate()
    {
        let (id, number) = complaint(&app, &format!("1370000001{i}")).await;
        record(&app, &id, json!({"resolution_code": if i == 3 { "compensated" } else { "explained" }, "causes": causes})).await;
        numbers.push(number);
    }
    let pareto = app
        .as_role(Role::Supervisor)
        .get(&format!("/api/v1/root-causes/pareto?{period}"))
        .await
        .expect(200);
    assert_eq!(pareto["cases"], 4);
    assert_eq!(pareto["total"], 5);
    let bars: Vec<(String, i64, f64, f64, bool)> = pareto["bars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap().to_string(),
                b["count"].as_i64().unwrap(),
                b["share_percent"].as_f64().unwrap(),
                b["cumulative_percent"].as_f64().unwrap(),
                b["vital"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        bars,
        vec![
            ("delivery/false_scan".to_string(), 3, 60.0, 60.0, true),
            ("packaging".to_string(), 1, 20.0, 80.0, true),
            // 80 % before it: past the line.
            ("pickup/late".to_string(), 1, 20.0, 100.0, false),
        ]
    );
    assert_eq!(pareto["bars"][0]["label"], "派送-虚假签收");
    // By resolution code: explained 3, compensated 1.
    let codes = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/root-causes/pareto?{period}&by=code"))
        .await
        .expect(200);
    assert_eq!(codes["bars"][0]["key"], "explained");
    assert_eq!(codes["bars"][0]["count"], 3);
    assert_eq!(codes["bars"][1]["cumulative_percent"], 100.0);
    // Filters: another category has none; the cases behind the first bar are the three.
    let none = app
        .as_role(Role::Admin)
        .get(&format!(
            "/api/v1/root-causes/pareto?{period}&category=lost"
        ))
        .await
        .expect(200);
    assert_eq!(none["bars"].as_array().unwrap().len(), 0);
    let behind = app
        .as_role(Role::Admin)
        .get(&format!(
            "/api/v1/root-causes/cases?{period}&key=delivery/false_scan"
        ))
        .await
        .expect(200);
    let mut listed: Vec<String> = behind["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_number"].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut want = numbers[..3].to_vec();
    want.sort();
    assert_eq!(listed, want);
    // The CSV.
    let res = app
        .http
        .get(format!(
            "{}/api/v1/root-causes/pareto/export?{period}",
            app.base
        ))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "key,label,count,share_percent,cumulative_percent,vital"
    );
    assert_eq!(
        lines[1],
        "delivery/false_scan,派送-虚假签收,3,60.0,60.0,true"
    );
    assert_eq!(lines[3], "pickup/late,揽收-揽收延迟,1,20.0,100.0,false");
    // Bad input and rights.
    for bad in [
        "by=sideways",
        "category=nothing",
        "route=123456789012345678901234567890",
    ] {
        let r = app
            .as_role(Role::Admin)
            .get(&format!("/api/v1/root-causes/pareto?{period}&{bad}"))
            .await
            .expect(422);
        assert_eq!(error_code(&r), "invalid_field", "{bad}");
    }
    app.as_role(Role::Admin)
        .get("/api/v1/root-causes/pareto?from=2026-02-01&to=2026-01-01")
        .await
        .expect(422);
    app.as_role(Role::Agent)
        .get(&format!("/api/v1/root-causes/pareto?{period}"))
        .await
        .expect(403);
    // The console's page draws the same bars.
    let console =
        super::console::Console::open(&app, &app.admin, "zh", "/console/root-causes").await;
    let page = console.get(&format!("/console/root-causes?{period}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("派送-虚假签收"));
    assert!(page.html.contains("60.0%"));
    assert!(page.html.contains("80.0%"));
}

#[tokio::test]
async fn agents_propose_and_link_supervisors_move_items_and_the_loop_closes() {
    let app = spawn_app().await;
    let period = today(&app);
    let (first, first_number) = complaint(&app, "13700000021").await;
    let (second, _) = complaint(&app, "13700000022").await;
    // A third complaint nobody has taken up yet.
    app.create_case(json!({"channel": "phone", "subject": "投诉网点态度",
        "customer": {"name": "投诉人", "phone": "13700000023"}, "category": "complaint", "priority": "P2"}))
        .await;
    app.as_role(Role::Agent)
        .patch(
            &format!("/api/v1/cases/{first}"),
            json!({"status": "resolved", "root_cause": {"resolution_code": "explained", "causes": ["delivery/false_scan"]}}),
        )
        .await
        .expect(200);
    record(&app, &second, json!({"causes": ["service/slow_answer"]})).await;

    // An agent proposes an item from a case; an unknown cause is refused.
    let refused = app
        .as_role(Role::Agent)
        .post(
            "/api/v1/improvements",
            json!({"title": "签收规范", "causes": ["nope"]}),
        )
        .await
        .expect(422);
    assert_eq!(refused["error"]["field"], "causes.0");
    let item = app
        .as_role(Role::Agent)
        .post(
            "/api/v1/improvements",
            json!({"title": "派送员签收规范培训", "causes": ["delivery/false_scan"], "cases": [first_number]}),
        )
        .await
        .expect(201);
    assert_eq!(item["status"], "proposed");
    let id = item["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/improvements/{id}");
    // The agent may not move it; the supervisor may, one step at a time.
    app.as_role(Role::Agent)
        .patch(&path, json!({"status": "accepted"}))
        .await
        .expect(403);
    let skipped = app
        .as_role(Role::Supervisor)
        .patch(&path, json!({"status": "done"}))
        .await
        .expect(409);
    assert_eq!(error_code(&skipped), "invalid_transition");
    app.as_role(Role::Supervisor)
        .patch(&path, json!({"status": "accepted", "due_on": "2026-12-31"}))
        .await
        .expect(200);
    // The agent links another case (twice: once).
    for _ in 0..2 {
        let linked = app
            .as_role(Role::Agent)
            .post(&format!("{path}/cases"), json!({"case": second}))
            .await
            .expect(200);
        assert_eq!(linked["cases"].as_array().unwrap().len(), 2);
    }

    // The loop: 3 complaints, 2 accepted, 1 resolved in time, 2 with a cause, 2 linked, 0 done.
    let funnel = |body: &Value| -> Vec<(String, i64)> {
        body["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["step"].as_str().unwrap().to_string(),
                    s["passed"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let want = |improved: i64| -> Vec<(String, i64)> {
        [
            ("received", 3),
            ("accepted", 2),
            ("classified", 2),
            ("graded", 2),
            ("resolved_in_time", 1),
            ("cause_recorded", 2),
            ("linked", 2),
            ("improved", improved),
        ]
        .iter()
        .map(|(s, n)| (s.to_string(), *n))
        .collect()
    };
    let loop_now = app
        .as_role(Role::Supervisor)
        .get(&format!("/api/v1/closed-loop?{period}"))
        .await
        .expect(200);
    assert_eq!(funnel(&loop_now), want(0));
    let missing = app
        .as_role(Role::Supervisor)
        .get(&format!(
            "/api/v1/closed-loop/cases?{period}&step=resolved_in_time"
        ))
        .await
        .expect(200);
    assert_eq!(missing["items"].as_array().unwrap().len(), 2);
    for step in ["in_progress", "done"] {
        app.as_role(Role::Supervisor)
            .patch(&path, json!({"status": step}))
            .await
            .expect(200);
    }
    let closed = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/closed-loop?{period}"))
        .await
        .expect(200);
    assert_eq!(funnel(&closed), want(2));

    // Every change is in the item's history, oldest first.
    let history = app
        .as_role(Role::Agent)
        .get(&format!("{path}/history"))
        .await
        .expect(200);
    let whats: Vec<(String, String)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["what"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        whats[0],
        ("created".to_string(), "派送员签收规范培训".to_string())
    );
    assert_eq!(whats[1], ("linked".to_string(), first_number.clone()));
    assert!(whats.contains(&("status".to_string(), "proposed → accepted".to_string())));
    assert!(whats.contains(&("edited".to_string(), "due_on: 2026-12-31".to_string())));
    assert_eq!(whats.last().unwrap().1, "in_progress → done");
    assert_eq!(whats.len(), 7, "{whats:?}");

    // The console's backlog and item pages.
    let console =
        super::console::Console::open(&app, &app.admin, "zh", "/console/improvements").await;
    let list = console.get("/console/improvements").await;
    assert!(list.html.contains("派送员签收规范培训"));
    let page = console.get(&format!("/console/improvements/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("已完成"));
    assert!(page.html.contains(&first_number));
    let loop_page = console.get(&format!("/console/closed-loop?{period}")).await;
    assert_eq!(loop_page.status, StatusCode::OK);
    assert!(loop_page.html.contains("时限内解决"));
}

#[tokio::test]
async fn an_admin_edits_the_codes_and_causes_as_text_and_a_bad_line_changes_nothing() {
    let app = spawn_app().await;
    let console =
        super::console::Console::open(&app, &app.admin, "zh", "/console/root-causes").await;
    let pareto = console.get("/console/root-causes").await;
    assert!(pareto.html.contains("/console/cause-settings"));
    let page = console.get("/console/cause-settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html
            .contains("reshipped | 已解决-补发 | Resolved: reshipped"),
        "{}",
        page.html
    );
    assert!(page.html.contains("pickup/missed | 漏揽 | Pickup missed"));
    assert!(page.html.contains(r#"name="required_complaint" checked"#));

    let codes = "reshipped | 已解决-补发\nrefunded | 已退款 | Refunded";
    let causes = "pickup | 揽收 | Pickup\npickup/missed | 漏揽\nlost | 丢失";
    let saved = console
        .post(
            "/console/cause-settings",
            &[
                ("codes", codes),
                ("causes", causes),
                ("required_complaint", "on"),
                ("required_claim", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let setting = app
        .as_role(Role::Admin)
        .get("/api/v1/settings/root_causes")
        .await
        .expect(200);
    assert_eq!(
        setting["codes"][1],
        json!({"code": "refunded", "label": "已退款", "en": "Refunded"}),
        "{setting}"
    );
    assert_eq!(setting["groups"][0]["causes"][0]["code"], "missed");
    assert_eq!(setting["groups"][1]["code"], "lost");
    assert_eq!(setting["required_for"], json!(["complaint", "claim"]));
    // A complaint now takes the new code.
    let (id, _) = complaint(&app, "13700000009").await;
    app.as_role(Role::Agent)
        .patch(
            &format!("/api/v1/cases/{id}"),
            json!({"status": "resolved", "root_cause": {"resolution_code": "refunded", "causes": ["lost"]}}),
        )
        .await
        .expect(200);

    // A cause below no group: refused by its line, shown as typed, the setting unchanged.
    let refused = console
        .post(
            "/console/cause-settings",
            &[
                ("codes", "only | 唯一"),
                ("causes", "pickup | 揽收\nsorting/mis_sort | 错分"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("line 2"), "{}", refused.html);
    assert!(refused.html.contains("sorting/mis_sort | 错分"));
    let after = app
        .as_role(Role::Admin)
        .get("/api/v1/settings/root_causes")
        .await
        .expect(200);
    assert_eq!(after, setting);

    // Only admins.
    let agent =
        super::console::Console::open(&app, &app.agent, "zh", "/console/improvements").await;
    assert_eq!(
        agent.get("/console/cause-settings").await.status,
        StatusCode::FORBIDDEN
    );
    let denied = agent
        .post(
            "/console/cause-settings",
            &[("codes", codes), ("causes", causes)],
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.as_role(Role::Admin)
            .get("/api/v1/settings/root_causes")
            .await
            .expect(200),
        setting
    );
}
