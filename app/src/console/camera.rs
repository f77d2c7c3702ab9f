//! `/cameras/{id}/general`: a camera's General data. A camera outside the administrator's
//! scope answers 404, exactly like one that does not exist.

use crate::components::list::{Column, DataTable};
use crate::components::tabs::{TabLink, TabList};
use crate::console::layout::{card_of, id_param, CardPage};
use crate::domain::camera::CameraStatus;
use crate::error::AppError;
use crate::lang::{labels, t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamState {
    pub stream: String,
    pub up: bool,
    pub changed_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AccessHolder {
    pub id: i64,
    pub name: String,
    pub login: String,
    /// Sub-users link to their parent's card.
    pub parent_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CameraProfile {
    pub id: i64,
    pub name: String,
    pub mac: String,
    pub serial_number: String,
    pub model: String,
    pub status: CameraStatus,
    pub streams: Vec<StreamState>,
    pub csa_code: Option<String>,
    pub address: Option<String>,
    pub users: Vec<AccessHolder>,
    pub created_at: i64,
    pub source: String,
}

#[server(prefix = "/api/console", endpoint = "camera_profile")]
pub async fn get_camera_profile(id: i64) -> Result<CameraProfile, AppError> {
    use crate::backend::{require, respond, Permission};
    use crate::domain::address::format_address;
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let c = queries::camera(ctx.db(), id, ctx.admin.id).await?.ok_or(AppError::NotFound)?;
        let streams: Vec<StreamState> = queries::streams(ctx.db(), c.id)
            .await?
            .into_iter()
            .map(|s| StreamState { stream: s.stream, up: s.up == 1, changed_at: s.changed_at })
            .collect();
        Ok(CameraProfile {
            id: c.id,
            name: c.name,
            mac: c.mac,
            serial_number: c.serial_number,
            model: c.model,
            status: CameraStatus::from_streams(&streams.iter().map(|s| s.up).collect::<Vec<_>>()),
            streams,
            address: c.city.map(|city| {
                let part = |p: Option<String>| p.unwrap_or_default();
                format_address(&city, &part(c.street), &part(c.house), &part(c.entrance))
            }),
            csa_code: c.csa_code,
            users: queries::access_holders(ctx.db(), c.id).await?,
            created_at: c.created_at,
            source: c.source,
        })
    })
    .await
}

#[cfg(feature = "ssr")]
mod queries {
    use super::AccessHolder;
    use crate::backend::db::Db;
    use crate::error::AppError;

    /// A camera with its location's CSA code and the parts of its address (none while the
    /// camera is not placed at a location).
    #[derive(sqlx::FromRow)]
    pub struct CameraRow {
        pub id: i64,
        pub name: String,
        pub mac: String,
        pub serial_number: String,
        pub model: String,
        pub created_at: i64,
        pub source: String,
        pub csa_code: Option<String>,
        pub city: Option<String>,
        pub street: Option<String>,
        pub house: Option<String>,
        pub entrance: Option<String>,
    }

    /// The camera, if the scope of the administrator `admin` covers it.
    pub async fn camera(db: &Db, id: i64, admin: i64) -> Result<Option<CameraRow>, AppError> {
        use crate::backend::scope::camera_condition;
        let row = sqlx::query_as(&format!(
            "SELECT c.id AS id, c.name AS name, c.mac AS mac, c.serial_number AS serial_number, c.model AS model, \
               c.created_at AS created_at, c.source AS source, l.csa_code AS csa_code, \
               cs.city AS city, cs.street AS street, cs.house AS house, cs.entrance AS entrance \
             FROM cameras c LEFT JOIN locations l ON l.id = c.location_id \
             LEFT JOIN csa_codes cs ON cs.code = l.csa_code \
             WHERE c.id = $1 AND {}",
            camera_condition(2)
        ))
        .bind(id)
        .bind(admin)
        .fetch_optional(&db.pool)
        .await?;
        Ok(row)
    }

    /// A stream of the camera as the media servers last reported it.
    #[derive(sqlx::FromRow)]
    pub struct StreamRow {
        pub stream: String,
        /// 1 while the stream is up.
        pub up: i64,
        pub changed_at: i64,
    }

    pub async fn streams(db: &Db, camera: i64) -> Result<Vec<StreamRow>, AppError> {
        let rows =
            sqlx::query_as("SELECT stream, up, changed_at FROM camera_streams WHERE camera_id = $1 ORDER BY stream")
                .bind(camera)
                .fetch_all(&db.pool)
                .await?;
        Ok(rows)
    }

    /// Up to 500 live users and sub-users with access to the camera, each user followed by
    /// its sub-users.
    pub async fn access_holders(db: &Db, camera: i64) -> Result<Vec<AccessHolder>, AppError> {
        let rows = sqlx::query_as(
            "SELECT u.id AS id, u.name AS name, u.login AS login, u.parent_id AS parent_id \
             FROM camera_access a JOIN users u ON u.id = a.user_id \
             WHERE a.camera_id = $1 AND u.deleted_at IS NULL \
             ORDER BY COALESCE(u.parent_id, u.id), u.parent_id IS NOT NULL, u.id LIMIT 500",
        )
        .bind(camera)
        .fetch_all(&db.pool)
        .await?;
        Ok(rows)
    }
}

#[component]
pub fn CameraPage() -> impl IntoView {
    let id = id_param();
    let camera = Resource::new(id, |id| card_of(id, get_camera_profile));
    let i18n = use_i18n();
    view! {
        <CardPage back=("/users", t_string!(i18n, users.list_title)) card=camera title=t_string!(i18n, users.camera_title)
            body=|c| view! { <Profile c /> } />
    }
}

#[component]
fn Profile(c: CameraProfile) -> impl IntoView {
    let i18n = use_i18n();
    let status = labels::camera_status(c.status);
    // The badge's class names the status in English (the style sheet's `camera-…`).
    let status_class = c.status.label().replace(' ', "-");
    let tabs = vec![TabLink {
        label: t_string!(i18n, users.camera_tab_general),
        href: format!("/cameras/{}/general", c.id),
        selected: true,
    }];
    let location = match (&c.address, &c.csa_code) {
        (Some(a), Some(code)) => format!("{a} (CSA {code})"),
        (None, Some(code)) => format!("CSA {code}"),
        _ => t_string!(i18n, users.camera_not_placed).to_string(),
    };
    let page_title = t_string!(i18n, users.camera_page_title, name = c.name.clone()).to_string();
    let created =
        t_string!(i18n, users.camera_created_by, at = crate::lang::datetime(c.created_at), source = c.source.clone())
            .to_string();
    view! {
        <Title text=page_title />
        <section class="card-header" aria-label=t_string!(i18n, users.camera_summary)>
            <div class="card-title">
                <h1>{c.name.clone()}</h1>
                <span class=format!("badge camera-{status_class}")>{status}</span>
            </div>
        </section>
        <TabList label=t_string!(i18n, users.camera_title) tabs />
        <section class="tab-panel" role="tabpanel" aria-label=t_string!(i18n, users.camera_tab_general)>
            <dl class="details">
                <div><dt>{t!(i18n, users.camera_id)}</dt><dd>{c.id}</dd></div>
                <div><dt>{t!(i18n, users.camera_name)}</dt><dd>{c.name.clone()}</dd></div>
                <div><dt>{t!(i18n, users.camera_status)}</dt><dd>{status}</dd></div>
                <div><dt>{t!(i18n, users.camera_mac)}</dt><dd><code>{c.mac.clone()}</code></dd></div>
                <div><dt>{t!(i18n, users.camera_serial_number)}</dt><dd>{c.serial_number.clone()}</dd></div>
                <div><dt>{t!(i18n, users.camera_model)}</dt><dd>{if c.model.is_empty() { "—".to_string() } else { c.model.clone() }}</dd></div>
                <div><dt>{t!(i18n, users.camera_location)}</dt><dd>{location}</dd></div>
                <div><dt>{t!(i18n, users.camera_created)}</dt><dd>{created}</dd></div>
            </dl>
            <h2>{t!(i18n, users.camera_streams)}</h2>
            {if c.streams.is_empty() {
                view! { <p class="state state-empty">{t!(i18n, users.camera_streams_empty)}</p> }.into_any()
            } else {
                let row = move |s: StreamState| view! {
                    <tr>
                        <td data-label=t_string!(i18n, users.stream_col_stream)>{s.stream}</td>
                        <td data-label=t_string!(i18n, users.stream_col_state)>
                            <span class=if s.up { "badge camera-active" } else { "badge camera-inactive" }>
                                {if s.up { t_string!(i18n, users.stream_up) } else { t_string!(i18n, users.stream_down) }}
                            </span>
                        </td>
                        <td data-label=t_string!(i18n, users.stream_col_since)>{crate::lang::datetime(s.changed_at)}</td>
                    </tr>
                };
                view! { <DataTable columns=stream_columns() rows=c.streams.clone() row /> }.into_any()
            }}
            <h2>{t!(i18n, users.camera_access)}</h2>
            {if c.users.is_empty() {
                view! { <p class="state state-empty">{t!(i18n, users.camera_access_empty)}</p> }.into_any()
            } else {
                let sub_user = t_string!(i18n, users.camera_sub_user);
                view! {
                    <ul class="link-list">
                        {c.users.iter().map(|u| {
                            let (href, login) = match u.parent_id {
                                Some(p) => (format!("/users/{p}/sub-users"), format!("{} ({sub_user})", u.login)),
                                None => (format!("/users/{}/user", u.id), u.login.clone()),
                            };
                            view! { <li><a href=href>{u.name.clone()}</a>" "<span class="hint">{login}</span></li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The streams table's columns in the page's language.
fn stream_columns() -> [Column; 3] {
    use crate::lang::td_string;
    let locale = crate::lang::current();
    [
        Column::new(td_string!(locale, users.stream_col_stream)),
        Column::new(td_string!(locale, users.stream_col_state)),
        Column::new(td_string!(locale, users.stream_col_since)),
    ]
}
