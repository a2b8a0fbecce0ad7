//! Pseudonymized reading against a real register, on SQLite and PostgreSQL: the tenant's
//! department names and exact ages leave the shared text along with people's names, ordinary
//! words stay, and a department added to the tree reaches the cached index; the register's
//! employee numbers, e-mail addresses and names in Latin letters leave it too.

use crate::{inline_key, raw_pool};
use anyhow::{ensure, Context, Result};
use careerdock_store::{Ctx, NewInterview, NewUser, OpenOptions, Store};
use domain::ids::{ReportId, TenantId};
use domain::import::parse_employee_csv;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::report::{ReportFlags, ReportSections};
use domain::tenant::{KThreshold, TenantSlug};
use domain::{Locale, Role};
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(departments_and_ages_leave_shared_text, numbers_addresses_and_romaji_names_leave_shared_text);

const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号
E001,佐藤 健,サトウ ケン,営業本部/第一営業部,G5,1975,2000-04-01,
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部/営業推進課,G2,1992,2015-04-01,E001
E003,鈴木 花子,スズキ ハナコ,製造本部/品質保証部/品質保証課,G3,1988,2012-04-01,
";

fn sections() -> ReportSections {
    ReportSections {
        career_awareness: "本人（３４歳）は営業推進課で5年目。30歳を迎え、今後のキャリアに迷いがある。".into(),
        workplace: "営業本部/第一営業部の佐藤課長とは月1回の1on1がある。品質保証課の鈴木さんとの協働が多い。".into(),
        organization: "品質保証課の業務量は増加傾向。人事部門の方針と開発課題が話題になった。".into(),
        support_plan: "新規事業開発室への異動の可能性を一緒に整理する。".into(),
        next_steps: "3か月後に追加面談。".into(),
    }
}

fn joined(s: &ReportSections) -> String {
    [&s.career_awareness, &s.workplace, &s.organization, &s.support_plan, &s.next_steps].map(String::as_str).join("\n")
}

/// A tenant with `register` imported, a consultant and a supervisor, and a report by the
/// consultant on employee E002 holding `sections`, submitted: (store, consultant, supervisor,
/// tenant, report).
async fn submitted_report(store: &Store, db: &TestDb, register: &str, sections: &ReportSections) -> Result<(Ctx, Ctx, TenantId, ReportId)> {
    let tenant = store.create_tenant(&TenantSlug::parse("acme")?, "株式会社テスト", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "test");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).context("date")?;
    let parsed = parse_employee_csv(register.as_bytes(), today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store.import_employees(&op, &parsed.rows).await?;
    let mut users = Vec::new();
    for (login, role) in [("c1", Role::Consultant), ("sup", Role::Supervisor)] {
        let id = store
            .create_user(&op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee: None })
            .await?;
        users.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
    }
    let sup = users.pop().context("supervisor")?;
    let c1 = users.pop().context("consultant")?;
    super::assign_everyone(db, tenant.id, c1.user().context("c1")?).await?;
    let subject = store.employee_by_number(tenant.id, "E002").await?.id;

    let start = chrono::Utc::now().timestamp_millis() - 7 * 86_400_000;
    let interview = store
        .schedule_interview(
            &c1.as_consultant()?,
            &NewInterview {
                cycle: None,
                employee: subject,
                kind: InterviewKind::Initial,
                mode: InterviewMode::InPerson,
                place: "本社 面談室A".into(),
                slot: Slot::new(start, start + 3_600_000)?,
            },
        )
        .await?;
    store.set_interview_status(&c1.as_consultant()?, interview, InterviewStatus::Held, "").await?;
    let id = store.create_report(&c1.as_consultant()?, interview).await?;
    let v = store.read_report(&c1, id, Locale::Ja).await?.version;
    store.save_report(&c1.as_consultant()?, id, sections, &["career_direction".into()], ReportFlags::default(), v).await?;
    store.submit_report(&c1.as_consultant()?, id, None).await?;
    Ok((c1, sup, tenant.id, id))
}

