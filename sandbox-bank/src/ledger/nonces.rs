//! Signature nonces of accepted gateway requests: each may be used once.

use super::{Ledger, LedgerError};

impl Ledger {
    /// Records `nonce` as used at `now` and forgets nonces older than `keep_secs`.
    /// False if it was used before: the request is a replay.
    pub(crate) async fn spend_nonce(
        &self,
        nonce: &str,
        now: i64,
        keep_secs: i64,
    ) -> Result<bool, LedgerError> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM seen_nonces WHERE seen_at < ?")
            .bind(now.saturating_sub(keep_secs))
            .execute(&mut *tx)
            .await?;
        let fresh = sqlx::query(
            "INSERT INTO seen_nonces (nonce, seen_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING",
        )
        .bind(nonce)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(fresh == 1)
    }
}

#[cfg(test)]
mod tests {
    use crate::ledger::testing::temp_ledger;

    const NOW: i64 = 1_800_000_000;

    #[tokio::test]
    async fn a_nonce_is_spent_once_and_forgotten_after_the_window() {
        let ledger = temp_ledger().await;
        assert!(ledger.spend_nonce("nonce-a", NOW, 600).await.unwrap());
        assert!(!ledger.spend_nonce("nonce-a", NOW + 600, 600).await.unwrap());
        assert!(ledger.spend_nonce("nonce-b", NOW + 601, 600).await.unwrap());
        // Pruned: older than the window, so any signature carrying it is stale anyway.
        assert!(ledger.spend_nonce("nonce-a", NOW + 601, 600).await.unwrap());
    }
}
