//! `/users/{id}/{tab}`: the user card — a header and seven tabs.

pub mod access_settings;
pub mod analytics;
pub mod billing_events;
pub mod cameras;
pub mod intercoms;
pub mod sub_users;
mod sync;
pub mod user;

#[cfg(feature = "ssr")]
pub mod billing_queries;
#[cfg(feature = "ssr")]
pub mod queries;

pub use sync::{sync_user_cameras, SyncResult, SyncedAccount};
use sync::{SyncButton, SyncReport};

use crate::components::states::ErrorState;
use crate::components::tabs::{TabLink, TabList};
use crate::console::layout::{card_of, id_param, CardPage};
use crate::domain::user::UserStatus;
use crate::error::AppError;
use crate::lang::{labels, t, t_string, use_i18n, Locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

/// The tabs' URL segments, in order (`tab_name` names them).
pub const TABS: &[&str] =
    &["user", "cameras", "intercoms", "sub-users", "billing-events", "access-settings", "analytics"];

/// The name of the tab at `segment` in `locale`; none for a segment that is no tab.
pub fn tab_name(locale: Locale, segment: &str) -> Option<&'static str> {
    use crate::lang::td_string;
    Some(match segment {
        "user" => td_string!(locale, card.tab_user),
        "cameras" => td_string!(locale, card.tab_cameras),
        "intercoms" => td_string!(locale, card.tab_intercoms),
        "sub-users" => td_string!(locale, card.tab_sub_users),
        "billing-events" => td_string!(locale, card.tab_billing_events),
        "access-settings" => td_string!(locale, card.tab_access_settings),
        "analytics" => td_string!(locale, card.tab_analytics),
        _ => return None,
    })
}

/// A user status as people read it (an unknown code as stored).
fn status_label(status: &str) -> String {
    UserStatus::parse(status).map_or_else(|| status.to_string(), |s| labels::user_status(s).to_string())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserHeader {
    pub id: i64,
    pub name: String,
    pub login: String,
    pub status: String,
    pub created_at: i64,
    /// Whether the user holds `subusers-manage` (its sub-users are read-only otherwise).
    pub manages_sub_users: bool,
    /// Live sub-users: shown whatever the permission.
    pub sub_users: i64,
    /// The Analytics tab is shown while the user holds licences, or cases are kept for a
    /// level without them (SPEC §8).
    pub has_licences: bool,
    /// Whether the signed-in administrator may synchronise the user's cameras.
    pub can_sync: bool,
    /// Whether the signed-in administrator may log in as the user.
    pub can_impersonate: bool,
}

/// A single-use link (valid 60 s) that opens the web client as the user; audited.
#[server(prefix = "/api/console", endpoint = "impersonate_user")]
pub async fn impersonate_user(id: i64) -> Result<String, AppError> {
    use crate::backend::{audit, client::new_impersonation, require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersImpersonate).await?;
        let header = load_header(ctx.db(), id).await?;
        if header.status == "deleted" {
            return Err(AppError::Conflict(
                crate::lang::td_string!(crate::lang::current(), card.err_user_deleted).into(),
            ));
        }
        let token = new_impersonation(ctx.db(), ctx.admin.id, &ctx.session, id, ctx.now()).await?;
        let entry = audit::Entry::by_admin(
            &ctx.admin,
            "user.impersonate",
            ("user", id, &header.login),
            Some(id),
            serde_json::json!({}),
        );
        audit::record_db(ctx.db(), ctx.now(), entry).await?;
        Ok(format!("/client/impersonate/{token}"))
    })
    .await
}

impl UserHeader {
    pub fn shows_tab(&self, segment: &str) -> bool {
        match segment {
            "sub-users" => self.manages_sub_users || self.sub_users > 0,
            "analytics" => self.has_licences,
            _ => TABS.contains(&segment),
        }
    }
}

