//! Customers and their contact points. A phone or email belongs to at most one customer, so a
//! contact on any channel finds the same history (R-CH-6).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::CustomerId;

/// A phone number normalised to digits: a mainland mobile (`1[3-9]` + 9 digits, an optional
/// `+86`/`86` prefix removed) or a landline with area code (`0` + 9–11 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, &'static str> {
        let digits: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '+'))
            .collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("a phone number has only digits, spaces, '-', '+' and brackets");
        }
        let national = digits
            .strip_prefix("86")
            .filter(|rest| rest.len() == 11)
            .unwrap_or(&digits);
        let bytes = national.as_bytes();
        let mobile = bytes.len() == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]);
        let landline = (10..=12).contains(&bytes.len()) && bytes[0] == b'0';
        if mobile || landline {
            Ok(Phone(national.to_string()))
        } else {
            Err("not a mainland mobile (1[3-9] + 9 digits) or a landline with area code")
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
