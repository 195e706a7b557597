//! The sandbox bank's rule for merchant accounts that refuse payouts, shared so the
//! gateway's test helpers can name such an account without asking the bank.

/// The tail of an account number the sandbox bank treats as closed: credits to it are
/// refused (`account_closed`).
pub const CLOSED_SUFFIX: &str = "0000";

/// Whether the sandbox bank refuses credits to `account_number`.
pub fn is_closed(account_number: &str) -> bool {
    account_number.ends_with(CLOSED_SUFFIX)
}

/// `account_number` with its last digits replaced so the sandbox bank treats it as
/// closed: the same length, so it stays a well-formed account number.
pub fn closed_twin(account_number: &str) -> String {
    let keep = account_number.len().saturating_sub(CLOSED_SUFFIX.len());
    format!("{}{CLOSED_SUFFIX}", &account_number[..keep])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_twin_keeps_the_length_and_is_closed() {
        let twin = closed_twin("6228481234567890");
        assert_eq!(twin, "6228481234560000");
        assert!(is_closed(&twin));
        assert!(!is_closed("6228481234567890"));
    }
}
