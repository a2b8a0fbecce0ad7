//! The audit trail as types, and the arithmetic of its hash chain (DESIGN.md promise 4).
//! Each tenant has its own chain; each event holds the SHA-256 of the one before it.

use crate::Role;
use sha2::{Digest, Sha256};

/// Everything the product records. A typed list, so a test can show each kind is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    SignOut,
    RoleChosen,
    EmployeesImported,
    EmployeeListRead,
    TokenCreated,
    TokenRevoked,
    SealedTextWritten,
    SealedTextRead,
    KeysRotated,
    UserCreated,
    RolesChanged,
    TenantCreated,
    DemoGenerated,
    CycleCreated,
    CycleChanged,
    CycleTargetsChanged,
    InterviewScheduled,
    InterviewChanged,
    InterviewNoteWritten,
    InterviewNoteRead,
    ReportWritten,
    ReportRead,
    ReportStatusChanged,
    ReportCommented,
    ConsultationRequested,
    ConsultationAnswered,
    TaxonomyChanged,
    CalendarFeedChanged,
    CalendarFeedRead,
    InterviewListRead,
    BackupWritten,
    DatabaseRestored,
    ReportListRead,
    UserDisabled,
    UserEnabled,
    PasswordChanged,
    AccountListRead,
    /// A read or write of confidential content that the policy refused.
    AccessRefused,
    /// Consultation requests with their messages read: the consultant's queue, the employee's own list.
    ConsultationRequestsRead,
    TwoFactorEnrolled,
    TwoFactorDisabled,
    RecoveryCodesIssued,
    RecoveryCodeUsed,
    TwoFactorRequirementChanged,
    /// The administrator verified the tenant's hash chain (what was found is in the detail).
    AuditVerified,
    /// A recorded interview outcome (held, no-show, cancelled) set right by its consultant.
    InterviewStatusCorrected,
    /// The audit log's pages read by an administrator (with the filters used).
    AuditLogRead,
    /// The audit log exported as CSV (with the filters used).
    AuditLogExported,
    /// A disclosure written or revised (a new version of its text), and the employee asked.
    DisclosureWritten,
    /// An entry appended to the consent ledger: a grant, refusal, withdrawal or request for changes.
    ConsentRecorded,
    /// The text of a disclosure read: by the employee it is about, its author, or its recipient.
    DisclosureRead,
    /// HR published a new version of the guide for bosses (with its version).
    BossGuidePublished,
    /// A boss acknowledged a version of the guide for bosses.
    BossGuideAcknowledged,
    /// HR read who has acknowledged the guide for bosses.
    BossGuideAcknowledgmentsRead,
    /// A consultant recorded a consultation with an employee's boss (sealed).
    BossConsultationRecorded,
    /// A consultant read boss consultations (one, or a list).
    BossConsultationRead,
    /// A life/safety escalation opened by the save that raised the flag (R4).
    EscalationOpened,
    /// An escalation's sealed text read: the summary, what a two-person approval released, or
    /// the employee's notice.
    EscalationRead,
    /// An escalation acknowledged, closed, or its summary written.
    EscalationChanged,
    /// A disclosure without consent asked for, or approved by a second responder.
    EscalationDisclosure,
    /// The tenant's escalation responders or deadlines changed.
    EscalationSettingsChanged,
    /// An administrator marked an account as holding personnel authority (人事権), or unmarked it.
    PersonnelAuthorityChanged,
    /// A consultant raised a de-identified organizational issue from a flagged report.
    OrgIssueRaised,
    /// Organizational issues read (HR's register, or the consultant's own).
    OrgIssueRead,
    /// HR changed an organizational issue's status.
    OrgIssueUpdated,
    /// HR read an important case with their record of it (solution, owner, status).
    ImportantCaseRead,
    /// HR recorded a case's solution, owner, status or its place in the management report.
    ImportantCaseUpdated,
    /// An account's own e-mail address for notices set or cleared (by its owner, an
    /// administrator or the command line).
    EmailChanged,
    /// An overall report's draft started, or its narrative saved.
    OverallReportWritten,
    /// An overall report read (its narrative, its tables), or the list of versions.
    OverallReportRead,
    /// An overall report approved or released (the release freezes its snapshot).
    OverallReportDecided,
    /// The tenant's reporting settings changed (the threshold k, the lead consultants).
    ReportSettingsChanged,
    /// HR drafted a management report (a new version) or saved its commentary.
    ManagementReportWritten,
    /// HR released a version of the management report (frozen from then on).
    ManagementReportReleased,
    /// A management report read (HR or an executive; the page, the API or an export).
    ManagementReportRead,
    /// An answer set to a questionnaire recorded: by the employee, a consultant from paper, or
    /// an import (sealed).
    QuestionnaireAnswered,
    /// A person's questionnaire answers read (their trajectory): the employee or their consultant.
    QuestionnaireAnswersRead,
    /// A yearly review opened (when its cycle closed), its figures computed again, a proposal
    /// added or the improvement plan saved.
    YearlyReviewWritten,
    /// HR finalized a yearly review (frozen from then on).
    YearlyReviewFinalized,
    /// A yearly review read, or cycles compared (HR, executives, consultants, the supervisor).
    YearlyReviewRead,
    /// The effect report read (group statistics of questionnaire scores; HR, an executive or
    /// the command line): one event per read, never per person.
    EffectReportRead,
    /// A follow-up item planned from a report, scheduled or closed (R7).
    FollowUpChanged,
    /// Follow-up items read (a consultant's list, one item with its sealed text).
    FollowUpRead,
    /// The support plan of an earlier report read on the employee's next interview (R11).
    PreviousPlanRead,
    /// A consultant referred an employee (on consent or under an escalation), or HR changed an
    /// outside contact.
    ReferralWritten,
    /// A referral read (its summary and history), or a list of referrals.
    ReferralRead,
    /// A referral's recipient accepted, declined, started care or closed it.
    ReferralDecided,
    /// HR created an improvement action, moved it, or added a progress note, evidence or its
    /// evaluation (R10).
    ActionChanged,
    /// HR published a new version of a policy document (人材育成方針・実施規程).
    PolicyDocumentPublished,
    /// A questionnaire defined by HR (R13).
    QuestionnaireDefined,
    /// A questionnaire's definition edited by HR (texts; its structure once it has answers is locked).
    QuestionnaireEdited,
}

