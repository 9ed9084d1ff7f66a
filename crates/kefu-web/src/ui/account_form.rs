//! What the console's channel account pages (mailboxes, WeChat, PBX, SMS gateways) share: a
//! form's values as typed or stored with its secret only said to be set, and what becomes of a
//! submitted form — back to the list when saved, the page again with the reason and what was
//! typed (secrets never) when refused.

use std::collections::HashMap;

use axum::response::Response;
use kefu_model::channels::{ChannelAccountView, ChannelKind};
use kefu_model::error::DomainError;

use super::pages::Chrome;
use super::{UiSession, error_page, redirect};
use crate::AppState;

/// An account's form (an SMS gateway, a PBX) as typed or stored: its secret never, only
/// whether one is stored.
#[derive(Default)]
pub(super) struct AccountForm {
    pub(super) action: String,
    pub(super) heading: &'static str,
    pub(super) values: HashMap<String, String>,
    pub(super) key_set: bool,
    pub(super) error: Option<String>,
}

impl AccountForm {
    pub(super) fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    pub(super) fn checked(&self, field: &str) -> bool {
        matches!(self.value(field), "on" | "true")
    }
}

/// The version a form was read at, if it carries one.
pub(super) fn form_version(values: &HashMap<String, String>) -> Result<Option<i64>, DomainError> {
    match values.get("version").map(|v| v.trim()).unwrap_or_default() {
        "" => Ok(None),
        v => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| DomainError::invalid("version", "a number")),
    }
}

/// The stored account behind a change, for which secrets its form may say are set: read only
/// when the change was refused (a saved one goes back to the list).
pub(super) async fn stored_if_refused(
    state: &AppState,
    s: &UiSession,
    id: &str,
    kind: ChannelKind,
    refused: bool,
) -> Option<ChannelAccountView> {
    if !refused {
        return None;
    }
    state.desk.channel_account_of(&s.actor, id, kind).await.ok()
}

/// A refused form, to show again: the frame, the reason, and what was typed.
pub(super) struct Refusal {
    pub(super) chrome: Chrome,
    pub(super) reason: String,
    pub(super) typed: HashMap<String, String>,
}

/// What became of a submitted account form: `Err` is the answer itself (saved: back to `back`;
/// an error that is no refusal: its page), `Ok` a refusal to show on the form. `is_secret`
/// names the fields never sent back.
pub(super) async fn settle(
    state: &AppState,
    s: &UiSession,
    saved: Result<(), DomainError>,
    typed: HashMap<String, String>,
    is_secret: fn(&str) -> bool,
    back: &str,
) -> Result<Refusal, Response> {
    match saved {
        Ok(()) => Err(redirect(back)),
        Err(e @ (DomainError::Invalid { .. } | DomainError::Conflict { .. })) => {
            let chrome = super::pages::nav(state, s, "/channels")
                .await
                .map_err(|e| error_page(s.tr, Some(s), &e))?;
            Ok(Refusal {
                chrome,
                reason: crate::error::public_message(&e),
                typed: typed
                    .into_iter()
                    .filter(|(k, _)| !is_secret(k) && k != "_csrf")
                    .collect(),
            })
        }
        Err(e) => Err(error_page(s.tr, Some(s), &e)),
    }
}
