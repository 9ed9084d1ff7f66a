//! The store contract on PostgreSQL, each test in a fresh schema of the database named by
//! `KEFU_TEST_DATABASE_URL`. Without that variable the tests pass vacuously and say so; CI
//! sets it (see `.ci/run`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

use std::sync::Arc;

use kefu_domain::Store;
use kefu_store_sql::Backend;

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

/// A fresh schema's store and a raw connection to the same schema (outside the store).
async fn fresh_with_raw() -> Option<(Arc<dyn Store>, Box<dyn kefu_store_sql::Sql>)> {
    let url = std::env::var("KEFU_TEST_DATABASE_URL").ok()?;
    let store = kefu_store_postgres::open_fresh_schema(&url, "kefu_contract")
        .await
        .unwrap();
    let raw = store.backend().read().await.unwrap();
    Some((Arc::new(store), raw))
}

macro_rules! or_skip_raw {
    () => {
        match fresh_with_raw().await {
            Some(s) => s,
            None => {
                eprintln!("KEFU_TEST_DATABASE_URL is not set: PostgreSQL contract skipped");
                return;
            }
        }
    };
}

#[tokio::test]
async fn audit_log_is_append_only() {
    let (store, mut raw) = or_skip_raw!();
    kefu_store_contract::audit_log_is_append_only(store, &mut *raw).await;
}
