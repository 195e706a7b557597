//! The settlement-file faults: which lines `GET /api/v1/settlements/…` misstates.
//! Parsed strictly like the other settings; applied by `crate::settlement`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::settings::FaultError;
use crate::payment_request::text_ok;

/// Attempt ids one list may name.
const MAX_LISTED: usize = 1000;
const MAX_UNKNOWN_LINES: u64 = 100;

/// Attempt ids, each list sorted and without repeats. The default misstates nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct SettlementFaults {
    /// Their lines are left out.
    pub(crate) omit: Vec<String>,
    /// Their lines' amounts are one major unit too high.
    pub(crate) amount_off: Vec<String>,
    /// Their lines name another currency.
    pub(crate) currency_off: Vec<String>,
    /// Their lines appear twice.
    pub(crate) duplicate: Vec<String>,
    /// Payment lines the gateway never saw, added after the real ones.
    pub(crate) unknown_lines: u32,
}

/// The JSON as sent: every field optional, nothing else allowed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Input {
    omit: Option<Vec<String>>,
    amount_off: Option<Vec<String>>,
    currency_off: Option<Vec<String>>,
    duplicate: Option<Vec<String>>,
    unknown_lines: Option<u64>,
}

impl SettlementFaults {
    pub(super) fn validate(input: Input) -> Result<Self, FaultError> {
        let unknown_lines = match input.unknown_lines {
            None => 0,
            Some(n) if n <= MAX_UNKNOWN_LINES => u32::try_from(n).unwrap_or(0),
            Some(n) => {
                return Err(FaultError::new(format!(
                    "`settlement_file.unknown_lines` must be 0 to {MAX_UNKNOWN_LINES}, not {n}"
                )));
            }
        };
        Ok(SettlementFaults {
            omit: attempts("omit", input.omit)?,
            amount_off: attempts("amount_off", input.amount_off)?,
            currency_off: attempts("currency_off", input.currency_off)?,
            duplicate: attempts("duplicate", input.duplicate)?,
            unknown_lines,
        })
    }

    pub(crate) fn omits(&self, attempt_id: &str) -> bool {
        listed(&self.omit, attempt_id)
    }

    pub(crate) fn amount_off(&self, attempt_id: &str) -> bool {
        listed(&self.amount_off, attempt_id)
    }

    pub(crate) fn currency_off(&self, attempt_id: &str) -> bool {
        listed(&self.currency_off, attempt_id)
    }

    pub(crate) fn duplicates(&self, attempt_id: &str) -> bool {
        listed(&self.duplicate, attempt_id)
    }
}

fn listed(sorted: &[String], attempt_id: &str) -> bool {
    sorted
        .binary_search_by(|id| id.as_str().cmp(attempt_id))
        .is_ok()
}

/// Sorted and unique; every id shaped like one the bank accepts.
fn attempts(field: &str, ids: Option<Vec<String>>) -> Result<Vec<String>, FaultError> {
    let ids = ids.unwrap_or_default();
    if ids.len() > MAX_LISTED {
        return Err(FaultError::new(format!(
            "`settlement_file.{field}` lists at most {MAX_LISTED} attempt ids"
        )));
    }
    if ids.iter().any(|id| !text_ok(id)) {
        return Err(FaultError::new(format!(
            "`settlement_file.{field}` holds an attempt id that is blank, longer than 200 \
             characters or has control characters"
        )));
    }
    Ok(ids
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect())
}
