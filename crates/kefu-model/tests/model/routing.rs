//! Property tests of routing and the Erlang arithmetic behind the wait estimates: the choice is
//! always allowed and never beaten, capacity is never exceeded, bursts spread evenly, and the
//! numbers move the right way when agents or people in line are added.

use jiff::Timestamp;
use kefu_model::erlang;
use kefu_model::routing::{
    AgentLoad, Decision, Presence, RoutingPolicy, Skills, WorkItem, assign_queue, choose_agent,
    decide, eligible, estimated_wait_secs,
};
use kefu_model::{Category, Channel, DepartmentId, Priority, UserId};
use proptest::prelude::*;
use proptest::sample::subsequence;

const CHANNELS: &[Channel] = &[Channel::Chat, Channel::Email, Channel::Wechat];
const CATEGORIES: &[Category] = &[Category::Track, Category::Delay, Category::Complaint];
const AGENT_LANGUAGES: &[&str] = &["zh", "en", "yue", "zh-HK"];
const ITEM_LANGUAGES: &[&str] = &["", "zh", "en", "yue", "zh-HK", "zh-TW"];

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(1_750_000_000 + secs).unwrap()
}

fn user(n: usize) -> UserId {
    UserId::parse(&format!("00000000-0000-7000-8000-{n:012}")).unwrap()
}

fn department(n: u8) -> DepartmentId {
    DepartmentId::parse(&format!("00000000-0000-7000-9000-{n:012}")).unwrap()
}

fn department_strategy() -> impl Strategy<Value = Option<DepartmentId>> {
    prop_oneof![3 => Just(None), 1 => (0u8..2).prop_map(|d| Some(department(d)))]
}

fn skills_strategy() -> impl Strategy<Value = Skills> {
    (
        subsequence(CATEGORIES, 0..=CATEGORIES.len()),
        subsequence(CHANNELS, 0..=CHANNELS.len()),
        subsequence(AGENT_LANGUAGES, 0..=AGENT_LANGUAGES.len()),
    )
        .prop_map(|(categories, channels, languages)| Skills {
            categories,
            channels,
            languages: languages.into_iter().map(String::from).collect(),
        })
}

/// An agent without its id (ids are given by position so they are unique). Counts may exceed
/// capacity, as they can after a supervisor lowers someone's limit.
fn agent_without_id() -> impl Strategy<Value = AgentLoad> {
    let presence = prop_oneof![
        3 => Just(Presence::Online),
        1 => Just(Presence::Away),
        1 => Just(Presence::Offline),
    ];
    // (capacity, used), used up to one beyond capacity.
    let load = |max: u32| (0..max).prop_flat_map(|cap| (Just(cap), 0..=cap + 1));
    (
        (presence, load(5), load(6)),
        skills_strategy(),
        (proptest::option::of(0i64..1000), 0i64..1000),
        department_strategy(),
    )
        .prop_map(
            |((presence, chats, cases), skills, (last, since), department_id)| AgentLoad {
                user_id: user(0),
                presence,
                max_chats: chats.0,
                active_chats: chats.1,
                max_open_cases: cases.0,
                open_cases: cases.1,
                skills,
                last_assigned_at: last.map(at),
                presence_since: at(since),
                department_id,
            },
        )
}

fn agents_strategy(max: usize) -> impl Strategy<Value = Vec<AgentLoad>> {
    prop::collection::vec(agent_without_id(), 0..max).prop_map(|mut agents| {
        for (i, a) in agents.iter_mut().enumerate() {
            a.user_id = user(i);
        }
        agents
    })
}

fn item_strategy() -> impl Strategy<Value = WorkItem> {
    (
        prop::sample::select(CHANNELS),
        proptest::option::of(prop::sample::select(CATEGORIES)),
        prop::sample::select(ITEM_LANGUAGES),
        prop::sample::select(Priority::ALL),
        0i64..2000,
        department_strategy(),
    )
        .prop_map(
            |(channel, category, language, priority, waiting, department_id)| WorkItem {
                channel,
                category,
                language: language.into(),
                priority,
                waiting_since: at(waiting),
                department_id,
            },
        )
}

