//! Account rules: what a login, a display name and a password must be, the one-time
//! passwords an operator hands out, and who may change whose roles. The command line, the
//! administrator's pages and the store all check through these functions, with the same
//! messages in both languages.

use crate::ids::UserId;
use crate::{Invalid, Role};

pub const LOGIN_MAX_CHARS: usize = 64;
pub const DISPLAY_NAME_MAX_CHARS: usize = 100;
/// The shortest password accepted (for a password a person chooses and types).
pub const PASSWORD_MIN_CHARS: usize = 8;
/// The longest: argon2 reads all of it, and nobody types more.
pub const PASSWORD_MAX_CHARS: usize = 256;

/// A login: 1 to 64 ASCII letters, digits or `- _ . @`.
pub fn check_login(login: &str) -> Result<(), Invalid> {
    let ok = !login.is_empty() && login.len() <= LOGIN_MAX_CHARS && login.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(
            "login",
            "ログインIDは半角英数字と - _ . @ の64文字以内で指定してください。",
            "the login must be up to 64 ASCII letters, digits or - _ . @",
        ))
    }
}

/// A display name: 1 to 100 characters once trimmed, no control characters.
pub fn check_display_name(name: &str) -> Result<(), Invalid> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 || n > DISPLAY_NAME_MAX_CHARS {
        return Err(Invalid::new(
            "display_name",
            "表示名を100文字以内で入力してください。",
            "enter a display name of at most 100 characters",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Invalid::new(
            "display_name",
            "表示名に改行やタブなどの制御文字は使えません。",
            "the display name cannot contain line breaks, tabs or other control characters",
        ));
    }
    Ok(())
}

/// A password: 8 to 256 characters.
pub fn check_password(password: &str) -> Result<(), Invalid> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(Invalid::new("password", "パスワードは8文字以上にしてください。", "the password must have at least 8 characters"));
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(Invalid::new("password", "パスワードは256文字以内にしてください。", "the password must have at most 256 characters"));
    }
    Ok(())
}

/// A new password chosen by its user: the password rules, typed twice alike, and not the
/// current one (a one-time password must really be replaced).
pub fn check_new_password(current: &str, new: &str, confirm: &str) -> Result<(), Invalid> {
    match new_password_problems(current, new, confirm).into_iter().next() {
        Some(first) => Err(first),
        None => Ok(()),
    }
}

/// Every problem of a new password at once (the rules of [`check_new_password`]).
pub fn new_password_problems(current: &str, new: &str, confirm: &str) -> Vec<Invalid> {
    let mut out = Vec::new();
    if let Err(e) = check_password(new) {
        out.push(Invalid { field: "new_password", ..e });
    } else if new == current {
        out.push(Invalid::new(
            "new_password",
            "新しいパスワードには、現在のパスワードと異なるものを指定してください。",
            "the new password must differ from the current one",
        ));
    }
    if new != confirm {
        out.push(Invalid::new(
            "confirm_password",
            "確認用のパスワードが一致しません。同じパスワードを2回入力してください。",
            "the two new passwords differ; type the same password twice",
        ));
    }
    out
}

/// The rule for replacing roles: at least one role, and nobody takes away their own
/// administrator role (so an administrator cannot lock themselves, or the tenant, out).
pub fn check_role_change(actor: Option<UserId>, target: UserId, had: &[Role], roles: &[Role]) -> Result<(), Invalid> {
    if roles.is_empty() {
        return Err(Invalid::new("roles", "役割を1つ以上選択してください。", "choose at least one role"));
    }
    if actor == Some(target) && had.contains(&Role::Admin) && !roles.contains(&Role::Admin) {
        return Err(Invalid::new(
            "roles",
            "ご自身の「システム管理者」の役割は外せません。別の管理者に依頼してください。",
            "you cannot remove your own administrator role; ask another administrator",
        ));
    }
    Ok(())
}

/// The rule for disabling: nobody disables their own account (an administrator would lock
/// themselves out, perhaps the last one of the tenant).
pub fn check_disable(actor: Option<UserId>, target: UserId) -> Result<(), Invalid> {
    if actor == Some(target) {
        return Err(Invalid::new(
            "id",
            "ご自身のアカウントは停止できません。別の管理者に依頼してください。",
            "you cannot disable your own account; ask another administrator",
        ));
    }
    Ok(())
}

/// Crockford's base-32 alphabet: no I, L, O or U, so nothing is misread when the password
/// is read out or copied by hand.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Random bytes for a one-time password: 80 bits.
pub const ONE_TIME_PASSWORD_BYTES: usize = 10;

