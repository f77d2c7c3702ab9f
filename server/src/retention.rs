//! Deletion and retention (SPEC §8): 30 days after a user's deletion everything of the user
//! and its sub-users is removed; analytics of a level whose licences stayed at zero for 7
//! days are removed. Runs in small transactions (no long locks), is idempotent, and with
//! several server processes only the holder of the database lease runs it.

use app::backend::db::Db;
use app::error::AppError;
use serde::Serialize;
use sqlx::AnyConnection;

pub use app::domain::retention::{DELETED_KEEP_MS, UNLICENSED_KEEP_MS};
pub use app::domain::time::DAY_MS;
/// Accounts (with their sub-users) purged per transaction.
const BATCH: i64 = 50;
const LEASE: &str = "retention";
/// A run that crashed frees the lease after this long.
const LEASE_MS: i64 = 10 * 60 * 1000;

/// What a run removed.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub accounts: u64,
    pub billing_events: u64,
    pub audit_entries: u64,
    pub cases: u64,
    pub case_events: u64,
    pub apartment_links: u64,
    pub sessions: u64,
    /// Sessions past their end, used or expired Log in as User links, and sign-in throttle
    /// rows no longer counting.
    pub expired_sessions: u64,
    pub impersonation_links: u64,
    pub throttle_rows: u64,
}

impl Report {
    /// Rows purged, by kind, as `/metrics` names them.
    pub fn purged(&self) -> [(&'static str, u64); 10] {
        [
            ("accounts", self.accounts),
            ("billing_events", self.billing_events),
            ("audit_entries", self.audit_entries),
            ("cases", self.cases),
            ("case_events", self.case_events),
            ("apartment_links", self.apartment_links),
            ("sessions", self.sessions),
            ("expired_sessions", self.expired_sessions),
            ("impersonation_links", self.impersonation_links),
            ("throttle_rows", self.throttle_rows),
        ]
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "removed {} accounts, {} billing events, {} audit entries, {} analytics cases, {} case events, \
             {} apartment links, {} sessions; {} expired sessions, {} used or expired Log in as User links, \
             {} sign-in throttle rows",
            self.accounts,
            self.billing_events,
            self.audit_entries,
            self.cases,
            self.case_events,
            self.apartment_links,
            self.sessions,
            self.expired_sessions,
            self.impersonation_links,
            self.throttle_rows
        )
    }
}

/// Applies the rules as of `at` (epoch ms). `None` when another process holds the lease.
pub async fn run(db: &Db, at: i64, holder: &str) -> Result<Option<Report>, AppError> {
    if !acquire(db, holder).await? {
        return Ok(None);
    }
    let result = purge(db, at).await;
    if let Ok(report) = &result {
        record(db, at, report).await?;
    }
    release(db, holder).await?;
    result.map(Some)
}

impl Report {
    /// Whether the run removed any of the data of SPEC §8 (not only expired sessions).
    pub fn removed_data(&self) -> bool {
        self.accounts + self.billing_events + self.audit_entries + self.cases + self.case_events + self.apartment_links
            > 0
    }
}

/// An audit entry for a run that removed data, saying what it removed.
async fn record(db: &Db, at: i64, report: &Report) -> Result<(), AppError> {
    if !report.removed_data() {
        return Ok(());
    }
    let entry = app::backend::audit::Entry {
        actor_kind: "system",
        actor_id: None,
        actor_login: "retention",
        impersonator_id: None,
        action: "retention.purge",
        target_kind: "system",
        target_id: None,
        target_label: "retention",
        user_id: None,
        details: serde_json::to_value(report).unwrap_or_default(),
    };
    app::backend::audit::record_db(db, at, entry).await
}

/// A lease holder name unique to this process.
pub fn holder() -> String {
    format!("{}-{}", std::process::id(), app::backend::token::new_token().get(..8).unwrap_or_default())
}

/// Runs retention now and then every `EVERY`, for the life of the server.
pub async fn periodically(state: app::backend::AppState) {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);
    let holder = holder();
    loop {
        match run(&state.db, state.clock.now_ms(), &holder).await {
            Ok(Some(report)) => {
                state.metrics.retention_run(&report.purged());
                if report != Report::default() {
                    tracing::info!(%report, "retention");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "retention failed"),
        }
        tokio::time::sleep(EVERY).await;
    }
}

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Takes the lease if it is free, expired, or already ours.
async fn acquire(db: &Db, holder: &str) -> Result<bool, AppError> {
    let now = wall_clock_ms();
    let taken = sqlx::query(
        "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE leases.expires_at < $4 OR leases.holder = excluded.holder",
    )
    .bind(LEASE)
    .bind(holder)
    .bind(now + LEASE_MS)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(taken.rows_affected() == 1)
}

async fn release(db: &Db, holder: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
        .bind(LEASE)
        .bind(holder)
        .execute(&db.pool)
        .await?;
    Ok(())
}

