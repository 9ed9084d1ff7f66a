//! Routing: who takes the next chat or case, and what the customer is told when nobody can.
//!
//! Everything here is pure and deterministic: the store hands in a snapshot of the agents
//! ([`AgentLoad`]) and the time, and gets back a [`Decision`] or a list of assignments. The same
//! snapshot always gives the same answer, so a decision can be replayed and tested, and two
//! nodes deciding from the same data agree.
//!
//! Capacity has two measures because the work has two shapes:
//! - a **chat** ([`Channel::Chat`]) is live and runs concurrently with the agent's other chats;
//!   it counts `active_chats` against `max_chats`;
//! - every other channel (phone follow-ups, email, WeChat, web, API) produces an asynchronous
//!   **case**; it counts `open_cases` against `max_open_cases`, a bound on the backlog one
//!   person can keep moving.
//!
//! A capacity of 0 means the agent takes no work of that shape (a back-office agent with
//! `max_chats: 0` still receives email cases). Capacity is a hard limit: routing never assigns
//! beyond it, it queues, overflows or offers a callback instead.

use std::cmp::Ordering;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::{Category, Channel, Priority};
use crate::error::DomainError;
use crate::ids::{DepartmentId, UserId};
use crate::string_enum::string_enum;

string_enum!(
    /// Whether an agent takes new work. Only `online` agents are routed to; `away` keeps the
    /// agent's current chats and cases with them but sends nothing new.
    Presence { Online => "online", Away => "away", Offline => "offline" }
);

/// The most languages one agent may list; more is a data-entry mistake, not a polyglot.
pub const MAX_LANGUAGES: usize = 16;

/// The longest language tag accepted (BCP 47's own practical limit).
pub const MAX_LANGUAGE_LEN: usize = 35;

/// What an agent can handle. An empty list means "any" for that dimension, so a new agent with
/// no skills configured takes everything rather than nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Skills {
    pub categories: Vec<Category>,
    pub channels: Vec<Channel>,
    /// Language tags such as `zh`, `en`, `yue`, `zh-HK`. A bare tag (`zh`) covers its regional
    /// variants (`zh-HK`); a regional tag covers only itself.
    pub languages: Vec<String>,
}

impl Skills {
    /// Whether these skills cover an item on `channel`, about `category` (if known) in
    /// `language` (empty: not known, any agent will do).
    pub fn covers(&self, channel: Channel, category: Option<Category>, language: &str) -> bool {
        let channel_ok = self.channels.is_empty() || self.channels.contains(&channel);
        let category_ok = match category {
            None => true,
            Some(c) => self.categories.is_empty() || self.categories.contains(&c),
        };
        let language_ok = language.is_empty()
            || self.languages.is_empty()
            || self.languages.iter().any(|l| tag_covers(l, language));
        channel_ok && category_ok && language_ok
    }

    /// Rejects duplicates (a typo's usual shape), malformed language tags and absurd lengths.
    pub fn validate(&self) -> Result<(), DomainError> {
        if has_duplicates(&self.categories) {
            return Err(DomainError::invalid("categories", "listed twice"));
        }
        if has_duplicates(&self.channels) {
            return Err(DomainError::invalid("channels", "listed twice"));
        }
        if self.languages.len() > MAX_LANGUAGES {
            return Err(DomainError::invalid(
                "languages",
                format!("at most {MAX_LANGUAGES}"),
            ));
        }
        for (i, tag) in self.languages.iter().enumerate() {
            if !valid_language_tag(tag) {
                return Err(DomainError::invalid(
                    format!("languages.{i}"),
                    "a language tag such as zh, en or zh-HK",
                ));
            }
            if self.languages[..i]
                .iter()
                .any(|t| t.eq_ignore_ascii_case(tag))
            {
                return Err(DomainError::invalid(
                    format!("languages.{i}"),
                    "listed twice",
                ));
            }
        }
        Ok(())
    }
}

fn has_duplicates<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, x)| items[..i].contains(x))
}

/// A simplified BCP 47 shape: a 2–3 letter language, then subtags of 2–8 letters or digits.
fn valid_language_tag(tag: &str) -> bool {
    if tag.is_empty() || tag.len() > MAX_LANGUAGE_LEN {
        return false;
    }
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Whether an agent's tag covers an item's: the same tag (any case), or the agent's bare
/// language is the item's primary language.
fn tag_covers(agent: &str, item: &str) -> bool {
    agent.eq_ignore_ascii_case(item)
        || (!agent.contains('-')
            && item
                .split('-')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(agent)))
}

