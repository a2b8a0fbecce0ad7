//! `careerdock user …`: the accounts of a tenant, from the first administrator on. Each
//! command is recorded in the tenant's audit log as `cli:user-<command>`.

use crate::config::{self, Global};
use anyhow::{anyhow, Context};
use clap::Subcommand;
use domain::account::{check_display_name, check_login, check_password};
use domain::employee::Email;
use domain::{Invalid, Role};
use std::path::PathBuf;
use std::process::ExitCode;
use store::{Ctx, NewUser, Store, StoreError, TenantRow};

#[derive(Subcommand)]
pub enum UserWhat {
    /// Create an account. Without --password-file, a one-time password is printed alone on
    /// standard output; its owner must replace it at the first sign-in.
    Create {
        #[arg(long)]
        tenant: String,
        /// Login ID: ASCII letters, digits and - _ . @ (at most 64).
        #[arg(long)]
        login: String,
        /// Display name (at most 100 characters).
        #[arg(long)]
        name: String,
        /// A role (repeat for several): consultant, supervisor, hr, executive, boss, health, employee, admin.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Link the account to this employee of the register (employee number).
        #[arg(long)]
        employee: Option<String>,
        /// Read the password from this file (its first line) instead of generating one.
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// The account's own e-mail address for notices (otherwise its employee's address in the register).
        #[arg(long)]
        email: Option<String>,
    },
    /// List the accounts of a tenant (tab-separated: id, login, name, roles, employee, status, e-mail).
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Disable an account: it can no longer sign in; its sessions end and its API tokens are revoked at once.
    Disable {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        login: String,
    },
    /// Enable a disabled account (its earlier sessions and tokens stay revoked).
    Enable {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        login: String,
    },
    /// Set an account's own e-mail address for notices, or clear it with --clear (its
    /// employee's address in the register then counts again).
    Email {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        login: String,
        #[arg(long, required_unless_present = "clear", conflicts_with = "clear")]
        email: Option<String>,
        #[arg(long)]
        clear: bool,
    },
}

/// An address given with --email, by the register's rule for addresses.
fn parse_email(raw: &str) -> anyhow::Result<Email> {
    Email::parse(raw).map_err(|e| refusal("--email", &e))
}

/// A refused value, in both languages, naming the option it came from.
pub fn refusal(option: &str, e: &Invalid) -> anyhow::Error {
    anyhow!("{option}: {} / {}", e.message.en, e.message.ja)
}

fn parse_roles(raw: &[String]) -> anyhow::Result<Vec<Role>> {
    let mut roles = Vec::new();
    for r in raw {
        let role = Role::parse(r.trim()).ok_or_else(|| {
            anyhow!("--role: unknown role '{r}': use one of {} / 役割「{r}」はありません", Role::ALL.map(|r| r.as_str()).join(", "))
        })?;
        roles.push(role);
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// The password of a password file: its first line, as typed (a final newline is not part
/// of it).
fn read_password(path: &PathBuf) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("--password-file: cannot read {}", path.display()))?;
    Ok(text.lines().next().unwrap_or_default().to_string())
}

async fn account(store: &Store, t: &TenantRow, login: &str) -> anyhow::Result<store::UserRow> {
    match store.user_by_login(t.id, login).await {
        Ok(u) => Ok(u),
        Err(StoreError::NotFound) => {
            Err(anyhow!("--login: no account '{login}' in tenant '{}' / アカウント「{login}」はありません", t.slug))
        }
        Err(e) => Err(e.into()),
    }
}

fn option_of(field: &str) -> &'static str {
    match field {
        "login" => "--login",
        "display_name" => "--name",
        "password" => "--password-file",
        "roles" => "--role",
        _ => "input",
    }
}

