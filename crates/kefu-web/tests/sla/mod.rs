//! Service clocks over HTTP: working calendars, SLA policies, promises, escalation and
//! notifications.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use jiff::SignedDuration;
use kefu_model::Clock;

use super::{TestApp, new_case, spawn_app};

#[tokio::test]
async fn calendars_compute_due_times_and_refuse_bad_definitions() {
    let app = spawn_app().await;
    let (status, list) = app
        .call(Method::GET, "/api/v1/calendars", Some(&app.agent), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["24x7", "cn-office", "cn-service"]);
    let (_, office) = app
        .call(
            Method::GET,
            "/api/v1/calendars/cn-office",
            Some(&app.agent),
            None,
        )
        .await;
    assert!(
        office["holidays"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-10-01"))
    );
    assert!(
        office["extra_workdays"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-10-10"))
    );

    let add = |key: &str, body: Value| {
        let app = &app;
        let path = format!("/api/v1/calendars/{key}/add");
        async move {
            app.call(Method::POST, &path, Some(&app.agent), Some(body))
                .await
        }
    };
    // Thursday 30 Sep 2026 17:00 Beijing + 2 h: one hour that day, then National Day, then 8 Oct.
    let (status, due) = add(
        "cn-office",
        json!({"from": "2026-09-30T17:00:00+08:00", "minutes": 120}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{due}");
    assert_eq!(due["due"], "2026-10-08T02:00:00Z");
    assert_eq!(due["warnings"], json!([]));
    let (_, due) = add(
        "cn-office",
        json!({"from": "2026-02-13T10:00:00+08:00", "working_days": 2}),
    )
    .await;
    assert_eq!(
        due["due"], "2026-02-24T10:00:00Z",
        "Sat 14 Feb is a make-up day; 15–23 Feb is Spring Festival"
    );
    let (_, due) = add(
        "cn-office",
        json!({"from": "2026-12-31T17:30:00+08:00", "minutes": 60}),
    )
    .await;
    assert!(
        due["warnings"][0].as_str().unwrap().contains("2027"),
        "{due}"
    );
    let (_, due) = add(
        "24x7",
        json!({"from": "2026-11-24T10:00:00+08:00", "minutes": 30}),
    )
    .await;
    assert_eq!(due["due"], "2026-11-24T02:30:00Z");

    // A user's own calendar: split shift, night shift to 24:00, a holiday and a make-up day.
    let mine = json!({"timezone": "Asia/Shanghai",
        "hours": {"mon": [["09:00","12:00"],["13:30","18:00"]], "tue": [["20:00","24:00"]]},
        "holidays": ["2026-12-07"], "extra_workdays": ["2026-12-12"], "workday_hours": [["10:00","11:00"]]});
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/calendars/night-desk",
            Some(&app.agent),
            Some(mine.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) = app
        .call(
            Method::PUT,
            "/api/v1/calendars/night-desk",
            Some(&app.admin),
            Some(mine),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["key"], "night-desk");
    // Tue 1 Dec 23:00 + 120 min: 60 to midnight, then Mon 7 Dec is a holiday, Tue 8 Dec 20:00 + 60.
    let (_, due) = add(
        "night-desk",
        json!({"from": "2026-12-01T23:00:00+08:00", "minutes": 120}),
    )
    .await;
    assert_eq!(due["due"], "2026-12-08T13:00:00Z");

    let bad: Vec<(Value, &str)> = vec![
        (
            json!({"timezone": "Mars/Olympus", "hours": {"mon": [["09:00","18:00"]]}}),
            "timezone",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","25:00"]]}}),
            "hours.mon[0]",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["9:00","18:00"]]}}),
            "hours.mon[0]",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","12:00"],["11:00","13:00"]]}}),
            "hours.mon",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["18:00","09:00"]]}}),
            "hours.mon[0]",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"funday": [["09:00","18:00"]]}}),
            "hours.funday",
        ),
        (json!({"timezone": "Asia/Shanghai", "hours": {}}), "hours"),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","18:00"]]}, "holidays": ["2026-13-01"]}),
            "holidays[0]",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","18:00"]]}, "holidays": ["2026-12-12"], "extra_workdays": ["2026-12-12"]}),
            "extra_workdays",
        ),
        (
            json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00"]]}}),
            "hours.mon[0]",
        ),
        (json!({"hours": {"mon": [["09:00","18:00"]]}}), "timezone"),
    ];
    for (body, field) in bad {
        let (status, err) = app
            .call(
                Method::PUT,
                "/api/v1/calendars/broken",
                Some(&app.admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
    }
    let (status, err) = app
        .call(
            Method::PUT,
            "/api/v1/calendars/Bad%20Key",
            Some(&app.admin),
            Some(json!({"timezone": "UTC", "hours": {"mon": [["09:00","10:00"]]}})),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("key"))
    );
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/calendars/broken",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "refused calendars are not stored"
    );

    for (body, field) in [
        (json!({"from": "2026-11-24T10:00:00+08:00"}), "minutes"),
        (
            json!({"from": "2026-11-24T10:00:00+08:00", "minutes": 5, "working_days": 1}),
            "minutes",
        ),
        (
            json!({"from": "2026-11-24T10:00:00+08:00", "minutes": -5}),
            "minutes",
        ),
        (
            json!({"from": "2026-11-24T10:00:00+08:00", "working_days": 0}),
            "working_days",
        ),
        (json!({"from": "yesterday", "minutes": 5}), "from"),
        (json!({"minutes": 5}), "from"),
    ] {
        let (status, err) = add("cn-office", body.clone()).await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}: {err}"
        );
    }
    let (status, _) = add(
        "no-such-calendar",
        json!({"from": "2026-11-24T10:00:00+08:00", "minutes": 5}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Open only on Mondays, and those Mondays are holidays for years: an error, not a hang.
    let mut mondays = Vec::new();
    let mut d: jiff::civil::Date = "2026-11-23".parse().unwrap();
    for _ in 0..600 {
        mondays.push(d.to_string());
        d = d.checked_add(jiff::Span::new().days(7)).unwrap();
    }
    let never = json!({"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00","10:00"]]}, "holidays": mondays});
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/calendars/never",
            Some(&app.admin),
            Some(never),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = add(
        "never",
        json!({"from": "2026-11-23T00:00:00+08:00", "minutes": 1}),
    )
    .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar"))
    );
}

