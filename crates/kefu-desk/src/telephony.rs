//! The telephone channel (R-CH-1): the PBX account an admin configures, the PBX's signed call
//! events taken into cases, the caller page an answering agent is sent to, the call-back task
//! of an abandoned call, the answer-time figures per queue and transcripts of recordings.
//!
//! The protocol is `kefu-telephony` (pure): [`Desk::receive_call_event`] verifies a webhook
//! with the account's secret and the desk's clock, parses the event and puts it through the
//! call's state machine, rebuilt from the event bodies stored with the call. A retried event
//! changes nothing; an impossible order is a conflict. Each accepted event is written in one
//! transaction with what it causes on the case (the call's note, an assignment, the screen
//! pop, a call-back promise).

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use kefu_model::case::{Case, EventData};
use kefu_model::channels::{
    ChannelAccount, ChannelAccountView, ChannelKind, ChannelSettings, PbxSettings,
};
use kefu_model::codes::{Channel, Status, Visibility};
use kefu_model::customer::{Customer, Phone};
use kefu_model::drafts::{CaseDraft, CustomerDraft};
use kefu_model::error::DomainError;
use kefu_model::ids::{CaseId, MessageId, UserId};
use kefu_model::pbx_account::{
    CallOutcomeCode, CallPhaseCode, CallRecord, PbxAccountDraft, plan_pbx_account,
    recording_is_playable,
};
use kefu_model::records::CaseQuery;
use kefu_model::shipment::Shipment;
use kefu_model::user::{Actor, Role};
use kefu_telephony::{
    CallEvent, CallEventKind, CallOutcome, CallState, FigureSettings, FinishedCall, Period,
    PhoneNumber, QueueFigures, WebhookVerifier, callback_for, parse_event, queue_figures,
};

use crate::cases::Along;
use crate::chat::Incoming;
use crate::desk::{APPEND_RETRIES, Desk, DeskResult, require};
use crate::store::CallWrite;

/// Largest webhook body taken (an event is a few hundred bytes).
pub const WEBHOOK_BODY_MAX: usize = 16 * 1024;
/// An abandoned caller is called back within this many minutes of service time.
pub const CALLBACK_MINUTES: i64 = 30;
/// The calendar whose open hours the call-back minutes count in.
pub const CALLBACK_CALENDAR: &str = "cn-service";
/// The owner is reminded this long before the call-back is due.
const CALLBACK_REMIND_MINUTES: i64 = 10;
/// The tag a case with a call-back to make carries, so the queue can be filtered by it.
pub const CALLBACK_TAG: &str = "回电";
/// The notification kind of a screen pop.
pub const SCREEN_POP: &str = "call_answered";
/// Most calls a figure request reads.
const FIGURE_CALLS_MAX: u32 = 100_000;

/// The telephone system, as the author of what its calls add to a case.
pub fn pbx_actor() -> Actor {
    Actor {
        user_id: UserId::from_stored("system:pbx".into()),
        username: "pbx".into(),
        role: Role::Agent,
        department_id: None,
    }
}

/// Why a webhook was not taken.
#[derive(Debug)]
pub enum CallRefusal {
    /// Signature missing or wrong, or the timestamp outside the tolerance (nothing stored
    /// but the account's last error).
    BadSignature(String),
    /// The body is not a call event kefu understands.
    Invalid(String),
    /// Not found, a conflict (an impossible order), storage.
    Refused(DomainError),
}

impl From<DomainError> for CallRefusal {
    fn from(e: DomainError) -> Self {
        CallRefusal::Refused(e)
    }
}

/// What became of one call event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallReceipt {
    pub call_id: String,
    pub phase: CallPhaseCode,
    /// The event was taken before; nothing was written now.
    pub duplicate: bool,
    pub case_id: Option<CaseId>,
    pub case_number: Option<String>,
}

/// What the answering agent sees of a caller (the screen pop): the call, the customers with
/// that number, their open and recent cases and the parcels sent to or from it.
#[derive(Debug, Clone)]
pub struct CallerView {
    pub call: CallRecord,
    pub customers: Vec<Customer>,
    pub cases: Vec<Case>,
    pub shipments: Vec<Shipment>,
}

