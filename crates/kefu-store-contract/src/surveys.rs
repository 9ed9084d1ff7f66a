//! Satisfaction surveys: opened once at the first resolution, answered once, counted by the day
//! they opened in the store's read model (the figures' sums and every drill-down hold to the
//! one rule, `SurveyFigure::counts`), and a poor answer's follow-up with its timer.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_desk::Store;
use kefu_model::drafts::{CasePatch, UserDraft};
use kefu_model::survey::{
    AnswerDraft, FollowUpOutcome, FollowUpState, SurveyDimension, SurveyDrill, SurveyFigure,
    SurveyQuery, SurveyRow, SurveyTally,
};
use kefu_model::{Actor, Case, Channel, DomainError, Role, Status};

use crate::{Fixture, customer, draft, fixture};

async fn resolved_case(
    f: &Fixture,
    channel: Channel,
    phone: &str,
    grade: Option<i64>,
    agent: &Actor,
) -> Case {
    let mut d = draft("包裹还没到", customer("周客户", phone));
    d.channel = channel;
    if let Some(c) = d.customer.as_mut() {
        c.grade = grade;
    }
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
        .update_case(&f.admin, case.id.as_str(), patch(Status::Resolved, None))
        .await
        .unwrap()
}

fn answer(score: u8, reasons: &[&str], comment: &str) -> AnswerDraft {
    AnswerDraft {
        score,
        reasons: reasons.iter().map(|r| r.to_string()).collect(),
        comment: comment.into(),
    }
}