async fn departments_and_ages_leave_shared_text(backend: Backend) -> Result<()> {
    let db = fresh_db(backend)?;
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
    let (c1, sup, tenant, id) = submitted_report(&store, &db, REGISTER, &sections()).await?;
    let (c1, sup) = (&c1, &sup);

    // The author reads it as written.
    let own = joined(&store.read_report(c1, id, Locale::Ja).await?.sections);
    ensure!(own == joined(&sections()), "the author's view is unchanged: {own}");

    // The supervisor reads it pseudonymized: names, the tenant's departments and the exact ages go.
    let seen = store.read_report(sup, id, Locale::Ja).await?;
    ensure!(seen.summary.pseudonymized, "supervisor sees it pseudonymized");
    let text = joined(&seen.sections);
    for gone in ["山田", "佐藤", "鈴木", "営業推進課", "品質保証課", "第一営業部", "営業本部", "３４歳", "34歳", "30歳"]
    {
        ensure!(!text.contains(gone), "{gone} survived pseudonymization: {text}");
    }
    for kept in ["本人（30代）はある部署で5年目。30代を迎え", "ある部署の上司課長", "人事部門の方針と開発課題", "3か月後に追加面談"]
    {
        ensure!(text.contains(kept), "{kept} missing: {text}");
    }
    // 新規事業開発室 is no department of the tenant (yet): it stays.
    ensure!(text.contains("新規事業開発室への異動"), "{text}");
    let en = joined(&store.read_report(sup, id, Locale::En).await?.sections);
    ensure!(en.contains("a departmentの業務量") && !en.contains("品質保証課"), "English labels: {en}");

    // A department added to the tree, with the register unchanged, reaches the cached index.
    let raw = raw_pool(&db).await?;
    sqlx::query("INSERT INTO departments (tenant_id, parent_id, name, path, depth) VALUES ($1, NULL, $2, $2, 1)")
        .bind(tenant.get())
        .bind("新規事業開発室")
        .execute(&raw)
        .await?;
    let text = joined(&store.read_report(sup, id, Locale::Ja).await?.sections);
    ensure!(text.contains("ある部署への異動") && !text.contains("新規事業開発室"), "the new department is masked: {text}");
    raw.close().await;
    store.close().await;
    Ok(())
}

/// A register with e-mail addresses, and a report that names people by employee number (as
/// written, full width, without prefix, after 社員番号), by address and in Latin letters.
const REGISTER_WITH_ADDRESSES: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号,メール
E001,佐藤 健,サトウ ケン,営業本部/第一営業部,G5,1975,2000-04-01,,ken.sato@example.co.jp
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部/営業推進課,G2,1992,2015-04-01,E001,taro.yamada@example.co.jp
E003,鈴木 花子,スズキ ハナコ,製造本部/品質保証部/品質保証課,G3,1988,2012-04-01,,hanako.suzuki@example.co.jp
";

fn sections_with_identifiers() -> ReportSections {
    ReportSections {
        career_awareness: "Yamada-san (Taro Yamada, E002) は3回目の面談。2026年度の目標を話した。".into(),
        workplace: "上司の SATO Ken（社員番号 1）とは TARO.YAMADA@EXAMPLE.CO.JP で連絡。Suzuki Hanako（ｅ００３）と協働。".into(),
        organization: "社外の窓口 support@vendor.example.com とのやり取りが多い。".into(),
        support_plan: "Hanako-san の支援を受ける。".into(),
        next_steps: "3か月後に追加面談。".into(),
    }
}

async fn numbers_addresses_and_romaji_names_leave_shared_text(backend: Backend) -> Result<()> {
    let db = fresh_db(backend)?;
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
    let (c1, sup, _, id) = submitted_report(&store, &db, REGISTER_WITH_ADDRESSES, &sections_with_identifiers()).await?;

    let own = joined(&store.read_report(&c1, id, Locale::Ja).await?.sections);
    ensure!(own == joined(&sections_with_identifiers()), "the author's view is unchanged: {own}");

    let seen = store.read_report(&sup, id, Locale::Ja).await?;
    ensure!(seen.summary.pseudonymized, "supervisor sees it pseudonymized");
    let text = joined(&seen.sections);
    for gone in ["Yamada", "Taro", "SATO", "Ken", "Suzuki", "Hanako", "E002", "ｅ００３", "社員番号 1）", "@example", "@EXAMPLE", "vendor"]
    {
        ensure!(!text.contains(gone), "{gone} survived pseudonymization: {text}");
    }
    for kept in ["3回目の面談。2026年度の目標", "（社員番号 [社員番号]）", "（[社員番号]）と協働", "で連絡", "3か月後に追加面談"]
    {
        ensure!(text.contains(kept), "{kept} missing: {text}");
    }
    ensure!(text.matches("[メールアドレス]").count() == 2, "both addresses masked: {text}");
    let en = joined(&store.read_report(&sup, id, Locale::En).await?.sections);
    ensure!(en.contains("[employee number]") && en.contains("[e-mail address]") && !en.contains("Yamada"), "English labels: {en}");
    store.close().await;
    Ok(())
}
