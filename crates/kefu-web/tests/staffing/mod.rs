//! The staffing planner over HTTP: a small fixed history (phone and mail cases received in
//! December 2025 and on the 2026 New Year holiday), the forecast of Friday 2026-01-09 on the
//! same weekday of the weeks before without the holiday, agents needed by Erlang C and by
//! workload with shrinkage, the plan against them, promotion days, bad input and who may plan.
//! Every figure below is worked out by hand in the comments.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{TestApp, error_code, spawn_app};
use kefu_model::Role;

mod pages;

/// `n` cases on `channel` received at `at` (UTC) from distinct customers.
async fn arrivals(app: &TestApp, channel: &str, at: &str, n: usize, seed: usize) {
    for i in 0..n {
        let phone = format!("1370{:07}", seed * 100 + i);
        app.create_case(
            json!({"channel": channel, "subject": "咨询件", "received_at": at,
            "customer": {"name": "客户", "phone": phone}}),
        )
        .await;
    }
}

/// The history the tests forecast from (local time is UTC+8):
/// - Fri 2025-12-19 09:10: 12 phone cases; 10:05: 6 e-mails;
/// - Fri 2025-12-26 09:10: 8 phone cases;
/// - Fri 2026-01-02 09:10 (元旦, a holiday): 5 phone cases — never a workday's basis.
pub(crate) async fn history(app: &TestApp) {
    arrivals(app, "phone", "2025-12-19T01:10:00Z", 12, 1).await;
    arrivals(app, "email", "2025-12-19T02:05:00Z", 6, 2).await;
    arrivals(app, "phone", "2025-12-26T01:10:00Z", 8, 3).await;
    arrivals(app, "phone", "2026-01-02T01:10:00Z", 5, 4).await;
}

fn channel<'a>(day: &'a Value, code: &str) -> &'a Value {
    day["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == code)
        .unwrap_or_else(|| panic!("no {code} in {day}"))
}

