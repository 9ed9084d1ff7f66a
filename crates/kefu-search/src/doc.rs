//! What the index holds: one [`SearchDoc`] per case, customer, shipment or article.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The four things one can search for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// A case (ticket or chat): subject, description and messages.
    Case,
    /// A customer: name, notes; phones and emails as identifiers.
    Customer,
    /// A shipment: waybill number, route, scans.
    Shipment,
    /// A knowledge-base article.
    Article,
}

impl DocKind {
    /// Every kind, in a fixed order.
    pub const ALL: [DocKind; 4] = [
        DocKind::Case,
        DocKind::Customer,
        DocKind::Shipment,
        DocKind::Article,
    ];

    /// The name used in the index and in the API (`case`, `customer`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Case => "case",
            DocKind::Customer => "customer",
            DocKind::Shipment => "shipment",
            DocKind::Article => "article",
        }
    }

    /// The kind named `name` (as [`DocKind::as_str`] writes it).
    pub fn parse(name: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// Who may read a knowledge-base article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Anyone, the portal's help centre included.
    Public,
    /// Staff only.
    Internal,
}

impl Audience {
    /// The name used in the index (`public`, `internal`).
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Internal => "internal",
        }
    }
}

/// The values a search can be narrowed by. Which ones a document has depends on its kind (an
/// article has an audience and a category, a customer usually none of these); a filter on a
/// value a document lacks excludes the document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocFilters {
    /// The case's (or shipment's) status code, e.g. `open`.
    pub status: Option<String>,
    /// The case's or article's category code.
    pub category: Option<String>,
    /// The department the case is with; what [`crate::Visibility::Department`] checks.
    pub department_id: Option<String>,
    /// The agent the case is assigned to.
    pub assignee_id: Option<String>,
    /// The customer a case or shipment belongs to.
    pub customer_id: Option<String>,
    /// When the thing was created; what `created_from`/`created_to` compare with.
    pub created_at: Option<Timestamp>,
    /// Articles only: who may read it. An article without one is treated as internal.
    pub audience: Option<Audience>,
}

/// One searchable thing. `(kind, id)` is its key: upserting the same key replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// What it is.
    pub kind: DocKind,
    /// Its id in the store (case number, customer id, waybill number, article id).
    pub id: String,
    /// Shown in a hit and weighted above the body: a case's subject, a customer's name, …
    pub title: String,
    /// Everything else worth finding by words; the snippet is cut from it.
    pub body: String,
    /// Numbers matched exactly and ranked first: waybill numbers, phones, case numbers, emails.
    /// Case and separators do not matter (`SF 1234` = `sf1234`); a mobile phone is also found
    /// by its last four digits.
    pub identifiers: Vec<String>,
    /// Numbers of what the thing belongs to, matched exactly like `identifiers` but ranked
    /// below the things they are the identifiers of: a case carries its customer's phones, so
    /// the caller's number finds the customer first and then the customer's cases.
    #[serde(default)]
    pub related_identifiers: Vec<String>,
    /// Values to filter by.
    pub filters: DocFilters,
    /// When the source last changed (kept in the index for recency ordering).
    pub updated_at: Timestamp,
}
