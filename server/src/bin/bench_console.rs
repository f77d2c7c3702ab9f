//! `make bench`, console part: the server functions behind every tab of a heavy user's card
//! (1,000 cameras, 50,000 billing events) and the users-list search, at 10,000 and 100,000
//! users (about 50 billing events per user: 5,000,000 at 100,000), on SQLite and, with
//! `BENCH_POSTGRES_URL` or `TEST_POSTGRES_URL`, on PostgreSQL. Calls go through the whole
//! router (session check, argument decoding, JSON encoding), as the browser's do.
//!
//! Also the console's global search by each of its keys, and the export of the heavy user's
//! billing events (streamed through the router: rows a second and how much the process's
//! resident memory grew while it streamed).
//!
//! `BENCH_CONSOLE_USERS` sets the sizes (default `10000,100000`), `BENCH_SAMPLES` the calls
//! per function (default 200).

use app::backend::db::Backend;
use app::backend::state::{AppState, Clock, Config};
use app::domain::rng::SplitMix64;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use server::demo::Scale;
use std::collections::BTreeMap;
use std::time::Instant;
use tower::ServiceExt;

#[path = "shared/bench_db.rs"]
mod bench_db;
use bench_db::{drop_db, fresh_db};

const TABS: &[&str] = &[
    "user_header",
    "user_profile",
    "user_cameras",
    "user_intercoms",
    "user_sub_users",
    "user_billing_events",
    "user_access",
    "user_licences",
];
const SEARCH: &str = "users (search)";

/// p50 and p99 in milliseconds.
fn percentiles(mut us: Vec<u64>) -> (f64, f64) {
    us.sort_unstable();
    let at = |p: f64| us[((us.len() as f64 * p) as usize).min(us.len() - 1)] as f64 / 1000.0;
    (at(0.50), at(0.99))
}

