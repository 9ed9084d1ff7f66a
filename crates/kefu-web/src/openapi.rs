//! The OpenAPI 3.1 document from [`ROUTES`]; a test checks that every route the router serves
//! is listed here and every listed route is served. Each operation names the view type its
//! handler answers with, and the response schemas are derived from those types (`schemars`,
//! JSON Schema 2020-12), so the document says what the handlers send. Request bodies are
//! described by hand (`request_schemas`).

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Value, json};

use crate::staffing::{
    ArrivalDayView, DayPlanView, ForecastView, PromotionDayView, ScheduleDayView, SettingsView,
};
use crate::telephony::{CallReceiptView, PbxAccountView, PhoneFiguresView};
use crate::views::*;

/// What an operation answers on success.
#[derive(Clone, Copy)]
pub enum Body {
    /// JSON of a view type; the schema comes from the type.
    Json(fn(&mut SchemaGenerator) -> Schema),
    /// Plain text.
    Text,
    /// A whole mail (`message/rfc822`), downloaded as a file.
    Mail,
    /// A CSV document (UTF-8 with a byte-order mark), downloaded as a file.
    Csv,
    /// A CSV document or an XLSX workbook, as asked by `format`.
    Spreadsheet,
    /// No body.
    Empty,
    /// The switch to the WebSocket protocol.
    Upgrade,
}

/// The body of a view type `T`.
const fn json<T: JsonSchema>() -> Body {
    Body::Json(SchemaGenerator::subschema_for::<T>)
}

/// One documented endpoint: (method, path, summary, request schema, success status, response
/// body).
pub type Route = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    u16,
    Body,
);

