//! The audit of the derived tables: the journal replayed, entry by entry,
//! into a fresh database in memory made by the same migrations and through
//! the same projection code ([`Tx::apply`]), then every projection table of
//! the stored database compared with the replayed one, row by row in the
//! order of its primary key. The first difference is named: a table
//! changed behind charte's back (a public key written straight into
//! `organisations`) is trusted by every command, and the chain alone does
//! not see it.
//!
//! The replay is not a writing transaction of the workspace: it checks no
//! date against the clock, and each entry is applied with its own date.

use std::cmp::Ordering;

use rusqlite::Connection;
use rusqlite::types::Value;

use super::{MIGRATIONS, Store, Tx, corrupt};
use crate::error::Result;
use crate::journal::{Event, GENESIS};

/// The first row where a projection table and the journal disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The table's name (`organisations`).
    pub table: String,
    /// The row's primary key, in words: `0123.456.749` when it is one
    /// name, `seq 42` or `meeting 'plenary-2024-01-10', person ''` else.
    pub key: String,
    /// Whether `key` is one name (`0123.456.749's public_key`).
    pub named: bool,
    /// What differs: a column, or the whole row.
    pub what: Mismatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The row is in both, one column's value differs (`None`: SQL NULL).
    Column { column: String, stored: Option<String>, journal: Option<String> },
    /// The database has a row the journal does not give.
    Extra,
    /// The journal gives a row the database lacks.
    Missing,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the table {} differs from the journal: ", self.table)?;
        let shown = |v: &Option<String>| v.as_ref().map_or("none".to_owned(), |s| s.clone());
        let (row, with) = if self.named {
            (format!("{}'s", self.key), "for")
        } else {
            (format!("in the row with {},", self.key), "with")
        };
        match &self.what {
            Mismatch::Column { column, stored, journal } => {
                write!(f, "{row} {column} is {} in the database, the journal gives {}", shown(stored), shown(journal))
            }
            Mismatch::Extra => write!(f, "it has a row {with} {} that the journal does not give", self.key),
            Mismatch::Missing => write!(f, "the row {with} {} that the journal gives is missing", self.key),
        }
    }
}

impl Store {
    /// Replays the whole journal into a fresh in-memory database and
    /// compares every projection table with the stored one: the first
    /// difference, or `None` when they all hold the same rows. Returns the
    /// number of tables compared too.
    pub fn check_projections(&self) -> Result<(usize, Option<Difference>)> {
        let fresh = self.replay()?;
        let tables = projection_tables(&fresh).map_err(self.sql_err())?;
        for table in &tables {
            if let Some(d) = self.compare(&fresh, table)? {
                return Ok((tables.len(), Some(d)));
            }
        }
        Ok((tables.len(), None))
    }

    /// The projections as the journal alone makes them.
    fn replay(&self) -> Result<Connection> {
        let err = self.sql_err();
        let mut fresh = Connection::open_in_memory().map_err(&err)?;
        fresh.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;").map_err(&err)?;
        self.replay_into(&mut fresh)?;
        Ok(fresh)
    }

    /// Applies every entry, in order and with its own date, in one
    /// transaction of `fresh`.
    fn replay_into(&self, fresh: &mut Connection) -> Result<()> {
        let err = self.sql_err();
        let tx = fresh.transaction().map_err(&err)?;
        for sql in MIGRATIONS {
            tx.execute_batch(sql).map_err(&err)?;
        }
        let mut t = Tx { tx, seq: 0, hash: GENESIS.to_owned(), at: String::new(), path: self.path.clone(), tree: None };
        let mut stmt = self.conn.prepare("SELECT seq, at, payload FROM journal ORDER BY seq").map_err(&err)?;
        let mut rows = stmt.query([]).map_err(&err)?;
        // One entry at a time: the journal is never held in memory.
        while let Some(r) = rows.next().map_err(&err)? {
            let seq: i64 = r.get(0).map_err(&err)?;
            t.at = r.get(1).map_err(&err)?;
            let payload: String = r.get(2).map_err(&err)?;
            let event: Event = serde_json::from_str(&payload)
                .map_err(|e| corrupt(&self.path, format!("journal entry {seq} does not read as an event ({e})")))?;
            t.apply(seq, &event)?;
        }
        drop(rows);
        t.tx.commit().map_err(&err)
    }

