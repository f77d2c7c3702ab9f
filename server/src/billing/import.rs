//! `server billing import FILE.jsonl`: billing requests from a file, one JSON object per
//! line, applied as the batch call applies them (same log, same idempotency), a thousand at
//! a time. Interrupted, it is simply run again: the requests already applied are answered
//! from the log (their passwords are not hashed again), the others are applied.

use super::batch;
use super::writer::Writer;
use app::backend::db::Db;
use app::backend::state::{AppState, Clock, Config};
use serde_json::Value;
use std::io::BufRead;

/// How far an import has come.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    pub total: usize,
    pub done: usize,
    /// Answered 200 (applied now, or before).
    pub applied: usize,
    /// Refused (4xx), with the line numbers and reasons of the first few.
    pub refused: usize,
    pub first_refusals: Vec<String>,
}

/// Applies the requests of `path` in order; `report` hears of each chunk done.
pub async fn import(db: &Db, path: &std::path::Path, mut report: impl FnMut(&Progress)) -> Result<Progress, String> {
    let open =
        || std::fs::File::open(path).map(std::io::BufReader::new).map_err(|e| format!("{}: {e}", path.display()));
    let lines = |file: std::io::BufReader<std::fs::File>| {
        file.lines().enumerate().filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
    };
    let mut progress = Progress { total: lines(open()?).count(), ..Default::default() };
    let options = leptos::prelude::LeptosOptions::builder().output_name("vms").build();
    let state = AppState::new(options, db.clone(), Clock::default(), Config::default());
    let writer = Writer::start(db.clone());
    let mut chunk: Vec<(usize, Value)> = Vec::with_capacity(batch::MAX_REQUESTS);
    let mut lines = lines(open()?).peekable();
    while let Some((n, line)) = lines.next() {
        let line = line.map_err(|e| format!("{}: line {}: {e}", path.display(), n + 1))?;
        // A line that is not JSON is refused like a request that is not an object.
        chunk.push((n + 1, serde_json::from_str(&line).unwrap_or(Value::Null)));
        if chunk.len() == batch::MAX_REQUESTS || lines.peek().is_none() {
            let (numbers, requests): (Vec<usize>, Vec<Value>) = std::mem::take(&mut chunk).into_iter().unzip();
            for (line, result) in numbers.into_iter().zip(batch::apply(&state, &writer, requests).await) {
                progress.done += 1;
                match result["status"].as_u64() {
                    Some(200) => progress.applied += 1,
                    Some(s) if (400..500).contains(&s) => {
                        progress.refused += 1;
                        if progress.first_refusals.len() < 10 {
                            progress.first_refusals.push(format!("line {line}: {s} {}", result["body"]));
                        }
                    }
                    _ => return Err(format!("line {line}: the server failed: {}", result["body"])),
                }
            }
            report(&progress);
        }
    }
    Ok(progress)
}