impl AuditAction {
    pub const ALL: [AuditAction; 93] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignOut,
        AuditAction::RoleChosen,
        AuditAction::EmployeesImported,
        AuditAction::EmployeeListRead,
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::SealedTextWritten,
        AuditAction::SealedTextRead,
        AuditAction::KeysRotated,
        AuditAction::UserCreated,
        AuditAction::RolesChanged,
        AuditAction::TenantCreated,
        AuditAction::DemoGenerated,
        AuditAction::CycleCreated,
        AuditAction::CycleChanged,
        AuditAction::CycleTargetsChanged,
        AuditAction::InterviewScheduled,
        AuditAction::InterviewChanged,
        AuditAction::InterviewNoteWritten,
        AuditAction::InterviewNoteRead,
        AuditAction::ReportWritten,
        AuditAction::ReportRead,
        AuditAction::ReportStatusChanged,
        AuditAction::ReportCommented,
        AuditAction::ConsultationRequested,
        AuditAction::ConsultationAnswered,
        AuditAction::TaxonomyChanged,
        AuditAction::CalendarFeedChanged,
        AuditAction::CalendarFeedRead,
        AuditAction::InterviewListRead,
        AuditAction::BackupWritten,
        AuditAction::DatabaseRestored,
        AuditAction::ReportListRead,
        AuditAction::UserDisabled,
        AuditAction::UserEnabled,
        AuditAction::PasswordChanged,
        AuditAction::AccountListRead,
        AuditAction::AccessRefused,
        AuditAction::ConsultationRequestsRead,
        AuditAction::TwoFactorEnrolled,
        AuditAction::TwoFactorDisabled,
        AuditAction::RecoveryCodesIssued,
        AuditAction::RecoveryCodeUsed,
        AuditAction::TwoFactorRequirementChanged,
        AuditAction::AuditVerified,
        AuditAction::InterviewStatusCorrected,
        AuditAction::AuditLogRead,
        AuditAction::AuditLogExported,
        AuditAction::DisclosureWritten,
        AuditAction::ConsentRecorded,
        AuditAction::DisclosureRead,
        AuditAction::BossGuidePublished,
        AuditAction::BossGuideAcknowledged,
        AuditAction::BossGuideAcknowledgmentsRead,
        AuditAction::BossConsultationRecorded,
        AuditAction::BossConsultationRead,
        AuditAction::EscalationOpened,
        AuditAction::EscalationRead,
        AuditAction::EscalationChanged,
        AuditAction::EscalationDisclosure,
        AuditAction::EscalationSettingsChanged,
        AuditAction::PersonnelAuthorityChanged,
        AuditAction::OrgIssueRaised,
        AuditAction::OrgIssueRead,
        AuditAction::OrgIssueUpdated,
        AuditAction::ImportantCaseRead,
        AuditAction::ImportantCaseUpdated,
        AuditAction::EmailChanged,
        AuditAction::OverallReportWritten,
        AuditAction::OverallReportRead,
        AuditAction::OverallReportDecided,
        AuditAction::ReportSettingsChanged,
        AuditAction::ManagementReportWritten,
        AuditAction::ManagementReportReleased,
        AuditAction::ManagementReportRead,
        AuditAction::QuestionnaireAnswered,
        AuditAction::QuestionnaireAnswersRead,
        AuditAction::YearlyReviewWritten,
        AuditAction::YearlyReviewFinalized,
        AuditAction::YearlyReviewRead,
        AuditAction::EffectReportRead,
        AuditAction::FollowUpChanged,
        AuditAction::FollowUpRead,
        AuditAction::PreviousPlanRead,
        AuditAction::ReferralWritten,
        AuditAction::ReferralRead,
        AuditAction::ReferralDecided,
        AuditAction::ActionChanged,
        AuditAction::PolicyDocumentPublished,
        AuditAction::QuestionnaireDefined,
        AuditAction::QuestionnaireEdited,
    ];

    /// The kinds only the operator's command line writes (no request to the server can): the
    /// HTTP test of every kind leaves these to the command-line test, which checks exactly them.
    pub const OPERATOR_ONLY: [AuditAction; 5] = [
        AuditAction::TenantCreated,
        AuditAction::DemoGenerated,
        AuditAction::KeysRotated,
        AuditAction::BackupWritten,
        AuditAction::DatabaseRestored,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignOut => "sign_out",
            AuditAction::RoleChosen => "role_chosen",
            AuditAction::EmployeesImported => "employees_imported",
            AuditAction::EmployeeListRead => "employee_list_read",
            AuditAction::TokenCreated => "token_created",
            AuditAction::TokenRevoked => "token_revoked",
            AuditAction::SealedTextWritten => "sealed_text_written",
            AuditAction::SealedTextRead => "sealed_text_read",
            AuditAction::KeysRotated => "keys_rotated",
            AuditAction::UserCreated => "user_created",
            AuditAction::RolesChanged => "roles_changed",
            AuditAction::TenantCreated => "tenant_created",
            AuditAction::DemoGenerated => "demo_generated",
            AuditAction::CycleCreated => "cycle_created",
            AuditAction::CycleChanged => "cycle_changed",
            AuditAction::CycleTargetsChanged => "cycle_targets_changed",
            AuditAction::InterviewScheduled => "interview_scheduled",
            AuditAction::InterviewChanged => "interview_changed",
            AuditAction::InterviewNoteWritten => "interview_note_written",
            AuditAction::InterviewNoteRead => "interview_note_read",
            AuditAction::ReportWritten => "report_written",
            AuditAction::ReportRead => "report_read",
            AuditAction::ReportStatusChanged => "report_status_changed",
            AuditAction::ReportCommented => "report_commented",
            AuditAction::ConsultationRequested => "consultation_requested",
            AuditAction::ConsultationAnswered => "consultation_answered",
            AuditAction::TaxonomyChanged => "taxonomy_changed",
            AuditAction::CalendarFeedChanged => "calendar_feed_changed",
            AuditAction::CalendarFeedRead => "calendar_feed_read",
            AuditAction::InterviewListRead => "interview_list_read",
            AuditAction::BackupWritten => "backup_written",
            AuditAction::DatabaseRestored => "database_restored",
            AuditAction::ReportListRead => "report_list_read",
            AuditAction::UserDisabled => "user_disabled",
            AuditAction::UserEnabled => "user_enabled",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::AccountListRead => "account_list_read",
            AuditAction::AccessRefused => "access_refused",
            AuditAction::ConsultationRequestsRead => "consultation_requests_read",
            AuditAction::TwoFactorEnrolled => "two_factor_enrolled",
            AuditAction::TwoFactorDisabled => "two_factor_disabled",
            AuditAction::RecoveryCodesIssued => "recovery_codes_issued",
            AuditAction::RecoveryCodeUsed => "recovery_code_used",
            AuditAction::TwoFactorRequirementChanged => "two_factor_requirement_changed",
            AuditAction::AuditVerified => "audit_verified",
            AuditAction::InterviewStatusCorrected => "interview_status_corrected",
            AuditAction::AuditLogRead => "audit_log_read",
            AuditAction::AuditLogExported => "audit_log_exported",
            AuditAction::DisclosureWritten => "disclosure_written",
            AuditAction::ConsentRecorded => "consent_recorded",
            AuditAction::DisclosureRead => "disclosure_read",
            AuditAction::BossGuidePublished => "boss_guide_published",
            AuditAction::BossGuideAcknowledged => "boss_guide_acknowledged",
            AuditAction::BossGuideAcknowledgmentsRead => "boss_guide_acknowledgments_read",
            AuditAction::BossConsultationRecorded => "boss_consultation_recorded",
            AuditAction::BossConsultationRead => "boss_consultation_read",
            AuditAction::EscalationOpened => "escalation_opened",
            AuditAction::EscalationRead => "escalation_read",
            AuditAction::EscalationChanged => "escalation_changed",
            AuditAction::EscalationDisclosure => "escalation_disclosure",
            AuditAction::EscalationSettingsChanged => "escalation_settings_changed",
            AuditAction::PersonnelAuthorityChanged => "personnel_authority_changed",
            AuditAction::OrgIssueRaised => "org_issue_raised",
            AuditAction::OrgIssueRead => "org_issue_read",
            AuditAction::OrgIssueUpdated => "org_issue_updated",
            AuditAction::ImportantCaseRead => "important_case_read",
            AuditAction::ImportantCaseUpdated => "important_case_updated",
            AuditAction::EmailChanged => "email_changed",
            AuditAction::OverallReportWritten => "overall_report_written",
            AuditAction::OverallReportRead => "overall_report_read",
            AuditAction::OverallReportDecided => "overall_report_decided",
            AuditAction::ReportSettingsChanged => "report_settings_changed",
            AuditAction::ManagementReportWritten => "management_report_written",
            AuditAction::ManagementReportReleased => "management_report_released",
            AuditAction::ManagementReportRead => "management_report_read",
            AuditAction::QuestionnaireAnswered => "questionnaire_answered",
            AuditAction::QuestionnaireAnswersRead => "questionnaire_answers_read",
            AuditAction::YearlyReviewWritten => "yearly_review_written",
            AuditAction::YearlyReviewFinalized => "yearly_review_finalized",
            AuditAction::YearlyReviewRead => "yearly_review_read",
            AuditAction::EffectReportRead => "effect_report_read",
            AuditAction::FollowUpChanged => "follow_up_changed",
            AuditAction::FollowUpRead => "follow_up_read",
            AuditAction::PreviousPlanRead => "previous_plan_read",
            AuditAction::ReferralWritten => "referral_written",
            AuditAction::ReferralRead => "referral_read",
            AuditAction::ReferralDecided => "referral_decided",
            AuditAction::ActionChanged => "action_changed",
            AuditAction::PolicyDocumentPublished => "policy_document_published",
            AuditAction::QuestionnaireDefined => "questionnaire_defined",
            AuditAction::QuestionnaireEdited => "questionnaire_edited",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            AuditAction::SignIn => "ログイン",
            AuditAction::SignInFailed => "ログイン失敗",
            AuditAction::SignOut => "ログアウト",
            AuditAction::RoleChosen => "利用する役割の選択",
            AuditAction::EmployeesImported => "従業員データの取込",
            AuditAction::EmployeeListRead => "従業員一覧の閲覧",
            AuditAction::TokenCreated => "APIトークンの発行",
            AuditAction::TokenRevoked => "APIトークンの失効",
            AuditAction::SealedTextWritten => "機密テキストの書込",
            AuditAction::SealedTextRead => "機密テキストの閲覧",
            AuditAction::KeysRotated => "暗号鍵の更新",
            AuditAction::UserCreated => "アカウントの作成",
            AuditAction::RolesChanged => "役割の変更",
            AuditAction::TenantCreated => "組織の作成",
            AuditAction::DemoGenerated => "デモデータの生成",
            AuditAction::CycleCreated => "実施年度の作成",
            AuditAction::CycleChanged => "実施年度の変更",
            AuditAction::CycleTargetsChanged => "対象者・担当の変更",
            AuditAction::InterviewScheduled => "面談の予定登録",
            AuditAction::InterviewChanged => "面談の変更",
            AuditAction::InterviewNoteWritten => "面談記録の書込",
            AuditAction::InterviewNoteRead => "面談記録の閲覧",
            AuditAction::ReportWritten => "個別報告書の保存",
            AuditAction::ReportRead => "個別報告書の閲覧",
            AuditAction::ReportStatusChanged => "個別報告書の状態変更",
            AuditAction::ReportCommented => "レビューコメント",
            AuditAction::ConsultationRequested => "相談の申し出",
            AuditAction::ConsultationAnswered => "相談申し出への回答",
            AuditAction::TaxonomyChanged => "分類・評価項目の変更",
            AuditAction::CalendarFeedChanged => "カレンダー配信の変更",
            AuditAction::CalendarFeedRead => "カレンダー配信の取得",
            AuditAction::InterviewListRead => "面談一覧の閲覧",
            AuditAction::BackupWritten => "バックアップの作成",
            AuditAction::DatabaseRestored => "バックアップからの復元",
            AuditAction::ReportListRead => "個別報告書一覧の閲覧",
            AuditAction::UserDisabled => "アカウントの停止",
            AuditAction::UserEnabled => "アカウントの再開",
            AuditAction::PasswordChanged => "パスワードの変更",
            AuditAction::AccountListRead => "アカウント一覧の閲覧",
            AuditAction::AccessRefused => "アクセスの拒否",
            AuditAction::ConsultationRequestsRead => "相談の申し出の閲覧",
            AuditAction::TwoFactorEnrolled => "2段階認証の設定",
            AuditAction::TwoFactorDisabled => "2段階認証の解除",
            AuditAction::RecoveryCodesIssued => "リカバリーコードの再発行",
            AuditAction::RecoveryCodeUsed => "リカバリーコードの使用",
            AuditAction::TwoFactorRequirementChanged => "2段階認証の必須範囲の変更",
            AuditAction::AuditVerified => "監査ログの改ざん検証",
            AuditAction::InterviewStatusCorrected => "面談記録の修正",
            AuditAction::AuditLogRead => "監査ログの閲覧",
            AuditAction::AuditLogExported => "監査ログの書き出し",
            AuditAction::DisclosureWritten => "開示文の保存",
            AuditAction::ConsentRecorded => "同意の記録",
            AuditAction::DisclosureRead => "開示文の閲覧",
            AuditAction::BossGuidePublished => "上司ガイドの公開",
            AuditAction::BossGuideAcknowledged => "上司ガイドの確認",
            AuditAction::BossGuideAcknowledgmentsRead => "上司ガイド確認状況の閲覧",
            AuditAction::BossConsultationRecorded => "上司へのコンサルテーションの記録",
            AuditAction::BossConsultationRead => "上司へのコンサルテーションの閲覧",
            AuditAction::EscalationOpened => "エスカレーションの連絡",
            AuditAction::EscalationRead => "エスカレーションの閲覧",
            AuditAction::EscalationChanged => "エスカレーションの更新",
            AuditAction::EscalationDisclosure => "同意を得ない開示の申請・承認",
            AuditAction::EscalationSettingsChanged => "エスカレーション対応者の設定変更",
            AuditAction::PersonnelAuthorityChanged => "人事権の設定の変更",
            AuditAction::OrgIssueRaised => "組織課題の起票",
            AuditAction::OrgIssueRead => "組織課題の閲覧",
            AuditAction::OrgIssueUpdated => "組織課題の状況変更",
            AuditAction::ImportantCaseRead => "重要事案の閲覧",
            AuditAction::ImportantCaseUpdated => "重要事案の対応記録",
            AuditAction::EmailChanged => "通知用メールアドレスの変更",
            AuditAction::OverallReportWritten => "全体報告書の作成・編集",
            AuditAction::OverallReportRead => "全体報告書の閲覧",
            AuditAction::OverallReportDecided => "全体報告書の承認・公開",
            AuditAction::ReportSettingsChanged => "報告書の設定変更",
            AuditAction::ManagementReportWritten => "経営層への報告の作成・編集",
            AuditAction::ManagementReportReleased => "経営層への報告の公開",
            AuditAction::ManagementReportRead => "経営層への報告の閲覧",
            AuditAction::QuestionnaireAnswered => "アンケート回答の記録",
            AuditAction::QuestionnaireAnswersRead => "アンケート回答の閲覧",
            AuditAction::YearlyReviewWritten => "年次レビューの作成・編集",
            AuditAction::YearlyReviewFinalized => "年次レビューの確定",
            AuditAction::YearlyReviewRead => "年次レビューの閲覧",
            AuditAction::EffectReportRead => "効果把握の閲覧",
            AuditAction::FollowUpChanged => "フォローアップ予定の登録・変更",
            AuditAction::FollowUpRead => "フォローアップ予定の閲覧",
            AuditAction::PreviousPlanRead => "前回の支援方針の閲覧",
            AuditAction::ReferralWritten => "紹介の作成・連携先の変更",
            AuditAction::ReferralRead => "紹介の閲覧",
            AuditAction::ReferralDecided => "紹介への回答・状況の記録",
            AuditAction::ActionChanged => "改善施策の登録・更新",
            AuditAction::PolicyDocumentPublished => "方針・規程の改訂",
            AuditAction::QuestionnaireDefined => "アンケートの作成",
            AuditAction::QuestionnaireEdited => "アンケートの編集",
        }
    }
}

