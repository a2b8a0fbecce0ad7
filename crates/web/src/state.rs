//! What every handler shares: the store and the server's settings.

use domain::session::SessionLimits;
use store::Store;

#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Show the demo logins on the sign-in page.
    pub demo_mode: bool,
    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy.
    pub behind_proxy: bool,
    /// Always mark cookies `Secure` (when serving over TLS).
    pub secure_cookies: bool,
    pub session_limits: SessionLimits,
    /// Largest request body accepted, in bytes (uploads included).
    pub body_limit: usize,
    /// Notification e-mail, when SMTP is configured.
    pub mail: Option<std::sync::Arc<crate::mail::Mailer>>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            demo_mode: false,
            behind_proxy: false,
            secure_cookies: false,
            session_limits: SessionLimits::default(),
            body_limit: 20 * 1024 * 1024,
            mail: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: WebConfig,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self { store, config }
    }
}
