//! Key accounts (issue #17): the B2B department's contract customers. The rules are
//! `kefu_model::key_accounts`; this module decides who sees what and writes each change as one
//! version-checked write of the account (a grading with it), so nothing is half written.
//!
//! Who may: the head (admins, supervisors) sees and changes every account, assigns assistants,
//! records gradings and files prices. An assistant (an agent) sees only the accounts assigned
//! to them — any other is "not found" to them — and keeps their contacts, customer file,
//! documents, draft prices and renewal contacts. Other roles are refused. A download of an
//! account's data is written to the audit log.

use kefu_model::error::DomainError;
use kefu_model::ids::{CustomerId, KeyAccountId, UserId};
use kefu_model::key_accounts::{
    AccountDraft, AccountPatch, AccountStatus, ContactDraft, Contacted, DocumentDraft,
    FileEntryDraft, Grading, GradingDraft, KeyAccount, KeyAccountSettings, MAX_ITEMS, PriceDraft,
    PriceLookup, PriceStatus, Quarter, Reminder, SETTING, apply_grading, check_code, check_name,
    check_optional, grade_quarter, is_head, lookup_price, may_use, put_item, remove_item,
};
use kefu_model::user::{Actor, Role};

use crate::desk::{APPEND_RETRIES, Desk, DeskResult, lost_a_race, require};
use crate::store::KeyAccountQuery;

/// The list's filters.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub grade: Option<u8>,
    pub status: Option<AccountStatus>,
    pub q: Option<String>,
}

fn new_item_id(desk: &Desk) -> String {
    KeyAccountId::new(desk.now()).to_string()
}

fn not_found() -> DomainError {
    DomainError::NotFound("key account".into())
}

fn too_many(field: &str) -> DomainError {
    DomainError::invalid(field, format!("at most {MAX_ITEMS} on one account"))
}

fn require_use(actor: &Actor) -> DeskResult<()> {
    require(
        may_use(actor.role),
        "key accounts are for the key-account department",
    )
}

fn require_head(actor: &Actor) -> DeskResult<()> {
    require(
        is_head(actor.role),
        "only supervisors and admins manage key accounts",
    )
}

impl Desk {
    /// The grading grid and grade policies (the default when none is stored).
    pub async fn key_account_settings(&self) -> DeskResult<KeyAccountSettings> {
        self.setting_or_default::<KeyAccountSettings>(SETTING).await
    }

    /// The accounts the actor may see, by grade then code.
    pub async fn key_accounts(
        &self,
        actor: &Actor,
        filter: &AccountFilter,
    ) -> DeskResult<Vec<KeyAccount>> {
        require_use(actor)?;
        if filter.grade.is_some_and(|g| !(1..=4).contains(&g)) {
            return Err(DomainError::invalid("grade", "1 to 4"));
        }
        let q = match &filter.q {
            Some(q) => Some(check_optional("q", q, 50)?),
            None => None,
        };
        let query = KeyAccountQuery {
            assistant: (!is_head(actor.role)).then(|| actor.user_id.clone()),
            grade: filter.grade,
            status: filter.status,
            text: q,
        };
        Ok(self.store.key_accounts(&query).await?)
    }

    /// One account the actor may see; any other is not found.
    pub async fn key_account(&self, actor: &Actor, id: &str) -> DeskResult<KeyAccount> {
        require_use(actor)?;
        let id = KeyAccountId::parse(id).ok_or_else(not_found)?;
        match self.store.key_account(&id).await? {
            Some(a) if a.visible_to(actor.role, &actor.user_id) => Ok(a),
            _ => Err(not_found()),
        }
    }

    async fn staff_user(&self, field: &str, who: &str, roles: &[Role]) -> DeskResult<UserId> {
        let user = self
            .resolve_assignee(who.trim())
            .await
            .map_err(|_| DomainError::invalid(field, format!("no user '{who}'")))?;
        if !user.active || !roles.contains(&user.role) {
            return Err(DomainError::invalid(
                field,
                format!("'{who}' is not an active {}", {
                    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                    names.join(" or ")
                }),
            ));
        }
        Ok(user.id)
    }

