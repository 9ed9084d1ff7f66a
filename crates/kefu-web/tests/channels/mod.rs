//! The e-mail channel over HTTP: mailboxes through the API and the console (passwords never
//! answered or shown again, bad input refused by field, stale edits refused), a mail handed in
//! by a gateway becoming a case once, and the deliveries of a case's replies.

use base64::Engine as _;
use kefu_model::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::console::{Console, form_html};
use super::{error_code, spawn_app};

fn mailbox() -> Value {
    json!({"name": "客服邮箱", "address": "kefu@yunlu.example", "display_name": "云路快递客服",
        "imap_host": "imap.yunlu.example", "imap_username": "kefu", "imap_password": "imap-pw-123",
        "smtp_host": "smtp.yunlu.example", "smtp_username": "kefu", "smtp_password": "smtp-pw-456"})
}

fn raw(mail: &str) -> Value {
    json!({"raw": base64::engine::general_purpose::STANDARD.encode(mail)})
}

const MAIL: &str = "From: 王先生 <wang@example.cn>\r\nTo: kefu@yunlu.example\r\n\
    Subject: 包裹破损\r\nMessage-ID: <api-1@example.cn>\r\nMIME-Version: 1.0\r\n\
    Content-Type: text/plain; charset=utf-8\r\n\r\n运单 SF1234567890123 外箱破损。\r\n";

#[tokio::test]
async fn mailboxes_keep_their_passwords_to_themselves_and_refuse_bad_input() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    let created = admin
        .post("/api/v1/channels/email", mailbox())
        .await
        .expect(201);
    let text = created.to_string();
    assert!(
        !text.contains("imap-pw-123") && !text.contains("smtp-pw-456"),
        "{text}"
    );
    assert_eq!(created["imap_password_set"], true);
    assert_eq!(created["smtp_password_set"], true);
    assert_eq!(created["imap_port"], 993);
    assert_eq!(created["version"], 1);
    let id = created["id"].as_str().unwrap().to_string();

    for (field, value) in [
        ("imap_host", json!("imap host; rm -rf")),
        ("address", json!("not-an-address")),
        ("imap_port", json!(0)),
        ("name", json!("")),
    ] {
        let mut bad = mailbox();
        bad[field] = value;
        let body = admin.post("/api/v1/channels/email", bad).await.expect(422);
        assert_eq!(error_code(&body), "invalid_field", "{field}: {body}");
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    let mut no_password = mailbox();
    no_password.as_object_mut().unwrap().remove("imap_password");
    let body = admin
        .post("/api/v1/channels/email", no_password)
        .await
        .expect(422);
    assert_eq!(body["error"]["field"], "imap_password", "{body}");
    let body = admin
        .post(
            "/api/v1/channels/email",
            json!({"name": "x", "surprise": 1}),
        )
        .await
        .expect(422);
    assert_eq!(error_code(&body), "invalid_field", "{body}");

    // A change without the passwords keeps them; a stale version is refused.
    let mut change = mailbox();
    let fields = change.as_object_mut().unwrap();
    fields.remove("imap_password");
    fields.remove("smtp_password");
    fields.insert("signature".into(), json!("云路快递客服中心"));
    let body = admin
        .put(&format!("/api/v1/channels/email/{id}"), change.clone())
        .await
        .expect(422);
    assert_eq!(body["error"]["field"], "version", "{body}");
    change["version"] = json!(1);
    let changed = admin
        .put(&format!("/api/v1/channels/email/{id}"), change.clone())
        .await
        .expect(200);
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["imap_password_set"], true);
    assert_eq!(changed["signature"], "云路快递客服中心");
    let body = admin
        .put(&format!("/api/v1/channels/email/{id}"), change)
        .await
        .expect(409);
    assert_eq!(error_code(&body), "version_conflict", "{body}");
    let listed = admin.get("/api/v1/channels/email").await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains("pw-"), "{listed}");
    admin
        .get("/api/v1/channels/email/no-such-mailbox")
        .await
        .expect(404);
}

