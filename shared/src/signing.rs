//! Ed25519 signatures on messages between gateway and bank, with key ids so keys can
//! rotate: during an overlap a [`Verifier`] holds the old and the new public key.
//!
//! The signed bytes are `"<t>.<nonce>.<message>"`; the header form is
//! `kid=<key id>,t=<unix seconds>,nonce=<random id>,sig=<base64url, no padding>`.
//! Every signature carries a fresh random nonce, so a receiver that must accept a
//! message once (a notification, a refund) can refuse a replay by remembering the
//! nonces it saw within the tolerance window; see [`Verified::nonce`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

/// How far a signature's timestamp may be from the verifier's clock, either way.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("signature header is malformed")]
    Malformed,
    #[error("unknown key id")]
    UnknownKey,
    #[error("signature does not verify")]
    BadSignature,
    #[error("signature timestamp is outside the tolerance window")]
    Stale,
}

impl SignatureError {
    /// A stable code for logs and error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::Malformed => "malformed",
            SignatureError::UnknownKey => "unknown_key",
            SignatureError::BadSignature => "bad_signature",
            SignatureError::Stale => "stale",
        }
    }
}

/// Random bytes in a nonce; 128 bits never repeat by chance.
const NONCE_BYTES: usize = 16;

fn new_nonce() -> String {
    let mut bytes = [0u8; NONCE_BYTES];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn valid_nonce(nonce: &str) -> bool {
    (16..=64).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key text is malformed: expected `<key id>:<64 hex digits>`")]
pub struct KeyFormatError;

/// A private signing key with its id.
#[derive(Clone)]
pub struct Signer {
    kid: String,
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Signer {
    pub fn generate(kid: impl Into<String>) -> Self {
        Signer {
            kid: kid.into(),
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            kid: self.kid.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// Signs `message` at time `t` with a fresh nonce and returns the header value.
    pub fn sign(&self, t: i64, message: &[u8]) -> String {
        let nonce = new_nonce();
        let signature = self.key.sign(&signed_bytes(t, &nonce, message));
        format!(
            "kid={},t={t},nonce={nonce},sig={}",
            self.kid,
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }

    /// `<key id>:<hex secret seed>`, for a key file readable only by its owner.
    pub fn to_text(&self) -> String {
        format!("{}:{}", self.kid, hex::encode(self.key.to_bytes()))
    }

    pub fn from_text(text: &str) -> Result<Self, KeyFormatError> {
        let (kid, bytes) = split_key_text(text)?;
        Ok(Signer {
            kid,
            key: SigningKey::from_bytes(&bytes),
        })
    }
}

/// A public key with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    kid: String,
    key: VerifyingKey,
}

impl PublicKey {
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn to_text(&self) -> String {
        format!("{}:{}", self.kid, hex::encode(self.key.to_bytes()))
    }

    pub fn from_text(text: &str) -> Result<Self, KeyFormatError> {
        let (kid, bytes) = split_key_text(text)?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyFormatError)?;
        Ok(PublicKey { kid, key })
    }
}

fn split_key_text(text: &str) -> Result<(String, [u8; 32]), KeyFormatError> {
    let (kid, hex_key) = text.trim().split_once(':').ok_or(KeyFormatError)?;
    if kid.is_empty()
        || !kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(KeyFormatError);
    }
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(hex_key, &mut bytes).map_err(|_| KeyFormatError)?;
    Ok((kid.to_owned(), bytes))
}

/// The signature verified: who signed, when, and the nonce that names this one
/// signed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub kid: String,
    pub timestamp: i64,
    pub nonce: String,
}

/// Verifies signatures against a set of trusted public keys.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: Vec<PublicKey>,
    tolerance_secs: i64,
}

impl Verifier {
    pub fn new(keys: Vec<PublicKey>) -> Self {
        Verifier {
            keys,
            tolerance_secs: DEFAULT_TOLERANCE_SECS,
        }
    }

    /// The keys this verifier trusts, oldest first.
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    /// How far a timestamp may be from `now`, in seconds; a receiver that refuses
    /// replays must remember nonces at least twice this long.
    pub fn tolerance_secs(&self) -> i64 {
        self.tolerance_secs
    }

    pub fn verify(
        &self,
        header: &str,
        message: &[u8],
        now: i64,
    ) -> Result<Verified, SignatureError> {
        let parsed = ParsedHeader::parse(header)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == parsed.kid)
            .ok_or(SignatureError::UnknownKey)?;
        key.key
            .verify_strict(&signed_bytes(parsed.t, parsed.nonce, message), &parsed.sig)
            .map_err(|_| SignatureError::BadSignature)?;
        if (now - parsed.t).abs() > self.tolerance_secs {
            return Err(SignatureError::Stale);
        }
        Ok(Verified {
            kid: parsed.kid.to_owned(),
            timestamp: parsed.t,
            nonce: parsed.nonce.to_owned(),
        })
    }
}

struct ParsedHeader<'a> {
    kid: &'a str,
    t: i64,
    nonce: &'a str,
    sig: Signature,
}

