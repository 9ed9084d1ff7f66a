//! The store contract: behaviour every backend must show. Each check takes a fresh, empty
//! store; the backend crates run them all through [`contract_tests!`].

// This crate is test code: a failed step should panic with the value that failed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

mod calls;
mod canned;
mod causes;
mod channels;
mod chat;
mod chat_export;
mod console;
mod customers;
mod history;
mod kb;
mod key_accounts;
mod kpis;
mod media;
mod network;
mod outbox;
mod parcels;
mod pickups;
mod quality;
mod queues;
mod reports;
mod staffing;
mod surveys;
mod versions;
mod wechat;
pub use calls::*;
pub use canned::*;
pub use causes::*;
pub use channels::*;
pub use chat::*;
pub use chat_export::*;
pub use console::*;
pub use customers::*;
pub use history::*;
pub use kb::*;
pub use key_accounts::*;
pub use kpis::*;
pub use media::*;
pub use network::*;
pub use outbox::*;
pub use parcels::*;
pub use pickups::*;
pub use quality::*;
pub use queues::*;
pub use reports::*;
pub use staffing::*;
pub use surveys::*;
pub use versions::*;
pub use wechat::*;

use jiff::{SignedDuration, Timestamp};
use kefu_desk::{Desk, Store};
use kefu_model::drafts::{
    CaseDraft, CasePatch, CustomerDraft, DepartmentDraft, MessageDraft, UserDraft,
};
use kefu_model::export;
use kefu_model::export::ExportRecord;
use kefu_model::records::{CaseQuery, CustomerQuery, Session};
use kefu_model::{Actor, Case, Channel, DomainError, FixedClock, Role, Status, StoreError};

/// A desk over `store` with a clock fixed at 2026-11-24 10:00 Beijing time.
pub struct Fixture {
    pub desk: Desk,
    pub clock: Arc<FixedClock>,
    pub admin: Actor,
    pub agent: Actor,
}

/// A user of `role` in `department` (its key), made by the fixture's admin.
pub async fn user(f: &Fixture, name: &str, role: Role, department: &str) -> Actor {
    let u = f
        .desk
        .create_user(
            Some(&f.admin),
            UserDraft {
                username: name.into(),
                password: "staff-password-1".into(),
                role,
                display_name: Some(name.into()),
                department: Some(department.into()),
            },
        )
        .await
        .unwrap();
    Actor::of(&u)
}

pub fn start_time() -> Timestamp {
    "2026-11-24T02:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

pub async fn fixture(store: Arc<dyn Store>) -> Fixture {
    let clock = Arc::new(FixedClock::new(start_time()));
    let desk = Desk::new(store, clock.clone());
    let admin_pw = desk
        .bootstrap_admin(Some("admin-password".into()))
        .await
        .unwrap();
    assert_eq!(admin_pw.as_deref(), Some("admin-password"));
    let admin_user = desk
        .store()
        .user_by_username("admin")
        .await
        .unwrap()
        .unwrap();
    let admin = Actor::of(&admin_user);
    desk.create_department(Some(&admin), dept("service", "客服部", "service"))
        .await
        .unwrap();
    desk.create_department(Some(&admin), dept("ops", "运营部", "operations"))
        .await
        .unwrap();
    let agent_user = desk
        .create_user(
            Some(&admin),
            UserDraft {
                username: "agent01".into(),
                password: "agent-password".into(),
                role: Role::Agent,
                display_name: Some("李客服".into()),
                department: Some("service".into()),
            },
        )
        .await
        .unwrap();
    Fixture {
        agent: Actor::of(&agent_user),
        desk,
        clock,
        admin,
    }
}

pub fn dept(key: &str, name: &str, kind: &str) -> DepartmentDraft {
    DepartmentDraft {
        key: key.into(),
        name: name.into(),
        kind: kind.into(),
    }
}

/// A customer with one correction in their history (a `customer_events` row), for the tests
/// that prove each database refuses to rewrite that history.
pub async fn customer_with_one_edit(f: &Fixture) {
    let c = f
        .desk
        .create_customer(&f.agent, customer("钱多多", "13700009999"))
        .await
        .unwrap();
    let patch = kefu_model::corrections::CustomerPatch {
        version: 1,
        name: Some("钱少少".into()),
        phones: None,
        emails: None,
        grade: None,
        tags: None,
        notices_opt_out: None,
    };
    f.desk
        .edit_customer(&f.agent, c.id.as_str(), patch)
        .await
        .unwrap();
}

pub fn customer(name: &str, phone: &str) -> CustomerDraft {
    CustomerDraft {
        name: Some(name.into()),
        phone: Some(phone.into()),
        ..CustomerDraft::default()
    }
}

pub fn draft(subject: &str, customer: CustomerDraft) -> CaseDraft {
    CaseDraft {
        channel: Channel::Phone,
        subject: subject.into(),
        description: String::new(),
        customer_id: None,
        customer: Some(customer),
        category: None,
        priority: None,
        waybill_no: None,
        tags: vec![],
        received_at: None,
    }
}

fn status(to: Status) -> CasePatch {
    CasePatch {
        status: Some(to),
        ..CasePatch::default()
    }
}

/// Declares one `#[tokio::test]` per contract check; `$fresh` is an async expression that
/// yields a fresh, empty `Arc<dyn Store>`.
#[macro_export]
macro_rules! contract_tests {
    ($fresh:expr) => {
        $crate::contract_tests!(@each $fresh;
            users_and_sessions, departments, customers_and_contacts, case_numbers_are_unique_and_sequential,
            case_joins_customer_by_phone, idempotent_create, version_conflicts_refuse_stale_writes,
            events_replay_to_projection, closed_cases_refuse_changes, list_filters_and_cursor,
            concurrent_creates_get_distinct_numbers, concurrent_updates_keep_every_event,
            import_refuses_non_empty_store, failed_write_changes_nothing,
            concurrent_failures_stay_with_their_callers, calendars_are_stored_and_exported,
            sla_clocks_start_pause_resume_and_end, due_clocks_breach_exactly_once,
            promises_are_reminded_kept_or_missed, escalation_climbs_the_ladder_and_notifies,
            escalation_steps_warn_and_escalate, shipments_keep_every_scan_once,
            shipment_import_skips_only_bad_rows, tracking_queries_answer_and_open_cases,
            who_may_be_assigned_and_named_is_the_desks_rule,
            intake_links_waybills_in_text, settings_are_validated_and_stored,
            claims_follow_their_steps_and_clocks, pickups_are_quoted_dispatched_and_tracked,
            queues_list_and_count_the_right_cases, portal_cases_are_private_and_rated_once,
            department_deadlines_and_hand_back, customers_are_found_by_part_of_their_name,
            pickups_booked_from_a_case_are_linked, department_inbox_sorts_by_deadline,
            pickups_go_to_the_networks_couriers_who_take_their_steps,
            the_outlets_setting_is_carried_into_the_network_once,
            chat_messages_are_stored_once_and_replayed_in_order,
            routing_gives_waiting_work_to_the_least_loaded_agent,
            chats_overflow_or_get_a_callback_when_nobody_is_free,
            signing_out_takes_an_agent_off_routing, search_outbox_is_written_with_every_change,
            canned_replies_are_scoped_and_searchable,
            canned_replies_render_with_and_without_a_shipment, macros_apply_all_or_nothing,
            articles_keep_every_version, config_changes_are_recorded_with_before_and_after,
            shipment_upserts_record_what_they_change,
            customers_are_edited_with_their_contacts_and_events,
            merging_customers_moves_cases_and_contacts_at_once,
            mail_opens_a_case_once_and_answers_join_it,
            unreadable_mail_is_read_again_or_dismissed_by_an_admin,
            replies_are_delivered_once_retried_and_visible,
            wechat_messages_open_a_case_once_and_replies_respect_the_window,
            a_teams_signature_signs_its_agents_replies,
            calls_are_written_with_their_case_events_or_not_at_all,
            organisations_are_departments_kept_by_version,
            work_orders_are_routed_answered_and_escalated,
            work_orders_follow_scans_reroutes_and_the_regulator,
            the_assessment_sums_days_repeats_and_parcels,
            key_figures_follow_every_change_and_list_their_cases,
            surveys_are_counted_by_day_and_poor_answers_followed_up,
            wechat_pictures_are_fetched_once_and_kept_on_the_case,
            media_fetches_retry_then_give_up_with_a_note, two_nodes_claim_each_media_fetch_once,
            staffing_counts_arrivals_and_keeps_promotions_and_plans,
            scheduled_reports_are_claimed_once_and_read_as_their_owner,
            quality_inspections_are_queued_once_scored_and_appealed,
            root_causes_are_recorded_counted_and_closed_in_a_loop,
            the_daily_draw_draws_the_day_before_when_the_rules_ask,
            every_path_that_ends_a_complaint_needs_its_code,
            key_accounts_are_seen_only_by_their_assistants_and_the_head,
            key_account_gradings_are_computed_kept_and_superseded,
            key_account_reminders_fall_due_on_the_right_days,
            key_account_prices_are_filed_before_use_and_kept_in_scope);

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn key_accounts_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::key_accounts_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn change_histories_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::change_histories_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn rubrics_and_inspections_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::rubrics_and_inspections_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn promotions_and_plans_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::promotions_and_plans_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn root_causes_and_the_backlog_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::root_causes_and_the_backlog_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn customer_corrections_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::customer_corrections_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn feedback_gaps_and_history_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::feedback_gaps_and_history_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn canned_replies_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::canned_replies_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn export_import_round_trip() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::export_import_round_trip(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn channels_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::channels_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn media_fetches_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::media_fetches_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn organisations_and_orders_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::organisations_and_orders_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn calls_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::calls_survive_export_import(source, target).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn chat_and_presence_survive_export_import() {
            let source: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            let target: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
            $crate::chat_and_presence_survive_export_import(source, target).await;
        }
    };
    (@each $fresh:expr; $($name:ident),+) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let store: std::sync::Arc<dyn kefu_desk::Store> = $fresh;
                $crate::$name(store).await;
            }
        )+
    };
}

