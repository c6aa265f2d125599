//! Live updates in the browser: one `EventSource` on `/api/live` while someone is signed in.
//! Pages ask for a tick that moves when something they show changed (`use_live_for`,
//! `use_live_any`) and load again. The browser reconnects by itself (sending the last entry it
//! saw, so the server replays what was missed); when it gives up, this reopens the stream a few
//! times and then says that the page no longer updates (`LiveBanner`).
use super::guard::Auth;
use crate::domain::notify::LiveMessage;
use crate::i18n::*;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveState {
    /// Not signed in, or not started yet (and always on the server).
    Off,
    Open,
    /// Lost; the browser is trying again.
    Reconnecting,
    /// Gave up: the page must be reloaded to update again.
    Failed,
}

#[derive(Clone, Copy)]
pub struct Live {
    /// The latest message (`incident` is `*` after a reconnection: anything may have changed).
    pub last: ReadSignal<Option<LiveMessage>>,
    pub state: ReadSignal<LiveState>,
}

/// Opens the stream in the browser once someone is signed in (nothing happens on the server).
pub fn provide_live() {
    let (last, set_last) = signal(None::<LiveMessage>);
    let (state, set_state) = signal(LiveState::Off);
    provide_context(Live { last, state });
    let auth = expect_context::<Auth>();
    // Opened on signing in, closed on signing out.
    Effect::new(move |opened: Option<bool>| {
        let signed_in = matches!(auth.user.get(), Some(Ok(Some(_))));
        let opened = opened.unwrap_or(false);
        if signed_in && !opened {
            browser::open(set_last, set_state, None, 0);
        } else if !signed_in && opened && auth.user.get().is_some() {
            browser::close();
            set_state.set(LiveState::Off);
            return false;
        }
        signed_in || opened
    });
}

/// A tick that moves when `number` changed (or anything may have).
pub fn use_live_for(number: String) -> ReadSignal<u64> {
    use_live_where(move |m| m.incident == number || m.incident == "*")
}

/// A tick that moves on every change the viewer may see (and on "read" only for its incident).
pub fn use_live_any() -> ReadSignal<u64> {
    use_live_where(|m| m.kind != "read")
}

/// A tick that moves when a message `matches`.
pub fn use_live_where(
    matches: impl Fn(&LiveMessage) -> bool + Send + Sync + 'static,
) -> ReadSignal<u64> {
    let (tick, set_tick) = signal(0u64);
    if let Some(live) = use_context::<Live>() {
        Effect::new(move |_| {
            if live.last.with(|m| m.as_ref().is_some_and(&matches)) {
                set_tick.update(|t| *t += 1);
            }
        });
    }
    tick
}

/// For a list that loads again on every change: a tick that moves at most about twice a
/// second, and not while `busy` (the viewer is in the middle of something the reload would
/// undo, such as ticked rows); `held` is then true until `release` is called.
#[derive(Clone, Copy)]
pub struct ListRefresh {
    pub tick: ReadSignal<u64>,
    pub held: ReadSignal<bool>,
    set_tick: WriteSignal<u64>,
    set_held: WriteSignal<bool>,
}

impl ListRefresh {
    pub fn release(&self) {
        self.set_held.set(false);
        self.set_tick.update(|t| *t += 1);
    }
}

pub fn use_list_refresh(busy: fn() -> bool) -> ListRefresh {
    let changed = use_live_any();
    let (tick, set_tick) = signal(0u64);
    let (held, set_held) = signal(false);
    let scheduled = StoredValue::new(false);
    Effect::new(move |seen: Option<u64>| {
        let now = changed.get();
        if seen.is_some_and(|s| s != now) && !scheduled.get_value() {
            scheduled.set_value(true);
            set_timeout(
                move || {
                    scheduled.set_value(false);
                    if busy() {
                        set_held.set(true);
                    } else {
                        set_tick.update(|t| *t += 1);
                    }
                },
                std::time::Duration::from_millis(400),
            );
        }
        now
    });
    ListRefresh {
        tick,
        held,
        set_tick,
        set_held,
    }
}

