//! The key-account pages as a browser without scripts uses them: the head adds an account,
//! a contract, a price and files it, records a quarter's grading (one not yet ended refused
//! on the page); the assistant sees the account and its renewal reminder in both languages;
//! roles without key accounts get neither the link nor the page. The account's page shows its
//! grade's policy in words; its assistant edits and removes contacts, file entries and
//! documents there (a bad edit refused with nothing changed, another agent gets 404).

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{account, contract, today};
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

#[tokio::test]
async fn the_page_shows_the_grade_policy_and_the_assistant_edits_and_removes_items() {
    let app = spawn_app().await;
    let id = account(&app, "KA-EDIT").await;
    let api = format!("/api/v1/key-accounts/{id}");
    let page_path = format!("/console/key-accounts/{id}");
    let head = app.as_role(Role::Supervisor);
    for (name, phone) in [("张经理", "13800138001"), ("李主管", "13800138002")] {
        head.post(
            &format!("{api}/contacts"),
            json!({"name": name, "title": "物流部", "phone": phone}),
        )
        .await
        .expect(201);
    }
    for name in ["东莞仓", "上海仓"] {
        head.post(
            &format!("{api}/file-entries"),
            json!({"role": "shipper", "name": name, "phone": "0769-22222222"}),
        )
        .await
        .expect(201);
    }
    let ends = today(&app).saturating_add(jiff::Span::new().days(200));
    head.post(&format!("{api}/documents"), contract(ends))
        .await
        .expect(201);

    // Ungraded: no policy yet.
    let agent = Console::open(&app, &app.agent, "zh-CN", "/console/key-accounts").await;
    let page = agent.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("等级服务政策"), "{}", page.html);
    assert!(page.html.contains("尚未评级"));
    let english = Console::open(&app, &app.agent, "en", "/console/key-accounts").await;
    assert!(
        english
            .get(&page_path)
            .await
            .html
            .contains("not graded yet")
    );

    // Graded 2 (76 points): the default grade-2 policy, in both languages.
    let last = kefu_model::key_accounts::Quarter::of(today(&app))
        .previous()
        .to_string();
    head.post(
        &format!("{api}/gradings"),
        json!({"quarter": last, "revenue_yuan": 600000, "margin_pct": 15, "difficulty": 3,
            "staff": 4, "punctuality_pct": 95}),
    )
    .await
    .expect(201);
    let page = agent.get(&page_path).await;
    assert!(
        page.html
            .contains("交接期 3 个月 · 每月复盘会：有 · 每年满意度调查 2 次 · 响应时限 4 小时"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("尚未评级"));
    let en = english.get(&page_path).await;
    assert!(en.html.contains("Grade policy"), "{}", en.html);
    assert!(en.html.contains("Hand-over 3 months"));
    assert!(en.html.contains("Monthly review meeting: yes"));
    assert!(en.html.contains("Response within 4 hours"));

    let before = app.as_role(Role::Agent).get(&api).await.expect(200);
    let ids = |a: &Value, list: &str| -> Vec<String> {
        a[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    let contacts = ids(&before, "contacts");
    let entries = ids(&before, "file_entries");
    let documents = ids(&before, "documents");
    assert!(
        page.html
            .contains(&format!("data-contact=\"{}\"", contacts[0]))
    );
    assert!(
        page.html
            .contains(&format!("data-entry=\"{}\"", entries[1]))
    );

    // The assistant edits the first contact: exactly that one changes.
    let edited = agent
        .post(
            &format!("{page_path}/contact-edit"),
            &[
                ("item", &contacts[0]),
                ("name", "张总"),
                ("title", "总经理"),
                ("phone", "13800138009"),
                ("is_management", "1"),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.html);
    let after = app.as_role(Role::Agent).get(&api).await.expect(200);
    assert_eq!(after["contacts"][0]["id"], contacts[0].as_str());
    assert_eq!(after["contacts"][0]["name"], "张总");
    assert_eq!(after["contacts"][0]["title"], "总经理");
    assert_eq!(after["contacts"][0]["is_management"], true);
    assert_eq!(after["contacts"][1], before["contacts"][1]);
    assert_eq!(after["file_entries"], before["file_entries"]);

    // A bad edit (no name) is refused on the page, with nothing changed.
    let bad = agent
        .post(
            &format!("{page_path}/contact-edit"),
            &[
                ("item", &contacts[1]),
                ("name", " "),
                ("phone", "13800138002"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("name"), "{}", bad.html);
    let unchanged = app.as_role(Role::Agent).get(&api).await.expect(200);
    assert_eq!(unchanged["contacts"], after["contacts"]);

    // The second file entry removed: only the first is left.
    let removed = agent
        .post(
            &format!("{page_path}/entry-remove"),
            &[("item", &entries[1])],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.html);
    let after = app.as_role(Role::Agent).get(&api).await.expect(200);
    assert_eq!(ids(&after, "file_entries"), [entries[0].clone()]);
    assert_eq!(after["file_entries"][0], before["file_entries"][0]);
    assert_eq!(after["contacts"], unchanged["contacts"]);

    // The document: retitled (its scope kept), then removed.
    let retitled = agent
        .post(
            &format!("{page_path}/document-edit"),
            &[
                ("item", &documents[0]),
                ("kind", "contract"),
                ("number", "HT-2026-001"),
                ("title", "年度运输合同（续）"),
                ("starts_on", "2026-01-01"),
                ("ends_on", &ends.to_string()),
                ("services", "整车, 零担"),
                ("routes", "广东-上海"),
                ("status", "in_force"),
            ],
        )
        .await;
    assert_eq!(retitled.status, StatusCode::SEE_OTHER, "{}", retitled.html);
    let after = app.as_role(Role::Agent).get(&api).await.expect(200);
    assert_eq!(after["documents"][0]["title"], "年度运输合同（续）");
    assert_eq!(after["documents"][0]["services"], json!(["整车", "零担"]));
    let gone = agent
        .post(
            &format!("{page_path}/document-remove"),
            &[("item", &documents[0])],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.html);
    let after = app.as_role(Role::Agent).get(&api).await.expect(200);
    assert!(after["documents"].as_array().unwrap().is_empty());

    // An agent who is not the account's assistant: 404, nothing removed.
    let other = app.staff_of("agent02", "agent", "service").await;
    let stranger = Console::open(&app, &other, "zh-CN", "/console/key-accounts").await;
    let refused = stranger
        .post(
            &format!("{page_path}/contact-remove"),
            &[("item", &contacts[0])],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let still = app.as_role(Role::Agent).get(&api).await.expect(200);
    assert_eq!(ids(&still, "contacts"), contacts);
}
