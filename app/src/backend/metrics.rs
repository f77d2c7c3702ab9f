//! What the platform team watches (`/metrics`, Prometheus' text format 0.0.4): HTTP
//! requests by route and status with their latencies, billing requests by type and
//! outcome, sign-ins, retention runs and what they purged. Gauges read at scrape time
//! (database pool, event streams) are added by the caller of [`Metrics::render`].
//!
//! Label values come from fixed sets (matched route patterns, event type codes, outcome
//! names), never from what a client typed, so the number of series stays bounded.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Clone, Default)]
struct Histogram {
    /// Observations at or below each bucket's bound (not cumulative; summed on output).
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            self.buckets[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Default)]
struct Series {
    /// (method, route, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, route) → latency.
    latency: BTreeMap<(String, String), Histogram>,
    /// (type, outcome) → billing requests.
    billing: BTreeMap<(&'static str, &'static str), u64>,
    /// (realm, result) → sign-in attempts.
    sign_ins: BTreeMap<(&'static str, &'static str), u64>,
    retention_runs: u64,
    /// What retention purged, by kind → rows.
    purged: BTreeMap<&'static str, u64>,
}

/// The service's counters, one set per running application.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<Series>,
}

/// A gauge read when the metrics are scraped.
pub struct Gauge {
    pub name: &'static str,
    pub help: &'static str,
    /// (labels as `k="v"` pairs joined by commas, value).
    pub values: Vec<(String, f64)>,
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Series) -> T) -> T {
        f(&mut self.series.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// One HTTP request answered: `route` is the matched route pattern (`/users/{id}/cameras`).
    pub fn http_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.with(|s| {
            *s.requests.entry((method.to_string(), route.to_string(), status)).or_default() += 1;
            s.latency.entry((method.to_string(), route.to_string())).or_default().observe(seconds);
        });
    }

    /// One billing request handled: its event type code and its outcome.
    pub fn billing_request(&self, event_type: &'static str, outcome: &'static str) {
        self.with(|s| *s.billing.entry((event_type, outcome)).or_default() += 1);
    }

    /// One sign-in attempt: `realm` is `admin` or `user`; `result` `ok`, `refused` or `throttled`.
    pub fn sign_in(&self, realm: &'static str, result: &'static str) {
        self.with(|s| *s.sign_ins.entry((realm, result)).or_default() += 1);
    }

    /// One retention run and the rows it purged, by kind.
    pub fn retention_run(&self, purged: &[(&'static str, u64)]) {
        self.with(|s| {
            s.retention_runs += 1;
            for (kind, rows) in purged {
                *s.purged.entry(kind).or_default() += rows;
            }
        });
    }

    /// Everything in Prometheus' text format, with the gauges given.
    pub fn render(&self, gauges: &[Gauge]) -> String {
        let mut out = String::new();
        self.with(|s| {
            family(&mut out, "vms_http_requests_total", "counter", "HTTP requests answered, by route and status.");
            for ((method, route, status), n) in &s.requests {
                let _ = writeln!(
                    out,
                    "vms_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(method),
                    escape(route)
                );
            }
            family(
                &mut out,
                "vms_http_request_duration_seconds",
                "histogram",
                "Time to answer HTTP requests, by route.",
            );
            for ((method, route), h) in &s.latency {
                let labels = format!("method=\"{}\",route=\"{}\"", escape(method), escape(route));
                let mut cumulative = 0;
                for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                    cumulative += n;
                    let _ = writeln!(
                        out,
                        "vms_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                    );
                }
                let _ = writeln!(out, "vms_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "vms_http_request_duration_seconds_sum{{{labels}}} {}", h.sum);
                let _ = writeln!(out, "vms_http_request_duration_seconds_count{{{labels}}} {}", h.count);
            }
            family(&mut out, "vms_billing_requests_total", "counter", "Billing requests handled, by type and outcome.");
            for ((t, outcome), n) in &s.billing {
                let _ = writeln!(out, "vms_billing_requests_total{{type=\"{t}\",outcome=\"{outcome}\"}} {n}");
            }
            family(&mut out, "vms_sign_ins_total", "counter", "Sign-in attempts, by realm and result.");
            for ((realm, result), n) in &s.sign_ins {
                let _ = writeln!(out, "vms_sign_ins_total{{realm=\"{realm}\",result=\"{result}\"}} {n}");
            }
            family(&mut out, "vms_retention_runs_total", "counter", "Retention runs completed.");
            let _ = writeln!(out, "vms_retention_runs_total {}", s.retention_runs);
            family(&mut out, "vms_retention_purged_total", "counter", "Rows retention purged, by kind.");
            for (kind, n) in &s.purged {
                let _ = writeln!(out, "vms_retention_purged_total{{kind=\"{kind}\"}} {n}");
            }
        });
        for g in gauges {
            family(&mut out, g.name, "gauge", g.help);
            for (labels, value) in &g.values {
                if labels.is_empty() {
                    let _ = writeln!(out, "{} {value}", g.name);
                } else {
                    let _ = writeln!(out, "{}{{{labels}}} {value}", g.name);
                }
            }
        }
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the text format wants it: backslash, quote and newline escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_cumulative_buckets_in_the_text_format() {
        let m = Metrics::default();
        m.http_request("GET", "/users/{id}/cameras", 200, 0.004);
        m.http_request("GET", "/users/{id}/cameras", 200, 0.3);
        m.http_request("GET", "/users/{id}/cameras", 404, 7.0);
        m.billing_request("billing.new_entity", "applied");
        m.sign_in("admin", "refused");
        m.retention_run(&[("users", 2), ("sessions", 0)]);
        m.retention_run(&[("users", 1)]);
        let text = m.render(&[Gauge { name: "vms_up", help: "Up.", values: vec![(String::new(), 1.0)] }]);
        let has = |line: &str| assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        has("vms_http_requests_total{method=\"GET\",route=\"/users/{id}/cameras\",status=\"200\"} 2");
        has("vms_http_requests_total{method=\"GET\",route=\"/users/{id}/cameras\",status=\"404\"} 1");
        let labels = "method=\"GET\",route=\"/users/{id}/cameras\"";
        has(&format!("vms_http_request_duration_seconds_bucket{{{labels},le=\"0.001\"}} 0"));
        has(&format!("vms_http_request_duration_seconds_bucket{{{labels},le=\"0.005\"}} 1"));
        has(&format!("vms_http_request_duration_seconds_bucket{{{labels},le=\"0.5\"}} 2"));
        has(&format!("vms_http_request_duration_seconds_bucket{{{labels},le=\"5\"}} 2"));
        has(&format!("vms_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} 3"));
        has(&format!("vms_http_request_duration_seconds_count{{{labels}}} 3"));
        has("vms_billing_requests_total{type=\"billing.new_entity\",outcome=\"applied\"} 1");
        has("vms_sign_ins_total{realm=\"admin\",result=\"refused\"} 1");
        has("vms_retention_runs_total 2");
        has("vms_retention_purged_total{kind=\"users\"} 3");
        has("vms_retention_purged_total{kind=\"sessions\"} 0");
        has("# TYPE vms_up gauge");
        has("vms_up 1");
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
