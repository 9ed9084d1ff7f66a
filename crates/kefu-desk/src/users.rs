//! Users, sessions and departments: the first admin, creating users, login, tokens, logout;
//! departments; the notifications a user reads.

use jiff::{SignedDuration, Timestamp};
use kefu_model::auth;
use kefu_model::drafts::{DepartmentDraft, UserDraft};
use kefu_model::error::{DomainError, StoreError};
use kefu_model::ids::{DepartmentId, UserId};
use kefu_model::records::{Notification, Session};
use kefu_model::text::text;
use kefu_model::user::{Actor, Department, Role, User};

use crate::desk::{Desk, DeskResult, MAX_LIST, NAME_MAX, SESSION_HOURS, require};

impl Desk {
    /// On first start: create `admin` with the given password, or a random one that is
    /// returned so the caller can print it once. Nothing happens if any user exists.
    pub async fn bootstrap_admin(&self, password: Option<String>) -> DeskResult<Option<String>> {
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        let password = password.unwrap_or_else(auth::new_password);
        auth::check_password_policy(&password)
            .map_err(|m| DomainError::invalid("KEFU_ADMIN_PASSWORD", m))?;
        let user = self.new_user("admin", "管理员", Role::Admin, None, &password)?;
        self.store.insert_user(&user).await?;
        Ok(Some(password))
    }

