//! Disclosures and the consent ledger through the store's public API, on SQLite and PostgreSQL:
//! the exact text decided on, a changed text needing a new decision, withdrawal and expiry taking
//! effect for the very next read, decisions recorded on the employee's behalf, receipts, notices,
//! and a ledger that neither the code nor the database lets anyone update or delete.

use crate::{inline_key, raw_pool};
use anyhow::{bail, ensure, Context, Result};
use careerdock_store::{ConsentInput, Ctx, DisclosureQuery, NewDisclosure, NewUser, OpenOptions, ReviewInput, Store, StoreError};
use domain::consent::{ConsentDecision, ConsentMethod, DisclosureState, Purpose, Recipient};
use domain::ids::{DisclosureId, EmployeeId, ReportId, UserId};
use domain::import::parse_employee_csv;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::report::{ReportFlags, ReportSections, ReportStatus};
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use sqlx::Row;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    consent_is_given_on_the_exact_text_and_withdrawal_takes_effect_at_once,
    the_consent_ledger_is_append_only_in_code_and_database,
    important_cases_are_released_to_hr_only_with_consent,
    the_employee_grants_again_what_they_refused_or_withdrew
);

const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号
E001,佐藤 健,サトウ ケン,営業本部,G5,1975,2000-04-01,
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G2,1992,2015-04-01,E001
E003,鈴木 花子,スズキ ハナコ,営業本部/第一営業部,G3,1988,2012-04-01,E001
E010,高橋 次郎,タカハシ ジロウ,総務部,G5,1970,1995-04-01,
";

const TEXT_V1: &str = "山田さんは、今後は企画の仕事に挑戦したいと考えています。月1回の1on1で話を聞いてください。";
const TEXT_V2: &str = "山田さんは、企画の仕事に関心があります。1on1で本人の希望を聞く時間をとってください。";

pub(super) struct Env {
    pub(super) db: TestDb,
    pub(super) store: Store,
    pub(super) c1: Ctx,
    pub(super) c2: Ctx,
    pub(super) sup: Ctx,
    pub(super) hr: Ctx,
    /// 佐藤 (E001), the boss of 山田.
    pub(super) boss: Ctx,
    /// 高橋 (E010), a boss of nobody here.
    pub(super) other_boss: Ctx,
    /// 山田 (E002).
    pub(super) employee: Ctx,
    /// 鈴木 (E003).
    pub(super) colleague: Ctx,
    pub(super) subject: EmployeeId,
}

pub(super) async fn env(backend: Backend) -> Result<Env> {
    let db = fresh_db(backend)?;
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
    let tenant = store.create_tenant(&TenantSlug::parse("acme")?, "株式会社テスト", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "test");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).context("date")?;
    let parsed = parse_employee_csv(REGISTER.as_bytes(), today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store.import_employees(&op, &parsed.rows).await?;
    let number = |n: &'static str| {
        let store = store.clone();
        async move { Ok::<_, anyhow::Error>(store.employee_by_number(tenant.id, n).await?.id) }
    };
    let accounts: [(&str, Role, Option<EmployeeId>); 8] = [
        ("c1", Role::Consultant, None),
        ("c2", Role::Consultant, None),
        ("sup", Role::Supervisor, None),
        ("hr", Role::Hr, None),
        ("boss", Role::Boss, Some(number("E001").await?)),
        ("boss2", Role::Boss, Some(number("E010").await?)),
        ("yamada", Role::Employee, Some(number("E002").await?)),
        ("suzuki", Role::Employee, Some(number("E003").await?)),
    ];
    let mut ctxs = Vec::new();
    for (login, role, employee) in accounts {
        let id =
            store.create_user(&op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee }).await?;
        ctxs.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
    }
    for c in &ctxs[..2] {
        super::assign_everyone(&db, tenant.id, c.user().context("consultant")?).await?;
    }
    // Bosses read feedback only after acknowledging the guide for bosses (tested in suite::boss).
    for c in &ctxs[4..6] {
        store.acknowledge_boss_guide(&c.as_boss()?, 1).await?;
    }
    let subject = number("E002").await?;
    let mut it = ctxs.into_iter();
    let mut next = || it.next().context("account");
    Ok(Env {
        c1: next()?,
        c2: next()?,
        sup: next()?,
        hr: next()?,
        boss: next()?,
        other_boss: next()?,
        employee: next()?,
        colleague: next()?,
        db,
        store,
        subject,
    })
}

