//! The roles of DESIGN.md. A user may hold several per tenant and acts as one at a time (R6).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Consultant,
    Supervisor,
    Hr,
    Executive,
    Boss,
    Health,
    Employee,
    Admin,
}

impl Role {
    pub const ALL: [Role; 8] =
        [Role::Consultant, Role::Supervisor, Role::Hr, Role::Executive, Role::Boss, Role::Health, Role::Employee, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Consultant => "consultant",
            Role::Supervisor => "supervisor",
            Role::Hr => "hr",
            Role::Executive => "executive",
            Role::Boss => "boss",
            Role::Health => "health",
            Role::Employee => "employee",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The role's name in Japanese, as shown in the UI and in CLI messages.
    pub fn label_ja(self) -> &'static str {
        match self {
            Role::Consultant => "キャリアコンサルタント",
            Role::Supervisor => "スーパーバイザー",
            Role::Hr => "人事部門",
            Role::Executive => "経営層",
            Role::Boss => "上司",
            Role::Health => "産業保健スタッフ",
            Role::Employee => "従業員",
            Role::Admin => "システム管理者",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
