//! Key accounts over HTTP: an assistant sees only their own accounts (another's is 404, other
//! roles 403); bad input is refused by field with nothing written — an unknown account, a
//! quarter not yet ended, weights not summing to 100, a price outside the documents' scope, an
//! unfiled price; a filed price is found; the reminders list a renewal falling due; the
//! downloads are audited.

use kefu_model::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{TestApp, error_code, spawn_app};

mod pages;

/// Today in the desk's zone, by the server's clock.
pub(crate) fn today(app: &TestApp) -> jiff::civil::Date {
    app.desk
        .time_zone()
        .to_datetime(kefu_model::Clock::now(&*app.clock))
        .date()
}

/// An account assigned to agent01, made by the admin: its id.
pub(crate) async fn account(app: &TestApp, code: &str) -> String {
    app.as_role(Role::Admin)
        .post(
            "/api/v1/key-accounts",
            json!({"code": code, "name": format!("{code} 有限公司"), "industry": "电子",
                "assistants": ["agent01"]}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A contract of the account covering 整车 and 零担 on 广东-上海, ending on `ends_on`.
pub(crate) fn contract(ends_on: jiff::civil::Date) -> Value {
    json!({"kind": "contract", "number": "HT-2026-001", "title": "年度运输合同",
        "starts_on": "2026-01-01", "ends_on": ends_on.to_string(),
        "services": ["整车", "零担"], "routes": ["广东-上海"]})
}

#[tokio::test]
async fn assistants_see_their_own_accounts_and_bad_input_is_refused_by_field() {
    let app = spawn_app().await;
    let id = account(&app, "ka-huadong").await;
    let other = account(&app, "KA-HUANAN").await;
    // Reassigned to a second agent: agent01 no longer sees it.
    let agent02 = app.staff_of("agent02", "agent", "service").await;
    app.as_role(Role::Supervisor)
        .put(
            &format!("/api/v1/key-accounts/{other}/assistants"),
            json!({"assistants": ["agent02"]}),
        )
        .await
        .expect(200);
    let codes = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap().to_string())
            .collect()
    };
    let mine = app
        .as_role(Role::Agent)
        .get("/api/v1/key-accounts")
        .await
        .expect(200);
    assert_eq!(codes(&mine), ["KA-HUADONG"]);
    let all = app
        .as_role(Role::Supervisor)
        .get("/api/v1/key-accounts?q=huanan")
        .await
        .expect(200);
    assert_eq!(codes(&all), ["KA-HUANAN"]);
    let found = app
        .as_role(Role::Agent)
        .get("/api/v1/key-accounts?q=huanan")
        .await
        .expect(200);
    assert!(codes(&found).is_empty(), "search stays within one's own");
    let e = app
        .as_role(Role::Agent)
        .get(&format!("/api/v1/key-accounts/{other}"))
        .await
        .expect(404);
    assert_eq!(error_code(&e), "not_found");
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/key-accounts/{other}/gradings"),
            Some(&agent02),
            None,
        )
        .await;
    assert_eq!(status.as_u16(), 200);
    app.as_role(Role::Finance)
        .get("/api/v1/key-accounts")
        .await
        .expect(403);
    app.as_role(Role::Readonly)
        .get(&format!("/api/v1/key-accounts/{id}"))
        .await
        .expect(403);
    // Unknown accounts: 404 whatever the id looks like.
    for unknown in ["no-such-account", "01900000-0000-7000-8000-000000000000"] {
        let e = app
            .as_role(Role::Admin)
            .get(&format!("/api/v1/key-accounts/{unknown}"))
            .await
            .expect(404);
        assert_eq!(error_code(&e), "not_found");
    }
    // A duplicate code, a bad filter, a status moving back.
    let e = app
        .as_role(Role::Admin)
        .post(
            "/api/v1/key-accounts",
            json!({"code": "KA-HUADONG", "name": "重复"}),
        )
        .await
        .expect(409);
    assert_eq!(error_code(&e), "duplicate");
    let e = app
        .as_role(Role::Admin)
        .get("/api/v1/key-accounts?grade=nine")
        .await
        .expect(422);
    assert_eq!(e["error"]["field"], "grade");
    app.as_role(Role::Admin)
        .patch(
            &format!("/api/v1/key-accounts/{id}"),
            json!({"status": "active"}),
        )
        .await
        .expect(422);
    // A grading: the quarter under way and one to come are refused; a finished one is scored.
    let grading = |quarter: &str| {
        json!({"quarter": quarter, "revenue_yuan": 600000, "margin_pct": 15, "difficulty": 3,
            "staff": 4, "punctuality_pct": 95})
    };
    let this_quarter = kefu_model::key_accounts::Quarter::of(today(&app));
    let gradings = format!("/api/v1/key-accounts/{id}/gradings");
    for q in [
        this_quarter,
        kefu_model::key_accounts::Quarter::of(
            today(&app).saturating_add(jiff::Span::new().months(3)),
        ),
    ] {
        let e = app
            .as_role(Role::Supervisor)
            .post(&gradings, grading(&q.to_string()))
            .await
            .expect(422);
        assert_eq!(e["error"]["field"], "quarter", "{e}");
    }
    let last = this_quarter.previous().to_string();
    app.as_role(Role::Agent)
        .post(&gradings, grading(&last))
        .await
        .expect(403);
    let mut bad = grading(&last);
    bad["difficulty"] = json!(0);
    let e = app
        .as_role(Role::Supervisor)
        .post(&gradings, bad)
        .await
        .expect(422);
    assert_eq!(e["error"]["field"], "difficulty");
    let g = app
        .as_role(Role::Supervisor)
        .post(&gradings, grading(&last))
        .await
        .expect(201);
    assert_eq!(
        (g["score"].as_f64(), g["grade"].as_u64()),
        (Some(76.0), Some(2))
    );
    let history = app.as_role(Role::Agent).get(&gradings).await.expect(200);
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    let a = app
        .as_role(Role::Agent)
        .get(&format!("/api/v1/key-accounts/{id}"))
        .await
        .expect(200);
    assert_eq!(
        (a["grade"].as_u64(), a["key_account"].as_bool()),
        (Some(2), Some(true))
    );
    // The grid: weights not summing to 100 are refused, the stored grid unchanged.
    let mut grid = app
        .as_role(Role::Admin)
        .get("/api/v1/settings/key_accounts")
        .await
        .expect(200);
    grid["criteria"]["staff"]["weight"] = json!(30);
    let e = app
        .as_role(Role::Admin)
        .put("/api/v1/settings/key_accounts", grid)
        .await
        .expect(422);
    assert_eq!(e["error"]["field"], "criteria");
    assert!(e["error"]["message"].as_str().unwrap().contains("120"));
    let stored = app
        .as_role(Role::Agent)
        .get("/api/v1/settings/key_accounts")
        .await
        .expect(200);
    assert_eq!(stored["criteria"]["staff"]["weight"], 10);
}