/// An approved report of `c1` about 山田.
pub(super) async fn approved_report(e: &Env) -> Result<ReportId> {
    let me = e.c1.as_consultant()?;
    let start = chrono::Utc::now().timestamp_millis() - 7 * 86_400_000;
    let interview = e
        .store
        .schedule_interview(
            &me,
            &careerdock_store::NewInterview {
                cycle: None,
                employee: e.subject,
                kind: InterviewKind::Initial,
                mode: InterviewMode::InPerson,
                place: "本社 面談室A".into(),
                slot: Slot::new(start, start + 3_600_000)?,
            },
        )
        .await?;
    e.store.set_interview_status(&me, interview, InterviewStatus::Held, "").await?;
    let id = e.store.create_report(&me, interview).await?;
    let mut sections = ReportSections::default();
    for s in domain::report::SECTIONS {
        sections.set(s, format!("{s}: 山田さんとキャリアの方向性について話し合った。"));
    }
    e.store.save_report(&me, id, &sections, &[], ReportFlags::default(), 1).await?;
    e.store.submit_report(&me, id, None).await?;
    let ok = ReviewInput { approve: true, comments: vec![], scores: vec![] };
    ensure!(e.store.review_report(&e.sup.as_supervisor()?, id, &ok).await? == ReportStatus::Approved, "approved");
    Ok(id)
}

pub(super) fn decision(d: ConsentDecision, version: i64) -> ConsentInput {
    ConsentInput { decision: d, version, comment: String::new(), expires_at_ms: None }
}