pub async fn users_and_sessions(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    assert_eq!(store.count_users().await.unwrap(), 2);
    let again = f
        .desk
        .bootstrap_admin(Some("another-password".into()))
        .await
        .unwrap();
    assert!(
        again.is_none(),
        "bootstrap only runs on an empty user table"
    );
    let dup = f
        .desk
        .create_user(
            Some(&f.admin),
            UserDraft {
                username: "Agent01".into(),
                password: "whatever-password".into(),
                role: Role::Agent,
                display_name: None,
                department: None,
            },
        )
        .await;
    assert!(
        matches!(
            dup,
            Err(DomainError::Conflict {
                code: "username_taken",
                ..
            })
        ),
        "{dup:?}"
    );
    let by_name = store.user_by_username("agent01").await.unwrap().unwrap();
    assert_eq!(
        store.user_by_id(&by_name.id).await.unwrap().unwrap(),
        by_name
    );
    assert_eq!(by_name.display_name, "李客服");
    assert!(kefu_model::auth::verify_password(
        "agent-password",
        &by_name.password_hash
    ));
    let names: Vec<String> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, vec!["admin", "agent01"]);

    let (token, user) = f.desk.login("AGENT01", "agent-password").await.unwrap();
    assert_eq!(user.username, "agent01");
    let (actor, _) = f.desk.authenticate(&token).await.unwrap();
    assert_eq!(actor.role, Role::Agent);
    assert!(matches!(
        f.desk.login("agent01", "wrong-password").await,
        Err(DomainError::Unauthenticated)
    ));
    assert!(matches!(
        f.desk.login("nobody", "agent-password").await,
        Err(DomainError::Unauthenticated)
    ));
    f.clock.advance(SignedDuration::from_hours(13));
    assert!(
        matches!(
            f.desk.authenticate(&token).await,
            Err(DomainError::Unauthenticated)
        ),
        "sessions expire"
    );
    let (token2, _) = f.desk.login("agent01", "agent-password").await.unwrap();
    f.desk.logout(&token2).await.unwrap();
    assert!(matches!(
        f.desk.authenticate(&token2).await,
        Err(DomainError::Unauthenticated)
    ));
    let session = Session {
        token_hash: "h".repeat(64),
        user_id: by_name.id.clone(),
        created_at: start_time(),
        expires_at: start_time(),
    };
    store.insert_session(&session).await.unwrap();
    assert_eq!(
        store.session(&session.token_hash).await.unwrap(),
        Some(session)
    );
}

pub async fn departments(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let keys: Vec<String> = store
        .list_departments()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.key)
        .collect();
    assert_eq!(keys, vec!["ops", "service"]);
    let dup = f
        .desk
        .create_department(Some(&f.admin), dept("ops", "运营二部", "operations"))
        .await;
    assert!(matches!(
        dup,
        Err(DomainError::Conflict {
            code: "department_exists",
            ..
        })
    ));
    let by_agent = f
        .desk
        .create_department(Some(&f.agent), dept("x", "X", "x"))
        .await;
    assert!(matches!(by_agent, Err(DomainError::Forbidden(_))));
}

