//! Couriers' pickups over HTTP: a booking without a case opens one and goes to the network's
//! courier of the district; the courier (and only they, or their outlet) sees the sender in
//! full and takes the steps; another outlet's courier gets 403, a failure without a reason 422;
//! each step is on the case and the customer is told by SMS.

use jiff::SignedDuration;
use kefu_model::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{TestApp, error_code, own_waybill, spawn_app};

/// Chaoyang and Haidian outlets under the Beijing centre, a courier login at each, the
/// centre's manager. Returns (Chaoyang's courier, Haidian's courier, the manager).
async fn network(app: &TestApp) -> (String, String, String) {
    app.organisation(json!({"key": "bj-hub", "name": "北京分拨中心", "kind": "sorting_center", "districts": ["11"]}),
    )
    .await;
    for (key, name, district) in [
        ("bj-cy", "北京朝阳网点", "110105"),
        ("bj-hd", "北京海淀网点", "110108"),
    ] {
        app.organisation(json!({"key": key, "name": name, "kind": "outlet", "parent": "bj-hub", "districts": [district]}),
        )
        .await;
    }
    let cy = app.staff_of("cy-courier", "courier", "bj-cy").await;
    let hd = app.staff_of("hd-courier", "courier", "bj-hd").await;
    let boss = app.staff_of("hub-boss", "outlet_manager", "bj-hub").await;
    for (key, name, district, id, courier, login) in [
        (
            "bj-cy",
            "北京朝阳网点",
            "110105",
            "cy1",
            "王师傅",
            "cy-courier",
        ),
        (
            "bj-hd",
            "北京海淀网点",
            "110108",
            "hd1",
            "李师傅",
            "hd-courier",
        ),
    ] {
        let (_, org) = app
            .call(
                Method::GET,
                &format!("/api/v1/network/organisations/{key}"),
                Some(&app.admin),
                None,
            )
            .await;
        let (status, body) = app
            .call(
                Method::PUT,
                &format!("/api/v1/network/organisations/{key}"),
                Some(&app.admin),
                Some(json!({"key": key, "name": name, "kind": "outlet", "parent": "bj-hub",
                    "districts": [district], "version": org["version"],
                    "couriers": [{"id": id, "name": courier, "phone": "13500000001", "username": login}]})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    (cy, hd, boss)
}

#[tokio::test]
async fn the_courier_takes_the_steps_the_customer_is_told_and_others_are_refused() {
    let app = spawn_app().await;
    app.as_role(Role::Admin)
        .post(
            "/api/v1/channels/sms",
            json!({"name": "短信网关", "endpoint": "https://sms.yunlu.example/send",
                "sign_name": "云路快递", "api_key": "sms-key-789"}),
        )
        .await
        .expect(201);
    let (cy, hd, boss) = network(&app).await;
    let now = kefu_model::Clock::now(app.clock.as_ref());
    let from = now + SignedDuration::from_hours(20);
    let to = from + SignedDuration::from_hours(2);
    let booking = json!({"sender": {"name": "王小明", "phone": "13812345678", "address": "北京市朝阳区建国路88号"},
        "recipient_address": "上海市浦东新区世纪大道100号", "item": "文件", "weight_kg": 0.5,
        "window_from": from.to_string(), "window_to": to.to_string()});
    // A window that ends before it starts: 422, nothing booked.
    let mut backwards = booking.clone();
    backwards["window_to"] = json!((from - SignedDuration::from_hours(1)).to_string());
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(backwards),
        )
        .await;
    assert_eq!(
        (status, error_code(&body), body["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("window_to")
        ),
        "{body}"
    );
    let (status, pickup) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(booking),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pickup}");
    assert_eq!(
        (
            pickup["status"].as_str(),
            pickup["outlet"].as_str(),
            pickup["courier"]["id"].as_str()
        ),
        (Some("dispatched"), Some("bj-cy"), Some("cy1"))
    );
    let to_the_ms = jiff::Timestamp::from_millisecond(from.as_millisecond()).unwrap();
    assert_eq!(
        pickup["window_from"].as_str(),
        Some(to_the_ms.to_string().as_str()),
        "kept to the millisecond"
    );
    assert_eq!(
        pickup["sender"]["phone"], "138****5678",
        "masked for the desk"
    );
    let id = pickup["id"].as_str().unwrap().to_string();
    let case_id = pickup["case_id"]
        .as_str()
        .expect("a case opened")
        .to_string();
    let (_, case) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{case_id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(
        (case["channel"].as_str(), case["category"].as_str()),
        (Some("api"), Some("pickup"))
    );

    // Haidian's courier: neither sees nor touches Chaoyang's pickup.
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/pickups/{id}"),
            Some(&hd),
            None,
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/pickups/{id}/accept"),
            Some(&hd),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, list) = app
        .call(Method::GET, "/api/v1/pickups", Some(&hd), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"], json!([]), "never another outlet's customers");
    // Nor the case behind it.
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{case_id}"),
            Some(&cy),
            None,
        )
        .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );

    // Chaoyang's courier: the sender in full, and the steps.
    let (status, mine) = app
        .call(Method::GET, "/api/v1/pickups", Some(&cy), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(mine["items"][0]["sender"]["phone"], "13812345678");
    assert_eq!(
        mine["items"][0]["sender"]["address"],
        "北京市朝阳区建国路88号"
    );
    let (status, body) = app
        .call(Method::GET, "/api/v1/pickups?courier=hd1", Some(&cy), None)
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let step = |path: &'static str, body: Value| {
        let app = &app;
        let cy = cy.clone();
        let id = id.clone();
        async move {
            app.call(
                Method::POST,
                &format!("/api/v1/pickups/{id}/{path}"),
                Some(&cy),
                Some(body),
            )
            .await
        }
    };
    let (status, body) = step("arrive", json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    let (status, body) = step("accept", json!({})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "{body}"
    );
    let (status, body) = step("fail", json!({"note": "  "})).await;
    assert_eq!(
        (status, error_code(&body), body["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("note")
        ),
        "{body}"
    );
    let (status, body) = step("fail", json!({"reason": "x"})).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown field: {body}"
    );
    let (status, body) = step("arrive", json!({})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("arrived"))
    );
    let (status, body) = step("collect", json!({"waybill_no": own_waybill(61)})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("picked_up")),
        "{body}"
    );
    assert_eq!(body["waybill_no"].as_str(), Some(own_waybill(61).as_str()));
    // The centre's manager oversees the outlet's pickups.
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/pickups/{id}"),
            Some(&boss),
            None,
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("picked_up"))
    );
    // The desk keeps the status endpoint; a courier does not.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/pickups/{id}/status"),
            Some(&cy),
            Some(json!({"status": "cancelled"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // On the case: every step, and the customer told each time by SMS.
    let events = app
        .as_role(Role::Admin)
        .get(&format!("/api/v1/cases/{case_id}/events?limit=200"))
        .await
        .expect(200);
    let events = events["items"].as_array().cloned().unwrap_or_default();
    let steps: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "pickup_progress")
        .map(|e| e["data"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["dispatched", "accepted", "arrived", "picked_up"]);
    let told: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "notice_queued" && e["data"]["kind"] == "pickup")
        .collect();
    assert_eq!(told.len(), 4, "{events:?}");
    assert_eq!(told[1]["data"]["via"], "sms");
    let text = told[1]["data"]["text"].as_str().unwrap();
    assert!(
        text.contains("快递员已接单") && text.contains("王师傅"),
        "{text}"
    );
    assert!(text.contains(pickup["number"].as_str().unwrap()), "{text}");
}

/// The courier's phone-width page: a courier signing in lands on it; it lists their open
/// pickups (not another courier's) with the sender's phone and the next step's buttons; a
/// failure without a reason is refused next to the list; the nav shows it to them only.
#[tokio::test]
async fn the_courier_works_their_pickups_on_the_phone_page() {
    use super::console::{Console, form_html};
    let app = spawn_app().await;
    let (cy, hd, _) = network(&app).await;
    let booking = json!({"sender": {"name": "王小明", "phone": "13812345678", "address": "北京市朝阳区建国路88号"},
        "recipient_address": "上海市浦东新区世纪大道100号", "item": "文件", "weight_kg": 0.5});
    let (status, pickup) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(booking),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pickup}");
    let id = pickup["id"].as_str().unwrap();
    let number = pickup["number"].as_str().unwrap();

    let courier = Console::open(&app, &cy, "zh", "/console/pickups/mine").await;
    let home = courier.get("/").await;
    assert_eq!(
        home.location, "/console/pickups/mine",
        "a courier lands on their pickups"
    );
    let page = courier.get("/console/pickups/mine").await;
    assert!(page.html.contains(number), "{}", page.html);
    assert!(page.html.contains("tel:13812345678"), "the phone to call");
    assert!(page.html.contains("北京市朝阳区建国路88号"));
    assert!(
        page.html.contains("href=\"/console/pickups/mine\""),
        "in the nav"
    );
    assert!(page.html.contains("接单"));
    form_html(&page.html, &format!("/console/pickups/{id}/step/accept"));
    assert!(
        !page
            .html
            .contains(&format!("/console/pickups/{id}/step/fail")),
        "not yet"
    );
    let other = Console::open(&app, &hd, "en", "/console/pickups/mine").await;
    let theirs = other.get("/console/pickups/mine").await;
    assert!(!theirs.html.contains(number), "another outlet's pickup");
    assert!(theirs.html.contains("No open pickups."));
    let refused = other
        .post(&format!("/console/pickups/{id}/step/accept"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let accepted = courier
        .post(&format!("/console/pickups/{id}/step/accept"), &[])
        .await;
    assert_eq!(
        (accepted.status, accepted.location.as_str()),
        (StatusCode::SEE_OTHER, "/console/pickups/mine")
    );
    let page = courier.get("/console/pickups/mine").await;
    assert!(page.html.contains("快递员已接单"), "{}", page.html);
    let no_reason = courier
        .post(
            &format!("/console/pickups/{id}/step/fail"),
            &[("note", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.html.contains("role=\"alert\""),
        "{}",
        no_reason.html
    );
    let collected = courier
        .post(
            &format!("/console/pickups/{id}/step/collect"),
            &[("waybill_no", &own_waybill(62))],
        )
        .await;
    assert_eq!(collected.status, StatusCode::SEE_OTHER);
    let (_, done) = app
        .call(
            Method::GET,
            &format!("/api/v1/pickups/{id}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(done["status"], "picked_up");
    assert!(
        !courier
            .get("/console/pickups/mine")
            .await
            .html
            .contains(number),
        "done: off the list"
    );
    // The desk's nav has no courier page.
    let agent = Console::open(&app, &app.agent, "zh", "/queue/mine").await;
    assert!(
        !agent
            .get("/queue/mine")
            .await
            .html
            .contains("href=\"/console/pickups/mine\"")
    );
}

/// The console's booking form takes the window agreed with the customer (local time); a window
/// that ends before it starts is refused next to the form.
#[tokio::test]
async fn the_consoles_booking_form_takes_the_agreed_window() {
    use super::console::Console;
    let app = spawn_app().await;
    network(&app).await;
    let agent = Console::open(&app, &app.agent, "zh", "/pickups/new").await;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let now = kefu_model::Clock::now(app.clock.as_ref());
    let local = |t: jiff::Timestamp| {
        t.to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let from = now + SignedDuration::from_hours(26);
    let to = from + SignedDuration::from_hours(2);
    let fields = |from: &str, to: &str| {
        vec![
            ("name", "王小明".to_string()),
            ("phone", "13812345678".to_string()),
            ("origin", "北京市朝阳区建国路88号".to_string()),
            ("destination", "上海市浦东新区世纪大道100号".to_string()),
            ("item", "文件".to_string()),
            ("weight_kg", "1".to_string()),
            ("window_from", from.to_string()),
            ("window_to", to.to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let agent = &agent;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            agent.post("/pickups/new", &f).await
        }
    };
    let refused = post(fields(&local(to), &local(from))).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let booked = post(fields(&local(from), &local(to))).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.html);
    let (_, list) = app
        .call(
            Method::GET,
            "/api/v1/pickups?phone=13812345678",
            Some(&app.agent),
            None,
        )
        .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    let minute =
        |t: jiff::Timestamp| jiff::Timestamp::from_second(t.as_second() / 60 * 60).unwrap();
    assert_eq!(items[0]["window_from"], minute(from).to_string());
    assert_eq!(items[0]["window_to"], minute(to).to_string());
    let (_, case) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{}", items[0]["case_id"].as_str().unwrap()),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(case["channel"], "phone", "booked by an agent on the phone");
}
