//! The timer loop: every node looks for service clocks that fell due and records their
//! breaches. Due times live in the database (one row per running clock, indexed by due time),
//! so the loop costs one index probe per tick whatever the number of open cases, a timer that
//! fell due while the server was down fires on the first tick after start, and two nodes
//! firing the same timer produce one breach (the desk appends it with the case's version).
//! The same loop runs the daily quality draw when the sampling rules ask for it.

use std::time::Duration;

use kefu_desk::Desk;

/// How often a node looks: due clocks are noticed within this (plus the write).
pub const TICK: Duration = Duration::from_millis(250);
/// Cases handled per tick; a backlog (after downtime) is worked through tick by tick.
const BATCH: u32 = 500;

/// Every this many ticks, waiting work is routed to agents who became free.
const ROUTE_EVERY_TICKS: u32 = 8;
/// Every this many ticks (a quarter of an hour), and at start, the daily quality draw is
/// tried; it draws only when the rules ask for it, and a day drawn twice queues nothing new.
const QUALITY_DRAW_EVERY_TICKS: u32 = 3600;

pub async fn run(desk: Desk) {
    let mut tick: u32 = 0;
    loop {
        tick = tick.wrapping_add(1);
        if tick.is_multiple_of(ROUTE_EVERY_TICKS)
            && let Err(e) = desk.route_waiting(100).await
        {
            tracing::warn!(error = %e, "routing pass failed; retrying");
        }
        if tick % QUALITY_DRAW_EVERY_TICKS == 1 {
            match desk.daily_draw().await {
                Ok(Some(d)) if !d.queued.is_empty() => {
                    tracing::info!(draw = %d.draw, queued = d.queued.len(), "daily quality draw")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "daily quality draw failed; retrying"),
            }
        }
        match desk.fire_due_timers_report(BATCH).await {
            Ok((fired, failed, error)) => {
                if let Some(e) = error {
                    tracing::warn!(failed, error = %e, "some due clocks could not be recorded; retrying");
                }
                if fired > 0 {
                    tracing::info!(breaches = fired, "service clocks breached");
                    if failed == 0 {
                        continue;
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "timer tick failed; retrying"),
        }
        tokio::time::sleep(TICK).await;
    }
}
