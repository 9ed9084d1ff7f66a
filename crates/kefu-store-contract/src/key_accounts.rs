//! Key accounts: an assistant sees only the accounts assigned to them (in the list, its search,
//! a page and every part of it; the others are not found), other roles none; a quarter's
//! grading is computed, kept and superseded by a re-grade; reminders fall due on the right
//! days, month ends included; a price is usable only once filed and never outside the
//! documents' scope; the accounts and their gradings survive an export and import.

use std::sync::Arc;

use jiff::Timestamp;
use kefu_desk::Store;
use kefu_desk::key_accounts::AccountFilter;
use kefu_model::key_accounts::{
    AccountDraft, AccountPatch, AccountStatus, ContactDraft, DocumentDraft, DocumentKind,
    FileEntryDraft, FileRole, GradingDraft, KeyAccount, PriceDraft, PriceStatus, Quarter,
    ReminderKind,
};
use kefu_model::{DomainError, Role};

use crate::{Fixture, fixture, user};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn account(f: &Fixture, code: &str, name: &str, assistants: &[&str]) -> KeyAccount {
    f.desk
        .create_key_account(
            &f.admin,
            &AccountDraft {
                code: code.into(),
                name: name.into(),
                industry: "电子".into(),
                assistants: assistants.iter().map(|a| a.to_string()).collect(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

fn contract(number: &str, ends_on: &str) -> DocumentDraft {
    DocumentDraft {
        kind: DocumentKind::Contract,
        number: number.into(),
        title: "年度运输合同".into(),
        starts_on: "2026-01-01".parse().unwrap(),
        ends_on: ends_on.parse().unwrap(),
        services: vec!["整车".into(), "零担".into()],
        routes: vec!["广东-上海".into(), "广东-北京".into()],
        status: None,
    }
}

fn grading(quarter: &str, revenue: f64) -> GradingDraft {
    GradingDraft {
        quarter: Quarter::parse(quarter).unwrap(),
        revenue_yuan: revenue,
        margin_pct: 15.0,
        difficulty: 3,
        staff: 4.0,
        punctuality_pct: 95.0,
        note: String::new(),
    }
}

fn is_not_found(e: &DomainError) -> bool {
    matches!(e, DomainError::NotFound(_))
}

pub async fn key_accounts_are_seen_only_by_their_assistants_and_the_head(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    let other = user(&f, "agent02", Role::Agent, "service").await;
    let head = user(&f, "super01", Role::Supervisor, "service").await;
    let finance = user(&f, "fin01", Role::Finance, "service").await;
    let mine = account(&f, "ka-alpha", "阿尔法电子", &["agent01"]).await;
    assert_eq!(mine.code, "KA-ALPHA", "codes are upper-cased");
    let theirs = account(&f, "KA-BETA", "贝塔服饰", &["agent02"]).await;
    // The code is unique.
    let dup = f
        .desk
        .create_key_account(
            &f.admin,
            &AccountDraft {
                code: "KA-ALPHA".into(),
                name: "又一个".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(dup.code(), "duplicate");
    let codes = |list: Vec<KeyAccount>| list.into_iter().map(|a| a.code).collect::<Vec<_>>();
    let all = AccountFilter::default();
    assert_eq!(
        codes(f.desk.key_accounts(&f.agent, &all).await.unwrap()),
        ["KA-ALPHA"]
    );
    assert_eq!(
        codes(f.desk.key_accounts(&other, &all).await.unwrap()),
        ["KA-BETA"]
    );
    assert_eq!(
        codes(f.desk.key_accounts(&head, &all).await.unwrap()),
        ["KA-ALPHA", "KA-BETA"]
    );
    // Search finds only within what one may see.
    let search = |q: &str| AccountFilter {
        q: Some(q.into()),
        ..Default::default()
    };
    assert!(
        f.desk
            .key_accounts(&f.agent, &search("贝塔"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        codes(f.desk.key_accounts(&head, &search("贝塔")).await.unwrap()),
        ["KA-BETA"]
    );
    assert_eq!(
        codes(
            f.desk
                .key_accounts(&f.agent, &search("alpha"))
                .await
                .unwrap()
        ),
        ["KA-ALPHA"],
        "case-insensitive"
    );
    assert!(
        f.desk
            .key_accounts(&head, &search("%"))
            .await
            .unwrap()
            .is_empty(),
        "% is literal"
    );
    // Another's account does not exist for an assistant, nor any part of it.
    let id = theirs.id.to_string();
    assert!(is_not_found(
        &f.desk.key_account(&f.agent, &id).await.unwrap_err()
    ));
    assert!(is_not_found(
        &f.desk
            .key_account_gradings(&f.agent, &id)
            .await
            .unwrap_err()
    ));
    assert!(is_not_found(
        &f.desk
            .put_key_account_contact(
                &f.agent,
                &id,
                None,
                &ContactDraft {
                    name: "王经理".into(),
                    phone: "13800000000".into(),
                    ..Default::default()
                }
            )
            .await
            .unwrap_err()
    ));
    assert!(is_not_found(
        &f.desk
            .download_key_account_file(&f.agent, &id)
            .await
            .unwrap_err()
    ));
    // The assistant keeps their own account's contacts and file.
    let own = mine.id.to_string();
    let with_contact = f
        .desk
        .put_key_account_contact(
            &f.agent,
            &own,
            None,
            &ContactDraft {
                name: "张总".into(),
                title: "物流总监".into(),
                phone: "13800000001".into(),
                is_management: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(with_contact.contacts.len(), 1);
    assert!(with_contact.contacts[0].is_management);
    f.desk
        .put_key_account_file_entry(
            &f.agent,
            &own,
            None,
            &FileEntryDraft {
                role: FileRole::Shipper,
                name: "阿尔法东莞仓".into(),
                address: "广东省东莞市长安镇".into(),
                contact: "李仓管".into(),
                phone: "0769-88888888".into(),
            },
        )
        .await
        .unwrap();
    // …but neither assigns, grades nor files prices: that is the head's.
    let refused = f
        .desk
        .set_key_account_assistants(&f.agent, &own, &["agent02".into()])
        .await
        .unwrap_err();
    assert!(matches!(refused, DomainError::Forbidden(_)));
    // Other roles see none.
    for who in [&finance] {
        assert!(matches!(
            f.desk.key_accounts(who, &all).await.unwrap_err(),
            DomainError::Forbidden(_)
        ));
        assert!(matches!(
            f.desk.key_account(who, &own).await.unwrap_err(),
            DomainError::Forbidden(_)
        ));
    }
    // Reassigned: the account moves to the other assistant.
    f.desk
        .set_key_account_assistants(&head, &own, &["agent02".into()])
        .await
        .unwrap();
    assert!(
        f.desk
            .key_accounts(&f.agent, &all)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        codes(f.desk.key_accounts(&other, &all).await.unwrap()),
        ["KA-ALPHA", "KA-BETA"]
    );
    // Only agents assist.
    let e = f
        .desk
        .set_key_account_assistants(&head, &own, &["fin01".into()])
        .await
        .unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field, .. } if field == "assistants.0"));
    // The download is audited.
    f.desk.download_key_account_file(&head, &own).await.unwrap();
    let audit = f
        .desk
        .store()
        .audit_entries(None, 100)
        .await
        .unwrap_or_default();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "key_account_file_downloaded"
                && e.subject == "key_account:KA-ALPHA"),
        "{audit:?}"
    );
}

pub async fn key_account_gradings_are_computed_kept_and_superseded(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    let a = account(&f, "KA-GAMMA", "伽马医药", &["agent01"]).await;
    let id = a.id.to_string();
    let live = f
        .desk
        .change_key_account(
            &f.admin,
            &id,
            &AccountPatch {
                go_live_on: Some(Some("2026-05-31".parse().unwrap())),
                status: Some(AccountStatus::Handover),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Ungraded: one month of hand-over.
    assert_eq!(live.handover_ends_on, Some("2026-06-30".parse().unwrap()));
    // 600,000 yuan: 76.0 points, grade 2 (see the model's hand-computed test).
    let (after, first) = f
        .desk
        .record_key_account_grading(&f.admin, &id, &grading("2026Q3", 600_000.0))
        .await
        .unwrap();
    assert_eq!((first.score, first.grade), (76.0, 2));
    assert_eq!(after.grade, Some(2));
    // A key account's hand-over is three months.
    assert_eq!(after.handover_ends_on, Some("2026-08-31".parse().unwrap()));
    // Revenue corrected to 80,000: 2400 → 600, 58.0, grade 3; the first record stays.
    let (after, again) = f
        .desk
        .record_key_account_grading(&f.admin, &id, &grading("2026Q3", 80_000.0))
        .await
        .unwrap();
    assert_eq!((again.score, again.grade), (58.0, 3));
    assert_eq!(again.supersedes.as_deref(), Some(first.id.as_str()));
    assert_eq!(after.grade, Some(3));
    let history = f.desk.key_account_gradings(&f.agent, &id).await.unwrap();
    assert_eq!(history, [first.clone(), again.clone()]);
    // The grade filter follows.
    let of_grade = |g| AccountFilter {
        grade: Some(g),
        ..Default::default()
    };
    assert_eq!(
        f.desk
            .key_accounts(&f.admin, &of_grade(3))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        f.desk
            .key_accounts(&f.admin, &of_grade(2))
            .await
            .unwrap()
            .is_empty()
    );
    // The quarter under way cannot be graded; an assistant cannot grade; nothing was written.
    let e = f
        .desk
        .record_key_account_grading(&f.admin, &id, &grading("2026Q4", 1.0))
        .await
        .unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field, .. } if field == "quarter"));
    let e = f
        .desk
        .record_key_account_grading(&f.agent, &id, &grading("2026Q2", 1.0))
        .await
        .unwrap_err();
    assert!(matches!(e, DomainError::Forbidden(_)));
    let mut bad = grading("2026Q2", 1.0);
    bad.difficulty = 9;
    let e = f
        .desk
        .record_key_account_grading(&f.admin, &id, &bad)
        .await
        .unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field, .. } if field == "difficulty"));
    assert_eq!(
        f.desk
            .key_account_gradings(&f.admin, &id)
            .await
            .unwrap()
            .len(),
        2
    );
    // The grid is a validated setting: weights that do not sum to 100 are refused.
    let mut grid = f.desk.get_setting(&f.admin, "key_accounts").await.unwrap();
    grid["criteria"]["revenue"]["weight"] = 50.into();
    let e = f
        .desk
        .put_setting(&f.admin, "key_accounts", grid)
        .await
        .unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field, .. } if field == "criteria"));
}