/// What the store tells routing about one agent at the moment of deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    pub user_id: UserId,
    pub presence: Presence,
    /// Concurrent chats this agent may hold.
    pub max_chats: u32,
    pub active_chats: u32,
    /// Open cases (non-chat work) this agent may hold.
    pub max_open_cases: u32,
    pub open_cases: u32,
    pub skills: Skills,
    /// When routing last gave this agent something; `None` if never (they go first on a tie).
    pub last_assigned_at: Option<Timestamp>,
    /// When the agent entered the current presence; breaks ties between never-assigned agents
    /// in favour of whoever has waited longest.
    pub presence_since: Timestamp,
    pub department_id: Option<DepartmentId>,
}

impl AgentLoad {
    /// `(used, capacity)` for work arriving on `channel`: chats for [`Channel::Chat`], open
    /// cases for everything else (see the module docs).
    pub fn occupancy(&self, channel: Channel) -> (u32, u32) {
        if is_chat(channel) {
            (self.active_chats, self.max_chats)
        } else {
            (self.open_cases, self.max_open_cases)
        }
    }

    /// Online and skilled for `item`, regardless of how busy.
    fn serves(&self, item: &WorkItem) -> bool {
        self.presence == Presence::Online
            && item
                .department_id
                .as_ref()
                .is_none_or(|d| self.department_id.as_ref() == Some(d))
            && self
                .skills
                .covers(item.channel, item.category, &item.language)
    }

    /// Records one more piece of work on `channel`, assigned at `now`.
    fn take(&mut self, channel: Channel, now: Timestamp) {
        if is_chat(channel) {
            self.active_chats = self.active_chats.saturating_add(1);
        } else {
            self.open_cases = self.open_cases.saturating_add(1);
        }
        self.last_assigned_at = Some(now);
    }
}

/// Live chat is the only channel whose work runs concurrently on the agent's screen.
fn is_chat(channel: Channel) -> bool {
    channel == Channel::Chat
}

/// A chat or case waiting for an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    pub channel: Channel,
    /// Not known yet for a chat that has only just opened; then any category skill will do.
    pub category: Option<Category>,
    /// The customer's language tag; empty when not known (any agent will do).
    pub language: String,
    pub priority: Priority,
    pub waiting_since: Timestamp,
    /// Only agents of this department may take it (a case transferred or overflowed there);
    /// `None`: anyone skilled.
    pub department_id: Option<DepartmentId>,
}

/// How routing behaves when nobody is free; stored as the `routing` setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingPolicy {
    /// After waiting this long, an item is moved on (to `overflow_department`, or offered a
    /// callback). 0 moves it on as soon as nobody is free.
    pub overflow_after_secs: u32,
    /// Where waiting work goes when the front line cannot take it. `None`: nowhere, the customer
    /// is offered a callback (if `offer_callback`) or keeps waiting.
    pub overflow_department: Option<DepartmentId>,
    /// Whether to promise a callback instead of keeping a customer waiting with no prospect.
    pub offer_callback: bool,
    /// The average handling time of one item, for the wait the customer is shown.
    pub average_handle_secs: u32,
    /// The longest queue a new customer joins; beyond it they are moved on instead.
    pub max_queue: u32,
}

impl Default for RoutingPolicy {
    fn default() -> Self {
        RoutingPolicy {
            overflow_after_secs: 180,
            overflow_department: None,
            offer_callback: true,
            average_handle_secs: 300,
            max_queue: 20,
        }
    }
}

impl RoutingPolicy {
    pub fn validate(&self) -> Result<(), DomainError> {
        const DAY: u32 = 86_400;
        if self.overflow_after_secs > DAY {
            return Err(DomainError::invalid(
                "overflow_after_secs",
                "0 to 86400 seconds",
            ));
        }
        if !(1..=DAY).contains(&self.average_handle_secs) {
            return Err(DomainError::invalid(
                "average_handle_secs",
                "1 to 86400 seconds",
            ));
        }
        if self.max_queue > 10_000 {
            return Err(DomainError::invalid("max_queue", "0 to 10000"));
        }
        if self
            .overflow_department
            .as_ref()
            .is_some_and(|d| DepartmentId::parse(d.as_str()).is_none())
        {
            return Err(DomainError::invalid(
                "overflow_department",
                "a department id",
            ));
        }
        Ok(())
    }
}

