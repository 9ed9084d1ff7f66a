//! Abandoned calls become call-back tasks: somebody rang and nobody answered.

use jiff::Timestamp;

use crate::state::{CallOutcome, FinishedCall};

/// What the desk needs to open a call-back task (it dates the task with its own clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRequest {
    pub call_id: String,
    pub caller: crate::PhoneNumber,
    pub queue: String,
    pub abandoned_at: Timestamp,
    pub waited_seconds: u32,
}

/// The call-back for an abandoned call; `None` for an answered one.
pub fn callback_for(call: &FinishedCall) -> Option<CallbackRequest> {
    match call.outcome {
        CallOutcome::Abandoned {
            wait_seconds,
            abandoned_at,
        } => Some(CallbackRequest {
            call_id: call.call_id.clone(),
            caller: call.caller.clone(),
            queue: call.queue.clone(),
            abandoned_at,
            waited_seconds: wait_seconds,
        }),
        CallOutcome::Answered { .. } => None,
    }
}
