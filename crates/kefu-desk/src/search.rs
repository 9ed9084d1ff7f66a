//! Turning a person's search filters into a `SearchRequest` (the department resolved, the dates
//! in the desk's time zone). The request, the scopes and the engine's trait are
//! `kefu_model::search`.

use kefu_model::error::DomainError;
use kefu_model::search::{SearchFilters, SearchKind, SearchRequest, created_range};

/// A filter as given: trimmed, and absent when blank.
fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

impl crate::desk::Desk {
    /// The request for `q` with these filters: the type parsed, the department resolved, the
    /// date range in the desk's time zone; a bad filter is `invalid_field` naming it.
    pub async fn search_request(
        &self,
        q: String,
        filters: &SearchFilters<'_>,
        limit: usize,
    ) -> Result<SearchRequest, DomainError> {
        let kind = given(filters.kind)
            .map(|k| {
                SearchKind::parse(k).ok_or_else(|| {
                    DomainError::invalid("type", "case, customer, shipment or article")
                })
            })
            .transpose()?;
        let department_id = match given(filters.department) {
            Some(d) => Some(self.resolve_department("department", d).await?.id),
            None => None,
        };
        let (created_from, created_to) =
            created_range(("from", filters.from), ("to", filters.to), &self.time_zone)?;
        Ok(SearchRequest {
            q,
            kind,
            status: given(filters.status).map(str::to_string),
            category: given(filters.category).map(str::to_string),
            department_id,
            created_from,
            created_to,
            limit,
            ..SearchRequest::default()
        })
    }
}
