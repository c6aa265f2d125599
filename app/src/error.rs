//! The one error type. Both builds understand it (it crosses the wire as JSON); every variant
//! carries only what a user may see. Internals are logged on the server with the `ref_id` and
//! never leave it.
use crate::domain::{Field, FieldError, Reason};
use crate::i18n::{td_string, Locale};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("validation failed")]
    Validation { fields: Vec<FieldError> },
    #[error("wrong login or password")]
    BadCredentials,
    #[error("not signed in")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// A state change sent from a page of another site (see `server::infra::security`).
    #[error("cross-site request")]
    CrossSite,
    #[error("not found")]
    NotFound,
    #[error("conflict")]
    Conflict,
    /// A report came under an idempotency key that already filed a different report
    /// (`number`, the caller's own): nothing was filed; send it again under a new key.
    #[error("idempotency key reused")]
    KeyReused {
        #[serde(deserialize_with = "incident_number")]
        number: String,
    },
    /// The incident's state does not allow this now (confirming one that has no answer yet).
    #[error("not allowed in this state")]
    NotNow,
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("bad request")]
    BadRequest,
    /// A request body (a screenshot) over the size limit.
    #[error("too large")]
    TooLarge { max_mb: u32 },
    /// The browser could not reach the server (weak network); nothing was lost on the page.
    #[error("network")]
    Network,
    #[error("internal error {ref_id}")]
    Internal {
        #[serde(deserialize_with = "ref_id")]
        ref_id: String,
    },
}

// An error also arrives from a URL (`?__err=`, a plain form's way back to its page), which anyone
// can write: the only free text a variant carries must be one of ours, or the error does not
// parse at all (and nobody's text reaches the page).

/// A request id as we make them (hex digits), or none.
fn ref_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let raw = String::deserialize(d)?;
    if raw.len() <= 32 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(raw)
    } else {
        Err(serde::de::Error::custom("not a request id"))
    }
}

fn incident_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let raw = String::deserialize(d)?;
    crate::domain::incident::IncidentNumber::parse(&raw)
        .map(|n| n.to_string())
        .map_err(|_| serde::de::Error::custom("not an incident number"))
}

impl AppError {
    pub fn fields(fields: Vec<FieldError>) -> AppError {
        AppError::Validation { fields }
    }

    pub fn field(field: Field, reason: Reason) -> AppError {
        AppError::Validation {
            fields: vec![FieldError { field, reason }],
        }
    }

    /// The problem with one input, if this error names it.
    pub fn reason_for(&self, field: Field) -> Option<Reason> {
        match self {
            AppError::Validation { fields } => {
                fields.iter().find(|e| e.field == field).map(|e| e.reason)
            }
            _ => None,
        }
    }

    /// Stable, machine-readable code of the REST API's error body.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation",
            AppError::BadCredentials => "bad_credentials",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::CrossSite => "cross_site",
            AppError::NotFound => "not_found",
            AppError::Conflict => "conflict",
            AppError::KeyReused { .. } => "idempotency_key_reused",
            AppError::NotNow => "not_allowed_now",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::BadRequest => "bad_request",
            AppError::TooLarge { .. } => "too_large",
            AppError::Network => "network",
            AppError::Internal { .. } => "internal",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 422,
            AppError::BadCredentials | AppError::Unauthorized => 401,
            AppError::Forbidden | AppError::CrossSite => 403,
            AppError::NotFound => 404,
            AppError::Conflict | AppError::KeyReused { .. } => 409,
            AppError::NotNow => 422,
            AppError::RateLimited { .. } => 429,
            AppError::BadRequest => 400,
            AppError::TooLarge { .. } => 413,
            AppError::Network => 503,
            AppError::Internal { .. } => 500,
        }
    }

    /// The translated sentence a user reads.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::Validation { .. } => td_string!(locale, errors.validation).to_string(),
            AppError::BadCredentials => td_string!(locale, errors.bad_credentials).to_string(),
            AppError::Unauthorized => td_string!(locale, errors.unauthorized).to_string(),
            AppError::Forbidden => td_string!(locale, errors.forbidden).to_string(),
            AppError::CrossSite => td_string!(locale, errors.cross_site).to_string(),
            AppError::NotFound => td_string!(locale, errors.not_found).to_string(),
            AppError::Conflict => td_string!(locale, errors.conflict).to_string(),
            AppError::KeyReused { number } => {
                let number = number.as_str();
                td_string!(locale, errors.key_reused, number).to_string()
            }
            AppError::NotNow => td_string!(locale, errors.not_now).to_string(),
            AppError::RateLimited { retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60).max(1);
                td_string!(locale, errors.rate_limited, minutes).to_string()
            }
            AppError::BadRequest => td_string!(locale, errors.bad_request).to_string(),
            AppError::TooLarge { max_mb } => {
                td_string!(locale, errors.too_large, max_mb).to_string()
            }
            AppError::Network => td_string!(locale, errors.network).to_string(),
            AppError::Internal { ref_id } => {
                let ref_id = ref_id.as_str();
                td_string!(locale, errors.internal, ref_id).to_string()
            }
        }
    }
}

