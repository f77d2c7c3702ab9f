//! The administrators page's own queries (grants and sessions are `backend::admins`').

use crate::error::AppError;
use sqlx::AnyConnection;

/// An administrator as the list orders it, with what its grants leave out.
#[derive(sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

/// Every administrator, by login.
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<Listed>, AppError> {
    let rows = sqlx::query_as("SELECT id, disabled_at, created_at FROM administrators ORDER BY LOWER(login), id")
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows)
}

/// Disables the administrator since `disabled_at`, or re-enables it (none).
pub async fn set_disabled(
    conn: &mut AnyConnection,
    id: i64,
    disabled_at: Option<i64>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE administrators SET disabled_at = $1, updated_at = $2 WHERE id = $3")
        .bind(disabled_at)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_password_hash(conn: &mut AnyConnection, id: i64, hash: &str, now: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE administrators SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