/// A call's recording as the case page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallOnCase {
    pub call: CallRecord,
    /// The recording lies below the account's recording address: the page may play it.
    pub playable: bool,
}

/// Speech to text: turns a recording (by its link) into words. The engine does the I/O; the
/// desk only hands it the link and keeps the words.
#[async_trait]
pub trait SpeechToText: Send + Sync {
    /// The transcript, or why there is none (said in a sentence).
    async fn transcribe(&self, recording_url: &str) -> Result<String, String>;
}

/// The events a call record holds, replayed through the state machine.
fn state_of(record: Option<&CallRecord>) -> DeskResult<CallState> {
    let mut state = CallState::new();
    for body in record.map(|r| r.events.as_slice()).unwrap_or_default() {
        let event = parse_event(body.as_bytes()).map_err(|e| {
            DomainError::Store(kefu_model::StoreError::Backend(format!(
                "a stored call event no longer reads: {e}"
            )))
        })?;
        state = state.apply(&event).map_err(|e| {
            DomainError::Store(kefu_model::StoreError::Backend(format!(
                "stored call events no longer apply: {e}"
            )))
        })?;
    }
    Ok(state)
}

/// The record after `event`, whose body is `body`.
fn next_record(
    account_id: &str,
    stored: Option<&CallRecord>,
    event: &CallEvent,
    body: &str,
    now: Timestamp,
) -> CallRecord {
    let mut record = stored.cloned().unwrap_or_else(|| CallRecord {
        account_id: account_id.to_string(),
        call_id: event.call_id.clone(),
        case_id: None,
        queue: event.queue.clone(),
        agent: None,
        caller: event.caller.digits().to_string(),
        phase: CallPhaseCode::Offered,
        offered_at: event.at,
        answered_at: None,
        ended_at: None,
        outcome: None,
        wait_seconds: None,
        recording_url: None,
        events: Vec::new(),
        updated_at: now,
        version: 0,
    });
    match &event.kind {
        CallEventKind::Offered => record.phase = CallPhaseCode::Offered,
        CallEventKind::Queued => record.phase = CallPhaseCode::Queued,
        CallEventKind::Answered {
            agent,
            wait_seconds,
        } => {
            record.phase = CallPhaseCode::Answered;
            record.agent = Some(agent.clone());
            record.answered_at = Some(event.at);
            record.wait_seconds = Some(*wait_seconds);
        }
        CallEventKind::Ended {
            agent,
            wait_seconds,
            recording_url,
        } => {
            record.phase = CallPhaseCode::Ended;
            record.agent = Some(agent.clone());
            record.ended_at = Some(event.at);
            record.outcome = Some(CallOutcomeCode::Answered);
            record.wait_seconds = Some(*wait_seconds);
            record.recording_url = recording_url.clone();
        }
        CallEventKind::Abandoned { wait_seconds } => {
            record.phase = CallPhaseCode::Abandoned;
            record.ended_at = Some(event.at);
            record.outcome = Some(CallOutcomeCode::Abandoned);
            record.wait_seconds = Some(*wait_seconds);
        }
    }
    record.events.push(body.to_string());
    record.updated_at = now;
    record.version += 1;
    record
}

/// A finished call as the figures need it, from its columns.
fn finished(record: &CallRecord) -> Option<FinishedCall> {
    let caller = PhoneNumber::parse(&record.caller).ok()?;
    let wait_seconds = record.wait_seconds?;
    let ended_at = record.ended_at?;
    let outcome = match record.outcome? {
        CallOutcomeCode::Answered => CallOutcome::Answered {
            agent: record.agent.clone().unwrap_or_default(),
            wait_seconds,
            ended_at,
            recording_url: record.recording_url.clone(),
        },
        CallOutcomeCode::Abandoned => CallOutcome::Abandoned {
            wait_seconds,
            abandoned_at: ended_at,
        },
    };
    Some(FinishedCall {
        call_id: record.call_id.clone(),
        caller,
        queue: record.queue.clone(),
        offered_at: record.offered_at,
        outcome,
    })
}

fn masked_phone(digits: &str) -> String {
    Phone::parse(digits).map_or_else(|_| "***".to_string(), |p| p.masked())
}

