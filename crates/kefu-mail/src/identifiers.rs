//! Numbers a customer writes in a mail, found with the recognisers the rest of kefu uses.

use kefu_model::records::is_case_number;
use kefu_model::waybill::{Recognizer, find_numbers};

/// Waybill, mobile and case numbers in a text, each once, in the order they appear.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identifiers {
    /// Normalised (upper case, no spaces), recognised by some carrier or as ours.
    pub waybills: Vec<String>,
    /// Mainland mobiles, 11 digits.
    pub mobiles: Vec<String>,
    /// kefu case numbers (`KF…`), upper case.
    pub case_numbers: Vec<String>,
}

/// Finds waybill and mobile numbers as the chat and the search do
/// ([`kefu_model::waybill::find_numbers`], with the operator's own format in `recognizer`),
/// and case numbers.
pub fn find_identifiers(recognizer: &Recognizer, text: &str) -> Identifiers {
    let mut found = Identifiers::default();
    for number in find_numbers(recognizer, text) {
        let list = match number.kind {
            "mobile" => &mut found.mobiles,
            _ => &mut found.waybills,
        };
        if !list.contains(&number.value) {
            list.push(number.value);
        }
    }
    for token in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let upper = token.to_ascii_uppercase();
        if is_case_number(&upper) && !found.case_numbers.contains(&upper) {
            found.case_numbers.push(upper);
        }
    }
    found
}
