//! The network's console pages over plain HTTP: the case page's work-order panel (pre-filled
//! from the case, refusals shown in the form with nothing written), the organisation's queue
//! (answers, a refusal without a reason), who may open which page, and where each role lands.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{beijing, event_count};
use crate::console::{Console, form_html};
use crate::spawn_app;

/// The value of the option marked selected in the `<select id="{id}">` of `html`.
fn selected(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no select {id}"));
    let select = &html[start..start + html[start..].find("</select>").unwrap()];
    let at = select
        .find(" selected>")
        .unwrap_or_else(|| panic!("nothing selected in {id}: {select}"));
    let value_at = select[..at].rfind("value=\"").unwrap() + "value=\"".len();
    select[value_at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn an_agent_sends_an_order_from_the_case_page_and_the_outlet_answers_from_its_queue() {
    let app = spawn_app().await;
    let (case, no) = beijing(&app).await;
    let cy = app.staff_of("cy-staff", "department", "bj-cy").await;
    // The case is about a delay: the form proposes 催件, to the outlet of the recipient's
    // district, about the case's parcel.
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{case}"),
            Some(&app.agent),
            Some(json!({"category": "delay"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let agent = Console::open(&app, &app.agent, "zh", &format!("/cases/{case}")).await;
    let page = agent.get(&format!("/cases/{case}")).await.html;
    let form = form_html(&page, &format!("/cases/{case}/work-order"));
    assert_eq!(selected(form, "wo-kind"), "hurry");
    assert_eq!(selected(form, "wo-org"), "bj-cy");
    assert!(form.contains("按收件人所在区县"), "{form}");
    assert!(form.contains(&format!("value=\"{no}\"")), "{form}");
    // An intercept without saying what to do with the parcel: refused in the form, what was
    // typed kept, nothing written.
    let before = event_count(&app, &case).await;
    let send = format!("/cases/{case}/work-order");
    let refused = agent
        .post(
            &send,
            &[
                ("kind", "intercept"),
                ("organisation", "bj-cy"),
                ("waybill_no", &no),
                ("note", "客户要求退回"),
                ("intercept", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = form_html(&refused.html, &send);
    assert!(form.contains("class=\"error\""), "{form}");
    assert!(form.contains("details.intercept"), "{form}");
    assert_eq!(selected(form, "wo-kind"), "intercept");
    assert!(form.contains("客户要求退回"), "{form}");
    assert_eq!(
        event_count(&app, &case).await,
        before,
        "nothing was written"
    );
    // A value the form does not take is refused the same way.
    let bad = agent
        .post(&send, &[("kind", "teleport"), ("note", "x")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(event_count(&app, &case).await, before);
    let sent = agent
        .post(
            &send,
            &[
                ("kind", "intercept"),
                ("organisation", "bj-cy"),
                ("waybill_no", &no),
                ("note", "客户要求退回"),
                ("intercept", "return"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    let page = agent.get(&format!("/cases/{case}")).await.html;
    assert!(page.contains("class=\"order-kind\">拦截"), "{page}");
    assert!(page.contains("退回寄件人"), "{page}");
    assert!(page.contains("待响应"), "{page}");
    // The outlet's queue has it, with its waybill and what is asked; no customer.
    let outlet = Console::open(&app, &cy, "zh", "/console/work-orders").await;
    let queue = outlet.get("/console/work-orders").await.html;
    assert!(queue.contains(&no), "{queue}");
    assert!(queue.contains("客户要求退回"), "{queue}");
    assert!(
        !queue.contains("张三"),
        "the customer stays with customer service"
    );
    let (_, orders) = app
        .call(Method::GET, "/api/v1/work-orders", Some(&cy), None)
        .await;
    let id = orders["items"][0]["id"].as_str().unwrap().to_string();
    // A refusal needs a reason: the queue again with the reason next to the order.
    let refuse = format!("/console/work-orders/{id}/refuse");
    let refused = outlet.post(&refuse, &[("text", " ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("class=\"error\""), "{}", refused.html);
    let done = outlet
        .post(
            &format!("/console/work-orders/{id}/complete"),
            &[
                ("text", "已拦截，退回寄件人"),
                ("back", "/console/work-orders"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location, "/console/work-orders");
    assert!(
        !outlet.get("/console/work-orders").await.html.contains(&no),
        "a completed order leaves the open queue"
    );
    // An unknown action is not a page; withdrawing is customer service's.
    let other = outlet
        .post(
            &format!("/console/work-orders/{id}/withdraw"),
            &[("text", "x")],
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // The case page shows the answer.
    let page = agent.get(&format!("/cases/{case}")).await.html;
    assert!(page.contains("已拦截，退回寄件人"), "{page}");
    assert!(page.contains("已完成"), "{page}");
}

#[tokio::test]
async fn an_open_order_is_rerouted_and_withdrawn_from_the_case_page() {
    let app = spawn_app().await;
    let (case, _) = beijing(&app).await;
    let (status, order) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case}/work-orders"),
            Some(&app.agent),
            Some(json!({"kind": "trace", "details": {"note": "查一下包裹在哪里"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let id = order["id"].as_str().unwrap();
    let agent = Console::open(&app, &app.agent, "en", &format!("/cases/{case}")).await;
    let reroute = format!("/cases/{case}/work-order-reroute");
    let refused = agent
        .post(
            &reroute,
            &[("order", id), ("organisation", "bj-hd"), ("reason", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        form_html(&refused.html, &reroute).contains("class=\"error\""),
        "the reason is shown in the order's form"
    );
    let moved = agent
        .post(
            &reroute,
            &[
                ("order", id),
                ("organisation", "bj-hd"),
                ("reason", "收件人已搬到海淀"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);
    let (_, now) = app
        .call(
            Method::GET,
            &format!("/api/v1/work-orders/{id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(now["organisation_key"], "bj-hd");
    let withdraw = format!("/cases/{case}/work-order-withdraw");
    let refused = agent
        .post(&withdraw, &[("order", id), ("reason", " ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = agent
        .post(
            &withdraw,
            &[("order", id), ("reason", "Customer found the parcel")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = agent.get(&format!("/cases/{case}")).await.html;
    assert!(page.contains("Withdrawn"), "{page}");
    assert!(
        !page.contains(&format!("action=\"{withdraw}\"")),
        "a closed order has no buttons"
    );
}

#[tokio::test]
async fn the_queue_is_for_the_network_and_the_desks_supervisors_and_outlet_staff_land_there() {
    let app = spawn_app().await;
    let (case, no) = beijing(&app).await;
    let manager = app.staff_of("cy-boss", "outlet_manager", "bj-cy").await;
    let courier = app.staff_of("cy-courier", "courier", "bj-cy").await;
    let hd = app.staff_of("hd-staff", "department", "bj-hd").await;
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case}/work-orders"),
            Some(&app.agent),
            Some(json!({"kind": "hurry", "details": {"note": "催一下"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Without a session: the login page, coming back to the queue.
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/console/work-orders", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(
        anonymous.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=%2Fconsole%2Fwork-orders")
    );
    // Couriers work their pickups, agents their cases: neither opens the queue, nor sees its
    // link.
    let c = Console::open(&app, &courier, "zh", "/login").await;
    assert_eq!(
        c.get("/console/work-orders").await.status,
        StatusCode::FORBIDDEN
    );
    let c = Console::open(&app, &app.agent, "zh", "/search").await;
    assert_eq!(
        c.get("/console/work-orders").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        !c.get("/search")
            .await
            .html
            .contains("href=\"/console/work-orders\"")
    );
    // The outlet's staff land on their queue; Haidian's is empty, Chaoyang's has the order.
    for (token, has) in [(&manager, true), (&hd, false)] {
        let c = Console::open(&app, token, "zh", "/console/work-orders").await;
        let home = c.get("/").await;
        assert_eq!(home.location, "/console/work-orders");
        let queue = c.get("/console/work-orders").await.html;
        assert_eq!(queue.contains(&no), has, "{queue}");
        assert!(
            queue.contains("href=\"/console/work-orders\""),
            "the nav has the queue"
        );
    }
    // The desk's own staff still start at their cases; a department outside the network
    // has no work-order queue in its navigation.
    let agent = Console::open(&app, &app.agent, "zh", "/search").await;
    assert_eq!(agent.get("/").await.location, "/queue/mine");
    let ops = Console::open(&app, &app.ops, "zh", "/department").await;
    assert_eq!(ops.get("/").await.location, "/queue/mine");
    assert!(
        !ops.get("/department")
            .await
            .html
            .contains("href=\"/console/work-orders\"")
    );
    // Admins see every organisation's orders and filter by one.
    let admin = Console::open(&app, &app.admin, "en", "/console/work-orders").await;
    let all = admin.get("/console/work-orders").await.html;
    assert!(all.contains(&no) && all.contains("wo-filter-org"), "{all}");
    let cy = admin
        .get("/console/work-orders?organisation=bj-cy")
        .await
        .html;
    assert!(cy.contains(&no));
    let hd = admin
        .get("/console/work-orders?organisation=bj-hd")
        .await
        .html;
    assert!(!hd.contains(&no));
    assert!(hd.contains("No open work orders"), "{hd}");
    assert_eq!(
        admin
            .get("/console/work-orders?organisation=nowhere")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    &html[at..at + html[at..].find(end).unwrap()]
}

#[tokio::test]
async fn the_assessment_ranks_organisations_drills_down_and_downloads_as_csv() {
    let app = spawn_app().await;
    let (case, no) = beijing(&app).await;
    let manager = app.staff_of("cy-boss", "outlet_manager", "bj-cy").await;
    let courier = app.staff_of("cy-courier", "courier", "bj-cy").await;
    // Two orders to Chaoyang (one refused), one to Haidian.
    let mut ids = Vec::new();
    for (org, note) in [
        ("bj-cy", "催一下"),
        ("bj-cy", "查一下"),
        ("bj-hd", "转海淀"),
    ] {
        let (status, order) = app
            .call(
                Method::POST,
                &format!("/api/v1/cases/{case}/work-orders"),
                Some(&app.agent),
                Some(json!({"kind": "hurry", "organisation": org, "details": {"note": note}})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        ids.push(order["id"].as_str().unwrap().to_string());
    }
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/work-orders/{}/refuse", ids[1]),
            Some(&manager),
            Some(json!({"text": "不是本网点的件"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let admin = Console::open(&app, &app.admin, "zh", "/console/network/assessment").await;
    let page = admin.get("/console/network/assessment").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = between(&page.html, "<tbody>", "</tbody>");
    // Most orders first by default: Chaoyang (2) above Haidian (1).
    let (cy, hd) = (
        body.find("北京朝阳网点").unwrap(),
        body.find("北京海淀网点").unwrap(),
    );
    assert!(cy < hd, "{body}");
    assert!(body.contains(">2</a>") && body.contains(">1</a>"), "{body}");
    // Sorted the other way by the column's link.
    let head = between(&page.html, "<thead>", "</thead>");
    let asc = between(head, "href=\"", "\"").replace("&#38;", "&");
    assert!(asc.contains("sort=organisation"), "{asc}");
    let by_orders = head
        .split("href=\"")
        .map(|h| h.split('"').next().unwrap().replace("&#38;", "&"))
        .find(|h| h.contains("sort=orders"))
        .unwrap();
    let ascending = admin
        .get(&by_orders.replace("dir=desc", "dir=asc"))
        .await
        .html;
    let body = between(&ascending, "<tbody>", "</tbody>");
    assert!(
        body.find("北京海淀网点").unwrap() < body.find("北京朝阳网点").unwrap(),
        "{by_orders}: {body}"
    );
    // Each figure links to the orders behind it: Chaoyang's refusals are the one refused.
    let refused_link = page
        .html
        .split("href=\"")
        .map(|h| h.split('"').next().unwrap().replace("&#38;", "&"))
        .find(|h| h.contains("organisation=bj-cy") && h.contains("figure=refused"))
        .expect("a drill-down link for the refusals");
    let drill = admin.get(&refused_link).await;
    assert_eq!(drill.status, StatusCode::OK);
    assert!(
        drill.html.contains("查一下") && !drill.html.contains("催一下"),
        "{}",
        drill.html
    );
    assert!(drill.html.contains(&no));
    // A period that is not one: refused with the field named.
    let bad = admin
        .get("/console/network/assessment?from=yesterday")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = admin
        .get("/console/work-orders?from_day=2026-01-01&to_day=x&figure=orders")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The CSV: a byte-order mark for Excel, the header row, one row per organisation the
    // assessment lists.
    let csv_path = between(&page.html, "class=\"csv-link\" href=\"", "\"").replace("&#38;", "&");
    let csv = admin.get(&csv_path).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.html.starts_with('\u{feff}'), "UTF-8 with BOM");
    let lines: Vec<&str> = csv.html.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("网点/中心,key,工单数,及时响应率"),
        "{}",
        lines[0]
    );
    let query = csv_path.split_once('?').unwrap().1;
    let (_, api) = app
        .call(
            Method::GET,
            &format!("/api/v1/network/assessment?{query}"),
            Some(&app.admin),
            None,
        )
        .await;
    let listed = api["items"].as_array().unwrap();
    assert_eq!(lines.len(), 1 + listed.len(), "{}", csv.html);
    for org in listed {
        let key = org["organisation_key"].as_str().unwrap();
        let row = lines
            .iter()
            .find(|l| l.split(',').nth(1) == Some(key))
            .unwrap_or_else(|| panic!("no row for {key}"));
        assert_eq!(
            row.split(',').nth(2).unwrap(),
            org["orders"].to_string(),
            "{row}"
        );
    }
    assert!(lines.iter().any(|l| l.starts_with("北京朝阳网点,bj-cy,2,")));
    // The outlet's manager sees their own outlet only; agents and couriers not at all.
    let boss = Console::open(&app, &manager, "zh", "/console/network/assessment").await;
    let own = boss.get("/console/network/assessment").await.html;
    assert!(
        own.contains("北京朝阳网点") && !own.contains("北京海淀网点"),
        "{own}"
    );
    assert!(
        own.contains("href=\"/console/network/assessment\""),
        "the nav links it"
    );
    let agent = Console::open(&app, &app.agent, "zh", "/search").await;
    assert!(
        !agent
            .get("/search")
            .await
            .html
            .contains("/console/network/assessment")
    );
    for c in [agent, Console::open(&app, &courier, "zh", "/login").await] {
        assert_eq!(
            c.get("/console/network/assessment").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            c.get("/console/network/assessment.csv").await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_form_sends_each_kinds_own_fields() {
    let app = spawn_app().await;
    let (case, _) = beijing(&app).await;
    let agent = Console::open(&app, &app.agent, "zh", &format!("/cases/{case}")).await;
    let send = format!("/cases/{case}/work-order");
    for fields in [
        vec![
            ("kind", "damage_loss"),
            ("note", "外箱压坏"),
            (
                "photos",
                "破损照片 /chat/attachments/abc\nhttps://img.example.com/2.jpg",
            ),
        ],
        vec![
            ("kind", "complaint"),
            ("note", "快递员态度差"),
            ("about", "周师傅"),
            ("regulator", "12305"),
        ],
        vec![
            ("kind", "change_address"),
            ("note", "改送公司"),
            ("new_address", "北京市朝阳区建国路1号"),
        ],
    ] {
        let sent = agent.post(&send, &fields).await;
        assert_eq!(
            sent.status,
            StatusCode::SEE_OTHER,
            "{fields:?}: {}",
            sent.html
        );
    }
    let (_, orders) = app
        .call(
            Method::GET,
            "/api/v1/work-orders?organisation=bj-cy",
            Some(&app.agent),
            None,
        )
        .await;
    let of = |kind: &str| {
        orders["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} order: {orders}"))
            .clone()
    };
    let damage = of("damage_loss");
    assert_eq!(
        damage["details"]["photos"],
        json!([{"name": "破损照片", "url": "/chat/attachments/abc"},
               {"name": "2.jpg", "url": "https://img.example.com/2.jpg"}])
    );
    let complaint = of("complaint");
    assert_eq!(complaint["regulator"], "12305");
    assert_eq!(complaint["details"]["about"], "周师傅");
    assert_eq!(
        of("change_address")["details"]["new_address"],
        "北京市朝阳区建国路1号"
    );
    // A field for another kind is refused, not dropped.
    let refused = agent
        .post(
            &send,
            &[("kind", "hurry"), ("note", "催"), ("new_address", "别处")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = agent.get(&format!("/cases/{case}")).await.html;
    assert!(page.contains("监管投诉"), "the regulator flag shows");
}

#[tokio::test]
async fn the_form_proposes_the_outlet_of_the_last_scan_before_the_district() {
    let app = spawn_app().await;
    beijing(&app).await;
    let no = crate::own_waybill(79);
    let mut parcel = crate::shipment(&no);
    parcel["events"] = json!([
        {"at": "2026-01-02T03:00:00Z", "code": "picked_up", "location": "深圳南山", "description": "已揽收"},
        {"at": "2026-01-03T08:00:00Z", "code": "in_transit", "location": "北京海淀", "outlet": "bj-hd", "description": "到达海淀网点"}
    ]);
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/shipments",
            Some(&app.admin),
            Some(parcel),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let case = app
        .create_case(
            json!({"channel": "phone", "subject": "包裹在海淀不动了", "category": "lost",
            "waybill_no": no, "customer": {"name": "王五", "phone": "13700137000"}}),
        )
        .await;
    let id = case["id"].as_str().unwrap();
    let agent = Console::open(&app, &app.agent, "en", &format!("/cases/{id}")).await;
    let page = agent.get(&format!("/cases/{id}")).await.html;
    let form = form_html(&page, &format!("/cases/{id}/work-order"));
    // The recipient lives in Chaoyang, but the parcel was last scanned in Haidian.
    assert_eq!(selected(form, "wo-org"), "bj-hd");
    assert!(
        form.contains("s last scan"),
        "the rule that chose it: {form}"
    );
    assert_eq!(
        selected(form, "wo-kind"),
        "damage_loss",
        "a lost parcel is investigated"
    );
}
