//! The customer-service window.
//!
//! Outside a passive reply, an official account may only write to a user through the
//! customer-service message API, and only within 48 hours of that user's last message to the
//! account (after that WeChat refuses with error 45015). The desk keeps the time of the
//! customer's last message and asks here before it queues a send.

use jiff::{SignedDuration, Timestamp};

/// How long after a user's last message the customer-service API may still write to them.
pub const CUSTOMER_SERVICE_WINDOW: SignedDuration = SignedDuration::from_hours(48);

/// Whether a customer-service message may be sent at `now` to a user whose last message arrived at
/// `last_customer_message_at`. The window is half-open: at exactly 48 hours it is closed, so that
/// a send that takes a moment on the wire does not land just outside it. A last message stamped
/// in the future (clock skew between servers) counts as just now.
pub fn may_send_customer_service_message(
    last_customer_message_at: Timestamp,
    now: Timestamp,
) -> bool {
    let elapsed = now.duration_since(last_customer_message_at);
    elapsed < CUSTOMER_SERVICE_WINDOW
}