string_enum!(
    /// Why a callback was offered instead of a place in the queue.
    CallbackReason {
        NoAgentOnline => "no_agent_online", WaitedTooLong => "waited_too_long",
        QueueFull => "queue_full",
    }
);

/// What to do with one waiting item now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Give it to this agent.
    Assign(UserId),
    /// Keep it waiting. `position` is 1-based (the customer is "number 3 in line");
    /// `estimated_wait_secs` is `None` when no skilled agent is online to estimate from.
    Queue {
        position: usize,
        estimated_wait_secs: Option<u64>,
    },
    /// Hand it to this department (a transfer; the department's agents then route it).
    Overflow { department: DepartmentId },
    /// Promise the customer a call back instead of keeping them waiting.
    Callback { reason: CallbackReason },
}

/// Whether `agent` may take `item` now: online, in the item's department if it has one,
/// skilled in its channel, category (if known) and language, and below capacity for the item's
/// shape of work (chats against `max_chats`, everything else against `max_open_cases`).
pub fn eligible(agent: &AgentLoad, item: &WorkItem) -> bool {
    let (used, capacity) = agent.occupancy(item.channel);
    used < capacity && agent.serves(item)
}

/// Orders two agents for `channel`: lower occupancy ratio first (compared exactly by
/// cross-multiplication), then fewer items, then longest idle (never assigned first, then the
/// oldest `last_assigned_at`), then longest in their presence, then user id, so the order is
/// total and the choice deterministic.
fn preference(a: &AgentLoad, b: &AgentLoad, channel: Channel) -> Ordering {
    let (ua, ca) = a.occupancy(channel);
    let (ub, cb) = b.occupancy(channel);
    let ratio = (u64::from(ua) * u64::from(cb)).cmp(&(u64::from(ub) * u64::from(ca)));
    ratio
        .then(ua.cmp(&ub))
        .then(a.last_assigned_at.cmp(&b.last_assigned_at))
        .then(a.presence_since.cmp(&b.presence_since))
        .then(a.user_id.cmp(&b.user_id))
}

fn choose_index(item: &WorkItem, agents: &[AgentLoad]) -> Option<usize> {
    agents
        .iter()
        .enumerate()
        .filter(|(_, a)| eligible(a, item))
        .min_by(|(_, a), (_, b)| preference(a, b, item.channel))
        .map(|(i, _)| i)
}

/// The agent `item` should go to: among the [`eligible`], the least loaded by occupancy ratio
/// (`used / capacity`) and then by absolute count, then the longest idle, then by user id.
/// Ratio first so a part-timer with 2 chat slots is not filled before a full-timer with 5;
/// idle time next so equally loaded agents take turns.
pub fn choose_agent<'a>(item: &WorkItem, agents: &'a [AgentLoad]) -> Option<&'a AgentLoad> {
    choose_index(item, agents).map(|i| &agents[i])
}

/// The wait to show a customer with `ahead` items in front of them, when `slots` chat or case
/// slots of skilled online agents are all busy: `⌈(ahead + 1) × average_handle_secs ÷ slots⌉`.
///
/// This is the M/M/c queue (the model behind Erlang C) read at a known position: with every
/// slot busy, slots free up at a rate of `slots ÷ AHT`, and the customer is served at the
/// `(ahead + 1)`-th release. Erlang C's average speed of answer is the average of this over
/// positions; showing the conditional value keeps the promise honest for each customer.
/// It is monotonic: more people ahead never shortens it and more slots never lengthen it.
/// `None` when there are no slots (nobody skilled is online, so no estimate is possible).
pub fn estimated_wait_secs(ahead: usize, slots: u64, average_handle_secs: u32) -> Option<u64> {
    if slots == 0 {
        return None;
    }
    let work = (ahead as u128 + 1) * u128::from(average_handle_secs);
    let secs = work.div_ceil(u128::from(slots));
    Some(u64::try_from(secs).unwrap_or(u64::MAX))
}

