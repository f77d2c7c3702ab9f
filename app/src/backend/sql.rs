//! Builds portable SQL with numbered `$n` placeholders (the form both backends accept).

use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;
use sqlx::Any;

#[derive(Clone, Debug)]
pub enum Arg {
    Int(i64),
    Text(String),
    /// NULL for an integer column.
    Null,
    /// NULL for a text column (PostgreSQL checks the type of a NULL parameter too).
    NullText,
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Self::Null, Self::Int)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Self::Text(v.to_string())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        v.map_or(Self::NullText, Self::Text)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Self::NullText, Self::from)
    }
}

#[derive(Default, Clone, Debug)]
pub struct Sql {
    pub text: String,
    args: Vec<Arg>,
    /// Planned at each call with its values rather than prepared once (see `like`).
    planned_per_call: bool,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self { text: text.to_string(), args: Vec::new(), planned_per_call: false }
    }

    /// Appends ` LIKE <pattern> ESCAPE '\'` (a pattern of `db::like_pattern`). The statement
    /// is then planned at each call with its values, not prepared once: PostgreSQL's generic
    /// plan for `LIKE $1` cannot use a trigram index, so after a few calls a prepared search
    /// would read the whole table (45-70 ms at 100,000 users instead of 1-8 ms).
    pub fn like(&mut self, pattern: String) -> &mut Self {
        self.planned_per_call = true;
        self.push(" LIKE ").bind(pattern).push(" ESCAPE '\\'")
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `arg`.
    pub fn bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        self.args.push(arg.into());
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// The number the next placeholder will get.
    pub fn next_index(&self) -> usize {
        self.args.len() + 1
    }

    /// Binds an argument referred to by a placeholder already written (see `next_index`).
    pub fn add_arg(&mut self, arg: impl Into<Arg>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    pub fn query_as<'q, T>(&'q self) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_as::<_, T>(&self.text).persistent(!self.planned_per_call);
        for a in &self.args {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
                Arg::Null => q.bind(None::<i64>),
                Arg::NullText => q.bind(None::<String>),
            };
        }
        q
    }

    pub fn query(&self) -> sqlx::query::Query<'_, Any, AnyArguments<'_>> {
        bind(sqlx::query(&self.text).persistent(!self.planned_per_call), &self.args)
    }

    /// One multi-row `INSERT` (callers keep batches under the backends' parameter limits).
    pub fn insert(table: &str, columns: &[&str], rows: &[Vec<Arg>], conflict: &str) -> Self {
        let mut sql = Sql::new(&format!("INSERT INTO {table} ({}) VALUES ", columns.join(", ")));
        for (i, row) in rows.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, arg) in row.iter().enumerate() {
                if j > 0 {
                    sql.push(", ");
                }
                sql.bind(arg.clone());
            }
            sql.push(")");
        }
        sql.push(conflict);
        sql
    }
}

/// Binds `args` to a sqlx query.
pub fn bind<'q>(
    mut q: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.clone()),
            Arg::Null => q.bind(None::<i64>),
            Arg::NullText => q.bind(None::<String>),
        };
    }
    q
}
