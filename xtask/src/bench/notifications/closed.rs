//! Closed loop (the default): how fast the gateway acknowledges signed notifications
//! on [`CONNECTIONS`] connections, and how fast its applier then works off the
//! backlog they leave. The README's throughput figures are this mode's.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, ensure};
use tokio::time::Instant;

use super::Bench;
use super::inbox::{InboxCounts, wait_for_empty_backlog};
use super::notify::{BANK_CODE, NOTIFY_PATH, Notifier};
use super::setup::{Claims, set_up};
use crate::bench::harness::gateway::Store;
use crate::bench::harness::load::{CONNECTIONS, drive};
use crate::bench::harness::stats::{Phase, per_second_tenths, seconds, table, tenths};

/// What one closed-loop run measured.
pub(super) struct Figures {
    pub(super) acks: Phase,
    pub(super) orders: usize,
    /// From the first send until the backlog was empty.
    pub(super) applied_in: Duration,
}

pub(super) async fn run(bench: &Bench, addrs: &[SocketAddr], orders: usize) -> Result<Figures> {
    println!(
        "\nsetting up: {orders} orders with one {BANK_CODE} attempt each on {CONNECTIONS} connections"
    );
    let payments: Arc<[_]> = set_up(addrs, &bench.merchant, &bench.bank.run_id, orders)
        .await?
        .into();

    println!(
        "measuring: {orders} signed success notifications on {CONNECTIONS} connections, then the backlog until it is empty"
    );
    let first_send = Instant::now();
    let claims = Claims::new(payments.len());
    let notifiers = (0..CONNECTIONS).map(|_| Notifier {
        payments: Arc::clone(&payments),
        claims: claims.clone(),
        bank: bench.bank.clone(),
    });
    let (acks, _) = drive(addrs, notifiers).await?;
    let (counts, drained_at) =
        wait_for_empty_backlog(addrs[0], &bench.operator_authorization).await?;
    let applied_in = drained_at.duration_since(first_send);

    println!("\n{}", report(&acks, orders, applied_in, &counts));
    if let Some(sample) = &acks.first_failure {
        eprintln!("first failure: {sample}");
    }
    check(&acks, orders, &counts)?;
    Ok(Figures {
        acks,
        orders,
        applied_in,
    })
}

/// Every store's acknowledgements in one table, then each store's rate of applying.
pub(super) fn comparison(measured: &[(Store, Figures)]) -> String {
    let names: Vec<String> = measured
        .iter()
        .map(|(store, _)| format!("{store}: POST {NOTIFY_PATH}"))
        .collect();
    let rows: Vec<_> = measured
        .iter()
        .zip(&names)
        .map(|((_, figures), name)| figures.acks.row(name))
        .collect();
    let mut out = table(&rows);
    for (store, figures) in measured {
        let orders = u64::try_from(figures.orders).unwrap_or(u64::MAX);
        out += &format!(
            "{store}: {orders} applied in {} = {}/s\n",
            seconds(figures.applied_in),
            tenths(per_second_tenths(orders, figures.applied_in))
        );
    }
    out + &format!("{CONNECTIONS} connections, spread over each store's replicas")
}

fn report(acks: &Phase, orders: usize, applied_in: Duration, counts: &InboxCounts) -> String {
    let sent = acks.requests();
    let acknowledged = acks.succeeded();
    let mut out = table(&[acks.row(&format!("POST {NOTIFY_PATH}"))]);
    out += &format!(
        "acknowledged: {acknowledged} of {sent} notifications in {} = {}/s (latency above)\n",
        seconds(acks.elapsed),
        tenths(per_second_tenths(acknowledged, acks.elapsed)),
    );
    out += &format!(
        "applied:      {orders} orders in {} from the first send to an empty backlog = {}/s\n",
        seconds(applied_in),
        tenths(per_second_tenths(
            u64::try_from(orders).unwrap_or(u64::MAX),
            applied_in
        )),
    );
    out += &format!("bank inbox:   {counts}\n{CONNECTIONS} connections");
    out
}

/// The benchmark counts only if every notification was acknowledged and applied.
fn check(acks: &Phase, orders: usize, counts: &InboxCounts) -> Result<()> {
    ensure!(
        acks.failures() == 0,
        "{} of {orders} notifications were not acknowledged with a 2xx",
        acks.failures()
    );
    ensure!(
        counts.applied == u64::try_from(orders)?,
        "{} of {orders} notifications were applied ({counts})",
        counts.applied
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inbox(applied: u64, quarantined: u64) -> InboxCounts {
        InboxCounts {
            received: 0,
            applied,
            duplicate: 0,
            ignored: 0,
            quarantined,
        }
    }

    #[test]
    fn the_run_fails_unless_every_notification_was_acknowledged_and_applied() {
        let all_acked = Phase {
            latencies: [1_000; 3].into_iter().collect(),
            ..Phase::default()
        };
        assert!(check(&all_acked, 3, &inbox(3, 0)).is_ok());
        let short = check(&all_acked, 3, &inbox(2, 1)).unwrap_err().to_string();
        assert!(
            short.contains("2 of 3 notifications were applied"),
            "{short}"
        );
        assert!(short.contains("quarantined 1"), "{short}");
        let refused = Phase {
            latencies: [1_000; 2].into_iter().collect(),
            non_2xx: 1,
            ..Phase::default()
        };
        let refused = check(&refused, 3, &inbox(3, 0)).unwrap_err().to_string();
        assert!(refused.contains("1 of 3 notifications were not acknowledged"));
    }

    #[test]
    fn the_report_gives_both_rates_with_integer_arithmetic() {
        let acks = Phase {
            elapsed: Duration::from_millis(4_000),
            latencies: (1..=100).map(|n| n * 100).collect(),
            ..Phase::default()
        };
        let report = report(&acks, 100, Duration::from_millis(8_000), &inbox(100, 0));
        assert!(
            report.contains("acknowledged: 100 of 100 notifications in 4.00 s = 25.0/s"),
            "{report}"
        );
        let row = report.lines().nth(1).unwrap();
        assert!(
            row.starts_with("POST /v1/bank/notifications/sandbox "),
            "{report}"
        );
        for figure in ["25.0", "5.00 ms", "9.00 ms", "9.90 ms", "10.00 ms"] {
            assert!(row.contains(figure), "{figure} missing from {row}");
        }
        assert!(
            report.contains("applied:      100 orders in 8.00 s from the first send to an empty backlog = 12.5/s"),
            "{report}"
        );
    }
}
