//! The fault settings: parsed strictly from JSON, every value range-checked.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::settlement_file::{self, SettlementFaults};
use crate::directory::Directory;

const MAX_DELAY_MS: u64 = 600_000;
const MAX_COPIES: u32 = 10;
const MAX_REORDER_WINDOW: u32 = 100;
const MAX_PROCESSING_QUERIES: u32 = 1000;
const MAX_LOST_TRANSFER_ANSWERS: u32 = 10;

/// Which faults the bank plays. The default plays none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Faults {
    pub(crate) seed: u64,
    pub(crate) drop_percent: u8,
    pub(crate) delay_ms: u64,
    pub(crate) duplicate: u32,
    pub(crate) reorder: bool,
    pub(crate) reorder_window: u32,
    pub(crate) processing_queries: u32,
    pub(crate) lose_transfer_answers: u32,
    pub(crate) maintenance: Vec<String>,
    pub(crate) settlement_file: SettlementFaults,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            seed: 0,
            drop_percent: 0,
            delay_ms: 0,
            duplicate: 1,
            reorder: false,
            reorder_window: 2,
            processing_queries: 0,
            lose_transfer_answers: 0,
            maintenance: Vec::new(),
            settlement_file: SettlementFaults::default(),
        }
    }
}

/// The JSON as sent: every field optional, nothing else allowed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    seed: Option<u64>,
    drop_percent: Option<u64>,
    delay_ms: Option<u64>,
    duplicate: Option<u64>,
    reorder: Option<bool>,
    reorder_window: Option<u64>,
    processing_queries: Option<u64>,
    lose_transfer_answers: Option<u64>,
    maintenance: Option<Vec<String>>,
    settlement_file: Option<settlement_file::Input>,
}

/// Why fault JSON was refused; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FaultError(String);

impl FaultError {
    pub(super) fn new(message: String) -> Self {
        FaultError(message)
    }
}

impl Faults {
    /// Parses fault JSON (as taken by `PUT /sandbox/faults` and
    /// `PAYDESK_BANK_FAULTS`); fields left out keep their default.
    pub fn from_json(json: &[u8]) -> Result<Faults, FaultError> {
        let input: Input =
            serde_json::from_slice(json).map_err(|e| FaultError(format!("not fault JSON: {e}")))?;
        Faults::validate(input, &Directory::load())
    }

    fn validate(input: Input, directory: &Directory) -> Result<Faults, FaultError> {
        let default = Faults::default();
        let maintenance = match input.maintenance {
            None => Vec::new(),
            Some(codes) => {
                let unique: BTreeSet<String> = codes.into_iter().collect();
                if let Some(unknown) = unique.iter().find(|code| directory.get(code).is_none()) {
                    let shown: String = unknown.chars().take(16).collect();
                    return Err(FaultError(format!(
                        "`maintenance` names `{shown}`, which is not a bank of this sandbox"
                    )));
                }
                unique.into_iter().collect()
            }
        };
        Ok(Faults {
            seed: input.seed.unwrap_or(default.seed),
            drop_percent: ranged("drop_percent", input.drop_percent, 0, 100)?
                .map_or(Ok(default.drop_percent), u8::try_from)
                .map_err(|_| FaultError("`drop_percent` must be 0 to 100".into()))?,
            delay_ms: ranged("delay_ms", input.delay_ms, 0, MAX_DELAY_MS)?
                .unwrap_or(default.delay_ms),
            duplicate: small("duplicate", input.duplicate, 1, MAX_COPIES)?
                .unwrap_or(default.duplicate),
            reorder: input.reorder.unwrap_or(default.reorder),
            reorder_window: small(
                "reorder_window",
                input.reorder_window,
                2,
                MAX_REORDER_WINDOW,
            )?
            .unwrap_or(default.reorder_window),
            processing_queries: small(
                "processing_queries",
                input.processing_queries,
                0,
                MAX_PROCESSING_QUERIES,
            )?
            .unwrap_or(default.processing_queries),
            lose_transfer_answers: small(
                "lose_transfer_answers",
                input.lose_transfer_answers,
                0,
                MAX_LOST_TRANSFER_ANSWERS,
            )?
            .unwrap_or(default.lose_transfer_answers),
            maintenance,
            settlement_file: input
                .settlement_file
                .map_or(Ok(SettlementFaults::default()), SettlementFaults::validate)?,
        })
    }

