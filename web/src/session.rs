//! Who is signed in, and the tokens that prove it.
//!
//! Why tokens live where they live: the access token (15 minutes) is kept **in memory only**, in
//! a signal of this context, so a script injected into the page cannot read it from storage
//! and it dies with the tab. The refresh token is in an HttpOnly, SameSite=Strict cookie scoped
//! to `/api/v1/auth`, out of reach of page scripts. A reload therefore starts with
//! `POST /auth/refresh` (the cookie survives), then `GET /me`; until that answers the state is
//! [`AuthState::Restoring`], and the route guard shows a loading screen instead of flashing the
//! sign-in page.
//!
//! Refresh tokens rotate and a used one revokes the whole sign-in, so there is at most one
//! refresh in flight ([`Session::refresh`] shares it among all callers). The token is also
//! refreshed proactively a minute before it runs out.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::dto::{LoginRequest, MeResponse, TokenResponse};

use crate::api::{self, Api, ApiError, endpoints};

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthState {
    /// Asking the server whether the refresh cookie still holds a sign-in.
    Restoring,
    SignedIn,
    SignedOut(SignedOutBecause),
}

/// Why nobody is signed in; the sign-in page words its notice by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOutBecause {
    /// Nobody was signed in in this browser.
    Anonymous,
    /// The person pressed «Выйти».
    Deliberate,
    /// The sign-in ended (expired or revoked) while the app was open.
    Expired,
    /// The server could not be reached while restoring the session.
    Unreachable,
}

#[derive(Debug, Clone, PartialEq)]
struct AccessToken {
    value: String,
    expires_at: DateTime<Utc>,
}

type RefreshFlight = Shared<LocalBoxFuture<'static, Result<String, ApiError>>>;

/// The session context: copy it freely; it is a handful of signal handles.
#[derive(Clone, Copy)]
pub struct Session {
    state: RwSignal<AuthState>,
    me: RwSignal<Option<MeResponse>>,
    token: RwSignal<Option<AccessToken>>,
    /// Bumped whenever the session ends, so a refresh that was in flight does not bring it back.
    generation: StoredValue<u64>,
    refreshing: StoredValue<Option<RefreshFlight>, LocalStorage>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

/// The session of the app (provided by `App`).
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Seconds before expiry at which the token is refreshed ahead of time.
const REFRESH_LEAD_SECS: u64 = 60;

impl Session {
    /// Creates the session in `Restoring` state, provides it as context and starts restoring.
    pub fn start() -> Session {
        let session = Session {
            state: RwSignal::new(AuthState::Restoring),
            me: RwSignal::new(None),
            token: RwSignal::new(None),
            generation: StoredValue::new(0),
            refreshing: StoredValue::new_local(None),
            timer: StoredValue::new(None),
        };
        provide_context(session);
        spawn_local(session.restore());
        session
    }

    pub fn api(self) -> Api {
        Api::new(self)
    }

    /// The state, tracked.
    pub fn state(self) -> AuthState {
        self.state.get()
    }

    pub fn is_signed_in(self) -> bool {
        self.state.get() == AuthState::SignedIn
    }

    /// Who is signed in: `Some` while [`AuthState::SignedIn`] (and, during sign-in, from the
    /// moment `/me` answers).
    pub fn me(self) -> Signal<Option<MeResponse>> {
        self.me.into()
    }

    /// Changes the cached `/me` in place (after an action that the server confirmed).
    pub fn update_me(self, change: impl FnOnce(&mut MeResponse)) {
        self.me.update(|me| {
            if let Some(me) = me {
                change(me);
            }
        });
    }

    /// Reads `/me` again.
    pub async fn reload_me(self) -> Result<(), ApiError> {
        let me: MeResponse = self.api().get(endpoints::ME).await?;
        self.me.set(Some(me));
        Ok(())
    }

    async fn restore(self) {
        let state = match self.refresh().await {
            Ok(_) => match self.reload_me().await {
                Ok(()) => AuthState::SignedIn,
                Err(ApiError::Network) => {
                    self.clear();
                    AuthState::SignedOut(SignedOutBecause::Unreachable)
                }
                Err(_) => {
                    self.clear();
                    AuthState::SignedOut(SignedOutBecause::Anonymous)
                }
            },
            Err(ApiError::Network) => AuthState::SignedOut(SignedOutBecause::Unreachable),
            Err(_) => AuthState::SignedOut(SignedOutBecause::Anonymous),
        };
        self.state.set(state);
    }

