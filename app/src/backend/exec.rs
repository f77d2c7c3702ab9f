//! Runs statements on either kind of connection with one piece of code: the pool's
//! (sqlx, SQLite or PostgreSQL, async) and the SQLite billing writer's own connection
//! (rusqlite, synchronous). Through sqlx every SQLite statement is a round trip to the
//! connection's worker thread; the writer applies thousands of requests a second, so it
//! runs their statements in its own thread instead. Billing effects and environment
//! refreshes are written once against `Exec` and run on both.

use super::sql::{bind, Arg};
use sqlx::any::AnyRow;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Row as _, Transaction};
use std::future::Future;

/// A column type both drivers decode.
pub trait Column: Send + Unpin + for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any> + rusqlite::types::FromSql {}
impl<T> Column for T where T: Send + Unpin + for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any> + rusqlite::types::FromSql {}

/// A result row as a tuple of columns.
pub trait Row: Sized + Send {
    fn from_any(row: &AnyRow) -> Result<Self, sqlx::Error>;
    fn from_lite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

macro_rules! tuple_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Column),+> Row for ($($t,)+) {
            fn from_any(row: &AnyRow) -> Result<Self, sqlx::Error> {
                Ok(($(row.try_get::<$t, _>($i)?,)+))
            }
            fn from_lite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(($(row.get::<_, $t>($i)?,)+))
            }
        }
    };
}
tuple_row!(A 0);
tuple_row!(A 0, B 1);
tuple_row!(A 0, B 1, C 2);
tuple_row!(A 0, B 1, C 2, D 3);
tuple_row!(A 0, B 1, C 2, D 3, E 4);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);

/// The arguments of a statement: `args![a, b]` for `$1`, `$2`.
#[macro_export]
macro_rules! args {
    ($($a:expr),* $(,)?) => { vec![$($crate::backend::sql::Arg::from($a)),*] };
}

/// A connection statements run on; `sql` uses numbered `$n` placeholders.
pub trait Exec: Send {
    fn is_postgres(&self) -> bool;

    /// Runs a statement that returns no rows; the number of rows it changed.
    fn run(&mut self, sql: &str, args: Vec<Arg>) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;

    fn rows<R: Row>(&mut self, sql: &str, args: Vec<Arg>) -> impl Future<Output = Result<Vec<R>, sqlx::Error>> + Send;

    /// The first row, if any.
    fn row<R: Row>(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> impl Future<Output = Result<Option<R>, sqlx::Error>> + Send {
        async move { Ok(self.rows(sql, args).await?.into_iter().next()) }
    }

    /// The first row; an error if there is none.
    fn one<R: Row>(&mut self, sql: &str, args: Vec<Arg>) -> impl Future<Output = Result<R, sqlx::Error>> + Send {
        async move { self.row(sql, args).await?.ok_or(sqlx::Error::RowNotFound) }
    }
}

async fn any_run(conn: &mut AnyConnection, sql: &str, args: Vec<Arg>) -> Result<u64, sqlx::Error> {
    Ok(bind(sqlx::query(sql), &args).execute(conn).await?.rows_affected())
}

async fn any_rows<R: Row>(conn: &mut AnyConnection, sql: &str, args: Vec<Arg>) -> Result<Vec<R>, sqlx::Error> {
    bind(sqlx::query(sql), &args).fetch_all(conn).await?.iter().map(R::from_any).collect()
}

macro_rules! exec_through_sqlx {
    ($($ty:ty),+) => {$(
        impl Exec for $ty {
            fn is_postgres(&self) -> bool {
                let conn: &AnyConnection = self;
                conn.backend_name() == "PostgreSQL"
            }
            fn run(&mut self, sql: &str, args: Vec<Arg>) -> impl Future<Output = Result<u64, sqlx::Error>> + Send {
                any_run(self, sql, args)
            }
            fn rows<R: Row>(&mut self, sql: &str, args: Vec<Arg>) -> impl Future<Output = Result<Vec<R>, sqlx::Error>> + Send {
                any_rows(self, sql, args)
            }
        }
    )+};
}
exec_through_sqlx!(AnyConnection, Transaction<'_, Any>, PoolConnection<Any>);

/// A synchronous SQLite connection: its futures are ready at once, so a caller on its own
/// thread drives them with `block_on` and no statement leaves the thread.
pub struct Lite(rusqlite::Connection);

impl Lite {
    /// Opens the database file with the pool's settings (WAL, foreign keys). Savepoint
    /// journals stay in memory: one per request would otherwise be a temporary file; a
    /// larger page cache spares most file reads.
    pub fn open(path: &str) -> Result<Self, sqlx::Error> {
        let conn = rusqlite::Connection::open(path).map_err(lite_error)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; \
             PRAGMA cache_size = -65536;",
        )
        .map_err(lite_error)?;
        conn.set_prepared_statement_cache_capacity(256);
        Ok(Self(conn))
    }

    /// Runs statements without arguments (transaction control).
    pub fn batch(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        self.0.execute_batch(sql).map_err(lite_error)
    }

    fn prepared(&self, sql: &str, args: &[Arg]) -> rusqlite::Result<rusqlite::CachedStatement<'_>> {
        let mut st = self.0.prepare_cached(sql)?;
        for i in 1..=st.parameter_count() {
            // `$n` names argument n wherever it appears, as in sqlx.
            let n = st.parameter_name(i).and_then(|p| p.strip_prefix('$')).and_then(|p| p.parse::<usize>().ok());
            let arg = n.and_then(|n| args.get(n.wrapping_sub(1)));
            match arg {
                Some(Arg::Int(v)) => st.raw_bind_parameter(i, v)?,
                Some(Arg::Text(v)) => st.raw_bind_parameter(i, v)?,
                Some(Arg::Null | Arg::NullText) => st.raw_bind_parameter(i, rusqlite::types::Null)?,
                None => return Err(rusqlite::Error::InvalidParameterCount(n.unwrap_or(i), args.len())),
            }
        }
        Ok(st)
    }
}