pub async fn key_account_reminders_fall_due_on_the_right_days(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    // 2027-02-28 10:00 Beijing.
    f.clock.set(at("2027-02-28T02:00:00Z"));
    let a = account(&f, "KA-DELTA", "德尔塔汽车", &["agent01"]).await;
    let id = a.id.to_string();
    let a = f
        .desk
        .put_key_account_document(&f.agent, &id, None, &contract("HT-APR", "2027-04-30"))
        .await
        .unwrap();
    let april = a.documents[0].id.clone();
    f.desk
        .put_key_account_document(&f.agent, &id, None, &contract("HT-MAR", "2027-03-31"))
        .await
        .unwrap();
    f.desk
        .put_key_account_document(&f.agent, &id, None, &contract("HT-JUN", "2027-06-30"))
        .await
        .unwrap();
    f.desk
        .change_key_account(
            &f.admin,
            &id,
            &AccountPatch {
                go_live_on: Some(Some("2026-06-01".parse().unwrap())),
                status: Some(AccountStatus::Handover),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let due = f.desk.key_account_reminders(&f.agent).await.unwrap();
    let seen: Vec<(ReminderKind, String, bool)> = due
        .iter()
        .map(|r| (r.kind, r.due_on.to_string(), r.overdue))
        .collect();
    assert_eq!(
        seen,
        [
            // 2026Q4 was not graded: due the day it ended.
            (ReminderKind::Grading, "2027-01-01".to_string(), true),
            // 31 March − 2 months: 31 January.
            (ReminderKind::Renewal, "2027-01-31".to_string(), true),
            // The file was never reviewed: due since the 1st of this month.
            (ReminderKind::FileReview, "2027-02-01".to_string(), true),
            // 30 April − 2 months: the end of February, today.
            (ReminderKind::Renewal, "2027-02-28".to_string(), false),
        ]
    );
    // The June contract falls due on 30 April: not yet. Others see nothing of this account.
    let other = user(&f, "agent02", Role::Agent, "service").await;
    assert!(
        f.desk
            .key_account_reminders(&other)
            .await
            .unwrap()
            .is_empty()
    );
    // Contacted, graded and reviewed: cleared one by one.
    f.desk
        .record_key_account_contacted(&f.agent, &id, &april, "客户同意续签")
        .await
        .unwrap();
    f.desk
        .record_key_account_grading(&f.admin, &id, &grading("2026Q4", 600_000.0))
        .await
        .unwrap();
    f.desk
        .mark_key_account_file_reviewed(&f.agent, &id)
        .await
        .unwrap();
    let due = f.desk.key_account_reminders(&f.admin).await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(
        (due[0].kind, due[0].due_on.to_string()),
        (ReminderKind::Renewal, "2027-01-31".into())
    );
    // A month on, the file is due again.
    f.clock.set(at("2027-03-01T02:00:00Z"));
    let due = f.desk.key_account_reminders(&f.admin).await.unwrap();
    assert!(
        due.iter()
            .any(|r| r.kind == ReminderKind::FileReview && r.due_on.to_string() == "2027-03-01")
    );
}

pub async fn key_account_prices_are_filed_before_use_and_kept_in_scope(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    let a = account(&f, "KA-EPSILON", "艾普西隆家电", &["agent01"]).await;
    let id = a.id.to_string();
    let price = |service: &str, route: &str| PriceDraft {
        service: service.into(),
        route: route.into(),
        unit: "trip".into(),
        price_fen: 450_000,
        effective_from: "2026-01-01".parse().unwrap(),
        effective_to: Some("2026-12-31".parse().unwrap()),
    };
    // No document yet: nothing is in scope.
    let e = f
        .desk
        .add_key_account_price(&f.agent, &id, &price("整车", "广东-上海"))
        .await
        .unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field, .. } if field == "service"));
    f.desk
        .put_key_account_document(&f.agent, &id, None, &contract("HT-1", "2027-12-31"))
        .await
        .unwrap();
    let e = f
        .desk
        .add_key_account_price(&f.agent, &id, &price("整车", "广东-成都"))
        .await
        .unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field, .. } if field == "route"));
    let e = f
        .desk
        .add_key_account_price(&f.agent, &id, &price("冷链", "广东-上海"))
        .await
        .unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field, .. } if field == "service"));
    let with_price = f
        .desk
        .add_key_account_price(&f.agent, &id, &price("整车", "广东-上海"))
        .await
        .unwrap();
    let p = &with_price.prices[0];
    assert_eq!(p.status, PriceStatus::Draft);
    let on = "2026-06-01".parse().unwrap();
    let e = f
        .desk
        .key_account_price(&f.agent, &id, "整车", "广东-上海", on)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "price_not_filed");
    let e = f
        .desk
        .key_account_price(&f.agent, &id, "零担", "广东-上海", on)
        .await
        .unwrap_err();
    assert!(is_not_found(&e));
    // Only the head files.
    let e = f
        .desk
        .file_key_account_price(&f.agent, &id, &p.id)
        .await
        .unwrap_err();
    assert!(matches!(e, DomainError::Forbidden(_)));
    let filed = f
        .desk
        .file_key_account_price(&f.admin, &id, &p.id)
        .await
        .unwrap();
    assert_eq!(filed.prices[0].status, PriceStatus::Filed);
    assert_eq!(filed.prices[0].filed_by.as_deref(), Some("user:admin"));
    let found = f
        .desk
        .key_account_price(&f.agent, &id, "整车", "广东-上海", on)
        .await
        .unwrap();
    assert_eq!(found.price_fen, 450_000);
    // Outside its days: none.
    let e = f
        .desk
        .key_account_price(
            &f.agent,
            &id,
            "整车",
            "广东-上海",
            "2027-01-01".parse().unwrap(),
        )
        .await
        .unwrap_err();
    assert!(is_not_found(&e));
    let e = f
        .desk
        .file_key_account_price(&f.admin, &id, &p.id)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "price_already_filed");
}

