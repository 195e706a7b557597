//! A settlement run: reconcile the day, settle every merchant's reconciled pending
//! balance transactions, then pay out what each merchant has available.

use std::collections::BTreeMap;

use paydesk_shared::{Currency, Money};

use super::payouts::request_payout;
use super::reconcile::{self, DayReport};
use crate::domain::balance::BalanceTransaction;
use crate::domain::ids::MerchantId;
use crate::domain::payout::{Payout, PayoutOutcome};
use crate::domain::settlement::{self, Settlement};
use crate::domain::time::{DAY, Millis, day_of, day_start};
use crate::state::AppState;
use crate::store::{Settle, StoreError};

/// Merchants read per page while walking them all.
const PAGE: u32 = 100;

/// What one run did.
#[derive(Debug)]
pub(crate) struct RunSummary {
    pub(crate) run_date: String,
    pub(crate) reconciliation: DayReport,
    pub(crate) settlements: Vec<Settlement>,
    pub(crate) payouts: Vec<Payout>,
    /// Alerts raised for hand-off accounts not back to zero in time.
    pub(crate) overdue_alerts: u32,
}

/// A UTC day a run is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunDate {
    text: String,
    start: Millis,
}

impl RunDate {
    /// `YYYY-MM-DD`, a real date.
    pub(crate) fn parse(text: &str) -> Option<RunDate> {
        day_start(text).map(|start| RunDate {
            text: text.to_owned(),
            start,
        })
    }

    /// The day `at` falls on.
    pub(crate) fn of(at: Millis) -> RunDate {
        let start = at - at.rem_euclid(DAY);
        RunDate {
            text: day_of(start),
            start,
        }
    }

    pub(crate) fn previous(&self) -> RunDate {
        RunDate::of(self.start - DAY)
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    pub(crate) fn start(&self) -> Millis {
        self.start
    }
}

/// Runs settlement for `date` now.
pub(crate) async fn run(state: &AppState, date: &RunDate) -> Result<RunSummary, StoreError> {
    let run_date = date.as_str();
    let reconciliation = reconcile::day(state, run_date, date.start()).await?;
    let mut settlements = Vec::new();
    let mut payouts = Vec::new();
    let mut after = None;
    loop {
        let merchants = state.store.merchants(after.as_ref(), PAGE).await?;
        for merchant in &merchants {
            settlements.extend(settle(state, &merchant.id, run_date, |_| true).await?);
            let Some(account) = &merchant.settlement_account else {
                continue;
            };
            for balance in state.store.balances(&merchant.id).await? {
                let minimum = minimum(state, balance.currency);
                if balance.available <= 0 || balance.available < minimum {
                    continue;
                }
                let Ok(amount) = Money::from_minor(balance.available, balance.currency) else {
                    continue;
                };
                let now = state.clock.now_ms();
                let payout = Payout::new(&merchant.id, amount, account.clone(), true, now);
                if request_payout(state, &payout, None).await? == PayoutOutcome::Created {
                    payouts.push(payout);
                }
            }
        }
        match merchants.last() {
            Some(last) if merchants.len() == PAGE as usize => after = Some(last.id.clone()),
            _ => break,
        }
    }
    let overdue_alerts = super::overdue::check(state).await?;
    tracing::info!(
        date = run_date,
        settlements = settlements.len(),
        payouts = payouts.len(),
        matched = reconciliation.counts().matched,
        lines = reconciliation.counts().total,
        "settlement run done"
    );
    Ok(RunSummary {
        run_date: run_date.to_owned(),
        reconciliation,
        settlements,
        payouts,
        overdue_alerts,
    })
}

/// Settles the merchant's reconciled pending lines that `take` keeps, one settlement
/// per currency.
pub(crate) async fn settle(
    state: &AppState,
    merchant: &MerchantId,
    run_date: &str,
    take: impl Fn(&BalanceTransaction) -> bool,
) -> Result<Vec<Settlement>, StoreError> {
    let mut done = Vec::new();
    // A line settled meanwhile (a concurrent run) makes the store refuse the whole
    // settlement; read again and settle what is left.
    for _ in 0..3 {
        let lines = state.store.settleable(merchant).await?;
        let mut by_currency: BTreeMap<Currency, Vec<_>> = BTreeMap::new();
        for line in lines.into_iter().filter(|line| take(line)) {
            by_currency.entry(line.currency).or_default().push(line);
        }
        let mut conflict = false;
        for (currency, lines) in by_currency {
            let now = state.clock.now_ms();
            let Some(plan) = settlement::plan(merchant, currency, &lines, run_date, now) else {
                continue;
            };
            let event = state.events.settlement_event(&plan.settlement, now);
            let settlement = plan.settlement.clone();
            match state.store.settle(&Settle { plan, event }).await {
                Ok(()) => {
                    tracing::info!(merchant = %merchant, settlement = %settlement.id, net = settlement.net, count = settlement.count, "settled");
                    done.push(settlement);
                }
                Err(StoreError::Conflict) => conflict = true,
                Err(e) => return Err(e),
            }
        }
        if !conflict {
            break;
        }
    }
    if !done.is_empty() {
        state.outbox.notify_one();
    }
    Ok(done)
}

/// The configured payout minimum in minor units of `currency` (rounded up).
fn minimum(state: &AppState, currency: Currency) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    let scaled = state.books.config.payout_minimum
        * rust_decimal::Decimal::from(10_i64.pow(currency.minor_units()));
    scaled.ceil().to_i64().unwrap_or(i64::MAX)
}
