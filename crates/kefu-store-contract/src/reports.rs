//! Contract checks for scheduled reports: a schedule is read as its owner may read the figures,
//! each sees their own (an admin every one), a due schedule is claimed by one caller until its
//! lease ends, a run covers the period that ended on its day, and an attempt's outcome moves
//! it on (a retry in 30 minutes, the next day after a send).

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Store;
use kefu_model::report_schedule::{ReportScheduleDraft, RunOutcome};
use kefu_model::{Clock, DomainError};

use crate::{customer, draft, fixture};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn schedule(by: &str) -> ReportScheduleDraft {
    ReportScheduleDraft {
        name: "每日绩效".into(),
        recipients: vec!["boss@yunlu.example".into()],
        by: by.into(),
        frequency: "daily".into(),
        hour: 8,
        format: "xlsx".into(),
        active: true,
    }
}

pub async fn scheduled_reports_are_claimed_once_and_read_as_their_owner(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let desk = &f.desk;
    // The fixture's clock: Tuesday 2026-11-24 10:00 in Beijing (02:00Z).
    assert!(matches!(
        desk.create_report_schedule(&f.agent, &schedule("channel"))
            .await,
        Err(DomainError::Forbidden(_))
    ));
    // The agent's goes out on Mondays (the next is 2026-11-30), so it is not due below.
    let mine = desk
        .create_report_schedule(
            &f.agent,
            &ReportScheduleDraft {
                frequency: "weekly".into(),
                ..schedule("agent")
            },
        )
        .await
        .unwrap();
    assert_eq!(mine.next_run_at, at("2026-11-30T00:00:00Z"));
    let centre = desk
        .create_report_schedule(&f.admin, &schedule("all"))
        .await
        .unwrap();
    // 08:00 has passed today: tomorrow's.
    assert_eq!(centre.next_run_at, at("2026-11-25T00:00:00Z"));
    // Ids made in the same millisecond need not sort in the order they were made.
    let ids = |v: Vec<kefu_model::report_schedule::ReportSchedule>| {
        let mut ids = v.into_iter().map(|s| s.id).collect::<Vec<_>>();
        ids.sort();
        ids
    };
    assert_eq!(
        ids(desk.report_schedules(&f.agent).await.unwrap()),
        vec![mine.id.clone()]
    );
    assert_eq!(
        ids(desk.report_schedules(&f.admin).await.unwrap()),
        ids(vec![mine.clone(), centre.clone()])
    );
    assert!(matches!(
        desk.report_schedule(&f.agent, &centre.id).await,
        Err(DomainError::NotFound(_))
    ));

    // Nothing is due yet.
    assert!(desk.claim_due_reports(10).await.unwrap().is_empty());

    // A case today; tomorrow, "send now" covers today.
    desk.create_case(
        &f.agent,
        draft("查件", customer("张三", "13800138000")),
        None,
    )
    .await
    .unwrap();
    f.clock.advance(SignedDuration::from_hours(24));
    desk.send_report_now(&f.admin, &centre.id).await.unwrap();
    let claimed = desk.claim_due_reports(10).await.unwrap();
    assert_eq!(ids(claimed.clone()), vec![centre.id.clone()]);
    assert!(
        desk.claim_due_reports(10).await.unwrap().is_empty(),
        "leased to the first caller"
    );
    let report = desk.scheduled_report(&claimed[0]).await.unwrap();
    assert_eq!(report.from.to_string(), "2026-11-24");
    assert_eq!(report.to.to_string(), "2026-11-25");
    assert_eq!(report.total.tally.cases, 1);
    // No mailbox to send from: the attempt fails with the reason.
    let file = kefu_desk::reports::ReportFile {
        file_name: "kpis.csv".into(),
        content_type: "text/csv".into(),
        bytes: b"key,name\r\n".to_vec(),
    };
    let why = desk
        .report_mail(&claimed[0], &report, file)
        .await
        .err()
        .unwrap_or_default();
    assert!(why.contains("no enabled mailbox"), "{why}");
    let failed = desk
        .finish_report_run(&claimed[0], Some(why))
        .await
        .unwrap();
    let now = f.clock.now();
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.next_run_at, now + SignedDuration::from_mins(30));
    assert_eq!(
        failed.last_run.as_ref().map(|r| r.outcome),
        Some(RunOutcome::Failed)
    );
    // Not due again until the retry; then it is, for the same day.
    assert!(desk.claim_due_reports(10).await.unwrap().is_empty());
    f.clock.advance(SignedDuration::from_mins(30));
    let retry = desk.claim_due_reports(10).await.unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].run_at, now);
    let sent = desk.finish_report_run(&retry[0], None).await.unwrap();
    assert_eq!(sent.attempts, 0);
    assert_eq!(sent.next_run_at, at("2026-11-26T00:00:00Z"));
    assert_eq!(
        sent.last_run.map(|r| (r.outcome, r.from.to_string())),
        Some((RunOutcome::Sent, "2026-11-24".to_string()))
    );
    assert_eq!(
        store
            .report_schedule(&centre.id)
            .await
            .unwrap()
            .map(|s| s.next_run_at),
        Some(at("2026-11-26T00:00:00Z"))
    );

    // A paused schedule is not sent.
    let paused = desk
        .change_report_schedule(
            &f.admin,
            &centre.id,
            &ReportScheduleDraft {
                active: false,
                ..schedule("all")
            },
        )
        .await
        .unwrap();
    assert!(!paused.active);
    assert!(matches!(
        desk.send_report_now(&f.admin, &centre.id).await,
        Err(DomainError::Conflict { .. })
    ));
    f.clock.advance(SignedDuration::from_hours(48));
    assert!(desk.claim_due_reports(10).await.unwrap().is_empty());

    // Only the owner (or an admin) changes or removes it.
    assert!(matches!(
        desk.delete_report_schedule(&f.agent, &centre.id).await,
        Err(DomainError::NotFound(_))
    ));
    desk.delete_report_schedule(&f.admin, &centre.id)
        .await
        .unwrap();
    assert_eq!(store.report_schedule(&centre.id).await.unwrap(), None);
}
