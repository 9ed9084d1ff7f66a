//! Quality inspection: rubrics keep every version and an inspection the version it was scored
//! with; a draw queues each resolved case once whatever the number of draws, recording the rule
//! that chose it; every change of an inspection is one entry of its history; the figures sum
//! the scored inspections per agent and department; the case is never touched.

use std::sync::Arc;

use kefu_desk::Store;
use kefu_model::drafts::{CasePatch, MessageDraft};
use kefu_model::quality::{
    AppealOutcome, InspectionAction, InspectionQuery, InspectionQueue, InspectionStatus, ItemScore,
    MessageComment, QualityDimension, QualitySettings, QualityTally, RubricDraft, SampleRule,
    ScoreDraft,
};
use kefu_model::survey::AnswerDraft;
use kefu_model::{Actor, Case, Category, DomainError, Role, Status, Visibility};

use crate::{Fixture, customer, draft, fixture, user};

async fn resolved(f: &Fixture, phone: &str, category: Category, agent: &Actor) -> Case {
    let mut d = draft("包裹还没到", customer("周客户", phone));
    d.category = Some(category);
    let case = f.desk.create_case(&f.agent, d, None).await.unwrap().case;
    let patch = |status: Status, assignee: Option<String>| CasePatch {
        status: Some(status),
        assignee: assignee.map(Some),
        ..CasePatch::default()
    };
    f.desk
        .update_case(
            &f.admin,
            case.id.as_str(),
            patch(Status::Open, Some(agent.user_id.to_string())),
        )
        .await
        .unwrap();
    f.desk
        .add_message(
            agent,
            case.id.as_str(),
            MessageDraft {
                body: "您好，您的包裹明天派送。".into(),
                visibility: Visibility::Public,
                from_customer: false,
                call: false,
            },
        )
        .await
        .unwrap();
    // Resolved with a resolution code (complaints need one, by the `root_causes` setting).
    let resolve = CasePatch {
        root_cause: Some(kefu_model::causes::CauseDraft {
            resolution_code: Some("explained".into()),
            ..Default::default()
        }),
        ..patch(Status::Resolved, None)
    };
    f.desk
        .update_case(&f.admin, case.id.as_str(), resolve)
        .await
        .unwrap()
}

fn scores(values: [u32; 5]) -> Vec<ItemScore> {
    [
        "greeting",
        "accuracy",
        "empathy",
        "resolution",
        "compliance",
    ]
    .iter()
    .zip(values)
    .map(|(item, score)| ItemScore {
        item: (*item).into(),
        score,
        comment: String::new(),
    })
    .collect()
}

