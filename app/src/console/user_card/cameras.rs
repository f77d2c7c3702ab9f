//! The Cameras tab: the user's cameras that the signed-in administrator may see.

use crate::components::pager::Pager;
use crate::components::states::{Empty, ErrorState, Loading};
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
    use crate::backend::scope::camera_condition;
    use crate::backend::{require, respond, Permission};
    use crate::domain::address::format_address;
    use crate::domain::page::Cursor;
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        let visible = format!(
            "FROM camera_access a JOIN cameras c ON c.id = a.camera_id WHERE a.user_id = $1 AND {}",
            camera_condition(2)
        );
        let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {visible}"))
            .bind(id)
            .bind(ctx.admin.id)
            .fetch_one(&ctx.db().pool)
            .await?;
        type Row = (i64, String, i64, i64, Option<String>, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT c.id, c.name, \
               (SELECT COUNT(*) FROM camera_streams s WHERE s.camera_id = c.id), \
               (SELECT COUNT(*) FROM camera_streams s WHERE s.camera_id = c.id AND s.up = 1), \
               cs.city, cs.street, cs.house, cs.entrance \
             FROM camera_access a JOIN cameras c ON c.id = a.camera_id \
             LEFT JOIN locations l ON l.id = c.location_id \
             LEFT JOIN csa_codes cs ON cs.code = l.csa_code \
             WHERE a.user_id = $1 AND {} AND c.id > $3 ORDER BY c.id LIMIT $4",
            camera_condition(2)
        ))
        .bind(id)
        .bind(ctx.admin.id)
        .bind(Page::<CameraRow>::after_id(after.as_deref()))
        .bind(crate::domain::page::PAGE_SIZE + 1)
        .fetch_all(&ctx.db().pool)
        .await?;
        let rows = rows
            .into_iter()
            .map(|(id, name, streams, up, city, street, house, entrance)| CameraRow {
                id,
                name,
                status: CameraStatus::from_counts(streams, up),
                location: city.map(|city| {
                    format_address(
                        &city,
                        &street.unwrap_or_default(),
                        &house.unwrap_or_default(),
                        &entrance.unwrap_or_default(),
                    )
                }),
            })
            .collect();
        Ok(Page::from_rows(rows, total, |c: &CameraRow| Cursor { key: String::new(), id: c.id }))
    })
    .await
}

#[component]
pub fn CamerasTab(id: i64) -> impl IntoView {
    let query = use_query_map();
    let cameras = Resource::new(move || query.with(|q| q.get("after")), move |after| user_cameras(id, after));
    view! {
        <p class="source-note">"Read-only. Only the cameras within your scope are listed; a row opens the camera's profile."</p>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match cameras.await {
                    Ok(page) if page.rows.is_empty() => view! { <Empty message="No cameras you may see are attached to this user." /> }.into_any(),
                    Ok(page) => view! { <CamerasTable page /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CamerasTable(page: Page<CameraRow>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"ID"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Location"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|c| {
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
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager total=page.total next=page.next noun="cameras" />
    }
}
