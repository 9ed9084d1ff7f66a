//! The `kefu` binary as a user runs it: serve, crash and restart, export and import, demo.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

/// Mail handed over by SMTP, end to end below the web layer.
mod smtp_intake;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const KEFU: &str = env!("CARGO_BIN_EXE_kefu");
const ADMIN_PASSWORD: &str = "cli-test-password";
static COUNTER: AtomicU32 = AtomicU32::new(0);

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kefu-cli-{name}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running `kefu` process and the URL it printed.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `kefu <args>` listening on a random port and waits for the line that names the URL.
fn start(args: &[&str], envs: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(KEFU);
    cmd.args(args)
        .args(["--listen", "127.0.0.1:0"])
        .env("KEFU_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("KEFU_LOG", "warn");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(i) = line.find("http://") {
                let url: String = line[i..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string();
                let _ = tx.send(url);
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("kefu printed no URL");
    Server { child, url }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn login(http: &reqwest::Client, url: &str, username: &str, password: &str) -> String {
    let res: Value = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    res["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {res}"))
        .to_string()
}

/// Creates a case and returns it; anything but 201 fails the test.
async fn post_case(http: &reqwest::Client, url: &str, token: &str, body: &Value) -> Value {
    let res = http
        .post(format!("{url}/api/v1/cases"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn get(http: &reqwest::Client, url: &str, token: &str) -> (u16, Value) {
    let res = http.get(url).bearer_auth(token).send().await.unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

fn run(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(KEFU);
    cmd.args(args).env("KEFU_LOG", "warn");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "kefu {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Creates cases from 16 clients until killed; `kill -9` in the middle; restart. Every case
/// that was acknowledged with 201 is there, and every stored case is whole (its event stream
/// starts with `created` and matches its version).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_cases_survive_kill_9() {
    let dir = temp_dir("crash");
    let data_dir = dir.to_str().unwrap();
    let server = start(&["serve", "--data-dir", data_dir], &[]);
    let http = client();
    let token = login(&http, &server.url, "admin", ADMIN_PASSWORD).await;
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..16 {
        let (http, url, token, acknowledged, stop) = (
            http.clone(),
            server.url.clone(),
            token.clone(),
            acknowledged.clone(),
            stop.clone(),
        );
        workers.push(tokio::spawn(async move {
            let deadline = Instant::now() + Duration::from_secs(30);
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                i += 1;
                let body = json!({"channel": "api", "subject": format!("压测工单 {w}-{i}"), "description": "快递丢了",
                    "customer": {"name": "崩溃测试", "phone": format!("1390{w:03}{:04}", i % 10_000)}});
                match http.post(format!("{url}/api/v1/cases")).bearer_auth(&token).json(&body).send().await {
                    Ok(res) if res.status() == 201 => {
                        let case: Value = res.json().await.unwrap_or(Value::Null);
                        if let Some(id) = case["id"].as_str() {
                            acknowledged.lock().unwrap().push(id.to_string());
                        }
                    }
                    _ => break,
                }
            }
        }));
    }
    // Let some writes land, then pull the plug while more are in flight.
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 300 && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut server = server;
    server.child.kill().unwrap(); // SIGKILL: no shutdown code runs
    server.child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        let _ = w.await;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 300,
        "only {} cases were created before the kill",
        acknowledged.len()
    );
    drop(server);

    let server = start(&["serve", "--data-dir", data_dir], &[]);
    let token = login(&http, &server.url, "admin", ADMIN_PASSWORD).await;
    for id in &acknowledged {
        let (status, case) = get(&http, &format!("{}/api/v1/cases/{id}", server.url), &token).await;
        assert_eq!(status, 200, "acknowledged case {id} was lost");
        assert_eq!(case["id"], id.as_str());
    }
    // Walk every stored case: each is whole.
    let mut cursor: Option<String> = None;
    let mut stored = 0;
    loop {
        let page_url = match &cursor {
            Some(c) => format!("{}/api/v1/cases?limit=200&cursor={c}", server.url),
            None => format!("{}/api/v1/cases?limit=200", server.url),
        };
        let (_, page) = get(&http, &page_url, &token).await;
        for case in page["items"].as_array().unwrap() {
            stored += 1;
            let id = case["id"].as_str().unwrap();
            let (_, events) = get(
                &http,
                &format!("{}/api/v1/cases/{id}/events", server.url),
                &token,
            )
            .await;
            let events = events["items"].as_array().unwrap();
            assert_eq!(events[0]["type"], "created");
            assert_eq!(events.len() as i64, case["version"].as_i64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert!(stored >= acknowledged.len());
    eprintln!(
        "acknowledged {} cases before kill -9; {} stored after restart",
        acknowledged.len(),
        stored
    );
}

fn export(args: &[&str], envs: &[(&str, &str)], file: &Path) -> String {
    let mut all = args.to_vec();
    all.extend(["export", "--output", file.to_str().unwrap()]);
    run(&all, envs);
    std::fs::read_to_string(file).unwrap()
}

/// SQLite → export → import into PostgreSQL → export: identical. Needs
/// `KEFU_TEST_DATABASE_URL`; without it, SQLite → SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_from_sqlite_import_elsewhere_export_again_is_identical() {
    let dir = temp_dir("export");
    let source = dir.join("source");
    let server = start(&["serve", "--data-dir", source.to_str().unwrap()], &[]);
    let http = client();
    let token = login(&http, &server.url, "admin", ADMIN_PASSWORD).await;
    for i in 0..20 {
        let body = json!({"channel": "email", "subject": format!("包裹破损 {i}"), "description": "外包装破了，里面的东西碎了",
            "customer": {"name": "导出测试", "phone": format!("1860000{i:04}"), "email": format!("user{i}@example.cn")}});
        let case = post_case(&http, &server.url, &token, &body).await;
        let id = case["id"].as_str().unwrap();
        let res = http
            .post(format!("{}/api/v1/cases/{id}/messages", server.url))
            .bearer_auth(&token)
            .json(&json!({"body": "您好，已登记破损，请保留外包装。"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    // Chat and routing rows travel too: a conversation (its token hash, read marks) and the
    // admin's presence — away, so routing leaves the email cases (and their events) alone.
    let res = http
        .put(format!("{}/api/v1/me/presence", server.url))
        .bearer_auth(&token)
        .json(&json!({"presence": "away", "max_chats": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = http
        .post(format!("{}/api/v1/chat/conversations", server.url))
        .json(&json!({"name": "导出聊天", "phone": "13700000099"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let chat: Value = res.json().await.unwrap();
    let chat_case = chat["case_id"].as_str().unwrap().to_string();
    // The change histories travel too: a setting changed, a shipment's recipient changed.
    let res = http
        .get(format!("{}/api/v1/settings/tracking", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let mut tracking: Value = res.json().await.unwrap();
    tracking["no_result_after_hours"] = json!(36);
    let res = http
        .put(format!("{}/api/v1/settings/tracking", server.url))
        .bearer_auth(&token)
        .json(&tracking)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for recipient_phone in ["13900139000", "13712345678"] {
        let res = http
            .post(format!("{}/api/v1/shipments", server.url))
            .bearer_auth(&token)
            .json(&json!({"waybill_no": "YL1234567890128",
                "sender": {"name": "张三", "phone": "13800138000", "address": "广东省深圳市南山区科技园科苑路15号"},
                "recipient": {"name": "李四", "phone": recipient_phone, "address": "北京市朝阳区建国路88号"},
                "item": "衣服", "weight_kg": 1.2, "pieces": 1, "shipped_at": "2026-01-02T02:00:00Z"}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    }
    drop(server);
    let first = export(
        &["--data-dir", source.to_str().unwrap()],
        &[],
        &dir.join("first.jsonl"),
    );
    let count = |table: &str| {
        first
            .lines()
            .filter(|l| l.starts_with(&format!("{{\"table\":\"{table}\"")))
            .count()
    };
    assert_eq!(
        [
            count("calendar"),
            count("sla_policy"),
            count("user"),
            count("customer"),
            count("case"),
            count("agent_presence"),
            count("chat_conversation"),
            // the shipped canned replies and macros, installed when the server started
            count("canned_reply"),
            count("config_change"),
            count("shipment_change"),
        ],
        [3, 6, 1, 21, 21, 1, 1, 16, 1, 1]
    );
    // created, two clocks started, the reply, opened, first response met, and the reply's
    // failure to leave (no mailbox is connected)
    let email_events = first
        .lines()
        .filter(|l| l.starts_with("{\"table\":\"case_event\"") && !l.contains(&chat_case))
        .count();
    assert_eq!(email_events, 20 * 7);
    assert!(count("case_event") > email_events, "the chat's events too");

    let target_args: Vec<String> = match std::env::var("KEFU_TEST_DATABASE_URL") {
        Ok(url) => {
            let schema = kefu_store_postgres::create_fresh_schema(&url, "kefu_cli")
                .await
                .unwrap();
            vec![
                "--database-url".into(),
                format!("{url}?options=-c%20search_path%3D{schema}"),
            ]
        }
        Err(_) => vec![
            "--data-dir".into(),
            dir.join("target").to_str().unwrap().into(),
        ],
    };
    let target: Vec<&str> = target_args.iter().map(String::as_str).collect();
    let dump = dir.join("first.jsonl");
    let mut import = target.clone();
    import.extend(["import", dump.to_str().unwrap()]);
    run(&import, &[]);
    let second = export(&target, &[], &dir.join("second.jsonl"));
    assert!(first == second, "export after import differs");
    // Importing again is refused: the target is no longer empty.
    let mut cmd = Command::new(KEFU);
    let out = cmd.args(&import).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}

/// `kefu demo --data-dir D` keeps its fresh database in D (it used to ignore the flag and use
/// a temporary directory); a directory that already holds something is refused, not emptied.
#[tokio::test]
async fn demo_keeps_its_data_where_told_and_never_over_existing_data() {
    let dir = std::env::temp_dir().join(format!("kefu-cli-demo-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let used = dir.join("new");
    let server = start(&["demo", "--data-dir", used.to_str().unwrap()], &[]);
    let http = client();
    let token = login(&http, &server.url, "agent01", "kefu-demo-2026").await;
    assert!(!token.is_empty());
    assert!(
        used.join("kefu.db").is_file(),
        "no database in {}",
        used.display()
    );
    drop(server);

    let taken = dir.join("taken");
    std::fs::create_dir_all(&taken).unwrap();
    std::fs::write(taken.join("notes.txt"), "mine").unwrap();
    let out = Command::new(KEFU)
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            taken.to_str().unwrap(),
        ])
        .env("KEFU_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(taken.join("notes.txt")).unwrap(),
        "mine"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's run command: `kefu demo` serves a fresh database full of demo data, and the
/// logins it prints work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_demo_data_with_working_logins() {
    let server = start(&["demo"], &[]);
    let http = client();
    let token = login(&http, &server.url, "agent01", "kefu-demo-2026").await;
    let (status, page) = get(
        &http,
        &format!("{}/api/v1/cases?limit=200", server.url),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 200);
    assert!(
        page["next_cursor"].is_string(),
        "more than one page of demo cases"
    );
    let admin = login(&http, &server.url, "admin", ADMIN_PASSWORD).await;
    let (_, users) = get(&http, &format!("{}/api/v1/users", server.url), &admin).await;
    assert!(users["items"].as_array().unwrap().len() >= 10);
    // The node built its search index from the demo data: a demo case number finds its case.
    let first = &page["items"][0];
    let number = first["number"].as_str().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (status, hits) = get(
            &http,
            &format!("{}/api/v1/search?q={number}", server.url),
            &token,
        )
        .await;
        if status == 200 && hits["items"][0]["id"] == first["id"] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the demo's search index never found {number}: {status} {hits}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // The knowledge base: the shipped articles, reviews overdue, questions that found nothing.
    let supervisor = login(&http, &server.url, "supervisor", "kefu-demo-2026").await;
    let (_, overdue) = get(
        &http,
        &format!("{}/api/v1/kb/reviews/overdue", server.url),
        &supervisor,
    )
    .await;
    assert_eq!(overdue["items"].as_array().unwrap().len(), 2, "{overdue}");
    let (_, gaps) = get(
        &http,
        &format!("{}/api/v1/kb/gaps", server.url),
        &supervisor,
    )
    .await;
    assert!(gaps["items"].as_array().unwrap().len() >= 4, "{gaps}");
    // Key accounts: three graded 1, 2 and 3 for the supervisor; agent01 assists two; the
    // grade-1 contract ends within two months, so its renewal is due.
    let (_, accounts) = get(
        &http,
        &format!("{}/api/v1/key-accounts", server.url),
        &supervisor,
    )
    .await;
    let grades: Vec<u64> = accounts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["grade"].as_u64().unwrap())
        .collect();
    assert_eq!(grades, [1, 2, 3], "{accounts}");
    let (_, own) = get(
        &http,
        &format!("{}/api/v1/key-accounts", server.url),
        &token,
    )
    .await;
    assert_eq!(own["items"].as_array().unwrap().len(), 2, "{own}");
    let (_, due) = get(
        &http,
        &format!("{}/api/v1/key-accounts/reminders", server.url),
        &token,
    )
    .await;
    assert!(
        due["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "renewal" && r["account_code"] == "KA-HUAXIN"),
        "{due}"
    );
    // A morning of calls from the demo PBX: phone cases and the figures per queue.
    let now = kefu_model::Clock::now(&kefu_model::SystemClock);
    let enc = |t: jiff::Timestamp| t.to_string().replace(':', "%3A").replace('+', "%2B");
    let (status, figures) = get(
        &http,
        &format!(
            "{}/api/v1/stats/phone?from={}&to={}",
            server.url,
            enc(now - jiff::SignedDuration::from_hours(24)),
            enc(now + jiff::SignedDuration::from_hours(1))
        ),
        &supervisor,
    )
    .await;
    assert_eq!(status, 200, "{figures}");
    let queues = figures["queues"].as_array().unwrap();
    assert_eq!(queues.len(), 3, "{figures}");
    assert!(
        queues.iter().any(|q| q["abandoned"].as_u64() > Some(0)),
        "{figures}"
    );
    // The staffing planner: 11.11 marked, and today planned for phone, chat and e-mail.
    let (_, promotions) = get(
        &http,
        &format!("{}/api/v1/staffing/promotions", server.url),
        &supervisor,
    )
    .await;
    assert_eq!(promotions["items"][0]["name"], "双十一", "{promotions}");
    let today = now
        .to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .date();
    let (status, needed) = get(
        &http,
        &format!("{}/api/v1/staffing/needed?day={today}", server.url),
        &supervisor,
    )
    .await;
    assert_eq!(status, 200, "{needed}");
    let planned: Vec<&str> = needed["items"][0]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["slots"][20]["planned"].as_u64() > Some(0))
        .filter_map(|c| c["channel"].as_str())
        .collect();
    assert!(
        ["phone", "chat", "email"]
            .iter()
            .all(|c| planned.contains(c)),
        "{needed}"
    );
    // Quality inspection: the inspector's login, four scored inspections — one acknowledged,
    // one appealed — and the figures of today.
    let inspector = login(&http, &server.url, "qa01", "kefu-demo-2026").await;
    let (status, all) = get(
        &http,
        &format!("{}/api/v1/quality/inspections?limit=1000", server.url),
        &inspector,
    )
    .await;
    assert_eq!(status, 200, "{all}");
    let count = |status: &str| {
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["status"] == status)
            .count()
    };
    assert_eq!(
        (count("scored"), count("acknowledged"), count("appealed")),
        (2, 1, 1),
        "{all}"
    );
    assert!(count("pending") > 0, "{all}");
    let (status, figures) = get(
        &http,
        &format!(
            "{}/api/v1/quality/figures?from={today}&to={}",
            server.url,
            today.tomorrow().unwrap()
        ),
        &supervisor,
    )
    .await;
    assert_eq!(status, 200, "{figures}");
    let counted: i64 = figures["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_i64().unwrap())
        .sum();
    assert_eq!(counted, 4, "{figures}");
    let (status, article) = get(
        &http,
        &format!("{}/api/v1/help/articles/seed-damage-claim", server.url),
        "",
    )
    .await;
    assert_eq!(status, 200, "{article}");
}

/// `kefu reindex` rebuilds a node's index from the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_rebuilds_the_search_index() {
    let dir = temp_dir("reindex");
    let data = dir.to_str().unwrap();
    let out = run(&["--data-dir", data, "migrate"], &[]);
    assert!(out.status.success());
    let out = run(&["--data-dir", data, "reindex"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(printed.contains("reindexed 0 documents"), "{printed}");
    assert!(dir.join("search-index").is_dir());
    // Two shipments loaded behind the index's back: a rebuild has them.
    let csv = dir.join("two.csv");
    let header = "waybill_no,sender_name,sender_phone,sender_address,recipient_name,recipient_phone,recipient_address,item,weight_kg,pieces,declared_value,insured,shipped_at,promised_at";
    let row = |no: &str| {
        format!(
            "{no},张三,13800138000,\"广东省深圳市南山区科技园1号\",李四,13900139000,北京市朝阳区建国路88号,衣服,1.5,1,300,true,2026-11-20T02:00:00Z,2026-11-23T10:00:00Z"
        )
    };
    std::fs::write(
        &csv,
        [
            header.to_string(),
            row(&own_waybill(7)),
            row(&own_waybill(8)),
        ]
        .join("\n"),
    )
    .unwrap();
    let out = run(
        &[
            "--data-dir",
            data,
            "shipments",
            "import",
            csv.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["--data-dir", data, "reindex"], &[]);
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(printed.contains("reindexed 2 documents"), "{printed}");
}

/// `kefu user add`, `kefu migrate`, and settings from a config file overridden by flags.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_migrate_and_config_file() {
    let dir = temp_dir("config");
    let from_file = dir.join("from-file");
    let config = dir.join("kefu.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\ntime_zone = \"Asia/Shanghai\"\n",
            from_file.to_str().unwrap()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let out = run(&["--config", config, "migrate"], &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("from-file"));
    assert!(
        from_file.join("kefu.db").exists(),
        "the config file chose the data dir"
    );
    let out = run(
        &[
            "--config",
            config,
            "user",
            "add",
            "wangfang",
            "--role",
            "supervisor",
            "--display-name",
            "王芳",
        ],
        &[("KEFU_NEW_USER_PASSWORD", "wangfang-password")],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("added wangfang (supervisor)"));
    let out = run(&["--config", config, "user", "add", "lisi"], &[]);
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    let generated = printed
        .rsplit("password: ")
        .next()
        .unwrap()
        .trim()
        .to_string();
    assert!(generated.len() >= 12, "{printed}");
    // A flag beats the file: this data dir is another, empty database.
    let flag_dir = dir.join("from-flag");
    run(
        &[
            "--config",
            config,
            "--data-dir",
            flag_dir.to_str().unwrap(),
            "migrate",
        ],
        &[],
    );
    assert!(flag_dir.join("kefu.db").exists());

    let server = start(&["--config", config, "serve"], &[]);
    let http = client();
    let token = login(&http, &server.url, "wangfang", "wangfang-password").await;
    let (_, me) = get(&http, &format!("{}/api/v1/me", server.url), &token).await;
    assert_eq!(
        (me["role"].as_str(), me["display_name"].as_str()),
        (Some("supervisor"), Some("王芳"))
    );
    login(&http, &server.url, "lisi", &generated).await;
    let bad = Command::new(KEFU)
        .args(["--config", config, "user", "add", "x", "--role", "emperor"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown role"));
}

/// A service clock that falls due while the server is down fires once after the restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clocks_due_during_downtime_fire_once_after_start() {
    let dir = temp_dir("timers");
    let data_dir = dir.to_str().unwrap();
    let server = start(&["serve", "--data-dir", data_dir], &[]);
    let http = client();
    let token = login(&http, &server.url, "admin", ADMIN_PASSWORD).await;
    // A chat reached us 28 s ago: its 30-second first-response clock falls due in about 2 s.
    #[allow(clippy::disallowed_methods)] // the black box runs on the wall clock
    let received = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(28);
    let body = json!({"channel": "chat", "subject": "人工客服在吗", "received_at": received.to_string(),
        "customer": {"name": "计时测试", "phone": "13900009999"}});
    let case = post_case(&http, &server.url, &token, &body).await;
    let id = case["id"].as_str().unwrap().to_string();
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);
    let breaches = |events: &Value| {
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "sla_breached")
            .count()
    };
    // Stay down past the due time.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let server = start(&["serve", "--data-dir", data_dir], &[]);
    let token = login(&http, &server.url, "admin", ADMIN_PASSWORD).await;
    let events_url = format!("{}/api/v1/cases/{id}/events", server.url);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, events) = get(&http, &events_url, &token).await;
        if breaches(&events) > 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A few more ticks of the timer loop add nothing.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (_, events) = get(&http, &events_url, &token).await;
    assert_eq!(breaches(&events), 1, "{events}");
    let (_, case) = get(&http, &format!("{}/api/v1/cases/{id}", server.url), &token).await;
    let first = case["sla"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "first_response")
        .unwrap();
    assert_eq!(first["state"], "breached");
}

fn own_waybill(serial: u64) -> String {
    let body = format!("{serial:012}");
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    format!("YL{body}{}", kefu_model::waybill::luhn_digit(&digits))
}

/// `kefu shipments import`: good rows load, every bad row is reported with its line and reason
/// and stops nothing; a large file goes in batches with progress on stderr.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipments_import_reports_bad_rows_and_loads_the_rest() {
    let dir = temp_dir("shipments");
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap();
    let csv = dir.join("shipments.csv");
    let header = "waybill_no,sender_name,sender_phone,sender_address,recipient_name,recipient_phone,recipient_address,item,weight_kg,pieces,declared_value,insured,shipped_at,promised_at";
    let row = |no: &str, phone: &str, weight: &str| {
        format!(
            "{no},张三,13800138000,\"广东省深圳市南山区科技园1号\",李四,{phone},北京市朝阳区建国路88号,衣服,{weight},1,300,true,2026-11-20T02:00:00Z,2026-11-23T10:00:00Z"
        )
    };
    let lines = [
        header.to_string(),
        row(&own_waybill(1), "13900139000", "1.5"),
        row(&own_waybill(2), "12345", "1.5"),
        row(&own_waybill(3), "13900139000", "-2"),
        "too,few,columns".to_string(),
        row(&own_waybill(4), "13900139000", "2"),
    ];
    std::fs::write(&csv, lines.join("\n")).unwrap();
    let out = run(
        &[
            "--data-dir",
            data_arg,
            "shipments",
            "import",
            csv.to_str().unwrap(),
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("5 rows: 2 written, 3 rejected"), "{stdout}");
    let report = std::fs::read_to_string(dir.join("shipments.csv.rejected.jsonl")).unwrap();
    let rejected: Vec<Value> = report
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lines_and_reasons: Vec<(u64, String)> = rejected
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["error"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(lines_and_reasons.len(), 3, "{report}");
    assert_eq!(
        lines_and_reasons[0].0, 5,
        "parse errors are reported as they are read"
    );
    assert!(
        lines_and_reasons
            .iter()
            .any(|(l, e)| *l == 3 && e.starts_with("recipient.phone")),
        "{report}"
    );
    assert!(
        lines_and_reasons
            .iter()
            .any(|(l, e)| *l == 4 && e.starts_with("weight_kg")),
        "{report}"
    );
    // Scans as JSON lines, with a malformed line, an unknown code and an unknown waybill.
    let jsonl = dir.join("scans.jsonl");
    let scans = [
        json!({"waybill_no": own_waybill(1), "events": [{"at": "2026-11-20T03:00:00Z", "code": "picked_up", "location": "深圳"}]}).to_string(),
        "{not json".to_string(),
        json!({"waybill_no": own_waybill(1), "events": [{"at": "2026-11-20T04:00:00Z", "code": "teleported", "location": "深圳"}]}).to_string(),
        json!({"waybill_no": own_waybill(99), "events": [{"at": "2026-11-20T03:00:00Z", "code": "picked_up", "location": "深圳"}]}).to_string(),
        json!({"waybill_no": own_waybill(4), "events": [{"at": "2026-11-21T03:00:00Z", "code": "delivered", "location": "北京"}]}).to_string(),
    ];
    std::fs::write(&jsonl, scans.join("\n")).unwrap();
    let out = run(
        &[
            "--data-dir",
            data_arg,
            "shipments",
            "import",
            jsonl.to_str().unwrap(),
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("5 rows: 2 written, 3 rejected"), "{stdout}");
    // A bigger file: batches, progress, every row stored.
    let big = dir.join("big.jsonl");
    let mut text = String::new();
    for i in 0..20_000u64 {
        let mut v = json!({
            "waybill_no": own_waybill(1_000 + i),
            "sender": {"name": "王五", "phone": "13700137000", "address": "上海市浦东新区世纪大道100号"},
            "recipient": {"name": "赵六", "phone": format!("139{:08}", i), "address": "浙江省杭州市西湖区文三路90号"},
            "item": "书", "weight_kg": 1, "shipped_at": "2026-11-20T02:00:00Z",
            "events": [{"at": "2026-11-20T03:00:00Z", "code": "picked_up", "location": "上海浦东"}]
        });
        if i == 12_345 {
            v["weight_kg"] = json!(0);
        }
        text.push_str(&v.to_string());
        text.push('\n');
    }
    std::fs::write(&big, text).unwrap();
    let out = run(
        &[
            "--data-dir",
            data_arg,
            "shipments",
            "import",
            big.to_str().unwrap(),
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("20000 rows: 19999 written, 1 rejected"),
        "{stdout}"
    );
    // What was loaded is what the API serves.
    let server = start(&["serve", "--data-dir", data_arg], &[]);
    let http = client();
    let token = login(&http, &server.url, "admin", ADMIN_PASSWORD).await;
    let (status, s) = get(
        &http,
        &format!("{}/api/v1/shipments/{}", server.url, own_waybill(4)),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(s["status"], "delivered");
    let (status, s) = get(
        &http,
        &format!("{}/api/v1/shipments/{}", server.url, own_waybill(1)),
        &token,
    )
    .await;
    assert_eq!(
        (status, s["events"].as_array().map(Vec::len)),
        (200, Some(1))
    );
    let (status, _) = get(
        &http,
        &format!("{}/api/v1/shipments/{}", server.url, own_waybill(2)),
        &token,
    )
    .await;
    assert_eq!(status, 404);
    let (status, s) = get(
        &http,
        &format!("{}/api/v1/shipments/{}", server.url, own_waybill(20_999)),
        &token,
    )
    .await;
    assert_eq!((status, s["status"].as_str()), (200, Some("picked_up")));
}

/// Polls `url` until `done` holds of the answer (or `seconds` pass) and returns the last answer.
async fn poll_until(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    seconds: u64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let (_, answer) = get(http, url, token).await;
        if done(&answer) || Instant::now() > deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A mail as an old Chinese mail program writes it: GBK subject and body.
fn gbk_mail(message_id: &str, subject: &str, body: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = |text: &str| {
        base64::engine::general_purpose::STANDARD.encode(encoding_rs::GBK.encode(text).0)
    };
    let mut mail = format!(
        "From: =?GBK?B?{}?= <wang@example.cn>\r\nTo: kefu@yunlu.example\r\n\
         Subject: =?GBK?B?{}?=\r\nMessage-ID: <{message_id}>\r\n\
         Date: Sun, 6 Dec 2026 11:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        b64("王先生"),
        b64(subject),
    )
    .into_bytes();
    mail.extend_from_slice(&encoding_rs::GBK.encode(body).0);
    mail.extend_from_slice(b"\r\n");
    mail
}

/// E-mail end to end against real servers (Dovecot, aiosmtpd): mail delivered to the mailbox
/// becomes a case (the node reads it by IMAP, and a mail arriving later wakes it), an agent's
/// reply reaches the SMTP server threaded under the customer's mail with the case number in
/// its subject and is recorded as sent on the case, and a wrong password shows on the
/// mailbox's status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_in_by_imap_and_the_reply_out_by_smtp() {
    let Some(imap) = kefu_test_mailservers::start_dovecot() else {
        return;
    };
    let Some(smtp) = kefu_test_mailservers::start_smtp_sink() else {
        return;
    };
    imap.deliver(
        "1.mail",
        &gbk_mail(
            "e2e-1@example.cn",
            "快递三天没更新",
            "你好，运单 SF1234567890123 三天没有更新了。",
        ),
    );
    let dir = temp_dir("mail");
    let server = start(&["serve", "--data-dir", dir.to_str().unwrap()], &[]);
    let http = client();
    let url = &server.url;
    let token = login(&http, url, "admin", ADMIN_PASSWORD).await;
    let mailbox = json!({"name": "客服邮箱", "address": "kefu@yunlu.example",
        "display_name": "云路快递客服", "imap_host": "127.0.0.1", "imap_port": imap.port(),
        "imap_security": "plain", "imap_username": kefu_test_mailservers::USER,
        "imap_password": kefu_test_mailservers::PASSWORD, "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port(), "smtp_security": "plain", "signature": "云路快递客服中心"});
    let res = http
        .post(format!("{url}/api/v1/channels/email"))
        .bearer_auth(&token)
        .json(&mailbox)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let account: Value = res.json().await.unwrap();
    assert!(account.get("imap_password").is_none(), "{account}");
    assert_eq!(account["imap_password_set"], true);
    let account_id = account["id"].as_str().unwrap().to_string();

    let created = |n: usize| {
        move |answer: &Value| {
            answer["items"].as_array().is_some_and(|items| {
                items.iter().filter(|i| i["outcome"] == "created").count() >= n
            })
        }
    };
    let inbound_url = format!("{url}/api/v1/channels/inbound");
    let inbound = poll_until(&http, &inbound_url, &token, 60, created(1)).await;
    assert!(created(1)(&inbound), "{inbound}");
    let case_id = inbound["items"][0]["case_id"].as_str().unwrap().to_string();
    let (_, case) = get(&http, &format!("{url}/api/v1/cases/{case_id}"), &token).await;
    assert_eq!(case["channel"], "email");
    assert_eq!(case["subject"], "快递三天没更新");
    assert_eq!(case["waybill_nos"], json!(["SF1234567890123"]));
    let number = case["number"].as_str().unwrap().to_string();

    // The customer is told the case number at once, by an automatic mail (no auto-responder
    // answers it) threaded under theirs.
    let sent = smtp.wait_for(1, Duration::from_secs(30));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].envelope_to, vec!["wang@example.cn".to_string()]);
    let raw_receipt = String::from_utf8_lossy(&sent[0].raw).to_string();
    assert!(
        raw_receipt.contains("Auto-Submitted: auto-generated"),
        "{raw_receipt}"
    );
    let receipt = kefu_mail::parse_inbound(&sent[0].raw).unwrap();
    assert!(receipt.subject.contains(&number), "{}", receipt.subject);
    assert!(receipt.body_text.contains(&number), "{}", receipt.body_text);
    assert_eq!(receipt.in_reply_to, vec!["e2e-1@example.cn".to_string()]);

    // Mail arriving while the node waits on the mailbox is taken in too.
    imap.deliver(
        "2.mail",
        &gbk_mail("e2e-2@example.cn", "改地址", "请把收件地址改到公司。"),
    );
    let inbound = poll_until(&http, &inbound_url, &token, 60, created(2)).await;
    assert!(created(2)(&inbound), "{inbound}");
    assert_eq!(smtp.wait_for(2, Duration::from_secs(30)).len(), 2);

    // The agent's public reply goes out by SMTP, threaded, with the case number.
    let res = http
        .post(format!("{url}/api/v1/cases/{case_id}/messages"))
        .bearer_auth(&token)
        .json(&json!({"body": "您好，已催促网点今天派送。", "visibility": "public"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let sent = smtp.wait_for(3, Duration::from_secs(30));
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[2].envelope_to, vec!["wang@example.cn".to_string()]);
    let reply = kefu_mail::parse_inbound(&sent[2].raw).unwrap();
    assert!(reply.subject.contains(&number), "{}", reply.subject);
    assert_eq!(reply.in_reply_to, vec!["e2e-1@example.cn".to_string()]);
    assert!(reply.body_text.contains("已催促网点今天派送"));
    assert!(reply.body_text.contains("云路快递客服中心"));
    assert_eq!(reply.from.address, "kefu@yunlu.example");
    let events_url = format!("{url}/api/v1/cases/{case_id}/events");
    let both_sent = |e: &Value| e.to_string().matches("delivery_sent").count() >= 2;
    let events = poll_until(&http, &events_url, &token, 20, both_sent).await;
    assert!(both_sent(&events), "{events}");
    let (_, deliveries) = get(
        &http,
        &format!("{url}/api/v1/cases/{case_id}/deliveries"),
        &token,
    )
    .await;
    let states: Vec<&Value> = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["state"])
        .collect();
    assert_eq!(states, [&json!("sent"), &json!("sent")], "{deliveries}");

    // A wrong password is shown on the mailbox's status.
    let mut wrong = mailbox.clone();
    wrong["imap_password"] = json!("not-the-password");
    wrong["version"] = json!(1);
    let res = http
        .put(format!("{url}/api/v1/channels/email/{account_id}"))
        .bearer_auth(&token)
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let status = poll_until(
        &http,
        &format!("{url}/api/v1/channels/email/{account_id}"),
        &token,
        30,
        |a| a["status"]["last_error"].is_string(),
    )
    .await;
    assert!(status["status"]["last_error"].is_string(), "{status}");
    assert_eq!(status["status"]["received"], 2, "{status}");
}

/// A stand-in SMS gateway speaking kefu's contract: keeps what it is given; answers 503 to the
/// first message for 13900000503 (then takes it), so a retry is seen.
async fn sms_gateway() -> (String, Arc<Mutex<Vec<Value>>>) {
    use axum::http::{HeaderMap, StatusCode};
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let kept = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(
            move |headers: HeaderMap, axum::Json(body): axum::Json<Value>| {
                let kept = Arc::clone(&kept);
                async move {
                    let key = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    if key != "Bearer e2e-key" {
                        return (StatusCode::UNAUTHORIZED, "bad key");
                    }
                    let mut kept = kept.lock().unwrap();
                    let tries = kept.iter().filter(|m| m["id"] == body["id"]).count();
                    kept.push(body.clone());
                    if body["to"] == "13900000503" && tries == 0 {
                        return (StatusCode::SERVICE_UNAVAILABLE, "busy");
                    }
                    (StatusCode::OK, "ok")
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/sms"), seen)
}

/// The SMS way out end to end: a gateway configured through the API, a phone case's receipt
/// reaches the stand-in gateway from the node's sender with the case number, the key and the
/// signature, and is recorded as sent on the case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_case_receipt_goes_out_by_sms() {
    let (endpoint, seen) = sms_gateway().await;
    let dir = temp_dir("sms");
    let server = start(
        &[
            "serve",
            "--data-dir",
            dir.to_str().unwrap(),
            "--public-url",
            "https://kefu.yunlu.example",
        ],
        &[],
    );
    let http = client();
    let url = &server.url;
    let token = login(&http, url, "admin", ADMIN_PASSWORD).await;
    let res = http
        .post(format!("{url}/api/v1/channels/sms"))
        .bearer_auth(&token)
        .json(
            &json!({"name": "短信网关", "endpoint": endpoint, "sign_name": "云路快递",
            "api_key": "e2e-key"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let new_case = |phone: &str| {
        json!({"channel": "phone", "subject": "快递三天没更新",
            "customer": {"name": "张三", "phone": phone}})
    };
    let mut cases = Vec::new();
    for phone in ["13800138000", "13900000503"] {
        let res = http
            .post(format!("{url}/api/v1/cases"))
            .bearer_auth(&token)
            .json(&new_case(phone))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let case: Value = res.json().await.unwrap();
        cases.push((
            case["id"].as_str().unwrap().to_string(),
            case["number"].as_str().unwrap().to_string(),
        ));
    }

    // Taken by the gateway: sent, with the number, the signature and the portal's address.
    let (taken_id, taken_number) = &cases[0];
    let events_url = format!("{url}/api/v1/cases/{taken_id}/events");
    let sent = poll_until(&http, &events_url, &token, 30, |e| {
        e.to_string().contains("delivery_sent")
    })
    .await;
    assert!(sent.to_string().contains("delivery_sent"), "{sent}");
    let message = seen
        .lock()
        .unwrap()
        .iter()
        .find(|m| m["to"] == "13800138000")
        .cloned()
        .unwrap();
    assert_eq!(message["sign_name"], "云路快递");
    let text = message["text"].as_str().unwrap();
    assert!(text.contains(taken_number.as_str()), "{text}");
    assert!(text.contains("https://kefu.yunlu.example/portal"), "{text}");

    // Refused for now (503): the failure and its retry time are on the case.
    let (busy_id, _) = &cases[1];
    let events_url = format!("{url}/api/v1/cases/{busy_id}/events");
    let failed = poll_until(&http, &events_url, &token, 30, |e| {
        e.to_string().contains("delivery_failed")
    })
    .await;
    let failure = failed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "delivery_failed")
        .cloned()
        .unwrap_or_else(|| panic!("{failed}"));
    assert!(
        failure["data"]["error"].as_str().unwrap().contains("503"),
        "{failure}"
    );
    assert!(failure["data"]["retry_at"].is_string(), "{failure}");

    // The gateway's status says both: what it took, and its last refusal.
    let (_, gateways) = get(&http, &format!("{url}/api/v1/channels/sms"), &token).await;
    let gateway = &gateways["items"][0];
    assert_eq!(gateway["sent"], 1, "{gateway}");
    assert!(gateway["last_ok_at"].is_string(), "{gateway}");
    assert!(
        gateway["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("503"),
        "{gateway}"
    );
}

/// The demo's SMS gateway speaks the gateway contract: the demo key is taken, another refused.
#[tokio::test]
async fn the_demo_sms_gateway_takes_the_contract_and_its_key_only() {
    let endpoint = kefu::demo_sms::start().await.unwrap();
    let http = client();
    let message = json!({"id": "d-1", "to": "13800138000", "sign_name": "云路快递",
        "text": "您的问题已受理"});
    let refused = http
        .post(&endpoint)
        .bearer_auth("wrong")
        .json(&message)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let client = kefu_sms::SmsClient::new(&endpoint, "demo-sms-key").unwrap();
    client
        .send(&kefu_sms::SmsMessage {
            id: "d-1".into(),
            to: "13800138000".into(),
            sign_name: "云路快递".into(),
            text: "您的问题已受理".into(),
        })
        .await
        .unwrap();
}

/// `kefu serve --smtp-listen`: a mail gateway hands mail over by SMTP (lettre's transport here)
/// and the mail is a case as soon as the gateway has its 250; a recipient that is no mailbox is
/// refused at RCPT.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_takes_mail_from_a_gateway_by_smtp() {
    // A free port for the listener: the flag takes an address, and the node prints it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = temp_dir("smtp");
    let smtp_listen = format!("127.0.0.1:{port}");
    let server = start(
        &["serve", "--data-dir", dir.to_str().unwrap()],
        &[
            ("KEFU_SMTP_LISTEN", smtp_listen.as_str()),
            ("KEFU_SMTP_ALLOWED_CLIENTS", "127.0.0.1, ::1"),
            ("KEFU_CHANNEL_WORKERS", "false"),
        ],
    );
    let http = client();
    let url = &server.url;
    let token = login(&http, url, "admin", ADMIN_PASSWORD).await;
    let mailbox = json!({"name": "客服邮箱", "address": "kefu@yunlu.example",
        "imap_host": "imap.yunlu.example", "imap_username": "kefu", "imap_password": "pw",
        "smtp_host": "smtp.yunlu.example"});
    let res = http
        .post(format!("{url}/api/v1/channels/email"))
        .bearer_auth(&token)
        .json(&mailbox)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let gateway = kefu_mailbox::SmtpAccount {
        port,
        security: kefu_mailbox::SmtpSecurity::Plain,
        username: None,
        password: None,
        ..kefu_mailbox::SmtpAccount::new("127.0.0.1", "", "", "gw.yunlu.example")
    };
    let envelope = |to: &str| kefu_mailbox::SmtpEnvelope {
        from: "wang@example.cn".into(),
        to: vec![to.to_string()],
    };
    let mail = gbk_mail(
        "smtp-cli-1@example.cn",
        "快递三天没更新",
        "运单 SF1234567890123 没动静。",
    );
    let refused = kefu_mailbox::send_raw(&gateway, &envelope("nobody@yunlu.example"), &mail)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            kefu_mailbox::MailboxError::PermanentRejection { code: 550, .. }
        ),
        "{refused:?}"
    );
    kefu_mailbox::send_raw(&gateway, &envelope("kefu@yunlu.example"), &mail)
        .await
        .unwrap();
    // The 250 came after the commit: the case is there now.
    let (status, inbound) = get(&http, &format!("{url}/api/v1/channels/inbound"), &token).await;
    assert_eq!(status, 200);
    let items = inbound["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{inbound}");
    assert_eq!(items[0]["outcome"], "created");
    let case_id = items[0]["case_id"].as_str().unwrap();
    let (_, case) = get(&http, &format!("{url}/api/v1/cases/{case_id}"), &token).await;
    assert_eq!(case["subject"], "快递三天没更新");
    assert_eq!(case["channel"], "email");
}

/// A scheduled report end to end against a real SMTP server (aiosmtpd): "send now" makes the
/// node's report sender mail the figures of the day before as an XLSX attachment to every
/// recipient, from the mailbox, and the schedule records the run as sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_report_is_mailed_with_its_spreadsheet() {
    let Some(smtp) = kefu_test_mailservers::start_smtp_sink() else {
        return;
    };
    let dir = temp_dir("reports");
    let server = start(&["serve", "--data-dir", dir.to_str().unwrap()], &[]);
    let http = client();
    let url = &server.url;
    let token = login(&http, url, "admin", ADMIN_PASSWORD).await;
    // A mailbox that sends through the sink (its IMAP side points at a closed port: reading
    // fails quietly and retries; sending does not need it).
    let mailbox = json!({"name": "客服邮箱", "address": "kefu@yunlu.example",
        "display_name": "云路快递客服", "imap_host": "127.0.0.1", "imap_port": 9,
        "imap_security": "plain", "imap_username": "kefu", "imap_password": "unused",
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port(), "smtp_security": "plain"});
    let res = http
        .post(format!("{url}/api/v1/channels/email"))
        .bearer_auth(&token)
        .json(&mailbox)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = http
        .post(format!("{url}/api/v1/report-schedules"))
        .bearer_auth(&token)
        .json(
            &json!({"name": "每日绩效", "recipients": ["boss@yunlu.example", "ops@yunlu.example"],
            "by": "channel", "frequency": "daily", "hour": 8, "format": "xlsx"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let schedule: Value = res.json().await.unwrap();
    let id = schedule["id"].as_str().unwrap().to_string();
    assert_eq!(schedule["last_run"], Value::Null);
    let res = http
        .post(format!("{url}/api/v1/report-schedules/{id}/send"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let sent = smtp.wait_for(1, Duration::from_secs(60));
    assert_eq!(sent.len(), 1);
    let mut to = sent[0].envelope_to.clone();
    to.sort();
    assert_eq!(to, vec!["boss@yunlu.example", "ops@yunlu.example"]);
    let done = poll_until(
        &http,
        &format!("{url}/api/v1/report-schedules/{id}"),
        &token,
        30,
        |s| s["last_run"]["outcome"] == "sent",
    )
    .await;
    assert_eq!(done["last_run"]["outcome"], "sent", "{done}");
    let (from, until) = (
        done["last_run"]["from"].as_str().unwrap().to_string(),
        done["last_run"]["to"].as_str().unwrap().to_string(),
    );
    let raw = String::from_utf8_lossy(&sent[0].raw).to_string();
    assert!(
        raw.contains(&format!("filename=\"kpis-channel-{from}-{until}.xlsx\"")),
        "{raw}"
    );
    assert!(
        raw.contains("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "{raw}"
    );
    let mail = kefu_mail::parse_inbound(&sent[0].raw).unwrap();
    assert!(mail.subject.starts_with("每日绩效 "), "{}", mail.subject);
    assert!(
        mail.body_text.contains("工单 cases: 0"),
        "{}",
        mail.body_text
    );
    // The day before, the whole of it.
    let day = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
    assert_eq!(day(&from).tomorrow().unwrap(), day(&until));
}