impl Exec for Lite {
    fn is_postgres(&self) -> bool {
        false
    }

    async fn run(&mut self, sql: &str, args: Vec<Arg>) -> Result<u64, sqlx::Error> {
        let mut st = self.prepared(sql, &args).map_err(lite_error)?;
        st.raw_execute().map(|n| n as u64).map_err(lite_error)
    }

    async fn rows<R: Row>(&mut self, sql: &str, args: Vec<Arg>) -> Result<Vec<R>, sqlx::Error> {
        let mut st = self.prepared(sql, &args).map_err(lite_error)?;
        let mut rows = st.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(lite_error)? {
            out.push(R::from_lite(row).map_err(lite_error)?);
        }
        Ok(out)
    }
}

/// A rusqlite error as a sqlx database error, so that callers tell constraint violations
/// apart the same way on both connections.
#[derive(Debug)]
struct LiteError {
    message: String,
    code: Option<i32>,
}

impl std::fmt::Display for LiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LiteError {}

impl sqlx::error::DatabaseError for LiteError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.code.map(|c| c.to_string().into())
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        use sqlx::error::ErrorKind;
        match self.code {
            Some(ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => ErrorKind::UniqueViolation,
            Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => ErrorKind::ForeignKeyViolation,
            Some(ffi::SQLITE_CONSTRAINT_NOTNULL) => ErrorKind::NotNullViolation,
            Some(ffi::SQLITE_CONSTRAINT_CHECK) => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

fn lite_error(e: rusqlite::Error) -> sqlx::Error {
    let code = match &e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.extended_code),
        _ => None,
    };
    sqlx::Error::Database(Box::new(LiteError { message: e.to_string(), code }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lite() -> Lite {
        Lite(rusqlite::Connection::open_in_memory().unwrap())
    }

    #[test]
    fn numbered_placeholders_bind_by_number_and_rows_decode() {
        let mut c = lite();
        let run = |c: &mut Lite, sql: &str, args: Vec<Arg>| futures_ready(c.run(sql, args));
        run(&mut c, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n BIGINT)", vec![]).unwrap();
        // $2 before $1, and $1 twice.
        run(&mut c, "INSERT INTO t (name, n, id) VALUES ($2, $1, $1)", args![7i64, "seven"]).unwrap();
        run(&mut c, "INSERT INTO t (name, n) VALUES ($1, $2)", args!["none", None::<i64>]).unwrap();
        let rows: Vec<(i64, String, Option<i64>)> =
            futures_ready(c.rows("SELECT id, name, n FROM t ORDER BY id", vec![])).unwrap();
        assert_eq!(rows, [(7, "seven".to_string(), Some(7)), (8, "none".to_string(), None)]);
        let one: Option<(i64,)> = futures_ready(c.row("SELECT id FROM t WHERE name = $1", args!["none"])).unwrap();
        assert_eq!(one, Some((8,)));
        let missing = futures_ready(c.run("INSERT INTO t (name) VALUES ($2)", args!["x"])).unwrap_err();
        assert!(missing.to_string().contains("parameter"), "{missing}");
    }

    #[test]
    fn constraint_violations_keep_their_kind() {
        let mut c = lite();
        futures_ready(c.run("CREATE TABLE t (name TEXT UNIQUE)", vec![])).unwrap();
        futures_ready(c.run("INSERT INTO t (name) VALUES ($1)", args!["a"])).unwrap();
        let e = futures_ready(c.run("INSERT INTO t (name) VALUES ($1)", args!["a"])).unwrap_err();
        assert!(matches!(&e, sqlx::Error::Database(d) if d.is_unique_violation()), "{e}");
    }

    /// Drives a future that is ready at once (the `Lite` ones are).
    fn futures_ready<F: Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("a Lite future waited"),
        }
    }
}
