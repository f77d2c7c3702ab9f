//! Builds the application on a fresh SQLite database and, when `TEST_POSTGRES_URL` is set,
//! on a fresh PostgreSQL database, so every integration test runs on both.
#![allow(dead_code)]

use app::backend::db::{Backend, Db};
use app::backend::state::{AppState, Clock, Config};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use std::sync::atomic::{AtomicU64, Ordering};
use tower::ServiceExt;

mod parties;
mod world;
pub use parties::*;
pub use world::*;

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub backend: Backend,
    _pg: Option<PgDatabase>,
    _dir: Option<TempDir>,
}

/// A PostgreSQL database of one test, dropped when the test ends, passed or not (a failing
/// test unwinds through this).
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Its own runtime, on its own thread: this may run inside the test's runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                use sqlx::Connection;
                let mut c = sqlx::AnyConnection::connect(&url).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("test database {} could not be dropped", self.name);
        }
    }
}

/// A temporary folder removed when dropped.
pub struct TempDir(pub std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{prefix}_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

pub fn test_config() -> Config {
    Config {
        billing_tokens: vec!["test-billing-token".into()],
        media_tokens: vec!["test-media-token".into()],
        analytics_tokens: vec!["test-analytics-token".into()],
        metrics_tokens: vec!["test-metrics-token".into()],
        // Refusals are answered at once: tests need not wait.
        sign_in_tarpit_ms: 0,
        ..Config::default()
    }
}

fn state(db: Db) -> AppState {
    AppState::new(LeptosOptions::builder().output_name("vms").build(), db, Clock::default(), test_config())
}

async fn sqlite_app() -> TestApp {
    let dir = std::env::temp_dir().join(unique("vms_test"));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::connect(&format!("sqlite://{}/test.db", dir.display())).await.expect("sqlite");
    let state = state(db);
    TestApp {
        router: server::router(state.clone()),
        state,
        backend: Backend::Sqlite,
        _pg: None,
        _dir: Some(TempDir(dir)),
    }
}

async fn postgres_app(url: &str) -> TestApp {
    use sqlx::Connection;
    app::backend::db::install_drivers();
    let name = unique("vms_test");
    let mut admin = sqlx::AnyConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("TEST_POSTGRES_URL is set, but PostgreSQL cannot be reached at {url}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
    let _ = admin.close().await;
    let pg = PgDatabase { admin_url: url.to_string(), name: name.clone() };
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
    let db = Db::connect(&format!("{base}/{name}")).await.expect("postgres");
    let state = state(db);
    TestApp { router: server::router(state.clone()), state, backend: Backend::Postgres, _pg: Some(pg), _dir: None }
}

/// Runs `test` once per backend.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = TestApp>,
{
    close(test(sqlite_app().await).await).await;
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) => close(test(postgres_app(&url).await).await).await,
        Err(_) => note_skipped(),
    }
}

/// Closes the test's pool once every connection is back: one that never comes back is a
/// leak (a task that still holds it), and fails the test instead of hanging it.
async fn close(app: TestApp) {
    let pool = &app.state.db.pool;
    if tokio::time::timeout(std::time::Duration::from_secs(30), pool.close()).await.is_err() {
        panic!("a database connection was never returned: pool size {}, idle {}", pool.size(), pool.num_idle());
    }
}

/// Without `TEST_POSTGRES_URL`, the PostgreSQL half of a test is skipped: counted in the
/// file `VMS_TEST_SKIPS` names (`make test` says how many at the end).
fn note_skipped() {
    use std::io::Write;
    let Ok(path) = std::env::var("VMS_TEST_SKIPS") else { return };
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(f, "{test}");
    }
}

impl TestApp {
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    pub fn now(&self) -> i64 {
        self.state.clock.now_ms()
    }

    pub async fn request(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> (StatusCode, axum::http::HeaderMap, String) {
        let mut b = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.request(b.body(Body::empty()).unwrap()).await
    }

    /// Calls a console server function as the browser does (form-encoded POST).
    pub async fn call(
        &self,
        endpoint: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> (StatusCode, serde_json::Value) {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{}={}", app::components::url::encode(k), app::components::url::encode(v)))
            .collect();
        let mut b = Request::post(format!("/api/console/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let (status, _, text) = self.request(b.body(Body::from(body.join("&"))).unwrap()).await;
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }

    /// Calls a console server function that takes JSON (`input = Json`).
    pub async fn call_json(
        &self,
        endpoint: &str,
        cookie: Option<&str>,
        body: &serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let mut b = Request::post(format!("/api/console/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let (status, _, text) = self.request(b.body(Body::from(body.to_string())).unwrap()).await;
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }

    pub async fn create_admin(
        &self,
        login: &str,
        role: &str,
        permissions: &[&str],
        scope_csa: &[&str],
        scope_cameras: &[i64],
    ) -> i64 {
        server::admins::create(
            self.db(),
            server::admins::NewAdmin {
                login: login.into(),
                password: "password-123".into(),
                role: app::domain::admin::Role::from_slug(role).expect("a role"),
                permissions: permissions
                    .iter()
                    .map(|s| app::domain::admin::Permission::from_slug(s).expect("a console permission"))
                    .collect(),
                scope_csa: scope_csa.iter().map(|s| s.to_string()).collect(),
                scope_cameras: scope_cameras.to_vec(),
            },
            self.now(),
        )
        .await
        .expect("create admin")
    }

    /// Signs in through the server function and returns the `Cookie` header value.
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<String, (StatusCode, serde_json::Value)> {
        let body = format!(
            "login={}&password={}",
            app::components::url::encode(login),
            app::components::url::encode(password)
        );
        let req = Request::post("/api/console/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap();
        let (status, headers, text) = self.request(req).await;
        if status != StatusCode::OK {
            return Err((status, serde_json::from_str(&text).unwrap_or_default()));
        }
        let set = headers.get(header::SET_COOKIE).expect("a session cookie").to_str().unwrap();
        assert!(set.contains("HttpOnly"), "{set}");
        Ok(set.split(';').next().unwrap().to_string())
    }

    pub async fn superadmin(&self) -> String {
        self.create_admin("root", "superadmin", &[], &[], &[]).await;
        self.sign_in("root", "password-123").await.expect("sign in")
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&self.db().pool).await.unwrap();
        n
    }
}
