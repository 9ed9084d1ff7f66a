//! Demo telephone: a PBX account and a morning of calls posted through the path a real PBX
//! uses (signed webhooks into `Desk::receive_call_event`): answered calls with recordings,
//! callers who ring again and join their open case, and abandoned calls that leave a
//! call-back promise — so `kefu demo` shows phone cases, the caller pages and the figures.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Desk;
use kefu_desk::telephony::CallRefusal;
use kefu_model::pbx_account::PbxAccountDraft;
use kefu_model::{Actor, DomainError, FixedClock, StoreError};
use kefu_telephony::WebhookVerifier;

/// The demo account's webhook secret (a demo node is not reachable from a real PBX).
pub const DEMO_SECRET: &str = "demo-pbx-secret-not-for-production";

/// How a demo call ends.
enum End {
    /// Answered by this agent after `wait` seconds, talked for `talk` seconds.
    Answered {
        agent: &'static str,
        talk: i64,
    },
    Abandoned,
}

/// (call id, caller, queue, minutes ago offered, wait in seconds, how it ended).
const CALLS: &[(&str, &str, &str, i64, i64, End)] = &[
    (
        "demo-0801",
        "13911110001",
        "after-sales",
        230,
        8,
        End::Answered {
            agent: "agent01",
            talk: 180,
        },
    ),
    (
        "demo-0802",
        "13911110002",
        "after-sales",
        221,
        35,
        End::Answered {
            agent: "agent02",
            talk: 240,
        },
    ),
    (
        "demo-0803",
        "13911110003",
        "pickup",
        214,
        12,
        End::Answered {
            agent: "agent03",
            talk: 95,
        },
    ),
    (
        "demo-0804",
        "13911110004",
        "after-sales",
        205,
        62,
        End::Abandoned,
    ),
    (
        "demo-0805",
        "02188886666",
        "pickup",
        190,
        5,
        End::Answered {
            agent: "agent01",
            talk: 130,
        },
    ),
    (
        "demo-0806",
        "13911110006",
        "claims",
        176,
        18,
        End::Answered {
            agent: "agent04",
            talk: 420,
        },
    ),
    (
        "demo-0807",
        "13911110007",
        "after-sales",
        160,
        3,
        End::Abandoned,
    ),
    (
        "demo-0808",
        "13911110002",
        "after-sales",
        148,
        22,
        End::Answered {
            agent: "agent02",
            talk: 150,
        },
    ),
    (
        "demo-0809",
        "13911110009",
        "pickup",
        131,
        41,
        End::Abandoned,
    ),
    (
        "demo-0810",
        "13911110010",
        "claims",
        115,
        9,
        End::Answered {
            agent: "agent05",
            talk: 300,
        },
    ),
    (
        "demo-0811",
        "13911110011",
        "after-sales",
        98,
        15,
        End::Answered {
            agent: "agent03",
            talk: 200,
        },
    ),
    (
        "demo-0812",
        "13911110004",
        "after-sales",
        80,
        27,
        End::Answered {
            agent: "agent01",
            talk: 260,
        },
    ),
    (
        "demo-0813",
        "07558889999",
        "pickup",
        62,
        11,
        End::Answered {
            agent: "agent02",
            talk: 75,
        },
    ),
    ("demo-0814", "13911110014", "claims", 45, 74, End::Abandoned),
];

fn refused(e: CallRefusal) -> DomainError {
    match e {
        CallRefusal::Refused(e) => e,
        CallRefusal::BadSignature(why) | CallRefusal::Invalid(why) => {
            DomainError::Store(StoreError::Backend(format!("demo call refused: {why}")))
        }
    }
}

/// Adds the demo PBX account and plays its morning; returns how many calls were taken in.
pub async fn seed(desk: &Desk, now: Timestamp) -> Result<usize, DomainError> {
    let admin = desk
        .store()
        .user_by_username("admin")
        .await?
        .ok_or_else(|| DomainError::Store(StoreError::NotFound("admin".into())))?;
    let admin = Actor::of(&admin);
    let at = |seconds_ago: i64| {
        now.checked_sub(SignedDuration::from_secs(seconds_ago))
            .unwrap_or(now)
    };
    let clock = Arc::new(FixedClock::new(at(4 * 3600)));
    let played = desk.clone().with_clock(clock.clone());
    let account = played
        .create_pbx_account(
            &admin,
            PbxAccountDraft {
                name: "呼叫中心（演示）".into(),
                enabled: true,
                recording_base_url: Some("https://rec.yunlu.example".into()),
                webhook_secret: Some(DEMO_SECRET.into()),
                ..PbxAccountDraft::default()
            },
        )
        .await?
        .account
        .id;
    let signer = WebhookVerifier::new(DEMO_SECRET.as_bytes())
        .map_err(|e| DomainError::Store(StoreError::Backend(e.to_string())))?;
    // Each event is posted at its own time, signed then.
    let post = |at: Timestamp, body: String| {
        let played = played.clone();
        let clock = clock.clone();
        let signer = signer.clone();
        let account = account.clone();
        async move {
            clock.set(at);
            let timestamp = at.as_second().to_string();
            let signature = signer.sign(&timestamp, body.as_bytes());
            played
                .receive_call_event(
                    &account,
                    Some(&timestamp),
                    Some(&signature),
                    body.as_bytes(),
                )
                .await
                .map_err(refused)
        }
    };
    let event = |kind: &str,
                 id: &str,
                 caller: &str,
                 queue: &str,
                 when: Timestamp,
                 extra: String| {
        format!(
            r#"{{"type":"{kind}","call_id":"{id}","at":"{when}","caller":"{caller}","queue":"{queue}"{extra}}}"#
        )
    };
    for (id, caller, queue, minutes_ago, wait, end) in CALLS {
        let offered = at(minutes_ago * 60);
        let plus = |s: i64| offered + SignedDuration::from_secs(s);
        post(
            offered,
            event("offered", id, caller, queue, offered, String::new()),
        )
        .await?;
        post(
            plus(1),
            event("queued", id, caller, queue, plus(1), String::new()),
        )
        .await?;
        match end {
            End::Answered { agent, talk } => {
                let answered = format!(r#","agent":"{agent}","wait_seconds":{wait}"#);
                post(
                    plus(*wait),
                    event("answered", id, caller, queue, plus(*wait), answered.clone()),
                )
                .await?;
                let ended = format!(
                    r#"{answered},"recording_url":"https://rec.yunlu.example/2026/{id}.mp3""#
                );
                let end_at = plus(wait + talk);
                post(end_at, event("ended", id, caller, queue, end_at, ended)).await?;
            }
            End::Abandoned => {
                let gone = format!(r#","wait_seconds":{wait}"#);
                post(
                    plus(*wait),
                    event("abandoned", id, caller, queue, plus(*wait), gone),
                )
                .await?;
            }
        }
    }
    Ok(CALLS.len())
}
