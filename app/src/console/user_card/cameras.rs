//! The Cameras tab: the user's cameras that the signed-in administrator may see.

use crate::components::list::{Column, ListView};
use crate::components::pager::Counted;
use crate::domain::camera::CameraStatus;
use crate::domain::page::Page;
use crate::error::AppError;
use crate::lang::{labels, t, t_string, use_i18n};
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
    let i18n = use_i18n();
    view! {
        <p class="source-note">{t!(i18n, card.cameras_note)}</p>
        <ListView list=cameras columns=columns() row=camera_row counts=Counted::Cameras
            empty=t_string!(i18n, card.cameras_empty)
            export=format!("/users/{id}/cameras/export") />
    }
}

/// The list's columns in the page's language.
fn columns() -> [Column; 4] {
    use crate::lang::td_string;
    let l = crate::lang::current();
    [
        Column::new(td_string!(l, card.col_id)),
        Column::new(td_string!(l, card.cameras_col_name)),
        Column::new(td_string!(l, card.cameras_col_status)),
        Column::new(td_string!(l, card.cameras_col_location)),
    ]
}

fn camera_row(c: CameraRow) -> impl IntoView {
    let i18n = use_i18n();
    // The class keeps the English code (`camera-partially-active`); the text is translated.
    let class = format!("badge camera-{}", c.status.label().replace(' ', "-"));
    let status = labels::camera_status(c.status);
    // Every row opens the camera's profile, placed at a location or not.
    let href = format!("/cameras/{}/general", c.id);
    let location = match c.location {
        Some(address) => view! { <span>{address}</span> }.into_any(),
        None => view! { <span class="hint">{t!(i18n, card.cameras_not_placed)}</span> }.into_any(),
    };
    let label = t_string!(i18n, card.cameras_row_label, id = c.id, name = c.name.clone()).to_string();
    view! {
        <tr class="row-link">
            <td data-label=t_string!(i18n, card.col_id)><a class="row-main" href=href aria-label=label>{c.id}</a></td>
            <td data-label=t_string!(i18n, card.cameras_col_name)>{c.name}</td>
            <td data-label=t_string!(i18n, card.cameras_col_status)><span class=class>{status}</span></td>
            <td data-label=t_string!(i18n, card.cameras_col_location)>{location}</td>
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