async fn purge(db: &Db, at: i64) -> Result<Report, AppError> {
    let mut report = Report::default();
    purge_expired(db, at, &mut report).await?;
    // Deleted accounts, a batch per transaction. Sub-users go with their parent; a sub-user
    // deleted on its own goes 30 days after its own deletion.
    loop {
        let mut tx = db.pool.begin().await?;
        let due: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM users WHERE deleted_at IS NOT NULL AND deleted_at <= $1 ORDER BY id LIMIT $2",
        )
        .bind(at - DELETED_KEEP_MS)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if due.is_empty() {
            break;
        }
        let mut ids: Vec<i64> = due.into_iter().map(|(id,)| id).collect();
        let children: Vec<(i64,)> =
            sqlx::query_as(&format!("SELECT id FROM users WHERE parent_id IN ({})", list(&ids)))
                .fetch_all(&mut *tx)
                .await?;
        ids.extend(children.into_iter().map(|(id,)| id));
        ids.sort_unstable();
        ids.dedup();
        remove_accounts(&mut tx, &ids, &mut report).await?;
        tx.commit().await?;
    }
    // Analytics of levels without licences for 7 days, one licence row per transaction.
    loop {
        let mut tx = db.pool.begin().await?;
        let due: Option<(i64, i64)> = sqlx::query_as(
            "SELECT l.user_id, l.level FROM licences l WHERE l.total = 0 AND l.zero_since IS NOT NULL \
             AND l.zero_since <= $1 AND EXISTS (SELECT 1 FROM analytics_cases c WHERE c.account_id = l.user_id AND c.level = l.level) \
             ORDER BY l.user_id, l.level LIMIT 1",
        )
        .bind(at - UNLICENSED_KEEP_MS)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((account, level)) = due else { break };
        let cases = format!("SELECT id FROM analytics_cases WHERE account_id = {account} AND level = {level}");
        remove_cases(&mut tx, &cases, &mut report).await?;
        tx.commit().await?;
    }
    Ok(report)
}

/// What lost its use by `at`: sessions past their end (an impersonation session whose
/// administrator session is gone goes too), used or expired Log in as User links, and
/// sign-in throttle rows no longer counting.
async fn purge_expired(db: &Db, at: i64, report: &mut Report) -> Result<(), AppError> {
    let run = |sql: &'static str| sqlx::query(sql).bind(at).execute(&db.pool);
    report.expired_sessions += run("DELETE FROM admin_sessions WHERE expires_at <= $1").await?.rows_affected();
    report.expired_sessions +=
        run("DELETE FROM user_sessions WHERE expires_at <= $1 OR (impersonator_id IS NOT NULL AND NOT EXISTS \
           (SELECT 1 FROM admin_sessions x WHERE x.token_hash = user_sessions.admin_session))")
        .await?
        .rows_affected();
    report.impersonation_links +=
        run("DELETE FROM impersonation_tokens WHERE used_at IS NOT NULL OR expires_at <= $1").await?.rows_affected();
    report.throttle_rows +=
        sqlx::query("DELETE FROM sign_in_throttle WHERE blocked_until <= $1 AND last_attempt_at <= $2")
            .bind(at)
            .bind(at - app::backend::throttle::WINDOW_MS)
            .execute(&db.pool)
            .await?
            .rows_affected();
    Ok(())
}

/// Ids from our own queries, inlined into `IN (…)`.
fn list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

async fn remove_cases(tx: &mut AnyConnection, cases: &str, report: &mut Report) -> Result<(), AppError> {
    report.case_events += sqlx::query(&format!("DELETE FROM case_events WHERE case_id IN ({cases})"))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(&format!("DELETE FROM case_cameras WHERE case_id IN ({cases})")).execute(&mut *tx).await?;
    report.cases += sqlx::query(&format!("DELETE FROM analytics_cases WHERE id IN ({cases})"))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    Ok(())
}

async fn remove_accounts(tx: &mut AnyConnection, ids: &[i64], report: &mut Report) -> Result<(), AppError> {
    let ids = list(ids);
    let cases = format!("SELECT id FROM analytics_cases WHERE user_id IN ({ids}) OR account_id IN ({ids})");
    remove_cases(tx, &cases, report).await?;
    let statements = [
        format!("DELETE FROM billing_events WHERE user_id IN ({ids})"),
        format!("DELETE FROM audit_entries WHERE user_id IN ({ids}) OR (target_kind IN ('user', 'sub-user') AND target_id IN ({ids}))"),
        format!("DELETE FROM apartment_keys WHERE link_id IN (SELECT id FROM apartment_links WHERE user_id IN ({ids}))"),
        format!("DELETE FROM apartment_links WHERE user_id IN ({ids})"),
        format!("DELETE FROM user_sessions WHERE user_id IN ({ids})"),
        format!("DELETE FROM impersonation_tokens WHERE user_id IN ({ids})"),
        format!("DELETE FROM camera_access WHERE user_id IN ({ids})"),
        format!("DELETE FROM user_permissions WHERE user_id IN ({ids})"),
        format!("DELETE FROM licences WHERE user_id IN ({ids})"),
        format!("DELETE FROM environments WHERE user_id IN ({ids})"),
        format!("DELETE FROM sync_runs WHERE user_id IN ({ids})"),
        format!("DELETE FROM user_locations WHERE user_id IN ({ids})"),
        format!("DELETE FROM users WHERE parent_id IS NOT NULL AND id IN ({ids})"),
        format!("DELETE FROM users WHERE id IN ({ids})"),
    ];
    let mut counts = Vec::with_capacity(statements.len());
    for sql in statements {
        counts.push(sqlx::query(&sql).execute(&mut *tx).await?.rows_affected());
    }
    report.billing_events += counts[0];
    report.audit_entries += counts[1];
    report.apartment_links += counts[3];
    report.sessions += counts[4];
    report.accounts += counts[12] + counts[13];
    Ok(())
}
