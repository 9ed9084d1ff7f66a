//! Notices kefu sends by itself: SMS gateways through the API (key never shown, bad input
//! refused), the receipt, resolution, survey and call-back notices queued as deliveries with
//! their events, the way chosen by channel, opt-out and "no way" recorded, the templates as a
//! setting that refuses typos, and nothing at all while no way out is configured.

use kefu_model::Role;
use serde_json::{Value, json};

use super::{TestApp, error_code, spawn_app};

fn gateway() -> Value {
    json!({"name": "短信网关", "endpoint": "https://sms.yunlu.example/send",
        "sign_name": "云路快递", "api_key": "sms-key-789"})
}

async fn events(app: &TestApp, id: &str) -> Vec<Value> {
    let page = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{id}/events?limit=200"))
        .await
        .expect(200);
    page["items"].as_array().cloned().unwrap_or_default()
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

async fn deliveries(app: &TestApp, id: &str) -> Vec<Value> {
    let list = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{id}/deliveries"))
        .await
        .expect(200);
    list["items"].as_array().cloned().unwrap_or_default()
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn set_status(app: &TestApp, id: &str, status: &str) {
    app.as_role(Role::Admin)
        .patch(&format!("/api/v1/cases/{id}"), json!({"status": status}))
        .await
        .expect(200);
}

/// New → open → resolved, as an agent works a case.
async fn resolve(app: &TestApp, id: &str) {
    set_status(app, id, "open").await;
    set_status(app, id, "resolved").await;
}

#[tokio::test]
async fn sms_gateways_keep_their_key_and_refuse_bad_input() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    let created = admin
        .post("/api/v1/channels/sms", gateway())
        .await
        .expect(201);
    assert!(!created.to_string().contains("sms-key-789"), "{created}");
    assert_eq!(created["api_key_set"], true);
    let id = created["id"].as_str().unwrap().to_string();
    for (field, value) in [
        ("endpoint", json!("ftp://sms.yunlu.example")),
        ("endpoint", json!("https://")),
        ("sign_name", json!("【云路快递】")),
        ("sign_name", json!("")),
    ] {
        let mut bad = gateway();
        bad[field] = value;
        let body = admin.post("/api/v1/channels/sms", bad).await.expect(422);
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    let mut no_key = gateway();
    no_key.as_object_mut().unwrap().remove("api_key");
    let body = admin.post("/api/v1/channels/sms", no_key).await.expect(422);
    assert_eq!(body["error"]["field"], "api_key", "{body}");

    // A change without the key keeps it; a stale version is refused.
    let mut change = gateway();
    change.as_object_mut().unwrap().remove("api_key");
    change["sign_name"] = json!("云路");
    change["version"] = json!(1);
    let changed = admin
        .put(&format!("/api/v1/channels/sms/{id}"), change.clone())
        .await
        .expect(200);
    assert_eq!(
        (&changed["sign_name"], &changed["api_key_set"]),
        (&json!("云路"), &json!(true))
    );
    let stale = admin
        .put(&format!("/api/v1/channels/sms/{id}"), change)
        .await
        .expect(409);
    assert_eq!(error_code(&stale), "version_conflict");
    // A gateway is not a mailbox, and a mailbox route does not show it.
    admin
        .get(&format!("/api/v1/channels/email/{id}"))
        .await
        .expect(404);
    let mailboxes = admin.get("/api/v1/channels/email").await.expect(200);
    assert_eq!(mailboxes["items"], json!([]));
    let gateways = admin.get("/api/v1/channels/sms").await.expect(200);
    assert_eq!(gateways["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn without_a_way_out_no_notice_is_planned_or_recorded() {
    let app = spawn_app().await;
    let case = app.create_case(super::new_case("13800138001")).await;
    let id = case["id"].as_str().unwrap();
    resolve(&app, id).await;
    let all = events(&app, id).await;
    assert!(
        all.iter()
            .all(|e| !e["type"].as_str().unwrap().starts_with("notice_")),
        "{all:?}"
    );
    assert!(deliveries(&app, id).await.is_empty());
}

#[tokio::test]
async fn a_phone_case_is_told_by_sms_received_resolved_and_surveyed_once() {
    let app = spawn_app().await;
    app.as_role(Role::Admin)
        .post("/api/v1/channels/sms", gateway())
        .await
        .expect(201);
    let case = app.create_case(super::new_case("13800138002")).await;
    let id = case["id"].as_str().unwrap().to_string();
    let number = case["number"].as_str().unwrap().to_string();

    let all = events(&app, &id).await;
    let queued = of_type(&all, "notice_queued");
    assert_eq!(queued.len(), 1, "{all:?}");
    let receipt = &queued[0]["data"];
    assert_eq!(
        (&receipt["kind"], &receipt["via"], &receipt["to"]),
        (&json!("received"), &json!("sms"), &json!("138****8002"))
    );
    assert!(
        receipt["text"].as_str().unwrap().contains(&number),
        "{receipt}"
    );
    assert_eq!(queued[0]["actor"], "system:notices");
    let sent = deliveries(&app, &id).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (
            &sent[0]["notice"],
            &sent[0]["state"],
            &sent[0]["message_id"]
        ),
        (&json!("received"), &json!("queued"), &receipt["notice_id"])
    );

    // Resolved: the resolution and the survey, whose link opens the survey's own page (no
    // phone needed: the link's token is the proof).
    resolve(&app, &id).await;
    let all = events(&app, &id).await;
    let kinds: Vec<&str> = of_type(&all, "notice_queued")
        .iter()
        .map(|e| e["data"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["received", "resolved", "survey"]);
    let survey = deliveries(&app, &id)
        .await
        .into_iter()
        .find(|d| d["notice"] == "survey")
        .unwrap();
    assert!(
        survey["body"]
            .as_str()
            .unwrap()
            .contains(&format!("/survey/{id}.")),
        "{survey}"
    );

    // Reopened and resolved again: another resolution notice, no second survey.
    set_status(&app, &id, "open").await;
    set_status(&app, &id, "resolved").await;
    let all = events(&app, &id).await;
    let kinds: Vec<&str> = of_type(&all, "notice_queued")
        .iter()
        .map(|e| e["data"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["received", "resolved", "survey", "resolved"]);
    assert_eq!(deliveries(&app, &id).await.len(), 4);
}

#[tokio::test]
async fn a_promise_is_announced_and_an_opted_out_customer_is_not_told() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    admin
        .post("/api/v1/channels/sms", gateway())
        .await
        .expect(201);
    let case = app.create_case(super::new_case("13800138003")).await;
    let id = case["id"].as_str().unwrap().to_string();
    use kefu_model::Clock as _;
    let due = app
        .clock
        .now()
        .checked_add(jiff::SignedDuration::from_hours(2))
        .unwrap()
        .to_string();
    admin
        .post(
            &format!("/api/v1/cases/{id}/commitments"),
            json!({"due_at": due, "note": "两小时内回电"}),
        )
        .await
        .expect(201);
    let all = events(&app, &id).await;
    let promised = of_type(&all, "notice_queued")
        .into_iter()
        .find(|e| e["data"]["kind"] == "callback_promised")
        .cloned()
        .unwrap_or_else(|| panic!("{all:?}"));
    assert!(promised["data"]["text"].as_str().unwrap().contains("回电"));

    // The customer opts out: the resolution is not sent, and the case says why.
    let customer_id = case["customer_id"].as_str().unwrap();
    let customer = admin
        .get(&format!("/api/v1/customers/{customer_id}"))
        .await
        .expect(200);
    assert_eq!(customer["notices_opt_out"], false);
    let changed = admin
        .patch(
            &format!("/api/v1/customers/{customer_id}"),
            json!({"version": customer["version"], "notices_opt_out": true}),
        )
        .await
        .expect(200);
    assert_eq!(changed["notices_opt_out"], true);
    let before = deliveries(&app, &id).await.len();
    resolve(&app, &id).await;
    let all = events(&app, &id).await;
    let skipped = of_type(&all, "notice_skipped");
    let kinds: Vec<&str> = skipped
        .iter()
        .map(|e| e["data"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["resolved", "survey"]);
    assert_eq!(skipped[0]["data"]["reason"], "客户已退订通知");
    assert_eq!(deliveries(&app, &id).await.len(), before);
}

#[tokio::test]
async fn the_templates_are_a_setting_that_refuses_typos_and_can_switch_a_notice_off() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    admin
        .post("/api/v1/channels/sms", gateway())
        .await
        .expect(201);
    let shipped = admin.get("/api/v1/settings/notices").await.expect(200);
    let mut templates = shipped.clone();
    assert_eq!(
        templates["templates"].as_array().unwrap().len(),
        5,
        "{shipped}"
    );
    app.as_role(Role::Agent)
        .get("/api/v1/settings/notices")
        .await
        .expect(403);

    let mut typo = templates.clone();
    typo["templates"][0]["sms_text"] = json!("工单{case_numbr}已受理");
    let body = admin
        .put("/api/v1/settings/notices", typo)
        .await
        .expect(422);
    assert_eq!(body["error"]["field"], "templates[0].sms_text", "{body}");

    // Receipts off, and the SMS text of the resolution changed.
    templates["templates"][0]["enabled"] = json!(false);
    templates["templates"][2]["sms_text"] = json!("工单{case_number}办好了");
    admin
        .put("/api/v1/settings/notices", templates)
        .await
        .expect(200);
    let case = app.create_case(super::new_case("13800138004")).await;
    let id = case["id"].as_str().unwrap().to_string();
    assert!(of_type(&events(&app, &id).await, "notice_queued").is_empty());
    resolve(&app, &id).await;
    let resolved = deliveries(&app, &id)
        .await
        .into_iter()
        .find(|d| d["notice"] == "resolved")
        .unwrap();
    assert_eq!(
        resolved["body"],
        format!("工单{}办好了", case["number"].as_str().unwrap())
    );
}

#[tokio::test]
async fn a_mail_case_gets_its_receipt_by_mail_threaded_under_the_customers_mail() {
    let app = spawn_app().await;
    let admin = app.as_role(Role::Admin);
    let mailbox = json!({"name": "客服邮箱", "address": "kefu@yunlu.example",
        "imap_host": "imap.yunlu.example", "imap_username": "kefu", "imap_password": "pw",
        "smtp_host": "smtp.yunlu.example"});
    let account = admin
        .post("/api/v1/channels/email", mailbox)
        .await
        .expect(201);
    // An SMS gateway too: a mail case is still answered by mail.
    admin
        .post("/api/v1/channels/sms", gateway())
        .await
        .expect(201);
    let mail = "From: 李女士 <li@example.cn>\r\nTo: kefu@yunlu.example\r\nSubject: 改地址\r\n\
        Message-ID: <receipt-1@example.cn>\r\nMIME-Version: 1.0\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\r\n请把收件地址改到公司。\r\n";
    use base64::Engine as _;
    let receipt = admin
        .post(
            &format!(
                "/api/v1/channels/email/{}/mail",
                account["id"].as_str().unwrap()
            ),
            json!({"raw": base64::engine::general_purpose::STANDARD.encode(mail)}),
        )
        .await
        .expect(200);
    let id = receipt["case_id"].as_str().unwrap().to_string();
    let all = events(&app, &id).await;
    let queued = of_type(&all, "notice_queued");
    assert_eq!(queued.len(), 1, "{all:?}");
    assert_eq!(
        (&queued[0]["data"]["via"], &queued[0]["data"]["to"]),
        (&json!("email"), &json!("l***@example.cn"))
    );
    let sent = deliveries(&app, &id).await;
    assert_eq!(sent.len(), 1);
    let subject = sent[0]["subject"].as_str().unwrap();
    assert!(subject.starts_with("已受理：改地址 ["), "{subject}");
    assert!(
        sent[0]["in_reply_to"]
            .as_str()
            .is_some_and(|m| m.contains("receipt-1@example.cn")),
        "{}",
        sent[0]
    );
}

#[tokio::test]
async fn the_console_page_adds_a_gateway_and_edits_the_templates() {
    use super::console::{Console, form_html};
    use reqwest::StatusCode;
    let app = spawn_app().await;
    let console = Console::open(&app, &app.admin, "zh", "/channels/notices").await;
    let page = console.get("/channels/notices").await;
    assert!(page.html.contains("还没有接入短信网关"), "{}", page.html);
    assert!(
        page.html.contains("{case_number}"),
        "placeholders are listed"
    );
    let fields = [
        ("name", "短信网关"),
        ("endpoint", "https://sms.yunlu.example/send"),
        ("sign_name", "云路快递"),
        ("api_key", "console-key-1"),
        ("enabled", "on"),
    ];
    let mut bad = fields.to_vec();
    bad[2] = ("sign_name", "【云路快递】");
    let refused = console.post("/channels/sms", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("sign_name"), "{}", refused.html);
    assert!(!refused.html.contains("console-key-1"));
    let saved = console.post("/channels/sms", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let listed = console.get("/channels/notices").await;
    assert!(listed.html.contains("【云路快递】"), "{}", listed.html);
    assert!(!listed.html.contains("console-key-1"));
    let id = app
        .as_role(Role::Admin)
        .get("/api/v1/channels/sms")
        .await
        .expect(200)["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let edit = console.get(&format!("/channels/sms/{id}")).await;
    assert!(form_html(&edit.html, &format!("/channels/sms/{id}")).contains("已保存；留空则不变"));

    // The templates: the form as shown, with the survey's SMS changed and receipts for chats.
    let templates_form = form_html(&page.html, "/channels/notices/templates").to_string();
    let mut typed: Vec<(String, String)> = Vec::new();
    for (i, kind) in ["received", "callback_promised", "resolved", "survey"]
        .iter()
        .enumerate()
    {
        let shipped = kefu_model::notices::NoticeTemplates::default();
        let t = &shipped.templates[i];
        assert_eq!(t.kind.as_str(), *kind);
        assert!(templates_form.contains(&format!("t{i}_sms_text")));
        typed.push((format!("t{i}_enabled"), "on".into()));
        for c in &t.channels {
            typed.push((format!("t{i}_channel_{c}"), "on".into()));
        }
        typed.push((format!("t{i}_email_subject"), t.email_subject.clone()));
        typed.push((format!("t{i}_email_text"), t.email_text.clone()));
        let sms = if *kind == "survey" {
            "请评分：{survey_url}".to_string()
        } else {
            t.sms_text.clone()
        };
        typed.push((format!("t{i}_sms_text"), sms));
        typed.push((format!("t{i}_wechat_text"), t.wechat_text.clone()));
    }
    typed.push(("t0_channel_chat".into(), "on".into()));
    // The resolution's WeChat template message, one field a line.
    typed.push(("t2_wechat_template_id".into(), "tpl-resolved".into()));
    typed.push((
        "t2_wechat_fields".into(),
        "first=您的工单已处理完毕\nkeyword1={case_number}\n".into(),
    ));
    let with_typo: Vec<(String, String)> = typed
        .iter()
        .map(|(k, v)| match k.as_str() {
            "t1_sms_text" => (k.clone(), "{due}回电".to_string()),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    let refused = console
        .post("/channels/notices/templates", &pairs(&with_typo))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.html.contains("{due}"),
        "typed text kept: {}",
        refused.html
    );
    let saved = console
        .post("/channels/notices/templates", &pairs(&typed))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let stored = app
        .as_role(Role::Admin)
        .get("/api/v1/settings/notices")
        .await
        .expect(200);
    assert_eq!(stored["templates"][3]["sms_text"], "请评分：{survey_url}");
    assert_eq!(
        stored["templates"][2]["wechat_template"],
        json!({"template_id": "tpl-resolved", "fields": [
            {"key": "first", "value": "您的工单已处理完毕"},
            {"key": "keyword1", "value": "{case_number}"}]})
    );
    // Shown again as typed, so saving the page unchanged keeps it.
    let again = console.get("/channels/notices").await;
    assert!(
        again.html.contains("keyword1={case_number}"),
        "{}",
        again.html
    );
    assert!(again.html.contains(r#"value="tpl-resolved""#));
    assert!(
        stored["templates"][0]["channels"]
            .as_array()
            .unwrap()
            .contains(&json!("chat"))
    );

    // Not for agents.
    let agent = Console::open(&app, &app.agent, "en", "/queue/mine").await;
    assert_eq!(
        agent.get("/channels/notices").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_agent_switches_a_customers_notices_off_from_the_customer_page() {
    use super::console::Console;
    use reqwest::StatusCode;
    let app = spawn_app().await;
    let case = app.create_case(super::new_case("13800138005")).await;
    let customer_id = case["customer_id"].as_str().unwrap().to_string();
    let path = format!("/customers?id={customer_id}");
    let console = Console::open(&app, &app.agent, "zh", &path).await;
    let page = console.get(&path).await;
    assert!(page.html.contains("接收通知"), "{}", page.html);
    let switched = console
        .post(
            "/customers/notices",
            &[
                ("id", customer_id.as_str()),
                ("version", "1"),
                ("opt_out", "true"),
            ],
        )
        .await;
    assert_eq!(switched.status, StatusCode::OK, "{}", switched.html);
    assert!(switched.html.contains("已退订通知"), "{}", switched.html);
    let customer = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/customers/{customer_id}"))
        .await
        .expect(200);
    assert_eq!(customer["notices_opt_out"], true);
    // The same switch at the old version is refused and changes nothing.
    let stale = console
        .post(
            "/customers/notices",
            &[
                ("id", customer_id.as_str()),
                ("version", "1"),
                ("opt_out", "false"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let customer = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/customers/{customer_id}"))
        .await
        .expect(200);
    assert_eq!(customer["notices_opt_out"], true);
}
