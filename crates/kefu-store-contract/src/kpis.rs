//! The key figures' read model: every case change moves its row and the daily sums in the
//! same write, the figures are the hand-computed ones, each figure's drill-down lists exactly
//! the cases it counts, and a rebuild from the cases gives the same figures.

use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::SignedDuration;
use jiff::civil::Date;
use kefu_desk::Store;
use kefu_model::drafts::{CasePatch, MessageDraft};
use kefu_model::kpi::{Dimension, Granularity, KpiFigure};
use kefu_model::{Actor, Category, Channel, Clock, Status};

use crate::{customer, draft, fixture, start_time};

fn reply(body: &str) -> MessageDraft {
    MessageDraft {
        body: body.into(),
        visibility: kefu_model::Visibility::Public,
        from_customer: false,
        call: false,
    }
}

fn from_customer(body: &str) -> MessageDraft {
    MessageDraft {
        from_customer: true,
        ..reply(body)
    }
}

fn status(to: Status) -> CasePatch {
    CasePatch {
        status: Some(to),
        ..CasePatch::default()
    }
}

/// Every figure's cases, read through the drill-down, for one key.
async fn drilled(
    desk: &kefu_desk::Desk,
    actor: &Actor,
    dimension: Dimension,
    key: &str,
    from: Date,
    to: Date,
    figure: KpiFigure,
) -> BTreeSet<String> {
    desk.kpi_cases(actor, dimension, key, from, to, figure, None, 200)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.number)
        .collect()
}