pub async fn quality_inspections_are_queued_once_scored_and_appealed(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    // A poor answer's follow-up counts on the shipped service calendar.
    f.desk.install_builtin_calendars().await.unwrap();
    let inspector = user(&f, "qa01", Role::Inspector, "service").await;
    let other = user(&f, "agent02", Role::Agent, "ops").await;
    let day = f.desk.time_zone().to_datetime(f.desk.now()).date();
    let next = day.tomorrow().unwrap();

    let complaint = resolved(&f, "13911120001", Category::Complaint, &f.agent).await;
    let rated = resolved(&f, "13911120002", Category::Delay, &f.agent).await;
    let plain = resolved(&f, "13911120003", Category::Delay, &other).await;
    // Open cases are not drawn.
    f.desk
        .create_case(
            &f.agent,
            draft("还没处理", customer("钱", "13911120004")),
            None,
        )
        .await
        .unwrap();
    f.desk
        .portal_answer(
            &rated.number,
            "13911120002",
            AnswerDraft {
                score: 1,
                reasons: vec![],
                comment: "太慢".into(),
            },
        )
        .await
        .unwrap();

    // The candidates are the three resolved cases with their flags.
    let candidates = store.quality_candidates(day, next).await.unwrap();
    let flags: Vec<(String, bool, bool, String)> = candidates
        .iter()
        .map(|c| (c.case_number.clone(), c.complaint, c.poor, c.agent.clone()))
        .collect();
    let mut expected = vec![
        (
            complaint.number.clone(),
            true,
            false,
            f.agent.user_id.to_string(),
        ),
        (
            rated.number.clone(),
            false,
            true,
            f.agent.user_id.to_string(),
        ),
        (
            plain.number.clone(),
            false,
            false,
            other.user_id.to_string(),
        ),
    ];
    expected.sort_by_key(|(n, ..)| {
        [&complaint, &rated, &plain]
            .iter()
            .find(|c| &c.number == n)
            .map(|c| c.id.clone())
    });
    assert_eq!(flags, expected);

    // Only the rules: the complaint and the poor rating, once each however often drawn.
    let rules = QualitySettings {
        random_percent: 0,
        long_handling_hours: None,
        ..QualitySettings::default()
    };
    f.desk
        .put_quality_settings(&f.admin, rules.clone())
        .await
        .unwrap();
    assert!(matches!(
        f.desk.put_quality_settings(&inspector, rules).await,
        Err(DomainError::Forbidden(_))
    ));
    let first = f.desk.draw_inspections(&f.admin, day, next).await.unwrap();
    assert_eq!(first.considered, 3);
    assert_eq!(first.queued.len(), 2);
    let mut chosen = first.chosen.clone();
    chosen.sort_by_key(|(_, r)| *r);
    assert_eq!(
        chosen,
        vec![
            (complaint.id.clone(), SampleRule::Complaint),
            (rated.id.clone(), SampleRule::PoorRating),
        ]
    );
    let again = f.desk.draw_inspections(&f.admin, day, next).await.unwrap();
    assert_eq!((again.chosen.len(), again.queued.len()), (2, 0));
    // Everyone at random now: only the third case is new.
    let all = QualitySettings {
        random_percent: 100,
        long_handling_hours: None,
        ..QualitySettings::default()
    };
    f.desk.put_quality_settings(&f.admin, all).await.unwrap();
    let third = f.desk.draw_inspections(&f.admin, day, next).await.unwrap();
    assert_eq!((third.chosen.len(), third.queued.len()), (3, 1));
    let pending = f
        .desk
        .inspections(&inspector, Some(InspectionQueue::Pending), None)
        .await
        .unwrap();
    assert_eq!(pending.len(), 3);
    let of = |case: &Case| {
        pending
            .iter()
            .find(|i| i.case_id == case.id)
            .cloned()
            .unwrap()
    };
    let (ic, ip) = (of(&complaint), of(&plain));
    assert_eq!(
        (ic.rule, ip.rule),
        (SampleRule::Complaint, SampleRule::Random)
    );
    // An agent sees no pending inspection, not even their own.
    assert!(
        f.desk
            .inspections(&f.agent, None, None)
            .await
            .unwrap()
            .is_empty()
    );

    // Assigned to the inspector, scored with the shipped rubric's version 1 and a comment on
    // the agent's message: 15 × 4/5 + 30 × 5/5 + 20 × 3/5 + 25 × 4/5 + 10 = 84.
    f.desk
        .assign_inspection(&f.admin, ic.id.as_str(), inspector.user_id.as_str())
        .await
        .unwrap();
    let detail = f.desk.inspection(&inspector, ic.id.as_str()).await.unwrap();
    assert_eq!(detail.rubric.version, 1);
    let message = detail
        .events
        .iter()
        .find_map(|e| match &e.data {
            kefu_model::EventData::MessageAdded { message_id, .. } => Some(message_id.to_string()),
            _ => None,
        })
        .unwrap();
    let case_version = store
        .case_by_id(&complaint.id)
        .await
        .unwrap()
        .unwrap()
        .version;
    let scored = f
        .desk
        .score_inspection(
            &inspector,
            ic.id.as_str(),
            ScoreDraft {
                scores: scores([4, 5, 3, 4, 1]),
                comments: vec![MessageComment {
                    message_id: message.clone(),
                    text: "开场白完整".into(),
                }],
                summary: "整体良好".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(scored.score_x100, Some(8400));
    assert_eq!(scored.passed, Some(true));
    assert_eq!(scored.rubric_version, Some(1));
    assert_eq!(scored.scored_on, Some(day));
    // Scoring never changes the case.
    assert_eq!(
        store
            .case_by_id(&complaint.id)
            .await
            .unwrap()
            .unwrap()
            .version,
        case_version
    );
    // Scored twice: refused.
    assert!(matches!(
        f.desk
            .score_inspection(&inspector, ic.id.as_str(), ScoreDraft::default())
            .await,
        Err(DomainError::Conflict { .. })
    ));

    // The rubric is edited: version 2; a stale editor is refused; the inspection keeps 1.
    let mut edited = kefu_model::quality::default_rubric();
    edited.items[0].weight = 10;
    edited.items[1].weight = 35;
    let v2 = f
        .desk
        .save_rubric(&f.admin, "default", edited.clone(), Some(1))
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    assert!(matches!(
        f.desk
            .save_rubric(&f.admin, "default", edited, Some(1))
            .await,
        Err(DomainError::Conflict { .. })
    ));
    let bad = RubricDraft {
        name: "坏".into(),
        items: kefu_model::quality::default_rubric().items[..4].to_vec(),
    };
    assert!(matches!(
        f.desk.save_rubric(&f.admin, "default", bad, Some(2)).await,
        Err(DomainError::Invalid { .. })
    ));
    let versions = f.desk.rubric_versions(&f.agent, "default").await.unwrap();
    assert_eq!(
        versions.iter().map(|r| r.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(versions[1].items[0].weight, 15);
    let detail = f.desk.inspection(&f.agent, ic.id.as_str()).await.unwrap();
    assert_eq!(detail.rubric.version, 1);

    // The other agent cannot read it; the agent appeals, a supervisor rescores with version 1:
    // 15 + 30 + 12 + 20 + 10 = 87.
    assert!(matches!(
        f.desk.inspection(&other, ic.id.as_str()).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        f.desk
            .appeal_inspection(&other, ic.id.as_str(), "不是我")
            .await,
        Err(DomainError::NotFound(_))
    ));
    f.desk
        .appeal_inspection(&f.agent, ic.id.as_str(), "客户要求的说法")
        .await
        .unwrap();
    let decided = f
        .desk
        .decide_appeal(
            &f.admin,
            ic.id.as_str(),
            AppealOutcome::Rescore,
            "同意改判",
            Some(ScoreDraft {
                scores: scores([5, 5, 3, 4, 1]),
                comments: vec![],
                summary: String::new(),
            }),
        )
        .await
        .unwrap();
    assert_eq!(decided.status, InspectionStatus::Decided);
    assert_eq!(decided.score_x100, Some(8700));
    assert_eq!(decided.rubric_version, Some(1));

    // The plain case scored by the admin with version 2 and a critical fail: 0.
    let scored = f
        .desk
        .score_inspection(
            &f.admin,
            ip.id.as_str(),
            ScoreDraft {
                scores: scores([5, 5, 5, 5, 0]),
                comments: vec![],
                summary: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (
            scored.score_x100,
            scored.critical_failed,
            scored.rubric_version
        ),
        (Some(0), true, Some(2))
    );
    f.desk
        .acknowledge_inspection(&other, ip.id.as_str())
        .await
        .unwrap();

    // The history: drawn, assigned, scored, appealed, rescored, who and in order.
    let history = store.inspection_history(&ic.id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|e| (e.seq, e.action))
            .collect::<Vec<_>>(),
        vec![
            (1, InspectionAction::Drawn),
            (2, InspectionAction::Assigned),
            (3, InspectionAction::Scored),
            (4, InspectionAction::Appealed),
            (5, InspectionAction::Rescored),
        ]
    );
    assert_eq!(history[2].actor, "user:qa01");
    assert_eq!(history[3].note, "客户要求的说法");
    // A stale write is refused and adds nothing.
    let stale = store.inspection(&ic.id).await.unwrap().unwrap();
    let mut entry = history[4].clone();
    entry.seq = 6;
    assert!(matches!(
        store.put_inspection(&stale, 4, &entry).await,
        Err(kefu_model::StoreError::VersionConflict)
    ));
    assert_eq!(store.inspection_history(&ic.id).await.unwrap().len(), 5);

    // Figures: the agent 1 inspection of 87 passed; the other 1 of 0 failed; by department
    // (the agent's team when drawn) the same split between service and operations.
    let by_agent = f
        .desk
        .quality_figures(&f.admin, QualityDimension::Agent, day, next)
        .await
        .unwrap();
    let mut want = vec![
        QualityTally {
            key: f.agent.user_id.to_string(),
            count: 1,
            score_x100_sum: 8700,
            passed: 1,
        },
        QualityTally {
            key: other.user_id.to_string(),
            count: 1,
            score_x100_sum: 0,
            passed: 0,
        },
    ];
    want.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(by_agent, want);
    let own = f
        .desk
        .quality_figures(&other, QualityDimension::Agent, day, next)
        .await
        .unwrap();
    assert_eq!(
        own,
        vec![QualityTally {
            key: other.user_id.to_string(),
            count: 1,
            score_x100_sum: 0,
            passed: 0,
        }]
    );
    assert!(matches!(
        f.desk
            .quality_figures(&other, QualityDimension::Department, day, next)
            .await,
        Err(DomainError::Forbidden(_))
    ));
    let by_department = f
        .desk
        .quality_figures(&inspector, QualityDimension::Department, day, next)
        .await
        .unwrap();
    let team = |a: &Actor| a.department_id.clone().unwrap().to_string();
    let mut want = vec![
        QualityTally {
            key: team(&f.agent),
            count: 1,
            score_x100_sum: 8700,
            passed: 1,
        },
        QualityTally {
            key: team(&other),
            count: 1,
            score_x100_sum: 0,
            passed: 0,
        },
    ];
    want.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(by_department, want);
}

/// An inspection's history can be neither edited nor deleted in the database.
pub async fn inspection_history_is_append_only(
    store: Arc<dyn Store>,
    raw: &mut dyn kefu_store_sql::Sql,
) {
    let f = fixture(store.clone()).await;
    resolved(&f, "13911120009", Category::Complaint, &f.agent).await;
    let day = f.desk.time_zone().to_datetime(f.desk.now()).date();
    let drawn = f
        .desk
        .draw_inspections(&f.admin, day, day.tomorrow().unwrap())
        .await
        .unwrap();
    let id = drawn.queued[0].clone();
    let before = store.inspection_history(&id).await.unwrap();
    assert_eq!(before.len(), 1);
    crate::history::refuses_rewrites(raw, "inspection_history", "actor").await;
    assert_eq!(store.inspection_history(&id).await.unwrap(), before);
}

/// The daily draw: nothing unless the rules ask for it; then, after 01:00 local time, the day
/// before — drawn by the system, its cases queued once however many nodes run it how often.
pub async fn the_daily_draw_draws_the_day_before_when_the_rules_ask(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let inspector = user(&f, "qc-daily", Role::Inspector, "service").await;
    // Resolved on the fixture's day: 2026-11-24, 10:00 in Shanghai.
    let complaint = resolved(&f, "13900000031", Category::Complaint, &f.agent).await;
    assert!(
        f.desk.daily_draw().await.unwrap().is_none(),
        "not asked for"
    );
    let daily = QualitySettings {
        random_percent: 0,
        long_handling_hours: None,
        daily_draw: true,
        ..QualitySettings::default()
    };
    f.desk.put_quality_settings(&f.admin, daily).await.unwrap();
    let today = f.desk.daily_draw().await.unwrap().unwrap();
    assert_eq!(
        (today.considered, today.queued.len()),
        (0, 0),
        "the day before was empty"
    );
    // 00:30 the next day: too early; 01:00: the 24th is drawn.
    f.clock.set("2026-11-24T16:30:00Z".parse().unwrap());
    assert!(f.desk.daily_draw().await.unwrap().is_none());
    f.clock.set("2026-11-24T17:00:00Z".parse().unwrap());
    let drawn = f.desk.daily_draw().await.unwrap().unwrap();
    assert_eq!(drawn.considered, 1);
    assert_eq!(
        drawn.chosen,
        vec![(complaint.id.clone(), SampleRule::Complaint)]
    );
    assert_eq!(drawn.queued.len(), 1);
    let manual = f
        .desk
        .draw_inspections(
            &f.admin,
            "2026-11-24".parse().unwrap(),
            "2026-11-25".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!((manual.draw, manual.queued.len()), (drawn.draw.clone(), 0));
    f.clock.set("2026-11-24T18:15:00Z".parse().unwrap());
    let again = f.desk.daily_draw().await.unwrap().unwrap();
    assert_eq!((again.chosen.len(), again.queued.len()), (1, 0));
    let detail = f
        .desk
        .inspection(&inspector, drawn.queued[0].as_str())
        .await
        .unwrap();
    assert_eq!(detail.history.len(), 1);
    assert_eq!(
        detail.history[0].actor,
        kefu_desk::quality::DAILY_DRAW_ACTOR
    );
    assert_eq!(detail.inspection.rule, SampleRule::Complaint);
}

/// Exports `source` whole and imports the dump into the empty `target`; the dump's lines.
async fn round_trip(source: &Arc<dyn Store>, target: &Arc<dyn Store>) -> Vec<String> {
    let lines = crate::dump(source.as_ref()).await;
    crate::load(target.as_ref(), &lines).await;
    lines
}

/// Every rubric version and every inspection with its whole history travel in a dump; the
/// history is inserted as it was, and the figures summed from the imported inspections are
/// the source's.
pub async fn rubrics_and_inspections_survive_export_import(
    store: Arc<dyn Store>,
    target: Arc<dyn Store>,
) {
    let f = fixture(store.clone()).await;
    f.desk.install_builtin_calendars().await.unwrap();
    let inspector = user(&f, "qa01", Role::Inspector, "service").await;
    let other = user(&f, "agent02", Role::Agent, "ops").await;
    let day = f.desk.time_zone().to_datetime(f.desk.now()).date();
    let next = day.tomorrow().unwrap();
    let mine = resolved(&f, "13911120031", Category::Complaint, &f.agent).await;
    let theirs = resolved(&f, "13911120032", Category::Delay, &other).await;
    let all = QualitySettings {
        random_percent: 100,
        long_handling_hours: None,
        ..QualitySettings::default()
    };
    f.desk.put_quality_settings(&f.admin, all).await.unwrap();
    let drawn = f.desk.draw_inspections(&f.admin, day, next).await.unwrap();
    assert_eq!(drawn.queued.len(), 2);
    let pending = f
        .desk
        .inspections(&inspector, Some(InspectionQueue::Pending), None)
        .await
        .unwrap();
    let of = |case: &Case| {
        pending
            .iter()
            .find(|i| i.case_id == case.id)
            .cloned()
            .unwrap()
    };
    let (im, it) = (of(&mine), of(&theirs));

    // Scored with version 1 and acknowledged: drawn, assigned, scored, acknowledged.
    f.desk
        .assign_inspection(&f.admin, im.id.as_str(), inspector.user_id.as_str())
        .await
        .unwrap();
    f.desk
        .score_inspection(
            &inspector,
            im.id.as_str(),
            ScoreDraft {
                scores: scores([4, 5, 3, 4, 1]),
                comments: vec![],
                summary: "整体良好".into(),
            },
        )
        .await
        .unwrap();
    f.desk
        .acknowledge_inspection(&f.agent, im.id.as_str())
        .await
        .unwrap();
    // The rubric gets a version 2, another rubric its first; the other case is scored with
    // version 2 and appealed.
    let mut edited = kefu_model::quality::default_rubric();
    edited.items[0].weight = 10;
    edited.items[1].weight = 35;
    f.desk
        .save_rubric(&f.admin, "default", edited.clone(), Some(1))
        .await
        .unwrap();
    edited.name = "电话质检表".into();
    f.desk
        .save_rubric(&f.admin, "phone", edited, None)
        .await
        .unwrap();
    f.desk
        .score_inspection(
            &f.admin,
            it.id.as_str(),
            ScoreDraft {
                scores: scores([5, 5, 5, 5, 1]),
                comments: vec![],
                summary: String::new(),
            },
        )
        .await
        .unwrap();
    f.desk
        .appeal_inspection(&other, it.id.as_str(), "客户要求的说法")
        .await
        .unwrap();

    let lines = round_trip(&store, &target).await;
    let count = |table: &str| {
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("{{\"table\":\"{table}\"")))
            .count()
    };
    assert_eq!((count("quality_rubric"), count("inspection")), (3, 2));

    let versions = target.rubric_versions("default").await.unwrap();
    assert_eq!(
        versions.iter().map(|r| r.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(versions, store.rubric_versions("default").await.unwrap());
    assert_eq!(
        target.rubric_versions("phone").await.unwrap(),
        store.rubric_versions("phone").await.unwrap()
    );
    assert_eq!(target.rubrics().await.unwrap().len(), 2);
    assert_eq!(
        target.rubrics().await.unwrap(),
        store.rubrics().await.unwrap()
    );
    assert_eq!(
        target.rubric("default", Some(1)).await.unwrap(),
        store.rubric("default", Some(1)).await.unwrap()
    );

    let everything = InspectionQuery {
        limit: 100,
        ..InspectionQuery::default()
    };
    let listed = target.inspections(&everything).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed, store.inspections(&everything).await.unwrap());
    for status in [InspectionStatus::Acknowledged, InspectionStatus::Appealed] {
        let query = InspectionQuery {
            status: Some(status),
            limit: 100,
            ..InspectionQuery::default()
        };
        let found = target.inspections(&query).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found, store.inspections(&query).await.unwrap());
    }
    for id in [&im.id, &it.id] {
        let inspection = target.inspection(id).await.unwrap();
        assert!(inspection.is_some());
        assert_eq!(inspection, store.inspection(id).await.unwrap());
        let history = target.inspection_history(id).await.unwrap();
        assert!(history.len() >= 2);
        assert_eq!(history, store.inspection_history(id).await.unwrap());
    }
    assert_eq!(
        target
            .inspection_history(&im.id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.action)
            .collect::<Vec<_>>(),
        vec![
            InspectionAction::Drawn,
            InspectionAction::Assigned,
            InspectionAction::Scored,
            InspectionAction::Acknowledged,
        ]
    );
    for dimension in [QualityDimension::Agent, QualityDimension::Department] {
        let figures = target
            .quality_figures(dimension, day, next, None)
            .await
            .unwrap();
        assert_eq!(figures.len(), 2);
        assert_eq!(
            figures,
            store
                .quality_figures(dimension, day, next, None)
                .await
                .unwrap()
        );
    }
    // The imported inspections go on: the appeal is decided in the target, one entry more.
    let target_desk = kefu_desk::Desk::new(target.clone(), f.clock.clone());
    let decided = target_desk
        .decide_appeal(
            &f.admin,
            it.id.as_str(),
            AppealOutcome::Uphold,
            "维持原判",
            None,
        )
        .await
        .unwrap();
    assert_eq!(decided.status, InspectionStatus::Decided);
    assert_eq!(target.inspection_history(&it.id).await.unwrap().len(), 4);
}
