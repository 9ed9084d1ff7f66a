//! The key-account pages as a browser without scripts uses them: the head adds an account,
//! a contract, a price and files it, records a quarter's grading (one not yet ended refused
//! on the page); the assistant sees the account and its renewal reminder in both languages;
//! roles without key accounts get neither the link nor the page.

use reqwest::StatusCode;

use super::today;
use crate::console::Console;
use crate::spawn_app;
use kefu_model::Role;

#[tokio::test]
async fn the_head_sets_up_grades_and_files_and_the_assistant_sees_what_is_due() {
    let app = spawn_app().await;
    let boss = app.token_of(Role::Supervisor).await;
    let c = Console::open(&app, &boss, "zh-CN", "/console/key-accounts").await;
    let list = c.get("/console/key-accounts").await;
    assert!(list.html.contains("class=\"key-accounts-nav\""));
    assert!(list.html.contains("新增大客户"));
    let made = c
        .post(
            "/console/key-accounts",
            &[
                ("code", "ka-console"),
                ("name", "控制台测试有限公司"),
                ("industry", "家电"),
                ("assistants", "agent01"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let page_path = made.location.clone();
    assert!(page_path.starts_with("/console/key-accounts/"));
    // A contract ending in 40 days: its renewal contact is due now.
    let ends = today(&app)
        .saturating_add(jiff::Span::new().days(40))
        .to_string();
    let added = c
        .post(
            &format!("{page_path}/document"),
            &[
                ("kind", "contract"),
                ("number", "HT-C-1"),
                ("title", "年度合同"),
                ("starts_on", "2026-01-01"),
                ("ends_on", &ends),
                ("services", "整车，零担"),
                ("routes", "广东-上海"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    // A price outside the scope is refused on the page; one inside is a draft to file.
    let refused = c
        .post(
            &format!("{page_path}/price"),
            &[
                ("service", "整车"),
                ("route", "广东-北京"),
                ("unit", "trip"),
                ("price_yuan", "4500"),
                ("effective_from", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("route"), "{}", refused.html);
    let priced = c
        .post(
            &format!("{page_path}/price"),
            &[
                ("service", "整车"),
                ("route", "广东-上海"),
                ("unit", "trip"),
                ("price_yuan", "4500.50"),
                ("effective_from", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(priced.status, StatusCode::SEE_OTHER, "{}", priced.html);
    let page = c.get(&page_path).await;
    assert!(page.html.contains("4500.50"));
    assert!(page.html.contains("草稿（未报备，不可使用）"));
    let price_id = page
        .html
        .split("data-price=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let filed = c
        .post(&format!("{page_path}/file-price"), &[("item", &price_id)])
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.html);
    let page = c.get(&page_path).await;
    assert!(page.html.contains("class=\"filed\""), "{}", page.html);
    // Grading: the quarter under way is refused on the page; the last one is recorded.
    let now = kefu_model::key_accounts::Quarter::of(today(&app));
    let grading = |quarter: String| {
        vec![
            ("quarter", quarter),
            ("revenue_yuan", "600000".to_string()),
            ("margin_pct", "15".to_string()),
            ("difficulty", "3".to_string()),
            ("staff", "4".to_string()),
            ("punctuality_pct", "95".to_string()),
        ]
    };
    let as_fields = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    let early = as_fields(&grading(now.to_string()));
    let early: Vec<(&str, &str)> = early.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = c.post(&format!("{page_path}/grading"), &early).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("quarter"), "{}", refused.html);
    let last = grading(now.previous().to_string());
    let last: Vec<(&str, &str)> = last.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let graded = c.post(&format!("{page_path}/grading"), &last).await;
    assert_eq!(graded.status, StatusCode::SEE_OTHER, "{}", graded.html);
    let page = c.get(&page_path).await;
    assert!(
        page.html.contains("<strong class=\"grade\">2</strong>"),
        "{}",
        page.html
    );
    assert!(page.html.contains("76.0"));
    // Every table scrolls inside its wrapper at phone width.
    assert_eq!(
        page.html.matches("<table").count(),
        page.html.matches("class=\"table-wrap\"").count()
    );

    // The assistant: the account and its renewal reminder, in both languages.
    let agent = Console::open(&app, &app.agent, "zh-CN", "/console/key-accounts").await;
    let list = agent.get("/console/key-accounts").await;
    assert!(list.html.contains("KA-CONSOLE"));
    assert!(list.html.contains("续约联系"), "{}", list.html);
    assert!(!list.html.contains("新增大客户"), "the head adds accounts");
    let english = Console::open(&app, &app.agent, "en", "/console/key-accounts").await;
    let list = english.get("/console/key-accounts").await;
    assert!(list.html.contains("Renewal contact"), "{}", list.html);
    let due = kefu_model::key_accounts::renewal_due(
        today(&app).saturating_add(jiff::Span::new().days(40)),
    );
    assert!(list.html.contains(&due.to_string()));

    // Roles without key accounts: no link, no page.
    let finance = app.token_of(Role::Finance).await;
    let f = Console::open(&app, &finance, "zh-CN", "/queue/mine").await;
    assert!(!f.get("/queue/mine").await.html.contains("key-accounts-nav"));
    assert_eq!(
        f.get("/console/key-accounts").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(f.get(&page_path).await.status, StatusCode::FORBIDDEN);
}