/// What an event is about: the stored `target_kind`. One name per kind of thing, so a search of
/// the log finds every event about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditTarget {
    /// A user account.
    User,
    /// A sign-in attempt by a login id that matched no account (the id is the capped login).
    SignInAttempt,
    /// The employee register: lists, exports and imports.
    EmployeeRegister,
    /// One employee (a refused reach of an employee by number).
    Employee,
    /// The targets and assignments of a cycle.
    CycleTargets,
    Cycle,
    Interview,
    /// A list of interviews.
    InterviewList,
    Report,
    /// A list of reports (or a benchmark over them).
    ReportList,
    /// A supervisor's review queue.
    ReviewQueue,
    ConsultationRequest,
    /// A list of consultation requests: an employee's own, or a consultant's queue.
    ConsultationRequestList,
    ApiToken,
    Tenant,
    /// The list of user accounts.
    AccountList,
    CalendarFeed,
    IssueTags,
    RubricItems,
    /// A sealed text by its purpose (`interview_note`, `pending_import`, …): a compile-time name.
    SealedText {
        purpose: &'static str,
    },
    Backup,
    DataKey,
    /// A benchmark's synthetic sealed values.
    Bench,
    /// A demo history generated into a tenant.
    DemoHistory,
    /// The audit log itself (its pages, its export).
    AuditLog,
    /// A disclosure (its text and versions).
    Disclosure,
    /// A list of disclosures: an employee's own, a consultant's, a recipient's.
    DisclosureList,
    /// One entry of the consent ledger (a receipt).
    ConsentRecord,
    /// The tenant's guide for bosses (a version).
    BossGuide,
    /// Who has acknowledged the guide for bosses.
    BossGuideAcknowledgments,
    /// A consultant's record of a consultation with an employee's boss.
    BossConsultation,
    /// A list of boss consultations.
    BossConsultationList,
    /// A life/safety escalation (R4).
    Escalation,
    /// An important case (重要事案).
    ImportantCase,
    /// The list of important cases.
    ImportantCaseList,
    /// An organizational issue (組織課題).
    OrgIssue,
    /// The register of organizational issues.
    OrgIssueList,
    /// A version of an overall report (全体報告書).
    OverallReport,
    /// The list of overall reports.
    OverallReportList,
    /// The tenant's reporting settings (k, lead consultants).
    ReportSettings,
    /// A version of the management report (経営層への報告).
    ManagementReport,
    /// One answer set to a questionnaire.
    QuestionnaireResponse,
    /// One employee's questionnaire answers (the id is the employee's).
    QuestionnaireAnswers,
    /// A cycle's yearly review (the id is the cycle's).
    YearlyReview,
    /// The comparison of cycles.
    CycleComparison,
    /// A follow-up item (R7).
    FollowUp,
    /// A consultant's follow-up items (the id is the consultant's user id).
    FollowUpList,
    /// A referral (紹介, R9).
    Referral,
    /// A list of referrals (made, or addressed to the reader), or HR's counts.
    ReferralList,
    /// An outside contact of the tenant (the EAP, an institution).
    TenantContact,
    /// An improvement action (改善施策).
    Action,
    /// A policy document (方針・規程).
    PolicyDocument,
    /// A questionnaire's definition (R13).
    Questionnaire,
}

