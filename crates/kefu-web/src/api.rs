//! The `/api/v1` handlers: parse, call the desk, shape the answer.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use kefu_model::customer::CustomerView;
use kefu_model::drafts::{
    CaseDraft, CasePatch, CustomerDraft, DepartmentDraft, MessageDraft, UserDraft,
};
use kefu_model::records::CaseQuery;
use kefu_model::{Case, CaseEvent, Category, EventData, Phone, Priority, Status, User};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, bearer_token, body_bytes, parse_json};

/// A user as the API shows it: never the password hash.
#[derive(Serialize)]
pub struct UserView {
    id: String,
    username: String,
    display_name: String,
    role: kefu_model::Role,
    department_id: Option<String>,
    active: bool,
    created_at: Timestamp,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.to_string(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            department_id: u.department_id.as_ref().map(|d| d.to_string()),
            active: u.active,
            created_at: u.created_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<Value>> {
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
    Ok(Json(
        json!({ "token": token, "token_type": "Bearer", "user": UserView::from(&user) }),
    ))
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
) -> ApiResult<Json<Value>> {
    let users = state.desk.list_users(&actor).await?;
    Ok(Json(
        json!({ "items": users.iter().map(UserView::from).collect::<Vec<_>>() }),
    ))
}

pub async fn create_department(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<DepartmentDraft>,
) -> ApiResult<(StatusCode, Json<kefu_model::Department>)> {
    let department = state.desk.create_department(Some(&actor), draft).await?;
    Ok((StatusCode::CREATED, Json(department)))
}

pub async fn list_departments(
    State(state): State<AppState>,
    Auth(_): Auth,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "items": state.desk.list_departments().await? }),
    ))
}

pub async fn create_customer(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<CustomerDraft>,
) -> ApiResult<(StatusCode, Json<CustomerView>)> {
    let customer = state.desk.create_customer(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(CustomerView::of(&customer))))
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
) -> ApiResult<Json<kefu_model::records::Page<CustomerView>>> {
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
    Ok(Json(kefu_model::records::Page {
        items: page.items.iter().map(CustomerView::of).collect(),
        next_cursor: page.next_cursor,
    }))
}

pub async fn get_customer(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CustomerView>> {
    Ok(Json(state.desk.view_customer(&actor, &id).await?))
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
    let mut response = (StatusCode::CREATED, Json(&created.case)).into_response();
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
) -> ApiResult<Json<Value>> {
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
    Ok(Json(
        json!({ "items": items, "next_cursor": page.next_cursor }),
    ))
}

pub async fn get_case(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let case = state.desk.get_case(&actor, &id).await?;
    Ok(Json(case_view(&state, &case).await?))
}

pub async fn update_case(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<CasePatch>,
) -> ApiResult<Json<Value>> {
    let case = state.desk.update_case(&actor, &id, patch).await?;
    Ok(Json(case_view(&state, &case).await?))
}

/// A message as the API shows it, taken from its `message_added` event.
#[derive(Serialize)]
pub struct MessageView<'a> {
    id: String,
    case_id: String,
    seq: i64,
    body: &'a str,
    visibility: kefu_model::Visibility,
    author_kind: &'a str,
    /// A call staff logged, rather than a written message.
    call: bool,
    actor: &'a str,
    at: Timestamp,
}

fn message_view(e: &CaseEvent) -> Option<MessageView<'_>> {
    match &e.data {
        EventData::MessageAdded {
            message_id,
            body,
            visibility,
            author_kind,
            call,
            ..
        } => Some(MessageView {
            call: *call,
            id: message_id.to_string(),
            case_id: e.case_id.to_string(),
            seq: e.seq,
            body,
            visibility: *visibility,
            author_kind,
            actor: &e.actor,
            at: e.at,
        }),
        _ => None,
    }
}

pub async fn add_message(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<MessageDraft>,
) -> ApiResult<Response> {
    let (_, event) = state.desk.add_message(&actor, &id, draft).await?;
    let view = message_view(&event).ok_or_else(|| ApiError::not_found("message"))?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn list_messages(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let events = state.desk.case_events(&actor, &id).await?;
    let items: Vec<MessageView<'_>> = events.iter().filter_map(message_view).collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn list_events(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let events = state.desk.case_events(&actor, &id).await?;
    Ok(Json(json!({ "items": events })))
}

/// A keyed configuration object (calendar, SLA policy) as the API shows it: its fields and `key`.
fn named<T: Serialize>(key: &str, spec: &T) -> Value {
    let mut v = serde_json::to_value(spec).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("key".into(), Value::String(key.to_string()));
    }
    v
}

pub async fn list_calendars(
    State(state): State<AppState>,
    Auth(_): Auth,
) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = state
        .desk
        .list_calendars()
        .await?
        .iter()
        .map(|(k, s)| named(k, s))
        .collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn get_calendar(
    State(state): State<AppState>,
    Auth(_): Auth,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let spec = state.desk.get_calendar(&key).await?;
    Ok(Json(named(&key, &spec)))
}

