//! Creating administrators (CLI, bootstrap and demo data share this).

use app::backend::admins::{self, AdminSpec};
use app::backend::db::Db;
use app::backend::password;
use app::domain::admin::{Permission, Role};
use app::error::AppError;

pub struct NewAdmin {
    pub login: String,
    pub password: String,
    pub role: Role,
    pub permissions: Vec<Permission>,
    pub scope_csa: Vec<String>,
    pub scope_cameras: Vec<i64>,
}

pub async fn create(db: &Db, a: NewAdmin, now: i64) -> Result<i64, AppError> {
    let spec = AdminSpec {
        login: a.login,
        name: String::new(),
        role: a.role,
        permissions: a.permissions,
        scope_all: a.scope_csa.is_empty() && a.scope_cameras.is_empty(),
        scope_csa: a.scope_csa,
        scope_cameras: a.scope_cameras,
    }
    .validated()?;
    admins::check_password(&a.password)?;
    let hash = password::hash(a.password).await?;
    let mut tx = db.pool.begin().await?;
    let id = admins::insert(&mut tx, &spec, &hash, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn count(db: &Db) -> Result<i64, AppError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM administrators").fetch_one(&db.pool).await?;
    Ok(n)
}

/// `VMS_BOOTSTRAP_ADMIN=login:password` creates that superadmin when no administrator exists.
pub async fn bootstrap(db: &Db, spec: &str, now: i64) -> Result<Option<String>, AppError> {
    let (login, password) =
        spec.split_once(':').ok_or_else(|| AppError::Invalid("VMS_BOOTSTRAP_ADMIN must be login:password".into()))?;
    if count(db).await? > 0 {
        return Ok(None);
    }
    create(
        db,
        NewAdmin {
            login: login.into(),
            password: password.into(),
            role: Role::Superadmin,
            permissions: vec![],
            scope_csa: vec![],
            scope_cameras: vec![],
        },
        now,
    )
    .await?;
    Ok(Some(login.to_string()))
}