impl AuditTarget {
    /// The stored `target_kind`.
    pub fn kind(self) -> &'static str {
        match self {
            AuditTarget::User => "user",
            AuditTarget::SignInAttempt => "login",
            AuditTarget::EmployeeRegister => "employees",
            AuditTarget::Employee => "employee",
            AuditTarget::CycleTargets => "cycle_targets",
            AuditTarget::Cycle => "cycle",
            AuditTarget::Interview => "interview",
            AuditTarget::InterviewList => "interviews",
            AuditTarget::Report => "report",
            AuditTarget::ReportList => "reports",
            AuditTarget::ReviewQueue => "review_queue",
            AuditTarget::ConsultationRequest => "consultation_request",
            AuditTarget::ConsultationRequestList => "consultation_requests",
            AuditTarget::ApiToken => "api_token",
            AuditTarget::Tenant => "tenant",
            AuditTarget::AccountList => "users",
            AuditTarget::CalendarFeed => "calendar_feed",
            AuditTarget::IssueTags => "issue_tags",
            AuditTarget::RubricItems => "rubric_items",
            AuditTarget::SealedText { purpose } => purpose,
            AuditTarget::Backup => "backup",
            AuditTarget::DataKey => "data_key",
            AuditTarget::Bench => "bench",
            AuditTarget::DemoHistory => "history",
            AuditTarget::AuditLog => "audit_log",
            AuditTarget::Disclosure => "disclosure",
            AuditTarget::DisclosureList => "disclosures",
            AuditTarget::ConsentRecord => "consent_record",
            AuditTarget::BossGuide => "boss_guide",
            AuditTarget::BossGuideAcknowledgments => "boss_guide_acknowledgments",
            AuditTarget::BossConsultation => "boss_consultation",
            AuditTarget::BossConsultationList => "boss_consultations",
            AuditTarget::Escalation => "escalation",
            AuditTarget::ImportantCase => "important_case",
            AuditTarget::ImportantCaseList => "important_cases",
            AuditTarget::OrgIssue => "org_issue",
            AuditTarget::OrgIssueList => "org_issues",
            AuditTarget::OverallReport => "overall_report",
            AuditTarget::OverallReportList => "overall_reports",
            AuditTarget::ReportSettings => "report_settings",
            AuditTarget::ManagementReport => "management_report",
            AuditTarget::QuestionnaireResponse => "questionnaire_response",
            AuditTarget::QuestionnaireAnswers => "questionnaire_answers",
            AuditTarget::YearlyReview => "yearly_review",
            AuditTarget::CycleComparison => "cycle_comparison",
            AuditTarget::FollowUp => "follow_up",
            AuditTarget::FollowUpList => "follow_ups",
            AuditTarget::Referral => "referral",
            AuditTarget::ReferralList => "referrals",
            AuditTarget::TenantContact => "tenant_contact",
            AuditTarget::Action => "improvement_action",
            AuditTarget::PolicyDocument => "policy_document",
            AuditTarget::Questionnaire => "questionnaire",
        }
    }
}