/// A one-time password from 80 random bits: sixteen characters of Crockford's base 32 in
/// four groups (`k3f9-2hx7-…`), 19 characters in all.
pub fn one_time_password(random: [u8; ONE_TIME_PASSWORD_BYTES]) -> String {
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | u128::from(b);
    }
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let shift = 5 * (15 - i);
        out.push(char::from(ALPHABET[((bits >> shift) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn logins() {
        assert!(check_login("hana.sato@example").is_ok());
        assert!(check_login("a-b_c").is_ok());
        for bad in ["", "花子", "a b", "a/b", &"a".repeat(65)] {
            assert_eq!(check_login(bad).map_err(|e| e.field), Err("login"), "{bad:?}");
        }
        assert!(check_login(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn display_names() {
        assert!(check_display_name("佐藤 花子").is_ok());
        assert!(check_display_name(&"あ".repeat(100)).is_ok());
        for bad in ["", "   ", &"あ".repeat(101), "佐藤\n花子", "a\tb"] {
            assert_eq!(check_display_name(bad).map_err(|e| e.field), Err("display_name"), "{bad:?}");
        }
    }

    #[test]
    fn passwords() {
        assert!(check_password("12345678").is_ok());
        assert!(check_password("パスワード長め").is_err(), "seven characters, however many bytes");
        assert!(check_password("パスワードは長め").is_ok());
        assert!(check_password(&"x".repeat(256)).is_ok());
        assert!(check_password(&"x".repeat(257)).is_err());
        let e = check_password("short").err();
        assert!(e.is_some_and(|e| e.field == "password" && e.message.ja.contains('8') && e.message.en.contains('8')));
    }

    #[test]
    fn new_passwords_must_be_new_and_typed_twice() {
        let field = |c: &str, n: &str, k: &str| check_new_password(c, n, k).err().map(|e| e.field);
        assert_eq!(field("old-password", "new-password", "new-password"), None);
        assert_eq!(field("old-password", "short", "short"), Some("new_password"));
        assert_eq!(field("old-password", "new-password", "new-passw0rd"), Some("confirm_password"));
        assert_eq!(field("same-password", "same-password", "same-password"), Some("new_password"));
        let all: Vec<&str> = new_password_problems("old-password", "short", "other").iter().map(|e| e.field).collect();
        assert_eq!(all, vec!["new_password", "confirm_password"], "both at once");
    }

    #[test]
    fn roles_cannot_be_emptied() {
        let e = check_role_change(None, UserId::new(2), &[Role::Hr], &[]).err();
        assert_eq!(e.map(|e| e.field), Some("roles"));
    }

    #[test]
    fn an_admin_keeps_their_own_admin_role_and_account() {
        let me = UserId::new(1);
        assert!(check_role_change(Some(me), me, &[Role::Admin, Role::Hr], &[Role::Hr]).is_err());
        assert!(check_role_change(Some(me), me, &[Role::Admin], &[Role::Admin, Role::Hr]).is_ok());
        // Another user's admin role may go, and one's own other roles too.
        assert!(check_role_change(Some(me), UserId::new(2), &[Role::Admin], &[Role::Hr]).is_ok());
        assert!(check_role_change(Some(me), me, &[Role::Admin, Role::Hr], &[Role::Admin]).is_ok());
        // Operators (no user) are not the target.
        assert!(check_role_change(None, me, &[Role::Admin], &[Role::Hr]).is_ok());
        assert!(check_disable(Some(me), me).is_err());
        assert!(check_disable(Some(me), UserId::new(2)).is_ok());
        assert!(check_disable(None, me).is_ok());
    }

    #[test]
    fn one_time_passwords_read_unambiguously() {
        assert_eq!(one_time_password([0; 10]), "0000-0000-0000-0000");
        assert_eq!(one_time_password([0xff; 10]), "zzzz-zzzz-zzzz-zzzz");
        assert_eq!(one_time_password([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), "0000-0000-0000-0001");
    }

    proptest! {
        #[test]
        fn one_time_passwords_are_valid_passwords(bytes in proptest::array::uniform10(any::<u8>())) {
            let p = one_time_password(bytes);
            prop_assert_eq!(p.len(), 19);
            prop_assert!(check_password(&p).is_ok());
            prop_assert!(p.chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
            prop_assert!(!p.contains(['i', 'l', 'o', 'u']));
        }

        #[test]
        fn different_bits_give_different_passwords(a in proptest::array::uniform10(any::<u8>()), b in proptest::array::uniform10(any::<u8>())) {
            prop_assert_eq!(a == b, one_time_password(a) == one_time_password(b));
        }
    }
}
