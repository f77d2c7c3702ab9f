//! `/cameras/{id}/general`: a camera's General data. A camera outside the administrator's
//! scope answers 404, exactly like one that does not exist.

use crate::components::list::{Column, DataTable};
use crate::components::tabs::{TabLink, TabList};
use crate::console::layout::{card_of, id_param, CardPage};
use crate::domain::camera::CameraStatus;
use crate::domain::time::format_utc;
use crate::error::AppError;
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
    view! { <CardPage back=("/users", "Users") card=camera title="Camera" body=|c| view! { <Profile c /> } /> }
}

#[component]
fn Profile(c: CameraProfile) -> impl IntoView {
    let status = c.status.label();
    let tabs = vec![TabLink { label: "General data", href: format!("/cameras/{}/general", c.id), selected: true }];
    let location = match (&c.address, &c.csa_code) {
        (Some(a), Some(code)) => format!("{a} (CSA {code})"),
        (None, Some(code)) => format!("CSA {code}"),
        _ => "Not placed at a location".into(),
    };
    view! {
        <Title text=format!("Camera {}", c.name) />
        <section class="card-header" aria-label="Camera summary">
            <div class="card-title">
                <h1>{c.name.clone()}</h1>
                <span class=format!("badge camera-{}", status.replace(' ', "-"))>{status}</span>
            </div>
        </section>
        <TabList label="Camera" tabs />
        <section class="tab-panel" role="tabpanel" aria-label="General data">
            <dl class="details">
                <div><dt>"ID"</dt><dd>{c.id}</dd></div>
                <div><dt>"Name"</dt><dd>{c.name.clone()}</dd></div>
                <div><dt>"Status"</dt><dd>{status}</dd></div>
                <div><dt>"MAC"</dt><dd><code>{c.mac.clone()}</code></dd></div>
                <div><dt>"Serial number"</dt><dd>{c.serial_number.clone()}</dd></div>
                <div><dt>"Model"</dt><dd>{if c.model.is_empty() { "—".to_string() } else { c.model.clone() }}</dd></div>
                <div><dt>"Location"</dt><dd>{location}</dd></div>
                <div><dt>"Created"</dt><dd>{format!("{} by {}", format_utc(c.created_at), c.source)}</dd></div>
            </dl>
            <h2>"Streams"</h2>
            {if c.streams.is_empty() {
                view! { <p class="state state-empty">"No media server has reported a stream of this camera yet."</p> }.into_any()
            } else {
                let row = |s: StreamState| view! {
                    <tr>
                        <td data-label="Stream">{s.stream}</td>
                        <td data-label="State"><span class=if s.up { "badge camera-active" } else { "badge camera-inactive" }>{if s.up { "up" } else { "down" }}</span></td>
                        <td data-label="Since">{format_utc(s.changed_at)}</td>
                    </tr>
                };
                view! { <DataTable columns=&STREAM_COLUMNS rows=c.streams.clone() row /> }.into_any()
            }}
            <h2>"Users with access"</h2>
            {if c.users.is_empty() {
                view! { <p class="state state-empty">"No user has access to this camera."</p> }.into_any()
            } else {
                view! {
                    <ul class="link-list">
                        {c.users.iter().map(|u| {
                            let (href, note) = match u.parent_id {
                                Some(p) => (format!("/users/{p}/sub-users"), " (sub-user)"),
                                None => (format!("/users/{}/user", u.id), ""),
                            };
                            view! { <li><a href=href>{u.name.clone()}</a>" "<span class="hint">{format!("{}{note}", u.login)}</span></li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

const STREAM_COLUMNS: [Column; 3] = [Column::new("Stream"), Column::new("State"), Column::new("Since")];