async fn feedback_read(e: &Env, who: &Ctx, id: DisclosureId) -> Result<Option<String>> {
    match e.store.read_released(who, id, Purpose::BossFeedback).await {
        Ok(r) => Ok(Some(r.text)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => bail!("reading feedback {id} as {}: {other:?}", who.label()),
    }
}

async fn notices(e: &Env, user: &Ctx, kind: &str) -> Result<i64> {
    let raw = raw_pool(&e.db).await?;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND kind = $2")
        .bind(user.user().context("user")?.get())
        .bind(kind)
        .fetch_one(&raw)
        .await?
        .try_get("n")?;
    raw.close().await;
    Ok(n)
}

async fn state_of(e: &Env, id: DisclosureId) -> Result<DisclosureState> {
    let own = e.store.own_consents(&e.employee.as_employee()?).await?;
    Ok(own.disclosures.iter().find(|d| d.row.id == id).context("the employee does not see the disclosure")?.row.state)
}

async fn consent_is_given_on_the_exact_text_and_withdrawal_takes_effect_at_once(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let report = approved_report(&e).await?;
    let new = NewDisclosure { report, purpose: Purpose::BossFeedback, recipient_user: None, text: TEXT_V1 };

    // Only the author writes from the report; a report not yet approved is refused.
    ensure!(
        matches!(e.store.create_disclosure(&e.c2.as_consultant()?, &new).await, Err(StoreError::NotFound)),
        "another consultant cannot write from c1's report"
    );
    let wrong = NewDisclosure { recipient_user: e.other_boss.user(), ..new.clone() };
    ensure!(
        matches!(e.store.create_disclosure(&e.c1.as_consultant()?, &wrong).await, Err(StoreError::Invalid(i)) if i.field == "recipient_user_id"),
        "feedback goes to the boss in the register only"
    );
    let id = e.store.create_disclosure(&e.c1.as_consultant()?, &new).await?;
    ensure!(notices(&e, &e.employee, "disclosure_requested").await? == 1, "the employee is asked");

    // The employee sees exactly the text, addressed to their boss; nobody reads it yet.
    let own = e.store.own_consents(&e.employee.as_employee()?).await?;
    let mine = own.disclosures.iter().find(|d| d.row.id == id).context("own disclosure")?;
    ensure!(mine.text == TEXT_V1 && mine.row.state == DisclosureState::Pending, "{mine:?}");
    ensure!(mine.row.recipient == Recipient::User(e.boss.user().context("boss")?), "addressed to the boss");
    ensure!(e.store.own_consents(&e.colleague.as_employee()?).await?.disclosures.is_empty(), "a colleague sees nothing of it");
    for who in [&e.boss, &e.other_boss, &e.hr, &e.c2] {
        ensure!(feedback_read(&e, who, id).await?.is_none(), "{} reads a pending disclosure", who.label());
    }
    ensure!(e.store.released_to_me(&e.boss, Purpose::BossFeedback, false).await?.is_empty(), "nothing listed while pending");

    // Asking for changes needs a comment, which reaches the author.
    let ask = ConsentInput { comment: "  ".into(), ..decision(ConsentDecision::RequestChanges, 1) };
    ensure!(
        matches!(e.store.decide_disclosure(&e.employee.as_employee()?, id, &ask).await, Err(StoreError::Invalid(i)) if i.field == "comment"),
        "a request for changes without a comment is refused"
    );
    let ask = ConsentInput {
        comment: "「挑戦したい」は言い過ぎなので、「関心がある」にしてください。".into(), ..ask
    };
    e.store.decide_disclosure(&e.employee.as_employee()?, id, &ask).await?;
    ensure!(state_of(&e, id).await? == DisclosureState::ChangesRequested, "changes requested");
    let authored = e.store.authored_disclosure(&e.c1.as_consultant()?, id).await?;
    ensure!(authored.entries.iter().any(|x| x.comment.contains("関心がある")), "the author reads the comment");
    ensure!(notices(&e, &e.c1, "disclosure_decided").await? == 1, "the author is told");
    ensure!(
        matches!(e.store.authored_disclosure(&e.c2.as_consultant()?, id).await, Err(StoreError::NotFound)),
        "another consultant does not see it"
    );

    // A changed text is a new version: a decision on the old one is refused, and asked again.
    ensure!(
        matches!(e.store.revise_disclosure(&e.c1.as_consultant()?, id, TEXT_V1, 1).await, Err(StoreError::Invalid(i)) if i.field == "text"),
        "an unchanged text is not a new version"
    );
    ensure!(e.store.revise_disclosure(&e.c1.as_consultant()?, id, TEXT_V2, 1).await? == 2, "version 2");
    ensure!(
        matches!(e.store.revise_disclosure(&e.c1.as_consultant()?, id, "また別の文章", 1).await, Err(StoreError::Conflict(_))),
        "a stale revision is refused"
    );
    ensure!(state_of(&e, id).await? == DisclosureState::Pending, "pending again");
    ensure!(notices(&e, &e.employee, "disclosure_requested").await? == 2, "asked again");
    match e.store.decide_disclosure(&e.employee.as_employee()?, id, &decision(ConsentDecision::Grant, 1)).await {
        Err(StoreError::Invalid(i)) if i.field == "version" => {}
        other => bail!("a grant of the old text must be refused: {other:?}"),
    }
    e.store.decide_disclosure(&e.employee.as_employee()?, id, &decision(ConsentDecision::Grant, 2)).await?;
    ensure!(notices(&e, &e.boss, "disclosure_shared").await? == 1, "the boss is told");

    // The boss reads exactly the agreed text; nobody else does.
    ensure!(feedback_read(&e, &e.boss, id).await?.as_deref() == Some(TEXT_V2), "the boss reads version 2");
    for who in [&e.other_boss, &e.hr, &e.c1, &e.employee] {
        ensure!(feedback_read(&e, who, id).await?.is_none(), "{} reads the feedback", who.label());
    }
    let listed = e.store.released_to_me(&e.boss, Purpose::BossFeedback, true).await?;
    ensure!(listed.len() == 1 && listed[0].text == TEXT_V2 && listed[0].row.granted_at.is_some(), "{listed:?}");
    ensure!(
        matches!(
            e.store.decide_disclosure(&e.employee.as_employee()?, id, &decision(ConsentDecision::Grant, 2)).await,
            Err(StoreError::Invalid(_))
        ),
        "granting twice is refused"
    );

    // Withdrawal takes effect for the very next read and list.
    e.store.withdraw_consent(&e.employee.as_employee()?, id).await?;
    ensure!(feedback_read(&e, &e.boss, id).await?.is_none(), "withdrawn: the boss's next read is refused");
    ensure!(e.store.released_to_me(&e.boss, Purpose::BossFeedback, false).await?.is_empty(), "withdrawn: not listed");
    ensure!(state_of(&e, id).await? == DisclosureState::Withdrawn, "withdrawn");
    ensure!(
        matches!(e.store.withdraw_consent(&e.employee.as_employee()?, id).await, Err(StoreError::Invalid(_))),
        "withdrawing twice is refused"
    );
    ensure!(
        matches!(e.store.withdraw_consent(&e.colleague.as_employee()?, id).await, Err(StoreError::NotFound)),
        "only the employee it is about withdraws"
    );

    // The consultant records a grant given on paper, with an evidence note; it ends by itself.
    let no_evidence = e
        .store
        .record_consent_on_behalf(&e.c1.as_consultant()?, id, &decision(ConsentDecision::Grant, 2), ConsentMethod::Written, " ")
        .await;
    ensure!(matches!(no_evidence, Err(StoreError::Invalid(i)) if i.field == "evidence"), "evidence is required");
    let soon = chrono::Utc::now().timestamp_millis() + 1_500;
    let paper = ConsentInput { expires_at_ms: Some(soon), ..decision(ConsentDecision::Grant, 2) };
    e.store
        .record_consent_on_behalf(&e.c1.as_consultant()?, id, &paper, ConsentMethod::Written, "12月3日の面談で同意書に署名をもらった。")
        .await?;
    ensure!(feedback_read(&e, &e.boss, id).await?.as_deref() == Some(TEXT_V2), "granted again on paper");
    let authored = e.store.authored_disclosure(&e.c1.as_consultant()?, id).await?;
    ensure!(
        authored.entries.last().is_some_and(|x| x.method == ConsentMethod::Written && x.evidence.contains("署名")),
        "the evidence note is kept: {:?}",
        authored.entries.last()
    );
    tokio::time::sleep(std::time::Duration::from_millis(1_700)).await;
    ensure!(feedback_read(&e, &e.boss, id).await?.is_none(), "expired: no longer released");
    ensure!(state_of(&e, id).await? == DisclosureState::Expired, "expired");

    // Every decision has a receipt with the text of its version; the employee's evidence-free view.
    let own = e.store.own_consents(&e.employee.as_employee()?).await?;
    ensure!(own.history.len() == 4, "four decisions: {:?}", own.history.iter().map(|h| h.0.decision).collect::<Vec<_>>());
    ensure!(own.history.iter().all(|h| h.0.evidence.is_empty()), "evidence notes stay with the consultant");
    for (entry, _) in &own.history {
        let receipt = e.store.consent_receipt(&e.employee.as_employee()?, entry.id).await?;
        let expected = if entry.version == 1 { TEXT_V1 } else { TEXT_V2 };
        ensure!(receipt.text == expected && receipt.entry.decision == entry.decision, "receipt of {:?}", entry.id);
        ensure!(
            matches!(e.store.consent_receipt(&e.colleague.as_employee()?, entry.id).await, Err(StoreError::NotFound)),
            "another employee gets no receipt"
        );
    }

    // The consultant's list says where each stands.
    let rows = e.store.authored_disclosures(&e.c1.as_consultant()?, &DisclosureQuery::default()).await?;
    ensure!(rows.len() == 1 && rows[0].state == DisclosureState::Expired && rows[0].version == 2, "{rows:?}");
    ensure!(e.store.authored_disclosures(&e.c2.as_consultant()?, &DisclosureQuery::default()).await?.is_empty(), "c2 wrote none");

    // Reads are audited, refusals too, and the chain holds.
    let events = e.store.recent_audit(e.c1.tenant(), 1000, None).await?;
    let count = |action: &str| events.iter().filter(|ev| ev.action == action).count();
    ensure!(count("disclosure_written") == 2 && count("consent_recorded") == 4, "written and recorded are audited");
    ensure!(count("disclosure_read") >= 8 && count("access_refused") >= 8, "reads and refusals are audited");
    ensure!(e.store.verify_audit(None).await?.iter().all(|v| v.broken.is_none()), "chain intact");

    // The texts are sealed: absent from the SQLite file and its WAL.
    if let Some(path) = e.db.sqlite_path() {
        for p in [path.clone(), path.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&p) {
                ensure!(!bytes.windows(TEXT_V2.len()).any(|w| w == TEXT_V2.as_bytes()), "text found in {}", p.display());
            }
        }
    }
    e.store.close().await;
    Ok(())
}