    /// The same attempt is dropped on every run with the same seed and percentage:
    /// a hash of (seed, attempt id) in 0..100 falls under `drop_percent`.
    pub(crate) fn drops(&self, attempt_id: &str) -> bool {
        bucket(self.seed, attempt_id) < u64::from(self.drop_percent)
    }

    pub(crate) fn in_maintenance(&self, bank_code: &str) -> bool {
        self.maintenance.iter().any(|code| code == bank_code)
    }
}

fn ranged(field: &str, value: Option<u64>, min: u64, max: u64) -> Result<Option<u64>, FaultError> {
    match value {
        Some(v) if !(min..=max).contains(&v) => Err(FaultError(format!(
            "`{field}` must be {min} to {max}, not {v}"
        ))),
        other => Ok(other),
    }
}

fn small(field: &str, value: Option<u64>, min: u32, max: u32) -> Result<Option<u32>, FaultError> {
    Ok(ranged(field, value, u64::from(min), u64::from(max))?
        .map(|v| u32::try_from(v).unwrap_or(max)))
}

/// FNV-1a over the seed's bytes and the attempt id, then the SplitMix64 finaliser
/// to spread FNV's low bits; stable across runs, platforms and Rust versions
/// (unlike `std`'s hasher).
fn bucket(seed: u64, attempt_id: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.to_le_bytes().iter().chain(attempt_id.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^= hash >> 30;
    hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash ^= hash >> 27;
    hash = hash.wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^= hash >> 31;
    hash % 100
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Faults, FaultError> {
        Faults::from_json(json.as_bytes())
    }

    #[test]
    fn empty_json_plays_no_fault() {
        assert_eq!(parse("{}").unwrap(), Faults::default());
        assert!(!Faults::default().drops("att_1"));
    }

    #[test]
    fn every_field_parses() {
        let faults = parse(
            r#"{"seed": 7, "drop_percent": 30, "delay_ms": 1500, "duplicate": 3,
                "reorder": true, "reorder_window": 4, "processing_queries": 2,
                "lose_transfer_answers": 10, "maintenance": ["ICBC", "CMB", "ICBC"]}"#,
        )
        .unwrap();
        assert_eq!(faults.seed, 7);
        assert_eq!(faults.drop_percent, 30);
        assert_eq!(faults.delay_ms, 1500);
        assert_eq!(faults.duplicate, 3);
        assert!(faults.reorder);
        assert_eq!(faults.reorder_window, 4);
        assert_eq!(faults.processing_queries, 2);
        assert_eq!(faults.lose_transfer_answers, 10);
        assert_eq!(faults.maintenance, ["CMB", "ICBC"]);
        assert!(faults.in_maintenance("ICBC") && !faults.in_maintenance("BOC"));
    }

    #[test]
    fn out_of_range_and_unknown_values_are_refused() {
        for (json, says) in [
            (r#"{"drop_percent": 101}"#, "drop_percent"),
            (r#"{"duplicate": 0}"#, "duplicate"),
            (r#"{"duplicate": 11}"#, "duplicate"),
            (r#"{"reorder_window": 1}"#, "reorder_window"),
            (r#"{"delay_ms": 600001}"#, "delay_ms"),
            (r#"{"processing_queries": 1001}"#, "processing_queries"),
            (r#"{"lose_transfer_answers": 11}"#, "lose_transfer_answers"),
            (r#"{"lose_transfer_answers": -1}"#, "expected u64"),
            (r#"{"maintenance": ["NOPE"]}"#, "NOPE"),
            (r#"{"drop": 5}"#, "unknown field"),
            (r#"{"seed": -1}"#, "expected u64"),
            (r#"{"reorder": "yes"}"#, "expected a boolean"),
            ("[]", "not fault JSON"),
            ("", "not fault JSON"),
        ] {
            let error = parse(json).unwrap_err();
            assert!(error.to_string().contains(says), "{json}: {error}");
        }
    }

    #[test]
    fn drops_are_deterministic_and_follow_the_percentage() {
        let at = |percent: u8, seed: u64| Faults {
            drop_percent: percent,
            seed,
            ..Faults::default()
        };
        let attempts: Vec<String> = (0..2000).map(|i| format!("att_{i}")).collect();
        let dropped = |f: &Faults| attempts.iter().filter(|a| f.drops(a)).count();
        assert_eq!(dropped(&at(0, 1)), 0);
        assert_eq!(dropped(&at(100, 1)), 2000);
        let thirty = dropped(&at(30, 1));
        assert!((500..700).contains(&thirty), "{thirty} of 2000 at 30 %");
        // The same seed drops the same attempts; another seed others.
        let same: Vec<bool> = attempts.iter().map(|a| at(30, 1).drops(a)).collect();
        let again: Vec<bool> = attempts.iter().map(|a| at(30, 1).drops(a)).collect();
        let other: Vec<bool> = attempts.iter().map(|a| at(30, 2).drops(a)).collect();
        assert_eq!(same, again);
        assert_ne!(same, other);
        // Pinned, so a change to the hash shows up here rather than in flaky tests.
        assert_eq!(bucket(0, "att_1"), bucket(0, "att_1"));
        assert_eq!(
            (0..10)
                .map(|i| bucket(42, &format!("att_{i}")))
                .collect::<Vec<_>>(),
            PINNED_BUCKETS
        );
    }

    #[test]
    fn settlement_file_faults_parse_sorted_and_unique() {
        let faults = parse(
            r#"{"settlement_file": {"omit": ["att_2", "att_1", "att_2"], "amount_off": ["att_3"],
                "currency_off": ["att_4"], "duplicate": ["att_5", "att_1"], "unknown_lines": 100}}"#,
        )
        .unwrap();
        let file = &faults.settlement_file;
        assert_eq!(file.omit, ["att_1", "att_2"]);
        assert_eq!(file.amount_off, ["att_3"]);
        assert_eq!(file.currency_off, ["att_4"]);
        assert_eq!(file.duplicate, ["att_1", "att_5"]);
        assert_eq!(file.unknown_lines, 100);
        assert!(file.omits("att_2") && !file.omits("att_3"));
        assert!(file.amount_off("att_3") && file.currency_off("att_4"));
        assert!(file.duplicates("att_5") && !file.duplicates("att_4"));
        // Every field optional; an empty object misstates nothing.
        assert_eq!(
            parse(r#"{"settlement_file": {}}"#).unwrap(),
            Faults::default()
        );
    }

    #[test]
    fn bad_settlement_file_faults_are_refused() {
        let too_many: Vec<String> = (0..1001).map(|i| format!("att_{i}")).collect();
        let too_many = serde_json::json!({"settlement_file": {"omit": too_many}}).to_string();
        let long = format!(
            r#"{{"settlement_file": {{"duplicate": ["{}"]}}}}"#,
            "a".repeat(201)
        );
        for (json, says) in [
            (
                r#"{"settlement_file": {"unknown_lines": 101}}"#,
                "unknown_lines",
            ),
            (
                r#"{"settlement_file": {"unknown_lines": -1}}"#,
                "expected u64",
            ),
            (r#"{"settlement_file": {"omit": [""]}}"#, "omit"),
            (
                r#"{"settlement_file": {"amount_off": ["a\nb"]}}"#,
                "amount_off",
            ),
            (
                r#"{"settlement_file": {"currency_off": "att_1"}}"#,
                "expected a sequence",
            ),
            (
                r#"{"settlement_file": {"duplicate": [7]}}"#,
                "expected a string",
            ),
            (
                r#"{"settlement_file": {"drop": ["att_1"]}}"#,
                "unknown field",
            ),
            (r#"{"settlement_file": []}"#, "expected struct"),
            (too_many.as_str(), "at most 1000"),
            (long.as_str(), "duplicate"),
        ] {
            let error = parse(json).unwrap_err();
            assert!(error.to_string().contains(says), "{json}: {error}");
        }
    }

    const PINNED_BUCKETS: [u64; 10] = [16, 16, 97, 57, 52, 52, 66, 38, 16, 45];
}