#[server(prefix = "/api/console", endpoint = "user_header")]
pub async fn get_user_header(id: i64) -> Result<UserHeader, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let mut header = load_header(ctx.db(), id).await?;
        header.can_sync = ctx.admin.can(Permission::UsersSyncCameras);
        header.can_impersonate = ctx.admin.can(Permission::UsersImpersonate);
        Ok(header)
    })
    .await
}

#[cfg(feature = "ssr")]
pub async fn load_header(db: &crate::backend::db::Db, id: i64) -> Result<UserHeader, AppError> {
    let row = queries::header(db, id).await?.ok_or(AppError::NotFound)?;
    Ok(UserHeader {
        id: row.id,
        name: row.name,
        login: row.login,
        status: row.status,
        created_at: row.created_at,
        manages_sub_users: row.manages > 0,
        sub_users: row.sub_users,
        has_licences: row.licensed > 0,
        can_sync: false,
        can_impersonate: false,
    })
}

/// The body of a tab whose code is loaded with its own route (see `app::lazy_page!`).
pub type TabBody = fn(&UserHeader) -> AnyView;

/// The card. The tabs operators open most (User, Cameras, Intercoms) are drawn here; the
/// others come with a route of their own, loaded when first shown, which passes `body`.
#[component]
pub fn UserCard(#[prop(optional)] body: Option<TabBody>) -> impl IntoView {
    let location = use_location();
    // The last segment of the path: `/users/{id}/{tab}`.
    let tab = move || location.pathname.with(|p| p.rsplit('/').next().unwrap_or("user").to_string());
    let header = Resource::new(id_param(), |id| card_of(id, get_user_header));
    let i18n = use_i18n();
    view! {
        <CardPage back=("/users", t_string!(i18n, common.nav_users)) card=header title=t_string!(i18n, card.tab_user)
            body=move |h| view! { <CardBody header=h tab=tab() body /> } />
    }
}

#[component]
fn CardBody(header: UserHeader, tab: String, body: Option<TabBody>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = crate::lang::current();
    let id = header.id;
    let sync_result = RwSignal::new(None::<Result<SyncResult, AppError>>);
    provide_context(sync_result);
    let tabs: Vec<TabLink> = TABS
        .iter()
        .filter(|seg| header.shows_tab(seg))
        .map(|seg| TabLink {
            label: tab_name(locale, seg).unwrap_or(*seg),
            href: format!("/users/{id}/{seg}"),
            selected: *seg == tab,
        })
        .collect();
    let name = tab_name(locale, &tab).unwrap_or(t_string!(i18n, card.tab_user));
    let body = match (tab.as_str(), header.shows_tab(&tab), body) {
        (_, true, Some(body)) => body(&header),
        ("user", ..) => view! { <user::UserTab id /> }.into_any(),
        ("cameras", ..) => view! { <cameras::CamerasTab id /> }.into_any(),
        ("intercoms", ..) => view! { <intercoms::IntercomsTab id /> }.into_any(),
        ("sub-users", false, _) => view! {
            <p class="state state-empty">
                {t_string!(i18n, card.sub_users_cannot_create, permission = labels::user_permission(crate::domain::permissions::SUBUSERS_MANAGE)).to_string()}
            </p>
        }.into_any(),
        ("analytics", false, _) => view! {
            <p class="state state-empty">{t!(i18n, card.analytics_none)}</p>
        }.into_any(),
        _ => view! { <ErrorState error=AppError::NotFound /> }.into_any(),
    };
    let title = format!("{} · {}", header.name, name);
    view! {
        <Title text=title />
        <section class="card-header" aria-label=t_string!(i18n, card.header_label)>
            <div class="card-title">
                <h1>{header.name.clone()}</h1>
                <span class=format!("badge status-{}", header.status)>{status_label(&header.status)}</span>
            </div>
            <dl class="facts">
                <div><dt>{t!(i18n, card.header_user_id)}</dt><dd>{header.id}</dd></div>
                <div><dt>{t!(i18n, card.header_username)}</dt><dd>{header.name.clone()}</dd></div>
                <div><dt>{t!(i18n, card.header_login)}</dt><dd>{header.login.clone()}</dd></div>
                <div><dt>{t!(i18n, card.header_creation_date)}</dt><dd>{crate::lang::datetime(header.created_at)}</dd></div>
            </dl>
            <div class="card-actions">
                <ImpersonateButton id can=header.can_impersonate && header.status != "deleted" />
                <SyncButton id can=header.can_sync && header.status != "deleted" />
            </div>
            {move || sync_result.get().map(|r| view! { <SyncReport r /> })}
        </section>
        <TabList label=t_string!(i18n, card.tab_list_label) tabs />
        <section class="tab-panel" role="tabpanel" aria-label=name>
            {body}
        </section>
    }
}

