//! The browser entry: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The desk's and the admin's pages are lazy routes (their own wasm chunks, see
    // `app::pages::lazy_page!`): hydration waits for the page's chunk, so it runs as a task.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        let owner = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        owner.forget();
        // Marks the page as interactive (end-to-end tests wait for it before using enhanced forms).
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
