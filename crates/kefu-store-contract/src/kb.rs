//! Contract checks for the knowledge base: versions written with the article (and refused
//! over a newer one), lists by category, audience, intent and review date, feedback counts,
//! gaps, the search outbox, and everything in the export.

use std::sync::Arc;

use kefu_desk::Store;
use kefu_model::export::ExportRecord;
use kefu_model::kb::{ArticleDraft, ArticleText, GapSource};
use kefu_model::knowledge::{ArticleFilter, Reader};
use kefu_model::nlu::Intent;
use kefu_model::records::ArticleQuery;
use kefu_model::{DomainError, StoreError};

use crate::fixture;

fn article(title: &str) -> ArticleDraft {
    ArticleDraft {
        category: "claims".into(),
        tags: vec!["理赔".into()],
        audience: "public".into(),
        intents: vec!["claim".into()],
        zh: Some(ArticleText {
            title: title.into(),
            body: "拍照留证，24 小时内联系客服。".into(),
        }),
        ..ArticleDraft::default()
    }
}

/// Each save is a version kept whole; a save over a newer version is refused and writes
/// nothing; lists filter in the store; shipped articles install once.
pub async fn articles_keep_every_version(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_seed_articles().await.unwrap();
    f.desk.install_seed_articles().await.unwrap();
    let shipped = f
        .desk
        .list_articles(Reader::Staff(&f.agent), &ArticleFilter::default())
        .await
        .unwrap();
    assert!(shipped.len() >= 10, "{}", shipped.len());
    let head = store.search_outbox_head().await.unwrap();
    let a = f
        .desk
        .create_article(&f.agent, article("破损怎么赔"))
        .await
        .unwrap();
    let outbox = store
        .search_outbox(head, crate::start_time(), 100)
        .await
        .unwrap();
    assert!(
        outbox
            .iter()
            .any(|e| e.kind == "article" && e.entity_id == a.id),
        "{outbox:?}"
    );
    let v2 = f
        .desk
        .update_article(
            &f.agent,
            &a.id,
            ArticleDraft {
                base_version: Some(1),
                change_note: Some("补充时限".into()),
                ..article("破损了怎么理赔")
            },
        )
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    // Stale: refused, nothing written.
    let stale = f
        .desk
        .update_article(
            &f.admin,
            &a.id,
            ArticleDraft {
                base_version: Some(1),
                ..article("覆盖")
            },
        )
        .await;
    assert!(matches!(
        stale,
        Err(DomainError::Store(StoreError::VersionConflict))
    ));
    // The store itself refuses a version that does not follow the stored one.
    let mut forged = v2.clone();
    forged.version = 3;
    assert!(matches!(
        store
            .put_article(
                &forged,
                kefu_model::records::ArticleWrite::Update {
                    expected_version: 1
                }
            )
            .await,
        Err(StoreError::Backend(_))
    ));
    assert!(matches!(
        store
            .put_article(&v2, kefu_model::records::ArticleWrite::Create)
            .await,
        Err(StoreError::Duplicate(_))
    ));
    let history = store.article_versions(&a.id, 10).await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(history[1].title(false), "破损怎么赔");
    assert_eq!(history[0].change_note, "补充时限");
    assert_eq!(
        store
            .article_version(&a.id, 1)
            .await
            .unwrap()
            .unwrap()
            .title(false),
        "破损怎么赔"
    );
    assert_eq!(store.article(&a.id).await.unwrap().unwrap().version, 2);
    // Filters.
    let by = |q: ArticleQuery| {
        let store = store.clone();
        async move {
            store
                .list_articles(&ArticleQuery { limit: 100, ..q })
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.id)
                .collect::<Vec<_>>()
        }
    };
    let claims = by(ArticleQuery {
        category: Some("claims".into()),
        ..ArticleQuery::default()
    })
    .await;
    assert!(claims.contains(&a.id));
    let internal = by(ArticleQuery {
        audience: Some(kefu_model::kb::ArticleAudience::Internal),
        ..ArticleQuery::default()
    })
    .await;
    assert!(!internal.is_empty() && !internal.contains(&a.id));
    let invoice = by(ArticleQuery {
        intent: Some(Intent::Invoice),
        ..ArticleQuery::default()
    })
    .await;
    assert_eq!(invoice, ["seed-invoices"]);
    let due = by(ArticleQuery {
        review_before: Some(v2.review_by.tomorrow().unwrap()),
        ..ArticleQuery::default()
    })
    .await;
    assert!(due.contains(&a.id));
    let not_due = by(ArticleQuery {
        review_before: Some(v2.review_by),
        ..ArticleQuery::default()
    })
    .await;
    assert!(!not_due.contains(&a.id));
    // Archived: listed only as archived.
    f.desk
        .archive_article(&f.agent, &a.id, true, 2)
        .await
        .unwrap();
    assert!(!by(ArticleQuery::default()).await.contains(&a.id));
    assert_eq!(
        by(ArticleQuery {
            archived: true,
            ..ArticleQuery::default()
        })
        .await,
        std::slice::from_ref(&a.id)
    );
}

