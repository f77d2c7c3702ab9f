//! The intercom pages' queries.

use super::{Intercom, IntercomForm};
use crate::backend::principal::Ctx;
use crate::backend::{db::Db, sql::Sql};
use crate::domain::address::AddressParts;
use crate::domain::page::{Cursor, Page, PAGE_SIZE};
use crate::error::AppError;
use sqlx::AnyConnection;

const SELECT: &str = "SELECT i.id, i.name, i.csa_code, cs.city, cs.street, cs.house, cs.entrance, \
    i.department, i.flat_from, i.flat_to, i.created_at FROM intercoms i JOIN csa_codes cs ON cs.code = i.csa_code";

/// An intercom with the parts of its address.
#[derive(sqlx::FromRow)]
struct IntercomRow {
    id: i64,
    name: String,
    csa_code: String,
    #[sqlx(flatten)]
    address: AddressParts,
    department: String,
    flat_from: i64,
    flat_to: i64,
    created_at: i64,
}

impl From<IntercomRow> for Intercom {
    fn from(r: IntercomRow) -> Self {
        Intercom {
            address: r.address.line(),
            id: r.id,
            name: r.name,
            csa_code: r.csa_code,
            department: r.department,
            flat_from: r.flat_from,
            flat_to: r.flat_to,
            created_at: r.created_at,
        }
    }
}

/// A page of intercoms, newest first, those matching `q` (name, CSA code or address).
pub async fn list(db: &Db, q: Option<&str>, after: Option<&str>) -> Result<Page<Intercom>, AppError> {
    let mut filter = Sql::new(" WHERE 1 = 1");
    if let Some(term) = q.map(str::trim).filter(|t| !t.is_empty()) {
        filter.push(" AND i.search").like(crate::backend::db::like_pattern(term));
    }
    let mut count = filter.clone();
    count.text = format!("SELECT COUNT(*) FROM intercoms i{}", filter.text);
    let (total,): (i64,) = count.query_as().fetch_one(&db.pool).await?;
    let mut list = filter;
    list.text = format!("{SELECT}{}", list.text);
    if let Some(c) = after.and_then(Cursor::decode) {
        list.push(" AND i.id < ").bind(c.id);
    }
    list.push(&format!(" ORDER BY i.id DESC LIMIT {}", PAGE_SIZE + 1));
    let rows: Vec<IntercomRow> = list.query_as().fetch_all(&db.pool).await?;
    let rows = rows.into_iter().map(Intercom::from).collect();
    Ok(Page::from_rows(rows, total, |i: &Intercom| Cursor { key: String::new(), id: i.id }))
}

pub async fn load(conn: &mut AnyConnection, id: i64) -> Result<Intercom, AppError> {
    let row: Option<IntercomRow> =
        sqlx::query_as(&format!("{SELECT} WHERE i.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
    row.map(Intercom::from).ok_or(AppError::NotFound)
}

/// The parts of a CSA code's address an intercom is searched by.
#[derive(sqlx::FromRow)]
pub struct CsaAddress {
    pub city: String,
    pub street: String,
    pub house: String,
}

/// The address of the CSA code `code`, if the directory has it.
pub async fn csa_address(conn: &mut AnyConnection, code: &str) -> Result<Option<CsaAddress>, AppError> {
    let row = sqlx::query_as("SELECT city, street, house FROM csa_codes WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row)
}

/// Creates an intercom; answers its id.
pub async fn insert(conn: &mut AnyConnection, form: &IntercomForm, search: &str, now: i64) -> Result<i64, AppError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO intercoms (name, csa_code, department, flat_from, flat_to, search, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&form.name)
    .bind(&form.csa_code)
    .bind(&form.department)
    .bind(form.flat_from)
    .bind(form.flat_to)
    .bind(search)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn update(conn: &mut AnyConnection, id: i64, form: &IntercomForm, search: &str) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE intercoms SET name = $1, csa_code = $2, department = $3, flat_from = $4, flat_to = $5, search = $6 \
         WHERE id = $7",
    )
    .bind(&form.name)
    .bind(&form.csa_code)
    .bind(&form.department)
    .bind(form.flat_from)
    .bind(form.flat_to)
    .bind(search)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The flats of the intercom outside `from`–`to` that have linked users, in order.
pub async fn linked_flats_outside(conn: &mut AnyConnection, id: i64, from: i64, to: i64) -> Result<Vec<i64>, AppError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT flat FROM apartment_links WHERE intercom_id = $1 AND (flat < $2 OR flat > $3) ORDER BY flat",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(flat,)| flat).collect())
}

/// An apartment link with its intercom, flat and user, for changes and their audit.
#[derive(sqlx::FromRow)]
pub struct Link {
    pub intercom_id: i64,
    pub flat: i64,
    pub user_id: i64,
    pub login: String,
}

pub async fn link(conn: &mut AnyConnection, link: i64) -> Result<Link, AppError> {
    let row: Option<Link> = sqlx::query_as(
        "SELECT al.intercom_id, al.flat, al.user_id, u.login FROM apartment_links al JOIN users u ON u.id = al.user_id \
         WHERE al.id = $1",
    )
    .bind(link)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or(AppError::NotFound)
}

/// How many flats of the intercom have linked users.
pub async fn linked_flat_count(conn: &mut AnyConnection, intercom: i64) -> Result<i64, AppError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT flat) FROM apartment_links WHERE intercom_id = $1")
        .bind(intercom)
        .fetch_one(&mut *conn)
        .await?;
    Ok(count)
}

