//! Live chat use cases (R-CH-2): starting a conversation, sending, replaying frames after a
//! `seq`, attachments, and the bot's turn (understand, `bot::decide`, carry out the step). The
//! records and the frames' rules are `kefu_model::chat`.

use kefu_model::attachment::{Attachment, StoredAttachment, decode_attachments};
use kefu_model::auth;
use kefu_model::case::{Case, CaseEvent, EventData};
use kefu_model::chat::{
    Audience, BotOutcome, CHAT_TEXT_MAX, ChatAck, ChatConversation, ChatFrame, ChatPage, ChatSend,
    ChatStart, REPLAY_PAGE, StartedChat, WELCOME, WELCOME_EN, bot_actor, chat_actor, frames,
};
use kefu_model::codes::{Channel, Status, Visibility};
use kefu_model::drafts::{CaseDraft, CustomerDraft};
use kefu_model::error::{DomainError, StoreError};
use kefu_model::ids::{CaseId, MessageId};
use kefu_model::media::{MediaFetch, PendingMedia};
use kefu_model::user::Actor;

use crate::cases::Along;
use crate::desk::{Desk, DeskResult};

/// A message with the sender's own id, for [`Desk::append_once`].
pub(crate) struct Incoming<'a> {
    pub client_id: String,
    pub body: String,
    /// Attachments with their bytes (stored before the message).
    pub files: Vec<(Attachment, Vec<u8>)>,
    /// Waybills the message names that the case should link.
    pub named: Vec<String>,
    pub author_kind: &'a str,
    pub visibility: Visibility,
}

fn client_id_ok(raw: &str) -> DeskResult<String> {
    let v = raw.trim();
    let ok = (1..=64).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(v.to_string())
    } else {
        Err(DomainError::invalid(
            "client_id",
            "1–64 letters, digits, '-', '_', '.' or ':'",
        ))
    }
}

