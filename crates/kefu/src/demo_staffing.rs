//! Demo staffing: the next 双十一 marked as a promotion day (three times the usual contacts)
//! and a plan for the demo week — phone, chat and e-mail agents per half-hour, thicker in the
//! morning and afternoon peaks, thinner at the weekend — so the planner's page
//! (`/console/staffing`) shows needed against planned with its gaps; and the supervisor's
//! weekly key-figures report, scheduled for Monday mornings (`/console/reports`).

use jiff::civil::{Date, Weekday, date};
use jiff::{Span, Timestamp};
use kefu_desk::Desk;
use kefu_model::staffing::{PromotionDay, SLOTS};
use kefu_model::{Actor, Channel, DomainError, StoreError};

/// Planned agents of a half-hour for one channel on a weekday (`weekend` one fewer, at least
/// one while open); closed before 08:00 and from 22:00.
fn planned(channel: Channel, slot: usize, weekend: bool) -> i64 {
    if !(16..44).contains(&slot) {
        return 0;
    }
    let peak = (18..24).contains(&slot) || (27..35).contains(&slot);
    let n = match (channel, peak) {
        (Channel::Phone, true) => 6,
        (Channel::Phone, false) => 3,
        (Channel::Chat, true) => 4,
        (Channel::Chat, false) => 2,
        (Channel::Email, _) if (18..36).contains(&slot) => 2,
        _ => 0,
    };
    if weekend && n > 1 { n - 1 } else { n }
}

/// Marks the next 11.11, plans the week of `now` (Monday to Sunday) and schedules the weekly
/// report; the plan's rows written.
pub async fn seed(desk: &Desk, now: Timestamp) -> Result<usize, DomainError> {
    let admin = desk
        .store()
        .user_by_username("admin")
        .await?
        .map(|u| Actor::of(&u))
        .ok_or_else(|| DomainError::Store(StoreError::Backend("demo: no admin".into())))?;
    let today = desk.time_zone().to_datetime(now).date();
    let this_year = date(today.year(), 11, 11);
    let double11 = if today <= this_year {
        this_year
    } else {
        date(today.year() + 1, 11, 11)
    };
    desk.add_promotion_day(
        &admin,
        PromotionDay {
            date: double11,
            name: "双十一".into(),
            multiplier: Some(3.0),
            like_date: None,
        },
    )
    .await?;
    let monday = today
        .checked_sub(Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
        .unwrap_or(today);
    let mut rows = 0;
    for n in 0..7 {
        let day: Date = monday.checked_add(Span::new().days(n)).unwrap_or(monday);
        let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
        for channel in [Channel::Phone, Channel::Chat, Channel::Email] {
            let slots: Vec<i64> = (0..SLOTS).map(|s| planned(channel, s, weekend)).collect();
            desk.put_staffing_schedule(&admin, day, channel, &slots)
                .await?;
            rows += 1;
        }
    }
    desk.create_report_schedule(
        &admin,
        &kefu_model::report_schedule::ReportScheduleDraft {
            name: "每周绩效周报".into(),
            recipients: vec!["ops-lead@yunlu.example".into()],
            by: "channel".into(),
            frequency: "weekly".into(),
            hour: 8,
            format: "xlsx".into(),
            active: true,
        },
    )
    .await?;
    Ok(rows)
}
