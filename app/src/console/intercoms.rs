//! Intercoms (SPEC §5.3): `/intercoms` (list, search, create), `/intercoms/{id}/general`
//! (edit) and `/intercoms/{id}/apartments` (link users to flats, manage their keys).
//! Viewing needs `users-view`; every change needs `intercoms-edit` and is audited.

use crate::components::form::FormFooter;
use crate::components::pager::Pager;
use crate::components::states::{Empty, ErrorState, Loading};
use crate::components::tabs::{TabLink, TabList};
use crate::console::layout::ConsoleLayout;
use crate::domain::page::Page;
use crate::domain::time::{format_date, format_utc};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Intercom {
    pub id: i64,
    pub name: String,
    pub csa_code: String,
    pub address: String,
    pub department: String,
    pub flat_from: i64,
    pub flat_to: i64,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntercomList {
    pub page: Page<Intercom>,
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntercomCard {
    pub intercom: Intercom,
    pub can_edit: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IntercomForm {
    pub name: String,
    pub csa_code: String,
    pub department: String,
    pub flat_from: i64,
    pub flat_to: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyRow {
    pub id: i64,
    pub code: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkRow {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub login: String,
    pub keys: Vec<KeyRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlatRow {
    pub flat: i64,
    pub links: Vec<LinkRow>,
}

/// One page of flats: consecutive flats of the range, or only the linked ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlatsPage {
    pub flats: Vec<FlatRow>,
    /// The first flat of the next page, if any.
    pub next: Option<i64>,
    pub linked_flats: i64,
    pub can_edit: bool,
}

#[cfg(feature = "ssr")]
const FLATS_PER_PAGE: i64 = 20;

#[cfg(feature = "ssr")]
mod db {
    use super::*;
    use crate::domain::address::format_address;
    use crate::server::principal::Ctx;
    use sqlx::AnyConnection;

    pub const SELECT: &str = "SELECT i.id, i.name, i.csa_code, cs.city, cs.street, cs.house, cs.entrance, \
        i.department, i.flat_from, i.flat_to, i.created_at FROM intercoms i JOIN csa_codes cs ON cs.code = i.csa_code";

    pub type Row = (i64, String, String, String, String, String, String, String, i64, i64, i64);

    pub fn intercom(r: Row) -> Intercom {
        let (id, name, csa_code, city, street, house, entrance, department, flat_from, flat_to, created_at) = r;
        Intercom {
            id,
            name,
            csa_code,
            address: format_address(&city, &street, &house, &entrance),
            department,
            flat_from,
            flat_to,
            created_at,
        }
    }

    pub async fn load(conn: &mut AnyConnection, id: i64) -> Result<Intercom, AppError> {
        let row: Option<Row> =
            sqlx::query_as(&format!("{SELECT} WHERE i.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
        row.map(intercom).ok_or(AppError::NotFound)
    }

    /// The link with its intercom, flat and user, for changes and their audit.
    pub async fn link(conn: &mut AnyConnection, link: i64) -> Result<(i64, i64, i64, String), AppError> {
        let row: Option<(i64, i64, i64, String)> = sqlx::query_as(
            "SELECT al.intercom_id, al.flat, al.user_id, u.login FROM apartment_links al JOIN users u ON u.id = al.user_id \
             WHERE al.id = $1",
        )
        .bind(link)
        .fetch_optional(&mut *conn)
        .await?;
        row.ok_or(AppError::NotFound)
    }

    pub async fn audit(
        conn: &mut AnyConnection,
        ctx: &Ctx,
        action: &str,
        target: (&str, i64, &str),
        user_id: Option<i64>,
        details: serde_json::Value,
    ) -> Result<(), AppError> {
        let entry = crate::server::audit::Entry::by_admin(&ctx.admin, action, target, user_id, details);
        crate::server::audit::record(&mut *conn, ctx.now(), entry).await
    }
}

#[server(prefix = "/api/console", endpoint = "intercoms")]
pub async fn list_intercoms(q: Option<String>, after: Option<String>) -> Result<IntercomList, AppError> {
    use crate::domain::page::{Cursor, PAGE_SIZE};
    use crate::server::db::like_pattern;
    use crate::server::sql::Sql;
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("users-view").await?;
        let mut filter = Sql::new(" WHERE 1 = 1");
        if let Some(term) = q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            filter.push(" AND i.search LIKE ").bind(like_pattern(term)).push(" ESCAPE '\\'");
        }
        let mut count = filter.clone();
        count.text = format!("SELECT COUNT(*) FROM intercoms i{}", filter.text);
        let (total,): (i64,) = count.query_as().fetch_one(&ctx.db().pool).await?;
        let mut list = filter.clone();
        list.text = format!("{}{}", db::SELECT, filter.text);
        if let Some(c) = after.as_deref().and_then(Cursor::decode) {
            list.push(" AND i.id < ").bind(c.id);
        }
        list.push(&format!(" ORDER BY i.id DESC LIMIT {}", PAGE_SIZE + 1));
        let rows: Vec<db::Row> = list.query_as().fetch_all(&ctx.db().pool).await?;
        let rows = rows.into_iter().map(db::intercom).collect();
        Ok(IntercomList {
            page: Page::from_rows(rows, total, |i: &Intercom| Cursor { key: String::new(), id: i.id }),
            can_edit: ctx.admin.can("intercoms-edit"),
        })
    })
    .await
}

#[server(prefix = "/api/console", endpoint = "intercom")]
pub async fn get_intercom(id: i64) -> Result<IntercomCard, AppError> {
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("users-view").await?;
        let mut conn = ctx.db().pool.acquire().await?;
        Ok(IntercomCard { intercom: db::load(&mut conn, id).await?, can_edit: ctx.admin.can("intercoms-edit") })
    })
    .await
}

/// Creates (`id` none) or edits an intercom; answers its id.
#[server(prefix = "/api/console", endpoint = "save_intercom", input = Json)]
pub async fn save_intercom(id: Option<i64>, form: IntercomForm) -> Result<i64, AppError> {
    use crate::domain::intercom::check_range;
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("intercoms-edit").await?;
        let name = form.name.trim().to_string();
        let department = form.department.trim().to_string();
        let code = form.csa_code.trim().to_string();
        if name.is_empty() || name.chars().count() > 128 {
            return Err(AppError::Invalid("The name must be 1–128 characters.".into()));
        }
        if department.is_empty() || department.chars().count() > 64 {
            return Err(AppError::Invalid("The department (entrance) must be 1–64 characters.".into()));
        }
        check_range(form.flat_from, form.flat_to).map_err(AppError::Invalid)?;
        let mut tx = ctx.db().pool.begin().await?;
        let address: Option<(String, String, String)> =
            sqlx::query_as("SELECT city, street, house FROM csa_codes WHERE code = $1")
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await?;
        let (city, street, house) =
            address.ok_or_else(|| AppError::Invalid(format!("Unknown CSA code {code}: it is not in the directory.")))?;
        let search = format!("{name} {city} {street} {house}").to_lowercase();
        let now = ctx.now();
        let (id, action, details) = match id {
            None => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO intercoms (name, csa_code, department, flat_from, flat_to, search, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&name)
                .bind(&code)
                .bind(&department)
                .bind(form.flat_from)
                .bind(form.flat_to)
                .bind(&search)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                (id, "intercom.create", serde_json::json!({"csa_code": code, "flats": [form.flat_from, form.flat_to]}))
            }
            Some(id) => {
                let before = db::load(&mut tx, id).await?;
                let outside: Vec<(i64,)> = sqlx::query_as(
                    "SELECT DISTINCT flat FROM apartment_links WHERE intercom_id = $1 AND (flat < $2 OR flat > $3) ORDER BY flat",
                )
                .bind(id)
                .bind(form.flat_from)
                .bind(form.flat_to)
                .fetch_all(&mut *tx)
                .await?;
                if !outside.is_empty() {
                    let flats: Vec<String> = outside.iter().map(|(f,)| f.to_string()).collect();
                    return Err(AppError::Conflict(format!(
                        "Flats {} have linked users outside the new range; unlink them first.",
                        flats.join(", ")
                    )));
                }
                sqlx::query(
                    "UPDATE intercoms SET name = $1, csa_code = $2, department = $3, flat_from = $4, flat_to = $5, search = $6 \
                     WHERE id = $7",
                )
                .bind(&name)
                .bind(&code)
                .bind(&department)
                .bind(form.flat_from)
                .bind(form.flat_to)
                .bind(&search)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({
                    "before": {"name": before.name, "csa_code": before.csa_code, "department": before.department, "flats": [before.flat_from, before.flat_to]},
                    "after": {"name": name, "csa_code": code, "department": department, "flats": [form.flat_from, form.flat_to]},
                });
                (id, "intercom.update", details)
            }
        };
        db::audit(&mut tx, &ctx, action, ("intercom", id, &name), None, details).await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

#[server(prefix = "/api/console", endpoint = "intercom_apartments")]
pub async fn intercom_apartments(id: i64, start: Option<i64>, linked_only: bool) -> Result<FlatsPage, AppError> {
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("users-view").await?;
        let mut conn = ctx.db().pool.acquire().await?;
        let i = db::load(&mut conn, id).await?;
        let start = start.unwrap_or(i.flat_from).clamp(i.flat_from, i.flat_to + 1);
        let (linked_flats,): (i64,) =
            sqlx::query_as("SELECT COUNT(DISTINCT flat) FROM apartment_links WHERE intercom_id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        // The flats of this page, and the first flat of the next.
        let (flats, next): (Vec<i64>, Option<i64>) = if linked_only {
            let rows: Vec<(i64,)> = sqlx::query_as(
                "SELECT DISTINCT flat FROM apartment_links WHERE intercom_id = $1 AND flat >= $2 ORDER BY flat LIMIT $3",
            )
            .bind(id)
            .bind(start)
            .bind(FLATS_PER_PAGE + 1)
            .fetch_all(&mut *conn)
            .await?;
            let mut flats: Vec<i64> = rows.into_iter().map(|(f,)| f).collect();
            let next = (flats.len() as i64 > FLATS_PER_PAGE).then(|| flats.pop()).flatten();
            (flats, next)
        } else {
            let end = (start + FLATS_PER_PAGE - 1).min(i.flat_to);
            ((start..=end).collect(), (end < i.flat_to).then_some(end + 1))
        };
        let (first, last) = (flats.first().copied().unwrap_or(0), flats.last().copied().unwrap_or(-1));
        let links: Vec<(i64, i64, i64, String, String)> = sqlx::query_as(
            "SELECT al.id, al.flat, u.id, u.name, u.login FROM apartment_links al JOIN users u ON u.id = al.user_id \
             WHERE al.intercom_id = $1 AND al.flat BETWEEN $2 AND $3 ORDER BY al.flat, al.id",
        )
        .bind(id)
        .bind(first)
        .bind(last)
        .fetch_all(&mut *conn)
        .await?;
        let keys: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT k.id, k.link_id, k.code FROM apartment_keys k JOIN apartment_links al ON al.id = k.link_id \
             WHERE al.intercom_id = $1 AND al.flat BETWEEN $2 AND $3 ORDER BY k.code",
        )
        .bind(id)
        .bind(first)
        .bind(last)
        .fetch_all(&mut *conn)
        .await?;
        let flats = flats
            .into_iter()
            .map(|flat| FlatRow {
                flat,
                links: links
                    .iter()
                    .filter(|l| l.1 == flat)
                    .map(|(link, _, user_id, user_name, login)| LinkRow {
                        id: *link,
                        user_id: *user_id,
                        user_name: user_name.clone(),
                        login: login.clone(),
                        keys: keys
                            .iter()
                            .filter(|k| k.1 == *link)
                            .map(|(id, _, code)| KeyRow { id: *id, code: code.clone() })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        Ok(FlatsPage { flats, next, linked_flats, can_edit: ctx.admin.can("intercoms-edit") })
    })
    .await
}

/// Links the user with `login` to a flat of the intercom; answers the link id.
#[server(prefix = "/api/console", endpoint = "link_apartment", input = Json)]
pub async fn link_apartment(intercom_id: i64, flat: i64, login: String) -> Result<i64, AppError> {
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("intercoms-edit").await?;
        let login = login.trim().to_string();
        let mut tx = ctx.db().pool.begin().await?;
        let i = db::load(&mut tx, intercom_id).await?;
        if flat < i.flat_from || flat > i.flat_to {
            return Err(AppError::Invalid(format!(
                "Flat {flat} is outside this intercom's range {}–{}.",
                i.flat_from, i.flat_to
            )));
        }
        let user: Option<(i64, String, Option<i64>, String)> =
            sqlx::query_as("SELECT id, status, parent_id, login FROM users WHERE LOWER(login) = LOWER($1)")
                .bind(&login)
                .fetch_optional(&mut *tx)
                .await?;
        let (user, status, login) = match user {
            None => return Err(AppError::Invalid(format!("No user has the login {login}."))),
            Some((_, _, Some(_), _)) => {
                return Err(AppError::Invalid(format!("{login} is a sub-user; link its parent user instead.")))
            }
            Some((id, status, None, stored)) => (id, status, stored),
        };
        if status == "deleted" {
            return Err(AppError::Invalid(format!("The user {login} was deleted.")));
        }
        let existing: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM apartment_links WHERE intercom_id = $1 AND flat = $2 AND user_id = $3")
                .bind(intercom_id)
                .bind(flat)
                .bind(user)
                .fetch_optional(&mut *tx)
                .await?;
        if existing.is_some() {
            return Err(AppError::Conflict(format!("{login} is already linked to flat {flat}.")));
        }
        let (link,): (i64,) = sqlx::query_as(
            "INSERT INTO apartment_links (intercom_id, flat, user_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(intercom_id)
        .bind(flat)
        .bind(user)
        .bind(ctx.now())
        .fetch_one(&mut *tx)
        .await?;
        let details = serde_json::json!({"intercom_id": intercom_id, "intercom": i.name, "flat": flat});
        db::audit(&mut tx, &ctx, "apartment.link", ("user", user, &login), Some(user), details).await?;
        tx.commit().await?;
        Ok(link)
    })
    .await
}

#[server(prefix = "/api/console", endpoint = "unlink_apartment")]
pub async fn unlink_apartment(link_id: i64) -> Result<(), AppError> {
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("intercoms-edit").await?;
        let mut tx = ctx.db().pool.begin().await?;
        let (intercom_id, flat, user, login) = db::link(&mut tx, link_id).await?;
        sqlx::query("DELETE FROM apartment_keys WHERE link_id = $1").bind(link_id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM apartment_links WHERE id = $1").bind(link_id).execute(&mut *tx).await?;
        let details = serde_json::json!({"intercom_id": intercom_id, "flat": flat});
        db::audit(&mut tx, &ctx, "apartment.unlink", ("user", user, &login), Some(user), details).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/api/console", endpoint = "add_apartment_key", input = Json)]
pub async fn add_apartment_key(link_id: i64, code: String) -> Result<i64, AppError> {
    use crate::domain::intercom::normalise_key;
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("intercoms-edit").await?;
        let code = normalise_key(&code).map_err(AppError::Invalid)?;
        let mut tx = ctx.db().pool.begin().await?;
        let (intercom_id, flat, user, login) = db::link(&mut tx, link_id).await?;
        let taken: Option<(i64,)> = sqlx::query_as(
            "SELECT al.flat FROM apartment_keys k JOIN apartment_links al ON al.id = k.link_id \
             WHERE k.intercom_id = $1 AND k.code = $2",
        )
        .bind(intercom_id)
        .bind(&code)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((other,)) = taken {
            return Err(AppError::Conflict(format!("Key {code} already opens this door (flat {other}).")));
        }
        let (key,): (i64,) = sqlx::query_as(
            "INSERT INTO apartment_keys (link_id, intercom_id, code, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(link_id)
        .bind(intercom_id)
        .bind(&code)
        .bind(ctx.now())
        .fetch_one(&mut *tx)
        .await?;
        let details = serde_json::json!({"intercom_id": intercom_id, "flat": flat, "key": code});
        db::audit(&mut tx, &ctx, "apartment.key_add", ("user", user, &login), Some(user), details).await?;
        tx.commit().await?;
        Ok(key)
    })
    .await
}

#[server(prefix = "/api/console", endpoint = "remove_apartment_key")]
pub async fn remove_apartment_key(key_id: i64) -> Result<(), AppError> {
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("intercoms-edit").await?;
        let mut tx = ctx.db().pool.begin().await?;
        let key: Option<(i64, String)> = sqlx::query_as("SELECT link_id, code FROM apartment_keys WHERE id = $1")
            .bind(key_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (link, code) = key.ok_or(AppError::NotFound)?;
        let (intercom_id, flat, user, login) = db::link(&mut tx, link).await?;
        sqlx::query("DELETE FROM apartment_keys WHERE id = $1").bind(key_id).execute(&mut *tx).await?;
        let details = serde_json::json!({"intercom_id": intercom_id, "flat": flat, "key": code});
        db::audit(&mut tx, &ctx, "apartment.key_remove", ("user", user, &login), Some(user), details).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

// ---- Pages ----

#[component]
pub fn IntercomsPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k));
    let reload = RwSignal::new(0u32);
    let list =
        Resource::new(move || (param("q"), param("after"), reload.get()), |(q, after, _)| list_intercoms(q, after));
    let creating = RwSignal::new(false);
    view! {
        <Title text="Intercoms" />
        <ConsoleLayout>
            <div class="page-head">
                <h1>"Intercoms"</h1>
            </div>
            <form class="filters" method="get" action="/intercoms" role="search">
                <div class="field grow">
                    <label for="intercom-search">"Search by name or address"</label>
                    <input id="intercom-search" type="search" name="q" value=move || param("q").unwrap_or_default() />
                </div>
                <button type="submit" class="button primary">"Search"</button>
            </form>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(l) => view! {
                            {l.can_edit.then(|| view! {
                                <Show when=move || creating.get() fallback=move || view! {
                                    <p><button type="button" class="button primary" on:click=move |_| creating.set(true)>"New intercom"</button></p>
                                }>
                                    <IntercomEditor id=None initial=IntercomForm { flat_from: 1, flat_to: 60, ..Default::default() }
                                        on_done=Callback::new(move |saved: Option<i64>| {
                                            creating.set(false);
                                            if let Some(id) = saved {
                                                crate::components::dom::hard_navigate(&format!("/intercoms/{id}/general"));
                                            }
                                        }) />
                                </Show>
                            })}
                            {if l.page.rows.is_empty() {
                                view! { <Empty message="No intercoms match." /> }.into_any()
                            } else {
                                view! { <IntercomTable page=l.page /> }.into_any()
                            }}
                        }.into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </ConsoleLayout>
    }
}

#[component]
fn IntercomTable(page: Page<Intercom>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Department"</th>
                        <th scope="col">"Flats"</th>
                        <th scope="col" class="wide-only">"Created at"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|i| view! {
                        <tr>
                            <td><a href=format!("/intercoms/{}/general", i.id)>{i.name}</a></td>
                            <td>{i.address}</td>
                            <td>{i.department}</td>
                            <td>{format!("{}–{}", i.flat_from, i.flat_to)}</td>
                            <td class="wide-only">{format_date(i.created_at)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager total=page.total next=page.next noun="intercoms" />
    }
}

#[component]
fn IntercomEditor(id: Option<i64>, initial: IntercomForm, on_done: Callback<Option<i64>>) -> impl IntoView {
    let form = RwSignal::new(initial);
    let save = Action::new(move |f: &IntercomForm| save_intercom(id, f.clone()));
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            on_done.run(Some(saved));
        }
    });
    let error = move || save.value().get().and_then(Result::err);
    let title = if id.is_some() { "Edit intercom" } else { "New intercom" };
    let text = |get: fn(&IntercomForm) -> String, set: fn(&mut IntercomForm, String)| {
        (move || form.with(|f| get(f)), move |ev: leptos::ev::Event| form.update(|f| set(f, event_target_value(&ev))))
    };
    let (name_v, name_set) = text(|f| f.name.clone(), |f, v| f.name = v);
    let (csa_v, csa_set) = text(|f| f.csa_code.clone(), |f, v| f.csa_code = v);
    let (dep_v, dep_set) = text(|f| f.department.clone(), |f, v| f.department = v);
    let (from_v, from_set) = text(|f| f.flat_from.to_string(), |f, v| f.flat_from = v.trim().parse().unwrap_or(0));
    let (to_v, to_set) = text(|f| f.flat_to.to_string(), |f, v| f.flat_to = v.trim().parse().unwrap_or(0));
    view! {
        <form class="card editor" aria-label=title on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.dispatch(form.get_untracked());
        }>
            <h2>{title}</h2>
            <div class="form-grid">
                <div class="field"><label for="ic-name">"Name"</label><input id="ic-name" required prop:value=name_v on:input=name_set /></div>
                <div class="field"><label for="ic-csa">"CSA code of the address"</label><input id="ic-csa" required prop:value=csa_v on:input=csa_set /></div>
                <div class="field"><label for="ic-dep">"Department (entrance)"</label><input id="ic-dep" required prop:value=dep_v on:input=dep_set /></div>
                <div class="field">
                    <span class="label-like">"Flat range"</span>
                    <div class="range">
                        <label for="ic-from" class="visually-hidden">"First flat"</label>
                        <input id="ic-from" type="number" min="1" required prop:value=from_v on:input=from_set />
                        <span aria-hidden="true">"–"</span>
                        <label for="ic-to" class="visually-hidden">"Last flat"</label>
                        <input id="ic-to" type="number" min="1" required prop:value=to_v on:input=to_set />
                    </div>
                </div>
            </div>
            <FormFooter error=Signal::derive(error) pending=save.pending() on_cancel=Callback::new(move |_| on_done.run(None)) />
        </form>
    }
}

