//! The desk's parcel use cases: shipments and scans from the ops system, the tracking-query
//! workflows, configuration documents, claims and pickups. Their records and who may read which
//! setting are `kefu_model::parcels`.

use std::collections::HashMap;

use jiff::Timestamp;
use kefu_model::case::Case;
use kefu_model::codes::Channel;
use kefu_model::customer::Phone;
use kefu_model::drafts::{CaseDraft, CommitmentDraft, CustomerDraft};
use kefu_model::error::{DomainError, StoreError};
use kefu_model::parcels::{
    ClaimDraft, ClaimStep, ImportRow, MAX_SCANS_PER_CALL, OpenCaseRequest, PickupDraft,
    PickupStatusChange, QuoteInput, ShipmentWrite, TrackingAnswer, TrackingQuery, may_read_setting,
};
use kefu_model::shipment::{
    Scan, ScanDraft, Shipment, ShipmentDraft, apply_draft, parse_scan, parse_shipment,
};
use kefu_model::tracking::{
    self, ActionKind, Assessment, Issue, Outcome, ShipmentView, TrackingPolicy,
};
use kefu_model::user::{Actor, Role};
use kefu_model::waybill::Recognizer;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::desk::{Desk, DeskResult};

/// Writes of a shipment retry this often on a concurrent change before giving up.
const SHIPMENT_RETRIES: usize = 8;

/// A no-number search shows at most this many parcels.
const FACT_MATCHES: u32 = 10;

/// Who may feed the ops system's data in: admins and supervisors (an integration account is
/// an admin or supervisor user).
fn can_feed_shipments(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Supervisor)
}

/// The record of what a write changed in a stored shipment's details; `None` when it changed
/// none of them (a resend of the same details, or scans only).
fn shipment_change(
    actor: &Actor,
    old: &Shipment,
    new: &Shipment,
    at: Timestamp,
) -> Option<kefu_model::history::ShipmentChange> {
    let fields = kefu_model::history::shipment_diff(old, new);
    (!fields.is_empty()).then(|| kefu_model::history::ShipmentChange {
        waybill_no: new.waybill_no.clone(),
        version: new.version,
        at,
        actor: actor.event_name(),
        fields,
    })
}

fn require(ok: bool, what: &str) -> DeskResult<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden(what.to_string()))
    }
}

impl Desk {
    /// The recogniser with the operator's own format from the settings.
    pub async fn recognizer(&self) -> DeskResult<Recognizer> {
        Ok(Recognizer::new(self.sla_config().await?.own_format.clone()))
    }

    // ---- settings -------------------------------------------------------------------------

    /// A configuration document, or its default when none is stored.
    pub async fn setting_or_default<T: DeserializeOwned + Default>(
        &self,
        key: &str,
    ) -> DeskResult<T> {
        match self.store.setting(key).await? {
            Some(v) => serde_json::from_value(v).map_err(|e| {
                DomainError::Store(StoreError::Backend(format!("stored setting {key}: {e}")))
            }),
            None => Ok(T::default()),
        }
    }

    /// A setting as JSON (the default when none is stored).
    /// Refused with `forbidden` unless [`SETTING_READERS`] lets the actor's role read `key`.
    pub async fn get_setting(&self, actor: &Actor, key: &str) -> DeskResult<serde_json::Value> {
        match may_read_setting(actor.role, key) {
            None => return Err(DomainError::NotFound(format!("setting {key}"))),
            Some(allowed) => require(allowed, "this role cannot read this setting")?,
        }
        let value = match key {
            "waybill_format" => to_value(
                &self
                    .setting_or_default::<kefu_model::waybill::OwnFormat>(key)
                    .await?,
            ),
            kefu_model::search::SYNONYMS_SETTING => to_value(
                &self
                    .setting_or_default::<kefu_model::search::SynonymList>(key)
                    .await?,
            ),
            "tracking" => to_value(&self.setting_or_default::<TrackingPolicy>(key).await?),
            "rate_card" => to_value(
                &self
                    .setting_or_default::<kefu_logistics::RateCard>(key)
                    .await?,
            ),
            "coverage" => to_value(
                &self
                    .setting_or_default::<kefu_logistics::Coverage>(key)
                    .await?,
            ),
            "prohibited" => to_value(&self.prohibited_list().await?),
            "routing" => to_value(
                &self
                    .setting_or_default::<kefu_model::routing::RoutingPolicy>(key)
                    .await?,
            ),
            "claims" => to_value(
                &self
                    .setting_or_default::<kefu_model::claim::ClaimRules>(key)
                    .await?,
            ),
            kefu_model::work_order::RULES_SETTING => to_value(&self.work_order_rules().await?),
            kefu_model::survey::SURVEY_SETTING => to_value(&self.survey_settings().await?),
            kefu_model::causes::CAUSES_SETTING => to_value(&self.cause_settings().await?),
            kefu_model::key_accounts::SETTING => to_value(&self.key_account_settings().await?),
            "kb_categories" => to_value(
                &self
                    .setting_or_default::<kefu_model::kb::Categories>(key)
                    .await?,
            ),
            kefu_model::notices::NOTICES_SETTING => to_value(
                &self
                    .setting_or_default::<kefu_model::notices::NoticeTemplates>(key)
                    .await?,
            ),
            other => return Err(DomainError::NotFound(format!("setting {other}"))),
        }?;
        Ok(value)
    }

