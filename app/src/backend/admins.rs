//! Writing administrators: role, console permissions and camera scope. The console's
//! Administrators page, the CLI, the bootstrap and the demo data all go through here.

use super::password;
use super::principal::Admin;
use super::sql::{bind, Arg};
use crate::domain::admin::{Permission, Role};
use crate::error::AppError;
use crate::lang::{current, td_string};
use sqlx::AnyConnection;

/// What an administrator is, apart from the password.
#[derive(Clone, Debug, PartialEq)]
pub struct AdminSpec {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub permissions: Vec<Permission>,
    /// Every camera; otherwise only those placed at `scope_csa` plus `scope_cameras`.
    pub scope_all: bool,
    pub scope_csa: Vec<String>,
    pub scope_cameras: Vec<i64>,
}

impl AdminSpec {
    /// Checks the fields and normalises them (trimmed, sorted, deduplicated).
    pub fn validated(mut self) -> Result<Self, AppError> {
        self.login = self.login.trim().to_string();
        self.name = self.name.trim().to_string();
        if self.login.is_empty() || self.login.chars().count() > 64 || self.login.chars().any(char::is_whitespace) {
            return Err(AppError::Invalid(td_string!(current(), admin.error_login).to_string()));
        }
        if self.name.is_empty() {
            self.name = self.login.clone();
        }
        if self.name.chars().count() > 128 {
            return Err(AppError::Invalid(td_string!(current(), admin.error_name_long).to_string()));
        }
        for s in self.scope_csa.iter_mut() {
            *s = s.trim().to_string();
        }
        self.scope_csa.retain(|s| !s.is_empty());
        self.scope_csa.sort();
        self.scope_csa.dedup();
        self.permissions.sort_unstable();
        self.permissions.dedup();
        self.scope_cameras.sort_unstable();
        self.scope_cameras.dedup();
        if self.role == Role::Superadmin {
            // A superadmin holds everything; storing a subset would only mislead.
            self.permissions.clear();
            self.scope_all = true;
        }
        if self.scope_all {
            self.scope_csa.clear();
            self.scope_cameras.clear();
        }
        Ok(self)
    }
}

pub fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < password::MIN_LENGTH {
        let count = password::MIN_LENGTH as i64;
        return Err(AppError::Invalid(td_string!(current(), admin.error_password_short, count = count).to_string()));
    }
    Ok(())
}

/// Creates an administrator; `password_hash` comes from `password::hash` (done before the
/// transaction).
pub async fn insert(conn: &mut AnyConnection, a: &AdminSpec, password_hash: &str, now: i64) -> Result<i64, AppError> {
    login_free(conn, &a.login, None).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO administrators (login, name, password_hash, role, scope_all, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&a.login)
    .bind(&a.name)
    .bind(password_hash)
    .bind(a.role.slug())
    .bind(i64::from(a.scope_all))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    write_grants(conn, id, a).await?;
    Ok(id)
}