/// The name of a detail's field (the `key` of `key=value`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Count,
    Offset,
    From,
    To,
    Cycle,
    Role,
    Roles,
    Was,
    Status,
    Kind,
    View,
    Purpose,
    Request,
    Interview,
    Routed,
    Step,
    Left,
    By,
    Requirement,
    SessionsEnded,
    OtherSessionsEnded,
    TokensRevoked,
    CalendarFeedsDeleted,
    ShowNames,
    Events,
    Comments,
    PendingImport,
    Rows,
    Employees,
    Seed,
    Period,
    Targets,
    Rule,
    Added,
    Already,
    Via,
    Removed,
    Assigned,
    Consultant,
    AutoAssigned,
    Consultants,
    Created,
    Updated,
    Unchanged,
    DepartmentsCreated,
    Interviews,
    Notes,
    Reports,
    ReportTags,
    Reviews,
    Requests,
    Sealed,
    Cycles,
    Operation,
    /// The account an audit-log filter names.
    User,
    /// The character encoding of an export.
    Encoding,
    /// A version of a published text (the guide for bosses).
    Version,
}

impl Key {
    pub fn as_str(self) -> &'static str {
        match self {
            Key::Count => "count",
            Key::Offset => "offset",
            Key::From => "from",
            Key::To => "to",
            Key::Cycle => "cycle",
            Key::Role => "role",
            Key::Roles => "roles",
            Key::Was => "was",
            Key::Status => "status",
            Key::Kind => "kind",
            Key::View => "view",
            Key::Purpose => "purpose",
            Key::Request => "request",
            Key::Interview => "interview",
            Key::Routed => "routed",
            Key::Step => "step",
            Key::Left => "left",
            Key::By => "by",
            Key::Requirement => "requirement",
            Key::SessionsEnded => "sessions_ended",
            Key::OtherSessionsEnded => "other_sessions_ended",
            Key::TokensRevoked => "tokens_revoked",
            Key::CalendarFeedsDeleted => "calendar_feeds_deleted",
            Key::ShowNames => "show_names",
            Key::Events => "events",
            Key::Comments => "comments",
            Key::PendingImport => "pending_import",
            Key::Rows => "rows",
            Key::Employees => "employees",
            Key::Seed => "seed",
            Key::Period => "period",
            Key::Targets => "targets",
            Key::Rule => "rule",
            Key::Added => "added",
            Key::Already => "already",
            Key::Via => "via",
            Key::Removed => "removed",
            Key::Assigned => "assigned",
            Key::Consultant => "consultant",
            Key::AutoAssigned => "auto_assigned",
            Key::Consultants => "consultants",
            Key::Created => "created",
            Key::Updated => "updated",
            Key::Unchanged => "unchanged",
            Key::DepartmentsCreated => "departments_created",
            Key::Interviews => "interviews",
            Key::Notes => "notes",
            Key::Reports => "reports",
            Key::ReportTags => "report_tags",
            Key::Reviews => "reviews",
            Key::Requests => "requests",
            Key::Sealed => "sealed",
            Key::Cycles => "cycles",
            Key::Operation => "operation",
            Key::User => "user",
            Key::Encoding => "encoding",
            Key::Version => "version",
        }
    }
}

