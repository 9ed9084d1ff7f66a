//! The OpenAPI 3.1 document, written by hand from [`ROUTES`]; a test checks that every route
//! the router serves is listed here and every listed route is served.

use serde_json::{Value, json};

/// One documented endpoint: (method, path, summary, request schema, success status, response
/// schema).
pub type Route = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    u16,
    &'static str,
);

pub const ROUTES: &[Route] = &[
    (
        "get",
        "/healthz",
        "Liveness: the process serves HTTP",
        None,
        200,
        "Text",
    ),
    (
        "get",
        "/readyz",
        "Readiness: the store answers",
        None,
        200,
        "Text",
    ),
    ("get", "/metrics", "Prometheus metrics", None, 200, "Text"),
    (
        "get",
        "/api/v1/openapi.json",
        "This document",
        None,
        200,
        "Object",
    ),
    (
        "post",
        "/api/v1/auth/login",
        "Log in; returns a bearer token",
        Some("Login"),
        200,
        "LoginResult",
    ),
    (
        "post",
        "/api/v1/auth/logout",
        "End this token's session",
        None,
        204,
        "Empty",
    ),
    ("get", "/api/v1/me", "The signed-in user", None, 200, "User"),
    (
        "post",
        "/api/v1/users",
        "Create a user (admins)",
        Some("UserCreate"),
        201,
        "User",
    ),
    (
        "get",
        "/api/v1/users",
        "List users (admins, supervisors)",
        None,
        200,
        "UserList",
    ),
    (
        "post",
        "/api/v1/departments",
        "Create a department (admins)",
        Some("DepartmentCreate"),
        201,
        "Department",
    ),
    (
        "get",
        "/api/v1/departments",
        "List departments",
        None,
        200,
        "DepartmentList",
    ),
    (
        "post",
        "/api/v1/customers",
        "Create a customer",
        Some("CustomerCreate"),
        201,
        "Customer",
    ),
    (
        "get",
        "/api/v1/customers",
        "List customers, newest first, contacts masked; filter by a full phone, email or part of the name",
        None,
        200,
        "CustomerPage",
    ),
    (
        "get",
        "/api/v1/customers/{id}",
        "One customer, contacts masked (full values only through the audited reveal)",
        None,
        200,
        "Customer",
    ),
    (
        "patch",
        "/api/v1/customers/{id}",
        "Correct a customer (name, phones, emails, grade, tags) at its version; every change is recorded",
        Some("CustomerPatch"),
        200,
        "Customer",
    ),
    (
        "get",
        "/api/v1/customers/{id}/events",
        "A customer's history of changes, oldest first (phones and emails masked)",
        None,
        200,
        "CustomerEventList",
    ),
    (
        "post",
        "/api/v1/customers/{id}/merge",
        "Merge another customer into this one: its cases, phones, emails and external ids move here (supervisors, admins)",
        Some("CustomerMerge"),
        200,
        "Customer",
    ),
    (
        "post",
        "/api/v1/cases/{id}/identity",
        "Record that the caller's identity was confirmed, and how",
        Some("IdentityConfirm"),
        200,
        "Case",
    ),
    (
        "post",
        "/api/v1/cases",
        "Create a case (Idempotency-Key honoured)",
        Some("CaseCreate"),
        201,
        "Case",
    ),
    (
        "get",
        "/api/v1/cases",
        "List cases, newest first, with filters and a cursor",
        None,
        200,
        "CasePage",
    ),
    (
        "get",
        "/api/v1/cases/{id}",
        "One case, by id or number",
        None,
        200,
        "Case",
    ),
    (
        "patch",
        "/api/v1/cases/{id}",
        "Change status, priority, category, assignee, department, tags",
        Some("CasePatch"),
        200,
        "Case",
    ),
    (
        "post",
        "/api/v1/cases/{id}/messages",
        "Add a public reply or an internal note",
        Some("MessageCreate"),
        201,
        "Message",
    ),
    (
        "get",
        "/api/v1/cases/{id}/messages",
        "The case's messages in order",
        None,
        200,
        "MessageList",
    ),
    (
        "get",
        "/api/v1/cases/{id}/events",
        "The case's events in order",
        None,
        200,
        "EventList",
    ),
    (
        "get",
        "/api/v1/calendars",
        "List business calendars",
        None,
        200,
        "CalendarList",
    ),
    (
        "get",
        "/api/v1/calendars/{id}",
        "One calendar, by key",
        None,
        200,
        "Calendar",
    ),
    (
        "put",
        "/api/v1/calendars/{id}",
        "Create or replace a calendar (admins, supervisors)",
        Some("CalendarSpec"),
        200,
        "Calendar",
    ),
    (
        "post",
        "/api/v1/calendars/{id}/add",
        "Due time after N open minutes or N working days",
        Some("CalendarAdd"),
        200,
        "CalendarDue",
    ),
    (
        "post",
        "/api/v1/cases/{id}/commitments",
        "Record a promise to the customer (\"call back by 15:00\")",
        Some("CommitmentCreate"),
        201,
        "Case",
    ),
    (
        "post",
        "/api/v1/cases/{id}/escalate",
        "Escalate one level (agent → supervisor → manager) with a reason",
        Some("Escalate"),
        200,
        "Case",
    ),
    (
        "get",
        "/api/v1/waybills/{id}/recognize",
        "Whose waybill number this is: ranked carrier candidates",
        None,
        200,
        "Recognition",
    ),
    (
        "post",
        "/api/v1/shipments",
        "Create or update a shipment from the ops system (201 created, 200 updated)",
        Some("ShipmentCreate"),
        201,
        "Shipment",
    ),
    (
        "get",
        "/api/v1/shipments/{id}",
        "A shipment by waybill number, with its status and scans; sender and recipient masked",
        None,
        200,
        "MaskedShipment",
    ),
    (
        "post",
        "/api/v1/shipments/{id}/events",
        "Add scans (idempotent: a scan already stored is counted, not stored again)",
        Some("ScanBatch"),
        200,
        "ScanResult",
    ),
    (
        "get",
        "/api/v1/shipments/{id}/history",
        "What upserts changed in a shipment's details (who, when, which fields, before and after), newest first; names, phones and addresses masked; staff only (?limit)",
        None,
        200,
        "ShipmentHistory",
    ),
    (
        "get",
        "/api/v1/config-history",
        "Changes of settings, SLA policies and calendars (who, when, the document before and after), newest first; admins and supervisors (?kind=setting|sla_policy|calendar, ?key, ?limit)",
        None,
        200,
        "ConfigHistory",
    ),
    (
        "post",
        "/api/v1/tracking/query",
        "Where is my parcel: the standard answer for a waybill or for the customer's facts; optionally opens a case (201)",
        Some("TrackingQuery"),
        200,
        "TrackingAnswer",
    ),
    (
        "post",
        "/api/v1/addresses/parse",
        "Province, city and district of a free-text address",
        Some("AddressText"),
        200,
        "ParsedAddress",
    ),
    (
        "get",
        "/api/v1/settings/{id}",
        "A configuration document: tracking, rate_card, coverage, prohibited, outlets, claims, waybill_format, routing, kb_categories; each readable by the roles parcels::SETTING_READERS names (outlets and routing: admins and supervisors), otherwise 403",
        None,
        200,
        "Setting",
    ),
    (
        "put",
        "/api/v1/settings/{id}",
        "Replace a configuration document (admins; validated)",
        Some("Setting"),
        200,
        "Setting",
    ),
    (
        "post",
        "/api/v1/pickups/quote",
        "Price a pickup: zone, weights, fees, coverage, prohibited items, vehicle (the roles that may book pickups: not readonly)",
        Some("QuoteRequest"),
        200,
        "Quote",
    ),
    (
        "post",
        "/api/v1/pickups",
        "Book a pickup; dispatched to the outlet and courier serving the sender unless an item needs checking",
        Some("PickupCreate"),
        201,
        "Pickup",
    ),
    (
        "get",
        "/api/v1/pickups",
        "Pickups, newest first (?status, ?courier = a courier's task list, ?outlet, ?phone, ?case_id = id or number of the case booked from, ?customer_id)",
        None,
        200,
        "PickupList",
    ),
    (
        "get",
        "/api/v1/pickups/{id}",
        "A pickup by id or number",
        None,
        200,
        "Pickup",
    ),
    (
        "post",
        "/api/v1/pickups/{id}/status",
        "Move a pickup: booked → dispatched → picked_up | cancelled | failed",
        Some("PickupStatusChange"),
        200,
        "Pickup",
    ),
    (
        "post",
        "/api/v1/pickups/{id}/reveal",
        "A pickup's sender phone and addresses in full; the reveal is recorded in the audit log (admins, supervisors, agents, finance; a reason is required)",
        Some("RevealRequest"),
        200,
        "PickupFull",
    ),
    (
        "post",
        "/api/v1/cases/{id}/claims",
        "Open a claim for a lost or damaged parcel on a case",
        Some("ClaimCreate"),
        201,
        "ClaimResult",
    ),
    (
        "post",
        "/api/v1/cases/{id}/claims/{claim}/{step}",
        "A claim step: evidence, propose (agent), approve | reject (supervisor), pay (finance)",
        Some("ClaimStep"),
        200,
        "ClaimResult",
    ),
    (
        "post",
        "/api/v1/customers/{id}/reveal",
        "A customer's full phones and emails; the reveal is recorded in the audit log (admins, supervisors, agents, finance; a reason is required)",
        Some("RevealRequest"),
        200,
        "CustomerFull",
    ),
    (
        "post",
        "/api/v1/shipments/{id}/reveal",
        "A shipment's sender and recipient in full; the reveal is recorded in the audit log (admins, supervisors, agents, finance; a reason is required)",
        Some("RevealRequest"),
        200,
        "Shipment",
    ),
    (
        "get",
        "/api/v1/audit",
        "The audit log of personal data revealed, newest first (?subject=customer:<id>, ?limit)",
        None,
        200,
        "AuditList",
    ),
    (
        "post",
        "/api/v1/chat/conversations",
        "Start a chat (public, rate-limited): a chat case the bot answers first, and the token the customer's browser keeps; then speak the WebSocket protocol at /chat/ws",
        Some("Object"),
        201,
        "Object",
    ),
    (
        "get",
        "/api/v1/chat/cases/{id}/ws",
        "An agent's WebSocket to one chat (frames after ?after=seq, then live; send message/note/typing/read)",
        None,
        101,
        "Object",
    ),
    (
        "get",
        "/api/v1/chat/cases/{id}/frames",
        "A chat's frames after ?after=seq as staff see them (messages, notices, what the bot understood)",
        None,
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/me/presence",
        "The caller's routing profile: presence, capacity, skills",
        None,
        200,
        "Object",
    ),
    (
        "put",
        "/api/v1/me/presence",
        "Set presence (online, away, offline), max_chats, max_open_cases, skills {categories, channels, languages}",
        Some("Object"),
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/routing/agents",
        "Agents with their presence and load (supervisors)",
        None,
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/canned",
        "Canned replies and macros the caller may use (team ones of their department or everyone's, their own personal ones); q searches title, body and tags",
        None,
        200,
        "CannedList",
    ),
    (
        "post",
        "/api/v1/canned",
        "Create a template (personal; team ones by supervisors and admins); an unknown {{variable}} is a 422 on body",
        Some("CannedCreate"),
        201,
        "Canned",
    ),
    (
        "get",
        "/api/v1/canned/{id}",
        "One template",
        None,
        200,
        "Canned",
    ),
    (
        "put",
        "/api/v1/canned/{id}",
        "Replace a template (the owner; team ones by supervisors and admins)",
        Some("CannedCreate"),
        200,
        "Canned",
    ),
    (
        "delete",
        "/api/v1/canned/{id}",
        "Archive a template: no longer offered",
        None,
        204,
        "Empty",
    ),
    (
        "post",
        "/api/v1/cases/{id}/canned/{template}/render",
        "A template filled in for the case (customer, waybill, latest status, expected delivery, case number, agent)",
        None,
        200,
        "CannedRendered",
    ),
    (
        "post",
        "/api/v1/cases/{id}/macros/{macro}",
        "Apply a macro: its reply and field changes as events of one write, or nothing",
        None,
        200,
        "MacroResult",
    ),
    (
        "get",
        "/api/v1/search",
        "Search cases, customers and shipments (?q=, ?type=case|customer|shipment|article, ?status, ?category, ?department, ?from, ?to, ?limit): Chinese words and logistics synonyms, exact waybill/phone/last-four/case number/email first; department staff see only their department's cases",
        None,
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/kb/articles",
        "Knowledge-base articles (?category, ?audience=public|internal, ?overdue=true, ?archived=true), with their helpful/not-helpful votes",
        None,
        200,
        "Object",
    ),
    (
        "post",
        "/api/v1/kb/articles",
        "Write an article: category, tags, audience, owner, review_by, intents, zh/en {title, body (Markdown)}, change_note",
        Some("Object"),
        201,
        "Object",
    ),
    (
        "get",
        "/api/v1/kb/articles/{id}",
        "One article (staff: internal ones too) with its votes",
        None,
        200,
        "Object",
    ),
    (
        "put",
        "/api/v1/kb/articles/{id}",
        "A new version of the article; base_version is the version the edit started from (409 version_conflict over a newer one)",
        Some("Object"),
        200,
        "Object",
    ),
    (
        "post",
        "/api/v1/kb/articles/{id}/archive",
        "Archive or bring back ({archived, base_version}), as a new version",
        Some("Object"),
        200,
        "Object",
    ),
    (
        "post",
        "/api/v1/kb/articles/{id}/review",
        "Reviewed: the next review is due on review_by (default in 180 days), as a new version",
        Some("Object"),
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/kb/articles/{id}/versions",
        "Every saved version, newest first",
        None,
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/kb/articles/{id}/versions/{version}",
        "One saved version, whole",
        None,
        200,
        "Object",
    ),
    (
        "post",
        "/api/v1/kb/articles/{id}/versions/{version}/restore",
        "Make an old version's content current (a new version; history only grows)",
        Some("Object"),
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/kb/articles/{id}/feedback",
        "The latest votes and their comments",
        None,
        200,
        "Object",
    ),
    (
        "post",
        "/api/v1/kb/articles/{id}/feedback",
        "A vote from staff ({helpful, comment})",
        Some("Object"),
        204,
        "Empty",
    ),
    (
        "get",
        "/api/v1/kb/reviews/overdue",
        "Articles whose review-by date has passed, oldest first",
        None,
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/kb/gaps",
        "Questions that found nothing good (searches without hits, bot questions without a strong article), grouped, most asked first (?days=30)",
        None,
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/kb/search",
        "Search the articles the caller may read (?q=)",
        None,
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/kb/categories",
        "The help centre's categories",
        None,
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/help/articles",
        "Public: the help centre's articles (?category)",
        None,
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/help/articles/{id}",
        "Public: one public article",
        None,
        200,
        "Object",
    ),
    (
        "post",
        "/api/v1/help/articles/{id}/feedback",
        "Public: was this helpful? ({helpful, comment}); rate-limited",
        Some("Object"),
        204,
        "Empty",
    ),
    (
        "get",
        "/api/v1/help/search",
        "Public: search the public articles (?q=); a question without a hit is noted for the gaps report; rate-limited",
        None,
        200,
        "Object",
    ),
    (
        "post",
        "/api/v1/nlu/parse",
        "What the bot understands of a text: {intent, confidence, entities: [{kind, value, start, end}]}",
        Some("Object"),
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/notifications",
        "My notifications, newest first (?unread=true)",
        None,
        200,
        "NotificationList",
    ),
    (
        "post",
        "/api/v1/notifications/read",
        "Mark notifications read (all when ids is empty)",
        Some("MarkRead"),
        200,
        "Object",
    ),
    (
        "get",
        "/api/v1/sla-policies",
        "List SLA policies in the order they are tried",
        None,
        200,
        "SlaPolicyList",
    ),
    (
        "put",
        "/api/v1/sla-policies/{id}",
        "Create or replace an SLA policy (admins, supervisors)",
        Some("SlaPolicy"),
        200,
        "SlaPolicyView",
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
    let opt_ts = json!({"type": ["string", "null"], "format": "date-time"});
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
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"],
            "properties": {"code": text, "message": text, "field": text}}}},
        "Text": {"type": "string"},
        "Object": {"type": "object"},
        "Empty": {"type": "null"},
        "Channel": enum_of(kefu_model::Channel::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().as_slice()),
        "Category": enum_of(kefu_model::Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().as_slice()),
        "Priority": enum_of(kefu_model::Priority::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().as_slice()),
        "Status": enum_of(kefu_model::Status::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().as_slice()),
        "Role": enum_of(kefu_model::Role::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().as_slice()),
        "Login": {"type": "object", "required": ["username", "password"], "additionalProperties": false,
            "properties": {"username": text, "password": text}},
        "LoginResult": {"type": "object", "properties": {"token": text, "token_type": text, "user": {"$ref": "#/components/schemas/User"}}},
        "User": {"type": "object", "properties": {"id": text, "username": text, "display_name": text,
            "role": {"$ref": "#/components/schemas/Role"}, "department_id": {"type": ["string", "null"]}, "active": {"type": "boolean"}, "created_at": ts}},
        "UserList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}},
        "UserCreate": {"type": "object", "required": ["username", "password", "role"], "additionalProperties": false,
            "properties": {"username": text, "password": {"type": "string", "minLength": 8}, "role": {"$ref": "#/components/schemas/Role"},
                "display_name": text, "department": {"type": "string", "description": "department id or key"}}},
        "Department": {"type": "object", "properties": {"id": text, "key": text, "name": text, "kind": text, "created_at": ts}},
        "DepartmentList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Department"}}}},
        "DepartmentCreate": {"type": "object", "required": ["key", "name", "kind"], "additionalProperties": false,
            "properties": {"key": text, "name": text, "kind": text}},
        "CustomerCreate": customer_create,
        "Customer": {"type": "object", "description": "Contacts masked: phones 138****8000, emails z***@example.com, external id values cut to their ends",
            "properties": {"id": text, "name": text, "phones": strings, "emails": strings,
            "external_ids": {"type": "array"}, "grade": {"type": "integer"}, "tags": strings, "created_at": ts, "updated_at": ts,
            "version": {"type": "integer", "description": "give it back with a change (PATCH)"},
            "merged_into": {"type": "string", "description": "set when this customer was merged into that one"}}},
        "CustomerFull": {"type": "object", "description": "A customer with full contacts (only from the audited reveal)",
            "properties": {"id": text, "name": text, "phones": strings, "emails": strings,
            "external_ids": {"type": "array"}, "grade": {"type": "integer"}, "tags": strings, "created_at": ts, "updated_at": ts,
            "version": {"type": "integer", "description": "give it back with a change (PATCH)"},
            "merged_into": {"type": "string", "description": "set when this customer was merged into that one"}}},
        "CustomerPage": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Customer"}},
            "next_cursor": {"type": ["string", "null"]}}},
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
                "department_due_at": {"type": "string", "format": "date-time", "description": "with a transfer: by when the department answers back"}}},
        "Case": {"type": "object", "properties": {"id": text, "number": text, "version": {"type": "integer"},
            "status": {"$ref": "#/components/schemas/Status"}, "channel": {"$ref": "#/components/schemas/Channel"},
            "subject": text, "description": text, "category": {"$ref": "#/components/schemas/Category"},
            "priority": {"$ref": "#/components/schemas/Priority"}, "customer_id": text,
            "assignee": {"type": ["string", "null"]}, "department": {"type": ["string", "null"]},
            "waybill_nos": strings, "tags": strings, "received_at": ts, "created_at": ts, "updated_at": ts,
            "first_response_at": opt_ts, "resolved_at": opt_ts, "closed_at": opt_ts,
            "reopen_count": {"type": "integer"}, "message_count": {"type": "integer"}, "escalation_level": {"type": "integer"},
            "identity_confirmed": {"$ref": "#/components/schemas/IdentityConfirmed"},
            "commitments": {"type": "array", "items": {"type": "object", "properties": {"id": text, "due_at": ts, "remind_at": ts,
                "note": text, "made_by": text, "state": enum_of(&["open", "kept", "missed"]), "reminded": {"type": "boolean"}}}}, "escalation_level": {"type": "integer"},
            "commitments": {"type": "array", "items": {"type": "object", "properties": {"id": text, "due_at": ts, "remind_at": ts,
                "note": text, "made_by": text, "state": enum_of(&["open", "kept", "missed"]), "reminded": {"type": "boolean"}}}},
            "sla": {"type": "array", "items": {"type": "object", "properties": {
                "kind": enum_of(&["first_response", "next_response", "resolution"]), "policy": text, "calendar": text,
                "state": enum_of(&["running", "paused", "met", "breached"]), "target_secs": {"type": "integer"},
                "consumed_secs": {"type": "integer"}, "running_since": opt_ts, "due_at": opt_ts, "ended_at": opt_ts,
                "remaining_secs": {"type": ["integer", "null"], "description": "business seconds left now; negative when overdue"}}}}}},
        "CasePage": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
            "next_cursor": {"type": ["string", "null"]}}},
        "MessageCreate": {"type": "object", "required": ["body"], "additionalProperties": false,
            "properties": {"body": text, "visibility": enum_of(&["public", "internal"]), "from_customer": {"type": "boolean"},
                "call": {"type": "boolean", "description": "a call staff made to the customer: reaches the customer whatever the visibility"}}},
        "Message": {"type": "object", "properties": {"id": text, "case_id": text, "seq": {"type": "integer"}, "body": text,
            "visibility": enum_of(&["public", "internal"]), "author_kind": enum_of(&["staff", "customer", "bot"]), "call": {"type": "boolean"}, "actor": text, "at": ts}},
        "MessageList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}}},
        "Event": {"type": "object", "required": ["case_id", "seq", "type", "actor", "at"], "properties": {"case_id": text, "seq": {"type": "integer"},
            "type": text, "actor": text, "at": ts, "data": {"type": "object"}}},
        "CalendarSpec": {"type": "object", "required": ["timezone"], "additionalProperties": false,
            "properties": {"timezone": {"type": "string", "description": "IANA zone, e.g. Asia/Shanghai"},
                "hours": {"type": "object", "description": "mon…sun → [[\"09:00\",\"12:00\"], …]; 24:00 allowed as an end",
                    "additionalProperties": {"type": "array", "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}}},
                "holidays": {"type": "array", "items": {"type": "string", "format": "date"}},
                "extra_workdays": {"type": "array", "items": {"type": "string", "format": "date"}},
                "workday_hours": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
                "holiday_years": {"type": "array", "items": {"type": "integer"}}}},
        "CalendarList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Calendar"}}}},
        "CalendarAdd": {"type": "object", "required": ["from"], "additionalProperties": false,
            "properties": {"from": {"type": "string", "format": "date-time"}, "minutes": {"type": "integer", "minimum": 0},
                "working_days": {"type": "integer", "minimum": 1}}},
        "CalendarDue": {"type": "object", "properties": {"due": {"type": "string", "format": "date-time"},
            "warnings": {"type": "array", "items": {"type": "string"}}}},
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
        "SlaPolicyList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/SlaPolicyView"}}}},
        "CommitmentCreate": {"type": "object", "required": ["due_at", "note"], "additionalProperties": false,
            "properties": {"due_at": ts, "note": text, "remind_before_minutes": {"type": "integer", "minimum": 0, "maximum": 1440, "default": 10}}},
        "Escalate": {"type": "object", "required": ["reason"], "additionalProperties": false, "properties": {"reason": text}},
        "MarkRead": {"type": "object", "additionalProperties": false, "properties": {"ids": strings}},
        "NotificationList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "id": text, "user_id": text, "case_id": text, "case_number": text, "kind": text, "text": text, "created_at": ts, "read_at": opt_ts}}}}},
        "Recognition": {"type": "object", "properties": {"number": text, "ours": {"type": "boolean"},
            "candidates": {"type": "array", "items": {"type": "object", "properties": {
                "carrier": enum_of(&["ours", "sf", "ems", "zto", "yto", "sto", "yunda", "jd", "jt", "deppon", "ups", "fedex", "dhl", "upu_s10"]),
                "name": text, "confidence": {"type": "number"}}}}}},
        "EventList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}},
        "MacroActions": {"type": "object", "additionalProperties": false, "properties": {
            "status": {"$ref": "#/components/schemas/Status"}, "category": {"$ref": "#/components/schemas/Category"},
            "priority": {"$ref": "#/components/schemas/Priority"}, "add_tags": strings}},
        "CannedCreate": {"type": "object", "required": ["title", "body"], "additionalProperties": false,
            "properties": {"title": {"type": "string", "maxLength": 100},
                "body": {"type": "string", "maxLength": 4000, "description": format!("text with variables {}", kefu_model::canned::VARIABLES.iter().map(|v| format!("{{{{{v}}}}}")).collect::<Vec<_>>().join(", "))},
                "scope": enum_of(&["team", "personal"]), "department": {"type": "string", "description": "team templates: a department id or key; absent for everyone"},
                "tags": strings, "language": enum_of(&["zh", "en"]),
                "actions": {"$ref": "#/components/schemas/MacroActions", "description": "present: the template is a macro"}}},
        "Canned": {"type": "object", "properties": {"id": text, "title": text, "body": text, "scope": enum_of(&["team", "personal"]),
            "department_id": text, "owner_id": text, "tags": strings, "language": enum_of(&["zh", "en"]),
            "actions": {"$ref": "#/components/schemas/MacroActions"}, "archived": {"type": "boolean"},
            "created_by": text, "created_at": ts, "updated_by": text, "updated_at": ts}},
        "CannedList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Canned"}}}},
        "CannedRendered": {"type": "object", "properties": {"template_id": text, "title": text, "text": text,
            "missing": {"type": "array", "items": {"type": "string"}, "description": "variables without a value (shown as a placeholder)"}}},
        "MacroResult": {"type": "object", "properties": {"case": {"$ref": "#/components/schemas/Case"},
            "events": {"type": "array", "items": {"type": "string"}, "description": "types of the events appended"}}},
    })
}