pub const ROUTES: &[Route] = &[
    (
        "get",
        "/healthz",
        "Liveness: the process serves HTTP",
        None,
        200,
        Body::Text,
    ),
    (
        "get",
        "/readyz",
        "Readiness: the store answers",
        None,
        200,
        Body::Text,
    ),
    (
        "get",
        "/metrics",
        "Prometheus metrics",
        None,
        200,
        Body::Text,
    ),
    (
        "get",
        "/api/v1/openapi.json",
        "This document",
        None,
        200,
        json::<AnyObject>(),
    ),
    (
        "post",
        "/api/v1/auth/login",
        "Log in; returns a bearer token",
        Some("Login"),
        200,
        json::<LoginResult>(),
    ),
    (
        "post",
        "/api/v1/auth/logout",
        "End this token's session",
        None,
        204,
        Body::Empty,
    ),
    (
        "get",
        "/api/v1/me",
        "The signed-in user",
        None,
        200,
        json::<UserView>(),
    ),
    (
        "post",
        "/api/v1/users",
        "Create a user (admins)",
        Some("UserCreate"),
        201,
        json::<UserView>(),
    ),
    (
        "get",
        "/api/v1/users",
        "List users (admins, supervisors)",
        None,
        200,
        json::<List<UserView>>(),
    ),
    (
        "post",
        "/api/v1/departments",
        "Create a department (admins)",
        Some("DepartmentCreate"),
        201,
        json::<DepartmentView>(),
    ),
    (
        "get",
        "/api/v1/departments",
        "List departments",
        None,
        200,
        json::<List<DepartmentView>>(),
    ),
    (
        "post",
        "/api/v1/customers",
        "Create a customer",
        Some("CustomerCreate"),
        201,
        json::<CustomerMaskedView>(),
    ),
    (
        "get",
        "/api/v1/customers",
        "List customers, newest first, contacts masked; filter by a full phone, email or part of the name",
        None,
        200,
        json::<Page<CustomerMaskedView>>(),
    ),
    (
        "get",
        "/api/v1/customers/{id}",
        "One customer, contacts masked (full values only through the audited reveal)",
        None,
        200,
        json::<CustomerMaskedView>(),
    ),
    (
        "patch",
        "/api/v1/customers/{id}",
        "Correct a customer (name, phones, emails, grade, tags) at its version; every change is recorded",
        Some("CustomerPatch"),
        200,
        json::<CustomerMaskedView>(),
    ),
    (
        "get",
        "/api/v1/customers/{id}/events",
        "A customer's history of changes, oldest first (phones and emails masked)",
        None,
        200,
        json::<List<CustomerEventView>>(),
    ),
    (
        "post",
        "/api/v1/customers/{id}/merge",
        "Merge another customer into this one: its cases, phones, emails and external ids move here (supervisors, admins)",
        Some("CustomerMerge"),
        200,
        json::<CustomerMaskedView>(),
    ),
    (
        "post",
        "/api/v1/cases/{id}/identity",
        "Record that the caller's identity was confirmed, and how",
        Some("IdentityConfirm"),
        200,
        json::<CaseView>(),
    ),
    (
        "post",
        "/api/v1/cases",
        "Create a case (Idempotency-Key honoured)",
        Some("CaseCreate"),
        201,
        json::<CaseView>(),
    ),
    (
        "get",
        "/api/v1/cases",
        "List cases, newest first, with filters and a cursor",
        None,
        200,
        json::<Page<CaseView>>(),
    ),
    (
        "get",
        "/api/v1/cases/{id}",
        "One case, by id or number",
        None,
        200,
        json::<CaseView>(),
    ),
    (
        "patch",
        "/api/v1/cases/{id}",
        "Change status, priority, category, assignee, department, tags",
        Some("CasePatch"),
        200,
        json::<CaseView>(),
    ),
    (
        "post",
        "/api/v1/cases/{id}/messages",
        "Add a public reply or an internal note",
        Some("MessageCreate"),
        201,
        json::<MessageView>(),
    ),
    (
        "get",
        "/api/v1/cases/{id}/messages",
        "The case's messages in order",
        None,
        200,
        json::<List<MessageView>>(),
    ),
    (
        "get",
        "/api/v1/cases/{id}/events",
        "The case's events in order",
        None,
        200,
        json::<List<EventView>>(),
    ),
    (
        "get",
        "/api/v1/calendars",
        "List business calendars",
        None,
        200,
        json::<List<CalendarView>>(),
    ),
    (
        "get",
        "/api/v1/calendars/{id}",
        "One calendar, by key",
        None,
        200,
        json::<CalendarView>(),
    ),
    (
        "put",
        "/api/v1/calendars/{id}",
        "Create or replace a calendar (admins, supervisors)",
        Some("CalendarSpec"),
        200,
        json::<CalendarView>(),
    ),
    (
        "post",
        "/api/v1/calendars/{id}/add",
        "Due time after N open minutes or N working days",
        Some("CalendarAdd"),
        200,
        json::<CalendarDue>(),
    ),
    (
        "post",
        "/api/v1/cases/{id}/commitments",
        "Record a promise to the customer (\"call back by 15:00\")",
        Some("CommitmentCreate"),
        201,
        json::<CaseView>(),
    ),
    (
        "post",
        "/api/v1/cases/{id}/escalate",
        "Escalate one level (agent → supervisor → manager) with a reason",
        Some("Escalate"),
        200,
        json::<CaseView>(),
    ),
    (
        "get",
        "/api/v1/waybills/{id}/recognize",
        "Whose waybill number this is: ranked carrier candidates",
        None,
        200,
        json::<RecognitionView>(),
    ),
    (
        "post",
        "/api/v1/shipments",
        "Create or update a shipment from the ops system (201 created, 200 updated)",
        Some("ShipmentCreate"),
        201,
        json::<ShipmentView>(),
    ),
    (
        "get",
        "/api/v1/shipments/{id}",
        "A shipment by waybill number, with its status and scans; sender and recipient masked",
        None,
        200,
        json::<MaskedShipmentView>(),
    ),
    (
        "post",
        "/api/v1/shipments/{id}/events",
        "Add scans (idempotent: a scan already stored is counted, not stored again)",
        Some("ScanBatch"),
        200,
        json::<ScanResult>(),
    ),
    (
        "get",
        "/api/v1/shipments/{id}/history",
        "What upserts changed in a shipment's details (who, when, which fields, before and after), newest first; names, phones and addresses masked; staff only (?limit)",
        None,
        200,
        json::<List<ShipmentChangeView>>(),
    ),
    (
        "get",
        "/api/v1/config-history",
        "Changes of settings, SLA policies and calendars (who, when, the document before and after), newest first; admins and supervisors (?kind=setting|sla_policy|calendar, ?key, ?limit)",
        None,
        200,
        json::<List<ConfigChangeView>>(),
    ),
    (
        "post",
        "/api/v1/tracking/query",
        "Where is my parcel: the standard answer for a waybill or for the customer's facts; optionally opens a case (201)",
        Some("TrackingQuery"),
        200,
        json::<TrackingAnswerView>(),
    ),
    (
        "post",
        "/api/v1/addresses/parse",
        "Province, city and district of a free-text address",
        Some("AddressText"),
        200,
        json::<ParsedAddressView>(),
    ),
    (
        "get",
        "/api/v1/settings/{id}",
        "A configuration document: tracking, rate_card, coverage, prohibited, claims, waybill_format, routing, kb_categories, search_synonyms ({\"text\": the synonym list, one concept per line}), notices (the templates of what kefu tells customers by itself: received, callback_promised, resolved, survey, pickup (a pickup's courier steps); per way: email_subject, email_text, sms_text, wechat_text, and wechat_template {template_id, fields: [{key, value}]} for a follower whose 48-hour window has closed; placeholders {case_number} {subject} {due_at} {survey_url} {portal_url} {pickup_number} {pickup_status} {courier_name} {courier_phone} {window}); root_causes (resolution codes [{code, label, en}], groups of causes [{code, label, en, causes: [{code, label, en}]}] — a cause's tag is group/cause, or group for a group without causes — and required_for, the categories resolved only with a code; default complaint); each readable by the roles parcels::SETTING_READERS names (routing: admins and supervisors), otherwise 403. The outlets setting is retired: outlets and couriers are the network's organisations",
        None,
        200,
        json::<SettingView>(),
    ),
    (
        "put",
        "/api/v1/settings/{id}",
        "Replace a configuration document (admins; validated)",
        Some("Setting"),
        200,
        json::<SettingView>(),
    ),
    (
        "post",
        "/api/v1/pickups/quote",
        "Price a pickup: zone, weights, fees, coverage, prohibited items, vehicle (the roles that may book pickups: not readonly)",
        Some("QuoteRequest"),
        200,
        json::<QuoteView>(),
    ),
    (
        "post",
        "/api/v1/pickups",
        "Book a pickup; dispatched to the outlet and courier serving the sender unless an item needs checking",
        Some("PickupCreate"),
        201,
        json::<PickupMaskedView>(),
    ),
    (
        "get",
        "/api/v1/pickups",
        "Pickups, newest first (?status, ?courier = a courier's task list, ?outlet = an organisation key, ?phone, ?case_id = id or number of the case booked from, ?customer_id). A courier lists only the pickups dispatched to them and an outlet's staff their outlet's (a manager's also those below it), with the sender in full (PickupFull); case_id and customer_id are for customer service only (403)",
        None,
        200,
        json::<List<PickupForRole>>(),
    ),
    (
        "get",
        "/api/v1/pickups/{id}",
        "A pickup by id or number; another courier's or outlet's pickup is 403 for the network's staff, who see the sender in full",
        None,
        200,
        json::<PickupForRole>(),
    ),
    (
        "post",
        "/api/v1/pickups/{id}/status",
        "Move a pickup (admins, supervisors, agents): booked → dispatched → accepted → arrived → picked_up | failed (a note says why, else 422) | cancelled; dispatched goes to the network's outlet serving the sender (409 no_outlet when none with couriers does)",
        Some("PickupStatusChange"),
        200,
        json::<PickupMaskedView>(),
    ),
    (
        "post",
        "/api/v1/pickups/{id}/accept",
        "The pickup's courier (or its outlet's staff) accepts a dispatched pickup; recorded on the pickup's case as pickup_progress and the customer told (notice kind pickup)",
        Some("CourierStep"),
        200,
        json::<PickupForRole>(),
    ),
    (
        "post",
        "/api/v1/pickups/{id}/arrive",
        "The courier is at the sender's door (after accepting)",
        Some("CourierStep"),
        200,
        json::<PickupForRole>(),
    ),
    (
        "post",
        "/api/v1/pickups/{id}/collect",
        "The courier collected the parcel (waybill_no: the waybill written)",
        Some("CourierStep"),
        200,
        json::<PickupForRole>(),
    ),
    (
        "post",
        "/api/v1/pickups/{id}/fail",
        "The collection failed; note (the reason) is required, else 422 invalid_field",
        Some("CourierStep"),
        200,
        json::<PickupForRole>(),
    ),
    (
        "post",
        "/api/v1/pickups/{id}/reveal",
        "A pickup's sender phone and addresses in full; the reveal is recorded in the audit log (admins, supervisors, agents, finance; a reason is required)",
        Some("RevealRequest"),
        200,
        json::<PickupFullView>(),
    ),
    (
        "post",
        "/api/v1/cases/{id}/claims",
        "Open a claim for a lost or damaged parcel on a case",
        Some("ClaimCreate"),
        201,
        json::<ClaimResult>(),
    ),
    (
        "post",
        "/api/v1/cases/{id}/claims/{claim}/{step}",
        "A claim step: evidence, propose (agent), approve | reject (supervisor), pay (finance)",
        Some("ClaimStep"),
        200,
        json::<ClaimResult>(),
    ),
    (
        "post",
        "/api/v1/cases/{id}/work-orders",
        "Send a work order about the case to an organisation of the network (agents, supervisors, admins): hurry, intercept, change_address, trace, damage_loss, complaint; routed to the organisation chosen, else where the parcel was last scanned, else the outlet serving the recipient's district; deadlines on that organisation's calendar; a regulator complaint raises the case to P1",
        Some("WorkOrderCreate"),
        201,
        json::<WorkOrderView>(),
    ),
    (
        "get",
        "/api/v1/network/organisations",
        "The network's outlets, sorting centres and regions (an organisation's staff see their own and those below it)",
        None,
        200,
        json::<List<OrganisationView>>(),
    ),
    (
        "post",
        "/api/v1/network/organisations",
        "Create an organisation with its department (admins; audited)",
        Some("OrganisationWrite"),
        201,
        json::<OrganisationView>(),
    ),
    (
        "get",
        "/api/v1/network/organisations/{id}",
        "One organisation by its key",
        None,
        200,
        json::<OrganisationView>(),
    ),
    (
        "put",
        "/api/v1/network/organisations/{id}",
        "Change an organisation (admins; the version read is required; key and kind never change)",
        Some("OrganisationWrite"),
        200,
        json::<OrganisationView>(),
    ),
    (
        "put",
        "/api/v1/network/organisations/{id}/volumes",
        "Record the parcels an organisation handled per day, as the carrier's operations system reports them (admins, e.g. an integration's token; audited); a day reported again is replaced",
        Some("ParcelVolumes"),
        204,
        Body::Empty,
    ),
    (
        "get",
        "/api/v1/network/assessment",
        "The outlet assessment (网点考核): per organisation, the work orders sent on the days [from, to) in the desk's time zone: received, answered and closed on time, refused, complaints, repeat complaints, regulator complaints, complaints per 10,000 parcels handled, average time to complete (supervisors, admins; a manager sees their own organisation and those below it); at most 366 days",
        None,
        200,
        json::<List<OrgFiguresView>>(),
    ),
    (
        "get",
        "/api/v1/kpis",
        "Key performance figures (R-MG-2) of the cases received on the days [from, to) in the desk's time zone, by a dimension (all, agent, department, channel, category, region — the recipient's province of the case's first parcel —, grade): first-response and resolution times in business time, SLA attainment, resolution, reopen and transfer rates, contacts per case, departments' answer times and overdue transfers, complaints (per 10,000 parcels the outlets reported, for the whole centre), escalations, still open; a series by day, week or month; the open backlog by age now. Each case counts on the day it was received. Admins, read-only observers and supervisors without a team see the centre, a team's supervisor their department and its agents, an agent their own figures (by=agent); at most 366 days",
        None,
        200,
        json::<crate::figures::KpiReportView>(),
    ),
    (
        "get",
        "/api/v1/kpis/cases",
        "The cases behind one figure of /kpis (same period, dimension and key), exactly those it counts, newest first",
        None,
        200,
        json::<Page<CaseView>>(),
    ),
    (
        "get",
        "/api/v1/kpis/export",
        "The /kpis report as a file: CSV (UTF-8 with a byte-order mark; the table, the whole scope last) or, with format=xlsx, a workbook with three sheets — the table, the series by bucket with every counter, the open backlog by age",
        None,
        200,
        Body::Spreadsheet,
    ),
    (
        "post",
        "/api/v1/kpis/recompute",
        "Compute every case's figures again from the stored cases — the fold of their events — and replace the read model (admins): after an import, or when the rules of a figure changed",
        None,
        200,
        json::<crate::figures::RecomputedView>(),
    ),
    (
        "get",
        "/api/v1/staffing/history",
        "Arrivals per local day, channel and half-hour over the days [from, to) (at most 366): new cases by channel, counted by the database; for phone the PBX's offered calls when any call was offered in the range (supervisors, admins)",
        None,
        200,
        json::<List<ArrivalDayView>>(),
    ),
    (
        "get",
        "/api/v1/staffing/forecast",
        "The forecast of `days` days from `day` (1–14) per channel and half-hour: the mean of past days of the same kind — the same weekday of the last `weeks` weeks (default 8) without holidays and promotion days; a make-up workday: the regular workdays; a weekend day: the weekend days; a public holiday: the holidays of the year before — times a promotion day's multiplier, or like the day it names; the basis says which days (supervisors, admins)",
        None,
        200,
        json::<List<ForecastView>>(),
    ),
    (
        "get",
        "/api/v1/staffing/needed",
        "Agents needed per channel and half-hour for the forecast (Erlang C for the service level target; chat with concurrency; workload for mail and forms; shrinkage on top) against the planned schedule: gap and the service level the plan gives (supervisors, admins)",
        None,
        200,
        json::<List<DayPlanView>>(),
    ),
    (
        "get",
        "/api/v1/staffing/schedule",
        "The planned agents of the days [from, to) (at most 366), per day and channel (supervisors, admins)",
        None,
        200,
        json::<List<ScheduleDayView>>(),
    ),
    (
        "put",
        "/api/v1/staffing/schedule/{day}/{channel}",
        "Plan a day's agents of one channel: exactly 48 half-hours from 00:00, each 0–10000 (else 422 invalid_field); replaces what was planned (supervisors, admins)",
        Some("StaffingScheduleWrite"),
        200,
        json::<ScheduleDayView>(),
    ),
    (
        "get",
        "/api/v1/staffing/promotions",
        "Promotion days (双十一, 618), by date (supervisors, admins)",
        None,
        200,
        json::<List<PromotionDayView>>(),
    ),
    (
        "post",
        "/api/v1/staffing/promotions",
        "Mark a promotion day: a name and a multiplier, a like_date (forecast like that earlier day, at most 366 days before) or both; a date already marked is 409 promotion_exists (supervisors, admins)",
        Some("PromotionDayWrite"),
        201,
        json::<PromotionDayView>(),
    ),
    (
        "put",
        "/api/v1/staffing/promotions/{date}",
        "Change a promotion day (404 when the date has none; supervisors, admins)",
        Some("PromotionDayChange"),
        200,
        json::<PromotionDayView>(),
    ),
    (
        "delete",
        "/api/v1/staffing/promotions/{date}",
        "Unmark a promotion day (404 when the date has none; supervisors, admins)",
        None,
        204,
        Body::Empty,
    ),
    (
        "get",
        "/api/v1/report-schedules",
        "Scheduled reports: your own (an admin: every one), oldest first",
        None,
        200,
        json::<List<crate::reports::ReportScheduleView>>(),
    ),
    (
        "post",
        "/api/v1/report-schedules",
        "Schedule the key-figures report of the period just ended (daily: the day before; weekly: Monday to Sunday before; monthly: the month before), mailed at a local hour to 1–20 addresses as XLSX or CSV from the first enabled mailbox; read as you read the figures (an agent: by agent only, else 403) (admins, supervisors, agents)",
        Some("ReportScheduleWrite"),
        201,
        json::<crate::reports::ReportScheduleView>(),
    ),
    (
        "get",
        "/api/v1/report-schedules/{id}",
        "One of your scheduled reports (404 when it is not yours or there is none)",
        None,
        200,
        json::<crate::reports::ReportScheduleView>(),
    ),
    (
        "put",
        "/api/v1/report-schedules/{id}",
        "Change a scheduled report; the next run is computed again from the new timing",
        Some("ReportScheduleWrite"),
        200,
        json::<crate::reports::ReportScheduleView>(),
    ),
    (
        "delete",
        "/api/v1/report-schedules/{id}",
        "Remove a scheduled report",
        None,
        204,
        Body::Empty,
    ),
    (
        "post",
        "/api/v1/report-schedules/{id}/send",
        "Send the report now, covering the period that ended today; the node's worker mails it within a minute and records the outcome in last_run (409 schedule_paused when paused)",
        None,
        200,
        json::<crate::reports::ReportScheduleView>(),
    ),
    (
        "get",
        "/api/v1/staffing/settings",
        "The planner's settings: service level target, shrinkage, occupancy, weeks of history, the calendar of holidays and make-up workdays, each channel's mode and handling time (supervisors, admins)",
        None,
        200,
        json::<SettingsView>(),
    ),
    (
        "put",
        "/api/v1/staffing/settings",
        "Replace the planner's settings (service level 1–99 %, target 1–3600 s, shrinkage 0–90 %, occupancy 1–100 %, weeks 1–52, an existing calendar, handling times above 0; else 422 invalid_field); kept in the configuration history (supervisors, admins)",
        Some("StaffingSettingsWrite"),
        200,
        json::<SettingsView>(),
    ),
    (
        "get",
        "/api/v1/quality/rubrics",
        "Quality rubrics (评分表), each at its newest version; the shipped rubric `default` — greeting script, accuracy, empathy, resolution, compliance (critical) — included (inspectors, supervisors, admins; agents read them for their scores)",
        None,
        200,
        json::<List<crate::quality::RubricView>>(),
    ),
    (
        "get",
        "/api/v1/quality/rubrics/{id}",
        "A rubric: its newest version, or ?version= (404 when none)",
        None,
        200,
        json::<crate::quality::RubricView>(),
    ),
    (
        "put",
        "/api/v1/quality/rubrics/{id}",
        "Save a rubric as its next version (a new rubric when the id has none): 1–20 items with distinct keys, weights 1–100 summing to 100, highest scores 1–100 (else 422 invalid_field); expected_version, when given, must be the newest (else 409 version_conflict). Inspections keep the version they were scored with (supervisors, admins)",
        Some("RubricWrite"),
        200,
        json::<crate::quality::RubricView>(),
    ),
    (
        "get",
        "/api/v1/quality/rubrics/{id}/versions",
        "A rubric's versions, newest first",
        None,
        200,
        json::<List<crate::quality::RubricView>>(),
    ),
    (
        "get",
        "/api/v1/quality/settings",
        "The sampling rules (抽检规则): percent of each agent's resolved cases drawn at random, all complaints, all poor ratings, handling over N business hours; the pass score and the rubric",
        None,
        200,
        json::<crate::quality::SettingsView>(),
    ),
    (
        "put",
        "/api/v1/quality/settings",
        "Replace the sampling rules (random_percent 0–100, pass_score 0–100, long_handling_hours 1–10000 or null, an existing rubric; else 422 invalid_field); kept in the configuration history (supervisors, admins)",
        Some("QualitySettingsWrite"),
        200,
        json::<crate::quality::SettingsView>(),
    ),
    (
        "post",
        "/api/v1/quality/draw",
        "Draw the resolved cases received on the days [from, to) (at most 366) into the inspection queue by the sampling rules; the random share is chosen from the case id and the period, so drawing the same period again chooses the same cases, and a case is never queued twice (supervisors, admins)",
        Some("QualityDraw"),
        200,
        json::<crate::quality::DrawView>(),
    ),
    (
        "get",
        "/api/v1/quality/inspections",
        "Inspections, newest first: ?queue= pending, mine (pending, assigned to me), scored, acknowledged, appealed, decided; agents see only their own scored ones",
        None,
        200,
        json::<List<crate::quality::InspectionView>>(),
    ),
    (
        "get",
        "/api/v1/quality/inspections/{id}",
        "An inspection with its history, rubric version and the case's messages (another agent's is 404)",
        None,
        200,
        json::<crate::quality::DetailView>(),
    ),
    (
        "post",
        "/api/v1/quality/inspections/{id}/assign",
        "Give a pending inspection to an active inspector, supervisor or admin (supervisors and admins; an inspector may take one for themselves); not pending is 409 inspection_state",
        Some("InspectionAssign"),
        200,
        json::<crate::quality::InspectionView>(),
    ),
    (
        "post",
        "/api/v1/quality/inspections/{id}/score",
        "Score a pending inspection with the current version of the settings' rubric: every item once, 0 to its highest (an unknown item is 422 invalid_field); comments name messages of the case. Total = Σ weight × score / highest; a critical item at 0 makes it 0. The case is not changed (inspectors, supervisors, admins)",
        Some("InspectionScore"),
        200,
        json::<crate::quality::InspectionView>(),
    ),
    (
        "post",
        "/api/v1/quality/inspections/{id}/acknowledge",
        "The agent inspected accepts the score (确认); only a scored one (else 409 inspection_state)",
        None,
        200,
        json::<crate::quality::InspectionView>(),
    ),
    (
        "post",
        "/api/v1/quality/inspections/{id}/appeal",
        "The agent inspected disputes the score (申诉) with a reason; only a scored one",
        Some("InspectionAppeal"),
        200,
        json::<crate::quality::InspectionView>(),
    ),
    (
        "post",
        "/api/v1/quality/inspections/{id}/decide",
        "Decide an appeal: uphold, or rescore with the rubric version it was scored with; a note is required (supervisors, admins)",
        Some("AppealDecide"),
        200,
        json::<crate::quality::InspectionView>(),
    ),
    (
        "get",
        "/api/v1/quality/figures",
        "QA figures per agent or department (the case's when drawn) over the days [from, to) the inspections were scored: count, score sum, passed (score ≥ the pass score), average and pass rate; agents see only their own row",
        None,
        200,
        json::<crate::quality::FiguresView>(),
    ),
    (
        "get",
        "/api/v1/key-accounts",
        "Key accounts (the B2B department's contract customers) by grade (ungraded last), then code: supervisors and admins see every one, an agent those assigned to them; other roles 403. Filters: grade, status, q (part of the code, name or industry)",
        None,
        200,
        json::<List<crate::key_accounts::KeyAccountView>>(),
    ),
    (
        "post",
        "/api/v1/key-accounts",
        "Create a key account, onboarding (supervisors, admins); a code already taken is 409 duplicate; assistants must be active agents, the owner an active supervisor or admin (else 422)",
        Some("KeyAccountCreate"),
        201,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "get",
        "/api/v1/key-accounts/export",
        "The accounts one may see as CSV (UTF-8 with a byte-order mark); the download is recorded in the audit log",
        None,
        200,
        Body::Csv,
    ),
    (
        "get",
        "/api/v1/key-accounts/reminders",
        "What is due on the accounts one may see, overdue first (the earliest due first): renewal contacts two calendar months before a document ends, gradings of the last finished quarter not recorded, customer files not reviewed this month",
        None,
        200,
        json::<List<crate::key_accounts::ReminderView>>(),
    ),
    (
        "get",
        "/api/v1/key-accounts/{id}",
        "A key account with its contacts, customer file, documents and prices (one not assigned to an agent is 404 to them)",
        None,
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "patch",
        "/api/v1/key-accounts/{id}",
        "Change a key account (supervisors, admins): status moves onboarding → handover → active → ended (any open one may end; else 422); go-live and the grade's policy give the hand-over end",
        Some("KeyAccountPatch"),
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "put",
        "/api/v1/key-accounts/{id}/assistants",
        "Replace the assistants (active agents; supervisors, admins)",
        Some("KeyAccountAssistants"),
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "post",
        "/api/v1/key-accounts/{id}/contacts",
        "Add a contact of the customer (a phone or an e-mail address); answers the account",
        Some("KeyAccountContactWrite"),
        201,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "put",
        "/api/v1/key-accounts/{id}/contacts/{item}",
        "Replace a contact",
        Some("KeyAccountContactWrite"),
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "delete",
        "/api/v1/key-accounts/{id}/contacts/{item}",
        "Remove a contact; answers the account",
        None,
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "post",
        "/api/v1/key-accounts/{id}/file-entries",
        "Add a shipper or consignee to the customer file; answers the account",
        Some("KeyAccountFileEntryWrite"),
        201,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "put",
        "/api/v1/key-accounts/{id}/file-entries/{item}",
        "Replace an entry of the customer file",
        Some("KeyAccountFileEntryWrite"),
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "delete",
        "/api/v1/key-accounts/{id}/file-entries/{item}",
        "Remove an entry of the customer file; answers the account",
        None,
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "post",
        "/api/v1/key-accounts/{id}/file-reviewed",
        "Record that the customer file was reviewed today (the monthly update)",
        None,
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "get",
        "/api/v1/key-accounts/{id}/file-export",
        "The customer file as CSV; the download is recorded in the audit log",
        None,
        200,
        Body::Csv,
    ),
    (
        "get",
        "/api/v1/key-accounts/{id}/gradings",
        "The account's quarterly gradings in the order recorded; a re-grade supersedes the earlier record of its quarter",
        None,
        200,
        json::<List<crate::key_accounts::GradingView>>(),
    ),
    (
        "post",
        "/api/v1/key-accounts/{id}/gradings",
        "Grade a finished quarter (supervisors, admins): each criterion's points from the key_accounts setting's bands, the weighted score and the grade; the account's grade follows its latest quarter. A quarter not yet ended is 422 (field quarter)",
        Some("KeyAccountGradingWrite"),
        201,
        json::<crate::key_accounts::GradingView>(),
    ),
    (
        "post",
        "/api/v1/key-accounts/{id}/documents",
        "Add a contract, agreement or quote with its scope (services, routes); answers the account",
        Some("KeyAccountDocumentWrite"),
        201,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "put",
        "/api/v1/key-accounts/{id}/documents/{item}",
        "Replace a document (its renewal contact is kept)",
        Some("KeyAccountDocumentWrite"),
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "delete",
        "/api/v1/key-accounts/{id}/documents/{item}",
        "Remove a document; answers the account",
        None,
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "post",
        "/api/v1/key-accounts/{id}/documents/{item}/contacted",
        "Record that the customer was contacted about renewing the document: its reminder is cleared",
        Some("KeyAccountContactedWrite"),
        200,
        json::<crate::key_accounts::KeyAccountView>(),
    ),
    (
        "get",
        "/api/v1/key-accounts/{id}/prices",
        "The account's prices, drafts and filed",
        None,
        200,
        json::<List<crate::key_accounts::PriceView>>(),
    ),
    (
        "post",
        "/api/v1/key-accounts/{id}/prices",
        "Add a draft price; one outside the scope of every document not ended is 422 (field service, or route)",
        Some("KeyAccountPriceWrite"),
        201,
        json::<crate::key_accounts::PriceView>(),
    ),
    (
        "post",
        "/api/v1/key-accounts/{id}/prices/{item}/file",
        "File (报备) a draft price: from now on it is usable (supervisors, admins); filed already is 409 price_already_filed",
        None,
        200,
        json::<crate::key_accounts::PriceView>(),
    ),
    (
        "get",
        "/api/v1/key-accounts/{id}/price",
        "The filed price of a service on a route in force on a day; only a draft: 422 price_not_filed; none: 404",
        None,
        200,
        json::<crate::key_accounts::PriceView>(),
    ),
    (
        "get",
        "/api/v1/work-orders",
        "Work orders: an organisation's queue for its staff (their own and those below), any or all for the desk; ?open=true lists those still waiting, soonest deadline first",
        None,
        200,
        json::<List<WorkOrderView>>(),
    ),
    (
        "get",
        "/api/v1/work-orders/{id}",
        "One work order by id or number",
        None,
        200,
        json::<WorkOrderView>(),
    ),
    (
        "post",
        "/api/v1/work-orders/{id}/reroute",
        "Send an open order to another organisation with a reason (customer service or the organisation holding it); fresh deadlines there",
        Some("WorkOrderReroute"),
        200,
        json::<WorkOrderView>(),
    ),
    (
        "post",
        "/api/v1/work-orders/{id}/{action}",
        "reply, complete or refuse (the organisation's staff; admins and supervisors recording its answer) or withdraw (customer service); refuse and withdraw need a reason; a closed order is 409",
        Some("WorkOrderAction"),
        200,
        json::<WorkOrderView>(),
    ),
    (
        "post",
        "/api/v1/customers/{id}/reveal",
        "A customer's full phones and emails; the reveal is recorded in the audit log (admins, supervisors, agents, finance; a reason is required)",
        Some("RevealRequest"),
        200,
        json::<CustomerFullView>(),
    ),
    (
        "post",
        "/api/v1/shipments/{id}/reveal",
        "A shipment's sender and recipient in full; the reveal is recorded in the audit log (admins, supervisors, agents, finance; a reason is required)",
        Some("RevealRequest"),
        200,
        json::<ShipmentView>(),
    ),
    (
        "get",
        "/api/v1/audit",
        "The audit log of personal data revealed, newest first (?subject=customer:<id>, ?limit)",
        None,
        200,
        json::<List<AuditEntryView>>(),
    ),
    (
        "post",
        "/api/v1/chat/conversations",
        "Start a chat (public, rate-limited): a chat case the bot answers first, and the token the customer's browser keeps; then speak the WebSocket protocol at /chat/ws",
        Some("Object"),
        201,
        json::<ChatStarted>(),
    ),
    (
        "get",
        "/api/v1/chat/cases/{id}/ws",
        "An agent's WebSocket to one chat (frames after ?after=seq, then live; send message/note/typing/read)",
        None,
        101,
        Body::Upgrade,
    ),
    (
        "get",
        "/api/v1/chat/cases/{id}/frames",
        "A chat's frames after ?after=seq as staff see them (messages, notices, what the bot understood)",
        None,
        200,
        json::<ChatFrames>(),
    ),
    (
        "get",
        "/api/v1/me/presence",
        "The caller's routing profile: presence, capacity, skills",
        None,
        200,
        json::<AgentProfileView>(),
    ),
    (
        "put",
        "/api/v1/me/presence",
        "Set presence (online, away, offline), max_chats, max_open_cases, skills {categories, channels, languages}",
        Some("Object"),
        200,
        json::<AgentProfileView>(),
    ),
    (
        "get",
        "/api/v1/routing/agents",
        "Agents with their presence and load (supervisors)",
        None,
        200,
        json::<List<AgentLoadView>>(),
    ),
    (
        "get",
        "/api/v1/channels/email",
        "Mailboxes kefu reads and answers from, with their readers' status (admins); passwords are never shown",
        None,
        200,
        json::<List<EmailAccountView>>(),
    ),
    (
        "post",
        "/api/v1/channels/email",
        "Add a mailbox (admins): IMAP to read, SMTP to answer",
        Some("EmailAccountDraft"),
        201,
        json::<EmailAccountView>(),
    ),
    (
        "get",
        "/api/v1/channels/email/{id}",
        "One mailbox (admins)",
        None,
        200,
        json::<EmailAccountView>(),
    ),
    (
        "put",
        "/api/v1/channels/email/{id}",
        "Change a mailbox at its version (admins); a password left out stays as it was",
        Some("EmailAccountDraft"),
        200,
        json::<EmailAccountView>(),
    ),
    (
        "post",
        "/api/v1/channels/email/{id}/mail",
        "Hand in a mail a gateway received for this mailbox (admins): a new case, a message on the case it answers, or recorded and ignored (auto-reply, bounce, a mail taken in before); unreadable mail is kept raw",
        Some("RawMail"),
        200,
        json::<MailReceiptView>(),
    ),
    (
        "get",
        "/api/v1/channels/sms",
        "SMS gateways notices go out through (admins); the API key is never shown",
        None,
        200,
        json::<List<SmsAccountView>>(),
    ),
    (
        "post",
        "/api/v1/channels/sms",
        "Add an SMS gateway (admins): the endpoint speaking kefu's SMS contract, the approved signature, the key",
        Some("SmsAccountDraft"),
        201,
        json::<SmsAccountView>(),
    ),
    (
        "get",
        "/api/v1/channels/sms/{id}",
        "One SMS gateway (admins)",
        None,
        200,
        json::<SmsAccountView>(),
    ),
    (
        "put",
        "/api/v1/channels/sms/{id}",
        "Change an SMS gateway at its version (admins); a key left out stays as it was",
        Some("SmsAccountDraft"),
        200,
        json::<SmsAccountView>(),
    ),
    (
        "get",
        "/api/v1/channels/wechat",
        "WeChat official accounts and WeCom apps (admins), with the callback path to give WeChat and how callbacks have gone; secrets are never shown",
        None,
        200,
        json::<List<WeChatAccountView>>(),
    ),
    (
        "post",
        "/api/v1/channels/wechat",
        "Add a WeChat official account or WeCom app (admins)",
        Some("WeChatAccountDraft"),
        201,
        json::<WeChatAccountView>(),
    ),
    (
        "get",
        "/api/v1/channels/wechat/{id}",
        "One WeChat account (admins)",
        None,
        200,
        json::<WeChatAccountView>(),
    ),
    (
        "put",
        "/api/v1/channels/wechat/{id}",
        "Change a WeChat account at its version (admins); a secret left out stays as it was",
        Some("WeChatAccountDraft"),
        200,
        json::<WeChatAccountView>(),
    ),
    (
        "get",
        "/hooks/wechat/{account_id}",
        "Public, for WeChat: the callback URL check; answers echostr (decrypted when encrypted) if the signature is the account's token's, else 401 bad_signature (or stale_timestamp beyond 5 minutes)",
        None,
        200,
        Body::Text,
    ),
    (
        "post",
        "/hooks/wechat/{account_id}",
        "Public, for WeChat: one message or event as XML (at most 64 KiB); answers success once stored (unreadable ones kept raw, retries taken once); 401 bad_signature or stale_timestamp stores nothing",
        None,
        200,
        Body::Text,
    ),
    (
        "get",
        "/api/v1/channels/inbound",
        "Messages taken in, newest first (supervisors and admins); outcome=unparsed lists what a person must look at",
        None,
        200,
        json::<List<InboundView>>(),
    ),
    (
        "get",
        "/api/v1/channels/inbound/{key}/original",
        "The original bytes of a message kept because it could not be read, as a .eml download (admins; audited)",
        None,
        200,
        Body::Mail,
    ),
    (
        "post",
        "/api/v1/channels/inbound/{key}/retake",
        "Read an unreadable message again with today's parser (admins; audited): if it reads, it is taken in as a new mail would be (outcome retaken, with the receipt); if not, it stays unparsed with the new reason. A message already retaken or dismissed is 409 already_handled",
        None,
        200,
        json::<InboundRetakeView>(),
    ),
    (
        "post",
        "/api/v1/channels/inbound/{key}/dismiss",
        "Set an unreadable message aside with a reason (admins; audited): it leaves outcome=unparsed and is listed under outcome=dismissed. No reason is 400 reason_required; a message already retaken or dismissed is 409 already_handled",
        Some("DismissInbound"),
        200,
        json::<InboundView>(),
    ),
    (
        "get",
        "/api/v1/channels/pbx",
        "The telephone system's accounts (admins), with their webhook's status; the webhook secret is never shown",
        None,
        200,
        json::<List<PbxAccountView>>(),
    ),
    (
        "post",
        "/api/v1/channels/pbx",
        "Add a PBX / call-centre account (admins): the secret its webhooks are signed with, the timestamp tolerance, where its recordings are",
        Some("PbxAccountDraft"),
        201,
        json::<PbxAccountView>(),
    ),
    (
        "get",
        "/api/v1/channels/pbx/{id}",
        "One PBX account (admins)",
        None,
        200,
        json::<PbxAccountView>(),
    ),
    (
        "put",
        "/api/v1/channels/pbx/{id}",
        "Change a PBX account at its version (admins); a webhook secret left out stays as it was",
        Some("PbxAccountDraft"),
        200,
        json::<PbxAccountView>(),
    ),
    (
        "post",
        "/hooks/pbx/{account_id}",
        "Public, signed: one call event from the PBX (X-Kefu-Timestamp, X-Kefu-Signature = hex HMAC-SHA256 of timestamp \".\" body); a bad signature or stale timestamp is 401 bad_signature, a body that is no call event 400 invalid, an impossible order 409 conflict; a retried event changes nothing",
        Some("PbxCallEvent"),
        200,
        json::<CallReceiptView>(),
    ),
    (
        "get",
        "/api/v1/stats/phone",
        "Answer-time figures per queue for the calls offered in [from, to) (supervisors and admins): offered, answered, abandoned, average speed of answer, service level (20 s), abandonment rate",
        None,
        200,
        json::<PhoneFiguresView>(),
    ),
    (
        "get",
        "/api/v1/cases/{id}/deliveries",
        "The case's public replies on their way to the customer: queued, sent or failed, with attempts and the last error",
        None,
        200,
        json::<List<DeliveryView>>(),
    ),
    (
        "get",
        "/api/v1/canned",
        "Canned replies and macros the caller may use (team ones of their department or everyone's, their own personal ones); q searches title, body and tags",
        None,
        200,
        json::<List<CannedView>>(),
    ),
    (
        "post",
        "/api/v1/canned",
        "Create a template (personal; team ones by supervisors and admins); an unknown {{variable}} is a 422 on body",
        Some("CannedCreate"),
        201,
        json::<CannedView>(),
    ),
    (
        "get",
        "/api/v1/canned/{id}",
        "One template",
        None,
        200,
        json::<CannedView>(),
    ),
    (
        "put",
        "/api/v1/canned/{id}",
        "Replace a template (the owner; team ones by supervisors and admins)",
        Some("CannedCreate"),
        200,
        json::<CannedView>(),
    ),
    (
        "delete",
        "/api/v1/canned/{id}",
        "Archive a template: no longer offered",
        None,
        204,
        Body::Empty,
    ),
    (
        "post",
        "/api/v1/cases/{id}/canned/{template}/render",
        "A template filled in for the case (customer, waybill, latest status, expected delivery, case number, agent)",
        None,
        200,
        json::<RenderedView>(),
    ),
    (
        "post",
        "/api/v1/cases/{id}/macros/{macro}",
        "Apply a macro: its reply and field changes as events of one write, or nothing",
        None,
        200,
        json::<MacroResult>(),
    ),
    (
        "get",
        "/api/v1/search",
        "Search cases, customers and shipments (?q=, ?type=case|customer|shipment|article, ?status, ?category, ?department, ?from, ?to, ?limit): Chinese words and logistics synonyms, exact waybill/phone/last-four/case number/email first; department staff see only their department's cases",
        None,
        200,
        json::<List<SearchHitView>>(),
    ),
    (
        "get",
        "/api/v1/kb/articles",
        "Knowledge-base articles (?category, ?audience=public|internal, ?overdue=true, ?archived=true), with their helpful/not-helpful votes",
        None,
        200,
        json::<List<ArticleWithVotes>>(),
    ),
    (
        "post",
        "/api/v1/kb/articles",
        "Write an article: category, tags, audience, owner, review_by, intents, zh/en {title, body (Markdown)}, change_note",
        Some("Object"),
        201,
        json::<ArticleView>(),
    ),
    (
        "get",
        "/api/v1/kb/articles/{id}",
        "One article (staff: internal ones too) with its votes",
        None,
        200,
        json::<ArticleWithVotes>(),
    ),
    (
        "put",
        "/api/v1/kb/articles/{id}",
        "A new version of the article; base_version is the version the edit started from (409 version_conflict over a newer one)",
        Some("Object"),
        200,
        json::<ArticleView>(),
    ),
    (
        "post",
        "/api/v1/kb/articles/{id}/archive",
        "Archive or bring back ({archived, base_version}), as a new version",
        Some("Object"),
        200,
        json::<ArticleView>(),
    ),
    (
        "post",
        "/api/v1/kb/articles/{id}/review",
        "Reviewed: the next review is due on review_by (default in 180 days), as a new version",
        Some("Object"),
        200,
        json::<ArticleView>(),
    ),
    (
        "get",
        "/api/v1/kb/articles/{id}/versions",
        "Every saved version, newest first",
        None,
        200,
        json::<List<ArticleView>>(),
    ),
    (
        "get",
        "/api/v1/kb/articles/{id}/versions/{version}",
        "One saved version, whole",
        None,
        200,
        json::<ArticleView>(),
    ),
    (
        "post",
        "/api/v1/kb/articles/{id}/versions/{version}/restore",
        "Make an old version's content current (a new version; history only grows)",
        Some("Object"),
        200,
        json::<ArticleView>(),
    ),
    (
        "get",
        "/api/v1/kb/articles/{id}/feedback",
        "The latest votes and their comments",
        None,
        200,
        json::<List<FeedbackView>>(),
    ),
    (
        "post",
        "/api/v1/kb/articles/{id}/feedback",
        "A vote from staff ({helpful, comment})",
        Some("Object"),
        204,
        Body::Empty,
    ),
    (
        "get",
        "/api/v1/kb/reviews/overdue",
        "Articles whose review-by date has passed, oldest first",
        None,
        200,
        json::<List<ArticleWithVotes>>(),
    ),
    (
        "get",
        "/api/v1/kb/gaps",
        "Questions that found nothing good (searches without hits, bot questions without a strong article), grouped, most asked first (?days=30)",
        None,
        200,
        json::<List<GapView>>(),
    ),
    (
        "get",
        "/api/v1/kb/search",
        "Search the articles the caller may read (?q=)",
        None,
        200,
        json::<List<SearchHitView>>(),
    ),
    (
        "get",
        "/api/v1/kb/categories",
        "The help centre's categories",
        None,
        200,
        json::<List<CategoryView>>(),
    ),
    (
        "get",
        "/api/v1/help/articles",
        "Public: the help centre's articles (?category)",
        None,
        200,
        json::<List<ArticleWithVotes>>(),
    ),
    (
        "get",
        "/api/v1/help/articles/{id}",
        "Public: one public article",
        None,
        200,
        json::<ArticleView>(),
    ),
    (
        "post",
        "/api/v1/help/articles/{id}/feedback",
        "Public: was this helpful? ({helpful, comment}); rate-limited",
        Some("Object"),
        204,
        Body::Empty,
    ),
    (
        "get",
        "/api/v1/help/search",
        "Public: search the public articles (?q=); a question without a hit is noted for the gaps report; rate-limited",
        None,
        200,
        json::<List<SearchHitView>>(),
    ),
    (
        "post",
        "/api/v1/nlu/parse",
        "What the bot understands of a text: {intent, confidence, entities: [{kind, value, start, end}]}",
        Some("Object"),
        200,
        json::<UnderstandingView>(),
    ),
    (
        "get",
        "/api/v1/notifications",
        "My notifications, newest first (?unread=true)",
        None,
        200,
        json::<List<NotificationView>>(),
    ),
    (
        "post",
        "/api/v1/notifications/read",
        "Mark notifications read (all when ids is empty)",
        Some("MarkRead"),
        200,
        json::<MarkedRead>(),
    ),
    (
        "get",
        "/api/v1/sla-policies",
        "List SLA policies in the order they are tried",
        None,
        200,
        json::<List<SlaPolicyView>>(),
    ),
    (
        "put",
        "/api/v1/sla-policies/{id}",
        "Create or replace an SLA policy (admins, supervisors)",
        Some("SlaPolicy"),
        200,
        json::<SlaPolicyView>(),
    ),
    (
        "get",
        "/api/v1/surveys/{token}",
        "A satisfaction survey by its link's token (public: the token is the proof): the case's number and subject, whether it was answered (and the answer), the reasons offered — poor_reasons below satisfied_from, good_reasons from it; 404 for an unknown, forged or expired link",
        None,
        200,
        json::<SurveyFormView>(),
    ),
    (
        "post",
        "/api/v1/surveys/{token}",
        "Answer a satisfaction survey (public, once): score 1–5, reasons from those offered with that score, a comment up to 500 characters; 409 already_rated for a second answer, 409 not_resolved when the case was reopened; a poor score opens a follow-up for the supervisors",
        Some("SurveyAnswerCreate"),
        200,
        json::<SurveyAnswerView>(),
    ),
    (
        "get",
        "/api/v1/satisfaction",
        "Satisfaction figures (满意度) of the surveys opened on the days [from, to) in the desk's time zone, by agent, team, channel, category, customer grade or day: surveyed, answered, satisfied, poor, satisfaction rate (satisfied ÷ answered), response rate (answered ÷ surveyed), against the target; agents see their own cases only, supervisors and admins all; at most 366 days",
        None,
        200,
        json::<SatisfactionView>(),
    ),
    (
        "get",
        "/api/v1/satisfaction/cases",
        "The surveyed cases behind a figure of /satisfaction: exactly those it counts (same days and scope; by and key pick a row, figure the column)",
        None,
        200,
        json::<List<SurveyCaseView>>(),
    ),
    (
        "get",
        "/api/v1/follow-ups",
        "The follow-up (回访) queue of poor answers, overdue first then by due time; closed=true adds the closed ones (supervisors, admins)",
        None,
        200,
        json::<List<SurveyCaseView>>(),
    ),
    (
        "post",
        "/api/v1/cases/{id}/follow-up",
        "Record what came of a follow-up, which closes it (supervisors, admins); 409 no_open_follow_up when none is open",
        Some("FollowUpClose"),
        200,
        json::<CaseView>(),
    ),
    (
        "post",
        "/api/v1/cases/{id}/root-cause",
        "Record or amend the case's resolution code, root causes (tags group/cause of the root_causes setting), responsible organisation (an organisation key of the network) and lesson: a root_cause_recorded event (the same record again changes nothing); unknown code, cause or organisation → 422 invalid_field; a resolved or closed case of a category the setting names keeps a code (422 resolution_code)",
        Some("RootCauseCreate"),
        200,
        json::<CaseView>(),
    ),
    (
        "get",
        "/api/v1/root-causes/pareto",
        "The Pareto of root causes (by=cause, a case counts under each of its causes) or of resolution codes (by=code) recorded on the days [from, to) in the desk's time zone, filterable by category, region (the first parcel's recipient's province code), organisation (the responsible organisation's id) and route (origin-destination province codes); most first with each bar's share and the cumulative share, vital up to the bar reaching 80 %; supervisors, admins, read-only; at most 366 days",
        None,
        200,
        json::<crate::causes::ParetoView>(),
    ),
    (
        "get",
        "/api/v1/root-causes/pareto/export",
        "The Pareto as CSV (UTF-8 with a byte-order mark)",
        None,
        200,
        Body::Csv,
    ),
    (
        "get",
        "/api/v1/root-causes/cases",
        "The cases behind one bar of the Pareto (same period and filters; key the bar's cause or code), by day then number",
        None,
        200,
        json::<List<crate::causes::CauseCaseView>>(),
    ),
    (
        "get",
        "/api/v1/closed-loop",
        "The complaint closed loop (R-MG-5) of the complaints received on the days [from, to): per step — received, accepted, classified, graded, resolved_in_time (resolved with no clock breached), cause_recorded, linked (to an improvement item), improved (such an item done) — how many passed it and how many did not, for the period and per region (by=region) or responsible organisation (by=organisation); supervisors, admins, read-only",
        None,
        200,
        json::<crate::causes::ClosedLoopView>(),
    ),
    (
        "get",
        "/api/v1/closed-loop/cases",
        "The complaints of the period that did not pass a step (of one region or organisation with key), by day then number",
        None,
        200,
        json::<List<crate::causes::LoopCaseView>>(),
    ),
    (
        "get",
        "/api/v1/closed-loop/export",
        "The closed loop as CSV: the period, then each region or organisation; a column per step",
        None,
        200,
        Body::Csv,
    ),
    (
        "get",
        "/api/v1/improvements",
        "The improvement backlog (改进项), most recently changed first (admins, supervisors, agents, read-only)",
        None,
        200,
        json::<List<crate::causes::ImprovementView>>(),
    ),
    (
        "post",
        "/api/v1/improvements",
        "Propose an improvement item: title, description, owner (a user or a department), due date, the causes it addresses, the cases that motivated it (admins, supervisors, agents); it starts proposed",
        Some("ImprovementCreate"),
        201,
        json::<crate::causes::ImprovementView>(),
    ),
    (
        "get",
        "/api/v1/improvements/{id}",
        "An improvement item",
        None,
        200,
        json::<crate::causes::ImprovementView>(),
    ),
    (
        "patch",
        "/api/v1/improvements/{id}",
        "Change an item (admins, supervisors): fields, or the status proposed → accepted → in_progress → done, or rejected from any open status (409 invalid_transition otherwise); each change is an entry of its history",
        Some("ImprovementPatch"),
        200,
        json::<crate::causes::ImprovementView>(),
    ),
    (
        "get",
        "/api/v1/improvements/{id}/history",
        "An item's history, oldest first: who, when, what",
        None,
        200,
        json::<List<crate::causes::ImprovementEntryView>>(),
    ),
    (
        "post",
        "/api/v1/improvements/{id}/cases",
        "Link a case (id or number) to an item (admins, supervisors, agents); linking it again changes nothing",
        Some("ImprovementLink"),
        200,
        json::<crate::causes::ImprovementView>(),
    ),
    (
        "delete",
        "/api/v1/improvements/{id}/cases/{case}",
        "Unlink a case (id or number) from an item (admins, supervisors); 404 when it is not linked",
        None,
        200,
        json::<crate::causes::ImprovementView>(),
    ),
];