fn note(message_id: MessageId, event_key: String, body: String, call: bool) -> EventData {
    EventData::MessageAdded {
        message_id,
        body,
        visibility: Visibility::Internal,
        author_kind: "staff".into(),
        call,
        client_id: Some(event_key),
        attachments: Vec::new(),
    }
}

impl Desk {
    // ---- the account (admin) ----------------------------------------------------------------

    /// Adds the PBX account. Its webhook secret is stored and never given back.
    pub async fn create_pbx_account(
        &self,
        actor: &Actor,
        draft: PbxAccountDraft,
    ) -> DeskResult<ChannelAccountView> {
        let (name, pbx, secrets) = plan_pbx_account(&draft, None)?;
        self.add_channel_account(
            actor,
            name,
            draft.enabled,
            ChannelSettings::Pbx(pbx),
            secrets,
        )
        .await
    }

    /// Changes the PBX account at the version the admin saw; a secret left empty stays.
    pub async fn update_pbx_account(
        &self,
        actor: &Actor,
        id: &str,
        draft: PbxAccountDraft,
    ) -> DeskResult<ChannelAccountView> {
        self.change_channel_account(actor, id, ChannelKind::Pbx, draft.version, |old| {
            let (name, pbx, secrets) = plan_pbx_account(&draft, Some(old))?;
            Ok((name, draft.enabled, ChannelSettings::Pbx(pbx), secrets))
        })
        .await
    }

    // ---- the webhook ------------------------------------------------------------------------