/// Up to `limit` flats of the intercom with linked users, from flat `start` on, in order.
pub async fn linked_flats(
    conn: &mut AnyConnection,
    intercom: i64,
    start: i64,
    limit: i64,
) -> Result<Vec<i64>, AppError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT flat FROM apartment_links WHERE intercom_id = $1 AND flat >= $2 ORDER BY flat LIMIT $3",
    )
    .bind(intercom)
    .bind(start)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(flat,)| flat).collect())
}

/// A user linked to a flat.
#[derive(sqlx::FromRow)]
pub struct FlatLink {
    pub id: i64,
    pub flat: i64,
    pub user_id: i64,
    pub user_name: String,
    pub login: String,
    /// 1 when the subscriber was terminated.
    pub terminated: i64,
}

/// The links of the intercom's flats `first`–`last`, by flat.
pub async fn flat_links(
    conn: &mut AnyConnection,
    intercom: i64,
    first: i64,
    last: i64,
) -> Result<Vec<FlatLink>, AppError> {
    let rows = sqlx::query_as(
        "SELECT al.id AS id, al.flat AS flat, u.id AS user_id, u.name AS user_name, u.login AS login, \
           CASE WHEN u.deleted_at IS NULL THEN 0 ELSE 1 END AS terminated \
         FROM apartment_links al JOIN users u ON u.id = al.user_id \
         WHERE al.intercom_id = $1 AND al.flat BETWEEN $2 AND $3 ORDER BY al.flat, al.id",
    )
    .bind(intercom)
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}

/// A key of a link.
#[derive(sqlx::FromRow)]
pub struct LinkKey {
    pub id: i64,
    pub link_id: i64,
    pub code: String,
}

/// The keys of the links of the intercom's flats `first`–`last`, by code.
pub async fn flat_keys(
    conn: &mut AnyConnection,
    intercom: i64,
    first: i64,
    last: i64,
) -> Result<Vec<LinkKey>, AppError> {
    let rows = sqlx::query_as(
        "SELECT k.id AS id, k.link_id AS link_id, k.code AS code \
         FROM apartment_keys k JOIN apartment_links al ON al.id = k.link_id \
         WHERE al.intercom_id = $1 AND al.flat BETWEEN $2 AND $3 ORDER BY k.code",
    )
    .bind(intercom)
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}

/// An account found by its login, to link to a flat.
#[derive(sqlx::FromRow)]
pub struct LoginOwner {
    pub id: i64,
    pub status: String,
    pub parent_id: Option<i64>,
    /// The login as stored.
    pub login: String,
}

/// The account (user or sub-user) with the login `login`, whatever its case.
pub async fn by_login(conn: &mut AnyConnection, login: &str) -> Result<Option<LoginOwner>, AppError> {
    let row = sqlx::query_as("SELECT id, status, parent_id, login FROM users WHERE LOWER(login) = LOWER($1)")
        .bind(login)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row)
}

/// Whether the user is already linked to the flat.
pub async fn is_linked(conn: &mut AnyConnection, intercom: i64, flat: i64, user: i64) -> Result<bool, AppError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM apartment_links WHERE intercom_id = $1 AND flat = $2 AND user_id = $3")
            .bind(intercom)
            .bind(flat)
            .bind(user)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.is_some())
}

/// Links the user to the flat; answers the link's id.
pub async fn insert_link(
    conn: &mut AnyConnection,
    intercom: i64,
    flat: i64,
    user: i64,
    now: i64,
) -> Result<i64, AppError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO apartment_links (intercom_id, flat, user_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(intercom)
    .bind(flat)
    .bind(user)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Removes the link and its keys.
pub async fn delete_link(conn: &mut AnyConnection, link: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM apartment_keys WHERE link_id = $1").bind(link).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM apartment_links WHERE id = $1").bind(link).execute(&mut *conn).await?;
    Ok(())
}

/// Whether the user was terminated.
pub async fn is_terminated(conn: &mut AnyConnection, user: i64) -> Result<bool, AppError> {
    let (deleted,): (i64,) =
        sqlx::query_as("SELECT CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END FROM users WHERE id = $1")
            .bind(user)
            .fetch_one(&mut *conn)
            .await?;
    Ok(deleted == 1)
}

/// The flat whose link holds the key `code` of the intercom, if any.
pub async fn flat_with_key(conn: &mut AnyConnection, intercom: i64, code: &str) -> Result<Option<i64>, AppError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT al.flat FROM apartment_keys k JOIN apartment_links al ON al.id = k.link_id \
         WHERE k.intercom_id = $1 AND k.code = $2",
    )
    .bind(intercom)
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(flat,)| flat))
}

/// Adds the key `code` to the link; answers the key's id.
pub async fn insert_key(
    conn: &mut AnyConnection,
    link: i64,
    intercom: i64,
    code: &str,
    now: i64,
) -> Result<i64, AppError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO apartment_keys (link_id, intercom_id, code, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(link)
    .bind(intercom)
    .bind(code)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// A key of an apartment link.
#[derive(sqlx::FromRow)]
pub struct Key {
    pub link_id: i64,
    pub code: String,
}

pub async fn key(conn: &mut AnyConnection, id: i64) -> Result<Key, AppError> {
    let row: Option<Key> = sqlx::query_as("SELECT link_id, code FROM apartment_keys WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.ok_or(AppError::NotFound)
}

pub async fn delete_key(conn: &mut AnyConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM apartment_keys WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(())
}

pub async fn audit(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    action: &str,
    target: (&str, i64, &str),
    user_id: Option<i64>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let entry = crate::backend::audit::Entry::by_admin(&ctx.admin, action, target, user_id, details);
    crate::backend::audit::record(&mut *conn, ctx.now(), entry).await
}