fn policy_strategy() -> impl Strategy<Value = RoutingPolicy> {
    (
        0u32..600,
        proptest::option::of((0u8..2).prop_map(department)),
        any::<bool>(),
        1u32..900,
        0u32..30,
    )
        .prop_map(
            |(overflow_after_secs, overflow_department, offer_callback, aht, max_queue)| {
                RoutingPolicy {
                    overflow_after_secs,
                    overflow_department,
                    offer_callback,
                    average_handle_secs: aht,
                    max_queue,
                }
            },
        )
}

/// `a` strictly less loaded than `b` for work on `channel`: a lower ratio, or the same ratio
/// and fewer items.
fn less_loaded(a: &AgentLoad, b: &AgentLoad, channel: Channel) -> bool {
    let (ua, ca) = a.occupancy(channel);
    let (ub, cb) = b.occupancy(channel);
    let (left, right) = (u64::from(ua) * u64::from(cb), u64::from(ub) * u64::from(ca));
    left < right || (left == right && ua < ub)
}

/// Skilled and online, the part of eligibility that does not depend on load.
fn serves(agent: &AgentLoad, item: &WorkItem) -> bool {
    agent.presence == Presence::Online
        && item
            .department_id
            .as_ref()
            .is_none_or(|d| agent.department_id.as_ref() == Some(d))
        && agent
            .skills
            .covers(item.channel, item.category, &item.language)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_chosen_agent_is_eligible_and_not_beaten(
        item in item_strategy(),
        agents in agents_strategy(8),
    ) {
        match choose_agent(&item, &agents) {
            None => prop_assert!(agents.iter().all(|a| !eligible(a, &item))),
            Some(chosen) => {
                prop_assert!(eligible(chosen, &item));
                for other in agents.iter().filter(|a| eligible(a, &item)) {
                    prop_assert!(
                        !less_loaded(other, chosen, item.channel),
                        "{} is less loaded than the chosen {}", other.user_id, chosen.user_id
                    );
                }
            }
        }
    }

    #[test]
    fn the_choice_does_not_depend_on_list_order(
        item in item_strategy(),
        (agents, shuffled) in agents_strategy(8)
            .prop_flat_map(|a| (Just(a.clone()), Just(a).prop_shuffle())),
    ) {
        prop_assert_eq!(
            choose_agent(&item, &agents).map(|a| a.user_id.clone()),
            choose_agent(&item, &shuffled).map(|a| a.user_id.clone())
        );
    }

    #[test]
    fn assign_queue_respects_capacity_presence_and_skills(
        items in prop::collection::vec(item_strategy(), 0..25),
        agents in agents_strategy(6),
    ) {
        let before = agents.clone();
        let mut after = agents;
        let assigned = assign_queue(&items, &mut after, at(5000));

        let mut seen = vec![false; items.len()];
        for (i, uid) in &assigned {
            prop_assert!(!seen[*i], "item {} assigned twice", i);
            seen[*i] = true;
            let agent = before.iter().find(|a| &a.user_id == uid).unwrap();
            prop_assert!(serves(agent, &items[*i]), "{} may not take item {}", uid, i);
        }
        for (b, a) in before.iter().zip(&after) {
            let taken = |chat: bool| {
                let mine = |(i, u): &&(usize, UserId)| {
                    u == &b.user_id && (items[*i].channel == Channel::Chat) == chat
                };
                assigned.iter().filter(mine).count() as u32
            };
            let (chats, cases) = (taken(true), taken(false));
            prop_assert!(chats <= b.max_chats.saturating_sub(b.active_chats));
            prop_assert!(cases <= b.max_open_cases.saturating_sub(b.open_cases));
            prop_assert_eq!(a.active_chats, b.active_chats + chats);
            prop_assert_eq!(a.open_cases, b.open_cases + cases);
            if chats + cases > 0 {
                prop_assert_eq!(a.last_assigned_at, Some(at(5000)));
            } else {
                prop_assert_eq!(a, b);
            }
        }
        // Nothing is left waiting that someone could still take.
        for (i, item) in items.iter().enumerate().filter(|(i, _)| !seen[*i]) {
            prop_assert!(after.iter().all(|a| !eligible(a, item)), "item {} left behind", i);
        }
    }

    #[test]
    fn a_burst_spreads_evenly_over_identical_agents(
        m in 1usize..8,
        template in agent_without_id(),
        channel in prop::sample::select(CHANNELS),
        items in prop::collection::vec(item_strategy(), 0..40),
    ) {
        let template = AgentLoad {
            presence: Presence::Online,
            skills: Skills::default(),
            department_id: None,
            ..template
        };
        let mut agents: Vec<AgentLoad> = (0..m)
            .map(|i| AgentLoad { user_id: user(i), ..template.clone() })
            .collect();
        let items: Vec<WorkItem> = items
            .into_iter()
            .map(|it| WorkItem { channel, department_id: None, ..it })
            .collect();
        let assigned = assign_queue(&items, &mut agents, at(5000));
        let counts: Vec<usize> = agents
            .iter()
            .map(|a| assigned.iter().filter(|(_, u)| u == &a.user_id).count())
            .collect();
        let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        prop_assert!(hi - lo <= 1, "counts {:?}", counts);
        let (used, cap) = template.occupancy(channel);
        let room = cap.saturating_sub(used) as usize;
        prop_assert_eq!(assigned.len(), items.len().min(room * m));
    }

    #[test]
    fn decide_assigns_exactly_when_someone_is_eligible(
        item in item_strategy(),
        agents in agents_strategy(8),
        ahead in 0usize..40,
        now in 0i64..3000,
        policy in policy_strategy(),
    ) {
        let decision = decide(&item, &agents, ahead, at(now), &policy);
        let anyone = agents.iter().any(|a| eligible(a, &item));
        match &decision {
            Decision::Assign(uid) => {
                prop_assert!(anyone);
                let chosen = agents.iter().find(|a| &a.user_id == uid).unwrap();
                prop_assert!(eligible(chosen, &item));
            }
            Decision::Queue { position, .. } => {
                prop_assert!(!anyone);
                prop_assert_eq!(*position, ahead + 1);
            }
            Decision::Overflow { department } => {
                prop_assert!(!anyone);
                prop_assert_eq!(Some(department), policy.overflow_department.as_ref());
                prop_assert_ne!(Some(department), item.department_id.as_ref());
            }
            Decision::Callback { .. } => {
                prop_assert!(!anyone);
                prop_assert!(policy.offer_callback);
            }
        }
        if anyone {
            prop_assert!(matches!(decision, Decision::Assign(_)));
        }
    }

    #[test]
    fn the_estimate_is_monotonic(
        ahead in 0usize..10_000,
        more_ahead in 0usize..100,
        slots in 1u64..500,
        more_slots in 0u64..100,
        aht in 1u32..3600,
    ) {
        let base = estimated_wait_secs(ahead, slots, aht).unwrap();
        prop_assert!(estimated_wait_secs(ahead + more_ahead, slots, aht).unwrap() >= base);
        prop_assert!(estimated_wait_secs(ahead, slots + more_slots, aht).unwrap() <= base);
        prop_assert!(base >= 1);
        prop_assert_eq!(estimated_wait_secs(ahead, 0, aht), None);
    }

    #[test]
    fn erlang_c_improves_with_every_agent(
        traffic in 0.01f64..60.0,
        extra in 0u32..40,
        aht in 1.0f64..900.0,
        target in 0.0f64..120.0,
    ) {
        let n = traffic.floor() as u32 + 1 + extra;
        let (p, p_next) = (erlang::p_wait(n, traffic), erlang::p_wait(n + 1, traffic));
        prop_assert!((0.0..=1.0).contains(&p));
        prop_assert!(p_next <= p + 1e-12, "P(wait) {} then {}", p, p_next);
        let (sl, sl_next) = (
            erlang::service_level(n, traffic, aht, target),
            erlang::service_level(n + 1, traffic, aht, target),
        );
        prop_assert!(sl_next + 1e-12 >= sl);
        let (asa, asa_next) = (erlang::asa(n, traffic, aht), erlang::asa(n + 1, traffic, aht));
        prop_assert!(asa.is_finite() && asa_next <= asa + 1e-9);
        // Below the traffic the queue is unstable: everyone waits.
        prop_assert_eq!(erlang::p_wait(traffic.floor() as u32, traffic), 1.0);
    }

    #[test]
    fn agents_for_is_the_smallest_that_meets_the_target(
        traffic in 0.0f64..200.0,
        level in 0.0f64..0.99,
        target in 0.0f64..120.0,
        aht in 1.0f64..900.0,
    ) {
        let n = erlang::agents_for(level, target, traffic, aht).unwrap();
        prop_assert!(erlang::service_level(n, traffic, aht, target) >= level);
        if n > 0 {
            prop_assert!(erlang::service_level(n - 1, traffic, aht, target) < level);
        }
    }
}