#[tokio::test]
async fn prices_are_filed_before_use_and_reminders_list_what_is_due() {
    let app = spawn_app().await;
    let id = account(&app, "KA-XIBEI").await;
    let base = format!("/api/v1/key-accounts/{id}");
    // A contract ending within two months: its renewal contact is due.
    let ends = today(&app).saturating_add(jiff::Span::new().days(40));
    let a = app
        .as_role(Role::Agent)
        .post(&format!("{base}/documents"), contract(ends))
        .await
        .expect(201);
    let document = a["documents"][0]["id"].as_str().unwrap().to_string();
    let price = |service: &str, route: &str| {
        json!({"service": service, "route": route, "unit": "trip", "price_fen": 450000,
            "effective_from": "2026-01-01"})
    };
    // Outside the scope: refused by field, nothing written.
    let e = app
        .as_role(Role::Agent)
        .post(&format!("{base}/prices"), price("整车", "广东-北京"))
        .await
        .expect(422);
    assert_eq!(e["error"]["field"], "route");
    let e = app
        .as_role(Role::Agent)
        .post(&format!("{base}/prices"), price("冷链", "广东-上海"))
        .await
        .expect(422);
    assert_eq!(e["error"]["field"], "service");
    let e = app
        .as_role(Role::Agent)
        .post(
            &format!("{base}/prices"),
            json!({"service": "整车", "route": "广东-上海", "unit": "trip", "price_fen": "lots",
                "effective_from": "2026-01-01"}),
        )
        .await
        .expect(422);
    assert_eq!(e["error"]["field"], "price_fen");
    let listed = app
        .as_role(Role::Agent)
        .get(&format!("{base}/prices"))
        .await
        .expect(200);
    assert!(listed["items"].as_array().unwrap().is_empty());
    let draft = app
        .as_role(Role::Agent)
        .post(&format!("{base}/prices"), price("整车", "广东-上海"))
        .await
        .expect(201);
    assert_eq!(draft["status"], "draft");
    let on = today(&app);
    let lookup = format!("{base}/price?service=整车&route=广东-上海&on={on}");
    let e = app.as_role(Role::Agent).get(&lookup).await.expect(422);
    assert_eq!(error_code(&e), "price_not_filed");
    let e = app
        .as_role(Role::Agent)
        .get(&format!(
            "{base}/price?service=零担&route=广东-上海&on={on}"
        ))
        .await
        .expect(404);
    assert_eq!(error_code(&e), "not_found");
    app.as_role(Role::Agent)
        .get(&format!(
            "{base}/price?service=整车&route=广东-上海&on=someday"
        ))
        .await
        .expect(422);
    let file = format!("{base}/prices/{}/file", draft["id"].as_str().unwrap());
    app.as_role(Role::Agent)
        .post(&file, json!({}))
        .await
        .expect(403);
    let filed = app
        .as_role(Role::Supervisor)
        .post(&file, json!({}))
        .await
        .expect(200);
    assert_eq!(filed["status"], "filed");
    assert_eq!(filed["filed_by"], "user:supervisor01");
    let found = app.as_role(Role::Agent).get(&lookup).await.expect(200);
    assert_eq!(found["price_fen"], 450000);
    let e = app
        .as_role(Role::Supervisor)
        .post(&file, json!({}))
        .await
        .expect(409);
    assert_eq!(error_code(&e), "price_already_filed");
    // Reminders: the renewal, due two calendar months before the end.
    let due = app
        .as_role(Role::Agent)
        .get("/api/v1/key-accounts/reminders")
        .await
        .expect(200);
    let items = due["items"].as_array().unwrap();
    let renewal = items
        .iter()
        .find(|r| r["kind"] == "renewal")
        .unwrap_or_else(|| panic!("{due}"));
    assert_eq!(
        renewal["due_on"],
        kefu_model::key_accounts::renewal_due(ends).to_string()
    );
    assert!(items.iter().any(|r| r["kind"] == "file_review"));
    let due_days: Vec<&str> = items
        .iter()
        .map(|r| r["due_on"].as_str().unwrap())
        .collect();
    let mut sorted = due_days.clone();
    sorted.sort_unstable();
    assert_eq!(due_days, sorted, "the earliest due first");
    // Contacted and reviewed: both cleared.
    app.as_role(Role::Agent)
        .post(
            &format!("{base}/documents/{document}/contacted"),
            json!({"note": "客户同意续签一年"}),
        )
        .await
        .expect(200);
    app.as_role(Role::Agent)
        .post(&format!("{base}/file-reviewed"), json!({}))
        .await
        .expect(200);
    let due = app
        .as_role(Role::Agent)
        .get("/api/v1/key-accounts/reminders")
        .await
        .expect(200);
    assert!(
        due["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["kind"] != "renewal" && r["kind"] != "file_review"),
        "{due}"
    );
    // The customer file download is audited.
    app.as_role(Role::Agent)
        .post(
            &format!("{base}/file-entries"),
            json!({"role": "consignee", "name": "上海浦东仓", "address": "上海市浦东新区", "phone": "021-55555555"}),
        )
        .await
        .expect(201);
    let csv = app
        .as_role(Role::Agent)
        .get(&format!("{base}/file-export"))
        .await
        .expect(200);
    assert!(
        csv.as_str().unwrap_or_default().contains("上海浦东仓"),
        "{csv}"
    );
    let audit = app
        .as_role(Role::Admin)
        .get("/api/v1/audit?subject=key_account:KA-XIBEI")
        .await
        .expect(200);
    assert!(
        audit.to_string().contains("key_account_file_downloaded"),
        "{audit}"
    );
}
