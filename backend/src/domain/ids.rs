//! Identifiers. Ids are time-ordered (UUIDv7) so indexes stay append-mostly.
//!
//! A client token is `ct_<order uuid>_<192 random bits>`: it names its order, so the
//! gateway finds the order by primary key and then compares the whole token in
//! constant time, with no index of random tokens to maintain.
//!
//! A receipt token is `rcpt_<order uuid>_<192 bits>`, found the same way. Its secret
//! is derived one way from the client token's, so every order has one from the moment
//! it exists, however old, and the order carries nothing new: a receipt link given
//! away reveals nothing of the client token, and cannot be guessed without it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

const ORDER_PREFIX: &str = "ord_";
const TOKEN_PREFIX: &str = "ct_";
const RECEIPT_PREFIX: &str = "rcpt_";
/// Keeps the receipt secret apart from any other hash of a client token.
const RECEIPT_DOMAIN: &[u8] = b"paydesk receipt token v1\0";
/// 24 bytes: 32 base64url characters.
const RECEIPT_SECRET_LEN: usize = 32;

fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

/// An id of one kind: an `OrderId` cannot stand where an `AttemptId` is wanted. Reads
/// as the `str` it is (`&id` passes for `&str`), and is made from one by `From`, which
/// is no proof that such a thing exists.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A new, time-ordered id.
            pub fn generate() -> Self {
                $name(new_id($prefix))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
    };
}

id_type!(
    /// `ord_…`
    OrderId,
    "ord"
);
id_type!(
    /// `att_…`: one trip to one bank.
    AttemptId,
    "att"
);
id_type!(
    /// `mer_…`
    MerchantId,
    "mer"
);
id_type!(
    /// `rfd_…`
    RefundId,
    "rfd"
);
id_type!(
    /// `evt_…`
    EventId,
    "evt"
);
id_type!(
    /// `we_…`: a webhook endpoint.
    EndpointId,
    "we"
);
id_type!(
    /// `alr_…`: an operator alert.
    AlertId,
    "alr"
);
id_type!(
    /// `key_…`: one of a merchant's secret keys (never the key itself).
    KeyId,
    "key"
);
id_type!(
    /// `txn_…`: a balance transaction; ordered by creation.
    BalanceTransactionId,
    "txn"
);
id_type!(
    /// `stl_…`: a settlement of one merchant's balance in one currency.
    SettlementId,
    "stl"
);
id_type!(
    /// `po_…`: a payout to a merchant's bank account.
    PayoutId,
    "po"
);

pub fn client_token(order_id: &str) -> String {
    let uuid = order_id.strip_prefix(ORDER_PREFIX).unwrap_or(order_id);
    let secret = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>());
    format!("{TOKEN_PREFIX}{uuid}_{secret}")
}

/// The order a client token claims to belong to; the caller must still compare the
/// whole token with [`tokens_match`].
pub fn order_of_client_token(token: &str) -> Option<OrderId> {
    let (uuid, secret) = token.strip_prefix(TOKEN_PREFIX)?.split_once('_')?;
    let well_formed = uuid.len() == 32
        && uuid.bytes().all(|b| b.is_ascii_hexdigit())
        && !secret.is_empty()
        && secret.len() <= 64;
    well_formed.then(|| OrderId(format!("{ORDER_PREFIX}{uuid}")))
}

/// The receipt token of the order `order_id` whose client token is `client_token`.
pub fn receipt_token(order_id: &str, client_token: &str) -> String {
    use sha2::{Digest, Sha256};
    let uuid = order_id.strip_prefix(ORDER_PREFIX).unwrap_or(order_id);
    let digest = Sha256::new()
        .chain_update(RECEIPT_DOMAIN)
        .chain_update(client_token.as_bytes())
        .finalize();
    let secret = URL_SAFE_NO_PAD.encode(&digest[..24]);
    format!("{RECEIPT_PREFIX}{uuid}_{secret}")
}

/// The order a receipt token claims to belong to; the caller must still compare the
/// whole token with the order's own [`receipt_token`] using [`tokens_match`].
pub fn order_of_receipt_token(token: &str) -> Option<OrderId> {
    let (uuid, secret) = token.strip_prefix(RECEIPT_PREFIX)?.split_once('_')?;
    let well_formed = uuid.len() == 32
        && uuid.bytes().all(|b| b.is_ascii_hexdigit())
        && secret.len() == RECEIPT_SECRET_LEN
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    well_formed.then(|| OrderId(format!("{ORDER_PREFIX}{uuid}")))
}

pub fn tokens_match(stored: &str, presented: &str) -> bool {
    stored.as_bytes().ct_eq(presented.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_token_names_its_order() {
        let order = OrderId::generate();
        let token = client_token(&order);
        assert_eq!(order_of_client_token(&token), Some(order));
        assert!(tokens_match(&token, &token));
        assert!(!tokens_match(&token, &client_token(&OrderId::generate())));
    }

    #[test]
    fn a_receipt_token_names_its_order_and_depends_on_the_client_token() {
        let order = OrderId::generate();
        let client = client_token(&order);
        let receipt = receipt_token(&order, &client);
        assert!(receipt.starts_with("rcpt_"), "{receipt}");
        assert_eq!(receipt, receipt_token(&order, &client), "stable");
        assert_eq!(order_of_receipt_token(&receipt), Some(order.clone()));
        let other = receipt_token(&order, &client_token(&order));
        assert_ne!(receipt, other);
        assert_eq!(order_of_receipt_token(&other), Some(order.clone()));
        // Nothing of the client token's secret shows in the receipt token.
        let (_, client_secret) = client.rsplit_once('_').expect("a secret");
        assert!(!receipt.contains(client_secret), "{receipt}");
        // A client token is not a receipt token, nor the other way round.
        assert_eq!(order_of_receipt_token(&client), None);
        assert_eq!(order_of_client_token(&receipt), None);
    }

    #[test]
    fn malformed_receipt_tokens_name_nothing() {
        let good = receipt_token("ord_0123456789abcdef0123456789abcdef", "ct_x");
        assert!(order_of_receipt_token(&good).is_some());
        for bad in [
            String::new(),
            "rcpt_".into(),
            "rcpt_abc_def".into(),
            good.replacen("rcpt_", "rcp_", 1),
            good[..good.len() - 1].to_owned(),
            format!("{good}A"),
            format!("{}!", &good[..good.len() - 1]),
            good.replacen("0123", "012g", 1),
            format!("{}%2F", &good[..good.len() - 3]),
        ] {
            assert_eq!(order_of_receipt_token(&bad), None, "{bad}");
        }
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