#[tokio::test]
async fn a_handed_in_mail_opens_a_case_once_and_its_reply_is_queued() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    let id = admin
        .post("/api/v1/channels/email", mailbox())
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/channels/email/{id}/mail");
    let receipt = admin.post(&path, raw(MAIL)).await.expect(200);
    assert_eq!(receipt["outcome"], "created", "{receipt}");
    assert_eq!(receipt["duplicate"], false);
    let case_id = receipt["case_id"].as_str().unwrap().to_string();
    let again = admin.post(&path, raw(MAIL)).await.expect(200);
    assert_eq!(again["duplicate"], true, "{again}");
    assert_eq!(again["case_id"], receipt["case_id"]);
    let body = admin
        .post(&path, json!({"raw": "%%% not base64"}))
        .await
        .expect(422);
    assert_eq!(body["error"]["field"], "raw", "{body}");
    admin
        .post("/api/v1/channels/email/no-such-mailbox/mail", raw(MAIL))
        .await
        .expect(404);
    let unreadable = admin
        .post(&path, raw("\u{1}\u{2} garbage"))
        .await
        .expect(200);
    assert_eq!(unreadable["outcome"], "unparsed", "{unreadable}");

    let listed = app
        .as_role(Role::Supervisor)
        .get("/api/v1/channels/inbound?outcome=unparsed")
        .await
        .expect(200);
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listed}");
    assert!(items[0]["raw_base64"].is_string());
    let body = admin
        .get("/api/v1/channels/inbound?outcome=lost")
        .await
        .expect(422);
    assert_eq!(error_code(&body), "invalid_field", "{body}");

    let case = app
        .as_role(Role::Agent)
        .get(&format!("/api/v1/cases/{case_id}"))
        .await
        .expect(200);
    assert_eq!(case["channel"], "email");
    assert_eq!(case["waybill_nos"], json!(["SF1234567890123"]));
    app.as_role(Role::Agent)
        .post(
            &format!("/api/v1/cases/{case_id}/messages"),
            json!({"body": "您好，已登记理赔。", "visibility": "public"}),
        )
        .await
        .expect(201);
    let deliveries = app
        .as_role(Role::Agent)
        .get(&format!("/api/v1/cases/{case_id}/deliveries"))
        .await
        .expect(200);
    let d = &deliveries["items"][0];
    assert_eq!(d["state"], "queued", "{deliveries}");
    assert!(
        d["subject"]
            .as_str()
            .unwrap()
            .contains(case["number"].as_str().unwrap())
    );
    assert!(d.get("to").is_none(), "the address is not repeated: {d}");
}

#[tokio::test]
async fn the_console_page_adds_and_edits_mailboxes_without_showing_passwords() {
    let app = spawn_app().await;
    let console = Console::open(&app, &app.admin, "zh", "/channels").await;
    let page = console.get("/channels").await;
    assert!(page.html.contains("渠道接入") && page.html.contains("还没有接入邮箱"));
    let fields = [
        ("name", "客服邮箱"),
        ("address", "kefu@yunlu.example"),
        ("enabled", "on"),
        ("imap_host", "imap.yunlu.example"),
        ("imap_port", "993"),
        ("imap_security", "tls"),
        ("imap_username", "kefu"),
        ("imap_password", "console-secret-1"),
        ("imap_mailbox", "INBOX"),
        ("smtp_host", "smtp.yunlu.example"),
        ("smtp_port", "465"),
        ("smtp_security", "tls"),
        ("signature", "云路快递"),
    ];
    // A bad port: 422 with the reason, what was typed kept, the password not echoed.
    let mut bad = fields.to_vec();
    bad[4] = ("imap_port", "99999");
    let refused = console.post("/channels/email", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("imap_port"), "{}", refused.html);
    assert!(refused.html.contains("imap.yunlu.example"));
    assert!(!refused.html.contains("console-secret-1"));
    let empty = app
        .as_role(Role::Admin)
        .get("/api/v1/channels/email")
        .await
        .expect(200);
    assert_eq!(empty["items"].as_array().unwrap().len(), 0);

    let saved = console.post("/channels/email", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let listed = app
        .as_role(Role::Admin)
        .get("/api/v1/channels/email")
        .await
        .expect(200);
    let id = listed["items"][0]["id"].as_str().unwrap().to_string();
    let edit = console.get(&format!("/channels/email/{id}")).await;
    assert_eq!(edit.status, StatusCode::OK);
    let form = form_html(&edit.html, &format!("/channels/email/{id}"));
    assert!(form.contains("已保存；留空则不变"), "{form}");
    assert!(!edit.html.contains("console-secret-1"));
    // Saved again with the password left empty: it stays.
    let mut again: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| *k != "imap_password")
        .copied()
        .collect();
    again.push(("version", "1"));
    again.push(("imap_password", ""));
    let saved = console.post(&format!("/channels/email/{id}"), &again).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let one = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/channels/email/{id}"))
        .await
        .expect(200);
    assert_eq!(
        (one["version"].as_i64(), &one["imap_password_set"]),
        (Some(2), &json!(true))
    );
    // The same stale version again is refused on the page.
    let stale = console.post(&format!("/channels/email/{id}"), &again).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Not for agents.
    let agent = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    assert_eq!(agent.get("/channels").await.status, StatusCode::FORBIDDEN);
    assert!(
        !agent
            .get("/queue/mine")
            .await
            .html
            .contains("channels-link")
    );
}

