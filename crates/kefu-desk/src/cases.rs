//! Customers and cases: creating and reading them, changing a case, messages, hand-back; and the
//! read–plan–append loop every case change goes through (`with_retries`: plan events with pure
//! rules, add the SLA clocks, escalation hand-over and notifications, append at the read
//! version, re-plan on a concurrent change).

use jiff::SignedDuration;
use kefu_model::case::{Case, CaseEvent, EventData, parse_waybill_no};
use kefu_model::codes::{Status, Visibility};
use kefu_model::customer::{Customer, Email, Grade, Phone};
use kefu_model::drafts::{
    CaseDraft, CasePatch, CustomerDraft, MessageDraft, ResolvedPatch, plan_message, plan_update,
};
use kefu_model::error::{DomainError, StoreError};
use kefu_model::ids::{CaseId, CustomerId, MessageId, UserId};
use kefu_model::records::{
    CaseQuery, CreatedCase, CustomerChoice, CustomerQuery, IdempotencyKey, NewCase, Notification,
    Page,
};
use kefu_model::sla::{self, SlaConfig};
use kefu_model::sla_clock::ClockKind;
use kefu_model::text::{TEXT_MAX, name_query, tags, text};
use kefu_model::user::{Actor, Role};

use crate::desk::{
    APPEND_RETRIES, DELIVERY_ACTOR, Desk, DeskResult, NAME_MAX, SLA_ACTOR, SUBJECT_MAX, limit,
    require, truncate_to_millis,
};
use crate::store::{AppendOptions, CallWrite};

/// What a case write carries besides its events, all in its transaction.
#[derive(Default)]
pub(crate) struct Along<'a> {
    /// A new pickup order booked from the case.
    pub pickup: Option<&'a kefu_model::pickup::Pickup>,
    /// The version of the pickup replaced (`None`: a new one).
    pub pickup_version: Option<i64>,
    /// Deliveries (an attempt's outcome).
    pub deliveries: &'a [kefu_model::channels::Delivery],
    /// A telephone call's record.
    pub call: Option<CallWrite<'a>>,
    /// Notifications beyond those the events cause: (to whom, kind, text).
    pub tell: &'a [(UserId, &'static str, String)],
    /// Who reads the case, when not the actor: a network organisation's staff act on their
    /// order in a case they may not otherwise see.
    pub reader: Option<&'a Actor>,
    /// Media downloads (a customer's picture with its message, an attempt's outcome).
    pub media_fetches: &'a [kefu_model::media::MediaFetch],
}

impl Desk {
    // ---- customers ------------------------------------------------------------------------

    fn parse_customer(&self, prefix: &str, draft: &CustomerDraft) -> DeskResult<Customer> {
        let field = |f: &str| {
            if prefix.is_empty() {
                f.to_string()
            } else {
                format!("{prefix}.{f}")
            }
        };
        let mut phones = Vec::new();
        for raw in draft.phone.iter().chain(draft.phones.iter()) {
            let p = Phone::parse(raw).map_err(|m| DomainError::invalid(field("phone"), m))?;
            if !phones.contains(&p) {
                phones.push(p);
            }
        }
        let mut emails = Vec::new();
        for raw in draft.email.iter().chain(draft.emails.iter()) {
            let e = Email::parse(raw).map_err(|m| DomainError::invalid(field("email"), m))?;
            if !emails.contains(&e) {
                emails.push(e);
            }
        }
        for x in &draft.external_ids {
            text(&field("external_ids.kind"), &x.kind, 32, true)?;
            text(&field("external_ids.value"), &x.value, 128, true)?;
        }
        let name = match &draft.name {
            Some(n) => text(&field("name"), n, NAME_MAX, true)?,
            None => String::new(),
        };
        if name.is_empty()
            && phones.is_empty()
            && emails.is_empty()
            && draft.external_ids.is_empty()
        {
            return Err(DomainError::invalid(
                field("name"),
                "a customer needs a name, phone, email or external id",
            ));
        }
        let grade = match draft.grade {
            Some(g) => Grade::new(g).map_err(|m| DomainError::invalid(field("grade"), m))?,
            None => Grade::DEFAULT,
        };
        let now = self.now();
        Ok(Customer {
            id: CustomerId::new(now),
            name: if name.is_empty() {
                "未留名客户".to_string()
            } else {
                name
            },
            phones,
            emails,
            external_ids: draft.external_ids.clone(),
            grade,
            tags: tags(&field("tags"), &draft.tags)?,
            created_at: now,
            updated_at: now,
            version: 1,
            merged_into: None,
            notices_opt_out: false,
        })
    }

