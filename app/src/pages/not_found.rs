use crate::components::feedback::ErrorPanel;
use crate::AppError;
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! { <main class="page-center"><ErrorPanel error=AppError::NotFound/></main> }
}
