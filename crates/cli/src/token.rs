//! `careerdock token …` and `careerdock tenant …`.

use crate::config::{self, Global};
use clap::Subcommand;
use domain::ids::TokenId;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use std::process::ExitCode;
use store::Ctx;

#[derive(Subcommand)]
pub enum TokenWhat {
    /// Issue a token; it is printed once, alone on standard output.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        login: String,
        #[arg(long)]
        role: String,
        /// Days until it expires (default: never).
        #[arg(long)]
        expires: Option<u32>,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List a user's tokens (never the tokens themselves).
    List {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        login: String,
    },
    /// Revoke one of a user's tokens.
    Revoke {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        login: String,
        id: i64,
    },
}

#[derive(Subcommand)]
pub enum TenantWhat {
    /// Create a tenant (client company).
    Create {
        slug: String,
        #[arg(long)]
        name: String,
        /// Smallest group size shown in aggregates (at least 5).
        #[arg(long, default_value_t = 10)]
        k: i64,
    },
    /// List tenants.
    List,
}

pub async fn run(g: &Global, what: TokenWhat) -> anyhow::Result<ExitCode> {
    let store = config::open(g, false).await?;
    let result = async {
        match what {
            TokenWhat::Create { tenant, login, role, expires, name } => {
                let role = Role::parse(&role)
                    .ok_or_else(|| anyhow::anyhow!("unknown role '{role}': use one of {}", Role::ALL.map(|r| r.as_str()).join(", ")))?;
                let t = config::tenant(&store, &tenant).await?;
                let user =
                    store.user_by_login(t.id, &login).await.map_err(|_| anyhow::anyhow!("no user '{login}' in tenant '{tenant}'"))?;
                let op = Ctx::operator(t.id, &format!("token create {login}"));
                let (secret, _) = store.issue_token(&op, user.id, role, &name, expires).await?;
                println!("{secret}");
            }
            TokenWhat::List { tenant, login } => {
                let t = config::tenant(&store, &tenant).await?;
                let user =
                    store.user_by_login(t.id, &login).await.map_err(|_| anyhow::anyhow!("no user '{login}' in tenant '{tenant}'"))?;
                for tok in store.tokens_of(t.id, user.id).await? {
                    let state = if tok.revoked_at.is_some() {
                        "revoked"
                    } else if tok.expires_at.is_some_and(|e| e < store::now_ms()) {
                        "expired"
                    } else {
                        "active"
                    };
                    println!("{}\t{}\t{}\t{}…\t{state}", tok.id, tok.role, tok.name, tok.prefix);
                }
            }
            TokenWhat::Revoke { tenant, login, id } => {
                let t = config::tenant(&store, &tenant).await?;
                let user =
                    store.user_by_login(t.id, &login).await.map_err(|_| anyhow::anyhow!("no user '{login}' in tenant '{tenant}'"))?;
                let op = Ctx::operator(t.id, &format!("token revoke {login}"));
                store.revoke_user_token(&op, user.id, TokenId::new(id)).await.map_err(|e| match e {
                    store::StoreError::NotFound => anyhow::anyhow!("no active token {id} of '{login}'"),
                    e => e.into(),
                })?;
                eprintln!("revoked token {id}");
            }
        }
        Ok::<(), anyhow::Error>(())
    }
    .await;
    store.close().await;
    result.map(|_| ExitCode::SUCCESS)
}

pub async fn tenant(g: &Global, what: TenantWhat) -> anyhow::Result<ExitCode> {
    let store = config::open(g, false).await?;
    let result = async {
        match what {
            TenantWhat::Create { slug, name, k } => {
                let slug = TenantSlug::parse(&slug).map_err(|e| anyhow::anyhow!("{}", e.message.en))?;
                let k = KThreshold::parse(k).map_err(|e| anyhow::anyhow!("{}", e.message.en))?;
                let t = store.create_tenant(&slug, name.trim(), k, "tenant-create").await?;
                println!("created tenant {} ({})", t.slug, t.id);
            }
            TenantWhat::List => {
                for t in store.tenants().await? {
                    println!("{}\t{}\t{}\tk={}", t.id, t.slug, t.name, t.k_threshold);
                }
            }
        }
        Ok::<(), anyhow::Error>(())
    }
    .await;
    store.close().await;
    result.map(|_| ExitCode::SUCCESS)
}
