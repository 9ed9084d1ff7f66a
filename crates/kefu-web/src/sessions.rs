//! Bearer-token lookups, cached briefly: a hot API path should not read two rows per request.
//! A logout is seen at once on this node and within [`TTL_SECONDS`] on the others.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Desk;
use kefu_model::{Actor, auth};

use crate::error::ApiError;

pub const TTL_SECONDS: i64 = 10;
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    actor: Actor,
    expires_at: Timestamp,
    fresh_until: Timestamp,
}

impl SessionCache {
    pub async fn actor(&self, desk: &Desk, token: &str) -> Result<Actor, ApiError> {
        let key = auth::token_hash(token);
        let now = desk.now();
        {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(e) = entries
                .get(&key)
                .filter(|e| e.fresh_until > now && e.expires_at > now)
            {
                return Ok(e.actor.clone());
            }
        }
        let (actor, expires_at) = desk.authenticate(token).await?;
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                actor: actor.clone(),
                expires_at,
                fresh_until: now
                    .saturating_add(SignedDuration::from_secs(TTL_SECONDS))
                    .unwrap_or(now),
            },
        );
        Ok(actor)
    }

    pub fn forget(&self, token: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&auth::token_hash(token));
    }
}
