//! The notification e-mail settings of `serve` and `demo`: SMTP is optional; when its URL is
//! given, the sender and the public address of the application must be too, and everything is
//! checked before the server starts.

use anyhow::{anyhow, Context};
use clap::Args;
use std::sync::Arc;
use web::mail::{MailConfig, Mailer};

#[derive(Args, Clone, Debug, Default)]
pub struct MailArgs {
    /// SMTP server for notification e-mail: smtp://user@host:587?tls=required (STARTTLS),
    /// smtps://user@host (TLS), smtp://host:25 (plain). Unset: no e-mail, the in-app inbox only.
    #[arg(long = "smtp-url", env = "CAREERDOCK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of the notification e-mail, e.g. "careerdock <noreply@example.co.jp>".
    #[arg(long = "mail-from", env = "CAREERDOCK_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// The address users reach the application at (the links of the e-mail), e.g. https://careerdock.example.co.jp.
    #[arg(long = "public-url", env = "CAREERDOCK_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl MailArgs {
    /// No e-mail.
    pub fn none() -> MailArgs {
        MailArgs::default()
    }

    /// The mailer, when SMTP is configured. The password comes from `CAREERDOCK_SMTP_PASSWORD_FILE`
    /// (its first line) or `CAREERDOCK_SMTP_PASSWORD`; the URL also from `CAREERDOCK_SMTP_URL_FILE`.
    pub fn mailer(&self) -> anyhow::Result<Option<Arc<Mailer>>> {
        let url = match std::env::var("CAREERDOCK_SMTP_URL_FILE") {
            Ok(path) => Some(first_line(&path, "CAREERDOCK_SMTP_URL_FILE")?),
            Err(_) => self.smtp_url.clone().filter(|u| !u.trim().is_empty()),
        };
        let Some(smtp_url) = url else { return Ok(None) };
        let password = match std::env::var("CAREERDOCK_SMTP_PASSWORD_FILE") {
            Ok(path) => Some(first_line(&path, "CAREERDOCK_SMTP_PASSWORD_FILE")?),
            Err(_) => std::env::var("CAREERDOCK_SMTP_PASSWORD").ok(),
        };
        let from = self.mail_from.clone().filter(|f| !f.trim().is_empty()).ok_or_else(|| {
            anyhow!("CAREERDOCK_SMTP_URL is set: give the sender too (--mail-from or CAREERDOCK_MAIL_FROM, e.g. noreply@example.co.jp)")
        })?;
        let public_url = self.public_url.clone().filter(|u| !u.trim().is_empty()).ok_or_else(|| {
            anyhow!("CAREERDOCK_SMTP_URL is set: give the application's address for the links too (--public-url or CAREERDOCK_PUBLIC_URL)")
        })?;
        let mailer = Mailer::new(&MailConfig { smtp_url, password, from, public_url }).map_err(|e| anyhow!(e))?;
        Ok(Some(Arc::new(mailer)))
    }
}

fn first_line(path: &str, name: &str) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name} ({path})"))?;
    Ok(text.lines().next().unwrap_or("").trim_end_matches('\r').to_string())
}