pub fn document() -> Value {
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
        let error = json!({"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        let ok_content = if *response == "Empty" {
            json!({"description": "done"})
        } else {
            let media = if *response == "Text" {
                "text/plain"
            } else {
                "application/json"
            };
            json!({"description": "success", "content": {media: {"schema": {"$ref": format!("#/components/schemas/{response}")}}}})
        };
        let mut operation = json!({
            "summary": summary,
            "operationId": format!("{method}_{}", path.trim_start_matches("/api/v1/").replace(['/', '{', '}', '.'], "_")),
            "parameters": parameters,
            "responses": {status.to_string(): ok_content, "400": error, "401": error, "403": error, "404": error,
                "409": error, "413": error, "422": error},
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
        "components": {"schemas": all_schemas(), "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    })
}

fn all_schemas() -> Value {
    let mut all = schemas();
    for extra in [parcel_schemas(), customer_schemas()] {
        if let (Some(base), Value::Object(more)) = (all.as_object_mut(), extra) {
            base.extend(more);
        }
    }
    // What the API answers for a stored calendar or policy: what was put, and its key.
    for (written, answered) in [("CalendarSpec", "Calendar"), ("SlaPolicy", "SlaPolicyView")] {
        let mut view = all[written].clone();
        view["properties"]["key"] = json!({"type": "string"});
        if let Some(required) = view["required"].as_array_mut() {
            required.push(json!("key"));
        }
        all[answered] = view;
    }
    all
}

/// Correcting customers: edit, history, merge, identity on a case.
fn customer_schemas() -> Value {
    let ts = json!({"type": "string", "format": "date-time"});
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
                "tags": strings},
            "description": "Lists replace the whole list. A phone or email another customer has is 409 contact_belongs_to_other_customer, naming that customer."},
        "CustomerEventList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object",
            "properties": {"customer_id": text, "seq": {"type": "integer"}, "version": {"type": "integer"}, "actor": text, "at": ts,
                "field": {"type": "string", "enum": ["name", "phones", "emails", "external_ids", "grade", "tags", "merged_from", "merged_into"]},
                "old": {}, "new": {}, "reason": text}}}}},
        "CustomerMerge": {"type": "object", "required": ["from"], "additionalProperties": false,
            "properties": {"from": {"type": "string", "description": "the customer merged into this one"}, "reason": text}},
        "IdentityConfirm": {"type": "object", "required": ["method"], "additionalProperties": false,
            "properties": {"method": {"type": "string", "enum": methods}, "note": text}},
        "IdentityConfirmed": {"type": "object", "properties": {"method": {"type": "string", "enum": methods}, "by": text, "at": ts}}
    })
}

