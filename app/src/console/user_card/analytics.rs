//! The Analytics tab: licences per level — total, used, free.

use crate::components::states::{Empty, ErrorState, Loading};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LicenceRow {
    pub level: i64,
    pub total: i64,
    pub used: i64,
}

impl LicenceRow {
    pub fn free(&self) -> i64 {
        (self.total - self.used).max(0)
    }
}

#[server(prefix = "/api/console", endpoint = "user_licences")]
pub async fn user_licences(id: i64) -> Result<Vec<LicenceRow>, AppError> {
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("users-view").await?;
        super::load_header(ctx.db(), id).await?;
        // Used: cameras in the cases of that level, of the user and its sub-users.
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT l.level, l.total, \
               (SELECT COUNT(*) FROM case_cameras cc JOIN analytics_cases ac ON ac.id = cc.case_id \
                 WHERE ac.account_id = l.user_id AND ac.level = l.level) \
             FROM licences l WHERE l.user_id = $1 AND l.total > 0 ORDER BY l.level",
        )
        .bind(id)
        .fetch_all(&ctx.db().pool)
        .await?;
        Ok(rows.into_iter().map(|(level, total, used)| LicenceRow { level, total, used }).collect())
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
                                        let free = r.free();
                                        view! {
                                            <tr>
                                                <td>{format!("Level {}", r.level)}</td>
                                                <td>{r.total}</td>
                                                <td>{r.used}</td>
                                                <td>{free}</td>
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
