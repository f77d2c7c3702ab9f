//! The signed-in administrator, and the one call every console server function starts with.

use super::auth::{admin_session, cookie, ADMIN_COOKIE};
use super::db::Db;
use super::state::{app_state, AppState};
use crate::domain::admin::{Permission, Role};
use crate::error::AppError;
use leptos::prelude::use_context;

#[derive(Clone, Debug)]
pub struct Admin {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub permissions: Vec<Permission>,
    pub scope_all: bool,
}

impl Admin {
    pub fn can(&self, permission: Permission) -> bool {
        self.role == Role::Superadmin || self.permissions.contains(&permission)
    }

    /// The permissions it holds: all of them for a superadmin.
    pub fn held(&self) -> Vec<Permission> {
        Permission::ALL.into_iter().filter(|p| self.can(*p)).collect()
    }
}

/// What an authorised server function works with.
#[derive(Clone)]
pub struct Ctx {
    pub admin: Admin,
    pub state: AppState,
    /// The hash of the administrator's session token.
    pub session: String,
}

impl Ctx {
    pub fn db(&self) -> &Db {
        &self.state.db
    }
    pub fn now(&self) -> i64 {
        self.state.clock.now_ms()
    }
}

/// The administrator behind the current request, or `Unauthorized`.
pub async fn current_admin() -> Result<Ctx, AppError> {
    let state = app_state()?;
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Unauthorized)?;
    admin_for(&state, &parts.headers).await
}

/// The administrator whose session cookie `headers` carry, or `Unauthorized` (for the
/// handlers outside server functions: exports).
pub async fn admin_for(state: &AppState, headers: &http::HeaderMap) -> Result<Ctx, AppError> {
    let state = state.clone();
    let token = cookie(headers, ADMIN_COOKIE).ok_or(AppError::Unauthorized)?;
    let now = state.clock.now_ms();
    let admin_id =
        admin_session(&state.db, token, now, state.config.admin_session_max_ms).await?.ok_or(AppError::Unauthorized)?;
    let admin = load_admin(&state.db, admin_id).await?.ok_or(AppError::Unauthorized)?;
    Ok(Ctx { admin, state, session: super::token::hash_token(token) })
}

/// Authorises the current request for `permission`: `Unauthorized` without a session,
/// `Forbidden` without the permission.
pub async fn require(permission: Permission) -> Result<Ctx, AppError> {
    let ctx = current_admin().await?;
    if !ctx.admin.can(permission) {
        return Err(AppError::Forbidden);
    }
    Ok(ctx)
}

pub async fn load_admin(db: &Db, id: i64) -> Result<Option<Admin>, AppError> {
    let row: Option<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, login, name, role, scope_all FROM administrators WHERE id = $1 AND disabled_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, login, name, role, scope_all)) = row else {
        return Ok(None);
    };
    // A role this build does not know grants nothing.
    let Some(role) = Role::from_slug(&role) else {
        return Ok(None);
    };
    let permissions: Vec<(String,)> =
        sqlx::query_as("SELECT slug FROM administrator_permissions WHERE admin_id = $1 ORDER BY slug")
            .bind(id)
            .fetch_all(&db.pool)
            .await?;
    Ok(Some(Admin {
        id,
        login,
        name,
        scope_all: scope_all == 1 || role == Role::Superadmin,
        role,
        permissions: permissions.iter().filter_map(|(p,)| Permission::from_slug(p)).collect(),
    }))
}

/// Runs a server function body and maps its error to the HTTP status, in one place.
pub async fn respond<T>(body: impl std::future::Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result {
        e.set_response_status();
    }
    result
}
