//! Creating administrators (CLI, bootstrap and demo data share this).

use app::domain::permissions::is_console_permission;
use app::error::AppError;
use app::server::db::Db;
use app::server::password;

pub struct NewAdmin {
    pub login: String,
    pub password: String,
    pub role: String,
    pub permissions: Vec<String>,
    pub scope_csa: Vec<String>,
    pub scope_cameras: Vec<i64>,
}

pub async fn create(db: &Db, a: NewAdmin, now: i64) -> Result<i64, AppError> {
    let login = a.login.trim().to_string();
    if login.is_empty() || login.len() > 64 {
        return Err(AppError::Invalid("The login must be 1–64 characters.".into()));
    }
    if a.password.chars().count() < password::MIN_LENGTH {
        return Err(AppError::Invalid(format!("The password must be at least {} characters.", password::MIN_LENGTH)));
    }
    if a.role != "superadmin" && a.role != "admin" {
        return Err(AppError::Invalid("The role must be superadmin or admin.".into()));
    }
    if let Some(bad) = a.permissions.iter().find(|p| !is_console_permission(p)) {
        return Err(AppError::Invalid(format!("Unknown permission: {bad}")));
    }
    let hash = password::hash(a.password).await?;
    let scope_all = i64::from(a.scope_csa.is_empty() && a.scope_cameras.is_empty());
    let mut tx = db.pool.begin().await?;
    let taken: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM administrators WHERE login = $1").bind(&login).fetch_optional(&mut *tx).await?;
    if taken.is_some() {
        return Err(AppError::Conflict(format!("An administrator with login {login} exists.")));
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO administrators (login, name, password_hash, role, scope_all, created_at, updated_at) \
         VALUES ($1, $1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&login)
    .bind(&hash)
    .bind(&a.role)
    .bind(scope_all)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for p in &a.permissions {
        sqlx::query("INSERT INTO administrator_permissions (admin_id, slug) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(p)
            .execute(&mut *tx)
            .await?;
    }
    for code in &a.scope_csa {
        sqlx::query(
            "INSERT INTO administrator_scope_locations (admin_id, csa_code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(code)
        .execute(&mut *tx)
        .await?;
    }
    for camera in &a.scope_cameras {
        sqlx::query(
            "INSERT INTO administrator_scope_cameras (admin_id, camera_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(camera)
        .execute(&mut *tx)
        .await?;
    }
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
            role: "superadmin".into(),
            permissions: vec![],
            scope_csa: vec![],
            scope_cameras: vec![],
        },
        now,
    )
    .await?;
    Ok(Some(login.to_string()))
}