pub async fn key_figures_follow_every_change_and_list_their_cases(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_builtin_calendars().await.unwrap();
    let desk = &f.desk;
    let zone = desk.time_zone().clone();
    // Tuesday 2026-11-24, 10:00 in Shanghai; the service calendar is open 08:00–22:00 daily.
    let day1: Date = zone.to_datetime(f.clock.now()).date();
    let day3 = day1.tomorrow().unwrap().tomorrow().unwrap();

    // A: a phone complaint, answered after 10 minutes, resolved after an hour.
    let mut a = draft(
        "快递员态度很差，我要投诉",
        customer("王投诉", "13300001111"),
    );
    a.category = Some(Category::Complaint);
    a.priority = Some(kefu_model::Priority::P2);
    let a = desk.create_case(&f.agent, a, None).await.unwrap().case;
    f.clock.advance(SignedDuration::from_mins(10));
    desk.add_message(&f.agent, a.id.as_str(), reply("非常抱歉，我们马上核实"))
        .await
        .unwrap();
    f.clock.advance(SignedDuration::from_mins(50));
    // A complaint is resolved with its resolution code (the `root_causes` setting).
    let resolve = CasePatch {
        root_cause: Some(kefu_model::causes::CauseDraft {
            resolution_code: Some("explained".into()),
            ..Default::default()
        }),
        ..status(Status::Resolved)
    };
    desk.update_case(&f.agent, a.id.as_str(), resolve)
        .await
        .unwrap();

    // B: by e-mail, assigned to the agent, transferred to operations, answered back two hours
    // later, the customer writes twice more; still open.
    let mut b = draft("包裹三天没有更新", customer("李等待", "13300002222"));
    b.channel = Channel::Email;
    let b = desk.create_case(&f.agent, b, None).await.unwrap().case;
    desk.update_case(
        &f.agent,
        b.id.as_str(),
        CasePatch {
            assignee: Some(Some(f.agent.user_id.to_string())),
            department: Some(Some("ops".into())),
            ..CasePatch::default()
        },
    )
    .await
    .unwrap();
    f.clock.advance(SignedDuration::from_hours(2));
    desk.hand_back(&f.admin, b.id.as_str(), "已联系网点加急")
        .await
        .unwrap();
    desk.add_message(&f.agent, b.id.as_str(), from_customer("还是没有动"))
        .await
        .unwrap();
    desk.add_message(&f.agent, b.id.as_str(), from_customer("请尽快"))
        .await
        .unwrap();

    // C: received at 21:30, answered at 08:30 the next morning (60 business minutes, 11 hours
    // of wall time), resolved, then reopened.
    f.clock.set("2026-11-24T13:30:00Z".parse().unwrap());
    let c = desk
        .create_case(
            &f.agent,
            draft("明天能送到吗", customer("赵晚", "13300003333")),
            None,
        )
        .await
        .unwrap()
        .case;
    f.clock.set("2026-11-25T00:30:00Z".parse().unwrap());
    desk.add_message(&f.agent, c.id.as_str(), reply("今天下午送达"))
        .await
        .unwrap();
    desk.update_case(&f.agent, c.id.as_str(), status(Status::Resolved))
        .await
        .unwrap();
    desk.update_case(
        &f.agent,
        c.id.as_str(),
        CasePatch {
            status: Some(Status::Open),
            reason: Some("客户说没收到".into()),
            ..CasePatch::default()
        },
    )
    .await
    .unwrap();

    // D: received on day 2, nothing done yet.
    let d = desk
        .create_case(
            &f.agent,
            draft("改地址", customer("钱改", "13300004444")),
            None,
        )
        .await
        .unwrap()
        .case;

    let report = desk
        .kpi_report(&f.admin, Dimension::All, day1, day3, Granularity::Day)
        .await
        .unwrap();
    let t = report.total.tally;
    assert_eq!(t.cases, 4);
    assert_eq!(t.responded, 2, "A and C were answered (B only internally)");
    assert_eq!(
        report.total.first_response_avg_secs(),
        Some((600 + 3600) / 2),
        "A in 10 minutes, C in 60 business minutes"
    );
    assert_eq!(t.resolved, 1, "A; C was reopened");
    assert_eq!(report.total.resolution_avg_secs(), Some(3600));
    assert_eq!(t.reopened, 1);
    assert_eq!(t.transferred, 1);
    assert_eq!(t.department_answers, 1);
    assert_eq!(report.total.department_answer_avg_secs(), Some(7200));
    assert_eq!(t.complaints, 1);
    assert_eq!(t.open, 3);
    assert_eq!(
        t.contacts,
        4 + 2,
        "one contact per case, and B's two messages"
    );
    assert_eq!(report.total.contacts_per_case(), Some(1.5));
    assert_eq!(
        report
            .series
            .iter()
            .map(|(d, t)| (*d, t.cases))
            .collect::<Vec<_>>(),
        vec![(day1, 3), (day1.tomorrow().unwrap(), 1)]
    );
    assert_eq!(report.ageing_total.total(), 3);

    // Every figure's drill-down lists exactly the cases whose rows count in it.
    let numbers = |cases: &[&kefu_model::Case]| -> BTreeSet<String> {
        cases.iter().map(|c| c.number.clone()).collect()
    };
    for (figure, expected) in [
        (KpiFigure::Cases, numbers(&[&a, &b, &c, &d])),
        (KpiFigure::Responded, numbers(&[&a, &c])),
        (KpiFigure::Resolved, numbers(&[&a])),
        (KpiFigure::Reopened, numbers(&[&c])),
        (KpiFigure::Transferred, numbers(&[&b])),
        (KpiFigure::Complaints, numbers(&[&a])),
        (KpiFigure::Open, numbers(&[&b, &c, &d])),
    ] {
        assert_eq!(
            drilled(desk, &f.admin, Dimension::All, "", day1, day3, figure).await,
            expected,
            "{figure}"
        );
    }
    for figure in KpiFigure::ALL {
        let listed = drilled(desk, &f.admin, Dimension::All, "", day1, day3, *figure).await;
        let counted = match figure {
            KpiFigure::Cases => t.cases,
            KpiFigure::Responded => t.responded,
            KpiFigure::Resolved => t.resolved,
            KpiFigure::SlaMet => t.sla_met,
            KpiFigure::SlaMissed => t.sla_settled - t.sla_met,
            KpiFigure::Reopened => t.reopened,
            KpiFigure::Transferred => t.transferred,
            KpiFigure::DepartmentOverdue => t.department_overdue,
            KpiFigure::Complaints => t.complaints,
            KpiFigure::Escalated => t.escalated,
            KpiFigure::Open => t.open,
            KpiFigure::Rated => t.rated,
            KpiFigure::Satisfied => t.satisfied,
            KpiFigure::Poor => t.poor,
        };
        assert_eq!(
            listed.len() as i64,
            counted,
            "{figure}: the figure and its cases"
        );
    }

    // By channel and by agent: the keys split the same cases.
    let by_channel = desk
        .kpi_report(&f.admin, Dimension::Channel, day1, day3, Granularity::Day)
        .await
        .unwrap();
    let channels: Vec<(String, i64)> = by_channel
        .rows
        .iter()
        .map(|r| (r.key.clone(), r.figures.tally.cases))
        .collect();
    assert_eq!(
        channels,
        vec![("phone".to_string(), 3), ("email".to_string(), 1)]
    );
    let by_department = desk
        .kpi_report(
            &f.admin,
            Dimension::Department,
            day1,
            day3,
            Granularity::Day,
        )
        .await
        .unwrap();
    let ops = by_department
        .rows
        .iter()
        .find(|r| r.name == "运营部")
        .expect("operations answered B");
    assert_eq!(ops.figures.tally.transferred, 1);

    // A reassignment moves the case's figures from one agent's key to the other's.
    let agent_key = f.agent.user_id.to_string();
    let agent_cases = |r: &kefu_desk::figures::KpiReport| {
        r.rows
            .iter()
            .find(|row| row.key == agent_key)
            .map_or(0, |row| row.figures.tally.cases)
    };
    let before = desk
        .kpi_report(&f.admin, Dimension::Agent, day1, day3, Granularity::Day)
        .await
        .unwrap();
    desk.update_case(
        &f.admin,
        d.id.as_str(),
        CasePatch {
            assignee: Some(Some(agent_key.clone())),
            ..CasePatch::default()
        },
    )
    .await
    .unwrap();
    let after = desk
        .kpi_report(&f.admin, Dimension::Agent, day1, day3, Granularity::Day)
        .await
        .unwrap();
    assert_eq!(agent_cases(&after), agent_cases(&before) + 1);
    assert_eq!(after.total.tally.cases, 4, "moved, not counted twice");

    // The agent reads their own figures only.
    let own = desk
        .kpi_report(&f.agent, Dimension::All, day1, day3, Granularity::Day)
        .await
        .unwrap();
    assert_eq!(own.dimension, Dimension::Agent);
    assert!(own.rows.iter().all(|r| r.key == agent_key));
    assert!(matches!(
        desk.kpi_report(&f.agent, Dimension::Channel, day1, day3, Granularity::Day)
            .await,
        Err(kefu_model::DomainError::Forbidden(_))
    ));

    // A rebuild from the cases gives the same figures.
    let counted = desk.recompute_figures(&f.admin).await.unwrap();
    assert_eq!(counted, 4);
    let rebuilt = desk
        .kpi_report(&f.admin, Dimension::Agent, day1, day3, Granularity::Day)
        .await
        .unwrap();
    assert_eq!(rebuilt, after);
    assert!(matches!(
        desk.recompute_figures(&f.agent).await,
        Err(kefu_model::DomainError::Forbidden(_))
    ));

    // A migration that adds a figure marks the figures stale: the first node to start computes
    // them once and clears the mark; with no mark there is nothing to do.
    assert_eq!(desk.rebuild_stale_figures().await.unwrap(), None);
    store
        .put_setting(
            "figures_stale",
            &serde_json::json!({"reason": "a figure was added"}),
            desk.now(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(desk.rebuild_stale_figures().await.unwrap(), Some(4));
    assert_eq!(
        store.setting("figures_stale").await.unwrap(),
        Some(serde_json::Value::Null)
    );
    assert_eq!(desk.rebuild_stale_figures().await.unwrap(), None);
    let again = desk
        .kpi_report(&f.admin, Dimension::Agent, day1, day3, Granularity::Day)
        .await
        .unwrap();
    assert_eq!(again, after);

    // Ten days on, every open case is over a week old: those received before the local day of
    // a week ago are counted from the daily sums, the rest from their rows, and the two ways
    // give the same ages, by key and in all.
    let open = again.ageing_total.total();
    assert!(open > 0);
    for days in [8, 10] {
        f.clock
            .set(start_time() + SignedDuration::from_hours(24 * days));
        let later = desk
            .kpi_report(&f.admin, Dimension::Agent, day1, day3, Granularity::Day)
            .await
            .unwrap();
        assert_eq!(
            later.ageing_total,
            kefu_model::kpi::Ageing {
                over_7d: open,
                ..Default::default()
            },
            "{days} days on"
        );
        assert_eq!(
            later.ageing.iter().map(|(_, _, a)| a.over_7d).sum::<i64>(),
            open
        );
    }
}