/// Log in as User: the new tab is opened at the click itself (a pop-up blocker lets a tab
/// opened by a click through, not one opened after the server's answer) and sent to the
/// single-use link once it is known. If the browser blocked it all the same, the link is
/// shown to open by hand (same link, same audit).
#[component]
fn ImpersonateButton(id: i64, can: bool) -> impl IntoView {
    let i18n = use_i18n();
    let result = expect_context::<RwSignal<Option<Result<SyncResult, AppError>>>>();
    let blocked_link = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    let tab = StoredValue::new_local(None::<web_sys::Window>);
    let go = Action::new(move |_: &()| impersonate_user(id));
    Effect::new(move |_| match go.value().get() {
        Some(Ok(url)) => {
            #[cfg(feature = "hydrate")]
            if let Some(w) = tab.try_update_value(Option::take).flatten() {
                // The client page must not reach back into the console.
                let _ = w.set_opener(&wasm_bindgen::JsValue::NULL);
                if w.location().set_href(&url).is_ok() {
                    return;
                }
            }
            blocked_link.set(Some(url));
        }
        Some(Err(e)) => {
            #[cfg(feature = "hydrate")]
            if let Some(w) = tab.try_update_value(Option::take).flatten() {
                let _ = w.close();
            }
            result.set(Some(Err(e)));
        }
        None => {}
    });
    let title =
        if can { t_string!(i18n, card.impersonate_title) } else { t_string!(i18n, card.impersonate_needs_permission) };
    view! {
        <button type="button" class="button secondary" title=title disabled=move || !can || go.pending().get()
            on:click=move |_| {
                blocked_link.set(None);
                #[cfg(feature = "hydrate")]
                tab.set_value(web_sys::window().and_then(|w| w.open_with_url_and_target("", "_blank").ok().flatten()));
                go.dispatch(());
            }>
            {t!(i18n, card.impersonate_button)}
        </button>
        {move || blocked_link.get().map(|url| view! {
            <p class="notice" role="status">
                {t!(i18n, card.impersonate_blocked)}
                <a href=url target="_blank" rel="noopener">{t!(i18n, card.impersonate_open_link)}</a>
                {t!(i18n, card.impersonate_link_once)}
            </p>
        })}
    }
}

/// The card showing one of the tabs loaded with a route of their own.
macro_rules! card_with {
    ($($page:ident => $body:expr),+ $(,)?) => {$(
        #[component]
        pub fn $page() -> impl IntoView {
            view! { <UserCard body=$body /> }
        }
    )+};
}

card_with! {
    SubUsersCard => |h| view! { <sub_users::SubUsersTab id=h.id manages=h.manages_sub_users /> }.into_any(),
    BillingEventsCard => |h| view! { <billing_events::BillingEventsTab id=h.id /> }.into_any(),
    AccessSettingsCard => |h| view! { <access_settings::AccessSettingsTab id=h.id /> }.into_any(),
    AnalyticsCard => |h| view! { <analytics::AnalyticsTab id=h.id /> }.into_any(),
}
