//! Search as the desk sees it: what may be asked, what comes back, and who may see what. The
//! engine (`kefu-search`, a tantivy index each node keeps from the store's search outbox) sits
//! behind [`SearchEngine`], so the domain decides permissions and the engine only ranks.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::DepartmentId;
use crate::user::{Actor, Role};

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Case,
    Customer,
    Shipment,
    Article,
}

impl SearchKind {
    pub fn parse(s: &str) -> Option<SearchKind> {
        match s {
            "case" => Some(SearchKind::Case),
            "customer" => Some(SearchKind::Customer),
            "shipment" => Some(SearchKind::Shipment),
            "article" => Some(SearchKind::Article),
            _ => None,
        }
    }
}

/// `GET /api/v1/search?q=&type=&limit=` as parsed.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    pub kind: Option<SearchKind>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub limit: usize,
    /// At least this percentage of the text's words must match (default: most of them). The
    /// bot asks for nearly all, to answer only from an article that covers the question.
    pub min_word_percent: Option<u8>,
}

/// Who sees what. Department staff see only cases transferred to their department (and no
/// customers or shipments beyond them) and the knowledge base; everyone else on the staff sees
/// everything; the portal and the bot see public articles only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchScope {
    All,
    Department(DepartmentId),
    PublicArticles,
}

/// The scope of `actor`'s searches (the rule the engine is given, never the caller's word).
pub fn scope_for(actor: &Actor) -> Result<SearchScope, DomainError> {
    match actor.role {
        Role::Department => actor
            .department_id
            .clone()
            .map(SearchScope::Department)
            .ok_or_else(|| DomainError::Forbidden("department staff without a department".into())),
        _ => Ok(SearchScope::All),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    #[serde(rename = "type")]
    pub kind: SearchKind,
    pub id: String,
    pub title: String,
    /// HTML-escaped, with matches in `<mark>`.
    pub snippet: String,
    pub score: f32,
}

pub trait SearchEngine: Send + Sync {
    fn search(
        &self,
        request: &SearchRequest,
        scope: &SearchScope,
    ) -> Result<Vec<SearchHit>, DomainError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    #[test]
    fn department_staff_search_only_their_department() {
        let d = DepartmentId::from_stored("d1".into());
        let staff = Actor {
            user_id: UserId::from_stored("u".into()),
            username: "ops01".into(),
            role: Role::Department,
            department_id: Some(d.clone()),
        };
        assert_eq!(scope_for(&staff).unwrap(), SearchScope::Department(d));
        let agent = Actor {
            role: Role::Agent,
            ..staff.clone()
        };
        assert_eq!(scope_for(&agent).unwrap(), SearchScope::All);
        let lost = Actor {
            department_id: None,
            ..staff
        };
        assert!(scope_for(&lost).is_err());
    }
}