/// A handed-in mail that cannot be read, and its key in the intake.
async fn unreadable(app: &super::TestApp, mailbox: &str, garbage: &str) -> String {
    let admin = app.as_role(Role::Admin);
    let kept = admin
        .post(
            &format!("/api/v1/channels/email/{mailbox}/mail"),
            raw(garbage),
        )
        .await
        .expect(200);
    assert_eq!(kept["outcome"], "unparsed", "{kept}");
    let listed = admin
        .get("/api/v1/channels/inbound?outcome=unparsed")
        .await
        .expect(200);
    listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            let original = base64::engine::general_purpose::STANDARD
                .decode(i["raw_base64"].as_str().unwrap_or_default())
                .unwrap_or_default();
            original == garbage.as_bytes()
        })
        .map(|i| i["key"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("not listed: {listed}"))
}

#[tokio::test]
async fn an_admin_downloads_reads_again_or_dismisses_what_could_not_be_read() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    let mailbox = admin
        .post("/api/v1/channels/email", mailbox())
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let garbage = "\u{1}\u{2} garbage that no parser reads";
    let key = unreadable(&app, &mailbox, garbage).await;
    let base = format!("/api/v1/channels/inbound/{key}");

    // The original, as a mail file to open.
    let download = app
        .http
        .get(format!("{}{base}/original", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    let headers = download.headers().clone();
    assert_eq!(headers["content-type"], "message/rfc822");
    let disposition = headers["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with("attachment;") && disposition.ends_with(".eml\""),
        "{disposition}"
    );
    assert_eq!(download.bytes().await.unwrap(), garbage.as_bytes());
    let body = admin
        .get("/api/v1/channels/inbound/sha256:nothing/original")
        .await
        .expect(404);
    assert_eq!(error_code(&body), "not_found", "{body}");

    // Read again: still unreadable, so it stays waiting.
    let retake = admin.post(&format!("{base}/retake"), json!({})).await;
    let retake = retake.expect(200);
    assert_eq!(retake["message"]["outcome"], "unparsed", "{retake}");
    assert!(retake["receipt"].is_null(), "{retake}");
    admin
        .post("/api/v1/channels/inbound/sha256:nothing/retake", json!({}))
        .await
        .expect(404);

    // Dismissing needs a reason: 400 with its code, and nothing changes.
    for body in [json!({}), json!({"reason": "   "})] {
        let refused = admin
            .post(&format!("{base}/dismiss"), body)
            .await
            .expect(400);
        assert_eq!(error_code(&refused), "reason_required", "{refused}");
    }
    let still = admin
        .get("/api/v1/channels/inbound?outcome=unparsed")
        .await
        .expect(200);
    assert_eq!(still["items"].as_array().unwrap().len(), 1, "{still}");
    admin
        .post(
            "/api/v1/channels/inbound/sha256:nothing/dismiss",
            json!({"reason": "乱码"}),
        )
        .await
        .expect(404);
    let dismissed = admin
        .post(
            &format!("{base}/dismiss"),
            json!({"reason": "乱码，发件人不明"}),
        )
        .await
        .expect(200);
    assert_eq!(dismissed["outcome"], "dismissed", "{dismissed}");
    assert_eq!(dismissed["handled"]["reason"], "乱码，发件人不明");
    assert_eq!(dismissed["handled"]["by"], "user:admin");

    // Settled: a second admin's action is a conflict.
    for action in ["retake", "dismiss"] {
        let again = admin
            .post(&format!("{base}/{action}"), json!({"reason": "again"}))
            .await
            .expect(409);
        assert_eq!(error_code(&again), "already_handled", "{again}");
    }
    // It left the list to look at and is found as dismissed.
    let waiting = admin
        .get("/api/v1/channels/inbound?outcome=unparsed")
        .await
        .expect(200);
    assert!(waiting["items"].as_array().unwrap().is_empty(), "{waiting}");
    let set_aside = admin
        .get("/api/v1/channels/inbound?outcome=dismissed")
        .await
        .expect(200);
    assert_eq!(set_aside["items"][0]["key"], key.as_str(), "{set_aside}");
    // Supervisors see the intake but do not act on it.
    let other = unreadable(&app, &mailbox, "\u{1} another").await;
    let supervisor = app.as_role(Role::Supervisor);
    supervisor
        .post(
            &format!("/api/v1/channels/inbound/{other}/dismiss"),
            json!({"reason": "x"}),
        )
        .await
        .expect(403);
    supervisor
        .get(&format!("/api/v1/channels/inbound/{other}/original"))
        .await
        .expect(403);
}