/// Shipments, tracking, pickups and claims.
fn parcel_schemas() -> Value {
    let ts = json!({"type": "string", "format": "date-time"});
    let text = json!({"type": "string"});
    let money = json!({"type": "string", "description": "decimal, e.g. \"12.50\" (numbers are accepted on input)"});
    let number = json!({"type": ["number", "string"]});
    let statuses: Vec<&str> = kefu_model::shipment::ShipmentStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let party = json!({"type": "object", "required": ["name", "phone", "address"], "additionalProperties": false,
        "properties": {"name": text, "phone": text, "address": text}});
    let masked_party = json!({"type": "object", "properties": {"name": {"type": "string", "description": "张*"},
        "phone": {"type": "string", "description": "138****8000"}, "region": {"type": "string", "description": "province, city and district only"}}});
    let scan = json!({"type": "object", "required": ["at", "code", "location"], "additionalProperties": false,
        "properties": {"at": ts, "code": {"type": "string", "enum": statuses}, "location": text, "outlet": text, "description": text}});
    json!({
        "ShipmentCreate": {"type": "object", "additionalProperties": false,
            "required": ["waybill_no", "sender", "recipient", "item", "weight_kg", "shipped_at"],
            "properties": {"waybill_no": text, "carrier": text, "product": text, "sender": party, "recipient": party,
                "item": text, "weight_kg": number, "dimensions_cm": {"type": "array", "items": number, "minItems": 3, "maxItems": 3},
                "pieces": {"type": "integer", "minimum": 1}, "declared_value": number, "insured": {"type": "boolean"},
                "freight": number, "shipped_at": ts, "promised_at": ts, "events": {"type": "array", "items": scan}}},
        "Shipment": {"type": "object", "properties": {"waybill_no": text, "carrier": text, "product": text,
            "status": {"type": "string", "enum": statuses}, "sender": {"type": "object"}, "recipient": {"type": "object"},
            "item": text, "weight_kg": money, "pieces": {"type": "integer"}, "declared_value": money, "insured": {"type": "boolean"},
            "shipped_at": ts, "promised_at": ts, "last_scan_at": ts, "events": {"type": "array", "items": scan}, "version": {"type": "integer"}}},
        "MaskedShipment": {"type": "object", "description": "A shipment with sender and recipient masked (张*, 138****8000, district only)",
            "properties": {"waybill_no": text, "carrier": text, "product": text,
            "status": {"type": "string", "enum": statuses}, "sender": masked_party, "recipient": masked_party,
            "item": text, "weight_kg": money, "pieces": {"type": "integer"}, "declared_value": money, "insured": {"type": "boolean"},
            "shipped_at": ts, "promised_at": ts, "last_scan_at": ts, "events": {"type": "array", "items": scan}, "version": {"type": "integer"}}},
        "ScanBatch": {"type": "object", "required": ["events"], "additionalProperties": false,
            "properties": {"events": {"type": "array", "items": scan, "minItems": 1, "maxItems": 500}}},
        "ScanResult": {"type": "object", "properties": {"added": {"type": "integer"}, "duplicates": {"type": "integer"},
            "shipment": {"$ref": "#/components/schemas/Shipment"}}},
        "TrackingQuery": {"type": "object", "additionalProperties": false,
            "properties": {"waybill_no": text, "phone": text, "name": text, "address": text, "date": {"type": "string", "format": "date"},
                "issue": {"type": "string", "enum": kefu_model::tracking::Issue::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()},
                "open_case": {"type": "object", "additionalProperties": false, "properties": {
                    "channel": {"$ref": "#/components/schemas/Channel"}, "phone": text, "name": text, "note": text}}}},
        "TrackingAnswer": {"type": "object", "required": ["outcome", "answer", "actions"], "properties": {
            "outcome": {"type": "string", "enum": kefu_model::tracking::Outcome::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()},
            "reason": text, "answer": text, "answer_en": text,
            "actions": {"type": "array", "items": {"type": "object", "properties": {"kind": text, "category": text, "priority": text, "due_at": ts}}},
            "shipment": {"type": "object", "description": "masked"}, "matches": {"type": "array"}, "carrier": {"type": "object"},
            "case": {"$ref": "#/components/schemas/Case"}}},
        "AddressText": {"type": "object", "required": ["address"], "additionalProperties": false, "properties": {"address": text}},
        "ParsedAddress": {"type": "object", "properties": {"province": {"type": ["object", "null"]}, "city": {"type": ["object", "null"]},
            "district": {"type": ["object", "null"]}, "detail": text}},
        "Setting": {"type": "object"},
        "QuoteRequest": {"type": "object", "required": ["origin", "destination", "weight_kg"], "additionalProperties": false,
            "properties": {"origin": text, "destination": text, "weight_kg": number,
                "dimensions_cm": {"type": "array", "items": number, "minItems": 3, "maxItems": 3}, "pieces": {"type": "integer"},
                "item": text, "product": text, "declared_value": number, "insured": {"type": "boolean"}}},
        "Quote": {"type": "object", "properties": {"zone": text,
            "volumetric_weight_kg": {"type": ["string", "null"], "description": "decimal; null when no dimensions were given"},
            "chargeable_weight_kg": money,
            "total": money, "covered": {"type": "boolean"}, "prohibited": {"type": "array", "items": {"type": "object",
                "properties": {"category": text, "keyword": text}}}, "vehicle_needed": {"type": "boolean"}}},
        "PickupCreate": {"type": "object", "required": ["sender", "recipient_address", "item", "weight_kg"], "additionalProperties": false,
            "properties": {"sender": party, "recipient_address": text, "item": text, "weight_kg": number,
                "dimensions_cm": {"type": "array", "items": number}, "pieces": {"type": "integer"}, "product": text,
                "declared_value": number, "insured": {"type": "boolean"}, "case_id": text, "note": text},
            "description": "With case_id (an id or number) the pickup is for the case's customer: an empty sender name or phone is the customer's on file, and the case records pickup_booked in the same write."},
        "Pickup": {"type": "object", "description": "The sender's name in full, phone masked, addresses cut to the district",
            "properties": {"id": text, "number": text, "status": {"type": "string",
            "enum": kefu_model::pickup::PickupStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()},
            "sender": masked_party, "recipient_region": text, "item": text, "weight_kg": money, "pieces": {"type": "integer"},
            "outlet": text, "courier": {"type": "object"}, "estimated_pickup_at": ts, "review_required": {"type": "boolean"},
            "case_id": text, "customer_id": text,
            "quote": {"$ref": "#/components/schemas/Quote"}, "history": {"type": "array"}}},
        "PickupFull": {"type": "object", "description": "A pickup with the sender's phone and both addresses in full (only from the audited reveal)",
            "properties": {"id": text, "number": text, "sender": {"type": "object"}, "recipient_address": text, "item": text,
            "outlet": text, "courier": {"type": "object"}, "history": {"type": "array"}}},
        "PickupList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Pickup"}}}},
        "PickupStatusChange": {"type": "object", "required": ["status"], "additionalProperties": false,
            "properties": {"status": text, "note": text, "courier": text, "waybill_no": text}},
        "ClaimCreate": {"type": "object", "required": ["kind", "claimed_amount"], "additionalProperties": false,
            "properties": {"waybill_no": text, "kind": {"type": "string", "enum": ["lost", "damaged", "delayed"]},
                "claimed_amount": number, "declared_value": number, "insured": {"type": "boolean"}, "freight": number,
                "evidence": {"type": "array", "items": {"type": "object", "required": ["name", "url"],
                    "properties": {"name": text, "url": text, "sha256": text}}}}},
        "ClaimStep": {"type": "object", "additionalProperties": false,
            "properties": {"loss_amount": number, "reason": text, "reference": text, "evidence": {"type": "object"}}},
        "ClaimResult": {"type": "object", "properties": {"claim": {"type": "object"}, "case": {"$ref": "#/components/schemas/Case"}}},
        "RevealRequest": {"type": "object", "additionalProperties": false, "required": ["reason"],
            "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 200, "description": "why the full details are needed; recorded"}}},
        "AuditList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object",
            "properties": {"id": text, "at": ts, "actor": text, "action": text, "subject": text, "reason": text}}}}},
        "ShipmentHistory": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object",
            "properties": {"waybill_no": text, "version": {"type": "integer", "description": "the shipment version the write produced"},
                "at": ts, "actor": text,
                "fields": {"type": "array", "items": {"type": "object", "properties": {
                    "field": {"type": "string", "description": "e.g. sender.phone, recipient.address, weight_kg"},
                    "old": {"description": "before (null when absent); names 张*, phones 138****5678, addresses to the district"},
                    "new": {"description": "after, masked as old"}}}}}}}}},
        "ConfigHistory": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object",
            "properties": {"seq": {"type": "integer"}, "kind": {"type": "string", "enum": ["setting", "sla_policy", "calendar"]},
                "key": text, "at": ts, "actor": text,
                "old": {"type": ["object", "array", "null"], "description": "the document before; null when there was none"},
                "new": {"type": ["object", "array"], "description": "the document after"}}}}}}
    })
}
