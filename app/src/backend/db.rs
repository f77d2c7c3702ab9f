//! One pool, two backends: SQLite (embedded default) or PostgreSQL, chosen by the URL.
//! Queries are portable SQL with `$n` placeholders; each backend has its migrations folder.

use super::keys::SecretKey;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The SQLite database file, for connections of its own (the billing writer's).
    pub sqlite_path: Option<String>,
    /// For keyed hashes of values that may hold secrets (see `keys`).
    pub secret: SecretKey,
    /// SQLite has one writer at a time, and the billing writer thread holds that place
    /// almost always under load, so a pool write waiting in SQLite's busy handler could wait
    /// seconds. Writes that must not (sign-in) take turns with the billing writer here
    /// instead: a fair queue, served between two billing batches.
    pub write_gate: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// The migrations of each backend, compiled in: (file name, SQL). A test checks that the
/// list names every file of the folders.
const SQLITE_MIGRATIONS: &[(&str, &str)] = &[
    ("0001_schema.sql", include_str!("../../../migrations/sqlite/0001_schema.sql")),
    ("0002_user_search.sql", include_str!("../../../migrations/sqlite/0002_user_search.sql")),
    ("0003_sessions_and_sign_in.sql", include_str!("../../../migrations/sqlite/0003_sessions_and_sign_in.sql")),
    ("0004_camera_search.sql", include_str!("../../../migrations/sqlite/0004_camera_search.sql")),
    ("0005_search_by_code.sql", include_str!("../../../migrations/sqlite/0005_search_by_code.sql")),
    ("0006_place_search.sql", include_str!("../../../migrations/sqlite/0006_place_search.sql")),
    ("0007_login_lookup.sql", include_str!("../../../migrations/sqlite/0007_login_lookup.sql")),
];
const POSTGRES_MIGRATIONS: &[(&str, &str)] = &[
    ("0001_schema.sql", include_str!("../../../migrations/postgres/0001_schema.sql")),
    ("0002_user_search.sql", include_str!("../../../migrations/postgres/0002_user_search.sql")),
    ("0003_sessions_and_sign_in.sql", include_str!("../../../migrations/postgres/0003_sessions_and_sign_in.sql")),
    ("0004_camera_search.sql", include_str!("../../../migrations/postgres/0004_camera_search.sql")),
    ("0005_search_by_code.sql", include_str!("../../../migrations/postgres/0005_search_by_code.sql")),
    ("0006_place_search.sql", include_str!("../../../migrations/postgres/0006_place_search.sql")),
    ("0007_login_lookup.sql", include_str!("../../../migrations/postgres/0007_login_lookup.sql")),
];

/// Registers both drivers with sqlx's `Any` (once per process).
pub fn install_drivers() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        sqlx::any::install_drivers(&[sqlx_sqlite::any::DRIVER, sqlx_postgres::any::DRIVER])
            .expect("the database drivers are installed once");
    });
}

/// A migrator for `files` as sqlx's `migrate!` would make it (the version and description
/// from the file name, the checksum of the SQL), so databases migrated before agree.
fn migrator(files: &'static [(&'static str, &'static str)]) -> sqlx::migrate::Migrator {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let migrations = files
        .iter()
        .map(|(file, sql)| {
            let stem = file.trim_end_matches(".sql");
            let (version, description) = stem.split_once('_').unwrap_or((stem, ""));
            Migration::new(
                version.parse().expect("migration files start with their version"),
                description.replace('_', " ").into(),
                MigrationType::Simple,
                (*sql).into(),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator { migrations: migrations.into(), ..Migrator::DEFAULT }
}

impl Db {
    /// Connects and runs the migrations of the backend.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        install_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            (Backend::Sqlite, sqlite_url(url)?)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(sqlx::Error::Configuration("DATABASE_URL must start with sqlite:// or postgres://".into()));
        };
        let options = match backend {
            Backend::Sqlite => AnyPoolOptions::new().max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                             PRAGMA journal_size_limit = 67108864;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        let pool = options.connect(&url).await?;
        let sqlite_path =
            (backend == Backend::Sqlite).then(|| sqlite_path(&url)).filter(|p| !p.is_empty() && p != ":memory:");
        migrate(&pool, backend).await?;
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        let secret = SecretKey::load(&pool, now).await?;
        Ok(Self { pool, backend, sqlite_path, secret, write_gate: Default::default() })
    }

    /// Whether the service can serve: the database answers and holds every migration this
    /// version knows, applied in full. Why not, if it cannot.
    pub async fn ready(&self) -> Result<(), String> {
        let applied: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| format!("database unreachable: {e}"))?;
        for m in migrator(migrations(self.backend)).iter() {
            if !applied.contains(&(m.version,)) {
                return Err(format!("migration {} ({}) is not applied", m.version, m.description));
            }
        }
        Ok(())
    }

    /// A turn to write on SQLite between billing batches (see `write_gate`); nothing to
    /// wait for on PostgreSQL, which locks rows.
    pub async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.write_gate.lock().await),
            Backend::Postgres => None,
        }
    }
}

fn migrations(backend: Backend) -> &'static [(&'static str, &'static str)] {
    match backend {
        Backend::Sqlite => SQLITE_MIGRATIONS,
        Backend::Postgres => POSTGRES_MIGRATIONS,
    }
}

async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), sqlx::Error> {
    migrator(migrations(backend)).run(pool).await.map_err(|e| sqlx::Error::Migrate(Box::new(e)))
}

/// The file of a `sqlite:` URL.
fn sqlite_path(url: &str) -> String {
    url.trim_start_matches("sqlite://").trim_start_matches("sqlite:").split('?').next().unwrap_or_default().to_string()
}

/// Makes sure the SQLite file (and its folder) can be created.
fn sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let path = sqlite_path(url);
    let path = path.as_str();
    if !path.is_empty() && path != ":memory:" {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| sqlx::Error::Configuration(e.into()))?;
            }
        }
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// A user's search term as an FTS5 phrase: with the trigram tokenizer it matches exactly the
/// texts containing the term (3 characters or more), read from the index alone.
pub fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.trim().to_lowercase().replace('"', "\"\""))
}

/// Escapes a user's search term for `LIKE ... ESCAPE '\'` and wraps it in `%`.
pub fn like_pattern(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for ch in term.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_migration_file_is_compiled_in() {
        for (dir, listed) in [("sqlite", super::SQLITE_MIGRATIONS), ("postgres", super::POSTGRES_MIGRATIONS)] {
            let path = format!("{}/../migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
            let mut files: Vec<String> = std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|f| f.ends_with(".sql"))
                .collect();
            files.sort();
            let names: Vec<&str> = listed.iter().map(|(f, _)| *f).collect();
            assert_eq!(files, names, "migrations/{dir}");
            for (file, sql) in listed {
                assert_eq!(std::fs::read_to_string(format!("{path}/{file}")).unwrap(), *sql);
            }
        }
    }
}