#[tokio::test]
async fn sla_policies_are_listed_edited_and_validated() {
    let app = spawn_app().await;
    let (status, list) = app
        .call(Method::GET, "/api/v1/sla-policies", Some(&app.agent), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "key-accounts",
            "regulator-complaints",
            "chat",
            "email",
            "phone",
            "default"
        ]
    );
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["order"].as_i64().unwrap() >= 100)
    );

    // A user's own policy comes first (order 10): web-form damage reports answered in 5 minutes.
    let mine = json!({"name": "破损优先", "order": 10, "match": {"category": ["damaged"]}, "calendar": "24x7",
        "targets": {"first_response_minutes": 5, "resolution_working_days": 1}, "pause_in": ["pending_customer"]});
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/sla-policies/damage",
            Some(&app.agent),
            Some(mine.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) = app
        .call(
            Method::PUT,
            "/api/v1/sla-policies/damage",
            Some(&app.admin),
            Some(mine),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let case = app
        .create_case(
            json!({"channel": "web", "subject": "箱子破了", "customer": {"phone": "13300000001"}}),
        )
        .await;
    let first = case["sla"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "first_response")
        .unwrap()
        .clone();
    assert_eq!(
        (first["policy"].as_str(), first["target_secs"].as_i64()),
        (Some("damage"), Some(300))
    );

    for (body, field) in [
        (
            json!({"name": "x", "order": 1, "calendar": "nope", "targets": {}}),
            "calendar",
        ),
        (
            json!({"name": "", "order": 1, "calendar": "24x7", "targets": {}}),
            "name",
        ),
        (
            json!({"name": "x", "order": 1, "calendar": "24x7", "targets": {"first_response_minutes": -1}}),
            "targets.first_response_minutes",
        ),
        (
            json!({"name": "x", "order": 1, "calendar": "24x7", "targets": {"resolution_minutes": 60, "resolution_working_days": 1}}),
            "targets.resolution_working_days",
        ),
        (
            json!({"name": "x", "order": 1, "calendar": "24x7", "targets": {}, "match": {"channel": ["fax"]}}),
            "match.channel[0]",
        ),
        (
            json!({"name": "x", "order": 1, "calendar": "24x7", "targets": {}, "match": {"customer_grade": [7]}}),
            "match.customer_grade",
        ),
        (
            json!({"name": "x", "order": 1, "calendar": "24x7", "targets": {}, "pause_in": ["closed"]}),
            "pause_in",
        ),
        (
            json!({"name": "x", "order": "first", "calendar": "24x7", "targets": {}}),
            "order",
        ),
        (
            json!({"name": "x", "calendar": "24x7", "targets": {}}),
            "order",
        ),
    ] {
        let (status, err) = app
            .call(
                Method::PUT,
                "/api/v1/sla-policies/bad",
                Some(&app.admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
    }
    let (_, list) = app
        .call(Method::GET, "/api/v1/sla-policies", Some(&app.agent), None)
        .await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        7,
        "refused policies are not stored"
    );
}

#[tokio::test]
async fn promises_escalation_and_notifications_over_http() {
    let app = spawn_app().await;
    let case = app.create_case(new_case("13200000001")).await;
    let id = case["id"].as_str().unwrap();
    let in_an_hour = (app.clock.now() + SignedDuration::from_hours(1)).to_string();
    let (status, promised) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/commitments"),
            Some(&app.agent),
            Some(json!({"due_at": in_an_hour, "note": "15:00前回电"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{promised}");
    assert_eq!(promised["commitments"][0]["state"], "open");
    for (body, field) in [
        (
            json!({"due_at": "2020-01-01T00:00:00Z", "note": "x"}),
            "due_at",
        ),
        (json!({"due_at": "soon", "note": "x"}), "due_at"),
        (json!({"due_at": in_an_hour, "note": ""}), "note"),
        (json!({"note": "x"}), "due_at"),
        (
            json!({"due_at": in_an_hour, "note": "x", "remind_before_minutes": -5}),
            "remind_before_minutes",
        ),
    ] {
        let (status, err) = app
            .call(
                Method::POST,
                &format!("/api/v1/cases/{id}/commitments"),
                Some(&app.agent),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}: {err}"
        );
    }
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/commitments"),
            Some(&app.viewer),
            Some(json!({"due_at": in_an_hour, "note": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A logged call (an internal note marked as a call) keeps the promise and is the first response.
    let (status, _) = app
        .call(Method::POST, &format!("/api/v1/cases/{id}/messages"), Some(&app.agent),
              Some(json!({"body": "已电话回访，客户同意明天派送", "visibility": "internal", "call": true})))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, after_call) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(after_call["commitments"][0]["state"], "kept");
    assert!(after_call["first_response_at"].is_string());
    let first = after_call["sla"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "first_response")
        .unwrap();
    assert_eq!(first["state"], "met");
    let (_, listed) = app
        .call(Method::GET, "/api/v1/cases?limit=1", Some(&app.agent), None)
        .await;
    assert!(
        listed["items"][0]["sla"][0].get("remaining_secs").is_some(),
        "lists show remaining time too"
    );
    let (status, up) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/escalate"),
            Some(&app.agent),
            Some(json!({"reason": "客户要求主管回电"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{up}");
    assert_eq!(up["escalation_level"], 1);
    let (status, err) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/escalate"),
            Some(&app.agent),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    // The admin is told; the agent is not.
    let (_, notes) = app
        .call(
            Method::GET,
            "/api/v1/notifications?unread=true",
            Some(&app.admin),
            None,
        )
        .await;
    let items = notes["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "escalated");
    assert_eq!(items[0]["case_number"], case["number"]);
    let (_, mine) = app
        .call(Method::GET, "/api/v1/notifications", Some(&app.agent), None)
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 0);
    let (status, marked) = app
        .call(
            Method::POST,
            "/api/v1/notifications/read",
            Some(&app.admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, marked["marked"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    let (_, notes) = app
        .call(
            Method::GET,
            "/api/v1/notifications?unread=true",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(notes["items"].as_array().unwrap().len(), 0);
    let (status, err) = app
        .call(
            Method::GET,
            "/api/v1/notifications?unread=maybe",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unread"))
    );
    let (status, _) = app
        .call(Method::GET, "/api/v1/notifications", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Time passes on the server's clock, not the test's: the first-response breach, a promise's
/// reminder and then its miss are recorded when a timer tick finds them due — not before, and
/// once each.
#[tokio::test]
async fn due_clocks_fire_when_the_server_clock_passes_them() {
    let app = spawn_app().await;
    let case = app.create_case(new_case("13200000002")).await;
    let id = case["id"].as_str().unwrap();
    let first = |case: &Value| {
        case["sla"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "first_response")
            .cloned()
            .unwrap_or_else(|| panic!("no first-response clock: {case}"))
    };
    // The phone policy: a first answer within 30 minutes, around the clock.
    let clock = first(&case);
    assert_eq!(
        (clock["target_secs"].as_i64(), clock["calendar"].as_str()),
        (Some(1800), Some("24x7")),
        "{clock}"
    );
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            Some(json!({"assignee": "agent01"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let due_at = (app.clock.now() + SignedDuration::from_hours(1)).to_string();
    let (status, promised) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/commitments"),
            Some(&app.agent),
            Some(json!({"due_at": due_at, "note": "一小时内回电"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{promised}");
    let case_now = || async {
        let (status, case) = app
            .call(
                Method::GET,
                &format!("/api/v1/cases/{id}"),
                Some(&app.agent),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{case}");
        case
    };
    let count = |types: &[String], wanted: &str| types.iter().filter(|t| *t == wanted).count();

    // 29 minutes in: nothing is due.
    app.clock.advance(SignedDuration::from_mins(29));
    assert_eq!(app.fire_due_timers().await, 0);
    assert_eq!(first(&case_now().await)["state"], "running");

    // 31 minutes in: the first answer is late, recorded once however many ticks look.
    app.clock.advance(SignedDuration::from_mins(2));
    assert_eq!(app.fire_due_timers().await, 1);
    assert_eq!(app.fire_due_timers().await, 0);
    let after = case_now().await;
    assert_eq!(first(&after)["state"], "breached", "{after}");
    assert_eq!(after["commitments"][0]["state"], "open", "{after}");
    let types = event_types(&app, id).await;
    assert_eq!(count(&types, "sla_breached"), 1, "{types:?}");
    assert_eq!(count(&types, "commitment_reminded"), 0, "{types:?}");

    // 51 minutes in, ten before the promise falls due: the case's owner is reminded, once.
    app.clock.advance(SignedDuration::from_mins(20));
    app.fire_due_timers().await;
    app.fire_due_timers().await;
    let types = event_types(&app, id).await;
    assert_eq!(count(&types, "commitment_reminded"), 1, "{types:?}");
    assert_eq!(count(&types, "commitment_missed"), 0, "{types:?}");
    let (_, mine) = app
        .call(Method::GET, "/api/v1/notifications", Some(&app.agent), None)
        .await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "commitment_reminded"),
        "{mine}"
    );

    // 61 minutes in: the promise is missed.
    app.clock.advance(SignedDuration::from_mins(10));
    app.fire_due_timers().await;
    app.fire_due_timers().await;
    let after = case_now().await;
    assert_eq!(after["commitments"][0]["state"], "missed", "{after}");
    let types = event_types(&app, id).await;
    assert_eq!(count(&types, "commitment_missed"), 1, "{types:?}");
    assert_eq!(count(&types, "sla_breached"), 1, "{types:?}");
}

/// The types of a case's events, oldest first.
async fn event_types(app: &TestApp, id: &str) -> Vec<String> {
    let path = format!("/api/v1/cases/{id}/events?limit=200");
    let (status, page) = app.call(Method::GET, &path, Some(&app.admin), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}
