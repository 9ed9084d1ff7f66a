use jiff::{SignedDuration, Timestamp};
use kefu_wechat::{CUSTOMER_SERVICE_WINDOW, may_send_customer_service_message};

#[test]
fn the_window_is_48_hours_half_open() {
    let last: Timestamp = "2026-03-01T08:00:00Z".parse().unwrap();
    assert_eq!(CUSTOMER_SERVICE_WINDOW, SignedDuration::from_hours(48));
    assert!(may_send_customer_service_message(last, last));
    assert!(may_send_customer_service_message(
        last,
        last + SignedDuration::from_hours(47)
    ));
    let just_inside = last + SignedDuration::from_hours(48) - SignedDuration::from_nanos(1);
    assert!(may_send_customer_service_message(last, just_inside));
    assert!(!may_send_customer_service_message(
        last,
        last + SignedDuration::from_hours(48)
    ));
    assert!(!may_send_customer_service_message(
        last,
        last + SignedDuration::from_hours(72)
    ));
}

#[test]
fn a_last_message_from_the_future_counts_as_now() {
    let now: Timestamp = "2026-03-01T08:00:00Z".parse().unwrap();
    assert!(may_send_customer_service_message(
        now + SignedDuration::from_mins(3),
        now
    ));
}
