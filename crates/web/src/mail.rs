//! Notification e-mail over SMTP (lettre, rustls). A notice's e-mail says only that there is
//! something new of one kind, and links to it in the application: no names, no report text, no
//! who or what about. The link opens the thing itself, so the policy (and any withdrawn consent)
//! decides at the moment it is followed, as for every other read.
//!
//! Sending runs on the durable job runner ([`ProductJobs`]): `store::notify_in_tx` enqueues one
//! `notification_email` job per notice in the transaction that makes the notice, so nothing is
//! lost when the server stops; the handler skips a notice already marked sent, so a job run
//! again sends nothing twice. The one window left is a server that stops after the SMTP server
//! accepted the message and before the mark is written: the job then runs again and the same
//! message (with the same `Message-ID`) goes out a second time.

use crate::i18n::Tr;
use domain::ids::TenantId;
use domain::job::JobKind;
use domain::vocabulary::Term;
use domain::Locale;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use store::{ClaimedJob, JobHandler, StandardJobs, Store};

/// How long one SMTP conversation may take before the attempt counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// A notice older than this is no longer mailed (a job left waiting while SMTP was off).
pub const STALE_AFTER_MS: i64 = 7 * 86_400_000;

/// The mail settings as configured (`CAREERDOCK_SMTP_URL`, `CAREERDOCK_SMTP_PASSWORD[_FILE]`,
/// `CAREERDOCK_MAIL_FROM`, `CAREERDOCK_PUBLIC_URL`).
#[derive(Clone)]
pub struct MailConfig {
    /// `smtp://[user@]host[:port]` (plain, port 25), `smtp://…?tls=required` (STARTTLS, port
    /// 587) or `smtps://[user@]host[:port]` (TLS from the start, port 465).
    pub smtp_url: String,
    /// The SMTP password of the URL's user, given apart from the URL.
    pub password: Option<String>,
    /// The sender: `noreply@example.co.jp` or `キャリアドック <noreply@example.co.jp>`.
    pub from: String,
    /// Where users reach the application: the links of the e-mail start with it.
    pub public_url: String,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &redacted_url(&self.smtp_url))
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("from", &self.from)
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// The URL without its password, for messages and logs.
fn redacted_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("…"));
            }
            u.to_string()
        }
        Err(_) => "(not a URL)".to_string(),
    }
}

/// A configured mail sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: url::Url,
    /// The right-hand side of the `Message-ID`s: the application's host.
    id_host: String,
    described: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.described)
    }
}

/// What one e-mail says: the kind of notice in words (both languages) and where it leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailContent {
    pub subject: String,
    pub body: String,
    pub message_id: String,
}