/// Sum of the capacities (for the item's shape of work) of online agents skilled for `item`:
/// the servers of the queue it waits in.
pub fn skilled_slots(item: &WorkItem, agents: &[AgentLoad]) -> u64 {
    agents
        .iter()
        .filter(|a| a.serves(item))
        .map(|a| u64::from(a.occupancy(item.channel).1))
        .sum()
}

/// What to do with `item` now, with `ahead` items queued in front of it (0: next in line).
///
/// 1. Someone [`eligible`]: assign to [`choose_agent`]'s pick.
/// 2. Otherwise the item is *moved on* — to `overflow_department`, or else a callback if
///    `offer_callback`, or else it keeps its place — when:
///    no skilled agent is online with capacity for this shape of work at all
///    ([`CallbackReason::NoAgentOnline`]); or it has waited `overflow_after_secs`
///    ([`CallbackReason::WaitedTooLong`]); or `ahead ≥ max_queue`
///    ([`CallbackReason::QueueFull`]). An item already in the overflow department is not
///    overflowed to it again.
/// 3. Otherwise it queues, with [`estimated_wait_secs`] over the skilled slots.
pub fn decide(
    item: &WorkItem,
    agents: &[AgentLoad],
    ahead: usize,
    now: Timestamp,
    policy: &RoutingPolicy,
) -> Decision {
    if let Some(agent) = choose_agent(item, agents) {
        return Decision::Assign(agent.user_id.clone());
    }
    let slots = skilled_slots(item, agents);
    let queue = Decision::Queue {
        position: ahead.saturating_add(1),
        estimated_wait_secs: estimated_wait_secs(ahead, slots, policy.average_handle_secs),
    };
    let waited = now.duration_since(item.waiting_since).as_secs().max(0);
    let reason = if slots == 0 {
        CallbackReason::NoAgentOnline
    } else if waited >= i64::from(policy.overflow_after_secs) {
        CallbackReason::WaitedTooLong
    } else if ahead >= policy.max_queue as usize {
        CallbackReason::QueueFull
    } else {
        return queue;
    };
    let overflow = policy
        .overflow_department
        .as_ref()
        .filter(|d| item.department_id.as_ref() != Some(*d));
    match overflow {
        Some(department) => Decision::Overflow {
            department: department.clone(),
        },
        None if policy.offer_callback => Decision::Callback { reason },
        None => queue,
    }
}

/// The order items are served in: most urgent priority first, then longest waiting, then as
/// given. Returns indices into `items`.
pub fn queue_order(items: &[WorkItem]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| {
        (items[a].priority, items[a].waiting_since, a).cmp(&(
            items[b].priority,
            items[b].waiting_since,
            b,
        ))
    });
    order
}

