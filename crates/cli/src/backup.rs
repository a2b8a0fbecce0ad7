//! `careerdock backup` and `careerdock restore`: one command each (DESIGN.md promise 6).
//! The store does the work; this says what was done, and reminds that the key is not inside.

use crate::config::{self, Global};
use anyhow::Context;
use clap::Args;
use domain::audit::{AuditAction, AuditTarget};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use store::{DbUrl, KeySource};

#[derive(Args, Clone, Debug)]
pub struct BackupArgs {
    /// The backup file to write (must not exist); its sidecar is FILE.meta.json.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
}

#[derive(Args, Clone, Debug)]
pub struct RestoreArgs {
    /// The backup file written by `careerdock backup`.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Replace a database that already holds data (what it held is kept aside, never deleted).
    #[arg(long)]
    pub force: bool,
}

pub async fn backup(g: &Global, args: BackupArgs) -> anyhow::Result<ExitCode> {
    let store = config::open(g, false).await?;
    let written = store.backup_to(&args.to).await;
    if let Ok(b) = &written {
        // Each tenant's chain records that its data left in a backup, and which one.
        for t in store.tenants().await? {
            let ctx = store::Ctx::operator(t.id, "backup");
            store.audit(&ctx, ctx.event(AuditAction::BackupWritten, AuditTarget::Backup, &b.meta.sha256)).await?;
        }
    }
    store.close().await;
    let b = written.with_context(|| format!("backup to {} failed; nothing was written", args.to.display()))?;
    let m = &b.meta;
    println!("backup written: {} ({}, schema version {}, {} bytes)", b.file.display(), m.backend, m.schema_version, m.bytes);
    println!("sha256 {}", m.sha256);
    println!("sidecar: {}", b.sidecar.display());
    println!("sealed text: {} values under key(s) {}", m.sealed_values, list(&m.key_ids));
    eprintln!("REMINDER: the data key is NOT in the backup (sealed text stays encrypted in it).");
    match g.key_source()? {
        (KeySource::File(path), _) => eprintln!(
            "Keep the key file {} (keys {}) with this backup, stored apart from it: without that file its sealed text cannot be read.",
            shown(&path).display(),
            list(&m.key_ids)
        ),
        (KeySource::Inline(_), _) => eprintln!(
            "The key comes from CAREERDOCK_DATA_KEY(_FILE): keep that value (keys {}) with this backup, stored apart from it.",
            list(&m.key_ids)
        ),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(g: &Global, args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let url = DbUrl::parse(&g.db_url()?)?;
    let (source, key_path) = g.key_source()?;
    if let Some(path) = &key_path {
        if !path.exists() {
            anyhow::bail!(
                "no data key: the key file {} does not exist. Put the key file kept with this backup there, \
                 or give --key-file / CAREERDOCK_DATA_KEY; nothing was changed",
                shown(path).display()
            );
        }
    }
    let keys = source.load()?;
    let r = store::restore_backup(&url, &args.from, &keys, args.force)
        .await
        .with_context(|| format!("restore from {} refused", args.from.display()))?;

    println!("restored {} into {} ({}, schema version {})", args.from.display(), target(&url), r.backend.as_str(), r.schema_version);
    if r.sha256_checked {
        println!("the file matched the SHA-256 of its sidecar");
    } else {
        eprintln!("warning: no sidecar {}: the file's SHA-256 was not checked", store::sidecar_path(&args.from).display());
    }
    if !r.keys_checked {
        eprintln!("warning: without a sidecar the keys sealing the dump's text were not checked before restoring");
    }
    for kept in &r.kept {
        println!("the replaced data is kept in {}", kept.display());
    }
    if r.schema_version < store::schema_version() {
        println!("migrating from schema version {} to {}", r.schema_version, store::schema_version());
    }

    // Opening migrates an older backup and checks the key file against the restored text.
    let store = config::open(g, false).await.context("the backup was restored, but the database does not open")?;
    for t in store.tenants().await? {
        println!("tenant {}: {} employees", t.slug, store.employee_count(t.id).await?);
        let ctx = store::Ctx::operator(t.id, "restore");
        store.audit(&ctx, ctx.event(AuditAction::DatabaseRestored, AuditTarget::Backup, args.from.display())).await?;
    }
    store.close().await;
    println!("verifying the audit chains:");
    crate::audit_verify(g, None).await
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        "(none)".to_string()
    } else {
        ids.join(", ")
    }
}

fn shown(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The target as an operator recognizes it, without a password.
fn target(url: &DbUrl) -> String {
    match url {
        DbUrl::Sqlite(p) => shown(p).display().to_string(),
        DbUrl::Postgres(u) => match (u.find("://"), u.rfind('@')) {
            (Some(s), Some(at)) if at > s => format!("{}{}", &u[..s + 3], &u[at + 1..]),
            _ => u.clone(),
        },
    }
}
