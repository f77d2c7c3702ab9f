//! The Intercoms tab: the flats of intercoms the user is linked to, with its keys.

use crate::components::list::{Column, ListView};
use crate::components::pager::Counted;
use crate::domain::page::Page;
use crate::error::AppError;
use crate::lang::{date, t_string, use_i18n};
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
    let i18n = use_i18n();
    view! {
        <ListView list=intercoms columns=columns() row=apartment_row counts=Counted::Apartments
            empty=t_string!(i18n, card.intercoms_empty)
            export=format!("/users/{id}/intercoms/export") />
    }
}

/// The list's columns in the page's language.
fn columns() -> [Column; 6] {
    use crate::lang::td_string;
    let l = crate::lang::current();
    [
        Column::new(td_string!(l, card.intercoms_col_name)),
        Column::new(td_string!(l, card.intercoms_col_address)),
        Column::new(td_string!(l, card.intercoms_col_department)),
        Column::new(td_string!(l, card.intercoms_col_apartment)),
        Column::new(td_string!(l, card.intercoms_col_keys)),
        Column::new(td_string!(l, card.col_created_at)),
    ]
}

fn apartment_row(r: IntercomRow) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <tr class="row-link">
            <td data-label=t_string!(i18n, card.intercoms_col_name)><a class="row-main" href=format!("/intercoms/{}/general", r.intercom_id)>{r.name}</a></td>
            <td data-label=t_string!(i18n, card.intercoms_col_address)>{r.address}</td>
            <td data-label=t_string!(i18n, card.intercoms_col_department)>{r.department}</td>
            <td data-label=t_string!(i18n, card.intercoms_col_apartment)>{r.flat}</td>
            <td data-label=t_string!(i18n, card.intercoms_col_keys) class="code-wrap">{if r.keys.is_empty() { "—".to_string() } else { r.keys.join(", ") }}</td>
            <td data-label=t_string!(i18n, card.col_created_at)>{date(r.created_at)}</td>
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
