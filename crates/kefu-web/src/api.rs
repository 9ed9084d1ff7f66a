//! The `/api/v1` handlers: parse, call the desk, shape the answer.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kefu_model::drafts::{
    CaseDraft, CasePatch, CustomerDraft, DepartmentDraft, MessageDraft, UserDraft,
};
use kefu_model::records::CaseQuery;
use kefu_model::{Case, Category, Phone, Priority, Status};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, bearer_token, body_bytes, parse_json};
use crate::views::{
    AgentLoadView, AgentProfileView, CalendarDue, CalendarView, CaseView, ChatFrames,
    CustomerMaskedView, DepartmentView, EventView, List, LoginResult, MarkedRead, MessageView,
    NotificationView, Page, RecognitionView, SearchHitView, SlaPolicyView, UnderstandingView,
    UserView,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResult>> {
    if req.username.len() > 64 || req.password.len() > 256 {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "wrong username or password",
        ));
    }
    let (token, user) = state
        .desk
        .login(&req.username, &req.password)
        .await
        .map_err(|e| match e {
            kefu_model::DomainError::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "wrong username or password",
            ),
            other => other.into(),
        })?;
    Ok(Json(LoginResult {
        token,
        token_type: "Bearer",
        user: UserView::from(&user),
    }))
}

pub async fn logout(
    State(state): State<AppState>,
    Auth(_): Auth,
    request: Request,
) -> ApiResult<StatusCode> {
    let (parts, _) = request.into_parts();
    if let Some(token) = bearer_token(&parts.headers) {
        state.sessions.forget(token);
        state.desk.logout(token).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<UserView>> {
    let user = state.desk.me(&actor).await?;
    Ok(Json(UserView::from(&user)))
}

pub async fn create_user(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<UserDraft>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let user = state.desk.create_user(Some(&actor), draft).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&user))))
}

