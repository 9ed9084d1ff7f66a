//! Stored documents carry the version of their shape: what this build writes says version
//! [`DOC_VERSION`], a document without one (written before versions) reads as version 1, and
//! one from a newer build is refused, never silently misread.

use std::sync::Arc;

use kefu_desk::Store;
use kefu_model::StoreError;
use kefu_store_sql::{DOC_VERSION, DOC_VERSION_FIELD, Sql};
use serde_json::Value;

use crate::{customer, draft, fixture};

/// The one text column of the one row `query` selects, as JSON.
async fn stored(raw: &mut dyn Sql, query: &str, id: &str) -> Value {
    let rows = raw.fetch(query, &[id.into()]).await.unwrap();
    assert_eq!(rows.len(), 1, "{query}");
    serde_json::from_str(rows[0].text(0).unwrap()).unwrap()
}

fn with_version(mut doc: Value, version: Option<i64>) -> String {
    let fields = doc.as_object_mut().unwrap();
    match version {
        Some(v) => fields.insert(DOC_VERSION_FIELD.into(), v.into()),
        None => fields.remove(DOC_VERSION_FIELD),
    };
    doc.to_string()
}

fn refused_as_too_new<T: std::fmt::Debug>(read: Result<T, StoreError>, found: i64, what: &str) {
    match read {
        Err(StoreError::DocumentTooNew {
            found: f, known, ..
        }) => {
            assert_eq!((f, known), (found, DOC_VERSION), "{what}");
        }
        other => panic!("{what}: a document of version {found} was read as {other:?}"),
    }
}

/// `raw` is a read-write connection to the same database, outside the store.
pub async fn stored_documents_carry_their_version(store: Arc<dyn Store>, raw: &mut dyn Sql) {
    let f = fixture(store.clone()).await;
    let created = f
        .desk
        .create_case(
            &f.agent,
            draft("查件", customer("钱多多", "13700009999")),
            None,
        )
        .await
        .unwrap()
        .case;
    let id = created.id.to_string();
    let customer_id = created.customer_id.to_string();

    // What is written says its version: the case, its events, its customer.
    let case_doc = stored(raw, "SELECT doc FROM cases WHERE id = $1", &id).await;
    assert_eq!(case_doc[DOC_VERSION_FIELD], DOC_VERSION, "{case_doc}");
    let events = raw
        .fetch(
            "SELECT data FROM case_events WHERE case_id = $1 ORDER BY seq",
            &[id.as_str().into()],
        )
        .await
        .unwrap();
    assert!(!events.is_empty());
    for row in &events {
        let data: Value = serde_json::from_str(row.text(0).unwrap()).unwrap();
        assert_eq!(data[DOC_VERSION_FIELD], DOC_VERSION, "{data}");
    }
    let customer_doc = stored(raw, "SELECT doc FROM customers WHERE id = $1", &customer_id).await;
    assert_eq!(
        customer_doc[DOC_VERSION_FIELD], DOC_VERSION,
        "{customer_doc}"
    );

    // A document written before versions existed reads as version 1, unchanged.
    let update_case = "UPDATE cases SET doc = $2 WHERE id = $1";
    raw.execute(
        update_case,
        &[
            id.as_str().into(),
            with_version(case_doc.clone(), None).into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store.case_by_id(&created.id).await.unwrap().as_ref(),
        Some(&created)
    );

    // One from a newer build is refused, by every read of it.
    raw.execute(
        update_case,
        &[
            id.as_str().into(),
            with_version(case_doc.clone(), Some(DOC_VERSION + 1)).into(),
        ],
    )
    .await
    .unwrap();
    refused_as_too_new(
        store.case_by_id(&created.id).await,
        DOC_VERSION + 1,
        "case by id",
    );
    refused_as_too_new(
        store.case_by_number(&created.number).await,
        DOC_VERSION + 1,
        "case by number",
    );
    raw.execute(
        "UPDATE customers SET doc = $2 WHERE id = $1",
        &[
            customer_id.as_str().into(),
            with_version(customer_doc, Some(DOC_VERSION + 7)).into(),
        ],
    )
    .await
    .unwrap();
    refused_as_too_new(
        store.customer_by_id(&created.customer_id).await,
        DOC_VERSION + 7,
        "customer",
    );

    // Events are append-only, so the newer one is appended after the others.
    let last = events.len() as i64;
    let first: Value = serde_json::from_str(events[0].text(0).unwrap()).unwrap();
    raw.execute(
        "INSERT INTO case_events (case_id, seq, type, actor, at, data) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            id.as_str().into(),
            (last + 1).into(),
            first["type"].as_str().unwrap().into(),
            "user:someone".into(),
            0i64.into(),
            with_version(first, Some(DOC_VERSION + 1)).into(),
        ],
    )
    .await
    .unwrap();
    refused_as_too_new(
        store.case_events(&created.id).await,
        DOC_VERSION + 1,
        "events",
    );
}