/// What happened, as one word of the detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Created,
    Rotated,
    Revoked,
    Declined,
    Rescheduled,
    Added,
    Updated,
    Deactivated,
    Deleted,
    /// A pending import that expired and was deleted.
    ExpiredDeleted,
    /// A consultation request answered with a scheduled interview.
    Scheduled,
    /// The status note of an interview (not the interview note).
    StatusNote,
    MustChangePassword,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Rotated => "rotated",
            Outcome::Revoked => "revoked",
            Outcome::Declined => "declined",
            Outcome::Rescheduled => "rescheduled",
            Outcome::Added => "added",
            Outcome::Updated => "updated",
            Outcome::Deactivated => "deactivated",
            Outcome::Deleted => "deleted",
            Outcome::ExpiredDeleted => "expired, deleted",
            Outcome::Scheduled => "scheduled",
            Outcome::StatusNote => "status_note",
            Outcome::MustChangePassword => "must_change_password",
        }
    }
}

/// One part of an event's detail. Values are numbers, roles, dates, policy terms or the stored
/// names of typed values (`&'static str`, fixed at compile time): nothing typed by a person can
/// reach the detail, so it never holds personal or confidential content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// A bare word: `created`, `declined`.
    Is(Outcome),
    /// `key=42`: counts and record ids.
    N(Key, i64),
    /// `key=name`: the stored name of a typed value (a status, a kind, "self").
    Name(Key, &'static str),
    /// `key=0|1`.
    Flag(Key, bool),
    /// `role=hr`.
    Role(Role),
    /// `key=consultant,hr`.
    Roles(Key, Vec<Role>),
    /// `view=identified`.
    View(crate::policy::View),
    /// `from->to`: a change of status.
    Transition { from: &'static str, to: &'static str },
    /// `period=2026-04-01..2027-03-31`.
    Period(chrono::NaiveDate, chrono::NaiveDate),
    /// `rule={…}`: a cycle's target rule.
    Rule(crate::cycle::TargetRule),
    /// `operation=ReadNotes`: what the policy refused.
    Operation(crate::policy::Operation),
    /// `key=2026-12-03`: a day (an audit-log filter's bound).
    Date(Key, chrono::NaiveDate),
}

