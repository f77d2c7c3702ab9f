//! `make bench`: billing API throughput and latency over real HTTP (64 keep-alive
//! connections) to a `server` process of its own, against the baseline of the same rows
//! written with hand-written SQL from this process (and, on PostgreSQL, pgbench's own rate
//! of single-row transactions), on SQLite and, when `BENCH_POSTGRES_URL` or
//! `TEST_POSTGRES_URL` is set, on PostgreSQL. `billing.new_entity` (argon2id) is measured
//! separately, so are bulk onboarding with hashed passwords (`BENCH_ONBOARD` subscribers
//! through the batch call) and the API while a flood of sign-ins with random logins runs
//! beside it (with a real administrator signing in).

use app::backend::db::Backend;
use app::backend::state::Clock;
use app::domain::rng::SplitMix64;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{json, Value};
use server::billing;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "shared/bench_db.rs"]
mod bench_db;
#[path = "shared/billing_baseline.rs"]
mod billing_baseline;
#[path = "shared/load.rs"]
mod load;
use bench_db::{db_url, drop_db, fresh_db};
use billing_baseline::{pgbench, sql_phase};
use load::{collect, cores, Client, ServerProcess, Stats, CONNECTIONS};

/// The realistic mix of non-password request types for one worker.
struct Workload {
    rng: SplitMix64,
    worker: usize,
    n: u64,
    users: Arc<Vec<(String, String)>>,
    macs: Vec<(String, String)>,
}

impl Workload {
    fn next(&mut self, run: &str) -> Value {
        self.n += 1;
        let id = format!("{run}-{}-{}", self.worker, self.n);
        let (entity, csa) = self.users[self.rng.below(self.users.len() as u64) as usize].clone();
        match self.rng.below(100) {
            0..=19 => {
                json!({"id": id, "type": if self.rng.chance(50) { "billing.pause_entity" } else { "billing.unpause_entity" }, "entity": entity})
            }
            20..=34 => json!({"id": id, "type": "billing.create_location", "entity": entity, "csa": csa}),
            35..=54 => {
                let mac = format!(
                    "0a:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                    self.worker,
                    (self.n >> 24) & 255,
                    (self.n >> 16) & 255,
                    (self.n >> 8) & 255,
                    self.n & 255
                );
                let mac = if run == "sql" { mac.replacen("0a", "0b", 1) } else { mac };
                self.macs.push((mac.clone(), entity.clone()));
                json!({"id": id, "type": "billing.new_camera", "entity": entity, "mac": mac, "serial_number": format!("SN{}", self.n), "model": "Bench"})
            }
            55..=74 if !self.macs.is_empty() => {
                let (mac, owner) = self.macs[self.rng.below(self.macs.len() as u64) as usize].clone();
                let csa = self.users.iter().find(|(e, _)| *e == owner).map(|(_, c)| c.clone()).unwrap_or_default();
                json!({"id": id, "type": "billing.attach_camera", "entity": owner, "mac": mac, "csa": csa})
            }
            75..=84 if !self.macs.is_empty() => {
                let (mac, owner) = self.macs[self.rng.below(self.macs.len() as u64) as usize].clone();
                json!({"id": id, "type": "billing.detach_camera", "entity": owner, "mac": mac})
            }
            85..=94 => {
                json!({"id": id, "type": "billing.set_licences", "entity": entity, "analytics_l1": 50, "analytics_l2": 20 + self.rng.below(5), "analytics_l3": 10})
            }
            _ => {
                json!({"id": id, "type": "billing.update_login", "entity": entity, "login": format!("{}-{}-{}", run, self.worker, self.n)})
            }
        }
    }
}