pub async fn key_accounts_survive_export_import(store: Arc<dyn Store>, target: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let a = account(&f, "KA-ZETA", "泽塔食品", &["agent01"]).await;
    let id = a.id.to_string();
    f.desk
        .put_key_account_document(&f.agent, &id, None, &contract("HT-Z", "2027-06-30"))
        .await
        .unwrap();
    f.desk
        .put_key_account_contact(
            &f.agent,
            &id,
            None,
            &ContactDraft {
                name: "赵总".into(),
                email: "zhao@zeta.example".into(),
                is_management: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    f.desk
        .record_key_account_grading(&f.admin, &id, &grading("2026Q2", 600_000.0))
        .await
        .unwrap();
    f.desk
        .record_key_account_grading(&f.admin, &id, &grading("2026Q3", 80_000.0))
        .await
        .unwrap();
    let lines = crate::import_into(store.as_ref(), target.as_ref()).await;
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("\"table\":\"key_account\""))
            .count(),
        1
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("\"table\":\"key_account_grading\""))
            .count(),
        2
    );
    let mut again = Vec::new();
    kefu_desk::export::export_all(target.as_ref(), &mut |l| {
        again.push(l);
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(again, lines);
    // The imported store goes on: the assistant still sees their account, graded 3.
    let g = f.desk.on_store(target.clone());
    let list = g
        .key_accounts(&f.agent, &AccountFilter::default())
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].grade, Some(3));
    assert_eq!(
        g.key_account_gradings(&f.agent, &id).await.unwrap().len(),
        2
    );
}