impl std::fmt::Display for Fact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fact::Is(o) => f.write_str(o.as_str()),
            Fact::N(k, n) => write!(f, "{}={n}", k.as_str()),
            Fact::Name(k, v) => write!(f, "{}={v}", k.as_str()),
            Fact::Flag(k, b) => write!(f, "{}={}", k.as_str(), i64::from(*b)),
            Fact::Role(r) => write!(f, "role={}", r.as_str()),
            Fact::Roles(k, rs) => {
                let names: Vec<&str> = rs.iter().map(|r| r.as_str()).collect();
                write!(f, "{}={}", k.as_str(), names.join(","))
            }
            Fact::View(v) => write!(f, "view={}", v.as_str()),
            Fact::Transition { from, to } => write!(f, "{from}->{to}"),
            Fact::Period(a, b) => write!(f, "period={}..{}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d")),
            Fact::Rule(r) => write!(f, "rule={}", r.to_json()),
            Fact::Operation(op) => write!(f, "operation={op:?}"),
            Fact::Date(k, d) => write!(f, "{}={}", k.as_str(), d.format("%Y-%m-%d")),
        }
    }
}

/// An event's detail: typed facts, stored as their text joined by spaces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditDetail(Vec<Fact>);

impl AuditDetail {
    pub fn none() -> Self {
        Self(Vec::new())
    }

    pub fn of(fact: Fact) -> Self {
        Self(vec![fact])
    }

    /// `count=n`, the detail of most list reads.
    pub fn count(n: usize) -> Self {
        Self::of(Fact::N(Key::Count, n as i64))
    }

    pub fn and(mut self, fact: Fact) -> Self {
        self.0.push(fact);
        self
    }

    /// `key=n` appended.
    pub fn n(self, key: Key, n: impl TryInto<i64>) -> Self {
        self.and(Fact::N(key, n.try_into().unwrap_or(i64::MAX)))
    }

    pub fn facts(&self) -> &[Fact] {
        &self.0
    }
}

impl From<Fact> for AuditDetail {
    fn from(f: Fact) -> Self {
        Self::of(f)
    }
}

impl std::fmt::Display for AuditDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, fact) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{fact}")?;
        }
        Ok(())
    }
}

/// An event before it is chained: who did what to which thing, in which capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub actor_user: Option<i64>,
    /// The login, or the name of the command for operator actions ("cli:import").
    pub actor_label: String,
    pub acting_role: Option<Role>,
    pub action: AuditAction,
    pub target: AuditTarget,
    pub target_id: String,
    /// Non-personal detail (counts, ids), never confidential content.
    pub detail: AuditDetail,
}

impl AuditEvent {
    pub fn new(action: AuditAction, target: AuditTarget, target_id: impl ToString) -> Self {
        Self {
            actor_user: None,
            actor_label: String::new(),
            acting_role: None,
            action,
            target,
            target_id: target_id.to_string(),
            detail: AuditDetail::none(),
        }
    }

    pub fn by(mut self, user: Option<i64>, label: &str, role: Option<Role>) -> Self {
        self.actor_user = user;
        self.actor_label = label.to_string();
        self.acting_role = role;
        self
    }

