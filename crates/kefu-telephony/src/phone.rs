//! Caller numbers as the desk stores them: kefu-model's [`Phone`] (national digits, no country
//! code, no punctuation), so a call finds the customer the other channels know.

use std::fmt;

use kefu_model::customer::Phone;

/// What kind of Chinese number a caller number is.
pub use kefu_model::customer::PhoneKind as NumberKind;

/// A normalised caller number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(Phone);

/// Why a caller number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a Chinese mobile number or a landline number with its area code")]
pub struct PhoneError(pub String);

impl PhoneNumber {
    /// Normalises `text` as [`Phone::parse`] does; anything else, including foreign numbers
    /// and local numbers without area code, is refused.
    pub fn parse(text: &str) -> Result<Self, PhoneError> {
        Phone::parse(text)
            .map(Self)
            .map_err(|_| PhoneError(text.chars().take(40).collect()))
    }

    pub fn kind(&self) -> NumberKind {
        self.0.kind()
    }

    /// The national digits, e.g. `13800138000` or `075512345678`.
    pub fn digits(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.digits())
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
