//! Order creation: every order of a batch, with its items and the answer its key
//! replays, written by the [`GroupCommit`] that gathered them.

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use super::group_commit::GroupCommit;
use super::idempotency;
use super::wal_flush::WalFlusher;
use crate::domain::idempotency::KeyAnswer;
use crate::store::{CreateOrder, StoreError};

pub(super) struct OrderWriter(GroupCommit<CreateOrder, ()>);

impl OrderWriter {
    pub(super) fn spawn(pool: SqlitePool, flusher: WalFlusher) -> Self {
        OrderWriter(GroupCommit::spawn("order", pool, flusher, write))
    }

    pub(super) async fn create(&self, command: CreateOrder) -> Result<(), StoreError> {
        self.0.submit(command).await
    }
}

fn write<'a>(
    conn: &'a mut SqliteConnection,
    orders: &'a [CreateOrder],
) -> BoxFuture<'a, Result<Vec<()>, sqlx::Error>> {
    async move {
        insert_orders(conn, orders).await?;
        let answers: Vec<&KeyAnswer> = orders.iter().filter_map(|o| o.answer.as_ref()).collect();
        idempotency::record(conn, &answers).await?;
        Ok(vec![(); orders.len()])
    }
    .boxed()
}

async fn insert_orders(
    conn: &mut SqliteConnection,
    orders: &[CreateOrder],
) -> Result<(), sqlx::Error> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO orders (id, merchant_id, status, currency, total_minor, merchant_reference, return_url, client_token, created_at, expires_at) ",
    );
    q.push_values(orders, |mut b, command| {
        let o = &command.order;
        b.push_bind(&o.id)
            .push_bind(&o.merchant_id)
            .push_bind("created")
            .push_bind(o.currency.code())
            .push_bind(o.total.minor())
            .push_bind(&o.merchant_reference)
            .push_bind(&o.return_url)
            .push_bind(&o.client_token)
            .push_bind(o.created_at)
            .push_bind(o.expires_at);
    });
    q.build().execute(&mut *conn).await?;

    let items: Vec<_> = orders
        .iter()
        .flat_map(|command| {
            let order = &command.order;
            order
                .items
                .iter()
                .enumerate()
                .map(move |(i, item)| (&order.id, i, item))
        })
        .collect();
    // Seven parameters per item row; chunks keep each statement under SQLite's limit.
    for chunk in items.chunks(4000) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO order_items (order_id, position, name, quantity, unit_price_minor, line_total_minor, image_url) ",
        );
        q.push_values(chunk, |mut b, (order_id, position, item)| {
            b.push_bind(*order_id)
                .push_bind(*position as i64)
                .push_bind(&item.name)
                .push_bind(i64::from(item.quantity))
                .push_bind(item.unit_price.minor())
                .push_bind(item.line_total.minor())
                .push_bind(&item.image_url);
        });
        q.build().execute(&mut *conn).await?;
    }

    Ok(())
}
