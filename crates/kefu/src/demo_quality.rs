//! Demo quality inspection (质检): an inspector's login (`qa01`), the sampling rules, a draw of
//! the last fortnight's resolved cases, and a few inspections scored with the shipped rubric —
//! one with a comment on the agent's message, one acknowledged by its agent, one appealed — so
//! `/console/quality` and the agents' "my quality scores" are filled.

use jiff::{Span, Timestamp};
use kefu_desk::Desk;
use kefu_model::drafts::UserDraft;
use kefu_model::quality::{ItemScore, MessageComment, QualitySettings, ScoreDraft};
use kefu_model::{Actor, DomainError, EventData, Role, StoreError};

use crate::demo::DEMO_PASSWORD;

/// The inspector's login.
pub const INSPECTOR: &str = "qa01";

fn scores(values: [u32; 5], note: &str) -> Vec<ItemScore> {
    [
        "greeting",
        "accuracy",
        "empathy",
        "resolution",
        "compliance",
    ]
    .iter()
    .zip(values)
    .enumerate()
    .map(|(i, (item, score))| ItemScore {
        item: (*item).into(),
        score,
        comment: if i == 0 { note.into() } else { String::new() },
    })
    .collect()
}

/// Seeds the inspector, the rules and the inspections; how many were scored.
pub async fn seed(desk: &Desk, now: Timestamp) -> Result<usize, DomainError> {
    let missing = |what: &str| DomainError::Store(StoreError::Backend(format!("demo: no {what}")));
    let admin = desk
        .store()
        .user_by_username("admin")
        .await?
        .map(|u| Actor::of(&u))
        .ok_or_else(|| missing("admin"))?;
    let inspector = desk
        .create_user(
            Some(&admin),
            UserDraft {
                username: INSPECTOR.into(),
                password: DEMO_PASSWORD.into(),
                role: Role::Inspector,
                display_name: Some("周敏（质检员）".into()),
                department: None,
            },
        )
        .await?;
    let inspector = Actor::of(&inspector);
    desk.put_quality_settings(
        &admin,
        QualitySettings {
            random_percent: 10,
            daily_draw: true,
            ..QualitySettings::default()
        },
    )
    .await?;
    let today = desk.time_zone().to_datetime(now).date();
    let from = today
        .checked_sub(Span::new().days(14))
        .map_err(|_| DomainError::invalid("from", "a day in range"))?;
    let to = today
        .tomorrow()
        .map_err(|_| DomainError::invalid("to", "a day in range"))?;
    desk.draw_inspections(&admin, from, to).await?;
    let pending = desk.inspections(&inspector, None, Some(1000)).await?;
    let with_agent: Vec<_> = pending.iter().filter(|i| i.agent.is_some()).collect();
    let plans: [([u32; 5], &str, &str); 4] = [
        (
            [5, 5, 4, 5, 1],
            "开场白、结束语完整",
            "答复准确，主动告知派送时间",
        ),
        ([3, 4, 3, 4, 1], "未报工号", "语气略显生硬"),
        ([4, 3, 4, 3, 1], "结束语缺失", "未确认客户是否还有其他问题"),
        ([5, 4, 5, 4, 1], "", "共情到位"),
    ];
    let mut scored = Vec::new();
    for (inspection, (values, note, comment)) in with_agent.iter().zip(plans) {
        let detail = desk.inspection(&inspector, inspection.id.as_str()).await?;
        let message = detail.events.iter().find_map(|e| match &e.data {
            EventData::MessageAdded {
                message_id,
                author_kind,
                ..
            } if author_kind == "staff" => Some(message_id.to_string()),
            _ => None,
        });
        desk.assign_inspection(&admin, inspection.id.as_str(), inspector.user_id.as_str())
            .await?;
        let done = desk
            .score_inspection(
                &inspector,
                inspection.id.as_str(),
                ScoreDraft {
                    scores: scores(values, note),
                    comments: message
                        .map(|m| MessageComment {
                            message_id: m,
                            text: comment.into(),
                        })
                        .into_iter()
                        .collect(),
                    summary: comment.into(),
                },
            )
            .await?;
        scored.push(done);
    }
    let agent_of = |i: &kefu_model::quality::Inspection| {
        let id = i.agent.clone();
        async move {
            match id {
                Some(id) => desk
                    .store()
                    .user_by_id(&id)
                    .await
                    .map(|u| u.map(|u| Actor::of(&u))),
                None => Ok(None),
            }
        }
    };
    // The first acknowledged by its agent, the second appealed.
    if let Some(first) = scored.first()
        && let Some(agent) = agent_of(first).await?
    {
        desk.acknowledge_inspection(&agent, first.id.as_str())
            .await?;
    }
    if let Some(second) = scored.get(1)
        && let Some(agent) = agent_of(second).await?
    {
        desk.appeal_inspection(
            &agent,
            second.id.as_str(),
            "通话中已报工号，录音可查，请复核开场白一项",
        )
        .await?;
    }
    Ok(scored.len())
}
