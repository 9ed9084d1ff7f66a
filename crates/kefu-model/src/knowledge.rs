//! The knowledge base as the desk's use cases take and give it: the shipped articles
//! (`kb/*.md`, compiled in), list filters, matches and who is reading. The rules of an article
//! are `kb`; the use cases are `kefu_desk::knowledge`.

use jiff::civil::Date;

use crate::kb::{self, Article, ArticleAudience};
use crate::user::{Actor, Role};

/// The articles kefu ships (see `crates/kefu-model/kb/`).
const SEEDS: &[&str] = &[
    include_str!("../kb/seed-book-pickup.md"),
    include_str!("../kb/seed-change-address.md"),
    include_str!("../kb/seed-contact-human.md"),
    include_str!("../kb/seed-coverage-remote.md"),
    include_str!("../kb/seed-damage-claim.md"),
    include_str!("../kb/seed-delays-holidays.md"),
    include_str!("../kb/seed-insurance.md"),
    include_str!("../kb/seed-internal-complaint-escalation.md"),
    include_str!("../kb/seed-internal-damage-claim.md"),
    include_str!("../kb/seed-invoices.md"),
    include_str!("../kb/seed-lithium-batteries.md"),
    include_str!("../kb/seed-lost-claim.md"),
    include_str!("../kb/seed-packaging-tips.md"),
    include_str!("../kb/seed-prices-weight.md"),
    include_str!("../kb/seed-prohibited-items.md"),
    include_str!("../kb/seed-refuse-return.md"),
    include_str!("../kb/seed-signed-not-received.md"),
    include_str!("../kb/seed-track-parcel.md"),
];

/// The shipped articles, parsed (a broken one is a build defect the tests catch).
pub fn seed_articles(now: jiff::Timestamp, review_by: Date) -> Result<Vec<Article>, String> {
    SEEDS
        .iter()
        .map(|source| kb::parse_seed(source, now, review_by))
        .collect()
}

/// Of a question's words, the share (in percent) the best article must contain for the bot
/// to answer with it (below: it says it found nothing good enough).
pub const STRONG_WORD_PERCENT: u8 = 60;

/// The share below which an article is not even offered as the closest one.
pub const CLOSE_WORD_PERCENT: u8 = 40;

/// What a list of articles asks for.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub category: Option<String>,
    pub audience: Option<ArticleAudience>,
    /// Only those whose review is overdue today.
    pub overdue: bool,
    pub archived: bool,
    pub limit: Option<u32>,
}

/// The article the bot or the help centre found for a question.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleMatch {
    pub article: Article,
    /// Good enough to answer with; otherwise only the closest there was.
    pub strong: bool,
}

/// Who reads: a member of staff (internal articles too) or the public (portal, bot).
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    Staff(&'a Actor),
    Public,
}

/// Who manages every article (edits anyone's, archives, reviews).
pub fn manages_articles(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Supervisor)
}

/// Who reads the gaps report (questions that found no good answer): those who write articles.
pub fn may_read_gaps(actor: &Actor) -> bool {
    manages_articles(actor) || actor.role == Role::Agent
}
