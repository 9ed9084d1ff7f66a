//! Contract checks for canned replies and macros: who sees which template, search while
//! typing, filling a template in with and without a parcel, macros applied all or nothing, and
//! templates in the export.

use std::sync::Arc;

use kefu_desk::Store;
use kefu_model::canned::{CannedDraft, MacroActions, TemplateLanguage, TemplateScope};
use kefu_model::export::ExportRecord;
use kefu_model::replies::CannedFilter;
use kefu_model::shipment::ShipmentDraft;
use kefu_model::{Case, Category, DomainError, Priority, Role, Status};

use crate::{customer, draft, fixture, own_waybill, shipment_json, user};

fn personal(title: &str, body: &str) -> CannedDraft {
    CannedDraft {
        title: title.into(),
        body: body.into(),
        scope: TemplateScope::Personal,
        department: None,
        tags: vec![],
        language: TemplateLanguage::Zh,
        actions: None,
    }
}

fn team(title: &str, body: &str, department: Option<&str>) -> CannedDraft {
    CannedDraft {
        scope: TemplateScope::Team,
        department: department.map(Into::into),
        ..personal(title, body)
    }
}

fn titles(list: &[kefu_model::canned::CannedReply]) -> Vec<String> {
    list.iter().map(|r| r.title.clone()).collect()
}

fn search(q: &str) -> CannedFilter {
    CannedFilter {
        q: Some(q.into()),
        ..CannedFilter::default()
    }
}

