//! The planner's console page: it renders the basis in words, the chart's numbers and the
//! table; its forms save a channel's plan, copy a day, mark a promotion day and change the
//! settings; a bad value is a 422 next to the form with nothing saved.

use reqwest::StatusCode;
use serde_json::json;

use super::history;
use crate::console::Console;
use crate::{TestApp, spawn_app};
use kefu_model::Role;

async fn supervisor_console(app: &TestApp, lang: &str) -> Console {
    let token = app.token_of(Role::Supervisor).await;
    Console::open(app, &token, lang, "/console/staffing?day=2026-01-09").await
}

#[tokio::test]
async fn the_page_shows_the_basis_and_its_forms_save() {
    let app = spawn_app().await;
    history(&app).await;
    let c = supervisor_console(&app, "zh-CN").await;
    let page = c.get("/console/staffing?day=2026-01-09").await;
    assert_eq!(page.status, StatusCode::OK);
    // Eight Fridays back from 2026-01-09, 元旦 (01-02) left out: seven.
    assert!(
        page.html
            .contains("依据：近 8 周的 7 个周五（不含节假日与促销日）"),
        "{}",
        page.html
    );
    assert!(page.html.contains("id=\"staffing-chart\""));
    assert!(page.html.contains("uplot.min"));
    assert!(page.html.contains("data-channel=\"phone\""));
    assert!(page.html.contains("data-channel=\"email\""));

    // Save the phone plan: 4 at 09:00, the rest empty.
    let saved = c
        .post(
            "/console/staffing/schedule",
            &[("day", "2026-01-09"), ("channel", "phone"), ("s18", "4")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.location, "/console/staffing?day=2026-01-09");
    let admin = app.as_role(Role::Admin);
    let plan = admin
        .get("/api/v1/staffing/schedule?from=2026-01-09&to=2026-01-10")
        .await
        .expect(200);
    let slots = plan["items"][0]["slots"].as_array().unwrap().clone();
    assert_eq!(slots.len(), 48);
    assert_eq!(slots[18], 4);
    assert_eq!(slots.iter().filter(|v| **v != 0).count(), 1);

    // Copy the day to Monday the 5th.
    let copied = c
        .post(
            "/console/staffing/copy",
            &[("day", "2026-01-09"), ("to0", "2026-01-05")],
        )
        .await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER, "{}", copied.html);
    let monday = admin
        .get("/api/v1/staffing/schedule?from=2026-01-05&to=2026-01-06")
        .await
        .expect(200);
    assert_eq!(monday["items"][0]["slots"][18], 4);

    // A negative count is refused next to the form, and nothing changes.
    let refused = c
        .post(
            "/console/staffing/schedule",
            &[("day", "2026-01-09"), ("channel", "phone"), ("s18", "-2")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("role=\"alert\""));
    assert!(refused.html.contains("slots[18]"), "{}", refused.html);
    let plan = admin
        .get("/api/v1/staffing/schedule?from=2026-01-09&to=2026-01-10")
        .await
        .expect(200);
    assert_eq!(plan["items"][0]["slots"][18], 4);

    // Mark 11.11 from the page.
    let marked = c
        .post(
            "/console/staffing/promotions",
            &[
                ("day", "2026-01-09"),
                ("date", "2026-11-11"),
                ("name", "双十一"),
                ("multiplier", "3"),
            ],
        )
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.html);
    let page = c.get("/console/staffing?day=2026-11-11").await;
    assert!(page.html.contains("促销日「双十一」×3"), "{}", page.html);
    let removed = c
        .post("/console/staffing/promotions/2026-11-11/delete", &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        admin.get("/api/v1/staffing/promotions").await.expect(200)["items"],
        json!([])
    );

    // The settings form: shrinkage 20 %.
    let set = c
        .post(
            "/console/staffing/settings",
            &[("day", "2026-01-09"), ("shrinkage", "20")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.html);
    assert_eq!(
        admin.get("/api/v1/staffing/settings").await.expect(200)["shrinkage"],
        20.0
    );
    let bad = c
        .post(
            "/console/staffing/settings",
            &[("day", "2026-01-09"), ("service_level", "100")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_page_speaks_english_and_is_for_planners_only() {
    let app = spawn_app().await;
    history(&app).await;
    let c = supervisor_console(&app, "en").await;
    let page = c.get("/console/staffing?day=2026-01-09").await;
    assert!(
        page.html
            .contains("basis: 7 Fridays of the last 8 weeks, excl. holidays and promotion days"),
        "{}",
        page.html
    );
    assert!(page.html.contains("class=\"staffing-link\""));
    // Agents see neither the link nor the page.
    let agent = Console::open(&app, &app.agent, "zh-CN", "/queue/mine").await;
    let home = agent.get("/queue/mine").await;
    assert!(!home.html.contains("staffing-link"));
    let refused = agent.get("/console/staffing").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