pub async fn list_users(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<UserView>>> {
    let users = state.desk.list_users(&actor).await?;
    Ok(Json(List::of(&users, UserView::from)))
}

pub async fn create_department(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<DepartmentDraft>,
) -> ApiResult<(StatusCode, Json<DepartmentView>)> {
    let department = state.desk.create_department(Some(&actor), draft).await?;
    Ok((StatusCode::CREATED, Json(DepartmentView::from(&department))))
}

pub async fn list_departments(
    State(state): State<AppState>,
    Auth(_): Auth,
) -> ApiResult<Json<List<DepartmentView>>> {
    let departments = state.desk.list_departments().await?;
    Ok(Json(List::of(&departments, DepartmentView::from)))
}

pub async fn create_customer(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<CustomerDraft>,
) -> ApiResult<(StatusCode, Json<CustomerMaskedView>)> {
    let customer = state.desk.create_customer(&actor, draft).await?;
    let view = kefu_model::customer::CustomerView::of(&customer);
    Ok((StatusCode::CREATED, Json(CustomerMaskedView::from(&view))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerListParams {
    phone: Option<String>,
    email: Option<String>,
    name: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

pub async fn list_customers(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<CustomerListParams>,
) -> ApiResult<Json<Page<CustomerMaskedView>>> {
    let page = state
        .desk
        .list_customers(
            &actor,
            p.phone.as_deref(),
            p.email.as_deref(),
            p.name.as_deref(),
            p.cursor.as_deref(),
            p.limit,
        )
        .await?;
    Ok(Json(Page {
        items: page
            .items
            .iter()
            .map(|c| CustomerMaskedView::from(&kefu_model::customer::CustomerView::of(c)))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

pub async fn get_customer(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CustomerMaskedView>> {
    let customer = state.desk.view_customer(&actor, &id).await?;
    Ok(Json(CustomerMaskedView::from(&customer)))
}

const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Creates a case. With an `Idempotency-Key`, a retry of the same request returns the first
/// answer (and `Idempotent-Replayed: true`) instead of a second case.
pub async fn create_case(
    State(state): State<AppState>,
    Auth(actor): Auth,
    request: Request,
) -> ApiResult<Response> {
    let key = idempotency_key(request.headers())?;
    let bytes = body_bytes(request, &state).await?;
    let draft: CaseDraft = parse_json(&bytes)?;
    let idempotency = key.map(|k| {
        let digest = Sha256::digest(&bytes);
        (
            k,
            digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
        )
    });
    let created = state.desk.create_case(&actor, draft, idempotency).await?;
    let view = case_view(&state, &created.case).await?;
    let mut response = (StatusCode::CREATED, Json(view)).into_response();
    if created.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| ApiError::invalid("Idempotency-Key", "1–200 visible ASCII characters"))?;
    Ok(Some(key.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseListParams {
    status: Option<Status>,
    category: Option<Category>,
    priority: Option<Priority>,
    phone: Option<String>,
    customer_id: Option<String>,
    assignee: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

pub async fn list_cases(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<CaseListParams>,
) -> ApiResult<Json<Page<CaseView>>> {
    let phone = p
        .phone
        .as_deref()
        .map(|raw| Phone::parse(raw).map_err(|m| ApiError::invalid("phone", m)))
        .transpose()?;
    let query = CaseQuery {
        status: p.status,
        category: p.category,
        priority: p.priority,
        phone,
        customer_id: p
            .customer_id
            .as_deref()
            .map(|c| {
                kefu_model::CustomerId::parse(c)
                    .ok_or_else(|| ApiError::invalid("customer_id", "not an id"))
            })
            .transpose()?,
        assignee: p
            .assignee
            .as_deref()
            .map(|a| {
                kefu_model::UserId::parse(a)
                    .ok_or_else(|| ApiError::invalid("assignee", "not a user id"))
            })
            .transpose()?,
        ..CaseQuery::default()
    };
    let page = state
        .desk
        .list_cases(&actor, query, p.cursor.as_deref(), p.limit)
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for case in &page.items {
        items.push(case_view(&state, case).await?);
    }
    Ok(Json(Page {
        items,
        next_cursor: page.next_cursor,
    }))
}

pub async fn get_case(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CaseView>> {
    let case = state.desk.get_case(&actor, &id).await?;
    Ok(Json(case_view(&state, &case).await?))
}

pub async fn update_case(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<CasePatch>,
) -> ApiResult<Json<CaseView>> {
    let case = state.desk.update_case(&actor, &id, patch).await?;
    Ok(Json(case_view(&state, &case).await?))
}

pub async fn add_message(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<MessageDraft>,
) -> ApiResult<Response> {
    let (_, event) = state.desk.add_message(&actor, &id, draft).await?;
    let view = MessageView::of(&event).ok_or_else(|| ApiError::not_found("message"))?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn list_messages(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<List<MessageView>>> {
    let events = state.desk.case_events(&actor, &id).await?;
    Ok(Json(List {
        items: events.iter().filter_map(MessageView::of).collect(),
    }))
}

pub async fn list_events(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<List<EventView>>> {
    let events = state.desk.case_events(&actor, &id).await?;
    Ok(Json(List::of(&events, EventView::from)))
}

pub async fn list_calendars(
    State(state): State<AppState>,
    Auth(_): Auth,
) -> ApiResult<Json<List<CalendarView>>> {
    let calendars = state.desk.list_calendars().await?;
    Ok(Json(List::of(&calendars, |(key, spec)| {
        CalendarView::of(key, spec)
    })))
}

pub async fn get_calendar(
    State(state): State<AppState>,
    Auth(_): Auth,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<CalendarView>> {
    let spec = state.desk.get_calendar(&key).await?;
    Ok(Json(CalendarView::of(&key, &spec)))
}

pub async fn put_calendar(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(spec): ApiJson<kefu_model::calendar::CalendarSpec>,
) -> ApiResult<Json<CalendarView>> {
    let spec = state.desk.put_calendar(&actor, &key, spec).await?;
    Ok(Json(CalendarView::of(&key, &spec)))
}

pub async fn calendar_add(
    State(state): State<AppState>,
    Auth(_): Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(request): ApiJson<kefu_model::drafts::CalendarAdd>,
) -> ApiResult<Json<CalendarDue>> {
    let due = state.desk.calendar_add(&key, request).await?;
    for warning in &due.warnings {
        tracing::warn!(calendar = %key, "{warning}");
    }
    Ok(Json(CalendarDue::from(due)))
}

/// A case as the API shows it: the stored projection, with each clock's remaining business
/// time (seconds; negative when overdue) computed now.
pub async fn case_view(state: &AppState, case: &Case) -> ApiResult<CaseView> {
    let remaining = state.desk.clock_remaining(case).await?;
    Ok(CaseView::of(case, &remaining))
}

pub async fn list_sla_policies(
    State(state): State<AppState>,
    Auth(_): Auth,
) -> ApiResult<Json<List<SlaPolicyView>>> {
    let policies = state.desk.list_sla_policies().await?;
    Ok(Json(List::of(&policies, |(key, policy)| {
        SlaPolicyView::of(key, policy)
    })))
}

pub async fn put_sla_policy(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(policy): ApiJson<kefu_model::sla::SlaPolicy>,
) -> ApiResult<Json<SlaPolicyView>> {
    let policy = state.desk.put_sla_policy(&actor, &key, policy).await?;
    Ok(Json(SlaPolicyView::of(&key, &policy)))
}

pub async fn make_commitment(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<kefu_model::drafts::CommitmentDraft>,
) -> ApiResult<(StatusCode, Json<CaseView>)> {
    let case = state.desk.make_commitment(&actor, &id, draft).await?;
    Ok((StatusCode::CREATED, Json(case_view(&state, &case).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    reason: String,
}

pub async fn escalate(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<EscalateRequest>,
) -> ApiResult<Json<CaseView>> {
    let case = state.desk.escalate(&actor, &id, &req.reason).await?;
    Ok(Json(case_view(&state, &case).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    unread: Option<bool>,
    limit: Option<u32>,
}

pub async fn list_notifications(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<NotificationParams>,
) -> ApiResult<Json<List<NotificationView>>> {
    let items = state
        .desk
        .notifications(&actor, p.unread.unwrap_or(false), p.limit)
        .await?;
    Ok(Json(List::of(&items, NotificationView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    #[serde(default)]
    ids: Vec<String>,
}

pub async fn mark_notifications_read(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(req): ApiJson<MarkReadRequest>,
) -> ApiResult<Json<MarkedRead>> {
    if req.ids.len() > 1000 {
        return Err(ApiError::invalid("ids", "at most 1000 at a time"));
    }
    let marked = state.desk.mark_notifications_read(&actor, &req.ids).await?;
    Ok(Json(MarkedRead { marked }))
}

/// Whose number is this: ranked carrier candidates (R-TRK-6).
pub async fn recognize_waybill(
    State(state): State<AppState>,
    Auth(_): Auth,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<RecognitionView>> {
    if number.chars().count() > 64 {
        return Err(ApiError::invalid("number", "at most 64 characters"));
    }
    let recognition = state.desk.recognizer().await?.recognize(&number);
    Ok(Json(RecognitionView::from(&recognition)))
}

#[derive(Deserialize)]
pub struct AfterQuery {
    #[serde(default)]
    after: i64,
}

/// `GET /chat/cases/{id}/frames?after=`.
pub async fn chat_frames(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<AfterQuery>,
) -> ApiResult<Json<ChatFrames>> {
    let (case, conversation) = state.desk.chat_of_case(&actor, &id).await?;
    let frames = state
        .desk
        .chat_frames(&case.id, q.after.max(0), kefu_model::chat::Audience::Staff)
        .await?;
    Ok(Json(ChatFrames {
        case_id: case.id.to_string(),
        case_number: case.number,
        customer_read_seq: conversation.customer_read_seq,
        staff_read_seq: conversation.staff_read_seq,
        bot: case.bot,
        items: frames,
    }))
}

pub async fn get_presence(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<AgentProfileView>> {
    let profile = state.desk.presence(&actor).await?;
    Ok(Json(AgentProfileView::from(&profile)))
}

pub async fn put_presence(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<kefu_model::routing::PresenceDraft>,
) -> ApiResult<Json<AgentProfileView>> {
    let profile = state.desk.set_presence(&actor, draft).await?;
    // Someone free now takes what waits.
    if let Err(e) = state.desk.route_waiting(50).await {
        tracing::warn!("routing after a presence change failed: {e}");
    }
    Ok(Json(AgentProfileView::from(&profile)))
}

/// `GET /routing/agents`: who is on, and how loaded.
pub async fn routing_agents(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<AgentLoadView>>> {
    if !matches!(
        actor.role,
        kefu_model::Role::Admin | kefu_model::Role::Supervisor
    ) {
        return Err(kefu_model::DomainError::Forbidden(
            "only supervisors and admins see the agents' load".into(),
        )
        .into());
    }
    let loads = state.desk.agent_loads().await?;
    Ok(Json(List::of(&loads, AgentLoadView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NluRequest {
    text: String,
}

/// `POST /nlu/parse {"text"}`.
pub async fn nlu_parse(
    State(state): State<AppState>,
    Auth(_actor): Auth,
    ApiJson(req): ApiJson<NluRequest>,
) -> ApiResult<Json<UnderstandingView>> {
    if req.text.chars().count() > kefu_model::chat::CHAT_TEXT_MAX {
        return Err(ApiError::invalid("text", "at most 4000 characters"));
    }
    Ok(Json(UnderstandingView::from(
        state.desk.understand(&req.text),
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    q: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    status: Option<String>,
    category: Option<String>,
    /// A department id or key.
    department: Option<String>,
    /// Created on or after: a local day (`YYYY-MM-DD`, the desk's time zone) or an RFC 3339 time.
    from: Option<String>,
    /// Created on or before (inclusive): a local day or an RFC 3339 time.
    to: Option<String>,
    limit: Option<usize>,
}

/// `GET /search?q=&type=&status=&category=&department=&from=&to=&limit=`: ranked hits the
/// caller may see.
pub async fn search(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<List<SearchHitView>>> {
    use kefu_model::search::SearchFilters;
    if !state.desk.has_search() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "search_unavailable",
            "this node has no search index",
        ));
    };
    let filters = SearchFilters {
        kind: p.kind.as_deref(),
        status: p.status.as_deref(),
        category: p.category.as_deref(),
        department: p.department.as_deref(),
        from: p.from.as_deref(),
        to: p.to.as_deref(),
    };
    let request = state
        .desk
        .search_request(p.q, &filters, p.limit.unwrap_or(20).clamp(1, 100))
        .await?;
    let hits = state.desk.search(&actor, &request).await?;
    Ok(Json(List::of(hits, SearchHitView::from)))
}