#[component]
pub fn IntercomCardPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let tab = move || params.with(|p| p.get("tab")).unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let card = Resource::new(
        move || (id(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_intercom(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <ConsoleLayout>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <a href="/intercoms">"Intercoms"</a>
            </nav>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match card.await {
                        Ok(c) => view! { <CardBody c tab=tab() reload /> }.into_any(),
                        Err(error) => view! { <Title text="Intercom" /><ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </ConsoleLayout>
    }
}

#[component]
fn CardBody(c: IntercomCard, tab: String, reload: RwSignal<u32>) -> impl IntoView {
    let i = c.intercom.clone();
    let tabs = vec![
        TabLink { label: "General data", href: format!("/intercoms/{}/general", i.id), selected: tab == "general" },
        TabLink { label: "Apartments", href: format!("/intercoms/{}/apartments", i.id), selected: tab == "apartments" },
    ];
    let body = match tab.as_str() {
        "general" => view! { <General c=c.clone() reload /> }.into_any(),
        "apartments" => view! { <Apartments id=i.id can_edit=c.can_edit /> }.into_any(),
        _ => view! { <ErrorState error=AppError::NotFound /> }.into_any(),
    };
    let tab_name = if tab == "apartments" { "Apartments" } else { "General data" };
    view! {
        <Title text=format!("{} · {tab_name}", i.name) />
        <section class="card-header" aria-label="Intercom summary">
            <div class="card-title"><h1>{i.name.clone()}</h1></div>
            <p class="hint">{format!("{} · {} · flats {}–{}", i.address, i.department, i.flat_from, i.flat_to)}</p>
        </section>
        <TabList label="Intercom" tabs />
        <section class="tab-panel" role="tabpanel" aria-label=tab_name>{body}</section>
    }
}

#[component]
fn General(c: IntercomCard, reload: RwSignal<u32>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let i = c.intercom;
    let initial = IntercomForm {
        name: i.name.clone(),
        csa_code: i.csa_code.clone(),
        department: i.department.clone(),
        flat_from: i.flat_from,
        flat_to: i.flat_to,
    };
    let id = i.id;
    view! {
        <Show when=move || editing.get() fallback=move || ()>
            <IntercomEditor id=Some(id) initial=initial.clone() on_done=Callback::new(move |saved: Option<i64>| {
                editing.set(false);
                if saved.is_some() { reload.update(|n| *n += 1); }
            }) />
        </Show>
        <dl class="details">
            <div><dt>"Name"</dt><dd>{i.name.clone()}</dd></div>
            <div><dt>"Address"</dt><dd>{format!("{} (CSA {})", i.address, i.csa_code)}</dd></div>
            <div><dt>"Department"</dt><dd>{i.department.clone()}</dd></div>
            <div><dt>"Flat range"</dt><dd>{format!("{}–{}", i.flat_from, i.flat_to)}</dd></div>
            <div><dt>"Creation date"</dt><dd>{format_utc(i.created_at)}</dd></div>
        </dl>
        {c.can_edit.then(|| view! {
            <div class="form-actions">
                <button type="button" class="button secondary" on:click=move |_| editing.set(true)>"Edit intercom"</button>
            </div>
        })}
    }
}

/// What an apartment change did, for the status line.
#[derive(Clone)]
enum Change {
    Link(i64, String),
    Unlink(i64),
    AddKey(i64, String),
    RemoveKey(i64),
}

#[component]
fn Apartments(id: i64, can_edit: bool) -> impl IntoView {
    let query = use_query_map();
    let start = move || query.with(|q| q.get("start").and_then(|s| s.parse::<i64>().ok()));
    let linked_only = move || query.with(|q| q.get("linked").is_some_and(|v| v == "1"));
    let reload = RwSignal::new(0u32);
    let flats =
        Resource::new(move || (start(), linked_only(), reload.get()), move |(s, l, _)| intercom_apartments(id, s, l));
    let change = Action::new(move |c: &Change| {
        let c = c.clone();
        async move {
            match c {
                Change::Link(flat, login) => link_apartment(id, flat, login.clone())
                    .await
                    .map(|_| format!("Linked {} to flat {flat}.", login.trim())),
                Change::Unlink(link) => unlink_apartment(link).await.map(|_| "Unlinked.".to_string()),
                Change::AddKey(link, code) => add_apartment_key(link, code.clone())
                    .await
                    .map(|_| format!("Key {} added.", code.trim().to_uppercase())),
                Change::RemoveKey(key) => remove_apartment_key(key).await.map(|_| "Key removed.".to_string()),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = change.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let link_flat = RwSignal::new(String::new());
    let link_login = RwSignal::new(String::new());
    view! {
        {can_edit.then(|| view! {
            <form class="filters" aria-label="Link a user to a flat" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let flat = link_flat.get_untracked().trim().parse::<i64>().unwrap_or(0);
                change.dispatch(Change::Link(flat, link_login.get_untracked()));
            }>
                <div class="field">
                    <label for="link-flat">"Flat"</label>
                    <input id="link-flat" type="number" min="1" required prop:value=move || link_flat.get() on:input=move |ev| link_flat.set(event_target_value(&ev)) />
                </div>
                <div class="field grow">
                    <label for="link-login">"User login"</label>
                    <input id="link-login" required autocomplete="off" prop:value=move || link_login.get() on:input=move |ev| link_login.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class="button primary" disabled=move || change.pending().get()>"Link user"</button>
            </form>
        })}
        {move || change.value().get().map(|r| match r {
            Ok(msg) => view! { <p class="notice ok" role="status">{msg}</p> }.into_any(),
            Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
        })}
        <p class="toolbar">
            {move || if linked_only() {
                view! { <a href=format!("/intercoms/{id}/apartments")>"Show every flat"</a> }.into_any()
            } else {
                view! { <a href=format!("/intercoms/{id}/apartments?linked=1")>"Show only flats with users"</a> }.into_any()
            }}
        </p>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match flats.await {
                    Ok(p) if p.flats.is_empty() => view! { <Empty message="No flat of this intercom has a linked user." /> }.into_any(),
                    Ok(p) => view! { <FlatsTable p id linked=linked_only() change /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn FlatsTable(p: FlatsPage, id: i64, linked: bool, change: Action<Change, Result<String, AppError>>) -> impl IntoView {
    let can_edit = p.can_edit;
    let suffix = if linked { "&linked=1" } else { "" };
    let next = p.next.map(|n| format!("/intercoms/{id}/apartments?start={n}{suffix}"));
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Flat"</th>
                        <th scope="col">"User"</th>
                        <th scope="col">"Keys"</th>
                    </tr>
                </thead>
                <tbody>
                    {p.flats.into_iter().map(|f| {
                        let flat = f.flat;
                        if f.links.is_empty() {
                            return view! { <tr><td>{flat}</td><td class="hint">"—"</td><td></td></tr> }.into_any();
                        }
                        f.links.into_iter().map(|l| {
                            let link = l.id;
                            let new_key = RwSignal::new(String::new());
                            view! {
                                <tr>
                                    <td>{flat}</td>
                                    <td>
                                        <a href=format!("/users/{}/intercoms", l.user_id)>{l.user_name.clone()}</a>
                                        <span class="hint">{format!(" {}", l.login)}</span>
                                        {can_edit.then(|| view! {
                                            " "
                                            <button type="button" class="button secondary small" aria-label=format!("Unlink {} from flat {flat}", l.login)
                                                on:click=move |_| { change.dispatch(Change::Unlink(link)); }>"Unlink"</button>
                                        })}
                                    </td>
                                    <td>
                                        <ul class="keys">
                                            {l.keys.iter().map(|k| {
                                                let key = k.id;
                                                view! {
                                                    <li>
                                                        <code>{k.code.clone()}</code>
                                                        {can_edit.then(|| view! {
                                                            <button type="button" class="button secondary small" aria-label=format!("Remove key {}", k.code)
                                                                on:click=move |_| { change.dispatch(Change::RemoveKey(key)); }>"×"</button>
                                                        })}
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                        {can_edit.then(|| view! {
                                            <form class="inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                                ev.prevent_default();
                                                change.dispatch(Change::AddKey(link, new_key.get_untracked()));
                                            }>
                                                <label for=format!("key-{link}") class="visually-hidden">{format!("New key for {} in flat {flat}", l.login)}</label>
                                                <input id=format!("key-{link}") class="key-input" placeholder="New key" prop:value=move || new_key.get()
                                                    on:input=move |ev| new_key.set(event_target_value(&ev)) />
                                                <button type="submit" class="button secondary small">"Add key"</button>
                                            </form>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view().into_any()
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pagination">
            <span class="pager-total">{format!("{} flats with users", p.linked_flats)}</span>
            <span class="pager-links">
                <a class="button secondary" href=format!("/intercoms/{id}/apartments{}", if linked { "?linked=1" } else { "" })>"First flats"</a>
                {next.map(|href| view! { <a class="button secondary" href=href rel="next">"Next flats"</a> })}
            </span>
        </nav>
    }
}