/// Assigns as many of `items` as the agents can take, in [`queue_order`], updating each chosen
/// agent's counts and `last_assigned_at` (to `now`) before the next choice, so a burst spreads
/// across agents instead of landing on whoever was least loaded when it began. Returns
/// `(index into items, agent)` in the order assigned; items left out stay queued. An item
/// nobody can take does not block later items that others can.
pub fn assign_queue(
    items: &[WorkItem],
    agents: &mut [AgentLoad],
    now: Timestamp,
) -> Vec<(usize, UserId)> {
    let mut assigned = Vec::new();
    for i in queue_order(items) {
        let item = &items[i];
        if let Some(a) = choose_index(item, agents) {
            agents[a].take(item.channel, now);
            assigned.push((i, agents[a].user_id.clone()));
        }
    }
    assigned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_750_000_000 + secs).unwrap()
    }

    fn user(n: u8) -> UserId {
        UserId::parse(&format!("00000000-0000-7000-8000-0000000000{n:02}")).unwrap()
    }

    fn agent(n: u8) -> AgentLoad {
        AgentLoad {
            user_id: user(n),
            presence: Presence::Online,
            max_chats: 3,
            active_chats: 0,
            max_open_cases: 20,
            open_cases: 0,
            skills: Skills::default(),
            last_assigned_at: None,
            presence_since: at(0),
            department_id: None,
        }
    }

    fn chat() -> WorkItem {
        WorkItem {
            channel: Channel::Chat,
            category: None,
            language: "zh".into(),
            priority: Priority::P3,
            waiting_since: at(100),
            department_id: None,
        }
    }

    #[test]
    fn presence_round_trips() {
        for p in Presence::ALL {
            assert_eq!(Presence::parse(p.as_str()), Some(*p));
            let json = serde_json::to_string(p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
        }
    }

    #[test]
    fn languages_cover_regional_variants_only_downwards() {
        let s = Skills {
            languages: vec!["zh".into(), "en-GB".into()],
            ..Skills::default()
        };
        assert!(s.covers(Channel::Chat, None, "zh-HK"));
        assert!(s.covers(Channel::Chat, None, "ZH"));
        assert!(s.covers(Channel::Chat, None, "en-gb"));
        assert!(!s.covers(Channel::Chat, None, "en"));
        assert!(!s.covers(Channel::Chat, None, "yue"));
        assert!(s.covers(Channel::Chat, None, ""));
    }

    #[test]
    fn skills_validate() {
        assert!(Skills::default().validate().is_ok());
        let ok = Skills {
            languages: vec!["zh".into(), "zh-Hant-TW".into(), "yue".into()],
            ..Skills::default()
        };
        assert!(ok.validate().is_ok());
        for bad in ["", "z", "chinese", "zh_CN", "zh-", "zh-x"] {
            let s = Skills {
                languages: vec![bad.into()],
                ..Skills::default()
            };
            assert!(s.validate().is_err(), "{bad:?}");
        }
        let dup = Skills {
            languages: vec!["zh".into(), "ZH".into()],
            ..Skills::default()
        };
        assert!(dup.validate().is_err());
        let dup = Skills {
            channels: vec![Channel::Chat, Channel::Chat],
            ..Skills::default()
        };
        assert!(dup.validate().is_err());
        let parsed: Skills = serde_json::from_str(r#"{"channels":["chat","email"]}"#).unwrap();
        assert_eq!(parsed.channels, vec![Channel::Chat, Channel::Email]);
        assert!(parsed.languages.is_empty());
    }

    #[test]
    fn policy_default_validates_and_reads_partially() {
        assert!(RoutingPolicy::default().validate().is_ok());
        let p: RoutingPolicy = serde_json::from_str(r#"{"max_queue":5}"#).unwrap();
        assert_eq!(p.max_queue, 5);
        assert_eq!(p.average_handle_secs, 300);
        let bad = RoutingPolicy {
            average_handle_secs: 0,
            ..RoutingPolicy::default()
        };
        assert!(bad.validate().is_err());
        let bad = RoutingPolicy {
            overflow_department: Some(DepartmentId::from_stored("sales".into())),
            ..RoutingPolicy::default()
        };
        assert!(bad.validate().is_err());
        assert!(serde_json::from_str::<RoutingPolicy>(r#"{"surprise":1}"#).is_err());
    }

    #[test]
    fn ratio_beats_count_then_idle_then_id() {
        let mut part_timer = agent(1);
        part_timer.max_chats = 2;
        part_timer.active_chats = 1; // 50 %
        let mut full_timer = agent(2);
        full_timer.max_chats = 5;
        full_timer.active_chats = 2; // 40 %
        let agents = [part_timer, full_timer];
        assert_eq!(choose_agent(&chat(), &agents).unwrap().user_id, user(2));

        let mut a = agent(1);
        a.last_assigned_at = Some(at(50));
        let mut b = agent(2);
        b.last_assigned_at = Some(at(10));
        let c = agent(3);
        assert_eq!(
            choose_agent(&chat(), &[a.clone(), b.clone()])
                .unwrap()
                .user_id,
            user(2)
        );
        assert_eq!(choose_agent(&chat(), &[a, b, c]).unwrap().user_id, user(3));
        assert_eq!(
            choose_agent(&chat(), &[agent(5), agent(4)])
                .unwrap()
                .user_id,
            user(4)
        );
    }

    #[test]
    fn chats_and_cases_have_separate_capacity() {
        let mut back_office = agent(1);
        back_office.max_chats = 0;
        assert!(!eligible(&back_office, &chat()));
        let email = WorkItem {
            channel: Channel::Email,
            ..chat()
        };
        assert!(eligible(&back_office, &email));
        back_office.open_cases = 20;
        assert!(!eligible(&back_office, &email));
    }

    #[test]
    fn department_items_go_to_department_agents() {
        let dept = DepartmentId::new(at(0));
        let mut item = chat();
        item.department_id = Some(dept.clone());
        let mut member = agent(2);
        member.department_id = Some(dept);
        assert!(!eligible(&agent(1), &item));
        assert!(eligible(&member, &item));
        assert!(eligible(&member, &chat()));
    }

    #[test]
    fn decide_moves_on_in_the_documented_order() {
        let policy = RoutingPolicy::default();
        let mut busy = agent(1);
        busy.active_chats = 3;
        let item = chat();
        // Busy but skilled: queue with an estimate (1 × 300 / 3 slots).
        assert_eq!(
            decide(&item, &[busy.clone()], 0, at(110), &policy),
            Decision::Queue {
                position: 1,
                estimated_wait_secs: Some(100)
            }
        );
        // Waited too long, no overflow department: callback.
        assert_eq!(
            decide(&item, &[busy.clone()], 0, at(100 + 180), &policy),
            Decision::Callback {
                reason: CallbackReason::WaitedTooLong
            }
        );
        // Queue too long.
        assert_eq!(
            decide(&item, &[busy.clone()], 20, at(110), &policy),
            Decision::Callback {
                reason: CallbackReason::QueueFull
            }
        );
        // Nobody online.
        let mut away = agent(2);
        away.presence = Presence::Away;
        assert_eq!(
            decide(&item, &[away.clone()], 0, at(110), &policy),
            Decision::Callback {
                reason: CallbackReason::NoAgentOnline
            }
        );
        // With an overflow department, it goes there instead.
        let dept = DepartmentId::new(at(0));
        let overflow = RoutingPolicy {
            overflow_department: Some(dept.clone()),
            ..policy.clone()
        };
        assert_eq!(
            decide(&item, &[away.clone()], 0, at(110), &overflow),
            Decision::Overflow {
                department: dept.clone()
            }
        );
        // ...but not back into the department it is already in.
        let mut in_dept = item.clone();
        in_dept.department_id = Some(dept);
        assert_eq!(
            decide(&in_dept, &[away.clone()], 0, at(110), &overflow),
            Decision::Callback {
                reason: CallbackReason::NoAgentOnline
            }
        );
        // No callbacks and nowhere to go: keep waiting, no estimate.
        let patient = RoutingPolicy {
            offer_callback: false,
            ..policy
        };
        assert_eq!(
            decide(&item, &[away], 4, at(110), &patient),
            Decision::Queue {
                position: 5,
                estimated_wait_secs: None
            }
        );
    }

    #[test]
    fn assign_queue_serves_priority_first_and_spreads() {
        let mut agents = vec![agent(1), agent(2)];
        agents[0].max_chats = 1;
        agents[1].max_chats = 1;
        let mut urgent = chat();
        urgent.priority = Priority::P1;
        urgent.waiting_since = at(500);
        let items = vec![chat(), chat(), urgent];
        let assigned = assign_queue(&items, &mut agents, at(600));
        assert_eq!(assigned, vec![(2, user(1)), (0, user(2))]);
        assert!(agents.iter().all(|a| a.active_chats == 1));
        assert!(agents.iter().all(|a| a.last_assigned_at == Some(at(600))));
    }

    #[test]
    fn estimate_rounds_up_and_saturates() {
        assert_eq!(estimated_wait_secs(0, 3, 300), Some(100));
        assert_eq!(estimated_wait_secs(1, 4, 300), Some(150));
        assert_eq!(estimated_wait_secs(0, 7, 10), Some(2));
        assert_eq!(estimated_wait_secs(3, 0, 300), None);
        assert_eq!(estimated_wait_secs(usize::MAX, 1, u32::MAX), Some(u64::MAX));
    }
}

/// A staff member's routing profile as stored: presence, capacity and skills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentProfile {
    pub user_id: UserId,
    pub presence: Presence,
    pub presence_since: Timestamp,
    pub max_chats: u32,
    pub max_open_cases: u32,
    #[serde(default)]
    pub skills: Skills,
    #[serde(default)]
    pub last_assigned_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

/// `PUT /api/v1/me/presence`: absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceDraft {
    pub presence: Option<Presence>,
    pub max_chats: Option<u32>,
    pub max_open_cases: Option<u32>,
    pub skills: Option<Skills>,
}

/// Default capacity of someone who never said: three chats, twenty open cases.
pub const DEFAULT_MAX_CHATS: u32 = 3;

pub const DEFAULT_MAX_OPEN_CASES: u32 = 20;