    pub async fn create_customer(
        &self,
        actor: &Actor,
        draft: CustomerDraft,
    ) -> DeskResult<Customer> {
        require(
            actor.can_write_cases() && actor.can_see_customers(),
            "this role cannot create customers",
        )?;
        let customer = self.parse_customer("", &draft)?;
        match self.store.insert_customer(&customer).await {
            Err(StoreError::Duplicate(what)) => Err(DomainError::conflict(
                "customer_exists",
                format!("{what} already belongs to a customer"),
            )),
            other => other.map(|()| customer).map_err(Into::into),
        }
    }

    pub async fn get_customer(&self, actor: &Actor, id: &str) -> DeskResult<Customer> {
        require(actor.can_see_customers(), "this role cannot see customers")?;
        let not_found = || DomainError::NotFound(format!("customer {id}"));
        let id = CustomerId::parse(id).ok_or_else(not_found)?;
        self.store.customer_by_id(&id).await?.ok_or_else(not_found)
    }

    pub async fn list_customers(
        &self,
        actor: &Actor,
        phone: Option<&str>,
        email: Option<&str>,
        name: Option<&str>,
        cursor: Option<&str>,
        requested_limit: Option<u32>,
    ) -> DeskResult<Page<Customer>> {
        require(actor.can_see_customers(), "this role cannot see customers")?;
        let query = CustomerQuery {
            phone: phone
                .map(|p| Phone::parse(p).map_err(|m| DomainError::invalid("phone", m)))
                .transpose()?,
            email: email
                .map(|e| Email::parse(e).map_err(|m| DomainError::invalid("email", m)))
                .transpose()?
                .map(|e| e.as_str().to_string()),
            name: name.map(name_query).transpose()?,
            before: cursor
                .map(|c| {
                    CustomerId::parse(c)
                        .ok_or_else(|| DomainError::invalid("cursor", "not a cursor"))
                })
                .transpose()?,
            limit: limit(requested_limit),
        };
        Ok(self.store.list_customers(&query).await?)
    }