async fn http_phase(
    addr: std::net::SocketAddr,
    seconds: u64,
    make: impl Fn(usize) -> Box<dyn FnMut() -> Value + Send> + Send + Sync + 'static,
) -> Stats {
    let make = Arc::new(make);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..CONNECTIONS {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut next = make(w);
            let mut client = Client::connect(addr).await;
            let (mut lat, mut errors) = (Vec::new(), 0);
            while Instant::now() < deadline {
                let body = next().to_string();
                let t = Instant::now();
                let (status, _) = client.post("/api/billing/v1/requests", body).await;
                lat.push(t.elapsed().as_micros() as u64);
                if status != 200 {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    collect(tasks, started).await
}

/// 100,000 (`BENCH_ONBOARD`) new subscribers with passwords billing hashed already, through
/// `POST /api/billing/v1/batch` in calls of 1,000 over 4 connections.
async fn onboarding(addr: std::net::SocketAddr) {
    let total: usize = std::env::var("BENCH_ONBOARD").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let hash = app::backend::password::hash("onboarded-password".into()).await.unwrap();
    let calls: Vec<String> = (0..total.div_ceil(1_000))
        .map(|b| {
            let requests: Vec<Value> = (b * 1_000..((b + 1) * 1_000).min(total))
                .map(|i| {
                    json!({"id": format!("onb-{i}"), "type": "billing.new_entity", "entity": format!("ONB-{i}"),
                                "login": format!("onb{i}"), "name": format!("Onboarded {i}"), "password_hash": hash})
                })
                .collect();
            json!({ "requests": requests }).to_string()
        })
        .collect();
    let calls = Arc::new(std::sync::Mutex::new(calls.into_iter()));
    let started = Instant::now();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let calls = calls.clone();
            tokio::spawn(async move {
                let mut client = Client::connect(addr).await;
                let mut applied = 0;
                loop {
                    let Some(body) = calls.lock().unwrap().next() else { break };
                    let (_, answer) = client.post(billing::batch::PATH, body).await;
                    let answer: Value = serde_json::from_slice(&answer).unwrap();
                    applied += answer["results"]
                        .as_array()
                        .map(|r| r.iter().filter(|r| r["body"]["outcome"] == "applied").count())
                        .unwrap_or(0);
                }
                applied
            })
        })
        .collect();
    let mut applied = 0;
    for w in workers {
        applied += w.await.unwrap();
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "  {:<28} {applied:>8} of {total} applied in {took:>5.1} s = {:>8.0} subscribers/s",
        "onboarding (batch, hashed)",
        applied as f64 / took
    );
}

async fn bench_backend(backend: Backend, pg: Option<&str>, seconds: u64) {
    let name = format!("vms_bench_{}", std::process::id());
    let (db, drop_pg) = fresh_db(backend, pg, &name).await;
    let now = Clock::default().now_ms();
    server::demo::generate(&db, 2_000, 42, now).await.unwrap();
    let users: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.entity, MIN(l.csa_code) FROM users u JOIN user_locations ul ON ul.user_id = u.id \
         JOIN locations l ON l.id = ul.location_id WHERE u.parent_id IS NULL AND u.status <> 'deleted' GROUP BY u.entity",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let users = Arc::new(users);
    server::admins::create(
        &db,
        server::admins::NewAdmin {
            login: "bench-admin".into(),
            password: "bench-admin-password".into(),
            role: app::domain::admin::Role::Admin,
            permissions: vec![app::domain::admin::Permission::UsersView],
            scope_csa: vec![],
            scope_cameras: vec![],
        },
        now,
    )
    .await
    .unwrap();
    let url = db_url(backend, pg, &name);
    db.pool.close().await;
    let server = ServerProcess::start(&url).await;
    let addr = server.addr;

    println!("{backend:?} ({} users seeded, {CONNECTIONS} connections, {seconds} s per phase)", users.len());
    let workload = |run: &'static str, users: Arc<Vec<(String, String)>>| {
        move |w: usize| -> Box<dyn FnMut() -> Value + Send> {
            let mut wl = Workload {
                rng: SplitMix64::new(w as u64 + 1),
                worker: w,
                n: 0,
                users: users.clone(),
                macs: Vec::new(),
            };
            Box::new(move || wl.next(run))
        }
    };
    let cpu = server.cpu();
    let stats = http_phase(addr, seconds, workload("api", users.clone())).await;
    let api = stats.report("API (HTTP, mixed types)");
    println!(
        "  server process CPU           {:.0} µs a request ({:.0}% of the machine's time)",
        (server.cpu() - cpu).as_micros() as f64 / stats.latencies_us.len() as f64,
        (server.cpu() - cpu).as_secs_f64() / stats.elapsed.as_secs_f64() / cores() * 100.0
    );
    let base = sql_phase(&url, seconds, workload("sql", users.clone())).await.report("hand-written SQL (same rows)");
    println!("  API/hand-written SQL         {:.2}", api / base);
    if backend == Backend::Postgres {
        if let Some(tps) = pgbench(&url, seconds).await {
            println!("  API/pgbench                  {:.2}", api / tps);
        }
    }

    sign_in_flood(addr, seconds, workload("calm", users.clone()), workload("flood", users.clone())).await;

    let new_seconds = seconds.min(20);
    let stats = http_phase(addr, new_seconds, |w| {
        let mut n = 0u64;
        Box::new(move || {
            n += 1;
            json!({"id": format!("ne-{w}-{n}"), "type": "billing.new_entity", "entity": format!("NE-{w}-{n}"),
                   "login": format!("ne{w}x{n}"), "password": "bench-password", "name": "Bench User"})
        })
    })
    .await;
    let rate = stats.report("billing.new_entity (argon2)");
    println!("  argon2 parameters            {}", app::backend::password::parameters());
    println!("  100,000 new_entity at this rate: {:.1} min", 100_000.0 / rate / 60.0);
    onboarding(addr).await;

    drop(server);
    let db = app::backend::db::Db::connect(&url).await.unwrap();
    drop_db(db, drop_pg, &name).await;
}

