//! The store contract on SQLite, each test in a fresh database file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use kefu_desk::Store;

static COUNTER: AtomicU32 = AtomicU32::new(0);

async fn fresh() -> Arc<dyn Store> {
    let dir = std::env::temp_dir().join(format!(
        "kefu-sqlite-contract-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Arc::new(kefu_store_sqlite::open(&dir.join("kefu.db")).await.unwrap())
}

kefu_store_contract::contract_tests!(fresh().await);

#[tokio::test]
async fn events_cannot_be_rewritten_in_the_database() {
    let dir = std::env::temp_dir().join(format!("kefu-sqlite-append-only-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kefu.db");
    let store: Arc<dyn Store> = Arc::new(kefu_store_sqlite::open(&path).await.unwrap());
    let f = kefu_store_contract::fixture(store.clone()).await;
    let d = kefu_store_contract::draft(
        "查件",
        kefu_store_contract::customer("钱多多", "13700009999"),
    );
    f.desk.create_case(&f.agent, d, None).await.unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let update = raw.execute("UPDATE case_events SET actor = 'someone else'", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = raw.execute("DELETE FROM case_events", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[tokio::test]
async fn audit_log_is_append_only() {
    let dir = std::env::temp_dir().join(format!(
        "kefu-sqlite-audit-append-only-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kefu.db");
    let store: Arc<dyn Store> = Arc::new(kefu_store_sqlite::open(&path).await.unwrap());
    let mut raw = kefu_store_sqlite::Conn::open_raw(&path).unwrap();
    kefu_store_contract::audit_log_is_append_only(store, &mut raw).await;
}

#[tokio::test]
async fn change_histories_are_append_only() {
    let dir = std::env::temp_dir().join(format!(
        "kefu-sqlite-history-append-only-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kefu.db");
    let store: Arc<dyn Store> = Arc::new(kefu_store_sqlite::open(&path).await.unwrap());
    let mut raw = kefu_store_sqlite::Conn::open_raw(&path).unwrap();
    kefu_store_contract::change_histories_are_append_only(store, &mut raw).await;
}

#[tokio::test]
async fn inspection_history_is_append_only() {
    let dir = std::env::temp_dir().join(format!(
        "kefu-sqlite-inspection-history-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kefu.db");
    let store: Arc<dyn Store> = Arc::new(kefu_store_sqlite::open(&path).await.unwrap());
    let mut raw = kefu_store_sqlite::Conn::open_raw(&path).unwrap();
    kefu_store_contract::inspection_history_is_append_only(store, &mut raw).await;
}

#[tokio::test]
async fn stored_documents_carry_their_version() {
    let dir = std::env::temp_dir().join(format!("kefu-sqlite-doc-versions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kefu.db");
    let store: Arc<dyn Store> = Arc::new(kefu_store_sqlite::open(&path).await.unwrap());
    let mut raw = kefu_store_sqlite::Conn::open_raw(&path).unwrap();
    kefu_store_contract::stored_documents_carry_their_version(store, &mut raw).await;
}

#[tokio::test]
async fn customer_events_cannot_be_rewritten_in_the_database() {
    let dir = std::env::temp_dir().join(format!(
        "kefu-sqlite-customer-events-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kefu.db");
    let store: Arc<dyn Store> = Arc::new(kefu_store_sqlite::open(&path).await.unwrap());
    let f = kefu_store_contract::fixture(store.clone()).await;
    kefu_store_contract::customer_with_one_edit(&f).await;
    let raw = rusqlite::Connection::open(&path).unwrap();
    let update = raw.execute("UPDATE customer_events SET actor = 'someone else'", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = raw.execute("DELETE FROM customer_events", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let count: i64 = raw
        .query_row("SELECT COUNT(*) FROM customer_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
}