fn query_params(path: &str, method: &str) -> Vec<Value> {
    let q = |name: &str, schema: Value, description: &str| json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description});
    let page = || {
        vec![
            q(
                "cursor",
                json!({"type": "string"}),
                "next_cursor of the previous page",
            ),
            q(
                "limit",
                json!({"type": "integer", "minimum": 1, "maximum": 200, "default": 50}),
                "page size",
            ),
        ]
    };
    match (method, path) {
        ("get", "/api/v1/shipments/{id}/history") => vec![q(
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}),
            "",
        )],
        ("get", "/api/v1/config-history") => vec![
            q(
                "kind",
                json!({"type": "string", "enum": ["setting", "sla_policy", "calendar"]}),
                "",
            ),
            q(
                "key",
                json!({"type": "string"}),
                "one setting, policy or calendar",
            ),
            q(
                "limit",
                json!({"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}),
                "",
            ),
        ],
        ("get", "/api/v1/work-orders") => vec![
            q("organisation", json!({"type": "string"}), "an organisation's key"),
            q("open", json!({"type": "boolean"}), "only orders still waiting"),
            q(
                "kind",
                json!({"$ref": "#/components/schemas/OrderKind"}),
                "",
            ),
            q(
                "from",
                json!({"type": "string", "format": "date-time"}),
                "sent at or after",
            ),
            q(
                "to",
                json!({"type": "string", "format": "date-time"}),
                "sent before",
            ),
            q(
                "from_day",
                json!({"type": "string", "format": "date"}),
                "sent on or after this day (the desk's time zone)",
            ),
            q(
                "to_day",
                json!({"type": "string", "format": "date"}),
                "sent before this day",
            ),
            q(
                "figure",
                json!({"type": "string", "enum": kefu_model::work_order::OrderFigure::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>()}),
                "only the orders behind this figure of the assessment",
            ),
            q(
                "limit",
                json!({"type": "integer", "minimum": 1, "maximum": 1000, "default": 200}),
                "",
            ),
        ],
        ("get", "/api/v1/network/assessment") => ["from", "to"]
            .iter()
            .map(|name| {
                json!({"name": name, "in": "query", "required": true,
                    "schema": {"type": "string", "format": "date"},
                    "description": "a day (YYYY-MM-DD) in the desk's time zone; orders sent from `from` up to (not including) `to`"})
            })
            .collect(),
        ("get", "/api/v1/kpis" | "/api/v1/kpis/export" | "/api/v1/kpis/cases") => {
            let mut params: Vec<Value> = ["from", "to"]
                .iter()
                .map(|name| {
                    json!({"name": name, "in": "query", "required": true,
                        "schema": {"type": "string", "format": "date"},
                        "description": "a day (YYYY-MM-DD) in the desk's time zone; cases received from `from` up to (not including) `to`"})
                })
                .collect();
            params.push(q(
                "by",
                json!({"type": "string", "enum": kefu_model::kpi::Dimension::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>(), "default": "all"}),
                "the dimension the figures are grouped by",
            ));
            if path == "/api/v1/kpis/cases" {
                params.push(q("key", json!({"type": "string"}), "the key under the dimension (a row's `key`)"));
                params.push(json!({"name": "figure", "in": "query", "required": true,
                    "schema": {"type": "string", "enum": kefu_model::kpi::KpiFigure::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>()},
                    "description": "the figure whose cases are listed"}));
                params.push(q("cursor", json!({"type": "string"}), "next_cursor of the previous page"));
                params.push(q(
                    "limit",
                    json!({"type": "integer", "minimum": 1, "maximum": 200, "default": 50}),
                    "page size",
                ));
            } else {
                params.push(q(
                    "granularity",
                    json!({"type": "string", "enum": ["day", "week", "month"], "default": "day"}),
                    "the series' buckets",
                ));
            }
            if path == "/api/v1/kpis/export" {
                params.push(q(
                    "format",
                    json!({"type": "string", "enum": ["csv", "xlsx"], "default": "csv"}),
                    "the file type",
                ));
            }
            params
        }
        ("get", "/api/v1/root-causes/pareto" | "/api/v1/root-causes/pareto/export" | "/api/v1/root-causes/cases") => {
            let mut v: Vec<Value> = ["from", "to"]
                .iter()
                .map(|name| {
                    json!({"name": name, "in": "query", "required": true,
                        "schema": {"type": "string", "format": "date"},
                        "description": "a day (YYYY-MM-DD) in the desk's time zone; causes recorded from `from` up to (not including) `to`, at most 366 days"})
                })
                .collect();
            v.push(q("by", json!({"type": "string", "enum": ["cause", "code"], "default": "cause"}), "what the bars count"));
            v.push(q("category", json!({"type": "string", "enum": kefu_model::Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()}), "only cases of this category"));
            v.push(q("region", json!({"type": "string", "maxLength": 12}), "the first parcel's recipient's province code"));
            v.push(q("organisation", json!({"type": "string", "maxLength": 64}), "the responsible organisation's id"));
            v.push(q("route", json!({"type": "string", "maxLength": 25}), "origin-destination province codes, e.g. 31-44"));
            if path == "/api/v1/root-causes/cases" {
                v.push(json!({"name": "key", "in": "query", "required": true, "schema": {"type": "string", "minLength": 1, "maxLength": 100}, "description": "the bar's cause or code"}));
            }
            v
        }
        ("get", "/api/v1/closed-loop" | "/api/v1/closed-loop/export" | "/api/v1/closed-loop/cases") => {
            let mut v: Vec<Value> = ["from", "to"]
                .iter()
                .map(|name| {
                    json!({"name": name, "in": "query", "required": true,
                        "schema": {"type": "string", "format": "date"},
                        "description": "a day (YYYY-MM-DD) in the desk's time zone; complaints received from `from` up to (not including) `to`, at most 366 days"})
                })
                .collect();
            v.push(q("by", json!({"type": "string", "enum": ["region", "organisation"], "default": "region"}), "the breakdown"));
            if path == "/api/v1/closed-loop/cases" {
                v.push(json!({"name": "step", "in": "query", "required": true, "schema": {"type": "string", "enum": kefu_model::causes::LoopStep::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()}, "description": "the step the complaints did not pass"}));
                v.push(q("key", json!({"type": "string", "maxLength": 64}), "one region or organisation of `by` (empty: unknown)"));
            }
            v
        }
        ("get", "/api/v1/satisfaction") => {
            let mut v: Vec<Value> = ["from", "to"]
                .iter()
                .map(|name| {
                    json!({"name": name, "in": "query", "required": true,
                        "schema": {"type": "string", "format": "date"},
                        "description": "a day (YYYY-MM-DD) in the desk's time zone; surveys opened from `from` up to (not including) `to`"})
                })
                .collect();
            v.push(q(
                "by",
                json!({"type": "string", "enum": kefu_model::survey::SurveyDimension::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>(), "default": "agent"}),
                "the dimension of the rows",
            ));
            v
        }
        ("get", "/api/v1/satisfaction/cases") => {
            let mut v: Vec<Value> = ["from", "to"]
                .iter()
                .map(|name| {
                    json!({"name": name, "in": "query", "required": true,
                        "schema": {"type": "string", "format": "date"},
                        "description": "as /satisfaction"})
                })
                .collect();
            v.push(q(
                "by",
                json!({"type": "string", "enum": kefu_model::survey::SurveyDimension::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>()}),
                "with key: one row's dimension",
            ));
            v.push(q(
                "key",
                json!({"type": "string", "maxLength": 64}),
                "with by: the row's key (empty: no agent or team)",
            ));
            v.push(q(
                "figure",
                json!({"type": "string", "enum": kefu_model::survey::SurveyFigure::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>(), "default": "surveyed"}),
                "the column",
            ));
            v.push(q(
                "limit",
                json!({"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000}),
                "",
            ));
            v
        }
        ("get", "/api/v1/follow-ups") => vec![
            q("closed", json!({"type": "boolean", "default": false}), "also the closed ones"),
            q(
                "limit",
                json!({"type": "integer", "minimum": 1, "maximum": 1000, "default": 200}),
                "",
            ),
        ],
        ("get", "/api/v1/key-accounts" | "/api/v1/key-accounts/export") => vec![
            q("grade", json!({"type": "integer", "minimum": 1, "maximum": 4}), ""),
            q(
                "status",
                json!({"type": "string", "enum": kefu_model::key_accounts::AccountStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()}),
                "",
            ),
            q(
                "q",
                json!({"type": "string", "maxLength": 50}),
                "part of the code, name or industry, case-insensitive; % and _ are literal",
            ),
        ],
        ("get", "/api/v1/key-accounts/{id}/price") => vec![
            json!({"name": "service", "in": "query", "required": true, "schema": {"type": "string"}}),
            json!({"name": "route", "in": "query", "required": true, "schema": {"type": "string"}}),
            json!({"name": "on", "in": "query", "required": true,
                "schema": {"type": "string", "format": "date"}, "description": "the day (YYYY-MM-DD)"}),
        ],
        ("get", "/api/v1/quality/rubrics/{id}") => vec![q(
            "version",
            json!({"type": "integer", "minimum": 1}),
            "that version (the newest when absent)",
        )],
        ("get", "/api/v1/quality/inspections") => vec![
            q(
                "queue",
                json!({"type": "string", "enum": kefu_model::quality::InspectionQueue::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>()}),
                "all when absent",
            ),
            q(
                "limit",
                json!({"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}),
                "",
            ),
        ],
        ("get", "/api/v1/quality/figures") => {
            let mut v: Vec<Value> = ["from", "to"]
                .iter()
                .map(|name| {
                    json!({"name": name, "in": "query", "required": true,
                        "schema": {"type": "string", "format": "date"},
                        "description": "a day (YYYY-MM-DD) in the desk's time zone; inspections scored from `from` up to (not including) `to`, at most 366 days"})
                })
                .collect();
            v.push(q(
                "by",
                json!({"type": "string", "enum": kefu_model::quality::QualityDimension::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>(), "default": "agent"}),
                "the dimension of the rows",
            ));
            v
        }
        ("get", "/api/v1/staffing/history" | "/api/v1/staffing/schedule") => ["from", "to"]
            .iter()
            .map(|name| {
                json!({"name": name, "in": "query", "required": true,
                    "schema": {"type": "string", "format": "date"},
                    "description": "a day (YYYY-MM-DD) in the desk's time zone; from `from` up to (not including) `to`, at most 366 days"})
            })
            .collect(),
        ("get", "/api/v1/staffing/forecast" | "/api/v1/staffing/needed") => vec![
            json!({"name": "day", "in": "query", "required": true,
                "schema": {"type": "string", "format": "date"}, "description": "the first day"}),
            q(
                "days",
                json!({"type": "integer", "minimum": 1, "maximum": 14, "default": 1}),
                "how many days from `day`",
            ),
            q(
                "weeks",
                json!({"type": "integer", "minimum": 1, "maximum": 52}),
                "weeks of history (the settings' when absent)",
            ),
        ],
        ("get", "/api/v1/stats/phone") => ["from", "to"]
            .iter()
            .map(|name| {
                json!({"name": name, "in": "query", "required": true,
                    "schema": {"type": "string", "format": "date-time"},
                    "description": "RFC 3339; calls offered from `from` up to (not including) `to`"})
            })
            .collect(),
        ("get" | "post", "/hooks/wechat/{account_id}") => {
            let mut params = vec![
                q(
                    "signature",
                    json!({"type": "string"}),
                    "SHA-1 of the sorted token, timestamp and nonce (plain mode)",
                ),
                q(
                    "msg_signature",
                    json!({"type": "string"}),
                    "SHA-1 of the sorted token, timestamp, nonce and ciphertext (encrypted)",
                ),
                q("timestamp", json!({"type": "string"}), "Unix seconds"),
                q("nonce", json!({"type": "string"}), ""),
            ];
            if method == "get" {
                params.push(q(
                    "echostr",
                    json!({"type": "string"}),
                    "the challenge to answer",
                ));
            }
            params
        }
        ("get", "/api/v1/channels/inbound") => vec![
            q(
                "outcome",
                json!({"$ref": "#/components/schemas/InboundOutcome"}),
                "",
            ),
            q(
                "limit",
                json!({"type": "integer", "minimum": 1, "maximum": 200, "default": 50}),
                "",
            ),
        ],
        ("get", "/api/v1/canned") => vec![
            q(
                "q",
                json!({"type": "string", "maxLength": 50}),
                "text the title, body or a tag contains",
            ),
            q(
                "scope",
                json!({"type": "string", "enum": ["team", "personal"]}),
                "",
            ),
            q(
                "kind",
                json!({"type": "string", "enum": ["reply", "macro"]}),
                "",
            ),
            q(
                "limit",
                json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 100}),
                "",
            ),
        ],
        ("get", "/api/v1/cases") => {
            let mut v = vec![
                q("status", json!({"$ref": "#/components/schemas/Status"}), ""),
                q(
                    "category",
                    json!({"$ref": "#/components/schemas/Category"}),
                    "",
                ),
                q(
                    "priority",
                    json!({"$ref": "#/components/schemas/Priority"}),
                    "",
                ),
                q("phone", json!({"type": "string"}), "the customer's phone"),
                q("customer_id", json!({"type": "string"}), ""),
                q("assignee", json!({"type": "string"}), "user id"),
            ];
            v.extend(page());
            v
        }
        ("get", "/api/v1/customers") => {
            let mut v = vec![
                q("phone", json!({"type": "string"}), ""),
                q("email", json!({"type": "string"}), ""),
                q(
                    "name",
                    json!({"type": "string", "minLength": 1, "maxLength": 50}),
                    "Part of the name, case-insensitive; % and _ are literal",
                ),
            ];
            v.extend(page());
            v
        }
        ("get", "/api/v1/search") => {
            let day_or_time = json!({"type": "string", "description": "YYYY-MM-DD or RFC 3339"});
            vec![
                json!({"name": "q", "in": "query", "required": true,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": "words, a waybill number, a phone or its last four digits, a case number, an email"}),
                q(
                    "type",
                    json!({"type": "string", "enum": ["case", "customer", "shipment", "article"]}),
                    "only this kind",
                ),
                q(
                    "status",
                    json!({"type": "string"}),
                    "a case's or shipment's status code",
                ),
                q(
                    "category",
                    json!({"type": "string"}),
                    "a case's or article's category code",
                ),
                q(
                    "department",
                    json!({"type": "string"}),
                    "department id or key: only cases with that department (unknown: 422 invalid_field)",
                ),
                q(
                    "from",
                    day_or_time.clone(),
                    "created on or after: a local day in the desk's time zone (Asia/Shanghai) or an instant",
                ),
                q(
                    "to",
                    day_or_time,
                    "created on or before, inclusive: a local day (the whole day) or an instant; not before from",
                ),
                q(
                    "limit",
                    json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
                    "",
                ),
            ]
        }
        _ => vec![],
    }
}

fn schemas() -> Value {
    let enum_of = |values: &[&str]| json!({"type": "string", "enum": values});
    let ts = json!({"type": "string", "format": "date-time"});
    let text = json!({"type": "string"});
    let strings = json!({"type": "array", "items": {"type": "string"}});
    let customer_create = json!({
        "type": "object", "additionalProperties": false,
        "properties": {
            "name": text, "phone": text, "phones": strings, "email": text, "emails": strings,
            "external_ids": {"type": "array", "items": {"type": "object", "properties": {"kind": text, "value": text}, "required": ["kind", "value"]}},
            "grade": {"type": "integer", "minimum": 1, "maximum": 5}, "tags": strings
        }
    });
    json!({
        "Object": {"type": "object"},
        "Login": {"type": "object", "required": ["username", "password"], "additionalProperties": false,
            "properties": {"username": text, "password": text}},
        "UserCreate": {"type": "object", "required": ["username", "password", "role"], "additionalProperties": false,
            "properties": {"username": text, "password": {"type": "string", "minLength": 8}, "role": {"$ref": "#/components/schemas/Role"},
                "display_name": text, "department": {"type": "string", "description": "department id or key"}}},
        "DepartmentCreate": {"type": "object", "required": ["key", "name", "kind"], "additionalProperties": false,
            "properties": {"key": text, "name": text, "kind": text}},
        "CustomerCreate": customer_create,
        "CaseCreate": {"type": "object", "required": ["channel", "subject"], "additionalProperties": false,
            "properties": {"channel": {"$ref": "#/components/schemas/Channel"}, "subject": text, "description": text,
                "customer_id": text, "customer": {"$ref": "#/components/schemas/CustomerCreate"},
                "category": {"$ref": "#/components/schemas/Category"}, "priority": {"$ref": "#/components/schemas/Priority"},
                "waybill_no": text, "tags": strings, "received_at": ts}},
        "CasePatch": {"type": "object", "additionalProperties": false,
            "properties": {"status": {"$ref": "#/components/schemas/Status"}, "priority": {"$ref": "#/components/schemas/Priority"},
                "category": {"$ref": "#/components/schemas/Category"}, "assignee": {"type": ["string", "null"], "description": "user id or username; null unassigns"},
                "department": {"type": ["string", "null"], "description": "department id or key; null clears"},
                "tags": strings, "waybill_no": text, "reason": text,
                "department_due_at": {"type": "string", "format": "date-time", "description": "with a transfer: by when the department answers back"},
                "root_cause": {"$ref": "#/components/schemas/RootCauseCreate", "description": "with a resolution or closure (or alone): the resolution code, causes, organisation and lesson; a category the root_causes setting names is resolved only with a code (422 resolution_code)"}}},
        "MessageCreate": {"type": "object", "required": ["body"], "additionalProperties": false,
            "properties": {"body": text, "visibility": enum_of(&["public", "internal"]), "from_customer": {"type": "boolean"},
                "call": {"type": "boolean", "description": "a call staff made to the customer: reaches the customer whatever the visibility"}}},
        "CalendarSpec": {"type": "object", "required": ["timezone"], "additionalProperties": false,
            "properties": {"timezone": {"type": "string", "description": "IANA zone, e.g. Asia/Shanghai"},
                "hours": {"type": "object", "description": "mon…sun → [[\"09:00\",\"12:00\"], …]; 24:00 allowed as an end",
                    "additionalProperties": {"type": "array", "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}}},
                "holidays": {"type": "array", "items": {"type": "string", "format": "date"}},
                "extra_workdays": {"type": "array", "items": {"type": "string", "format": "date"}},
                "workday_hours": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
                "holiday_years": {"type": "array", "items": {"type": "integer"}}}},
        "CalendarAdd": {"type": "object", "required": ["from"], "additionalProperties": false,
            "properties": {"from": {"type": "string", "format": "date-time"}, "minutes": {"type": "integer", "minimum": 0},
                "working_days": {"type": "integer", "minimum": 1}}},
        "SlaPolicy": {"type": "object", "required": ["name", "order", "calendar", "targets"], "additionalProperties": false,
            "properties": {"name": text, "order": {"type": "integer", "description": "lowest first; shipped defaults use 100 and above"},
                "match": {"type": "object", "properties": {"channel": {"type": "array", "items": {"$ref": "#/components/schemas/Channel"}},
                    "category": {"type": "array", "items": {"$ref": "#/components/schemas/Category"}},
                    "priority": {"type": "array", "items": {"$ref": "#/components/schemas/Priority"}},
                    "customer_grade": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 5}}}},
                "calendar": text,
                "targets": {"type": "object", "properties": {"first_response_minutes": {"type": "number"}, "next_response_minutes": {"type": "number"},
                    "resolution_minutes": {"type": "number"}, "resolution_working_days": {"type": "integer"}}},
                "pause_in": {"type": "array", "items": {"$ref": "#/components/schemas/Status"}},
                "escalations": {"type": "array", "items": {"type": "object", "required": ["action"], "additionalProperties": false,
                    "properties": {"clock": enum_of(&["first_response", "next_response", "resolution"]),
                        "at_percent": {"type": "integer", "minimum": 1, "maximum": 99, "description": "absent: at the breach"},
                        "action": enum_of(&["notify_assignee", "notify_supervisor", "escalate", "raise_priority"])}}}}},
        "CommitmentCreate": {"type": "object", "required": ["due_at", "note"], "additionalProperties": false,
            "properties": {"due_at": ts, "note": text, "remind_before_minutes": {"type": "integer", "minimum": 0, "maximum": 1440, "default": 10}}},
        "Escalate": {"type": "object", "required": ["reason"], "additionalProperties": false, "properties": {"reason": text}},
        "SurveyAnswerCreate": {"type": "object", "required": ["score"], "additionalProperties": false,
            "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5},
                "reasons": {"type": "array", "items": {"type": "string"}, "description": "from the survey's poor_reasons (score below satisfied_from) or good_reasons"},
                "comment": {"type": "string", "maxLength": 500}}},
        "RootCauseCreate": {"type": "object", "additionalProperties": false,
            "properties": {"resolution_code": {"type": ["string", "null"], "description": "a code of the root_causes setting"},
                "causes": {"type": "array", "maxItems": 10, "items": {"type": "string"}, "description": "tags group/cause (or group) of the root_causes setting"},
                "organisation": {"type": ["string", "null"], "description": "the responsible organisation's key or id"},
                "lesson": {"type": ["string", "null"], "maxLength": 2000}}},
        "ImprovementCreate": {"type": "object", "required": ["title"], "additionalProperties": false,
            "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 120}, "description": {"type": "string", "maxLength": 4000},
                "owner_user": {"type": ["string", "null"], "description": "user id or username"},
                "owner_department": {"type": ["string", "null"], "description": "department id or key"},
                "due_on": {"type": ["string", "null"], "format": "date"}, "causes": strings,
                "cases": {"type": "array", "items": {"type": "string"}, "description": "case ids or numbers"}}},
        "ImprovementPatch": {"type": "object", "additionalProperties": false,
            "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 120}, "description": {"type": "string", "maxLength": 4000},
                "owner_user": {"type": ["string", "null"]}, "owner_department": {"type": ["string", "null"]},
                "due_on": {"type": ["string", "null"], "format": "date"}, "causes": strings,
                "status": enum_of(&["proposed", "accepted", "in_progress", "done", "rejected"])}},
        "ImprovementLink": {"type": "object", "required": ["case"], "additionalProperties": false,
            "properties": {"case": {"type": "string", "description": "case id or number"}}},
        "FollowUpClose": {"type": "object", "required": ["outcome"], "additionalProperties": false,
            "properties": {"outcome": {"$ref": "#/components/schemas/FollowUpOutcome"},
                "note": {"type": "string", "maxLength": 1000, "description": "required with outcome other"}}},
        "MarkRead": {"type": "object", "additionalProperties": false, "properties": {"ids": strings}},
        "MacroActions": {"type": "object", "additionalProperties": false, "properties": {
            "status": {"$ref": "#/components/schemas/Status"}, "category": {"$ref": "#/components/schemas/Category"},
            "priority": {"$ref": "#/components/schemas/Priority"}, "add_tags": strings}},
        "CannedCreate": {"type": "object", "required": ["title", "body"], "additionalProperties": false,
            "properties": {"title": {"type": "string", "maxLength": 100},
                "body": {"type": "string", "maxLength": 4000, "description": format!("text with variables {}", kefu_model::canned::VARIABLES.iter().map(|v| format!("{{{{{v}}}}}")).collect::<Vec<_>>().join(", "))},
                "scope": enum_of(&["team", "personal"]), "department": {"type": "string", "description": "team templates: a department id or key; absent for everyone"},
                "tags": strings, "language": enum_of(&["zh", "en"]),
                "actions": {"$ref": "#/components/schemas/MacroActions", "description": "present: the template is a macro"}}},
    })
}

/// Operations with a second success status, answered with the same body: an upsert that
/// updated (200) rather than created, a tracking query that opened a case (201).
const ALSO_ANSWERS: &[(&str, &str, u16)] = &[
    ("post", "/api/v1/shipments", 200),
    ("post", "/api/v1/tracking/query", 201),
];

/// A schema generator whose references point into the document's `components/schemas`.
fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator()
}

