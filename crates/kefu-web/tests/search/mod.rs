//! Search over HTTP: a change is found soon after it is made (the node's indexer follows the
//! store's outbox), Chinese words and synonyms, exact identifiers first, filters that narrow,
//! nobody finds what they may not see, and two nodes on one PostgreSQL answer alike.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use kefu_desk::{Desk, Store};
use kefu_model::drafts::{DepartmentDraft, UserDraft};
use kefu_model::{Role, SystemClock};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{PASSWORD, TestApp, TestClock, spawn_app};

/// Searches until `want` holds for the hits, for at most 5 s (the indexer runs every 200 ms).
async fn search_until(
    app: &TestApp,
    token: &str,
    query: &str,
    want: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/search?{query}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let items = body["items"].as_array().cloned().unwrap_or_default();
        if want(&items) {
            return items;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "search {query} never gave what was wanted: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn q(text: &str) -> String {
    format!(
        "q={}",
        form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    )
}

#[tokio::test]
async fn new_cases_and_customers_are_found_by_words_synonyms_and_identifiers() {
    let app = spawn_app().await;
    let (status, damaged) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(
                json!({"channel": "phone", "subject": "收到的箱子外包装破了",
                "description": "客户说里面的杯子可能也坏了",
                "customer": {"name": "欧阳娜娜", "phone": "13800138000"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{damaged}");
    let (_, other) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.agent),
            Some(json!({"channel": "phone", "subject": "想问一下发票怎么开",
                "customer": {"name": "李雷", "phone": "13900139000"}})),
        )
        .await;
    let damaged_id = damaged["id"].as_str().unwrap().to_string();
    // 破损 finds 外包装破了 (a synonym), and not the invoice question.
    let hits = search_until(&app, &app.agent, &q("破损"), |h| {
        h.iter().any(|x| x["id"] == damaged_id.as_str())
    })
    .await;
    assert!(hits.iter().all(|x| x["id"] != other["id"]), "{hits:?}");
    let hit = hits
        .iter()
        .find(|x| x["id"] == damaged_id.as_str())
        .unwrap();
    assert_eq!(hit["type"], "case");
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>"), "{hit}");
    // The phone, and its last four, find the customer first.
    let customer_id = damaged["customer_id"].as_str().unwrap().to_string();
    for query in ["q=13800138000", "q=8000"] {
        let hits = search_until(&app, &app.agent, query, |h| !h.is_empty()).await;
        assert_eq!(hits[0]["id"], customer_id.as_str(), "{query}: {hits:?}");
    }
    // The case number finds the case first; the type filter keeps to one kind.
    let number = damaged["number"].as_str().unwrap();
    let hits = search_until(&app, &app.agent, &format!("q={number}&type=case"), |h| {
        !h.is_empty()
    })
    .await;
    assert_eq!(hits[0]["id"], damaged_id.as_str());
    assert!(hits.iter().all(|x| x["type"] == "case"));
    // A later message is searchable too.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{damaged_id}/messages"),
            Some(&app.agent),
            Some(json!({"body": "已安排网点上门取回破损件，顺便核对玻璃杯数量"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    search_until(&app, &app.agent, &q("玻璃杯"), |h| {
        h.iter().any(|x| x["id"] == damaged_id.as_str())
    })
    .await;
}

#[tokio::test]
async fn department_staff_find_only_cases_transferred_to_them() {
    let app = spawn_app().await;
    let ops = app.department_id("ops").await;
    let mut ids = Vec::new();
    for subject in ["包裹丢了一直没收到", "包裹丢了还没找到"] {
        let (_, case) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&app.agent),
                Some(json!({"channel": "phone", "subject": subject, "customer": {"phone": "13700137000"}})),
            )
            .await;
        ids.push(case["id"].as_str().unwrap().to_string());
    }
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{}", ids[0]),
            Some(&app.agent),
            Some(json!({"department": ops})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The agent sees both; operations only the one transferred to it, and no customers.
    search_until(&app, &app.agent, &q("丢件"), |h| {
        ids.iter()
            .all(|id| h.iter().any(|x| x["id"] == id.as_str()))
    })
    .await;
    let hits = search_until(&app, &app.ops, &q("丢件"), |h| {
        h.iter().any(|x| x["id"] == ids[0].as_str())
    })
    .await;
    assert!(hits.iter().all(|x| x["id"] != ids[1].as_str()), "{hits:?}");
    let (_, by_phone) = app
        .call(
            Method::GET,
            "/api/v1/search?q=13700137000",
            Some(&app.ops),
            None,
        )
        .await;
    assert!(
        by_phone["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["type"] == "case"),
        "{by_phone}"
    );
}

#[tokio::test]
async fn bad_searches_get_clear_errors() {
    let app = spawn_app().await;
    for (query, field) in [("q=", "q"), ("q=%20%20", "q"), ("q=x&type=ticket", "type")] {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/search?{query}"),
                Some(&app.agent),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }
    let ops = app.department_id("ops").await;
    for (query, field) in [
        ("q=x&department=nope".to_string(), "department"),
        (format!("q=x&department={ops}x"), "department"),
        ("q=x&from=2025-13-01".to_string(), "from"),
        ("q=x&from=2025-3-1".to_string(), "from"),
        ("q=x&to=tomorrow".to_string(), "to"),
        // An instant needs its offset: a bare local time is ambiguous.
        ("q=x&from=2025-03-01T08:00:00".to_string(), "from"),
        ("q=x&from=2025-03-02&to=2025-03-01".to_string(), "to"),
    ] {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/search?{query}"),
                Some(&app.agent),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_field", "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }
    // Empty filters are no filters, a known department by id or key is fine.
    for query in [
        "q=x&department=&from=&to=&status=&category=&type=".to_string(),
        format!("q=x&department={ops}&from=2025-03-01&to=2025-03-01"),
        "q=x&department=OPS&to=2025-03-01T08:00:00%2B08:00".to_string(),
    ] {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/search?{query}"),
                Some(&app.agent),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
    }
    let long = "破".repeat(300);
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/search?{}", q(&long)),
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .call(Method::GET, "/api/v1/search?q=破损", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

fn ids(hits: &[Value]) -> BTreeSet<String> {
    hits.iter()
        .filter_map(|h| h["id"].as_str().map(str::to_string))
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_string()).collect()
}

/// The local day (Asia/Shanghai, the desk's zone) of a timestamp in a JSON answer, moved by
/// `days`.
fn local_day(at: &Value, days: i32) -> String {
    let at: jiff::Timestamp = at.as_str().unwrap().parse().unwrap();
    let day = at
        .to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .date();
    day.checked_add(jiff::Span::new().days(days))
        .unwrap()
        .to_string()
}

fn shifted(at: &Value, millis: i64) -> String {
    let at: jiff::Timestamp = at.as_str().unwrap().parse().unwrap();
    let at = at
        .checked_add(jiff::SignedDuration::from_millis(millis))
        .unwrap();
    form_urlencoded::byte_serialize(at.to_string().as_bytes()).collect()
}

#[tokio::test]
async fn filters_narrow_search_by_type_status_category_department_and_dates() {
    let app = spawn_app().await;
    let word = q("翡翠貔貅");
    let damaged = app
        .create_case(
            json!({"channel": "phone", "subject": "翡翠貔貅摆件外包装破了",
            "category": "damaged", "customer": {"name": "翡翠貔貅收藏家", "phone": "13811110001"}}),
        )
        .await;
    let lost = app
        .create_case(
            json!({"channel": "phone", "subject": "翡翠貔貅摆件一直没收到",
            "category": "lost", "customer": {"phone": "13811110002"}}),
        )
        .await;
    let invoice = app
        .create_case(
            json!({"channel": "phone", "subject": "翡翠貔貅摆件要开发票",
            "category": "invoice", "customer": {"phone": "13811110003"}}),
        )
        .await;
    let id = |case: &Value| case["id"].as_str().unwrap().to_string();
    let (damaged_id, lost_id, invoice_id) = (id(&damaged), id(&lost), id(&invoice));
    let collector = damaged["customer_id"].as_str().unwrap().to_string();
    for (case, patch) in [
        (&lost_id, json!({"status": "open"})),
        (&invoice_id, json!({"department": "ops"})),
    ] {
        let (status, body) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/cases/{case}"),
                Some(&app.agent),
                Some(patch),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let ops = app.department_id("ops").await;
    let all_cases = set(&[&damaged_id, &lost_id, &invoice_id]);
    let everything = set(&[&damaged_id, &lost_id, &invoice_id, &collector]);
    let today = local_day(&damaged["created_at"], 0);
    let yesterday = local_day(&damaged["created_at"], -1);
    let tomorrow = local_day(&damaged["created_at"], 1);
    let cases: &[(String, BTreeSet<String>)] = &[
        (word.clone(), everything.clone()),
        (format!("{word}&type=case"), all_cases.clone()),
        (format!("{word}&type=customer"), set(&[&collector])),
        (format!("{word}&status=open"), set(&[&lost_id])),
        (format!("{word}&category=damaged"), set(&[&damaged_id])),
        (
            format!("{word}&type=case&category=lost&status=open"),
            set(&[&lost_id]),
        ),
        (format!("{word}&department=ops"), set(&[&invoice_id])),
        (format!("{word}&department={ops}"), set(&[&invoice_id])),
        (format!("{word}&department=service"), set(&[])),
        (
            format!("{word}&from={today}&to={today}"),
            everything.clone(),
        ),
        (format!("{word}&from={yesterday}"), everything.clone()),
        (format!("{word}&to={yesterday}"), set(&[])),
        (format!("{word}&from={tomorrow}"), set(&[])),
        // Instants: `to` includes its own millisecond, `from` starts at its own.
        (
            format!("{word}&type=case&to={}", shifted(&damaged["created_at"], 0)),
            set(&[&damaged_id]),
        ),
        (
            format!(
                "{word}&type=case&to={}",
                shifted(&damaged["created_at"], -1)
            ),
            set(&[]),
        ),
        (
            format!(
                "{word}&type=case&from={}",
                shifted(&invoice["created_at"], 0)
            ),
            set(&[&invoice_id]),
        ),
        (
            format!(
                "{word}&type=case&from={}",
                shifted(&invoice["created_at"], 1)
            ),
            set(&[]),
        ),
    ];
    // The first query waits for the index to have everything (status and department too);
    // each later one is then exact at once.
    search_until(&app, &app.agent, &format!("{word}&department=ops"), |h| {
        ids(h) == set(&[&invoice_id])
    })
    .await;
    search_until(&app, &app.agent, &format!("{word}&status=open"), |h| {
        ids(h) == set(&[&lost_id])
    })
    .await;
    for (query, want) in cases {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/search?{query}"),
                Some(&app.agent),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        let got = ids(body["items"].as_array().unwrap());
        assert_eq!(&got, want, "{query}: {body}");
    }
    // A filter never widens the department's own view: ops with department=service sees nothing.
    let (_, body) = app
        .call(
            Method::GET,
            &format!("/api/v1/search?{word}&department=service"),
            Some(&app.ops),
            None,
        )
        .await;
    assert_eq!(body["items"], json!([]), "{body}");
}

#[tokio::test]
async fn the_console_search_page_filters_like_the_api() {
    let app = spawn_app().await;
    let lost = app
        .create_case(json!({"channel": "phone", "subject": "紫砂茶壶一直没收到",
            "category": "lost", "customer": {"phone": "13811110004"}}))
        .await;
    let damaged = app
        .create_case(json!({"channel": "phone", "subject": "紫砂茶壶外包装破了",
            "category": "damaged", "customer": {"phone": "13811110005"}}))
        .await;
    search_until(&app, &app.agent, &q("紫砂茶壶"), |h| h.len() >= 2).await;
    let cookie = format!("kefu_session={}", app.agent);
    let page = |query: String| {
        let http = app.http.clone();
        let url = format!("{}/search?{query}", app.base);
        let cookie = cookie.clone();
        async move {
            let res = http.get(url).header("cookie", cookie).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.text().await.unwrap()
        }
    };
    let html = page(format!("{}&type=case&category=lost", q("紫砂茶壶"))).await;
    assert!(html.contains(lost["number"].as_str().unwrap()), "{html}");
    assert!(
        !html.contains(damaged["number"].as_str().unwrap()),
        "{html}"
    );
    // The filter row keeps what was chosen, in the page's language.
    assert!(html.contains(r#"<option value="lost" selected>"#), "{html}");
    assert!(html.contains(r#"<option value="case" selected>"#), "{html}");
    assert!(html.contains("创建日期从"), "{html}");
    assert!(html.contains(r#"name="from" type="date""#), "{html}");
    // A bad date is the page's error, named.
    let html = page(format!("{}&from=2025-13-01", q("紫砂茶壶"))).await;
    assert!(html.contains(r#"role="alert">from:"#), "{html}");
}

/// One node over `store`: its own desk, in-memory index, indexer and HTTP server, signed in as
/// the agent.
async fn search_node(store: Arc<dyn Store>) -> TestApp {
    let index = Arc::new(kefu_search::SearchIndex::in_memory().unwrap());
    let clock = Arc::new(TestClock::default());
    let desk = Desk::new(store.clone(), clock.clone())
        .with_nlu(Arc::new(kefu_nlu::SharedNlu))
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
    tokio::spawn(kefu_search::desk::run_indexer(
        index.clone(),
        store.clone(),
        desk.clock().clone(),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(kefu_web::serve(
        listener,
        kefu_web::AppState::new(desk.clone()).with_search(index),
        std::future::pending(),
    ));
    let mut node = TestApp {
        base,
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        admin: String::new(),
        agent: String::new(),
        ops: String::new(),
        viewer: String::new(),
        clock,
        desk,
        more: Default::default(),
    };
    node.agent = node.login("agent01").await;
    node
}

async fn ids_on(node: &TestApp, query: &str) -> Vec<String> {
    let (status, body) = node
        .call(
            Method::GET,
            &format!("/api/v1/search?{query}"),
            Some(&node.agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    let mut ids: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn two_nodes_on_postgres_search_alike() {
    let Ok(url) = std::env::var("KEFU_TEST_DATABASE_URL") else {
        eprintln!("KEFU_TEST_DATABASE_URL is not set: the two-node search test is skipped");
        return;
    };
    let schema = kefu_store_postgres::create_fresh_schema(&url, "kefu_search")
        .await
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let node_url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    // Two pools, two indexes, two indexers, two servers: nothing shared but the database.
    let store_a: Arc<dyn Store> = Arc::new(kefu_store_postgres::open(&node_url).await.unwrap());
    let store_b: Arc<dyn Store> = Arc::new(kefu_store_postgres::open(&node_url).await.unwrap());
    let setup = Desk::new(store_a.clone(), Arc::new(SystemClock))
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
    setup.bootstrap_admin(Some(PASSWORD.into())).await.unwrap();
    setup.install_builtin_calendars().await.unwrap();
    setup.install_default_policies().await.unwrap();
    setup
        .create_department(
            None,
            DepartmentDraft {
                key: "service".into(),
                name: "客服部".into(),
                kind: "service".into(),
            },
        )
        .await
        .unwrap();
    setup
        .create_user(
            None,
            UserDraft {
                username: "agent01".into(),
                password: PASSWORD.into(),
                role: Role::Agent,
                display_name: None,
                department: Some("service".into()),
            },
        )
        .await
        .unwrap();
    // A case written before node B starts: B's first build must have it.
    let a = search_node(store_a).await;
    let early = a
        .create_case(
            json!({"channel": "phone", "subject": "青花瓷盘：外包装破了",
            "customer": {"name": "司马青", "phone": "13822220001"}}),
        )
        .await;
    let b = search_node(store_b).await;
    let mut written = vec![early];
    for (i, subject) in [
        "青花瓷盘：一直没收到",
        "青花瓷盘：要改地址",
        "青花瓷盘：催件",
    ]
    .into_iter()
    .enumerate()
    {
        written.push(
            a.create_case(json!({"channel": "phone", "subject": subject,
                "customer": {"phone": format!("1382222000{}", i + 2)}}))
                .await,
        );
    }
    let case_ids: BTreeSet<String> = written
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let customer = written[0]["customer_id"].as_str().unwrap().to_string();
    // Written through A, found on B: the cases by a word, the customer by phone and name.
    search_until(
        &b,
        &b.agent,
        &format!("{}&type=case", q("青花瓷盘")),
        |h| ids(h) == case_ids,
    )
    .await;
    for query in ["q=13822220001".to_string(), q("司马青")] {
        let hits = search_until(&b, &b.agent, &query, |h| !h.is_empty()).await;
        assert_eq!(hits[0]["id"], customer.as_str(), "{query}: {hits:?}");
    }
    // A later change through A: a new message and a status change, found on B.
    let first = written[0]["id"].as_str().unwrap();
    let (status, _) = a
        .call(
            Method::POST,
            &format!("/api/v1/cases/{first}/messages"),
            Some(&a.agent),
            Some(json!({"body": "已联系网点核对景德镇发出的箱子"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = a
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{first}"),
            Some(&a.agent),
            Some(json!({"status": "open"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    search_until(&b, &b.agent, &q("景德镇"), |h| ids(h) == set(&[first])).await;
    search_until(
        &b,
        &b.agent,
        &format!("{}&status=open", q("青花瓷盘")),
        |h| ids(h) == set(&[first]),
    )
    .await;
    // Both caught up: the same ids for the same queries on either node.
    search_until(&a, &a.agent, &q("景德镇"), |h| ids(h) == set(&[first])).await;
    search_until(
        &a,
        &a.agent,
        &format!("{}&status=open", q("青花瓷盘")),
        |h| ids(h) == set(&[first]),
    )
    .await;
    for query in [
        q("青花瓷盘"),
        q("破损"),
        q("丢件"),
        q("改地址"),
        "q=0001".to_string(),
        format!("{}&type=customer", q("客户")),
        format!("{}&status=new", q("青花瓷盘")),
    ] {
        assert_eq!(
            ids_on(&a, &query).await,
            ids_on(&b, &query).await,
            "{query}"
        );
    }
}

/// The trade's synonyms are an admin's setting: it reads as the starter list until changed, a
/// bad list is refused line by line and changes nothing, and a new concept takes effect in
/// search without reindexing.
#[tokio::test]
async fn admins_edit_the_synonym_list_and_search_follows_it() {
    let app = spawn_app().await;
    let path = "/api/v1/settings/search_synonyms";
    let starter = app.as_role(Role::Admin).get(path).await.expect(200);
    let starter_text = starter["text"].as_str().unwrap().to_string();
    assert!(starter_text.contains("破损"), "{starter}");
    app.as_role(Role::Agent).get(path).await.expect(200);
    app.as_role(Role::Agent)
        .put(path, json!({"text": "掉包, 调包"}))
        .await
        .expect(403);

    let refused = app
        .as_role(Role::Admin)
        .put(path, json!({"text": "掉包, 调包\n破\n"}))
        .await
        .expect(422);
    assert_eq!(refused["error"]["field"], "text", "{refused}");
    assert!(
        refused["error"]["message"].as_str().unwrap().contains('2'),
        "names the bad line: {refused}"
    );
    let unchanged = app.as_role(Role::Admin).get(path).await.expect(200);
    assert_eq!(unchanged["text"], starter["text"]);

    let case = app
        .create_case(json!({"channel": "phone", "subject": "快递被人掉包了",
            "description": "收到的是一块砖头", "customer": {"name": "孙女士", "phone": "13700137000"}}))
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    search_until(
        &app,
        &app.agent,
        &format!("{}&type=case", q("掉包")),
        |hits| hits.iter().any(|h| h["id"] == id),
    )
    .await;
    let (_, before) = app
        .call(
            Method::GET,
            &format!("/api/v1/search?{}&type=case", q("调包")),
            Some(&app.agent),
            None,
        )
        .await;
    assert!(
        !before.to_string().contains(&id),
        "not a synonym yet: {before}"
    );
    let list = format!("{starter_text}\n掉包, 调包\n");
    app.as_role(Role::Admin)
        .put(path, json!({"text": list}))
        .await
        .expect(200);
    let (_, after) = app
        .call(
            Method::GET,
            &format!("/api/v1/search?{}&type=case", q("调包")),
            Some(&app.agent),
            None,
        )
        .await;
    assert!(after.to_string().contains(&id), "a synonym now: {after}");
    let (_, history) = app
        .call(
            Method::GET,
            "/api/v1/config-history?kind=setting&key=search_synonyms",
            Some(&app.admin),
            None,
        )
        .await;
    assert!(history.to_string().contains("调包"), "{history}");
}
