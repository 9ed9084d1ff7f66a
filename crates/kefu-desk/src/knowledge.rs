//! Use cases of the knowledge base: writing articles (every save a version), reading them as
//! staff or as the public, reviews, feedback, the gaps report, and finding the article that
//! answers a customer's question (the help centre's search and the bot). The pure rules are
//! `kefu_model::kb`.

use jiff::civil::Date;
use kefu_model::error::DomainError;
use kefu_model::ids::MessageId;
use kefu_model::kb::{
    self, Article, ArticleAudience, ArticleDraft, ArticleFeedback, Categories, FeedbackCounts,
    GapLine, GapSource, SearchGap,
};
use kefu_model::knowledge::{
    ArticleFilter, ArticleMatch, CLOSE_WORD_PERCENT, Reader, STRONG_WORD_PERCENT, manages_articles,
    may_read_gaps, seed_articles,
};
use kefu_model::nlu::Intent;
use kefu_model::records::{ArticleQuery, ArticleWrite};
use kefu_model::search::{SearchHit, SearchKind, SearchRequest, SearchScope, scope_for};
use kefu_model::user::{Actor, Role};

use crate::desk::{Desk, DeskResult};

const LIST_MAX: u32 = 200;

const HISTORY_MAX: u32 = 200;

/// Gaps read for one report (the newest).
const GAPS_READ: u32 = 5_000;

fn writes_articles(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Supervisor | Role::Agent)
}

fn not_found(id: &str) -> DomainError {
    DomainError::NotFound(format!("article {id}"))
}

impl Desk {
    fn today(&self) -> Date {
        self.time_zone.to_datetime(self.now()).date()
    }

    fn review_default(&self) -> Date {
        self.today()
            .checked_add(jiff::Span::new().days(kb::REVIEW_DAYS))
            .unwrap_or(self.today())
    }

    /// Stores the shipped articles that are missing (an edited or archived one is kept).
    pub async fn install_seed_articles(&self) -> DeskResult<()> {
        let now = self.now();
        let review_by = self.review_default();
        let seeds =
            seed_articles(now, review_by).map_err(|e| DomainError::invalid("seed_article", e))?;
        for article in seeds {
            self.store
                .put_article(&article, ArticleWrite::InstallIfAbsent)
                .await?;
        }
        Ok(())
    }

    pub async fn kb_categories(&self) -> DeskResult<Vec<kb::ArticleCategory>> {
        Ok(self
            .setting_or_default::<Categories>("kb_categories")
            .await?
            .0)
    }

    /// Articles the reader may see, matching the filter.
    pub async fn list_articles(
        &self,
        reader: Reader<'_>,
        filter: &ArticleFilter,
    ) -> DeskResult<Vec<Article>> {
        let audience = match reader {
            Reader::Staff(_) => filter.audience,
            Reader::Public => Some(ArticleAudience::Public),
        };
        if matches!(reader, Reader::Public) && (filter.archived || filter.overdue) {
            return Err(DomainError::Forbidden("staff only".into()));
        }
        Ok(self
            .store
            .list_articles(&ArticleQuery {
                category: filter.category.clone().filter(|c| !c.is_empty()),
                audience,
                intent: None,
                review_before: filter.overdue.then(|| self.today()),
                archived: filter.archived,
                limit: filter.limit.unwrap_or(LIST_MAX).clamp(1, LIST_MAX),
            })
            .await?)
    }

    /// The articles whose review is overdue, oldest review date first.
    pub async fn overdue_reviews(&self, actor: &Actor) -> DeskResult<Vec<Article>> {
        let mut list = self
            .list_articles(
                Reader::Staff(actor),
                &ArticleFilter {
                    overdue: true,
                    ..ArticleFilter::default()
                },
            )
            .await?;
        list.sort_by(|a, b| a.review_by.cmp(&b.review_by).then(a.id.cmp(&b.id)));
        Ok(list)
    }