/// Replaces an administrator's login, name, role, permissions and scope.
pub async fn update(conn: &mut AnyConnection, id: i64, a: &AdminSpec, now: i64) -> Result<(), AppError> {
    login_free(conn, &a.login, Some(id)).await?;
    let done = sqlx::query(
        "UPDATE administrators SET login = $1, name = $2, role = $3, scope_all = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(&a.login)
    .bind(&a.name)
    .bind(a.role.slug())
    .bind(i64::from(a.scope_all))
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    for table in ["administrator_permissions", "administrator_scope_locations", "administrator_scope_cameras"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE admin_id = $1")).bind(id).execute(&mut *conn).await?;
    }
    write_grants(conn, id, a).await
}

/// Reads an administrator's spec back (for edits and their audit difference).
pub async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<AdminSpec>, AppError> {
    let row: Option<(String, String, String, i64)> =
        sqlx::query_as("SELECT login, name, role, scope_all FROM administrators WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((login, name, role, scope_all)) = row else {
        return Ok(None);
    };
    let list = |sql: &'static str| sqlx::query_as::<_, (String,)>(sql).bind(id);
    let permissions = list("SELECT slug FROM administrator_permissions WHERE admin_id = $1 ORDER BY slug")
        .fetch_all(&mut *conn)
        .await?;
    let scope_csa = list("SELECT csa_code FROM administrator_scope_locations WHERE admin_id = $1 ORDER BY csa_code")
        .fetch_all(&mut *conn)
        .await?;
    let scope_cameras: Vec<(i64,)> =
        sqlx::query_as("SELECT camera_id FROM administrator_scope_cameras WHERE admin_id = $1 ORDER BY camera_id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let mut permissions: Vec<Permission> = permissions.iter().filter_map(|(s,)| Permission::from_slug(s)).collect();
    permissions.sort_unstable();
    Ok(Some(AdminSpec {
        login,
        name,
        role: Role::from_slug(&role).unwrap_or_default(),
        permissions,
        scope_all: scope_all == 1,
        scope_csa: scope_csa.into_iter().map(|(s,)| s).collect(),
        scope_cameras: scope_cameras.into_iter().map(|(c,)| c).collect(),
    }))
}

/// Ends every session of an administrator (disabled, password reset) and the Log in as User
/// sessions it started; answers the users whose streams to wake after commit.
pub async fn end_sessions(conn: &mut AnyConnection, id: i64, reason: &str, now: i64) -> Result<Vec<i64>, AppError> {
    let ended = super::client::end_impersonations(conn, super::client::Started::ByAdmin(id), reason, now).await?;
    sqlx::query("DELETE FROM admin_sessions WHERE admin_id = $1").bind(id).execute(&mut *conn).await?;
    Ok(ended)
}

/// What an administrator holds: its permissions and its camera scope.
pub struct Holder<'a> {
    pub admin: &'a Admin,
    pub spec: &'a AdminSpec,
}

impl<'a> Holder<'a> {
    /// Refuses a grant beyond the holder: the superadmin role, a permission it does not
    /// hold, all cameras from a limited scope, a location or a camera outside its scope. A
    /// camera outside the scope and one that does not exist get the same answer.
    pub async fn may_grant(&self, conn: &mut AnyConnection, after: &AdminSpec) -> Result<(), AppError> {
        let refuse = |why: String| Err(AppError::Invalid(why));
        if self.admin.role != Role::Superadmin {
            if after.role == Role::Superadmin {
                return refuse(td_string!(current(), admin.error_only_superadmin).to_string());
            }
            if let Some(p) = after.permissions.iter().find(|p| !self.admin.can(**p)) {
                return refuse(td_string!(current(), admin.error_grant_permission, permission = p).to_string());
            }
            if after.scope_all && !self.admin.scope_all {
                return refuse(td_string!(current(), admin.error_grant_all).to_string());
            }
            if !self.admin.scope_all {
                if let Some(code) = after.scope_csa.iter().find(|c| !self.spec.scope_csa.contains(c)) {
                    return refuse(td_string!(current(), admin.error_grant_location, code = code).to_string());
                }
            }
        }
        let seen = super::scope::covered(conn, self.admin.id, &after.scope_cameras).await?;
        if let Some(c) = after.scope_cameras.iter().find(|c| !seen.contains(c)) {
            return refuse(td_string!(current(), admin.error_no_camera, id = c).to_string());
        }
        Ok(())
    }

    /// Whether the holder may see and manage `target`: a superadmin manages everyone; an
    /// admin only admins whose permissions and scope lie within its own.
    pub async fn manages(&self, conn: &mut AnyConnection, target: &AdminSpec) -> Result<bool, AppError> {
        if self.admin.role == Role::Superadmin {
            return Ok(true);
        }
        if target.role == Role::Superadmin || target.permissions.iter().any(|p| !self.admin.can(*p)) {
            return Ok(false);
        }
        if self.admin.scope_all {
            return Ok(true);
        }
        if target.scope_all || target.scope_csa.iter().any(|c| !self.spec.scope_csa.contains(c)) {
            return Ok(false);
        }
        Ok(super::scope::covered(conn, self.admin.id, &target.scope_cameras).await?.len() == target.scope_cameras.len())
    }
}

async fn login_free(conn: &mut AnyConnection, login: &str, except: Option<i64>) -> Result<(), AppError> {
    let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM administrators WHERE LOWER(login) = LOWER($1)")
        .bind(login)
        .fetch_optional(&mut *conn)
        .await?;
    match taken {
        Some((id,)) if Some(id) != except => {
            Err(AppError::Conflict(td_string!(current(), admin.error_login_taken, login = login).to_string()))
        }
        _ => Ok(()),
    }
}

async fn exists(conn: &mut AnyConnection, sql: &str, key: Arg) -> Result<bool, AppError> {
    Ok(bind(sqlx::query(sql), &[key]).fetch_optional(&mut *conn).await?.is_some())
}

/// One row of an administrator's grants: (`$1` the administrator, `$2` what it is given).
async fn grant(conn: &mut AnyConnection, sql: &str, admin: i64, what: Arg) -> Result<(), AppError> {
    bind(sqlx::query(sql), &[Arg::Int(admin), what]).execute(&mut *conn).await?;
    Ok(())
}

async fn write_grants(conn: &mut AnyConnection, id: i64, a: &AdminSpec) -> Result<(), AppError> {
    for p in &a.permissions {
        grant(conn, "INSERT INTO administrator_permissions (admin_id, slug) VALUES ($1, $2)", id, p.slug().into())
            .await?;
    }
    for code in &a.scope_csa {
        let known = exists(conn, "SELECT 1 FROM csa_codes WHERE code = $1", Arg::Text(code.clone())).await?;
        if !known {
            return Err(AppError::Invalid(td_string!(current(), admin.error_unknown_csa, code = code).to_string()));
        }
        grant(
            conn,
            "INSERT INTO administrator_scope_locations (admin_id, csa_code) VALUES ($1, $2)",
            id,
            Arg::Text(code.clone()),
        )
        .await?;
    }
    for camera in &a.scope_cameras {
        if !exists(conn, "SELECT 1 FROM cameras WHERE id = $1", Arg::Int(*camera)).await? {
            return Err(AppError::Invalid(td_string!(current(), admin.error_no_camera, id = camera).to_string()));
        }
        grant(
            conn,
            "INSERT INTO administrator_scope_cameras (admin_id, camera_id) VALUES ($1, $2)",
            id,
            Arg::Int(*camera),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::AdminSpec;
    use crate::domain::admin::{Permission, Role};

    fn spec() -> AdminSpec {
        AdminSpec {
            login: " ops ".into(),
            name: "".into(),
            role: Role::Admin,
            permissions: vec![Permission::UsersView, Permission::AuditView, Permission::UsersView],
            scope_all: false,
            scope_csa: vec![" CSA-2".into(), "CSA-1".into(), "".into()],
            scope_cameras: vec![3, 1, 3],
        }
    }

    #[test]
    fn validation_normalises_and_refuses() {
        let s = spec().validated().unwrap();
        assert_eq!((s.login.as_str(), s.name.as_str()), ("ops", "ops"));
        assert_eq!(s.permissions, vec![Permission::UsersView, Permission::AuditView]);
        assert_eq!(s.scope_csa, vec!["CSA-1", "CSA-2"]);
        assert_eq!(s.scope_cameras, vec![1, 3]);
        let root = AdminSpec { role: Role::Superadmin, ..spec() }.validated().unwrap();
        assert!(root.scope_all && root.permissions.is_empty() && root.scope_csa.is_empty());
        assert!(AdminSpec { login: "a b".into(), ..spec() }.validated().is_err());
    }
}