pub fn document() -> Value {
    let mut generator = generator();
    let error = generator.subschema_for::<ErrorBody>();
    // Request schemas refer to these codes too.
    generator.subschema_for::<StatusCode>();
    generator.subschema_for::<CategoryCode>();
    generator.subschema_for::<PriorityCode>();
    generator.subschema_for::<ChannelCode>();
    generator.subschema_for::<RoleCode>();
    generator.subschema_for::<OrgKindCode>();
    generator.subschema_for::<OrderKindCode>();
    generator.subschema_for::<RegulatorCode>();
    generator.subschema_for::<FollowUpOutcomeCode>();
    let mut paths = serde_json::Map::new();
    for (method, path, summary, request, status, response) in ROUTES {
        let public = matches!(
            *path,
            "/healthz"
                | "/readyz"
                | "/metrics"
                | "/api/v1/openapi.json"
                | "/api/v1/auth/login"
                | "/api/v1/chat/conversations"
                // The help centre is for customers, who have no account.
                | "/api/v1/kb/categories"
                | "/api/v1/help/articles"
                | "/api/v1/help/articles/{id}"
                | "/api/v1/help/articles/{id}/feedback"
                | "/api/v1/help/search"
                // A survey link's token is the customer's proof.
                | "/api/v1/surveys/{token}"
                // WeChat's callbacks prove themselves by signature, not by a session.
                | "/hooks/wechat/{account_id}"
                // The PBX proves itself by its signature, not a session.
                | "/hooks/pbx/{account_id}"
        );
        let mut parameters = query_params(path, method);
        // `{id}` is a case or customer id (or a case number), a calendar's or policy's key,
        // a template's id or a waybill number; other segments name what they are.
        for name in path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        {
            let schema = if name == "version" {
                json!({"type": "integer", "minimum": 1})
            } else {
                json!({"type": "string"})
            };
            parameters
                .push(json!({"name": name, "in": "path", "required": true, "schema": schema}));
        }
        if *method == "post" && *path == "/api/v1/cases" {
            parameters.push(
                json!({"name": "Idempotency-Key", "in": "header", "required": false,
                "schema": {"type": "string", "maxLength": 200}}),
            );
        }
        let error =
            json!({"description": "error", "content": {"application/json": {"schema": error}}});
        let ok_content = match response {
            Body::Json(schema_of) => {
                json!({"description": "success", "content": {"application/json": {"schema": schema_of(&mut generator)}}})
            }
            Body::Text => {
                json!({"description": "success", "content": {"text/plain": {"schema": {"type": "string"}}}})
            }
            Body::Mail => {
                json!({"description": "success", "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}}})
            }
            Body::Csv => {
                json!({"description": "success", "content": {"text/csv": {"schema": {"type": "string"}}}})
            }
            Body::Spreadsheet => {
                json!({"description": "success", "content": {"text/csv": {"schema": {"type": "string"}},
                    crate::xlsx::CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}})
            }
            Body::Empty => json!({"description": "done"}),
            Body::Upgrade => json!({"description": "switching to the WebSocket protocol"}),
        };
        let mut responses = json!({status.to_string(): ok_content, "400": error, "401": error, "403": error,
            "404": error, "409": error, "413": error, "422": error});
        for (m, p, also) in ALSO_ANSWERS {
            if m == method && p == path {
                responses[also.to_string()] = responses[status.to_string()].clone();
            }
        }
        let mut operation = json!({
            "summary": summary,
            "operationId": format!("{method}_{}", path.trim_start_matches("/api/v1/").replace(['/', '{', '}', '.'], "_")),
            "parameters": parameters,
            "responses": responses,
        });
        if let Some(schema) = request {
            operation["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        }
        if public {
            operation["security"] = json!([]);
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "kefu API", "version": env!("CARGO_PKG_VERSION"),
            "description": "Customer service for express delivery: cases, customers, users. Errors are {\"error\": {\"code\", \"message\"}}."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": all_schemas(generator), "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    })
}

/// The schemas derived from the view types the operations answer with, and the request
/// schemas written by hand. The two sets do not share a name (a test holds them apart).
fn all_schemas(mut generator: SchemaGenerator) -> serde_json::Map<String, Value> {
    let mut all = generator.take_definitions(true);
    all.extend(request_schemas());
    all
}

/// Request bodies, described by hand.
fn request_schemas() -> serde_json::Map<String, Value> {
    let mut all = serde_json::Map::new();
    for part in [
        schemas(),
        parcel_schemas(),
        customer_schemas(),
        channel_schemas(),
        network_schemas(),
        key_account_schemas(),
    ] {
        if let Value::Object(part) = part {
            all.extend(part);
        }
    }
    all
}

/// Key accounts: an account, its parts, a grading.
fn key_account_schemas() -> Value {
    let name = json!({"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"});
    let text = |max: u32| json!({"type": "string", "maxLength": max});
    let day = json!({"type": "string", "format": "date"});
    let phone = json!({"type": "string", "maxLength": 30, "pattern": "^[0-9+() -]*$"});
    let scope = json!({"type": "array", "maxItems": 100,
        "items": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "\\S"}});
    let enum_of = |values: Vec<&str>| json!({"type": "string", "enum": values});
    let kinds = kefu_model::key_accounts::DocumentKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let statuses = kefu_model::key_accounts::DocumentStatus::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let account_statuses = kefu_model::key_accounts::AccountStatus::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let roles = kefu_model::key_accounts::FileRole::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let code = json!({"type": "string", "pattern": "^\\s*[A-Za-z0-9_-]{1,40}\\s*$", "description": "letters, digits, - and _; upper-cased (KA-ACME)"});
    json!({
        "KeyAccountCreate": {"type": "object", "required": ["code", "name"], "additionalProperties": false,
            "properties": {"code": code, "name": name, "industry": text(60), "go_live_on": day,
                "owner": {"type": "string", "description": "a supervisor's or admin's id or user name; the creator when absent"},
                "assistants": {"type": "array", "maxItems": 200, "items": {"type": "string"}, "description": "agents' ids or user names"},
                "customer_id": {"type": "string", "description": "a customer record's id"}}},
        "KeyAccountPatch": {"type": "object", "additionalProperties": false,
            "properties": {"code": code, "name": name, "industry": text(60),
                "status": enum_of(account_statuses),
                "go_live_on": {"type": ["string", "null"], "format": "date"},
                "owner": {"type": "string"},
                "customer_id": {"type": ["string", "null"]}}},
        "KeyAccountAssistants": {"type": "object", "required": ["assistants"], "additionalProperties": false,
            "properties": {"assistants": {"type": "array", "maxItems": 200, "items": {"type": "string"}, "description": "agents' ids or user names"}}},
        "KeyAccountContactWrite": {"type": "object", "required": ["name"], "additionalProperties": false,
            "properties": {"name": name, "title": text(100), "phone": phone, "email": {"type": "string", "format": "email"},
                "is_management": {"type": "boolean", "default": false}},
            "description": "a phone or an e-mail address"},
        "KeyAccountFileEntryWrite": {"type": "object", "required": ["role", "name"], "additionalProperties": false,
            "properties": {"role": enum_of(roles), "name": name, "address": text(200), "contact": text(100), "phone": phone}},
        "KeyAccountGradingWrite": {"type": "object", "additionalProperties": false,
            "required": ["quarter", "revenue_yuan", "margin_pct", "difficulty", "staff", "punctuality_pct"],
            "properties": {"quarter": {"type": "string", "pattern": "^(20[0-9]{2}|2100)-?[Qq][1-4]$", "description": "a finished quarter: 2026Q3"},
                "revenue_yuan": {"type": "number", "minimum": 0, "maximum": 1e13},
                "margin_pct": {"type": "number", "minimum": -100, "maximum": 100},
                "difficulty": {"type": "integer", "minimum": 1, "maximum": 5, "description": "1 easy … 5 hard"},
                "staff": {"type": "number", "minimum": 0, "maximum": 10000, "description": "people the account takes"},
                "punctuality_pct": {"type": "number", "minimum": 0, "maximum": 100, "description": "percent paid on time"},
                "note": text(1000)}},
        "KeyAccountDocumentWrite": {"type": "object", "additionalProperties": false,
            "required": ["kind", "number", "title", "starts_on", "ends_on"],
            "properties": {"kind": enum_of(kinds), "number": name, "title": name, "starts_on": day, "ends_on": day,
                "services": scope, "routes": scope, "status": enum_of(statuses)},
            "description": "ends_on on or after starts_on"},
        "KeyAccountContactedWrite": {"type": "object", "additionalProperties": false,
            "properties": {"note": text(1000)}},
        "KeyAccountPriceWrite": {"type": "object", "additionalProperties": false,
            "required": ["service", "route", "unit", "price_fen", "effective_from"],
            "properties": {"service": name, "route": name,
                "unit": enum_of(kefu_model::key_accounts::UNITS.to_vec()),
                "price_fen": {"type": "integer", "minimum": 1, "maximum": 10_000_000_000_i64},
                "effective_from": day, "effective_to": {"type": ["string", "null"], "format": "date"}},
            "description": "the service and route must be in the scope of a document of the account that is not ended"},
    })
}

/// The network: an organisation, a work order and what is done with it.
fn network_schemas() -> Value {
    let text = json!({"type": "string"});
    let division = json!({"type": "string", "pattern": "^([0-9]{2}|[0-9]{4}|[0-9]{6})$"});
    let person = |extra: Value| {
        let mut properties =
            json!({"name": {"type": "string", "minLength": 1, "maxLength": 40}, "phone": text});
        if let (Value::Object(p), Value::Object(extra)) = (&mut properties, extra) {
            p.extend(extra);
        }
        properties
    };
    json!({
        "OrganisationWrite": {"type": "object", "required": ["key", "name", "kind"], "additionalProperties": false,
            "properties": {
                "key": {"type": "string", "pattern": "^[a-z0-9_-]{1,40}$"},
                "name": {"type": "string", "minLength": 1, "maxLength": 80},
                "kind": {"$ref": "#/components/schemas/OrgKind"},
                "parent": {"type": ["string", "null"], "description": "the key of the centre or region above"},
                "districts": {"type": "array", "items": division, "description": "division codes or prefixes served (an outlet needs one)"},
                "calendar": {"type": ["string", "null"]},
                "lead_minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": 4320},
                "contacts": {"type": "array", "maxItems": 20, "items": {"type": "object", "required": ["name", "phone"], "additionalProperties": false,
                    "properties": person(json!({"duty": text}))}},
                "manager": {"type": ["string", "null"], "description": "the manager's user name"},
                "couriers": {"type": "array", "items": {"type": "object", "required": ["id", "name", "phone"], "additionalProperties": false,
                    "properties": person(json!({"id": {"type": "string", "pattern": "^[a-z0-9_-]{1,40}$"},
                        "districts": {"type": "array", "items": division}, "username": {"type": ["string", "null"]}}))}},
                "active": {"type": ["boolean", "null"]},
                "version": {"type": ["integer", "null"], "description": "the version read; required to change"}}},
        "WorkOrderCreate": {"type": "object", "required": ["kind", "details"], "additionalProperties": false,
            "properties": {
                "kind": {"$ref": "#/components/schemas/OrderKind"},
                "waybill_no": {"type": ["string", "null"]},
                "organisation": {"type": ["string", "null"], "description": "an organisation's key; none: routed by the parcel"},
                "regulator": {"oneOf": [{"$ref": "#/components/schemas/Regulator"}, {"type": "null"}], "description": "complaints through the postal administration or 12305 only"},
                "details": {"type": "object", "required": ["note"], "additionalProperties": false,
                    "properties": {
                        "note": {"type": "string", "minLength": 1, "maxLength": 2000},
                        "new_address": {"type": ["string", "null"], "description": "change_address: required"},
                        "intercept": {"type": ["string", "null"], "enum": ["return", "hold", null], "description": "intercept: required"},
                        "photos": {"type": "array", "items": {"type": "object", "required": ["name", "url"], "additionalProperties": false,
                            "properties": {"name": text, "url": text, "sha256": {"type": ["string", "null"]}}}},
                        "about": {"type": ["string", "null"], "description": "complaint: whom it is about"}}}}},
        "WorkOrderAction": {"type": "object", "required": ["text"], "additionalProperties": false,
            "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 2000, "description": "the answer, or the reason of a refusal or withdrawal"}}},
        "ParcelVolumes": {"type": "object", "required": ["days"], "additionalProperties": false,
            "properties": {"days": {"type": "array", "minItems": 1, "maxItems": 366, "items": {
                "type": "object", "required": ["day", "parcels"], "additionalProperties": false,
                "properties": {"day": {"type": "string", "format": "date"},
                    "parcels": {"type": "integer", "minimum": 0, "maximum": 100000000}}}}}},
        "StaffingScheduleWrite": {"type": "object", "required": ["slots"], "additionalProperties": false,
            "properties": {"slots": {"type": "array", "minItems": 48, "maxItems": 48,
                "items": {"type": "integer", "minimum": 0, "maximum": 10000},
                "description": "planned agents per half-hour from 00:00"}}},
        "PromotionDayWrite": {"type": "object", "required": ["date", "name"], "additionalProperties": false,
            "properties": {"date": {"type": "string", "format": "date"},
                "name": {"type": "string", "minLength": 1, "maxLength": 60},
                "multiplier": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                "like_date": {"type": "string", "format": "date"}},
            "description": "a multiplier, a like_date or both"},
        "ReportScheduleWrite": {"type": "object", "required": ["name", "recipients", "frequency", "hour"], "additionalProperties": false,
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                "recipients": {"type": "array", "minItems": 1, "maxItems": 20, "items": {"type": "string", "format": "email"}},
                "by": {"type": "string", "enum": kefu_model::kpi::Dimension::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>(), "default": "all"},
                "frequency": {"type": "string", "enum": ["daily", "weekly", "monthly"]},
                "hour": {"type": "integer", "minimum": 0, "maximum": 23},
                "format": {"type": "string", "enum": ["xlsx", "csv"], "default": "xlsx"},
                "active": {"type": "boolean", "default": true}}},
        "PromotionDayChange": {"type": "object", "required": ["name"], "additionalProperties": false,
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 60},
                "multiplier": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                "like_date": {"type": "string", "format": "date"}}},
        "StaffingSettingsWrite": {"type": "object", "additionalProperties": false,
            "required": ["service_level", "target_secs", "shrinkage", "occupancy", "weeks", "calendar", "channels"],
            "properties": {"service_level": {"type": "number", "minimum": 1, "maximum": 99},
                "target_secs": {"type": "integer", "minimum": 1, "maximum": 3600},
                "shrinkage": {"type": "number", "minimum": 0, "maximum": 90},
                "occupancy": {"type": "number", "minimum": 1, "maximum": 100},
                "weeks": {"type": "integer", "minimum": 1, "maximum": 52},
                "calendar": {"type": "string", "description": "a calendar's key"},
                "channels": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                    "required": ["channel", "mode", "aht_secs"],
                    "properties": {"channel": {"$ref": "#/components/schemas/Channel"},
                        "mode": {"type": "string", "enum": ["erlang", "chat", "workload"]},
                        "aht_secs": {"type": "number", "exclusiveMinimum": 0, "maximum": 86400},
                        "concurrency": {"type": "integer", "minimum": 1, "maximum": 20, "default": 1}}}}}},
        "RubricWrite": {"type": "object", "required": ["name", "items"], "additionalProperties": false,
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                "expected_version": {"type": ["integer", "null"], "description": "the version the editor started from"},
                "items": {"type": "array", "minItems": 1, "maxItems": 20, "items": {"type": "object",
                    "required": ["key", "name", "weight", "max"], "additionalProperties": false,
                    "properties": {"key": {"type": "string", "pattern": "^[a-z0-9_-]{1,40}$"},
                        "name": {"type": "string", "minLength": 1, "maxLength": 100},
                        "weight": {"type": "integer", "minimum": 1, "maximum": 100},
                        "max": {"type": "integer", "minimum": 1, "maximum": 100},
                        "critical": {"type": "boolean", "default": false}}},
                    "description": "the weights sum to 100"}}},
        "QualitySettingsWrite": {"type": "object", "additionalProperties": false,
            "required": ["random_percent", "complaints", "poor_ratings", "pass_score"],
            "properties": {"random_percent": {"type": "integer", "minimum": 0, "maximum": 100},
                "complaints": {"type": "boolean"}, "poor_ratings": {"type": "boolean"},
                "long_handling_hours": {"type": ["integer", "null"], "minimum": 1, "maximum": 10000},
                "pass_score": {"type": "integer", "minimum": 0, "maximum": 100},
                "rubric": {"type": "string", "description": "a rubric's id (default when absent)"},
                "daily_draw": {"type": "boolean", "default": false, "description": "draw the day before automatically each day, after 01:00 local time"}}},
        "QualityDraw": {"type": "object", "required": ["from", "to"], "additionalProperties": false,
            "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}},
        "InspectionAssign": {"type": "object", "required": ["inspector"], "additionalProperties": false,
            "properties": {"inspector": {"type": "string", "description": "a user id"}}},
        "InspectionScore": {"type": "object", "required": ["scores"], "additionalProperties": false,
            "properties": {"scores": {"$ref": "#/components/schemas/ItemScoresWrite"},
                "comments": {"$ref": "#/components/schemas/MessageCommentsWrite"},
                "summary": {"type": "string", "maxLength": 4000}}},
        "ItemScoresWrite": {"type": "array", "items": {"type": "object", "required": ["item", "score"], "additionalProperties": false,
            "properties": {"item": {"type": "string"}, "score": {"type": "integer", "minimum": 0, "maximum": 100},
                "comment": {"type": "string", "maxLength": 2000}}}},
        "MessageCommentsWrite": {"type": "array", "maxItems": 100, "items": {"type": "object", "required": ["message_id", "text"], "additionalProperties": false,
            "properties": {"message_id": {"type": "string", "description": "a message of the case"},
                "text": {"type": "string", "minLength": 1, "maxLength": 2000}}}},
        "InspectionAppeal": {"type": "object", "required": ["reason"], "additionalProperties": false,
            "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 2000}}},
        "AppealDecide": {"type": "object", "required": ["outcome", "note"], "additionalProperties": false,
            "properties": {"outcome": {"type": "string", "enum": ["uphold", "rescore"]},
                "note": {"type": "string", "minLength": 1, "maxLength": 2000},
                "scores": {"$ref": "#/components/schemas/ItemScoresWrite", "description": "rescore: required; uphold: absent"},
                "comments": {"$ref": "#/components/schemas/MessageCommentsWrite"},
                "summary": {"type": "string", "maxLength": 4000}}},
        "WorkOrderReroute": {"type": "object", "required": ["organisation", "reason"], "additionalProperties": false,
            "properties": {"organisation": text, "reason": {"type": "string", "minLength": 1, "maxLength": 500}}},
    })
}

