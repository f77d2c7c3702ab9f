//! The Intercoms tab: the flats of intercoms the user is linked to, with its keys.

use crate::components::list::{Column, ListView};
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
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        super::queries::intercoms(ctx.db(), id, &crate::domain::page::Window::page(after)).await
    })
    .await
}

#[component]
pub fn IntercomsTab(id: i64) -> impl IntoView {
    let query = use_query_map();
    let intercoms = Resource::new(move || query.with(|q| q.get("after")), move |after| user_intercoms(id, after));
    view! {
        <ListView list=intercoms columns=&COLUMNS row=apartment_row noun="apartments" empty="This user is not linked to any intercom apartment."
            export=format!("/users/{id}/intercoms/export") />
    }
}

const COLUMNS: [Column; 6] = [
    Column::new("Name"),
    Column::new("Address"),
    Column::new("Department"),
    Column::new("Apartment"),
    Column::new("Keys"),
    Column::new("Created at"),
];

fn apartment_row(r: IntercomRow) -> impl IntoView {
    view! {
        <tr class="row-link">
            <td data-label="Name"><a class="row-main" href=format!("/intercoms/{}/general", r.intercom_id)>{r.name}</a></td>
            <td data-label="Address">{r.address}</td>
            <td data-label="Department">{r.department}</td>
            <td data-label="Apartment">{r.flat}</td>
            <td data-label="Keys" class="code-wrap">{if r.keys.is_empty() { "—".to_string() } else { r.keys.join(", ") }}</td>
            <td data-label="Created at">{format_date(r.created_at)}</td>
        </tr>
    }
}

#[cfg(feature = "ssr")]
impl crate::domain::export::Record for IntercomRow {
    const COLUMNS: &'static [&'static str] =
        &["Intercom ID", "Name", "Address", "Department", "Apartment", "Keys", "Created at"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.intercom_id.to_string(),
            self.name.clone(),
            self.address.clone(),
            self.department.clone(),
            self.flat.to_string(),
            self.keys.join(" "),
            crate::domain::time::format_rfc3339(self.created_at),
        ]
    }
}