/// One sign-in over a fresh connection from `from`: (status, latency).
async fn sign_in_once(addr: std::net::SocketAddr, from: std::net::IpAddr, body: String) -> (u16, Duration) {
    let t = Instant::now();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(std::net::SocketAddr::new(from, 0)).unwrap();
    let stream = socket.connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let req = hyper::Request::post("/api/console/sign_in")
        .header("host", "bench")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let res = sender.send_request(req).await.unwrap();
    let status = res.status().as_u16();
    let _ = res.into_body().collect().await;
    (status, t.elapsed())
}

/// A sign-in flood: 64 connections post sign-ins with random logins from one address
/// (127.0.0.1) until `deadline`, while a real administrator signs in from another
/// (127.0.0.2) every second. Answers (flood attempts, refused, administrator latencies, its
/// failures).
async fn flood(addr: std::net::SocketAddr, deadline: Instant) -> (usize, usize, Vec<Duration>, usize) {
    let flooder = "127.0.0.1".parse().unwrap();
    let flood: Vec<_> = (0..CONNECTIONS)
        .map(|w| {
            tokio::spawn(async move {
                let (mut sent, mut refused) = (0usize, 0usize);
                while Instant::now() < deadline {
                    let body = format!("login=flood-{w}-{sent}&password=guess-{sent}");
                    let (status, _) = sign_in_once(addr, flooder, body).await;
                    sent += 1;
                    refused += usize::from(status == 429);
                }
                (sent, refused)
            })
        })
        .collect();
    let (mut latencies, mut failed) = (Vec::new(), 0);
    while Instant::now() < deadline {
        let body = "login=bench-admin&password=bench-admin-password".to_string();
        let (status, took) = sign_in_once(addr, "127.0.0.2".parse().unwrap(), body).await;
        latencies.push(took);
        failed += usize::from(status != 200);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let (mut sent, mut refused) = (0, 0);
    for t in flood {
        let (s, r) = t.await.unwrap();
        sent += s;
        refused += r;
    }
    latencies.sort_unstable();
    (sent, refused, latencies, failed)
}

fn report_sign_ins(label: &str, (sent, refused, latencies, failed): &(usize, usize, Vec<Duration>, usize)) {
    let at = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "  {label:<28} admin: {} sign-ins ({failed} failed) p50 {:.0} ms p99 {:.0} ms; flood: {sent} attempts, {refused} refused (429)",
        latencies.len(),
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
    );
}

/// A sign-in flood alone (how long a real administrator's sign-in takes); then the billing
/// API at full load without and, right after, with a flood (the ratio of the two, measured
/// side by side because the API's rate drifts as the database grows).
async fn sign_in_flood<W>(addr: std::net::SocketAddr, seconds: u64, calm: W, flooded: W)
where
    W: Fn(usize) -> Box<dyn FnMut() -> Value + Send> + Send + Sync + 'static,
{
    let alone = flood(addr, Instant::now() + Duration::from_secs(seconds)).await;
    report_sign_ins("sign-in flood", &alone);
    let unloaded = http_phase(addr, seconds, calm).await.report("API, no flood (baseline)");
    let during = tokio::spawn(flood(addr, Instant::now() + Duration::from_secs(seconds)));
    let loaded = http_phase(addr, seconds, flooded).await.report("API during a sign-in flood");
    report_sign_ins("flood + billing at full load", &during.await.unwrap());
    println!("  API flooded/unloaded         {:.2}", loaded / unloaded);
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    println!("billing API benchmark, {} cores", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    // `BENCH_BACKENDS=sqlite` or `postgres` runs one alone.
    let only = std::env::var("BENCH_BACKENDS").unwrap_or_default();
    if only.is_empty() || only.contains("sqlite") {
        bench_backend(Backend::Sqlite, None, seconds).await;
    }
    if only.is_empty() || only.contains("postgres") {
        match std::env::var("BENCH_POSTGRES_URL").or_else(|_| std::env::var("TEST_POSTGRES_URL")) {
            Ok(url) => bench_backend(Backend::Postgres, Some(&url), seconds).await,
            Err(_) => println!("PostgreSQL skipped: set BENCH_POSTGRES_URL (or TEST_POSTGRES_URL)"),
        }
    }
}
