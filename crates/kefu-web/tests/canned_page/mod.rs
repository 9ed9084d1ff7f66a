//! The console's canned-replies page over HTTP, as a browser without scripts would use it: the
//! session cookie, the CSRF token the page carries, form posts, and the search-while-typing
//! fragment. What the forms did is checked through the JSON API.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::console::Console;
use super::{PASSWORD, TestApp, spawn_app};

fn q(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The templates' titles the fragment lists, in order.
fn titles(html: &str) -> Vec<String> {
    html.split("class=\"canned-title\"")
        .skip(1)
        .filter_map(|part| part.split_once('>'))
        .filter_map(|(_, rest)| rest.split_once("</a>"))
        .map(|(title, _)| title.to_string())
        .collect()
}

async fn api_titles(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/canned{query}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

async fn api_find(app: &TestApp, token: &str, title: &str) -> Option<Value> {
    let (_, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/canned?q={}", q(title)),
            Some(token),
            None,
        )
        .await;
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == title)
        .cloned()
}

#[tokio::test]
async fn an_agent_writes_a_personal_reply_previews_finds_edits_and_archives_it() {
    let app = spawn_app().await;
    let agent = Console::open(&app, &app.agent, "zh", "/canned").await;
    let page = agent.get("/canned").await;
    assert!(
        page.html.contains("href=\"/canned\">快捷回复</a>"),
        "the nav links the page"
    );
    assert!(
        page.html.contains("延误致歉"),
        "the shipped replies are listed"
    );
    assert!(page.html.contains("状态→待客户回复, +标签 待补充材料"));

    // Without the CSRF token nothing is saved.
    let r = agent
        .post_raw(
            "/canned/new",
            &[
                ("title", "我的催件答复"),
                ("body", "您好"),
                ("kind", "reply"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An unknown variable: refused next to the body, the form keeps what was typed.
    let typed_body = "{{custmer_name}}您好，您的快件正在加急派送，请耐心等待。";
    let r = agent
        .post(
            "/canned/new",
            &[
                ("title", "我的催件答复"),
                ("body", typed_body),
                ("scope", "personal"),
                ("language", "zh"),
                ("tags", "催件，加急"),
                ("kind", "reply"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.html);
    assert!(r.html.contains("id=\"err-body\""), "{}", r.html);
    assert!(r.html.contains("custmer_name"));
    assert!(r.html.contains("value=\"我的催件答复\""), "title kept");
    assert!(
        r.html.contains(&format!(">{typed_body}</textarea>")),
        "body kept"
    );
    assert!(r.html.contains("value=\"催件，加急\""), "tags kept");
    assert!(api_find(&app, &app.agent, "我的催件答复").await.is_none());

    // Saved, then listed with its scope, language and tags.
    let body = "{{customer_name}}您好，您的快件（运单号 {{waybill}}）正在加急派送，请耐心等待。";
    let r = agent
        .post(
            "/canned/new",
            &[
                ("title", "我的催件答复"),
                ("body", body),
                ("scope", "personal"),
                ("language", "zh"),
                ("tags", "催件，加急"),
                ("kind", "reply"),
                ("preview_case", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(r.location, "/canned?done=saved");
    let stored = api_find(&app, &app.agent, "我的催件答复").await.unwrap();
    assert_eq!(stored["scope"], "personal");
    assert_eq!(stored["tags"], json!(["催件", "加急"]));
    assert_eq!(stored["body"], body);
    let id = stored["id"].as_str().unwrap().to_string();
    let list = agent.get("/canned?done=saved").await;
    assert!(list.html.contains("已保存"));
    let row = list
        .html
        .split(&format!("data-id=\"{id}\""))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap_or_default()
        .to_string();
    assert!(
        row.contains("我的催件答复") && row.contains("个人"),
        "{row}"
    );
    assert!(row.contains("<span class=\"tag\">加急</span>"), "{row}");
    assert!(row.contains("agent01 · "), "{row}");
    assert!(
        row.contains("class=\"edit-link\""),
        "the owner may edit: {row}"
    );

    // The search while typing: the fragment lists what the API's `q` finds, in its order.
    for typed in ["催件", "加急", "延误", "破损", "我的"] {
        let frag = agent.get(&format!("/canned/list?q={}", q(typed))).await;
        assert_eq!(frag.status, StatusCode::OK);
        assert!(!frag.html.contains("<html"), "a fragment, not a page");
        assert_eq!(
            titles(&frag.html),
            api_titles(&app, &app.agent, &format!("?q={}", q(typed))).await,
            "{typed}"
        );
    }
    let frag = agent
        .get(&format!("/canned/list?q={}", q("我的催件")))
        .await;
    assert_eq!(titles(&frag.html), vec!["我的催件答复"]);
    let frag = agent
        .get(&format!(
            "/canned/list?q={}&scope=personal&kind=reply",
            q("您")
        ))
        .await;
    assert_eq!(titles(&frag.html), vec!["我的催件答复"]);
    let frag = agent
        .get(&format!("/canned/list?q={}", q("没有这样的模板")))
        .await;
    assert!(frag.html.contains("没有匹配的快捷回复"), "{}", frag.html);
    let frag = agent
        .get(&format!("/canned/list?q={}", "x".repeat(51)))
        .await;
    assert_eq!(frag.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(frag.html.contains("class=\"error\""), "{}", frag.html);

    // The preview: the text being written, filled in for a case, with what has no value.
    let (status, case) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(json!({"channel": "phone", "subject": "催件", "customer": {"name": "钱多多", "phone": "13811112222"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let number = case["number"].as_str().unwrap().to_string();
    let r = agent
        .post(
            "/canned/preview",
            &[
                ("preview_case", number.as_str()),
                (
                    "body",
                    "{{customer_name}}您好，运单 {{waybill}}，工单 {{case_number}}",
                ),
                ("language", "zh"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
    assert!(
        r.html
            .contains(&format!("钱多多您好，运单 （暂无运单），工单 {number}")),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("<code>{{waybill}}</code> 运单号"),
        "{}",
        r.html
    );
    let r = agent
        .post(
            "/canned/preview",
            &[("preview_case", number.as_str()), ("id", id.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
    assert!(r.html.contains("钱多多您好"), "{}", r.html);
    let r = agent
        .post(
            "/canned/preview",
            &[
                ("preview_case", number.as_str()),
                ("body", "{{nope}}"),
                ("language", "zh"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.html.contains("nope"), "{}", r.html);
    let r = agent
        .post(
            "/canned/preview",
            &[("preview_case", "KF-NO-SUCH"), ("id", id.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.html);
    assert!(r.html.contains("class=\"error\""));

    // Edited through its form.
    let form = agent.get(&format!("/canned/{id}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains(&format!("action=\"/canned/{id}\"")));
    assert!(
        form.html.contains("value=\"催件, 加急\""),
        "tags shown as typed"
    );
    assert!(
        !form.html.contains("name=\"scope\" value=\"team\""),
        "an agent is not offered team scope"
    );
    let r = agent
        .post(
            &format!("/canned/{id}"),
            &[
                ("title", "我的催件答复"),
                ("body", "{{customer_name}}您好，已加急。"),
                ("scope", "personal"),
                ("language", "zh"),
                ("tags", "催件"),
                ("kind", "reply"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let stored = api_find(&app, &app.agent, "我的催件答复").await.unwrap();
    assert_eq!(stored["body"], "{{customer_name}}您好，已加急。");
    assert_eq!(stored["tags"], json!(["催件"]));

    // Archived after the confirmation: gone from the list and the search.
    assert!(
        form.html
            .contains(&format!("action=\"/canned/{id}/archive\""))
    );
    let r = agent.post(&format!("/canned/{id}/archive"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(r.location, "/canned?done=archived");
    let list = agent.get("/canned").await;
    assert!(!list.html.contains("我的催件答复"));
    let frag = agent.get(&format!("/canned/list?q={}", q("催件"))).await;
    assert!(
        !titles(&frag.html).contains(&"我的催件答复".to_string()),
        "{}",
        frag.html
    );
    assert!(api_find(&app, &app.agent, "我的催件答复").await.is_none());
    assert_eq!(
        agent.get(&format!("/canned/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn team_templates_are_read_only_for_agents_and_kept_by_supervisors() {
    let app = spawn_app().await;
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin),
            Some(json!({"username": "sup01", "password": PASSWORD, "role": "supervisor", "department": "service"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let supervisor_token = app.login("sup01").await;
    let agent = Console::open(&app, &app.agent, "zh", "/canned").await;
    let supervisor = Console::open(&app, &supervisor_token, "zh", "/canned").await;

    // A shipped team template: the agent sees it read-only…
    let view = agent.get("/canned/seed-greeting").await;
    assert_eq!(view.status, StatusCode::OK);
    assert!(view.html.contains("问候语") && view.html.contains("只读"));
    assert!(
        !view.html.contains("action=\"/canned/seed-greeting\""),
        "no edit form"
    );
    assert!(!view.html.contains("/archive"), "no archive button");
    let list = agent.get("/canned").await;
    let row = list
        .html
        .split("data-id=\"seed-greeting\"")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap_or_default()
        .to_string();
    assert!(
        row.contains("view-link") && !row.contains("edit-link"),
        "{row}"
    );
    assert!(row.contains("团队 · 全体"), "{row}");
    // …and posting an edit or an archive anyway is refused and changes nothing.
    let r = agent
        .post(
            "/canned/seed-greeting",
            &[
                ("title", "被改了"),
                ("body", "被改了"),
                ("scope", "team"),
                ("kind", "reply"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.html);
    assert!(r.html.contains("出错了"), "the console's error page");
    let r = agent.post("/canned/seed-greeting/archive", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (_, greeting) = app
        .call(
            Method::GET,
            "/api/v1/canned/seed-greeting",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(greeting["title"], "问候语");
    assert_eq!(greeting["updated_by"], "system");
    // An agent cannot make a team template either (the form does not offer it).
    let r = agent
        .post(
            "/canned/new",
            &[
                ("title", "冒充团队"),
                ("body", "您好"),
                ("scope", "team"),
                ("kind", "reply"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.html);
    assert!(api_find(&app, &app.agent, "冒充团队").await.is_none());

    // A supervisor writes a team macro for the service department. Without actions it is
    // refused next to them, with the form kept.
    let service = app.department_id("service").await;
    let form = supervisor.get("/canned/new").await;
    assert!(form.html.contains("name=\"scope\" value=\"team\""));
    assert!(
        form.html
            .contains(&format!("<option value=\"{service}\">客服部</option>"))
    );
    let mut fields = vec![
        ("title", "延误待客户确认"),
        (
            "body",
            "{{customer_name}}您好，您的快件 {{waybill}} 延误了，请确认是否继续派送。",
        ),
        ("scope", "team"),
        ("department", service.as_str()),
        ("language", "zh"),
        ("tags", "延误"),
        ("kind", "macro"),
        ("status", ""),
        ("category", ""),
        ("priority", ""),
        ("add_tags", ""),
    ];
    let r = supervisor.post("/canned/new", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.html);
    assert!(r.html.contains("id=\"err-actions\""), "{}", r.html);
    assert!(r.html.contains("value=\"延误待客户确认\""));
    assert!(r.html.contains(&format!(
        "<option value=\"{service}\" selected>客服部</option>"
    )));
    fields.retain(|(k, _)| !matches!(*k, "status" | "add_tags"));
    fields.push(("status", "pending_customer"));
    fields.push(("add_tags", "延误"));
    let r = supervisor.post("/canned/new", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let stored = api_find(&app, &supervisor_token, "延误待客户确认")
        .await
        .unwrap();
    assert_eq!(stored["scope"], "team");
    assert_eq!(stored["department_id"], service.as_str());
    assert_eq!(
        stored["actions"],
        json!({"status": "pending_customer", "add_tags": ["延误"]})
    );
    let id = stored["id"].as_str().unwrap().to_string();
    // The agent of that department sees it summarised, read-only; operations does not see it.
    let frag = agent
        .get(&format!("/canned/list?q={}&kind=macro", q("延误")))
        .await;
    assert_eq!(titles(&frag.html), vec!["延误待客户确认"]);
    assert!(
        frag.html.contains("状态→待客户回复, +标签 延误"),
        "{}",
        frag.html
    );
    assert!(frag.html.contains("团队 · 客服部"));
    assert!(frag.html.contains("sup01 · "));
    assert!(!frag.html.contains("edit-link"));
    assert!(api_find(&app, &app.ops, "延误待客户确认").await.is_none());
    let before = api_find(&app, &app.agent, "延误待客户确认").await.unwrap();
    let r = agent
        .post(
            &format!("/canned/{id}"),
            &[("title", "改"), ("body", "改"), ("kind", "reply")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        api_find(&app, &app.agent, "延误待客户确认").await.unwrap(),
        before,
        "unchanged"
    );
    // In English the same summary reads in English.
    let english = Console::open(&app, &app.agent, "en", "/canned").await;
    let frag = english
        .get(&format!("/canned/list?q={}&kind=macro", q("延误")))
        .await;
    assert!(
        frag.html.contains("Status→Waiting for customer, +tag 延误"),
        "{}",
        frag.html
    );
    assert!(english.get("/canned").await.html.contains("Canned replies"));
    // The macro works on a case.
    let (_, case) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(json!({"channel": "phone", "subject": "延误", "customer": {"phone": "13811113333"}})),
        )
        .await;
    let number = case["number"].as_str().unwrap();
    let (status, applied) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{number}/macros/{id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["case"]["status"], "pending_customer");

    // The supervisor archives it: no longer anyone's.
    let r = supervisor.post(&format!("/canned/{id}/archive"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let frag = agent
        .get(&format!("/canned/list?q={}&kind=macro", q("延误")))
        .await;
    assert!(titles(&frag.html).is_empty(), "{}", frag.html);

    // A reader is not offered the page's link nor a form.
    let viewer = Console::open(&app, &app.viewer, "zh", "/canned").await;
    let page = viewer.get("/canned").await;
    assert!(!page.html.contains("class=\"canned-link\""));
    assert!(!page.html.contains("/canned/new"));
    assert_eq!(
        viewer.get("/canned/new").await.status,
        StatusCode::FORBIDDEN
    );
}
