//! The load side of `bench`: the server process under load, connections to it, and the
//! latency statistics of a phase.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use std::time::{Duration, Instant};

pub const CONNECTIONS: usize = 64;
pub const TOKEN: &str = "bench-token";

pub struct Stats {
    pub latencies_us: Vec<u64>,
    pub errors: usize,
    pub elapsed: Duration,
}

impl Stats {
    pub fn report(&self, label: &str) -> f64 {
        let mut l = self.latencies_us.clone();
        l.sort_unstable();
        let pct = |p: f64| {
            l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1))).copied().unwrap_or(0) as f64 / 1000.0
        };
        let rate = l.len() as f64 / self.elapsed.as_secs_f64();
        println!(
            "  {label:<28} {:>8} requests in {:>5.1} s = {:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   errors {}",
            l.len(),
            self.elapsed.as_secs_f64(),
            rate,
            pct(0.50),
            pct(0.99),
            self.errors
        );
        rate
    }
}

/// A keep-alive HTTP/1 connection to the server under load.
pub struct Client(hyper::client::conn::http1::SendRequest<Full<Bytes>>);

impl Client {
    pub async fn connect(addr: std::net::SocketAddr) -> Self {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.unwrap();
        tokio::spawn(conn);
        Self(sender)
    }

    /// Posts a JSON body with the billing token; answers the status and the body.
    pub async fn post(&mut self, path: &str, body: String) -> (u16, Bytes) {
        let req = hyper::Request::post(path)
            .header("host", "bench")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let res = self.0.send_request(req).await.unwrap();
        let status = res.status().as_u16();
        (status, res.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default())
    }
}

/// The latencies and errors of the load's tasks, and the time they took since `started`.
pub async fn collect(tasks: Vec<tokio::task::JoinHandle<(Vec<u64>, usize)>>, started: Instant) -> Stats {
    let mut stats = Stats { latencies_us: Vec::new(), errors: 0, elapsed: Duration::ZERO };
    for t in tasks {
        let (l, e) = t.await.unwrap();
        stats.latencies_us.extend(l);
        stats.errors += e;
    }
    stats.elapsed = started.elapsed();
    stats
}

/// The `server` binary built beside this one, serving `url` on a port of its own: the API
/// under load runs in its own process, not in the load generator's runtime.
pub struct ServerProcess {
    child: std::process::Child,
    pub addr: std::net::SocketAddr,
}

impl ServerProcess {
    pub async fn start(url: &str) -> Self {
        let exe = std::env::current_exe().unwrap().with_file_name("server");
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let child = std::process::Command::new(&exe)
            .env("DATABASE_URL", url)
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("VMS_BILLING_TOKENS", TOKEN)
            .env("RUST_LOG", "warn")
            .env("LEPTOS_OUTPUT_NAME", "vms")
            .env("LEPTOS_SITE_ROOT", std::env::temp_dir().join("vms-bench-site"))
            .env_remove("VMS_DEMO_DATA")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e} (build it: cargo build --release -p server --bins)", exe.display()));
        // Killed by `drop` however this ends.
        let server = Self { child, addr };
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not start on {addr}");
    }

    /// CPU time the process has used so far (user + system), from /proc.
    pub fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // utime and stime are the line's 14th and 15th fields, in clock ticks (100 a second):
        // the 12th and 13th after the command name, the state letter being the 1st. Some
        // fields before them can be negative (tpgid is -1 without a terminal).
        let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, f)| f.split_whitespace().collect()).unwrap_or_default();
        let tick = |i: usize| fields.get(i).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
        Duration::from_millis((tick(11) + tick(12)) * 10)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The machine's cores.
pub fn cores() -> f64 {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64
}