/// The translated sentence for one field's problem.
pub fn reason_message(reason: Reason, locale: Locale) -> String {
    match reason {
        Reason::Required => td_string!(locale, reasons.required).to_string(),
        Reason::TooShort { min } => td_string!(locale, reasons.too_short, min).to_string(),
        Reason::TooLong { max } => td_string!(locale, reasons.too_long, max).to_string(),
        Reason::DigitsOnly => td_string!(locale, reasons.digits_only).to_string(),
        Reason::LengthBetween { min, max } => {
            td_string!(locale, reasons.length_between, min, max).to_string()
        }
        Reason::LoginChars => td_string!(locale, reasons.login_chars).to_string(),
        Reason::UnknownValue => td_string!(locale, reasons.unknown_value).to_string(),
        Reason::IdFormat => td_string!(locale, reasons.id_format).to_string(),
        Reason::IdChecksum => td_string!(locale, reasons.id_checksum).to_string(),
        Reason::IdBirthDate => td_string!(locale, reasons.id_birth_date).to_string(),
        Reason::PhoneFormat => td_string!(locale, reasons.phone_format).to_string(),
        Reason::InFuture => td_string!(locale, reasons.in_future).to_string(),
        Reason::TooManyFiles { max } => td_string!(locale, reasons.too_many_files, max).to_string(),
        Reason::FileTooLarge { max_mb } => {
            td_string!(locale, reasons.file_too_large, max_mb).to_string()
        }
        Reason::NotAnImage => td_string!(locale, reasons.not_an_image).to_string(),
        Reason::TooManyPixels { max_mp } => {
            td_string!(locale, reasons.too_many_pixels, max_mp).to_string()
        }
        Reason::DamagedImage => td_string!(locale, reasons.damaged_image).to_string(),
        Reason::TooMany { max } => td_string!(locale, reasons.too_many, max).to_string(),
        Reason::NumberBetween { min, max } => {
            td_string!(locale, reasons.number_between, min, max).to_string()
        }
        Reason::Taken => td_string!(locale, reasons.taken).to_string(),
        Reason::UnknownVariable => td_string!(locale, reasons.unknown_variable).to_string(),
        Reason::BeforeFirstResponse => {
            td_string!(locale, reasons.before_first_response).to_string()
        }
        Reason::OwnAccount => td_string!(locale, reasons.own_account).to_string(),
        Reason::MembersOnly => td_string!(locale, reasons.members_only).to_string(),
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request never made it, or the answer never came back.
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Network,
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => AppError::BadRequest,
            _ => AppError::Internal {
                ref_id: String::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_translated_and_carry_no_internals() {
        let e = AppError::Internal {
            ref_id: "7f3a9c".into(),
        };
        assert!(e.message(Locale::zh_CN).contains("7f3a9c"));
        assert!(e.message(Locale::en).contains("7f3a9c"));
        assert_ne!(e.message(Locale::zh_CN), e.message(Locale::en));
        let limited = AppError::RateLimited {
            retry_after_secs: 61,
        };
        assert!(
            limited.message(Locale::en).contains('2'),
            "{}",
            limited.message(Locale::en)
        );
    }

    #[test]
    fn statuses_follow_http() {
        assert_eq!(
            AppError::field(Field::Login, Reason::Required).status(),
            422
        );
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(
            AppError::RateLimited {
                retry_after_secs: 1
            }
            .status(),
            429
        );
    }

    #[test]
    fn an_error_from_a_url_carries_no_text_of_its_own() {
        let ours = r#"{"kind":"internal","ref_id":"7f3a9c01d2e4b5a6"}"#;
        assert_eq!(
            serde_json::from_str::<AppError>(ours).unwrap(),
            AppError::Internal {
                ref_id: "7f3a9c01d2e4b5a6".into()
            }
        );
        for planted in [
            r#"{"kind":"internal","ref_id":"请拨打 400-000-0000 领取补偿"}"#,
            r#"{"kind":"internal","ref_id":"<a href=//evil>x</a>"}"#,
            r#"{"kind":"key_reused","number":"点此 http://evil.example"}"#,
        ] {
            assert!(
                serde_json::from_str::<AppError>(planted).is_err(),
                "{planted}"
            );
        }
        let reused = AppError::KeyReused {
            number: "MSS-20261124-0007".into(),
        };
        assert_eq!(
            serde_json::from_str::<AppError>(&serde_json::to_string(&reused).unwrap()).unwrap(),
            reused
        );
    }

    #[test]
    fn crosses_the_wire_intact() {
        let e = AppError::field(Field::Description, Reason::TooShort { min: 10 });
        let back: AppError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(
            back.reason_for(Field::Description),
            Some(Reason::TooShort { min: 10 })
        );
        assert_eq!(back.reason_for(Field::Login), None);
    }
}
