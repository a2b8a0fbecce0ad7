//! One migration chain for both databases. Statements use `{id}` and `{blob}` where the two
//! differ; everything else is SQL both accept.

use crate::db::Db;
use crate::{now_ms, Result, StoreError};
use sqlx::Row;

struct Migration {
    version: i64,
    name: &'static str,
    statements: &'static [&'static str],
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        statements: &[
            "CREATE TABLE tenants (
            id {id},
            slug TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            k_threshold BIGINT NOT NULL DEFAULT 10,
            created_at BIGINT NOT NULL
        )",
            "CREATE TABLE departments (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            parent_id BIGINT REFERENCES departments(id),
            name TEXT NOT NULL,
            path TEXT NOT NULL,
            depth BIGINT NOT NULL,
            UNIQUE (tenant_id, path)
        )",
            "CREATE TABLE employees (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            employee_number TEXT NOT NULL,
            name TEXT NOT NULL,
            name_kana TEXT,
            department_id BIGINT NOT NULL REFERENCES departments(id),
            grade TEXT,
            birth_year BIGINT,
            hire_date TEXT,
            boss_id BIGINT REFERENCES employees(id),
            email TEXT,
            status TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, employee_number)
        )",
            "CREATE INDEX employees_boss ON employees (tenant_id, boss_id)",
            "CREATE INDEX employees_department ON employees (tenant_id, department_id)",
            "CREATE TABLE users (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            login TEXT NOT NULL,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            employee_id BIGINT REFERENCES employees(id),
            locale TEXT,
            created_at BIGINT NOT NULL,
            disabled_at BIGINT,
            UNIQUE (tenant_id, login)
        )",
            "CREATE TABLE user_roles (
            user_id BIGINT NOT NULL REFERENCES users(id),
            role TEXT NOT NULL,
            PRIMARY KEY (user_id, role)
        )",
            "CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY,
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            user_id BIGINT NOT NULL REFERENCES users(id),
            acting_role TEXT,
            csrf_token TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            last_seen BIGINT NOT NULL
        )",
            "CREATE INDEX sessions_user ON sessions (user_id)",
            "CREATE TABLE api_tokens (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            user_id BIGINT NOT NULL REFERENCES users(id),
            role TEXT NOT NULL,
            name TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT,
            revoked_at BIGINT,
            last_used_at BIGINT
        )",
            "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
            "CREATE TABLE login_failures (
            id {id},
            throttle_key TEXT NOT NULL,
            at BIGINT NOT NULL
        )",
            "CREATE INDEX login_failures_key ON login_failures (throttle_key, at)",
            "CREATE TABLE audit_heads (
            tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
            seq BIGINT NOT NULL,
            hash TEXT NOT NULL
        )",
            "CREATE TABLE audit_events (
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            seq BIGINT NOT NULL,
            at BIGINT NOT NULL,
            actor_user_id BIGINT,
            actor_label TEXT NOT NULL,
            acting_role TEXT NOT NULL,
            action TEXT NOT NULL,
            target_kind TEXT NOT NULL,
            target_id TEXT NOT NULL,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (tenant_id, seq)
        )",
            "CREATE TABLE data_keys (
            key_id TEXT PRIMARY KEY,
            created_at BIGINT NOT NULL,
            retired_at BIGINT
        )",
            "CREATE TABLE sealed_texts (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            purpose TEXT NOT NULL,
            key_id TEXT NOT NULL,
            nonce {blob} NOT NULL,
            ciphertext {blob} NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )",
            "CREATE INDEX sealed_texts_key ON sealed_texts (key_id)",
            "CREATE TABLE pending_imports (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            user_id BIGINT NOT NULL REFERENCES users(id),
            sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
            filename TEXT NOT NULL,
            encoding TEXT NOT NULL,
            row_count BIGINT NOT NULL,
            created_at BIGINT NOT NULL
        )",
            "CREATE INDEX pending_imports_owner ON pending_imports (tenant_id, user_id, created_at)",
        ],
    },
    Migration {
        version: 2,
        name: "cycles_interviews_reports",
        statements: &[
            "ALTER TABLE tenants ADD COLUMN pseudonym_sealed_id BIGINT",
            "CREATE TABLE cycles (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                starts_on TEXT NOT NULL,
                ends_on TEXT NOT NULL,
                status TEXT NOT NULL,
                rule TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                UNIQUE (tenant_id, name)
            )",
            "CREATE TABLE cycle_targets (
                cycle_id BIGINT NOT NULL REFERENCES cycles(id),
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                consultant_id BIGINT REFERENCES users(id),
                reason TEXT NOT NULL,
                added_at BIGINT NOT NULL,
                PRIMARY KEY (cycle_id, employee_id)
            )",
            "CREATE INDEX cycle_targets_consultant ON cycle_targets (cycle_id, consultant_id)",
            // A status note (a cancellation or no-show reason) can be special-care data: it is
            // sealed like every other text a consultant writes; NULL when there is none.
            "CREATE TABLE interviews (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                cycle_id BIGINT REFERENCES cycles(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                consultant_id BIGINT NOT NULL REFERENCES users(id),
                kind TEXT NOT NULL,
                mode TEXT NOT NULL,
                place TEXT NOT NULL,
                starts_at BIGINT NOT NULL,
                ends_at BIGINT NOT NULL,
                status TEXT NOT NULL,
                status_note_sealed_id BIGINT REFERENCES sealed_texts(id),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )",
            "CREATE INDEX interviews_consultant ON interviews (tenant_id, consultant_id, starts_at)",
            "CREATE INDEX interviews_employee ON interviews (tenant_id, employee_id)",
            "CREATE INDEX interviews_cycle ON interviews (tenant_id, cycle_id)",
            "CREATE TABLE interview_notes (
                interview_id BIGINT PRIMARY KEY REFERENCES interviews(id),
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                updated_at BIGINT NOT NULL
            )",
            "CREATE TABLE issue_tags (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                code TEXT NOT NULL,
                label_ja TEXT NOT NULL,
                label_en TEXT NOT NULL,
                position BIGINT NOT NULL,
                active BIGINT NOT NULL,
                UNIQUE (tenant_id, code)
            )",
            "CREATE TABLE rubric_items (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                code TEXT NOT NULL,
                label_ja TEXT NOT NULL,
                label_en TEXT NOT NULL,
                position BIGINT NOT NULL,
                active BIGINT NOT NULL,
                UNIQUE (tenant_id, code)
            )",
            "CREATE TABLE reports (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                interview_id BIGINT NOT NULL UNIQUE REFERENCES interviews(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                author_id BIGINT NOT NULL REFERENCES users(id),
                supervisor_id BIGINT REFERENCES users(id),
                status TEXT NOT NULL,
                sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                life_safety BIGINT NOT NULL,
                organizational_response BIGINT NOT NULL,
                round BIGINT NOT NULL,
                version BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                submitted_at BIGINT,
                approved_at BIGINT
            )",
            "CREATE INDEX reports_status ON reports (tenant_id, status, submitted_at)",
            "CREATE INDEX reports_author ON reports (tenant_id, author_id)",
            "CREATE TABLE report_tags (
                report_id BIGINT NOT NULL REFERENCES reports(id),
                tag_id BIGINT NOT NULL REFERENCES issue_tags(id),
                PRIMARY KEY (report_id, tag_id)
            )",
            "CREATE TABLE report_reviews (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                report_id BIGINT NOT NULL REFERENCES reports(id),
                reviewer_id BIGINT NOT NULL REFERENCES users(id),
                round BIGINT NOT NULL,
                decision TEXT NOT NULL,
                scores TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )",
            "CREATE INDEX report_reviews_report ON report_reviews (report_id)",
            "CREATE TABLE report_comments (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                report_id BIGINT NOT NULL REFERENCES reports(id),
                author_id BIGINT NOT NULL REFERENCES users(id),
                round BIGINT NOT NULL,
                section TEXT NOT NULL,
                sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                created_at BIGINT NOT NULL
            )",
            "CREATE INDEX report_comments_report ON report_comments (report_id)",
            "CREATE TABLE consultation_requests (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                consultant_id BIGINT REFERENCES users(id),
                preferred TEXT NOT NULL,
                message_sealed_id BIGINT REFERENCES sealed_texts(id),
                status TEXT NOT NULL,
                reply_sealed_id BIGINT REFERENCES sealed_texts(id),
                interview_id BIGINT REFERENCES interviews(id),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )",
            "CREATE INDEX consultation_requests_queue ON consultation_requests (tenant_id, status, consultant_id)",
            "CREATE TABLE calendar_feeds (
                user_id BIGINT PRIMARY KEY REFERENCES users(id),
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                token_hash TEXT NOT NULL UNIQUE,
                show_names BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            )",
        ],
    },
    Migration {
        version: 3,
        name: "jobs_and_accounts",
        statements: &[
            // A one-time password handed out by an operator or an administrator must be
            // replaced at the first sign-in.
            "ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0",
            // The durable job runner: a row per job; a runner holds a job while its lease
            // lasts. `unique_key` keeps one pending job per recurring kind.
            "CREATE TABLE jobs (
                id {id},
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                tenant_id BIGINT REFERENCES tenants(id),
                unique_key TEXT,
                due_at BIGINT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                max_attempts BIGINT NOT NULL,
                lease_owner TEXT,
                lease_until BIGINT,
                last_error TEXT,
                result TEXT,
                done_at BIGINT,
                failed_at BIGINT,
                created_at BIGINT NOT NULL
            )",
            "CREATE INDEX jobs_due ON jobs (due_at) WHERE done_at IS NULL AND failed_at IS NULL",
            "CREATE UNIQUE INDEX jobs_pending_key ON jobs (unique_key) WHERE done_at IS NULL AND failed_at IS NULL",
        ],
    },
    Migration {
        version: 4,
        name: "two_factor_sign_in",
        statements: &[
            // One TOTP secret per account, sealed like every confidential text; `confirmed_at`
            // is NULL while enrollment waits for its first code. `last_step` is the time step
            // of the last accepted code: it and every earlier step are spent (no replay).
            "CREATE TABLE two_factor_secrets (
                user_id BIGINT PRIMARY KEY REFERENCES users(id),
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                created_at BIGINT NOT NULL,
                confirmed_at BIGINT,
                last_step BIGINT NOT NULL
            )",
            // Only the SHA-256 of each recovery code (80 random bits), bound to its account.
            "CREATE TABLE two_factor_recovery_codes (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                code_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                used_at BIGINT
            )",
            "CREATE INDEX two_factor_recovery_codes_user ON two_factor_recovery_codes (user_id)",
            // The half-signed-in state between a correct password and the code (or the
            // enrollment a tenant requires): server-side, short-lived, by the hash of its cookie.
            "CREATE TABLE two_factor_challenges (
                id_hash TEXT PRIMARY KEY,
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                stage TEXT NOT NULL,
                next_path TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )",
            "CREATE INDEX two_factor_challenges_user ON two_factor_challenges (user_id)",
            // A tenant's setting: who must use a second factor (no row: nobody).
            "CREATE TABLE two_factor_requirements (
                tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
                requirement TEXT NOT NULL,
                updated_at BIGINT NOT NULL
            )",
        ],
    },
    Migration {
        version: 5,
        name: "sealed_report_facts",
        statements: &[
            // A report's flags (life/safety, organizational response) and issue tags move into a
            // sealed value; the store seals existing rows at start and zeroes the plain columns.
            "ALTER TABLE reports ADD COLUMN facts_sealed_id BIGINT REFERENCES sealed_texts(id)",
        ],
    },
    Migration {
        version: 6,
        name: "audit_log_filters",
        statements: &[
            // The audit log's pages filter by account, kind and period, newest first.
            "CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_user_id, seq)",
            // (By kind also lets the administrator's home find the last backup and the last
            // verification of the chain without walking the whole log.)
            "CREATE INDEX audit_events_action ON audit_events (tenant_id, action, seq)",
            "CREATE INDEX audit_events_at ON audit_events (tenant_id, at)",
        ],
    },
    Migration {
        version: 7,
        name: "consent_and_notifications",
        statements: &[
            // A disclosure: the text meant for one recipient and one purpose (R5, R8). Its text
            // is versioned; a decision of the employee covers one version.
            "CREATE TABLE disclosures (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                report_id BIGINT REFERENCES reports(id),
                author_id BIGINT NOT NULL REFERENCES users(id),
                purpose TEXT NOT NULL,
                recipient_user_id BIGINT REFERENCES users(id),
                recipient_role TEXT,
                version BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )",
            "CREATE INDEX disclosures_employee ON disclosures (tenant_id, employee_id)",
            "CREATE INDEX disclosures_recipient ON disclosures (tenant_id, recipient_user_id)",
            "CREATE INDEX disclosures_author ON disclosures (tenant_id, author_id)",
            // Every version of the text, sealed; the receipt of a decision shows the version decided.
            "CREATE TABLE disclosure_versions (
                disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
                version BIGINT NOT NULL,
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                created_by BIGINT NOT NULL REFERENCES users(id),
                created_at BIGINT NOT NULL,
                PRIMARY KEY (disclosure_id, version)
            )",
            // The consent ledger: append-only; the state of a disclosure is derived from it.
            "CREATE TABLE consent_records (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                purpose TEXT NOT NULL,
                version BIGINT NOT NULL,
                decision TEXT NOT NULL,
                method TEXT NOT NULL,
                recorded_by BIGINT NOT NULL REFERENCES users(id),
                evidence_sealed_id BIGINT REFERENCES sealed_texts(id),
                comment_sealed_id BIGINT REFERENCES sealed_texts(id),
                expires_at BIGINT,
                created_at BIGINT NOT NULL
            )",
            "CREATE INDEX consent_records_disclosure ON consent_records (disclosure_id, id)",
            "CREATE INDEX consent_records_employee ON consent_records (tenant_id, employee_id, id)",
            // In-app notices: a kind and a link, never personal content.
            "CREATE TABLE notifications (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                kind TEXT NOT NULL,
                link TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                read_at BIGINT
            )",
            "CREATE INDEX notifications_inbox ON notifications (tenant_id, user_id, read_at, id)",
        ],
    },
    Migration {
        version: 8,
        name: "consent_ledger_append_only",
        statements: &[
            // The consent ledger is append-only in the database itself, not only in the code
            // above it: any UPDATE or DELETE of an entry (and, on PostgreSQL, a TRUNCATE) fails.
            "{sqlite}CREATE TRIGGER consent_records_no_update BEFORE UPDATE ON consent_records
                BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END",
            "{sqlite}CREATE TRIGGER consent_records_no_delete BEFORE DELETE ON consent_records
                BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END",
            "{postgres}CREATE FUNCTION consent_records_append_only() RETURNS trigger LANGUAGE plpgsql
                AS $$ BEGIN RAISE EXCEPTION 'the consent ledger is append-only'; END $$",
            "{postgres}CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records
                FOR EACH ROW EXECUTE FUNCTION consent_records_append_only()",
            "{postgres}CREATE TRIGGER consent_records_no_truncate BEFORE TRUNCATE ON consent_records
                FOR EACH STATEMENT EXECUTE FUNCTION consent_records_append_only()",
            // A report's disclosures, for the report page and the editor.
            "CREATE INDEX disclosures_report ON disclosures (tenant_id, report_id)",
        ],
    },
    Migration {
        version: 9,
        name: "escalations",
        statements: &[
            // A life/safety escalation (R4): opened in the same transaction as the save that
            // raised the flag. What it is about (the summary, the actions taken) is sealed; the
            // plain columns say only where it stands and who acts on it.
            "CREATE TABLE escalations (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                source TEXT NOT NULL,
                interview_id BIGINT NOT NULL REFERENCES interviews(id),
                report_id BIGINT REFERENCES reports(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                raised_by BIGINT NOT NULL REFERENCES users(id),
                state TEXT NOT NULL,
                opened_at BIGINT NOT NULL,
                due_at BIGINT NOT NULL,
                last_notified_at BIGINT NOT NULL,
                summary_sealed_id BIGINT REFERENCES sealed_texts(id),
                acknowledged_by BIGINT REFERENCES users(id),
                acknowledged_at BIGINT,
                closed_by BIGINT REFERENCES users(id),
                closed_at BIGINT,
                actions_sealed_id BIGINT REFERENCES sealed_texts(id),
                flag_lowered BIGINT NOT NULL DEFAULT 0
            )",
            "CREATE INDEX escalations_due ON escalations (tenant_id, state, due_at)",
            "CREATE INDEX escalations_interview ON escalations (interview_id)",
            "CREATE INDEX escalations_raised_by ON escalations (tenant_id, raised_by)",
            // Disclosing more without consent: a reason (sealed), the responder who asked and a
            // second, different one who approved; when the employee is told, and why later.
            "CREATE TABLE escalation_disclosures (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                escalation_id BIGINT NOT NULL REFERENCES escalations(id),
                reason_sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                requested_by BIGINT NOT NULL REFERENCES users(id),
                requested_at BIGINT NOT NULL,
                state TEXT NOT NULL,
                approved_by BIGINT REFERENCES users(id),
                approved_at BIGINT,
                notice_at BIGINT,
                delay_reason_sealed_id BIGINT REFERENCES sealed_texts(id),
                employee_notified_at BIGINT
            )",
            "CREATE INDEX escalation_disclosures_escalation ON escalation_disclosures (escalation_id)",
            // The tenant's designated responders: health staff, and the HR lead it names.
            "CREATE TABLE escalation_responders (
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                added_by BIGINT REFERENCES users(id),
                added_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, user_id)
            )",
            "CREATE TABLE escalation_settings (
                tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
                ack_hours BIGINT NOT NULL,
                notice_delay_max_days BIGINT NOT NULL,
                updated_by BIGINT REFERENCES users(id),
                updated_at BIGINT NOT NULL
            )",
        ],
    },
    Migration {
        version: 10,
        name: "boss_guide_and_consultations",
        statements: &[
            // The tenant's guide for bosses (R8, R13): version 1 is the product's own text and has
            // no row; each published version is a row of both languages, never changed after.
            "CREATE TABLE boss_guide_versions (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                version BIGINT NOT NULL,
                title_ja TEXT NOT NULL,
                body_ja TEXT NOT NULL,
                title_en TEXT NOT NULL,
                body_en TEXT NOT NULL,
                asks_acknowledgment BIGINT NOT NULL,
                published_by BIGINT REFERENCES users(id),
                published_at BIGINT NOT NULL,
                UNIQUE (tenant_id, version)
            )",
            // Which version each boss acknowledged, and when (one row per boss and version).
            "CREATE TABLE boss_guide_acknowledgments (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                version BIGINT NOT NULL,
                acknowledged_at BIGINT NOT NULL,
                UNIQUE (tenant_id, user_id, version)
            )",
            // A consultant's record of a consultation with an employee's boss: the facts in
            // plain, what was said sealed (purpose `boss_consultation`).
            "CREATE TABLE boss_consultations (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                boss_employee_id BIGINT REFERENCES employees(id),
                interview_id BIGINT REFERENCES interviews(id),
                consultant_id BIGINT NOT NULL REFERENCES users(id),
                held_on TEXT NOT NULL,
                text_sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                created_at BIGINT NOT NULL
            )",
            "CREATE INDEX boss_consultations_consultant ON boss_consultations (tenant_id, consultant_id, held_on)",
            "CREATE INDEX boss_consultations_employee ON boss_consultations (tenant_id, employee_id)",
        ],
    },
    Migration {
        version: 11,
        name: "important_cases_org_issues_personnel_authority",
        statements: &[
            // The tenant's marks of personnel authority (人事権); every change is audited.
            "ALTER TABLE users ADD COLUMN personnel_authority BIGINT NOT NULL DEFAULT 0",
            // An important case: its summary is the disclosure (purpose important_case, recipient
            // hr), which names the report and the employee; HR's record of it lives here. The
            // solution is sealed; status, owner and the management-report mark are HR's own.
            "CREATE TABLE important_cases (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                disclosure_id BIGINT NOT NULL UNIQUE REFERENCES disclosures(id),
                status TEXT NOT NULL,
                owner TEXT NOT NULL DEFAULT '',
                solution_sealed_id BIGINT REFERENCES sealed_texts(id),
                in_management_report BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                updated_by BIGINT REFERENCES users(id)
            )",
            "CREATE INDEX important_cases_tenant ON important_cases (tenant_id, status, updated_at)",
            // An organizational issue: de-identified text, masked before it was sealed. Nothing
            // in clear ties it to a report or a person (the report's flag is sealed too).
            "CREATE TABLE org_issues (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                author_id BIGINT NOT NULL REFERENCES users(id),
                title_sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                body_sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                updated_by BIGINT REFERENCES users(id)
            )",
            "CREATE INDEX org_issues_tenant ON org_issues (tenant_id, status, created_at)",
            "CREATE INDEX org_issues_author ON org_issues (tenant_id, author_id)",
        ],
    },
    Migration {
        version: 12,
        name: "notification_email",
        statements: &[
            // When the notice's e-mail was accepted by the SMTP server (never sent twice after).
            "ALTER TABLE notifications ADD COLUMN emailed_at BIGINT",
            // The inbox newest first, read or not.
            "CREATE INDEX notifications_recent ON notifications (tenant_id, user_id, id)",
            // An account's own address for notices (staff not in the employee register, such as
            // an outside consultant); else the linked employee's address is used.
            "ALTER TABLE users ADD COLUMN email TEXT",
            // Whether the servers of this database send e-mail (SMTP configured): written by each
            // server at start, read by `notify_in_tx` in the transaction that makes a notice.
            "CREATE TABLE mail_delivery (
                id BIGINT PRIMARY KEY,
                enabled BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )",
        ],
    },
    Migration {
        version: 13,
        name: "report_tag_marks",
        statements: &[
            // A keyed mark of each (tenant, issue tag) a report carries, so that a list can be
            // narrowed and ordered by tag in SQL while the tags themselves stay sealed
            // (docs/security.md, "Tag marks"). `tag_marks_key` is the data key the report's marks
            // were made under (NULL: not made yet; the store makes them at start).
            "CREATE TABLE report_tag_marks (
                report_id BIGINT NOT NULL REFERENCES reports(id),
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                mark {blob} NOT NULL,
                PRIMARY KEY (report_id, mark)
            )",
            "CREATE INDEX report_tag_marks_mark ON report_tag_marks (tenant_id, mark)",
            "ALTER TABLE reports ADD COLUMN tag_marks_key TEXT",
            "CREATE INDEX reports_unmarked ON reports (tenant_id) WHERE tag_marks_key IS NULL",
        ],
    },
    Migration {
        version: 14,
        name: "overall_reports",
        statements: &[
            // The overall report (全体報告書, R3): one row per version of a cycle, drafted by a
            // consultant, approved and released by the supervisor or a lead consultant. `k` is
            // the threshold the version was (or will be) decided at; `snapshot` is the released
            // `OverallReport` JSON, written once at release and never changed; `preview` is a
            // draft's last preview (the report and the engine's verdicts, computed when the draft
            // is started and when it is approved); the narrative is sealed (purpose
            // `overall_narrative`).
            "CREATE TABLE overall_reports (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                cycle_id BIGINT NOT NULL REFERENCES cycles(id),
                version BIGINT NOT NULL,
                state TEXT NOT NULL,
                k BIGINT NOT NULL,
                as_of BIGINT,
                snapshot TEXT,
                preview TEXT,
                preview_at BIGINT,
                narrative_sealed_id BIGINT REFERENCES sealed_texts(id),
                created_by BIGINT NOT NULL REFERENCES users(id),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                approved_by BIGINT REFERENCES users(id),
                approved_at BIGINT,
                released_by BIGINT REFERENCES users(id),
                released_at BIGINT,
                UNIQUE (tenant_id, cycle_id, version)
            )",
            "CREATE INDEX overall_reports_state ON overall_reports (tenant_id, state, cycle_id)",
            // The released-cells ledger: per release, every distinct member set its shown cells
            // let a reader count (ascending employee ids as varints of their differences,
            // `domain::breakdown::encode_set`). The anonymity engine checks a new release
            // against all of them.
            "CREATE TABLE overall_report_sets (
                report_id BIGINT NOT NULL REFERENCES overall_reports(id),
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                ord BIGINT NOT NULL,
                members {blob} NOT NULL,
                PRIMARY KEY (report_id, ord)
            )",
            "CREATE INDEX overall_report_sets_tenant ON overall_report_sets (tenant_id)",
            // The consultants the tenant names as leads: they approve and release overall
            // reports besides the supervisor.
            "CREATE TABLE report_leads (
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                added_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, user_id)
            )",
            // The flags get keyed marks like the tags (`flag:life_safety`,
            // `flag:organizational_response`), so the report counts them without opening any
            // report: every report is marked again when the store starts.
            "UPDATE reports SET tag_marks_key = NULL",
        ],
    },
    Migration {
        version: 15,
        name: "report_terms",
        statements: &[
            // The term index of the text themes (issue 9): one row per (approved report, term),
            // the term as a keyed mark (HMAC of tenant and term under a key derived from the data
            // keys), never the word. Counted without decrypting (docs/security.md, "Term index").
            "CREATE TABLE report_terms (
                report_id BIGINT NOT NULL REFERENCES reports(id),
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                employee_id BIGINT NOT NULL,
                cycle_id BIGINT,
                mark {blob} NOT NULL,
                PRIMARY KEY (report_id, mark)
            )",
            "CREATE INDEX report_terms_cycle ON report_terms (tenant_id, cycle_id, mark)",
            // The sealed vocabulary: a mark and the sealed term it stands for, one row per term.
            "CREATE TABLE theme_vocabulary (
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                mark {blob} NOT NULL,
                sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                created_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, mark)
            )",
            "CREATE INDEX theme_vocabulary_sealed ON theme_vocabulary (sealed_id)",
            // The tenant's synonyms and stop words (sealed together), and their version: a report
            // is indexed under `reports.terms_version`, and a newer version re-indexes it.
            "CREATE TABLE theme_settings (
                tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
                sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                version BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                updated_by BIGINT REFERENCES users(id)
            )",
            "ALTER TABLE reports ADD COLUMN terms_version BIGINT",
        ],
    },
    Migration {
        version: 16,
        name: "management_reports",
        statements: &[
            // HR's report to management (経営層への報告, R5), one row per version of a cycle's
            // report: a draft while HR writes it, then released (frozen, kept). It is built on a
            // released version of the overall report (`overall_report_id`, checked by the store:
            // that table belongs to migration 14). The commentary is sealed.
            "CREATE TABLE management_reports (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                cycle_id BIGINT NOT NULL REFERENCES cycles(id),
                version BIGINT NOT NULL,
                state TEXT NOT NULL,
                overall_report_id BIGINT NOT NULL,
                commentary_sealed_id BIGINT REFERENCES sealed_texts(id),
                created_at BIGINT NOT NULL,
                created_by BIGINT REFERENCES users(id),
                updated_at BIGINT NOT NULL,
                released_at BIGINT,
                released_by BIGINT REFERENCES users(id),
                UNIQUE (tenant_id, cycle_id, version)
            )",
            "CREATE INDEX management_reports_state ON management_reports (tenant_id, state, released_at)",
            // The cases a released version holds: which case and which version of its text (the
            // summary stays in the disclosure and is read through the consent ledger at every
            // read), with HR's status and a sealed copy of the solution as they were at release.
            "CREATE TABLE management_report_cases (
                report_id BIGINT NOT NULL REFERENCES management_reports(id),
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
                disclosure_version BIGINT NOT NULL,
                status TEXT NOT NULL,
                solution_sealed_id BIGINT REFERENCES sealed_texts(id),
                position BIGINT NOT NULL,
                PRIMARY KEY (report_id, disclosure_id)
            )",
            // The organizational issues a released version holds, with their status and a
            // sealed copy of their title as they were at release.
            "CREATE TABLE management_report_issues (
                report_id BIGINT NOT NULL REFERENCES management_reports(id),
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                org_issue_id BIGINT NOT NULL REFERENCES org_issues(id),
                status TEXT NOT NULL,
                title_sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                position BIGINT NOT NULL,
                PRIMARY KEY (report_id, org_issue_id)
            )",
        ],
    },
    Migration {
        version: 17,
        name: "sealed_release_ledger",
        statements: &[
            // The anonymity engine's ledger of a released overall report, per measure: the groups
            // shown and the groups hidden for describing 1..k-1 people
            // (`domain::anonymity::measured::Ledger`), sealed (purpose `release_ledger`, one of
            // the store's own purposes: never returned to a caller). The unsealed
            // `overall_report_sets` rows of earlier versions are moved into it when the store
            // opens, then deleted.
            "ALTER TABLE overall_reports ADD COLUMN ledger_sealed_id BIGINT REFERENCES sealed_texts(id)",
        ],
    },
    Migration {
        version: 18,
        name: "questionnaires",
        statements: &[
            // A tenant's questionnaires (アンケート, R7, R12, R13): the checked definition as JSON
            // (`domain::questionnaire::QuestionnaireDraft`). Every tenant has `career-awareness`,
            // written by the store when it opens and when a tenant is created.
            "CREATE TABLE questionnaires (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                code TEXT NOT NULL,
                definition TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (tenant_id, code)
            )",
            // One answer set: whose, which cycle and timing, on which day, who entered it
            // (`employee` on their page, `consultant` from paper, `import` from a file). The
            // answers are sealed (purpose `questionnaire_answers`), and so is the score
            // (`questionnaire_score`), so the database file alone reveals neither.
            "CREATE TABLE questionnaire_responses (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                questionnaire_id BIGINT NOT NULL REFERENCES questionnaires(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                cycle_id BIGINT NOT NULL REFERENCES cycles(id),
                interview_id BIGINT REFERENCES interviews(id),
                timing TEXT NOT NULL,
                answered_on TEXT NOT NULL,
                entered_by TEXT NOT NULL,
                entered_by_user BIGINT REFERENCES users(id),
                answers_sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                score_sealed_id BIGINT REFERENCES sealed_texts(id),
                created_at BIGINT NOT NULL
            )",
            "CREATE INDEX questionnaire_responses_employee ON questionnaire_responses (tenant_id, employee_id, questionnaire_id)",
            "CREATE INDEX questionnaire_responses_cycle ON questionnaire_responses (tenant_id, cycle_id, questionnaire_id)",
        ],
    },
    Migration {
        version: 19,
        name: "follow_ups",
        statements: &[
            // Additional and follow-up interviews planned from a report (R7): the consultant is
            // the report's author; what to follow up and a closing reason are sealed. The state is
            // derived: closed (closed_at), done (its interview held), scheduled, or planned. Each
            // reminder is sent once: its column is set in the transaction that leaves the notice.
            "CREATE TABLE follow_ups (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                report_id BIGINT NOT NULL REFERENCES reports(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                consultant_id BIGINT NOT NULL REFERENCES users(id),
                cycle_id BIGINT REFERENCES cycles(id),
                kind TEXT NOT NULL,
                due_on TEXT NOT NULL,
                what_sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                interview_id BIGINT REFERENCES interviews(id),
                closed_at BIGINT,
                reason_sealed_id BIGINT REFERENCES sealed_texts(id),
                reminded_soon_at BIGINT,
                reminded_overdue_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )",
            "CREATE INDEX follow_ups_consultant ON follow_ups (tenant_id, consultant_id, due_on)",
            "CREATE INDEX follow_ups_employee ON follow_ups (tenant_id, employee_id)",
        ],
    },
    Migration {
        version: 20,
        name: "yearly_reviews",
        statements: &[
            // A closed cycle's yearly review (年次レビュー, R11, R12): opened as a draft when the
            // cycle closes, with its figures as JSON (`domain::yearly_review::ReviewFigures`:
            // program counts and cells of released overall reports, nothing about a person), HR's
            // improvement plan, and the state; finalizing freezes it.
            "CREATE TABLE yearly_reviews (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                cycle_id BIGINT NOT NULL REFERENCES cycles(id),
                state TEXT NOT NULL,
                figures TEXT NOT NULL,
                plan TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                finalized_at BIGINT,
                finalized_by BIGINT REFERENCES users(id),
                UNIQUE (tenant_id, cycle_id)
            )",
            // Proposals for next year by consultants, the supervisor and HR, in the order written.
            "CREATE TABLE yearly_review_proposals (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                review_id BIGINT NOT NULL REFERENCES yearly_reviews(id),
                author_id BIGINT NOT NULL REFERENCES users(id),
                author_role TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )",
            "CREATE INDEX yearly_review_proposals_review ON yearly_review_proposals (tenant_id, review_id, id)",
        ],
    },
    Migration {
        version: 21,
        name: "referrals",
        statements: &[
            // The tenant's outside contacts (the EAP, institutions), kept by HR: an organization's
            // name and how to reach it, no personal data.
            "CREATE TABLE tenant_contacts (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                phone TEXT NOT NULL,
                email TEXT NOT NULL,
                active BIGINT NOT NULL DEFAULT 1,
                created_by BIGINT REFERENCES users(id),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )",
            // A referral (R9): about whom, by which consultant, to whom (a health staff member,
            // the health role, or a contact), on which basis (a referral-purpose disclosure and
            // the version its summary is, or an escalation), its sealed summary and its status.
            "CREATE TABLE referrals (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                employee_id BIGINT NOT NULL REFERENCES employees(id),
                report_id BIGINT REFERENCES reports(id),
                referred_by BIGINT NOT NULL REFERENCES users(id),
                recipient_user_id BIGINT REFERENCES users(id),
                recipient_role TEXT,
                contact_id BIGINT REFERENCES tenant_contacts(id),
                disclosure_id BIGINT REFERENCES disclosures(id),
                disclosure_version BIGINT,
                escalation_id BIGINT REFERENCES escalations(id),
                summary_sealed_id BIGINT NOT NULL REFERENCES sealed_texts(id),
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )",
            "CREATE INDEX referrals_referred_by ON referrals (tenant_id, referred_by)",
            "CREATE INDEX referrals_recipient ON referrals (tenant_id, recipient_user_id)",
            // Each step of a referral: the status reached, who, when, and the note or reason (sealed).
            "CREATE TABLE referral_events (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                referral_id BIGINT NOT NULL REFERENCES referrals(id),
                status TEXT NOT NULL,
                by_user BIGINT NOT NULL REFERENCES users(id),
                note_sealed_id BIGINT REFERENCES sealed_texts(id),
                created_at BIGINT NOT NULL
            )",
            "CREATE INDEX referral_events_referral ON referral_events (referral_id)",
        ],
    },
    Migration {
        version: 22,
        name: "improvement_actions_policy_documents",
        statements: &[
            // An organizational issue HR took up from a finding of a released overall report: the
            // version, the measure and the group (JSON of dimension → label), never a suppressed
            // cell (checked by the store against the released snapshot).
            "ALTER TABLE org_issues ADD COLUMN finding_report_id BIGINT REFERENCES overall_reports(id)",
            "ALTER TABLE org_issues ADD COLUMN finding_measure TEXT",
            "ALTER TABLE org_issues ADD COLUMN finding_group TEXT",
            // Improvement actions (改善施策, R10), tied to the issue that caused them. HR's own
            // organizational text, naming nobody: kept in clear. The owner is an HR account
            // (`owner_user_id`) or a department or person named as text (`owner_text`).
            "CREATE TABLE improvement_actions (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                org_issue_id BIGINT NOT NULL REFERENCES org_issues(id),
                title TEXT NOT NULL,
                owner_user_id BIGINT REFERENCES users(id),
                owner_text TEXT NOT NULL DEFAULT '',
                due_on TEXT NOT NULL,
                status TEXT NOT NULL,
                evidence TEXT NOT NULL DEFAULT '',
                evaluation TEXT,
                evaluation_comment TEXT NOT NULL DEFAULT '',
                evaluated_on TEXT,
                evaluated_by BIGINT REFERENCES users(id),
                created_by BIGINT NOT NULL REFERENCES users(id),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )",
            "CREATE INDEX improvement_actions_tenant ON improvement_actions (tenant_id, status, due_on)",
            "CREATE INDEX improvement_actions_issue ON improvement_actions (tenant_id, org_issue_id)",
            // Dated progress notes (進捗), by whom; never changed after.
            "CREATE TABLE improvement_action_notes (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                action_id BIGINT NOT NULL REFERENCES improvement_actions(id),
                noted_on TEXT NOT NULL,
                body TEXT NOT NULL,
                status_to TEXT,
                author_id BIGINT NOT NULL REFERENCES users(id),
                created_at BIGINT NOT NULL
            )",
            "CREATE INDEX improvement_action_notes_action ON improvement_action_notes (action_id, id)",
            // The program's policy documents (人材育成方針・キャリアコンサルティング実施規程):
            // one row per document, one per version; a version is never changed after.
            "CREATE TABLE policy_documents (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                created_at BIGINT NOT NULL
            )",
            "CREATE TABLE policy_document_versions (
                id {id},
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                document_id BIGINT NOT NULL REFERENCES policy_documents(id),
                version BIGINT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                approved_on TEXT NOT NULL,
                approved_by TEXT NOT NULL,
                created_by BIGINT REFERENCES users(id),
                created_at BIGINT NOT NULL,
                UNIQUE (document_id, version)
            )",
            "CREATE INDEX policy_document_versions_tenant ON policy_document_versions (tenant_id, document_id, version)",
        ],
    },
    Migration {
        version: 23,
        name: "dashboard_indexes",
        statements: &[
            // The consultant's home counts and lists their returned reports and drafts, and their
            // held interviews without a report. With only (tenant, author) and (tenant, consultant,
            // starts_at), each count read every one of the consultant's rows from the table (about
            // 10,000 reports and interviews each at 100,000 employees × 5 cycles): 6 homes a second
            // under 64 connections (docs/performance.md, issue 11). The status in the index answers
            // the counts from the index and the lists in order.
            "CREATE INDEX reports_author_status ON reports (tenant_id, author_id, status, updated_at)",
            "CREATE INDEX interviews_consultant_status ON interviews (tenant_id, consultant_id, status, starts_at)",
        ],
    },
    Migration {
        version: 24,
        name: "list_and_home_counts",
        statements: &[
            // A list of reports, the last changed first (`GET /api/v1/reports`, the /reports
            // page's default order): without an index in that order, each page sorted every
            // report the actor may read (144,142 at 100,000 employees × 5 cycles, ~1 s cold);
            // with it, a page reads its 50 rows in order (docs/performance.md, issue 11).
            "CREATE INDEX reports_updated ON reports (tenant_id, updated_at, id)",
            // HR's home shows the register's size. Counting it read every employee's index entry
            // on each visit (100,000 at the benchmark's size: most of the page's database time);
            // the one statement that adds employees (the import) now adds to this count in the
            // same transaction, and no statement removes one.
            "ALTER TABLE tenants ADD COLUMN employee_count BIGINT NOT NULL DEFAULT 0",
            "UPDATE tenants SET employee_count = (SELECT COUNT(*) FROM employees e WHERE e.tenant_id = tenants.id)",
            // A consultant's held interviews still waiting for a report (their home, the
            // interview list's filter): the check for a report ran once per held interview of the
            // consultant's whole history (about 10,000 at the benchmark's size), twice per visit.
            // A report is written in the same transaction that marks its interview, and no report
            // is removed; the queries still check for the report itself.
            "ALTER TABLE interviews ADD COLUMN reported BIGINT NOT NULL DEFAULT 0",
            "UPDATE interviews SET reported = 1 WHERE id IN (SELECT interview_id FROM reports)",
            "CREATE INDEX interviews_awaiting_report ON interviews (tenant_id, consultant_id, starts_at) WHERE status = 'held' AND reported = 0",
        ],
    },
    Migration {
        version: 25,
        name: "awaiting_report_index",
        statements: &[
            // Migration 24's partial index, with all four equalities in its columns: with the
            // status only in its condition, SQLite kept choosing the three equalities of
            // interviews_consultant_status and filtered the consultant's every held interview
            // (docs/performance.md, issue 11, second pass). Replaced, not edited in place, so that
            // a database already at version 24 gets it too.
            "DROP INDEX interviews_awaiting_report",
            "CREATE INDEX interviews_awaiting_report ON interviews (tenant_id, consultant_id, status, reported, starts_at) WHERE reported = 0",
        ],
    },
];

/// The newest schema version this build knows.
pub fn latest() -> i64 {
    MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
}

async fn ensure_table(db: &Db) -> Result<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&db.write)
    .await?;
    Ok(())
}

async fn applied(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").fetch_one(&db.read).await?;
    Ok(row.try_get::<i64, _>("v")?)
}

/// Applies every pending migration, each in its own transaction with its version row.
pub async fn run(db: &Db) -> Result<Vec<i64>> {
    ensure_table(db).await?;
    let current = applied(db).await?;
    let mut done = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let mut tx = db.write.begin().await?;
        for stmt in m.statements.iter().filter_map(|s| db.for_this_backend(s)) {
            sqlx::query(&db.ddl(stmt)).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        done.push(m.version);
    }
    Ok(done)
}

/// Refuses a database whose schema is older or newer than this build.
pub async fn check_current(db: &Db) -> Result<()> {
    ensure_table(db).await?;
    let v = applied(db).await?;
    if v != latest() {
        return Err(StoreError::Config(format!(
            "the database schema is at version {v} but this build expects {}: run `careerdock migrate`",
            latest()
        )));
    }
    Ok(())
}
