//! Open loop (`--rate N`): latency below saturation. Notifications go out at a fixed
//! rate and each latency runs from its scheduled send time (see
//! [`open_loop`](crate::bench::harness::open_loop)).
//!
//! 1. Acknowledgements: `--rate` notifications a second for `--seconds`, each one's
//!    time to its `200`.
//! 2. After the backlog is applied and those webhooks are in: `--webhook-rate`
//!    notifications a second for `--seconds`, each one's time to the merchant's
//!    webhook endpoint receiving the order's `order.paid`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, ensure};
use tokio::time::Instant;

use super::Bench;
use super::inbox::{InboxCounts, wait_for_empty_backlog};
use super::notify::{BANK_CODE, NOTIFY_PATH, Scheduled};
use super::setup::{Payment, set_up};
use crate::bench::harness::load::CONNECTIONS;
use crate::bench::harness::open_loop::{self, OpenRun, Schedule};
use crate::bench::harness::stats::{Phase, Summary, millis, seconds, table};
use crate::bench::harness::webhooks::{Counts, Webhooks};

/// How long the last webhooks get to arrive after the last acknowledgement.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(120);
const WEBHOOK_ROW: &str = "notification → webhook received";

/// The open loop's two phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OpenOptions {
    /// Notifications a second while acknowledgements are measured.
    pub(super) rate: u64,
    /// Notifications a second while notification → webhook is measured.
    pub(super) webhook_rate: u64,
    /// Each phase's length.
    pub(super) duration: Duration,
}

impl OpenOptions {
    fn schedules(&self) -> (Schedule, Schedule) {
        let at = |rate| Schedule {
            rate,
            duration: self.duration,
        };
        (at(self.rate), at(self.webhook_rate))
    }
}

pub(super) async fn run(
    bench: &Bench,
    addr: SocketAddr,
    options: OpenOptions,
    webhooks: &Webhooks,
) -> Result<()> {
    let (acks, hooks) = options.schedules();
    let total = acks.count() + hooks.count();
    println!(
        "\nsetting up: {total} orders with one {BANK_CODE} attempt each on {CONNECTIONS} connections"
    );
    let mut first = set_up(
        &[addr],
        &bench.merchant,
        &bench.bank.run_id,
        usize::try_from(total)?,
    )
    .await?;
    let second = first.split_off(usize::try_from(acks.count())?);

    println!(
        "\nmeasuring acknowledgements: open loop, {} signed success notifications/s for {}",
        acks.rate,
        seconds(acks.duration)
    );
    let (ack_run, _) = notify(bench, addr, acks, first, 0).await?;
    println!("\n{}", ack_report(&ack_run));
    settle(bench, addr, webhooks, ack_run.phase.succeeded()).await?;

    println!(
        "\nmeasuring notification → merchant webhook: open loop, {} notifications/s for {}",
        hooks.rate,
        seconds(hooks.duration)
    );
    let (hook_run, notified) = notify(bench, addr, hooks, second, acks.count()).await?;
    let expected = ack_run.phase.succeeded() + hook_run.phase.succeeded();
    let counts = webhooks.wait_for_paid(expected, WEBHOOK_TIMEOUT).await;
    let delivered = webhook_phase(&hook_run, &notified, webhooks);
    println!("\n{}", webhook_report(&hook_run, &delivered, &counts));
    let (inbox, _) = wait_for_empty_backlog(addr, &bench.operator_authorization).await?;
    println!("\n{}", summary(&ack_run, &hook_run, &delivered, &inbox));
    check(&[&ack_run, &hook_run], &delivered, &counts, &inbox)
}

/// Notifies `payments` on `schedule`; transaction ids count from `first_index`.
async fn notify(
    bench: &Bench,
    addr: SocketAddr,
    schedule: Schedule,
    payments: Vec<Payment>,
    first_index: u64,
) -> Result<(OpenRun, Arc<Scheduled>)> {
    let requests = Arc::new(Scheduled {
        payments: payments.into(),
        bank: bench.bank.clone(),
        first_index,
    });
    let run = open_loop::run(addr, schedule, Arc::clone(&requests)).await?;
    if let Some(sample) = &run.phase.first_failure {
        eprintln!("first failure: {sample}");
    }
    Ok((run, requests))
}

/// Waits until the first phase's notifications are applied and their webhooks in, so
/// the second phase starts on a quiet gateway.
async fn settle(bench: &Bench, addr: SocketAddr, webhooks: &Webhooks, paid: u64) -> Result<()> {
    let started = Instant::now();
    wait_for_empty_backlog(addr, &bench.operator_authorization).await?;
    let counts = webhooks.wait_for_paid(paid, WEBHOOK_TIMEOUT).await;
    ensure!(
        counts.paid >= paid,
        "only {} of {paid} webhooks arrived within {}s after the backlog was applied",
        counts.paid,
        WEBHOOK_TIMEOUT.as_secs()
    );
    println!(
        "settled in {}: backlog applied, {} webhooks received",
        seconds(started.elapsed()),
        counts.paid
    );
    Ok(())
}

/// Each acknowledged notification's time from its scheduled send to its order's
/// `order.paid` arriving; a missing webhook is an error. Elapsed runs to the last one.
fn webhook_phase(run: &OpenRun, notified: &Scheduled, webhooks: &Webhooks) -> Phase {
    let mut phase = Phase::default();
    let mut last = run.start;
    for &index in &run.succeeded {
        let order_id = notified.payment(index).map(|p| p.order_id.as_str());
        match order_id.and_then(|id| webhooks.paid_at(id)) {
            Some(arrived) => {
                phase
                    .latencies
                    .push(arrived.saturating_duration_since(run.scheduled(index)));
                last = last.max(arrived);
            }
            None => phase
                .note_error(|| format!("no order.paid webhook for {}", order_id.unwrap_or("?"))),
        }
    }
    phase.elapsed = last.saturating_duration_since(run.start);
    phase
}

