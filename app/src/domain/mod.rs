//! Validated types shared by the server and the browser build.
//!
//! Raw form input becomes one of these once, at the boundary; the rest of the code cannot hold an
//! invalid value. The same `parse` runs in the browser (instant feedback) and on the server (the
//! check that counts).

/// Writes an enum whose variants have stable names (a form's value, the API's, the
/// database's) from one list: the enum, `ALL` (every variant, in order), `as_str` and
/// `from_name` (exactly that name). Each type's own `parse` says what it makes of blanks, spaces
/// and unknown names.
macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: [$name; <[&str]>::len(&[$($text),+])] = [$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn from_name(name: &str) -> Option<$name> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

pub mod accounts;
pub mod admin;
pub mod customer;
pub mod desk;
pub mod incident;
pub mod knowledge;
pub mod notify;
pub mod report;
pub mod time;

use serde::{Deserialize, Serialize};

named_enum! {
    /// Which input a validation problem belongs to. `as_str` is at once the form input's `name`
    /// and the `field` of the REST API's error body (`customer.id_number`), so the two never drift.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Field {
        Login = "login",
        Password = "password",
        DisplayName = "display_name",
        Role = "role",
        CustomerName = "customer.name",
        CustomerNumber = "customer.customer_no",
        IdType = "customer.id_type",
        IdNumber = "customer.id_number",
        Phone = "customer.phone",
        System = "system",
        Channel = "channel",
        OccurredAt = "occurred_at",
        Urgency = "urgency",
        Description = "description",
        Screenshots = "screenshots",
        Body = "body",
        IdempotencyKey = "idempotency_key",
        Cursor = "cursor",
        Status = "status",
        Action = "action",
        Assignee = "assignee",
        Category = "category",
        Subcategory = "subcategory",
        Priority = "priority",
        Tags = "tags",
        Group = "group",
        Change = "change",
        Into = "into",
        Rating = "rating",
        Version = "version",
        Sla = "sla",
        From = "from",
        To = "to",
        Sort = "sort",
        WecomUserId = "wecom_user_id",
        Kind = "kind",
        NameZh = "name_zh",
        NameEn = "name_en",
        Position = "position",
        Code = "code",
        Id = "id",
        Title = "title",
        FirstResponseMinutes = "first_response_minutes",
        ResolutionMinutes = "resolution_minutes",
        Incident = "incident",
        Actor = "actor",
        Picks = "picks",
        Query = "q",
        Limit = "limit",
    }
}

/// Why a value was refused. Carries only what the translated message needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    Required,
    TooShort {
        min: u32,
    },
    TooLong {
        max: u32,
    },
    DigitsOnly,
    LengthBetween {
        min: u32,
        max: u32,
    },
    LoginChars,
    UnknownValue,
    /// Not the shape this kind of document has.
    IdFormat,
    /// A resident card whose GB 11643 check digit is wrong (usually a typo).
    IdChecksum,
    /// A resident card whose birth date does not exist or lies ahead.
    IdBirthDate,
    /// Not a mainland mobile number.
    PhoneFormat,
    /// A time that has not come yet.
    InFuture,
    /// More files than a report takes.
    TooManyFiles {
        max: u32,
    },
    /// A file over the size limit.
    FileTooLarge {
        max_mb: u32,
    },
    /// Not a JPEG, PNG, WebP or GIF (whatever its name says).
    NotAnImage,
    /// An image whose header claims more pixels than we decode.
    TooManyPixels {
        max_mp: u32,
    },
    /// An image cut short or otherwise damaged.
    DamagedImage,
    /// More entries than a list takes (tags).
    TooMany {
        max: u32,
    },
    /// A whole number outside its range.
    NumberBetween {
        min: u32,
        max: u32,
    },
    /// Already used by another entry (a login, a code, a WeCom user id).
    Taken,
    /// A `{…}` in a canned reply that is not one of its variables.
    UnknownVariable,
    /// A resolution target shorter than the first-response one.
    BeforeFirstResponse,
    /// Something an admin may not do to their own account (disable it, drop their admin role).
    OwnAccount,
    /// Transfer groups are for members only.
    MembersOnly,
}

