//! The intercom pages' queries.

use super::Intercom;
use crate::backend::principal::Ctx;
use crate::backend::{db::Db, sql::Sql};
use crate::domain::address::format_address;
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
    city: String,
    street: String,
    house: String,
    entrance: String,
    department: String,
    flat_from: i64,
    flat_to: i64,
    created_at: i64,
}

impl From<IntercomRow> for Intercom {
    fn from(r: IntercomRow) -> Self {
        Intercom {
            address: format_address(&r.city, &r.street, &r.house, &r.entrance),
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
        filter.push(" AND i.search LIKE ").bind(crate::backend::db::like_pattern(term)).push(" ESCAPE '\\'");
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
