//! Demo knowledge base: the shipped articles with owners, one article of the centre's own
//! (version 2, with history), two reviews overdue, readers' votes, and questions of the last
//! days that found nothing good, so the gaps report and the review list have something to show.

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Desk;
use kefu_model::kb::{ArticleDraft, ArticleText, GapSource};
use kefu_model::knowledge::Reader;
use kefu_model::{Actor, DomainError, FixedClock};

/// Questions customers asked that no article answered (question, days ago, where).
const GAPS: &[(&str, i64, GapSource)] = &[
    ("你们招聘快递员吗", 1, GapSource::Portal),
    ("你们招聘快递员吗？", 3, GapSource::Bot),
    ("可以寄到国外吗", 2, GapSource::Bot),
    ("能寄到国外吗？", 5, GapSource::Portal),
    ("寄到美国多少钱", 6, GapSource::Bot),
    ("快递柜取件码丢了", 2, GapSource::Portal),
    ("冷链生鲜能寄吗", 4, GapSource::Bot),
];

/// (article, helpful votes, not helpful, a comment of a not-helpful vote)
const VOTES: &[(&str, u32, u32, Option<&str>)] = &[
    ("seed-damage-claim", 14, 2, Some("没写多久能到账")),
    ("seed-track-parcel", 22, 1, None),
    (
        "seed-lithium-batteries",
        9,
        4,
        Some("充电宝到底多少毫安能寄没说清楚"),
    ),
    ("seed-prices-weight", 6, 5, Some("看不懂体积重量怎么算")),
    ("seed-book-pickup", 11, 0, None),
];

fn text(title: &str, body: &str) -> Option<ArticleText> {
    Some(ArticleText {
        title: title.into(),
        body: body.into(),
    })
}

pub async fn seed(desk: &Desk, now: Timestamp) -> Result<(), DomainError> {
    let Some(supervisor) = desk.store().user_by_username("supervisor").await? else {
        return Ok(());
    };
    let supervisor = Actor::of(&supervisor);
    let clock = std::sync::Arc::new(FixedClock::new(
        now.checked_sub(SignedDuration::from_hours(24 * 20))
            .unwrap_or(now),
    ));
    let at = desk.clone().with_clock(clock.clone());
    // The centre's own article, written three weeks ago and corrected since.
    let own = at
        .create_article(
            &supervisor,
            ArticleDraft {
                category: "service".into(),
                tags: vec!["春节".into(), "停发".into()],
                audience: "public".into(),
                intents: vec!["delay".into()],
                zh: text(
                    "2027 年春节期间收寄和派送安排",
                    "春节期间部分网点暂停收寄，派送会比平时慢 1–3 天，节后陆续恢复。\n\n## 建议\n- 急件请在节前三天寄出\n- 节后到件请留意短信通知",
                ),
                en: text(
                    "Sending and delivery over the 2027 Spring Festival",
                    "Some outlets stop taking parcels over the Spring Festival and deliveries take 1–3 days longer; service returns to normal after the holiday.",
                ),
                change_note: Some("初稿".into()),
                ..ArticleDraft::default()
            },
        )
        .await?;
    clock.set(
        now.checked_sub(SignedDuration::from_hours(24 * 6))
            .unwrap_or(now),
    );
    at.update_article(
        &supervisor,
        &own.id,
        ArticleDraft {
            category: own.category.clone(),
            tags: own.tags.clone(),
            audience: "public".into(),
            intents: vec!["delay".into()],
            zh: text(
                "2027 年春节期间收寄和派送安排",
                "春节期间部分网点暂停收寄，派送会比平时慢 1–3 天，节后陆续恢复；停发网点以网点公告为准。\n\n## 建议\n- 急件请在节前三天寄出\n- 节后到件请留意短信通知",
            ),
            en: own.en.clone(),
            change_note: Some("补充：停发网点以公告为准".into()),
            base_version: Some(1),
            ..ArticleDraft::default()
        },
    )
    .await?;
    // Two reviews overdue: the supervisor's to-do list.
    for id in ["seed-coverage-remote", "seed-internal-complaint-escalation"] {
        let a = at.get_article(Reader::Staff(&supervisor), id).await?;
        at.update_article(
            &supervisor,
            id,
            ArticleDraft {
                category: a.category.clone(),
                tags: a.tags.clone(),
                audience: a.audience.as_str().into(),
                owner: Some("supervisor".into()),
                review_by: now
                    .checked_sub(SignedDuration::from_hours(24 * 3))
                    .ok()
                    .map(|t| desk.time_zone().to_datetime(t).date()),
                intents: a.intents.iter().map(|i| i.as_str().to_string()).collect(),
                zh: a.zh.clone(),
                en: a.en.clone(),
                change_note: Some("指定负责人".into()),
                base_version: Some(a.version),
            },
        )
        .await?;
    }
    clock.set(now);
    for (id, yes, no, comment) in VOTES {
        for i in 0..(yes + no) {
            let helpful = i < *yes;
            let said = if helpful || i + 1 < yes + no {
                None
            } else {
                *comment
            };
            at.article_feedback(Reader::Public, id, helpful, said, GapSource::Portal)
                .await?;
        }
    }
    for (question, days_ago, source) in GAPS {
        clock.set(
            now.checked_sub(SignedDuration::from_hours(24 * days_ago))
                .unwrap_or(now),
        );
        at.record_gap(*source, question, None).await?;
    }
    Ok(())
}
