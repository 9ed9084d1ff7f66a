//! Correcting customers over HTTP (issue #13): editing with a version and a history of every
//! change, contacts unique across customers, merging two customers into one (cases move, the
//! history stays), confirming a caller's identity on a case, and who may do which.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{PASSWORD, TestApp, error_code, spawn_app};

async fn new_customer(app: &TestApp, name: &str, phone: &str) -> Value {
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/customers",
            Some(&app.agent),
            Some(json!({"name": name, "phone": phone})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn get(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.call(Method::GET, path, Some(&app.admin), None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

async fn events(app: &TestApp, id: &str) -> Vec<Value> {
    get(app, &format!("/api/v1/customers/{id}/events")).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// A user of `role`, signed in; returns the token.
async fn user(app: &TestApp, username: &str, role: &str) -> String {
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin),
            Some(json!({"username": username, "password": PASSWORD, "role": role})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.login(username).await
}

async fn patch(app: &TestApp, token: &str, id: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::PATCH,
        &format!("/api/v1/customers/{id}"),
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn customers_are_edited_with_a_history_of_every_change() {
    let app = spawn_app().await;
    let c = new_customer(&app, "张三", "13800138000").await;
    let id = c["id"].as_str().unwrap();
    assert_eq!(c["version"], 1, "{c}");

    let (status, edited) = patch(
        &app,
        &app.agent,
        id,
        json!({"version": 1, "name": "张三丰", "phones": ["13800138000", "13900139000"],
               "emails": ["zhang@example.cn"], "grade": 2, "tags": ["大客户"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["name"], "张三丰");
    assert_eq!(edited["grade"], 2);
    assert_eq!(edited["tags"], json!(["大客户"]));
    // What the customer endpoint shows is what GET shows (one code path for both).
    assert_eq!(edited, get(&app, &format!("/api/v1/customers/{id}")).await);

    let history = events(&app, id).await;
    let fields: Vec<&str> = history
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["name", "phones", "emails", "grade", "tags"],
        "{history:?}"
    );
    let name = &history[0];
    assert_eq!(name["old"], "张三");
    assert_eq!(name["new"], "张三丰");
    assert_eq!(name["actor"], "user:agent01");
    assert_eq!(name["version"], 2);
    assert!(name["at"].is_string());
    assert_eq!(history[3]["old"], 3);
    assert_eq!(history[3]["new"], 2);
    // Phones and emails in the history are masked.
    assert_eq!(history[1]["old"], json!(["138****8000"]));
    assert_eq!(history[1]["new"], json!(["138****8000", "139****9000"]));
    let text = serde_json::to_string(&history).unwrap();
    assert!(!text.contains("13900139000"), "{text}");
    assert!(!text.contains("zhang@example.cn"), "{text}");

    // The new phone finds the customer.
    let found = get(&app, "/api/v1/customers?phone=13900139000").await;
    assert_eq!(found["items"][0]["id"], id, "{found}");

    // A stale version is refused and nothing is written.
    let (status, body) = patch(&app, &app.agent, id, json!({"version": 1, "name": "李四"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "version_conflict");

    // Invalid values name their field; nothing is written.
    for (body, field) in [
        (json!({"version": 2, "phones": ["12345"]}), "phones"),
        (json!({"version": 2, "emails": ["not-an-email"]}), "emails"),
        (json!({"version": 2, "grade": 7}), "grade"),
        (json!({"version": 2, "name": "  "}), "name"),
        (json!({"name": "王五"}), "version"),
    ] {
        let (status, err) = patch(&app, &app.agent, id, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
    }
    let after = get(&app, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(after, edited, "refusals changed nothing");
    assert_eq!(events(&app, id).await.len(), 5);

    // A change that changes nothing writes nothing.
    let (status, same) = patch(&app, &app.agent, id, json!({"version": 2, "grade": 2})).await;
    assert_eq!(status, StatusCode::OK, "{same}");
    assert_eq!(same["version"], 2);
    assert_eq!(events(&app, id).await.len(), 5);
}

#[tokio::test]
async fn a_contact_of_another_customer_is_refused_naming_it() {
    let app = spawn_app().await;
    let a = new_customer(&app, "张三", "13800138000").await;
    let b = new_customer(&app, "李四", "13900139000").await;
    let a_id = a["id"].as_str().unwrap();
    let b_id = b["id"].as_str().unwrap();
    let (status, err) = patch(
        &app,
        &app.agent,
        a_id,
        json!({"version": 1, "phones": ["13800138000", "139 0013 9000"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(error_code(&err), "contact_belongs_to_other_customer");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains(b_id), "{message}");
    assert!(message.contains("merge"), "{message}");
    assert_eq!(get(&app, &format!("/api/v1/customers/{a_id}")).await, a);
    assert!(events(&app, a_id).await.is_empty());
    let owner = get(&app, "/api/v1/customers?phone=13900139000").await;
    assert_eq!(owner["items"][0]["id"], b_id);
}

#[tokio::test]
async fn merging_moves_the_cases_and_keeps_the_history() {
    let app = spawn_app().await;
    let supervisor = user(&app, "sup01", "supervisor").await;
    let keep = app.create_case(super::new_case("13800138000")).await;
    let gone1 = app.create_case(super::new_case("13900139000")).await;
    let gone2 = app.create_case(super::new_case("13900139000")).await;
    let survivor = keep["customer_id"].as_str().unwrap().to_string();
    let merged = gone1["customer_id"].as_str().unwrap().to_string();
    assert_ne!(survivor, merged);
    assert_eq!(gone2["customer_id"], merged.as_str());
    // Give the one to be merged a history of its own.
    let (status, body) = patch(&app, &app.agent, &merged, json!({"version": 1, "grade": 1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let merge = |token: String, into: String, from: String| {
        let app = &app;
        async move {
            app.call(
                Method::POST,
                &format!("/api/v1/customers/{into}/merge"),
                Some(&token),
                Some(json!({"from": from, "reason": "同一个人换了手机号"})),
            )
            .await
        }
    };
    // Agents may not merge; nothing is written.
    let (status, body) = merge(app.agent.clone(), survivor.clone(), merged.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(get(&app, &format!("/api/v1/customers/{merged}")).await["merged_into"].is_null());
    // Not into itself.
    let (status, body) = merge(supervisor.clone(), survivor.clone(), survivor.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "from");

    let (status, body) = merge(supervisor.clone(), survivor.clone(), merged.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], survivor.as_str());
    assert_eq!(
        body,
        get(&app, &format!("/api/v1/customers/{survivor}")).await
    );
    assert_eq!(body["version"], 2);

    // The merged one is kept, marked, and its contacts now belong to the survivor.
    let old = get(&app, &format!("/api/v1/customers/{merged}")).await;
    assert_eq!(old["merged_into"], survivor.as_str(), "{old}");
    let by_phone = get(&app, "/api/v1/customers?phone=13900139000").await;
    assert_eq!(by_phone["items"][0]["id"], survivor.as_str(), "{by_phone}");

    // Its cases moved, each with an event saying where from; its history is still readable.
    let cases = get(&app, &format!("/api/v1/cases?customer_id={survivor}")).await;
    assert_eq!(cases["items"].as_array().unwrap().len(), 3, "{cases}");
    assert!(
        get(&app, &format!("/api/v1/cases?customer_id={merged}")).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    for case in [&gone1, &gone2] {
        let id = case["id"].as_str().unwrap();
        let now = get(&app, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(now["customer_id"], survivor.as_str());
        let evs = get(&app, &format!("/api/v1/cases/{id}/events")).await;
        let last = evs["items"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["type"], "customer_merged", "{last}");
        assert_eq!(last["data"]["from"], merged.as_str());
        assert_eq!(last["data"]["into"], survivor.as_str());
    }
    let old_history = events(&app, &merged).await;
    assert_eq!(old_history[0]["field"], "grade");
    assert!(
        old_history.iter().any(|e| e["field"] == "merged_into"
            && e["new"] == survivor.as_str()
            && e["reason"] == "同一个人换了手机号"),
        "{old_history:?}"
    );
    let new_history = events(&app, &survivor).await;
    assert!(
        new_history
            .iter()
            .any(|e| e["field"] == "merged_from" && e["new"] == merged.as_str()),
        "{new_history:?}"
    );
    assert!(
        new_history
            .iter()
            .any(|e| e["field"] == "phones" && e["new"] == json!(["138****8000", "139****9000"])),
        "{new_history:?}"
    );

    // A new case given the merged one's id goes to the survivor.
    let later = app
        .create_case(json!({"channel": "phone", "subject": "又来电", "customer_id": merged}))
        .await;
    assert_eq!(later["customer_id"], survivor.as_str(), "{later}");

    // Nothing merges into a merged customer, a merged one is not merged again nor edited.
    let third = new_customer(&app, "王五", "13700137000").await;
    let third = third["id"].as_str().unwrap().to_string();
    let (status, body) = merge(supervisor.clone(), merged.clone(), third.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "customer_merged");
    let (status, body) = merge(app.admin.clone(), third.clone(), merged.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "customer_merged");
    let (status, body) = patch(
        &app,
        &app.agent,
        &merged,
        json!({"version": 3, "name": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "customer_merged");
    // An unknown one is a 404.
    let (status, _) = merge(supervisor.clone(), third.clone(), "no-such-customer".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_agents_supervisors_and_admins_edit_customers() {
    let app = spawn_app().await;
    let finance = user(&app, "fin01", "finance").await;
    let supervisor = user(&app, "sup01", "supervisor").await;
    let c = new_customer(&app, "张三", "13800138000").await;
    let id = c["id"].as_str().unwrap();
    for token in [&app.ops, &app.viewer, &finance] {
        let (status, body) = patch(&app, token, id, json!({"version": 1, "name": "李四"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    assert_eq!(get(&app, &format!("/api/v1/customers/{id}")).await, c);
    let mut version = 1;
    for (token, name) in [(&app.agent, "甲"), (&supervisor, "乙"), (&app.admin, "丙")] {
        let (status, body) =
            patch(&app, token, id, json!({"version": version, "name": name})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        version += 1;
        assert_eq!(body["version"], version);
    }
    let actors: Vec<Value> = events(&app, id)
        .await
        .iter()
        .map(|e| e["actor"].clone())
        .collect();
    assert_eq!(
        actors,
        [
            json!("user:agent01"),
            json!("user:sup01"),
            json!("user:admin")
        ]
    );
    // Department staff do not see customers, and so not their history either.
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/customers/{id}/events"),
            Some(&app.ops),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn identity_is_confirmed_on_a_case() {
    let app = spawn_app().await;
    let case = app.create_case(super::new_case("13800138000")).await;
    let id = case["id"].as_str().unwrap();
    assert!(case["identity_confirmed"].is_null(), "{case}");
    let path = format!("/api/v1/cases/{id}/identity");

    for token in [&app.viewer, &app.ops] {
        let (status, body) = app
            .call(
                Method::POST,
                &path,
                Some(token),
                Some(json!({"method": "waybill"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (status, body) = app
        .call(
            Method::POST,
            &path,
            Some(&app.agent),
            Some(json!({"method": "passport"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "method");
    let unchanged = get(&app, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(unchanged["version"], case["version"]);

    let (status, body) = app
        .call(
            Method::POST,
            &path,
            Some(&app.agent),
            Some(json!({"method": "order_number", "note": "核对了订单号"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let confirmed = &body["identity_confirmed"];
    assert_eq!(confirmed["method"], "order_number", "{body}");
    assert_eq!(confirmed["by"], "user:agent01");
    assert!(confirmed["at"].is_string());
    let shown = get(&app, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(shown["identity_confirmed"], body["identity_confirmed"]);
    assert_eq!(shown["version"], body["version"]);
    let evs = get(&app, &format!("/api/v1/cases/{id}/events")).await;
    let last = evs["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["type"], "identity_confirmed");
    assert_eq!(last["data"]["method"], "order_number");
    assert_eq!(last["data"]["note"], "核对了订单号");
}

/// The case page in the console, as a browser without scripts: a signed-in session's GET and
/// form POST (with the CSRF token the page carries).
async fn console_page(app: &TestApp, token: &str, lang: &str, path: &str) -> (StatusCode, String) {
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = http
        .get(format!("{}{path}", app.base))
        .header("cookie", format!("kefu_session={token}; kefu_lang={lang}"))
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn console_post(
    app: &TestApp,
    token: &str,
    path: &str,
    csrf: &str,
    fields: &[(&str, &str)],
) -> StatusCode {
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut all = vec![("_csrf", csrf)];
    all.extend_from_slice(fields);
    http.post(format!("{}{path}", app.base))
        .header("cookie", format!("kefu_session={token}; kefu_lang=zh"))
        .form(&all)
        .send()
        .await
        .unwrap()
        .status()
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("the page carries a CSRF token") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn the_case_page_shows_and_sets_the_confirmed_identity() {
    let app = spawn_app().await;
    let case = app.create_case(super::new_case("13800138000")).await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/cases/{id}");
    let (status, html) = console_page(&app, &app.agent, "zh", &path).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("身份核验") && html.contains("未核验"),
        "{html}"
    );
    assert!(html.contains(&format!("action=\"/cases/{id}/identity\"")));
    // Read-only users see the fact but get no form.
    let (_, html_ro) = console_page(&app, &app.viewer, "en", &path).await;
    assert!(html_ro.contains("Not confirmed"), "{html_ro}");
    assert!(!html_ro.contains("/identity\""), "{html_ro}");

    let status = console_post(
        &app,
        &app.agent,
        &format!("/cases/{id}/identity"),
        &csrf_of(&html),
        &[("method", "waybill"), ("note", "寄件人核对运单")],
    )
    .await;
    assert!(
        status.is_redirection() || status == StatusCode::OK,
        "{status}"
    );
    let (_, html) = console_page(&app, &app.agent, "zh", &path).await;
    assert!(html.contains("运单号 · agent01"), "{html}");
    let (_, html_en) = console_page(&app, &app.agent, "en", &path).await;
    assert!(html_en.contains("Waybill · agent01"), "{html_en}");
    let case = get(&app, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["identity_confirmed"]["method"], "waybill");
}

/// Searches until `want` holds for the hits, for at most 5 s (the node's indexer follows the
/// store's outbox every 200 ms).
async fn search_until(app: &TestApp, query: &str, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let items = get(app, &format!("/api/v1/search?{query}")).await["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if want(&items) {
            return items;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "search {query} never gave what was wanted: {items:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn search_follows_edits_and_merges() {
    let app = spawn_app().await;
    let supervisor = user(&app, "sup01", "supervisor").await;
    let a = new_customer(&app, "慕容复", "13800138000").await;
    let b = new_customer(&app, "慕容复", "13900139000").await;
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let query = format!(
        "q={}&type=customer",
        form_urlencoded::byte_serialize("慕容复".as_bytes()).collect::<String>()
    );
    search_until(&app, &query, |h| h.len() == 2).await;

    // An edit is found under its new name.
    let (status, body) = patch(
        &app,
        &app.agent,
        a,
        json!({"version": 1, "name": "慕容复 燕国"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let q2 = format!(
        "q={}&type=customer",
        form_urlencoded::byte_serialize("燕国".as_bytes()).collect::<String>()
    );
    search_until(&app, &q2, |h| h.len() == 1 && h[0]["id"] == a).await;

    // A merged customer leaves the index; the survivor is found by the other's phone.
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/customers/{a}/merge"),
            Some(&supervisor),
            Some(json!({"from": b})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    search_until(&app, &query, |h| h.len() == 1 && h[0]["id"] == a).await;
    search_until(&app, "q=13900139000&type=customer", |h| {
        h.len() == 1 && h[0]["id"] == a
    })
    .await;
}