impl Reason {
    /// The stable code of the REST API's error body.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Required => "required",
            Reason::TooShort { .. } => "too_short",
            Reason::TooLong { .. } => "too_long",
            Reason::DigitsOnly => "digits_only",
            Reason::LengthBetween { .. } => "length_between",
            Reason::LoginChars => "login_chars",
            Reason::UnknownValue => "unknown_value",
            Reason::IdFormat => "id_format",
            Reason::IdChecksum => "id_checksum",
            Reason::IdBirthDate => "id_birth_date",
            Reason::PhoneFormat => "phone_format",
            Reason::InFuture => "in_future",
            Reason::TooManyFiles { .. } => "too_many_files",
            Reason::FileTooLarge { .. } => "file_too_large",
            Reason::NotAnImage => "not_an_image",
            Reason::TooManyPixels { .. } => "too_many_pixels",
            Reason::DamagedImage => "damaged_image",
            Reason::TooMany { .. } => "too_many",
            Reason::NumberBetween { .. } => "number_between",
            Reason::Taken => "taken",
            Reason::UnknownVariable => "unknown_variable",
            Reason::BeforeFirstResponse => "before_first_response",
            Reason::OwnAccount => "own_account",
            Reason::MembersOnly => "members_only",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub reason: Reason,
}

/// Collects every field's problem at once, so a form shows all of them in one round trip.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    /// Keeps the value when it parsed, records the problem when it did not.
    pub fn check<T>(&mut self, field: Field, parsed: Result<T, Reason>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(reason) => {
                self.0.push(FieldError { field, reason });
                None
            }
        }
    }

    pub fn into_result<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }
}

/// A list entry's code (systems, groups, sub-categories): a lowercase ASCII letter, then 1 to 39
/// lowercase letters, digits or `_` (`account_opening`, `operations`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Code(String);

impl Code {
    pub fn parse(raw: &str) -> Result<Code, Reason> {
        let code = raw.trim();
        if code.is_empty() {
            return Err(Reason::Required);
        }
        let b = code.as_bytes();
        let shaped = (2..=40).contains(&b.len())
            && b[0].is_ascii_lowercase()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_');
        if shaped {
            Ok(Code(code.to_owned()))
        } else {
            Err(Reason::UnknownValue)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trims, then requires between `min` and `max` characters (characters, not bytes: 张三 is 2).
pub(crate) fn text_between(raw: &str, min: usize, max: usize) -> Result<String, Reason> {
    let cleaned = without_control_characters(raw);
    let value = cleaned.trim();
    let count = value.chars().count();
    if count == 0 && min > 0 {
        Err(Reason::Required)
    } else if count < min {
        Err(Reason::TooShort { min: min as u32 })
    } else if count > max {
        Err(Reason::TooLong { max: max as u32 })
    } else {
        Ok(value.to_owned())
    }
}

/// `raw` without control characters (NUL and the like, which nobody types and the database
/// refuses), but tabs and line breaks.
pub(crate) fn without_control_characters(raw: &str) -> std::borrow::Cow<'_, str> {
    let unwanted = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
    if raw.chars().any(unwanted) {
        std::borrow::Cow::Owned(raw.chars().filter(|c| !unwanted(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}

/// A secret or a customer's number as `Debug` shows it: its length, never its characters (forms
/// and their values end up in logs and panics).
pub struct Redacted<'a>(pub &'a str);

impl std::fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.chars().count() {
            0 => f.write_str("\"\""),
            n => write!(f, "<{n} characters hidden>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(text_between("张三", 2, 4), Ok("张三".into()));
        assert_eq!(text_between(" 张 ", 2, 4), Err(Reason::TooShort { min: 2 }));
        assert_eq!(text_between("   ", 1, 4), Err(Reason::Required));
        assert_eq!(
            text_between("一二三四五", 1, 4),
            Err(Reason::TooLong { max: 4 })
        );
        assert_eq!(
            text_between("张\0三\u{7}", 1, 4),
            Ok("张三".into()),
            "control characters go, nothing else"
        );
        assert_eq!(
            text_between("第一行\n第二行\t", 1, 20),
            Ok("第一行\n第二行".into())
        );
    }

    #[test]
    fn problems_collect_every_field() {
        let mut p = Problems::default();
        let a = p.check(Field::Login, Err::<String, _>(Reason::Required));
        let b = p.check(Field::Password, Ok::<_, Reason>(1));
        assert!(a.is_none() && b == Some(1));
        let errors = p.into_result(Some(())).unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError {
                field: Field::Login,
                reason: Reason::Required
            }]
        );
    }
}
