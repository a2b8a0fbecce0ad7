//! `careerdock serve`: the web application until SIGTERM or Ctrl-C.

use crate::config::{self, Global};
use crate::mail::MailArgs;
use clap::Args;
use std::process::ExitCode;
use web::{AppState, WebConfig};

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CAREERDOCK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Trust X-Forwarded-For / X-Forwarded-Proto from a reverse proxy.
    #[arg(long, env = "CAREERDOCK_BEHIND_PROXY")]
    pub behind_proxy: bool,
    /// Always mark cookies Secure (serve over HTTPS).
    #[arg(long, env = "CAREERDOCK_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Minutes a session may be idle before it ends.
    #[arg(long, env = "CAREERDOCK_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// Show the demo logins on the sign-in page.
    #[arg(long, hide = true)]
    pub demo_mode: bool,
    #[command(flatten)]
    pub mail: MailArgs,
}

pub fn web_config(args: &ServeArgs) -> anyhow::Result<WebConfig> {
    let mut c = WebConfig {
        demo_mode: args.demo_mode,
        behind_proxy: args.behind_proxy,
        secure_cookies: args.secure_cookies,
        mail: args.mail.mailer()?,
        ..WebConfig::default()
    };
    c.session_limits.idle_ms = args.session_idle_minutes.clamp(1, 24 * 60) * 60_000;
    Ok(c)
}

pub async fn run(g: &Global, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = config::open(g, false).await?;
    serve_store(store, &args).await?;
    Ok(ExitCode::SUCCESS)
}

/// glibc's threshold above which an allocation is its own mapping, given back to the system
/// when freed: 1 MiB. glibc raises its default (128 KiB) as big buffers are freed, up to 32 MiB,
/// after which the buffers of a large report (a 16 MB snapshot, its JSON, its page) stay in the
/// heap's arenas and the server keeps the memory of its largest request. A threshold set in the
/// environment (`MALLOC_MMAP_THRESHOLD_`) is left as it is.
pub fn return_big_buffers_to_the_os() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; called before the runtime's threads start.
        let done = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20) };
        if done != 1 {
            tracing::warn!("mallopt(M_MMAP_THRESHOLD) refused");
        }
        // The many small allocations of a large report (its cells) are freed into the heap's
        // arenas, where they keep their pages: a thread gives the free pages back every few
        // seconds, so that the next large request starts from the resting size, not from the
        // last one's peak.
        let _ = std::thread::Builder::new().name("malloc-trim".into()).spawn(|| loop {
            std::thread::sleep(std::time::Duration::from_secs(2));
            // SAFETY: malloc_trim only returns free memory of the allocator to the system.
            unsafe {
                libc::malloc_trim(0);
            }
        });
    }
}

pub async fn serve_store(store: store::Store, args: &ServeArgs) -> anyhow::Result<()> {
    // Settings first: a wrong mail setting stops the start before anything listens.
    let config = web_config(args)?;
    let listener =
        tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = store.backend().as_str(), mail = ?config.mail, "careerdock is serving");
    eprintln!("careerdock: serving http://{addr}/ (Ctrl-C to stop)");
    web::serve(AppState::new(store, config), listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
