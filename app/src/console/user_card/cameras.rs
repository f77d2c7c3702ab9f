//! The Cameras tab: the user's cameras that the signed-in administrator may see.

use crate::components::list::{Column, ListView};
use crate::domain::camera::CameraStatus;
use crate::domain::page::Page;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CameraRow {
    pub id: i64,
    pub name: String,
    pub status: CameraStatus,
    pub location: Option<String>,
}

#[server(prefix = "/api/console", endpoint = "user_cameras")]
pub async fn user_cameras(id: i64, after: Option<String>) -> Result<Page<CameraRow>, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        super::queries::cameras(ctx.db(), id, ctx.admin.id, &crate::domain::page::Window::page(after)).await
    })
    .await
}

#[component]
pub fn CamerasTab(id: i64) -> impl IntoView {
    let query = use_query_map();
    let cameras = Resource::new(move || query.with(|q| q.get("after")), move |after| user_cameras(id, after));
    view! {
        <p class="source-note">"Read-only. Only the cameras within your scope are listed; a row opens the camera's profile."</p>
        <ListView list=cameras columns=&COLUMNS row=camera_row noun="cameras" empty="No cameras you may see are attached to this user."
            export=format!("/users/{id}/cameras/export") />
    }
}

const COLUMNS: [Column; 4] = [Column::new("ID"), Column::new("Name"), Column::new("Status"), Column::new("Location")];

fn camera_row(c: CameraRow) -> impl IntoView {
    let status = c.status.label();
    // Every row opens the camera's profile, placed at a location or not.
    let href = format!("/cameras/{}/general", c.id);
    let location = match c.location {
        Some(address) => view! { <span>{address}</span> }.into_any(),
        None => view! { <span class="hint">"Not placed"</span> }.into_any(),
    };
    view! {
        <tr class="row-link">
            <td data-label="ID"><a class="row-main" href=href aria-label=format!("Camera {} {}", c.id, c.name)>{c.id}</a></td>
            <td data-label="Name">{c.name}</td>
            <td data-label="Status"><span class=format!("badge camera-{}", status.replace(' ', "-"))>{status}</span></td>
            <td data-label="Location">{location}</td>
        </tr>
    }
}

#[cfg(feature = "ssr")]
impl crate::domain::export::Record for CameraRow {
    const COLUMNS: &'static [&'static str] = &["ID", "Name", "Status", "Location"];
    fn cells(&self) -> Vec<String> {
        let location = self.location.clone().unwrap_or_default();
        vec![self.id.to_string(), self.name.clone(), self.status.label().to_string(), location]
    }
}