fn ack_report(run: &OpenRun) -> String {
    let mut out = table(&[run.phase.row(&format!("POST {NOTIFY_PATH}"))]);
    out += &run.schedule_report();
    out
}

fn webhook_report(run: &OpenRun, delivered: &Phase, counts: &Counts) -> String {
    let name = format!("POST {NOTIFY_PATH}");
    let mut out = table(&[run.phase.row(&name), delivered.row(WEBHOOK_ROW)]);
    out += &run.schedule_report();
    out += &format!(
        "\nwebhooks: {} of {} order.paid received ({} repeated deliveries, {} refused)",
        delivered.succeeded(),
        run.phase.succeeded(),
        counts.repeated,
        counts.refused
    );
    out
}

/// The figures the issue asks for, one line each.
fn summary(acks: &OpenRun, hooks: &OpenRun, delivered: &Phase, inbox: &InboxCounts) -> String {
    let line = |what: String, s: Summary| {
        format!(
            "{what:<46} p50 {}, p90 {}, p99 {}, max {}\n",
            millis(s.p50_us),
            millis(s.p90_us),
            millis(s.p99_us),
            millis(s.max_us)
        )
    };
    let mut out = line(
        format!("acknowledgement at {}/s:", acks.schedule.rate),
        acks.phase.latencies.summary(),
    );
    out += &line(
        format!(
            "notification → merchant webhook at {}/s:",
            hooks.schedule.rate
        ),
        delivered.latencies.summary(),
    );
    out += &format!("bank inbox: {inbox}");
    out
}

/// The run counts only if every notification was acknowledged and applied and every
/// webhook of the second phase arrived, correctly signed.
fn check(runs: &[&OpenRun], delivered: &Phase, counts: &Counts, inbox: &InboxCounts) -> Result<()> {
    let sent: u64 = runs.iter().map(|run| run.schedule.count()).sum();
    let failed: u64 = runs.iter().map(|run| run.phase.failures()).sum();
    ensure!(
        failed == 0,
        "{failed} of {sent} notifications were not acknowledged with a 2xx"
    );
    ensure!(
        inbox.applied == sent,
        "{} of {sent} notifications were applied ({inbox})",
        inbox.applied
    );
    ensure!(
        delivered.failures() == 0,
        "{} webhooks did not arrive within {}s; first: {}",
        delivered.failures(),
        WEBHOOK_TIMEOUT.as_secs(),
        delivered.first_failure.as_deref().unwrap_or("?")
    );
    ensure!(
        counts.refused == 0,
        "the webhook endpoint refused {} deliveries; first: {}",
        counts.refused,
        counts.first_refusal.as_deref().unwrap_or("?")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::harness::stats::Latencies;

    fn run_with(rate: u64, latencies_us: &[u64]) -> OpenRun {
        OpenRun {
            schedule: Schedule {
                rate,
                duration: Duration::from_secs(1),
            },
            start: Instant::now(),
            phase: Phase {
                elapsed: Duration::from_secs(1),
                latencies: latencies_us.iter().copied().collect(),
                ..Phase::default()
            },
            send_delays: Latencies::default(),
            late: 0,
            succeeded: (0..u64::try_from(latencies_us.len()).unwrap()).collect(),
        }
    }

    fn inbox(applied: u64) -> InboxCounts {
        InboxCounts {
            received: 0,
            applied,
            duplicate: 0,
            ignored: 0,
            quarantined: 0,
        }
    }

    #[test]
    fn two_rates_come_from_one_duration() {
        let options = OpenOptions {
            rate: 1000,
            webhook_rate: 500,
            duration: Duration::from_secs(10),
        };
        let (acks, hooks) = options.schedules();
        assert_eq!((acks.count(), hooks.count()), (10_000, 5_000));
    }

    #[test]
    fn the_summary_names_both_rates() {
        let acks = run_with(1000, &[1_000, 2_000, 3_000]);
        let hooks = run_with(500, &[1_000]);
        let delivered = Phase {
            latencies: [12_340].into_iter().collect(),
            ..Phase::default()
        };
        let text = summary(&acks, &hooks, &delivered, &inbox(4));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("acknowledgement at 1000/s:"), "{text}");
        assert!(lines[0].contains("p50 2.00 ms"), "{text}");
        assert!(lines[0].contains("p99 2.00 ms, max 3.00 ms"), "{text}");
        assert!(
            lines[1].starts_with("notification → merchant webhook at 500/s:"),
            "{text}"
        );
        assert!(lines[1].contains("p99 12.34 ms"), "{text}");
        assert!(lines[2].contains("applied 4"), "{text}");
    }

    #[test]
    fn missing_webhooks_and_unapplied_notifications_fail_the_run() {
        let acks = run_with(3, &[1_000; 3]);
        let hooks = run_with(1, &[1_000]);
        let delivered = Phase::default();
        let counts = Counts::default();
        assert!(check(&[&acks, &hooks], &delivered, &counts, &inbox(4)).is_ok());
        let short = check(&[&acks, &hooks], &delivered, &counts, &inbox(3));
        assert!(short.unwrap_err().to_string().contains("3 of 4"));
        let mut missing = Phase::default();
        missing.note_error(|| "no order.paid webhook for ord_1".to_owned());
        let error = check(&[&acks, &hooks], &missing, &counts, &inbox(4))
            .unwrap_err()
            .to_string();
        assert!(error.contains("1 webhooks did not arrive"), "{error}");
        assert!(error.contains("ord_1"), "{error}");
    }
}
