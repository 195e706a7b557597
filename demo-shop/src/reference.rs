//! The shop's own order reference, `TH-` followed by ten characters. It is the key of
//! the shop's order store, the `merchant_reference` and the `Idempotency-Key` sent to
//! Paydesk, and it appears in the shop's URLs.

use std::fmt;

use rand::Rng;

const PREFIX: &str = "TH-";
const RANDOM_LEN: usize = 10;
/// Crockford's base32 alphabet: no I, L, O or U, so a reference read out over the
/// phone to customer service is not misheard.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ShopReference(String);

impl ShopReference {
    /// A fresh random reference; 50 random bits make a collision in a demo's lifetime
    /// practically impossible.
    pub(crate) fn generate() -> Self {
        let mut rng = rand::thread_rng();
        let random: String = (0..RANDOM_LEN)
            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
            .collect();
        ShopReference(format!("{PREFIX}{random}"))
    }

    /// Accepts exactly what [`ShopReference::generate`] produces, so anything else in
    /// a URL or a webhook is turned away before it reaches the store.
    pub(crate) fn parse(value: &str) -> Option<Self> {
        let random = value.strip_prefix(PREFIX)?;
        let valid = random.len() == RANDOM_LEN && random.bytes().all(|b| ALPHABET.contains(&b));
        valid.then(|| ShopReference(value.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ShopReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_references_parse_back() {
        for _ in 0..100 {
            let reference = ShopReference::generate();
            assert_eq!(ShopReference::parse(reference.as_str()), Some(reference));
        }
    }

    #[test]
    fn rejects_anything_else() {
        for bad in [
            "",
            "TH-",
            "TH-123",
            "th-0123456789",
            "TH-0123456789A",
            "TH-01234567I9",
            "XX-0123456789",
            "TH-01234<b>89",
        ] {
            assert_eq!(ShopReference::parse(bad), None, "{bad}");
        }
    }
}
