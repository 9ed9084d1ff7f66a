//! Nothing is silently changed: the audit log and the change histories are append-only in the
//! database itself, not only in the code that writes them.

use std::sync::Arc;

use kefu_domain::Store;
use kefu_domain::store::AuditEntry;
use kefu_store_sql::Sql;

use crate::start_time;

/// Tries to rewrite and to remove every row of `table` through a raw connection: both are
/// refused by the database, whatever the caller.
async fn refuses_rewrites(raw: &mut dyn Sql, table: &str, column: &str) {
    let update = raw
        .execute(
            &format!("UPDATE {table} SET {column} = 'someone else'"),
            &[],
        )
        .await;
    let message = update.expect_err("an UPDATE must be refused").message;
    assert!(
        message.contains("append-only"),
        "UPDATE of {table}: {message}"
    );
    let delete = raw.execute(&format!("DELETE FROM {table}"), &[]).await;
    let message = delete.expect_err("a DELETE must be refused").message;
    assert!(
        message.contains("append-only"),
        "DELETE of {table}: {message}"
    );
}

/// An audit entry (who saw whose personal data) can be neither edited nor deleted.
/// `raw` is a read-write connection to the same database, outside the store.
pub async fn audit_log_is_append_only(store: Arc<dyn Store>, raw: &mut dyn Sql) {
    let entry = AuditEntry {
        id: "0190f000-0000-7000-8000-000000000001".into(),
        at: start_time(),
        actor: "user:sup01".into(),
        action: "reveal_contacts".into(),
        subject: "customer:C1".into(),
        reason: "回电".into(),
    };
    store.append_audit(&entry).await.unwrap();
    refuses_rewrites(raw, "audit_log", "actor").await;
    assert_eq!(
        store.audit_entries(None, 10).await.unwrap(),
        vec![entry],
        "the entry is unchanged and still there"
    );
}