/// Channels: a mailbox's settings, a mail handed in.
fn channel_schemas() -> Value {
    let text = json!({"type": "string"});
    let port = json!({"type": "integer", "minimum": 1, "maximum": 65535});
    let securities: Vec<&str> = kefu_model::channels::MailSecurity::ALL
        .iter()
        .map(|m| m.as_str())
        .collect();
    let security = json!({"type": "string", "enum": securities});
    json!({
        "EmailAccountDraft": {"type": "object", "additionalProperties": false,
            "required": ["name", "address", "imap_host", "imap_username", "smtp_host"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "enabled": {"type": "boolean", "default": true},
                "address": {"type": "string", "format": "email", "description": "where customers write; replies go out from it"},
                "display_name": {"type": "string", "maxLength": 100},
                "imap_host": {"type": "string", "minLength": 1, "maxLength": 253},
                "imap_port": port, "imap_security": security,
                "imap_username": {"type": "string", "minLength": 1, "maxLength": 200},
                "imap_password": {"type": "string", "maxLength": 500, "description": "required for a new mailbox; left out or empty: the stored one stays"},
                "imap_mailbox": {"type": "string", "default": "INBOX"},
                "smtp_host": {"type": "string", "minLength": 1, "maxLength": 253},
                "smtp_port": port, "smtp_security": security,
                "smtp_username": {"type": "string", "maxLength": 200, "description": "empty: the server takes mail without logging in"},
                "smtp_password": {"type": "string", "maxLength": 500},
                "signature": {"type": "string", "maxLength": 2000, "description": "appended to every reply, unless the writer's team has its own"},
                "team_signatures": {"type": "array", "maxItems": 50, "items": {"type": "object", "additionalProperties": false,
                    "required": ["department", "signature"],
                    "properties": {"department": {"type": "string", "minLength": 1, "maxLength": 50, "description": "a department's key"},
                        "signature": {"type": "string", "minLength": 1, "maxLength": 2000}}},
                    "description": "signatures by team: a reply written by an agent of that department carries it instead"},
                "version": {"type": "integer", "description": "required when changing: the version being replaced (a stale one is 409 version_conflict)"},
            }},
        "SmsAccountDraft": {"type": "object", "additionalProperties": false,
            "required": ["name", "endpoint", "sign_name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "enabled": {"type": "boolean", "default": true},
                "endpoint": {"type": "string", "format": "uri", "maxLength": 500, "description": "http(s) URL of a gateway speaking kefu's SMS contract (README)"},
                "sign_name": {"type": "string", "minLength": 1, "maxLength": 20, "description": "the approved signature without its brackets: 云路快递"},
                "api_key": {"type": "string", "maxLength": 500, "description": "required for a new gateway; left out or empty: the stored one stays"},
                "version": {"type": "integer", "description": "required when changing: the version being replaced (a stale one is 409 version_conflict)"},
            }},
        "PbxAccountDraft": {"type": "object", "additionalProperties": false, "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "enabled": {"type": "boolean", "default": true},
                "tolerance_seconds": {"type": "integer", "minimum": 30, "maximum": 3600, "default": 300},
                "recording_base_url": {"type": "string", "maxLength": 500, "description": "http(s); recordings below it play in the console"},
                "webhook_secret": {"type": "string", "minLength": 16, "maxLength": 256, "description": "required for a new account; left out or empty: the stored one stays"},
                "version": {"type": "integer", "description": "required when changing: the version being replaced (a stale one is 409 version_conflict)"},
            }},
        "PbxCallEvent": {"type": "object", "additionalProperties": false,
            "required": ["type", "call_id", "at", "caller", "queue"],
            "properties": {
                "type": {"type": "string", "enum": ["offered", "queued", "answered", "ended", "abandoned"]},
                "call_id": {"type": "string", "minLength": 1, "maxLength": 128},
                "at": {"type": "string", "format": "date-time"},
                "caller": {"type": "string", "description": "a Chinese mobile or landline number with its area code"},
                "queue": {"type": "string", "minLength": 1, "maxLength": 128},
                "agent": {"type": "string", "description": "answered and ended: the kefu user name of the agent"},
                "wait_seconds": {"type": "integer", "minimum": 0},
                "recording_url": {"type": "string", "description": "ended: http(s) link to the recording"},
            }},
        "WeChatAccountDraft": {"type": "object", "additionalProperties": false,
            "required": ["name", "app_id"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "enabled": {"type": "boolean", "default": true},
                "flavor": {"type": "string", "enum": ["official_account", "wecom"], "default": "official_account"},
                "app_id": {"type": "string", "minLength": 1, "maxLength": 64, "description": "AppID, or the WeCom CorpID"},
                "agent_id": {"type": "string", "maxLength": 64, "description": "WeCom: the app's AgentID (required there)"},
                "api_base": {"type": "string", "maxLength": 200, "description": "http(s) address of the API; empty: the real one of the flavor"},
                "encrypted": {"type": "boolean", "default": false, "description": "official account in safe mode (WeCom always is)"},
                "app_secret": {"type": "string", "maxLength": 200, "description": "required for a new account; left out or empty: the stored one stays"},
                "token": {"type": "string", "maxLength": 200, "description": "the callback Token (letters and digits); required for a new account"},
                "encoding_aes_key": {"type": "string", "description": "43 characters; required when encrypted"},
                "version": {"type": "integer", "description": "required when changing: the version being replaced (a stale one is 409 version_conflict)"},
            }},
        "DismissInbound": {"type": "object", "additionalProperties": false, "required": ["reason"],
            "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S", "description": "why it is set aside; kept on the message"}}},
        "RawMail": {"type": "object", "additionalProperties": false, "required": ["raw"],
            "properties": {"raw": text.clone()},
            "description": "raw: the whole RFC 5322 message, base64 (at most 26 MB decoded)"},
    })
}