/// Votes are counted per article, gaps read back newest first, and all of it (with every
/// version) survives an export and import.
pub async fn feedback_gaps_and_history_survive_export_import(
    store: Arc<dyn Store>,
    target: Arc<dyn Store>,
) {
    let f = fixture(store.clone()).await;
    f.desk.install_seed_articles().await.unwrap();
    let a = f
        .desk
        .create_article(&f.agent, article("丢件怎么赔"))
        .await
        .unwrap();
    f.desk
        .update_article(
            &f.agent,
            &a.id,
            ArticleDraft {
                base_version: Some(1),
                ..article("丢件了怎么赔")
            },
        )
        .await
        .unwrap();
    for helpful in [true, false, true] {
        f.desk
            .article_feedback(
                Reader::Public,
                &a.id,
                helpful,
                Some("还行"),
                GapSource::Portal,
            )
            .await
            .unwrap();
    }
    assert!(matches!(
        f.desk
            .article_feedback(
                Reader::Public,
                "seed-internal-damage-claim",
                true,
                None,
                GapSource::Portal
            )
            .await,
        Err(DomainError::NotFound(_))
    ));
    let counts = f
        .desk
        .feedback_counts(&[a.id.clone(), "seed-invoices".into()])
        .await
        .unwrap();
    assert_eq!(counts[&a.id].helpful, 2);
    assert_eq!(counts[&a.id].not_helpful, 1);
    assert!(!counts.contains_key("seed-invoices"));
    f.desk
        .record_gap(GapSource::Bot, "你们招人吗", None)
        .await
        .unwrap();
    f.desk
        .record_gap(GapSource::Portal, "你们招人吗？", Some(a.id.clone()))
        .await
        .unwrap();
    let report = f.desk.gaps_report(&f.agent, 30, 10).await.unwrap();
    assert_eq!(report.len(), 1);
    assert_eq!(report[0].count, 2);
    assert_eq!(report[0].best_article_id.as_deref(), Some(a.id.as_str()));

    let lines = crate::dump(store.as_ref()).await;
    let records: Vec<ExportRecord> = lines
        .iter()
        .skip(1)
        .map(|l| serde_json::from_str::<ExportRecord>(l).unwrap())
        .collect();
    let count = |pred: fn(&ExportRecord) -> bool| records.iter().filter(|r| pred(r)).count();
    assert_eq!(count(|r| matches!(r, ExportRecord::ArticleFeedback(_))), 3);
    assert_eq!(count(|r| matches!(r, ExportRecord::SearchGap(_))), 2);
    // Target started once: the shipped articles are there already; the dump's win.
    let there = f.desk.on_store(target.clone());
    there.install_seed_articles().await.unwrap();
    crate::load(target.as_ref(), &lines).await;
    assert_eq!(
        target.article_versions(&a.id, 10).await.unwrap(),
        store.article_versions(&a.id, 10).await.unwrap()
    );
    assert_eq!(
        target.article(&a.id).await.unwrap(),
        store.article(&a.id).await.unwrap()
    );
    assert_eq!(
        there
            .feedback_counts(std::slice::from_ref(&a.id))
            .await
            .unwrap(),
        f.desk
            .feedback_counts(std::slice::from_ref(&a.id))
            .await
            .unwrap()
    );
    assert_eq!(there.gaps_report(&f.agent, 30, 10).await.unwrap(), report);
}
