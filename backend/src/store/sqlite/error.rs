//! sqlx's and rusqlite's errors as the store's: for sqlx a unique key taken is
//! `Duplicate`, anything else the backend's failure.

use crate::store::StoreError;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
                what: db.message().to_owned(),
            },
            _ => StoreError::Backend(Box::new(e)),
        }
    }
}

/// The group commits' connection: a failed batch fails every request in it, whatever
/// the cause, so nothing is told apart here.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Backend(Box::new(e))
    }
}