#[tokio::test]
async fn history_forecast_needed_and_plan_by_hand() {
    let app = spawn_app().await;
    history(&app).await;
    let sup = app.as_role(Role::Supervisor);

    // The arrivals of 2025-12-19 per local half-hour: 09:00 is slot 18, 10:00 slot 20.
    let h = sup
        .get("/api/v1/staffing/history?from=2025-12-19&to=2025-12-20")
        .await
        .expect(200);
    let items = h["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{h}");
    let phone = items.iter().find(|d| d["channel"] == "phone").unwrap();
    assert_eq!(phone["day"], "2025-12-19");
    assert_eq!(phone["slots"].as_array().unwrap().len(), 48);
    assert_eq!(
        (phone["slots"][18].as_u64(), phone["total"].as_u64()),
        (Some(12), Some(12))
    );
    let mail = items.iter().find(|d| d["channel"] == "email").unwrap();
    assert_eq!(mail["slots"][20], 6);

    // Friday 2026-01-09 over three weeks: 01-02 is 元旦 (left out), 12-26 and 12-19 stay.
    // Phone at 09:00: (12 + 8) / 2 = 10; mail at 10:00: (6 + 0) / 2 = 3.
    let f = sup
        .get("/api/v1/staffing/forecast?day=2026-01-09&weeks=3")
        .await
        .expect(200);
    let day = &f["items"][0];
    assert_eq!(day["day"], "2026-01-09");
    assert_eq!(day["basis"]["rule"], "weekday");
    assert_eq!(day["basis"]["day_type"], "workday");
    assert_eq!(day["basis"]["days"], json!(["2025-12-19", "2025-12-26"]));
    assert_eq!(channel(day, "phone")["slots"][18], 10.0);
    assert_eq!(channel(day, "phone")["total"], 10.0);
    assert_eq!(channel(day, "email")["slots"][20], 3.0);

    // The plan: 4 agents on the phone 09:00–09:30.
    let mut slots = vec![0; 48];
    slots[18] = 4;
    let saved = sup
        .put(
            "/api/v1/staffing/schedule/2026-01-09/phone",
            json!({ "slots": slots }),
        )
        .await
        .expect(200);
    assert_eq!(saved["slots"][18], 4);
    assert_eq!(saved["total_agent_hours"], 2.0);
    let listed = sup
        .get("/api/v1/staffing/schedule?from=2026-01-09&to=2026-01-10")
        .await
        .expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    // Needed. Phone, 10 calls × 180 s ÷ 1800 s = 1 erlang. Erlang C, 80 % in 20 s:
    //   2 agents: C = 1/3, SL = 1 − (1/3)·e^(−20/180) = 0.7017 — short;
    //   3 agents: B₃ = 0.0625, C = 3·0.0625 / (3 − 0.9375) = 0.0909,
    //             SL = 1 − 0.0909·e^(−40/180) = 0.9272 — enough: 3 at work.
    //   With 30 % shrinkage ⌈3 ÷ 0.7⌉ = 5 to schedule; 4 planned: gap −1, and ⌊4·0.7⌋ = 2 at
    //   work answer 70.17 % in time.
    // Mail, 3 × 600 s ÷ 1800 s = 1 agent busy ÷ 0.85 occupancy = 1.18 → 2; ⌈2 ÷ 0.7⌉ = 3.
    let n = sup
        .get("/api/v1/staffing/needed?day=2026-01-09&weeks=3")
        .await
        .expect(200);
    let day = &n["items"][0];
    let phone = channel(day, "phone");
    assert_eq!(phone["mode"], "erlang");
    let s18 = &phone["slots"][18];
    assert_eq!(s18["start"], "09:00");
    assert_eq!(s18["forecast"], 10.0);
    assert_eq!(s18["agents_at_work"], 3);
    assert_eq!(s18["needed"], 5);
    assert_eq!(s18["planned"], 4);
    assert_eq!(s18["gap"], -1);
    assert_eq!(s18["service_level"], 0.7017);
    assert_eq!(phone["shortfalls"], 1);
    // An hour with nothing expected and nothing planned.
    assert_eq!(phone["slots"][2]["needed"], 0);
    assert_eq!(phone["slots"][2]["service_level"], 1.0);
    let mail = channel(day, "email");
    assert_eq!(mail["mode"], "workload");
    assert_eq!(mail["slots"][20]["agents_at_work"], 2);
    assert_eq!(mail["slots"][20]["needed"], 3);
    assert_eq!(mail["slots"][20]["gap"], -3);
    assert!(mail["slots"][20].get("service_level").is_none());

    // 双十一-style promotion on the day: twice the calls, 2 erlangs at 09:00.
    //   3 agents: C = 4/9, SL = 0.6023 — short; 4 agents: B₄ = 0.0952, C = 0.1739,
    //   SL = 1 − 0.1739·e^(−40/180) = 0.8607 — 4 at work, ⌈4 ÷ 0.7⌉ = 6 to schedule.
    let promo = sup
        .post(
            "/api/v1/staffing/promotions",
            json!({"date": "2026-01-09", "name": "年货节", "multiplier": 2}),
        )
        .await
        .expect(201);
    assert_eq!(promo["name"], "年货节");
    let n = sup
        .get("/api/v1/staffing/needed?day=2026-01-09&weeks=3")
        .await
        .expect(200);
    let day = &n["items"][0];
    assert_eq!(day["basis"]["promotion"], "年货节");
    assert_eq!(day["basis"]["multiplier"], 2.0);
    let s18 = &channel(day, "phone")["slots"][18];
    assert_eq!(
        (
            s18["forecast"].as_f64(),
            s18["agents_at_work"].as_u64(),
            s18["needed"].as_u64()
        ),
        (Some(20.0), Some(4), Some(6))
    );

    // Like an earlier day instead: 2025-12-19 alone, 12 calls at 09:00.
    let changed = sup
        .put(
            "/api/v1/staffing/promotions/2026-01-09",
            json!({"name": "年货节", "like_date": "2025-12-19"}),
        )
        .await
        .expect(200);
    assert_eq!(changed["like_date"], "2025-12-19");
    let f = sup
        .get("/api/v1/staffing/forecast?day=2026-01-09")
        .await
        .expect(200);
    assert_eq!(f["items"][0]["basis"]["rule"], "like_date");
    assert_eq!(channel(&f["items"][0], "phone")["slots"][18], 12.0);
    let listed = sup.get("/api/v1/staffing/promotions").await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    sup.delete("/api/v1/staffing/promotions/2026-01-09")
        .await
        .expect(204);
    sup.delete("/api/v1/staffing/promotions/2026-01-09")
        .await
        .expect(404);

    // A holiday (2026-01-03, 元旦) is forecast from the public holidays of the year before it:
    // the 5 calls of 2026-01-02 spread over all of them (the others had none).
    let f = sup
        .get("/api/v1/staffing/forecast?day=2026-01-03&days=2")
        .await
        .expect(200);
    let holiday = &f["items"][0];
    assert_eq!(holiday["basis"]["rule"], "holidays");
    let days = holiday["basis"]["days"].as_array().unwrap();
    assert!(days.contains(&json!("2026-01-02")) && days.contains(&json!("2025-10-01")));
    assert!(!days.contains(&json!("2026-01-04")));
    #[allow(clippy::cast_precision_loss)]
    let mean = (5.0 / days.len() as f64 * 100.0).round() / 100.0;
    assert_eq!(channel(holiday, "phone")["slots"][18], mean);
    // 2026-01-04 is a make-up workday (Sunday worked): the workdays of the last 8 weeks.
    assert_eq!(f["items"][1]["basis"]["day_type"], "make_up_workday");
    assert_eq!(f["items"][1]["basis"]["rule"], "workdays");
}