    /// Takes one signed call event posted to the account `account_id`.
    pub async fn receive_call_event(
        &self,
        account_id: &str,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<CallReceipt, CallRefusal> {
        let (account, mut status) = self
            .store
            .channel_account(account_id)
            .await
            .map_err(DomainError::from)?
            .filter(|(a, _)| a.kind() == ChannelKind::Pbx && a.enabled)
            .ok_or_else(|| DomainError::NotFound(format!("pbx account '{account_id}'")))?;
        let settings = account.pbx().cloned().unwrap_or(PbxSettings {
            tolerance_seconds: kefu_model::pbx_account::DEFAULT_TOLERANCE_SECONDS,
            recording_base_url: String::new(),
        });
        let secret = self
            .store
            .channel_secrets(account_id)
            .await
            .map_err(DomainError::from)?
            .unwrap_or_default()
            .webhook_secret;
        let now = self.now();
        let verified = WebhookVerifier::new(secret.as_bytes()).and_then(|v| {
            v.with_tolerance(SignedDuration::from_secs(i64::from(
                settings.tolerance_seconds,
            )))
            .verify(timestamp, signature, body, now)
        });
        if let Err(refused) = verified {
            let said = refused.to_string();
            status.last_error = Some(format!("webhook refused: {said}"));
            status.last_error_at = Some(now);
            self.store
                .put_channel_status(account_id, &status)
                .await
                .map_err(DomainError::from)?;
            return Err(CallRefusal::BadSignature(said));
        }
        let event = parse_event(body).map_err(|e| CallRefusal::Invalid(e.to_string()))?;
        // Parsed JSON is UTF-8.
        let text = String::from_utf8_lossy(body).into_owned();
        let mut attempt = 0;
        let receipt = loop {
            attempt += 1;
            match self.apply_call_event(&account, &event, &text).await {
                Err(DomainError::Conflict {
                    code: "version_conflict",
                    ..
                }) if attempt < APPEND_RETRIES => continue,
                other => break other?,
            }
        };
        if !receipt.duplicate {
            status.last_ok_at = Some(now);
            status.received = status.received.saturating_add(1);
            self.store
                .put_channel_status(account_id, &status)
                .await
                .map_err(DomainError::from)?;
        }
        Ok(receipt)
    }

    /// One attempt: read the call, apply the event, write it with what it causes.
    async fn apply_call_event(
        &self,
        account: &ChannelAccount,
        event: &CallEvent,
        body: &str,
    ) -> DeskResult<CallReceipt> {
        let stored = self.store.call(&account.id, &event.call_id).await?;
        let state = state_of(stored.as_ref())?;
        let next = state
            .apply(event)
            .map_err(|e| DomainError::conflict("conflict", e.to_string()))?;
        if next == state {
            let record = stored.as_ref();
            let case_number = match record.and_then(|r| r.case_id.as_ref()) {
                Some(id) => self.store.case_by_id(id).await?.map(|c| c.number),
                None => None,
            };
            return Ok(CallReceipt {
                call_id: event.call_id.clone(),
                phase: record.map_or(CallPhaseCode::Offered, |r| r.phase),
                duplicate: true,
                case_id: record.and_then(|r| r.case_id.clone()),
                case_number,
            });
        }
        let now = self.now();
        let expected_version = stored.as_ref().map(|r| r.version);
        let mut record = next_record(&account.id, stored.as_ref(), event, body, now);
        let actor = pbx_actor();
        let event_key = format!("call:{}:{}", event.kind.name(), short_key(&event.call_id));
        let case_id = match &record.case_id {
            Some(id) => id.clone(),
            None => self.case_for_caller(account, event).await?,
        };
        record.case_id = Some(case_id.clone());
        let caller = masked_phone(&record.caller);
        let at_local = event
            .at
            .to_zoned_datetime(self.time_zone().clone())
            .strftime("%H:%M:%S")
            .to_string();
        let mut tell: Vec<(UserId, &'static str, String)> = Vec::new();
        let mut answering: Option<UserId> = None;
        let mut callback: Option<(Timestamp, Timestamp)> = None;
        let body_text = match &event.kind {
            CallEventKind::Offered => {
                format!("来电 {caller}（{at_local}），队列 {}", event.queue)
            }
            CallEventKind::Queued => {
                // Nothing changes on the case: the call's record alone.
                self.store
                    .put_call(CallWrite {
                        record: &record,
                        expected_version,
                    })
                    .await
                    .map_err(version_conflict)?;
                return self.call_receipt(record).await;
            }
            CallEventKind::Answered {
                agent,
                wait_seconds,
            } => {
                // The PBX names its agents by their kefu user names.
                if let Some(user) = self
                    .store
                    .user_by_username(agent)
                    .await?
                    .filter(|u| u.may_be_assigned())
                {
                    answering = Some(user.id.clone());
                    tell.push((
                        user.id,
                        SCREEN_POP,
                        format!("来电 {caller} 已接通：/calls/{}", event.call_id),
                    ));
                }
                format!("{agent} 接听来电 {caller}（{at_local}），排队 {wait_seconds} 秒")
            }
            CallEventKind::Ended {
                agent,
                wait_seconds,
                recording_url,
            } => {
                let recording = if recording_url.is_some() {
                    "，有录音"
                } else {
                    ""
                };
                format!(
                    "与客户电话沟通（坐席 {agent}，排队 {wait_seconds} 秒，{at_local} 结束{recording}）"
                )
            }
            CallEventKind::Abandoned { .. } => {
                let request = next
                    .finished()
                    .as_ref()
                    .and_then(callback_for)
                    .ok_or_else(|| {
                        DomainError::Store(kefu_model::StoreError::Backend(
                            "an abandoned call without its call-back".into(),
                        ))
                    })?;
                let due = self.callback_due(now).await?;
                let remind = (due - SignedDuration::from_mins(CALLBACK_REMIND_MINUTES)).max(now);
                callback = Some((due, remind));
                format!(
                    "来电 {caller} 排队 {} 秒后挂断（{at_local}），请在 {} 前回电",
                    request.waited_seconds,
                    due.to_zoned_datetime(self.time_zone().clone())
                        .strftime("%H:%M")
                )
            }
        };
        let call_note = matches!(event.kind, CallEventKind::Ended { .. });
        let plan = |case: &Case| -> DeskResult<Vec<EventData>> {
            let mut events = vec![note(
                MessageId::new(now),
                event_key.clone(),
                body_text.clone(),
                call_note,
            )];
            if let (Some(user), None) = (&answering, &case.assignee) {
                events.push(EventData::Assigned {
                    from: None,
                    to: Some(user.clone()),
                });
            }
            if let Some((due_at, remind_at)) = callback {
                events.push(EventData::CommitmentMade {
                    id: format!("callback-{}", short_key(&event.call_id)),
                    due_at,
                    remind_at,
                    note: format!("回电 {caller}（来电未接通）"),
                });
                if !case.tags.iter().any(|t| t == CALLBACK_TAG) {
                    let mut tags = case.tags.clone();
                    tags.push(CALLBACK_TAG.to_string());
                    events.push(EventData::TagsChanged { tags });
                }
            }
            Ok(events)
        };
        let along = Along {
            call: Some(CallWrite {
                record: &record,
                expected_version,
            }),
            tell: &tell,
            ..Along::default()
        };
        self.with_retries_along(&actor, case_id.as_str(), plan, along)
            .await?;
        self.call_receipt(record).await
    }

    async fn call_receipt(&self, record: CallRecord) -> DeskResult<CallReceipt> {
        let case_number = match &record.case_id {
            Some(id) => self.store.case_by_id(id).await?.map(|c| c.number),
            None => None,
        };
        Ok(CallReceipt {
            call_id: record.call_id,
            phase: record.phase,
            duplicate: false,
            case_id: record.case_id,
            case_number,
        })
    }

    /// The caller's open case (the newest), else a new phone case; the caller is the customer
    /// with that number, or a new one.
    async fn case_for_caller(
        &self,
        account: &ChannelAccount,
        event: &CallEvent,
    ) -> DeskResult<CaseId> {
        let digits = event.caller.digits();
        if let Some(customer) = self.store.customer_by_contact("phone", digits).await? {
            let open = self
                .store
                .list_cases(&CaseQuery {
                    customer_id: Some(customer.id.clone()),
                    open_only: true,
                    limit: 1,
                    ..CaseQuery::default()
                })
                .await?;
            if let Some(case) = open.items.into_iter().find(|c| c.status != Status::Closed) {
                return Ok(case.id);
            }
        }
        let key = format!("call:{}:{}", account.id, short_key(&event.call_id));
        let draft = CaseDraft {
            channel: Channel::Phone,
            subject: format!("来电：{}", event.queue),
            description: String::new(),
            customer_id: None,
            customer: Some(CustomerDraft {
                phone: Some(digits.to_string()),
                ..CustomerDraft::default()
            }),
            category: None,
            priority: None,
            waybill_no: None,
            tags: Vec::new(),
            received_at: Some(event.at.min(self.now())),
        };
        let created = self
            .create_case(&pbx_actor(), draft, Some((key.clone(), key)))
            .await?;
        Ok(created.case.id)
    }

    /// When an abandoned caller must be called back: [`CALLBACK_MINUTES`] of the service
    /// calendar's open time from now (wall-clock minutes when that calendar is missing).
    async fn callback_due(&self, now: Timestamp) -> DeskResult<Timestamp> {
        let config = self.sla_config().await?;
        let due = match config.calendars.get(CALLBACK_CALENDAR) {
            Some(calendar) => calendar.add_minutes(now, CALLBACK_MINUTES)?,
            None => now
                .saturating_add(SignedDuration::from_mins(CALLBACK_MINUTES))
                .unwrap_or(now),
        };
        Ok(due)
    }

    // ---- what staff see ---------------------------------------------------------------------

    /// The screen pop: a call and what is known of its caller.
    pub async fn caller_view(&self, actor: &Actor, call_id: &str) -> DeskResult<CallerView> {
        require(actor.can_see_customers(), "this role cannot see customers")?;
        let call = self
            .store
            .call_by_id(call_id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("call '{call_id}'")))?;
        let customers: Vec<Customer> = self
            .store
            .customer_by_contact("phone", &call.caller)
            .await?
            .into_iter()
            .collect();
        let mut cases = Vec::new();
        for customer in &customers {
            cases.extend(
                self.store
                    .list_cases(&CaseQuery {
                        customer_id: Some(customer.id.clone()),
                        limit: kefu_model::lookup::VIEW_LIMIT,
                        ..CaseQuery::default()
                    })
                    .await?
                    .items,
            );
        }
        // Open cases first, then the newest.
        cases.sort_by_key(|c| {
            (
                matches!(c.status, Status::Resolved | Status::Closed),
                std::cmp::Reverse(c.created_at),
            )
        });
        let shipments = self
            .store
            .shipments_by_phone(&call.caller, kefu_model::lookup::VIEW_LIMIT)
            .await?;
        Ok(CallerView {
            call,
            customers,
            cases,
            shipments,
        })
    }

    /// A case's calls, with whether each recording may be played in the console.
    pub async fn calls_on_case(
        &self,
        actor: &Actor,
        id_or_number: &str,
    ) -> DeskResult<Vec<CallOnCase>> {
        let case = self.get_case(actor, id_or_number).await?;
        let mut out = Vec::new();
        for call in self.store.calls_of_case(&case.id).await? {
            let settings = self
                .store
                .channel_account(&call.account_id)
                .await?
                .and_then(|(a, _)| a.pbx().cloned());
            let playable = match (&settings, &call.recording_url) {
                (Some(s), Some(url)) => recording_is_playable(s, url),
                _ => false,
            };
            out.push(CallOnCase { call, playable });
        }
        Ok(out)
    }

    /// Answer-time figures per queue for the calls offered in `[from, to)` (supervisors and
    /// admins).
    pub async fn phone_figures(
        &self,
        actor: &Actor,
        from: Timestamp,
        to: Timestamp,
    ) -> DeskResult<Vec<QueueFigures>> {
        require(
            matches!(actor.role, Role::Admin | Role::Supervisor),
            "the phone figures are for supervisors",
        )?;
        if to <= from {
            return Err(DomainError::invalid("to", "must be after from"));
        }
        if to.duration_since(from) > SignedDuration::from_hours(24 * 366) {
            return Err(DomainError::invalid("to", "at most a year after from"));
        }
        let records = self
            .store
            .calls_offered_between(from, to, FIGURE_CALLS_MAX)
            .await?;
        let calls: Vec<FinishedCall> = records.iter().filter_map(finished).collect();
        Ok(queue_figures(
            &calls,
            Period {
                start: from,
                end: to,
            },
            FigureSettings::default(),
        ))
    }

    /// Transcribes a finished call's recording with `engine` and keeps the words as an
    /// internal note on the call's case (once: a second run finds the note). `Ok(false)` when
    /// the call has no recording.
    pub async fn transcribe_call(
        &self,
        engine: &dyn SpeechToText,
        account_id: &str,
        call_id: &str,
    ) -> DeskResult<bool> {
        let call = self
            .store
            .call(account_id, call_id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("call '{call_id}'")))?;
        let (Some(url), Some(case_id)) = (&call.recording_url, &call.case_id) else {
            return Ok(false);
        };
        let body = match engine.transcribe(url).await {
            Ok(words) if !words.trim().is_empty() => {
                let words: String = words
                    .chars()
                    .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
                    .take(kefu_model::text::TEXT_MAX - 20)
                    .collect();
                format!("通话转写：\n{}", words.trim())
            }
            Ok(_) => "通话转写：（录音中没有识别出话语）".to_string(),
            Err(why) => format!(
                "通话转写失败：{}",
                why.chars().take(300).collect::<String>()
            ),
        };
        self.append_once(
            &pbx_actor(),
            case_id.as_str(),
            Incoming {
                client_id: format!("call:transcript:{}", short_key(call_id)),
                body,
                files: Vec::new(),
                named: Vec::new(),
                author_kind: "staff",
                visibility: Visibility::Internal,
            },
        )
        .await?;
        Ok(true)
    }
}

/// A call id as part of a client id or key (letters, digits, `-`, `_`, `.` and at most 40 of
/// them; anything else is hashed so two call ids never share a key).
fn short_key(call_id: &str) -> String {
    let plain = call_id.len() <= 40
        && call_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        call_id.to_string()
    } else {
        use sha2::{Digest, Sha256};
        Sha256::digest(call_id.as_bytes())
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn version_conflict(e: kefu_model::StoreError) -> DomainError {
    match e {
        kefu_model::StoreError::VersionConflict => DomainError::conflict(
            "version_conflict",
            "the call was changed meanwhile; try again",
        ),
        other => other.into(),
    }
}
