//! Caller numbers as the desk stores them: national digits, no country code, no punctuation.

use std::fmt;

/// What kind of Chinese number a caller number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    /// 11 digits starting with 1.
    Mobile,
    /// Area code with its leading 0, then the subscriber number: 10 to 12 digits.
    Landline,
}

/// A normalised caller number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PhoneNumber {
    kind: NumberKind,
    digits: String,
}

/// Why a caller number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a Chinese mobile number or a landline number with its area code")]
pub struct PhoneError(pub String);

impl PhoneNumber {
    /// Normalises `text`: spaces, hyphens, dots and brackets dropped; a `+86` or `0086`
    /// country code stripped (a landline written after the country code gets its trunk 0
    /// back: `+86 10 8888 8888` → `01088888888`). Mobiles are 11 digits starting with 1;
    /// landlines must carry their area code (start with 0, 10 to 12 digits). Anything else,
    /// including foreign numbers and local numbers without area code, is refused.
    pub fn parse(text: &str) -> Result<Self, PhoneError> {
        let refuse = || PhoneError(text.chars().take(40).collect());
        let trimmed = text.trim();
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(refuse()),
            }
        }
        let national = if plus {
            digits.strip_prefix("86").ok_or_else(refuse)?
        } else if let Some(national) = digits.strip_prefix("0086") {
            national
        } else {
            digits.as_str()
        };
        let with_country_code = plus || national.len() != digits.len();
        // After a country code a landline's trunk 0 is dropped (some systems keep it anyway).
        // Beijing's area code 10 starts with 1 too, but with 8 digits after it the number is
        // 10 digits long, never a mobile's 11.
        let is_mobile = |digits: &str| digits.len() == 11 && digits.starts_with('1');
        let national = if with_country_code && !is_mobile(national) && !national.starts_with('0') {
            format!("0{national}")
        } else {
            national.to_owned()
        };
        let kind = if is_mobile(&national) {
            NumberKind::Mobile
        } else if national.starts_with('0')
            && !national.starts_with("00")
            && (10..=12).contains(&national.len())
        {
            NumberKind::Landline
        } else {
            return Err(refuse());
        };
        Ok(Self {
            kind,
            digits: national,
        })
    }

    pub fn kind(&self) -> NumberKind {
        self.kind
    }

    /// The national digits, e.g. `13800138000` or `075512345678`.
    pub fn digits(&self) -> &str {
        &self.digits
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(text: &str) -> String {
        PhoneNumber::parse(text).unwrap().digits().to_owned()
    }

    #[test]
    fn country_codes_and_punctuation_go() {
        assert_eq!(digits("+86 138-0013-8000"), "13800138000");
        assert_eq!(digits("008613800138000"), "13800138000");
        assert_eq!(digits("13800138000"), "13800138000");
        assert_eq!(digits("(010) 8888-8888"), "01088888888");
        assert_eq!(digits("+86 10 8888 8888"), "01088888888");
        assert_eq!(digits("+86 0755 1234 5678"), "075512345678");
        assert_eq!(
            PhoneNumber::parse("0571-8765432").unwrap().kind(),
            NumberKind::Landline
        );
    }

    #[test]
    fn others_are_refused() {
        for bad in [
            "",
            "+1 415 555 0100",
            "88888888",
            "1380013800",
            "138001380001",
            "23800138000",
            "anonymous",
            "+86",
            "0086",
            "138 0013 800０",
            "00441234567890",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad:?}");
        }
    }
}
