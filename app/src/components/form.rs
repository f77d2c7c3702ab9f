//! Form pieces shared by the console and the web client: the sign-in card and the foot
//! of every editor form (its error, Cancel and Save).

use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn FormFooter(
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(into)] pending: Signal<bool>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        {move || error.get().map(|e| view! { <p class="notice error" role="alert">{e.to_string()}</p> })}
        <div class="form-actions">
            <button type="button" class="button secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            <button type="submit" class="button primary" disabled=move || pending.get()>
                {move || if pending.get() { "Saving…" } else { "Save" }}
            </button>
        </div>
    }
}

/// The centred card of a sign-in page (console and web client).
#[component]
pub fn SignInCard(brand: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="login-page">
            <section class="login-card" aria-labelledby="login-title">
                <div class="brand large"><span class="brand-mark" aria-hidden="true">"◉"</span>{format!(" {brand}")}</div>
                <h1 id="login-title">"Sign in"</h1>
                {children()}
            </section>
        </main>
    }
}
