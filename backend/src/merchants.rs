//! Merchant authentication by secret key, with an in-memory cache: every merchant
//! request authenticates, and a database read per request would dominate its cost.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};

use crate::domain::merchant::Merchant;
use crate::store::{Store, StoreError};

pub(crate) struct Merchants {
    store: Arc<dyn Store>,
    by_key_hash: RwLock<HashMap<String, Arc<Merchant>>>,
}

impl Merchants {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Merchants {
            store,
            by_key_hash: RwLock::default(),
        }
    }

    /// The merchant whose secret key this is, if any.
    pub(crate) async fn authenticate(
        &self,
        secret_key: &str,
    ) -> Result<Option<Arc<Merchant>>, StoreError> {
        let hash = key_hash(secret_key);
        if let Some(m) = self.cached(&hash) {
            return Ok(Some(m));
        }
        let Some(merchant) = self.store.merchant_by_key_hash(&hash).await? else {
            return Ok(None);
        };
        let merchant = Arc::new(merchant);
        if let Ok(mut cache) = self.by_key_hash.write() {
            cache.insert(hash, merchant.clone());
        }
        Ok(Some(merchant))
    }

    fn cached(&self, hash: &str) -> Option<Arc<Merchant>> {
        self.by_key_hash.read().ok()?.get(hash).cloned()
    }
}

/// SHA-256 of a secret key, hex. Keys are long random strings, so a plain hash is
/// enough to keep them out of the database (no password-style stretching needed).
pub(crate) fn key_hash(secret_key: &str) -> String {
    hex::encode(Sha256::digest(secret_key.as_bytes()))
}
