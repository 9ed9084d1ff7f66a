//! Customers and their contact points. A phone or email belongs to at most one customer, so a
//! contact on any channel finds the same history (R-CH-6).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::CustomerId;

/// A phone number normalised to national digits: a mainland mobile (`1[3-9]` + 9 digits) or a
/// landline with its area code (`0` + 9–11 digits). A `+86`, `0086` or (before 11 digits) `86`
/// country code is removed; a landline written after the country code without its trunk 0
/// (`+86 10 8888 8888`) gets it back. Spaces, `-`, `.` and brackets are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

/// What kind of number a [`Phone`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// 11 digits starting with 1.
    Mobile,
    /// Area code with its leading 0, then the subscriber number.
    Landline,
}

fn is_mobile(digits: &[u8]) -> bool {
    digits.len() == 11 && digits[0] == b'1' && (b'3'..=b'9').contains(&digits[1])
}

fn is_landline(digits: &[u8]) -> bool {
    (10..=12).contains(&digits.len()) && digits[0] == b'0' && digits[1] != b'0'
}

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, &'static str> {
        let raw = raw.trim();
        let (plus, rest) = match raw.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let digits: String = rest
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(
                "a phone number has only digits, spaces, '-', '.', a leading '+' and brackets",
            );
        }
        let not_mainland = "not a mainland mobile (1[3-9] + 9 digits) or a landline with area code";
        let national = if plus {
            // After a '+' only China's country code is ours.
            digits.strip_prefix("86").ok_or(not_mainland)?
        } else if let Some(national) = digits.strip_prefix("0086") {
            national
        } else {
            digits
                .strip_prefix("86")
                .filter(|rest| rest.len() == 11)
                .unwrap_or(&digits)
        };
        // After a country code a landline's trunk 0 is often left out.
        let national = if national.len() != digits.len()
            && !is_mobile(national.as_bytes())
            && !national.starts_with('0')
        {
            format!("0{national}")
        } else {
            national.to_string()
        };
        let bytes = national.as_bytes();
        if is_mobile(bytes) || is_landline(bytes) {
            Ok(Phone(national))
        } else {
            Err(not_mainland)
        }
    }

    pub fn kind(&self) -> PhoneKind {
        if is_mobile(self.0.as_bytes()) {
            PhoneKind::Mobile
        } else {
            PhoneKind::Landline
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****8000`: what lists show when the full number is not needed (R-SEC-1).
    pub fn masked(&self) -> String {
        let s = &self.0;
        if s.len() >= 7 {
            format!("{}****{}", &s[..3], &s[s.len() - 4..])
        } else {
            "****".to_string()
        }
    }
}

/// An email address, lower-cased; checked for shape, not deliverability.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let s = raw.trim().to_lowercase();
        let (local, domain) = s.split_once('@').ok_or("an email address needs an '@'")?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && s.len() <= 254
            && !local.chars().any(char::is_whitespace)
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if ok {
            Ok(Email(s))
        } else {
            Err("not an email address")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `z***@example.com`: the first letter of the mailbox and the domain (R-SEC-1).
    pub fn masked(&self) -> String {
        match self.0.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".to_string(),
        }
    }
}

/// Customer grade 1–5; 1 is the most valuable (R-MG-1, R-KA-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Grade(u8);

impl Grade {
    pub const DEFAULT: Grade = Grade(3);

    pub fn new(n: i64) -> Result<Grade, &'static str> {
        match u8::try_from(n) {
            Ok(g @ 1..=5) => Ok(Grade(g)),
            _ => Err("grade is a whole number from 1 to 5"),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// Grades 1–2 are key accounts with their own service policy.
    pub fn is_key_account(self) -> bool {
        self.0 <= 2
    }
}

impl TryFrom<i64> for Grade {
    type Error = &'static str;
    fn try_from(n: i64) -> Result<Self, Self::Error> {
        Grade::new(n)
    }
}

impl From<Grade> for i64 {
    fn from(g: Grade) -> i64 {
        i64::from(g.0)
    }
}

/// An id the customer has in another system, e.g. a WeChat openid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExternalId {
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub external_ids: Vec<ExternalId>,
    pub grade: Grade,
    pub tags: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Bumped by every change; an edit names the version it was made against (records written
    /// before customers could change have none and read as 1).
    #[serde(default = "first_version")]
    pub version: i64,
    /// Set when this customer was merged into another one: kept (with its history) but no
    /// longer used; its contacts and cases belong to that one now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<CustomerId>,
    /// The customer asked not to be sent notices (receipts, status, surveys); agents' replies
    /// still reach them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notices_opt_out: bool,
}

fn first_version() -> i64 {
    1
}

/// One appended fact about a customer: who changed which field when, from what to what.
/// Customer events are only ever appended (the store refuses to change or remove them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerEvent {
    pub customer_id: CustomerId,
    /// 1, 2, … per customer in the order appended (the store numbers them).
    pub seq: i64,
    /// The customer's version the change produced.
    pub version: i64,
    pub actor: String,
    pub at: Timestamp,
    /// `name`, `phones`, `emails`, `external_ids`, `grade`, `tags`, or for a merge
    /// `merged_from` (on the survivor) and `merged_into` (on the one merged).
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
    /// Why, when the person said (merges).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

impl CustomerEvent {
    /// The event as lists show it: phones and emails masked (R-SEC-1).
    pub fn masked(&self) -> CustomerEvent {
        let mask = |v: &serde_json::Value| -> serde_json::Value {
            let one = |s: &str| match self.field.as_str() {
                "phones" => Phone(s.to_string()).masked(),
                "emails" => Email(s.to_string()).masked(),
                _ => s.to_string(),
            };
            match v {
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| match i.as_str() {
                        Some(s) => serde_json::Value::String(one(s)),
                        None => i.clone(),
                    })
                    .collect(),
                serde_json::Value::String(s) => serde_json::Value::String(one(s)),
                other => other.clone(),
            }
        };
        CustomerEvent {
            old: mask(&self.old),
            new: mask(&self.new),
            ..self.clone()
        }
    }
}

/// A change to a customer's own fields, parsed; `None` leaves a field as it is. Lists replace
/// the whole list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerChange {
    pub name: Option<String>,
    pub phones: Option<Vec<Phone>>,
    pub emails: Option<Vec<Email>>,
    pub grade: Option<Grade>,
    pub tags: Option<Vec<String>>,
    pub notices_opt_out: Option<bool>,
}

/// Who made a change, when, and why (for the events it produces).
#[derive(Debug, Clone)]
pub struct ChangeBy<'a> {
    pub actor: &'a str,
    pub at: Timestamp,
    pub reason: &'a str,
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Sets `field` of `c` to `new` when it differs, recording the event.
fn set<T: Serialize + PartialEq + Clone>(
    c: &mut Customer,
    events: &mut Vec<CustomerEvent>,
    by: &ChangeBy<'_>,
    field: &str,
    get: impl Fn(&mut Customer) -> &mut T,
    new: &T,
) {
    let slot = get(c);
    if *slot == *new {
        return;
    }
    let old = json(slot);
    *slot = new.clone();
    events.push(CustomerEvent {
        customer_id: c.id.clone(),
        seq: 0,
        version: c.version + 1,
        actor: by.actor.to_string(),
        at: by.at,
        field: field.to_string(),
        old,
        new: json(new),
        reason: by.reason.to_string(),
    });
}

/// The customer after `change` and one event per field that really changed, in a fixed order
/// (name, phones, emails, grade, tags). No events: nothing to write, the version stays.
pub fn plan_edit(
    current: &Customer,
    change: &CustomerChange,
    by: &ChangeBy<'_>,
) -> (Customer, Vec<CustomerEvent>) {
    let mut c = current.clone();
    let mut events = Vec::new();
    if let Some(v) = &change.name {
        set(&mut c, &mut events, by, "name", |c| &mut c.name, v);
    }
    if let Some(v) = &change.phones {
        set(&mut c, &mut events, by, "phones", |c| &mut c.phones, v);
    }
    if let Some(v) = &change.emails {
        set(&mut c, &mut events, by, "emails", |c| &mut c.emails, v);
    }
    if let Some(v) = &change.grade {
        set(&mut c, &mut events, by, "grade", |c| &mut c.grade, v);
    }
    if let Some(v) = &change.tags {
        set(&mut c, &mut events, by, "tags", |c| &mut c.tags, v);
    }
    if let Some(v) = &change.notices_opt_out {
        set(
            &mut c,
            &mut events,
            by,
            "notices_opt_out",
            |c| &mut c.notices_opt_out,
            v,
        );
    }
    if !events.is_empty() {
        c.version += 1;
        c.updated_at = by.at;
    }
    (c, events)
}

/// Merging `merged` into `survivor`: the survivor gains the other's phones, emails and
/// external ids (after its own, without repeats); the merged one gives them up and points at
/// the survivor. Returns both new records and the events of each (survivor's first).
pub fn plan_merge(
    survivor: &Customer,
    merged: &Customer,
    by: &ChangeBy<'_>,
) -> (Customer, Customer, Vec<CustomerEvent>) {
    fn joined<T: Clone + PartialEq>(a: &[T], b: &[T]) -> Vec<T> {
        let mut out = a.to_vec();
        for x in b {
            if !out.contains(x) {
                out.push(x.clone());
            }
        }
        out
    }
    let mut events = Vec::new();
    let mut s = survivor.clone();
    let phones = joined(&survivor.phones, &merged.phones);
    let emails = joined(&survivor.emails, &merged.emails);
    let external = joined(&survivor.external_ids, &merged.external_ids);
    set(
        &mut s,
        &mut events,
        by,
        "phones",
        |c| &mut c.phones,
        &phones,
    );
    set(
        &mut s,
        &mut events,
        by,
        "emails",
        |c| &mut c.emails,
        &emails,
    );
    set(
        &mut s,
        &mut events,
        by,
        "external_ids",
        |c| &mut c.external_ids,
        &external,
    );
    events.push(CustomerEvent {
        customer_id: s.id.clone(),
        seq: 0,
        version: s.version + 1,
        actor: by.actor.to_string(),
        at: by.at,
        field: "merged_from".into(),
        old: serde_json::Value::Null,
        new: json(&merged.id),
        reason: by.reason.to_string(),
    });
    s.version += 1;
    s.updated_at = by.at;

    let mut m = merged.clone();
    set(
        &mut m,
        &mut events,
        by,
        "phones",
        |c| &mut c.phones,
        &Vec::new(),
    );
    set(
        &mut m,
        &mut events,
        by,
        "emails",
        |c| &mut c.emails,
        &Vec::new(),
    );
    set(
        &mut m,
        &mut events,
        by,
        "external_ids",
        |c| &mut c.external_ids,
        &Vec::new(),
    );
    set(
        &mut m,
        &mut events,
        by,
        "merged_into",
        |c| &mut c.merged_into,
        &Some(survivor.id.clone()),
    );
    m.version += 1;
    m.updated_at = by.at;
    (s, m, events)
}

/// A customer as staff see them in answers: the name in full (they address the customer by it),
/// phones as `138****8000`, e-mails as `z***@example.com`, ids in other systems cut to their
/// ends. The full values only come through the audited reveal (`Desk::reveal_customer`), never
/// by changing the stored record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerView {
    pub id: CustomerId,
    pub name: String,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub external_ids: Vec<ExternalId>,
    pub grade: Grade,
    pub tags: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Given back with an edit (`PATCH`), which is refused over a newer version.
    pub version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<CustomerId>,
    pub notices_opt_out: bool,
}

impl CustomerView {
    pub fn of(c: &Customer) -> CustomerView {
        CustomerView {
            id: c.id.clone(),
            name: c.name.clone(),
            phones: c.phones.iter().map(Phone::masked).collect(),
            emails: c.emails.iter().map(Email::masked).collect(),
            external_ids: c
                .external_ids
                .iter()
                .map(|x| ExternalId {
                    kind: x.kind.clone(),
                    value: mask_middle(&x.value),
                })
                .collect(),
            grade: c.grade,
            tags: c.tags.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
            merged_into: c.merged_into.clone(),
            notices_opt_out: c.notices_opt_out,
        }
    }
}

/// `oAbc…` ids: the first and last two characters of anything eight or longer, else `****`.
fn mask_middle(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() >= 8 {
        let head: String = chars[..2].iter().collect();
        let tail: String = chars[chars.len() - 2..].iter().collect();
        format!("{head}****{tail}")
    } else {
        "****".to_string()
    }
}

/// The contact points under which a customer can be found; each is unique across customers.
pub fn contact_keys(c: &Customer) -> Vec<(&'static str, String)> {
    let phones = c.phones.iter().map(|p| ("phone", p.as_str().to_string()));
    let emails = c.emails.iter().map(|e| ("email", e.as_str().to_string()));
    let ext = c
        .external_ids
        .iter()
        .map(|x| ("external", format!("{}:{}", x.kind, x.value)));
    phones.chain(emails).chain(ext).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_and_reject() {
        assert_eq!(
            Phone::parse("+86 138-0013-8000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            Phone::parse("021-62345678").unwrap().as_str(),
            "02162345678"
        );
        assert!(Phone::parse("12800138000").is_err());
        assert!(Phone::parse("1380013800").is_err());
        assert!(Phone::parse("abc").is_err());
        assert_eq!(Phone::parse("13800138000").unwrap().masked(), "138****8000");
    }

    fn someone(id: &str, name: &str, phone: &str) -> Customer {
        let at: Timestamp = "2026-11-24T02:00:00Z".parse().unwrap();
        Customer {
            id: CustomerId::from_stored(id.into()),
            name: name.into(),
            phones: vec![Phone::parse(phone).unwrap()],
            emails: Vec::new(),
            external_ids: Vec::new(),
            grade: Grade::DEFAULT,
            tags: Vec::new(),
            created_at: at,
            updated_at: at,
            version: 1,
            merged_into: None,
            notices_opt_out: false,
        }
    }

    #[test]
    fn an_edit_records_only_what_changed_and_bumps_the_version_once() {
        let c = someone("c1", "张三", "13800138000");
        let at: Timestamp = "2026-11-25T02:00:00Z".parse().unwrap();
        let by = ChangeBy {
            actor: "user:agent01",
            at,
            reason: "",
        };
        let change = CustomerChange {
            name: Some("张三".into()),
            grade: Some(Grade::new(1).unwrap()),
            phones: Some(vec![Phone::parse("13900139000").unwrap()]),
            ..CustomerChange::default()
        };
        let (after, events) = plan_edit(&c, &change, &by);
        assert_eq!(after.version, 2);
        assert_eq!(after.updated_at, at);
        let fields: Vec<&str> = events.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["phones", "grade"]);
        assert!(events.iter().all(|e| e.version == 2));
        assert_eq!(events[1].old, serde_json::json!(3));
        let masked = events[0].masked();
        assert_eq!(masked.old, serde_json::json!(["138****8000"]));
        assert_eq!(masked.new, serde_json::json!(["139****9000"]));
        // Nothing changed: no events, same version.
        let (same, none) = plan_edit(&after, &change, &by);
        assert!(none.is_empty());
        assert_eq!(same, after);
        // An old record without a version reads as version 1.
        let mut old = serde_json::to_value(&c).unwrap();
        old.as_object_mut().unwrap().remove("version");
        let read: Customer = serde_json::from_value(old).unwrap();
        assert_eq!(read.version, 1);
    }

    #[test]
    fn a_merge_moves_the_contacts_and_marks_the_merged_one() {
        let mut a = someone("a", "张三", "13800138000");
        a.emails = vec![Email::parse("z@example.cn").unwrap()];
        let mut b = someone("b", "张三", "13900139000");
        b.emails = vec![Email::parse("z@example.cn").unwrap()];
        let by = ChangeBy {
            actor: "user:sup",
            at: a.created_at,
            reason: "同一人",
        };
        let (kept, gone, events) = plan_merge(&a, &b, &by);
        assert_eq!(kept.phones.len(), 2);
        assert_eq!(kept.emails.len(), 1, "no repeats");
        assert_eq!((kept.version, gone.version), (2, 2));
        assert!(gone.phones.is_empty() && gone.emails.is_empty());
        assert_eq!(gone.merged_into, Some(a.id.clone()));
        let of = |id: &str| -> Vec<&str> {
            events
                .iter()
                .filter(|e| e.customer_id.as_str() == id)
                .map(|e| e.field.as_str())
                .collect()
        };
        assert_eq!(of("a"), ["phones", "merged_from"]);
        assert_eq!(of("b"), ["phones", "emails", "merged_into"]);
        assert!(events.iter().all(|e| e.reason == "同一人"));
        assert_eq!(
            Email::parse("wang@example.cn").unwrap().masked(),
            "w***@example.cn"
        );
    }

    #[test]
    fn emails_and_grades() {
        assert_eq!(
            Email::parse(" Wang@Example.CN ").unwrap().as_str(),
            "wang@example.cn"
        );
        assert!(Email::parse("wang@").is_err());
        assert!(Email::parse("no-at.example.cn").is_err());
        assert!(Grade::new(0).is_err() && Grade::new(6).is_err());
        assert!(Grade::new(2).unwrap().is_key_account());
        assert_eq!(
            Email::parse("Zhang.San@Example.com").unwrap().masked(),
            "z***@example.com"
        );
        assert_eq!(mask_middle("oWx1234567890"), "oW****90");
        assert_eq!(mask_middle("short"), "****");
    }
}
