//! The Intercoms tab: the flats of intercoms the user is linked to, with its keys.

use crate::components::pager::Pager;
use crate::components::states::{Empty, ErrorState, Loading};
use crate::domain::page::Page;
use crate::domain::time::format_date;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntercomRow {
    pub link_id: i64,
    pub intercom_id: i64,
    pub name: String,
    pub address: String,
    pub department: String,
    pub flat: i64,
    pub keys: Vec<String>,
    pub created_at: i64,
}

#[server(prefix = "/api/console", endpoint = "user_intercoms")]
pub async fn user_intercoms(id: i64, after: Option<String>) -> Result<Page<IntercomRow>, AppError> {
    use crate::backend::{require, respond, Permission};
    use crate::domain::address::format_address;
    use crate::domain::page::{Cursor, PAGE_SIZE};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        let pool = &ctx.db().pool;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM apartment_links WHERE user_id = $1")
            .bind(id)
            .fetch_one(pool)
            .await?;
        type Row = (i64, i64, String, String, String, String, String, String, i64, i64);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT al.id, i.id, i.name, cs.city, cs.street, cs.house, cs.entrance, i.department, al.flat, i.created_at \
             FROM apartment_links al JOIN intercoms i ON i.id = al.intercom_id \
             JOIN csa_codes cs ON cs.code = i.csa_code \
             WHERE al.user_id = $1 AND al.id > $2 ORDER BY al.id LIMIT $3",
        )
        .bind(id)
        .bind(Page::<IntercomRow>::after_id(after.as_deref()))
        .bind(PAGE_SIZE + 1)
        .fetch_all(pool)
        .await?;
        let mut rows: Vec<IntercomRow> = rows
            .into_iter()
            .map(|(link_id, intercom_id, name, city, street, house, entrance, department, flat, created_at)| IntercomRow {
                link_id,
                intercom_id,
                name,
                address: format_address(&city, &street, &house, &entrance),
                department,
                flat,
                keys: Vec::new(),
                created_at,
            })
            .collect();
        if !rows.is_empty() {
            let ids: Vec<String> = rows.iter().map(|r| r.link_id.to_string()).collect();
            // Ids are integers from our own query, so inlining them is safe.
            let keys: Vec<(i64, String)> = sqlx::query_as(&format!(
                "SELECT link_id, code FROM apartment_keys WHERE link_id IN ({}) ORDER BY code",
                ids.join(",")
            ))
            .fetch_all(pool)
            .await?;
            for (link, code) in keys {
                if let Some(r) = rows.iter_mut().find(|r| r.link_id == link) {
                    r.keys.push(code);
                }
            }
        }
        Ok(Page::from_rows(rows, total, |r: &IntercomRow| Cursor { key: String::new(), id: r.link_id }))
    })
    .await
}

#[component]
pub fn IntercomsTab(id: i64) -> impl IntoView {
    let query = use_query_map();
    let intercoms = Resource::new(move || query.with(|q| q.get("after")), move |after| user_intercoms(id, after));
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match intercoms.await {
                    Ok(page) if page.rows.is_empty() => view! { <Empty message="This user is not linked to any intercom apartment." /> }.into_any(),
                    Ok(page) => view! {
                        <div class="table-wrap">
                            <table class="data">
                                <thead>
                                    <tr>
                                        <th scope="col">"Name"</th>
                                        <th scope="col">"Address"</th>
                                        <th scope="col">"Department"</th>
                                        <th scope="col">"Apartment"</th>
                                        <th scope="col">"Keys"</th>
                                        <th scope="col">"Created at"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page.rows.into_iter().map(|r| view! {
                                        <tr class="row-link">
                                            <td data-label="Name"><a class="row-main" href=format!("/intercoms/{}/general", r.intercom_id)>{r.name}</a></td>
                                            <td data-label="Address">{r.address}</td>
                                            <td data-label="Department">{r.department}</td>
                                            <td data-label="Apartment">{r.flat}</td>
                                            <td data-label="Keys" class="code-wrap">{if r.keys.is_empty() { "—".to_string() } else { r.keys.join(", ") }}</td>
                                            <td data-label="Created at">{format_date(r.created_at)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager total=page.total next=page.next noun="apartments" />
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
