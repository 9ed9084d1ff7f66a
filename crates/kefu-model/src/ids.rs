//! Identifiers are UUIDv7 strings: unique across nodes, and ordered by creation time, which gives
//! stable cursor pagination for free.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($name:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh id whose time part is `at` (so replayed history sorts where it happened).
            pub fn new(at: Timestamp) -> Self {
                Self(new_uuid_v7(at))
            }

            /// Accepts any text that is a UUID; anything else cannot name one of ours.
            pub fn parse(s: &str) -> Option<Self> {
                uuid::Uuid::try_parse(s)
                    .ok()
                    .map(|u| Self(u.hyphenated().to_string()))
            }

            /// Wraps a value read back from our own storage.
            pub fn from_stored(s: String) -> Self {
                Self(s)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(CaseId);

id_type!(CustomerId);

id_type!(UserId);

id_type!(DepartmentId);

id_type!(MessageId);

id_type!(ReportScheduleId);

id_type!(InspectionId);

id_type!(KeyAccountId);

fn new_uuid_v7(at: Timestamp) -> String {
    let secs = u64::try_from(at.as_second()).unwrap_or(0);
    let nanos = u32::try_from(at.subsec_nanosecond()).unwrap_or(0);
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos);
    uuid::Uuid::new_v7(ts).hyphenated().to_string()
}

/// A short reference a person can read out over the phone: 10 characters of Crockford base32
/// (no I, L, O, U).
pub fn short_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    (0..10)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}
