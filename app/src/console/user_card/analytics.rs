//! The Analytics tab: licences per level — total, used, free — and, for a level whose
//! licences went to zero, how many cases are kept hidden and when they will be removed.

use crate::components::list::{Column, DataTable};
use crate::components::states::{Empty, ErrorState, Loading};
use crate::error::AppError;
use crate::views::analytics::LevelRow;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A level without licences whose cases are kept, hidden, until `purge_at` (SPEC §8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptCases {
    pub level: i64,
    /// Cases of the level (of the user and its sub-users) within the administrator's scope.
    pub cases: i64,
    /// More are kept on cameras outside the administrator's scope.
    pub cases_elsewhere: bool,
    pub purge_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Licences {
    /// The levels with licences (`used` within the administrator's scope).
    pub rows: Vec<LevelRow>,
    pub kept: Vec<KeptCases>,
}

#[server(prefix = "/api/console", endpoint = "user_licences")]
pub async fn user_licences(id: i64) -> Result<Licences, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        let mut conn = ctx.db().pool.acquire().await?;
        let mut rows = crate::backend::cases::licence_levels(&mut conn, id, Some(ctx.admin.id)).await?;
        drop(conn);
        rows.retain(|l| l.total > 0);
        let kept = super::queries::kept_cases(ctx.db(), id, ctx.admin.id)
            .await?
            .into_iter()
            .map(|k| KeptCases {
                level: k.level,
                cases: k.cases,
                cases_elsewhere: k.all_cases > k.cases,
                purge_at: k.zero_since + crate::domain::retention::UNLICENSED_KEEP_MS,
            })
            .collect();
        Ok(Licences { rows, kept })
    })
    .await
}

#[component]
pub fn AnalyticsTab(id: i64) -> impl IntoView {
    let licences = Resource::new(move || id, user_licences);
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match licences.await {
                    Ok(l) if l.rows.is_empty() && l.kept.is_empty() => {
                        view! { <Empty message="This user holds no analytics licences." /> }.into_any()
                    }
                    Ok(l) => view! {
                        {(!l.rows.is_empty()).then(|| view! { <DataTable columns=&LICENCE_COLUMNS rows=l.rows row=licence_row /> })}
                        <KeptList kept=l.kept />
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

const LICENCE_COLUMNS: [Column; 4] = [
    Column::new("Video analytics level"),
    Column::new("Total number of licenses"),
    Column::new("Used number of licenses"),
    Column::new("Free number of licenses"),
];

fn licence_row(r: LevelRow) -> impl IntoView {
    view! {
        <tr>
            <td data-label="Level">{format!("Level {}", r.level)}</td>
            <td data-label="Total">{r.total}</td>
            <td data-label="Used">
                {r.used}
                {r.used_elsewhere.then(|| view! { <span class="hint">" + cameras outside your scope"</span> })}
            </td>
            <td data-label="Free">{r.free}</td>
        </tr>
    }
}

/// Levels whose licences went to zero: their cases are hidden from the user, kept for 7
/// days in case licences come back, then removed.
#[component]
fn KeptList(kept: Vec<KeptCases>) -> impl IntoView {
    use crate::domain::text::count_label;
    use crate::domain::time::format_utc;
    (!kept.is_empty()).then(|| view! {
        <section class="notice" aria-label="Analytics kept without licences">
            <h2>"Kept without licences"</h2>
            <ul class="sync-list">
                {kept.into_iter().map(|k| view! {
                    <li>
                        {format!(
                            "Level {}: no licences. {} hidden from the user and kept until {}; removed then unless licences return.",
                            k.level,
                            count_label(k.cases, "analytics cases"),
                            format_utc(k.purge_at)
                        )}
                        {k.cases_elsewhere.then(|| view! { <span class="hint">" More are kept on cameras outside your scope."</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    })
}
