//! The [`Desk`]: its parts (store, clock, classifier, understanding, time zone, SLA cache,
//! search engine), its builder (`Desk::new(store, clock).with_…`), and the helpers every use
//! case shares (`require_role`, `limit`, the system actor, `now` cut to milliseconds). The use
//! cases themselves are `impl Desk` blocks in the sibling modules.

use std::sync::Arc;

use jiff::Timestamp;
use kefu_model::classify::Classifier;
use kefu_model::clock::Clock;
use kefu_model::error::DomainError;
use kefu_model::ids::UserId;
use kefu_model::sla::SlaConfig;
use kefu_model::user::{Actor, Role};

use crate::store::Store;

pub type DeskResult<T> = Result<T, DomainError>;

pub(crate) const SUBJECT_MAX: usize = 200;

pub(crate) const NAME_MAX: usize = 100;

pub(crate) const MAX_LIST: u32 = 200;

pub(crate) const SESSION_HOURS: i64 = 12;

/// Optimistic-concurrency retries before a busy case is reported as a conflict.
pub(crate) const APPEND_RETRIES: usize = 5;

/// The desk: stateless apart from its collaborators, cheap to clone. Its parts are private:
/// build one with [`Desk::new`] and the `with_*` methods, and reach the data only through its
/// use cases, which decide who may see and change what.
#[derive(Clone)]
pub struct Desk {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) classifier: Arc<dyn Classifier>,
    /// What the chat bot understands of a message (`kefu-nlu` in the product).
    pub(crate) nlu: Arc<dyn kefu_model::nlu::Understand>,
    pub(crate) time_zone: jiff::tz::TimeZone,
    /// SLA policies and parsed calendars, reloaded every few seconds (other nodes may change
    /// them) and at once after a change made here.
    pub(crate) sla_cache: Arc<std::sync::Mutex<Option<CachedSla>>>,
    /// The node's search index (`kefu-search` in the product): the console's and the portal's
    /// searches, and the bot's answers from the knowledge base. `None`: no search on this node.
    pub(crate) search: Option<Arc<dyn kefu_model::search::SearchEngine>>,
    /// Where customers reach this kefu (links in notices: the portal, the survey).
    pub(crate) public_url: String,
}

/// The SLA configuration and when it was loaded.
pub type CachedSla = (Timestamp, Arc<SlaConfig>);

/// How long a node trusts its copy of the SLA configuration.
pub(crate) const SLA_CACHE_SECONDS: i64 = 5;

/// The actor of automatic changes: clocks starting, pausing, breaching.
pub(crate) fn system_actor() -> Actor {
    Actor {
        user_id: UserId::from_stored("system".into()),
        username: "system".into(),
        role: Role::Admin,
        department_id: None,
    }
}

pub(crate) const SLA_ACTOR: &str = "system:sla";

/// kefu's mail worker, as the author of a delivery's outcome.
pub(crate) const DELIVERY_ACTOR: &str = "system:mail";

pub(crate) fn require_role(ok: bool, what: &str) -> DeskResult<()> {
    require(ok, what)
}

pub(crate) fn require(ok: bool, what: &str) -> DeskResult<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden(what.to_string()))
    }
}

/// Whether a write lost a race with another writer of the same record (worth reading again).
pub(crate) fn lost_a_race(e: &DomainError) -> bool {
    matches!(
        e,
        DomainError::Store(kefu_model::StoreError::VersionConflict)
            | DomainError::Conflict {
                code: "version_conflict",
                ..
            }
    )
}

pub(crate) fn limit(requested: Option<u32>) -> u32 {
    requested.unwrap_or(50).clamp(1, MAX_LIST)
}

impl Desk {
    /// A desk over `store` that takes time from `clock`, with the keyword classifier and
    /// understanding, the Asia/Shanghai time zone and no search engine until told otherwise.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Desk {
        Desk {
            store,
            clock,
            classifier: Arc::new(kefu_model::classify::KeywordClassifier),
            nlu: Arc::new(kefu_model::nlu::KeywordUnderstanding),
            time_zone: jiff::tz::TimeZone::get("Asia/Shanghai")
                .unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(8))),
            sla_cache: Arc::default(),
            search: None,
            public_url: "http://localhost:8080".into(),
        }
    }

    /// Where customers reach this kefu, for the links notices carry.
    pub fn with_public_url(mut self, url: impl Into<String>) -> Desk {
        self.public_url = url.into();
        self
    }

    pub fn with_classifier(mut self, classifier: Arc<dyn Classifier>) -> Desk {
        self.classifier = classifier;
        self
    }

    /// What the bot understands of a message with (`kefu_nlu::SharedNlu` in the product).
    pub fn with_nlu(mut self, nlu: Arc<dyn kefu_model::nlu::Understand>) -> Desk {
        self.nlu = nlu;
        self
    }

    /// The zone local days, business hours and dates shown are counted in.
    pub fn with_time_zone(mut self, time_zone: jiff::tz::TimeZone) -> Desk {
        self.time_zone = time_zone;
        self
    }

    /// With a search engine.
    pub fn with_search(mut self, engine: Arc<dyn kefu_model::search::SearchEngine>) -> Desk {
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

    /// Appends an entry to the audit log: who did `action` to `subject`, now, and why.
    pub(crate) async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        subject: String,
        reason: &str,
    ) -> DeskResult<()> {
        let now = self.now();
        self.store
            .append_audit(&kefu_model::records::AuditEntry {
                id: kefu_model::ids::MessageId::new(now).to_string(),
                at: now,
                actor: actor.event_name(),
                action: action.to_string(),
                subject,
                reason: reason.to_string(),
            })
            .await?;
        Ok(())
    }

    // ---- users and sessions -------------------------------------------------------------
}

pub(crate) fn truncate_to_millis(t: Timestamp) -> Timestamp {
    kefu_model::clock::from_millis(kefu_model::clock::to_millis(t))
}