/// Whether any of the queue's rows is ticked for a bulk action (in the browser).
pub fn rows_ticked() -> bool {
    document()
        .query_selector("input[name^='picks']:checked")
        .ok()
        .flatten()
        .is_some()
}

/// Says so while live updates are interrupted, and when they stopped.
#[component]
pub fn LiveBanner() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_context::<Live>();
    move || {
        let state = live.map(|l| l.state.get()).unwrap_or(LiveState::Off);
        match state {
            LiveState::Reconnecting => Some(view! {
                <div class="live-banner" role="status"><span class="spinner" aria-hidden="true"></span>{t!(i18n, live.reconnecting)}</div>
            }.into_any()),
            LiveState::Failed => Some(view! {
                <div class="live-banner live-failed" role="alert">{t!(i18n, live.failed)}
                    <a href="" rel="external" class="live-reload">{t!(i18n, live.reload)}</a></div>
            }.into_any()),
            LiveState::Off | LiveState::Open => None,
        }
    }
}

mod browser {
    use super::LiveState;
    use crate::domain::notify::LiveMessage;
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    /// Reopens a closed stream this many times (a few seconds apart) before giving up.
    const REOPENS: u32 = 5;

    thread_local! {
        static CURRENT: std::cell::RefCell<Option<web_sys::EventSource>> = const { std::cell::RefCell::new(None) };
    }

    pub fn close() {
        CURRENT.with(|c| {
            if let Some(source) = c.borrow_mut().take() {
                source.close();
            }
        });
    }

    pub fn open(
        set_last: WriteSignal<Option<LiveMessage>>,
        set_state: WriteSignal<LiveState>,
        after: Option<i64>,
        reopened: u32,
    ) {
        let url = crate::paths::handlers::live_after(after);
        let Ok(source) = web_sys::EventSource::new(&url) else {
            set_state.set(LiveState::Failed);
            return;
        };
        close();
        CURRENT.with(|c| *c.borrow_mut() = Some(source.clone()));
        let last_id = std::rc::Rc::new(std::cell::Cell::new(after));
        // Also on the first opening: the page's data was read before the stream began, and
        // something may have happened in between (a plain form post reloads the page, and the
        // team may read the message it sent meanwhile).
        let was_lost = std::rc::Rc::new(std::cell::Cell::new(true));
        let reopens = std::rc::Rc::new(std::cell::Cell::new(reopened));
        let on_message = {
            let last_id = last_id.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                if let Ok(message) = serde_json::from_str::<LiveMessage>(&text) {
                    if let Some(id) = message.id {
                        last_id.set(Some(id));
                    }
                    set_last.set(Some(message));
                }
            })
        };
        for name in ["change", "read"] {
            let _ =
                source.add_event_listener_with_callback(name, on_message.as_ref().unchecked_ref());
        }
        on_message.forget();
        let on_open = {
            let (was_lost, reopens) = (was_lost.clone(), reopens.clone());
            Closure::<dyn FnMut()>::new(move || {
                set_state.set(LiveState::Open);
                reopens.set(0);
                if was_lost.replace(false) {
                    // Opened, or back after a gap: whatever the server replays, load again.
                    set_last.set(Some(LiveMessage {
                        id: None,
                        incident: "*".into(),
                        kind: "reconnected".into(),
                    }));
                }
            })
        };
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let on_error = {
            let source = source.clone();
            Closure::<dyn FnMut()>::new(move || {
                was_lost.set(true);
                if source.ready_state() == web_sys::EventSource::CLOSED {
                    // The browser gave up (the server answered with an error): try again a few
                    // times from the last entry seen, then say the page no longer updates.
                    let tried = reopens.get();
                    if tried >= REOPENS {
                        set_state.set(LiveState::Failed);
                        return;
                    }
                    set_state.set(LiveState::Reconnecting);
                    let after = last_id.get();
                    set_timeout(
                        move || open(set_last, set_state, after, tried + 1),
                        std::time::Duration::from_secs(3),
                    );
                } else {
                    set_state.set(LiveState::Reconnecting);
                }
            })
        };
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
    }
}
