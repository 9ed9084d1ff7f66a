//! Contract checks for the staffing planner: arrivals are counted per channel and UTC half-hour
//! by the database over a half-open range (cases by their received time, calls by their offer),
//! promotion days are kept one per date, and the schedule is replaced per day and channel.

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::date;
use kefu_desk::Store;
use kefu_model::staffing::{ArrivalCount, PromotionDay, ScheduleDay};
use kefu_model::{Channel, DomainError, StoreError};

use crate::{customer, draft, fixture};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn count(channel: Channel, start: &str, count: u32) -> ArrivalCount {
    ArrivalCount {
        channel,
        start: at(start),
        count,
    }
}

pub async fn staffing_counts_arrivals_and_keeps_promotions_and_plans(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    // The fixture's clock is 2026-11-24 10:00 in Beijing (02:00Z).
    let cases = [
        (Channel::Email, "2026-11-23T01:10:00Z"),
        (Channel::Email, "2026-11-23T01:29:59.999Z"),
        (Channel::Email, "2026-11-23T01:30:00Z"),
        (Channel::Chat, "2026-11-23T01:10:00Z"),
        // Before the range and exactly at its end: not counted.
        (Channel::Email, "2026-11-22T23:59:59.999Z"),
        (Channel::Chat, "2026-11-24T00:00:00Z"),
    ];
    for (i, (channel, received)) in cases.iter().enumerate() {
        let mut d = draft(
            &format!("咨询 {i}"),
            customer("周到", &format!("1390000{i:04}")),
        );
        d.channel = *channel;
        d.received_at = Some(at(received));
        f.desk.create_case(&f.agent, d, None).await.unwrap();
    }
    let counted = store
        .case_arrivals(at("2026-11-23T00:00:00Z"), at("2026-11-24T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        counted,
        vec![
            count(Channel::Chat, "2026-11-23T01:00:00Z", 1),
            count(Channel::Email, "2026-11-23T01:00:00Z", 2),
            count(Channel::Email, "2026-11-23T01:30:00Z", 1),
        ]
    );

    // A call offered now counts as a phone arrival in its half-hour.
    let account = crate::calls::pbx_account(&f).await;
    let offered = crate::calls::event("offered", "staff-call-1", crate::start_time(), "");
    crate::calls::post(&f, &account, &offered).await.unwrap();
    let calls = store
        .call_arrivals(at("2026-11-24T00:00:00Z"), at("2026-11-25T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        calls,
        vec![count(Channel::Phone, "2026-11-24T02:00:00Z", 1)]
    );
    assert!(
        store
            .call_arrivals(at("2026-11-23T00:00:00Z"), at("2026-11-24T00:00:00Z"))
            .await
            .unwrap()
            .is_empty()
    );

    // The desk's history in local half-hours: 01:10Z is 09:10 in Beijing, slot 18; the mail
    // of 2026-11-22T23:59:59.999Z is 07:59 on the 23rd there, slot 15.
    let history = f
        .desk
        .arrival_history(&f.admin, date(2026, 11, 23), date(2026, 11, 24))
        .await
        .unwrap();
    let email = history
        .iter()
        .find(|d| d.channel == Channel::Email && d.day == date(2026, 11, 23))
        .unwrap();
    assert_eq!(
        (
            email.slots[15],
            email.slots[18],
            email.slots[19],
            email.total()
        ),
        (1, 2, 1, 4)
    );
    assert!(matches!(
        f.desk
            .arrival_history(&f.agent, date(2026, 11, 23), date(2026, 11, 24))
            .await,
        Err(DomainError::Forbidden(_))
    ));

    // Promotion days: one per date.
    let double11 = PromotionDay {
        date: date(2026, 11, 11),
        name: "双十一".into(),
        multiplier: Some(3.0),
        like_date: None,
    };
    let now = crate::start_time();
    store
        .put_promotion_day(&double11, now, false)
        .await
        .unwrap();
    assert!(matches!(
        store.put_promotion_day(&double11, now, false).await,
        Err(StoreError::Duplicate(_))
    ));
    let like = PromotionDay {
        multiplier: None,
        like_date: Some(date(2025, 11, 11)),
        ..double11.clone()
    };
    store.put_promotion_day(&like, now, true).await.unwrap();
    let missing = PromotionDay {
        date: date(2026, 6, 18),
        ..double11.clone()
    };
    assert!(matches!(
        store.put_promotion_day(&missing, now, true).await,
        Err(StoreError::NotFound(_))
    ));
    store.put_promotion_day(&missing, now, false).await.unwrap();
    assert_eq!(
        store.promotion_days().await.unwrap(),
        vec![missing.clone(), like.clone()]
    );
    assert!(store.delete_promotion_day(date(2026, 6, 18)).await.unwrap());
    assert!(!store.delete_promotion_day(date(2026, 6, 18)).await.unwrap());
    assert_eq!(store.promotion_days().await.unwrap(), vec![like]);

    // The schedule: per day and channel, replaced when saved again; `[from, to)`.
    let row = |day, channel, n: u32| ScheduleDay {
        day,
        channel,
        slots: vec![n; 48],
        updated_by: "user:admin".into(),
        updated_at: now,
    };
    store
        .put_schedule(&[
            row(date(2026, 11, 30), Channel::Phone, 3),
            row(date(2026, 11, 30), Channel::Chat, 2),
            row(date(2026, 12, 1), Channel::Phone, 4),
        ])
        .await
        .unwrap();
    store
        .put_schedule(&[row(date(2026, 11, 30), Channel::Phone, 5)])
        .await
        .unwrap();
    let planned = store
        .schedule(date(2026, 11, 30), date(2026, 12, 1))
        .await
        .unwrap();
    assert_eq!(
        planned,
        vec![
            row(date(2026, 11, 30), Channel::Chat, 2),
            row(date(2026, 11, 30), Channel::Phone, 5),
        ]
    );
}

/// The promotion days and the planned agents travel in a dump and read back as they were.
pub async fn promotions_and_plans_survive_export_import(
    store: Arc<dyn Store>,
    target: Arc<dyn Store>,
) {
    let f = fixture(store.clone()).await;
    let double11 = PromotionDay {
        date: date(2026, 11, 11),
        name: "双十一".into(),
        multiplier: Some(3.0),
        like_date: None,
    };
    f.desk
        .add_promotion_day(&f.admin, double11.clone())
        .await
        .unwrap();
    let like = PromotionDay {
        multiplier: None,
        like_date: Some(date(2025, 11, 11)),
        ..double11
    };
    f.desk
        .change_promotion_day(&f.admin, like.clone())
        .await
        .unwrap();
    let d618 = PromotionDay {
        date: date(2026, 6, 18),
        name: "618".into(),
        multiplier: Some(1.5),
        like_date: None,
    };
    f.desk
        .add_promotion_day(&f.admin, d618.clone())
        .await
        .unwrap();
    let mut slots = vec![0_i64; 48];
    slots[18] = 4;
    slots[19] = 6;
    for (day, channel) in [
        (date(2026, 11, 30), Channel::Phone),
        (date(2026, 11, 30), Channel::Chat),
        (date(2026, 12, 1), Channel::Email),
    ] {
        f.desk
            .put_staffing_schedule(&f.admin, day, channel, &slots)
            .await
            .unwrap();
    }

    let lines = crate::dump(store.as_ref()).await;
    crate::load(target.as_ref(), &lines).await;

    let days = target.promotion_days().await.unwrap();
    assert_eq!(days, vec![d618, like]);
    assert_eq!(days, store.promotion_days().await.unwrap());
    let (from, to) = (date(2026, 11, 1), date(2026, 12, 31));
    let planned = target.schedule(from, to).await.unwrap();
    assert_eq!(planned.len(), 3);
    assert_eq!(planned, store.schedule(from, to).await.unwrap());
    assert_eq!(planned[0].slots[19], 6);
    // A second export of the target is the first, line for line.
    let again = crate::dump(target.as_ref()).await;
    let ours = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| {
                l.starts_with("{\"table\":\"promotion_day\"")
                    || l.starts_with("{\"table\":\"staffing_plan\"")
            })
            .cloned()
            .collect()
    };
    assert_eq!(ours(&lines).len(), 5);
    assert_eq!(ours(&again), ours(&lines));
}
