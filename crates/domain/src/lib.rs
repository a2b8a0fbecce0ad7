//! careerdock's rules, free of HTTP, SQL and async: validated values, who may do what,
//! the audit chain's arithmetic, and the parsing of what HR systems export.

pub mod account;
pub mod anonymity;
pub mod audit;
pub mod boss_consultation;
pub mod boss_guide;
pub mod breakdown;
pub mod consent;
pub mod csv_text;
pub mod cycle;
pub mod dashboard;
pub mod disclosure;
pub mod display;
pub mod effect;
pub mod employee;
pub mod error;
pub mod escalation;
pub mod ids;
pub mod import;
pub mod important_case;
pub mod interview;
pub mod job;
pub mod limits;
pub mod locale;
pub mod management_report;
pub mod notification;
pub mod overall_narrative;
pub mod overall_report;
pub mod policy;
pub mod pseudonym;
pub mod questionnaire;
pub mod referral;
pub mod register;
pub mod report;
pub mod request;
pub mod role;
pub mod session;
pub mod tenant;
pub mod themes;
pub mod throttle;
pub mod time;
pub mod totp;
pub mod vocabulary;

pub use error::{Invalid, Message};
pub use locale::Locale;
pub use role::Role;
