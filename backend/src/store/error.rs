//! How a store call fails, in terms every adapter can give and every caller can act on.

/// A store's failure. Adapters map their driver's errors onto these; nothing here
/// names a database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer changed what a plan was made from: plan again.
    #[error("the stored state changed while the change was planned")]
    Conflict,
    /// A value that must be unique is taken (`what` says which).
    #[error("already stored: {what}")]
    Duplicate { what: String },
    /// What is stored breaks the store's own rules (an unknown status, say).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// The database could not do what was asked; the cause is for the log.
    #[error("the database failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(message: impl Into<String>) -> Self {
        StoreError::Backend(message.into().into())
    }
}
