//! A period of local days `[from, to)` for reports and plans (figures, satisfaction,
//! assessment, staffing): one rule for how long it may be.

use jiff::civil::Date;

use crate::error::DomainError;

/// The longest period, in days (a year and a day, for leap years).
pub const MAX_PERIOD_DAYS: i64 = 366;

/// Checks that `[from, to)` is a period of one to [`MAX_PERIOD_DAYS`] days.
pub fn check_period(from: Date, to: Date) -> Result<(), DomainError> {
    if to <= from {
        return Err(DomainError::invalid("to", "must be after from"));
    }
    // A date's span is counted in days unless asked otherwise.
    if from
        .until(to)
        .ok()
        .is_none_or(|span| i64::from(span.get_days()) > MAX_PERIOD_DAYS)
    {
        return Err(DomainError::invalid(
            "to",
            format!("a period of at most {MAX_PERIOD_DAYS} days"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_one_day_to_a_year_and_a_day() {
        let day = |s: &str| s.parse::<Date>().unwrap_or_default();
        assert!(check_period(day("2026-01-01"), day("2026-01-02")).is_ok());
        assert!(check_period(day("2024-01-01"), day("2025-01-01")).is_ok());
        assert!(check_period(day("2026-01-01"), day("2026-01-01")).is_err());
        assert!(check_period(day("2026-01-01"), day("2027-01-03")).is_err());
    }
}
