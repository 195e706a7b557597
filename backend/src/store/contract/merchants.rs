//! Merchants the operator creates, their keys and their return URLs.

use super::fixtures::*;
use crate::domain::idempotency::KeyAnswer;
use crate::store::{CreateMerchant, SetReturnUrls, Store, StoreError};

fn create(id: &str, key_id: &str, answer: Option<KeyAnswer>) -> CreateMerchant {
    CreateMerchant {
        merchant: merchant(id),
        key: key(key_id, id),
        answer,
    }
}

/// A merchant is created once, with its first key and the answer that reports it.
pub(crate) async fn a_merchant_is_created_once_with_its_first_key<S: Store>(store: &S) {
    let answer = KeyAnswer {
        merchant_id: "operator".into(),
        key: "create-a".into(),
        request_hash: "h".into(),
        status: 201,
        body: b"{}".to_vec(),
        created_at: NOW,
    };
    store
        .create_merchant(&create("mer_a", "key_a", Some(answer)))
        .await
        .expect("created");
    let found = store.merchant_by_key_hash("hash-of-key_a").await;
    assert_eq!(found.expect("read"), Some(merchant("mer_a")));
    let again = store
        .create_merchant(&create("mer_a", "key_a2", None))
        .await;
    assert!(
        matches!(again, Err(StoreError::Duplicate { .. })),
        "{again:?}"
    );
    assert_eq!(
        store
            .merchant_by_key_hash("hash-of-key_a2")
            .await
            .expect("read"),
        None,
        "a refused creation adds no key"
    );
    let listed = store.merchants(None, 10).await.expect("read");
    assert_eq!(listed, vec![merchant("mer_a")]);
    assert_eq!(
        store
            .merchants(Some(&"mer_a".into()), 10)
            .await
            .expect("read"),
        vec![]
    );
}

/// Several keys work at once; a revoked key stops working and the others do not.
pub(crate) async fn a_revoked_key_stops_working_and_the_others_do_not<S: Store>(store: &S) {
    store
        .create_merchant(&create("mer_a", "key_1", None))
        .await
        .expect("created");
    store
        .save_merchant_key(&key("key_2", "mer_a"))
        .await
        .expect("saved");
    store
        .create_merchant(&create("mer_b", "key_b", None))
        .await
        .expect("created");
    for hash in ["hash-of-key_1", "hash-of-key_2"] {
        let m = store.merchant_by_key_hash(hash).await.expect("read");
        assert_eq!(m.map(|m| m.id), Some("mer_a".into()), "{hash}");
    }
    let mer_a = "mer_a".into();
    assert!(
        !store
            .revoke_merchant_key(&mer_a, &"key_b".into(), NOW + 1)
            .await
            .expect("revoke"),
        "another merchant's key is not revoked"
    );
    assert!(
        store
            .revoke_merchant_key(&mer_a, &"key_1".into(), NOW + 1)
            .await
            .expect("revoke")
    );
    assert!(
        !store
            .revoke_merchant_key(&mer_a, &"key_1".into(), NOW + 2)
            .await
            .expect("revoke"),
        "revoked once"
    );
    assert_eq!(
        store
            .merchant_by_key_hash("hash-of-key_1")
            .await
            .expect("read"),
        None
    );
    assert!(
        store
            .merchant_by_key_hash("hash-of-key_2")
            .await
            .expect("read")
            .is_some()
    );
    assert!(
        store
            .merchant_by_key_hash("hash-of-key_b")
            .await
            .expect("read")
            .is_some()
    );
    let keys = store.merchant_keys(&mer_a).await.expect("read");
    let revoked: Vec<_> = keys.iter().map(|k| (k.id.as_str(), k.revoked_at)).collect();
    assert_eq!(revoked, vec![("key_1", Some(NOW + 1)), ("key_2", None)]);
}

/// A merchant's return URLs are replaced as a whole, only from the URLs they were
/// read as; an unknown merchant changes nothing.
pub(crate) async fn return_urls_are_replaced<S: Store>(store: &S) {
    store
        .create_merchant(&create("mer_a", "key_a", None))
        .await
        .expect("created");
    let urls = vec![
        "https://shop.example/a".to_owned(),
        "https://shop.example/b".to_owned(),
    ];
    let set = |id: &str| SetReturnUrls {
        merchant_id: id.into(),
        previous: merchant(MERCHANT).return_urls,
        return_urls: urls.clone(),
        answer: None,
    };
    assert!(store.set_return_urls(&set("mer_a")).await.expect("set"));
    assert!(
        !store.set_return_urls(&set("mer_a")).await.expect("set"),
        "a change made from URLs that changed meanwhile is refused"
    );
    assert!(
        !store
            .set_return_urls(&set("mer_nobody"))
            .await
            .expect("set")
    );
    let m = store.merchant(&"mer_a".into()).await.expect("read");
    assert_eq!(m.map(|m| m.return_urls), Some(urls));
}