async fn the_consent_ledger_is_append_only_in_code_and_database(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let report = approved_report(&e).await?;
    let id = e
        .store
        .create_disclosure(
            &e.c1.as_consultant()?,
            &NewDisclosure { report, purpose: Purpose::BossFeedback, recipient_user: None, text: TEXT_V1 },
        )
        .await?;
    e.store.decide_disclosure(&e.employee.as_employee()?, id, &decision(ConsentDecision::Grant, 1)).await?;
    e.store.withdraw_consent(&e.employee.as_employee()?, id).await?;

    // The database itself refuses to change or remove an entry.
    let raw = raw_pool(&e.db).await?;
    let count = || async {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM consent_records").fetch_one(&raw).await?.try_get("n")?;
        Ok::<i64, anyhow::Error>(n)
    };
    ensure!(count().await? == 2, "two entries");
    let update = sqlx::query("UPDATE consent_records SET decision = 'grant' WHERE decision = 'withdraw'").execute(&raw).await;
    ensure!(update.is_err(), "an UPDATE of the ledger must fail");
    let delete = sqlx::query("DELETE FROM consent_records").execute(&raw).await;
    ensure!(delete.is_err(), "a DELETE from the ledger must fail");
    if backend == Backend::Postgres {
        ensure!(sqlx::query("TRUNCATE consent_records").execute(&raw).await.is_err(), "a TRUNCATE of the ledger must fail");
    }
    ensure!(count().await? == 2, "the entries are still there");
    let last: String =
        sqlx::query("SELECT decision FROM consent_records ORDER BY id DESC LIMIT 1").fetch_one(&raw).await?.try_get("decision")?;
    ensure!(last == "withdraw", "the withdrawal stands");
    raw.close().await;
    ensure!(feedback_read(&e, &e.boss, id).await?.is_none(), "still withdrawn");

    // And no statement of the store's code updates or deletes it.
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&src)? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&path)?.to_lowercase();
            let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for bad in ["update consent_records", "delete from consent_records", "truncate consent_records"] {
                if squeezed.contains(bad) {
                    offenders.push(format!("{}: {bad}", path.display()));
                }
            }
        }
    }
    ensure!(offenders.is_empty(), "the store changes the ledger: {offenders:?}");
    e.store.close().await;
    Ok(())
}

