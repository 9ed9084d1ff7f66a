//! The case desk's use cases: each takes an [`Actor`], checks what the actor may do, validates
//! the input, decides the events, and hands them to the [`Store`]. Time comes from the clock.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use crate::auth;
use crate::calendar::{self, Calendar, CalendarSpec};
use crate::case::{
    Case, CaseEvent, Category, Channel, EventData, Priority, Status, Visibility, parse_waybill_no,
};
use crate::classify::Classifier;
use crate::clock::Clock;
use crate::customer::{Customer, Email, ExternalId, Grade, Phone};
use crate::error::{DomainError, StoreError};
use crate::ids::{CaseId, CustomerId, DepartmentId, MessageId, UserId};
use crate::sla::{self, ClockKind, ClockState, SlaConfig, SlaPolicy};
use crate::store::{
    CaseQuery, CreatedCase, CustomerChoice, CustomerQuery, IdempotencyKey, NewCase, Notification,
    Page, Session, Store,
};
use crate::user::{Actor, Department, Role, User};

pub type DeskResult<T> = Result<T, DomainError>;

const SUBJECT_MAX: usize = 200;
pub(crate) const TEXT_MAX: usize = 20_000;
const NAME_MAX: usize = 100;
const MAX_LIST: u32 = 200;
const SESSION_HOURS: i64 = 12;
/// Optimistic-concurrency retries before a busy case is reported as a conflict.
const APPEND_RETRIES: usize = 5;

/// A customer as given in a request: every field optional, parsed here.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerDraft {
    pub name: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub external_ids: Vec<ExternalId>,
    pub grade: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseDraft {
    pub channel: Channel,
    pub subject: String,
    #[serde(default)]
    pub description: String,
    pub customer_id: Option<String>,
    pub customer: Option<CustomerDraft>,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub waybill_no: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub received_at: Option<Timestamp>,
}

/// A change to a case; absent fields stay as they are. `assignee`/`department` may be `null`
/// to clear them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub category: Option<Category>,
    #[serde(default, deserialize_with = "double_option")]
    pub assignee: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub department: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub waybill_no: Option<String>,
    /// Why, for reopening; recorded in the event.
    pub reason: Option<String>,
    /// With a transfer: by when the department should answer back.
    pub department_due_at: Option<Timestamp>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageDraft {
    pub body: String,
    #[serde(default = "default_visibility")]
    pub visibility: Visibility,
    /// Set when staff relay what the customer wrote (e.g. a phone call transcript).
    #[serde(default)]
    pub from_customer: bool,
    /// Set when staff log a call they made to the customer ("已电话回访").
    #[serde(default)]
    pub call: bool,
}

fn default_visibility() -> Visibility {
    Visibility::Public
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserDraft {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub display_name: Option<String>,
    /// A department id or key.
    pub department: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentDraft {
    pub key: String,
    pub name: String,
    pub kind: String,
}

/// The desk: stateless apart from its collaborators, cheap to clone. Its parts are private:
/// build one with [`Desk::new`] and the `with_*` methods, and reach the data only through its
/// use cases, which decide who may see and change what.
#[derive(Clone)]
pub struct Desk {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) classifier: Arc<dyn Classifier>,
    /// What the chat bot understands of a message (`kefu-nlu` in the product).
    pub(crate) nlu: Arc<dyn crate::nlu::Understand>,
    pub(crate) time_zone: jiff::tz::TimeZone,
    /// SLA policies and parsed calendars, reloaded every few seconds (other nodes may change
    /// them) and at once after a change made here.
    pub(crate) sla_cache: Arc<std::sync::Mutex<Option<CachedSla>>>,
    /// The node's search index (`kefu-search` in the product): the console's and the portal's
    /// searches, and the bot's answers from the knowledge base. `None`: no search on this node.
    pub(crate) search: Option<Arc<dyn crate::search::SearchEngine>>,
}

/// The SLA configuration and when it was loaded.
pub type CachedSla = (Timestamp, Arc<SlaConfig>);

/// How long a node trusts its copy of the SLA configuration.
const SLA_CACHE_SECONDS: i64 = 5;

/// The actor of automatic changes: clocks starting, pausing, breaching.
fn system_actor() -> Actor {
    Actor {
        user_id: UserId::from_stored("system".into()),
        username: "system".into(),
        role: Role::Admin,
        department_id: None,
    }
}

const SLA_ACTOR: &str = "system:sla";

pub(crate) fn require_role(ok: bool, what: &str) -> DeskResult<()> {
    require(ok, what)
}

fn require(ok: bool, what: &str) -> DeskResult<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden(what.to_string()))
    }
}

pub(crate) fn text(field: &str, value: &str, max: usize, required: bool) -> DeskResult<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(DomainError::invalid(field, "contains control characters"));
    }
    Ok(v.to_string())
}