    fn new_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        department_id: Option<DepartmentId>,
        password: &str,
    ) -> DeskResult<User> {
        let password_hash = auth::hash_password(password)
            .map_err(|e| DomainError::Store(StoreError::Backend(e)))?;
        Ok(User {
            id: UserId::new(self.now()),
            username: username.to_string(),
            display_name: display_name.to_string(),
            role,
            department_id,
            password_hash,
            active: true,
            created_at: self.now(),
        })
    }

    pub async fn create_user(&self, actor: Option<&Actor>, draft: UserDraft) -> DeskResult<User> {
        if let Some(actor) = actor {
            require(actor.can_manage_users(), "only admins manage users")?;
        }
        let username = draft.username.trim().to_lowercase();
        let valid_name = (2..=32).contains(&username.len())
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid_name {
            return Err(DomainError::invalid(
                "username",
                "2–32 characters: letters, digits, '.', '_' or '-'",
            ));
        }
        auth::check_password_policy(&draft.password)
            .map_err(|m| DomainError::invalid("password", m))?;
        let department_id = match &draft.department {
            Some(d) => Some(self.resolve_department("department", d).await?.id),
            None => None,
        };
        if draft.role.is_department_bound() && department_id.is_none() {
            return Err(DomainError::invalid(
                "department",
                "department staff must belong to a department",
            ));
        }
        let display = match &draft.display_name {
            Some(n) => text("display_name", n, NAME_MAX, true)?,
            None => username.clone(),
        };
        let user = self.new_user(
            &username,
            &display,
            draft.role,
            department_id,
            &draft.password,
        )?;
        match self.store.insert_user(&user).await {
            Err(StoreError::Duplicate(_)) => Err(DomainError::conflict(
                "username_taken",
                format!("username '{username}' is taken"),
            )),
            other => other.map(|()| user).map_err(Into::into),
        }
    }

    pub async fn list_users(&self, actor: &Actor) -> DeskResult<Vec<User>> {
        require(
            matches!(actor.role, Role::Admin | Role::Supervisor),
            "only admins and supervisors list users",
        )?;
        Ok(self.store.list_users().await?)
    }

    /// Checks the password and opens a session; the returned token is shown once.
    pub async fn login(&self, username: &str, password: &str) -> DeskResult<(String, User)> {
        let user = self
            .store
            .user_by_username(&username.trim().to_lowercase())
            .await?;
        // Verify against a dummy hash when the user is unknown, so timing does not tell.
        let (hash, user) = match user {
            Some(u) if u.active => (u.password_hash.clone(), Some(u)),
            _ => (DUMMY_HASH.to_string(), None),
        };
        let ok = auth::verify_password(password, &hash);
        let Some(user) = user.filter(|_| ok) else {
            return Err(DomainError::Unauthenticated);
        };
        let token = auth::new_token();
        let now = self.now();
        let session = Session {
            token_hash: auth::token_hash(&token),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now
                .saturating_add(SignedDuration::from_hours(SESSION_HOURS))
                .unwrap_or(now),
        };
        self.store.insert_session(&session).await?;
        Ok((token, user))
    }

    /// The actor behind a bearer token, if the session is live and the user active.
    pub async fn authenticate(&self, token: &str) -> DeskResult<(Actor, Timestamp)> {
        let session = self
            .store
            .session(&auth::token_hash(token))
            .await?
            .filter(|s| s.expires_at > self.now())
            .ok_or(DomainError::Unauthenticated)?;
        let user = self
            .store
            .user_by_id(&session.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or(DomainError::Unauthenticated)?;
        Ok((Actor::of(&user), session.expires_at))
    }

    /// Ends the session; whoever signs out takes no more routed work (their presence goes
    /// offline), so chats are not handed to an empty chair.
    pub async fn logout(&self, token: &str) -> DeskResult<()> {
        if let Ok((actor, _)) = self.authenticate(token).await
            && let Some(mut profile) = self.store.agent_profiles().await?.into_iter().find(|p| {
                p.user_id == actor.user_id && p.presence != kefu_model::routing::Presence::Offline
            })
        {
            let now = self.now();
            profile.presence = kefu_model::routing::Presence::Offline;
            profile.presence_since = now;
            profile.updated_at = now;
            self.store.put_agent_profile(&profile).await?;
        }
        Ok(self.store.delete_session(&auth::token_hash(token)).await?)
    }

    // ---- departments ----------------------------------------------------------------------

    pub async fn create_department(
        &self,
        actor: Option<&Actor>,
        draft: DepartmentDraft,
    ) -> DeskResult<Department> {
        if let Some(actor) = actor {
            require(actor.can_manage_users(), "only admins manage departments")?;
        }
        let key = draft.key.trim().to_lowercase();
        if key.is_empty()
            || key.len() > 32
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(DomainError::invalid(
                "key",
                "1–32 letters, digits, '_' or '-'",
            ));
        }
        let department = Department {
            id: DepartmentId::new(self.now()),
            key,
            name: text("name", &draft.name, NAME_MAX, true)?,
            kind: text("kind", &draft.kind, 40, true)?,
            created_at: self.now(),
        };
        match self.store.insert_department(&department).await {
            Err(StoreError::Duplicate(_)) => Err(DomainError::conflict(
                "department_exists",
                format!("department '{}' exists", department.key),
            )),
            other => other.map(|()| department).map_err(Into::into),
        }
    }

    pub async fn list_departments(&self) -> DeskResult<Vec<Department>> {
        Ok(self.store.list_departments().await?)
    }

    /// The department named by its id or key; `invalid_field` on `field` when there is none.
    pub async fn resolve_department(&self, field: &str, id_or_key: &str) -> DeskResult<Department> {
        let wanted = id_or_key.trim();
        self.store
            .list_departments()
            .await?
            .into_iter()
            .find(|d| d.id.as_str() == wanted || d.key == wanted.to_lowercase())
            .ok_or_else(|| DomainError::invalid(field, format!("no department '{wanted}'")))
    }

    pub(crate) async fn resolve_assignee(&self, id_or_username: &str) -> DeskResult<User> {
        let user = match UserId::parse(id_or_username) {
            Some(id) => self.store.user_by_id(&id).await?,
            None => {
                self.store
                    .user_by_username(&id_or_username.trim().to_lowercase())
                    .await?
            }
        };
        // The one rule (`User::may_be_assigned`), shared with the console's lists.
        user.filter(User::may_be_assigned).ok_or_else(|| {
            DomainError::invalid(
                "assignee",
                format!("no active agent, supervisor or admin '{id_or_username}'"),
            )
        })
    }

    // ---- calendars ------------------------------------------------------------------------

    pub async fn notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        limit: Option<u32>,
    ) -> DeskResult<Vec<Notification>> {
        Ok(self
            .store
            .notifications(
                &actor.user_id,
                unread_only,
                limit.unwrap_or(50).clamp(1, MAX_LIST),
            )
            .await?)
    }

    pub async fn mark_notifications_read(&self, actor: &Actor, ids: &[String]) -> DeskResult<u64> {
        Ok(self
            .store
            .mark_notifications_read(&actor.user_id, ids, self.now())
            .await?)
    }
}

/// A valid argon2id hash of a random string, verified against when the user does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$J4moa2MM0/6uf3HbY2Tf5Fux8JIBTwIhmhxGRE8MW1s";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        // Unknown users must cost a full verification, like known ones.
        let parsed = argon2::password_hash::PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(!auth::verify_password("anything", DUMMY_HASH));
    }
}
