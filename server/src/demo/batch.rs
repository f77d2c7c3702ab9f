//! Batched multi-row inserts for the demo data set.

use app::backend::sql::{Arg, Sql};
use app::error::AppError;
use sqlx::AnyConnection;

/// Rows waiting for one multi-row insert.
pub struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    conflict: &'static str,
    rows: Vec<Vec<Arg>>,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Self { name, columns, conflict: "", rows: Vec::new() }
    }

    pub async fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), AppError> {
        if !self.rows.is_empty() {
            Sql::insert(self.name, self.columns, &self.rows, self.conflict).query().execute(&mut *conn).await?;
            self.rows.clear();
        }
        Ok(())
    }
}

pub const T_CSA: usize = 0;
pub const T_LOC: usize = 1;
pub const T_ICOM: usize = 2;
pub const T_USERS: usize = 3;
pub const T_PERM: usize = 4;
pub const T_ULOC: usize = 5;
pub const T_CAM: usize = 6;
pub const T_STREAM: usize = 7;
pub const T_ACCESS: usize = 8;
pub const T_LINK: usize = 9;
pub const T_KEY: usize = 10;
pub const T_LIC: usize = 11;
pub const T_CASE: usize = 12;
pub const T_CCAM: usize = 13;
pub const T_CEV: usize = 14;
pub const T_BEV: usize = 15;

/// Every table of the data set, in foreign-key order: when one batch is full, all are
/// written, parents first.
pub struct Tables(Vec<Table>);

impl Tables {
    pub async fn push(&mut self, conn: &mut AnyConnection, table: usize, row: Vec<Arg>) -> Result<(), AppError> {
        let t = &mut self.0[table];
        debug_assert_eq!(row.len(), t.columns.len());
        t.rows.push(row);
        if t.rows.len() * t.columns.len() >= 6_000 {
            self.flush(conn).await?;
        }
        Ok(())
    }

    pub async fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), AppError> {
        for t in &mut self.0 {
            t.flush(conn).await?;
        }
        Ok(())
    }
}

pub async fn max_id(conn: &mut AnyConnection, table: &str) -> Result<i64, AppError> {
    let (n,): (i64,) =
        sqlx::query_as(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}")).fetch_one(&mut *conn).await?;
    Ok(n)
}

impl Tables {
    /// Every table of the demo data set, parents first.
    pub fn all() -> Self {
        let mut tables = Tables(vec![
            Table::new("csa_codes", &["code", "city", "street", "house", "entrance"]),
            Table::new("locations", &["id", "csa_code", "name", "created_at"]),
            Table::new(
                "intercoms",
                &["id", "name", "csa_code", "department", "flat_from", "flat_to", "search", "created_at"],
            ),
            Table::new(
                "users",
                &[
                    "id",
                    "parent_id",
                    "entity",
                    "login",
                    "name",
                    "password_hash",
                    "properties",
                    "status",
                    "search",
                    "created_at",
                    "updated_at",
                    "deleted_at",
                ],
            ),
            Table::new("user_permissions", &["user_id", "slug"]),
            Table::new("user_locations", &["user_id", "location_id", "created_at"]),
            Table::new(
                "cameras",
                &["id", "mac", "serial_number", "name", "model", "location_id", "source", "created_at"],
            ),
            Table::new("camera_streams", &["camera_id", "stream", "up", "changed_at"]),
            Table::new("camera_access", &["user_id", "camera_id", "granted_at"]),
            Table::new("apartment_links", &["id", "intercom_id", "flat", "user_id", "created_at"]),
            Table::new("apartment_keys", &["link_id", "intercom_id", "code", "created_at"]),
            Table::new("licences", &["user_id", "level", "total", "zero_since", "updated_at"]),
            Table::new("analytics_cases", &["id", "user_id", "account_id", "name", "type", "level", "created_at"]),
            Table::new("case_cameras", &["case_id", "camera_id"]),
            Table::new("case_events", &["case_id", "kind", "occurred_at", "data", "received_at"]),
            Table::new(
                "billing_events",
                &[
                    "id",
                    "request_id",
                    "type",
                    "entity",
                    "user_id",
                    "body_hash",
                    "payload",
                    "outcome",
                    "status",
                    "response",
                    "created_at",
                ],
            ),
        ]);
        tables.0[T_CSA].conflict = " ON CONFLICT (code) DO NOTHING";
        tables
    }
}
