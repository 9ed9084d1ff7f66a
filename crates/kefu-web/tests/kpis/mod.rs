//! The key figures over HTTP: the report and its drill-down agree, bad periods and codes are
//! refused with the field named, each role reads its own part, the CSV and the rebuild, and the
//! console's page with its links to the cases.

use kefu_model::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::console::Console;
use crate::{TestApp, error_code, spawn_app};

/// Today in Shanghai by the server's clock, and the period of today.
fn today(app: &TestApp) -> (jiff::civil::Date, String) {
    let day = jiff::tz::TimeZone::get("Asia/Shanghai")
        .unwrap()
        .to_datetime(kefu_model::Clock::now(app.clock.as_ref()))
        .date();
    (day, format!("from={day}&to={}", day.tomorrow().unwrap()))
}

async fn case(app: &TestApp, channel: &str, phone: &str) -> Value {
    app.create_case(
        json!({"channel": channel, "subject": "查件", "description": "包裹到哪了",
        "customer": {"name": "顾客", "phone": phone}, "category": "track", "priority": "P3"}),
    )
    .await
}

fn numbers(page: &Value) -> Vec<String> {
    let mut n: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

#[tokio::test]
async fn the_report_counts_the_cases_its_drill_down_lists() {
    let app = spawn_app().await;
    let (_, period) = today(&app);
    let phone = case(&app, "phone", "13600000001").await;
    let email = case(&app, "email", "13600000002").await;
    let answered = phone["id"].as_str().unwrap();
    app.clock.advance(jiff::SignedDuration::from_mins(3));
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{answered}/messages"),
            Some(&app.agent),
            Some(json!({"body": "您的包裹今天派送", "visibility": "public"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let report = app
        .as_role(Role::Supervisor)
        .get(&format!("/api/v1/kpis?{period}&by=channel"))
        .await
        .expect(200);
    assert_eq!(report["total"]["cases"], 2, "{report}");
    assert_eq!(report["total"]["responded"], 1);
    assert_eq!(report["total"]["open"], 2);
    assert_eq!(report["total"]["contacts_per_case"], 1.0);
    assert_eq!(report["by"], "channel");
    let rows: Vec<(String, i64)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["cases"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![("email".to_string(), 1), ("phone".to_string(), 1)]
    );
    assert_eq!(report["series"].as_array().unwrap().len(), 1);
    assert_eq!(report["ageing_total"]["under_1d"], 2);

    // The drill-down of each figure lists exactly the cases it counts.
    let drill =
        |figure: &str, extra: &str| format!("/api/v1/kpis/cases?{period}&figure={figure}{extra}");
    let all = app
        .as_role(Role::Supervisor)
        .get(&drill("cases", ""))
        .await
        .expect(200);
    let mut both = vec![
        phone["number"].as_str().unwrap().to_string(),
        email["number"].as_str().unwrap().to_string(),
    ];
    both.sort();
    assert_eq!(numbers(&all), both);
    let responded = app
        .as_role(Role::Supervisor)
        .get(&drill("responded", "&by=channel&key=phone"))
        .await
        .expect(200);
    assert_eq!(
        numbers(&responded),
        vec![phone["number"].as_str().unwrap().to_string()]
    );
    let none = app
        .as_role(Role::Supervisor)
        .get(&drill("responded", "&by=channel&key=email"))
        .await
        .expect(200);
    assert!(numbers(&none).is_empty());
    // Paging: one per page, the cursor leads to the other.
    let first = app
        .as_role(Role::Supervisor)
        .get(&drill("cases", "&limit=1"))
        .await
        .expect(200);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .as_role(Role::Supervisor)
        .get(&drill("cases", &format!("&limit=1&cursor={cursor}")))
        .await
        .expect(200);
    let mut paged = [numbers(&first), numbers(&second)].concat();
    paged.sort();
    assert_eq!(paged, both);
}

#[tokio::test]
async fn bad_periods_and_codes_are_refused_with_the_field() {
    let app = spawn_app().await;
    let (day, period) = today(&app);
    for (query, field) in [
        (format!("from={day}&to={day}"), "to"),
        (
            format!("from={day}&to={}", day + jiff::Span::new().days(367)),
            "to",
        ),
        (format!("{period}&by=planet"), "by"),
        (format!("{period}&granularity=hour"), "granularity"),
    ] {
        let err = app
            .as_role(Role::Admin)
            .get(&format!("/api/v1/kpis?{query}"))
            .await
            .expect(422);
        assert_eq!(error_code(&err), "invalid_field", "{err}");
        assert_eq!(err["error"]["field"], field, "{query}: {err}");
    }
    let err = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/kpis/cases?{period}&figure=happiness"))
        .await
        .expect(422);
    assert_eq!(err["error"]["field"], "figure", "{err}");
    let err = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/kpis/cases?{period}&figure=cases&limit=0"))
        .await
        .expect(422);
    assert_eq!(err["error"]["field"], "limit", "{err}");
    let missing = app
        .as_role(Role::Admin)
        .get("/api/v1/kpis?from=2026-01-01")
        .await;
    assert!(
        matches!(missing.status.as_u16(), 400 | 422),
        "{}: {}",
        missing.status,
        missing.body
    );
}

#[tokio::test]
async fn each_role_reads_its_own_part() {
    let app = spawn_app().await;
    let (_, period) = today(&app);
    let mine = case(&app, "phone", "13600000003").await;
    let id = mine["id"].as_str().unwrap();
    let me = app.as_role(Role::Agent).get("/api/v1/me").await.expect(200);
    let my_id = me["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            Some(json!({"assignee": my_id})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    case(&app, "web", "13600000004").await;
    // The agent: their own row, whatever they ask for by default; other dimensions refused.
    let own = app
        .as_role(Role::Agent)
        .get(&format!("/api/v1/kpis?{period}"))
        .await
        .expect(200);
    assert_eq!(own["by"], "agent");
    assert_eq!(own["total"]["cases"], 1, "{own}");
    assert!(
        own["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["key"] == my_id.as_str())
    );
    app.as_role(Role::Agent)
        .get(&format!("/api/v1/kpis?{period}&by=channel"))
        .await
        .expect(403);
    let theirs = app
        .as_role(Role::Agent)
        .get(&format!("/api/v1/kpis/cases?{period}&figure=cases"))
        .await
        .expect(200);
    assert_eq!(theirs["items"].as_array().unwrap().len(), 1);
    app.as_role(Role::Agent)
        .get(&format!(
            "/api/v1/kpis/cases?{period}&figure=cases&by=agent&key=somebody-else"
        ))
        .await
        .expect(403);
    // The centre for admins and observers; none for department staff.
    let centre = app
        .as_role(Role::Readonly)
        .get(&format!("/api/v1/kpis?{period}"))
        .await
        .expect(200);
    assert_eq!(centre["total"]["cases"], 2);
    app.as_role(Role::Department)
        .get(&format!("/api/v1/kpis?{period}"))
        .await
        .expect(403);
    // The rebuild is the admin's and gives the same figures.
    let before = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/kpis?{period}&by=agent"))
        .await
        .expect(200);
    app.as_role(Role::Supervisor)
        .post("/api/v1/kpis/recompute", json!({}))
        .await
        .expect(403);
    let done = app
        .as_role(Role::Admin)
        .post("/api/v1/kpis/recompute", json!({}))
        .await
        .expect(200);
    assert_eq!(done["cases"], 2);
    let after = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/kpis?{period}&by=agent"))
        .await
        .expect(200);
    assert_eq!(before, after);
}

/// The admin's download of `/api/v1/kpis/export?{query}`.
async fn export(app: &TestApp, query: &str) -> reqwest::Response {
    app.http
        .get(format!("{}/api/v1/kpis/export?{query}", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_csv_and_the_console_page_show_the_same_figures() {
    let app = spawn_app().await;
    let (day, period) = today(&app);
    let c = case(&app, "phone", "13600000005").await;
    let res = export(&app, &format!("{period}&by=channel")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with('\u{feff}'),
        "a byte-order mark for spreadsheets"
    );
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("key,name,cases,"), "{csv}");
    assert!(lines[1].starts_with("phone,phone,1,"), "{csv}");
    assert!(lines[2].starts_with(",合计 total,1,"), "{csv}");

    // The same report as a workbook: the table's sheet holds the same row with numbers as
    // numbers, and two more sheets (the series, the backlog by age).
    let res = export(&app, &format!("{period}&by=channel&format=xlsx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let book = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book.to_vec())).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    let workbook = part("xl/workbook.xml");
    for sheet in ["指标 figures", "趋势 series", "账龄 ageing"] {
        assert!(workbook.contains(sheet), "{workbook}");
    }
    let strings = part("xl/sharedStrings.xml");
    for text in ["key", "satisfaction_pct", "phone", "合计 total"] {
        assert!(strings.contains(text), "{strings}");
    }
    let table = part("xl/worksheets/sheet1.xml");
    // C2 and C3: the phone row's and the total's cases, as numbers.
    for cell in ["C2", "C3"] {
        let at = table.find(&format!("<c r=\"{cell}\"")).unwrap();
        let value = &table[at..];
        let value = &value[value.find("<v>").unwrap() + 3..value.find("</v>").unwrap()];
        assert_eq!(value, "1", "{cell} in {table}");
    }
    let xlsx_link = format!(
        "/console/kpis.xlsx?from={day}&#38;to={}&#38;by=all&#38;granularity=day",
        day.tomorrow().unwrap()
    );
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/kpis/export?{period}&format=pdf"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "format");

    let console = Console::open(&app, &app.admin, "zh", "/console/kpis").await;
    let page = console.get(&format!("/console/kpis?{period}")).await;
    assert!(page.html.contains(&xlsx_link), "{}", page.html);
    let file = console.get(&xlsx_link.replace("&#38;", "&")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("绩效指标"), "{}", page.html);
    let link = format!(
        "/console/kpis/cases?from={day}&#38;to={}&#38;by=all&#38;key=&#38;figure=cases",
        day.tomorrow().unwrap()
    );
    assert!(
        page.html.contains(&link),
        "the count links to its cases: {}",
        page.html
    );
    let behind = console.get(&link.replace("&#38;", "&")).await;
    assert_eq!(behind.status, StatusCode::OK);
    assert!(
        behind.html.contains(c["number"].as_str().unwrap()),
        "{}",
        behind.html
    );
    let en = Console::open(&app, &app.admin, "en", "/console/kpis").await;
    let page = en
        .get(&format!(
            "/console/kpis?{period}&by=channel&granularity=week"
        ))
        .await;
    assert!(page.html.contains("Key figures"), "{}", page.html);
    let bad = console
        .get(&format!("/console/kpis?{period}&by=planet"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

fn schedule(by: &str) -> Value {
    json!({"name": "每日绩效", "recipients": ["boss@yunlu.example"], "by": by,
        "frequency": "daily", "hour": 8})
}

#[tokio::test]
async fn report_schedules_are_checked_owned_and_shown() {
    let app = spawn_app().await;
    // An agent schedules only their own figures.
    app.as_role(Role::Agent)
        .post("/api/v1/report-schedules", schedule("channel"))
        .await
        .expect(403);
    let mine = app
        .as_role(Role::Agent)
        .post("/api/v1/report-schedules", schedule("agent"))
        .await
        .expect(201);
    assert_eq!(mine["format"], "xlsx");
    assert_eq!(mine["active"], true);
    let id = mine["id"].as_str().unwrap().to_string();
    // Bad input names its field and stores nothing.
    for (body, field) in [
        (json!({"recipients": []}), "recipients"),
        (json!({"recipients": ["not mail"]}), "recipients[0]"),
        (json!({"hour": 24}), "hour"),
        (json!({"frequency": "hourly"}), "frequency"),
        (json!({"format": "pdf"}), "format"),
        (json!({"by": "planet"}), "by"),
        (json!({"name": " "}), "name"),
    ] {
        let mut b = schedule("all");
        for (k, v) in body.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (status, answer) = app
            .call(
                Method::POST,
                "/api/v1/report-schedules",
                Some(&app.admin),
                Some(b),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(error_code(&answer), "invalid_field");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    let all = app
        .as_role(Role::Admin)
        .get("/api/v1/report-schedules")
        .await
        .expect(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 1, "{all}");
    // Each sees their own: another role's is not found; staff outside the centre may not.
    app.as_role(Role::Supervisor)
        .get(&format!("/api/v1/report-schedules/{id}"))
        .await
        .expect(404);
    assert!(
        app.as_role(Role::Supervisor)
            .get("/api/v1/report-schedules")
            .await
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.as_role(Role::Department)
        .get("/api/v1/report-schedules")
        .await
        .expect(403);
    app.as_role(Role::Admin)
        .get(&format!("/api/v1/report-schedules/{id}"))
        .await
        .expect(200);
    app.as_role(Role::Admin)
        .get("/api/v1/report-schedules/not-an-id")
        .await
        .expect(404);
    // Paused, it cannot be sent; resumed and sent now, it is due at once.
    let mut paused = schedule("agent");
    paused["active"] = json!(false);
    app.as_role(Role::Agent)
        .put(&format!("/api/v1/report-schedules/{id}"), paused)
        .await
        .expect(200);
    let refused = app
        .as_role(Role::Agent)
        .post(&format!("/api/v1/report-schedules/{id}/send"), json!({}))
        .await
        .expect(409);
    assert_eq!(error_code(&refused), "schedule_paused");
    app.as_role(Role::Agent)
        .put(&format!("/api/v1/report-schedules/{id}"), schedule("agent"))
        .await
        .expect(200);
    let now = app
        .as_role(Role::Agent)
        .post(&format!("/api/v1/report-schedules/{id}/send"), json!({}))
        .await
        .expect(200);
    let next: jiff::Timestamp = now["next_run_at"].as_str().unwrap().parse().unwrap();
    let clock_now = kefu_model::Clock::now(app.clock.as_ref());
    assert!(
        next <= clock_now && next > clock_now - jiff::SignedDuration::from_mins(1),
        "due now: {next} at {clock_now}"
    );

    // The console: the list, the form, and its refusal.
    let console = Console::open(&app, &app.admin, "zh", "/console/reports").await;
    let page = console.get("/console/reports").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("定时报表"), "{}", page.html);
    let added = console
        .post(
            "/console/reports",
            &[
                ("name", "周报"),
                ("recipients", "a@yunlu.example, b@yunlu.example"),
                ("by", "channel"),
                ("frequency", "weekly"),
                ("hour", "9"),
                ("format", "csv"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let page = console.get("/console/reports").await;
    assert!(
        page.html.contains("a@yunlu.example, b@yunlu.example"),
        "{}",
        page.html
    );
    let refused = console
        .post(
            "/console/reports",
            &[
                ("name", "坏的"),
                ("recipients", "nobody"),
                ("by", "all"),
                ("frequency", "daily"),
                ("hour", "8"),
                ("format", "xlsx"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.as_role(Role::Agent)
        .delete(&format!("/api/v1/report-schedules/{id}"))
        .await
        .expect(204);
    app.as_role(Role::Agent)
        .get(&format!("/api/v1/report-schedules/{id}"))
        .await
        .expect(404);
}
