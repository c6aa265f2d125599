use super::{text_between, Field, FieldError, Problems, Reason};
use chrono::DateTime;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use std::fmt;

named_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum Role {
        /// Customer managers and insurance agents: report incidents and follow their own.
        Reporter = "reporter",
        /// A member of a transfer group (testing, development, operations, product): works what is
        /// handed to their groups, from the desk's pages.
        Member = "member",
        /// The incident team: works every incident on the desk.
        Handler = "handler",
        /// A handler who also manages users and lists.
        Admin = "admin",
    }
}

impl Role {
    /// Who may use a reporter's pages and functions.
    pub const REPORTERS: &'static [Role] = &[Role::Reporter];
    /// Who works the desk.
    pub const DESK: &'static [Role] = &[Role::Handler, Role::Admin];
    /// Who uses the desk's pages: the team and the groups it hands work to.
    pub const TEAM: &'static [Role] = &[Role::Member, Role::Handler, Role::Admin];
    /// Who manages accounts and lists.
    pub const ADMINS: &'static [Role] = &[Role::Admin];
    /// Anyone signed in.
    pub const ANYONE: &'static [Role] = &Role::ALL;

    pub fn parse(raw: &str) -> Result<Role, Reason> {
        Role::from_name(raw.trim()).ok_or(Reason::UnknownValue)
    }

    /// Handlers and admins work on the desk and see every incident.
    pub fn works_desk(self) -> bool {
        matches!(self, Role::Handler | Role::Admin)
    }

    /// Where this role lands after signing in.
    pub fn home(self) -> &'static str {
        if self != Role::Reporter {
            crate::paths::DESK.path()
        } else {
            crate::paths::HOME.path()
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sign-in name: 2 to 64 of ASCII letters, digits, `.`, `_`, `-`; compared without case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login(String);

impl Login {
    pub fn parse(raw: &str) -> Result<Login, Reason> {
        let value = text_between(raw, 2, 64)?;
        if value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            Ok(Login(value.to_ascii_lowercase()))
        } else {
            Err(Reason::LoginChars)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: at least 8 characters. (Sign-in accepts whatever was typed and checks the hash.)
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str) -> Result<NewPassword, Reason> {
        let count = raw.chars().count();
        if count == 0 {
            Err(Reason::Required)
        } else if count < 8 {
            Err(Reason::TooShort { min: 8 })
        } else if count > 256 {
            Err(Reason::TooLong { max: 256 })
        } else {
            Ok(NewPassword(raw.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, Reason> {
        text_between(raw, 1, 50).map(DisplayName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the sign-in form posts, raw.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignInForm {
    pub login: String,
    #[serde(default)]
    pub password: String,
    /// Where to go afterwards (a local path), if the user was sent to sign in from a page.
    #[serde(default)]
    pub next: Option<String>,
}

impl std::fmt::Debug for SignInForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInForm")
            .field("login", &self.login)
            .field("password", &super::Redacted(&self.password))
            .field("next", &self.next)
            .finish()
    }
}

/// A sign-in attempt that has the shape of one.
pub struct SignInAttempt {
    pub login: Login,
    pub password: String,
}

impl SignInForm {
    pub fn parse(&self) -> Result<SignInAttempt, Vec<FieldError>> {
        let mut p = Problems::default();
        let login = p.check(Field::Login, Login::parse(&self.login));
        let password = p.check(
            Field::Password,
            if self.password.is_empty() {
                Err(Reason::Required)
            } else {
                Ok(self.password.clone())
            },
        );
        p.into_result(
            login
                .zip(password)
                .map(|(login, password)| SignInAttempt { login, password }),
        )
    }
}

/// The signed-in user, as the pages and the API see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
}

/// Only local paths are followed after sign-in, never another site.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    // Browsers drop tabs and newlines from URLs: "/\t/evil.example" would become "//evil.example".
    let clean = !next.chars().any(|c| c.is_control() || c.is_whitespace());
    (local && clean && !next.starts_with(crate::paths::LOGIN.path())).then(|| next.to_owned())
}

/// A REST API token of an account, as admins see it (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

impl ApiToken {
    /// Whether it still lets its holder in at `now`.
    pub fn live(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && self.expires_at.is_none_or(|at| at > now)
    }

    /// `live`, `expired` or `revoked`, now.
    pub fn state_now(&self) -> &'static str {
        if self.revoked {
            "revoked"
        } else if self.live(Utc::now()) {
            "live"
        } else {
            "expired"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_a_password() {
        let form = SignInForm {
            login: "agent".into(),
            password: "correct-horse-9".into(),
            next: None,
        };
        let shown = format!("{form:?}");
        assert!(
            shown.contains("agent") && !shown.contains("correct-horse-9"),
            "{shown}"
        );
        let user = crate::domain::admin::UserForm {
            login: "zhao".into(),
            password: "long-enough-1".into(),
            ..Default::default()
        };
        assert!(!format!("{user:?}").contains("long-enough-1"));
    }

    #[test]
    fn login_is_case_insensitive_and_ascii() {
        assert_eq!(Login::parse(" Zhang.San ").unwrap().as_str(), "zhang.san");
        assert_eq!(Login::parse("张三"), Err(Reason::LoginChars));
        assert_eq!(Login::parse("a"), Err(Reason::TooShort { min: 2 }));
        assert_eq!(Login::parse(""), Err(Reason::Required));
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::parse("root"), Err(Reason::UnknownValue));
        assert!(!Role::Reporter.works_desk());
        assert!(Role::Handler.works_desk() && Role::Admin.works_desk());
    }

    #[test]
    fn new_password_needs_eight_characters_and_never_prints() {
        assert_eq!(
            NewPassword::parse("short").unwrap_err(),
            Reason::TooShort { min: 8 }
        );
        let p = NewPassword::parse("长一点的密码好记").unwrap();
        assert_eq!(format!("{p:?}"), "NewPassword(***)");
    }

    #[test]
    fn sign_in_form_reports_both_fields() {
        let errors = SignInForm::default().parse().err().unwrap();
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn next_is_only_followed_when_local() {
        assert_eq!(safe_next(Some("/incidents")), Some("/incidents".into()));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/login")), None);
        assert_eq!(safe_next(None), None);
        assert_eq!(safe_next(Some("/\t/evil.example")), None);
        assert_eq!(safe_next(Some("/a\nLocation: x")), None);
        assert_eq!(
            safe_next(Some("/incidents?cursor=1_2")),
            Some("/incidents?cursor=1_2".into())
        );
    }
}