/// Correcting customers: edit, history, merge, identity on a case.
fn customer_schemas() -> Value {
    let text = json!({"type": "string"});
    let strings = json!({"type": "array", "items": {"type": "string"}});
    let methods: Vec<&str> = kefu_model::case::IdentityMethod::ALL
        .iter()
        .map(|m| m.as_str())
        .collect();
    json!({
            "CustomerPatch": {"type": "object", "required": ["version"], "additionalProperties": false,
                "properties": {"version": {"type": "integer", "description": "the version the change was made against; a stale one is 409 version_conflict"},
                    "name": text, "phones": strings, "emails": strings, "grade": {"type": "integer", "minimum": 1, "maximum": 5},
                    "tags": strings,
                    "notices_opt_out": {"type": "boolean", "description": "true: the customer gets no receipts, status notices or surveys"}},
                "description": "Lists replace the whole list. A phone or email another customer has is 409 contact_belongs_to_other_customer, naming that customer."},
            "CustomerMerge": {"type": "object", "required": ["from"], "additionalProperties": false,
                "properties": {"from": {"type": "string", "description": "the customer merged into this one"}, "reason": text}},
            "IdentityConfirm": {"type": "object", "required": ["method"], "additionalProperties": false,
                "properties": {"method": {"type": "string", "enum": methods}, "note": text}},
    })
}