impl<'a> ParsedHeader<'a> {
    fn parse(header: &'a str) -> Result<Self, SignatureError> {
        let mut kid = None;
        let mut t = None;
        let mut nonce = None;
        let mut sig = None;
        for part in header.split(',') {
            let (name, value) = part.split_once('=').ok_or(SignatureError::Malformed)?;
            let slot = match name {
                "kid" => &mut kid,
                "t" => &mut t,
                "nonce" => &mut nonce,
                "sig" => &mut sig,
                _ => return Err(SignatureError::Malformed),
            };
            if slot.replace(value).is_some() {
                return Err(SignatureError::Malformed);
            }
        }
        let (Some(kid), Some(t), Some(nonce), Some(sig)) = (kid, t, nonce, sig) else {
            return Err(SignatureError::Malformed);
        };
        if !valid_nonce(nonce) {
            return Err(SignatureError::Malformed);
        }
        let t = t.parse().map_err(|_| SignatureError::Malformed)?;
        let bytes: [u8; 64] = URL_SAFE_NO_PAD
            .decode(sig)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(SignatureError::Malformed)?;
        Ok(ParsedHeader {
            kid,
            t,
            nonce,
            sig: Signature::from_bytes(&bytes),
        })
    }
}

fn signed_bytes(t: i64, nonce: &str, message: &[u8]) -> Vec<u8> {
    let mut out = format!("{t}.{nonce}.").into_bytes();
    out.extend_from_slice(message);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn sign_verify_round_trip() {
        let signer = Signer::generate("bank-2026");
        let header = signer.sign(NOW, b"hello");
        let verifier = Verifier::new(vec![signer.public_key()]);
        let verified = verifier.verify(&header, b"hello", NOW + 10).unwrap();
        assert_eq!(
            (verified.kid.as_str(), verified.timestamp),
            ("bank-2026", NOW)
        );
        assert!(header.contains(&format!("nonce={}", verified.nonce)));
    }

    #[test]
    fn every_signature_has_its_own_nonce() {
        let signer = Signer::generate("k");
        let verifier = Verifier::new(vec![signer.public_key()]);
        let a = verifier.verify(&signer.sign(NOW, b"m"), b"m", NOW).unwrap();
        let b = verifier.verify(&signer.sign(NOW, b"m"), b"m", NOW).unwrap();
        assert_ne!(a.nonce, b.nonce);
    }

    #[test]
    fn the_nonce_is_signed() {
        let signer = Signer::generate("k");
        let verifier = Verifier::new(vec![signer.public_key()]);
        let header = signer.sign(NOW, b"m");
        let nonce = verifier.verify(&header, b"m", NOW).unwrap().nonce;
        let swapped = header.replace(&nonce, "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(
            verifier.verify(&swapped, b"m", NOW),
            Err(SignatureError::BadSignature)
        );
        let missing = header.replace(&format!("nonce={nonce},"), "");
        assert_eq!(
            verifier.verify(&missing, b"m", NOW),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn rejects_tampering_unknown_keys_and_stale_timestamps() {
        let signer = Signer::generate("k1");
        let other = Signer::generate("k1");
        let verifier = Verifier::new(vec![signer.public_key()]);
        let header = signer.sign(NOW, b"body");
        assert_eq!(
            verifier.verify(&header, b"bodY", NOW),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            verifier.verify(&other.sign(NOW, b"body"), b"body", NOW),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            verifier.verify(&Signer::generate("k2").sign(NOW, b"body"), b"body", NOW),
            Err(SignatureError::UnknownKey)
        );
        assert_eq!(
            verifier.verify(&header, b"body", NOW + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verifier.verify(&header, b"body", NOW - 301),
            Err(SignatureError::Stale)
        );
        let moved = header.replace(&format!("t={NOW}"), &format!("t={}", NOW + 1));
        assert_eq!(
            verifier.verify(&moved, b"body", NOW),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn both_keys_verify_during_rotation() {
        let old = Signer::generate("2025");
        let new = Signer::generate("2026");
        let verifier = Verifier::new(vec![old.public_key(), new.public_key()]);
        assert!(verifier.verify(&old.sign(NOW, b"m"), b"m", NOW).is_ok());
        assert!(verifier.verify(&new.sign(NOW, b"m"), b"m", NOW).is_ok());
    }

    #[test]
    fn key_text_round_trip() {
        let signer = Signer::generate("gw-1");
        let restored = Signer::from_text(&signer.to_text()).unwrap();
        assert_eq!(restored.public_key(), signer.public_key());
        let public = PublicKey::from_text(&signer.public_key().to_text()).unwrap();
        assert_eq!(public, signer.public_key());
        assert!(PublicKey::from_text("nokid").is_err());
        assert!(PublicKey::from_text("k:zz").is_err());
    }

    proptest! {
        #[test]
        fn garbage_headers_never_verify(header in "\\PC{0,120}") {
            let verifier = Verifier::new(vec![Signer::generate("k").public_key()]);
            prop_assert!(verifier.verify(&header, b"m", NOW).is_err());
        }
    }
}