    pub fn detail(mut self, detail: impl Into<AuditDetail>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// A chained event as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainedEvent {
    pub tenant: i64,
    pub seq: i64,
    pub at_ms: i64,
    pub actor_user: Option<i64>,
    pub actor_label: String,
    pub acting_role: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash before the first event of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an event: SHA-256 over its fields, each length-prefixed so no two
/// different events encode alike.
pub fn event_hash(e: &ChainedEvent) -> String {
    let mut h = Sha256::new();
    let actor = e.actor_user.map(|u| u.to_string()).unwrap_or_default();
    let fields: [&str; 11] = [
        &e.prev_hash,
        &e.tenant.to_string(),
        &e.seq.to_string(),
        &e.at_ms.to_string(),
        &actor,
        &e.actor_label,
        &e.acting_role,
        &e.action,
        &e.target_kind,
        &e.target_id,
        &e.detail,
    ];
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Turns an event into the next link after (`prev_seq`, `prev_hash`).
pub fn chain(tenant: i64, prev_seq: i64, prev_hash: &str, at_ms: i64, ev: &AuditEvent) -> ChainedEvent {
    let mut c = ChainedEvent {
        tenant,
        seq: prev_seq + 1,
        at_ms,
        actor_user: ev.actor_user,
        actor_label: ev.actor_label.clone(),
        acting_role: ev.acting_role.map(|r| r.as_str().to_string()).unwrap_or_default(),
        action: ev.action.as_str().to_string(),
        target_kind: ev.target.kind().to_string(),
        target_id: ev.target_id.clone(),
        detail: ev.detail.to_string(),
        prev_hash: prev_hash.to_string(),
        hash: String::new(),
    };
    c.hash = event_hash(&c);
    c
}

/// Where a chain stops being trustworthy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLink {
    pub tenant: i64,
    /// The sequence number expected at the break (the first link that does not verify).
    pub seq: i64,
    pub reason: BreakReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BreakReason {
    /// A number is missing or repeated: a row was deleted, inserted or moved.
    SequenceGap { found: i64 },
    /// The row does not point at the hash of the one before it.
    PrevHashMismatch,
    /// The row's content does not match its own hash: it was edited.
    HashMismatch,
    /// The chain ends before (or after) the recorded head: rows were removed from the end.
    HeadMismatch { head_seq: i64 },
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match &self.reason {
            BreakReason::SequenceGap { found } => {
                format!("expected sequence {} but found {found} (row deleted, inserted or moved)", self.seq)
            }
            BreakReason::PrevHashMismatch => "does not link to the previous event's hash (rows reordered or replaced)".to_string(),
            BreakReason::HashMismatch => "content does not match its hash (row edited)".to_string(),
            BreakReason::HeadMismatch { head_seq } => {
                format!("chain ends at {} but the recorded head is {head_seq} (rows removed from the end)", self.seq - 1)
            }
        };
        write!(f, "tenant {} event {}: {why}", self.tenant, self.seq)
    }
}

/// Walks one tenant's chain in sequence order incrementally, so that millions of events
/// verify in constant memory.
pub struct ChainVerifier {
    tenant: i64,
    next_seq: i64,
    prev_hash: String,
}

impl ChainVerifier {
    pub fn new(tenant: i64) -> Self {
        Self { tenant, next_seq: 1, prev_hash: GENESIS.to_string() }
    }

    pub fn push(&mut self, e: &ChainedEvent) -> Result<(), BrokenLink> {
        let broken = |reason| BrokenLink { tenant: self.tenant, seq: self.next_seq, reason };
        if e.seq != self.next_seq {
            return Err(broken(BreakReason::SequenceGap { found: e.seq }));
        }
        if e.prev_hash != self.prev_hash {
            return Err(broken(BreakReason::PrevHashMismatch));
        }
        if event_hash(e) != e.hash {
            return Err(broken(BreakReason::HashMismatch));
        }
        self.next_seq += 1;
        self.prev_hash = e.hash.clone();
        Ok(())
    }

    /// Checks the end of the chain against the head the store recorded.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, BrokenLink> {
        let last = self.next_seq - 1;
        if last != head_seq || (head_seq > 0 && head_hash != self.prev_hash) {
            return Err(BrokenLink { tenant: self.tenant, seq: self.next_seq, reason: BreakReason::HeadMismatch { head_seq } });
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn build(n: usize) -> Vec<ChainedEvent> {
        let mut out: Vec<ChainedEvent> = Vec::new();
        for i in 0..n {
            let (seq, prev) = out.last().map(|e| (e.seq, e.hash.clone())).unwrap_or((0, GENESIS.to_string()));
            let ev =
                AuditEvent::new(AuditAction::ALL[i % AuditAction::ALL.len()], AuditTarget::Employee, i).by(Some(7), "hr", Some(Role::Hr));
            out.push(chain(1, seq, &prev, 1_700_000_000_000 + i as i64, &ev));
        }
        out
    }

    fn verify(events: &[ChainedEvent], head: (i64, &str)) -> Result<i64, BrokenLink> {
        let mut v = ChainVerifier::new(1);
        for e in events {
            v.push(e)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn every_action_round_trips() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    fn intact_chain_verifies() {
        let c = build(5);
        let head = c[4].hash.clone();
        assert_eq!(verify(&c, (5, &head)), Ok(5));
        assert_eq!(verify(&[], (0, "")), Ok(0));
    }

    proptest! {
        #[test]
        fn any_edit_is_caught_at_its_row(n in 2usize..30, idx in 0usize..30, field in 0usize..4) {
            let mut c = build(n);
            let i = idx % n;
            let head = c[n - 1].hash.clone();
            match field {
                0 => c[i].detail.push('x'),
                1 => c[i].target_id.push('1'),
                2 => c[i].at_ms += 1,
                _ => c[i].acting_role = "admin".into(),
            }
            let err = verify(&c, (n as i64, &head)).err();
            prop_assert_eq!(err.map(|e| (e.seq, e.reason)), Some((i as i64 + 1, BreakReason::HashMismatch)));
        }

        #[test]
        fn deleting_a_row_is_caught(n in 2usize..30, idx in 0usize..30) {
            let mut c = build(n);
            let head = c[n - 1].hash.clone();
            let i = idx % n;
            c.remove(i);
            let err = verify(&c, (n as i64, &head)).err();
            prop_assert!(err.is_some());
            prop_assert_eq!(err.map(|e| e.seq), Some(i as i64 + 1));
        }

        #[test]
        fn swapping_rows_is_caught(n in 2usize..30, idx in 0usize..29) {
            let mut c = build(n);
            let head = c[n - 1].hash.clone();
            let i = idx % (n - 1);
            c.swap(i, i + 1);
            prop_assert!(verify(&c, (n as i64, &head)).is_err());
        }
    }
}