    /// Signs in with e-mail and password, then loads `/me`.
    pub async fn sign_in(self, request: LoginRequest) -> Result<(), ApiError> {
        let tokens = api::auth::login(&request).await?;
        self.install(tokens);
        if let Err(e) = self.reload_me().await {
            self.clear();
            return Err(e);
        }
        self.state.set(AuthState::SignedIn);
        Ok(())
    }

    /// Signs in with tokens the server issued elsewhere (setting a password with a one-time
    /// link), then loads `/me`.
    pub async fn adopt(self, tokens: TokenResponse) -> Result<(), ApiError> {
        self.install(tokens);
        if let Err(e) = self.reload_me().await {
            self.clear();
            return Err(e);
        }
        self.state.set(AuthState::SignedIn);
        Ok(())
    }

    /// Signs out on the server (revokes the refresh token, clears the cookie) and here.
    pub async fn sign_out(self) {
        // Even if the server cannot be reached, the tab forgets the session.
        let _ = api::auth::logout().await;
        self.clear();
        self.state
            .set(AuthState::SignedOut(SignedOutBecause::Deliberate));
    }

    /// Ends the session because the server no longer accepts it; the route guard then sends
    /// the person to the sign-in page (and back here afterwards).
    pub fn expire(self) {
        if self.state.get_untracked() == AuthState::SignedIn {
            self.clear();
            self.state
                .set(AuthState::SignedOut(SignedOutBecause::Expired));
        }
    }

    /// An access token good for a few more seconds, refreshing it when it is not. Fails with
    /// [`ApiError::session_ended`] when there is no sign-in, or with the refresh's error.
    pub async fn fresh_token(self) -> Result<String, ApiError> {
        let now = Utc::now();
        let current = self.token.with_untracked(|t| {
            t.as_ref()
                .filter(|t| t.expires_at > now + chrono::Duration::seconds(5))
                .map(|t| t.value.clone())
        });
        if let Some(token) = current {
            return Ok(token);
        }
        if matches!(self.state.get_untracked(), AuthState::SignedOut(_))
            && self.token.with_untracked(Option::is_none)
        {
            return Err(ApiError::session_ended());
        }
        self.refresh().await
    }

    /// Exchanges the refresh cookie for a new access token. Concurrent callers share one
    /// request.
    pub async fn refresh(self) -> Result<String, ApiError> {
        let flight = self.refreshing.with_value(Clone::clone);
        let flight = match flight {
            Some(flight) => flight,
            None => {
                let generation = self.generation.get_value();
                let flight = async move {
                    let result = api::auth::refresh().await;
                    self.refreshing.set_value(None);
                    let tokens = result?;
                    let value = tokens.access_token.clone();
                    if self.generation.get_value() == generation {
                        self.install(tokens);
                    }
                    Ok(value)
                }
                .boxed_local()
                .shared();
                self.refreshing.set_value(Some(flight.clone()));
                flight
            }
        };
        flight.await
    }

    fn install(self, tokens: TokenResponse) {
        let lifetime = tokens.expires_in;
        self.token.set(Some(AccessToken {
            value: tokens.access_token,
            expires_at: Utc::now() + chrono::Duration::seconds(lifetime as i64),
        }));
        self.schedule_refresh(lifetime);
    }

    /// Refreshes a little before the token runs out, so a person working on a form never meets
    /// an expired token.
    fn schedule_refresh(self, lifetime_secs: u64) {
        self.cancel_timer();
        let lead = REFRESH_LEAD_SECS.min(lifetime_secs / 4);
        let delay = Duration::from_secs(lifetime_secs.saturating_sub(lead).max(1));
        let handle = set_timeout_with_handle(
            move || {
                spawn_local(async move {
                    if let Err(e) = self.refresh().await
                        && e.is_unauthorized()
                    {
                        self.expire();
                    }
                });
            },
            delay,
        );
        self.timer.set_value(handle.ok());
    }

    fn cancel_timer(self) {
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        self.timer.set_value(None);
    }

    fn clear(self) {
        self.generation.update_value(|g| *g += 1);
        self.cancel_timer();
        self.token.set(None);
        self.me.set(None);
    }
}