/// Shipments, tracking, pickups and claims.
fn parcel_schemas() -> Value {
    let ts = json!({"type": "string", "format": "date-time"});
    let text = json!({"type": "string"});
    let number = json!({"type": ["number", "string"]});
    let statuses: Vec<&str> = kefu_model::shipment::ShipmentStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let party = json!({"type": "object", "required": ["name", "phone", "address"], "additionalProperties": false,
        "properties": {"name": text, "phone": text, "address": text}});
    let scan = json!({"type": "object", "required": ["at", "code", "location"], "additionalProperties": false,
        "properties": {"at": ts, "code": {"type": "string", "enum": statuses}, "location": text, "outlet": text, "description": text}});
    json!({
            "ShipmentCreate": {"type": "object", "additionalProperties": false,
                "required": ["waybill_no", "sender", "recipient", "item", "weight_kg", "shipped_at"],
                "properties": {"waybill_no": text, "carrier": text, "product": text, "sender": party, "recipient": party,
                    "item": text, "weight_kg": number, "dimensions_cm": {"type": "array", "items": number, "minItems": 3, "maxItems": 3},
                    "pieces": {"type": "integer", "minimum": 1}, "declared_value": number, "insured": {"type": "boolean"},
                    "freight": number, "shipped_at": ts, "promised_at": ts, "events": {"type": "array", "items": scan}}},
            "ScanBatch": {"type": "object", "required": ["events"], "additionalProperties": false,
                "properties": {"events": {"type": "array", "items": scan, "minItems": 1, "maxItems": 500}}},
            "TrackingQuery": {"type": "object", "additionalProperties": false,
                "properties": {"waybill_no": text, "phone": text, "name": text, "address": text, "date": {"type": "string", "format": "date"},
                    "issue": {"type": "string", "enum": kefu_model::tracking::Issue::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()},
                    "open_case": {"type": "object", "additionalProperties": false, "properties": {
                        "channel": {"$ref": "#/components/schemas/Channel"}, "phone": text, "name": text, "note": text}}}},
            "AddressText": {"type": "object", "required": ["address"], "additionalProperties": false, "properties": {"address": text}},
            "QuoteRequest": {"type": "object", "required": ["origin", "destination", "weight_kg"], "additionalProperties": false,
                "properties": {"origin": text, "destination": text, "weight_kg": number,
                    "dimensions_cm": {"type": "array", "items": number, "minItems": 3, "maxItems": 3}, "pieces": {"type": "integer"},
                    "item": text, "product": text, "declared_value": number, "insured": {"type": "boolean"}}},
            "PickupCreate": {"type": "object", "required": ["sender", "recipient_address", "item", "weight_kg"], "additionalProperties": false,
                "properties": {"sender": party, "recipient_address": text, "item": text, "weight_kg": number,
                    "dimensions_cm": {"type": "array", "items": number}, "pieces": {"type": "integer"}, "product": text,
                    "declared_value": number, "insured": {"type": "boolean"}, "case_id": text, "note": text,
                    "window_from": {"type": "string", "format": "date-time"}, "window_to": {"type": "string", "format": "date-time"}},
                "description": "With case_id (an id or number) the pickup is for the case's customer: an empty sender name or phone is the customer's on file, and the case records pickup_booked in the same write. Without it a case is opened for the pickup (channel api, category pickup) for the customer with the sender's phone. window_from/window_to: the time agreed with the customer, both or neither, the end after the start, not past, within 7 days (else 422)."},
            "CourierStep": {"type": "object", "additionalProperties": false,
                "properties": {"note": text, "waybill_no": text}},
            "PickupStatusChange": {"type": "object", "required": ["status"], "additionalProperties": false,
                "properties": {"status": text, "note": text, "courier": text, "waybill_no": text}},
            "ClaimCreate": {"type": "object", "required": ["kind", "claimed_amount"], "additionalProperties": false,
                "properties": {"waybill_no": text, "kind": {"type": "string", "enum": ["lost", "damaged", "delayed"]},
                    "claimed_amount": number, "declared_value": number, "insured": {"type": "boolean"}, "freight": number,
                    "evidence": {"type": "array", "items": {"type": "object", "required": ["name", "url"],
                        "properties": {"name": text, "url": text, "sha256": text}}}}},
            "ClaimStep": {"type": "object", "additionalProperties": false,
                "properties": {"loss_amount": number, "reason": text, "reference": text, "evidence": {"type": "object"}}},
            "RevealRequest": {"type": "object", "additionalProperties": false, "required": ["reason"],
                "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 200, "description": "why the full details are needed; recorded"}}},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` in `value`.
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                for (key, v) in fields {
                    match (key.as_str(), v) {
                        ("$ref", Value::String(target)) => out.push(target.clone()),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    /// The response components are the view types' schemas: no hand-written schema shares a
    /// name with one, every operation's answer is a derived schema, and every reference in
    /// the document points at a component that exists.
    #[test]
    fn response_schemas_are_derived_from_the_view_types() {
        let doc = document();
        let components = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let mut derived = generator();
        for (method, path, _, _, status, body) in ROUTES {
            let Body::Json(schema_of) = body else {
                continue;
            };
            let expected = Value::from(schema_of(&mut derived));
            let answered = &doc["paths"][*path][*method]["responses"][status.to_string()]["content"]
                ["application/json"]["schema"];
            assert_eq!(answered, &expected, "{method} {path}");
        }
        let derived = derived.take_definitions(true);
        for name in request_schemas().keys() {
            assert!(
                !derived.contains_key(name),
                "{name} is both written by hand and derived from a view type"
            );
        }
        for (name, schema) in &derived {
            assert_eq!(components.get(name), Some(schema), "{name}");
        }
        let mut targets = Vec::new();
        refs(&doc, &mut targets);
        assert!(targets.len() > 50, "{}", targets.len());
        for target in targets {
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("a reference outside the components: {target}"));
            assert!(components.contains_key(name), "{target} does not exist");
        }
        // The answers are not just "an object": the main records are described field by field.
        for (name, field) in [
            ("Case", "sla"),
            ("Customer", "phones"),
            ("Message", "author_kind"),
            ("Shipment", "events"),
            ("Pickup", "sender"),
            ("Article", "review_by"),
        ] {
            assert!(
                components[name]["properties"].get(field).is_some(),
                "{name}.{field}"
            );
        }
    }

    /// The error every refusal answers with is the derived `Error` schema.
    #[test]
    fn errors_are_documented_by_their_type() {
        let doc = document();
        let error = &doc["components"]["schemas"]["Error"];
        assert_eq!(error["required"], json!(["error"]));
        let detail = &error["properties"]["error"];
        let detail = match detail.get("$ref").and_then(Value::as_str) {
            Some(target) => &doc["components"]["schemas"][target.rsplit('/').next().unwrap_or("")],
            None => detail,
        };
        assert_eq!(detail["required"], json!(["code", "message"]));
    }
}
