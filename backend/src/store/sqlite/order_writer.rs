//! Order creation: every order of a batch, with its items and the answer its key
//! replays, written by the [`GroupCommit`] that gathered them.

use rusqlite::{Transaction, params};

use super::batch_connection::BatchConnection;
use super::group_commit::GroupCommit;
use super::idempotency;
use super::wal_flush::WalFlusher;
use crate::store::{CreateOrder, StoreError};

pub(super) struct OrderWriter(GroupCommit<CreateOrder, ()>);

impl OrderWriter {
    pub(super) fn spawn(conn: BatchConnection, flusher: WalFlusher) -> Self {
        OrderWriter(GroupCommit::spawn("order", conn, flusher, write))
    }

    pub(super) async fn create(&self, command: CreateOrder) -> Result<(), StoreError> {
        self.0.submit(command).await
    }
}

/// One prepared statement per table, one row per execution: no statement of a batch
/// writes more than one row, so none needs a statement journal.
fn write(tx: &Transaction<'_>, orders: &[CreateOrder]) -> rusqlite::Result<Vec<()>> {
    let mut order = tx.prepare_cached(
        "INSERT INTO orders (id, merchant_id, status, currency, total_minor, merchant_reference,
             return_url, client_token, created_at, expires_at)
         VALUES (?, ?, 'created', ?, ?, ?, ?, ?, ?, ?)",
    )?;
    let mut item = tx.prepare_cached(
        "INSERT INTO order_items (order_id, position, name, quantity, unit_price_minor,
             line_total_minor, image_url)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )?;
    let mut answer = idempotency::Recorder::prepare(tx)?;
    for command in orders {
        let o = &command.order;
        order.execute(params![
            o.id.as_str(),
            o.merchant_id.as_str(),
            o.currency.code(),
            o.total.minor(),
            o.merchant_reference,
            o.return_url,
            o.client_token,
            o.created_at,
            o.expires_at,
        ])?;
        for (position, it) in o.items.iter().enumerate() {
            item.execute(params![
                o.id.as_str(),
                position,
                it.name,
                it.quantity,
                it.unit_price.minor(),
                it.line_total.minor(),
                it.image_url,
            ])?;
        }
        if let Some(a) = &command.answer {
            answer.record(a)?;
        }
    }
    Ok(vec![(); orders.len()])
}
