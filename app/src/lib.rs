#![recursion_limit = "256"]
//! VMS Admin Console: the shell, the application and its routes.

#[cfg(feature = "ssr")]
pub mod backend;
pub mod client;
pub mod components;
pub mod console;
pub mod domain;
pub mod error;
pub mod lang;
mod layers;
pub mod views;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    backend::csp::send();
    view! {
        <!DOCTYPE html>
        <html data-theme=components::theme::chosen_theme()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <meta name="theme-color" content="#13233b" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/icon.svg" type="image/svg+xml" />
                <link rel="apple-touch-icon" href="/icon-192.png" />
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
    view! {
        // `<html lang>` is the page's language (set by the provider).
        <lang::LanguageProvider>
            <Routed />
        </lang::LanguageProvider>
    }
}

#[component]
fn Routed() -> impl IntoView {
    let product = lang::i18n::td_string!(lang::current(), common.product);
    view! {
        <Title formatter=move |t: String| if t.is_empty() { product.to_string() } else { format!("{t} · {product}") } />
        // Pages are rendered whole on the server (`SsrMode::Async`): they read and work before
        // their script arrives, or without it.
        <Router>
            <Routes fallback=marked(components::states::NotFoundPage)>
                <Route path=path!("/login") ssr=SsrMode::Async view=marked(console::login::LoginPage) />
                <Route path=path!("/client/login") ssr=SsrMode::Async view=marked(client::ClientLoginPage) />
                <Route path=path!("/client") ssr=SsrMode::Async view={Lazy::<ClientHome>::new()} />
                <Route path=path!("/client/sub-users") ssr=SsrMode::Async view={Lazy::<ClientSubUsers>::new()} />
                <Route path=path!("/client/analytics") ssr=SsrMode::Async view={Lazy::<ClientAnalytics>::new()} />
                <Route path=path!("/users") ssr=SsrMode::Async view=marked(console::users::UsersPage) />
                <Route path=path!("/users/:id/sub-users") ssr=SsrMode::Async view={Lazy::<UserSubUsers>::new()} />
                <Route path=path!("/users/:id/billing-events") ssr=SsrMode::Async view={Lazy::<UserBillingEvents>::new()} />
                <Route path=path!("/users/:id/access-settings") ssr=SsrMode::Async view={Lazy::<UserAccessSettings>::new()} />
                <Route path=path!("/users/:id/analytics") ssr=SsrMode::Async view={Lazy::<UserAnalytics>::new()} />
                <Route path=path!("/users/:id/:tab") ssr=SsrMode::Async view=marked(|| view! { <console::user_card::UserCard /> }) />
                <Route path=path!("/cameras/:id/general") ssr=SsrMode::Async view={Lazy::<Camera>::new()} />
                <Route path=path!("/intercoms") ssr=SsrMode::Async view={Lazy::<Intercoms>::new()} />
                <Route path=path!("/intercoms/:id/:tab") ssr=SsrMode::Async view={Lazy::<IntercomCard>::new()} />
                <Route path=path!("/administrators") ssr=SsrMode::Async view={Lazy::<Administrators>::new()} />
                <Route path=path!("/audit-log") ssr=SsrMode::Async view={Lazy::<AuditLog>::new()} />
                <Route path=path!("/search") ssr=SsrMode::Async view={Lazy::<Search>::new()} />
            </Routes>
        </Router>
    }
}

/// Marks `<body data-hydrated>` (which the browser tests wait for) once the route showing
/// is hydrated. Called from inside each route: an effect runs only after the view that
/// created it is hydrated, and a lazy route's view only after its module has loaded.
fn mark_when_hydrated() {
    Effect::new(move |_| components::dom::mark_hydrated());
}

/// A route's view that marks the page hydrated (see `mark_when_hydrated`).
fn marked<V: IntoView + 'static>(page: fn() -> V) -> impl Fn() -> AnyView + Clone + Send + Sync + 'static {
    move || {
        mark_when_hydrated();
        page().into_any()
    }
}

/// A page whose code the browser loads when the page is first shown (split into a module
/// of its own by `sitebuild`): the subscribers' web client, the console pages operators
/// open rarely, and the user card's heavier tabs (the card itself and its User, Cameras and
/// Intercoms tabs stay in the main module), so that the users list and card load little.
macro_rules! lazy_page {
    ($($route:ident => $page:path),+ $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                mark_when_hydrated();
                view! { <$page /> }.into_any()
            }
        }
    )+};
}

lazy_page! {
    ClientHome => client::ClientHomePage,
    ClientSubUsers => client::sub_users::ClientSubUsersPage,
    ClientAnalytics => client::analytics::ClientAnalyticsPage,
    Camera => console::camera::CameraPage,
    Intercoms => console::intercoms::IntercomsPage,
    IntercomCard => console::intercoms::IntercomCardPage,
    Administrators => console::administrators::AdministratorsPage,
    AuditLog => console::audit_log::AuditLogPage,
    Search => console::search::SearchPage,
    UserSubUsers => console::user_card::SubUsersCard,
    UserBillingEvents => console::user_card::BillingEventsCard,
    UserAccessSettings => console::user_card::AccessSettingsCard,
    UserAnalytics => console::user_card::AnalyticsCard,
}
