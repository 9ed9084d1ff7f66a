//! The SQL shared by kefu's backends. Both SQLite and PostgreSQL accept the same statements
//! (`$n` placeholders, `ON CONFLICT`, `RETURNING`, row values); the few that differ branch on
//! [`Dialect`]. A backend supplies connections through the small [`Sql`] trait and decides how a
//! write is made durable ([`Backend::write`]); [`SqlStore`] turns that into a domain `Store`.

mod calls;
mod causes;
mod channels;
mod conn;
mod key_accounts;
mod kpis;
mod migrate;
mod network;
mod ops;
mod quality;
mod reports;
mod staffing;
mod store;

pub use conn::{Dialect, Row, Sql, SqlError, SqlErrorKind, Value};
pub use migrate::{Migration, migrate};
pub use ops::{DOC_VERSION, DOC_VERSION_FIELD, WriteOp, WriteOutput, apply};
pub use store::{Backend, SqlStore};
