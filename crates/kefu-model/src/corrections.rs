//! Requests that correct customers (edit, merge, identity check) and `parse_patch`, which turns
//! an edit into a checked change. The use cases are `kefu_desk::corrections`.

use serde::Deserialize;

use crate::case::IdentityMethod;
use crate::customer::{CustomerChange, Email, Grade, Phone};
use crate::error::DomainError;
use crate::text::{tags, text};

const MAX_CONTACTS: usize = 10;

/// `PATCH /customers/{id}`: the version the change was made against and the fields to change;
/// absent fields stay as they are, lists replace the whole list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    pub version: i64,
    pub name: Option<String>,
    pub phones: Option<Vec<String>>,
    pub emails: Option<Vec<String>>,
    pub grade: Option<i64>,
    pub tags: Option<Vec<String>>,
    /// The customer asked for no notices (or takes them again).
    #[serde(default)]
    pub notices_opt_out: Option<bool>,
}

/// `POST /customers/{id}/merge`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    pub from: String,
    #[serde(default)]
    pub reason: String,
}

/// `POST /cases/{id}/identity`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityRequest {
    pub method: IdentityMethod,
    #[serde(default)]
    pub note: String,
}

/// Parses a patch into a change; the first bad value names its field.
pub fn parse_patch(patch: &CustomerPatch) -> Result<CustomerChange, DomainError> {
    let name = patch
        .name
        .as_deref()
        .map(|n| text("name", n, 100, true))
        .transpose()?;
    let phones = patch
        .phones
        .as_deref()
        .map(|list| {
            if list.len() > MAX_CONTACTS {
                return Err(DomainError::invalid(
                    "phones",
                    format!("at most {MAX_CONTACTS}"),
                ));
            }
            let mut out: Vec<Phone> = Vec::new();
            for raw in list {
                let p = Phone::parse(raw).map_err(|m| DomainError::invalid("phones", m))?;
                if !out.contains(&p) {
                    out.push(p);
                }
            }
            Ok(out)
        })
        .transpose()?;
    let emails = patch
        .emails
        .as_deref()
        .map(|list| {
            if list.len() > MAX_CONTACTS {
                return Err(DomainError::invalid(
                    "emails",
                    format!("at most {MAX_CONTACTS}"),
                ));
            }
            let mut out: Vec<Email> = Vec::new();
            for raw in list {
                let e = Email::parse(raw).map_err(|m| DomainError::invalid("emails", m))?;
                if !out.contains(&e) {
                    out.push(e);
                }
            }
            Ok(out)
        })
        .transpose()?;
    let grade = patch
        .grade
        .map(|g| Grade::new(g).map_err(|m| DomainError::invalid("grade", m)))
        .transpose()?;
    let tags = patch.tags.as_deref().map(|t| tags("tags", t)).transpose()?;
    Ok(CustomerChange {
        name,
        phones,
        emails,
        grade,
        tags,
        notices_opt_out: patch.notices_opt_out,
    })
}
