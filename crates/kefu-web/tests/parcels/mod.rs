//! Parcels over HTTP: waybill numbers, shipments and tracking, quotes, pickups and settings,
//! customers found by name.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{error_code, new_case, own_waybill, shipment, spawn_app, super_encode};

#[tokio::test]
async fn waybill_numbers_are_recognised() {
    let app = spawn_app().await;
    let (status, r) = app
        .call(
            Method::GET,
            "/api/v1/waybills/YL1234567890128/recognize",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (r["number"].as_str(), r["ours"].as_bool()),
        (Some("YL1234567890128"), Some(true))
    );
    assert_eq!(r["candidates"][0]["carrier"], "ours");
    let (_, r) = app
        .call(
            Method::GET,
            "/api/v1/waybills/sf1234567890123/recognize",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(
        (r["ours"].as_bool(), r["candidates"][0]["carrier"].as_str()),
        (Some(false), Some("sf"))
    );
    let (_, r) = app
        .call(
            Method::GET,
            "/api/v1/waybills/RB123456785GB/recognize",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(r["candidates"][0]["carrier"], "upu_s10");
    let (_, r) = app
        .call(
            Method::GET,
            "/api/v1/waybills/hello/recognize",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(r["candidates"], json!([]));
    let long = "9".repeat(80);
    let (status, err) = app
        .call(
            Method::GET,
            &format!("/api/v1/waybills/{long}/recognize"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("number"))
    );
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/waybills/YL1234567890128/recognize",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn shipments_and_tracking_over_http() {
    let app = spawn_app().await;
    let no = own_waybill(7);
    let post = |token: &str, body: Value| {
        let token = token.to_string();
        let app = &app;
        async move {
            app.call(Method::POST, "/api/v1/shipments", Some(&token), Some(body))
                .await
        }
    };
    let (status, body) = post(&app.admin, shipment(&no)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "created");
    assert_eq!(body["recipient"]["region"]["district"]["code"], "110105");
    let (status, _) = post(&app.admin, shipment(&no)).await;
    assert_eq!(status, StatusCode::OK, "an upsert of a stored shipment");
    let (status, body) = post(&app.agent, shipment(&no)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    // Bad input: 422 naming the field, nothing stored.
    for (patch, field) in [
        (json!({"weight_kg": -1}), "weight_kg"),
        (
            json!({"dimensions_cm": [10, 10, 100000]}),
            "dimensions_cm[2]",
        ),
        (json!({"waybill_no": "12-34"}), "waybill_no"),
        (
            json!({"recipient": {"name": "李四", "phone": "12345", "address": "北京"}}),
            "recipient.phone",
        ),
    ] {
        let mut bad = shipment(&own_waybill(8));
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, body) = post(&app.admin, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/shipments/{}", own_waybill(8)),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Scans: batch, idempotent, status derived.
    let scans = json!({"events": [
        {"at": "2026-01-02T03:00:00Z", "code": "picked_up", "location": "深圳南山网点", "description": "已揽收"},
        {"at": "2026-01-03T03:00:00Z", "code": "delivered", "location": "北京朝阳", "description": "已签收，本人签收"}
    ]});
    let path = format!("/api/v1/shipments/{no}/events");
    let (status, body) = app
        .call(Method::POST, &path, Some(&app.admin), Some(scans.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["added"].as_u64(), body["duplicates"].as_u64()),
        (Some(2), Some(0))
    );
    let (_, body) = app
        .call(Method::POST, &path, Some(&app.admin), Some(scans))
        .await;
    assert_eq!(
        (body["added"].as_u64(), body["duplicates"].as_u64()),
        (Some(0), Some(2))
    );
    let (status, body) = app
        .call(Method::POST, &path, Some(&app.admin), Some(json!({"events": [{"at": "2026-01-03T03:00:00Z", "code": "beamed", "location": "x"}]})))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("events[0].code"))
    );
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/shipments/{no}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "delivered");
    assert_eq!(body["events"].as_array().unwrap().len(), 2);
    // Tracking: delivered → with_result; "not received" opens a lost case (201).
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"waybill_no": no})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "with_result");
    assert_eq!(body["shipment"]["recipient"]["phone"], "139****9000");
    assert!(
        body["answer"].as_str().unwrap().contains("已签收"),
        "{body}"
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"waybill_no": no, "issue": "not_received", "open_case": {"phone": "13900139000", "note": "没收到"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (
            body["case"]["category"].as_str(),
            body["case"]["priority"].as_str()
        ),
        (Some("lost"), Some("P2"))
    );
    let case_id = body["case"]["id"].as_str().unwrap().to_string();
    let (_, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"waybill_no": "SF1234567890123"})),
        )
        .await;
    assert_eq!(
        (
            body["outcome"].as_str(),
            body["carrier"]["carrier"].as_str()
        ),
        (Some("other_carrier"), Some("sf"))
    );
    let (_, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"phone": "13800138000"})),
        )
        .await;
    assert_eq!(body["outcome"], "found_by_facts");
    assert_eq!(body["matches"][0]["sender"]["phone"], "138****8000");
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"name": "李四"})),
        )
        .await;
    assert_eq!(
        (status, body["outcome"].as_str()),
        (StatusCode::OK, Some("not_found"))
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/tracking/query",
            Some(&app.agent),
            Some(json!({"waybill_no": no, "issue": "teleported"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("issue"))
    );
    // A claim on the lost case: agent proposes, supervisor approves, finance pays.
    let claims = format!("/api/v1/cases/{case_id}/claims");
    let (status, body) = app
        .call(
            Method::POST,
            &claims,
            Some(&app.agent),
            Some(json!({"kind": "lost", "claimed_amount": 280})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["claim"]["insured"], true);
    let claim = body["claim"]["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/propose"),
            Some(&app.agent),
            Some(json!({"loss_amount": "-5"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("loss_amount"))
    );
    let (status, body) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/propose"),
            Some(&app.agent),
            Some(json!({"loss_amount": 280})),
        )
        .await;
    assert_eq!(
        (status, body["claim"]["compensation"].as_str()),
        (StatusCode::OK, Some("280")),
        "{body}"
    );
    let (status, body) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/pay"),
            Some(&app.agent),
            Some(json!({"reference": "X"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, _) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/approve"),
            Some(&app.admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/pay"),
            Some(&app.admin),
            Some(json!({"reference": "PAY-1"})),
        )
        .await;
    assert_eq!(
        (status, body["claim"]["state"].as_str()),
        (StatusCode::OK, Some("paid"))
    );
    let (status, _) = app
        .call(
            Method::POST,
            &format!("{claims}/{claim}/teleport"),
            Some(&app.admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn quotes_pickups_and_settings_over_http() {
    let app = spawn_app().await;
    let quote = json!({"origin": "上海市浦东新区世纪大道100号", "destination": "江苏省苏州市姑苏区人民路1号",
        "weight_kg": 3.2, "dimensions_cm": [20, 20, 20], "pieces": 1, "item": "烟花爆竹一箱"});
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups/quote",
            Some(&app.agent),
            Some(quote.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["zone"], "regional", "{body}");
    assert_eq!(body["chargeable_weight_kg"], "4");
    assert_eq!(body["total"], "25.00", "¥13 + 3 × ¥4");
    assert_eq!(body["vehicle_needed"], false);
    let keywords: Vec<&str> = body["prohibited"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["keyword"].as_str())
        .collect();
    assert!(
        keywords.contains(&"烟花") || keywords.contains(&"爆竹"),
        "{body}"
    );
    for (patch, field) in [
        (json!({"weight_kg": -2}), "weight_kg"),
        (json!({"dimensions_cm": [0, 10, 10]}), "dimensions_cm"),
        (json!({"origin": "不知道哪里"}), "origin"),
        (json!({"pieces": 0}), "pieces"),
    ] {
        let mut bad = quote.clone();
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/pickups/quote",
                Some(&app.agent),
                Some(bad),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(
            body["error"]["field"].as_str().unwrap().starts_with(field),
            "{field}: {body}"
        );
    }
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups/quote",
            Some(&app.agent),
            Some(json!({
        "origin": "上海市浦东新区", "destination": "北京市朝阳区", "weight_kg": 80, "pieces": 1})),
        )
        .await;
    assert_eq!(
        (status, body["vehicle_needed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    // Settings: agents read, admins write; bad documents name their field.
    let (status, card) = app
        .call(
            Method::GET,
            "/api/v1/settings/rate_card",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(card["products"]["standard"].is_object(), "{card}");
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/settings/rate_card",
            Some(&app.agent),
            Some(card.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut cheaper = card.clone();
    cheaper["products"]["standard"]["zones"]["regional"]["first_fee"] = json!("11");
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings/rate_card",
            Some(&app.admin),
            Some(cheaper),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups/quote",
            Some(&app.agent),
            Some(quote),
        )
        .await;
    assert_eq!(
        body["total"], "23.00",
        "the edited card prices the next quote"
    );
    let mut broken = card;
    broken["products"]["standard"]["volumetric_divisor"] = json!("0");
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings/rate_card",
            Some(&app.admin),
            Some(broken),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["field"]
            .as_str()
            .unwrap()
            .contains("volumetric_divisor"),
        "{body}"
    );
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/settings/nonsense",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .call(Method::POST, "/api/v1/network/organisations", Some(&app.admin), Some(json!({"key": "sh-pd", "kind": "outlet", "name": "上海浦东网点", "districts": ["310115"], "couriers": [{"id": "c1", "name": "周师傅", "phone": "13500000001"}]})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Book, see the courier's task list, move the order on.
    let booking = json!({"sender": {"name": "王小明", "phone": "13812345678", "address": "上海市浦东新区世纪大道100号"},
        "recipient_address": "江苏省苏州市姑苏区人民路1号", "item": "文件", "weight_kg": 0.5});
    let (status, pickup) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(booking.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pickup}");
    assert_eq!(
        (pickup["status"].as_str(), pickup["courier"]["id"].as_str()),
        (Some("dispatched"), Some("c1"))
    );
    let (_, list) = app
        .call(
            Method::GET,
            "/api/v1/pickups?courier=c1&status=dispatched",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let number = pickup["number"].as_str().unwrap();
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/pickups/{number}/status"),
            Some(&app.agent),
            Some(json!({"status": "picked_up", "waybill_no": own_waybill(9)})),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("picked_up"))
    );
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/pickups/{number}/status"),
            Some(&app.agent),
            Some(json!({"status": "booked"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    let mut outside = booking;
    outside["sender"]["address"] = json!("台湾省台北市");
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(outside),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sender.address")),
        "{body}"
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/addresses/parse",
            Some(&app.agent),
            Some(json!({"address": "浙江杭州西湖区文三路90号"})),
        )
        .await;
    assert_eq!(
        (status, body["district"]["code"].as_str()),
        (StatusCode::OK, Some("330106"))
    );
    // The operator's own waybill format is a setting; recognition follows it at once.
    let digits: Vec<u32> = "123456789".chars().filter_map(|c| c.to_digit(10)).collect();
    let theirs = format!("SD123456789{}", kefu_model::waybill::luhn_digit(&digits));
    let recognize = |n: String| {
        let app = &app;
        async move {
            app.call(
                Method::GET,
                &format!("/api/v1/waybills/{n}/recognize"),
                Some(&app.agent),
                None,
            )
            .await
            .1
        }
    };
    assert_eq!(recognize(theirs.clone()).await["ours"], false);
    let format = json!({"name": "顺达快运", "prefix": "SD", "digits": 10, "check": "luhn"});
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings/waybill_format",
            Some(&app.admin),
            Some(format),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = recognize(theirs).await;
    assert_eq!(
        (r["ours"].as_bool(), r["candidates"][0]["name"].as_str()),
        (Some(true), Some("顺达快运")),
        "{r}"
    );
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings/waybill_format",
            Some(&app.admin),
            Some(json!({"name": "x", "prefix": "", "digits": 12, "check": "none"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("check"))
    );
}

#[tokio::test]
async fn customers_by_name_and_pickups_booked_from_a_case() {
    let app = spawn_app().await;
    let case = app.create_case(new_case("13800138000")).await;
    app.create_case(json!({"channel": "phone", "subject": "查件", "customer": {"name": "张伟", "phone": "13800138001"}}))
        .await;
    app.create_case(json!({"channel": "phone", "subject": "查件", "customer": {"name": "李四", "phone": "13800138002"}}))
        .await;
    let names = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/customers?name={}", super_encode("张")),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&body), vec!["张伟", "张三"], "newest first");
    let (_, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/customers?name={}", super_encode("%")),
            Some(&app.agent),
            None,
        )
        .await;
    assert!(names(&body).is_empty(), "% is no wildcard: {body}");
    for bad in ["", "%20%20", &"x".repeat(51)] {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/customers?name={bad}"),
                Some(&app.agent),
                None,
            )
            .await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("name")),
            "{bad:?}: {body}"
        );
    }
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/customers?name=x",
            Some(&app.ops),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "department staff see no customers"
    );
    // A pickup from the case: for its customer, recorded on the case.
    let (status, _) = app
        .call(Method::POST, "/api/v1/network/organisations", Some(&app.admin), Some(json!({"key": "sh-pd", "kind": "outlet", "name": "上海浦东网点", "districts": ["310115"], "couriers": [{"id": "c1", "name": "周师傅", "phone": "13500000001"}]})))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let number = case["number"].as_str().unwrap();
    let booking = json!({"sender": {"name": "", "phone": "", "address": "上海市浦东新区世纪大道100号"},
        "recipient_address": "江苏省苏州市姑苏区人民路1号", "item": "文件", "weight_kg": 0.5, "case_id": number});
    let events_before = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}/events"),
            Some(&app.agent),
            None,
        )
        .await
        .1;
    for (patch, field, code) in [
        (
            json!({"weight_kg": -1}),
            "weight_kg",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"recipient_address": "不知道哪里"}),
            "recipient_address",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"sender": {"name": "", "phone": "123", "address": "上海市浦东新区世纪大道100号"}}),
            "sender.phone",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let mut bad = booking.clone();
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, body) = app
            .call(Method::POST, "/api/v1/pickups", Some(&app.agent), Some(bad))
            .await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (code, Some(field)),
            "{body}"
        );
    }
    let mut unknown = booking.clone();
    unknown["case_id"] = json!("KF20990101999999");
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(unknown),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "not_found"),
        "{body}"
    );
    let (_, none) = app
        .call(
            Method::GET,
            &format!("/api/v1/pickups?case_id={number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(
        none["items"].as_array().unwrap().len(),
        0,
        "nothing written"
    );
    let (_, events) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(events, events_before, "the case is unchanged");
    let (status, pickup) = app
        .call(
            Method::POST,
            "/api/v1/pickups",
            Some(&app.agent),
            Some(booking),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pickup}");
    // The answer masks the phone; the full one (taken from the case's customer) comes through
    // the audited reveal.
    assert_eq!(
        (
            pickup["sender"]["name"].as_str(),
            pickup["sender"]["phone"].as_str()
        ),
        (Some("张三"), Some("138****8000"))
    );
    let (status, full) = app
        .call(
            Method::POST,
            &format!(
                "/api/v1/pickups/{}/reveal",
                pickup["number"].as_str().unwrap()
            ),
            Some(&app.agent),
            Some(json!({"reason": "回电确认取件"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{full}");
    assert_eq!(
        (
            full["sender"]["name"].as_str(),
            full["sender"]["phone"].as_str()
        ),
        (Some("张三"), Some("13800138000"))
    );
    assert_eq!(pickup["case_id"], case["id"]);
    let (_, listed) = app
        .call(
            Method::GET,
            &format!("/api/v1/pickups?case_id={number}"),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(listed["items"][0]["number"], pickup["number"]);
    let (_, events) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{number}/events"),
            Some(&app.agent),
            None,
        )
        .await;
    let last = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["type"] == "pickup_booked");
    assert_eq!(
        last.map(|e| &e["data"]["number"]),
        Some(&pickup["number"]),
        "{events}"
    );
    let (status, body) = app
        .call(
            Method::GET,
            "/api/v1/pickups?case_id=",
            Some(&app.agent),
            None,
        )
        .await;
    assert!(status.is_client_error(), "{body}");
}
