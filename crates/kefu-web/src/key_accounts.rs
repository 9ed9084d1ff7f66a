//! `/api/v1/key-accounts…`: the B2B department's contract customers — the accounts, their
//! assistants, contacts, customer file, quarterly gradings, contracts and quotes with their
//! renewal contacts, prices and their filing, the price in force on a day, the reminders due,
//! and two downloads (the list, an account's customer file), each recorded in the audit log.
//! Who may see and do what is the desk's (`kefu_desk::key_accounts`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use kefu_desk::key_accounts::AccountFilter;
use kefu_model::DomainError;
use kefu_model::key_accounts::{
    AccountDocument, AccountDraft, AccountPatch, AccountStatus, Contact, ContactDraft,
    DocumentDraft, FileEntry, FileEntryDraft, Grading, GradingDraft, KeyAccount, Price, PriceDraft,
    Reminder,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{DateTime, Day, List};

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KeyAccountContact")]
pub struct ContactView {
    id: String,
    name: String,
    title: String,
    phone: String,
    email: String,
    /// The customer's management: they answer the satisfaction surveys.
    is_management: bool,
}

impl From<&Contact> for ContactView {
    fn from(c: &Contact) -> Self {
        ContactView {
            id: c.id.clone(),
            name: c.name.clone(),
            title: c.title.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            is_management: c.is_management,
        }
    }
}

/// A shipper or consignee of the customer file.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KeyAccountFileEntry")]
pub struct FileEntryView {
    id: String,
    /// `shipper` or `consignee`.
    role: String,
    name: String,
    address: String,
    contact: String,
    phone: String,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl From<&FileEntry> for FileEntryView {
    fn from(e: &FileEntry) -> Self {
        FileEntryView {
            id: e.id.clone(),
            role: e.role.as_str().into(),
            name: e.name.clone(),
            address: e.address.clone(),
            contact: e.contact.clone(),
            phone: e.phone.clone(),
            updated_at: e.updated_at,
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KeyAccountContacted")]
pub struct ContactedView {
    by: String,
    #[schemars(with = "DateTime")]
    at: Timestamp,
    note: String,
}

/// A contract, agreement or quote.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KeyAccountDocument")]
pub struct DocumentView {
    id: String,
    /// `contract`, `agreement` or `quote`.
    kind: String,
    number: String,
    title: String,
    #[schemars(with = "Day")]
    starts_on: Date,
    #[schemars(with = "Day")]
    ends_on: Date,
    services: Vec<String>,
    routes: Vec<String>,
    /// `draft`, `in_force` or `ended`.
    status: String,
    /// The day the renewal contact falls due: two calendar months before `ends_on`.
    #[schemars(with = "Day")]
    renewal_due_on: Date,
    /// The renewal contact, once recorded.
    contacted: Option<ContactedView>,
}

impl From<&AccountDocument> for DocumentView {
    fn from(d: &AccountDocument) -> Self {
        DocumentView {
            id: d.id.clone(),
            kind: d.kind.as_str().into(),
            number: d.number.clone(),
            title: d.title.clone(),
            starts_on: d.starts_on,
            ends_on: d.ends_on,
            services: d.services.clone(),
            routes: d.routes.clone(),
            status: d.status.as_str().into(),
            renewal_due_on: kefu_model::key_accounts::renewal_due(d.ends_on),
            contacted: d.contacted.as_ref().map(|c| ContactedView {
                by: c.by.clone(),
                at: c.at,
                note: c.note.clone(),
            }),
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KeyAccountPrice")]
pub struct PriceView {
    id: String,
    service: String,
    route: String,
    unit: String,
    /// Fen per unit.
    price_fen: i64,
    #[schemars(with = "Day")]
    effective_from: Date,
    #[schemars(with = "Option<Day>")]
    effective_to: Option<Date>,
    /// `draft` (not usable) or `filed`.
    status: String,
    created_by: String,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    filed_by: Option<String>,
    #[schemars(with = "Option<DateTime>")]
    filed_at: Option<Timestamp>,
}

impl From<&Price> for PriceView {
    fn from(p: &Price) -> Self {
        PriceView {
            id: p.id.clone(),
            service: p.service.clone(),
            route: p.route.clone(),
            unit: p.unit.clone(),
            price_fen: p.price_fen,
            effective_from: p.effective_from,
            effective_to: p.effective_to,
            status: p.status.as_str().into(),
            created_by: p.created_by.clone(),
            created_at: p.created_at,
            filed_by: p.filed_by.clone(),
            filed_at: p.filed_at,
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KeyAccount")]
pub struct KeyAccountView {
    id: String,
    code: String,
    name: String,
    industry: String,
    /// `onboarding`, `handover`, `active` or `ended`.
    status: String,
    #[schemars(with = "Option<Day>")]
    go_live_on: Option<Date>,
    /// Go-live plus the hand-over months of the grade's policy.
    #[schemars(with = "Option<Day>")]
    handover_ends_on: Option<Date>,
    /// 1 (best) to 4; none before the first grading.
    grade: Option<u8>,
    /// Graded 1 or 2 (重点客户).
    key_account: bool,
    /// The quarter the grade is of (`2026Q3`).
    graded_quarter: Option<String>,
    /// User ids of the assistants.
    assistants: Vec<String>,
    owner: String,
    customer_id: Option<String>,
    #[schemars(with = "Option<Day>")]
    file_reviewed_on: Option<Date>,
    contacts: Vec<ContactView>,
    file_entries: Vec<FileEntryView>,
    documents: Vec<DocumentView>,
    prices: Vec<PriceView>,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
    version: i64,
}

impl From<&KeyAccount> for KeyAccountView {
    fn from(a: &KeyAccount) -> Self {
        KeyAccountView {
            id: a.id.to_string(),
            code: a.code.clone(),
            name: a.name.clone(),
            industry: a.industry.clone(),
            status: a.status.as_str().into(),
            go_live_on: a.go_live_on,
            handover_ends_on: a.handover_ends_on,
            grade: a.grade,
            key_account: a.is_key(),
            graded_quarter: a.graded_quarter.map(|q| q.to_string()),
            assistants: a.assistants.iter().map(|u| u.to_string()).collect(),
            owner: a.owner.to_string(),
            customer_id: a.customer_id.as_ref().map(|c| c.to_string()),
            file_reviewed_on: a.file_reviewed_on,
            contacts: a.contacts.iter().map(ContactView::from).collect(),
            file_entries: a.file_entries.iter().map(FileEntryView::from).collect(),
            documents: a.documents.iter().map(DocumentView::from).collect(),
            prices: a.prices.iter().map(PriceView::from).collect(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KeyAccountPoints")]
pub struct PointsView {
    revenue: u32,
    margin: u32,
    difficulty: u32,
    staff: u32,
    punctuality: u32,
}

/// A quarter's grading.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KeyAccountGrading")]
pub struct GradingView {
    id: String,
    account_id: String,
    /// The order the account's gradings were recorded in.
    seq: i64,
    quarter: String,
    revenue_yuan: f64,
    margin_pct: f64,
    difficulty: u8,
    staff: f64,
    punctuality_pct: f64,
    /// Each criterion's points (0–100) from the setting's bands.
    points: PointsView,
    /// The weighted sum, 0–100, to a tenth.
    score: f64,
    grade: u8,
    note: String,
    recorded_by: String,
    #[schemars(with = "DateTime")]
    recorded_at: Timestamp,
    /// The earlier record of the same quarter this one replaces.
    supersedes: Option<String>,
    /// A later record of the same quarter replaced this one.
    superseded: bool,
}

impl GradingView {
    fn of(g: &Grading, superseded: bool) -> Self {
        GradingView {
            id: g.id.clone(),
            account_id: g.account_id.to_string(),
            seq: g.seq,
            quarter: g.quarter.to_string(),
            revenue_yuan: g.figures.revenue_yuan,
            margin_pct: g.figures.margin_pct,
            difficulty: g.figures.difficulty,
            staff: g.figures.staff,
            punctuality_pct: g.figures.punctuality_pct,
            points: PointsView {
                revenue: g.points.revenue,
                margin: g.points.margin,
                difficulty: g.points.difficulty,
                staff: g.points.staff,
                punctuality: g.points.punctuality,
            },
            score: g.score,
            grade: g.grade,
            note: g.note.clone(),
            recorded_by: g.recorded_by.clone(),
            recorded_at: g.recorded_at,
            supersedes: g.supersedes.clone(),
            superseded,
        }
    }
}

/// Something due on an account.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KeyAccountReminder")]
pub struct ReminderView {
    /// `renewal` (contact the customer about a document ending), `grading` (the last finished
    /// quarter is not graded) or `file_review` (the customer file was not reviewed this month).
    kind: String,
    account_id: String,
    account_code: String,
    account_name: String,
    /// The day it fell due.
    #[schemars(with = "Day")]
    due_on: Date,
    /// It fell due before today.
    overdue: bool,
    document_id: Option<String>,
    quarter: Option<String>,
    detail: String,
}

impl From<&Reminder> for ReminderView {
    fn from(r: &Reminder) -> Self {
        ReminderView {
            kind: r.kind.as_str().into(),
            account_id: r.account_id.to_string(),
            account_code: r.account_code.clone(),
            account_name: r.account_name.clone(),
            due_on: r.due_on,
            overdue: r.overdue,
            document_id: r.document_id.clone(),
            quarter: r.quarter.map(|q| q.to_string()),
            detail: r.detail.clone(),
        }
    }
}

// ---- handlers -------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    grade: Option<u8>,
    status: Option<AccountStatus>,
    q: Option<String>,
}

impl ListQuery {
    fn filter(self) -> AccountFilter {
        AccountFilter {
            grade: self.grade,
            status: self.status,
            q: self.q,
        }
    }
}

/// `GET /key-accounts`: the accounts one may see, by grade then code.
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<List<KeyAccountView>>> {
    let all = state.desk.key_accounts(&actor, &q.filter()).await?;
    Ok(Json(List::of(&all, KeyAccountView::from)))
}

/// `GET /key-accounts/export`: the list as CSV, recorded in the audit log.
pub async fn export(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let all = state
        .desk
        .download_key_accounts(&actor, &q.filter())
        .await?;
    Ok(accounts_csv(&all))
}

/// The accounts as a CSV download (the API's and the console's alike).
pub(crate) fn accounts_csv(all: &[KeyAccount]) -> Response {
    let header = [
        "code",
        "name",
        "industry",
        "status",
        "grade",
        "go_live_on",
        "handover_ends_on",
        "contacts",
        "file_entries",
        "documents",
    ]
    .map(String::from)
    .to_vec();
    let rows = all.iter().map(|a| {
        vec![
            a.code.clone(),
            a.name.clone(),
            a.industry.clone(),
            a.status.as_str().to_string(),
            a.grade.map(|g| g.to_string()).unwrap_or_default(),
            a.go_live_on.map(|d| d.to_string()).unwrap_or_default(),
            a.handover_ends_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            a.contacts.len().to_string(),
            a.file_entries.len().to_string(),
            a.documents.len().to_string(),
        ]
    });
    crate::csv::download(
        crate::csv::document(std::iter::once(header).chain(rows)),
        "key-accounts.csv",
    )
}

/// `POST /key-accounts`: 201.
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(body): ApiJson<AccountDraft>,
) -> ApiResult<Response> {
    let a = state.desk.create_key_account(&actor, &body).await?;
    Ok(created(&a))
}

/// `GET /key-accounts/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state.desk.key_account(&actor, &id).await?;
    Ok(Json(KeyAccountView::from(&a)))
}

/// `PATCH /key-accounts/{id}`.
pub async fn patch(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AccountPatch>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state.desk.change_key_account(&actor, &id, &body).await?;
    Ok(Json(KeyAccountView::from(&a)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistantsBody {
    assistants: Vec<String>,
}

/// `PUT /key-accounts/{id}/assistants`.
pub async fn assistants(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AssistantsBody>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state
        .desk
        .set_key_account_assistants(&actor, &id, &body.assistants)
        .await?;
    Ok(Json(KeyAccountView::from(&a)))
}

fn created(a: &KeyAccount) -> Response {
    (StatusCode::CREATED, Json(KeyAccountView::from(a))).into_response()
}

/// `POST /key-accounts/{id}/contacts`: 201, the account.
pub async fn add_contact(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ContactDraft>,
) -> ApiResult<Response> {
    let a = state
        .desk
        .put_key_account_contact(&actor, &id, None, &body)
        .await?;
    Ok(created(&a))
}

/// `PUT /key-accounts/{id}/contacts/{item}`.
pub async fn change_contact(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, item)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ContactDraft>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state
        .desk
        .put_key_account_contact(&actor, &id, Some(&item), &body)
        .await?;
    Ok(Json(KeyAccountView::from(&a)))
}

/// `DELETE /key-accounts/{id}/contacts/{item}`.
pub async fn remove_contact(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, item)): ApiPath<(String, String)>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state
        .desk
        .remove_key_account_contact(&actor, &id, &item)
        .await?;
    Ok(Json(KeyAccountView::from(&a)))
}

/// `POST /key-accounts/{id}/file-entries`: 201, the account.
pub async fn add_file_entry(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<FileEntryDraft>,
) -> ApiResult<Response> {
    let a = state
        .desk
        .put_key_account_file_entry(&actor, &id, None, &body)
        .await?;
    Ok(created(&a))
}

/// `PUT /key-accounts/{id}/file-entries/{item}`.
pub async fn change_file_entry(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, item)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<FileEntryDraft>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state
        .desk
        .put_key_account_file_entry(&actor, &id, Some(&item), &body)
        .await?;
    Ok(Json(KeyAccountView::from(&a)))
}

/// `DELETE /key-accounts/{id}/file-entries/{item}`.
pub async fn remove_file_entry(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, item)): ApiPath<(String, String)>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state
        .desk
        .remove_key_account_file_entry(&actor, &id, &item)
        .await?;
    Ok(Json(KeyAccountView::from(&a)))
}

/// `POST /key-accounts/{id}/file-reviewed`: the customer file reviewed today.
pub async fn file_reviewed(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state
        .desk
        .mark_key_account_file_reviewed(&actor, &id)
        .await?;
    Ok(Json(KeyAccountView::from(&a)))
}

/// `GET /key-accounts/{id}/file-export`: the customer file as CSV, recorded in the audit log.
pub async fn file_export(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let a = state.desk.download_key_account_file(&actor, &id).await?;
    Ok(crate::csv::download(
        file_csv(&a),
        &format!("{}-file.csv", a.code.to_lowercase()),
    ))
}

/// The customer file as CSV: one line per shipper or consignee.
pub fn file_csv(a: &KeyAccount) -> String {
    let header = ["role", "name", "address", "contact", "phone", "updated_at"]
        .map(String::from)
        .to_vec();
    let rows = a.file_entries.iter().map(|e| {
        vec![
            e.role.as_str().to_string(),
            e.name.clone(),
            e.address.clone(),
            e.contact.clone(),
            e.phone.clone(),
            e.updated_at.to_string(),
        ]
    });
    crate::csv::document(std::iter::once(header).chain(rows))
}

/// `GET /key-accounts/{id}/gradings`: oldest first.
pub async fn gradings(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<List<GradingView>>> {
    let all = state.desk.key_account_gradings(&actor, &id).await?;
    let replaced = kefu_model::key_accounts::superseded(&all);
    Ok(Json(List::of(&all, |g| {
        GradingView::of(g, replaced.contains(&g.id))
    })))
}

/// `POST /key-accounts/{id}/gradings`: 201, the record.
pub async fn record_grading(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<GradingDraft>,
) -> ApiResult<Response> {
    let (_, g) = state
        .desk
        .record_key_account_grading(&actor, &id, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(GradingView::of(&g, false))).into_response())
}

/// `POST /key-accounts/{id}/documents`: 201, the account.
pub async fn add_document(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DocumentDraft>,
) -> ApiResult<Response> {
    let a = state
        .desk
        .put_key_account_document(&actor, &id, None, &body)
        .await?;
    Ok(created(&a))
}

/// `PUT /key-accounts/{id}/documents/{item}`.
pub async fn change_document(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, item)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<DocumentDraft>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state
        .desk
        .put_key_account_document(&actor, &id, Some(&item), &body)
        .await?;
    Ok(Json(KeyAccountView::from(&a)))
}

/// `DELETE /key-accounts/{id}/documents/{item}`.
pub async fn remove_document(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, item)): ApiPath<(String, String)>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state
        .desk
        .remove_key_account_document(&actor, &id, &item)
        .await?;
    Ok(Json(KeyAccountView::from(&a)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ContactedBody {
    #[serde(default)]
    note: String,
}

/// `POST /key-accounts/{id}/documents/{item}/contacted`: the renewal reminder cleared.
pub async fn contacted(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, item)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ContactedBody>,
) -> ApiResult<Json<KeyAccountView>> {
    let a = state
        .desk
        .record_key_account_contacted(&actor, &id, &item, &body.note)
        .await?;
    Ok(Json(KeyAccountView::from(&a)))
}

/// `GET /key-accounts/{id}/prices`.
pub async fn prices(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<List<PriceView>>> {
    let a = state.desk.key_account(&actor, &id).await?;
    Ok(Json(List::of(&a.prices, PriceView::from)))
}

/// `POST /key-accounts/{id}/prices`: 201, the draft price.
pub async fn add_price(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<PriceDraft>,
) -> ApiResult<Response> {
    let a = state.desk.add_key_account_price(&actor, &id, &body).await?;
    let price = a
        .prices
        .last()
        .ok_or_else(|| ApiError::not_found("price"))?;
    Ok((StatusCode::CREATED, Json(PriceView::from(price))).into_response())
}

/// `POST /key-accounts/{id}/prices/{item}/file`: filed (报备), the price.
pub async fn file_price(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, item)): ApiPath<(String, String)>,
) -> ApiResult<Json<PriceView>> {
    let a = state
        .desk
        .file_key_account_price(&actor, &id, &item)
        .await?;
    let price = a
        .prices
        .iter()
        .find(|p| p.id == item)
        .ok_or_else(|| ApiError::not_found("price"))?;
    Ok(Json(PriceView::from(price)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceQuery {
    service: String,
    route: String,
    on: Date,
}

/// `GET /key-accounts/{id}/price?service=&route=&on=`: the filed price in force that day; a
/// draft is 422 `price_not_filed`, none 404.
pub async fn price(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PriceQuery>,
) -> ApiResult<Json<PriceView>> {
    match state
        .desk
        .key_account_price(&actor, &id, &q.service, &q.route, q.on)
        .await
    {
        Ok(p) => Ok(Json(PriceView::from(&p))),
        Err(
            e @ DomainError::Conflict {
                code: "price_not_filed",
                ..
            },
        ) => Err(ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "price_not_filed",
            message: e.to_string(),
            field: Some("on".into()),
        }),
        Err(e) => Err(e.into()),
    }
}

/// `GET /key-accounts/reminders`: what is due, overdue first.
pub async fn reminders(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<ReminderView>>> {
    let due = state.desk.key_account_reminders(&actor).await?;
    Ok(Json(List::of(&due, ReminderView::from)))
}
