//! A fresh database for a benchmark run (shared by the `bench` and `bench_console` bins).

use app::backend::db::{Backend, Db};

/// The URL of the database `fresh_db` makes for `name`.
#[allow(dead_code)] // bench_console does not need it
pub fn db_url(backend: Backend, pg: Option<&str>, name: &str) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}/bench.db", std::env::temp_dir().join(name).display()),
        Backend::Postgres => {
            let url = pg.unwrap();
            format!("{}/{name}", url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url))
        }
    }
}

/// A fresh database named `name`: a SQLite file in a temporary folder, or a database on the
/// PostgreSQL server at `pg`. Hand the result to `drop_db` when done.
pub async fn fresh_db(backend: Backend, pg: Option<&str>, name: &str) -> (Db, Option<(String, String)>) {
    app::backend::db::install_drivers();
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(name);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            (Db::connect(&db_url(backend, pg, name)).await.unwrap(), None)
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let url = pg.unwrap();
            let mut c = sqlx::AnyConnection::connect(url).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.unwrap();
            (Db::connect(&db_url(backend, pg, name)).await.unwrap(), Some((url.to_string(), name.to_string())))
        }
    }
}

/// Closes and removes what `fresh_db` made.
pub async fn drop_db(db: Db, pg: Option<(String, String)>, name: &str) {
    db.pool.close().await;
    if let Some((url, name)) = pg {
        use sqlx::Connection;
        if let Ok(mut c) = sqlx::AnyConnection::connect(&url).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await;
        }
    } else {
        let _ = std::fs::remove_dir_all(std::env::temp_dir().join(name));
    }
}
