//! Call-centre arithmetic: Erlang B and C (R-MG-3 staffing, and the wait the customer is shown).
//!
//! Traffic `A` is the offered load in erlangs: calls per interval × average handling time ÷
//! interval length. With `N` agents, Erlang B is the blocking probability of a loss system and
//! Erlang C the probability that a caller has to wait in a queue that never loses anyone.
//!
//! Every function here is total: negative, NaN or infinite inputs, zero agents and overloaded
//! queues (`N ≤ A`) give a defined answer instead of a panic or NaN, because staffing screens
//! feed them whatever a planner types.

/// The most agents [`agents_for`] will consider. Far beyond any service centre; it only bounds
/// the search.
pub const MAX_AGENTS: u32 = 100_000;

/// A non-negative finite number, or 0: the guard every entry point puts on its inputs.
fn clean(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

/// Offered traffic in erlangs: `calls × aht_secs ÷ interval_secs`. An empty or invalid interval
/// carries no traffic (0).
pub fn traffic(calls: f64, aht_secs: f64, interval_secs: f64) -> f64 {
    let interval = clean(interval_secs);
    if interval == 0.0 {
        return 0.0;
    }
    let a = clean(calls) * clean(aht_secs) / interval;
    if a.is_finite() { a } else { 0.0 }
}

/// Erlang B (blocking probability with `agents` servers and no queue), by the recursion
/// `B₀ = 1, Bₙ = A·Bₙ₋₁ / (n + A·Bₙ₋₁)`. Unlike the textbook `Aᴺ/N! ÷ Σ Aᵏ/k!`, every step
/// stays in `[0, 1]`, so it neither overflows nor loses precision for hundreds of agents.
pub fn erlang_b(agents: u32, traffic: f64) -> f64 {
    let a = clean(traffic);
    let mut b = 1.0;
    for n in 1..=agents {
        b = step_b(b, n, a);
    }
    b
}

fn step_b(prev: f64, n: u32, a: f64) -> f64 {
    let ab = a * prev;
    if ab == 0.0 {
        0.0
    } else {
        ab / (f64::from(n) + ab)
    }
}

/// Erlang C from Erlang B: `P(wait) = N·B / (N − A(1 − B))`, valid when `N > A`.
fn c_from_b(agents: u32, a: f64, b: f64) -> f64 {
    let n = f64::from(agents);
    let p = n * b / (n - a * (1.0 - b));
    p.clamp(0.0, 1.0)
}

/// Erlang C: the probability that a contact has to wait. With no traffic nobody waits (0); with
/// `agents ≤ traffic` the queue grows without bound and everyone waits (1).
pub fn p_wait(agents: u32, traffic: f64) -> f64 {
    let a = clean(traffic);
    if a == 0.0 {
        return 0.0;
    }
    if f64::from(agents) <= a {
        return 1.0;
    }
    c_from_b(agents, a, erlang_b(agents, a))
}

/// Share of contacts answered within `target_secs`: `1 − P(wait)·e^(−(N − A)·t / AHT)`.
/// An overloaded queue (`N ≤ A`) answers nobody in time (0); no traffic is all in time (1).
pub fn service_level(agents: u32, traffic: f64, aht_secs: f64, target_secs: f64) -> f64 {
    let a = clean(traffic);
    if a == 0.0 {
        return 1.0;
    }
    let n = f64::from(agents);
    if n <= a {
        return 0.0;
    }
    let aht = clean(aht_secs);
    let p = p_wait(agents, a);
    if aht == 0.0 {
        // Contacts that take no time are answered at once.
        return 1.0;
    }
    let t = clean(target_secs);
    (1.0 - p * (-(n - a) * t / aht).exp()).clamp(0.0, 1.0)
}

/// Average speed of answer in seconds: `P(wait)·AHT / (N − A)`. An overloaded queue (`N ≤ A`)
/// has no finite average: `f64::INFINITY` (never NaN), which still orders correctly.
pub fn asa(agents: u32, traffic: f64, aht_secs: f64) -> f64 {
    let a = clean(traffic);
    if a == 0.0 {
        return 0.0;
    }
    let n = f64::from(agents);
    if n <= a {
        return f64::INFINITY;
    }
    p_wait(agents, a) * clean(aht_secs) / (n - a)
}

/// The fewest agents whose [`service_level`] for `target_secs` is at least
/// `target_service_level` (a share, e.g. 0.8 for 80/20). `None` when the target is not a share
/// below 1 (100 % is never reached by a queue with traffic) or needs more than [`MAX_AGENTS`].
///
/// Walks `N` upwards carrying Erlang B along, so the search costs one recursion step per agent
/// rather than a full recursion per candidate.
pub fn agents_for(
    target_service_level: f64,
    target_secs: f64,
    traffic: f64,
    aht_secs: f64,
) -> Option<u32> {
    if !(0.0..1.0).contains(&target_service_level) {
        return None;
    }
    let a = clean(traffic);
    if a == 0.0 {
        return Some(0);
    }
    if a >= f64::from(MAX_AGENTS) {
        return None;
    }
    let mut b = 1.0;
    for n in 1..=MAX_AGENTS {
        b = step_b(b, n, a);
        if f64::from(n) <= a {
            continue;
        }
        if service_level_with_b(n, a, b, aht_secs, target_secs) >= target_service_level {
            return Some(n);
        }
    }
    None
}

/// [`service_level`] given Erlang B for `agents` already (and `agents > traffic > 0`).
fn service_level_with_b(agents: u32, a: f64, b: f64, aht_secs: f64, target_secs: f64) -> f64 {
    let aht = clean(aht_secs);
    if aht == 0.0 {
        return 1.0;
    }
    let p = c_from_b(agents, a, b);
    let n = f64::from(agents);
    (1.0 - p * (-(n - a) * clean(target_secs) / aht).exp()).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(x: f64, places: i32) -> f64 {
        let f = 10f64.powi(places);
        (x * f).round() / f
    }

    /// The vector in DOMAIN-NOTES ("Call-centre arithmetic").
    #[test]
    fn domain_notes_vector() {
        let a = traffic(100.0, 180.0, 1800.0);
        assert_eq!(a, 10.0);
        assert_eq!(round(p_wait(14, a), 4), 0.1741);
        assert_eq!(round(service_level(14, a, 180.0, 20.0), 4), 0.8884);
        assert_eq!(round(asa(14, a, 180.0), 2), 7.84);
        // 14 agents meet 80/20 and 13 do not, so 14 is the answer.
        assert!(service_level(13, a, 180.0, 20.0) < 0.8);
        assert_eq!(agents_for(0.8, 20.0, a, 180.0), Some(14));
    }

    /// Textbook values with closed forms: one agent is M/M/1, where the chance to wait is the
    /// load itself; two agents at one erlang wait a third of the time; three agents at two
    /// erlangs 4/9 (the classic worked example); and Erlang B for two lines at one erlang, 1/5.
    #[test]
    fn closed_form_vectors() {
        assert!((p_wait(1, 0.5) - 0.5).abs() < 1e-12);
        assert!((p_wait(1, 0.8) - 0.8).abs() < 1e-12);
        assert!((p_wait(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        assert!((p_wait(3, 2.0) - 4.0 / 9.0).abs() < 1e-12);
        assert!((erlang_b(2, 1.0) - 0.2).abs() < 1e-12);
        // M/M/1 mean wait: ρ/(1−ρ) × service time; at ρ = 0.5 and 60 s, 60 s.
        assert!((asa(1, 0.5, 60.0) - 60.0).abs() < 1e-9);
        // M/M/1: P(wait > t) = ρ·e^(−(1−ρ)t/AHT); at ρ = 0.5, AHT 60 s, t = 60 s.
        let sl = service_level(1, 0.5, 60.0, 60.0);
        assert!((sl - (1.0 - 0.5 * (-0.5f64).exp())).abs() < 1e-12);
    }

    #[test]
    fn erlang_b_small_cases() {
        // B(1, A) = A / (1 + A).
        assert!((erlang_b(1, 1.0) - 0.5).abs() < 1e-12);
        assert_eq!(erlang_b(0, 5.0), 1.0);
        assert_eq!(erlang_b(3, 0.0), 0.0);
    }

    #[test]
    fn overload_and_bad_input_are_defined() {
        assert_eq!(p_wait(10, 10.0), 1.0);
        assert_eq!(p_wait(0, 3.0), 1.0);
        assert_eq!(service_level(5, 10.0, 180.0, 20.0), 0.0);
        assert_eq!(asa(5, 10.0, 180.0), f64::INFINITY);
        assert_eq!(p_wait(5, f64::NAN), 0.0);
        assert_eq!(asa(5, f64::NAN, f64::NAN), 0.0);
        assert_eq!(traffic(100.0, 180.0, 0.0), 0.0);
        assert_eq!(traffic(f64::INFINITY, 180.0, 1.0), 0.0);
        assert_eq!(agents_for(1.0, 20.0, 10.0, 180.0), None);
        assert_eq!(agents_for(f64::NAN, 20.0, 10.0, 180.0), None);
        assert_eq!(agents_for(0.8, 20.0, 0.0, 180.0), Some(0));
        assert_eq!(agents_for(0.8, 20.0, 1e9, 180.0), None);
    }

    #[test]
    fn large_traffic_stays_finite() {
        let p = p_wait(1100, 1000.0);
        assert!(p.is_finite() && (0.0..=1.0).contains(&p));
        let n = agents_for(0.8, 20.0, 1000.0, 180.0).unwrap();
        assert!(n > 1000 && n < 1100);
    }
}
