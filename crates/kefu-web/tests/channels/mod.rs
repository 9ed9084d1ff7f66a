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
