//! Sums of figures the store keeps per day (an organisation's work orders, a dimension's
//! cases): a struct of `i64` counters whose field names are the store's column names, with the
//! arithmetic that moves a day's sums when one record changes (`after.minus(&before)`).

/// Declares a tally struct: `tally!(/// docs pub Name { /// docs field, … })`.
macro_rules! tally {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: i64,)+
        }

        impl $name {
            /// The figures' names, in [`Self::values`] order (the store's column names).
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            pub fn values(&self) -> Vec<i64> {
                vec![$(self.$field),+]
            }

            /// The figures in [`Self::COLUMNS`] order; missing ones are zero.
            pub fn from_values(values: &[i64]) -> $name {
                let mut it = values.iter().copied();
                $name { $($field: it.next().unwrap_or(0),)+ }
            }

            /// `self - other`, figure by figure: what a change of one record does to a day.
            pub fn minus(&self, other: &$name) -> $name {
                $name { $($field: self.$field - other.$field,)+ }
            }

            /// `self + other`, figure by figure: days summed into a period.
            pub fn plus(&self, other: &$name) -> $name {
                $name { $($field: self.$field + other.$field,)+ }
            }

            pub fn is_zero(&self) -> bool {
                true $(&& self.$field == 0)+
            }
        }
    };
}

pub(crate) use tally;
