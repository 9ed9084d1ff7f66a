//! End-to-end tests of the console in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `.ci/run`). Screenshots of the main pages are written to
//! `target/screenshots/` (not committed).

mod network;
mod webdriver;

use reqwest::{Method, StatusCode};
use serde_json::json;
use webdriver::Driver;

use super::{PASSWORD, spawn_app};

fn screenshots() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Browser tests need Chromium; on a machine without it they say so, except in CI where its
/// absence is a failure.
fn browser_available() -> bool {
    if webdriver::binaries().is_some() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install chromium and chromium-driver"
    );
    eprintln!("skipping: chromium/chromedriver not installed");
    false
}

async fn no_console_errors(d: &Driver, page: &str) {
    let errors = d.console_errors().await;
    assert!(errors.is_empty(), "console errors on {page}: {errors:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_logs_in_opens_a_case_replies_transfers_and_escalates() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    let (status, case) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(json!({"channel": "phone", "subject": "包裹三天没有更新", "description": "客户来电催件",
                "waybill_no": "YL1234567890123",
                "customer": {"name": "王小明", "phone": "13812345678"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let number = case["number"].as_str().unwrap().to_string();
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{number}"),
            Some(&app.agent),
            Some(json!({"assignee": "agent01"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let shots = screenshots();
    let d = Driver::start(1366, 900).await;
    d.goto(&format!("{}/", app.base)).await;
    assert!(
        d.url().await.contains("/login"),
        "the console asks for a login"
    );
    d.wait_text("h1", "登录").await;
    d.screenshot(&shots.join("login.png")).await;
    no_console_errors(&d, "login").await;
    // A wrong password is refused and says so.
    d.type_into("#username", "agent01").await;
    d.type_into("#password", "wrong-password").await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.wait_text(".error", "不正确").await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    // The queue of my cases, with live counts in the navigation.
    d.wait_text("h1", "我的工单").await;
    // The count is filled in by the live stream, so it may arrive after the page.
    d.wait_text("nav.queues a[data-queue=mine] .count", "1")
        .await;
    let nav = d.text("nav.queues a[data-queue=mine] .count").await;
    assert_eq!(nav.trim(), "1");
    d.wait_text("table.cases", &number).await;
    d.screenshot(&shots.join("queue.png")).await;
    no_console_errors(&d, "queue").await;
    // Open the case from the queue.
    d.click(&format!("a.case-link[href='/cases/{number}']"))
        .await;
    d.wait_text("#case-title", "包裹三天没有更新").await;
    // Reply.
    d.type_into("#reply-body", "您好，已为您催促派送，今天内送达。")
        .await;
    d.click("form[action$='/reply'] button[type=submit]").await;
    d.wait_text(".timeline", "已为您催促派送").await;
    // A canned reply: typing part of its title suggests it, picking it fills the reply box
    // with the text for this case (the customer's name, the waybill), and it is sent.
    d.type_into("#canned-q", "延误").await;
    d.wait_text("#canned-suggestions", "延误致歉").await;
    d.click("#canned-suggestions .canned-pick").await;
    let filled = d.value("#reply-body").await;
    assert!(filled.starts_with("王小明您好"), "{filled}");
    assert!(filled.contains("YL1234567890123"), "{filled}");
    assert!(filled.contains(&number), "{filled}");
    assert!(!filled.contains("{{"), "{filled}");
    d.click("form[action$='/reply'] button[type=submit]").await;
    d.wait_text(".timeline", "非常抱歉您的快件（运单号 YL1234567890123）")
        .await;
    // A macro: reply, category and priority in one click.
    d.click("form.macro-row button[value='seed-macro-damage']")
        .await;
    d.wait_text(".facts", "破损").await;
    d.wait_text(".facts .prio", "P2").await;
    d.wait_text(".timeline", "破损问题已登记").await;
    // Transfer to operations.
    let ops = app.department_id("ops").await;
    d.select("#department", &ops).await;
    d.click("form[action$='/transfer'] button[type=submit]")
        .await;
    d.wait_text(".facts", "运营部").await;
    // Escalate with a reason.
    d.type_into("#escalate-reason", "客户第三次来电，情绪激动")
        .await;
    d.click("form[action$='/escalate'] button[type=submit]")
        .await;
    d.wait_text(".escalation", "1").await;
    d.wait_text(".timeline", "客户第三次来电").await;
    // The search box finds the case by a word of its reply ("催促" is in the agent's answer),
    // with the match marked.
    d.type_into("#top-search-q", "催促\u{E007}").await;
    d.wait_text("h1", "搜索").await;
    d.wait_text(".search-hits", &number).await;
    d.find(".search-hits mark").await;
    no_console_errors(&d, "search").await;
    // Back to the case from its hit.
    d.click(".search-hits a").await;
    d.wait_text("#case-title", "包裹三天没有更新").await;
    d.screenshot(&shots.join("case.png")).await;
    no_console_errors(&d, "case").await;
    // What the browser did is what the API sees.
    let (_, stored) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(stored["escalation_level"], 1);
    assert_eq!(stored["department"], ops);
    // English is one click away.
    d.click("a.lang").await;
    d.wait_text("#case-title", "包裹三天没有更新").await;
    d.wait_text(".facts", "Customer").await;
    d.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_writes_a_canned_reply_and_finds_it_by_typing_in_the_search_box() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    let (status, case) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(json!({"channel": "phone", "subject": "晚上还没送到",
                "customer": {"name": "王小明", "phone": "13812345678"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let number = case["number"].as_str().unwrap().to_string();
    let shots = screenshots();
    let d = Driver::start(1366, 900).await;
    d.goto(&format!("{}/login", app.base)).await;
    d.type_into("#username", "agent01").await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.wait_text("h1", "我的工单").await;
    // The page is in the navigation; the shipped replies are listed.
    d.click("a.canned-link").await;
    d.wait_text("h1", "快捷回复").await;
    d.wait_text("#canned-results", "延误致歉").await;
    no_console_errors(&d, "canned list").await;
    // A new personal reply, a variable inserted with a click where the cursor is.
    d.click("a.new-template").await;
    d.wait_text("h1", "新建模板").await;
    d.screenshot(&shots.join("canned-form.png")).await;
    d.type_into("#canned-title", "夜间催件安抚").await;
    d.type_into("#canned-body", "您好，").await;
    d.click(".insert-var[data-var='{{customer_name}}']").await;
    d.type_into("#canned-body", "，快件今晚一定送到。").await;
    assert_eq!(
        d.value("#canned-body").await,
        "您好，{{customer_name}}，快件今晚一定送到。"
    );
    d.type_into("#canned-tags", "夜间").await;
    // The macro's fields show only for a macro (a hidden select cannot be used).
    assert!(!d.displayed("#canned-status").await);
    d.click("input[name=kind][value=macro]").await;
    assert!(d.displayed("#canned-status").await);
    d.select("#canned-status", "pending_customer").await;
    d.click("input[name=kind][value=reply]").await;
    assert!(!d.displayed("#canned-status").await);
    // The preview of what is typed, filled in for a case (Enter previews, it does not save).
    d.type_into("#preview-case", &format!("{number}\u{E007}"))
        .await;
    d.wait_text("#canned-preview", "您好，王小明，快件今晚一定送到。")
        .await;
    d.wait_text("#canned-preview", "所有变量都有值").await;
    d.screenshot(&shots.join("canned-form-preview.png")).await;
    no_console_errors(&d, "canned form").await;
    d.click("form.canned-form button[type=submit].primary")
        .await;
    d.wait_text(".saved-notice", "已保存").await;
    // Typing in the search box narrows the list to it, without a page load.
    d.type_into("#canned-list-q", "夜间催").await;
    let list = d.wait_without("#canned-results", "延误致歉").await;
    assert!(list.contains("夜间催件安抚"), "{list}");
    assert!(list.contains("个人"), "{list}");
    assert_eq!(d.value("#canned-list-q").await, "夜间催", "no page load");
    d.screenshot(&shots.join("canned-list.png")).await;
    no_console_errors(&d, "canned search").await;
    let (_, stored) = app
        .call(
            Method::GET,
            "/api/v1/canned?scope=personal",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(stored["items"][0]["title"], "夜间催件安抚");
    assert_eq!(stored["items"][0]["tags"], json!(["夜间"]));
    // A team template opens read-only, with a preview for a case and no edit buttons; a
    // refused preview shows why.
    d.click(".canned-table a.canned-title").await;
    d.wait_text("h1", "夜间催件安抚").await;
    d.goto(&format!("{}/canned/seed-delay-apology", app.base))
        .await;
    d.wait_text(".read-only", "只读").await;
    d.type_into("#preview-case", &number).await;
    d.click(".canned-preview-form button[type=submit]").await;
    d.wait_text("#canned-preview", "王小明您好").await;
    d.wait_text("#canned-preview .missing", "{{waybill}}").await;
    no_console_errors(&d, "canned read-only").await;
    d.type_into("#preview-case", "-0").await;
    d.click(".canned-preview-form button[type=submit]").await;
    d.wait_text("#canned-preview .error", "not found").await;
    d.expect_refusals(404).await;
    d.quit().await;
}

#[tokio::test]
async fn console_pages_need_a_session_and_a_csrf_token() {
    let app = spawn_app().await;
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .get(format!("{}/queue/mine", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=%2Fqueue%2Fmine");
    let r = http
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    // A login without the login-form cookie is not accepted.
    let r = http
        .post(format!("{}/login", app.base))
        .form(&[
            ("username", "agent01"),
            ("password", PASSWORD),
            ("_csrf", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().contains("kefu_session="))
    );
    // With a session cookie, a post without the CSRF token is refused and changes nothing.
    let cookie = format!("kefu_session={}", app.agent);
    let (_, case) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(json!({"channel": "phone", "subject": "测试", "customer": {"phone": "13812340000"}})),
        )
        .await;
    let id = case["id"].as_str().unwrap();
    let r = http
        .post(format!("{}/cases/{id}/escalate", app.base))
        .header("cookie", &cookie)
        .form(&[("reason", "no token")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, events) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    assert!(!events.to_string().contains("escalated"));
    // The queue page renders for the session.
    let r = http
        .get(format!("{}/queue/unassigned", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("测试"), "the unassigned case is listed");
    for sort in ["newest", "oldest", "priority", "due_soonest"] {
        let r = http
            .get(format!("{}/queue/all?sort={sort}", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("测试"), "{sort}");
        assert!(
            html.contains(&format!("value=\"{sort}\" selected")),
            "{sort} is shown chosen"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_dashboard_shows_the_figures() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    for phone in ["13812340001", "13812340002", "13812340003"] {
        let (status, _) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&app.agent),
                Some(
                    json!({"channel": "wechat", "subject": "改地址", "customer": {"phone": phone}}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // The agent is on, taking up to four chats.
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/me/presence",
            Some(&app.agent),
            Some(json!({"presence": "online", "max_chats": 4})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let d = Driver::start(1366, 900).await;
    d.goto(&format!("{}/login", app.base)).await;
    d.type_into("#username", "admin").await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.find("a.dashboard-link").await;
    d.click("a.dashboard-link").await;
    d.wait_text("h1", "主管看板").await;
    assert_eq!(d.text("[data-figure=today-new]").await, "3");
    assert_eq!(d.text("[data-figure=period-new]").await, "3");
    d.wait_text("table.small", "微信").await;
    d.wait_text("table.presence", "在线").await;
    d.wait_text("table.presence", "0/4").await;
    // The chart library drew the daily series.
    d.find("#daily-chart canvas").await;
    d.click("nav.periods a[href='/dashboard?days=30']").await;
    d.wait_text("section.period h2", "近 30 天").await;
    d.screenshot(&screenshots().join("dashboard.png")).await;
    no_console_errors(&d, "dashboard").await;
    // An agent is not shown the dashboard: no link in the header, and the page itself refuses.
    d.click("form[action='/logout'] button[type=submit]").await;
    d.find("#username").await;
    d.type_into("#username", "agent01").await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.find("form[action='/logout']").await;
    d.wait_text("span.user", "agent").await;
    assert!(
        !d.exists("a.dashboard-link").await,
        "an agent's header links the dashboard"
    );
    d.goto(&format!("{}/dashboard", app.base)).await;
    let refusal = d.wait_text("p.error[role=alert]", "").await;
    assert!(!refusal.is_empty(), "the refusal says why");
    assert!(
        !d.exists("[data-figure=today-new]").await,
        "an agent sees no figures"
    );
    assert_ne!(d.text("h1").await, "主管看板");
    d.expect_refusals(403).await;
    d.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_on_a_phone_tracks_books_and_takes_a_complaint() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    let waybill = super::own_waybill(77);
    let mut shipment = super::shipment(&waybill);
    shipment["shipped_at"] = json!("2026-11-20T02:00:00Z");
    shipment["promised_at"] = json!("2099-01-01T00:00:00Z");
    shipment["events"] = json!([{"at": "2026-11-20T03:00:00Z", "code": "picked_up", "location": "深圳南山网点", "description": "已揽收"},
        {"at": "2026-11-20T09:00:00Z", "code": "in_transit", "location": "深圳转运中心", "description": "已发往北京"}]);
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/shipments",
            Some(&app.admin),
            Some(shipment),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let shots = screenshots();
    // A phone-sized viewport.
    let d = Driver::start(390, 844).await;
    d.goto(&format!("{}/portal", app.base)).await;
    d.wait_text("h1", "查快递").await;
    d.screenshot(&shots.join("portal.png")).await;
    d.type_into("#waybill_no", &waybill).await;
    d.click("form[action='/portal/track'] button").await;
    d.wait_text(".result", "深圳转运中心").await;
    let result = d.text(".result").await;
    assert!(
        !result.contains("13800138000"),
        "no full phone numbers: {result}"
    );
    d.screenshot(&shots.join("portal-track.png")).await;
    no_console_errors(&d, "portal track").await;
    // Book a pickup: quote first, then book.
    d.goto(&format!("{}/portal/pickup", app.base)).await;
    d.type_into("#sname", "王小明").await;
    d.type_into("#sphone", "13812345678").await;
    d.type_into("#origin", "上海市浦东新区世纪大道100号").await;
    d.type_into("#destination", "北京市朝阳区建国路88号").await;
    d.type_into("#item", "衣服").await;
    d.type_into("#weight", "2.3").await;
    d.click("button[value=quote]").await;
    d.wait_text(".quote .total", "27.00").await;
    d.click("button[value=book]").await;
    let booked = d.wait_text(".pickup-number", "PU").await;
    d.screenshot(&shots.join("portal-pickup.png")).await;
    let (_, stored) = app
        .call(
            Method::GET,
            &format!("/api/v1/pickups/{}", booked.trim()),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(stored["sender"]["name"], "王小明");
    no_console_errors(&d, "portal pickup").await;
    // A complaint becomes a case; its number and phone show its progress.
    d.goto(&format!("{}/portal/contact", app.base)).await;
    d.select("#category", "complaint").await;
    d.type_into("#phone", "13812345678").await;
    d.type_into("#message", "快递员没有打电话就把包裹放在门口")
        .await;
    d.click("form[action='/portal/contact'] button").await;
    let number = d.wait_text(".case-number", "KF").await.trim().to_string();
    d.screenshot(&shots.join("portal-complaint.png")).await;
    let (_, case) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(
        (case["channel"].as_str(), case["category"].as_str()),
        (Some("web"), Some("complaint"))
    );
    d.goto(&format!("{}/portal/case", app.base)).await;
    d.type_into("#number", &number).await;
    d.type_into("#cphone", "13900000000").await;
    d.click("form[action='/portal/case'] button").await;
    d.wait_text(".error", "没有找到").await;
    d.goto(&format!(
        "{}/portal/case?number={number}&phone=13812345678",
        app.base
    ))
    .await;
    d.wait_text(".result", &number).await;
    no_console_errors(&d, "portal case").await;
    d.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_finds_a_customer_and_opens_a_phone_case_with_the_parcel() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    let waybill = super::own_waybill(88);
    let mut shipment = super::shipment(&waybill);
    shipment["events"] = json!([{"at": "2026-01-02T03:00:00Z", "code": "picked_up", "location": "深圳南山网点", "description": "已揽收"}]);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/shipments",
            Some(&app.admin),
            Some(shipment),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let d = Driver::start(1366, 900).await;
    d.goto(&format!("{}/login", app.base)).await;
    d.type_into("#username", "agent01").await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.wait_text("h1", "我的工单").await;
    // The caller is not a customer yet: a new phone case, pre-filled from the number.
    d.goto(&format!("{}/cases/new?phone=13900139000", app.base))
        .await;
    d.type_into("#nname", "李四").await;
    d.type_into("#nsubject", "包裹一直没有更新").await;
    d.type_into("#ndescription", &format!("运单号 {waybill}"))
        .await;
    d.click("form[action='/cases/new'] button[type=submit]")
        .await;
    d.wait_text("#case-title", "包裹一直没有更新").await;
    // Intake linked the parcel named in the text; its scans show on the case.
    d.wait_text(".parcel", "深圳南山网点").await;
    no_console_errors(&d, "new case").await;
    // A claim from the case: opened with the parcel's declared value, then proposed.
    d.select("#claim-kind", "lost").await;
    d.type_into("#claim-amount", "280").await;
    d.click("form[action$='/claim'] button[type=submit]").await;
    d.wait_text(".claims", "丢件 · 已受理").await;
    d.type_into(".claim input[name=loss_amount]", "280").await;
    d.click("form[action$='/claim-propose'] button[type=submit]")
        .await;
    d.wait_text(".claims", "已提出赔付方案").await;
    assert!(d.text(".claims").await.contains("¥280 → ¥280"));
    // Another parcel linked by hand.
    let second = super::own_waybill(89);
    d.type_into("#link-waybill", &second).await;
    d.click("form[action$='/waybill'] button[type=submit]")
        .await;
    d.wait_text(".facts", &second).await;
    no_console_errors(&d, "claims").await;
    // Tracking lookup in the console, and a case opened from the answer.
    d.goto(&format!("{}/track?waybill_no={waybill}", app.base))
        .await;
    d.wait_text(".outcome", "无结果").await;
    d.wait_text(".parcel", "深圳南山网点").await;
    d.select("#t-issue", "delay").await;
    d.type_into("#t-cphone", "13900139000").await;
    d.click("form[action='/track/case'] button[type=submit]")
        .await;
    d.wait_text("#case-title", &waybill).await;
    d.wait_text(".promises", "答复客户").await;
    no_console_errors(&d, "track").await;
    // Customer 360 by phone and by waybill.
    d.goto(&format!("{}/customers?q=13900139000", app.base))
        .await;
    d.wait_text(".case-head", "李四").await;
    let page = d.text("main").await;
    assert!(
        page.contains("包裹一直没有更新") && page.contains(&waybill),
        "{page}"
    );
    assert!(!page.contains("13900139000"), "phones are masked: {page}");
    // Seeing the full number is possible, and recorded.
    d.click("form.reveal button").await;
    d.wait_text(".phones", "13900139000").await;
    let (status, audit) = app
        .call(Method::GET, "/api/v1/audit", Some(&app.admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(audit["items"][0]["actor"], "user:agent01");
    assert_eq!(audit["items"][0]["action"], "reveal_contacts");
    let (status, _) = app
        .call(Method::GET, "/api/v1/audit", Some(&app.agent), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    d.goto(&format!("{}/customers?q={waybill}", app.base)).await;
    d.wait_text(".case-head", "李四").await;
    assert!(
        !d.text(".phones").await.contains("13900139000"),
        "masked again on the next look"
    );
    d.screenshot(&screenshots().join("customer.png")).await;
    no_console_errors(&d, "customer 360").await;
    d.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_books_a_pickup_from_a_case_found_by_name_and_the_department_answers_back() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    let (status, _) = app
        .call(Method::POST, "/api/v1/network/organisations", Some(&app.admin), Some(json!({"key": "sh-pd", "kind": "outlet", "name": "上海浦东网点", "districts": ["310115"], "couriers": [{"id": "c1", "name": "周师傅", "phone": "13500000001"}]})))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, case) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(json!({"channel": "phone", "subject": "明天上午上门取件", "description": "客户要寄衣服到苏州",
                "customer": {"name": "欧阳娜娜", "phone": "13812340000"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let number = case["number"].as_str().unwrap().to_string();
    let shots = screenshots();
    let d = Driver::start(1366, 900).await;
    d.goto(&format!("{}/login", app.base)).await;
    d.type_into("#username", "agent01").await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.wait_text("h1", "我的工单").await;
    // Customer lookup by part of the name.
    d.goto(&format!("{}/customers", app.base)).await;
    d.type_into("#q", "欧阳").await;
    d.click("form[action='/customers'] button[type=submit]")
        .await;
    d.wait_text(".case-head", "欧阳娜娜").await;
    d.click(&format!(".customer-cases a[href='/cases/{number}']"))
        .await;
    d.wait_text("#case-title", "明天上午上门取件").await;
    // A pickup from the case, with the live quote.
    d.type_into("#pu-origin", "上海市浦东新区世纪大道100号")
        .await;
    d.type_into("#pu-destination", "江苏省苏州市姑苏区人民路1号")
        .await;
    d.type_into("#pu-item", "衣服").await;
    d.type_into("#pu-weight", "3.2").await;
    d.wait_text("#pickup-quote .total", "¥").await;
    let quote = d.text("#pickup-quote").await;
    assert!(quote.contains("✓"), "covered: {quote}");
    d.screenshot(&shots.join("case-pickup-quote.png")).await;
    d.click("form.pickup-form button[type=submit]").await;
    d.wait_text(".timeline", "已预约取件 PU").await;
    d.wait_text(".case-pickups", "周师傅").await;
    no_console_errors(&d, "case pickup").await;
    let (_, pickups) = app
        .call(
            Method::GET,
            &format!("/api/v1/pickups?case_id={number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(pickups["items"][0]["sender"]["name"], "欧阳娜娜");
    // Transferred to operations with a deadline; the department sees it and answers back.
    let due = kefu_model::Clock::now(app.clock.as_ref()) + jiff::SignedDuration::from_hours(3);
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{number}"),
            Some(&app.agent),
            Some(json!({"department": "ops", "department_due_at": due.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let due_local = due
        .to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .strftime("%m-%d %H:%M")
        .to_string();
    d.click("form[action='/logout'] button").await;
    d.wait_text("h1", "登录").await;
    d.type_into("#username", "ops01").await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.wait_text("h1", "我的工单").await;
    d.goto(&format!("{}/department", app.base)).await;
    d.wait_text("h1", "部门待办").await;
    let row = d.wait_text("table.inbox", &number).await;
    assert!(row.contains(&due_local), "the deadline shows: {row}");
    d.screenshot(&shots.join("department.png")).await;
    no_console_errors(&d, "department inbox").await;
    d.click(&format!("a.case-link[href='/cases/{number}']"))
        .await;
    d.wait_text("#case-title", "明天上午上门取件").await;
    d.type_into("#handback-note", "已联系快递员，明早九点上门")
        .await;
    d.click("form[action$='/handback'] button[type=submit]")
        .await;
    d.wait_text(".empty", "没有转给该部门").await;
    let (_, stored) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert!(stored["department"].is_null(), "handed back: {stored}");
    d.quit().await;
}

/// A page of "another company's web site" on its own loopback port (another origin) that
/// embeds kefu's chat with the one-line snippet.
async fn host_page(kefu: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let html = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>某某商城</title></head>\
         <body><h1>某某商城</h1><p>欢迎选购</p><script src=\"{kefu}/widget.js\" data-lang=\"zh\" async></script></body></html>"
    );
    tokio::spawn(async move {
        // Bounded: the test needs a handful of page loads.
        for _ in 0..50 {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{html}",
                html.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_chats_through_the_widget_on_another_site_and_an_agent_answers_in_the_console() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    let shop = host_page(&app.base).await;
    let shots = screenshots();
    let d = Driver::start(1366, 900).await;

    // The agent signs in and goes online in the chat desk.
    d.goto(&format!("{}/login", app.base)).await;
    d.type_into("#username", "agent01").await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.wait_text("h1", "我的工单").await;
    d.goto(&format!("{}/chats", app.base)).await;
    d.wait_text("h1", "在线会话").await;
    d.click("input[name=presence][value=online]").await;
    d.click(".presence-form button[type=submit]").await;
    d.wait_text(".presence-now", "在线").await;
    no_console_errors(&d, "chats").await;

    // A customer on the shop's site opens the chat button; the bot answers first.
    d.goto(&shop).await;
    d.wait_text("h1", "某某商城").await;
    d.click("button[aria-label='在线客服']").await;
    d.enter_frame("iframe[title='在线客服']").await;
    d.wait_text("#chat-log", "智能客服").await;
    d.type_into("#chat-input", "锂电池能寄吗").await;
    d.click("#chat-send").await;
    // The bot's answer (not just our own bubble): new lines scroll the log, so the next
    // message is typed once the page is still.
    d.wait_text("#chat-log", "限寄物品").await;
    d.type_into("#chat-input", "转人工").await;
    d.click("#chat-send").await;
    d.wait_text("#chat-log", "人工客服").await;
    // Routing gives the chat to the agent who is online.
    d.wait_text("#chat-log", "为您服务").await;
    d.leave_frame().await;
    d.screenshot(&shots.join("widget-chat.png")).await;
    no_console_errors(&d, "widget").await;

    // The agent sees the conversation, with what the bot understood, and answers.
    d.goto(&format!("{}/chats", app.base)).await;
    d.wait_text(".chat-panel .chat-log", "转人工").await;
    d.wait_text(".chat-panel .chat-log", "human").await;
    // The canned replies are the templates, filled in for this chat and this agent.
    d.select(
        ".chat-panel .canned",
        "您好！欢迎联系快递客服中心，agent01为您服务，请问有什么可以帮您？",
    )
    .await;
    d.type_into(".chat-panel .chat-input", "您的锂电池需要单独包装。")
        .await;
    d.click(".chat-panel button[type=submit]").await;
    d.wait_text(
        ".chat-panel .chat-log li.msg.agent:not(.pending)",
        "单独包装",
    )
    .await;
    d.screenshot(&shots.join("chat-desk.png")).await;
    no_console_errors(&d, "chat desk").await;
    // The agent hands the chat to operations from the panel.
    let ops = app.department_id("ops").await;
    d.select(
        ".chat-panel .chat-transfer select",
        &format!("department:{ops}"),
    )
    .await;
    d.click(".chat-panel .chat-transfer button[type=submit]")
        .await;
    d.wait_text(".chat-panel .chat-log", "已转部门").await;
    let (_, chats) = app
        .call(Method::GET, "/api/v1/cases?limit=5", Some(&app.agent), None)
        .await;
    let chat_case = chats["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "chat")
        .cloned()
        .unwrap();
    assert_eq!(chat_case["department"], ops, "{chat_case}");

    // Back on the shop's site (a new page load): the conversation continues where it was,
    // with the agent's answer that came while the customer was away.
    d.goto(&shop).await;
    d.click("button[aria-label='在线客服']").await;
    d.enter_frame("iframe[title='在线客服']").await;
    d.wait_text("#chat-log", "单独包装").await;
    d.wait_text("#chat-log", "已转交处理部门").await;
    let log = d.text("#chat-log").await;
    assert_eq!(
        log.matches("锂电池能寄吗").count(),
        1,
        "the customer's message shows once after the reload: {log}"
    );
    d.leave_frame().await;
    no_console_errors(&d, "widget after reload").await;
    d.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kb_help_centre_on_a_phone_searches_opens_and_votes() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    // The index follows the store's outbox: wait until the shipped articles are searchable.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let search = format!("{}/portal/help?q=%E7%A0%B4%E6%8D%9F", app.base);
    while !http
        .get(&search)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("/portal/help/seed-damage-claim")
    {
        assert!(tokio::time::Instant::now() < deadline, "never indexed");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let d = Driver::start(390, 844).await;
    d.goto(&format!("{}/portal/help", app.base)).await;
    d.wait_text("h1", "帮助中心").await;
    d.type_into("#help-q", "破损").await;
    d.click(".help-search button[type=submit]").await;
    d.wait_text(".help-results", "包裹破损了怎么理赔").await;
    d.find(".help-results mark").await;
    d.screenshot(&screenshots().join("help-search.png")).await;
    d.click(".help-results a[href='/portal/help/seed-damage-claim']")
        .await;
    d.wait_text("#article-title", "包裹破损了怎么理赔").await;
    d.wait_text(".feedback", "这篇文章有帮助吗").await;
    d.click("button.vote-yes").await;
    d.wait_text(".feedback-thanks", "谢谢您的反馈").await;
    d.screenshot(&screenshots().join("help-article.png")).await;
    no_console_errors(&d, "help centre").await;
    d.quit().await;
    // The vote reached the console.
    let page = http
        .get(format!("{}/kb/seed-damage-claim", app.base))
        .header("cookie", format!("kefu_session={}", app.agent))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-count=\"helpful\">1<"), "{page}");
}

/// A boosted console form that is refused shows the refusal (the page the server answered,
/// with the error and what was typed) instead of seeming to do nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_console_form_shows_why() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    let d = Driver::start(1366, 900).await;
    d.goto(&format!("{}/login", app.base)).await;
    d.type_into("#username", "agent01").await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.wait_text("h1", "我的工单").await;
    d.goto(&format!("{}/cases/new", app.base)).await;
    d.wait_text("h1", "新建").await;
    // Not a phone number: the desk refuses it (422), the form comes back with the error.
    d.type_into("#nphone", "12345").await;
    d.type_into("#nsubject", "客户来电催件").await;
    d.click("form[action='/cases/new'] button[type=submit]")
        .await;
    d.wait_text("p.error", "phone").await;
    d.expect_refusals(422).await;
    assert_eq!(d.value("#nphone").await, "12345");
    d.quit().await;
}

/// The console check catches what the page's Content-Security-Policy blocks: an inline style
/// set on a kefu page is refused by the browser and reported, so a template or script that adds
/// one fails the tests that visit it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csp_violation_on_a_page_is_a_console_error() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    let d = Driver::start(1024, 768).await;
    d.goto(&format!("{}/login", app.base)).await;
    d.find("#username").await;
    assert!(
        d.console_errors().await.is_empty(),
        "the login page is clean"
    );
    d.script("document.body.setAttribute('style', 'color: red'); return true;")
        .await;
    let errors = d.console_errors().await;
    assert!(
        errors.iter().any(|e| e.contains("Content Security Policy")),
        "a blocked inline style is reported: {errors:?}"
    );
    d.quit().await;
}

/// Same-origin pages linked from `start`, followed breadth-first up to `limit` pages: every
/// page a user can reach by clicking, each checked by `goto` for console errors.
async fn visit_every_linked_page(d: &Driver, base: &str, start: &str, limit: usize) -> Vec<String> {
    let mut queue = std::collections::VecDeque::from([start.to_string()]);
    let mut seen = std::collections::BTreeSet::from([start.to_string()]);
    let mut visited = Vec::new();
    while let Some(path) = queue.pop_front() {
        if visited.len() == limit {
            break;
        }
        d.goto(&format!("{base}{path}")).await;
        d.find("body").await;
        visited.push(path);
        let links = d
            .script(
                "return Array.from(document.querySelectorAll('a[href]'))
                   .map(a => a.getAttribute('href'))
                   .filter(h => h.startsWith('/') && !h.startsWith('//'));",
            )
            .await;
        for link in links.as_array().into_iter().flatten() {
            let Some(href) = link.as_str() else { continue };
            let href = href.split('#').next().unwrap_or_default().to_string();
            // Leaving the session, files and API documents are not pages.
            let not_a_page = href.is_empty()
                || href.starts_with("/logout")
                || href.starts_with("/static")
                || href.starts_with("/api/")
                || href.contains("export")
                || href.contains(".csv");
            if !not_a_page && seen.insert(href.clone()) {
                queue.push_back(href);
            }
        }
    }
    d.assert_no_console_errors().await;
    visited
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_a_user_can_reach_opens_without_a_console_error() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    // Something on every list: a case with a parcel, its customer, a claim's worth of history.
    let case = app
        .create_case(json!({"channel": "phone", "subject": "外包装破损", "description": "客户来电说箱子压坏了",
            "waybill_no": "YL1234567890123", "customer": {"name": "王小明", "phone": "13812345678"}}))
        .await;
    assert!(case["number"].is_string(), "{case}");
    for (user, start, least) in [("admin", "/", 40), ("agent01", "/", 30), ("ops01", "/", 10)] {
        let d = Driver::start(1366, 900).await;
        d.goto(&format!("{}/login", app.base)).await;
        d.type_into("#username", user).await;
        d.type_into("#password", PASSWORD).await;
        d.click("form[action='/login'] button[type=submit]").await;
        d.find("nav").await;
        let visited = visit_every_linked_page(&d, &app.base, start, 120).await;
        eprintln!("{user}: {} pages", visited.len());
        assert!(
            visited.len() >= least,
            "{user} reached only {visited:?} from {start}"
        );
        d.quit().await;
    }
    let d = Driver::start(390, 844).await;
    let visited = visit_every_linked_page(&d, &app.base, "/portal", 30).await;
    assert!(visited.len() >= 3, "the portal links only {visited:?}");
    d.quit().await;
}

/// The satisfaction survey on a customer's phone: the link the resolution's SMS carries opens
/// the form without a sign-in, a poor answer with a reason is taken once, and the supervisor
/// sees it in the key figures' satisfaction tile and the follow-up queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_answers_the_survey_on_a_phone_and_the_supervisor_follows_it_up() {
    if !browser_available() {
        return;
    }
    let app = spawn_app().await;
    let admin = |method: Method, path: &str, body: Option<serde_json::Value>| {
        let path = path.to_string();
        let app = &app;
        async move {
            let (status, answer) = app.call(method, &path, Some(&app.admin), body).await;
            assert!(status.is_success(), "{path}: {status} {answer}");
            answer
        }
    };
    admin(
        Method::POST,
        "/api/v1/channels/sms",
        Some(
            json!({"name": "短信网关", "endpoint": "https://sms.yunlu.example/send",
            "sign_name": "云路快递", "api_key": "sms-key-browser"}),
        ),
    )
    .await;
    let case = admin(
        Method::POST,
        "/api/v1/cases",
        Some(json!({"channel": "phone", "subject": "快递三天没更新",
            "customer": {"name": "张三", "phone": "13800138301"}})),
    )
    .await;
    let id = case["id"].as_str().unwrap().to_string();
    let number = case["number"].as_str().unwrap().to_string();
    for status in ["open", "resolved"] {
        admin(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            Some(json!({"status": status})),
        )
        .await;
    }
    let deliveries = admin(Method::GET, &format!("/api/v1/cases/{id}/deliveries"), None).await;
    let sms = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["notice"] == "survey")
        .unwrap_or_else(|| panic!("no survey SMS: {deliveries}"))["body"]
        .as_str()
        .unwrap()
        .to_string();
    let link = sms
        .split_whitespace()
        .find(|w| w.contains("/survey/"))
        .unwrap()
        .to_string();
    let token = link.rsplit('/').next().unwrap().to_string();

    let shots = screenshots();
    let d = Driver::start(375, 812).await;
    d.goto(&format!("{}/survey/{token}", app.base)).await;
    d.wait_text("h1", "满意度").await;
    d.wait_text(".survey", &number).await;
    d.click("input[name=score][value='2']").await;
    d.click("fieldset.poor input[type=checkbox]").await;
    d.type_into("#sv-comment", "等了三天才有人回电").await;
    d.screenshot(&shots.join("survey-phone.png")).await;
    d.click("form.survey-form button.primary").await;
    d.wait_text(".rated", "2★").await;
    no_console_errors(&d, "survey").await;
    // One answer: the link now shows the answer, with no form.
    d.goto(&format!("{}/survey/{token}", app.base)).await;
    d.wait_text(".rated", "2★").await;
    assert!(
        !d.exists("form.survey-form").await,
        "a second answer offered"
    );
    let stored = admin(Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(stored["rating"], 2, "{stored}");
    assert_eq!(stored["survey"]["answer"]["poor"], true, "{stored}");
    assert_eq!(stored["survey"]["answer"]["comment"], "等了三天才有人回电");

    // The supervisor: 0 % satisfied today, and the case in the follow-up queue.
    d.goto(&format!("{}/login", app.base)).await;
    d.type_into("#username", "admin").await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.find("form[action='/logout']").await;
    d.goto(&format!("{}/console/kpis", app.base)).await;
    d.wait_text(".tiles", "满意度").await;
    d.wait_text(".tiles", "0.0%").await;
    d.goto(&format!("{}/console/follow-ups", app.base)).await;
    d.wait_text(&format!("li.follow-up[data-case='{number}']"), &number)
        .await;
    no_console_errors(&d, "follow-ups").await;
    d.quit().await;
}
