//! The store contract on PostgreSQL, each test in a fresh schema of the database named by
//! `KEFU_TEST_DATABASE_URL`. Without that variable the tests pass vacuously and say so; CI
//! sets it (see `.ci/run`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

use std::sync::Arc;

use kefu_domain::Store;

async fn fresh() -> Option<Arc<dyn Store>> {
    let url = std::env::var("KEFU_TEST_DATABASE_URL").ok()?;
    Some(Arc::new(
        kefu_store_postgres::open_fresh_schema(&url, "kefu_contract")
            .await
            .unwrap(),
    ))
}

macro_rules! or_skip {
    () => {
        match fresh().await {
            Some(s) => s,
            None => {
                eprintln!("KEFU_TEST_DATABASE_URL is not set: PostgreSQL contract skipped");
                return;
            }
        }
    };
}

kefu_store_contract::contract_tests!(or_skip!());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_events_cannot_be_rewritten_in_the_database() {
    let Ok(url) = std::env::var("KEFU_TEST_DATABASE_URL") else {
        eprintln!("KEFU_TEST_DATABASE_URL is not set: PostgreSQL contract skipped");
        return;
    };
    let pg = Arc::new(
        kefu_store_postgres::open_fresh_schema(&url, "kefu_contract")
            .await
            .unwrap(),
    );
    let store: Arc<dyn Store> = pg.clone();
    let f = kefu_store_contract::fixture(store).await;
    let c = f
        .desk
        .create_customer(
            &f.agent,
            kefu_store_contract::customer("钱多多", "13700009999"),
        )
        .await
        .unwrap();
    let patch = kefu_domain::corrections::CustomerPatch {
        version: 1,
        name: Some("钱少少".into()),
        phones: None,
        emails: None,
        grade: None,
        tags: None,
    };
    f.desk
        .edit_customer(&f.agent, c.id.as_str(), patch)
        .await
        .unwrap();
    let pool = pg.backend().pool();
    let update = sqlx::query("UPDATE customer_events SET actor = 'someone else'")
        .execute(pool)
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM customer_events")
        .execute(pool)
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customer_events")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(count.0, 1);
}
