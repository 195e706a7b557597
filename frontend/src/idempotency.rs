//! Idempotency keys for `POST /v1/widget/attempts`.
//!
//! One key per choice of bank and card kind: a second click, or a retry after a
//! dropped connection, repeats the same request and the gateway answers with the
//! attempt it already made. A different choice is a different payment intent and
//! gets a fresh key.

use paydesk_shared::bank::CardKind;

#[derive(Debug, Default)]
pub struct AttemptKeys {
    current: Option<(String, CardKind, String)>,
}

impl AttemptKeys {
    /// The key for paying with `bank_code` and `card_kind`, made on first use.
    pub fn key_for(&mut self, bank_code: &str, card_kind: CardKind) -> String {
        match &self.current {
            Some((bank, kind, key)) if bank == bank_code && *kind == card_kind => key.clone(),
            _ => {
                let key = random_key();
                self.current = Some((bank_code.to_owned(), card_kind, key.clone()));
                key
            }
        }
    }

    /// Forgets the key: after a declined payment, the same bank is a new attempt.
    pub fn reset(&mut self) {
        self.current = None;
    }
}

/// A version 4 UUID from the browser's CSPRNG. `crypto.getRandomValues` works on
/// plain-http merchant pages too, unlike `crypto.randomUUID`.
fn random_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // Without a CSPRNG (never in a browser that runs WebAssembly) fall back to
        // `Math.random`: the key only needs to be unique, not secret.
        for b in &mut bytes {
            *b = (js_sys::Math::random().to_bits() >> 12) as u8;
        }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    // Lower-case hex, with dashes after the 4th, 6th, 8th and 10th byte.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut key = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            key.push('-');
        }
        key.push(char::from(DIGITS[usize::from(b >> 4)]));
        key.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    key
}
