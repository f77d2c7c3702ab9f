//! The Analytics tab: licences per level — total, used, free — and, for a level whose
//! licences went to zero, how many cases are kept hidden and when they will be removed.

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
    use crate::backend::scope::camera_condition;
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        let mut conn = ctx.db().pool.acquire().await?;
        let mut rows = crate::backend::cases::licence_levels(&mut conn, id, Some(ctx.admin.id)).await?;
        drop(conn);
        rows.retain(|l| l.total > 0);
        // Cases of a level at zero licences, counted within the scope (a case counts when
        // none of its cameras lies outside it).
        let cases = |extra: &str| {
            format!(
                "(SELECT COUNT(*) FROM analytics_cases ac WHERE ac.account_id = l.user_id AND ac.level = l.level{extra})"
            )
        };
        let outside = format!(
            " AND NOT EXISTS (SELECT 1 FROM case_cameras cc JOIN cameras c ON c.id = cc.camera_id \
               WHERE cc.case_id = ac.id AND NOT {})",
            camera_condition(2)
        );
        let kept: Vec<(i64, i64, i64, i64)> = sqlx::query_as(&format!(
            "SELECT l.level, {}, {}, l.zero_since FROM licences l \
             WHERE l.user_id = $1 AND l.total = 0 AND l.zero_since IS NOT NULL AND {} > 0 ORDER BY l.level",
            cases(&outside),
            cases(""),
            cases("")
        ))
        .bind(id)
        .bind(ctx.admin.id)
        .fetch_all(&ctx.db().pool)
        .await?;
        let kept = kept
            .into_iter()
            .map(|(level, cases, all, zero_since)| KeptCases {
                level,
                cases,
                cases_elsewhere: all > cases,
                purge_at: zero_since + crate::domain::retention::UNLICENSED_KEEP_MS,
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
                        {(!l.rows.is_empty()).then(|| view! { <LicenceTable rows=l.rows /> })}
                        <KeptList kept=l.kept />
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn LicenceTable(rows: Vec<LevelRow>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Video analytics level"</th>
                        <th scope="col">"Total number of licenses"</th>
                        <th scope="col">"Used number of licenses"</th>
                        <th scope="col">"Free number of licenses"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td data-label="Level">{format!("Level {}", r.level)}</td>
                            <td data-label="Total">{r.total}</td>
                            <td data-label="Used">
                                {r.used}
                                {r.used_elsewhere.then(|| view! { <span class="hint">" + cameras outside your scope"</span> })}
                            </td>
                            <td data-label="Free">{r.free}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
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
