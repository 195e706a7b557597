use paydesk_shared::api::WidgetMode;
use paydesk_shared::bank::CardKind;
use paydesk_shared::payment::{AttemptStatus, OrderStatus, OrderTransition};
use paydesk_shared::{Currency, Money};
use std::collections::HashMap;

use sqlx::{
    QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool, Transaction, sqlite::SqliteRow,
};

use super::guards;
use crate::domain::change::Precondition;
use crate::domain::ids::AttemptId;
use crate::domain::order::{Attempt, Item, Order, OrderFilter};
use crate::domain::time::Millis;
use crate::store::StoreError;

pub(super) enum Key<'a> {
    Id {
        merchant_id: &'a str,
        order_id: &'a str,
    },
    AnyMerchant(&'a str),
    Attempt(&'a str),
}

/// A read transaction: an order, its items and its attempts are read as of one moment,
/// never an order from before a commit with attempts from after it.
async fn snapshot(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, StoreError> {
    Ok(pool.begin().await?)
}

pub(super) async fn load(pool: &SqlitePool, key: Key<'_>) -> Result<Option<Order>, StoreError> {
    let mut tx = snapshot(pool).await?;
    let row = match key {
        Key::Id {
            merchant_id,
            order_id,
        } => {
            sqlx::query("SELECT * FROM orders WHERE id = ? AND merchant_id = ?")
                .bind(order_id)
                .bind(merchant_id)
                .fetch_optional(&mut *tx)
                .await?
        }
        Key::AnyMerchant(order_id) => {
            sqlx::query("SELECT * FROM orders WHERE id = ?")
                .bind(order_id)
                .fetch_optional(&mut *tx)
                .await?
        }
        Key::Attempt(attempt_id) => sqlx::query(
            "SELECT o.* FROM orders o JOIN payment_attempts a ON a.order_id = o.id WHERE a.id = ?",
        )
        .bind(attempt_id)
        .fetch_optional(&mut *tx)
        .await?,
    };
    let Some(row) = row else { return Ok(None) };
    let id: String = row.try_get("id")?;
    let currency = currency(&row)?;
    let items = sqlx::query("SELECT * FROM order_items WHERE order_id = ? ORDER BY position")
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| item_from_row(r, currency))
        .collect::<Result<_, _>>()?;
    let attempts =
        sqlx::query("SELECT * FROM payment_attempts WHERE order_id = ? ORDER BY created_at, rowid")
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(attempt_from_row)
            .collect::<Result<_, _>>()?;
    order_from_row(&row, items, attempts).map(Some)
}

/// The orders of these attempts, each with its items and attempts, in three queries
/// whatever their number.
pub(super) async fn load_by_attempts(
    pool: &SqlitePool,
    attempt_ids: &[AttemptId],
) -> Result<Vec<Order>, StoreError> {
    if attempt_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = snapshot(pool).await?;
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT DISTINCT o.* FROM orders o JOIN payment_attempts a ON a.order_id = o.id WHERE a.id IN (",
    );
    let mut list = q.separated(", ");
    for id in attempt_ids {
        list.push_bind(id);
    }
    q.push(")");
    let rows = q.build().fetch_all(&mut *tx).await?;
    assemble(&mut tx, rows).await
}

/// The merchant's orders matching `filter`, newest first.
pub(super) async fn list(
    pool: &SqlitePool,
    merchant_id: &str,
    filter: &OrderFilter,
    limit: u32,
) -> Result<Vec<Order>, StoreError> {
    let mut tx = snapshot(pool).await?;
    let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM orders WHERE merchant_id = ");
    q.push_bind(merchant_id);
    if let Some(status) = filter.status {
        q.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(from) = filter.created_from {
        q.push(" AND created_at >= ").push_bind(from);
    }
    if let Some(until) = filter.created_before {
        q.push(" AND created_at < ").push_bind(until);
    }
    if let Some(reference) = &filter.merchant_reference {
        q.push(" AND merchant_reference = ").push_bind(reference);
    }
    if let Some(after) = &filter.starting_after {
        q.push(" AND (created_at, id) < (SELECT created_at, id FROM orders WHERE id = ")
            .push_bind(after)
            .push(")");
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(i64::from(limit));
    let rows = q.build().fetch_all(&mut *tx).await?;
    assemble(&mut tx, rows).await
}

/// Unpaid orders whose expiry has passed, earliest first.
pub(super) async fn expired_unpaid(
    pool: &SqlitePool,
    now: Millis,
    limit: u32,
) -> Result<Vec<Order>, StoreError> {
    let mut tx = snapshot(pool).await?;
    let rows = sqlx::query(&format!(
        "SELECT * FROM orders WHERE {} AND expires_at <= ? ORDER BY expires_at LIMIT ?",
        guards::sql(Precondition::OrderIn(OrderTransition::Expire))
    ))
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    assemble(&mut tx, rows).await
}

pub(super) async fn next_expiry(pool: &SqlitePool) -> Result<Option<Millis>, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT MIN(expires_at) FROM orders WHERE {}",
        guards::sql(Precondition::OrderIn(OrderTransition::Expire))
    ))
    .fetch_one(pool)
    .await?)
}