pub async fn put_calendar(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(spec): ApiJson<kefu_model::calendar::CalendarSpec>,
) -> ApiResult<Json<Value>> {
    let spec = state.desk.put_calendar(&actor, &key, spec).await?;
    Ok(Json(named(&key, &spec)))
}

pub async fn calendar_add(
    State(state): State<AppState>,
    Auth(_): Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(request): ApiJson<kefu_model::drafts::CalendarAdd>,
) -> ApiResult<Json<kefu_model::drafts::CalendarDue>> {
    let due = state.desk.calendar_add(&key, request).await?;
    for warning in &due.warnings {
        tracing::warn!(calendar = %key, "{warning}");
    }
    Ok(Json(due))
}

/// A case as the API shows it: the stored projection, with each clock's remaining business
/// time (seconds; negative when overdue) computed now.
pub async fn case_view(state: &AppState, case: &Case) -> ApiResult<Value> {
    let mut v = serde_json::to_value(case).unwrap_or(Value::Null);
    let remaining = state.desk.clock_remaining(case).await?;
    if let Some(clocks) = v.get_mut("sla").and_then(Value::as_array_mut) {
        for (clock, (_, left)) in clocks.iter_mut().zip(remaining) {
            clock["remaining_secs"] = json!(left);
        }
    }
    Ok(v)
}

pub async fn list_sla_policies(
    State(state): State<AppState>,
    Auth(_): Auth,
) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = state
        .desk
        .list_sla_policies()
        .await?
        .into_iter()
        .map(|(key, p)| named(&key, &p))
        .collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn put_sla_policy(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(policy): ApiJson<kefu_model::sla::SlaPolicy>,
) -> ApiResult<Json<Value>> {
    let policy = state.desk.put_sla_policy(&actor, &key, policy).await?;
    Ok(Json(named(&key, &policy)))
}

pub async fn make_commitment(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<kefu_model::drafts::CommitmentDraft>,
) -> ApiResult<(StatusCode, Json<Value>)> {
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
) -> ApiResult<Json<Value>> {
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
) -> ApiResult<Json<Value>> {
    let items = state
        .desk
        .notifications(&actor, p.unread.unwrap_or(false), p.limit)
        .await?;
    Ok(Json(json!({ "items": items })))
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
) -> ApiResult<Json<Value>> {
    if req.ids.len() > 1000 {
        return Err(ApiError::invalid("ids", "at most 1000 at a time"));
    }
    let marked = state.desk.mark_notifications_read(&actor, &req.ids).await?;
    Ok(Json(json!({ "marked": marked })))
}

/// Whose number is this: ranked carrier candidates (R-TRK-6).
pub async fn recognize_waybill(
    State(state): State<AppState>,
    Auth(_): Auth,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<kefu_model::waybill::Recognition>> {
    if number.chars().count() > 64 {
        return Err(ApiError::invalid("number", "at most 64 characters"));
    }
    Ok(Json(state.desk.recognizer().await?.recognize(&number)))
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
) -> ApiResult<Json<Value>> {
    let (case, conversation) = state.desk.chat_of_case(&actor, &id).await?;
    let frames = state
        .desk
        .chat_frames(&case.id, q.after.max(0), kefu_model::chat::Audience::Staff)
        .await?;
    Ok(Json(json!({
        "case_id": case.id,
        "case_number": case.number,
        "customer_read_seq": conversation.customer_read_seq,
        "staff_read_seq": conversation.staff_read_seq,
        "bot": case.bot,
        "items": frames,
    })))
}

pub async fn get_presence(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<kefu_model::routing::AgentProfile>> {
    Ok(Json(state.desk.presence(&actor).await?))
}

pub async fn put_presence(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<kefu_model::routing::PresenceDraft>,
) -> ApiResult<Json<kefu_model::routing::AgentProfile>> {
    let profile = state.desk.set_presence(&actor, draft).await?;
    // Someone free now takes what waits.
    if let Err(e) = state.desk.route_waiting(50).await {
        tracing::warn!("routing after a presence change failed: {e}");
    }
    Ok(Json(profile))
}

/// `GET /routing/agents`: who is on, and how loaded.
pub async fn routing_agents(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<Value>> {
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
    let items: Vec<Value> = loads
        .iter()
        .map(|a| {
            json!({"user_id": a.user_id, "presence": a.presence, "active_chats": a.active_chats,
                "max_chats": a.max_chats, "open_cases": a.open_cases, "max_open_cases": a.max_open_cases,
                "skills": a.skills, "last_assigned_at": a.last_assigned_at})
        })
        .collect();
    Ok(Json(json!({ "items": items })))
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
) -> ApiResult<Json<kefu_model::nlu::Understanding>> {
    if req.text.chars().count() > kefu_model::chat::CHAT_TEXT_MAX {
        return Err(ApiError::invalid("text", "at most 4000 characters"));
    }
    Ok(Json(state.desk.understand(&req.text)))
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
) -> ApiResult<Json<Value>> {
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
    Ok(Json(json!({ "items": hits })))
}
