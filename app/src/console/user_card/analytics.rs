//! The Analytics tab: licences per level — total, used, free.

use crate::components::states::{Empty, ErrorState, Loading};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LicenceRow {
    pub level: i64,
    pub total: i64,
    /// Licences used by cameras within the signed-in administrator's scope.
    pub used: i64,
    /// Free licences of the account (total minus all used).
    pub free: i64,
    /// Some licences are used by cameras outside the administrator's scope (not counted in
    /// `used`).
    pub used_elsewhere: bool,
}

#[server(prefix = "/api/console", endpoint = "user_licences")]
pub async fn user_licences(id: i64) -> Result<Vec<LicenceRow>, AppError> {
    use crate::server::scope::camera_condition;
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("users-view").await?;
        super::load_header(ctx.db(), id).await?;
        // Used: cameras in the cases of that level, of the user and its sub-users; those
        // within the administrator's scope, and all of them (for the free count).
        let used = |extra: &str| {
            format!(
                "(SELECT COUNT(*) FROM case_cameras cc JOIN analytics_cases ac ON ac.id = cc.case_id \
                   JOIN cameras c ON c.id = cc.camera_id WHERE ac.account_id = l.user_id AND ac.level = l.level{extra})"
            )
        };
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(&format!(
            "SELECT l.level, l.total, {}, {} FROM licences l WHERE l.user_id = $1 AND l.total > 0 ORDER BY l.level",
            used(&format!(" AND {}", camera_condition(2))),
            used("")
        ))
        .bind(id)
        .bind(ctx.admin.id)
        .fetch_all(&ctx.db().pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(level, total, used, all)| LicenceRow {
                level,
                total,
                used,
                free: (total - all).max(0),
                used_elsewhere: all > used,
            })
            .collect())
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
                    Ok(rows) if rows.is_empty() => view! { <Empty message="This user holds no analytics licences." /> }.into_any(),
                    Ok(rows) => view! {
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
                                    {rows.into_iter().map(|r| {
                                        view! {
                                            <tr>
                                                <td>{format!("Level {}", r.level)}</td>
                                                <td>{r.total}</td>
                                                <td>
                                                    {r.used}
                                                    {r.used_elsewhere.then(|| view! { <span class="hint">" + cameras outside your scope"</span> })}
                                                </td>
                                                <td>{r.free}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