pub(crate) fn tags(field: &str, raw: &[String]) -> DeskResult<Vec<String>> {
    if raw.len() > 20 {
        return Err(DomainError::invalid(field, "at most 20 tags"));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for t in raw {
        let t = text(field, t, 40, true)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

fn limit(requested: Option<u32>) -> u32 {
    requested.unwrap_or(50).clamp(1, MAX_LIST)
}

impl Desk {
    /// A desk over `store` that takes time from `clock`, with the keyword classifier and
    /// understanding, the Asia/Shanghai time zone and no search engine until told otherwise.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Desk {
        Desk {
            store,
            clock,
            classifier: Arc::new(crate::classify::KeywordClassifier),
            nlu: Arc::new(crate::nlu::KeywordUnderstanding),
            time_zone: jiff::tz::TimeZone::get("Asia/Shanghai")
                .unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(8))),
            sla_cache: Arc::default(),
            search: None,
        }
    }

    pub fn with_classifier(mut self, classifier: Arc<dyn Classifier>) -> Desk {
        self.classifier = classifier;
        self
    }

    /// What the bot understands of a message with (`kefu_nlu::SharedNlu` in the product).
    pub fn with_nlu(mut self, nlu: Arc<dyn crate::nlu::Understand>) -> Desk {
        self.nlu = nlu;
        self
    }

    /// The zone local days, business hours and dates shown are counted in.
    pub fn with_time_zone(mut self, time_zone: jiff::tz::TimeZone) -> Desk {
        self.time_zone = time_zone;
        self
    }

    /// With a search engine.
    pub fn with_search(mut self, engine: Arc<dyn crate::search::SearchEngine>) -> Desk {
        self.search = Some(engine);
        self
    }

    /// The same desk taking time from another clock (demo replay, tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Desk {
        self.clock = clock;
        self
    }

    /// The same configuration as a second node over the same store: its own SLA cache and no
    /// search index (tests of several nodes).
    pub fn another_node(&self) -> Desk {
        Desk {
            sla_cache: Arc::default(),
            search: None,
            ..self.clone()
        }
    }

    /// The same configuration over another store (import tests, tools).
    pub fn on_store(&self, store: Arc<dyn Store>) -> Desk {
        Desk {
            store,
            sla_cache: Arc::default(),
            search: None,
            ..self.clone()
        }
    }

    pub fn time_zone(&self) -> &jiff::tz::TimeZone {
        &self.time_zone
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The store itself, for what runs beside the use cases: the binary's start-up and demo
    /// data, the search indexer, tests. The web crate may not call it (its `clippy.toml`): pages
    /// and the API read through the use cases and read models (`views`).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Now, to the millisecond: every backend stores epoch milliseconds, so anything finer
    /// would not survive a round trip through the event log.
    pub fn now(&self) -> Timestamp {
        truncate_to_millis(self.clock.now())
    }

    // ---- users and sessions -------------------------------------------------------------

    /// On first start: create `admin` with the given password, or a random one that is
    /// returned so the caller can print it once. Nothing happens if any user exists.
    pub async fn bootstrap_admin(&self, password: Option<String>) -> DeskResult<Option<String>> {
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        let password = password.unwrap_or_else(auth::new_password);
        auth::check_password_policy(&password)
            .map_err(|m| DomainError::invalid("KEFU_ADMIN_PASSWORD", m))?;
        let user = self.new_user("admin", "管理员", Role::Admin, None, &password)?;
        self.store.insert_user(&user).await?;
        Ok(Some(password))
    }

    fn new_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        department_id: Option<DepartmentId>,
        password: &str,
    ) -> DeskResult<User> {
        let password_hash = auth::hash_password(password)
            .map_err(|e| DomainError::Store(StoreError::Backend(e)))?;
        Ok(User {
            id: UserId::new(self.now()),
            username: username.to_string(),
            display_name: display_name.to_string(),
            role,
            department_id,
            password_hash,
            active: true,
            created_at: self.now(),
        })
    }

    pub async fn create_user(&self, actor: Option<&Actor>, draft: UserDraft) -> DeskResult<User> {
        if let Some(actor) = actor {
            require(actor.can_manage_users(), "only admins manage users")?;
        }
        let username = draft.username.trim().to_lowercase();
        let valid_name = (2..=32).contains(&username.len())
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid_name {
            return Err(DomainError::invalid(
                "username",
                "2–32 characters: letters, digits, '.', '_' or '-'",
            ));
        }
        auth::check_password_policy(&draft.password)
            .map_err(|m| DomainError::invalid("password", m))?;
        let department_id = match &draft.department {
            Some(d) => Some(self.resolve_department("department", d).await?.id),
            None => None,
        };
        if draft.role == Role::Department && department_id.is_none() {
            return Err(DomainError::invalid(
                "department",
                "department staff must belong to a department",
            ));
        }
        let display = match &draft.display_name {
            Some(n) => text("display_name", n, NAME_MAX, true)?,
            None => username.clone(),
        };
        let user = self.new_user(
            &username,
            &display,
            draft.role,
            department_id,
            &draft.password,
        )?;
        match self.store.insert_user(&user).await {
            Err(StoreError::Duplicate(_)) => Err(DomainError::conflict(
                "username_taken",
                format!("username '{username}' is taken"),
            )),
            other => other.map(|()| user).map_err(Into::into),
        }
    }

    pub async fn list_users(&self, actor: &Actor) -> DeskResult<Vec<User>> {
        require(
            matches!(actor.role, Role::Admin | Role::Supervisor),
            "only admins and supervisors list users",
        )?;
        Ok(self.store.list_users().await?)
    }

    /// Checks the password and opens a session; the returned token is shown once.
    pub async fn login(&self, username: &str, password: &str) -> DeskResult<(String, User)> {
        let user = self
            .store
            .user_by_username(&username.trim().to_lowercase())
            .await?;
        // Verify against a dummy hash when the user is unknown, so timing does not tell.
        let (hash, user) = match user {
            Some(u) if u.active => (u.password_hash.clone(), Some(u)),
            _ => (DUMMY_HASH.to_string(), None),
        };
        let ok = auth::verify_password(password, &hash);
        let Some(user) = user.filter(|_| ok) else {
            return Err(DomainError::Unauthenticated);
        };
        let token = auth::new_token();
        let now = self.now();
        let session = Session {
            token_hash: auth::token_hash(&token),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now
                .saturating_add(SignedDuration::from_hours(SESSION_HOURS))
                .unwrap_or(now),
        };
        self.store.insert_session(&session).await?;
        Ok((token, user))
    }

    /// The actor behind a bearer token, if the session is live and the user active.
    pub async fn authenticate(&self, token: &str) -> DeskResult<(Actor, Timestamp)> {
        let session = self
            .store
            .session(&auth::token_hash(token))
            .await?
            .filter(|s| s.expires_at > self.now())
            .ok_or(DomainError::Unauthenticated)?;
        let user = self
            .store
            .user_by_id(&session.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or(DomainError::Unauthenticated)?;
        Ok((Actor::of(&user), session.expires_at))
    }

    /// Ends the session; whoever signs out takes no more routed work (their presence goes
    /// offline), so chats are not handed to an empty chair.
    pub async fn logout(&self, token: &str) -> DeskResult<()> {
        if let Ok((actor, _)) = self.authenticate(token).await
            && let Some(mut profile) = self.store.agent_profiles().await?.into_iter().find(|p| {
                p.user_id == actor.user_id && p.presence != crate::routing::Presence::Offline
            })
        {
            let now = self.now();
            profile.presence = crate::routing::Presence::Offline;
            profile.presence_since = now;
            profile.updated_at = now;
            self.store.put_agent_profile(&profile).await?;
        }
        Ok(self.store.delete_session(&auth::token_hash(token)).await?)
    }

    // ---- departments ----------------------------------------------------------------------

    pub async fn create_department(
        &self,
        actor: Option<&Actor>,
        draft: DepartmentDraft,
    ) -> DeskResult<Department> {
        if let Some(actor) = actor {
            require(actor.can_manage_users(), "only admins manage departments")?;
        }
        let key = draft.key.trim().to_lowercase();
        if key.is_empty()
            || key.len() > 32
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(DomainError::invalid(
                "key",
                "1–32 letters, digits, '_' or '-'",
            ));
        }
        let department = Department {
            id: DepartmentId::new(self.now()),
            key,
            name: text("name", &draft.name, NAME_MAX, true)?,
            kind: text("kind", &draft.kind, 40, true)?,
            created_at: self.now(),
        };
        match self.store.insert_department(&department).await {
            Err(StoreError::Duplicate(_)) => Err(DomainError::conflict(
                "department_exists",
                format!("department '{}' exists", department.key),
            )),
            other => other.map(|()| department).map_err(Into::into),
        }
    }

    pub async fn list_departments(&self) -> DeskResult<Vec<Department>> {
        Ok(self.store.list_departments().await?)
    }

    /// The department named by its id or key; `invalid_field` on `field` when there is none.
    pub async fn resolve_department(&self, field: &str, id_or_key: &str) -> DeskResult<Department> {
        let wanted = id_or_key.trim();
        self.store
            .list_departments()
            .await?
            .into_iter()
            .find(|d| d.id.as_str() == wanted || d.key == wanted.to_lowercase())
            .ok_or_else(|| DomainError::invalid(field, format!("no department '{wanted}'")))
    }

    async fn resolve_assignee(&self, id_or_username: &str) -> DeskResult<User> {
        let user = match UserId::parse(id_or_username) {
            Some(id) => self.store.user_by_id(&id).await?,
            None => {
                self.store
                    .user_by_username(&id_or_username.trim().to_lowercase())
                    .await?
            }
        };
        // The one rule (`User::may_be_assigned`), shared with the console's lists.
        user.filter(User::may_be_assigned).ok_or_else(|| {
            DomainError::invalid(
                "assignee",
                format!("no active agent, supervisor or admin '{id_or_username}'"),
            )
        })
    }

    // ---- calendars ------------------------------------------------------------------------

    /// Stores the built-in calendars that are missing (a user's edits are kept).
    pub async fn install_builtin_calendars(&self) -> DeskResult<()> {
        for (key, spec) in calendar::builtin_calendars() {
            self.store
                .put_calendar(key, &spec, self.now(), true, None)
                .await?;
        }
        Ok(())
    }

    pub async fn put_calendar(
        &self,
        actor: &Actor,
        key: &str,
        spec: CalendarSpec,
    ) -> DeskResult<CalendarSpec> {
        require(
            matches!(actor.role, Role::Admin | Role::Supervisor),
            "only admins and supervisors edit calendars",
        )?;
        check_key("key", key)?;
        Calendar::parse(&spec)?;
        let editor = self.editor(actor);
        self.store
            .put_calendar(key, &spec, editor.at, false, Some(&editor))
            .await?;
        Ok(spec)
    }

    pub async fn get_calendar(&self, key: &str) -> DeskResult<CalendarSpec> {
        self.store
            .calendar(key)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("calendar {key}")))
    }

    pub async fn list_calendars(&self) -> DeskResult<Vec<(String, CalendarSpec)>> {
        Ok(self.store.list_calendars().await?)
    }

    /// Due time after `minutes` of open time or `working_days` working days from `from`, with
    /// warnings when the dates fall in years whose holidays the calendar does not know.
    pub async fn calendar_add(&self, key: &str, request: CalendarAdd) -> DeskResult<CalendarDue> {
        let spec = self.get_calendar(key).await?;
        let cal = Calendar::parse(&spec)?;
        let due = match (request.minutes, request.working_days) {
            (Some(m), None) => cal.add_minutes(request.from, m)?,
            (None, Some(d)) => cal.add_working_days(request.from, d)?,
            _ => {
                return Err(DomainError::invalid(
                    "minutes",
                    "give exactly one of minutes or working_days",
                ));
            }
        };
        Ok(CalendarDue {
            warnings: cal.coverage_warnings(request.from, due),
            due,
        })
    }

    // ---- SLA policies and clocks -------------------------------------------------------------

    /// Stores the shipped SLA policies that are missing (a user's edits are kept).
    pub async fn install_default_policies(&self) -> DeskResult<()> {
        for (key, policy) in sla::default_policies() {
            self.store.put_sla_policy(key, &policy, true, None).await?;
        }
        self.forget_sla_config();
        Ok(())
    }

    pub async fn put_sla_policy(
        &self,
        actor: &Actor,
        key: &str,
        policy: SlaPolicy,
    ) -> DeskResult<SlaPolicy> {
        require(
            matches!(actor.role, Role::Admin | Role::Supervisor),
            "only admins and supervisors edit SLA policies",
        )?;
        check_key("key", key)?;
        policy.validate()?;
        if self.store.calendar(&policy.calendar).await?.is_none() {
            return Err(DomainError::invalid(
                "calendar",
                format!("no calendar '{}'", policy.calendar),
            ));
        }
        let editor = self.editor(actor);
        self.store
            .put_sla_policy(key, &policy, false, Some(&editor))
            .await?;
        self.forget_sla_config();
        Ok(policy)
    }

    pub async fn list_sla_policies(&self) -> DeskResult<Vec<(String, SlaPolicy)>> {
        Ok(self.store.list_sla_policies().await?)
    }

    pub(crate) fn forget_sla_config(&self) {
        *self.sla_cache.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The policies and their parsed calendars, from a cache refreshed every few seconds.
    pub async fn sla_config(&self) -> DeskResult<Arc<SlaConfig>> {
        let now = self.now();
        let cached = self
            .sla_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some((loaded, config)) = cached
            && loaded <= now
            && now.duration_since(loaded) < SignedDuration::from_secs(SLA_CACHE_SECONDS)
        {
            return Ok(config);
        }
        let policies = self.store.list_sla_policies().await?;
        let mut calendars = std::collections::BTreeMap::new();
        for (key, spec) in self.store.list_calendars().await? {
            // Stored calendars were validated when stored; one that no longer parses (say, a
            // time zone dropped from the database) leaves its policies without clocks.
            if let Ok(cal) = Calendar::parse(&spec) {
                calendars.insert(key, Arc::new(cal));
            }
        }
        let own_format = match self.store.setting("waybill_format").await? {
            // Validated when stored; a document that no longer reads falls back to the default.
            Some(v) => serde_json::from_value(v).unwrap_or_default(),
            None => crate::waybill::OwnFormat::default(),
        };
        let config = Arc::new(SlaConfig {
            policies,
            calendars,
            own_format,
        });
        *self.sla_cache.lock().unwrap_or_else(|p| p.into_inner()) = Some((now, config.clone()));
        Ok(config)
    }

    /// Business time left on each running clock of `case` (negative once overdue).
    pub async fn clock_remaining(&self, case: &Case) -> DeskResult<Vec<(ClockKind, Option<i64>)>> {
        let config = self.sla_config().await?;
        let now = self.now();
        let mut out = Vec::with_capacity(case.sla.len());
        for clock in &case.sla {
            let left = match (clock.state, config.calendars.get(&clock.calendar)) {
                (ClockState::Running, Some(cal)) => clock.due_at.map(|due| {
                    if due >= now {
                        cal.open_time_between(now, due)
                            .map(|d| d.as_secs())
                            .unwrap_or(0)
                    } else {
                        -cal.open_time_between(due, now)
                            .map(|d| d.as_secs())
                            .unwrap_or(0)
                    }
                }),
                (ClockState::Paused, _) => Some(clock.target_secs - clock.consumed_secs),
                _ => None,
            };
            out.push((clock.kind, left));
        }
        Ok(out)
    }

    /// Records a breach on every case whose clock fell due by now; returns how many, and how
    /// many cases could not be updated (they stay due and are tried again). Safe to run on
    /// several nodes at once: a breach is appended with the case's version, so only one node's
    /// append succeeds and the others find the clock already breached.
    pub async fn fire_due_timers(&self, limit: u32) -> DeskResult<usize> {
        let report = self.fire_due_timers_report(limit).await?;
        Ok(report.0)
    }

    /// (breaches recorded, cases that failed, the first failure).
    pub async fn fire_due_timers_report(
        &self,
        limit: u32,
    ) -> DeskResult<(usize, usize, Option<DomainError>)> {
        let now = self.now();
        let system = system_actor();
        let (mut fired, mut failed, mut first_error) = (0, 0, None);
        for id in self.store.due_timers(now, limit).await? {
            let breached = std::sync::atomic::AtomicUsize::new(0);
            let result = self
                .with_retries(&system, id.as_str(), |case| {
                    let events = sla::due_effects(case, now);
                    let breaches = events
                        .iter()
                        .filter(|e| matches!(e, EventData::SlaBreached { .. }))
                        .count();
                    breached.store(breaches, std::sync::atomic::Ordering::Relaxed);
                    Ok(events)
                })
                .await;
            match result {
                Ok(_) => fired += breached.load(std::sync::atomic::Ordering::Relaxed),
                Err(e) => {
                    failed += 1;
                    first_error.get_or_insert(e);
                }
            }
        }
        Ok((fired, failed, first_error))
    }

    // ---- promises, escalation, notifications -------------------------------------------------

    /// "We will call you back by …": a promise with its own clock (R-CASE-12). The owner is
    /// reminded `REMINDER_MINUTES` before (or at once if that is already past).
    pub async fn make_commitment(
        &self,
        actor: &Actor,
        id_or_number: &str,
        draft: CommitmentDraft,
    ) -> DeskResult<Case> {
        require(actor.can_write_cases(), "this role cannot change cases")?;
        let now = self.now();
        let due_at = truncate_to_millis(draft.due_at);
        if due_at <= now {
            return Err(DomainError::invalid(
                "due_at",
                "a promise is due in the future",
            ));
        }
        let note = text("note", &draft.note, 500, true)?;
        let lead = draft.remind_before_minutes.unwrap_or(REMINDER_MINUTES);
        if !(0..=1440).contains(&lead) {
            return Err(DomainError::invalid(
                "remind_before_minutes",
                "from 0 to 1440",
            ));
        }
        let remind_at = (due_at - SignedDuration::from_mins(lead)).max(now);
        let id = MessageId::new(now).to_string();
        self.with_retries(actor, id_or_number, |case| {
            if case.status == Status::Closed {
                return Err(closed_error());
            }
            Ok(vec![EventData::CommitmentMade {
                id: id.clone(),
                due_at,
                remind_at,
                note: note.clone(),
            }])
        })
        .await
        .map(|(case, _)| case)
    }

    /// One step up the ladder agent → supervisor → manager, with a reason (R-SP-1): raises the
    /// priority and tells the supervisors.
    pub async fn escalate(
        &self,
        actor: &Actor,
        id_or_number: &str,
        reason: &str,
    ) -> DeskResult<Case> {
        require(actor.can_write_cases(), "this role cannot change cases")?;
        let reason = text("reason", reason, 500, true)?;
        self.with_retries(actor, id_or_number, |case| {
            if case.status == Status::Closed {
                return Err(closed_error());
            }
            if case.escalation_level >= MAX_ESCALATION {
                return Err(DomainError::conflict(
                    "top_of_ladder",
                    "the case is already with the manager",
                ));
            }
            let mut events = vec![EventData::Escalated {
                level: case.escalation_level + 1,
                reason: reason.clone(),
            }];
            if case.priority != case.priority.raised() {
                events.push(EventData::PriorityChanged {
                    from: case.priority,
                    to: case.priority.raised(),
                });
            }
            Ok(events)
        })
        .await
        .map(|(case, _)| case)
    }

    pub async fn notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        limit: Option<u32>,
    ) -> DeskResult<Vec<Notification>> {
        Ok(self
            .store
            .notifications(
                &actor.user_id,
                unread_only,
                limit.unwrap_or(50).clamp(1, MAX_LIST),
            )
            .await?)
    }

    pub async fn mark_notifications_read(&self, actor: &Actor, ids: &[String]) -> DeskResult<u64> {
        Ok(self
            .store
            .mark_notifications_read(&actor.user_id, ids, self.now())
            .await?)
    }

    // ---- customers ------------------------------------------------------------------------

    fn parse_customer(&self, prefix: &str, draft: &CustomerDraft) -> DeskResult<Customer> {
        let field = |f: &str| {
            if prefix.is_empty() {
                f.to_string()
            } else {
                format!("{prefix}.{f}")
            }
        };
        let mut phones = Vec::new();
        for raw in draft.phone.iter().chain(draft.phones.iter()) {
            let p = Phone::parse(raw).map_err(|m| DomainError::invalid(field("phone"), m))?;
            if !phones.contains(&p) {
                phones.push(p);
            }
        }
        let mut emails = Vec::new();
        for raw in draft.email.iter().chain(draft.emails.iter()) {
            let e = Email::parse(raw).map_err(|m| DomainError::invalid(field("email"), m))?;
            if !emails.contains(&e) {
                emails.push(e);
            }
        }
        for x in &draft.external_ids {
            text(&field("external_ids.kind"), &x.kind, 32, true)?;
            text(&field("external_ids.value"), &x.value, 128, true)?;
        }
        let name = match &draft.name {
            Some(n) => text(&field("name"), n, NAME_MAX, true)?,
            None => String::new(),
        };
        if name.is_empty()
            && phones.is_empty()
            && emails.is_empty()
            && draft.external_ids.is_empty()
        {
            return Err(DomainError::invalid(
                field("name"),
                "a customer needs a name, phone, email or external id",
            ));
        }
        let grade = match draft.grade {
            Some(g) => Grade::new(g).map_err(|m| DomainError::invalid(field("grade"), m))?,
            None => Grade::DEFAULT,
        };
        let now = self.now();
        Ok(Customer {
            id: CustomerId::new(now),
            name: if name.is_empty() {
                "未留名客户".to_string()
            } else {
                name
            },
            phones,
            emails,
            external_ids: draft.external_ids.clone(),
            grade,
            tags: tags(&field("tags"), &draft.tags)?,
            created_at: now,
            updated_at: now,
            version: 1,
            merged_into: None,
        })
    }

    pub async fn create_customer(
        &self,
        actor: &Actor,
        draft: CustomerDraft,
    ) -> DeskResult<Customer> {
        require(
            actor.can_write_cases() && actor.can_see_customers(),
            "this role cannot create customers",
        )?;
        let customer = self.parse_customer("", &draft)?;
        match self.store.insert_customer(&customer).await {
            Err(StoreError::Duplicate(what)) => Err(DomainError::conflict(
                "customer_exists",
                format!("{what} already belongs to a customer"),
            )),
            other => other.map(|()| customer).map_err(Into::into),
        }
    }

    pub async fn get_customer(&self, actor: &Actor, id: &str) -> DeskResult<Customer> {
        require(actor.can_see_customers(), "this role cannot see customers")?;
        let not_found = || DomainError::NotFound(format!("customer {id}"));
        let id = CustomerId::parse(id).ok_or_else(not_found)?;
        self.store.customer_by_id(&id).await?.ok_or_else(not_found)
    }

    pub async fn list_customers(
        &self,
        actor: &Actor,
        phone: Option<&str>,
        email: Option<&str>,
        name: Option<&str>,
        cursor: Option<&str>,
        requested_limit: Option<u32>,
    ) -> DeskResult<Page<Customer>> {
        require(actor.can_see_customers(), "this role cannot see customers")?;
        let query = CustomerQuery {
            phone: phone
                .map(|p| Phone::parse(p).map_err(|m| DomainError::invalid("phone", m)))
                .transpose()?,
            email: email
                .map(|e| Email::parse(e).map_err(|m| DomainError::invalid("email", m)))
                .transpose()?
                .map(|e| e.as_str().to_string()),
            name: name.map(name_query).transpose()?,
            before: cursor
                .map(|c| {
                    CustomerId::parse(c)
                        .ok_or_else(|| DomainError::invalid("cursor", "not a cursor"))
                })
                .transpose()?,
            limit: limit(requested_limit),
        };
        Ok(self.store.list_customers(&query).await?)
    }

    /// The existing customer a draft's contacts point at, if any.
    async fn find_customer(&self, c: &Customer) -> DeskResult<Option<Customer>> {
        for (kind, value) in crate::customer::contact_keys(c) {
            if let Some(found) = self.store.customer_by_contact(kind, &value).await? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    // ---- cases ----------------------------------------------------------------------------

    /// Creates a case. The customer is the given id, or the one whose phone/email matches, or
    /// a new one. Category and priority come from the caller or else the classifier.
    pub async fn create_case(
        &self,
        actor: &Actor,
        draft: CaseDraft,
        idempotency: Option<(String, String)>,
    ) -> DeskResult<CreatedCase> {
        self.create_case_as(actor, draft, idempotency, false).await
    }

    /// `create_case`, and with `bot` a chat the bot answers first (its first-response clock
    /// starts at the handover to a person).
    pub(crate) async fn create_case_as(
        &self,
        actor: &Actor,
        draft: CaseDraft,
        idempotency: Option<(String, String)>,
        bot: bool,
    ) -> DeskResult<CreatedCase> {
        require(
            actor.can_write_cases() && actor.can_see_customers(),
            "this role cannot create cases",
        )?;
        let now = self.now();
        let subject = text("subject", &draft.subject, SUBJECT_MAX, true)?;
        let description = text("description", &draft.description, TEXT_MAX, false)?;
        let tags = tags("tags", &draft.tags)?;
        let waybill_nos = match &draft.waybill_no {
            Some(w) => vec![
                parse_waybill_no(w)
                    .ok_or_else(|| DomainError::invalid("waybill_no", "8–32 letters and digits"))?,
            ],
            // Intake links the case to the parcels its text names (R-CASE-2).
            None => {
                crate::parcels::waybills_in(&self.recognizer().await?, &[&subject, &description])
            }
        };
        let received_at = draft.received_at.map(truncate_to_millis).unwrap_or(now);
        if received_at
            > now
                .saturating_add(SignedDuration::from_mins(5))
                .unwrap_or(now)
        {
            return Err(DomainError::invalid("received_at", "lies in the future"));
        }
        let (customer, grade) = match (&draft.customer_id, &draft.customer) {
            (Some(_), Some(_)) => {
                return Err(DomainError::invalid(
                    "customer",
                    "give either customer_id or customer, not both",
                ));
            }
            (None, None) => {
                return Err(DomainError::invalid(
                    "customer",
                    "customer_id or customer is required",
                ));
            }
            (Some(id), None) => {
                let found = match CustomerId::parse(id) {
                    Some(id) => self.store.customer_by_id(&id).await?,
                    None => None,
                }
                .ok_or_else(|| {
                    DomainError::invalid("customer_id", format!("no customer '{id}'"))
                })?;
                let found = self.survivor_of(found).await?;
                let grade = found.grade;
                (CustomerChoice::Existing(found.id), grade)
            }
            (None, Some(d)) => {
                let candidate = self.parse_customer("customer", d)?;
                match self.find_customer(&candidate).await? {
                    Some(found) => (CustomerChoice::Existing(found.id), found.grade),
                    None => {
                        let grade = candidate.grade;
                        (CustomerChoice::FindOrCreate(candidate), grade)
                    }
                }
            }
        };
        let (category, priority, classified_by) = match (draft.category, draft.priority) {
            (Some(c), Some(p)) => (c, p, "caller".to_string()),
            (given_category, given_priority) => {
                let text = format!("{subject}\n{description}");
                let category = given_category
                    .unwrap_or_else(|| self.classifier.classify(&text, grade).category);
                let priority = given_priority
                    .unwrap_or_else(|| self.classifier.priority(category, grade, &text));
                (category, priority, self.classifier.name().to_string())
            }
        };
        let id = CaseId::new(now);
        let idempotency = idempotency.map(|(key, request_hash)| IdempotencyKey {
            user_id: actor.user_id.clone(),
            key,
            request_hash,
        });
        let template = CaseEvent {
            case_id: id.clone(),
            seq: 1,
            actor: actor.event_name(),
            at: now,
            data: EventData::Created {
                number: String::new(),
                channel: draft.channel,
                subject,
                description,
                category,
                priority,
                customer_id: CustomerId::from_stored(String::new()),
                waybill_nos,
                tags,
                received_at,
                classified_by,
                bot,
            },
        };
        // The clocks start with the case; the number and customer do not affect them.
        let then = match Case::from_created(&template) {
            Some(provisional) => {
                let config = self.sla_config().await?;
                sla::plan(None, &provisional, &[], grade.get(), &config, now)?
            }
            None => Vec::new(),
        };
        let number_date = now
            .to_zoned_datetime(self.time_zone.clone())
            .strftime("%Y%m%d")
            .to_string();
        let created = self
            .store
            .create_case(NewCase {
                id,
                customer,
                then,
                then_actor: SLA_ACTOR.to_string(),
                template,
                number_date,
                idempotency,
            })
            .await
            .map_err(|e| match e {
                StoreError::IdempotencyMismatch => DomainError::Store(e),
                StoreError::NotFound(what) => {
                    DomainError::invalid("customer_id", format!("{what} not found"))
                }
                other => DomainError::Store(other),
            })?;
        Ok(created)
    }

    /// A case by id or number, if the actor may see it (otherwise: not found, so its
    /// existence is not revealed).
    pub async fn get_case(&self, actor: &Actor, id_or_number: &str) -> DeskResult<Case> {
        let found = match CaseId::parse(id_or_number) {
            Some(id) => self.store.case_by_id(&id).await?,
            None => {
                self.store
                    .case_by_number(&id_or_number.trim().to_uppercase())
                    .await?
            }
        };
        found
            .filter(|c| actor.can_see_case(c))
            .ok_or_else(|| DomainError::NotFound(format!("case {id_or_number}")))
    }

    pub async fn list_cases(
        &self,
        actor: &Actor,
        mut query: CaseQuery,
        cursor: Option<&str>,
        requested_limit: Option<u32>,
    ) -> DeskResult<Page<Case>> {
        if !actor.sees_all_cases() {
            query.department = Some(
                actor
                    .department_id
                    .clone()
                    .ok_or_else(|| DomainError::Forbidden("no department".into()))?,
            );
        }
        query.before = cursor
            .map(|c| CaseId::parse(c).ok_or_else(|| DomainError::invalid("cursor", "not a cursor")))
            .transpose()?;
        query.limit = limit(requested_limit);
        Ok(self.store.list_cases(&query).await?)
    }

    pub async fn case_events(
        &self,
        actor: &Actor,
        id_or_number: &str,
    ) -> DeskResult<Vec<CaseEvent>> {
        let case = self.get_case(actor, id_or_number).await?;
        Ok(self.store.case_events(&case.id).await?)
    }

    /// Applies a patch: plans the events against the current state and appends them, retrying
    /// from a fresh read if someone else changed the case in between.
    /// Department staff answer back: their note goes on the case (internal) and the case
    /// returns to the agent who owns it, open again.
    pub async fn hand_back(
        &self,
        actor: &Actor,
        id_or_number: &str,
        note: &str,
    ) -> DeskResult<Case> {
        require(actor.can_write_cases(), "this role cannot change cases")?;
        let body = text("note", note, TEXT_MAX, true)?;
        let message_id = MessageId::new(self.now());
        let (case, _) = self
            .with_retries(actor, id_or_number, |case| {
                let Some(department) = case.department.clone() else {
                    return Err(DomainError::conflict(
                        "not_transferred",
                        "the case is not with a department",
                    ));
                };
                let mut out = vec![
                    EventData::MessageAdded {
                        message_id: message_id.clone(),
                        body: body.clone(),
                        visibility: Visibility::Internal,
                        author_kind: "staff".into(),
                        call: false,
                        client_id: None,
                        attachments: Vec::new(),
                    },
                    EventData::Transferred {
                        from: Some(department),
                        to: None,
                        due_at: None,
                    },
                ];
                if case.status == Status::PendingDepartment {
                    out.push(EventData::StatusChanged {
                        from: case.status,
                        to: Status::Open,
                    });
                }
                Ok(out)
            })
            .await?;
        Ok(case)
    }

    pub async fn update_case(
        &self,
        actor: &Actor,
        id_or_number: &str,
        patch: CasePatch,
    ) -> DeskResult<Case> {
        require(actor.can_write_cases(), "this role cannot change cases")?;
        let routing = patch.priority.is_some()
            || patch.category.is_some()
            || patch.assignee.is_some()
            || patch.department.is_some();
        if routing {
            require(
                actor.can_route_cases(),
                "department staff cannot re-route or re-grade cases",
            )?;
        }
        let assignee = match &patch.assignee {
            Some(Some(a)) => Some(Some(self.resolve_assignee(a).await?.id)),
            Some(None) => Some(None),
            None => None,
        };
        let department = match &patch.department {
            Some(Some(d)) => Some(Some(self.resolve_department("department", d).await?.id)),
            Some(None) => Some(None),
            None => None,
        };
        let waybill = patch
            .waybill_no
            .as_deref()
            .map(|w| {
                parse_waybill_no(w)
                    .ok_or_else(|| DomainError::invalid("waybill_no", "8–32 letters and digits"))
            })
            .transpose()?;
        let new_tags = patch.tags.as_deref().map(|t| tags("tags", t)).transpose()?;
        let department_due_at = match patch.department_due_at {
            Some(due) if !matches!(department, Some(Some(_))) => {
                let _ = due;
                return Err(DomainError::invalid(
                    "department_due_at",
                    "a deadline goes with a transfer to a department",
                ));
            }
            Some(due) if due <= self.now() => {
                return Err(DomainError::invalid(
                    "department_due_at",
                    "must be in the future",
                ));
            }
            due => due.map(truncate_to_millis),
        };
        let reason = patch
            .reason
            .as_deref()
            .map(|r| text("reason", r, 500, false))
            .transpose()?;
        let resolved = ResolvedPatch {
            status: patch.status,
            priority: patch.priority,
            category: patch.category,
            assignee,
            department,
            waybill_no: waybill,
            tags: new_tags,
            reason,
            department_due_at,
        };
        self.with_retries(actor, id_or_number, |case| plan_update(case, &resolved))
            .await
            .map(|(case, _)| case)
    }

    /// Adds a public reply or an internal note. A public staff reply to a new case opens it.
    pub async fn add_message(
        &self,
        actor: &Actor,
        id_or_number: &str,
        draft: MessageDraft,
    ) -> DeskResult<(Case, CaseEvent)> {
        require(actor.can_write_cases(), "this role cannot write to cases")?;
        let body = text("body", &draft.body, TEXT_MAX, true)?;
        let message_id = MessageId::new(self.now());
        // A customer naming a parcel links the case to it, as intake does.
        let named = if draft.from_customer {
            crate::parcels::waybills_in(&self.recognizer().await?, &[&body])
        } else {
            Vec::new()
        };
        let (case, events) = self
            .with_retries(actor, id_or_number, |case| {
                let mut changes = plan_message(case, &message_id, &body, &draft)?;
                changes.extend(
                    named
                        .iter()
                        .filter(|w| !case.waybill_nos.contains(w))
                        .map(|w| EventData::WaybillLinked {
                            waybill_no: w.clone(),
                        }),
                );
                Ok(changes)
            })
            .await?;
        let event = events
            .into_iter()
            .find(|e| matches!(&e.data, EventData::MessageAdded { message_id: m, .. } if *m == message_id))
            .ok_or_else(|| DomainError::Store(StoreError::Backend("the message was not appended".into())))?;
        Ok((case, event))
    }

    /// Reads the case, asks `plan` for the events, appends them at the read version; on a
    /// concurrent change, reads again and re-plans.
    pub(crate) async fn with_retries(
        &self,
        actor: &Actor,
        id_or_number: &str,
        plan: impl Fn(&Case) -> DeskResult<Vec<EventData>>,
    ) -> DeskResult<(Case, Vec<CaseEvent>)> {
        self.with_retries_writing(actor, id_or_number, plan, None)
            .await
    }

    /// [`Desk::with_retries`], writing `pickup` (a new order) in the same transaction as the
    /// events.
    pub(crate) async fn with_retries_writing(
        &self,
        actor: &Actor,
        id_or_number: &str,
        plan: impl Fn(&Case) -> DeskResult<Vec<EventData>>,
        pickup: Option<&crate::pickup::Pickup>,
    ) -> DeskResult<(Case, Vec<CaseEvent>)> {
        for _ in 0..APPEND_RETRIES {
            let case = self.get_case(actor, id_or_number).await?;
            let changes = plan(&case)?;
            if changes.is_empty() {
                return Ok((case, Vec::new()));
            }
            let (after, mut events) = self.events_for(&case, &actor.event_name(), changes.clone());
            let config = self.sla_config().await?;
            // The customer's grade matters only to policies that match on it.
            let grade_matters = config
                .policies
                .iter()
                .any(|(_, p)| p.matches.customer_grade.is_some());
            let grade = match grade_matters {
                true => self
                    .store
                    .customer_by_id(&case.customer_id)
                    .await?
                    .map_or(Grade::DEFAULT, |c| c.grade),
                false => Grade::DEFAULT,
            }
            .get();
            let mut clocks = sla::plan(Some(&case), &after, &changes, grade, &config, self.now())?;
            clocks.extend(sla::settle_commitments(&after, &changes, self.now()));
            let (with_clocks, more) = self.events_for(&after, SLA_ACTOR, clocks);
            events.extend(more);
            let data: Vec<EventData> = events.iter().map(|e| e.data.clone()).collect();
            let steps = sla::step_events(&with_clocks, &data, &config);
            let (with_steps, more) = self.events_for(&with_clocks, SLA_ACTOR, steps);
            events.extend(more);
            let handover = self.escalation_handover(&with_steps, &events).await?;
            let (projection, more) = self.events_for(&with_steps, SLA_ACTOR, handover);
            events.extend(more);
            let notifications = self
                .notifications_for(&projection, &events, &config)
                .await?;
            let written = match pickup {
                Some(p) => {
                    self.store
                        .append_events_with_pickup(
                            &projection,
                            case.version,
                            &events,
                            &notifications,
                            p,
                        )
                        .await
                }
                None => {
                    self.store
                        .append_events(&projection, case.version, &events, &notifications)
                        .await
                }
            };
            match written {
                Ok(()) => return Ok((projection, events)),
                Err(StoreError::VersionConflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::conflict(
            "version_conflict",
            "the case is being changed by others; try again",
        ))
    }

    /// An escalation hands the case up a level: to a supervisor at level 1, to an admin (who
    /// stands for the manager) at level 2 — the least recently created active one, so the
    /// choice is stable — unless it is already with someone of that rank.
    async fn escalation_handover(
        &self,
        case: &Case,
        events: &[CaseEvent],
    ) -> DeskResult<Vec<EventData>> {
        let Some(level) = events.iter().rev().find_map(|e| match &e.data {
            EventData::Escalated { level, .. } => Some(*level),
            _ => None,
        }) else {
            return Ok(Vec::new());
        };
        let rank = if level >= 2 {
            Role::Admin
        } else {
            Role::Supervisor
        };
        let users = self.store.list_users().await?;
        let current_rank = case
            .assignee
            .as_ref()
            .and_then(|a| users.iter().find(|u| u.id == *a))
            .map(|u| u.role);
        if current_rank == Some(rank) {
            return Ok(Vec::new());
        }
        let target = users
            .iter()
            .filter(|u| u.active && u.role == rank)
            .min_by_key(|u| u.created_at)
            .map(|u| u.id.clone());
        Ok(match target {
            Some(to) => vec![EventData::Assigned {
                from: case.assignee.clone(),
                to: Some(to),
            }],
            None => Vec::new(),
        })
    }

    /// Who hears about what: the assignee (or, for an unassigned case, the supervisors) about
    /// breaches and promises; the supervisors (admins too) about escalations.
    async fn notifications_for(
        &self,
        case: &Case,
        events: &[CaseEvent],
        config: &SlaConfig,
    ) -> DeskResult<Vec<Notification>> {
        let mut out = Vec::new();
        let mut supervisors: Option<Vec<UserId>> = None;
        for e in events {
            // (text, tell the assignee, tell the supervisors)
            let (text, to_assignee, to_supervisors) = match &e.data {
                EventData::SlaBreached { clock, .. } => {
                    let (a, s) = sla::step_recipients(case, *clock, None, config);
                    (
                        format!("工单 {} 的{}时限已超时", case.number, clock_name(*clock)),
                        a,
                        s,
                    )
                }
                EventData::SlaWarning { clock, percent } => {
                    let (a, s) = sla::step_recipients(case, *clock, Some(*percent), config);
                    let text = format!(
                        "工单 {} 的{}时限已用 {}%",
                        case.number,
                        clock_name(*clock),
                        percent
                    );
                    (text, a, s)
                }
                EventData::CommitmentReminded { id } => (
                    format!(
                        "工单 {} 的承诺即将到期（{}）",
                        case.number,
                        commitment_note(case, id)
                    ),
                    true,
                    false,
                ),
                EventData::CommitmentMissed { id } => (
                    format!(
                        "工单 {} 的承诺已逾期（{}）",
                        case.number,
                        commitment_note(case, id)
                    ),
                    true,
                    false,
                ),
                EventData::DepartmentOverdue { .. } => (
                    format!("工单 {} 的部门处理时限已到，部门尚未回复", case.number),
                    true,
                    true,
                ),
                EventData::ClaimOverdue { claim_id, state } => (
                    format!(
                        "工单 {} 的理赔 {} 在「{}」环节已超时",
                        case.number, claim_id, state
                    ),
                    true,
                    true,
                ),
                EventData::ClaimProposed {
                    claim_id,
                    compensation,
                    ..
                } => (
                    format!(
                        "工单 {} 的理赔 {} 待审批：拟赔 {} 元",
                        case.number, claim_id, compensation
                    ),
                    false,
                    true,
                ),
                EventData::Escalated { level, reason } => (
                    format!("工单 {} 已升级到第 {} 级：{}", case.number, level, reason),
                    false,
                    true,
                ),
                _ => continue,
            };
            let mut recipients = Vec::new();
            // An unassigned case has nobody to tell but the supervisors.
            let to_supervisors = match &case.assignee {
                Some(a) if to_assignee => {
                    recipients.push(a.clone());
                    to_supervisors
                }
                None if to_assignee => true,
                _ => to_supervisors,
            };
            if to_supervisors {
                if supervisors.is_none() {
                    supervisors = Some(
                        self.store
                            .list_users()
                            .await?
                            .into_iter()
                            .filter(|u| {
                                u.active && matches!(u.role, Role::Supervisor | Role::Admin)
                            })
                            .map(|u| u.id)
                            .collect(),
                    );
                }
                for s in supervisors.clone().unwrap_or_default() {
                    if !recipients.contains(&s) {
                        recipients.push(s);
                    }
                }
            }
            for user_id in recipients {
                out.push(Notification {
                    id: MessageId::new(e.at).to_string(),
                    user_id,
                    case_id: case.id.clone(),
                    case_number: case.number.clone(),
                    kind: e.data.type_name().to_string(),
                    text: text.clone(),
                    created_at: e.at,
                    read_at: None,
                });
            }
        }
        Ok(out)
    }

    pub(crate) fn events_for(
        &self,
        case: &Case,
        actor: &str,
        changes: Vec<EventData>,
    ) -> (Case, Vec<CaseEvent>) {
        let now = self.now();
        let mut projection = case.clone();
        let mut events = Vec::with_capacity(changes.len());
        for (i, data) in changes.into_iter().enumerate() {
            let event = CaseEvent {
                case_id: case.id.clone(),
                seq: case.version + 1 + i as i64,
                actor: actor.to_string(),
                at: now,
                data,
            };
            projection.apply(&event);
            events.push(event);
        }
        (projection, events)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarAdd {
    pub from: Timestamp,
    pub minutes: Option<i64>,
    pub working_days: Option<i64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CalendarDue {
    pub due: Timestamp,
    /// Set when a date involved lies in a year without holiday data.
    pub warnings: Vec<String>,
}

/// Keys of configuration objects (departments, calendars, policies): short, URL-safe.
fn check_key(field: &str, key: &str) -> DeskResult<()> {
    let ok = !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            "1–40 characters: a–z, 0–9, '-' or '_'",
        ))
    }
}

/// How long before a promise falls due its owner is reminded.
pub const REMINDER_MINUTES: i64 = 10;
/// agent (0) → supervisor (1) → manager (2).
const MAX_ESCALATION: u8 = 2;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentDraft {
    pub due_at: Timestamp,
    pub note: String,
    /// How long before the due time the owner is reminded (default `REMINDER_MINUTES`).
    #[serde(default)]
    pub remind_before_minutes: Option<i64>,
}

fn clock_name(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::FirstResponse => "首次响应",
        ClockKind::NextResponse => "再次响应",
        ClockKind::Resolution => "解决",
    }
}

fn commitment_note(case: &Case, id: &str) -> String {
    case.commitments
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.note.clone())
        .unwrap_or_default()
}

/// A patch whose references (assignee, department) are already resolved and checked.
#[derive(Debug, Clone, Default)]
pub struct ResolvedPatch {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub category: Option<Category>,
    pub assignee: Option<Option<UserId>>,
    pub department: Option<Option<DepartmentId>>,
    pub waybill_no: Option<String>,
    pub tags: Option<Vec<String>>,
    pub reason: Option<String>,
    pub department_due_at: Option<Timestamp>,
}

/// The events a patch produces on `case`, or why it is refused. Pure: the status machine's
/// rules live here and in [`Status::can_become`].
pub fn plan_update(case: &Case, patch: &ResolvedPatch) -> DeskResult<Vec<EventData>> {
    let mut changes = Vec::new();
    let reopening = patch.status.is_some_and(|s| case.status.is_reopen(s));
    if case.status == Status::Closed && !reopening {
        return Err(closed_error());
    }
    if reopening {
        changes.push(EventData::Reopened {
            from: case.status,
            reason: patch.reason.clone(),
        });
    }
    if let Some(to) = patch.priority.filter(|p| *p != case.priority) {
        changes.push(EventData::PriorityChanged {
            from: case.priority,
            to,
        });
    }
    if let Some(to) = patch.category.filter(|c| *c != case.category) {
        changes.push(EventData::CategoryChanged {
            from: case.category,
            to,
        });
    }
    if let Some(to) = patch.assignee.clone().filter(|a| *a != case.assignee) {
        changes.push(EventData::Assigned {
            from: case.assignee.clone(),
            to,
        });
    }
    if let Some(to) = patch.department.clone().filter(|d| *d != case.department) {
        changes.push(EventData::Transferred {
            from: case.department.clone(),
            to,
            due_at: patch.department_due_at,
        });
    }
    if let Some(w) = patch
        .waybill_no
        .clone()
        .filter(|w| !case.waybill_nos.contains(w))
    {
        changes.push(EventData::WaybillLinked { waybill_no: w });
    }
    if let Some(t) = patch.tags.clone().filter(|t| *t != case.tags) {
        changes.push(EventData::TagsChanged { tags: t });
    }
    if let Some(to) = patch.status.filter(|s| *s != case.status && !reopening) {
        if !case.status.can_become(to) {
            return Err(DomainError::conflict(
                "invalid_transition",
                format!("a case cannot go from {} to {}", case.status, to),
            ));
        }
        changes.push(EventData::StatusChanged {
            from: case.status,
            to,
        });
    }
    Ok(changes)
}

/// The events a new message produces: the message, and opening a new case on a staff reply.
pub fn plan_message(
    case: &Case,
    message_id: &MessageId,
    body: &str,
    draft: &MessageDraft,
) -> DeskResult<Vec<EventData>> {
    if case.status == Status::Closed {
        return Err(closed_error());
    }
    let mut changes = vec![EventData::MessageAdded {
        message_id: message_id.clone(),
        body: body.to_string(),
        visibility: draft.visibility,
        author_kind: if draft.from_customer {
            "customer"
        } else {
            "staff"
        }
        .to_string(),
        call: draft.call && !draft.from_customer,
        client_id: None,
        attachments: Vec::new(),
    }];
    if case.status == Status::New && changes[0].reaches_customer() {
        changes.push(EventData::StatusChanged {
            from: Status::New,
            to: Status::Open,
        });
    }
    Ok(changes)
}

/// Longest name fragment a customer search takes.
pub const NAME_QUERY_MAX: usize = 50;

/// A name to search for: trimmed, 1–50 characters, lower-cased (names match regardless of case).
pub fn name_query(raw: &str) -> DeskResult<String> {
    let name = raw.trim();
    let n = name.chars().count();
    if n == 0 || n > NAME_QUERY_MAX || name.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "name",
            format!("1 to {NAME_QUERY_MAX} characters of a name"),
        ));
    }
    Ok(name.to_lowercase())
}

fn truncate_to_millis(t: Timestamp) -> Timestamp {
    crate::from_millis(crate::to_millis(t))
}

pub(crate) fn closed_error() -> DomainError {
    DomainError::conflict(
        "case_closed",
        "the case is closed; reopen it first (status: open)",
    )
}

/// A valid argon2id hash of a random string, verified against when the user does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$J4moa2MM0/6uf3HbY2Tf5Fux8JIBTwIhmhxGRE8MW1s";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        // Unknown users must cost a full verification, like known ones.
        let parsed = argon2::password_hash::PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(!auth::verify_password("anything", DUMMY_HASH));
    }
}