    /// Replaces a setting after validating it; admins only.
    pub async fn put_setting(
        &self,
        actor: &Actor,
        key: &str,
        value: serde_json::Value,
    ) -> DeskResult<serde_json::Value> {
        require(actor.role == Role::Admin, "only admins change settings")?;
        let normalised = match key {
            "tracking" => {
                let p: TrackingPolicy = parse_setting(value)?;
                p.validate()?;
                to_value(&p)?
            }
            kefu_model::work_order::RULES_SETTING => {
                let rules: kefu_model::work_order::OrderRules = parse_setting(value)?;
                rules.validate()?;
                to_value(&rules)?
            }
            kefu_model::survey::SURVEY_SETTING => {
                let settings: kefu_model::survey::SurveySettings = parse_setting(value)?;
                settings.validate()?;
                if self
                    .store
                    .calendar(&settings.follow_up_calendar)
                    .await?
                    .is_none()
                {
                    return Err(DomainError::invalid(
                        "follow_up_calendar",
                        "no such calendar",
                    ));
                }
                to_value(&settings)?
            }
            kefu_model::causes::CAUSES_SETTING => {
                let settings: kefu_model::causes::CauseSettings = parse_setting(value)?;
                settings.validate()?;
                to_value(&settings)?
            }
            kefu_model::key_accounts::SETTING => {
                let settings: kefu_model::key_accounts::KeyAccountSettings = parse_setting(value)?;
                settings.validate()?;
                to_value(&settings)?
            }
            "rate_card" => {
                let card: kefu_logistics::RateCard = parse_setting(value)?;
                card.validate()
                    .map_err(|e| DomainError::invalid(e.field.clone(), e.message.clone()))?;
                to_value(&card)?
            }
            "coverage" => {
                let coverage: kefu_logistics::Coverage = parse_setting(value)?;
                validate_coverage(&coverage)?;
                to_value(&coverage)?
            }
            "prohibited" => {
                let list: kefu_logistics::ProhibitedList = parse_setting(value)?;
                validate_prohibited(&list)?;
                to_value(&list)?
            }
            "claims" => {
                let rules: kefu_model::claim::ClaimRules = parse_setting(value)?;
                rules.validate()?;
                to_value(&rules)?
            }
            "routing" => {
                let policy: kefu_model::routing::RoutingPolicy = parse_setting(value)?;
                policy.validate()?;
                if let Some(d) = &policy.overflow_department {
                    self.resolve_department("overflow_department", d.as_str())
                        .await?;
                }
                to_value(&policy)?
            }
            "kb_categories" => {
                let list: kefu_model::kb::Categories = parse_setting(value)?;
                kefu_model::kb::check_categories(&list.0)?;
                to_value(&list)?
            }
            "waybill_format" => {
                let format: kefu_model::waybill::OwnFormat = parse_setting(value)?;
                format.validate()?;
                to_value(&format)?
            }
            kefu_model::notices::NOTICES_SETTING => {
                let templates: kefu_model::notices::NoticeTemplates = parse_setting(value)?;
                templates.validate()?;
                to_value(&templates)?
            }
            kefu_model::search::SYNONYMS_SETTING => {
                let list: kefu_model::search::SynonymList = parse_setting(value)?;
                // Without an index on this node the list cannot be checked, so it is refused
                // rather than stored unchecked.
                let engine = self.search.clone().ok_or_else(|| {
                    DomainError::conflict("search_unavailable", "this node has no search index")
                })?;
                engine.check_synonyms(&list.text)?;
                to_value(&list)?
            }
            other => return Err(DomainError::NotFound(format!("setting {other}"))),
        };
        let editor = self.editor(actor);
        self.store
            .put_setting(key, &normalised, editor.at, Some(&editor))
            .await?;
        self.forget_sla_config();
        // This node searches with the new list at once; the others within seconds (their
        // indexers follow the setting).
        if key == kefu_model::search::SYNONYMS_SETTING
            && let (Some(engine), Some(text)) = (&self.search, normalised["text"].as_str())
        {
            engine.use_synonyms(text)?;
        }
        Ok(normalised)
    }

    /// Who is changing something now, for the histories.
    pub(crate) fn editor(&self, actor: &Actor) -> kefu_model::history::Editor {
        kefu_model::history::Editor {
            actor: actor.event_name(),
            at: self.now(),
        }
    }