async fn call(router: &axum::Router, cookie: &str, endpoint: &str, form: &str) -> u64 {
    let req = Request::post(format!("/api/console/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(form.to_string()))
        .unwrap();
    let t = Instant::now();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let us = t.elapsed().as_micros() as u64;
    assert_eq!(status, StatusCode::OK, "{endpoint}: {}", String::from_utf8_lossy(&body));
    us
}

/// Seeds `users` users and measures; answers p99 per function.
async fn run(backend: Backend, pg: Option<&str>, users: usize, samples: usize) -> BTreeMap<&'static str, f64> {
    let name = format!("vms_bench_console_{users}_{}", std::process::id());
    let (db, drop_pg) = fresh_db(backend, pg, &name).await;
    let now = Clock::default().now_ms();
    let started = Instant::now();
    let scale = Scale { history_per_user: 42, heavy_cameras: 1_000, heavy_events: 50_000 };
    let r = server::demo::generate_at_scale(&db, users, scale, 42, now).await.unwrap();
    println!(
        "{backend:?}, {} users, {} sub-users, {} cameras, {} billing events (seeded in {:.0} s)",
        r.users,
        r.sub_users,
        r.cameras,
        r.billing_events,
        started.elapsed().as_secs_f64()
    );
    let (heavy,): (i64,) =
        sqlx::query_as("SELECT MIN(id) FROM users WHERE parent_id IS NULL").fetch_one(&db.pool).await.unwrap();
    let logins: Vec<(String, String)> =
        sqlx::query_as("SELECT login, name FROM users WHERE parent_id IS NULL AND id % 997 = 0 ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let (router, cookie) = signed_in(&db, now).await;

    let mut p99 = BTreeMap::new();
    let form = format!("id={heavy}");
    for tab in TABS {
        call(&router, &cookie, tab, &form).await; // warm-up
        let mut us = Vec::with_capacity(samples);
        for _ in 0..samples {
            us.push(call(&router, &cookie, tab, &form).await);
        }
        let (a, b) = percentiles(us);
        println!("  {tab:<24} p50 {a:>7.2} ms   p99 {b:>7.2} ms");
        p99.insert(*tab, b);
    }
    // Searches as operators type them: part of a surname, a first name, a whole login.
    const KINDS: [&str; 3] = ["part of a surname", "a first name", "a whole login"];
    let mut rng = SplitMix64::new(9);
    let mut us = Vec::with_capacity(samples);
    let mut by_kind: [Vec<u64>; 3] = Default::default();
    for i in 0..samples {
        let (login, name) = &logins[rng.below(logins.len() as u64) as usize];
        let q = match i % 3 {
            0 => name.split(' ').nth(1).unwrap_or(name).get(..4).unwrap_or(name).to_lowercase(),
            1 => name.split(' ').next().unwrap_or(name).to_string(),
            _ => login.clone(),
        };
        let t = call(&router, &cookie, "users", &format!("q={}", app::components::url::encode(&q))).await;
        us.push(t);
        by_kind[i % 3].push(t);
    }
    let (a, b) = percentiles(us);
    println!("  {SEARCH:<24} p50 {a:>7.2} ms   p99 {b:>7.2} ms");
    for (kind, us) in KINDS.iter().zip(by_kind) {
        let (a, b) = percentiles(us);
        println!("    {kind:<22} p50 {a:>7.2} ms   p99 {b:>7.2} ms");
    }
    p99.insert(SEARCH, b);

    // The global search, by each key it finds things by.
    let cameras: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, mac, name FROM cameras WHERE id % 991 = 0 ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let codes: Vec<(String,)> = sqlx::query_as("SELECT csa_code FROM locations WHERE id % 97 = 0 ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE parent_id IS NULL AND id % 991 = 0")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    type Key<'a> = Box<dyn Fn(usize) -> String + 'a>;
    let keys: [(&'static str, Key); 6] = [
        ("search: user login", Box::new(|i| logins[i % logins.len()].0.clone())),
        ("search: user id", Box::new(|i| ids[i % ids.len()].0.to_string())),
        ("search: camera MAC", Box::new(|i| cameras[i % cameras.len()].1.to_uppercase().replace(':', "-"))),
        ("search: camera name", Box::new(|i| cameras[i % cameras.len()].2.clone())),
        ("search: camera id", Box::new(|i| cameras[i % cameras.len()].0.to_string())),
        ("search: CSA code", Box::new(|i| codes[i % codes.len()].0.clone())),
    ];
    for (label, key) in &keys {
        let mut us = Vec::with_capacity(samples);
        for i in 0..samples {
            us.push(call(&router, &cookie, "search", &format!("q={}", app::components::url::encode(&key(i)))).await);
        }
        let (a, b) = percentiles(us);
        println!("  {label:<24} p50 {a:>7.2} ms   p99 {b:>7.2} ms");
        p99.insert(label, b);
    }

    drop_db(db, drop_pg, &name).await;
    p99
}

/// The application on `db` with a superadmin signed in: (router, session cookie).
async fn signed_in(db: &app::backend::db::Db, now: i64) -> (axum::Router, String) {
    server::admins::create(
        db,
        server::admins::NewAdmin {
            login: "bench".into(),
            password: "bench-password".into(),
            role: app::domain::admin::Role::Superadmin,
            permissions: vec![],
            scope_csa: vec![],
            scope_cameras: vec![],
        },
        now,
    )
    .await
    .unwrap();
    let state = AppState::new(
        LeptosOptions::builder().output_name("vms").build(),
        db.clone(),
        Clock::default(),
        Config::default(),
    );
    let router = server::router(state);
    let req = Request::post("/api/console/sign_in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from("login=bench&password=bench-password"))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    (router, cookie)
}

/// The export of 1,000,000 billing events of one user (on a small data set of its own).
async fn export_run(backend: Backend, pg: Option<&str>) {
    let name = format!("vms_bench_export_{}", std::process::id());
    let (db, drop_pg) = fresh_db(backend, pg, &name).await;
    let now = Clock::default().now_ms();
    let scale = Scale { history_per_user: 0, heavy_cameras: 10, heavy_events: 1_000_000 };
    server::demo::generate_at_scale(&db, 100, scale, 42, now).await.unwrap();
    let (heavy,): (i64,) =
        sqlx::query_as("SELECT MIN(id) FROM users WHERE parent_id IS NULL").fetch_one(&db.pool).await.unwrap();
    let (router, cookie) = signed_in(&db, now).await;
    println!("{backend:?}, one user's 1,000,000 billing events:");
    export(&router, &cookie, heavy).await;
    drop_db(db, drop_pg, &name).await;
}

/// The process's resident memory now and at its peak, in KiB (Linux).
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)?.trim().trim_end_matches(" kB").parse().ok()).unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Streams the heavy user's billing events as CSV through the router, reading the body as
/// a browser would, and reports the rate and how far resident memory rose meanwhile.
async fn export(router: &axum::Router, cookie: &str, user: i64) {
    let req = Request::get(format!("/users/{user}/billing-events/export?format=csv"))
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let (before, _) = memory_kib();
    let t = Instant::now();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    let (mut bytes, mut lines, mut peak) = (0usize, 0usize, before);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            bytes += data.len();
            lines += data.iter().filter(|b| **b == b'\n').count();
            peak = peak.max(memory_kib().0);
        }
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "  export: {} billing events, {:.1} MB of CSV in {s:.1} s ({:.0} rows/s); resident memory +{:.1} MB at most",
        lines - 1,
        bytes as f64 / 1e6,
        (lines - 1) as f64 / s,
        peak.saturating_sub(before) as f64 / 1024.0
    );
}

async fn backend(backend: Backend, pg: Option<&str>, sizes: &[usize], samples: usize) {
    export_run(backend, pg).await;
    let mut results = Vec::new();
    for &users in sizes {
        results.push((users, run(backend, pg, users, samples).await));
    }
    if let [(small, a), .., (large, b)] = results.as_slice() {
        println!("{backend:?}: p99 ratio {large}/{small} users");
        for (name, p) in b {
            println!("  {name:<24} {:>5.2}", p / a[name].max(0.001));
        }
    }
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::var("BENCH_CONSOLE_USERS")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let samples: usize = std::env::var("BENCH_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    // BENCH_BACKENDS=postgres measures one backend alone (seeding 100,000 users is long).
    let backends = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    println!("console benchmark: {samples} calls per function, one at a time");
    if backends.contains("sqlite") {
        backend(Backend::Sqlite, None, &sizes, samples).await;
    }
    if backends.contains("postgres") {
        match std::env::var("BENCH_POSTGRES_URL").or_else(|_| std::env::var("TEST_POSTGRES_URL")) {
            Ok(url) => backend(Backend::Postgres, Some(&url), &sizes, samples).await,
            Err(_) => println!("PostgreSQL skipped: set BENCH_POSTGRES_URL (or TEST_POSTGRES_URL)"),
        }
    }
}