/// Order rows with their items and attempts, read in two more queries, in row order.
async fn assemble(
    conn: &mut SqliteConnection,
    rows: Vec<SqliteRow>,
) -> Result<Vec<Order>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let in_orders = |select: &str, order_by: &str| {
        let mut q = QueryBuilder::<Sqlite>::new(select);
        q.push(" WHERE order_id IN (");
        let mut list = q.separated(", ");
        for id in &ids {
            list.push_bind(id.clone());
        }
        q.push(") ORDER BY ");
        q.push(order_by);
        q
    };
    let mut items: HashMap<String, Vec<SqliteRow>> = HashMap::new();
    for row in in_orders("SELECT * FROM order_items", "order_id, position")
        .build()
        .fetch_all(&mut *conn)
        .await?
    {
        items.entry(row.try_get("order_id")?).or_default().push(row);
    }
    let mut attempts: HashMap<String, Vec<Attempt>> = HashMap::new();
    for row in in_orders("SELECT * FROM payment_attempts", "created_at, rowid")
        .build()
        .fetch_all(&mut *conn)
        .await?
    {
        attempts
            .entry(row.try_get("order_id")?)
            .or_default()
            .push(attempt_from_row(&row)?);
    }
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            let currency = currency(row)?;
            let items = items
                .remove(&id)
                .unwrap_or_default()
                .iter()
                .map(|r| item_from_row(r, currency))
                .collect::<Result<_, _>>()?;
            order_from_row(row, items, attempts.remove(&id).unwrap_or_default())
        })
        .collect()
}

fn order_from_row(
    row: &SqliteRow,
    items: Vec<Item>,
    attempts: Vec<Attempt>,
) -> Result<Order, StoreError> {
    let currency = currency(row)?;
    Ok(Order {
        id: row.try_get("id")?,
        status: order_status(row)?,
        merchant_id: row.try_get("merchant_id")?,
        currency,
        items,
        total: money(row, "total_minor", currency)?,
        merchant_reference: row.try_get("merchant_reference")?,
        return_url: row.try_get("return_url")?,
        client_token: row.try_get("client_token")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        paid_at: row.try_get("paid_at")?,
        paid_attempt_id: row.try_get("paid_attempt_id")?,
        attempts,
    })
}

fn item_from_row(row: &SqliteRow, currency: Currency) -> Result<Item, StoreError> {
    let quantity: i64 = row.try_get("quantity")?;
    Ok(Item {
        name: row.try_get("name")?,
        quantity: u32::try_from(quantity).map_err(|_| corrupt("order_items.quantity"))?,
        unit_price: money(row, "unit_price_minor", currency)?,
        line_total: money(row, "line_total_minor", currency)?,
        image_url: row.try_get("image_url")?,
    })
}

pub(super) fn attempt_from_row(row: &SqliteRow) -> Result<Attempt, StoreError> {
    let currency = currency(row)?;
    let status: String = row.try_get("status")?;
    let card_kind: String = row.try_get("card_kind")?;
    let mode: String = row.try_get("mode")?;
    Ok(Attempt {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        bank_code: row.try_get("bank_code")?,
        card_kind: CardKind::parse(&card_kind)
            .ok_or_else(|| corrupt("payment_attempts.card_kind"))?,
        mode: WidgetMode::parse(&mode).ok_or_else(|| corrupt("payment_attempts.mode"))?,
        status: AttemptStatus::parse(&status).ok_or_else(|| corrupt("payment_attempts.status"))?,
        amount: money(row, "amount_minor", currency)?,
        failure_reason: row.try_get("failure_reason")?,
        bank_transaction_id: row.try_get("bank_transaction_id")?,
        created_at: row.try_get("created_at")?,
        decided_at: row.try_get("decided_at")?,
    })
}

fn currency(row: &SqliteRow) -> Result<Currency, StoreError> {
    let code: String = row.try_get("currency")?;
    code.parse().map_err(|_| corrupt("currency"))
}

fn order_status(row: &SqliteRow) -> Result<OrderStatus, StoreError> {
    let status: String = row.try_get("status")?;
    OrderStatus::parse(&status).ok_or_else(|| corrupt("orders.status"))
}

fn money(row: &SqliteRow, column: &str, currency: Currency) -> Result<Money, StoreError> {
    let minor: i64 = row.try_get(column)?;
    Money::from_minor(minor, currency).map_err(|_| corrupt(column))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("unexpected value in {what}"))
}