/// Team templates of one's department or everyone's, one's own personal ones; someone else's
/// personal template is not found; search matches title, body and tags, literally; the shipped
/// replies install once and an archived one stays archived.
pub async fn canned_replies_are_scoped_and_searchable(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_seed_replies().await.unwrap();
    f.desk.install_seed_replies().await.unwrap();
    let everything = f
        .desk
        .list_canned(&f.agent, &CannedFilter::default())
        .await
        .unwrap();
    let seeded = kefu_model::canned::seeded_replies(crate::start_time()).len();
    assert_eq!(everything.len(), seeded, "installed once");
    let ops_agent = user(&f, "ops02", Role::Agent, "ops").await;
    let mine = f
        .desk
        .create_canned(
            &f.agent,
            CannedDraft {
                tags: vec!["个人".into()],
                ..personal("我的签收确认", "{{customer_name}}您好，快件已签收。")
            },
        )
        .await
        .unwrap();
    assert_eq!(mine.owner_id.as_ref(), Some(&f.agent.user_id));
    f.desk
        .create_canned(
            &f.admin,
            team("运营部专用说明", "网点已安排加派。", Some("ops")),
        )
        .await
        .unwrap();
    f.desk
        .create_canned(
            &f.admin,
            team("客服部专用说明", "100%会处理_好。", Some("service")),
        )
        .await
        .unwrap();

    let seen = titles(
        &f.desk
            .list_canned(&f.agent, &CannedFilter::default())
            .await
            .unwrap(),
    );
    assert!(seen.contains(&"我的签收确认".to_string()));
    assert!(seen.contains(&"客服部专用说明".to_string()));
    assert!(!seen.contains(&"运营部专用说明".to_string()));
    assert_eq!(seen.len(), seeded + 2);
    let other = titles(
        &f.desk
            .list_canned(&ops_agent, &CannedFilter::default())
            .await
            .unwrap(),
    );
    assert!(other.contains(&"运营部专用说明".to_string()));
    assert!(!other.contains(&"我的签收确认".to_string()));
    assert!(!other.contains(&"客服部专用说明".to_string()));
    assert!(matches!(
        f.desk.get_canned(&ops_agent, &mine.id).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        f.desk
            .update_canned(&ops_agent, &mine.id, personal("改", "改"))
            .await,
        Err(DomainError::NotFound(_))
    ));

    // Only personal ones, then search: title, body and tags, case-insensitively, literally.
    let only_mine = f
        .desk
        .list_canned(
            &f.agent,
            &CannedFilter {
                scope: Some(TemplateScope::Personal),
                ..CannedFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(titles(&only_mine), vec!["我的签收确认".to_string()]);
    let damage = titles(&f.desk.list_canned(&f.agent, &search("破损")).await.unwrap());
    assert!(damage.contains(&"破损登记".to_string()), "{damage:?}");
    assert!(damage.iter().all(|t| !t.contains("问候")));
    let by_tag = titles(&f.desk.list_canned(&f.agent, &search("个人")).await.unwrap());
    assert_eq!(by_tag, vec!["我的签收确认".to_string()]);
    let by_body = titles(
        &f.desk
            .list_canned(&f.agent, &search("签收。"))
            .await
            .unwrap(),
    );
    assert_eq!(by_body, vec!["我的签收确认".to_string()]);
    let literal = titles(&f.desk.list_canned(&f.agent, &search("0%会")).await.unwrap());
    assert_eq!(literal, vec!["客服部专用说明".to_string()]);
    assert!(
        f.desk
            .list_canned(&f.agent, &search("%"))
            .await
            .unwrap()
            .len()
            == 1,
        "% is a character, not a wildcard"
    );
    let macros = f
        .desk
        .list_canned(
            &f.agent,
            &CannedFilter {
                macros: Some(true),
                ..CannedFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(!macros.is_empty() && macros.iter().all(|m| m.is_macro()));

    // Refused drafts write nothing.
    match f
        .desk
        .create_canned(&f.agent, personal("坏模板", "您好 {{custmer_name}}"))
        .await
    {
        Err(DomainError::Invalid { field, message }) => {
            assert_eq!(field, "body");
            assert!(message.contains("custmer_name"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        f.desk
            .create_canned(&f.agent, team("代表全组", "好的", None))
            .await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        f.desk
            .create_canned(&f.agent, personal(&"长".repeat(101), "好的"))
            .await,
        Err(DomainError::Invalid { field, .. }) if field == "title"
    ));
    assert!(matches!(
        f.desk
            .create_canned(&f.agent, personal("控制字符", "好\u{7}的"))
            .await,
        Err(DomainError::Invalid { field, .. }) if field == "body"
    ));
    assert_eq!(
        f.desk
            .list_canned(&f.agent, &CannedFilter::default())
            .await
            .unwrap()
            .len(),
        seeded + 2
    );

    // An archived shipped reply stays archived when the shipped ones are installed again;
    // agents may not archive team templates.
    assert!(matches!(
        f.desk.archive_canned(&f.agent, "seed-closing").await,
        Err(DomainError::Forbidden(_))
    ));
    f.desk
        .archive_canned(&f.admin, "seed-closing")
        .await
        .unwrap();
    f.desk.install_seed_replies().await.unwrap();
    let after = titles(
        &f.desk
            .list_canned(&f.agent, &CannedFilter::default())
            .await
            .unwrap(),
    );
    assert!(!after.contains(&"结束语".to_string()));
    assert_eq!(after.len(), seeded + 1);
    assert!(
        store
            .canned_reply("seed-closing")
            .await
            .unwrap()
            .unwrap()
            .archived
    );
    // The owner edits their own; the owner stays.
    let edited = f
        .desk
        .update_canned(
            &f.agent,
            &mine.id,
            personal("我的签收确认（新）", "已签收。"),
        )
        .await
        .unwrap();
    assert_eq!(edited.owner_id.as_ref(), Some(&f.agent.user_id));
    assert_eq!(edited.created_at, mine.created_at);
    assert_eq!(
        store.canned_reply(&mine.id).await.unwrap().unwrap().title,
        "我的签收确认（新）"
    );
}

/// Variables are filled from the case, its customer, the latest parcel and the agent; missing
/// values show a placeholder, never an empty string.
pub async fn canned_replies_render_with_and_without_a_shipment(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_seed_replies().await.unwrap();
    let created = f
        .desk
        .create_case(
            &f.agent,
            draft("快递一直没到", customer("王小明", "13812345678")),
            None,
        )
        .await
        .unwrap();
    let case = created.case;
    let bare = f
        .desk
        .render_canned(&f.agent, case.id.as_str(), "seed-delay-apology")
        .await
        .unwrap();
    assert!(bare.text.starts_with("王小明您好"), "{}", bare.text);
    assert!(bare.text.contains("（暂无运单）"), "{}", bare.text);
    assert!(bare.text.contains("（暂无物流信息）"), "{}", bare.text);
    assert!(bare.text.contains(&case.number), "{}", bare.text);
    assert!(!bare.text.contains("{{"), "{}", bare.text);
    assert_eq!(bare.missing, vec!["waybill", "latest_status", "reply_by"]);
    assert!(
        bare.text.contains("（请先登记承诺回复时间）"),
        "{}",
        bare.text
    );
    // Once the case promises a reply time, the apology names it (Beijing time).
    f.desk
        .make_commitment(
            &f.agent,
            case.id.as_str(),
            kefu_model::drafts::CommitmentDraft {
                due_at: "2026-11-24T08:30:00Z".parse().unwrap(),
                note: "回复催件结果".into(),
                remind_before_minutes: None,
            },
        )
        .await
        .unwrap();
    let promised = f
        .desk
        .render_canned(&f.agent, case.id.as_str(), "seed-delay-apology")
        .await
        .unwrap();
    assert!(
        promised.text.contains("会在 11月24日 16:30 前"),
        "{}",
        promised.text
    );
    assert_eq!(promised.missing, vec!["waybill", "latest_status"]);
    let greeting = f
        .desk
        .render_canned(&f.agent, &case.number, "seed-greeting")
        .await
        .unwrap();
    assert!(
        greeting.text.contains("李客服为您服务"),
        "{}",
        greeting.text
    );

    // With a parcel on file: number, status with the last scan, promised time (Beijing).
    let no = own_waybill(71);
    let shipment: ShipmentDraft = serde_json::from_value({
        let mut v = shipment_json(&no, "13900001111", "13812345678");
        v["events"] = serde_json::json!([
            {"at": "2026-11-23T01:00:00Z", "code": "picked_up", "location": "深圳南山网点"},
            {"at": "2026-11-23T12:30:00Z", "code": "in_transit", "location": "杭州转运中心"}
        ]);
        v
    })
    .unwrap();
    f.desk.upsert_shipment(&f.admin, &shipment).await.unwrap();
    f.desk
        .update_case(
            &f.agent,
            case.id.as_str(),
            kefu_model::drafts::CasePatch {
                waybill_no: Some(no.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let full = f
        .desk
        .render_canned(&f.agent, case.id.as_str(), "seed-delivery-eta")
        .await
        .unwrap();
    assert!(full.text.contains(&no), "{}", full.text);
    assert!(
        full.text.contains("运输中（11月23日 20:30 杭州转运中心）"),
        "{}",
        full.text
    );
    assert!(full.text.contains("11月25日 18:00"), "{}", full.text);
    assert!(full.missing.is_empty(), "{:?}", full.missing);
    // English templates get English placeholders.
    let en = f
        .desk
        .create_canned(
            &f.agent,
            CannedDraft {
                language: TemplateLanguage::En,
                ..personal(
                    "en",
                    "Dear {{customer_name}}, parcel {{waybill}}: {{latest_status}}",
                )
            },
        )
        .await
        .unwrap();
    let other = f
        .desk
        .create_case(
            &f.agent,
            draft("where is it", customer("Alice", "13812340000")),
            None,
        )
        .await
        .unwrap();
    let text = f
        .desk
        .render_canned(&f.agent, other.case.id.as_str(), &en.id)
        .await
        .unwrap()
        .text;
    assert_eq!(
        text,
        "Dear Alice, parcel (no waybill yet): (no tracking yet)"
    );
}

/// A macro's reply and field changes are events of one append; when any part is refused,
/// nothing is written.
pub async fn macros_apply_all_or_nothing(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_seed_replies().await.unwrap();
    let case = f
        .desk
        .create_case(
            &f.agent,
            draft("想问一下快件的事", customer("赵敏", "13700001111")),
            None,
        )
        .await
        .unwrap()
        .case;
    let before = store.case_events(&case.id).await.unwrap().len();
    let (after, events) = f
        .desk
        .apply_macro(&f.agent, case.id.as_str(), "seed-macro-damage")
        .await
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.data.type_name()).collect();
    for k in [
        "message_added",
        "status_changed",
        "category_changed",
        "priority_changed",
        "tags_changed",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert_eq!(after.category, Category::Damaged);
    assert_eq!(after.priority, Priority::P2);
    assert_eq!(after.status, Status::Open);
    assert!(after.tags.contains(&"破损登记".to_string()));
    let stored = store.case_by_id(&case.id).await.unwrap().unwrap();
    assert_eq!(stored, after);
    let history = store.case_events(&case.id).await.unwrap();
    assert_eq!(history.len(), before + events.len());
    assert_eq!(Case::replay(&history).unwrap(), stored);
    let reply = history
        .iter()
        .find_map(|e| match &e.data {
            kefu_model::EventData::MessageAdded { body, .. } => Some(body.clone()),
            _ => None,
        })
        .unwrap();
    assert!(reply.starts_with("赵敏您好"), "{reply}");
    assert!(reply.contains(&case.number));
    // Applying it again adds the reply only: the fields are already set.
    let (_, again) = f
        .desk
        .apply_macro(&f.agent, case.id.as_str(), "seed-macro-damage")
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|e| e.data.type_name()).collect::<Vec<_>>(),
        vec!["message_added"]
    );

    // A macro whose status the case cannot take: nothing at all is written.
    let bad = f
        .desk
        .create_canned(
            &f.agent,
            CannedDraft {
                actions: Some(MacroActions {
                    status: Some(Status::Closed),
                    category: Some(Category::Complaint),
                    add_tags: vec!["直接关闭".into()],
                    ..MacroActions::default()
                }),
                ..personal("直接关闭", "{{customer_name}}您好，工单已关闭。")
            },
        )
        .await
        .unwrap();
    let fresh = f
        .desk
        .create_case(
            &f.agent,
            draft("咨询", customer("周芷若", "13700002222")),
            None,
        )
        .await
        .unwrap()
        .case;
    let events_before = store.case_events(&fresh.id).await.unwrap();
    match f
        .desk
        .apply_macro(&f.agent, fresh.id.as_str(), &bad.id)
        .await
    {
        Err(DomainError::Conflict { code, .. }) => assert_eq!(code, "invalid_transition"),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.case_events(&fresh.id).await.unwrap(), events_before);
    assert_eq!(store.case_by_id(&fresh.id).await.unwrap().unwrap(), fresh);
    // A plain reply is no macro; a readonly user applies none.
    assert!(matches!(
        f.desk
            .apply_macro(&f.agent, fresh.id.as_str(), "seed-greeting")
            .await,
        Err(DomainError::Invalid { field, .. }) if field == "macro"
    ));
    let viewer = user(&f, "viewer", Role::Readonly, "service").await;
    assert!(matches!(
        f.desk
            .apply_macro(&viewer, fresh.id.as_str(), "seed-macro-damage")
            .await,
        Err(DomainError::Forbidden(_))
    ));
    assert_eq!(store.case_events(&fresh.id).await.unwrap(), events_before);
}

/// Templates travel in the dump, archived ones and personal ones included, and the dump's
/// version wins over the shipped replies a fresh target installed.
pub async fn canned_replies_survive_export_import(store: Arc<dyn Store>, target: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_seed_replies().await.unwrap();
    f.desk
        .create_canned(&f.agent, personal("我的模板", "{{case_number}} 已处理"))
        .await
        .unwrap();
    f.desk
        .archive_canned(&f.admin, "seed-closing")
        .await
        .unwrap();
    let lines = crate::dump(store.as_ref()).await;
    let exported = lines
        .iter()
        .skip(1)
        .map(|l| serde_json::from_str::<ExportRecord>(l).unwrap())
        .filter(|r| matches!(r, ExportRecord::CannedReply(_)))
        .count();
    assert_eq!(
        exported,
        kefu_model::canned::seeded_replies(crate::start_time()).len() + 1
    );
    // A target that was started once has the shipped replies, not archived.
    let there_desk = f.desk.on_store(target.clone());
    there_desk.install_seed_replies().await.unwrap();
    crate::load(target.as_ref(), &lines).await;
    let all = CannedFilter::default();
    let there = there_desk.list_canned(&f.agent, &all).await.unwrap();
    assert_eq!(there, f.desk.list_canned(&f.agent, &all).await.unwrap());
    assert!(there.iter().any(|r| r.title == "我的模板"));
    assert!(
        target
            .canned_reply("seed-closing")
            .await
            .unwrap()
            .unwrap()
            .archived
    );
}
