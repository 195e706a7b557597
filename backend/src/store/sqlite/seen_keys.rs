//! Which idempotency keys may have a stored answer, without asking the database.
//!
//! Nearly every key a merchant sends is new, and finding that out costs a read on one
//! of the driver's worker threads for every POST. One gateway process owns its SQLite
//! file (the process lock), so every stored key was either there when the store opened
//! or claimed by this process since: a filter holding both answers "certainly new" for
//! most keys, and only a "maybe" is read from the database. A Bloom filter never says
//! "new" of a key it holds; a false "maybe" costs the read it saves otherwise.
//!
//! Keys matter for [`KEEP`] after they are stored, so the filter keeps two generations,
//! each started at least [`KEEP`] after the one before: a key stays in one of them for
//! at least [`KEEP`] after it was added, and memory does not grow with the gateway's age.

use std::hash::{BuildHasher, RandomState};

use crate::domain::idempotency::KEEP;
use crate::domain::time::{Millis, millis};

/// Bits per generation (2 MiB): about 0.1% false "maybe" at a million keys a day.
const BITS: usize = 1 << 24;
/// Bits set per key.
const PROBES: u64 = 6;

struct Bloom {
    words: Vec<u64>,
}

impl Bloom {
    fn new() -> Self {
        Bloom {
            words: vec![0; BITS / 64],
        }
    }

    /// The bit positions of a key's hash (double hashing).
    fn positions(hash: u64) -> impl Iterator<Item = usize> {
        let step = hash.rotate_left(32) | 1;
        (0..PROBES).map(move |i| {
            let bit = hash.wrapping_add(i.wrapping_mul(step)) % BITS as u64;
            usize::try_from(bit).expect("below BITS")
        })
    }

    fn insert(&mut self, hash: u64) {
        for bit in Self::positions(hash) {
            self.words[bit / 64] |= 1 << (bit % 64);
        }
    }

    fn may_hold(&self, hash: u64) -> bool {
        Self::positions(hash).all(|bit| self.words[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

pub(super) struct SeenKeys {
    hasher: RandomState,
    current: Bloom,
    previous: Bloom,
    /// When `current` was started; [`Millis::MIN`] until the first claim.
    current_since: Millis,
}

impl Default for SeenKeys {
    fn default() -> Self {
        SeenKeys {
            hasher: RandomState::new(),
            current: Bloom::new(),
            previous: Bloom::new(),
            current_since: Millis::MIN,
        }
    }
}

impl SeenKeys {
    fn hash(&self, merchant_id: &str, key: &str) -> u64 {
        self.hasher.hash_one((merchant_id, key))
    }

    /// A key found stored as the store opens; the first claim moves it to the older
    /// generation, which lasts [`KEEP`] from then.
    pub(super) fn remember(&mut self, merchant_id: &str, key: &str) {
        let hash = self.hash(merchant_id, key);
        self.current.insert(hash);
    }

    /// Adds a key as it is claimed at `now`, and tells whether it may have been added
    /// (or remembered) before.
    pub(super) fn add(&mut self, merchant_id: &str, key: &str, now: Millis) -> bool {
        if now.saturating_sub(self.current_since) >= millis(KEEP) {
            self.previous = std::mem::replace(&mut self.current, Bloom::new());
            self.current_since = now;
        }
        let hash = self.hash(merchant_id, key);
        let seen = self.current.may_hold(hash) || self.previous.may_hold(hash);
        self.current.insert(hash);
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Millis = 3_600_000;

    #[test]
    fn a_key_is_new_once_and_seen_for_at_least_a_day() {
        let mut seen = SeenKeys::default();
        let start = 1_000 * HOUR;
        assert!(!seen.add("mer_a", "k1", start));
        assert!(seen.add("mer_a", "k1", start + HOUR));
        assert!(
            !seen.add("mer_b", "k1", start + HOUR),
            "keys are per merchant"
        );
        // Added just before a new generation starts, still seen a day later.
        assert!(!seen.add("mer_a", "late", start + 24 * HOUR - 1));
        assert!(!seen.add("mer_a", "k2", start + 24 * HOUR));
        assert!(seen.add("mer_a", "late", start + 48 * HOUR - 2));
        // Two generations on, the first day's keys are forgotten.
        assert!(!seen.add("mer_a", "k1", start + 72 * HOUR));
    }

    #[test]
    fn keys_stored_before_the_store_opened_are_seen_for_a_day() {
        let mut seen = SeenKeys::default();
        seen.remember("mer_a", "old");
        let start = 1_000 * HOUR;
        assert!(!seen.add("mer_a", "new", start));
        assert!(seen.add("mer_a", "old", start + 24 * HOUR - 1));
    }

    #[test]
    fn false_maybes_are_rare() {
        let mut seen = SeenKeys::default();
        for i in 0..100_000 {
            seen.add("mer_a", &format!("stored-{i}"), 0);
        }
        let maybes = (0..100_000)
            .filter(|i| seen.add("mer_a", &format!("fresh-{i}"), 0))
            .count();
        assert!(
            maybes < 100,
            "{maybes} of 100,000 new keys were called maybe seen"
        );
    }
}