#[tokio::test]
async fn the_console_lists_what_waits_and_acts_on_it() {
    let app = spawn_app().await;
    let mailbox = app
        .as_role(Role::Admin)
        .post("/api/v1/channels/email", mailbox())
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let garbage = "\u{1}\u{2} console garbage";
    let key = unreadable(&app, &mailbox, garbage).await;
    // As the page writes it (a form-encoded path segment).
    let href = format!("/channels/inbound/{}", key.replace(':', "%3A"));
    for (lang, retake, dismiss) in [("zh", "重新读取", "搁置"), ("en", "Read again", "Dismiss")]
    {
        let console = Console::open(&app, &app.admin, lang, "/channels").await;
        let page = console.get("/channels?intake=unparsed").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.html.contains(retake) && page.html.contains(dismiss),
            "{}",
            page.html
        );
        assert!(
            page.html.contains(&format!("{href}/original")),
            "{}",
            page.html
        );
    }
    let console = Console::open(&app, &app.admin, "zh", "/channels").await;
    let download = console.get(&format!("{href}/original")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.html.as_bytes(), garbage.as_bytes());

    // Read again: it stays, with its reason.
    let retaken = console.post(&format!("{href}/retake"), &[]).await;
    assert_eq!(retaken.status, StatusCode::SEE_OTHER, "{}", retaken.html);
    // No reason: refused next to the list, nothing changed.
    let refused = console
        .post(&format!("{href}/dismiss"), &[("reason", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("reason"), "{}", refused.html);
    let dismissed = console
        .post(&format!("{href}/dismiss"), &[("reason", "广告邮件")])
        .await;
    assert_eq!(
        dismissed.status,
        StatusCode::SEE_OTHER,
        "{}",
        dismissed.html
    );
    let waiting = console.get("/channels?intake=unparsed").await;
    assert!(
        !waiting.html.contains(&format!("{href}/retake")),
        "{}",
        waiting.html
    );
    let set_aside = console.get("/channels?intake=dismissed").await;
    assert!(set_aside.html.contains("广告邮件"), "{}", set_aside.html);
    assert!(set_aside.html.contains("已搁置"));
    // A second click on a stale page: 409 and the reason, nothing changed.
    let again = console.post(&format!("{href}/retake"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.html.contains("not waiting for a person"),
        "{}",
        again.html
    );
    let listed = app
        .as_role(Role::Admin)
        .get("/api/v1/channels/inbound?outcome=dismissed")
        .await
        .expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    // Not for agents.
    let agent = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    assert_eq!(
        agent
            .post(&format!("{href}/dismiss"), &[("reason", "x")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
