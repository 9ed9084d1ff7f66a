//! kefu's telephone channel, the pure part. Nothing here opens a socket or reads the clock:
//! webhook bytes and headers go in with the time the caller read from its clock, typed
//! events, call states, figures and call-back tasks come out.
//!
//! - [`WebhookVerifier`]: kefu's signed-webhook contract (`X-Kefu-Timestamp`,
//!   `X-Kefu-Signature` = hex HMAC-SHA256 over `timestamp "." body`), checked in constant
//!   time within a tolerance window.
//! - [`parse_event`]: one call event (`offered`, `queued`, `answered`, `ended`, `abandoned`)
//!   strictly validated, the caller number normalised ([`PhoneNumber`]).
//! - [`CallState`]: one call's state machine, refusing impossible orders, idempotent for
//!   retried events; [`CallState::finished`] gives the [`FinishedCall`].
//! - [`queue_figures`]: offered, answered, abandoned, average speed of answer, service level
//!   and abandonment rate per queue over a [`Period`].
//! - [`callback_for`]: the call-back task for an abandoned call.

mod callback;
mod event;
mod figures;
mod phone;
mod state;
mod webhook;

pub use callback::{CallbackRequest, callback_for};
pub use event::{CallEvent, CallEventKind, EventError, parse_event};
pub use figures::{FigureSettings, Period, QueueFigures, queue_figures};
pub use phone::{NumberKind, PhoneError, PhoneNumber};
pub use state::{CallError, CallOutcome, CallPhase, CallState, FinishedCall};
pub use webhook::{
    DEFAULT_TOLERANCE, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookError, WebhookVerifier,
};
