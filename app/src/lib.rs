#![recursion_limit = "256"]
//! VMS Admin Console: the shell, the application and its routes.

pub mod client;
pub mod components;
pub mod console;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser, once hydrated: tests wait for this marker.
    Effect::new(move |_| components::dom::mark_hydrated());
    view! {
        <Title formatter=|t: String| if t.is_empty() { "VMS Admin Console".to_string() } else { format!("{t} · VMS Admin Console") } />
        <Router>
            <Routes fallback=components::states::NotFoundPage>
                <Route path=path!("/login") view=console::login::LoginPage />
                <Route path=path!("/client/login") view=client::ClientLoginPage />
                <Route path=path!("/client") view=client::ClientHomePage />
                <Route path=path!("/client/sub-users") view=client::sub_users::ClientSubUsersPage />
                <Route path=path!("/client/analytics") view=client::analytics::ClientAnalyticsPage />
                <Route path=path!("/users") view=console::users::UsersPage />
                <Route path=path!("/users/:id/:tab") view=console::user_card::UserCard />
                <Route path=path!("/cameras/:id/general") view=console::camera::CameraPage />
                <Route path=path!("/intercoms") view=console::intercoms::IntercomsPage />
                <Route path=path!("/intercoms/:id/:tab") view=console::intercoms::IntercomCardPage />
                <Route path=path!("/administrators") view=console::administrators::AdministratorsPage />
                <Route path=path!("/audit-log") view=console::audit_log::AuditLogPage />
            </Routes>
        </Router>
    }
}
