//! Every list in one shape: a table whose header says what each column holds (and sorts
//! it, where it can), and around a paged list its loading, empty and error states and its
//! pager. Pages give only their columns, their rows and their filters.

use super::pager::{Counted, Pager};
use super::states::{Empty, ErrorState, Loading};
use super::url::with_params;
use crate::domain::page::Page;
use crate::error::AppError;
use crate::lang::{t, use_i18n};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};
use serde::{de::DeserializeOwned, Serialize};

/// A column of a table: its header (in the page's language: build the columns when the
/// page renders, `t_string!(i18n, ns.key)`), and how it shows.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    label: &'static str,
    /// The `sort` values the header sets: ascending, then descending if there is one.
    sort: Option<(&'static str, Option<&'static str>)>,
    /// The list's order when the address names none, if this column's header sets it.
    default_sort: Option<&'static str>,
    wide_only: bool,
    unlabelled: bool,
}

impl Column {
    pub const fn new(label: &'static str) -> Self {
        Self { label, sort: None, default_sort: None, wide_only: false, unlabelled: false }
    }

    /// A header that sorts the list by `asc`, and by `desc` when chosen again.
    pub const fn sorts(mut self, asc: &'static str, desc: Option<&'static str>) -> Self {
        self.sort = Some((asc, desc));
        self
    }

    /// The list is in this column's `order` (one of its sort values) when the address
    /// names no order.
    pub const fn by_default(mut self, order: &'static str) -> Self {
        self.default_sort = Some(order);
        self
    }

    /// Shown on wide screens only.
    pub const fn wide_only(mut self) -> Self {
        self.wide_only = true;
        self
    }

    /// Named for screen readers only (a column of buttons).
    pub const fn unlabelled(mut self) -> Self {
        self.unlabelled = true;
        self
    }
}

/// What a paged list loads: a page of rows, perhaps with more about the list.
pub trait Listing {
    type Row;
    fn into_page(self) -> Page<Self::Row>;
}

impl<T> Listing for Page<T> {
    type Row = T;
    fn into_page(self) -> Page<T> {
        self
    }
}

/// A table of rows under the columns' headers. `row` gives each row's `<tr>` (or more
/// than one: a row and its details). `columns` takes an array, a reference to one, a slice
/// or a `Vec`.
#[component]
pub fn DataTable<T, R, V>(
    #[prop(into)] columns: Vec<Column>,
    rows: Vec<T>,
    row: R,
    /// Classes besides `data`.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView
where
    R: Fn(T) -> V,
    V: IntoView,
{
    let current_sort = use_query_map()
        .with_untracked(|q| q.get("sort"))
        .or(columns.iter().find_map(|c| c.default_sort.map(str::to_string)));
    view! {
        <div class="table-wrap">
            <table class=format!("data {class}")>
                <thead>
                    <tr>{columns.iter().map(|c| header(c, current_sort.as_deref())).collect_view()}</tr>
                </thead>
                <tbody>{rows.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
    }
}

fn header(c: &Column, current_sort: Option<&str>) -> impl IntoView {
    let class = c.wide_only.then_some("wide-only");
    let Some((asc, desc)) = c.sort else {
        let label = if c.unlabelled {
            view! { <span class="visually-hidden">{c.label}</span> }.into_any()
        } else {
            c.label.into_any()
        };
        return view! { <th scope="col" class=class>{label}</th> }.into_any();
    };
    let (target, state) = match current_sort {
        Some(s) if s == asc => (desc.unwrap_or(asc), "ascending"),
        Some(s) if Some(s) == desc => (asc, "descending"),
        _ => (asc, "none"),
    };
    let path = use_location().pathname.get_untracked();
    let href = use_query_map().with_untracked(|q| with_params(&path, q, &[("sort", Some(target))]));
    view! {
        <th scope="col" class=class aria-sort=state>
            <a href=href class="sort-link">{c.label}</a>
        </th>
    }
    .into_any()
}

/// A paged list as it loads: its table and pager, what shows when nothing matches, or
/// the error.
#[component]
pub fn ListView<L, R, V>(
    list: Resource<Result<L, AppError>>,
    #[prop(into)] columns: Vec<Column>,
    row: R,
    /// What the pager counts.
    counts: Counted,
    /// What shows when no row matches.
    empty: &'static str,
    #[prop(optional)] class: &'static str,
    /// Where the list is exported (`…/export`), with the same filters.
    #[prop(optional, into)]
    export: Option<String>,
) -> impl IntoView
where
    L: Listing + Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    L::Row: 'static,
    R: Fn(L::Row) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        {export.map(|path| view! { <ExportLinks path /> })}
        <Transition fallback=|| view! { <Loading /> }>
            {move || {
                let row = row.clone();
                let columns = columns.clone();
                Suspend::new(async move {
                    match list.await.map(Listing::into_page) {
                        Ok(page) if page.rows.is_empty() => view! { <Empty message=empty /> }.into_any(),
                        Ok(page) => view! {
                            <DataTable columns rows=page.rows row class />
                            <Pager total=page.total next=page.next counts at_least=page.total_capped />
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// Links that download the list as the page filters it, as CSV and as JSON Lines.
#[component]
pub fn ExportLinks(#[prop(into)] path: String) -> impl IntoView {
    let query = use_query_map();
    let href = move |format: &'static str| query.with(|q| with_params(&path, q, &[("format", Some(format))]));
    let (csv, jsonl) = (href.clone(), href);
    let i18n = use_i18n();
    view! {
        <p class="list-tools">
            <span class="hint">{t!(i18n, common.list_export)}</span>
            <a class="button secondary small" href=move || csv("csv") download>"CSV"</a>
            <a class="button secondary small" href=move || jsonl("jsonl") download>"JSON Lines"</a>
        </p>
    }
}
