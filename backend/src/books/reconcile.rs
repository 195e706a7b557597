//! Reconciles one day: every connector's settlement file for every merchant, checked
//! line by line against the gateway's records.

use std::collections::HashMap;

use crate::domain::ids::MerchantId;
use crate::domain::reconciliation::{self, BookedItem, Counts, LineClass};
use crate::domain::time::{DAY, Millis, millis, secs};
use crate::state::AppState;
use crate::store::{RecordReconciliation, StoreError};

/// Merchants read per page while walking them all.
const PAGE: u32 = 100;

/// What reconciling one day found, over every file.
#[derive(Debug, Default)]
pub(crate) struct DayReport {
    pub(crate) classes: Vec<LineClass>,
    pub(crate) alerts: u32,
    /// Files that could not be fetched or read: `(connector, merchant, error)`.
    pub(crate) unavailable: Vec<(String, String, String)>,
}

impl DayReport {
    pub(crate) fn counts(&self) -> Counts {
        Counts::of(&self.classes)
    }
}

pub(crate) async fn day(
    state: &AppState,
    run_date: &str,
    day_start: Millis,
) -> Result<DayReport, StoreError> {
    let mut report = DayReport::default();
    let mut after = None;
    loop {
        let merchants = state.store.merchants(after.as_ref(), PAGE).await?;
        for merchant in &merchants {
            merchant_day(state, &merchant.id, run_date, day_start, &mut report).await?;
        }
        match merchants.last() {
            Some(last) if merchants.len() == PAGE as usize => after = Some(last.id.clone()),
            _ => break,
        }
    }
    Ok(report)
}

/// Reconciles one merchant's day: each connector's file for it, checked against the
/// merchant's records; what was found is added to `report`.
pub(crate) async fn merchant_day(
    state: &AppState,
    merchant: &MerchantId,
    run_date: &str,
    day_start: Millis,
    report: &mut DayReport,
) -> Result<(), StoreError> {
    let now = state.clock.now_ms();
    let in_flight_after = now.saturating_sub(millis(state.books.config.reconcile_grace));
    // A line may name a record decided just outside its day (a payment at the bank
    // before midnight, applied after).
    let known: HashMap<String, BookedItem> = state
        .store
        .booked_items(merchant, day_start - DAY, day_start + 2 * DAY)
        .await?
        .into_iter()
        .map(|i| (i.key.clone(), i))
        .collect();
    let today: Vec<BookedItem> = known
        .values()
        .filter(|i| (day_start..day_start + DAY).contains(&i.decided_at))
        .cloned()
        .collect();
    for connector in state.connectors.all() {
        // Only the records of banks this connector serves belong on its file.
        let mine: Vec<BookedItem> = today
            .iter()
            .filter(|i| {
                state
                    .connectors
                    .for_bank(&i.bank_code)
                    .is_some_and(|c| c.name() == connector.name())
            })
            .cloned()
            .collect();
        let lines = match connector
            .settlement_file(merchant.as_str(), run_date, secs(now))
            .await
        {
            Ok(lines) => lines,
            Err(e) => {
                tracing::error!(connector = connector.name(), merchant = %merchant, date = run_date, error = %e, "settlement file unavailable");
                report.unavailable.push((
                    connector.name().to_owned(),
                    merchant.to_string(),
                    e.to_string(),
                ));
                continue;
            }
        };
        let lines = reconciliation::classify(&lines, &known, &mine, in_flight_after..=now);
        let postings = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.settlement_posting(now).map(|p| (i, p)))
            .collect();
        let alerts = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.alert(now).map(|a| (i, a)))
            .collect();
        report.classes.extend(lines.iter().map(|l| l.class));
        let command = RecordReconciliation {
            run_date: run_date.to_owned(),
            connector: connector.name().to_owned(),
            merchant_id: merchant.clone(),
            lines,
            postings,
            alerts,
            at: now,
        };
        let raised = state.store.record_reconciliation(&command).await?;
        if raised > 0 {
            tracing::warn!(connector = connector.name(), merchant = %merchant, date = run_date, alerts = raised, "reconciliation breaks");
        }
        report.alerts += raised;
    }
    Ok(())
}
