//! `/cameras/{id}/general`: a camera's General data. A camera outside the administrator's
//! scope answers 404, exactly like one that does not exist.

use crate::components::states::{ErrorState, Loading};
use crate::components::tabs::{TabLink, TabList};
use crate::console::layout::ConsoleLayout;
use crate::domain::camera::CameraStatus;
use crate::domain::time::format_utc;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamState {
    pub stream: String,
    pub up: bool,
    pub changed_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    use crate::backend::scope::camera_condition;
    use crate::backend::{require, respond, Permission};
    use crate::domain::address::format_address;
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let pool = &ctx.db().pool;
        type Row = (i64, String, String, String, String, i64, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT c.id, c.name, c.mac, c.serial_number, c.model, c.created_at, c.source, \
               l.csa_code, cs.city, cs.street, cs.house, cs.entrance \
             FROM cameras c LEFT JOIN locations l ON l.id = c.location_id \
             LEFT JOIN csa_codes cs ON cs.code = l.csa_code \
             WHERE c.id = $1 AND {}",
            camera_condition(2)
        ))
        .bind(id)
        .bind(ctx.admin.id)
        .fetch_optional(pool)
        .await?;
        let (id, name, mac, serial_number, model, created_at, source, csa_code, city, street, house, entrance) =
            row.ok_or(AppError::NotFound)?;
        let streams: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT stream, up, changed_at FROM camera_streams WHERE camera_id = $1 ORDER BY stream")
                .bind(id)
                .fetch_all(pool)
                .await?;
        let streams: Vec<StreamState> =
            streams.into_iter().map(|(stream, up, changed_at)| StreamState { stream, up: up == 1, changed_at }).collect();
        let users: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT u.id, u.name, u.login, u.parent_id FROM camera_access a JOIN users u ON u.id = a.user_id \
             WHERE a.camera_id = $1 AND u.deleted_at IS NULL ORDER BY COALESCE(u.parent_id, u.id), u.parent_id IS NOT NULL, u.id \
             LIMIT 500",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        Ok(CameraProfile {
            id,
            name,
            mac,
            serial_number,
            model,
            status: CameraStatus::from_streams(&streams.iter().map(|s| s.up).collect::<Vec<_>>()),
            streams,
            address: city.map(|city| {
                format_address(&city, &street.unwrap_or_default(), &house.unwrap_or_default(), &entrance.unwrap_or_default())
            }),
            csa_code,
            users: users.into_iter().map(|(id, name, login, parent_id)| AccessHolder { id, name, login, parent_id }).collect(),
            created_at,
            source,
        })
    })
    .await
}

#[component]
pub fn CameraPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let camera = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_camera_profile(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <ConsoleLayout>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <a href="/users">"Users"</a>
            </nav>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match camera.await {
                        Ok(c) => view! { <Profile c /> }.into_any(),
                        Err(error) => view! { <Title text="Camera" /><ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </ConsoleLayout>
    }
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
                view! {
                    <div class="table-wrap">
                        <table class="data">
                            <thead><tr><th scope="col">"Stream"</th><th scope="col">"State"</th><th scope="col">"Since"</th></tr></thead>
                            <tbody>
                                {c.streams.iter().map(|s| view! {
                                    <tr>
                                        <td>{s.stream.clone()}</td>
                                        <td><span class=if s.up { "badge camera-active" } else { "badge camera-inactive" }>{if s.up { "up" } else { "down" }}</span></td>
                                        <td>{format_utc(s.changed_at)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
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