    /// Changes of settings, SLA policies and calendars, newest first (`limit` 1–1000, 100 by
    /// default); admins and supervisors only.
    pub async fn config_history(
        &self,
        actor: &Actor,
        kind: Option<&str>,
        key: Option<&str>,
        limit: Option<u32>,
    ) -> DeskResult<Vec<kefu_model::history::ConfigChange>> {
        require(
            matches!(actor.role, Role::Admin | Role::Supervisor),
            "the configuration history is for admins and supervisors",
        )?;
        let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => Some(kefu_model::history::ConfigKind::parse(k).ok_or_else(|| {
                DomainError::invalid("kind", "one of setting, sla_policy, calendar")
            })?),
        };
        let key = key.map(str::trim).filter(|k| !k.is_empty());
        Ok(self
            .store
            .config_history(kind, key, limit.unwrap_or(100).clamp(1, 1000))
            .await?)
    }

    // ---- shipments ------------------------------------------------------------------------

    /// Inserts or updates a shipment's details (scans sent with it are merged).
    pub async fn upsert_shipment(
        &self,
        actor: &Actor,
        draft: &ShipmentDraft,
    ) -> DeskResult<ShipmentWrite> {
        require(
            can_feed_shipments(actor),
            "this role cannot write shipments",
        )?;
        let now = self.now();
        let (parsed, scans) = parse_shipment(draft, &self.recognizer().await?, now)?;
        let scan_count = scans.len();
        for _ in 0..SHIPMENT_RETRIES {
            let stored = self.store.shipment(&parsed.waybill_no).await?;
            let before = stored.as_ref().map_or(0, |s| s.events.len());
            let original = stored.clone();
            let (row, expected) = apply_draft(stored, parsed.clone(), scans.clone(), now);
            let added = row.events.len() - before;
            let changes = original
                .and_then(|old| shipment_change(actor, &old, &row, now))
                .into_iter()
                .collect();
            match self
                .store
                .put_shipments(vec![(row.clone(), expected)], changes)
                .await
            {
                Ok(()) => {
                    return Ok(ShipmentWrite {
                        shipment: row,
                        created: expected.is_none(),
                        added,
                        duplicates: scan_count - added,
                    });
                }
                Err(StoreError::VersionConflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    /// Adds scans to a stored shipment; a scan already stored is counted, not stored again.
    pub async fn add_scans(
        &self,
        actor: &Actor,
        waybill_no: &str,
        drafts: &[ScanDraft],
    ) -> DeskResult<ShipmentWrite> {
        require(
            can_feed_shipments(actor),
            "this role cannot write shipments",
        )?;
        if drafts.is_empty() || drafts.len() > MAX_SCANS_PER_CALL {
            return Err(DomainError::invalid(
                "events",
                format!("1 to {MAX_SCANS_PER_CALL} scans"),
            ));
        }
        let now = self.now();
        let scans = drafts
            .iter()
            .enumerate()
            .map(|(i, d)| parse_scan(&format!("events[{i}]"), d, now))
            .collect::<Result<Vec<Scan>, _>>()?;
        let waybill_no = kefu_model::case::parse_waybill_no(waybill_no)
            .ok_or_else(|| DomainError::NotFound(format!("shipment {waybill_no}")))?;
        for _ in 0..SHIPMENT_RETRIES {
            let mut shipment = self
                .store
                .shipment(&waybill_no)
                .await?
                .ok_or_else(|| DomainError::NotFound(format!("shipment {waybill_no}")))?;
            let expected = shipment.version;
            let added = shipment.merge_scans(scans.clone());
            if added == 0 {
                return Ok(ShipmentWrite {
                    shipment,
                    created: false,
                    added: 0,
                    duplicates: scans.len(),
                });
            }
            shipment.version += 1;
            shipment.updated_at = now;
            match self
                .store
                .put_shipments(vec![(shipment.clone(), Some(expected))], Vec::new())
                .await
            {
                Ok(()) => {
                    return Ok(ShipmentWrite {
                        shipment,
                        created: false,
                        added,
                        duplicates: scans.len() - added,
                    });
                }
                Err(StoreError::VersionConflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    /// What upserts changed in a shipment's details, newest first, with names, phones and
    /// addresses masked; for staff.
    pub async fn shipment_history(
        &self,
        actor: &Actor,
        waybill_no: &str,
        limit: Option<u32>,
    ) -> DeskResult<Vec<kefu_model::history::ShipmentChange>> {
        require(actor.can_see_customers(), "this role cannot see shipments")?;
        let no = kefu_model::case::parse_waybill_no(waybill_no)
            .ok_or_else(|| DomainError::NotFound(format!("shipment {waybill_no}")))?;
        if self.store.shipment(&no).await?.is_none() {
            return Err(DomainError::NotFound(format!("shipment {no}")));
        }
        Ok(self
            .store
            .shipment_changes(&no, limit.unwrap_or(100).clamp(1, 1000))
            .await?
            .iter()
            .map(kefu_model::history::ShipmentChange::masked)
            .collect())
    }

    /// A shipment with all details, for staff.
    pub async fn get_shipment(&self, actor: &Actor, waybill_no: &str) -> DeskResult<Shipment> {
        require(actor.can_see_customers(), "this role cannot see shipments")?;
        let no = kefu_model::case::parse_waybill_no(waybill_no)
            .ok_or_else(|| DomainError::NotFound(format!("shipment {waybill_no}")))?;
        self.store
            .shipment(&no)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("shipment {no}")))
    }

    /// Writes a batch of import rows. A bad row is reported at its index and holds nothing
    /// else up; the good rows are written together (the batch is retried on a concurrent
    /// change).
    pub async fn import_shipments(
        &self,
        actor: &Actor,
        rows: Vec<ImportRow>,
    ) -> DeskResult<Vec<Option<DomainError>>> {
        require(
            can_feed_shipments(actor),
            "this role cannot write shipments",
        )?;
        let now = self.now();
        let recognizer = self.recognizer().await?;
        let mut errors: Vec<Option<DomainError>> = (0..rows.len()).map(|_| None).collect();
        // Good rows in input order: (index, waybill, details of a shipment row, scans).
        let mut parsed: Vec<(usize, String, Option<Shipment>, Vec<Scan>)> = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let outcome = match row {
                ImportRow::Shipment(d) => parse_shipment(d, &recognizer, now)
                    .map(|(s, scans)| (s.waybill_no.clone(), Some(s), scans)),
                ImportRow::Scans { waybill_no, scans } => {
                    match kefu_model::case::parse_waybill_no(waybill_no) {
                        None => Err(DomainError::invalid(
                            "waybill_no",
                            "8–32 letters and digits",
                        )),
                        Some(no) => scans
                            .iter()
                            .enumerate()
                            .map(|(j, d)| parse_scan(&format!("events[{j}]"), d, now))
                            .collect::<Result<Vec<_>, _>>()
                            .map(|scans| (no, None, scans)),
                    }
                }
            };
            match outcome {
                Ok((no, details, scans)) => parsed.push((i, no, details, scans)),
                Err(e) => errors[i] = Some(e),
            }
        }
        let mut numbers: Vec<String> = parsed.iter().map(|p| p.1.clone()).collect();
        numbers.sort();
        numbers.dedup();
        for _ in 0..SHIPMENT_RETRIES {
            // waybill → (row, version it replaces, changed by this batch)
            let stored = self.store.shipments(&numbers).await?;
            // As stored before this batch: what the batch's changes are measured against.
            let originals: HashMap<String, Shipment> = stored
                .iter()
                .map(|s| (s.waybill_no.clone(), s.clone()))
                .collect();
            let mut current: HashMap<String, (Shipment, Option<i64>, bool)> = stored
                .into_iter()
                .map(|s| {
                    let v = s.version;
                    (s.waybill_no.clone(), (s, Some(v), false))
                })
                .collect();
            let mut missing = Vec::new();
            for (i, no, details, scans) in &parsed {
                match (details, current.remove(no)) {
                    (Some(d), existing) => {
                        let expected = existing.as_ref().and_then(|e| e.1);
                        let (row, _) =
                            apply_draft(existing.map(|e| e.0), d.clone(), scans.clone(), now);
                        current.insert(no.clone(), (row, expected, true));
                    }
                    (None, Some((mut s, expected, changed))) => {
                        let added = s.merge_scans(scans.clone());
                        current.insert(no.clone(), (s, expected, changed || added > 0));
                    }
                    (None, None) => missing.push(*i),
                }
            }
            let writes: Vec<(Shipment, Option<i64>)> = current
                .into_values()
                .filter(|(_, _, changed)| *changed)
                .map(|(mut s, expected, _)| {
                    s.version = expected.unwrap_or(0) + 1;
                    s.updated_at = now;
                    (s, expected)
                })
                .collect();
            let changes = writes
                .iter()
                .filter_map(|(s, _)| {
                    let old = originals.get(&s.waybill_no)?;
                    shipment_change(actor, old, s, now)
                })
                .collect();
            match self.store.put_shipments(writes, changes).await {
                Ok(()) => {
                    for i in missing {
                        errors[i] = Some(DomainError::NotFound(
                            "shipment (scans for a waybill that was never sent)".to_string(),
                        ));
                    }
                    return Ok(errors);
                }
                Err(StoreError::VersionConflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    // ---- tracking queries -----------------------------------------------------------------

    /// Answers a "where is my parcel" question, and opens a case for it when asked to.
    pub async fn tracking_query(
        &self,
        actor: &Actor,
        query: TrackingQuery,
    ) -> DeskResult<TrackingAnswer> {
        let now = self.now();
        let policy: TrackingPolicy = self.setting_or_default("tracking").await?;
        let phone = match &query.phone {
            Some(p) => Some(Phone::parse(p).map_err(|m| DomainError::invalid("phone", m))?),
            None => None,
        };
        let mut found: Option<Shipment> = None;
        let mut answer = match &query.waybill_no {
            Some(raw) => {
                let no = kefu_model::case::parse_waybill_no(raw)
                    .ok_or_else(|| DomainError::invalid("waybill_no", "8–32 letters and digits"))?;
                match self.store.shipment(&no).await? {
                    Some(s) => {
                        let mut a = TrackingAnswer::from(tracking::assess(
                            &s,
                            now,
                            &policy,
                            &self.time_zone,
                        ));
                        a.shipment = Some(ShipmentView::of(&s));
                        found = Some(s);
                        a
                    }
                    None => {
                        let r = self.recognizer().await?.recognize(&no);
                        match r.candidates.first() {
                            Some(c) if !r.ours && c.confidence >= 0.3 => {
                                let mut a =
                                    TrackingAnswer::from(tracking::other_carrier(&no, &c.name));
                                a.carrier = Some(c.clone());
                                a
                            }
                            _ => TrackingAnswer::from(tracking::not_found(Some(&no))),
                        }
                    }
                }
            }
            None => {
                let facts = query.name.is_some() || query.address.is_some() || query.date.is_some();
                match &phone {
                    None if !facts => {
                        return Err(DomainError::invalid(
                            "waybill_no",
                            "give a waybill number, or the sender's or recipient's phone",
                        ));
                    }
                    None => TrackingAnswer::from(tracking::not_found(None)),
                    Some(p) => {
                        let matches = self.by_facts(p, &query).await?;
                        match matches.first() {
                            None => TrackingAnswer::from(tracking::not_found(None)),
                            Some(newest) => {
                                let a = tracking::assess(newest, now, &policy, &self.time_zone);
                                let mut out = TrackingAnswer::from(Assessment {
                                    outcome: Outcome::FoundByFacts,
                                    answer: format!(
                                        "根据您提供的手机号找到 {} 个包裹。最近的一个：{}",
                                        matches.len(),
                                        a.answer
                                    ),
                                    answer_en: format!(
                                        "We found {} parcel(s) for that phone number. The latest: {}",
                                        matches.len(),
                                        a.answer_en
                                    ),
                                    ..a
                                });
                                out.shipment = Some(ShipmentView::of(newest));
                                out.matches = matches.iter().map(ShipmentView::of).collect();
                                found = Some(newest.clone());
                                out
                            }
                        }
                    }
                }
            }
        };
        if let Some(request) = query.open_case.clone() {
            let case = self
                .open_case_for_query(actor, &query, request, &answer, found.as_ref())
                .await?;
            answer.case = Some(case);
        }
        Ok(answer)
    }

    /// Shipments of this phone, narrowed by the other facts given.
    async fn by_facts(&self, phone: &Phone, query: &TrackingQuery) -> DeskResult<Vec<Shipment>> {
        let candidates = self
            .store
            .shipments_by_phone(phone.as_str(), FACT_MATCHES * 5)
            .await?;
        let region = query.address.as_deref().map(kefu_regions::parse_address);
        let wanted = region.as_ref().and_then(|r| r.most_specific_code());
        Ok(candidates
            .into_iter()
            .filter(|s| {
                let name_ok = query.name.as_deref().is_none_or(|n| {
                    let n = n.trim();
                    s.sender.name == n || s.recipient.name == n
                });
                let date_ok = query.date.is_none_or(|d| {
                    s.shipped_at
                        .to_zoned_datetime(self.time_zone.clone())
                        .date()
                        == d
                });
                let place_ok = wanted.is_none_or(|code| {
                    [&s.sender.region, &s.recipient.region].iter().any(|r| {
                        r.most_specific_code().is_some_and(|c| {
                            c.starts_with(code.trim_end_matches("00"))
                                || code.starts_with(c.trim_end_matches("00"))
                        })
                    })
                });
                name_ok && date_ok && place_ok
            })
            .take(FACT_MATCHES as usize)
            .collect())
    }

    async fn open_case_for_query(
        &self,
        actor: &Actor,
        query: &TrackingQuery,
        request: OpenCaseRequest,
        answer: &TrackingAnswer,
        shipment: Option<&Shipment>,
    ) -> DeskResult<Case> {
        let phone = request
            .phone
            .clone()
            .or_else(|| query.phone.clone())
            .ok_or_else(|| {
                DomainError::invalid(
                    "open_case.phone",
                    "the customer's phone is needed to open a case",
                )
            })?;
        let (category, priority) = tracking::case_for(
            answer.outcome,
            shipment.map(|s| s.status),
            query.issue,
            &answer.actions,
        );
        let waybill = shipment
            .map(|s| s.waybill_no.clone())
            .or_else(|| query.waybill_no.clone());
        let subject = match (&waybill, query.issue) {
            (Some(w), Some(issue)) => format!("运单 {w}：{}", issue_label(issue)),
            (Some(w), None) => format!("运单 {w}：{}", outcome_label(answer.outcome)),
            (None, _) => format!("无单号查询：{}", outcome_label(answer.outcome)),
        };
        let mut description = format!(
            "查询结果：{}\n已答复客户：{}",
            answer.outcome, answer.answer
        );
        if let Some(note) = request.note.as_deref().filter(|n| !n.trim().is_empty()) {
            description = format!("客户描述：{}\n{description}", note.trim());
        }
        let draft = CaseDraft {
            channel: request.channel.unwrap_or(Channel::Phone),
            subject,
            description,
            customer_id: None,
            customer: Some(CustomerDraft {
                name: request.name.clone().or_else(|| query.name.clone()),
                phone: Some(phone),
                ..CustomerDraft::default()
            }),
            category: Some(category),
            priority: Some(priority),
            waybill_no: waybill,
            tags: vec!["tracking".to_string()],
            received_at: None,
        };
        let created = self.create_case(actor, draft, None).await?;
        let mut case = created.case;
        let commit = answer
            .actions
            .iter()
            .find(|a| a.kind == ActionKind::CommitReply)
            .and_then(|a| a.due_at);
        if let Some(due_at) = commit {
            case = self
                .make_commitment(
                    actor,
                    &case.id.to_string(),
                    CommitmentDraft {
                        due_at,
                        note: "答复客户运单查询结果".to_string(),
                        remind_before_minutes: None,
                    },
                )
                .await?;
        }
        Ok(case)
    }
}

fn issue_label(issue: Issue) -> &'static str {
    match issue {
        Issue::NotReceived => "显示签收但未收到",
        Issue::Damaged => "包裹破损",
        Issue::Delay => "催件",
        Issue::WrongItem => "错件",
        Issue::ChangeDelivery => "修改派送",
        Issue::Other => "其他问题",
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::WithResult => "查件",
        Outcome::Delay => "延误",
        Outcome::NoResult => "揽收后无更新",
        Outcome::FoundByFacts => "无单号查件",
        Outcome::NotFound => "未查到",
        Outcome::OtherCarrier => "非本公司单号",
        Outcome::Expired => "超期查询",
    }
}

fn busy() -> DomainError {
    DomainError::conflict(
        "version_conflict",
        "the shipment is being changed by others; try again",
    )
}

fn validate_coverage(c: &kefu_logistics::Coverage) -> DeskResult<()> {
    for (field, codes) in [
        ("served", &c.served),
        ("excluded", &c.excluded),
        ("remote", &c.remote),
    ] {
        for (i, code) in codes.iter().enumerate() {
            let ok = matches!(code.len(), 2 | 4 | 6) && code.bytes().all(|b| b.is_ascii_digit());
            if !ok {
                return Err(DomainError::invalid(
                    format!("{field}[{i}]"),
                    "a 2-, 4- or 6-digit division code",
                ));
            }
        }
    }
    Ok(())
}

fn validate_prohibited(list: &kefu_logistics::ProhibitedList) -> DeskResult<()> {
    for (field, categories) in [("official", &list.official), ("operator", &list.operator)] {
        for (i, c) in categories.iter().enumerate() {
            if c.name.trim().is_empty() || c.name.chars().count() > 100 {
                return Err(DomainError::invalid(
                    format!("{field}[{i}].name"),
                    "1 to 100 characters",
                ));
            }
            for (j, k) in c.keywords.iter().enumerate() {
                let n = k.trim().chars().count();
                if n == 0 || n > 20 {
                    return Err(DomainError::invalid(
                        format!("{field}[{i}].keywords[{j}]"),
                        "1 to 20 characters",
                    ));
                }
            }
        }
    }
    Ok(())
}

fn to_value<T: Serialize>(v: &T) -> DeskResult<serde_json::Value> {
    serde_json::to_value(v)
        .map_err(|e| DomainError::Store(StoreError::Backend(format!("encode setting: {e}"))))
}

fn parse_setting<T: DeserializeOwned>(value: serde_json::Value) -> DeskResult<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        DomainError::invalid(
            if path == "." {
                "body".to_string()
            } else {
                path
            },
            e.inner().to_string(),
        )
    })
}

// ---- claims -------------------------------------------------------------------------------

const MAX_EVIDENCE: usize = 20;

fn check_evidence(field: &str, e: &kefu_model::claim::Evidence) -> DeskResult<()> {
    if e.name.trim().is_empty() || e.name.chars().count() > 200 {
        return Err(DomainError::invalid(
            format!("{field}.name"),
            "1 to 200 characters",
        ));
    }
    let url_ok =
        (e.url.starts_with("https://") || e.url.starts_with("http://") || e.url.starts_with("/"))
            && e.url.len() <= 2000
            && !e.url.chars().any(char::is_whitespace);
    if !url_ok {
        return Err(DomainError::invalid(
            format!("{field}.url"),
            "an http(s) URL or a path",
        ));
    }
    if let Some(h) = &e.sha256
        && !(h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(DomainError::invalid(
            format!("{field}.sha256"),
            "64 hex digits",
        ));
    }
    Ok(())
}

fn money(field: &str, v: rust_decimal::Decimal) -> DeskResult<rust_decimal::Decimal> {
    if v < rust_decimal::Decimal::ZERO {
        return Err(DomainError::invalid(field, "must not be negative"));
    }
    if v > rust_decimal::Decimal::from(10_000_000) {
        return Err(DomainError::invalid(field, "at most 10000000"));
    }
    Ok(v.round_dp(2).normalize())
}

impl Desk {
    /// Opens a claim on a case, linked to the case's parcel.
    pub async fn open_claim(
        &self,
        actor: &Actor,
        case_id: &str,
        draft: ClaimDraft,
    ) -> DeskResult<(Case, String)> {
        require(actor.can_route_cases(), "this role cannot open claims")?;
        let rules: kefu_model::claim::ClaimRules = self.setting_or_default("claims").await?;
        let claimed_amount = money("claimed_amount", draft.claimed_amount)?;
        if draft.evidence.len() > MAX_EVIDENCE {
            return Err(DomainError::invalid(
                "evidence",
                format!("at most {MAX_EVIDENCE}"),
            ));
        }
        for (i, e) in draft.evidence.iter().enumerate() {
            check_evidence(&format!("evidence[{i}]"), e)?;
        }
        let case = self.get_case(actor, case_id).await?;
        let waybill_no = match &draft.waybill_no {
            Some(w) => kefu_model::case::parse_waybill_no(w)
                .ok_or_else(|| DomainError::invalid("waybill_no", "8–32 letters and digits"))?,
            None => case.waybill_nos.first().cloned().ok_or_else(|| {
                DomainError::invalid("waybill_no", "the case has no waybill; give one")
            })?,
        };
        let shipment = self.store.shipment(&waybill_no).await?;
        let declared_value = match draft.declared_value {
            Some(v) => Some(money("declared_value", v)?),
            None => shipment.as_ref().and_then(|s| s.declared_value),
        };
        let insured = draft
            .insured
            .or(shipment.as_ref().map(|s| s.insured))
            .unwrap_or(false);
        if insured && declared_value.is_none() {
            return Err(DomainError::invalid(
                "declared_value",
                "an insured parcel needs a declared value",
            ));
        }
        let freight = match draft.freight {
            Some(f) => money("freight", f)?,
            None => shipment
                .as_ref()
                .and_then(|s| s.freight)
                .ok_or_else(|| DomainError::invalid("freight", "the freight paid is needed"))?,
        };
        let now = self.now();
        let claim_id = format!("CL{}", kefu_model::ids::short_id());
        let opened = kefu_model::claim::ClaimOpened {
            claim_id: claim_id.clone(),
            waybill_no: waybill_no.clone(),
            kind: draft.kind,
            declared_value,
            insured,
            freight,
            claimed_amount,
            evidence: draft.evidence,
            due_at: rules.due(now, rules.hours_to_propose),
        };
        let (case, _) = self
            .with_retries(actor, &case.id.to_string(), |c| {
                let mut out = Vec::new();
                if !c.waybill_nos.contains(&waybill_no) {
                    out.push(kefu_model::case::EventData::WaybillLinked {
                        waybill_no: waybill_no.clone(),
                    });
                }
                out.push(kefu_model::case::EventData::ClaimOpened(opened.clone()));
                Ok(out)
            })
            .await?;
        Ok((case, claim_id))
    }

    /// One step of a claim: `evidence`, `propose`, `approve`, `reject` or `pay`.
    pub async fn claim_step(
        &self,
        actor: &Actor,
        case_id: &str,
        claim_id: &str,
        step: &str,
        body: ClaimStep,
    ) -> DeskResult<Case> {
        use kefu_model::case::EventData;
        use kefu_model::claim::ClaimState;
        let rules: kefu_model::claim::ClaimRules = self.setting_or_default("claims").await?;
        let now = self.now();
        match step {
            "evidence" | "propose" => require(actor.can_route_cases(), "agents propose claims")?,
            "approve" | "reject" => require(
                matches!(actor.role, Role::Supervisor | Role::Admin),
                "a supervisor decides claims",
            )?,
            "pay" => require(
                matches!(actor.role, Role::Finance | Role::Admin),
                "finance pays claims",
            )?,
            other => return Err(DomainError::NotFound(format!("claim step {other}"))),
        }
        let loss = body
            .loss_amount
            .map(|l| money("loss_amount", l))
            .transpose()?;
        let reason = body
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        let reference = body
            .reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty() && r.chars().count() <= 100)
            .map(str::to_string);
        if let Some(e) = &body.evidence {
            check_evidence("evidence", e)?;
        }
        let (case, _) = self
            .with_retries(actor, case_id, |case| {
                let claim = case
                    .claims
                    .iter()
                    .find(|c| c.id == claim_id)
                    .ok_or_else(|| DomainError::NotFound(format!("claim {claim_id}")))?;
                let wrong_state = |want: &str| {
                    DomainError::conflict(
                        "invalid_transition",
                        format!(
                            "claim {claim_id} is {}; {step} needs it {want}",
                            claim.state
                        ),
                    )
                };
                let event = match step {
                    "evidence" => {
                        if !claim.is_open() {
                            return Err(wrong_state("open"));
                        }
                        if claim.evidence.len() >= MAX_EVIDENCE {
                            return Err(DomainError::invalid(
                                "evidence",
                                format!("at most {MAX_EVIDENCE}"),
                            ));
                        }
                        EventData::ClaimEvidenceAdded {
                            claim_id: claim.id.clone(),
                            evidence: body
                                .evidence
                                .clone()
                                .ok_or_else(|| DomainError::invalid("evidence", "required"))?,
                        }
                    }
                    "propose" => {
                        if !matches!(claim.state, ClaimState::Opened | ClaimState::Proposed) {
                            return Err(wrong_state("opened"));
                        }
                        let loss =
                            loss.ok_or_else(|| DomainError::invalid("loss_amount", "required"))?;
                        let (compensation, rule) = rules.compensation(claim, loss);
                        EventData::ClaimProposed {
                            claim_id: claim.id.clone(),
                            loss_amount: loss,
                            compensation,
                            rule,
                            due_at: rules.due(now, rules.hours_to_decide),
                        }
                    }
                    "approve" => {
                        if claim.state != ClaimState::Proposed {
                            return Err(wrong_state("proposed"));
                        }
                        EventData::ClaimApproved {
                            claim_id: claim.id.clone(),
                            due_at: rules.due(now, rules.hours_to_pay),
                        }
                    }
                    "reject" => {
                        if claim.state != ClaimState::Proposed {
                            return Err(wrong_state("proposed"));
                        }
                        EventData::ClaimRejected {
                            claim_id: claim.id.clone(),
                            reason: reason
                                .clone()
                                .ok_or_else(|| DomainError::invalid("reason", "required"))?,
                        }
                    }
                    _ => {
                        if claim.state != ClaimState::Approved {
                            return Err(wrong_state("approved"));
                        }
                        EventData::ClaimPaid {
                            claim_id: claim.id.clone(),
                            reference: reference.clone().ok_or_else(|| {
                                DomainError::invalid(
                                    "reference",
                                    "the payment reference, 1–100 characters",
                                )
                            })?,
                        }
                    }
                };
                Ok(vec![event])
            })
            .await?;
        Ok(case)
    }
}

// ---- quotes and pickups -------------------------------------------------------------------

/// A new pickup number: `PU`, the local date and six random characters.
fn pickup_number(now: Timestamp, zone: &jiff::tz::TimeZone) -> String {
    let date = now
        .to_zoned_datetime(zone.clone())
        .strftime("%Y%m%d")
        .to_string();
    format!("PU{date}{}", &kefu_model::ids::short_id()[..6])
}

fn address_region(field: &str, address: &str) -> DeskResult<(kefu_regions::ParsedAddress, String)> {
    let text = address.trim();
    if text.is_empty() || text.chars().count() > 200 {
        return Err(DomainError::invalid(field, "1 to 200 characters"));
    }
    let parsed = kefu_regions::parse_address(text);
    let code = parsed
        .most_specific_code()
        .map(str::to_string)
        .ok_or_else(|| {
            DomainError::invalid(
                field,
                "no province, city or district found in the address; write it as 省/市/区 + street",
            )
        })?;
    Ok((parsed, code))
}

impl Desk {
    /// A price quote with coverage, prohibited-item flags and whether a vehicle is needed.
    /// Whoever may book a pickup may ask for its quote ([`Actor::can_book_pickups`]).
    pub async fn quote(&self, actor: &Actor, input: &QuoteInput) -> DeskResult<serde_json::Value> {
        require(
            actor.can_book_pickups(),
            "this role cannot quote or book pickups",
        )?;
        let (origin, destination, quote) =
            self.compute_quote(input, "origin", "destination").await?;
        let mut out = to_value(&quote)?;
        if let Some(map) = out.as_object_mut() {
            map.insert("origin_region".into(), to_value(&origin)?);
            map.insert("destination_region".into(), to_value(&destination)?);
        }
        Ok(out)
    }

    pub(crate) async fn compute_quote(
        &self,
        input: &QuoteInput,
        origin_field: &str,
        destination_field: &str,
    ) -> DeskResult<(
        kefu_regions::ParsedAddress,
        kefu_regions::ParsedAddress,
        kefu_logistics::Quote,
    )> {
        let (origin, origin_code) = address_region(origin_field, &input.origin)?;
        let (destination, destination_code) =
            address_region(destination_field, &input.destination)?;
        if input.item.chars().count() > 200 {
            return Err(DomainError::invalid("item", "at most 200 characters"));
        }
        let card: kefu_logistics::RateCard = self.setting_or_default("rate_card").await?;
        let coverage: kefu_logistics::Coverage = self.setting_or_default("coverage").await?;
        let prohibited = self.prohibited_list().await?;
        let request = kefu_logistics::QuoteRequest {
            origin_code,
            destination_code,
            product: input.product.clone(),
            weight_kg: input.weight_kg,
            dimensions_cm: input.dimensions_cm,
            pieces: input.pieces.unwrap_or(1),
            declared_value: input.declared_value,
            insured: input.insured,
            item: input.item.clone(),
        };
        let quote = kefu_logistics::quote(&request, &card, &coverage, &prohibited)
            .map_err(|e| DomainError::invalid(e.field().to_string(), e.to_string()))?;
        Ok((origin, destination, quote))
    }

    pub(crate) async fn prohibited_list(&self) -> DeskResult<kefu_logistics::ProhibitedList> {
        self.setting_or_default("prohibited").await
    }

    /// Books a pickup and, when nothing needs a person's check, dispatches it to the outlet
    /// and courier serving the sender's district.
    pub async fn book_pickup(
        &self,
        actor: &Actor,
        draft: PickupDraft,
    ) -> DeskResult<kefu_model::pickup::Pickup> {
        use kefu_model::pickup::{Pickup, PickupChange, PickupParty, PickupStatus};
        require(actor.can_book_pickups(), "this role cannot book pickups")?;
        let now = self.now();
        // Booked from a case: for the case's customer, whose name and phone are the default.
        let case = match draft.case_id.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => {
                require(
                    actor.can_see_customers(),
                    "this role cannot book pickups for a customer",
                )?;
                let case = self.get_case(actor, c).await?;
                if case.status == kefu_model::codes::Status::Closed {
                    return Err(kefu_model::drafts::closed_error());
                }
                let customer = self.store.customer_by_id(&case.customer_id).await?;
                Some((case, customer))
            }
            Some(_) => return Err(DomainError::invalid("case_id", "a case id or number")),
            None => None,
        };
        let on_file = case.as_ref().and_then(|(_, c)| c.as_ref());
        let sender_phone = match (draft.sender.phone.trim(), on_file) {
            ("", Some(c)) => c
                .phones
                .first()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            (p, _) => p.to_string(),
        };
        let sender_name = match (draft.sender.name.trim(), on_file) {
            ("", Some(c)) => c.name.clone(),
            (n, _) => n.to_string(),
        };
        let phone =
            Phone::parse(&sender_phone).map_err(|m| DomainError::invalid("sender.phone", m))?;
        let name = sender_name.trim().to_string();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(DomainError::invalid("sender.name", "1 to 50 characters"));
        }
        if draft.item.trim().is_empty() {
            return Err(DomainError::invalid("item", "must not be empty"));
        }
        if draft.note.chars().count() > 500 {
            return Err(DomainError::invalid("note", "at most 500 characters"));
        }
        let window = kefu_model::pickup::check_window(draft.window_from, draft.window_to, now)?;
        let input = QuoteInput {
            origin: draft.sender.address.clone(),
            destination: draft.recipient_address.clone(),
            weight_kg: draft.weight_kg,
            dimensions_cm: draft.dimensions_cm,
            pieces: draft.pieces,
            item: draft.item.clone(),
            product: draft.product.clone(),
            declared_value: draft.declared_value,
            insured: draft.insured,
        };
        let (origin, destination, quote) = self
            .compute_quote(&input, "sender.address", "recipient_address")
            .await?;
        if !quote.covered {
            return Err(DomainError::invalid(
                "sender.address",
                format!(
                    "outside the service area: {}",
                    quote.coverage_reason.clone().unwrap_or_default()
                ),
            ));
        }
        let number = pickup_number(now, &self.time_zone);
        // Without a case, one is opened for the pickup (for the customer with the sender's
        // phone, or a new one), so every later step has a place and reaches the customer.
        let case = match case {
            Some(c) => c,
            None => {
                let channel = draft.channel.unwrap_or(kefu_model::codes::Channel::Api);
                let case_draft = kefu_model::drafts::CaseDraft {
                    channel,
                    subject: format!("上门取件 {number}"),
                    description: format!(
                        "{} → {}：{}",
                        kefu_model::shipment::region_text(&origin),
                        kefu_model::shipment::region_text(&destination),
                        draft.item.trim()
                    ),
                    customer_id: None,
                    customer: Some(kefu_model::drafts::CustomerDraft {
                        name: Some(name.clone()),
                        phone: Some(phone.as_str().to_string()),
                        ..kefu_model::drafts::CustomerDraft::default()
                    }),
                    category: Some(kefu_model::codes::Category::Pickup),
                    priority: None,
                    waybill_no: None,
                    tags: Vec::new(),
                    received_at: None,
                };
                // Who may book but not open cases (an outlet's staff) books through the system.
                let opener = if actor.can_write_cases() && actor.can_see_customers() {
                    actor.clone()
                } else {
                    crate::desk::system_actor()
                };
                let created = self.create_case(&opener, case_draft, None).await?;
                let customer = self.store.customer_by_id(&created.case.customer_id).await?;
                (created.case, customer)
            }
        };
        let customer_id = Some(case.0.customer_id.clone());
        let case_id = Some(case.0.id.clone());
        let review_required = !quote.prohibited.is_empty();
        let mut pickup = Pickup {
            id: kefu_model::ids::CaseId::new(now).to_string(),
            number,
            version: 1,
            status: PickupStatus::Booked,
            sender: PickupParty {
                name,
                phone,
                address: draft.sender.address.trim().to_string(),
                region: origin,
            },
            recipient_address: draft.recipient_address.trim().to_string(),
            recipient_region: destination,
            item: draft.item.trim().to_string(),
            weight_kg: quote.actual_weight_kg,
            dimensions_cm: draft.dimensions_cm,
            pieces: draft.pieces.unwrap_or(1),
            declared_value: draft.declared_value,
            insured: draft.insured,
            product: quote.product.clone(),
            quote: to_value(&quote)?,
            review_required,
            outlet: None,
            organisation_id: None,
            courier: None,
            window_from: window.map(|w| w.0),
            window_to: window.map(|w| w.1),
            estimated_pickup_at: None,
            waybill_no: None,
            customer_id,
            case_id,
            history: vec![PickupChange {
                at: now,
                by: actor.event_name(),
                status: PickupStatus::Booked,
                note: if review_required {
                    format!(
                        "违禁/限寄物品待人工确认：{}",
                        quote
                            .prohibited
                            .iter()
                            .map(|m| format!("{}（{}）", m.keyword, m.category))
                            .collect::<Vec<_>>()
                            .join("、")
                    )
                } else {
                    draft.note.trim().to_string()
                },
            }],
            created_at: now,
            updated_at: now,
        };
        if !review_required {
            self.dispatch(&mut pickup, None, actor, now, "").await?;
        }
        for attempt in 0..5 {
            if attempt > 0 {
                pickup.number = pickup_number(now, &self.time_zone);
            }
            // The order and its mention on the case are written together; a dispatch at
            // booking tells the customer who comes and when.
            let (c, _) = &case;
            let mut events = vec![kefu_model::case::EventData::PickupBooked {
                pickup_id: pickup.id.clone(),
                number: pickup.number.clone(),
            }];
            if pickup.status == PickupStatus::Dispatched {
                events.push(crate::pickups::progress_event(&pickup, ""));
            }
            let reader = crate::desk::system_actor();
            let along = crate::cases::Along {
                pickup: Some(&pickup),
                reader: (!actor.sees_all_cases()).then_some(&reader),
                ..crate::cases::Along::default()
            };
            let written = self
                .with_retries_along(
                    actor,
                    &c.id.to_string(),
                    |now_case| {
                        if now_case.status == kefu_model::codes::Status::Closed {
                            return Err(kefu_model::drafts::closed_error());
                        }
                        Ok(events.clone())
                    },
                    along,
                )
                .await
                .map(|_| ());
            match written {
                Ok(()) => return Ok(pickup),
                Err(DomainError::Store(StoreError::Duplicate(_))) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(busy())
    }

    /// Assigns the network's outlet serving the sender and a courier (the one given, else the
    /// one responsible for the district, else the least busy), and estimates the arrival on the
    /// outlet's calendar plus its lead time (not before the window agreed with the customer).
    async fn dispatch(
        &self,
        pickup: &mut kefu_model::pickup::Pickup,
        courier: Option<&str>,
        actor: &Actor,
        now: Timestamp,
        note: &str,
    ) -> DeskResult<bool> {
        use kefu_model::pickup::{Courier, PickupChange, PickupStatus};
        let network = self.network().await?;
        let Some(code) = pickup.sender.region.most_specific_code() else {
            return Ok(false);
        };
        let Some(outlet) = network.outlet_serving(code) else {
            return Ok(false);
        };
        let chosen = match courier {
            Some(id) => Some(outlet.couriers.iter().find(|c| c.id == id).ok_or_else(|| {
                DomainError::invalid(
                    "courier",
                    format!("no courier {id} at outlet {}", outlet.key),
                )
            })?),
            None => {
                let load: HashMap<String, i64> = self
                    .store
                    .open_pickups_per_courier(&outlet.key)
                    .await?
                    .into_iter()
                    .collect();
                crate::pickups::choose_courier(outlet, code, &load)
            }
        };
        let Some(chosen) = chosen else {
            return Ok(false);
        };
        let config = self.sla_config().await?;
        let mut eta = match config.calendars.get(&outlet.calendar) {
            Some(cal) => cal.add_minutes(now, i64::from(outlet.lead_minutes))?,
            None => now
                .saturating_add(jiff::SignedDuration::from_mins(i64::from(
                    outlet.lead_minutes,
                )))
                .unwrap_or(now),
        };
        if let Some(from) = pickup.window_from
            && from > eta
        {
            eta = from;
        }
        pickup.outlet = Some(outlet.key.clone());
        pickup.organisation_id = Some(outlet.id.clone());
        pickup.courier = Some(Courier {
            id: chosen.id.clone(),
            name: chosen.name.clone(),
            phone: chosen.phone.clone(),
        });
        pickup.estimated_pickup_at = Some(eta);
        pickup.status = PickupStatus::Dispatched;
        pickup.history.push(PickupChange {
            at: now,
            by: actor.event_name(),
            status: PickupStatus::Dispatched,
            note: if note.is_empty() {
                format!("派给 {} 的 {}", outlet.name, chosen.name)
            } else {
                note.to_string()
            },
        });
        Ok(true)
    }

    pub async fn get_pickup(
        &self,
        actor: &Actor,
        id: &str,
    ) -> DeskResult<kefu_model::pickup::Pickup> {
        let scope = self.pickup_scope(actor).await?;
        let pickup = self
            .store
            .pickup(id.trim())
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("pickup {id}")))?;
        require(
            scope.admits(&pickup),
            "this pickup is another courier's or outlet's",
        )?;
        Ok(pickup)
    }

    /// Pickups, newest first; with `courier` it is that courier's task list. A courier lists
    /// only their own, an outlet's staff only their outlet's (a manager's also those below).
    pub async fn list_pickups(
        &self,
        actor: &Actor,
        query: &kefu_model::pickup::PickupQuery,
    ) -> DeskResult<Vec<kefu_model::pickup::Pickup>> {
        use crate::pickups::PickupScope;
        let scope = self.pickup_scope(actor).await?;
        let mut q = query.clone();
        q.scope_outlets = None;
        if scope != PickupScope::Desk {
            require(
                query.case_id.is_none() && query.customer_id.is_none(),
                "the network's staff do not see cases or customers",
            )?;
        }
        match &scope {
            PickupScope::Desk => {}
            PickupScope::Courier { outlet, courier } => {
                let other = |given: &Option<String>, own: &str| {
                    given.as_deref().is_some_and(|g| g.trim() != own)
                };
                require(
                    !other(&query.outlet, outlet) && !other(&query.courier, courier),
                    "a courier lists their own pickups",
                )?;
                q.outlet = Some(outlet.clone());
                q.courier = Some(courier.clone());
            }
            PickupScope::Outlets(keys) => {
                if let Some(o) = &query.outlet {
                    require(
                        keys.iter().any(|k| k == o.trim()),
                        "another outlet's pickups",
                    )?;
                }
                q.scope_outlets = Some(keys.clone());
            }
        }
        if let Some(c) = &query.case_id {
            q.case_id = Some(self.get_case(actor, c).await?.id.to_string());
        }
        if let Some(c) = &query.customer_id {
            q.customer_id = Some(
                kefu_model::ids::CustomerId::parse(c.trim())
                    .ok_or_else(|| DomainError::invalid("customer_id", "not an id"))?
                    .to_string(),
            );
        }
        if let Some(p) = &query.phone {
            q.phone = Some(
                Phone::parse(p)
                    .map_err(|m| DomainError::invalid("phone", m))?
                    .as_str()
                    .to_string(),
            );
        }
        if q.limit.is_some_and(|l| l == 0 || l > 200) {
            return Err(DomainError::invalid("limit", "1 to 200"));
        }
        Ok(self.store.list_pickups(&q).await?)
    }

    /// Moves a pickup along `booked → dispatched → picked_up | cancelled | failed`.
    pub async fn change_pickup(
        &self,
        actor: &Actor,
        id: &str,
        change: PickupStatusChange,
    ) -> DeskResult<kefu_model::pickup::Pickup> {
        use kefu_model::pickup::{PickupChange, PickupStatus};
        require(
            actor.can_route_cases(),
            "customer service changes a pickup's status; couriers take their steps",
        )?;
        if change.status == PickupStatus::Failed && change.note.trim().is_empty() {
            return Err(DomainError::invalid("note", "say why the pickup failed"));
        }
        if change.note.chars().count() > 500 {
            return Err(DomainError::invalid("note", "at most 500 characters"));
        }
        let waybill = match &change.waybill_no {
            Some(w) => Some(
                kefu_model::case::parse_waybill_no(w)
                    .ok_or_else(|| DomainError::invalid("waybill_no", "8–32 letters and digits"))?,
            ),
            None => None,
        };
        for _ in 0..SHIPMENT_RETRIES {
            let mut pickup = self.get_pickup(actor, id).await?;
            let expected = pickup.version;
            if !pickup.status.can_become(change.status) {
                return Err(DomainError::conflict(
                    "invalid_transition",
                    format!("a {} pickup cannot become {}", pickup.status, change.status),
                ));
            }
            let now = self.now();
            if change.status == PickupStatus::Dispatched {
                if !self
                    .dispatch(
                        &mut pickup,
                        change.courier.as_deref(),
                        actor,
                        now,
                        change.note.trim(),
                    )
                    .await?
                {
                    return Err(DomainError::conflict(
                        "no_outlet",
                        "no outlet of the network with couriers serves the sender's district; add one (or its couriers) under network organisations",
                    ));
                }
                pickup.review_required = false;
            } else {
                if change.status == PickupStatus::PickedUp {
                    pickup.waybill_no = waybill.clone();
                }
                pickup.status = change.status;
                pickup.history.push(PickupChange {
                    at: now,
                    by: actor.event_name(),
                    status: change.status,
                    note: change.note.trim().to_string(),
                });
            }
            pickup.version += 1;
            pickup.updated_at = now;
            match self
                .write_pickup_change(actor, &pickup, expected, change.note.trim())
                .await
            {
                Ok(()) => return Ok(pickup),
                Err(e) if crate::desk::lost_a_race(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(busy())
    }
}