async fn important_cases_are_released_to_hr_only_with_consent(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let report = approved_report(&e).await?;
    let summary = "部署内の業務量の偏りについて、本人の同意を得て人事部門に報告します。";
    let asked_to_user =
        NewDisclosure { report, purpose: Purpose::ImportantCase, recipient_user: e.boss.user().map(|u: UserId| u), text: summary };
    ensure!(
        matches!(e.store.create_disclosure(&e.c1.as_consultant()?, &asked_to_user).await, Err(StoreError::Invalid(_))),
        "an important case goes to HR, not to a person"
    );
    let id = e
        .store
        .create_disclosure(
            &e.c1.as_consultant()?,
            &NewDisclosure { report, purpose: Purpose::ImportantCase, recipient_user: None, text: summary },
        )
        .await?;
    ensure!(e.store.released_to_me(&e.hr, Purpose::ImportantCase, true).await?.is_empty(), "nothing before consent");
    e.store.decide_disclosure(&e.employee.as_employee()?, id, &decision(ConsentDecision::Grant, 1)).await?;
    let hr = e.store.released_to_me(&e.hr, Purpose::ImportantCase, true).await?;
    ensure!(hr.len() == 1 && hr[0].text == summary && hr[0].row.recipient == Recipient::Role(Role::Hr), "{hr:?}");
    ensure!(e.store.read_released(&e.hr, id, Purpose::ImportantCase).await?.text == summary, "HR reads it");
    ensure!(e.store.released_to_me(&e.boss, Purpose::ImportantCase, true).await?.is_empty(), "the boss does not");
    ensure!(matches!(e.store.read_released(&e.hr, id, Purpose::BossFeedback).await, Err(StoreError::NotFound)), "not as feedback");
    e.store.withdraw_consent(&e.employee.as_employee()?, id).await?;
    ensure!(e.store.released_to_me(&e.hr, Purpose::ImportantCase, true).await?.is_empty(), "withdrawn");
    e.store.close().await;
    Ok(())
}