    async fn checked_assistants(&self, who: &[String]) -> DeskResult<Vec<UserId>> {
        if who.len() > MAX_ITEMS {
            return Err(too_many("assistants"));
        }
        let mut out: Vec<UserId> = Vec::new();
        for (i, w) in who.iter().enumerate() {
            let id = self
                .staff_user(&format!("assistants.{i}"), w, &[Role::Agent])
                .await?;
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    async fn checked_customer(&self, id: Option<&str>) -> DeskResult<Option<CustomerId>> {
        let Some(raw) = id.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let bad = || DomainError::invalid("customer_id", "no such customer");
        let id = CustomerId::parse(raw).ok_or_else(bad)?;
        self.store.customer_by_id(&id).await?.ok_or_else(bad)?;
        Ok(Some(id))
    }

    /// A new account (the head), onboarding.
    pub async fn create_key_account(
        &self,
        actor: &Actor,
        draft: &AccountDraft,
    ) -> DeskResult<KeyAccount> {
        require_head(actor)?;
        let code = check_code(&draft.code)?;
        let name = check_name("name", &draft.name)?;
        let industry = check_optional("industry", &draft.industry, 60)?;
        let owner = match draft.owner.as_deref().filter(|o| !o.trim().is_empty()) {
            Some(o) => {
                self.staff_user("owner", o, &[Role::Admin, Role::Supervisor])
                    .await?
            }
            None => actor.user_id.clone(),
        };
        let assistants = self.checked_assistants(&draft.assistants).await?;
        let customer_id = self.checked_customer(draft.customer_id.as_deref()).await?;
        let settings = self.key_account_settings().await?;
        let now = self.now();
        let mut account = KeyAccount {
            id: KeyAccountId::new(now),
            code,
            name,
            industry,
            status: AccountStatus::Onboarding,
            go_live_on: draft.go_live_on,
            handover_ends_on: None,
            grade: None,
            graded_quarter: None,
            assistants,
            owner,
            customer_id,
            file_reviewed_on: None,
            contacts: Vec::new(),
            file_entries: Vec::new(),
            documents: Vec::new(),
            prices: Vec::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        account.handover_ends_on = account.compute_handover_end(&settings);
        self.store.put_key_account(&account, None, None).await?;
        Ok(account)
    }

    /// Reads the account, applies `change` and writes it over the version read; a lost race
    /// reads again and applies the change again.
    async fn change_account<F>(&self, actor: &Actor, id: &str, change: F) -> DeskResult<KeyAccount>
    where
        F: Fn(&mut KeyAccount) -> DeskResult<()>,
    {
        let mut attempt = 0;
        loop {
            let current = self.key_account(actor, id).await?;
            let mut next = current.clone();
            change(&mut next)?;
            next.version = current.version + 1;
            next.updated_at = self.now();
            match self
                .store
                .put_key_account(&next, Some(current.version), None)
                .await
            {
                Ok(()) => return Ok(next),
                Err(e) => {
                    let e = DomainError::from(e);
                    attempt += 1;
                    if !lost_a_race(&e) || attempt >= APPEND_RETRIES {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// Changes an account's own fields (the head). Its status moves forward only; go-live and
    /// the grade policy give the hand-over end while it is being onboarded or handed over.
    pub async fn change_key_account(
        &self,
        actor: &Actor,
        id: &str,
        patch: &AccountPatch,
    ) -> DeskResult<KeyAccount> {
        require_head(actor)?;
        let code = patch.code.as_deref().map(check_code).transpose()?;
        let name = patch
            .name
            .as_deref()
            .map(|n| check_name("name", n))
            .transpose()?;
        let industry = patch
            .industry
            .as_deref()
            .map(|i| check_optional("industry", i, 60))
            .transpose()?;
        let owner = match patch.owner.as_deref() {
            Some(o) => Some(
                self.staff_user("owner", o, &[Role::Admin, Role::Supervisor])
                    .await?,
            ),
            None => None,
        };
        let customer = match &patch.customer_id {
            Some(c) => Some(self.checked_customer(c.as_deref()).await?),
            None => None,
        };
        let settings = self.key_account_settings().await?;
        let today = self.local_today();
        self.change_account(actor, id, |a| {
            if let Some(status) = patch.status {
                if !a.status.can_become(status) {
                    return Err(DomainError::invalid(
                        "status",
                        format!("{} cannot become {status}", a.status),
                    ));
                }
                if status == AccountStatus::Handover && a.go_live_on.is_none() {
                    a.go_live_on = Some(today);
                }
                a.status = status;
            }
            if let Some(code) = &code {
                a.code.clone_from(code);
            }
            if let Some(name) = &name {
                a.name.clone_from(name);
            }
            if let Some(industry) = &industry {
                a.industry.clone_from(industry);
            }
            if let Some(owner) = &owner {
                a.owner = owner.clone();
            }
            if let Some(customer) = &customer {
                a.customer_id.clone_from(customer);
            }
            if let Some(go_live) = patch.go_live_on {
                a.go_live_on = go_live;
            }
            if matches!(
                a.status,
                AccountStatus::Onboarding | AccountStatus::Handover
            ) {
                a.handover_ends_on = a.compute_handover_end(&settings);
            }
            Ok(())
        })
        .await
    }

    /// Replaces the account's assistants (the head).
    pub async fn set_key_account_assistants(
        &self,
        actor: &Actor,
        id: &str,
        assistants: &[String],
    ) -> DeskResult<KeyAccount> {
        require_head(actor)?;
        let assistants = self.checked_assistants(assistants).await?;
        self.change_account(actor, id, |a| {
            a.assistants.clone_from(&assistants);
            Ok(())
        })
        .await
    }

    // ---- contacts and the customer file ---------------------------------------------------

    /// Adds a contact (`None`) or replaces one.
    pub async fn put_key_account_contact(
        &self,
        actor: &Actor,
        id: &str,
        contact_id: Option<&str>,
        draft: &ContactDraft,
    ) -> DeskResult<KeyAccount> {
        let new_id = new_item_id(self);
        self.change_account(actor, id, |a| {
            put_item(&mut a.contacts, contact_id, "contacts", "contact", |_| {
                draft.check(contact_id.unwrap_or(&new_id).to_string())
            })
        })
        .await
    }

    pub async fn remove_key_account_contact(
        &self,
        actor: &Actor,
        id: &str,
        contact_id: &str,
    ) -> DeskResult<KeyAccount> {
        self.change_account(actor, id, |a| {
            remove_item(&mut a.contacts, contact_id, "contact")
        })
        .await
    }

    /// Adds a shipper or consignee to the customer file (`None`) or replaces one.
    pub async fn put_key_account_file_entry(
        &self,
        actor: &Actor,
        id: &str,
        entry_id: Option<&str>,
        draft: &FileEntryDraft,
    ) -> DeskResult<KeyAccount> {
        let new_id = new_item_id(self);
        let now = self.now();
        self.change_account(actor, id, |a| {
            put_item(
                &mut a.file_entries,
                entry_id,
                "file_entries",
                "file entry",
                |_| draft.check(entry_id.unwrap_or(&new_id).to_string(), now),
            )
        })
        .await
    }

    pub async fn remove_key_account_file_entry(
        &self,
        actor: &Actor,
        id: &str,
        entry_id: &str,
    ) -> DeskResult<KeyAccount> {
        self.change_account(actor, id, |a| {
            remove_item(&mut a.file_entries, entry_id, "file entry")
        })
        .await
    }

    /// Records that the customer file was reviewed today (the monthly update).
    pub async fn mark_key_account_file_reviewed(
        &self,
        actor: &Actor,
        id: &str,
    ) -> DeskResult<KeyAccount> {
        let today = self.local_today();
        self.change_account(actor, id, |a| {
            a.file_reviewed_on = Some(today);
            Ok(())
        })
        .await
    }

    /// The customer file as CSV rows (shippers and consignees), recorded in the audit log.
    pub async fn download_key_account_file(
        &self,
        actor: &Actor,
        id: &str,
    ) -> DeskResult<KeyAccount> {
        let account = self.key_account(actor, id).await?;
        self.audit(
            actor,
            "key_account_file_downloaded",
            format!("key_account:{}", account.code),
            "customer file download",
        )
        .await?;
        Ok(account)
    }

    /// The visible accounts for a list download, recorded in the audit log.
    pub async fn download_key_accounts(
        &self,
        actor: &Actor,
        filter: &AccountFilter,
    ) -> DeskResult<Vec<KeyAccount>> {
        let accounts = self.key_accounts(actor, filter).await?;
        self.audit(
            actor,
            "key_accounts_exported",
            format!("key_accounts:{}", accounts.len()),
            "account list download",
        )
        .await?;
        Ok(accounts)
    }

    // ---- grading --------------------------------------------------------------------------

    /// The account's gradings, oldest first.
    pub async fn key_account_gradings(&self, actor: &Actor, id: &str) -> DeskResult<Vec<Grading>> {
        let account = self.key_account(actor, id).await?;
        Ok(self.store.key_account_gradings(&account.id).await?)
    }

    /// Grades a finished quarter (the head): the record and the account's grade in one write.
    pub async fn record_key_account_grading(
        &self,
        actor: &Actor,
        id: &str,
        draft: &GradingDraft,
    ) -> DeskResult<(KeyAccount, Grading)> {
        require_head(actor)?;
        let settings = self.key_account_settings().await?;
        let mut attempt = 0;
        loop {
            let current = self.key_account(actor, id).await?;
            let history = self.store.key_account_gradings(&current.id).await?;
            let now = self.now();
            let grading = grade_quarter(
                &settings,
                &current,
                &history,
                draft.quarter,
                draft.figures(),
                draft.note.clone(),
                self.local_today(),
                KeyAccountId::new(now).to_string(),
                actor.event_name(),
                now,
            )?;
            let mut next = apply_grading(&current, &grading, &settings);
            next.version = current.version + 1;
            next.updated_at = now;
            match self
                .store
                .put_key_account(&next, Some(current.version), Some(&grading))
                .await
            {
                Ok(()) => return Ok((next, grading)),
                Err(e) => {
                    let e = DomainError::from(e);
                    attempt += 1;
                    if !lost_a_race(&e) || attempt >= APPEND_RETRIES {
                        return Err(e);
                    }
                }
            }
        }
    }

    // ---- documents and prices -------------------------------------------------------------

    /// Adds a contract, agreement or quote (`None`) or replaces one (its renewal contact kept).
    pub async fn put_key_account_document(
        &self,
        actor: &Actor,
        id: &str,
        document_id: Option<&str>,
        draft: &DocumentDraft,
    ) -> DeskResult<KeyAccount> {
        let new_id = new_item_id(self);
        self.change_account(actor, id, |a| {
            put_item(
                &mut a.documents,
                document_id,
                "documents",
                "document",
                |old| {
                    draft.check(
                        document_id.unwrap_or(&new_id).to_string(),
                        old.and_then(|d| d.contacted.clone()),
                    )
                },
            )
        })
        .await
    }

    pub async fn remove_key_account_document(
        &self,
        actor: &Actor,
        id: &str,
        document_id: &str,
    ) -> DeskResult<KeyAccount> {
        self.change_account(actor, id, |a| {
            remove_item(&mut a.documents, document_id, "document")
        })
        .await
    }

    /// Records that the customer was contacted about renewing a document: its reminder is
    /// cleared.
    pub async fn record_key_account_contacted(
        &self,
        actor: &Actor,
        id: &str,
        document_id: &str,
        note: &str,
    ) -> DeskResult<KeyAccount> {
        let note = check_optional("note", note, kefu_model::key_accounts::NOTE_MAX)?;
        let now = self.now();
        let by = actor.event_name();
        self.change_account(actor, id, |a| {
            let d = a
                .documents
                .iter_mut()
                .find(|d| d.id == document_id)
                .ok_or_else(|| DomainError::NotFound("document".into()))?;
            d.contacted = Some(Contacted {
                by: by.clone(),
                at: now,
                note: note.clone(),
            });
            Ok(())
        })
        .await
    }

    /// Adds a draft price, refused when no document of the account covers it.
    pub async fn add_key_account_price(
        &self,
        actor: &Actor,
        id: &str,
        draft: &PriceDraft,
    ) -> DeskResult<KeyAccount> {
        let new_id = new_item_id(self);
        let now = self.now();
        let by = actor.event_name();
        self.change_account(actor, id, |a| {
            if a.prices.len() >= MAX_ITEMS {
                return Err(too_many("prices"));
            }
            let price = draft.check(a, new_id.clone(), by.clone(), now)?;
            a.prices.push(price);
            Ok(())
        })
        .await
    }

    /// Files (报备) a draft price (the head): from now on it is usable.
    pub async fn file_key_account_price(
        &self,
        actor: &Actor,
        id: &str,
        price_id: &str,
    ) -> DeskResult<KeyAccount> {
        require_head(actor)?;
        let now = self.now();
        let by = actor.event_name();
        self.change_account(actor, id, |a| {
            let p = a
                .prices
                .iter_mut()
                .find(|p| p.id == price_id)
                .ok_or_else(|| DomainError::NotFound("price".into()))?;
            if p.status == PriceStatus::Filed {
                return Err(DomainError::conflict(
                    "price_already_filed",
                    "the price is filed already",
                ));
            }
            p.status = PriceStatus::Filed;
            p.filed_by = Some(by.clone());
            p.filed_at = Some(now);
            Ok(())
        })
        .await
    }

    /// The filed price of a service on a route in force on `on`: `price_not_filed` (a
    /// conflict) when only a draft covers that day, not found when nothing does.
    pub async fn key_account_price(
        &self,
        actor: &Actor,
        id: &str,
        service: &str,
        route: &str,
        on: jiff::civil::Date,
    ) -> DeskResult<kefu_model::key_accounts::Price> {
        let account = self.key_account(actor, id).await?;
        match lookup_price(&account, service, route, on) {
            PriceLookup::Filed(p) => Ok(p.clone()),
            PriceLookup::NotFiled => Err(DomainError::conflict(
                "price_not_filed",
                "the price in force that day is a draft: it is usable once filed",
            )),
            PriceLookup::None => Err(DomainError::NotFound("price".into())),
        }
    }

    /// The user names of an account's assistants (an id no longer a user stays an id).
    pub async fn key_account_assistant_names(
        &self,
        account: &KeyAccount,
    ) -> DeskResult<Vec<String>> {
        let mut names = Vec::with_capacity(account.assistants.len());
        for id in &account.assistants {
            names.push(match self.store.user_by_id(id).await? {
                Some(u) => u.username,
                None => id.to_string(),
            });
        }
        Ok(names)
    }

    // ---- reminders ------------------------------------------------------------------------

    /// What is due on the accounts the actor may see, overdue first.
    /// What is due on one account, from its gradings as read (no other account is read).
    pub fn key_account_reminders_of(
        &self,
        account: &KeyAccount,
        gradings: &[Grading],
    ) -> Vec<Reminder> {
        kefu_model::key_accounts::reminders(
            std::slice::from_ref(account),
            &|_, q| gradings.iter().any(|g| g.quarter == q),
            self.local_today(),
        )
    }

    pub async fn key_account_reminders(&self, actor: &Actor) -> DeskResult<Vec<Reminder>> {
        let accounts = self.key_accounts(actor, &AccountFilter::default()).await?;
        let today = self.local_today();
        let last = Quarter::of(today).previous();
        let graded = self.store.key_accounts_graded_in(last).await?;
        Ok(kefu_model::key_accounts::reminders(
            &accounts,
            &|id, q| q == last && graded.contains(id),
            today,
        ))
    }

    /// Today in the desk's time zone.
    fn local_today(&self) -> jiff::civil::Date {
        self.time_zone.to_datetime(self.now()).date()
    }
}
