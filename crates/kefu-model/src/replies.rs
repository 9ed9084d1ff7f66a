//! Canned replies as the desk hands them out: a rendered reply, list filters, and who may write
//! team templates or edit a reply. The use cases are `kefu_desk::replies`.

use crate::canned::{CannedReply, TemplateScope};
use crate::user::{Actor, Role};

/// A template filled in for one case.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RenderedReply {
    pub template_id: String,
    pub title: String,
    pub text: String,
    /// The variables that had no value and show a placeholder instead.
    pub missing: Vec<&'static str>,
}

/// What a list of canned replies asks for.
#[derive(Debug, Clone, Default)]
pub struct CannedFilter {
    pub q: Option<String>,
    pub scope: Option<TemplateScope>,
    pub macros: Option<bool>,
    pub limit: Option<u32>,
}

/// Supervisors and admins write team templates; everyone else only personal ones.
pub fn manages_team_templates(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Supervisor)
}

/// Whether `actor` may change or archive `reply`: a personal one is its owner's, a team one
/// is managed by supervisors and admins (readers change nothing).
pub fn may_edit_canned(actor: &Actor, reply: &CannedReply) -> bool {
    actor.can_write_cases()
        && match reply.scope {
            TemplateScope::Personal => reply.owner_id.as_ref() == Some(&actor.user_id),
            TemplateScope::Team => manages_team_templates(actor),
        }
}
