//! The baselines `bench` holds the billing API against: the same rows written with
//! hand-written SQL and nothing else, and, on PostgreSQL, pgbench's own single-row rate.

use crate::load::{collect, Stats, CONNECTIONS};
use app::backend::state::Clock;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The baseline: the rows a billing request writes (its event and its effect), written with
/// hand-written SQL and nothing else, one transaction per request, by this process over a
/// pool of its own at the API's concurrency. No validation, no idempotency check, no
/// environment refresh: what the database can do, not what the application does.
pub async fn sql_phase(url: &str, seconds: u64, make: impl Fn(usize) -> Box<dyn FnMut() -> Value + Send>) -> Stats {
    // SQLite with the settings the server gives its connections.
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(CONNECTIONS as u32)
        .after_connect(|conn, _| {
            Box::pin(async move {
                if conn.backend_name() == "SQLite" {
                    use sqlx::Executor;
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000")
                        .await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..CONNECTIONS {
        let mut next = make(w);
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0);
            while Instant::now() < deadline {
                let r = next();
                let t = Instant::now();
                let written = async {
                    let mut tx = pool.begin().await?;
                    write_rows(&mut tx, &r).await?;
                    tx.commit().await
                };
                let ok = written.await.is_ok();
                lat.push(t.elapsed().as_micros() as u64);
                errors += usize::from(!ok);
            }
            (lat, errors)
        }));
    }
    let stats = collect(tasks, started).await;
    pool.close().await;
    stats
}

/// The event row and the effect's rows of one request of the mix (`Workload`).
async fn write_rows(tx: &mut sqlx::AnyConnection, r: &Value) -> Result<(), sqlx::Error> {
    let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    let (kind, entity, now) = (text("type"), text("entity"), Clock::default().now_ms());
    sqlx::query(
        "INSERT INTO billing_events (request_id, type, entity, user_id, body_hash, payload, outcome, status, response, created_at) \
         SELECT $1, $2, $3, id, $4, $5, 'applied', 200, $6, $7 FROM users WHERE entity = $3",
    )
    .bind(text("id"))
    .bind(&kind)
    .bind(&entity)
    .bind("-")
    .bind(r.to_string())
    .bind("{}")
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let run = |sql: &'static str| sqlx::query(sql);
    match kind.as_str() {
        "billing.pause_entity" | "billing.unpause_entity" => {
            let status = if kind == "billing.pause_entity" { "paused" } else { "active" };
            run("UPDATE users SET status = $1, updated_at = $2 WHERE entity = $3")
                .bind(status)
                .bind(now)
                .bind(&entity)
                .execute(&mut *tx)
                .await?;
        }
        "billing.create_location" => {
            run("INSERT INTO locations (csa_code, name, created_at) VALUES ($1, '', $2) ON CONFLICT (csa_code) DO NOTHING")
                .bind(text("csa"))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            run("INSERT INTO user_locations (user_id, location_id, created_at) SELECT u.id, l.id, $1 \
                 FROM users u, locations l WHERE u.entity = $2 AND l.csa_code = $3 ON CONFLICT DO NOTHING")
            .bind(now)
            .bind(&entity)
            .bind(text("csa"))
            .execute(&mut *tx)
            .await?;
        }
        "billing.new_camera" => {
            run("INSERT INTO cameras (mac, serial_number, name, model, source, created_at) \
                 VALUES ($1, $2, $3, $4, 'billing', $5) ON CONFLICT (mac) DO NOTHING")
            .bind(text("mac"))
            .bind(text("serial_number"))
            .bind(format!("Camera {}", text("mac")))
            .bind(text("model"))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        "billing.attach_camera" => {
            run("UPDATE cameras SET location_id = (SELECT id FROM locations WHERE csa_code = $1) WHERE mac = $2")
                .bind(text("csa"))
                .bind(text("mac"))
                .execute(&mut *tx)
                .await?;
            run("INSERT INTO camera_access (user_id, camera_id, granted_at) SELECT u.id, c.id, $1 \
                 FROM users u, cameras c WHERE u.entity = $2 AND c.mac = $3 ON CONFLICT DO NOTHING")
            .bind(now)
            .bind(&entity)
            .bind(text("mac"))
            .execute(&mut *tx)
            .await?;
        }
        "billing.detach_camera" => {
            run("DELETE FROM camera_access WHERE camera_id = (SELECT id FROM cameras WHERE mac = $1) \
                 AND user_id = (SELECT id FROM users WHERE entity = $2)")
            .bind(text("mac"))
            .bind(&entity)
            .execute(&mut *tx)
            .await?;
        }
        "billing.set_licences" => {
            run("INSERT INTO licences (user_id, level, total, updated_at) \
                 SELECT id, l.level, l.total, $2 FROM users, (SELECT 1 AS level, $3 AS total UNION ALL \
                 SELECT 2, $4 UNION ALL SELECT 3, $5) l WHERE entity = $1 \
                 ON CONFLICT (user_id, level) DO UPDATE SET total = excluded.total, updated_at = excluded.updated_at")
            .bind(&entity)
            .bind(now)
            .bind(r["analytics_l1"].as_i64().unwrap_or(0))
            .bind(r["analytics_l2"].as_i64().unwrap_or(0))
            .bind(r["analytics_l3"].as_i64().unwrap_or(0))
            .execute(&mut *tx)
            .await?;
        }
        _ => {
            run("UPDATE users SET login = $1, search = LOWER(name) || ' ' || LOWER($1), updated_at = $2 WHERE entity = $3")
                .bind(text("login"))
                .bind(now)
                .bind(&entity)
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(())
}

/// pgbench's own rate of single-row transactions (one `INSERT` each) at the API's
/// concurrency, on a table of its own in the benchmark's database.
pub async fn pgbench(url: &str, seconds: u64) -> Option<f64> {
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await.ok()?;
    sqlx::query("CREATE TABLE IF NOT EXISTS pgbench_single_rows (id BIGSERIAL PRIMARY KEY, client BIGINT NOT NULL, at BIGINT NOT NULL)")
        .execute(&pool)
        .await
        .ok()?;
    pool.close().await;
    let script = std::env::temp_dir().join(format!("vms_pgbench_{}.sql", std::process::id()));
    std::fs::write(&script, "INSERT INTO pgbench_single_rows (client, at) VALUES (:client_id, 1);\n").ok()?;
    let out = std::process::Command::new("pgbench")
        .args(["-n", "-M", "prepared", "-c", &CONNECTIONS.to_string(), "-j", "2", "-T", &seconds.to_string(), "-f"])
        .arg(&script)
        .arg(url)
        .output();
    let _ = std::fs::remove_file(&script);
    let out = match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(out) => {
            println!("  pgbench failed: {}", String::from_utf8_lossy(&out.stderr).trim());
            return None;
        }
        Err(e) => {
            println!("  pgbench not run ({e}): install PostgreSQL's client tools");
            return None;
        }
    };
    // "tps = 5123.45 (without initial connection time)"
    let tps = out.lines().find_map(|l| l.trim().strip_prefix("tps = ")?.split_whitespace().next()?.parse().ok());
    if let Some(tps) = tps {
        println!("  {:<28} {tps:>8.0} transactions/s ({CONNECTIONS} clients, one INSERT each)", "pgbench single-row");
    }
    tps
}
