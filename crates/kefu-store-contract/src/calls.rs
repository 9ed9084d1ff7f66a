//! Contract checks for the telephone channel's calls: a call's record is written with the case
//! events its event causes or not at all, retried events change nothing, the figures' range is
//! half-open, and calls travel through an export.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Store;
use kefu_desk::store::{AppendOptions, CallWrite};
use kefu_desk::telephony::CallRefusal;
use kefu_model::StoreError;
use kefu_model::export::{self, ExportRecord};
use kefu_model::pbx_account::{CallOutcomeCode, CallPhaseCode, PbxAccountDraft};

use crate::{Fixture, fixture, start_time};

const SECRET: &str = "contract-secret-0123456789";

pub(crate) async fn pbx_account(f: &Fixture) -> String {
    f.desk
        .create_pbx_account(
            &f.admin,
            PbxAccountDraft {
                name: "呼叫中心".into(),
                enabled: true,
                recording_base_url: Some("https://rec.yunlu.example".into()),
                webhook_secret: Some(SECRET.into()),
                ..PbxAccountDraft::default()
            },
        )
        .await
        .unwrap()
        .account
        .id
}

pub(crate) fn event(kind: &str, call: &str, at: Timestamp, extra: &str) -> String {
    format!(
        r#"{{"type":"{kind}","call_id":"{call}","at":"{at}","caller":"13912345678","queue":"after-sales"{extra}}}"#
    )
}

/// Posts `body` to the account as the PBX would, signed now by the fixture's clock.
pub(crate) async fn post(
    f: &Fixture,
    account: &str,
    body: &str,
) -> Result<kefu_desk::telephony::CallReceipt, CallRefusal> {
    let now = kefu_model::Clock::now(f.clock.as_ref());
    let timestamp = now.as_second().to_string();
    let signature = kefu_telephony::WebhookVerifier::new(SECRET.as_bytes())
        .unwrap()
        .sign(&timestamp, body.as_bytes());
    f.desk
        .receive_call_event(account, Some(&timestamp), Some(&signature), body.as_bytes())
        .await
}

pub async fn calls_are_written_with_their_case_events_or_not_at_all(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let account = pbx_account(&f).await;
    let t0 = start_time() - SignedDuration::from_mins(2);
    let offered = post(&f, &account, &event("offered", "c-1", t0, ""))
        .await
        .unwrap();
    let case_id = offered.case_id.clone().unwrap();
    let answered = event(
        "answered",
        "c-1",
        t0 + SignedDuration::from_secs(15),
        r#","agent":"agent01","wait_seconds":15"#,
    );
    post(&f, &account, &answered).await.unwrap();
    let stored = store.call(&account, "c-1").await.unwrap().unwrap();
    assert_eq!(stored.phase, CallPhaseCode::Answered);
    assert_eq!(stored.case_id.as_ref(), Some(&case_id));
    assert_eq!(stored.caller, "13912345678");
    assert_eq!(stored.agent.as_deref(), Some("agent01"));
    assert_eq!(stored.wait_seconds, Some(15));
    assert_eq!(stored.offered_at, t0);
    assert_eq!(stored.events.len(), 2);
    assert_eq!(stored.version, 2);
    assert_eq!(store.call_by_id("c-1").await.unwrap(), Some(stored.clone()));
    assert_eq!(
        store.calls_of_case(&case_id).await.unwrap(),
        vec![stored.clone()]
    );

    // A retry writes nothing: neither the call nor the case moves.
    let case = store.case_by_id(&case_id).await.unwrap().unwrap();
    let again = post(&f, &account, &answered).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(
        store.call(&account, "c-1").await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(
        store.case_by_id(&case_id).await.unwrap().unwrap().version,
        case.version
    );

    // A stale call version refuses the case's events with it, and the other way round.
    let mut moved = stored.clone();
    moved.version += 1;
    let stale_call = store
        .append_events(
            &case,
            case.version,
            &[],
            AppendOptions {
                call: Some(CallWrite {
                    record: &moved,
                    expected_version: Some(stored.version - 1),
                }),
                ..AppendOptions::default()
            },
        )
        .await;
    assert!(
        matches!(stale_call, Err(StoreError::VersionConflict)),
        "{stale_call:?}"
    );
    let stale_case = store
        .append_events(
            &case,
            case.version - 1,
            &[],
            AppendOptions {
                call: Some(CallWrite {
                    record: &moved,
                    expected_version: Some(stored.version),
                }),
                ..AppendOptions::default()
            },
        )
        .await;
    assert!(
        matches!(stale_case, Err(StoreError::VersionConflict)),
        "{stale_case:?}"
    );
    assert_eq!(
        store.call(&account, "c-1").await.unwrap(),
        Some(stored.clone())
    );
    // A second first write of the same call is a conflict, not a second row.
    let twin = store
        .put_call(CallWrite {
            record: &stored,
            expected_version: None,
        })
        .await;
    assert!(matches!(twin, Err(StoreError::VersionConflict)), "{twin:?}");

    let ended = event(
        "ended",
        "c-1",
        t0 + SignedDuration::from_secs(95),
        r#","agent":"agent01","wait_seconds":15,"recording_url":"https://rec.yunlu.example/c-1.mp3""#,
    );
    post(&f, &account, &ended).await.unwrap();
    let done = store.call(&account, "c-1").await.unwrap().unwrap();
    assert_eq!(done.outcome, Some(CallOutcomeCode::Answered));
    assert_eq!(done.ended_at, Some(t0 + SignedDuration::from_secs(95)));
    assert_eq!(
        done.recording_url.as_deref(),
        Some("https://rec.yunlu.example/c-1.mp3")
    );

    // Offered in [from, to): a call offered at `to` is not in it.
    assert_eq!(
        store
            .calls_offered_between(t0, t0 + SignedDuration::from_secs(1), 100)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .calls_offered_between(t0 - SignedDuration::from_secs(1), t0, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn calls_survive_export_import(store: Arc<dyn Store>, target: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let account = pbx_account(&f).await;
    let t0 = start_time() - SignedDuration::from_mins(5);
    post(&f, &account, &event("offered", "c-1", t0, ""))
        .await
        .unwrap();
    post(&f, &account, &event("offered", "c-2", t0, ""))
        .await
        .unwrap();
    post(
        &f,
        &account,
        &event(
            "abandoned",
            "c-2",
            t0 + SignedDuration::from_secs(40),
            r#","wait_seconds":40"#,
        ),
    )
    .await
    .unwrap();
    let lines = crate::dump(store.as_ref()).await;
    let calls = lines[1..]
        .iter()
        .enumerate()
        .map(|(i, l)| export::parse_record(i + 2, l).unwrap())
        .filter(|r| matches!(r, ExportRecord::Call(_)))
        .count();
    assert_eq!(calls, 2);
    let imported = crate::import_into(store.as_ref(), target.as_ref()).await;
    assert_eq!(imported, lines);
    assert_eq!(crate::dump(target.as_ref()).await, lines, "nothing lost");
    assert_eq!(
        target.call(&account, "c-2").await.unwrap(),
        store.call(&account, "c-2").await.unwrap()
    );
}
