//! Merchants as requests need them, with an in-memory cache: every merchant request
//! authenticates and every applied payment needs its merchant's fee plan, and a
//! database read each time would dominate their cost. A change to a merchant (a key
//! revoked, return URLs replaced) goes through [`Merchants::forget`], which other
//! replicas hear of too.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use paydesk_shared::merchant_api::KeyMode;
use sha2::{Digest, Sha256};

use crate::domain::ids::MerchantId;
use crate::domain::merchant::Merchant;
use crate::store::{Signal, Store, StoreError};

pub(crate) struct Merchants {
    store: Arc<dyn Store>,
    by_key_hash: RwLock<HashMap<String, Arc<Merchant>>>,
    by_id: RwLock<HashMap<MerchantId, Arc<Merchant>>>,
}

impl Merchants {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Merchants {
            store,
            by_key_hash: RwLock::default(),
            by_id: RwLock::default(),
        }
    }

    /// The merchant whose secret key this is, if any and not revoked.
    pub(crate) async fn authenticate(
        &self,
        secret_key: &str,
    ) -> Result<Option<Arc<Merchant>>, StoreError> {
        let hash = key_hash(secret_key);
        if let Some(m) = cached(&self.by_key_hash, &hash) {
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

    pub(crate) async fn by_id(&self, id: &MerchantId) -> Result<Option<Arc<Merchant>>, StoreError> {
        if let Some(m) = cached(&self.by_id, id) {
            return Ok(Some(m));
        }
        let Some(merchant) = self.store.merchant(id).await? else {
            return Ok(None);
        };
        let merchant = Arc::new(merchant);
        if let Ok(mut cache) = self.by_id.write() {
            cache.insert(id.clone(), merchant.clone());
        }
        Ok(Some(merchant))
    }

    /// Drops everything cached here and on the other replicas: the next request reads
    /// the store again.
    pub(crate) fn forget(&self) {
        self.forget_here();
        self.store.announce(Signal::MerchantsChanged);
    }

    /// Drops what this replica cached, as another replica changed a merchant.
    pub(crate) fn forget_here(&self) {
        if let Ok(mut cache) = self.by_key_hash.write() {
            cache.clear();
        }
        if let Ok(mut cache) = self.by_id.write() {
            cache.clear();
        }
    }
}

fn cached<K: std::hash::Hash + Eq + ?Sized, Q: std::borrow::Borrow<K> + std::hash::Hash + Eq>(
    cache: &RwLock<HashMap<Q, Arc<Merchant>>>,
    key: &K,
) -> Option<Arc<Merchant>> {
    cache.read().ok()?.get(key).cloned()
}

/// SHA-256 of a secret key, hex. Keys are long random strings, so a plain hash is
/// enough to keep them out of the database (no password-style stretching needed).
pub(crate) fn key_hash(secret_key: &str) -> String {
    hex::encode(Sha256::digest(secret_key.as_bytes()))
}

/// A new secret key: the mode's prefix (`sk_test_`, `sk_live_`) and 32 random bytes,
/// base64url.
pub(crate) fn new_secret_key(mode: KeyMode) -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    format!(
        "{}{}",
        mode.prefix(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A key's last four characters, shown to tell keys apart.
pub(crate) fn last4(secret_key: &str) -> String {
    let start = secret_key.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    secret_key[start..].to_owned()
}
