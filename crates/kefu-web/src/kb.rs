//! `/api/v1/kb…` (staff) and `/api/v1/help…` (public): the knowledge base. Parse, call the
//! desk, shape the answer; who may read or change what, versions and reviews are the desk's.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::civil::Date;
use kefu_model::kb::{Article, ArticleAudience, ArticleDraft, GapSource};
use kefu_model::knowledge::{ArticleFilter, Reader};
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{
    ArticleView, ArticleWithVotes, CategoryView, FeedbackView, GapView, List, SearchHitView,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    category: Option<String>,
    audience: Option<ArticleAudience>,
    #[serde(default)]
    overdue: bool,
    #[serde(default)]
    archived: bool,
    limit: Option<u32>,
}

/// Articles with their votes.
async fn listed(
    state: &AppState,
    articles: Vec<Article>,
) -> ApiResult<Json<List<ArticleWithVotes>>> {
    let ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
    let counts = state.desk.feedback_counts(&ids).await?;
    Ok(Json(List::of(&articles, |a| {
        ArticleWithVotes::of(a, &counts)
    })))
}

/// `GET /kb/articles?category=&audience=&overdue=&archived=`.
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<List<ArticleWithVotes>>> {
    let filter = ArticleFilter {
        category: p.category,
        audience: p.audience,
        overdue: p.overdue,
        archived: p.archived,
        limit: p.limit,
    };
    let articles = state
        .desk
        .list_articles(Reader::Staff(&actor), &filter)
        .await?;
    listed(&state, articles).await
}

pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<ArticleDraft>,
) -> ApiResult<(StatusCode, Json<ArticleView>)> {
    let article = state.desk.create_article(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(ArticleView::from(&article))))
}

pub async fn get(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ArticleWithVotes>> {
    let article = state.desk.get_article(Reader::Staff(&actor), &id).await?;
    let counts = state
        .desk
        .feedback_counts(std::slice::from_ref(&article.id))
        .await?;
    Ok(Json(ArticleWithVotes::of(&article, &counts)))
}

pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<ArticleDraft>,
) -> ApiResult<Json<ArticleView>> {
    Ok(Json(ArticleView::from(
        &state.desk.update_article(&actor, &id, draft).await?,
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveBody {
    archived: bool,
    base_version: i64,
}

pub async fn archive(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ArchiveBody>,
) -> ApiResult<Json<ArticleView>> {
    Ok(Json(ArticleView::from(
        &state
            .desk
            .archive_article(&actor, &id, b.archived, b.base_version)
            .await?,
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    review_by: Option<Date>,
    base_version: i64,
}

/// `POST /kb/articles/{id}/review`: reviewed; the next review is due on `review_by`.
pub async fn review(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> ApiResult<Json<ArticleView>> {
    Ok(Json(ArticleView::from(
        &state
            .desk
            .mark_article_reviewed(&actor, &id, b.review_by, b.base_version)
            .await?,
    )))
}

/// `GET /kb/reviews/overdue`.
pub async fn overdue(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<ArticleWithVotes>>> {
    let articles = state.desk.overdue_reviews(&actor).await?;
    listed(&state, articles).await
}

/// `GET /kb/articles/{id}/versions`: newest first.
pub async fn versions(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<List<ArticleView>>> {
    let items = state.desk.article_history(&actor, &id).await?;
    Ok(Json(List::of(&items, ArticleView::from)))
}

pub async fn version(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, version)): ApiPath<(String, i64)>,
) -> ApiResult<Json<ArticleView>> {
    Ok(Json(ArticleView::from(
        &state.desk.article_version(&actor, &id, version).await?,
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreBody {
    base_version: i64,
}

/// `POST /kb/articles/{id}/versions/{n}/restore`: version n's content as a new version.
pub async fn restore(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, version)): ApiPath<(String, i64)>,
    ApiJson(b): ApiJson<RestoreBody>,
) -> ApiResult<Json<ArticleView>> {
    Ok(Json(ArticleView::from(
        &state
            .desk
            .restore_article_version(&actor, &id, version, b.base_version)
            .await?,
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    helpful: bool,
    comment: Option<String>,
}

/// `POST /kb/articles/{id}/feedback` (staff).
pub async fn staff_feedback(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<FeedbackBody>,
) -> ApiResult<StatusCode> {
    state
        .desk
        .article_feedback(
            Reader::Staff(&actor),
            &id,
            b.helpful,
            b.comment.as_deref(),
            GapSource::Console,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /kb/articles/{id}/feedback`: the latest votes and comments.
pub async fn feedback_list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<List<FeedbackView>>> {
    let items = state.desk.recent_feedback(&actor, &id).await?;
    Ok(Json(List::of(items, FeedbackView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapParams {
    days: Option<i64>,
    limit: Option<usize>,
}

/// `GET /kb/gaps?days=30`: questions that found nothing good, most asked first.
pub async fn gaps(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<GapParams>,
) -> ApiResult<Json<List<GapView>>> {
    let items = state
        .desk
        .gaps_report(&actor, p.days.unwrap_or(30), p.limit.unwrap_or(100))
        .await?;
    Ok(Json(List::of(items, GapView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    q: String,
    limit: Option<usize>,
}

/// `GET /kb/search?q=`: articles the caller may read.
pub async fn search(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<List<SearchHitView>>> {
    let items = state
        .desk
        .search_articles(
            Reader::Staff(&actor),
            &p.q,
            p.limit.unwrap_or(20).clamp(1, 100),
            GapSource::Console,
        )
        .await?;
    Ok(Json(List::of(items, SearchHitView::from)))
}

/// `GET /kb/categories`.
pub async fn categories(State(state): State<AppState>) -> ApiResult<Json<List<CategoryView>>> {
    let categories = state.desk.kb_categories().await?;
    Ok(Json(List::of(categories, CategoryView::from)))
}

// ---- public: the help centre ------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicListParams {
    category: Option<String>,
    limit: Option<u32>,
}

/// `GET /help/articles?category=`: public articles.
pub async fn public_list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<PublicListParams>,
) -> ApiResult<Json<List<ArticleWithVotes>>> {
    let filter = ArticleFilter {
        category: p.category,
        limit: p.limit,
        ..ArticleFilter::default()
    };
    let articles = state.desk.list_articles(Reader::Public, &filter).await?;
    listed(&state, articles).await
}

pub async fn public_get(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ArticleView>> {
    Ok(Json(ArticleView::from(
        &state.desk.get_article(Reader::Public, &id).await?,
    )))
}

/// `GET /help/search?q=`: public articles only; a question without a hit is a gap.
pub async fn public_search(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<List<SearchHitView>>> {
    crate::chat::rate_limited(&state, &parts)?;
    let items = state
        .desk
        .search_articles(
            Reader::Public,
            &p.q,
            p.limit.unwrap_or(10).clamp(1, 50),
            GapSource::Portal,
        )
        .await?;
    Ok(Json(List::of(items, SearchHitView::from)))
}

/// `POST /help/articles/{id}/feedback`: "was this helpful?" from anyone, rate-limited.
pub async fn public_feedback(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    parts: axum::http::request::Parts,
    ApiJson(b): ApiJson<FeedbackBody>,
) -> ApiResult<StatusCode> {
    crate::chat::rate_limited(&state, &parts)?;
    state
        .desk
        .article_feedback(
            Reader::Public,
            &id,
            b.helpful,
            b.comment.as_deref(),
            GapSource::Portal,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
