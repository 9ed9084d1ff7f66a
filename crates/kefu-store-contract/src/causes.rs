//! Root causes and improvement: a case's resolution code and causes are an event folded into
//! the projection, refused without a code on a complaint's resolution (nothing written), and
//! amended by another event; the causes' read model follows every append (the Pareto's rows
//! are exactly those `CauseQuery::admits`); the backlog's items keep their history and links;
//! the closed loop counts the complaints of the period at each step.

use std::sync::Arc;

use kefu_desk::Store;
use kefu_model::canned::{CannedDraft, MacroActions, TemplateLanguage, TemplateScope};
use kefu_model::causes::{CauseDraft, CauseQuery, LoopBy, LoopStep, ParetoBy};
use kefu_model::drafts::CasePatch;
use kefu_model::improvement::{ImprovementDraft, ImprovementPatch, ImprovementStatus};
use kefu_model::{Case, Category, DomainError, Role, Status};

use crate::{Fixture, customer, draft, fixture, user};

async fn case_of(f: &Fixture, category: Category, phone: &str) -> Case {
    let mut d = draft("快递员没送上门", customer("投诉人", phone));
    d.category = Some(category);
    let case = f.desk.create_case(&f.agent, d, None).await.unwrap().case;
    f.desk
        .update_case(
            &f.agent,
            case.id.as_str(),
            CasePatch {
                status: Some(Status::Open),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap()
}

fn cause(code: Option<&str>, causes: &[&str]) -> CauseDraft {
    CauseDraft {
        resolution_code: code.map(str::to_string),
        causes: causes.iter().map(|c| c.to_string()).collect(),
        organisation: None,
        lesson: None,
    }
}

fn resolve_with(c: Option<CauseDraft>) -> CasePatch {
    CasePatch {
        status: Some(Status::Resolved),
        root_cause: c,
        ..CasePatch::default()
    }
}

async fn loop_of(
    f: &Fixture,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Vec<(LoopStep, i64, i64)> {
    f.desk
        .closed_loop(&f.admin, from, to, LoopBy::Region)
        .await
        .unwrap()
        .steps
        .iter()
        .map(|c| (c.step, c.passed, c.missing))
        .collect()
}

pub async fn root_causes_are_recorded_counted_and_closed_in_a_loop(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let day = f.desk.time_zone().to_datetime(f.desk.now()).date();
    let next = day.tomorrow().unwrap();
    let c1 = case_of(&f, Category::Complaint, "13800000001").await;
    let c2 = case_of(&f, Category::Complaint, "13800000002").await;
    let delay = case_of(&f, Category::Delay, "13800000003").await;
    // A complaint nobody took up.
    let mut d = draft("网点态度差", customer("投诉人", "13800000004"));
    d.category = Some(Category::Complaint);
    f.desk.create_case(&f.agent, d, None).await.unwrap();

    // A complaint is not resolved without a code; nothing is written.
    let before = store.case_events(&c1.id).await.unwrap().len();
    let refused = f
        .desk
        .update_case(&f.agent, c1.id.as_str(), resolve_with(None))
        .await;
    assert!(
        matches!(&refused, Err(DomainError::Invalid { field, .. }) if field == "resolution_code"),
        "{refused:?}"
    );
    assert_eq!(store.case_events(&c1.id).await.unwrap().len(), before);
    assert_eq!(
        f.desk
            .get_case(&f.agent, c1.id.as_str())
            .await
            .unwrap()
            .status,
        Status::Open
    );

    // Resolved with a code and causes; the projection is the fold of the events.
    let r1 = f
        .desk
        .update_case(
            &f.agent,
            c1.id.as_str(),
            resolve_with(Some(cause(
                Some("reshipped"),
                &["delivery/false_scan", "pickup/late"],
            ))),
        )
        .await
        .unwrap();
    let rc = r1.root_cause.clone().unwrap();
    assert_eq!(rc.code.as_deref(), Some("reshipped"));
    assert_eq!(rc.causes, vec!["pickup/late", "delivery/false_scan"]);
    assert_eq!(rc.day, day);
    assert_eq!(rc.amendments, 0);
    let events = store.case_events(&c1.id).await.unwrap();
    assert_eq!(Case::replay(&events).as_ref(), Some(&r1));
    // Recorded alone, then resolved (a code recorded before counts).
    f.desk
        .record_root_cause(
            &f.agent,
            c2.id.as_str(),
            &cause(Some("explained"), &["delivery/false_scan"]),
        )
        .await
        .unwrap();
    f.desk
        .update_case(&f.agent, c2.id.as_str(), resolve_with(None))
        .await
        .unwrap();
    // A delay needs no code.
    f.desk
        .update_case(
            &f.agent,
            delay.id.as_str(),
            resolve_with(Some(cause(None, &["sorting/hub_delay"]))),
        )
        .await
        .unwrap();

    // The Pareto: false_scan 2, pickup/late 1, sorting/hub_delay 1 → 4 on 3 cases.
    let query = CauseQuery {
        from: day,
        to: next,
        category: None,
        region: None,
        organisation: None,
        route: None,
    };
    let report = f
        .desk
        .cause_pareto(&f.admin, &query, ParetoBy::Cause)
        .await
        .unwrap();
    assert_eq!(report.cases, 3);
    let bars: Vec<(&str, i64, f64, f64, bool)> = report
        .bars
        .iter()
        .map(kefu_model::causes::ParetoBar::figures)
        .collect();
    assert_eq!(
        bars,
        vec![
            ("delivery/false_scan", 2, 50.0, 50.0, true),
            ("pickup/late", 1, 25.0, 75.0, true),
            ("sorting/hub_delay", 1, 25.0, 100.0, true),
        ]
    );
    let codes = f
        .desk
        .cause_pareto(&f.admin, &query, ParetoBy::Code)
        .await
        .unwrap();
    assert_eq!(codes.cases, 2);
    assert_eq!(
        codes
            .bars
            .iter()
            .map(|b| (b.key.as_str(), b.count))
            .collect::<Vec<_>>(),
        vec![("explained", 1), ("reshipped", 1)]
    );
    // The store's rows are exactly those the query admits, whatever the filter.
    let all = store.cause_rows(&query, 100).await.unwrap();
    assert_eq!(all.len(), 3);
    for q in [
        CauseQuery {
            category: Some(Category::Complaint),
            ..query.clone()
        },
        CauseQuery {
            category: Some(Category::Delay),
            ..query.clone()
        },
        CauseQuery {
            region: Some("44".into()),
            ..query.clone()
        },
        CauseQuery {
            route: Some("31-44".into()),
            ..query.clone()
        },
        CauseQuery {
            from: next,
            to: next.tomorrow().unwrap(),
            ..query.clone()
        },
    ] {
        let want: Vec<_> = all.iter().filter(|r| q.admits(r)).cloned().collect();
        assert_eq!(store.cause_rows(&q, 100).await.unwrap(), want, "{q:?}");
    }
    let behind = f
        .desk
        .cause_cases(&f.admin, &query, ParetoBy::Cause, "delivery/false_scan")
        .await
        .unwrap();
    let mut numbers: Vec<&str> = behind.iter().map(|r| r.case_number.as_str()).collect();
    numbers.sort();
    let mut want = vec![c1.number.as_str(), c2.number.as_str()];
    want.sort();
    assert_eq!(numbers, want);
    // Agents do not analyse.
    assert!(matches!(
        f.desk.cause_pareto(&f.agent, &query, ParetoBy::Cause).await,
        Err(DomainError::Forbidden(_))
    ));

    // An amendment is another event; a resolved complaint keeps a code.
    let dropped = f
        .desk
        .record_root_cause(&f.agent, c1.id.as_str(), &cause(None, &["packaging"]))
        .await;
    assert!(matches!(dropped, Err(DomainError::Invalid { .. })));
    let amended = f
        .desk
        .record_root_cause(
            &f.agent,
            c1.id.as_str(),
            &cause(Some("compensated"), &["packaging"]),
        )
        .await
        .unwrap();
    let rc = amended.root_cause.clone().unwrap();
    assert_eq!(
        (rc.code.as_deref(), rc.amendments),
        (Some("compensated"), 1)
    );
    let again = f
        .desk
        .record_root_cause(
            &f.agent,
            c1.id.as_str(),
            &cause(Some("compensated"), &["packaging"]),
        )
        .await
        .unwrap();
    assert_eq!(
        again.version, amended.version,
        "the same record changes nothing"
    );
    let report = f
        .desk
        .cause_pareto(&f.admin, &query, ParetoBy::Cause)
        .await
        .unwrap();
    assert_eq!(
        report
            .bars
            .iter()
            .map(|b| (b.key.as_str(), b.count))
            .collect::<Vec<_>>(),
        vec![
            ("delivery/false_scan", 1),
            ("packaging", 1),
            ("sorting/hub_delay", 1)
        ]
    );

    // The backlog: an agent proposes with a case, may not move it; a supervisor (the admin
    // here) moves it one step at a time; every change is in its history.
    let item = f
        .desk
        .create_improvement(
            &f.agent,
            &ImprovementDraft {
                title: "签收规范培训".into(),
                causes: vec!["delivery/false_scan".into()],
                cases: vec![c1.number.clone()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(item.status, ImprovementStatus::Proposed);
    let to = |s: ImprovementStatus| ImprovementPatch {
        status: Some(s),
        ..Default::default()
    };
    assert!(matches!(
        f.desk
            .update_improvement(&f.agent, &item.id, &to(ImprovementStatus::Accepted))
            .await,
        Err(DomainError::Forbidden(_))
    ));
    f.desk
        .link_improvement_case(&f.agent, &item.id, c2.id.as_str())
        .await
        .unwrap();
    let want = |improved: i64| {
        vec![
            (LoopStep::Received, 3, 0),
            (LoopStep::Accepted, 2, 1),
            (LoopStep::Classified, 2, 1),
            (LoopStep::Graded, 2, 1),
            (LoopStep::ResolvedInTime, 2, 1),
            (LoopStep::CauseRecorded, 2, 1),
            (LoopStep::Linked, 2, 1),
            (LoopStep::Improved, improved, 3 - improved),
        ]
    };
    assert_eq!(loop_of(&f, day, next).await, want(0));
    for s in [
        ImprovementStatus::Accepted,
        ImprovementStatus::InProgress,
        ImprovementStatus::Done,
    ] {
        f.desk
            .update_improvement(&f.admin, &item.id, &to(s))
            .await
            .unwrap();
    }
    assert_eq!(loop_of(&f, day, next).await, want(2));
    let missing = f
        .desk
        .closed_loop_missing(&f.admin, day, next, LoopStep::Accepted, None)
        .await
        .unwrap();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].status, Status::New);
    let history = f
        .desk
        .improvement_history(&f.admin, &item.id)
        .await
        .unwrap();
    let whats: Vec<(&str, &str)> = history
        .iter()
        .map(|e| (e.what.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        whats,
        vec![
            ("created", "签收规范培训"),
            ("linked", c1.number.as_str()),
            ("linked", c2.number.as_str()),
            ("status", "proposed → accepted"),
            ("status", "accepted → in_progress"),
            ("status", "in_progress → done"),
        ]
    );
    assert_eq!(
        history.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    let stored = f.desk.improvement(&f.admin, &item.id).await.unwrap();
    assert_eq!((stored.version, stored.cases.len()), (5, 2));
    // Unlinking needs a manager; a case not linked is not found.
    assert!(matches!(
        f.desk
            .unlink_improvement_case(&f.agent, &item.id, c2.id.as_str())
            .await,
        Err(DomainError::Forbidden(_))
    ));
    let unlinked = f
        .desk
        .unlink_improvement_case(&f.admin, &item.id, c2.number.as_str())
        .await
        .unwrap();
    assert_eq!(unlinked.cases.len(), 1);
    assert!(matches!(
        f.desk
            .unlink_improvement_case(&f.admin, &item.id, c2.number.as_str())
            .await,
        Err(DomainError::NotFound(_))
    ));
    assert_eq!(store.improvements_of_case(&c1.id).await.unwrap().len(), 1);
    assert!(store.improvements_of_case(&c2.id).await.unwrap().is_empty());
}

/// The backlog travels in a dump with each item's history and links, and the causes' read
/// model is rebuilt from the imported cases.
pub async fn root_causes_and_the_backlog_survive_export_import(
    store: Arc<dyn Store>,
    target: Arc<dyn Store>,
) {
    let f = fixture(store.clone()).await;
    let c1 = case_of(&f, Category::Complaint, "13800000011").await;
    f.desk
        .update_case(
            &f.agent,
            c1.id.as_str(),
            resolve_with(Some(cause(Some("explained"), &["delivery/false_scan"]))),
        )
        .await
        .unwrap();
    let item = f
        .desk
        .create_improvement(
            &f.agent,
            &ImprovementDraft {
                title: "签收规范培训".into(),
                cases: vec![c1.number.clone()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    f.desk
        .update_improvement(
            &f.admin,
            &item.id,
            &ImprovementPatch {
                status: Some(ImprovementStatus::Accepted),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let lines = crate::dump(store.as_ref()).await;
    crate::load(target.as_ref(), &lines).await;
    assert_eq!(
        target.improvements().await.unwrap(),
        store.improvements().await.unwrap()
    );
    assert_eq!(
        target.improvement_history(&item.id).await.unwrap(),
        store.improvement_history(&item.id).await.unwrap()
    );
    assert_eq!(target.improvements_of_case(&c1.id).await.unwrap().len(), 1);
    let day = f.desk.time_zone().to_datetime(f.desk.now()).date();
    let query = CauseQuery {
        from: day,
        to: day.tomorrow().unwrap(),
        category: None,
        region: None,
        organisation: None,
        route: None,
    };
    assert_eq!(
        target.cause_rows(&query, 100).await.unwrap(),
        store.cause_rows(&query, 100).await.unwrap()
    );
    assert_eq!(target.cause_rows(&query, 100).await.unwrap().len(), 1);
}

/// The resolution-code rule holds on every path that ends a complaint: a macro that resolves
/// one (or makes a case a complaint and resolves it) is refused without a recorded code, and
/// department staff, who record no causes, cannot resolve one the desk has not coded; nothing
/// is written by a refusal.
pub async fn every_path_that_ends_a_complaint_needs_its_code(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let resolving = |title: &str, category: Option<Category>| CannedDraft {
        title: title.into(),
        body: "{{customer_name}}您好，已为您处理完毕。".into(),
        language: TemplateLanguage::Zh,
        scope: TemplateScope::Personal,
        department: None,
        tags: Vec::new(),
        actions: Some(MacroActions {
            status: Some(Status::Resolved),
            category,
            ..MacroActions::default()
        }),
    };
    let resolve = f
        .desk
        .create_canned(&f.agent, resolving("处理完毕", None))
        .await
        .unwrap();
    let complaint = case_of(&f, Category::Complaint, "13800000021").await;
    let before = store.case_events(&complaint.id).await.unwrap();
    assert!(matches!(
        f.desk.apply_macro(&f.agent, complaint.id.as_str(), &resolve.id).await,
        Err(DomainError::Invalid { field, .. }) if field == "resolution_code"
    ));
    assert_eq!(store.case_events(&complaint.id).await.unwrap(), before);

    // A macro that makes a case a complaint is judged by the category it leaves.
    let regrade = f
        .desk
        .create_canned(
            &f.agent,
            resolving("转投诉并处理", Some(Category::Complaint)),
        )
        .await
        .unwrap();
    let enquiry = case_of(&f, Category::Track, "13800000022").await;
    let before = store.case_events(&enquiry.id).await.unwrap();
    assert!(matches!(
        f.desk.apply_macro(&f.agent, enquiry.id.as_str(), &regrade.id).await,
        Err(DomainError::Invalid { field, .. }) if field == "resolution_code"
    ));
    assert_eq!(store.case_events(&enquiry.id).await.unwrap(), before);
    // The same macro on an enquiry that stays one resolves it.
    let plain = case_of(&f, Category::Track, "13800000023").await;
    let (done, _) = f
        .desk
        .apply_macro(&f.agent, plain.id.as_str(), &resolve.id)
        .await
        .unwrap();
    assert_eq!(done.status, Status::Resolved);

    // Coded first, the complaint is resolved by the macro.
    f.desk
        .record_root_cause(
            &f.agent,
            complaint.id.as_str(),
            &cause(Some("explained"), &["delivery/false_scan"]),
        )
        .await
        .unwrap();
    let (done, _) = f
        .desk
        .apply_macro(&f.agent, complaint.id.as_str(), &resolve.id)
        .await
        .unwrap();
    assert_eq!(done.status, Status::Resolved);
    assert_eq!(
        done.root_cause.and_then(|r| r.code).as_deref(),
        Some("explained")
    );

    // Department staff answer a complaint transferred to them but neither code nor resolve it.
    let ops = user(&f, "ops-cause", Role::Department, "ops").await;
    let transferred = case_of(&f, Category::Complaint, "13800000024").await;
    f.desk
        .update_case(
            &f.agent,
            transferred.id.as_str(),
            CasePatch {
                department: Some(Some("ops".into())),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    let before = store.case_events(&transferred.id).await.unwrap();
    assert!(matches!(
        f.desk.update_case(&ops, transferred.id.as_str(), resolve_with(None)).await,
        Err(DomainError::Invalid { field, .. }) if field == "resolution_code"
    ));
    assert!(matches!(
        f.desk
            .update_case(
                &ops,
                transferred.id.as_str(),
                resolve_with(Some(cause(Some("explained"), &[]))),
            )
            .await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        f.desk
            .record_root_cause(
                &ops,
                transferred.id.as_str(),
                &cause(Some("explained"), &[])
            )
            .await,
        Err(DomainError::Forbidden(_))
    ));
    assert_eq!(store.case_events(&transferred.id).await.unwrap(), before);
}