#[tokio::test]
async fn settings_change_the_needs_and_bad_input_is_refused() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    let settings = admin.get("/api/v1/staffing/settings").await.expect(200);
    assert_eq!(settings["service_level"], 80.0);
    assert_eq!(settings["shrinkage"], 30.0);
    assert_eq!(settings["calendar"], "cn-office");
    assert_eq!(settings["channels"].as_array().unwrap().len(), 6);
    let mut changed = settings.clone();
    changed["shrinkage"] = json!(0);
    let saved = admin
        .put("/api/v1/staffing/settings", changed.clone())
        .await
        .expect(200);
    assert_eq!(saved["shrinkage"], 0.0);

    let bad = |field: &str, value: Value| {
        let mut s = settings.clone();
        s[field] = value;
        s
    };
    for (body, field) in [
        (bad("service_level", json!(100)), "service_level"),
        (bad("service_level", json!(0)), "service_level"),
        (bad("shrinkage", json!(95)), "shrinkage"),
        (bad("calendar", json!("no-such")), "calendar"),
        (bad("weeks", json!(0)), "weeks"),
    ] {
        let r = admin
            .put("/api/v1/staffing/settings", body)
            .await
            .expect(422);
        assert_eq!(error_code(&r), "invalid_field");
        assert_eq!(r["error"]["field"], field, "{r}");
    }
    let mut zero_aht = settings.clone();
    zero_aht["channels"][0]["aht_secs"] = json!(0);
    let r = admin
        .put("/api/v1/staffing/settings", zero_aht)
        .await
        .expect(422);
    assert_eq!(r["error"]["field"], "channels[0].aht_secs");
    // Nothing refused was kept.
    let now = admin.get("/api/v1/staffing/settings").await.expect(200);
    assert_eq!(now["shrinkage"], 0.0);
    assert_eq!(now["service_level"], 80.0);

    // The schedule: exactly 48 non-negative half-hours, a real day and channel.
    let app_ref = &app;
    let put = |path: &'static str, body: Value| async move {
        app_ref.as_role(Role::Supervisor).put(path, body).await
    };
    let r = put(
        "/api/v1/staffing/schedule/2026-01-09/phone",
        json!({"slots": vec![1; 47]}),
    )
    .await
    .expect(422);
    assert_eq!(r["error"]["field"], "slots");
    let mut neg = vec![1; 48];
    neg[3] = -1;
    let r = put(
        "/api/v1/staffing/schedule/2026-01-09/phone",
        json!({ "slots": neg }),
    )
    .await
    .expect(422);
    assert_eq!(r["error"]["field"], "slots[3]");
    let r = put(
        "/api/v1/staffing/schedule/2026-02-30/phone",
        json!({"slots": vec![1; 48]}),
    )
    .await
    .expect(422);
    assert_eq!(r["error"]["field"], "day");
    let r = put(
        "/api/v1/staffing/schedule/2026-01-09/fax",
        json!({"slots": vec![1; 48]}),
    )
    .await
    .expect(422);
    assert_eq!(r["error"]["field"], "channel");
    let (status, _) = app
        .raw(
            Method::PUT,
            "/api/v1/staffing/schedule/2026-01-09/phone",
            Some(&app.admin),
            "{\"slots\": [1,",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let none = admin
        .get("/api/v1/staffing/schedule?from=2026-01-01&to=2026-02-01")
        .await
        .expect(200);
    assert_eq!(none["items"], json!([]));

    // Ranges: `to` after `from`, at most 366 days; forecasts 1–14 days.
    for path in [
        "/api/v1/staffing/history?from=2026-01-09&to=2026-01-09",
        "/api/v1/staffing/history?from=2025-01-01&to=2026-01-03",
        "/api/v1/staffing/schedule?from=2026-01-09&to=2026-01-01",
        "/api/v1/staffing/forecast?day=2026-01-09&days=15",
        "/api/v1/staffing/needed?day=2026-01-09&weeks=0",
        "/api/v1/staffing/history?from=2026-13-01&to=2026-01-03",
    ] {
        let r = admin.get(path).await.expect(422);
        assert_eq!(error_code(&r), "invalid_field", "{path}");
    }

    // Promotion days: a name and a multiplier or a day like it; one per date.
    for (body, field) in [
        (
            json!({"date": "2026-11-11", "name": "双十一"}),
            "multiplier",
        ),
        (
            json!({"date": "2026-11-11", "name": "双十一", "multiplier": 0}),
            "multiplier",
        ),
        (
            json!({"date": "2026-11-11", "name": "", "multiplier": 2}),
            "name",
        ),
        (
            json!({"date": "2026-11-11", "name": "双十一", "like_date": "2026-11-12"}),
            "like_date",
        ),
        (
            json!({"date": "2026-11-11", "name": "双十一", "like_date": "2024-11-11"}),
            "like_date",
        ),
    ] {
        let r = admin
            .post("/api/v1/staffing/promotions", body)
            .await
            .expect(422);
        assert_eq!(r["error"]["field"], field, "{r}");
    }
    admin
        .post(
            "/api/v1/staffing/promotions",
            json!({"date": "2026-11-11", "name": "双十一", "like_date": "2025-11-11", "multiplier": 1.2}),
        )
        .await
        .expect(201);
    let r = admin
        .post(
            "/api/v1/staffing/promotions",
            json!({"date": "2026-11-11", "name": "又一个", "multiplier": 2}),
        )
        .await
        .expect(409);
    assert_eq!(error_code(&r), "promotion_exists");
    admin
        .put(
            "/api/v1/staffing/promotions/2026-06-18",
            json!({"name": "618", "multiplier": 2}),
        )
        .await
        .expect(404);
}

#[tokio::test]
async fn only_supervisors_and_admins_plan() {
    let app = spawn_app().await;
    for role in [Role::Agent, Role::Department, Role::Readonly, Role::Finance] {
        let who = app.as_role(role);
        who.get("/api/v1/staffing/needed?day=2026-01-09")
            .await
            .expect(403);
        who.put(
            "/api/v1/staffing/schedule/2026-01-09/phone",
            json!({"slots": vec![1; 48]}),
        )
        .await
        .expect(403);
        who.post(
            "/api/v1/staffing/promotions",
            json!({"date": "2026-11-11", "name": "双十一", "multiplier": 3}),
        )
        .await
        .expect(403);
    }
    // Refused writes left nothing behind.
    let listed = app
        .as_role(Role::Admin)
        .get("/api/v1/staffing/promotions")
        .await
        .expect(200);
    assert_eq!(listed["items"], json!([]));
    app.anonymous()
        .get("/api/v1/staffing/settings")
        .await
        .expect(401);
}
