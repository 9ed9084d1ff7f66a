//! What the bench binaries share: a deterministic generator, percentiles, the process's memory
//! figures, a scratch directory and a free loopback port for a spawned server, and the date
//! stamped on a report. The binaries measure; nothing here is asserted in a test of the product.

use std::path::PathBuf;

/// A small deterministic generator (a 64-bit LCG), so every run computes the same inputs.
pub struct Lcg(pub u64);

impl Lcg {
    #[allow(clippy::should_implement_trait)] // an endless generator, not an iterator
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A value in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    pub fn letters(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'A' + self.below(26) as u8))
            .collect()
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The value at share `p` (0–1) of an ascending slice, by the nearest index; NaN when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A field of `/proc/self/status` (`VmRSS:`, `VmHWM:` …) as the kernel writes it, or `?`.
pub fn proc_status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l[field.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

/// A new, empty directory `<temp>/<prefix>-<pid>-<n>` for a spawned server's data.
pub fn fresh_temp_dir(prefix: &str) -> Result<PathBuf, String> {
    let base = std::env::temp_dir();
    let pid = std::process::id();
    for n in 0..1000u32 {
        let dir = base.join(format!("{prefix}-{pid}-{n}"));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
        }
    }
    Err(format!(
        "no free {prefix}-{pid}-N directory in {}",
        base.display()
    ))
}

/// A desk over a fresh SQLite store in a new scratch directory (durable, as `kefu serve` runs
/// it: `synchronous=FULL`), on the wall clock in Asia/Shanghai, with the admin, the built-in
/// calendars and the default SLA policies: what the in-process benches start from.
pub async fn fresh_sqlite_desk(
    prefix: &str,
) -> Result<(PathBuf, kefu_desk::Desk, kefu_model::Actor), String> {
    fresh_sqlite_desk_on(prefix, std::sync::Arc::new(kefu_model::SystemClock)).await
}

/// [`fresh_sqlite_desk`] on the clock given (a bench that plays days moves a fixed clock).
pub async fn fresh_sqlite_desk_on(
    prefix: &str,
    clock: std::sync::Arc<dyn kefu_model::Clock>,
) -> Result<(PathBuf, kefu_desk::Desk, kefu_model::Actor), String> {
    use std::sync::Arc;
    let dir = fresh_temp_dir(prefix)?;
    let store: Arc<dyn kefu_desk::Store> = Arc::new(
        kefu_store_sqlite::open(&dir.join("kefu.db"))
            .await
            .map_err(|e| format!("cannot open the store: {e}"))?,
    );
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    let desk = kefu_desk::Desk::new(store.clone(), clock).with_time_zone(tz);
    let setup = async {
        desk.bootstrap_admin(Some("bench-password".into())).await?;
        desk.install_builtin_calendars().await?;
        desk.install_default_policies().await?;
        store
            .user_by_username("admin")
            .await
            .map_err(kefu_model::DomainError::from)
    };
    match setup.await {
        Ok(Some(user)) => Ok((dir, desk, kefu_model::Actor::of(&user))),
        other => Err(format!("setup failed: {other:?}")),
    }
}

/// The bytes of the files directly in `dir` (a store's database, its WAL and shared memory);
/// 0 when it cannot be read.
pub fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Asks the OS for a free loopback port. Another process could take it before the server binds;
/// the health check then fails visibly.
pub fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| format!("cannot bind 127.0.0.1:0: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot read local address: {e}"))?
        .port();
    drop(listener);
    Ok(port)
}

/// Wall-clock date for a report header. The bench is an operator tool, not domain code: it has
/// no injected `Clock`, and this stamp only labels the printed figures (timing uses `Instant`).
#[allow(clippy::disallowed_methods)]
pub fn utc_now_for_report() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_index() {
        let v: Vec<f64> = (1..=101).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 51.0);
        assert_eq!(percentile(&v, 0.99), 100.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn the_generator_repeats_itself_from_the_same_seed() {
        let (mut a, mut b) = (Lcg(42), Lcg(42));
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert!(Lcg(1).digits(12).chars().all(|c| c.is_ascii_digit()));
    }
}