pub async fn surveys_are_counted_by_day_and_poor_answers_followed_up(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    // The follow-up's deadline counts on the shipped service calendar.
    f.desk.install_builtin_calendars().await.unwrap();
    let other = f
        .desk
        .create_user(
            Some(&f.admin),
            UserDraft {
                username: "agent02".into(),
                password: "agent-password".into(),
                role: Role::Agent,
                display_name: Some("王客服".into()),
                department: Some("ops".into()),
            },
        )
        .await
        .unwrap();
    let other = Actor::of(&other);
    let tz = f.desk.time_zone().clone();
    let day1 = tz.to_datetime(f.desk.now()).date();

    // Day 1 (Tuesday 2026-11-24, 10:00 Beijing): four cases resolved, three answered.
    let c1 = resolved_case(&f, Channel::Phone, "13911110001", Some(1), &f.agent).await;
    let survey = c1.survey.clone().expect("a resolution opens the survey");
    assert_eq!(survey.day, day1);
    assert_eq!(survey.agent.as_ref(), Some(&f.agent.user_id));
    assert_eq!(survey.grade, 1);
    assert_eq!(
        survey.team,
        f.desk
            .store()
            .user_by_id(&f.agent.user_id)
            .await
            .unwrap()
            .unwrap()
            .department_id
    );
    let c2 = resolved_case(&f, Channel::Web, "13911110002", None, &f.agent).await;
    let c3 = resolved_case(&f, Channel::Phone, "13911110003", None, &other).await;
    let c4 = resolved_case(&f, Channel::Email, "13911110004", None, &other).await;
    let rated = f
        .desk
        .portal_answer(&c1.number, "13911110001", answer(5, &["响应快"], "很好"))
        .await
        .unwrap();
    let a = rated.survey.as_ref().unwrap().answer.clone().unwrap();
    assert_eq!((a.score, a.satisfied, a.poor), (5, true, false));
    assert_eq!(a.reasons, vec!["响应快".to_string()]);
    // A reason offered only with poor scores, a score out of range: refused, nothing written.
    for bad in [
        answer(5, &["响应慢"], ""),
        answer(0, &[], ""),
        answer(6, &[], ""),
    ] {
        assert!(matches!(
            f.desk.portal_answer(&c2.number, "13911110002", bad).await,
            Err(DomainError::Invalid { .. })
        ));
    }
    let poor = f
        .desk
        .portal_answer(&c2.number, "13911110002", answer(2, &["响应慢"], "等太久"))
        .await
        .unwrap();
    let follow_up = poor
        .survey
        .as_ref()
        .unwrap()
        .follow_up
        .clone()
        .expect("a poor answer opens a follow-up");
    // 24 working hours on cn-service (08:00–22:00 every day) from Tuesday 10:00: 12 hours on
    // Tuesday, 12 on Wednesday from 08:00 → Wednesday 20:00 Beijing.
    assert_eq!(follow_up.due_at.to_string(), "2026-11-25T12:00:00Z");
    assert_eq!(follow_up.state, FollowUpState::Open);
    f.desk
        .portal_answer(&c3.number, "13911110003", answer(3, &[], ""))
        .await
        .unwrap();
    // Once only.
    assert!(matches!(
        f.desk
            .portal_answer(&c1.number, "13911110001", answer(1, &[], ""))
            .await,
        Err(DomainError::Conflict {
            code: "already_rated",
            ..
        })
    ));

    // Day 2: a chat case rated 1 on the chat's card.
    f.clock.advance(SignedDuration::from_hours(24));
    let day2 = tz.to_datetime(f.desk.now()).date();
    let c5 = resolved_case(&f, Channel::Chat, "13911110005", None, &f.agent).await;
    f.desk
        .chat_rate(&c5.id, answer(1, &["没解决问题"], ""))
        .await
        .unwrap();
    let day3 = day2.tomorrow().unwrap();

    // By agent, hand-counted: agent01 surveyed c1 c2 c5, all answered, c1 satisfied, c2 and c5
    // poor; agent02 surveyed c3 c4, c3 answered (a 3: neither).
    let q = |dimension, agent: Option<&Actor>| SurveyQuery {
        from: day1,
        to: day3,
        dimension,
        agent: agent.map(|a| a.user_id.clone()),
    };
    let by_agent = store
        .survey_figures(&q(SurveyDimension::Agent, None))
        .await
        .unwrap();
    let tally = |key: &str, s, a, sat, p| SurveyTally {
        key: key.to_string(),
        surveyed: s,
        answered: a,
        satisfied: sat,
        poor: p,
    };
    let mut expected = vec![
        tally(f.agent.user_id.as_str(), 3, 3, 1, 2),
        tally(other.user_id.as_str(), 2, 1, 0, 0),
    ];
    expected.sort_by(|x, y| x.key.cmp(&y.key));
    assert_eq!(by_agent, expected);
    let by_day = store
        .survey_figures(&q(SurveyDimension::Day, None))
        .await
        .unwrap();
    assert_eq!(
        by_day,
        vec![
            tally(&day1.to_string(), 4, 3, 1, 1),
            tally(&day2.to_string(), 1, 1, 0, 1)
        ]
    );
    let by_grade = store
        .survey_figures(&q(SurveyDimension::Grade, None))
        .await
        .unwrap();
    assert_eq!(
        by_grade,
        vec![tally("1", 1, 1, 1, 0), tally("3", 4, 3, 0, 2)]
    );
    // One agent's own figures only.
    let own = store
        .survey_figures(&q(SurveyDimension::Channel, Some(&other)))
        .await
        .unwrap();
    assert_eq!(
        own,
        vec![tally("email", 1, 0, 0, 0), tally("phone", 1, 1, 0, 0)]
    );
    // Only day 1.
    let first_day = store
        .survey_figures(&SurveyQuery {
            to: day2,
            ..q(SurveyDimension::Channel, None)
        })
        .await
        .unwrap();
    assert_eq!(
        first_day,
        vec![
            tally("email", 1, 0, 0, 0),
            tally("phone", 2, 2, 1, 0),
            tally("web", 1, 1, 0, 1)
        ]
    );

    // Every figure's drill-down lists exactly the cases it counts: the SQL filter and the
    // domain's rule agree, row by row.
    let mut rows: Vec<SurveyRow> = Vec::new();
    for c in [&c1, &c2, &c3, &c4, &c5] {
        let case = store.case_by_id(&c.id).await.unwrap().unwrap();
        rows.push(case.survey_row().unwrap());
    }
    for dimension in SurveyDimension::ALL {
        let tallies = store.survey_figures(&q(*dimension, None)).await.unwrap();
        for t in &tallies {
            for figure in SurveyFigure::ALL {
                let listed = store
                    .survey_rows(&SurveyDrill {
                        from: day1,
                        to: day3,
                        agent: None,
                        dimension: Some((*dimension, t.key.clone())),
                        figure: *figure,
                        limit: 1000,
                    })
                    .await
                    .unwrap();
                let mut listed: Vec<String> =
                    listed.iter().map(|r| r.case_number.clone()).collect();
                let mut counted: Vec<String> = rows
                    .iter()
                    .filter(|r| r.key(*dimension) == t.key && figure.counts(r))
                    .map(|r| r.case_number.clone())
                    .collect();
                listed.sort();
                counted.sort();
                assert_eq!(listed, counted, "{dimension} {} {figure}", t.key);
                assert_eq!(
                    listed.len() as i64,
                    t.count(*figure),
                    "{dimension} {figure}"
                );
            }
        }
    }

    // The follow-ups: c2 (due Wednesday 20:00) then c5 (due a day later).
    let queue = store.survey_follow_ups(false, 100).await.unwrap();
    let numbers: Vec<&str> = queue.iter().map(|r| r.case_number.as_str()).collect();
    assert_eq!(numbers, [c2.number.as_str(), c5.number.as_str()]);
    // Past c2's deadline (Wednesday 20:00; it is Wednesday 10:00): the timer marks it overdue.
    f.clock.advance(SignedDuration::from_hours(10));
    f.desk.fire_due_timers(100).await.unwrap();
    let after = store.case_by_id(&c2.id).await.unwrap().unwrap();
    assert_eq!(
        after.survey.unwrap().follow_up.unwrap().state,
        FollowUpState::Overdue
    );
    let events = store.case_events(&c2.id).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.data.type_name() == "follow_up_overdue"),
        "{events:?}"
    );
    assert_eq!(
        Case::replay(&events).as_ref(),
        Some(&store.case_by_id(&c2.id).await.unwrap().unwrap())
    );
    let queue = store.survey_follow_ups(false, 100).await.unwrap();
    assert_eq!(queue[0].follow_up, Some(FollowUpState::Overdue));
    // Recording the outcome closes it; a second time is a conflict; agents may not.
    assert!(matches!(
        f.desk
            .close_follow_up(&f.agent, c2.id.as_str(), FollowUpOutcome::CalledBack, "")
            .await,
        Err(DomainError::Forbidden(_))
    ));
    let closed = f
        .desk
        .close_follow_up(
            &f.admin,
            c2.id.as_str(),
            FollowUpOutcome::CalledBack,
            "已致歉",
        )
        .await
        .unwrap();
    let fu = closed.survey.unwrap().follow_up.unwrap();
    assert_eq!(
        (fu.state, fu.outcome, fu.note.as_str()),
        (
            FollowUpState::Closed,
            Some(FollowUpOutcome::CalledBack),
            "已致歉"
        )
    );
    assert!(matches!(
        f.desk
            .close_follow_up(&f.admin, c2.id.as_str(), FollowUpOutcome::Resolved, "")
            .await,
        Err(DomainError::Conflict {
            code: "no_open_follow_up",
            ..
        })
    ));
    let open: Vec<String> = store
        .survey_follow_ups(false, 100)
        .await
        .unwrap()
        .iter()
        .map(|r| r.case_number.clone())
        .collect();
    assert_eq!(open, std::slice::from_ref(&c5.number));
    assert_eq!(store.survey_follow_ups(true, 100).await.unwrap().len(), 2);

    // An unresolved case cannot be rated; a reopened one keeps its survey and answer.
    let mut d = draft("还在处理", customer("孙客户", "13911110006"));
    d.channel = Channel::Phone;
    let open_case = f.desk.create_case(&f.agent, d, None).await.unwrap().case;
    assert!(matches!(
        f.desk
            .portal_answer(&open_case.number, "13911110006", answer(4, &[], ""))
            .await,
        Err(DomainError::Conflict {
            code: "not_resolved",
            ..
        })
    ));
    assert!(open_case.survey.is_none());
}