impl Desk {
    /// Starts a conversation: a chat case the bot answers first, and the token that lets the
    /// customer's browser continue it (across reloads and reconnects).
    pub async fn start_chat(&self, start: ChatStart) -> DeskResult<StartedChat> {
        let now = self.now();
        let visitor_id = match start.visitor_id.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => client_id_ok(v)
                .map_err(|_| DomainError::invalid("visitor_id", "1–64 letters and digits"))?,
            _ => format!("v-{}", MessageId::new(now)),
        };
        let origin = match start.origin.as_deref().map(str::trim) {
            Some(o) if !o.is_empty() => client_id_ok(o)
                .map_err(|_| DomainError::invalid("origin", "1–64 letters and digits"))?,
            _ => "portal".to_string(),
        };
        let language = match start.language.as_deref().map(str::trim) {
            None | Some("") => "zh".to_string(),
            Some(l) if matches!(l, "zh" | "en") => l.to_string(),
            Some(_) => return Err(DomainError::invalid("language", "zh or en")),
        };
        let name = start
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let phone = start
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let customer = CustomerDraft {
            name: name.map(str::to_string),
            phone: phone.map(str::to_string),
            external_ids: vec![kefu_model::customer::ExternalId {
                kind: "chat_visitor".into(),
                value: visitor_id.clone(),
            }],
            ..CustomerDraft::default()
        };
        let subject = match name {
            Some(n) => format!("在线咨询 · {n}"),
            None => "在线咨询".to_string(),
        };
        let draft = CaseDraft {
            channel: Channel::Chat,
            subject,
            description: String::new(),
            customer_id: None,
            customer: Some(customer),
            category: Some(kefu_model::codes::Category::Inquiry),
            priority: None,
            waybill_no: None,
            tags: vec![format!("chat:{origin}")],
            received_at: None,
        };
        let token = auth::new_token();
        let case = self
            .create_case_as(&chat_actor(), draft, None, true)
            .await?
            .case;
        let conversation = ChatConversation {
            id: MessageId::new(now).to_string(),
            case_id: case.id.clone(),
            case_number: case.number.clone(),
            token_hash: auth::token_hash(&token),
            visitor_id: visitor_id.clone(),
            origin,
            language,
            created_at: now,
            customer_read_seq: 0,
            staff_read_seq: 0,
        };
        let conversation_en = conversation.language == "en";
        self.store.insert_conversation(&conversation).await?;
        let welcome = MessageId::new(now);
        self.with_retries(&bot_actor(), case.id.as_str(), |_| {
            Ok(vec![bot_message(
                &welcome,
                if conversation_en { WELCOME_EN } else { WELCOME },
            )])
        })
        .await?;
        Ok(StartedChat {
            conversation_id: conversation.id,
            token,
            visitor_id,
            case_id: case.id,
            case_number: case.number,
        })
    }

    /// The conversation a customer's token opens (not found for any other token).
    pub async fn chat_by_token(&self, token: &str) -> DeskResult<ChatConversation> {
        self.store
            .conversation_by_token(&auth::token_hash(token.trim()))
            .await?
            .ok_or_else(|| DomainError::NotFound("conversation".into()))
    }

    /// The conversation of a chat case, for staff who may see the case.
    pub async fn chat_of_case(
        &self,
        actor: &Actor,
        id_or_number: &str,
    ) -> DeskResult<(Case, ChatConversation)> {
        let case = self.get_case(actor, id_or_number).await?;
        let conversation = self
            .store
            .conversation_by_case(&case.id)
            .await?
            .ok_or_else(|| DomainError::NotFound("conversation".into()))?;
        Ok((case, conversation))
    }

    /// Stores a customer's message (once, whatever the resends) and answers with its `seq`.
    pub async fn chat_customer_send(
        &self,
        conversation: &ChatConversation,
        send: ChatSend,
    ) -> DeskResult<ChatAck> {
        self.chat_send(
            &chat_actor(),
            conversation.case_id.as_str(),
            send,
            "customer",
            Visibility::Public,
        )
        .await
    }

    /// Stores a staff member's chat reply (or internal note).
    pub async fn chat_staff_send(
        &self,
        actor: &Actor,
        id_or_number: &str,
        send: ChatSend,
        visibility: Visibility,
    ) -> DeskResult<ChatAck> {
        crate::desk::require_role(actor.can_write_cases(), "this role cannot write to cases")?;
        self.chat_send(actor, id_or_number, send, "staff", visibility)
            .await
    }

    pub(crate) async fn chat_send(
        &self,
        actor: &Actor,
        id_or_number: &str,
        send: ChatSend,
        author_kind: &str,
        visibility: Visibility,
    ) -> DeskResult<ChatAck> {
        let client_id = client_id_ok(&send.client_id)?;
        // Empty is allowed here: an image alone is a message (checked below).
        let body = kefu_model::text::text("body", &send.body, CHAT_TEXT_MAX, false)?;
        let now = self.now();
        let files = decode_attachments(&send.attachments, now)?;
        if body.is_empty() && files.is_empty() {
            return Err(DomainError::invalid("body", "must not be empty"));
        }
        let named = if author_kind == "customer" {
            kefu_model::parcels::waybills_in(&self.recognizer().await?, &[&body])
        } else {
            Vec::new()
        };
        let incoming = Incoming {
            client_id,
            body,
            files,
            named,
            author_kind,
            visibility,
        };
        self.append_once(actor, id_or_number, incoming).await
    }

    /// Appends a message that carries the sender's own id once, whatever the resends: reads
    /// the case, looks for the id, appends only if the case has not moved on since (otherwise
    /// reads again), so a resend racing its original cannot store twice. A customer's message
    /// reopens a resolved case and takes a pending one back to open; the parcels it names are
    /// linked.
    pub(crate) async fn append_once(
        &self,
        actor: &Actor,
        id_or_number: &str,
        incoming: Incoming<'_>,
    ) -> DeskResult<ChatAck> {
        self.append_once_with_media(actor, id_or_number, incoming, None)
            .await
    }

    /// [`Desk::append_once`], writing the download of the picture or voice message the
    /// message stands for in the same transaction (its id follows from the client id, so a
    /// message stored once has one download).
    pub(crate) async fn append_once_with_media(
        &self,
        actor: &Actor,
        id_or_number: &str,
        incoming: Incoming<'_>,
        media: Option<&PendingMedia>,
    ) -> DeskResult<ChatAck> {
        let Incoming {
            client_id,
            body,
            files,
            named,
            author_kind,
            visibility,
        } = incoming;
        let now = self.now();
        let message_id = MessageId::new(now);
        let attachments: Vec<Attachment> = files.iter().map(|(a, _)| a.clone()).collect();
        for _ in 0..8 {
            let case = self.get_case(actor, id_or_number).await?;
            let events = self
                .store
                .messages_with_client_id(&case.id, &client_id)
                .await?;
            if let Some(ack) = find_client_id(&events, &client_id) {
                return Ok(ack);
            }
            if case.status == Status::Closed {
                return Err(DomainError::conflict(
                    "case_closed",
                    "this conversation has ended; start a new one",
                ));
            }
            // Bytes first: an attachment without its message is harmless, a message pointing
            // at missing bytes is not.
            for (a, bytes) in &files {
                self.store
                    .put_attachment(&StoredAttachment {
                        attachment: a.clone(),
                        case_id: case.id.clone(),
                        created_at: now,
                        bytes: bytes.clone(),
                    })
                    .await?;
            }
            let seen = case.version;
            let fetches: Vec<MediaFetch> = media
                .map(|m| {
                    m.fetch(
                        format!("media:{client_id}"),
                        case.id.clone(),
                        message_id.clone(),
                        now,
                    )
                })
                .into_iter()
                .collect();
            let along = Along {
                media_fetches: &fetches,
                ..Along::default()
            };
            let result = self
                .with_retries_along(
                    actor,
                    case.id.as_str(),
                    |current| {
                        if current.version != seen {
                            return Err(DomainError::conflict("reread", "moved on"));
                        }
                        let mut changes = vec![EventData::MessageAdded {
                            message_id: message_id.clone(),
                            body: body.clone(),
                            visibility,
                            author_kind: author_kind.to_string(),
                            call: false,
                            client_id: Some(client_id.clone()),
                            attachments: attachments.clone(),
                        }];
                        if current.status == Status::New && changes[0].reaches_customer() {
                            changes.push(EventData::StatusChanged {
                                from: Status::New,
                                to: Status::Open,
                            });
                        }
                        if author_kind == "customer"
                            && matches!(current.status, Status::PendingCustomer | Status::Resolved)
                        {
                            changes.push(if current.status == Status::Resolved {
                                EventData::Reopened {
                                    from: Status::Resolved,
                                    reason: Some("客户继续留言".into()),
                                }
                            } else {
                                EventData::StatusChanged {
                                    from: current.status,
                                    to: Status::Open,
                                }
                            });
                        }
                        changes.extend(
                            named
                                .iter()
                                .filter(|w| !current.waybill_nos.contains(w))
                                .map(|w| EventData::WaybillLinked {
                                    waybill_no: w.clone(),
                                }),
                        );
                        Ok(changes)
                    },
                    along,
                )
                .await;
            match result {
                Ok((_, appended)) => {
                    let seq = appended
                        .iter()
                        .find(|e| matches!(&e.data, EventData::MessageAdded { message_id: m, .. } if *m == message_id))
                        .map(|e| e.seq)
                        .ok_or_else(|| {
                            DomainError::Store(StoreError::Backend(
                                "the message was not appended".into(),
                            ))
                        })?;
                    return Ok(ChatAck {
                        client_id,
                        seq,
                        message_id,
                        duplicate: false,
                    });
                }
                Err(DomainError::Conflict { code: "reread", .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(DomainError::conflict(
            "version_conflict",
            "the conversation is busy; send again",
        ))
    }

    /// The chats an agent holds now, oldest first, and the ones waiting for a person.
    pub async fn console_chats(&self, actor: &Actor) -> DeskResult<(Vec<Case>, Vec<Case>)> {
        crate::desk::require_role(
            actor.can_write_cases(),
            "this role cannot take part in chats",
        )?;
        // Only cases with a conversation: a chat-channel case recorded through the API or an
        // import has none, and a panel for it could only stay empty; it is worked from the
        // queues like any other.
        let mine = self
            .store
            .list_cases(&kefu_model::records::CaseQuery {
                assignee: Some(actor.user_id.clone()),
                open_only: true,
                live_chat: true,
                limit: 200,
                sort: kefu_model::records::CaseSort::Oldest,
                ..Default::default()
            })
            .await?
            .items;
        let mut waiting = self
            .store
            .list_cases(&kefu_model::records::CaseQuery {
                unassigned: true,
                open_only: true,
                live_chat: true,
                limit: 200,
                sort: kefu_model::records::CaseSort::Oldest,
                ..Default::default()
            })
            .await?
            .items;
        // The bot still has these; they show once a person is needed.
        waiting.retain(|c| !c.bot.as_ref().is_some_and(|b| b.active));
        Ok((mine, waiting))
    }

    /// The conversation after `after_seq`, as `audience` sees it.
    pub async fn chat_frames(
        &self,
        case_id: &CaseId,
        after_seq: i64,
        audience: Audience,
    ) -> DeskResult<Vec<ChatFrame>> {
        Ok(self.chat_page(case_id, after_seq, audience).await?.frames)
    }

    /// One page of the conversation after `after_seq` and the `seq` of the last event it read
    /// (frames and cursor from the same read, so a cursor never passes an event not shown).
    pub async fn chat_page(
        &self,
        case_id: &CaseId,
        after_seq: i64,
        audience: Audience,
    ) -> DeskResult<ChatPage> {
        let events = self
            .store
            .case_events_after(case_id, after_seq, REPLAY_PAGE)
            .await?;
        let last_seq = events.last().map(|e| e.seq);
        let more = events.len() >= REPLAY_PAGE as usize;
        let needs_names = events.iter().any(|e| {
            matches!(&e.data, EventData::Assigned { .. })
                || matches!(&e.data, EventData::MessageAdded { author_kind, .. } if author_kind == "staff")
        });
        let users = if needs_names {
            self.store.list_users().await?
        } else {
            Vec::new()
        };
        let names = |actor: &str| -> Option<String> {
            let user = if let Some(id) = actor.strip_prefix("id:") {
                users.iter().find(|u| u.id.as_str() == id)
            } else {
                let name = actor.strip_prefix("user:")?;
                users.iter().find(|u| u.username == name)
            }?;
            Some(user.display_name.clone())
        };
        Ok(ChatPage {
            frames: frames(&events, audience, &names),
            last_seq,
            more,
        })
    }

    /// Records that `audience` has seen the conversation up to `seq` (never backwards).
    pub async fn chat_mark_read(
        &self,
        conversation: &ChatConversation,
        audience: Audience,
        seq: i64,
    ) -> DeskResult<i64> {
        if seq < 0 {
            return Err(DomainError::invalid("seq", "must not be negative"));
        }
        Ok(self
            .store
            .mark_conversation_read(&conversation.case_id, audience == Audience::Staff, seq)
            .await?)
    }

    /// An attachment of a conversation.
    pub async fn chat_attachment(
        &self,
        case_id: &CaseId,
        attachment_id: &str,
    ) -> DeskResult<StoredAttachment> {
        self.store
            .attachment(attachment_id)
            .await?
            .filter(|a| a.case_id == *case_id)
            .ok_or_else(|| DomainError::NotFound("attachment".into()))
    }
}

impl Desk {
    /// The bot's answer to a customer message, if the bot still has the conversation: what it
    /// understood, its reply, its new dialogue state — or the handover to a person.
    pub async fn chat_bot_turn(
        &self,
        case_id: &CaseId,
        message_id: &MessageId,
        text: &str,
    ) -> DeskResult<Option<BotOutcome>> {
        let bot = bot_actor();
        let case = self.get_case(&bot, case_id.as_str()).await?;
        let Some(state) = case.bot.clone().filter(|b| b.active) else {
            return Ok(None);
        };
        let now = self.now();
        let understood = self.nlu.understand(text, now, &self.time_zone);
        let (step, mut next) = kefu_model::bot::decide(&state, &understood, text);
        let en = self
            .store
            .conversation_by_case(case_id)
            .await?
            .is_some_and(|c| c.language == "en");
        let (reply, handover) = self.carry_out(&case, step, &mut next, en).await?;
        let reply_id = MessageId::new(now);
        let category = understood.intent.category();
        let seen = case.version;
        let result = self
            .with_retries(&bot, case_id.as_str(), |current| {
                // A person took over meanwhile: the bot says nothing more.
                if current.version != seen && !current.bot.as_ref().is_some_and(|b| b.active) {
                    return Ok(Vec::new());
                }
                let mut out = vec![EventData::BotTurn {
                    message_id: message_id.clone(),
                    understood: understood.clone(),
                    state: next.clone(),
                }];
                if let Some(body) = &reply {
                    out.push(bot_message(&reply_id, body));
                }
                if let Some(reason) = &handover {
                    // The case takes the category of what the customer needs from a person.
                    if let Some(c) = category.filter(|c| *c != current.category) {
                        out.push(EventData::CategoryChanged {
                            from: current.category,
                            to: c,
                        });
                    }
                    out.push(EventData::HandedOver {
                        reason: reason.clone(),
                    });
                }
                Ok(out)
            })
            .await?;
        if result.1.is_empty() {
            return Ok(None);
        }
        Ok(Some(BotOutcome {
            reply,
            handed_over: handover,
            understood,
        }))
    }

    /// Runs one step of the dialogue: the reply text, and a handover reason when a person must
    /// take over.
    async fn carry_out(
        &self,
        case: &Case,
        step: kefu_model::bot::Step,
        state: &mut kefu_model::bot::BotState,
        en: bool,
    ) -> DeskResult<(Option<String>, Option<String>)> {
        use kefu_model::bot::Step;
        let bot = bot_actor();
        // Chinese or English, as the customer chose when the chat started.
        let say = |zh: String, english: String| Ok((Some(if en { english } else { zh }), None));
        let pick = |zh: String, english: String| if en { english } else { zh };
        match step {
            Step::Say(phrase) => Ok((Some(phrase.text(en).to_string()), None)),
            Step::Handover { reason } => Ok((
                Some(pick(
                    "好的，正在为您转接人工客服，请稍候，客服会尽快回复您。".into(),
                    "All right, I am getting you a person; an agent will answer shortly.".into(),
                )),
                Some(reason),
            )),
            Step::Track { waybill_no } => {
                let q = kefu_model::parcels::TrackingQuery {
                    waybill_no: Some(waybill_no),
                    ..Default::default()
                };
                match self.tracking_query(&bot, q).await {
                    Ok(a) => say(a.answer, a.answer_en),
                    Err(DomainError::Invalid { .. }) => say(
                        "这个单号格式不太对，请核对后再发一次（8–32 位字母和数字）。".into(),
                        "That number does not look right; please check it (8–32 letters and digits).".into(),
                    ),
                    Err(e) => Err(e),
                }
            }
            Step::TrackByPhone { phone } => {
                let q = kefu_model::parcels::TrackingQuery {
                    phone: Some(phone),
                    ..Default::default()
                };
                match self.tracking_query(&bot, q).await {
                    Ok(a) => say(a.answer, a.answer_en),
                    Err(DomainError::Invalid { .. }) => say(
                        "这个手机号好像不对，请再发一次 11 位手机号。".into(),
                        "That mobile number does not look right; please send the 11 digits again."
                            .into(),
                    ),
                    Err(e) => Err(e),
                }
            }
            Step::CheckItem { item } => {
                let found = self.prohibited_list().await?.check(&item);
                match found.first() {
                    Some(m) if m.official => say(
                        format!(
                            "抱歉，「{item}」属于国家规定的禁寄物品（{}），不能寄递。",
                            m.category
                        ),
                        format!(
                            "Sorry, \"{item}\" is on the national list of prohibited items ({}) and cannot be sent.",
                            m.category
                        ),
                    ),
                    Some(m) => say(
                        format!(
                            "「{item}」属于限寄物品（{}），需要客服确认包装和线路后才能寄，可以输入「人工」咨询。",
                            m.category
                        ),
                        format!(
                            "\"{item}\" is restricted ({}): an agent must check the packing and the route first; type \"agent\" to ask.",
                            m.category
                        ),
                    ),
                    None => say(
                        format!(
                            "「{item}」不在禁寄目录里，可以正常寄递；请包装好，贵重物品建议保价。"
                        ),
                        format!(
                            "\"{item}\" is not prohibited and can be sent; pack it well, and insure anything valuable."
                        ),
                    ),
                }
            }
            Step::Faq {
                question,
                intent,
                handover_otherwise,
            } => {
                let found = self.best_public_article(&question, intent).await?;
                match found {
                    Some(m) if m.strong => {
                        // Answered: the customer may say it did not help, which counts.
                        state.low_confidence = 0;
                        state.last_intent = Some(intent.unwrap_or(kefu_model::nlu::Intent::Other));
                        let a = &m.article;
                        say(
                            format!(
                                "{}

（摘自帮助中心《{}》，详见 /portal/help/{}）",
                                a.summary(false),
                                a.title(false),
                                a.id
                            ),
                            format!(
                                "{}

(From the help centre: \"{}\", see /portal/help/{}?lang=en)",
                                a.summary(true),
                                a.title(true),
                                a.id
                            ),
                        )
                    }
                    weak => {
                        let best = weak.as_ref().map(|m| m.article.id.clone());
                        self.record_gap(kefu_model::kb::GapSource::Bot, &question, best)
                            .await?;
                        if handover_otherwise {
                            state.awaiting = None;
                            let reason = intent.map_or("not_understood", |i| i.as_str());
                            return Ok((
                                Some(pick(
                                    "这个问题我在帮助中心没找到可靠的答案，正在为您转接人工客服，请稍候。"
                                        .into(),
                                    "I found no reliable answer to that in the help centre; I am getting you a person."
                                        .into(),
                                )),
                                Some(reason.to_string()),
                            ));
                        }
                        match weak {
                            Some(m) => say(
                                format!(
                                    "抱歉，帮助中心里没有与您的问题足够相符的答案。最接近的是《{}》（/portal/help/{}），不一定对得上。您可以换个说法，或输入「人工」联系人工客服。",
                                    m.article.title(false),
                                    m.article.id
                                ),
                                format!(
                                    "Sorry, nothing in the help centre matches your question well enough. The closest is \"{}\" (/portal/help/{}?lang=en), which may not fit. Try putting it another way, or type \"agent\" for a person.",
                                    m.article.title(true),
                                    m.article.id
                                ),
                            ),
                            None => Ok((
                                Some(kefu_model::bot::Phrase::NotUnderstood.text(en).to_string()),
                                None,
                            )),
                        }
                    }
                }
            }
            Step::Coverage { place } => {
                let parsed = kefu_regions::parse_address(&place);
                let Some(code) = parsed.most_specific_code() else {
                    return say(
                        format!("没找到「{place}」这个地区，请说一下省市区。"),
                        format!(
                            "I could not find \"{place}\"; please give the province, city and district."
                        ),
                    );
                };
                let coverage: kefu_logistics::Coverage =
                    self.setting_or_default("coverage").await?;
                let result = coverage.check(code);
                if result.covered {
                    let (remote, remote_en) = if result.remote {
                        (
                            "，属于偏远地区，时效会长一些、可能有附加费",
                            ", as a remote area (longer transit, a surcharge may apply)",
                        )
                    } else {
                        ("", "")
                    };
                    say(
                        format!("「{place}」在我们的服务范围内{remote}。"),
                        format!("We serve \"{place}\"{remote_en}."),
                    )
                } else {
                    let why = result.reason.unwrap_or_default();
                    say(
                        format!("抱歉，「{place}」暂未开通服务（{why}）。"),
                        format!("Sorry, we do not serve \"{place}\" yet ({why})."),
                    )
                }
            }
            Step::Quote {
                origin,
                destination,
                weight_kg,
            } => {
                let input = quote_input(&origin, &destination, &weight_kg, "");
                match input {
                    Some(input) => match self.compute_quote(&input, "origin", "destination").await {
                        Ok((_, _, q)) => say(
                            format!(
                                "从{origin}寄到{destination}，{} 公斤，{}运费约 ¥{}。",
                                q.chargeable_weight_kg, q.product_name, q.total
                            ),
                            format!(
                                "From {origin} to {destination}, {} kg by {}: about ¥{}.",
                                q.chargeable_weight_kg, q.product_name, q.total
                            ),
                        ),
                        Err(DomainError::Invalid { .. }) => say(
                            "这两个地址我没能识别，请说到区县，例如「杭州市西湖区寄北京市朝阳区 3公斤」。".into(),
                            "I could not read those places; please name the districts, e.g. \"杭州市西湖区 to 北京市朝阳区 3 kg\".".into(),
                        ),
                        Err(e) => Err(e),
                    },
                    None => say(
                        "重量没看懂，请说例如「3公斤」。".into(),
                        "I did not get the weight; say e.g. \"3 kg\".".into(),
                    ),
                }
            }
            Step::QuotePickup => {
                let p = &state.pickup;
                let input = quote_input(
                    p.address.as_deref().unwrap_or_default(),
                    p.destination.as_deref().unwrap_or_default(),
                    p.weight_kg.as_deref().unwrap_or_default(),
                    p.item.as_deref().unwrap_or_default(),
                );
                let Some(input) = input else {
                    state.pickup.weight_kg = None;
                    state.awaiting = Some(kefu_model::bot::Awaiting::PickupDetail);
                    return Ok((
                        Some(kefu_model::bot::PickupSlot::Weight.question(en).into()),
                        None,
                    ));
                };
                match self.compute_quote(&input, "address", "destination").await {
                    Ok((_, _, q)) if !q.prohibited.is_empty() => {
                        state.awaiting = None;
                        let category = &q.prohibited[0].category;
                        Ok((
                            Some(pick(
                                format!(
                                    "您要寄的物品可能属于禁限寄物品（{category}），我帮您转人工确认。"
                                ),
                                format!(
                                    "What you are sending may be prohibited or restricted ({category}); I am getting a person to check."
                                ),
                            )),
                            Some("prohibited_item".into()),
                        ))
                    }
                    Ok((_, _, q)) if !q.covered => {
                        state.awaiting = None;
                        let why = q.coverage_reason.unwrap_or_default();
                        say(
                            format!("抱歉，这个地址暂时不能上门取件（{why}）。"),
                            format!("Sorry, we cannot collect at that address yet ({why})."),
                        )
                    }
                    Ok((_, _, q)) => {
                        let item = p.item.clone().unwrap_or_default();
                        let from = p.address.clone().unwrap_or_default();
                        let to = p.destination.clone().unwrap_or_default();
                        say(
                            format!(
                                "好的：{item} 从「{from}」寄到「{to}」，{} 公斤，{}运费约 ¥{}。确认预约上门取件请回复「确认」，不需要请回复「取消」。",
                                q.chargeable_weight_kg, q.product_name, q.total
                            ),
                            format!(
                                "So: {item} from \"{from}\" to \"{to}\", {} kg by {}: about ¥{}. Reply \"yes\" to book the pickup, or \"cancel\".",
                                q.chargeable_weight_kg, q.product_name, q.total
                            ),
                        )
                    }
                    Err(DomainError::Invalid { field, .. }) => {
                        // Ask again for the address that did not read.
                        if field.starts_with("destination") {
                            state.pickup.destination = None;
                        } else {
                            state.pickup.address = None;
                        }
                        state.awaiting = Some(kefu_model::bot::Awaiting::PickupDetail);
                        let slot = state
                            .pickup
                            .missing()
                            .unwrap_or(kefu_model::bot::PickupSlot::Address);
                        say(
                            format!("地址没能识别到区县。{}", slot.question(false)),
                            format!(
                                "I could not find the district in that address. {}",
                                slot.question(true)
                            ),
                        )
                    }
                    Err(e) => Err(e),
                }
            }
            Step::BookPickup => {
                let p = state.pickup.clone();
                let weight = p
                    .weight_kg
                    .as_deref()
                    .and_then(|w| w.parse::<rust_decimal::Decimal>().ok())
                    .unwrap_or(rust_decimal::Decimal::ONE);
                let draft = kefu_model::parcels::PickupDraft {
                    sender: kefu_model::shipment::PartyDraft {
                        name: p.name.clone().unwrap_or_default(),
                        phone: p.phone.clone().unwrap_or_default(),
                        address: p.address.clone().unwrap_or_default(),
                    },
                    recipient_address: p.destination.clone().unwrap_or_default(),
                    item: p.item.clone().unwrap_or_default(),
                    weight_kg: weight,
                    dimensions_cm: None,
                    pieces: None,
                    product: None,
                    declared_value: None,
                    insured: false,
                    case_id: Some(case.id.to_string()),
                    window_from: None,
                    window_to: None,
                    channel: None,
                    note: p
                        .time
                        .clone()
                        .map(|t| format!("客户希望上门时间：{t}"))
                        .unwrap_or_default(),
                };
                match self.book_pickup(&bot, draft).await {
                    Ok(pickup) => {
                        state.pickup = kefu_model::bot::PickupSlots::default();
                        say(
                            format!(
                                "已为您预约上门取件，预约单号 {}。快递员上门前会电话联系您。",
                                pickup.number
                            ),
                            format!(
                                "Your pickup is booked, number {}. The courier calls before coming.",
                                pickup.number
                            ),
                        )
                    }
                    Err(DomainError::Invalid { field, message }) => {
                        state.awaiting = None;
                        Ok((
                            Some(pick(
                                format!("预约没能完成（{field}：{message}），我帮您转人工处理。"),
                                format!(
                                    "The booking did not go through ({field}: {message}); I am getting a person."
                                ),
                            )),
                            Some("pickup_failed".into()),
                        ))
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }
}

fn quote_input(
    origin: &str,
    destination: &str,
    weight_kg: &str,
    item: &str,
) -> Option<kefu_model::parcels::QuoteInput> {
    let weight: rust_decimal::Decimal = weight_kg.trim().parse().ok()?;
    Some(kefu_model::parcels::QuoteInput {
        origin: origin.to_string(),
        destination: destination.to_string(),
        weight_kg: weight,
        dimensions_cm: None,
        pieces: None,
        item: item.to_string(),
        product: None,
        declared_value: None,
        insured: false,
    })
}

/// A public message of the bot's (routing uses it to tell the customer where they stand).
pub(crate) fn bot_notice(id: &MessageId, body: &str) -> EventData {
    bot_message(id, body)
}

fn bot_message(id: &MessageId, body: &str) -> EventData {
    EventData::MessageAdded {
        message_id: id.clone(),
        body: body.to_string(),
        visibility: Visibility::Public,
        author_kind: "bot".into(),
        call: false,
        client_id: None,
        attachments: Vec::new(),
    }
}

fn find_client_id(events: &[CaseEvent], client_id: &str) -> Option<ChatAck> {
    events.iter().find_map(|e| match &e.data {
        EventData::MessageAdded {
            client_id: Some(c),
            message_id,
            ..
        } if c == client_id => Some(ChatAck {
            client_id: c.clone(),
            seq: e.seq,
            message_id: message_id.clone(),
            duplicate: true,
        }),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use kefu_model::attachment::NewAttachment;

    #[test]
    fn client_ids_are_short_plain_tokens() {
        assert!(client_id_ok("c-1701234567-42").is_ok());
        assert!(client_id_ok("").is_err());
        assert!(client_id_ok("a b").is_err());
        assert!(client_id_ok(&"x".repeat(65)).is_err());
    }

    #[test]
    fn images_must_be_what_they_claim() {
        use base64::Engine as _;
        let png = base64::engine::general_purpose::STANDARD.encode([0x89, b'P', b'N', b'G', 1, 2]);
        let html = base64::engine::general_purpose::STANDARD.encode(b"<html>");
        let ok = NewAttachment {
            name: "a.png".into(),
            mime: "image/png".into(),
            data: png,
        };
        let bad = NewAttachment {
            name: "a.png".into(),
            mime: "image/png".into(),
            data: html,
        };
        let now = Timestamp::UNIX_EPOCH;
        assert_eq!(decode_attachments(&[ok], now).unwrap()[0].0.size, 6);
        assert!(decode_attachments(&[bad], now).is_err());
    }
}