pub async fn customers_and_contacts(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let mut draft = customer("张伟", "138 0013 8000");
    draft.email = Some("ZhangWei@Example.cn".into());
    draft.grade = Some(2);
    let c = f.desk.create_customer(&f.agent, draft).await.unwrap();
    assert_eq!(c.phones[0].as_str(), "13800138000");
    let found = store
        .customer_by_contact("phone", "13800138000")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, c);
    let by_mail = store
        .customer_by_contact("email", "zhangwei@example.cn")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_mail.id, c.id);
    assert_eq!(store.customer_by_id(&c.id).await.unwrap(), Some(c.clone()));
    let dup = f
        .desk
        .create_customer(&f.agent, customer("张伟伟", "+8613800138000"))
        .await;
    assert!(
        matches!(
            dup,
            Err(DomainError::Conflict {
                code: "customer_exists",
                ..
            })
        ),
        "{dup:?}"
    );
    let bad = f
        .desk
        .create_customer(&f.agent, customer("王芳", "12345"))
        .await;
    assert!(
        matches!(&bad, Err(DomainError::Invalid { field, .. }) if field == "phone"),
        "{bad:?}"
    );
    for i in 0..5 {
        f.clock.advance(SignedDuration::from_secs(1));
        f.desk
            .create_customer(
                &f.agent,
                customer(&format!("客户{i}"), &format!("1390000000{i}")),
            )
            .await
            .unwrap();
    }
    let page = store
        .list_customers(&CustomerQuery {
            limit: 4,
            ..CustomerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 4);
    assert_eq!(page.items[0].name, "客户4", "newest first");
    let rest = store
        .list_customers(&CustomerQuery {
            limit: 4,
            before: page
                .next_cursor
                .as_deref()
                .and_then(kefu_model::CustomerId::parse),
            ..CustomerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 2);
    assert!(rest.next_cursor.is_none());
    let by_phone = store
        .list_customers(&CustomerQuery {
            phone: Some(kefu_model::Phone::parse("13900000003").unwrap()),
            limit: 10,
            ..CustomerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_phone.items.len(), 1);
    assert_eq!(by_phone.items[0].name, "客户3");
}

pub async fn case_numbers_are_unique_and_sequential(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    let mut numbers = Vec::new();
    for i in 0..3 {
        let created = f
            .desk
            .create_case(
                &f.agent,
                draft(
                    "我的快递到哪了",
                    customer("赵敏", &format!("1370000000{i}")),
                ),
                None,
            )
            .await
            .unwrap();
        numbers.push(created.case.number);
    }
    assert_eq!(
        numbers,
        vec!["KF20261124000001", "KF20261124000002", "KF20261124000003"]
    );
}

pub async fn case_joins_customer_by_phone(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let first = f
        .desk
        .create_case(
            &f.agent,
            draft("快递员态度太差，我要投诉", customer("陈静", "13600001111")),
            None,
        )
        .await
        .unwrap()
        .case;
    assert_eq!(
        (first.category, first.priority),
        (kefu_model::Category::Complaint, kefu_model::Priority::P2)
    );
    let mut second_draft = draft("我的快递到哪了", customer("陈小姐", "136-0000-1111"));
    second_draft.channel = Channel::Wechat;
    let second = f
        .desk
        .create_case(&f.agent, second_draft, None)
        .await
        .unwrap()
        .case;
    assert_eq!(
        second.customer_id, first.customer_id,
        "the same phone is the same customer"
    );
    let page = store
        .list_cases(&CaseQuery {
            phone: Some(kefu_model::Phone::parse("13600001111").unwrap()),
            limit: 10,
            ..CaseQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    let missing = CaseDraft {
        customer: None,
        customer_id: Some(kefu_model::CustomerId::new(start_time()).to_string()),
        ..draft("x", customer("x", "13600002222"))
    };
    let err = f.desk.create_case(&f.agent, missing, None).await;
    assert!(
        matches!(&err, Err(DomainError::Invalid { field, .. }) if field == "customer_id"),
        "{err:?}"
    );
}

pub async fn idempotent_create(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let key = Some(("key-1".to_string(), "hash-a".to_string()));
    let a = f
        .desk
        .create_case(
            &f.agent,
            draft("丢件", customer("刘洋", "13500000001")),
            key.clone(),
        )
        .await
        .unwrap();
    let b = f
        .desk
        .create_case(
            &f.agent,
            draft("丢件", customer("刘洋", "13500000001")),
            key,
        )
        .await
        .unwrap();
    assert!(!a.replayed && b.replayed);
    assert_eq!(a.case, b.case);
    let other = f
        .desk
        .create_case(
            &f.agent,
            draft("丢件", customer("刘洋", "13500000001")),
            Some(("key-1".into(), "hash-b".into())),
        )
        .await;
    assert!(matches!(
        other,
        Err(DomainError::Store(StoreError::IdempotencyMismatch))
    ));
    let page = store
        .list_cases(&CaseQuery {
            limit: 10,
            ..CaseQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1, "a replay creates nothing");
    // Keys are per user: the admin's key-1 is a different request.
    let c = f
        .desk
        .create_case(
            &f.admin,
            draft("丢件", customer("刘洋", "13500000001")),
            Some(("key-1".into(), "hash-b".into())),
        )
        .await
        .unwrap();
    assert!(!c.replayed);
}

pub async fn version_conflicts_refuse_stale_writes(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let case = f
        .desk
        .create_case(
            &f.agent,
            draft("催件", customer("孙丽", "13400000001")),
            None,
        )
        .await
        .unwrap()
        .case;
    let opened = f
        .desk
        .update_case(&f.agent, case.id.as_str(), status(Status::Open))
        .await
        .unwrap();
    assert_eq!(opened.version, 2);
    // Writing on top of the old version must fail and change nothing.
    let mut stale = case.clone();
    stale.subject = "stale".into();
    let event = kefu_model::CaseEvent {
        case_id: case.id.clone(),
        seq: 2,
        actor: "test".into(),
        at: start_time(),
        data: kefu_model::EventData::TagsChanged {
            tags: vec!["x".into()],
        },
    };
    let err = store
        .append_events(&stale, 1, std::slice::from_ref(&event), Default::default())
        .await;
    assert!(matches!(err, Err(StoreError::VersionConflict)), "{err:?}");
    let now = store.case_by_id(&case.id).await.unwrap().unwrap();
    assert_eq!(now, opened);
    assert_eq!(store.case_events(&case.id).await.unwrap().len(), 2);
}

pub async fn events_replay_to_projection(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let mut d = draft("箱子破了，里面的杯子碎了", customer("周杰", "13300000001"));
    d.waybill_no = Some("yl1234567890123".into());
    d.received_at = Some(start_time() - SignedDuration::from_mins(30));
    let case = f.desk.create_case(&f.agent, d, None).await.unwrap().case;
    assert_eq!(case.waybill_nos, vec!["YL1234567890123"]);
    assert_eq!(
        case.received_at,
        start_time() - SignedDuration::from_mins(30)
    );
    let id = case.id.as_str();
    f.clock.advance(SignedDuration::from_mins(2));
    let (after_reply, _) = f
        .desk
        .add_message(
            &f.agent,
            id,
            MessageDraft {
                body: "您好，已登记破损，请保留外包装。".into(),
                visibility: kefu_model::Visibility::Public,
                from_customer: false,
                call: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        after_reply.status,
        Status::Open,
        "a public reply opens a new case"
    );
    assert_eq!(
        after_reply.first_response_at,
        Some(start_time() + SignedDuration::from_mins(2))
    );
    f.clock.advance(SignedDuration::from_mins(5));
    f.desk
        .add_message(
            &f.agent,
            id,
            MessageDraft {
                body: "已联系网点核实".into(),
                visibility: kefu_model::Visibility::Internal,
                from_customer: false,
                call: false,
            },
        )
        .await
        .unwrap();
    f.desk
        .update_case(
            &f.agent,
            id,
            CasePatch {
                department: Some(Some("ops".into())),
                status: Some(Status::PendingDepartment),
                priority: Some(kefu_model::Priority::P1),
                assignee: Some(Some("agent01".into())),
                tags: Some(vec!["破损".into(), "破损".into(), "加急".into()]),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    f.clock.advance(SignedDuration::from_hours(3));
    f.desk
        .update_case(&f.agent, id, status(Status::Resolved))
        .await
        .unwrap();
    f.desk
        .update_case(&f.agent, id, status(Status::Closed))
        .await
        .unwrap();
    f.desk
        .update_case(
            &f.agent,
            id,
            CasePatch {
                status: Some(Status::Open),
                reason: Some("客户反馈仍未赔付".into()),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    let stored = store.case_by_id(&case.id).await.unwrap().unwrap();
    let events = store.case_events(&case.id).await.unwrap();
    let types: Vec<&str> = events.iter().map(|e| e.data.type_name()).collect();
    assert_eq!(
        types,
        vec![
            "created",
            "message_added",
            "status_changed",
            "message_added",
            "priority_changed",
            "assigned",
            "transferred",
            "tags_changed",
            "status_changed",
            "status_changed",
            // The resolution opened the satisfaction survey.
            "survey_opened",
            "status_changed",
            "reopened"
        ]
    );
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=13).collect::<Vec<_>>()
    );
    assert_eq!(Case::replay(&events), Some(stored.clone()));
    assert_eq!(stored.status, Status::Open);
    assert_eq!(stored.reopen_count, 1);
    assert_eq!(stored.tags, vec!["破损", "加急"]);
    assert_eq!(stored.message_count, 2);
    assert!(stored.resolved_at.is_some() && stored.closed_at.is_none());
    assert!(
        events
            .iter()
            .all(|e| e.actor == "user:agent01" || e.actor == "system:survey")
    );
    assert_eq!(
        store.case_by_number(&stored.number).await.unwrap(),
        Some(stored)
    );
}

pub async fn closed_cases_refuse_changes(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let case = f
        .desk
        .create_case(
            &f.agent,
            draft("改地址", customer("吴磊", "13200000001")),
            None,
        )
        .await
        .unwrap()
        .case;
    let id = case.id.as_str();
    let bad = f
        .desk
        .update_case(&f.agent, id, status(Status::Closed))
        .await;
    assert!(
        matches!(
            bad,
            Err(DomainError::Conflict {
                code: "invalid_transition",
                ..
            })
        ),
        "new cannot close"
    );
    for s in [Status::Open, Status::Resolved, Status::Closed] {
        f.desk.update_case(&f.agent, id, status(s)).await.unwrap();
    }
    let before = store.case_events(&case.id).await.unwrap().len();
    let msg = f
        .desk
        .add_message(
            &f.agent,
            id,
            MessageDraft {
                body: "x".into(),
                visibility: kefu_model::Visibility::Public,
                from_customer: false,
                call: false,
            },
        )
        .await;
    assert!(matches!(
        msg,
        Err(DomainError::Conflict {
            code: "case_closed",
            ..
        })
    ));
    let prio = f
        .desk
        .update_case(
            &f.agent,
            id,
            CasePatch {
                priority: Some(kefu_model::Priority::P1),
                ..CasePatch::default()
            },
        )
        .await;
    assert!(matches!(
        prio,
        Err(DomainError::Conflict {
            code: "case_closed",
            ..
        })
    ));
    let pend = f
        .desk
        .update_case(&f.agent, id, status(Status::PendingCustomer))
        .await;
    assert!(matches!(
        pend,
        Err(DomainError::Conflict {
            code: "case_closed",
            ..
        })
    ));
    assert_eq!(
        store.case_events(&case.id).await.unwrap().len(),
        before,
        "refusals append nothing"
    );
}

pub async fn list_filters_and_cursor(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let subjects = [
        "我的快递到哪了",
        "快递员态度太差，我要投诉",
        "箱子破了",
        "我的快递到哪了",
        "开发票",
    ];
    let mut ids = Vec::new();
    for (i, s) in subjects.iter().enumerate() {
        f.clock.advance(SignedDuration::from_secs(1));
        let c = f
            .desk
            .create_case(
                &f.agent,
                draft(s, customer("客户", &format!("1310000000{i}"))),
                None,
            )
            .await
            .unwrap();
        ids.push(c.case.id);
    }
    let q = |status, category, limit| CaseQuery {
        status,
        category,
        limit,
        ..CaseQuery::default()
    };
    let tracks = store
        .list_cases(&q(None, Some(kefu_model::Category::Track), 10))
        .await
        .unwrap();
    assert_eq!(tracks.items.len(), 2);
    let first = store.list_cases(&q(None, None, 2)).await.unwrap();
    assert_eq!(
        first.items.iter().map(|c| &c.id).collect::<Vec<_>>(),
        vec![&ids[4], &ids[3]]
    );
    // A case created between two pages does not shift the next page.
    f.clock.advance(SignedDuration::from_secs(1));
    f.desk
        .create_case(
            &f.agent,
            draft("新来的", customer("新客户", "13100000009")),
            None,
        )
        .await
        .unwrap();
    let second = store
        .list_cases(&CaseQuery {
            before: first
                .next_cursor
                .as_deref()
                .and_then(kefu_model::CaseId::parse),
            limit: 2,
            ..CaseQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        second.items.iter().map(|c| &c.id).collect::<Vec<_>>(),
        vec![&ids[2], &ids[1]]
    );
    f.desk
        .update_case(&f.agent, ids[0].as_str(), status(Status::Open))
        .await
        .unwrap();
    let open = store
        .list_cases(&q(Some(Status::Open), None, 10))
        .await
        .unwrap();
    assert_eq!(open.items.len(), 1);
    assert_eq!(open.items[0].id, ids[0]);
    f.desk
        .update_case(
            &f.agent,
            ids[1].as_str(),
            CasePatch {
                department: Some(Some("ops".into())),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    let ops = store
        .list_departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == "ops")
        .unwrap();
    let for_ops = store
        .list_cases(&CaseQuery {
            department: Some(ops.id),
            limit: 10,
            ..CaseQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(for_ops.items.len(), 1);
}

pub async fn concurrent_creates_get_distinct_numbers(store: Arc<dyn Store>) {
    let f = Arc::new(fixture(store.clone()).await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            // Ten phones for forty cases: customers are found or created under contention.
            let d = draft(
                "查件",
                customer("并发客户", &format!("1580000000{}", i % 10)),
            );
            f.desk.create_case(&f.agent, d, None).await.map(|c| c.case)
        }));
    }
    let mut numbers = Vec::new();
    let mut customers = std::collections::BTreeSet::new();
    for t in tasks {
        let case = t.await.unwrap().unwrap();
        numbers.push(case.number);
        customers.insert(case.customer_id);
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 40);
    assert_eq!(
        customers.len(),
        10,
        "one customer per phone even under contention"
    );
}

pub async fn concurrent_updates_keep_every_event(store: Arc<dyn Store>) {
    let f = Arc::new(fixture(store.clone()).await);
    let case = f
        .desk
        .create_case(
            &f.agent,
            draft("催件", customer("郑爽", "13000000001")),
            None,
        )
        .await
        .unwrap()
        .case;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let f = f.clone();
        let id = case.id.to_string();
        tasks.push(tokio::spawn(async move {
            let m = MessageDraft {
                body: format!("备注 {i}"),
                visibility: kefu_model::Visibility::Internal,
                from_customer: false,
                call: false,
            };
            f.desk.add_message(&f.agent, &id, m).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(DomainError::Conflict {
                code: "version_conflict",
                ..
            }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    let events = store.case_events(&case.id).await.unwrap();
    assert_eq!(
        events.len(),
        1 + ok,
        "every acknowledged message is stored exactly once"
    );
    assert!(ok >= 1);
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=events.len() as i64).collect::<Vec<_>>()
    );
    let stored = store.case_by_id(&case.id).await.unwrap().unwrap();
    assert_eq!(Case::replay(&events), Some(stored));
}

/// The whole export of `store`, its header first.
pub async fn dump(store: &dyn Store) -> Vec<String> {
    let mut lines = Vec::new();
    kefu_desk::export::export_all(store, &mut |l| {
        lines.push(l);
        Ok(())
    })
    .await
    .unwrap();
    lines
}

/// Imports a dump's records (its lines after the header) into `target`.
pub async fn load(target: &dyn Store, lines: &[String]) {
    kefu_desk::export::import_records(
        target,
        lines
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, l)| export::parse_record(i + 1, l)),
    )
    .await
    .unwrap();
}

/// Export, import into a second fresh store of the same backend, export again: identical; and
/// the imported store goes on working (numbering continues after the imported cases).
pub async fn export_import_round_trip(store: Arc<dyn Store>, target: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let c = f
        .desk
        .create_case(
            &f.agent,
            draft("显示签收了但我没收到", customer("黄蓉", "13900001234")),
            None,
        )
        .await
        .unwrap();
    f.desk
        .add_message(
            &f.agent,
            c.case.id.as_str(),
            MessageDraft {
                body: "已联系派送员核实".into(),
                visibility: kefu_model::Visibility::Public,
                from_customer: false,
                call: false,
            },
        )
        .await
        .unwrap();
    // Parcel data travels too: a shipment with scans, a setting, a pickup.
    let shipment: kefu_model::shipment::ShipmentDraft = serde_json::from_value(shipment_json(
        &own_waybill(60),
        "13900001234",
        "13800001234",
    ))
    .unwrap();
    f.desk.upsert_shipment(&f.admin, &shipment).await.unwrap();
    f.desk
        .add_scans(
            &f.admin,
            &own_waybill(60),
            &[serde_json::from_value(serde_json::json!({"at": "2026-11-22T03:00:00Z", "code": "picked_up", "location": "深圳"})).unwrap()],
        )
        .await
        .unwrap();
    let tracking = f.desk.get_setting(&f.admin, "tracking").await.unwrap();
    f.desk
        .put_setting(&f.admin, "tracking", tracking)
        .await
        .unwrap();
    let pickup: kefu_model::parcels::PickupDraft = serde_json::from_value(serde_json::json!({
        "sender": {"name": "黄蓉", "phone": "13900001234", "address": "浙江省杭州市西湖区文三路90号"},
        "recipient_address": "北京市朝阳区建国路88号", "item": "书", "weight_kg": 1
    }))
    .unwrap();
    f.desk.book_pickup(&f.agent, pickup).await.unwrap();
    f.desk
        .reveal_customer(&f.agent, c.case.customer_id.as_str(), "回电")
        .await
        .unwrap();
    let lines = dump(store.as_ref()).await;
    assert!(lines[0].contains("kefu-export"));
    assert!(lines.iter().any(|l| l.contains("\"table\":\"case_event\"")));
    for table in ["shipment", "setting", "pickup", "audit"] {
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("\"table\":\"{table}\""))),
            "{table} exported"
        );
    }
    // No chat or presence here, so this dump is also what a kefu from before migration 0009
    // wrote: importing it below checks that older dumps still import.
    for table in ["chat_conversation", "attachment", "agent_presence"] {
        assert!(
            !lines
                .iter()
                .any(|l| l.contains(&format!("\"table\":\"{table}\""))),
            "no {table} in this store"
        );
    }
    let records: Vec<ExportRecord> = lines[1..]
        .iter()
        .enumerate()
        .map(|(i, l)| export::parse_record(i + 2, l).unwrap())
        .collect();
    assert_eq!(
        records.len(),
        2 + 2 + 1 + 2 + 5 + 4 + 1,
        "departments, users, customer, two cases (the pickup opens its own for the customer \
         with the sender's phone), events (the pickup's case: created, pickup_booked), \
         shipment, setting, pickup, audit, the setting's first write in the configuration history"
    );
    assert!(
        matches!(records.last(), Some(ExportRecord::ConfigChange(c)) if c.key == "tracking" && c.old.is_none())
    );
    // Re-export the same data: byte-identical.
    assert_eq!(dump(store.as_ref()).await, lines);
    let imported = import_into(store.as_ref(), target.as_ref()).await;
    assert_eq!(dump(target.as_ref()).await, imported);
    assert_eq!(imported, lines);
    let g = Fixture {
        desk: f.desk.on_store(target.clone()),
        clock: f.clock.clone(),
        admin: f.admin.clone(),
        agent: f.agent.clone(),
    };
    let next = g
        .desk
        .create_case(
            &g.agent,
            draft("再来一单", customer("黄蓉", "13900001234")),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        next.case.number, "KF20261124000003",
        "after the two imported cases"
    );
    assert_eq!(next.case.customer_id, c.case.customer_id);
    let (token, _) = g.desk.login("agent01", "agent-password").await.unwrap();
    assert!(
        g.desk.authenticate(&token).await.is_ok(),
        "password hashes survive the move"
    );
    drop(records);
}

/// The import side of the round trip, given a second fresh store.
pub async fn import_into(source: &dyn Store, target: &dyn Store) -> Vec<String> {
    let lines = dump(source).await;
    export::parse_header(&lines[0]).unwrap();
    let records = lines[1..]
        .iter()
        .enumerate()
        .map(|(i, l)| export::parse_record(i + 2, l));
    kefu_desk::export::import_records(target, records)
        .await
        .unwrap();
    lines
}

pub async fn import_refuses_non_empty_store(store: Arc<dyn Store>) {
    let _f = fixture(store.clone()).await;
    let err = kefu_desk::export::import_records(store.as_ref(), Vec::new()).await;
    assert!(matches!(err, Err(DomainError::Store(StoreError::NotEmpty))));
}

/// A write that fails half-way leaves nothing behind.
pub async fn failed_write_changes_nothing(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let c = f
        .desk
        .create_customer(&f.agent, customer("林平", "18600000001"))
        .await
        .unwrap();
    // The second contact collides; the customer row written before it must be rolled back.
    let mut d = customer("林平之", "18600000002");
    d.phones = vec!["18600000001".into()];
    let err = f.desk.create_customer(&f.agent, d).await;
    assert!(err.is_err());
    assert!(
        store
            .customer_by_contact("phone", "18600000002")
            .await
            .unwrap()
            .is_none()
    );
    let page = store
        .list_customers(&CustomerQuery {
            limit: 10,
            ..CustomerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items, vec![c]);
}

/// Writes that fail among writes that succeed at the same moment (one group commit on SQLite):
/// each caller gets its own answer and only the successful writes are stored.
pub async fn concurrent_failures_stay_with_their_callers(store: Arc<dyn Store>) {
    let f = Arc::new(fixture(store.clone()).await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            // Every phone twice: one of each pair must fail with a conflict.
            let phone = format!("1770000{:04}", i % 20);
            f.desk
                .create_customer(&f.agent, customer(&format!("客户{i}"), &phone))
                .await
        }));
    }
    let (mut ok, mut conflicts) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(DomainError::Conflict {
                code: "customer_exists",
                ..
            }) => conflicts += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, conflicts), (20, 20));
    let page = store
        .list_customers(&CustomerQuery {
            limit: 100,
            ..CustomerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 20);
    for c in &page.items {
        let found = store
            .customer_by_contact("phone", c.phones[0].as_str())
            .await
            .unwrap();
        assert_eq!(found.as_ref(), Some(c));
    }
}

/// Calendars: built-ins installed once (a user's edit survives a restart), replaced by PUT,
/// listed by key, and carried by export/import.
pub async fn calendars_are_stored_and_exported(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_builtin_calendars().await.unwrap();
    let keys: Vec<String> = store
        .list_calendars()
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, vec!["24x7", "cn-office", "cn-service"]);
    let mut office = store.calendar("cn-office").await.unwrap().unwrap();
    office.holidays.push("2026-12-24".into());
    let supervisor = Actor {
        role: Role::Supervisor,
        ..f.agent.clone()
    };
    f.desk
        .put_calendar(&supervisor, "cn-office", office.clone())
        .await
        .unwrap();
    f.desk.install_builtin_calendars().await.unwrap();
    assert_eq!(
        store.calendar("cn-office").await.unwrap(),
        Some(office.clone()),
        "a restart keeps the user's edit"
    );
    let refused = f
        .desk
        .put_calendar(&f.agent, "cn-office", office.clone())
        .await;
    assert!(matches!(refused, Err(DomainError::Forbidden(_))));
    assert!(store.calendar("nope").await.unwrap().is_none());
    let lines = crate::dump(store.as_ref()).await;
    let calendars: Vec<ExportRecord> = lines[1..]
        .iter()
        .enumerate()
        .map(|(i, l)| export::parse_record(i + 2, l).unwrap())
        .filter(|r| matches!(r, ExportRecord::Calendar(_)))
        .collect();
    assert_eq!(calendars.len(), 3);
    assert!(
        matches!(&calendars[1], ExportRecord::Calendar(c) if c.key == "cn-office" && c.spec == office)
    );
}

pub async fn sla_fixture(store: Arc<dyn Store>) -> Fixture {
    let f = fixture(store).await;
    f.desk.install_builtin_calendars().await.unwrap();
    f.desk.install_default_policies().await.unwrap();
    f
}

fn clock(case: &Case, kind: kefu_model::sla_clock::ClockKind) -> kefu_model::sla_clock::SlaClock {
    case.clock(kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} clock on {:?}", case.sla))
}

/// Phone case (policy `phone`: first response 30 min, resolution 24 h on the 24x7 calendar).
pub async fn sla_clocks_start_pause_resume_and_end(store: Arc<dyn Store>) {
    use kefu_model::sla_clock::ClockKind::*;
    use kefu_model::sla_clock::ClockState;
    let f = sla_fixture(store.clone()).await;
    let mut d = draft("我的快递到哪了", customer("钱多多", "13700001111"));
    d.received_at = Some(start_time() - SignedDuration::from_mins(10));
    let case = f.desk.create_case(&f.agent, d, None).await.unwrap().case;
    let first = clock(&case, FirstResponse);
    assert_eq!(
        (first.policy.as_str(), first.state),
        ("phone", ClockState::Running)
    );
    assert_eq!(
        first.due_at,
        Some(start_time() + SignedDuration::from_mins(20)),
        "clocks start at received_at"
    );
    assert_eq!(
        clock(&case, Resolution).due_at,
        Some(start_time() + SignedDuration::from_hours(24) - SignedDuration::from_mins(10))
    );
    assert_eq!(store.next_timer_due().await.unwrap(), first.due_at);
    let id = case.id.to_string();

    // Pending the customer pauses the clocks; resuming moves the due time by the pause.
    f.desk
        .update_case(&f.agent, &id, status(Status::Open))
        .await
        .unwrap();
    f.clock.advance(SignedDuration::from_mins(5));
    let paused = f
        .desk
        .update_case(&f.agent, &id, status(Status::PendingCustomer))
        .await
        .unwrap();
    assert_eq!(clock(&paused, FirstResponse).state, ClockState::Paused);
    assert_eq!(clock(&paused, FirstResponse).consumed_secs, 15 * 60);
    assert_eq!(
        store.next_timer_due().await.unwrap(),
        None,
        "paused clocks have no timers"
    );
    f.clock.advance(SignedDuration::from_hours(2));
    let resumed = f
        .desk
        .update_case(&f.agent, &id, status(Status::Open))
        .await
        .unwrap();
    let due = start_time()
        + SignedDuration::from_mins(5)
        + SignedDuration::from_hours(2)
        + SignedDuration::from_mins(15);
    assert_eq!(clock(&resumed, FirstResponse).due_at, Some(due));
    // A public reply in time meets the first-response clock.
    f.clock.advance(SignedDuration::from_mins(1));
    let m = MessageDraft {
        body: "您好，已查询到您的快递在派送中。".into(),
        visibility: kefu_model::Visibility::Public,
        from_customer: false,
        call: false,
    };
    let (answered, _) = f.desk.add_message(&f.agent, &id, m).await.unwrap();
    assert_eq!(clock(&answered, FirstResponse).state, ClockState::Met);
    // The customer writes again: a next-response clock starts (phone: 60 min).
    f.clock.advance(SignedDuration::from_mins(1));
    let m = MessageDraft {
        body: "还是没收到".into(),
        visibility: kefu_model::Visibility::Public,
        from_customer: true,
        call: false,
    };
    let (asked, _) = f.desk.add_message(&f.agent, &id, m).await.unwrap();
    assert_eq!(clock(&asked, NextResponse).state, ClockState::Running);
    // A complaint re-grades the case. The shipped complaint rule (next response 4 h, resolution
    // 2 working days) is looser than the phone's (1 h, 24 h), so on its own it would change
    // nothing: a stricter promise already made holds. A stricter complaint policy of the
    // operator's retargets both running clocks.
    let supervisor = kefu_model::Actor {
        role: kefu_model::Role::Supervisor,
        ..f.agent.clone()
    };
    let strict: kefu_model::sla::SlaPolicy = serde_json::from_value(serde_json::json!({
        "name": "投诉快速处理", "order": 50, "match": {"category": ["complaint"]},
        "calendar": "24x7",
        "targets": {"next_response_minutes": 20, "resolution_minutes": 480}
    }))
    .unwrap();
    f.desk
        .put_sla_policy(&supervisor, "complaints-fast", strict)
        .await
        .unwrap();
    let regraded = f
        .desk
        .update_case(
            &f.agent,
            &id,
            CasePatch {
                category: Some(kefu_model::Category::Complaint),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(clock(&regraded, NextResponse).policy, "complaints-fast");
    assert_eq!(clock(&regraded, NextResponse).target_secs, 20 * 60);
    assert_eq!(clock(&regraded, Resolution).policy, "complaints-fast");
    assert_eq!(clock(&regraded, Resolution).target_secs, 480 * 60);
    // A complaint is resolved with its resolution code (the `root_causes` setting).
    let resolve = CasePatch {
        root_cause: Some(kefu_model::causes::CauseDraft {
            resolution_code: Some("explained".into()),
            ..Default::default()
        }),
        ..status(Status::Resolved)
    };
    let resolved = f.desk.update_case(&f.agent, &id, resolve).await.unwrap();
    assert_eq!(clock(&resolved, Resolution).state, ClockState::Met);
    let events = store.case_events(&case.id).await.unwrap();
    let types: Vec<&str> = events
        .iter()
        .map(|e| e.data.type_name())
        .filter(|t| t.starts_with("sla_"))
        .collect();
    assert_eq!(
        types,
        [
            "sla_started",
            "sla_started",
            "sla_paused",
            "sla_paused",
            "sla_resumed",
            "sla_resumed",
            "sla_met",
            "sla_started",
            "sla_retargeted",
            "sla_retargeted",
            "sla_met"
        ]
    );
    assert!(
        events
            .iter()
            .filter(|e| e.data.type_name().starts_with("sla_"))
            .all(|e| e.actor == "system:sla")
    );
    assert_eq!(
        Case::replay(&events),
        Some(store.case_by_id(&case.id).await.unwrap().unwrap())
    );
}

/// A clock that falls due breaches once, even with two desks (two nodes) firing at once.
pub async fn due_clocks_breach_exactly_once(store: Arc<dyn Store>) {
    use kefu_model::sla_clock::ClockKind::*;
    use kefu_model::sla_clock::ClockState;
    let f = sla_fixture(store.clone()).await;
    let mut d = draft("在线咨询", customer("孙悟空", "13700002222"));
    d.channel = Channel::Chat;
    let case = f.desk.create_case(&f.agent, d, None).await.unwrap().case;
    assert_eq!(
        clock(&case, FirstResponse).due_at,
        Some(start_time() + SignedDuration::from_secs(30))
    );
    assert_eq!(
        f.desk.fire_due_timers(100).await.unwrap(),
        0,
        "nothing is due yet"
    );
    f.clock.advance(SignedDuration::from_secs(31));
    let other = f.desk.another_node();
    let (a, b) = tokio::join!(f.desk.fire_due_timers(100), other.fire_due_timers(100));
    assert_eq!(
        a.unwrap() + b.unwrap(),
        1,
        "one breach between the two nodes"
    );
    assert_eq!(f.desk.fire_due_timers(100).await.unwrap(), 0);
    let stored = store.case_by_id(&case.id).await.unwrap().unwrap();
    assert_eq!(clock(&stored, FirstResponse).state, ClockState::Breached);
    let breaches = store
        .case_events(&case.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.data.type_name() == "sla_breached")
        .count();
    assert_eq!(breaches, 1);
    // The resolution clock (24 h) is still timed.
    assert_eq!(
        store.next_timer_due().await.unwrap(),
        clock(&stored, Resolution).due_at
    );
}

/// Promises: reminded shortly before, kept by a reply in time, missed (and notified) otherwise.
pub async fn promises_are_reminded_kept_or_missed(store: Arc<dyn Store>) {
    use kefu_model::case::CommitmentState;
    use kefu_model::drafts::CommitmentDraft;
    let f = sla_fixture(store.clone()).await;
    let case = f
        .desk
        .create_case(
            &f.agent,
            draft("快递三天没更新", customer("周芷若", "13700003333")),
            None,
        )
        .await
        .unwrap()
        .case;
    let id = case.id.to_string();
    f.desk
        .update_case(
            &f.agent,
            &id,
            CasePatch {
                assignee: Some(Some("agent01".into())),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    let promise = |mins: i64, note: &str| CommitmentDraft {
        due_at: kefu_model::Clock::now(f.clock.as_ref()) + SignedDuration::from_mins(mins),
        note: note.into(),
        remind_before_minutes: None,
    };
    let past = f
        .desk
        .make_commitment(
            &f.agent,
            &id,
            CommitmentDraft {
                due_at: start_time(),
                note: "x".into(),
                remind_before_minutes: None,
            },
        )
        .await;
    assert!(matches!(&past, Err(DomainError::Invalid { field, .. }) if field == "due_at"));
    f.desk
        .make_commitment(&f.agent, &id, promise(60, "15:00前回电告知派送进度"))
        .await
        .unwrap();
    // 51 minutes later: the reminder (10 minutes before) has fired, nothing else.
    f.clock.advance(SignedDuration::from_mins(51));
    f.desk.fire_due_timers(100).await.unwrap();
    let c = store.case_by_id(&case.id).await.unwrap().unwrap();
    assert!(c.commitments[0].reminded);
    assert_eq!(c.commitments[0].state, CommitmentState::Open);
    let notes = f.desk.notifications(&f.agent, true, None).await.unwrap();
    let mut kinds: Vec<&str> = notes.iter().map(|n| n.kind.as_str()).collect();
    kinds.sort_unstable(); // both fell due by the same tick
    // The phone policy's 30-minute first response breached too; both go to the assignee.
    assert_eq!(kinds, ["commitment_reminded", "sla_breached"]);
    let reminder = notes
        .iter()
        .find(|n| n.kind == "commitment_reminded")
        .unwrap();
    assert!(reminder.text.contains("15:00前回电"), "{}", reminder.text);
    // A public reply in time keeps it.
    let reply = MessageDraft {
        body: "您好，已联系网点，明天上午派送。".into(),
        visibility: kefu_model::Visibility::Public,
        from_customer: false,
        call: false,
    };
    let (kept, _) = f.desk.add_message(&f.agent, &id, reply).await.unwrap();
    assert_eq!(kept.commitments[0].state, CommitmentState::Kept);
    // A second promise nobody keeps is missed when it falls due, once.
    f.desk
        .make_commitment(&f.agent, &id, promise(30, "回电确认地址"))
        .await
        .unwrap();
    f.clock.advance(SignedDuration::from_mins(31));
    f.desk.fire_due_timers(100).await.unwrap();
    f.desk.fire_due_timers(100).await.unwrap();
    let c = store.case_by_id(&case.id).await.unwrap().unwrap();
    assert_eq!(c.commitments[1].state, CommitmentState::Missed);
    let events = store.case_events(&case.id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.data.type_name() == "commitment_missed")
            .count(),
        1
    );
    let unread = f.desk.notifications(&f.agent, true, None).await.unwrap();
    assert_eq!(unread[0].kind, "commitment_missed", "newest first");
    assert_eq!(unread.len(), 3);
    // Mark one read, then the rest.
    let one = vec![unread[2].id.clone()];
    assert_eq!(
        f.desk
            .mark_notifications_read(&f.agent, &one)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        f.desk.mark_notifications_read(&f.agent, &[]).await.unwrap(),
        2
    );
    assert!(
        f.desk
            .notifications(&f.agent, true, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        f.desk
            .notifications(&f.agent, false, None)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        store.next_timer_due().await.unwrap(),
        c.clock(kefu_model::sla_clock::ClockKind::Resolution)
            .and_then(|r| r.due_at)
    );
}

/// Escalation: agent → supervisor → manager, priority raised, supervisors notified; no further.
pub async fn escalation_climbs_the_ladder_and_notifies(store: Arc<dyn Store>) {
    let f = sla_fixture(store.clone()).await;
    let boss = f
        .desk
        .create_user(
            Some(&f.admin),
            UserDraft {
                username: "wangzg".into(),
                password: "supervisor-pw".into(),
                role: Role::Supervisor,
                display_name: None,
                department: None,
            },
        )
        .await
        .unwrap();
    let case = f
        .desk
        .create_case(
            &f.agent,
            draft(
                "快递员态度太差，我要投诉",
                customer("赵灵儿", "13700004444"),
            ),
            None,
        )
        .await
        .unwrap()
        .case;
    assert_eq!(case.priority, kefu_model::Priority::P2);
    let id = case.id.to_string();
    let up = f
        .desk
        .escalate(&f.agent, &id, "客户情绪激动，要求主管处理")
        .await
        .unwrap();
    assert_eq!(
        (up.escalation_level, up.priority),
        (1, kefu_model::Priority::P1)
    );
    let up = f
        .desk
        .escalate(&f.agent, &id, "扬言向邮政管理局申诉")
        .await
        .unwrap();
    assert_eq!(up.escalation_level, 2);
    let top = f.desk.escalate(&f.agent, &id, "再升级").await;
    assert!(matches!(
        top,
        Err(DomainError::Conflict {
            code: "top_of_ladder",
            ..
        })
    ));
    let empty = f.desk.escalate(&f.agent, &id, "  ").await;
    assert!(matches!(&empty, Err(DomainError::Invalid { field, .. }) if field == "reason"));
    let boss_actor = Actor::of(&boss);
    let notes = f.desk.notifications(&boss_actor, true, None).await.unwrap();
    assert_eq!(notes.len(), 2);
    assert!(
        notes
            .iter()
            .all(|n| n.kind == "escalated" && n.case_number == case.number)
    );
    assert!(
        f.desk
            .notifications(&f.agent, true, None)
            .await
            .unwrap()
            .is_empty(),
        "agents are not told of escalations"
    );
    let admin_notes = f.desk.notifications(&f.admin, true, None).await.unwrap();
    assert_eq!(admin_notes.len(), 2);
}

/// A policy's escalation steps: at 50 % of the first-response target the supervisors hear of it;
/// at the breach the case goes up a level and its priority rises.
pub async fn escalation_steps_warn_and_escalate(store: Arc<dyn Store>) {
    use kefu_model::sla::{EscalationStep, SlaPolicy, StepAction};
    use kefu_model::sla_clock::ClockKind;
    let f = sla_fixture(store.clone()).await;
    let boss = f
        .desk
        .create_user(
            Some(&f.admin),
            UserDraft {
                username: "zhangzg".into(),
                password: "supervisor-pw".into(),
                role: Role::Supervisor,
                display_name: None,
                department: None,
            },
        )
        .await
        .unwrap();
    let mut policy: SlaPolicy = f
        .desk
        .list_sla_policies()
        .await
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == "phone")
        .unwrap()
        .1;
    policy.order = 1;
    policy.escalations = vec![
        EscalationStep {
            clock: Some(ClockKind::FirstResponse),
            at_percent: Some(50),
            action: StepAction::NotifySupervisor,
        },
        EscalationStep {
            clock: None,
            at_percent: None,
            action: StepAction::Escalate,
        },
        EscalationStep {
            clock: None,
            at_percent: None,
            action: StepAction::RaisePriority,
        },
        EscalationStep {
            clock: None,
            at_percent: None,
            action: StepAction::NotifyAssignee,
        },
    ];
    let supervisor = Actor {
        role: Role::Supervisor,
        ..f.agent.clone()
    };
    f.desk
        .put_sla_policy(&supervisor, "phone-escalating", policy.clone())
        .await
        .unwrap();
    let mut bad = policy.clone();
    bad.escalations[0].at_percent = Some(120);
    let refused = f.desk.put_sla_policy(&supervisor, "bad", bad).await;
    assert!(
        matches!(&refused, Err(DomainError::Invalid { field, .. }) if field == "escalations.at_percent")
    );

    let case = f
        .desk
        .create_case(
            &f.agent,
            draft("我的快递到哪了", customer("李逍遥", "13700005555")),
            None,
        )
        .await
        .unwrap()
        .case;
    let id = case.id.to_string();
    f.desk
        .update_case(
            &f.agent,
            &id,
            CasePatch {
                assignee: Some(Some("agent01".into())),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    let first = clock(&case, ClockKind::FirstResponse);
    assert_eq!(first.policy, "phone-escalating");
    assert_eq!(
        first.warnings,
        vec![(50, start_time() + SignedDuration::from_mins(15))]
    );
    // 16 minutes: the warning; the supervisor hears, the agent does not.
    f.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(
        f.desk.fire_due_timers(100).await.unwrap(),
        0,
        "a warning is not a breach"
    );
    let warned = store.case_by_id(&case.id).await.unwrap().unwrap();
    assert!(clock(&warned, ClockKind::FirstResponse).warnings.is_empty());
    let boss_notes = f
        .desk
        .notifications(&Actor::of(&boss), true, None)
        .await
        .unwrap();
    assert_eq!(
        boss_notes
            .iter()
            .map(|n| n.kind.as_str())
            .collect::<Vec<_>>(),
        ["sla_warning"]
    );
    assert!(
        f.desk
            .notifications(&f.agent, true, None)
            .await
            .unwrap()
            .is_empty()
    );
    // 31 minutes: the breach escalates (level 1, then supervisors are told) and raises priority.
    f.clock.advance(SignedDuration::from_mins(15));
    assert_eq!(f.desk.fire_due_timers(100).await.unwrap(), 1);
    let breached = store.case_by_id(&case.id).await.unwrap().unwrap();
    assert_eq!(breached.escalation_level, 1);
    assert_eq!(breached.priority, case.priority.raised());
    // Level 1 hands the case to the supervisor, who is now the one told of the breach.
    assert_eq!(breached.assignee, Some(boss.id.clone()));
    assert!(
        f.desk
            .notifications(&f.agent, true, None)
            .await
            .unwrap()
            .is_empty()
    );
    let mut kinds: Vec<String> = f
        .desk
        .notifications(&Actor::of(&boss), true, None)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["escalated", "sla_breached", "sla_warning"]);
    // A manual escalation to level 2 hands it to an admin (standing for the manager).
    let top = f
        .desk
        .escalate(&f.agent, &id, "客户要求经理处理")
        .await
        .unwrap();
    assert_eq!(
        (top.escalation_level, top.assignee.clone()),
        (2, Some(f.admin.user_id.clone()))
    );
    let breached = top;
    let events = store.case_events(&case.id).await.unwrap();
    assert_eq!(Case::replay(&events), Some(breached));
}

/// One rule for who may be given a case (active agents, supervisors, admins), used by the
/// API's assignment and the console's lists alike; department staff (a franchised outlet's,
/// often) know only their own colleagues by name and see no other department's customers.
pub async fn who_may_be_assigned_and_named_is_the_desks_rule(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    let mut actors = std::collections::HashMap::new();
    for (username, role, department, name) in [
        ("ops01", Role::Department, Some("ops"), "王运营"),
        ("ops02", Role::Department, Some("ops"), "赵运营"),
        ("ro01", Role::Readonly, None, "只读"),
        ("fin01", Role::Finance, None, "财务"),
        ("sup01", Role::Supervisor, Some("service"), "张主管"),
    ] {
        let user = f
            .desk
            .create_user(
                Some(&f.admin),
                UserDraft {
                    username: username.into(),
                    password: "long-enough-password".into(),
                    role,
                    display_name: Some(name.into()),
                    department: department.map(Into::into),
                },
            )
            .await
            .unwrap();
        actors.insert(username, Actor::of(&user));
    }
    let mut assignable: Vec<String> = f
        .desk
        .assignable_users(&f.agent)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assignable.sort();
    assert_eq!(assignable, ["admin", "agent01", "sup01"]);
    assert!(matches!(
        f.desk.assignable_users(&actors["ro01"]).await,
        Err(DomainError::Forbidden(_))
    ));

    // The API's assignment follows the same rule: not to department staff or finance.
    let case = f
        .desk
        .create_case(
            &f.agent,
            draft("催件", customer("陈一", "13700007777")),
            None,
        )
        .await
        .unwrap()
        .case;
    for who in ["ops01", "fin01", "ro01"] {
        let refused = f
            .desk
            .update_case(
                &f.agent,
                case.id.as_str(),
                CasePatch {
                    assignee: Some(Some(who.into())),
                    ..CasePatch::default()
                },
            )
            .await;
        assert!(
            matches!(&refused, Err(DomainError::Invalid { field, .. }) if field == "assignee"),
            "{who}: {refused:?}"
        );
    }
    let assigned = f
        .desk
        .update_case(
            &f.agent,
            case.id.as_str(),
            CasePatch {
                assignee: Some(Some("sup01".into())),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(assigned.assignee, Some(actors["sup01"].user_id.clone()));

    // Names: staff know everyone; department staff their own colleagues and the departments.
    let all = f.desk.people_names(&f.agent).await.unwrap();
    assert!(all.values().any(|n| n == "王运营"));
    assert!(all.values().any(|n| n == "张主管"));
    let outlet = f.desk.people_names(&actors["ops01"]).await.unwrap();
    let mut known: Vec<&str> = outlet.values().map(String::as_str).collect();
    known.sort();
    assert_eq!(known, ["客服部", "王运营", "赵运营", "运营部"]);
    let owners = f.desk.usernames(&actors["ops01"]).await.unwrap();
    assert!(owners.values().all(|u| u.starts_with("ops")), "{owners:?}");

    // A case not with their department: its customer is not theirs to see.
    assert!(matches!(
        f.desk.case_customer(&actors["ops01"], &assigned).await,
        Err(DomainError::NotFound(_))
    ));
    let label = f.desk.case_customer(&f.agent, &assigned).await.unwrap();
    assert_eq!(label.line(), "陈一 137****7777");
}