impl Mailer {
    /// Checks the settings and prepares the transport (no connection is made yet). Errors name
    /// the setting at fault.
    pub fn new(c: &MailConfig) -> Result<Mailer, String> {
        let parsed = url::Url::parse(c.smtp_url.trim())
            .map_err(|e| format!("CAREERDOCK_SMTP_URL is not a URL ({e}): write smtp://user@host:587?tls=required or smtps://user@host"))?;
        if !matches!(parsed.scheme(), "smtp" | "smtps") {
            return Err(format!("CAREERDOCK_SMTP_URL must start with smtp:// or smtps://, not {}://", parsed.scheme()));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err("CAREERDOCK_SMTP_URL names no host".to_string());
        }
        let user = percent_encoding::percent_decode_str(parsed.username()).decode_utf8_lossy().into_owned();
        let password = c.password.as_deref().map(str::trim_end).filter(|p| !p.is_empty());
        if password.is_some() && user.is_empty() {
            return Err("CAREERDOCK_SMTP_PASSWORD is set but CAREERDOCK_SMTP_URL names no user (smtp://user@host)".to_string());
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(c.smtp_url.trim())
            .map_err(|e| format!("CAREERDOCK_SMTP_URL ({}): {e}", redacted_url(&c.smtp_url)))?
            .timeout(Some(SMTP_TIMEOUT));
        if let Some(p) = password {
            builder = builder.credentials(Credentials::new(user, p.to_string()));
        }
        let from: Mailbox = c
            .from
            .trim()
            .parse()
            .map_err(|e| format!("CAREERDOCK_MAIL_FROM is not an e-mail address ({e}): write noreply@example.co.jp"))?;
        let public_url = url::Url::parse(c.public_url.trim())
            .map_err(|e| format!("CAREERDOCK_PUBLIC_URL is not a URL ({e}): write https://careerdock.example.co.jp"))?;
        if !matches!(public_url.scheme(), "http" | "https") || public_url.host_str().is_none() {
            return Err("CAREERDOCK_PUBLIC_URL must be an http:// or https:// address with a host".to_string());
        }
        if public_url.query().is_some() || public_url.fragment().is_some() {
            return Err("CAREERDOCK_PUBLIC_URL must not have a query or a fragment".to_string());
        }
        let id_host = public_url.host_str().unwrap_or("localhost").to_string();
        let described = format!("Mailer {{ smtp: {}, from: {}, links: {} }}", redacted_url(&c.smtp_url), from, public_url);
        Ok(Mailer { transport: builder.build(), from, public_url, id_host, described })
    }

    /// The absolute address of an application path (`/escalations/3`); `None` for anything
    /// that is not a path of this application (another host, `//host`, a scheme).
    pub fn link(&self, path: &str) -> Option<String> {
        if !path.starts_with('/') || path.starts_with("//") || path.contains('\\') || path.chars().any(char::is_control) {
            return None;
        }
        let base = self.public_url.as_str().trim_end_matches('/');
        Some(format!("{base}{path}"))
    }

    /// The subject and body of the e-mail for a notice: Japanese, then English; the kind of
    /// notice and the link, nothing else.
    pub fn content(&self, tenant: TenantId, notification: i64, kind_key: &str, path: &str) -> Result<MailContent, String> {
        let link = self.link(path).ok_or_else(|| "the notice's link is not a path of this application".to_string())?;
        let (ja, en) = (Tr::new(Locale::Ja), Tr::new(Locale::En));
        let what_ja = ja.get(kind_key);
        let what_en = en.get(kind_key);
        let subject = ja.with("mail-subject", "what", &what_ja);
        let body = [
            ja.get("mail-intro"),
            String::new(),
            format!("　{what_ja}"),
            String::new(),
            ja.get("mail-follow"),
            link.clone(),
            String::new(),
            ja.get("mail-no-content"),
            ja.get("mail-no-reply"),
            String::new(),
            "----".to_string(),
            en.get("mail-intro"),
            String::new(),
            format!("  {what_en}"),
            String::new(),
            en.get("mail-follow"),
            link,
            String::new(),
            en.get("mail-no-content"),
            en.get("mail-no-reply"),
            String::new(),
        ]
        .join("\n");
        let message_id = format!("<careerdock.{}.{}@{}>", tenant.get(), notification, self.id_host);
        Ok(MailContent { subject, body, message_id })
    }

    /// Sends one message to `to`. An error never carries the address.
    pub async fn send(&self, to: &str, content: &MailContent) -> Result<(), String> {
        let recipient: Mailbox = to.trim().parse().map_err(|_| "the recipient's address is not a valid e-mail address".to_string())?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(recipient)
            .subject(content.subject.clone())
            .message_id(Some(content.message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(content.body.clone())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        // The transport's own timeout does not cover every wait of the conversation: a server
        // that stops answering must not hold the job (and its renewed lease) for ever.
        match tokio::time::timeout(SMTP_TIMEOUT * 2, self.transport.send(message)).await {
            Ok(sent) => sent.map(|_| ()).map_err(|e| e.to_string().replace(to.trim(), "<recipient>")),
            Err(_) => Err(format!("the SMTP server did not answer within {} s", (SMTP_TIMEOUT * 2).as_secs())),
        }
    }
}

/// The jobs of a server: the standard ones, and the notification e-mail when SMTP is configured.
#[derive(Clone, Debug)]
pub struct ProductJobs {
    pub standard: StandardJobs,
    pub mailer: Option<Arc<Mailer>>,
}

impl JobHandler for ProductJobs {
    fn kinds(&self) -> Vec<JobKind> {
        let mut kinds = self.standard.kinds();
        if self.mailer.is_some() {
            kinds.push(JobKind::NotificationEmail);
        }
        kinds
    }

    async fn run(&self, store: &Store, job: &ClaimedJob) -> Result<serde_json::Value, String> {
        match (job.kind, &self.mailer) {
            (JobKind::NotificationEmail, Some(mailer)) => send_notification(store, mailer, job).await,
            _ => self.standard.run(store, job).await,
        }
    }
}

/// One notice's e-mail: sent unless it already was, the notice is gone or stale, or its
/// recipient has no address (any more). The result names the notice, never the address.
async fn send_notification(store: &Store, mailer: &Mailer, job: &ClaimedJob) -> Result<serde_json::Value, String> {
    let tenant = job.tenant.ok_or("the job names no tenant")?;
    let id = job.payload.get("notification").and_then(serde_json::Value::as_i64).ok_or("the job names no notification")?;
    let skipped = |why: &str| Ok(serde_json::json!({ "notification": id, "skipped": why }));
    let Some(due) = store.notification_email(tenant, id).await.map_err(|e| e.to_string())? else {
        return skipped("gone");
    };
    if due.emailed_at.is_some() {
        return skipped("already_sent");
    }
    let Some(address) = due.address else { return skipped("no_address") };
    if store::now_ms().saturating_sub(due.created_at) > STALE_AFTER_MS {
        return skipped("stale");
    }
    let content = mailer.content(tenant, id, due.kind.key(), &due.link)?;
    mailer.send(&address, &content).await?;
    store.mark_notification_emailed(tenant, id).await.map_err(|e| e.to_string())?;
    Ok(serde_json::json!({ "notification": id, "sent": true }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> MailConfig {
        MailConfig {
            smtp_url: url.to_string(),
            password: None,
            from: "careerdock <noreply@example.co.jp>".to_string(),
            public_url: "https://careerdock.example.co.jp/".to_string(),
        }
    }

    #[test]
    fn settings_are_checked_and_name_the_setting_at_fault() {
        assert!(Mailer::new(&config("smtp://mail.example.co.jp:25")).is_ok());
        assert!(Mailer::new(&config("smtps://user@mail.example.co.jp")).is_ok());
        assert!(Mailer::new(&config("smtp://user@mail.example.co.jp:587?tls=required")).is_ok());
        let err = |c: MailConfig| Mailer::new(&c).err().unwrap_or_default();
        assert!(err(config("http://mail.example.co.jp")).contains("CAREERDOCK_SMTP_URL"));
        assert!(err(config("not a url")).contains("CAREERDOCK_SMTP_URL"));
        assert!(err(MailConfig { password: Some("pw".into()), ..config("smtp://mail.example.co.jp") }).contains("names no user"));
        assert!(err(MailConfig { from: "nobody".into(), ..config("smtp://h") }).contains("CAREERDOCK_MAIL_FROM"));
        assert!(err(MailConfig { public_url: "ftp://x".into(), ..config("smtp://h") }).contains("CAREERDOCK_PUBLIC_URL"));
        assert!(err(MailConfig { public_url: "https://x/?a=1".into(), ..config("smtp://h") }).contains("CAREERDOCK_PUBLIC_URL"));
    }

    #[test]
    fn the_password_never_shows() {
        let c = MailConfig { password: Some("s3cret".into()), ..config("smtp://user:inurl@mail.example.co.jp") };
        assert!(!format!("{c:?}").contains("s3cret") && !format!("{c:?}").contains("inurl"), "{c:?}");
        let m = Mailer::new(&MailConfig { password: Some("s3cret".into()), ..config("smtp://user@mail.example.co.jp") });
        assert!(m.is_ok_and(|m| !format!("{m:?}").contains("s3cret")));
    }

    #[test]
    fn links_are_paths_of_this_application_only() {
        let Ok(m) = Mailer::new(&config("smtp://h")) else { panic!("valid settings") };
        assert_eq!(m.link("/notifications").as_deref(), Some("https://careerdock.example.co.jp/notifications"));
        for bad in ["https://evil.example/", "//evil.example/x", "notifications", "/a\\b", "/a\nb", ""] {
            assert_eq!(m.link(bad), None, "{bad:?}");
        }
    }
}
