//! Every path of the app, defined once and referred to by name: the pages (the router's routes
//! are built from the same segments, see `routes`), the hand-written form and stream handlers,
//! and the links between them. It depends on nothing, so every layer may use it.

/// A page's path (`/incidents`), and the router segments it is made of (`routes::…`). `path()`
/// and `segments` cannot drift: a unit test joins the one into the other.
pub struct Page {
    pub segments: &'static [&'static str],
    path: &'static str,
}

impl Page {
    pub const fn path(&self) -> &'static str {
        self.path
    }
}

macro_rules! segment_type {
    ($segment:literal) => { leptos_router::StaticSegment<&'static str> };
}

macro_rules! pages {
    ($($(#[$doc:meta])* $name:ident = $path:literal => [$($segment:literal),*];)*) => {
        $( $(#[$doc])* pub const $name: Page = Page { segments: &[$($segment),*], path: $path }; )*
        /// Every page, for the tests.
        pub const ALL_PAGES: &[Page] = &[$($name),*];
        /// The same pages as the router matches them (`<Route path=routes::DESK …/>`; a page
        /// with a parameter adds its `ParamSegment`).
        pub mod routes {
            $( pub const $name: ($(segment_type!($segment),)*) = ($(leptos_router::StaticSegment($segment),)*); )*
        }
    };
}

pages! {
    HOME = "/" => [];
    LOGIN = "/login" => ["login"];
    REPORT_NEW = "/report/new" => ["report", "new"];
    /// `/report/submitted/:number`: the confirmation (see [`submitted`]).
    SUBMITTED = "/report/submitted" => ["report", "submitted"];
    MY_INCIDENTS = "/incidents" => ["incidents"];
    DESK = "/desk" => ["desk"];
    /// `/desk/incidents/:number` (see [`desk_incident`]).
    DESK_INCIDENTS = "/desk/incidents" => ["desk", "incidents"];
    ADMIN_USERS = "/admin/users" => ["admin", "users"];
    ADMIN_LISTS = "/admin/lists" => ["admin", "lists"];
    ADMIN_REPLIES = "/admin/replies" => ["admin", "replies"];
    ADMIN_AUDIT = "/admin/audit" => ["admin", "audit"];
    ADMIN_DELIVERIES = "/admin/deliveries" => ["admin", "deliveries"];
    /// The team's articles (the knowledge base on the desk); `/desk/kb/:id` is one in the
    /// editor (see [`desk_article`]).
    DESK_KB = "/desk/kb" => ["desk", "kb"];
    DESK_KB_NEW = "/desk/kb/new" => ["desk", "kb", "new"];
    DESK_KB_HOT = "/desk/kb/hot" => ["desk", "kb", "hot"];
    ADMIN_WORDS = "/admin/search-words" => ["admin", "search-words"];
    /// The help center (the knowledge base's reporters' side).
    HELP = "/help" => ["help"];
    HELP_SEARCH = "/help/search" => ["help", "search"];
    /// `/help/systems/:code[?category=…]` (see [`help_system`]).
    HELP_SYSTEMS = "/help/systems" => ["help", "systems"];
    /// `/help/articles/:id` (see [`help_article`]).
    HELP_ARTICLES = "/help/articles" => ["help", "articles"];
}

/// The reporter's page of one incident.
pub fn incident(number: &str) -> String {
    format!("{}/{}", MY_INCIDENTS.path(), encode_query(number))
}

/// The desk's page of one incident.
pub fn desk_incident(number: &str) -> String {
    format!("{}/{}", DESK_INCIDENTS.path(), encode_query(number))
}

/// The confirmation after a report was filed.
pub fn submitted(number: &str) -> String {
    format!("{}/{}", SUBMITTED.path(), encode_query(number))
}

/// The admin's page of one account.
pub fn admin_user(login: &str) -> String {
    format!("{}/{}", ADMIN_USERS.path(), encode_query(login))
}

/// An article in the desk's editor.
pub fn desk_article(id: i64) -> String {
    format!("{}/{id}", DESK_KB.path())
}

/// A help-center article.
pub fn help_article(id: i64) -> String {
    format!("{}/{id}", HELP_ARTICLES.path())
}

/// A system's articles in the help center, optionally of one category.
pub fn help_system(code: &str, category: Option<&str>) -> String {
    match category {
        Some(c) => format!(
            "{}/{}?category={}",
            HELP_SYSTEMS.path(),
            encode_query(code),
            encode_query(c)
        ),
        None => format!("{}/{}", HELP_SYSTEMS.path(), encode_query(code)),
    }
}

/// The help center's search for `q`.
pub fn help_search(q: &str) -> String {
    format!("{}?q={}", HELP_SEARCH.path(), encode_query(q))
}

/// The report form with the system filled in.
pub fn report_for_system(code: &str) -> String {
    format!("{}?system={}", REPORT_NEW.path(), encode_query(code))
}

/// The sign-in page, coming back to `next` afterwards.
pub fn login_then(next: &str) -> String {
    format!("{}?next={}", LOGIN.path(), encode_query(next))
}

/// Hand-written handlers (forms that must work before the wasm arrives, streams, sign-in): the
/// router's patterns, and the URLs the pages post to.
pub mod handlers {
    use super::encode_query;

    pub const HEALTHZ: &str = "/healthz";
    pub const READYZ: &str = "/readyz";
    /// Switches the language, then goes back.
    pub const LANGUAGE: &str = "/lang/{locale}";
    /// The report form (multipart, photos included).
    pub const REPORT_FORM: &str = "/api/incidents/create";
    pub const MESSAGE_FORM: &str = "/api/incidents/{number}/messages";
    pub const ACTION_FORM: &str = "/api/incidents/{number}/actions";
    /// The knowledge-base editor's images (multipart).
    pub const KB_IMAGES: &str = "/api/kb/images";
    /// The live-update stream (server-sent events).
    pub const LIVE: &str = "/api/live";
    pub const WECOM_SIGN_IN: &str = "/auth/wecom";
    pub const WECOM_CALLBACK: &str = "/auth/wecom/callback";

    pub fn language(locale: &str, back: &str) -> String {
        format!(
            "{}?back={}",
            LANGUAGE.replace("{locale}", locale),
            encode_query(back)
        )
    }

    pub fn message_form(number: &str) -> String {
        MESSAGE_FORM.replace("{number}", &encode_query(number))
    }

    pub fn action_form(number: &str) -> String {
        ACTION_FORM.replace("{number}", &encode_query(number))
    }

    pub fn live_after(after: Option<i64>) -> String {
        match after {
            Some(id) => format!("{LIVE}?after={id}"),
            None => LIVE.to_owned(),
        }
    }

    pub fn wecom_sign_in(next: &str) -> String {
        format!("{WECOM_SIGN_IN}?next={}", encode_query(next))
    }
}

/// The REST API (`/api/v1`): its routes, relative to the base, as axum and the OpenAPI
/// description name them.
pub mod rest {
    pub const BASE: &str = "/api/v1";
    pub const ME: &str = "/me";
    pub const INCIDENTS: &str = "/incidents";
    pub const INCIDENT: &str = "/incidents/{id}";
    pub const MESSAGES: &str = "/incidents/{id}/messages";
    pub const ACTIONS: &str = "/incidents/{id}/actions";
    pub const SCREENSHOT: &str = "/screenshots/{id}";
    pub const THUMBNAIL: &str = "/screenshots/{id}/thumb";
    pub const KB_ARTICLES: &str = "/kb/articles";
    pub const KB_ARTICLE: &str = "/kb/articles/{id}";
    pub const KB_REVISIONS: &str = "/kb/articles/{id}/revisions";
    pub const KB_COMPARE: &str = "/kb/articles/{id}/compare";
    pub const KB_RESTORE: &str = "/kb/articles/{id}/revisions/{rev}/restore";
    pub const KB_SEARCH: &str = "/kb/search";
    pub const KB_DRAFT: &str = "/incidents/{id}/kb-draft";
    pub const OPENAPI: &str = "/openapi.json";
}

/// Percent-encodes a query parameter value (or a path segment): everything but unreserved
/// characters and `/`.
pub fn encode_query(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_path_is_its_segments_joined() {
        for page in ALL_PAGES {
            let joined: String = page.segments.iter().map(|s| format!("/{s}")).collect();
            let joined = if joined.is_empty() {
                "/".to_owned()
            } else {
                joined
            };
            assert_eq!(page.path(), joined);
        }
    }

    #[test]
    fn links_encode_what_they_carry() {
        assert_eq!(
            incident("MSS-20261124-0001"),
            "/incidents/MSS-20261124-0001"
        );
        assert_eq!(admin_user("张 三"), "/admin/users/%E5%BC%A0%20%E4%B8%89");
        assert_eq!(
            login_then("/incidents?cursor=1_2"),
            "/login?next=/incidents%3Fcursor%3D1_2"
        );
        assert_eq!(
            handlers::action_form("MSS-1"),
            "/api/incidents/MSS-1/actions"
        );
        assert_eq!(
            handlers::language("en", "/desk?q=a"),
            "/lang/en?back=/desk%3Fq%3Da"
        );
        assert_eq!(handlers::live_after(Some(7)), "/api/live?after=7");
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(
            encode_query("/incidents?cursor=1_2"),
            "/incidents%3Fcursor%3D1_2"
        );
        assert_eq!(encode_query("张"), "%E5%BC%A0");
    }
}
