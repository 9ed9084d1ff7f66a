//! The network over HTTP: organisations, work orders from a case to an outlet and back, bad
//! input refused with nothing written, and what the two network roles (outlet manager,
//! courier) may and may not reach.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{PASSWORD, TestApp, error_code, own_waybill, shipment, spawn_app};

mod pages;

/// The days around today in Shanghai, as assessment parameters.
fn this_week(app: &TestApp) -> String {
    let today = today(app);
    format!(
        "from={}&to={}",
        today - jiff::Span::new().days(3),
        today + jiff::Span::new().days(3)
    )
}

/// Today in Shanghai by the server's clock.
fn today(app: &TestApp) -> jiff::civil::Date {
    jiff::tz::TimeZone::get("Asia/Shanghai")
        .unwrap()
        .to_datetime(kefu_model::Clock::now(app.clock.as_ref()))
        .date()
}

/// The Beijing hub with its Chaoyang and Haidian outlets; a case about a parcel for Chaoyang.
pub(crate) async fn beijing(app: &TestApp) -> (String, String) {
    app.organisation(json!({"key": "bj-hub", "name": "北京分拨中心", "kind": "sorting_center", "districts": ["11"]}),
    )
    .await;
    for (key, name, district) in [
        ("bj-cy", "北京朝阳网点", "110105"),
        ("bj-hd", "北京海淀网点", "110108"),
    ] {
        app.organisation(json!({"key": key, "name": name, "kind": "outlet", "parent": "bj-hub", "districts": [district],
                "contacts": [{"name": "前台", "phone": "01065001234"}]}),
        )
        .await;
    }
    let no = own_waybill(77);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/shipments",
            Some(&app.admin),
            Some(shipment(&no)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let case = app
        .create_case(
            json!({"channel": "phone", "subject": "要求拦截退回", "waybill_no": no,
            "customer": {"name": "张三", "phone": "13800138000"}}),
        )
        .await;
    (case["id"].as_str().unwrap().to_string(), no)
}

#[tokio::test]
async fn an_order_goes_to_the_outlet_and_its_answer_comes_back_to_the_case() {
    let app = spawn_app().await;
    let (case, no) = beijing(&app).await;
    let cy = app.staff_of("cy-staff", "department", "bj-cy").await;
    let hd = app.staff_of("hd-staff", "department", "bj-hd").await;
    let (status, order) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case}/work-orders"),
            Some(&app.agent),
            Some(json!({"kind": "intercept", "details": {"note": "客户要求退回", "intercept": "return"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(
        (
            order["organisation_key"].as_str(),
            order["routed_by"].as_str()
        ),
        (Some("bj-cy"), Some("district"))
    );
    assert_eq!(order["waybill_no"], no.as_str());
    let id = order["id"].as_str().unwrap();
    // Chaoyang's queue has it, Haidian's does not; Haidian cannot even read it.
    let (_, queue) = app
        .call(
            Method::GET,
            "/api/v1/work-orders?open=true",
            Some(&cy),
            None,
        )
        .await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 1);
    let (_, other) = app
        .call(Method::GET, "/api/v1/work-orders", Some(&hd), None)
        .await;
    assert_eq!(other["items"], json!([]));
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/work-orders/{id}"),
            Some(&hd),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A refusal without a reason is refused and changes nothing; an unknown action is 404.
    let (status, err) = app
        .call(
            Method::POST,
            &format!("/api/v1/work-orders/{id}/refuse"),
            Some(&cy),
            Some(json!({"text": " "})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&err), "invalid_field");
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/work-orders/{id}/approve"),
            Some(&cy),
            Some(json!({"text": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The outlet completes it; the case shows the answer; a second answer is a conflict.
    let (status, done) = app
        .call(
            Method::POST,
            &format!("/api/v1/work-orders/{id}/complete"),
            Some(&cy),
            Some(json!({"text": "已拦截，退回寄件人"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "completed");
    let (_, case_view) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            Some(&app.agent),
            None,
        )
        .await;
    let on_case = &case_view["work_orders"][0];
    assert_eq!(on_case["state"], "completed");
    assert_eq!(on_case["history"][0]["text"], "已拦截，退回寄件人");
    let (status, err) = app
        .call(
            Method::POST,
            &format!("/api/v1/work-orders/{id}/reply"),
            Some(&cy),
            Some(json!({"text": "再说一次"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&err), "order_closed");
    // The outlet's staff still cannot open the case itself.
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            Some(&cy),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn event_count(app: &TestApp, case: &str) -> usize {
    let path = format!("/api/v1/cases/{case}/events");
    let (_, body) = app.call(Method::GET, &path, Some(&app.agent), None).await;
    body["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn bad_orders_and_organisations_are_refused_with_nothing_written() {
    let app = spawn_app().await;
    let (case, _) = beijing(&app).await;
    let before = event_count(&app, &case).await;
    for (body, field) in [
        (
            json!({"kind": "trace", "organisation": "nowhere", "details": {"note": "查件"}}),
            "organisation",
        ),
        (
            json!({"kind": "change_address", "details": {"note": "改地址"}}),
            "details.new_address",
        ),
        (
            json!({"kind": "hurry", "regulator": "12305", "details": {"note": "催件"}}),
            "regulator",
        ),
        (
            json!({"kind": "hurry", "details": {"note": ""}}),
            "details.note",
        ),
    ] {
        let (status, err) = app
            .call(
                Method::POST,
                &format!("/api/v1/cases/{case}/work-orders"),
                Some(&app.agent),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert_eq!(err["error"]["field"], field, "{err}");
    }
    // A parcel whose address no outlet serves: the agent is asked to choose.
    let far = own_waybill(78);
    let mut far_shipment = shipment(&far);
    far_shipment["recipient"]["address"] = json!("云南省昆明市五华区人民中路1号");
    app.call(
        Method::POST,
        "/api/v1/shipments",
        Some(&app.admin),
        Some(far_shipment),
    )
    .await;
    let (status, err) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case}/work-orders"),
            Some(&app.agent),
            Some(json!({"kind": "hurry", "waybill_no": far, "details": {"note": "催件"}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no organisation serves"),
        "{err}"
    );
    assert_eq!(
        event_count(&app, &case).await,
        before,
        "nothing was written"
    );
    // Unknown fields, an outlet without an area, a key that exists.
    for (body, status) in [
        (
            json!({"key": "x", "name": "x", "kind": "outlet", "districts": ["11"], "colour": "red"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"key": "x", "name": "x", "kind": "outlet"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"key": "bj-cy", "name": "x", "kind": "outlet", "districts": ["11"]}),
            StatusCode::CONFLICT,
        ),
    ] {
        let (got, err) = app
            .call(
                Method::POST,
                "/api/v1/network/organisations",
                Some(&app.admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(got, status, "{body}: {err}");
    }
    let (_, orgs) = app
        .call(
            Method::GET,
            "/api/v1/network/organisations",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(orgs["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_network_roles_reach_only_their_organisations_work() {
    let app = spawn_app().await;
    let (case, _) = beijing(&app).await;
    let manager = app.staff_of("cy-boss", "outlet_manager", "bj-cy").await;
    let courier = app.staff_of("cy-courier", "courier", "bj-cy").await;
    let hub = app.staff_of("hub-boss", "outlet_manager", "bj-hub").await;
    let (_, order) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case}/work-orders"),
            Some(&app.agent),
            Some(json!({"kind": "hurry", "details": {"note": "催件"}})),
        )
        .await;
    let id = order["id"].as_str().unwrap().to_string();
    let period = this_week(&app);
    // (path, outlet manager, courier, hub manager)
    let gets: Vec<(String, u16, u16, u16)> = vec![
        ("/api/v1/cases".into(), 200, 200, 200),
        (format!("/api/v1/cases/{case}"), 404, 404, 404),
        ("/api/v1/customers".into(), 403, 403, 403),
        ("/api/v1/search?q=%E5%BF%AB%E9%80%92".into(), 200, 403, 200),
        ("/api/v1/work-orders".into(), 200, 403, 200),
        (format!("/api/v1/work-orders/{id}"), 200, 404, 200),
        ("/api/v1/network/organisations/bj-cy".into(), 200, 200, 200),
        ("/api/v1/network/organisations/bj-hd".into(), 404, 404, 200),
        (
            format!("/api/v1/network/assessment?{period}"),
            200,
            403,
            200,
        ),
        ("/api/v1/settings/work_orders".into(), 200, 403, 200),
        ("/api/v1/settings/routing".into(), 403, 403, 403),
    ];
    let mut wrong = Vec::new();
    for (path, want_manager, want_courier, want_hub) in &gets {
        for (who, token, want) in [
            ("manager", &manager, want_manager),
            ("courier", &courier, want_courier),
            ("hub", &hub, want_hub),
        ] {
            let (status, body) = app.call(Method::GET, path, Some(token), None).await;
            if status.as_u16() != *want {
                wrong.push(format!("{who} GET {path}: {status} {body}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The case list of an organisation's staff holds only what was transferred to it.
    let (_, cases) = app
        .call(Method::GET, "/api/v1/cases", Some(&manager), None)
        .await;
    assert_eq!(cases["items"], json!([]));
    // The hub manager's assessment names only the hub's tree; the courier writes no case.
    let (_, figures) = app
        .call(
            Method::GET,
            &format!("/api/v1/network/assessment?{period}"),
            Some(&hub),
            None,
        )
        .await;
    let keys: Vec<&str> = figures["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["organisation_key"].as_str())
        .collect();
    assert_eq!(keys, ["bj-cy"]);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&courier),
            Some(json!({"channel": "phone", "subject": "x", "customer": {"name": "x", "phone": "13800138001"}})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A courier answers no order; the manager does.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/work-orders/{id}/reply"),
            Some(&courier),
            Some(json!({"text": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/work-orders/{id}/reply"),
            Some(&manager),
            Some(json!({"text": "今天派送"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Network roles need their organisation.
    let (status, err) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin),
            Some(json!({"username": "lost", "password": PASSWORD, "role": "courier"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
}

#[tokio::test]
async fn parcel_volumes_give_complaints_per_ten_thousand_parcels() {
    let app = spawn_app().await;
    let (case, _) = beijing(&app).await;
    let (status, order) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case}/work-orders"),
            Some(&app.agent),
            Some(json!({"kind": "complaint", "organisation": "bj-cy", "details": {"note": "派件员态度差"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let today = today(&app);
    let volumes = "/api/v1/network/organisations/bj-cy/volumes";
    // Bad reports: refused with the field named, nothing written.
    for (body, field) in [
        (json!({"days": []}), "days"),
        (
            json!({"days": [{"day": today.to_string(), "parcels": -1}]}),
            "days[0].parcels",
        ),
        (
            json!({"days": [{"day": today.to_string(), "parcels": 1}, {"day": today.to_string(), "parcels": 2}]}),
            "days[1].day",
        ),
    ] {
        let (status, err) = app
            .call(Method::PUT, volumes, Some(&app.admin), Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["error"]["field"], field, "{err}");
    }
    let (status, _) = app
        .call(
            Method::PUT,
            volumes,
            Some(&app.admin),
            Some(json!({"days": [{"day": "2026-13-01", "parcels": 1}]})),
        )
        .await;
    assert!(status.is_client_error(), "{status}");
    let report = json!({"days": [{"day": today.to_string(), "parcels": 8000}]});
    let (status, _) = app
        .call(Method::PUT, volumes, Some(&app.agent), Some(report.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/network/organisations/nowhere/volumes",
            Some(&app.admin),
            Some(report.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, before) = app
        .call(
            Method::GET,
            &format!("/api/v1/network/assessment?{}", this_week(&app)),
            Some(&app.admin),
            None,
        )
        .await;
    assert!(before["items"][0].get("parcels").is_none(), "{before}");
    let (status, _) = app
        .call(Method::PUT, volumes, Some(&app.admin), Some(report))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, figures) = app
        .call(
            Method::GET,
            &format!("/api/v1/network/assessment?{}", this_week(&app)),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    let cy = &figures["items"][0];
    assert_eq!(cy["organisation_key"], "bj-cy");
    assert_eq!(
        (cy["complaints"].as_i64(), cy["parcels"].as_i64()),
        (Some(1), Some(8000))
    );
    assert_eq!(cy["complaints_per_10k"].as_f64(), Some(1.25));
    assert_eq!(cy["repeat_complaints"], 0);
    // The drill-down lists the complaint behind the figure.
    let (_, behind) = app
        .call(
            Method::GET,
            &format!(
                "/api/v1/work-orders?organisation=bj-cy&figure=complaints&from_day={}&to_day={}",
                today,
                today + jiff::Span::new().days(1)
            ),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        behind["items"].as_array().map(Vec::len),
        Some(1),
        "{behind}"
    );
    assert_eq!(behind["items"][0]["id"], order["id"]);
    // Periods in days: a time is not a day, a period over a year is refused.
    for query in [
        "from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z".to_string(),
        "from=2020-01-01&to=2026-01-01".to_string(),
    ] {
        let (status, _) = app
            .call(
                Method::GET,
                &format!("/api/v1/network/assessment?{query}"),
                Some(&app.admin),
                None,
            )
            .await;
        assert!(status.is_client_error(), "{query}: {status}");
    }
}

#[tokio::test]
async fn the_network_sees_the_parcels_of_its_area_only() {
    let app = spawn_app().await;
    let (_, chaoyang_parcel) = beijing(&app).await;
    let haidian_parcel = own_waybill(78);
    let mut body = shipment(&haidian_parcel);
    body["recipient"]["address"] = json!("北京市海淀区中关村大街1号");
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/shipments",
            Some(&app.admin),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let cy_manager = app.staff_of("cy-boss", "outlet_manager", "bj-cy").await;
    let cy_courier = app.staff_of("cy-courier", "courier", "bj-cy").await;
    let hub = app.staff_of("hub-boss", "outlet_manager", "bj-hub").await;
    // (waybill, Chaoyang's manager, Chaoyang's courier, the hub's manager)
    let cases = [
        (&chaoyang_parcel, 200, 200, 200),
        (&haidian_parcel, 404, 404, 200),
    ];
    let mut wrong = Vec::new();
    for (no, manager, courier, hub_manager) in cases {
        for (who, token, want) in [
            ("manager", &cy_manager, manager),
            ("courier", &cy_courier, courier),
            ("hub", &hub, hub_manager),
        ] {
            let (status, body) = app
                .call(
                    Method::GET,
                    &format!("/api/v1/shipments/{no}"),
                    Some(token),
                    None,
                )
                .await;
            if status.as_u16() != want {
                wrong.push(format!("{who} {no}: {status} {body}"));
            }
            // Masked as for everyone: the recipient's phone never in full.
            if status == StatusCode::OK {
                assert!(!body.to_string().contains("13900139000"), "{body}");
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The full details (an audited reveal) stay with the desk.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/shipments/{chaoyang_parcel}/reveal"),
            Some(&cy_manager),
            Some(json!({"reason": "联系收件人"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
