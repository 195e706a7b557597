//! Identifiers. Ids are time-ordered (UUIDv7) so indexes stay append-mostly.
//!
//! A client token is `ct_<order uuid>_<192 random bits>`: it names its order, so the
//! gateway finds the order by primary key and then compares the whole token in
//! constant time, with no index of random tokens to maintain.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

const ORDER_PREFIX: &str = "ord_";
const TOKEN_PREFIX: &str = "ct_";

pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

pub fn new_order_id() -> String {
    new_id(ORDER_PREFIX.trim_end_matches('_'))
}

pub fn client_token(order_id: &str) -> String {
    let uuid = order_id.strip_prefix(ORDER_PREFIX).unwrap_or(order_id);
    let secret = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>());
    format!("{TOKEN_PREFIX}{uuid}_{secret}")
}

/// The order a client token claims to belong to; the caller must still compare the
/// whole token with [`tokens_match`].
pub fn order_of_client_token(token: &str) -> Option<String> {
    let (uuid, secret) = token.strip_prefix(TOKEN_PREFIX)?.split_once('_')?;
    let well_formed = uuid.len() == 32
        && uuid.bytes().all(|b| b.is_ascii_hexdigit())
        && !secret.is_empty()
        && secret.len() <= 64;
    well_formed.then(|| format!("{ORDER_PREFIX}{uuid}"))
}

pub fn tokens_match(stored: &str, presented: &str) -> bool {
    stored.as_bytes().ct_eq(presented.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_token_names_its_order() {
        let order = new_order_id();
        let token = client_token(&order);
        assert_eq!(order_of_client_token(&token), Some(order));
        assert!(tokens_match(&token, &token));
        assert!(!tokens_match(&token, &client_token(&new_order_id())));
    }

    #[test]
    fn malformed_tokens_name_nothing() {
        for bad in [
            "",
            "ct_",
            "ct_abc_def",
            "xx_0123456789abcdef0123456789abcdef_s",
            "ct_0123456789abcdef0123456789abcdef_",
        ] {
            assert_eq!(order_of_client_token(bad), None, "{bad}");
        }
    }
}