async fn the_employee_grants_again_what_they_refused_or_withdrew(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let report = approved_report(&e).await?;
    let new = NewDisclosure { report, purpose: Purpose::BossFeedback, recipient_user: None, text: TEXT_V1 };
    let id = e.store.create_disclosure(&e.c1.as_consultant()?, &new).await?;
    let me = e.employee.as_employee()?;

    // Refused, then granted again on the same text: the boss reads exactly it.
    e.store.decide_disclosure(&me, id, &decision(ConsentDecision::Refuse, 1)).await?;
    ensure!(state_of(&e, id).await? == DisclosureState::Refused && feedback_read(&e, &e.boss, id).await?.is_none(), "refused");
    let own = e.store.own_consents(&me).await?;
    ensure!(own.disclosures.iter().any(|d| d.row.id == id && d.text == TEXT_V1), "the refused text stays readable to the employee");
    e.store.decide_disclosure(&me, id, &decision(ConsentDecision::Grant, 1)).await?;
    ensure!(feedback_read(&e, &e.boss, id).await?.as_deref() == Some(TEXT_V1), "granted again after a refusal");

    // Withdrawn, then granted again until a day: released again, and only the current text.
    e.store.withdraw_consent(&me, id).await?;
    ensure!(feedback_read(&e, &e.boss, id).await?.is_none(), "withdrawn");
    ensure!(e.store.revise_disclosure(&e.c1.as_consultant()?, id, TEXT_V2, 1).await? == 2, "a new text after the withdrawal");
    e.store.decide_disclosure(&me, id, &decision(ConsentDecision::Refuse, 2)).await?;
    match e.store.decide_disclosure(&me, id, &decision(ConsentDecision::Grant, 1)).await {
        Err(StoreError::Invalid(i)) if i.field == "version" => {}
        other => bail!("granting the old text again must be refused: {other:?}"),
    }
    let until = chrono::Utc::now().timestamp_millis() + 86_400_000;
    e.store.decide_disclosure(&me, id, &ConsentInput { expires_at_ms: Some(until), ..decision(ConsentDecision::Grant, 2) }).await?;
    ensure!(feedback_read(&e, &e.boss, id).await?.as_deref() == Some(TEXT_V2), "granted again: version 2 only");
    ensure!(
        matches!(e.store.decide_disclosure(&me, id, &decision(ConsentDecision::Grant, 2)).await, Err(StoreError::Invalid(_))),
        "not twice"
    );

    // Every decision stays in the ledger, newest first, each with its receipt.
    let own = e.store.own_consents(&me).await?;
    let decisions: Vec<ConsentDecision> = own.history.iter().map(|h| h.0.decision).collect();
    use ConsentDecision as D;
    ensure!(decisions == vec![D::Grant, D::Refuse, D::Withdraw, D::Grant, D::Refuse], "{decisions:?}");
    let newest = e.store.consent_receipt(&me, own.history[0].0.id).await?;
    ensure!(newest.entry.decision == D::Grant && newest.entry.expires_at == Some(until) && newest.text == TEXT_V2, "{:?}", newest.entry);
    ensure!(notices(&e, &e.boss, "disclosure_shared").await? >= 2, "the boss is told each time it is shared");
    e.store.close().await;
    Ok(())
}
