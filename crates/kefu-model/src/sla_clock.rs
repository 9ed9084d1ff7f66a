//! The service clocks as a case carries them (`Case::sla`) and as the `sla_*` events record
//! them. The policies and the planner that starts, pauses and ends them are in `sla`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::string_enum::string_enum;

string_enum!(
    /// Which promise to the customer a clock measures.
    ClockKind { FirstResponse => "first_response", NextResponse => "next_response", Resolution => "resolution" }
);

string_enum!(
    ClockState { Running => "running", Paused => "paused", Met => "met", Breached => "breached" }
);

/// One clock on a case, as the projection keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaClock {
    pub kind: ClockKind,
    pub policy: String,
    pub calendar: String,
    pub state: ClockState,
    /// Business seconds of target.
    pub target_secs: i64,
    /// Business seconds used up before `running_since`.
    pub consumed_secs: i64,
    pub running_since: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// Warning shares still to come, with when they fall due.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<(u8, Timestamp)>,
}

/// What a clock event carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockChange {
    pub clock: ClockKind,
    pub policy: String,
    pub calendar: String,
    pub target_secs: i64,
    pub consumed_secs: i64,
    /// From when the clock runs (not set while paused).
    pub since: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    /// When the clock reaches each warning share of its target (escalation steps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<(u8, Timestamp)>,
}