    /// The existing customer a draft's contacts point at, if any.
    async fn find_customer(&self, c: &Customer) -> DeskResult<Option<Customer>> {
        for (kind, value) in kefu_model::customer::contact_keys(c) {
            if let Some(found) = self.store.customer_by_contact(kind, &value).await? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    // ---- cases ----------------------------------------------------------------------------

    /// Creates a case. The customer is the given id, or the one whose phone/email matches, or
    /// a new one. Category and priority come from the caller or else the classifier.
    pub async fn create_case(
        &self,
        actor: &Actor,
        draft: CaseDraft,
        idempotency: Option<(String, String)>,
    ) -> DeskResult<CreatedCase> {
        self.create_case_as(actor, draft, idempotency, false).await
    }

    /// `create_case`, and with `bot` a chat the bot answers first (its first-response clock
    /// starts at the handover to a person).
    pub(crate) async fn create_case_as(
        &self,
        actor: &Actor,
        draft: CaseDraft,
        idempotency: Option<(String, String)>,
        bot: bool,
    ) -> DeskResult<CreatedCase> {
        let created = self
            .create_case_unnotified(actor, draft, idempotency, bot)
            .await?;
        if created.replayed {
            return Ok(created);
        }
        let case = self.notify_received(&created.case).await?;
        Ok(CreatedCase { case, ..created })
    }

    /// `create_case_as` without the customer's receipt: for a caller that sends it once what
    /// came in is recorded (a mail's receipt threads under the customer's mail).
    pub(crate) async fn create_case_unnotified(
        &self,
        actor: &Actor,
        draft: CaseDraft,
        idempotency: Option<(String, String)>,
        bot: bool,
    ) -> DeskResult<CreatedCase> {
        require(
            actor.can_write_cases() && actor.can_see_customers(),
            "this role cannot create cases",
        )?;
        let now = self.now();
        let subject = text("subject", &draft.subject, SUBJECT_MAX, true)?;
        let description = text("description", &draft.description, TEXT_MAX, false)?;
        let tags = tags("tags", &draft.tags)?;
        let waybill_nos = match &draft.waybill_no {
            Some(w) => vec![
                parse_waybill_no(w)
                    .ok_or_else(|| DomainError::invalid("waybill_no", "8–32 letters and digits"))?,
            ],
            // Intake links the case to the parcels its text names (R-CASE-2).
            None => kefu_model::parcels::waybills_in(
                &self.recognizer().await?,
                &[&subject, &description],
            ),
        };
        let received_at = draft.received_at.map(truncate_to_millis).unwrap_or(now);
        if received_at
            > now
                .saturating_add(SignedDuration::from_mins(5))
                .unwrap_or(now)
        {
            return Err(DomainError::invalid("received_at", "lies in the future"));
        }
        let (customer, grade) = match (&draft.customer_id, &draft.customer) {
            (Some(_), Some(_)) => {
                return Err(DomainError::invalid(
                    "customer",
                    "give either customer_id or customer, not both",
                ));
            }
            (None, None) => {
                return Err(DomainError::invalid(
                    "customer",
                    "customer_id or customer is required",
                ));
            }
            (Some(id), None) => {
                let found = match CustomerId::parse(id) {
                    Some(id) => self.store.customer_by_id(&id).await?,
                    None => None,
                }
                .ok_or_else(|| {
                    DomainError::invalid("customer_id", format!("no customer '{id}'"))
                })?;
                let found = self.survivor_of(found).await?;
                let grade = found.grade;
                (CustomerChoice::Existing(found.id), grade)
            }
            (None, Some(d)) => {
                let candidate = self.parse_customer("customer", d)?;
                match self.find_customer(&candidate).await? {
                    Some(found) => (CustomerChoice::Existing(found.id), found.grade),
                    None => {
                        let grade = candidate.grade;
                        (CustomerChoice::FindOrCreate(candidate), grade)
                    }
                }
            }
        };
        let (category, priority, classified_by) = match (draft.category, draft.priority) {
            (Some(c), Some(p)) => (c, p, "caller".to_string()),
            (given_category, given_priority) => {
                let text = format!("{subject}\n{description}");
                let category = given_category
                    .unwrap_or_else(|| self.classifier.classify(&text, grade).category);
                let priority = given_priority
                    .unwrap_or_else(|| self.classifier.priority(category, grade, &text));
                (category, priority, self.classifier.name().to_string())
            }
        };
        let region = self.region_of(&waybill_nos).await?;
        let kpi = self.kpi_context(Some(grade.get()), Some(region)).await?;
        let id = CaseId::new(now);
        let idempotency = idempotency.map(|(key, request_hash)| IdempotencyKey {
            user_id: actor.user_id.clone(),
            key,
            request_hash,
        });
        let template = CaseEvent {
            case_id: id.clone(),
            seq: 1,
            actor: actor.event_name(),
            at: now,
            data: EventData::Created {
                number: String::new(),
                channel: draft.channel,
                subject,
                description,
                category,
                priority,
                customer_id: CustomerId::from_stored(String::new()),
                waybill_nos,
                tags,
                received_at,
                classified_by,
                bot,
            },
        };
        // The clocks start with the case; the number and customer do not affect them.
        let then = match Case::from_created(&template) {
            Some(provisional) => {
                let config = self.sla_config().await?;
                sla::plan(None, &provisional, &[], grade.get(), &config, now)?
            }
            None => Vec::new(),
        };
        let number_date = now
            .to_zoned_datetime(self.time_zone.clone())
            .strftime("%Y%m%d")
            .to_string();
        let created = self
            .store
            .create_case(NewCase {
                id,
                customer,
                then,
                then_actor: SLA_ACTOR.to_string(),
                template,
                number_date,
                idempotency,
                kpi: Some(kpi),
            })
            .await
            .map_err(|e| match e {
                StoreError::IdempotencyMismatch => DomainError::Store(e),
                StoreError::NotFound(what) => {
                    DomainError::invalid("customer_id", format!("{what} not found"))
                }
                other => DomainError::Store(other),
            })?;
        Ok(created)
    }

    /// A case by id or number, if the actor may see it (otherwise: not found, so its
    /// existence is not revealed).
    pub async fn get_case(&self, actor: &Actor, id_or_number: &str) -> DeskResult<Case> {
        let found = match CaseId::parse(id_or_number) {
            Some(id) => self.store.case_by_id(&id).await?,
            None => {
                self.store
                    .case_by_number(&id_or_number.trim().to_uppercase())
                    .await?
            }
        };
        found
            .filter(|c| actor.can_see_case(c))
            .ok_or_else(|| DomainError::NotFound(format!("case {id_or_number}")))
    }

    pub async fn list_cases(
        &self,
        actor: &Actor,
        mut query: CaseQuery,
        cursor: Option<&str>,
        requested_limit: Option<u32>,
    ) -> DeskResult<Page<Case>> {
        if !actor.sees_all_cases() {
            query.department = Some(
                actor
                    .department_id
                    .clone()
                    .ok_or_else(|| DomainError::Forbidden("no department".into()))?,
            );
        }
        query.before = cursor
            .map(|c| CaseId::parse(c).ok_or_else(|| DomainError::invalid("cursor", "not a cursor")))
            .transpose()?;
        query.limit = limit(requested_limit);
        Ok(self.store.list_cases(&query).await?)
    }

    pub async fn case_events(
        &self,
        actor: &Actor,
        id_or_number: &str,
    ) -> DeskResult<Vec<CaseEvent>> {
        let case = self.get_case(actor, id_or_number).await?;
        Ok(self.store.case_events(&case.id).await?)
    }

    /// Applies a patch: plans the events against the current state and appends them, retrying
    /// from a fresh read if someone else changed the case in between.
    /// Department staff answer back: their note goes on the case (internal) and the case
    /// returns to the agent who owns it, open again.
    pub async fn hand_back(
        &self,
        actor: &Actor,
        id_or_number: &str,
        note: &str,
    ) -> DeskResult<Case> {
        require(actor.can_write_cases(), "this role cannot change cases")?;
        let body = text("note", note, TEXT_MAX, true)?;
        let message_id = MessageId::new(self.now());
        let (case, _) = self
            .with_retries(actor, id_or_number, |case| {
                let Some(department) = case.department.clone() else {
                    return Err(DomainError::conflict(
                        "not_transferred",
                        "the case is not with a department",
                    ));
                };
                let mut out = vec![
                    EventData::MessageAdded {
                        message_id: message_id.clone(),
                        body: body.clone(),
                        visibility: Visibility::Internal,
                        author_kind: "staff".into(),
                        call: false,
                        client_id: None,
                        attachments: Vec::new(),
                    },
                    EventData::Transferred {
                        from: Some(department),
                        to: None,
                        due_at: None,
                    },
                ];
                if case.status == Status::PendingDepartment {
                    out.push(EventData::StatusChanged {
                        from: case.status,
                        to: Status::Open,
                    });
                }
                Ok(out)
            })
            .await?;
        Ok(case)
    }

    pub async fn update_case(
        &self,
        actor: &Actor,
        id_or_number: &str,
        patch: CasePatch,
    ) -> DeskResult<Case> {
        require(actor.can_write_cases(), "this role cannot change cases")?;
        let routing = patch.priority.is_some()
            || patch.root_cause.is_some()
            || patch.category.is_some()
            || patch.assignee.is_some()
            || patch.department.is_some();
        if routing {
            require(
                actor.can_route_cases(),
                "department staff cannot re-route or re-grade cases",
            )?;
        }
        let assignee = match &patch.assignee {
            Some(Some(a)) => Some(Some(self.resolve_assignee(a).await?.id)),
            Some(None) => Some(None),
            None => None,
        };
        let department = match &patch.department {
            Some(Some(d)) => Some(Some(self.resolve_department("department", d).await?.id)),
            Some(None) => Some(None),
            None => None,
        };
        let waybill = patch
            .waybill_no
            .as_deref()
            .map(|w| {
                parse_waybill_no(w)
                    .ok_or_else(|| DomainError::invalid("waybill_no", "8–32 letters and digits"))
            })
            .transpose()?;
        let new_tags = patch.tags.as_deref().map(|t| tags("tags", t)).transpose()?;
        let department_due_at = match patch.department_due_at {
            Some(due) if !matches!(department, Some(Some(_))) => {
                let _ = due;
                return Err(DomainError::invalid(
                    "department_due_at",
                    "a deadline goes with a transfer to a department",
                ));
            }
            Some(due) if due <= self.now() => {
                return Err(DomainError::invalid(
                    "department_due_at",
                    "must be in the future",
                ));
            }
            due => due.map(truncate_to_millis),
        };
        let reason = patch
            .reason
            .as_deref()
            .map(|r| text("reason", r, 500, false))
            .transpose()?;
        // A resolution or closure may carry the root cause; a category the `root_causes`
        // setting names needs a resolution code by then.
        let ending = patch
            .status
            .is_some_and(|s| matches!(s, Status::Resolved | Status::Closed));
        let causes = match ending || patch.root_cause.is_some() {
            true => Some(self.cause_settings().await?),
            false => None,
        };
        let root_cause = match (patch.root_cause.as_ref().filter(|d| !d.is_empty()), &causes) {
            (Some(draft), Some(settings)) => {
                let case = self.get_case(actor, id_or_number).await?;
                Some(self.recorded_cause(&case, draft, settings).await?)
            }
            _ => None,
        };
        let resolved = ResolvedPatch {
            status: patch.status,
            priority: patch.priority,
            category: patch.category,
            assignee,
            department,
            waybill_no: waybill,
            tags: new_tags,
            reason,
            department_due_at,
            root_cause,
            code_required: false,
        };
        self.with_retries(actor, id_or_number, |case| {
            let category = resolved.category.unwrap_or(case.category);
            let patch = ResolvedPatch {
                code_required: causes.as_ref().is_some_and(|s| s.code_required(category)),
                ..resolved.clone()
            };
            plan_update(case, &patch)
        })
        .await
        .map(|(case, _)| case)
    }

    /// Adds a public reply or an internal note. A public staff reply to a new case opens it.
    pub async fn add_message(
        &self,
        actor: &Actor,
        id_or_number: &str,
        draft: MessageDraft,
    ) -> DeskResult<(Case, CaseEvent)> {
        require(actor.can_write_cases(), "this role cannot write to cases")?;
        let body = text("body", &draft.body, TEXT_MAX, true)?;
        let message_id = MessageId::new(self.now());
        // A customer naming a parcel links the case to it, as intake does.
        let named = if draft.from_customer {
            kefu_model::parcels::waybills_in(&self.recognizer().await?, &[&body])
        } else {
            Vec::new()
        };
        let (case, events) = self
            .with_retries(actor, id_or_number, |case| {
                let mut changes = plan_message(case, &message_id, &body, &draft)?;
                changes.extend(
                    named
                        .iter()
                        .filter(|w| !case.waybill_nos.contains(w))
                        .map(|w| EventData::WaybillLinked {
                            waybill_no: w.clone(),
                        }),
                );
                Ok(changes)
            })
            .await?;
        let event = events
            .into_iter()
            .find(|e| matches!(&e.data, EventData::MessageAdded { message_id: m, .. } if *m == message_id))
            .ok_or_else(|| DomainError::Store(StoreError::Backend("the message was not appended".into())))?;
        Ok((case, event))
    }

    /// Reads the case, asks `plan` for the events, appends them at the read version; on a
    /// concurrent change, reads again and re-plans.
    pub(crate) async fn with_retries(
        &self,
        actor: &Actor,
        id_or_number: &str,
        plan: impl Fn(&Case) -> DeskResult<Vec<EventData>>,
    ) -> DeskResult<(Case, Vec<CaseEvent>)> {
        self.with_retries_writing(actor, id_or_number, plan, None, &[])
            .await
    }

    /// [`Desk::with_retries`], writing `pickup` (a new order) and `deliveries` (an attempt's
    /// outcome) in the same transaction as the events. Public replies on a channel that
    /// delivers (e-mail) queue their deliveries in it too.
    pub(crate) async fn with_retries_writing(
        &self,
        actor: &Actor,
        id_or_number: &str,
        plan: impl Fn(&Case) -> DeskResult<Vec<EventData>>,
        pickup: Option<&kefu_model::pickup::Pickup>,
        deliveries: &[kefu_model::channels::Delivery],
    ) -> DeskResult<(Case, Vec<CaseEvent>)> {
        let along = Along {
            pickup,
            deliveries,
            ..Along::default()
        };
        self.with_retries_along(actor, id_or_number, plan, along)
            .await
    }

    /// [`Desk::with_retries`], writing what `along` carries in the same transaction as the
    /// events.
    pub(crate) async fn with_retries_along(
        &self,
        actor: &Actor,
        id_or_number: &str,
        plan: impl Fn(&Case) -> DeskResult<Vec<EventData>>,
        along: Along<'_>,
    ) -> DeskResult<(Case, Vec<CaseEvent>)> {
        let Along {
            pickup,
            pickup_version,
            deliveries,
            call,
            tell,
            reader,
            media_fetches,
        } = along;
        for _ in 0..APPEND_RETRIES {
            let case = self.get_case(reader.unwrap_or(actor), id_or_number).await?;
            let changes = plan(&case)?;
            if changes.is_empty() {
                return Ok((case, Vec::new()));
            }
            let (after, mut events) = self.events_for(&case, &actor.event_name(), changes.clone());
            let config = self.sla_config().await?;
            // The customer's grade matters only to policies that match on it; the figures
            // keep the grade their row was written with, and read the region again only when
            // the case's first parcel changed.
            let grade_matters = config
                .policies
                .iter()
                .any(|(_, p)| p.matches.customer_grade.is_some());
            let grade = match grade_matters {
                true => self.customer_grade(&case.customer_id).await?,
                false => Grade::DEFAULT.get(),
            };
            let region = match case.waybill_nos.first() == after.waybill_nos.first() {
                true => None,
                false => Some(self.region_of(&after.waybill_nos).await?),
            };
            let kpi = self.kpi_context(None, region).await?;
            let mut clocks = sla::plan(Some(&case), &after, &changes, grade, &config, self.now())?;
            clocks.extend(sla::settle_commitments(&after, &changes, self.now()));
            let (with_clocks, more) = self.events_for(&after, SLA_ACTOR, clocks);
            events.extend(more);
            let data: Vec<EventData> = events.iter().map(|e| e.data.clone()).collect();
            let steps = sla::step_events(&with_clocks, &data, &config);
            let (with_steps, more) = self.events_for(&with_clocks, SLA_ACTOR, steps);
            events.extend(more);
            let handover = self.escalation_handover(&with_steps, &events).await?;
            let (with_handover, more) = self.events_for(&with_steps, SLA_ACTOR, handover);
            events.extend(more);
            let (mut queued, no_way_out) = self.deliveries_for(&with_handover, &events).await?;
            let (with_deliveries, more) =
                self.events_for(&with_handover, DELIVERY_ACTOR, no_way_out);
            events.extend(more);
            let (survey, survey_token) = self.survey_steps(&with_deliveries, &events).await?;
            let (with_survey, more) =
                self.events_for(&with_deliveries, crate::survey::SURVEY_ACTOR, survey);
            events.extend(more);
            let (notices, notice_events) = self
                .notices_for(&with_survey, &events, survey_token.as_deref())
                .await?;
            let (projection, more) =
                self.events_for(&with_survey, crate::notices::NOTICE_ACTOR, notice_events);
            events.extend(more);
            queued.extend(notices);
            queued.extend(deliveries.iter().cloned());
            let mut notifications = self
                .notifications_for(&projection, &events, &config)
                .await?;
            let now = self.now();
            notifications.extend(tell.iter().map(|(user_id, kind, text)| Notification {
                id: MessageId::new(now).to_string(),
                user_id: user_id.clone(),
                case_id: projection.id.clone(),
                case_number: projection.number.clone(),
                kind: kind.to_string(),
                text: text.clone(),
                created_at: now,
                read_at: None,
            }));
            let options = AppendOptions {
                notifications: &notifications,
                pickup,
                pickup_version,
                deliveries: &queued,
                call,
                media_fetches,
                kpi: Some(&kpi),
            };
            let written = self
                .store
                .append_events(&projection, case.version, &events, options)
                .await;
            match written {
                Ok(()) => return Ok((projection, events)),
                Err(StoreError::VersionConflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::conflict(
            "version_conflict",
            "the case is being changed by others; try again",
        ))
    }

    /// An escalation hands the case up a level: to a supervisor at level 1, to an admin (who
    /// stands for the manager) at level 2 — the least recently created active one, so the
    /// choice is stable — unless it is already with someone of that rank.
    async fn escalation_handover(
        &self,
        case: &Case,
        events: &[CaseEvent],
    ) -> DeskResult<Vec<EventData>> {
        let Some(level) = events.iter().rev().find_map(|e| match &e.data {
            EventData::Escalated { level, .. } => Some(*level),
            _ => None,
        }) else {
            return Ok(Vec::new());
        };
        let rank = if level >= 2 {
            Role::Admin
        } else {
            Role::Supervisor
        };
        let users = self.store.list_users().await?;
        let current_rank = case
            .assignee
            .as_ref()
            .and_then(|a| users.iter().find(|u| u.id == *a))
            .map(|u| u.role);
        if current_rank == Some(rank) {
            return Ok(Vec::new());
        }
        let target = users
            .iter()
            .filter(|u| u.active && u.role == rank)
            .min_by_key(|u| u.created_at)
            .map(|u| u.id.clone());
        Ok(match target {
            Some(to) => vec![EventData::Assigned {
                from: case.assignee.clone(),
                to: Some(to),
            }],
            None => Vec::new(),
        })
    }

    /// Who hears about what: the assignee (or, for an unassigned case, the supervisors) about
    /// breaches and promises; the supervisors (admins too) about escalations.
    async fn notifications_for(
        &self,
        case: &Case,
        events: &[CaseEvent],
        config: &SlaConfig,
    ) -> DeskResult<Vec<Notification>> {
        let mut out = Vec::new();
        let mut supervisors: Option<Vec<UserId>> = None;
        for e in events {
            // (text, tell the assignee, tell the supervisors)
            let (text, to_assignee, to_supervisors) = match &e.data {
                EventData::SlaBreached { clock, .. } => {
                    let (a, s) = sla::step_recipients(case, *clock, None, config);
                    (
                        format!("工单 {} 的{}时限已超时", case.number, clock_name(*clock)),
                        a,
                        s,
                    )
                }
                EventData::SlaWarning { clock, percent } => {
                    let (a, s) = sla::step_recipients(case, *clock, Some(*percent), config);
                    let text = format!(
                        "工单 {} 的{}时限已用 {}%",
                        case.number,
                        clock_name(*clock),
                        percent
                    );
                    (text, a, s)
                }
                EventData::CommitmentReminded { id } => (
                    format!(
                        "工单 {} 的承诺即将到期（{}）",
                        case.number,
                        commitment_note(case, id)
                    ),
                    true,
                    false,
                ),
                EventData::CommitmentMissed { id } => (
                    format!(
                        "工单 {} 的承诺已逾期（{}）",
                        case.number,
                        commitment_note(case, id)
                    ),
                    true,
                    false,
                ),
                // A reply given up on after it was sent or tried (not one that had no way out
                // at all: whoever wrote it sees that at once).
                EventData::DeliveryFailed {
                    retry_at: None,
                    attempt,
                    ..
                } if *attempt > 0 => (
                    format!(
                        "工单 {} 的回复未能送达客户，请换一种方式联系客户",
                        case.number
                    ),
                    true,
                    false,
                ),
                EventData::DepartmentOverdue { .. } => (
                    format!("工单 {} 的部门处理时限已到，部门尚未回复", case.number),
                    true,
                    true,
                ),
                EventData::ClaimOverdue { claim_id, state } => (
                    format!(
                        "工单 {} 的理赔 {} 在「{}」环节已超时",
                        case.number, claim_id, state
                    ),
                    true,
                    true,
                ),
                EventData::ClaimProposed {
                    claim_id,
                    compensation,
                    ..
                } => (
                    format!(
                        "工单 {} 的理赔 {} 待审批：拟赔 {} 元",
                        case.number, claim_id, compensation
                    ),
                    false,
                    true,
                ),
                // A poor answer's follow-up (回访) is the supervisors' to make.
                EventData::FollowUpOpened { due_at } => (
                    format!(
                        "工单 {} 客户评价为差评（{} 分），请于 {} 前回访",
                        case.number,
                        case.rating.unwrap_or_default(),
                        due_at
                            .to_zoned_datetime(self.time_zone.clone())
                            .strftime("%-m月%-d日 %H:%M")
                    ),
                    false,
                    true,
                ),
                EventData::FollowUpOverdue { .. } => (
                    format!("工单 {} 的差评回访已逾期，尚未记录回访结果", case.number),
                    false,
                    true,
                ),
                EventData::Escalated { level, reason } => (
                    format!("工单 {} 已升级到第 {} 级：{}", case.number, level, reason),
                    false,
                    true,
                ),
                _ => continue,
            };
            let mut recipients = Vec::new();
            // An unassigned case has nobody to tell but the supervisors.
            let to_supervisors = match &case.assignee {
                Some(a) if to_assignee => {
                    recipients.push(a.clone());
                    to_supervisors
                }
                None if to_assignee => true,
                _ => to_supervisors,
            };
            if to_supervisors {
                if supervisors.is_none() {
                    supervisors = Some(
                        self.store
                            .list_users()
                            .await?
                            .into_iter()
                            .filter(|u| {
                                u.active && matches!(u.role, Role::Supervisor | Role::Admin)
                            })
                            .map(|u| u.id)
                            .collect(),
                    );
                }
                for s in supervisors.clone().unwrap_or_default() {
                    if !recipients.contains(&s) {
                        recipients.push(s);
                    }
                }
            }
            for user_id in recipients {
                out.push(Notification {
                    id: MessageId::new(e.at).to_string(),
                    user_id,
                    case_id: case.id.clone(),
                    case_number: case.number.clone(),
                    kind: e.data.type_name().to_string(),
                    text: text.clone(),
                    created_at: e.at,
                    read_at: None,
                });
            }
        }
        out.extend(self.work_order_notifications(case, events).await?);
        Ok(out)
    }

    pub(crate) fn events_for(
        &self,
        case: &Case,
        actor: &str,
        changes: Vec<EventData>,
    ) -> (Case, Vec<CaseEvent>) {
        let now = self.now();
        let mut projection = case.clone();
        let mut events = Vec::with_capacity(changes.len());
        for (i, data) in changes.into_iter().enumerate() {
            let event = CaseEvent {
                case_id: case.id.clone(),
                seq: case.version + 1 + i as i64,
                actor: actor.to_string(),
                at: now,
                data,
            };
            projection.apply(&event);
            events.push(event);
        }
        (projection, events)
    }
}

fn clock_name(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::FirstResponse => "首次响应",
        ClockKind::NextResponse => "再次响应",
        ClockKind::Resolution => "解决",
    }
}

fn commitment_note(case: &Case, id: &str) -> String {
    case.commitments
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.note.clone())
        .unwrap_or_default()
}
