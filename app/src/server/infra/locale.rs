//! The language of a request outside the Leptos pages (REST errors), and the switch that works
//! without JavaScript.
use crate::domain::accounts::safe_next;
use crate::i18n::Locale;
use axum::{
    extract::{Path, Query},
    response::{IntoResponse, Redirect},
};
use http::{header, HeaderMap, HeaderValue};
use leptos_i18n::Locale as _;
use serde::Deserialize;

/// The cookie leptos_i18n reads and writes for the chosen language.
pub const LOCALE_COOKIE: &str = "i18n_pref_locale";

/// The chosen language (cookie), else the browser's (`Accept-Language`), else Chinese.
pub fn request_locale(headers: &HeaderMap) -> Locale {
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LOCALE_COOKIE)
        .and_then(|(_, value)| parse_locale(value));
    from_cookie.unwrap_or_else(|| {
        let header = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Locale::find_locale(&by_preference(header))
    })
}

/// The language of the request being served (inside a server function or a page render).
pub fn current() -> Locale {
    leptos::prelude::use_context::<http::request::Parts>()
        .map(|p| request_locale(&p.headers))
        .unwrap_or_default()
}

/// The language tags of an `Accept-Language` header, most wanted first (by `q`, then order).
fn by_preference(header: &str) -> Vec<&str> {
    let mut tags: Vec<(f32, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().map(|(_, _, tag)| tag).collect()
}

fn parse_locale(raw: &str) -> Option<Locale> {
    Locale::get_all()
        .iter()
        .copied()
        .find(|l| l.as_str().eq_ignore_ascii_case(raw.trim()))
}

#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// The one of a pair (a list entry's two names, …) written in `locale`.
pub fn pick<T>(locale: Locale, zh: T, en: T) -> T {
    match locale {
        Locale::zh_CN => zh,
        Locale::en => en,
    }
}

/// `GET /lang/{locale}?back=/path`: remembers the language for a year and goes back.
pub async fn switch(Path(locale): Path<String>, Query(q): Query<Back>) -> impl IntoResponse {
    let back = safe_next(q.back.as_deref()).unwrap_or_else(|| crate::paths::HOME.path().to_owned());
    let Some(locale) = parse_locale(&locale) else {
        return Redirect::to(&back).into_response();
    };
    let cookie = format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        locale.as_str()
    );
    let mut response = Redirect::to(&back).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn chinese_unless_asked_otherwise() {
        assert_eq!(request_locale(&HeaderMap::new()), Locale::zh_CN);
        assert_eq!(
            request_locale(&headers(&[(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9")])),
            Locale::en
        );
        assert_eq!(
            request_locale(&headers(&[(
                header::ACCEPT_LANGUAGE,
                "zh-CN,zh;q=0.9,en;q=0.8"
            )])),
            Locale::zh_CN
        );
        let both = headers(&[
            (header::ACCEPT_LANGUAGE, "en"),
            (header::COOKIE, "a=b; i18n_pref_locale=zh-CN"),
        ]);
        assert_eq!(request_locale(&both), Locale::zh_CN);
        let weighted = headers(&[(header::ACCEPT_LANGUAGE, "en;q=0.1, zh-CN")]);
        assert_eq!(request_locale(&weighted), Locale::zh_CN);
    }
}