    /// One article; the public sees only live public ones (anything else is not found, so
    /// an internal article's existence is not revealed).
    pub async fn get_article(&self, reader: Reader<'_>, id: &str) -> DeskResult<Article> {
        if id.is_empty() || id.len() > 64 {
            return Err(not_found(id));
        }
        let article = self.store.article(id).await?.ok_or_else(|| not_found(id))?;
        match reader {
            Reader::Public if !article.is_public() => Err(not_found(id)),
            _ => Ok(article),
        }
    }

    pub async fn article_history(&self, actor: &Actor, id: &str) -> DeskResult<Vec<Article>> {
        self.get_article(Reader::Staff(actor), id).await?;
        Ok(self.store.article_versions(id, HISTORY_MAX).await?)
    }

    pub async fn article_version(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
    ) -> DeskResult<Article> {
        self.get_article(Reader::Staff(actor), id).await?;
        self.store
            .article_version(id, version)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("version {version} of article {id}")))
    }

    pub async fn create_article(&self, actor: &Actor, draft: ArticleDraft) -> DeskResult<Article> {
        if !writes_articles(actor) {
            return Err(DomainError::Forbidden(
                "only agents, supervisors and admins write articles".into(),
            ));
        }
        let now = self.now();
        let checked = kb::check_draft(&draft, &self.kb_categories().await?)?;
        let owner = match draft.owner.as_deref().map(str::trim) {
            None | Some("") => actor.user_id.clone(),
            Some(name) => self.article_owner(name).await?,
        };
        let article = Article {
            id: MessageId::new(now).to_string(),
            category: checked.category,
            tags: checked.tags,
            audience: checked.audience,
            owner_id: Some(owner),
            review_by: checked.review_by.unwrap_or_else(|| self.review_default()),
            intents: checked.intents,
            zh: checked.zh,
            en: checked.en,
            archived: false,
            version: 1,
            change_note: checked.change_note,
            created_by: actor.event_name(),
            created_at: now,
            updated_by: actor.event_name(),
            updated_at: now,
        };
        self.store
            .put_article(&article, ArticleWrite::Create)
            .await?;
        Ok(article)
    }

    async fn article_owner(&self, username: &str) -> DeskResult<kefu_model::ids::UserId> {
        self.store
            .user_by_username(username)
            .await?
            .filter(|u| u.active)
            .map(|u| u.id)
            .ok_or_else(|| DomainError::invalid("owner", "no active user by that name"))
    }

    /// Admins and supervisors change any article; others only the ones they own.
    pub fn may_edit_article(&self, actor: &Actor, article: &Article) -> DeskResult<()> {
        if manages_articles(actor)
            || (writes_articles(actor) && article.owner_id.as_ref() == Some(&actor.user_id))
        {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "only the article's owner, supervisors and admins change it".into(),
            ))
        }
    }

    /// Saves `next` as the version after `current`.
    async fn save_version(
        &self,
        actor: &Actor,
        current: &Article,
        mut next: Article,
        base_version: i64,
    ) -> DeskResult<Article> {
        if base_version != current.version {
            return Err(DomainError::Store(
                kefu_model::error::StoreError::VersionConflict,
            ));
        }
        next.version = current.version + 1;
        next.updated_by = actor.event_name();
        next.updated_at = self.now();
        self.store
            .put_article(
                &next,
                ArticleWrite::Update {
                    expected_version: current.version,
                },
            )
            .await?;
        Ok(next)
    }

    /// A new version with the draft's content.
    pub async fn update_article(
        &self,
        actor: &Actor,
        id: &str,
        draft: ArticleDraft,
    ) -> DeskResult<Article> {
        let current = self.get_article(Reader::Staff(actor), id).await?;
        self.may_edit_article(actor, &current)?;
        let base = draft.base_version.ok_or_else(|| {
            DomainError::invalid("base_version", "the version this edit started from")
        })?;
        let checked = kb::check_draft(&draft, &self.kb_categories().await?)?;
        let owner = match draft.owner.as_deref().map(str::trim) {
            None | Some("") => current.owner_id.clone(),
            Some(name) => Some(self.article_owner(name).await?),
        };
        let next = Article {
            category: checked.category,
            tags: checked.tags,
            audience: checked.audience,
            owner_id: owner,
            review_by: checked.review_by.unwrap_or(current.review_by),
            intents: checked.intents,
            zh: checked.zh,
            en: checked.en,
            change_note: checked.change_note,
            ..current.clone()
        };
        self.save_version(actor, &current, next, base).await
    }

    /// Archives (or, with `archived: false`, brings back) an article, as a new version.
    pub async fn archive_article(
        &self,
        actor: &Actor,
        id: &str,
        archived: bool,
        base_version: i64,
    ) -> DeskResult<Article> {
        let current = self.get_article(Reader::Staff(actor), id).await?;
        self.may_edit_article(actor, &current)?;
        let next = Article {
            archived,
            change_note: if archived {
                "归档 · archived"
            } else {
                "恢复 · restored"
            }
            .into(),
            ..current.clone()
        };
        self.save_version(actor, &current, next, base_version).await
    }

    /// Makes an old version's content current again (as a new version: history only grows).
    pub async fn restore_article_version(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        base_version: i64,
    ) -> DeskResult<Article> {
        let current = self.get_article(Reader::Staff(actor), id).await?;
        self.may_edit_article(actor, &current)?;
        // `current` was read as this reader; the old version needs no second check.
        let old = self
            .store
            .article_version(id, version)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("version {version} of article {id}")))?;
        let next = Article {
            category: old.category,
            tags: old.tags,
            audience: old.audience,
            intents: old.intents,
            zh: old.zh,
            en: old.en,
            change_note: format!("恢复到第 {version} 版 · restored version {version}"),
            ..current.clone()
        };
        self.save_version(actor, &current, next, base_version).await
    }

    /// Records that the article was reviewed: the next review is due on `next` (or
    /// [`kb::REVIEW_DAYS`] from today), and whoever reviews it owns it if nobody did.
    pub async fn mark_article_reviewed(
        &self,
        actor: &Actor,
        id: &str,
        next: Option<Date>,
        base_version: i64,
    ) -> DeskResult<Article> {
        let current = self.get_article(Reader::Staff(actor), id).await?;
        self.may_edit_article(actor, &current)?;
        let next_review = next.unwrap_or_else(|| self.review_default());
        if next_review <= self.today() {
            return Err(DomainError::invalid("review_by", "must be after today"));
        }
        let next = Article {
            review_by: next_review,
            owner_id: current
                .owner_id
                .clone()
                .or_else(|| Some(actor.user_id.clone())),
            change_note: format!("已复核，下次复核 {next_review} · reviewed"),
            ..current.clone()
        };
        self.save_version(actor, &current, next, base_version).await
    }

    /// A reader's "was this helpful?".
    pub async fn article_feedback(
        &self,
        reader: Reader<'_>,
        id: &str,
        helpful: bool,
        comment: Option<&str>,
        source: GapSource,
    ) -> DeskResult<()> {
        let article = self.get_article(reader, id).await?;
        if article.archived {
            return Err(not_found(id));
        }
        let now = self.now();
        self.store
            .add_article_feedback(&ArticleFeedback {
                id: MessageId::new(now).to_string(),
                article_id: article.id,
                helpful,
                comment: kb::check_comment(comment)?,
                source,
                at: now,
            })
            .await?;
        Ok(())
    }

    pub async fn feedback_counts(
        &self,
        ids: &[String],
    ) -> DeskResult<std::collections::HashMap<String, FeedbackCounts>> {
        Ok(self
            .store
            .article_feedback_counts(ids)
            .await?
            .into_iter()
            .collect())
    }

    /// The latest votes with their comments (staff).
    pub async fn recent_feedback(
        &self,
        actor: &Actor,
        id: &str,
    ) -> DeskResult<Vec<ArticleFeedback>> {
        self.get_article(Reader::Staff(actor), id).await?;
        Ok(self.store.article_feedback(id, 50).await?)
    }

    /// Notes a question that found nothing good (nothing is noted for an empty question).
    pub async fn record_gap(
        &self,
        source: GapSource,
        question: &str,
        best_article_id: Option<String>,
    ) -> DeskResult<()> {
        let now = self.now();
        if let Some(gap) = SearchGap::new(
            MessageId::new(now).to_string(),
            now,
            source,
            question,
            best_article_id,
        ) {
            self.store.add_search_gap(&gap).await?;
        }
        Ok(())
    }

    /// The questions of the last `days` days that found nothing good, most asked first.
    pub async fn gaps_report(
        &self,
        actor: &Actor,
        days: i64,
        limit: usize,
    ) -> DeskResult<Vec<GapLine>> {
        if !may_read_gaps(actor) {
            return Err(DomainError::Forbidden("staff who write articles".into()));
        }
        if !(1..=365).contains(&days) {
            return Err(DomainError::invalid("days", "1 to 365"));
        }
        let since = self
            .now()
            .checked_sub(jiff::SignedDuration::from_hours(24 * days))
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let gaps = self.store.search_gaps(since, GAPS_READ).await?;
        Ok(kb::gap_report(&gaps, limit.clamp(1, 500)))
    }

    /// Searches articles: the reader's visibility, a question without a hit noted as a gap.
    pub async fn search_articles(
        &self,
        reader: Reader<'_>,
        q: &str,
        limit: usize,
        source: GapSource,
    ) -> DeskResult<Vec<SearchHit>> {
        let engine = self.search.clone().ok_or_else(|| {
            DomainError::conflict("search_unavailable", "this node has no search index")
        })?;
        let scope = match reader {
            Reader::Staff(actor) => scope_for(actor)?,
            Reader::Public => SearchScope::PublicArticles,
        };
        let hits = engine.search(
            &SearchRequest {
                q: q.to_string(),
                kind: Some(SearchKind::Article),
                limit,
                ..SearchRequest::default()
            },
            &scope,
        )?;
        if hits.is_empty() {
            self.record_gap(source, q, None).await?;
        }
        Ok(hits)
    }

    /// The public article that best answers `question`: strong when it holds most of the
    /// question's words (or it is the one article linked to the intent asked about), else the
    /// closest there is. `None` when nothing comes close or the node has no index.
    pub async fn best_public_article(
        &self,
        question: &str,
        intent: Option<Intent>,
    ) -> DeskResult<Option<ArticleMatch>> {
        let linked = match intent {
            Some(i) => {
                self.store
                    .list_articles(&ArticleQuery {
                        audience: Some(ArticleAudience::Public),
                        intent: Some(i),
                        limit: 20,
                        ..ArticleQuery::default()
                    })
                    .await?
            }
            None => Vec::new(),
        };
        let Some(engine) = self.search.clone() else {
            return Ok(linked.into_iter().next().map(|article| ArticleMatch {
                article,
                strong: true,
            }));
        };
        let ask = |min_word_percent: Option<u8>| {
            engine.search(
                &SearchRequest {
                    q: question.to_string(),
                    kind: Some(SearchKind::Article),
                    limit: 5,
                    min_word_percent,
                    ..SearchRequest::default()
                },
                &SearchScope::PublicArticles,
            )
        };
        // An article linked to the intent wins among hits; the one linked article answers
        // when no hit is strong (the operator said it does); else the closest hit is only
        // offered as such. A question of no searchable words (emoji, punctuation) finds
        // nothing.
        let pick = |hits: Vec<SearchHit>| {
            let linked_hit = hits
                .iter()
                .position(|h| linked.iter().any(|a| a.id == h.id));
            hits.into_iter().nth(linked_hit.unwrap_or(0)).map(|h| h.id)
        };
        let (id, strong) =
            if let Some(id) = pick(ask(Some(STRONG_WORD_PERCENT)).unwrap_or_default()) {
                (id, true)
            } else if let [only] = linked.as_slice() {
                return Ok(Some(ArticleMatch {
                    article: only.clone(),
                    strong: true,
                }));
            } else if let Some(id) = pick(ask(Some(CLOSE_WORD_PERCENT)).unwrap_or_default()) {
                (id, false)
            } else {
                return Ok(None);
            };
        if let Some(article) = linked.into_iter().find(|a| a.id == id) {
            return Ok(Some(ArticleMatch { article, strong }));
        }
        Ok(self
            .store
            .article(&id)
            .await?
            .filter(Article::is_public)
            .map(|article| ArticleMatch { article, strong }))
    }
}
