//! Checks for text a person typed: trimmed, bounded, no control characters; tags, keys and name
//! fragments. A refusal is `invalid_field` naming the field.

use crate::error::DomainError;

pub const TEXT_MAX: usize = 20_000;

pub fn text(field: &str, value: &str, max: usize, required: bool) -> Result<String, DomainError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(DomainError::invalid(field, "contains control characters"));
    }
    Ok(v.to_string())
}

pub fn tags(field: &str, raw: &[String]) -> Result<Vec<String>, DomainError> {
    if raw.len() > 20 {
        return Err(DomainError::invalid(field, "at most 20 tags"));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for t in raw {
        let t = text(field, t, 40, true)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// Keys of configuration objects (departments, calendars, policies): short, URL-safe.
pub fn check_key(field: &str, key: &str) -> Result<(), DomainError> {
    let ok = !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            "1–40 characters: a–z, 0–9, '-' or '_'",
        ))
    }
}

/// Longest name fragment a customer search takes.
pub const NAME_QUERY_MAX: usize = 50;

/// A name to search for: trimmed, 1–50 characters, lower-cased (names match regardless of case).
pub fn name_query(raw: &str) -> Result<String, DomainError> {
    let name = raw.trim();
    let n = name.chars().count();
    if n == 0 || n > NAME_QUERY_MAX || name.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "name",
            format!("1 to {NAME_QUERY_MAX} characters of a name"),
        ));
    }
    Ok(name.to_lowercase())
}
