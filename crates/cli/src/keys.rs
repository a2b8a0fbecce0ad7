//! `careerdock keys rotate`: a new data key, and every sealed value re-encrypted under it.

use crate::config::{self, Global};
use clap::Subcommand;
use domain::audit::{AuditAction, AuditTarget};
use std::process::ExitCode;
use store::{Ctx, KeySource, Keyring};

#[derive(Subcommand)]
pub enum KeysWhat {
    /// Add a new key to the key file and re-encrypt every sealed value under it.
    Rotate {
        /// Continue an interrupted rotation without adding another key.
        #[arg(long)]
        resume: bool,
        /// Values re-encrypted per transaction.
        #[arg(long, default_value_t = 500)]
        batch: i64,
    },
    /// Show the keys in use and how many values each seals.
    Status,
}

pub async fn run(g: &Global, what: KeysWhat) -> anyhow::Result<ExitCode> {
    match what {
        KeysWhat::Status => {
            let store = config::open(g, false).await?;
            println!("current key: {}", store.keyring().current_id());
            for (id, n) in store.sealed_by_key().await? {
                println!("  {id}: {n} sealed values");
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        KeysWhat::Rotate { resume, batch } => {
            let (source, _) = g.key_source()?;
            let KeySource::File(path) = source else {
                anyhow::bail!("keys come from CAREERDOCK_DATA_KEY: rotation needs a key file (--key-file)");
            };
            if !resume {
                let mut ring = Keyring::read_file(&path)?;
                let id = ring.add_key_to_file()?;
                eprintln!("added key {id} to {} (keep a copy of this file with your backups)", path.display());
            }
            let store = config::open(g, false).await?;
            let mut total = 0u64;
            loop {
                let p = store.rotate_batch(batch.clamp(1, 10_000)).await?;
                total += p.reencrypted;
                eprintln!("re-encrypted {total}, remaining {}", p.remaining);
                if p.remaining == 0 {
                    break;
                }
                if p.reencrypted == 0 {
                    anyhow::bail!("no progress while {} values remain: are they sealed with a key missing from the key file?", p.remaining);
                }
            }
            for t in store.tenants().await? {
                let ctx = Ctx::operator(t.id, "keys-rotate");
                store.audit(&ctx, ctx.event(AuditAction::KeysRotated, AuditTarget::DataKey, store.keyring().current_id())).await?;
            }
            println!("rotation complete: every sealed value is under key {}", store.keyring().current_id());
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}
