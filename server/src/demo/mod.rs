//! A realistic, deterministic demo data set: `VMS_DEMO_DATA=1` on an empty database, and
//! `server demo --users N [--seed S]`. Rows go in as multi-row inserts in one transaction.
//!
//! One subscriber at a time, in this order (the order of the random draws, so a seed always
//! makes the same data): the account (`people`), its cameras and apartment (`devices`), its
//! licences, sub-users (`people`) and analytics cases (`analytics`), then its older billing
//! history (`history`). Locations and intercoms come first (`places`).

use app::backend::db::{Backend, Db};
use app::backend::password;
use app::domain::rng::SplitMix64;
use app::error::AppError;
use sqlx::AnyConnection;

mod analytics;
mod batch;
mod devices;
mod history;
mod people;
mod places;
mod words;
use batch::*;

/// The password of every demo user and sub-user.
pub const DEMO_USER_PASSWORD: &str = "demo-password";

#[derive(Debug, Default)]
pub struct Report {
    pub users: usize,
    pub sub_users: usize,
    pub locations: usize,
    pub cameras: usize,
    pub intercoms: usize,
    pub cases: usize,
    pub billing_events: usize,
}

pub async fn is_empty(db: &Db) -> Result<bool, AppError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await?;
    Ok(n == 0)
}

/// How big the data set is beyond the number of users (for benchmarks at operator scale).
#[derive(Clone, Copy, Debug, Default)]
pub struct Scale {
    /// Older billing events per user on top of those that built the account.
    pub history_per_user: usize,
    /// The first user of the run gets this many cameras and billing events (0: like the others).
    pub heavy_cameras: usize,
    pub heavy_events: usize,
}

/// The last id of each table, counted on from the rows already there.
struct Ids {
    user: i64,
    location: i64,
    camera: i64,
    intercom: i64,
    link: i64,
    case: i64,
    event: i64,
}

/// What a run is making: its random draws, ids, pending rows and report.
struct Gen {
    rng: SplitMix64,
    ids: Ids,
    tables: Tables,
    report: Report,
    /// Distinguishes the logins and codes of repeated runs.
    run: i64,
    now: i64,
    /// The hash of `DEMO_USER_PASSWORD`, shared by every account.
    hash: String,
    scale: Scale,
}

pub async fn generate(db: &Db, users: usize, seed: u64, now: i64) -> Result<Report, AppError> {
    generate_at_scale(db, users, Scale::default(), seed, now).await
}

pub async fn generate_at_scale(db: &Db, users: usize, scale: Scale, seed: u64, now: i64) -> Result<Report, AppError> {
    let hash = password::hash(DEMO_USER_PASSWORD.into()).await?;
    let mut tx = db.pool.begin().await?;
    let conn: &mut AnyConnection = &mut tx;
    let ids = Ids {
        user: max_id(conn, "users").await?,
        location: max_id(conn, "locations").await?,
        camera: max_id(conn, "cameras").await?,
        intercom: max_id(conn, "intercoms").await?,
        link: max_id(conn, "apartment_links").await?,
        case: max_id(conn, "analytics_cases").await?,
        event: max_id(conn, "billing_events").await?,
    };
    let first_event = ids.event;
    let run = ids.user;
    let mut gen = Gen {
        rng: SplitMix64::new(seed),
        ids,
        tables: Tables::all(),
        report: Report::default(),
        run,
        now,
        hash,
        scale,
    };
    let places = gen.places(conn, users).await?;
    for i in 0..users {
        let place = (i * 6 / 10).min(places.codes.len() - 1);
        let mut account = gen.account(conn, i, users, &places.codes[place]).await?;
        let cameras = gen.cameras(conn, &mut account, i == 0).await?;
        gen.apartment(conn, &account, places.intercoms[place]).await?;
        let totals = gen.licences(conn, &mut account).await?;
        let subs = gen.sub_users(conn, &account, &cameras, totals).await?;
        gen.cases(conn, &account, &cameras, totals, &subs).await?;
        gen.history(conn, &mut account, cameras.len()).await?;
    }
    let Gen { mut tables, mut report, .. } = gen;
    tables.flush(conn).await?;
    report.billing_events = (max_id(conn, "billing_events").await? - first_event) as usize;
    if db.backend == Backend::Postgres {
        for table in [
            "users",
            "locations",
            "cameras",
            "intercoms",
            "apartment_links",
            "apartment_keys",
            "analytics_cases",
            "case_events",
            "billing_events",
        ] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            ))
            .execute(&mut *conn)
            .await?;
        }
    }
    tx.commit().await?;
    if db.backend == Backend::Postgres {
        // The planner's statistics for what was just written, as autovacuum would gather
        // them in a while (where it runs at all): plans for a seeded database from the start.
        sqlx::query("ANALYZE").execute(&db.pool).await?;
    }
    Ok(report)
}