pub async fn run(g: &Global, what: UserWhat) -> anyhow::Result<ExitCode> {
    let store = config::open(g, false).await?;
    let result = async {
        match what {
            UserWhat::Create { tenant, login, name, roles, employee, password_file, email } => {
                let t = config::tenant(&store, &tenant).await?;
                // The account rules first, so that nothing is looked up for a value that cannot be used.
                check_login(login.trim()).map_err(|e| refusal("--login", &e))?;
                check_display_name(&name).map_err(|e| refusal("--name", &e))?;
                let email = email.as_deref().map(parse_email).transpose()?;
                let roles = parse_roles(&roles)?;
                let employee = match employee {
                    None => None,
                    Some(number) => match store.employee_by_number(t.id, number.trim()).await {
                        Ok(e) => Some(e.id),
                        Err(StoreError::NotFound) => {
                            return Err(anyhow!(
                                "--employee: no employee numbered '{number}' in the register of '{tenant}' / 社員番号「{number}」の従業員は名簿にありません"
                            ))
                        }
                        Err(e) => return Err(e.into()),
                    },
                };
                let (password, generated) = match &password_file {
                    Some(path) => (read_password(path)?, false),
                    None => (store::one_time_password(), true),
                };
                check_password(&password).map_err(|e| refusal("--password-file", &e))?;
                let new = NewUser { login: login.trim(), display_name: name.trim(), password: &password, roles: &roles, employee };
                let ctx = Ctx::operator(t.id, "user-create");
                let created = if generated {
                    store.create_user_with_temporary_password(&ctx, &new).await
                } else {
                    store.create_user(&ctx, &new).await
                };
                let id = match created {
                    Ok(id) => id,
                    Err(StoreError::Invalid(e)) => return Err(refusal(option_of(e.field), &e)),
                    Err(StoreError::Conflict(_)) => {
                        return Err(anyhow!(
                            "--login: the login '{}' is already taken in tenant '{tenant}' / ログインID「{}」は既に使われています",
                            new.login,
                            new.login
                        ))
                    }
                    Err(e) => return Err(e.into()),
                };
                if let Some(email) = &email {
                    store.set_user_email(&Ctx::operator(t.id, "user-create"), id, Some(email)).await?;
                }
                let list: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                if generated {
                    println!("{password}");
                    eprintln!(
                        "created account {} ({id}) in tenant {tenant} with roles {}; give it the one-time password above by a safe channel: it must be changed at the first sign-in",
                        new.login,
                        list.join(",")
                    );
                } else {
                    eprintln!("created account {} ({id}) in tenant {tenant} with roles {}", new.login, list.join(","));
                }
            }
            UserWhat::List { tenant } => {
                let t = config::tenant(&store, &tenant).await?;
                for a in store.read_accounts(&Ctx::operator(t.id, "user-list")).await? {
                    let roles: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
                    let status = match (a.disabled_at, a.must_change_password) {
                        (Some(_), _) => "disabled",
                        (None, true) => "must-change-password",
                        (None, false) => "active",
                    };
                    let employee = a.employee_number.as_deref().unwrap_or("-");
                    let email = a.email.as_deref().unwrap_or("-");
                    println!("{}\t{}\t{}\t{}\t{employee}\t{status}\t{email}", a.id, a.login, a.display_name, roles.join(","));
                }
            }
            UserWhat::Disable { tenant, login } => {
                let t = config::tenant(&store, &tenant).await?;
                let user = account(&store, &t, &login).await?;
                store.disable_user(&Ctx::operator(t.id, "user-disable"), user.id).await?;
                eprintln!("disabled account {login}: its sessions have ended and its API tokens are revoked");
            }
            UserWhat::Enable { tenant, login } => {
                let t = config::tenant(&store, &tenant).await?;
                let user = account(&store, &t, &login).await?;
                store.enable_user(&Ctx::operator(t.id, "user-enable"), user.id).await?;
                eprintln!("enabled account {login}: it may sign in again (earlier sessions and tokens stay revoked)");
            }
            UserWhat::Email { tenant, login, email, clear } => {
                let t = config::tenant(&store, &tenant).await?;
                let email = if clear { None } else { email.as_deref().map(parse_email).transpose()? };
                let user = account(&store, &t, &login).await?;
                store.set_user_email(&Ctx::operator(t.id, "user-email"), user.id, email.as_ref()).await?;
                match &email {
                    Some(e) => eprintln!("account {login}: notices are e-mailed to {} when the server sends e-mail", e.as_str()),
                    None => eprintln!("account {login}: its own address is cleared; notices go to its employee's address in the register, if any"),
                }
            }
        }
        Ok::<(), anyhow::Error>(())
    }
    .await;
    store.close().await;
    result.map(|_| ExitCode::SUCCESS)
}
