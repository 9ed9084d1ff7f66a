//! The search outbox: every change a search index must see is written with the change, in the
//! same transaction, and nothing is written for a change that fails.

use std::sync::Arc;

use jiff::Timestamp;
use kefu_desk::Store;
use kefu_model::drafts::MessageDraft;
use kefu_model::records::OutboxEntry;
use kefu_model::{StoreError, Visibility};

use crate::{customer, draft, fixture};

async fn entries(store: &Arc<dyn Store>, after: i64) -> Vec<OutboxEntry> {
    // `since` far in the future: only the cursor counts.
    let never: Timestamp = "2100-01-01T00:00:00Z".parse().unwrap();
    store.search_outbox(after, never, 1000).await.unwrap()
}

pub async fn search_outbox_is_written_with_every_change(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let start = entries(&store, 0).await.last().map_or(0, |e| e.id);

    let created = f
        .desk
        .create_case(
            &f.agent,
            draft("外包装破了", customer("张三", "13800138000")),
            None,
        )
        .await
        .unwrap()
        .case;
    let after_create = entries(&store, start).await;
    let kinds: Vec<(&str, &str)> = after_create
        .iter()
        .map(|e| (e.kind.as_str(), e.entity_id.as_str()))
        .collect();
    assert!(kinds.contains(&("case", created.id.as_str())), "{kinds:?}");
    assert!(
        kinds.contains(&("customer", created.customer_id.as_str())),
        "{kinds:?}"
    );
    let cursor = after_create.last().unwrap().id;

    f.desk
        .add_message(
            &f.agent,
            created.id.as_str(),
            MessageDraft {
                body: "已登记破损".into(),
                visibility: Visibility::Internal,
                from_customer: false,
                call: false,
            },
        )
        .await
        .unwrap();
    let after_message = entries(&store, cursor).await;
    assert_eq!(after_message.len(), 1, "{after_message:?}");
    assert_eq!(after_message[0].kind, "case");
    assert_eq!(after_message[0].entity_id, created.id.as_str());
    assert!(after_message[0].id > cursor, "ids only grow");
    let cursor = after_message[0].id;

    // A refused write leaves no entry behind.
    let stale = kefu_model::Case {
        version: created.version + 100,
        ..created.clone()
    };
    let refused = store
        .append_events(&stale, stale.version, &[], Default::default())
        .await;
    assert!(matches!(refused, Err(StoreError::VersionConflict)));
    assert!(entries(&store, cursor).await.is_empty());

    // The window behind the cursor re-reads recent entries (late commits on PostgreSQL).
    let recent = store
        .search_outbox(cursor, after_message[0].at, 1000)
        .await
        .unwrap();
    assert!(recent.iter().any(|e| e.id == cursor), "{recent:?}");
}
