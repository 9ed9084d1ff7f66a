//! The console's case forms over HTTP: each action is its own route with a typed form, a bad
//! value is a 422 case page that says why next to the form and keeps what was typed, and
//! nothing is written; the session and CSRF checks are the same on every route.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::console::{Console, form_html};
use super::{TestApp, spawn_app};
use reqwest::header::{COOKIE, LOCATION};

async fn new_case(app: &TestApp) -> Value {
    app.create_case(json!({
        "channel": "phone",
        "subject": "表单测试",
        "customer": {"phone": "13812345678"}
    }))
    .await
}

async fn events(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .or_else(|| body.as_array())
        .cloned()
        .unwrap_or_default()
}

async fn case_json(app: &TestApp, id: &str) -> Value {
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_bogus_status_is_refused_with_a_422_next_to_the_form_and_changes_nothing() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    let case = new_case(&app).await;
    let id = case["id"].as_str().unwrap();
    let before = events(&app, id).await.len();
    assert!(before > 0);
    let action = format!("/cases/{id}/update");
    let r = console
        .post(
            &action,
            &[
                ("status", "bogus"),
                ("priority", case["priority"].as_str().unwrap()),
                ("category", case["category"].as_str().unwrap()),
                ("assignee", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.location);
    let form = form_html(&r.html, &action);
    assert!(
        form.contains("class=\"error\"") && form.contains("status"),
        "the error shows in the change form: {form}"
    );
    assert_eq!(events(&app, id).await.len(), before, "nothing was written");
    assert_eq!(case_json(&app, id).await["status"], case["status"]);
}

#[tokio::test]
async fn each_change_field_is_typed_and_a_good_value_is_still_made() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    let case = new_case(&app).await;
    let id = case["id"].as_str().unwrap();
    let before = events(&app, id).await.len();
    for (field, bad) in [("priority", "P9"), ("category", "nonsense")] {
        let r = console
            .post(&format!("/cases/{id}/update"), &[(field, bad)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(r.html.contains(field), "{field}: the refusal names it");
    }
    assert_eq!(events(&app, id).await.len(), before);
    // A right value posted alone is a change; the fields not posted stay as they are.
    let r = console
        .post(&format!("/cases/{id}/update"), &[("priority", "P1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(r.location, format!("/cases/{id}"));
    let after = case_json(&app, id).await;
    assert_eq!(after["priority"], "P1");
    assert_eq!(after["status"], case["status"]);
}

#[tokio::test]
async fn a_bogus_reply_visibility_is_refused_and_the_typed_reply_is_kept() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    let case = new_case(&app).await;
    let id = case["id"].as_str().unwrap();
    let before = events(&app, id).await.len();
    let action = format!("/cases/{id}/reply");
    let r = console
        .post(
            &action,
            &[("body", "您的快件已找到 <b>"), ("visibility", "everyone")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = form_html(&r.html, &action);
    assert!(form.contains("class=\"error\""), "{form}");
    assert!(
        form.contains("您的快件已找到 &lt;b&gt;") || form.contains("您的快件已找到 &#60;b&#62;"),
        "what was typed is kept, escaped: {form}"
    );
    assert_eq!(events(&app, id).await.len(), before);
    // A note is a note.
    let r = console
        .post(&action, &[("body", "内部备注"), ("visibility", "internal")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let all = events(&app, id).await;
    assert_eq!(all.len(), before + 1);
    assert!(all.last().unwrap().to_string().contains("internal"));
}

#[tokio::test]
async fn a_domain_refusal_shows_next_to_its_form_and_keeps_the_input() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    let case = new_case(&app).await;
    let id = case["id"].as_str().unwrap();
    let before = events(&app, id).await.len();
    let action = format!("/cases/{id}/promise");
    // Not a date: refused by the form; a date in the past would be the domain's refusal.
    let r = console
        .post(&action, &[("due", "tomorrow"), ("note", "回电给客户")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = form_html(&r.html, &action);
    assert!(form.contains("class=\"error\""), "{form}");
    assert!(form.contains("value=\"回电给客户\""), "{form}");
    let r = console
        .post(&format!("/cases/{id}/escalate"), &[("reason", "  ")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.location);
    assert!(form_html(&r.html, &format!("/cases/{id}/escalate")).contains("class=\"error\""));
    assert_eq!(events(&app, id).await.len(), before);
}

#[tokio::test]
async fn an_unknown_action_is_not_found_and_a_get_is_not_allowed() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    let case = new_case(&app).await;
    let id = case["id"].as_str().unwrap();
    let r = console.post(&format!("/cases/{id}/nonsense"), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_case_form_needs_the_session_and_the_csrf_token() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    let case = new_case(&app).await;
    let id = case["id"].as_str().unwrap();
    let before = events(&app, id).await.len();
    for action in [
        "reply",
        "update",
        "transfer",
        "handback",
        "waybill",
        "claim",
        "claim-propose",
        "pickup",
        "macro",
        "escalate",
        "promise",
    ] {
        let path = format!("/cases/{id}/{action}");
        // Without the token (and with a bad value): 403 before anything is read.
        let r = console
            .post_raw(&path, &[("reason", "x"), ("status", "bogus")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}");
        let r = console
            .post_raw(&path, &[("_csrf", "0123"), ("reason", "x")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}");
        // The htmx header is a token too.
        // Without a session: to the login page, back to the case afterwards.
        let res = console
            .http
            .post(format!("{}{path}", console.base))
            .form(&[("_csrf", console.csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
        assert_eq!(
            res.headers()[LOCATION],
            format!("/login?next=%2Fcases%2F{id}"),
            "{action}"
        );
    }
    assert_eq!(events(&app, id).await.len(), before);
    // The htmx header carries the token as well as the field does.
    let res = console
        .http
        .post(format!("{}/cases/{id}/escalate", console.base))
        .header(COOKIE, &console.cookie)
        .header("x-csrf-token", &console.csrf)
        .form(&[("reason", "客户第三次来电")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let all = events(&app, id).await;
    assert!(all.len() > before);
    assert!(
        all[before].to_string().contains("escalated"),
        "{:?}",
        all[before]
    );
}

#[tokio::test]
async fn console_pages_without_a_session_go_to_login_and_come_back() {
    let app = spawn_app().await;
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (path, next) in [
        ("/queue/mine", "%2Fqueue%2Fmine"),
        ("/dashboard", "%2Fdashboard"),
        ("/canned", "%2Fcanned"),
        ("/kb/gaps", "%2Fkb%2Fgaps"),
        ("/chats", "%2Fchats"),
        ("/customers", "%2Fcustomers"),
        ("/search", "%2Fsearch"),
        ("/department", "%2Fdepartment"),
    ] {
        let r = http
            .get(format!("{}{path}", app.base))
            .header(COOKIE, "kefu_session=not-a-session")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            r.headers()[LOCATION],
            format!("/login?next={next}"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_new_phone_case_with_a_bogus_category_is_refused_and_none_is_made() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    let before = app.count_cases().await;
    let r = console
        .post(
            "/cases/new",
            &[
                ("phone", "13912345678"),
                ("name", "王先生"),
                ("subject", "快件破损"),
                ("description", "外箱压坏"),
                ("category", "broken-things"),
                ("waybill_no", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.location);
    assert!(r.html.contains("class=\"error\""), "{}", r.html);
    assert!(r.html.contains("category"), "the refusal names the field");
    assert!(
        r.html.contains("value=\"13912345678\""),
        "the phone is kept"
    );
    assert_eq!(app.count_cases().await, before);
    // Empty is "classify it for me", as the form's first option says.
    let r = console
        .post(
            "/cases/new",
            &[
                ("phone", "13912345678"),
                ("subject", "快件破损"),
                ("description", "外箱压坏"),
                ("category", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(app.count_cases().await, before + 1);
}

#[tokio::test]
async fn a_bogus_presence_is_refused_and_the_agent_keeps_theirs() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    let r = console
        .post(
            "/chats/presence",
            &[("presence", "online"), ("max_chats", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    for (presence, max) in [("sleeping", "3"), ("away", "many")] {
        let r = console
            .post(
                "/chats/presence",
                &[("presence", presence), ("max_chats", max)],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{presence} {max}"
        );
        assert!(r.html.contains("class=\"error\""), "{}", r.html);
    }
    let page = console.get("/chats").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("value=\"online\" checked"),
        "still online: {}",
        page.html
    );
}

#[tokio::test]
async fn opening_a_case_from_tracking_with_a_bogus_issue_is_refused() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    let before = app.count_cases().await;
    let r = console
        .post(
            "/track/case",
            &[
                ("waybill_no", "SF1234567890"),
                ("phone", "13912345678"),
                ("issue", "aliens"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.location);
    assert!(r.html.contains("class=\"error\"") && r.html.contains("issue"));
    assert!(r.html.contains("SF1234567890"), "the waybill is kept");
    assert_eq!(app.count_cases().await, before);
}

#[tokio::test]
async fn a_bogus_identity_method_is_refused_in_its_form_and_the_note_kept() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    let case = new_case(&app).await;
    let id = case["id"].as_str().unwrap();
    let before = events(&app, id).await.len();
    let action = format!("/cases/{id}/identity");
    let r = console
        .post(&action, &[("method", "palm_reading"), ("note", "看手相")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.location);
    let form = form_html(&r.html, &action);
    assert!(
        form.contains("class=\"error\"") && form.contains("method"),
        "{form}"
    );
    assert!(form.contains("value=\"看手相\""), "{form}");
    assert_eq!(events(&app, id).await.len(), before);
    assert!(case_json(&app, id).await["identity_confirmed"].is_null());
}
