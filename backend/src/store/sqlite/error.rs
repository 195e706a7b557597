//! sqlx's and rusqlite's errors as the store's: a unique key taken is `Duplicate`, anything else the
//! backend's failure.

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

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
        match &e {
            rusqlite::Error::SqliteFailure(failure, _)
                if matches!(
                    failure.extended_code,
                    SQLITE_CONSTRAINT_PRIMARYKEY | SQLITE_CONSTRAINT_UNIQUE
                ) =>
            {
                StoreError::Duplicate {
                    what: e.to_string(),
                }
            }
            _ => StoreError::Backend(Box::new(e)),
        }
    }
}
