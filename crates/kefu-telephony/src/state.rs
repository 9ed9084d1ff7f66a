//! One call's life: offered → (queued) → answered → ended, or offered → (queued) → abandoned.

use jiff::Timestamp;

use crate::event::{CallEvent, CallEventKind};
use crate::phone::PhoneNumber;

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallPhase {
    /// No event yet.
    Idle,
    Offered,
    Queued,
    Answered,
    Ended,
    Abandoned,
}

/// Why an event cannot follow the events already applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("event for call {got:?} applied to call {expected:?}")]
    WrongCall { expected: String, got: String },
    #[error("a {event} event cannot follow {phase:?}")]
    ImpossibleOrder {
        event: &'static str,
        phase: CallPhase,
    },
    #[error("the call is already answered by {agent:?}")]
    AlreadyAnswered { agent: String },
    #[error("the call was answered by {answered:?} but ended by {ended:?}")]
    AgentMismatch { answered: String, ended: String },
    #[error("a {event} event carries another {field} than the earlier events of the call")]
    Inconsistent {
        event: &'static str,
        field: &'static str,
    },
    #[error("a {event} event is dated before the previous event of the call")]
    TimeWentBack { event: &'static str },
}

/// The events of one call applied so far, in order.
///
/// [`CallState::apply`] is idempotent: an event identical to one already applied (a webhook
/// retry, even a late one) leaves the state unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallState {
    events: Vec<CallEvent>,
}

/// A call that reached its end, as the figures and the call-back tasks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedCall {
    pub call_id: String,
    pub caller: PhoneNumber,
    pub queue: String,
    pub offered_at: Timestamp,
    pub outcome: CallOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutcome {
    Answered {
        agent: String,
        wait_seconds: u32,
        ended_at: Timestamp,
        recording_url: Option<String>,
    },
    Abandoned {
        wait_seconds: u32,
        abandoned_at: Timestamp,
    },
}

impl CallState {
    /// A call no event is known of yet.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn phase(&self) -> CallPhase {
        match self.events.last().map(|event| &event.kind) {
            None => CallPhase::Idle,
            Some(CallEventKind::Offered) => CallPhase::Offered,
            Some(CallEventKind::Queued) => CallPhase::Queued,
            Some(CallEventKind::Answered { .. }) => CallPhase::Answered,
            Some(CallEventKind::Ended { .. }) => CallPhase::Ended,
            Some(CallEventKind::Abandoned { .. }) => CallPhase::Abandoned,
        }
    }

    pub fn events(&self) -> &[CallEvent] {
        &self.events
    }

    /// The state after `event`, or why `event` cannot happen now. A call starts with
    /// `offered`; `queued` may follow once; `answered` or `abandoned` follow `offered` or
    /// `queued`; `ended` follows `answered` with the same agent and wait. Caller and queue
    /// stay those of `offered` (a transfer to another queue is a new call on the PBX side),
    /// and time never goes back.
    pub fn apply(&self, event: &CallEvent) -> Result<CallState, CallError> {
        if self.events.contains(event) {
            return Ok(self.clone());
        }
        let name = event.kind.name();
        let phase = self.phase();
        if let Some(first) = self.events.first() {
            if first.call_id != event.call_id {
                return Err(CallError::WrongCall {
                    expected: first.call_id.clone(),
                    got: event.call_id.clone(),
                });
            }
            if first.caller != event.caller {
                return Err(CallError::Inconsistent {
                    event: name,
                    field: "caller",
                });
            }
            if first.queue != event.queue {
                return Err(CallError::Inconsistent {
                    event: name,
                    field: "queue",
                });
            }
        }
        if let Some(last) = self.events.last()
            && event.at < last.at
        {
            return Err(CallError::TimeWentBack { event: name });
        }
        let impossible = Err(CallError::ImpossibleOrder { event: name, phase });
        match (&event.kind, phase) {
            (CallEventKind::Offered, CallPhase::Idle)
            | (CallEventKind::Queued, CallPhase::Offered)
            | (CallEventKind::Answered { .. }, CallPhase::Offered | CallPhase::Queued)
            | (CallEventKind::Abandoned { .. }, CallPhase::Offered | CallPhase::Queued) => {}
            (CallEventKind::Answered { .. }, CallPhase::Answered | CallPhase::Ended) => {
                return Err(CallError::AlreadyAnswered {
                    agent: self.answering_agent().unwrap_or_default().to_owned(),
                });
            }
            (
                CallEventKind::Ended {
                    agent,
                    wait_seconds,
                    ..
                },
                CallPhase::Answered,
            ) => {
                let Some(CallEventKind::Answered {
                    agent: answered,
                    wait_seconds: answered_wait,
                }) = self.events.last().map(|last| &last.kind)
                else {
                    return impossible;
                };
                if answered != agent {
                    return Err(CallError::AgentMismatch {
                        answered: answered.clone(),
                        ended: agent.clone(),
                    });
                }
                if answered_wait != wait_seconds {
                    return Err(CallError::Inconsistent {
                        event: name,
                        field: "wait_seconds",
                    });
                }
            }
            _ => return impossible,
        }
        let mut next = self.clone();
        next.events.push(event.clone());
        Ok(next)
    }

    fn answering_agent(&self) -> Option<&str> {
        self.events.iter().find_map(|event| match &event.kind {
            CallEventKind::Answered { agent, .. } => Some(agent.as_str()),
            _ => None,
        })
    }

    /// The finished call, once `ended` or `abandoned` has been applied.
    pub fn finished(&self) -> Option<FinishedCall> {
        let first = self.events.first()?;
        let last = self.events.last()?;
        let outcome = match &last.kind {
            CallEventKind::Ended {
                agent,
                wait_seconds,
                recording_url,
            } => CallOutcome::Answered {
                agent: agent.clone(),
                wait_seconds: *wait_seconds,
                ended_at: last.at,
                recording_url: recording_url.clone(),
            },
            CallEventKind::Abandoned { wait_seconds } => CallOutcome::Abandoned {
                wait_seconds: *wait_seconds,
                abandoned_at: last.at,
            },
            _ => return None,
        };
        Some(FinishedCall {
            call_id: first.call_id.clone(),
            caller: first.caller.clone(),
            queue: first.queue.clone(),
            offered_at: first.at,
            outcome,
        })
    }
}
