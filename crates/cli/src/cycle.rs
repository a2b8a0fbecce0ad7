//! `careerdock cycle create`: a cycle (実施年度) set up from the command line, recorded in
//! the audit log as `cli:cycle-create`. Its targets and consultants are refined in the app.

use crate::config::{self, Global};
use crate::user::refusal;
use anyhow::anyhow;
use chrono::NaiveDate;
use clap::Subcommand;
use domain::cycle::{fiscal_year, fiscal_year_period, TargetRule};
use std::process::ExitCode;
use store::{Ctx, NewCycle, StoreError};

#[derive(Subcommand)]
pub enum CycleWhat {
    /// Create a cycle in planning. Without --from/--to it covers the current Japanese fiscal
    /// year (April to March); every active employee is a target until refined in the app.
    Create {
        #[arg(long)]
        tenant: String,
        /// The cycle's name (at most 80 characters), e.g. 2026年度.
        #[arg(long)]
        name: String,
        /// First day (YYYY-MM-DD).
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// Last day (YYYY-MM-DD).
        #[arg(long, requires = "from")]
        to: Option<String>,
    },
}

fn date(option: &str, raw: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| anyhow!("{option}: '{raw}' is not a date (YYYY-MM-DD) / 「{raw}」は日付（YYYY-MM-DD）ではありません"))
}

/// The period asked for, or the fiscal year (April–March) that `today` falls in.
pub fn period(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> anyhow::Result<(NaiveDate, NaiveDate)> {
    match (from, to) {
        (Some(f), Some(t)) => Ok((date("--from", f)?, date("--to", t)?)),
        (None, None) => fiscal_year_period(fiscal_year(today)).ok_or_else(|| anyhow!("no fiscal year for {today}")),
        _ => Err(anyhow!("give both --from and --to, or neither for the current fiscal year / --from と --to は両方指定してください")),
    }
}

pub async fn run(g: &Global, what: CycleWhat) -> anyhow::Result<ExitCode> {
    let store = config::open(g, false).await?;
    let result = async {
        match what {
            CycleWhat::Create { tenant, name, from, to } => {
                let t = config::tenant(&store, &tenant).await?;
                let today = domain::time::jst_date(store::now_ms()).ok_or_else(|| anyhow!("the clock is out of range"))?;
                let (starts_on, ends_on) = period(from.as_deref(), to.as_deref(), today)?;
                let rule = TargetRule::default();
                let new = NewCycle { name: &name, starts_on, ends_on, rule: &rule };
                let (id, targets) = match store.create_cycle(&Ctx::operator(t.id, "cycle-create"), &new).await {
                    Ok(created) => created,
                    Err(StoreError::Invalid(e)) => {
                        let option = match e.field {
                            "name" => "--name",
                            _ => "--from/--to",
                        };
                        return Err(refusal(option, &e));
                    }
                    Err(e) => return Err(e.into()),
                };
                println!("created cycle {} ({id}) for {starts_on}..{ends_on} in planning, with {targets} targets", name.trim());
            }
        }
        Ok::<(), anyhow::Error>(())
    }
    .await;
    store.close().await;
    result.map(|_| ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_fiscal_year_is_the_default() {
        assert_eq!(period(None, None, d(2026, 11, 25)).ok(), Some((d(2026, 4, 1), d(2027, 3, 31))));
        assert_eq!(period(None, None, d(2027, 3, 31)).ok(), Some((d(2026, 4, 1), d(2027, 3, 31))));
        assert_eq!(period(None, None, d(2027, 4, 1)).ok(), Some((d(2027, 4, 1), d(2028, 3, 31))));
        assert_eq!(period(Some("2026-10-01"), Some("2027-09-30"), d(2026, 1, 1)).ok(), Some((d(2026, 10, 1), d(2027, 9, 30))));
        assert!(period(Some("2026-13-01"), Some("2027-09-30"), d(2026, 1, 1)).is_err_and(|e| e.to_string().contains("--from")));
        assert!(period(Some("2026-10-01"), None, d(2026, 1, 1)).is_err());
    }
}
