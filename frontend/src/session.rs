//! Who is signed in: the access token and the account, held in memory only.
//!
//! Nothing is written to `localStorage` or a readable cookie: the access token lives in
//! this tab's memory, and the refresh token in an `HttpOnly` cookie the page cannot read.
//! On start-up the app calls `POST /api/v1/auth/refresh` to recover the session, so a
//! reload keeps the partner signed in; without a refresh cookie the server answers 204
//! (nobody to sign in), so a first visit logs no failed request.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use partnerly_domain::account::{Account, Role};
use partnerly_domain::auth::AuthResponse;

use crate::api;

/// Where the session stands; route guards wait while it is `Restoring`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The start-up refresh has not answered yet.
    Restoring,
    /// Nobody is signed in.
    SignedOut,
    /// A partner is signed in.
    SignedIn,
}

/// The session context: cheap to copy, shared through [`use_session`].
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// Read when a request is sent, never rendered: not reactive on purpose.
    token: StoredValue<Option<String>>,
    account: RwSignal<Option<Account>>,
    restored: RwSignal<bool>,
    /// Memoised so that saving the profile (a new `Account`) does not re-run the route
    /// guards and remount the pages below them.
    status: Memo<Status>,
}

impl Session {
    /// Creates the session, provides it as context and starts recovering it from the
    /// refresh cookie. Call once, at the root of the app.
    pub fn provide() -> Self {
        let account = RwSignal::new(None::<Account>);
        let restored = RwSignal::new(false);
        let status = Memo::new(move |_| {
            if !restored.get() {
                Status::Restoring
            } else if account.with(Option::is_some) {
                Status::SignedIn
            } else {
                Status::SignedOut
            }
        });
        let session = Self {
            token: StoredValue::new(None),
            account,
            restored,
            status,
        };
        provide_context(session);
        spawn_local(async move {
            match api::refresh().await {
                Ok(Some(auth)) => session.sign_in(auth),
                // No refresh cookie (204), a refused one (401) or no answer: signed out.
                Ok(None) | Err(_) => session.clear(),
            }
        });
        session
    }

    /// Where the session stands (reactive).
    pub fn status(&self) -> Status {
        self.status.get()
    }

    /// The signed-in account (reactive).
    pub fn account(&self) -> Option<Account> {
        self.account.get()
    }

    /// The signed-in account's role (reactive); `None` while nobody is signed in.
    pub fn role(&self) -> Option<Role> {
        self.account
            .with(|account| account.as_ref().map(|a| a.role))
    }

    /// The access token to send, if any (not reactive).
    pub fn access_token(&self) -> Option<String> {
        self.token.get_value()
    }

    /// Remembers a fresh sign-in, sign-up or refresh. The token is usable at once; the
    /// status changes once the caller's updates have settled (see [`after_updates`]).
    pub fn sign_in(&self, auth: AuthResponse) {
        self.token.set_value(Some(auth.access_token));
        let session = *self;
        after_updates(move || {
            session.set_account(auth.account);
            session.restored.set(true);
        });
    }

    /// Replaces the account after a profile change, so the header shows the new name.
    pub fn set_account(&self, account: Account) {
        if self
            .account
            .with_untracked(|current| current.as_ref() != Some(&account))
        {
            self.account.set(Some(account));
        }
    }

    /// Forgets the partner (after sign-out or a failed refresh); the route guards then
    /// send the browser to the sign-in page.
    pub fn clear(&self) {
        self.token.set_value(None);
        let session = *self;
        after_updates(move || {
            session.account.set(None);
            session.restored.set(true);
        });
    }
}

/// Runs `change` after the current task and every reactive update it caused.
///
/// Signing in or out swaps the page (the route guards), which disposes its signals. The
/// change is usually made from inside that page's own `Action`, whose result is stored
/// (and rendered) right after; disposing the page first makes those renders touch
/// disposed signals and panic. A zero-delay timeout is a macrotask, so it runs after the
/// microtasks in which Leptos delivers the action's result and re-runs its effects.
fn after_updates(change: impl FnOnce() + 'static) {
    set_timeout(change, Duration::ZERO);
}

/// The session provided by [`Session::provide`].
pub fn use_session() -> Session {
    expect_context::<Session>()
}