    /// The first difference between the stored `table` and the replayed one.
    fn compare(&self, fresh: &Connection, table: &str) -> Result<Option<Difference>> {
        let err = self.sql_err();
        let (columns, key) = table_columns(fresh, table).map_err(&err)?;
        let list = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        let order = key.iter().map(|&i| format!("\"{}\"", columns[i])).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT {list} FROM \"{table}\" ORDER BY {order}");
        let mut stored_stmt = self.conn.prepare(&sql).map_err(&err)?;
        let mut journal_stmt = fresh.prepare(&sql).map_err(&err)?;
        let mut stored_rows = stored_stmt.query([]).map_err(&err)?;
        let mut journal_rows = journal_stmt.query([]).map_err(&err)?;
        let n = columns.len();
        let values = |r: &rusqlite::Row<'_>| -> Result<Vec<Value>> {
            (0..n).map(|i| r.get::<_, Value>(i)).collect::<rusqlite::Result<_>>().map_err(&err)
        };
        let difference = |row: &[Value], what: Mismatch| {
            let (key, named) = describe_key(&columns, &key, row);
            Difference { table: table.to_owned(), key, named, what }
        };
        loop {
            let (stored, journal) = match (stored_rows.next().map_err(&err)?, journal_rows.next().map_err(&err)?) {
                (None, None) => return Ok(None),
                (Some(s), None) => return Ok(Some(difference(&values(s)?, Mismatch::Extra))),
                (None, Some(j)) => return Ok(Some(difference(&values(j)?, Mismatch::Missing))),
                (Some(s), Some(j)) => (s, j),
            };
            // The rows are read in place; only a row that differs is copied.
            let mut same = true;
            for i in 0..n {
                if stored.get_ref(i).map_err(&err)? != journal.get_ref(i).map_err(&err)? {
                    same = false;
                    break;
                }
            }
            if same {
                continue;
            }
            let (stored, journal) = (values(stored)?, values(journal)?);
            let by_key = key.iter().map(|&i| sql_order(&stored[i], &journal[i])).find(|o| o.is_ne());
            match by_key {
                Some(Ordering::Less) => return Ok(Some(difference(&stored, Mismatch::Extra))),
                Some(_) => return Ok(Some(difference(&journal, Mismatch::Missing))),
                None => {}
            }
            if let Some(i) = (0..n).find(|&i| stored[i] != journal[i]) {
                let what = Mismatch::Column {
                    column: columns[i].clone(),
                    stored: shown(&stored[i]),
                    journal: shown(&journal[i]),
                };
                return Ok(Some(difference(&stored, what)));
            }
        }
    }
}

/// The projection tables: every table the migrations make but the journal
/// itself, the claims of the runs sending mail right now (who is sending,
/// not what happened: crate::delivery), the Merkle tree (a function of the
/// chain's hashes, not of the events: the audit recomputes it from the
/// chain), the personal values (never in the journal, which holds only
/// their commitments: the audit checks them against those instead,
/// `Store::check_personal`), the codes of signing links waiting to be
/// typed (a secret of 10 wall-clock minutes, whose hash the journal must
/// not hold: a 6-digit code is found from it in a million tries), the
/// accounts' password hashes and their sessions (secrets, never history:
/// migration 0017), and SQLite's own.
fn projection_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT IN ('journal', 'claims', 'merkle_nodes', 'personal', 'link_codes', 'passwords', 'sessions') ORDER BY name",
    )?;
    stmt.query_map([], |r| r.get(0))?.collect()
}

/// A table's columns, and which of them make its primary key, in the
/// key's order (all of them when it has none).
fn table_columns(conn: &Connection, table: &str) -> rusqlite::Result<(Vec<String>, Vec<usize>)> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{table}\")"))?;
    let info: Vec<(String, i64)> =
        stmt.query_map([], |r| Ok((r.get(1)?, r.get(5)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut key: Vec<(i64, usize)> =
        info.iter().enumerate().filter(|(_, (_, pk))| *pk > 0).map(|(i, (_, pk))| (*pk, i)).collect();
    key.sort_unstable();
    let mut key: Vec<usize> = key.into_iter().map(|(_, i)| i).collect();
    if key.is_empty() {
        key = (0..info.len()).collect();
    }
    Ok((info.into_iter().map(|(name, _)| name).collect(), key))
}

/// SQLite's order of two values of a column (BINARY collation): NULL,
/// numbers, text, blobs.
fn sql_order(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Integer(x), Value::Real(y)) => (*x as f64).total_cmp(y),
        (Value::Real(x), Value::Integer(y)) => x.total_cmp(&(*y as f64)),
        (Value::Real(x), Value::Real(y)) => x.total_cmp(y),
        (Value::Text(x), Value::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A value in words: text quoted (and cut when long), `None` for NULL.
fn shown(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(r) => Some(r.to_string()),
        Value::Text(t) if t.chars().count() > 40 => Some(format!("'{}…'", t.chars().take(40).collect::<String>())),
        Value::Text(t) => Some(format!("'{t}'")),
        Value::Blob(b) => Some(format!("{} bytes", b.len())),
    }
}

/// A row's key in words: an enterprise number spelt as usual
/// (`0123.456.749`), a number with its column's name (`seq 42`), several
/// columns named; and whether it is one name.
fn describe_key(columns: &[String], key: &[usize], row: &[Value]) -> (String, bool) {
    let value = |i: usize| match &row[i] {
        Value::Text(t) if columns[i] == "enterprise_number" => {
            crate::roster::EnterpriseNumber::parse(t).map_or_else(|_| format!("'{t}'"), |n| n.formatted())
        }
        Value::Text(t) if t.is_empty() || key.len() > 1 => format!("'{t}'"),
        Value::Text(t) => t.clone(),
        other => shown(other).unwrap_or_else(|| "none".into()),
    };
    match key {
        [i] if matches!(row[*i], Value::Text(_)) => (value(*i), true),
        _ => (key.iter().map(|&i| format!("{} {}", columns[i], value(i))).collect::<Vec<_>>().join(", "), false),
    }
}
