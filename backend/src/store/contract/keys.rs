//! Merchants and their idempotency keys.

use super::fixtures::*;
use crate::domain::event::EventType;
use crate::domain::idempotency::{KeyAnswer, KeyClaim};
use crate::store::{CancelOrder, CreateOrder, Store};

pub(crate) async fn merchants_are_replaced_and_found_by_key_hash<S: Store>(store: &S) {
    store
        .upsert_merchant(&merchant("mer_a"))
        .await
        .expect("stored");
    let mut changed = merchant("mer_a");
    changed.name = "Renamed".into();
    changed
        .return_urls
        .push("https://shop.example/other".into());
    store.upsert_merchant(&changed).await.expect("stored");
    assert_eq!(
        store.merchant(&"mer_a".into()).await.expect("read"),
        Some(changed.clone())
    );
    store
        .save_merchant_key(&key("key_a", "mer_a"))
        .await
        .expect("stored");
    let by_key = store
        .merchant_by_key_hash("hash-of-key_a")
        .await
        .expect("read");
    assert_eq!(by_key, Some(changed));
    assert_eq!(
        store.merchant_by_key_hash("nope").await.expect("read"),
        None
    );
}

fn answer(key: &str, hash: &str, at: i64) -> KeyAnswer {
    KeyAnswer {
        merchant_id: MERCHANT.into(),
        key: key.into(),
        request_hash: hash.into(),
        status: 201,
        body: b"{\"id\":\"ord_1\"}".to_vec(),
        created_at: at,
    }
}

pub(crate) async fn a_claimed_key_is_in_use_until_released<S: Store>(store: &S) {
    let merchant = MERCHANT.into();
    let claim = |hash: &'static str| store.claim_idempotency_key(&merchant, "k1", hash, 0);
    assert_eq!(claim("h").await.expect("claim"), KeyClaim::Claimed);
    assert_eq!(claim("h").await.expect("claim"), KeyClaim::InUse);
    let theirs = store
        .claim_idempotency_key(&"mer_b".into(), "k1", "h", 0)
        .await;
    assert_eq!(theirs.expect("claim"), KeyClaim::Claimed);
    store.release_idempotency_key(&MERCHANT.into(), "k1").await;
    assert_eq!(claim("h").await.expect("claim"), KeyClaim::Claimed);
}

/// An answer is stored with its change, and only if the change is made.
pub(crate) async fn an_answer_is_recorded_with_its_change<S: Store>(store: &S) {
    store
        .upsert_merchant(&merchant(MERCHANT))
        .await
        .expect("stored");
    // As the gateway does: the key is claimed, the answer recorded, the key released.
    let claim = store
        .claim_idempotency_key(&MERCHANT.into(), "k1", "h1", NOW)
        .await;
    assert_eq!(claim.expect("claim"), KeyClaim::Claimed);
    let created = CreateOrder {
        order: new_order("ord_1", MERCHANT),
        answer: Some(answer("k1", "h1", NOW)),
    };
    store.create_order(created).await.expect("created");
    store.release_idempotency_key(&MERCHANT.into(), "k1").await;
    let replay = store
        .claim_idempotency_key(&MERCHANT.into(), "k1", "h1", NOW)
        .await;
    let body = b"{\"id\":\"ord_1\"}".to_vec();
    assert_eq!(
        replay.expect("claim"),
        KeyClaim::Replay { status: 201, body }
    );
    let other = store
        .claim_idempotency_key(&MERCHANT.into(), "k1", "h2", NOW)
        .await;
    assert_eq!(other.expect("claim"), KeyClaim::Mismatch);
    let expired = store
        .claim_idempotency_key(&MERCHANT.into(), "k1", "h2", NOW + 1)
        .await;
    assert_eq!(
        expired.expect("claim"),
        KeyClaim::Claimed,
        "older than `not_before`"
    );
    // The expired key's new answer takes the old one's place.
    let mut renewed = answer("k1", "h2", NOW + 1);
    renewed.body = b"{\"id\":\"ord_2\"}".to_vec();
    let created = CreateOrder {
        order: new_order("ord_2", MERCHANT),
        answer: Some(renewed),
    };
    store.create_order(created).await.expect("created");
    store.release_idempotency_key(&MERCHANT.into(), "k1").await;
    let replay = store
        .claim_idempotency_key(&MERCHANT.into(), "k1", "h2", NOW + 1)
        .await;
    let body = b"{\"id\":\"ord_2\"}".to_vec();
    assert_eq!(
        replay.expect("claim"),
        KeyClaim::Replay { status: 201, body }
    );
    assert_eq!(store.totals().await.expect("totals").idempotency_answers, 1);

    // A cancel that is refused records nothing: a retry runs again.
    let claim = store
        .claim_idempotency_key(&MERCHANT.into(), "k2", "h", 0)
        .await;
    assert_eq!(claim.expect("claim"), KeyClaim::Claimed);
    let order = new_order("ord_1", MERCHANT).to_order();
    let late = CancelOrder {
        event: event(&order, "evt_c", EventType::OrderCancelled, order.expires_at),
        now: order.expires_at,
        answer: Some(answer("k2", "h", order.expires_at)),
    };
    store.cancel_order(&late).await.expect("refused");
    store.release_idempotency_key(&MERCHANT.into(), "k2").await;
    let retry = store
        .claim_idempotency_key(&MERCHANT.into(), "k2", "h", 0)
        .await;
    assert_eq!(retry.expect("claim"), KeyClaim::Claimed);
}

pub(crate) async fn old_answers_are_pruned<S: Store>(store: &S) {
    store
        .upsert_merchant(&merchant(MERCHANT))
        .await
        .expect("stored");
    for (i, at) in [NOW, NOW + 10].into_iter().enumerate() {
        let created = CreateOrder {
            order: new_order(&format!("ord_{i}"), MERCHANT),
            answer: Some(answer(&format!("k{i}"), "h", at)),
        };
        store.create_order(created).await.expect("created");
    }
    assert_eq!(
        store.prune_idempotency_keys(NOW + 10).await.expect("prune"),
        1
    );
    assert_eq!(store.totals().await.expect("totals").idempotency_answers, 1);
}
