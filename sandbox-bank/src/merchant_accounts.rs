//! Merchant accounts: where the gateway's payouts land. An account is kept per bank
//! code and account number and opened by the first transfer into it.
//!
//! Sandbox rules: an account number is 6 to 19 ASCII digits (`invalid_account`
//! otherwise); one ending in `0000` is closed and refuses credits
//! (`account_closed`). A transfer to a bank this service does not play is refused
//! `unknown_bank`; the three are checked in that order.

use paydesk_shared::bank_protocol::TransferFailure;

use crate::directory::Directory;

/// Account numbers are 6 to 19 digits.
const ACCOUNT_DIGITS: std::ops::RangeInclusive<usize> = 6..=19;

/// A well-formed account number. Constructing one does not mean the account exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountNumber(String);

impl AccountNumber {
    /// Exactly 6 to 19 ASCII digits; no spaces, signs or separators.
    pub(crate) fn parse(input: &str) -> Option<Self> {
        (ACCOUNT_DIGITS.contains(&input.len()) && input.bytes().all(|b| b.is_ascii_digit()))
            .then(|| AccountNumber(input.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Closed accounts refuse credits.
    pub(crate) fn is_closed(&self) -> bool {
        paydesk_shared::sandbox_accounts::is_closed(&self.0)
    }
}

/// The account a transfer credits, or why the bank refuses it.
pub(crate) fn destination(
    directory: &Directory,
    bank_code: &str,
    account_number: &str,
) -> Result<AccountNumber, TransferFailure> {
    if directory.get(bank_code).is_none() {
        return Err(TransferFailure::UnknownBank);
    }
    let account = AccountNumber::parse(account_number).ok_or(TransferFailure::InvalidAccount)?;
    if account.is_closed() {
        return Err(TransferFailure::AccountClosed);
    }
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_numbers_are_six_to_nineteen_digits() {
        for good in ["123456", "6228480012345678", "1234567890123456789"] {
            assert_eq!(AccountNumber::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "12345",
            "12345678901234567890",
            "1234 5678",
            "+123456",
            "12345a",
            "１２３４５６",
        ] {
            assert!(AccountNumber::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn refusals_come_in_order_bank_then_number_then_closed() {
        let directory = Directory::load();
        assert_eq!(
            destination(&directory, "ICBC", "6228480012345678").map(|a| a.0),
            Ok("6228480012345678".to_owned())
        );
        assert_eq!(
            destination(&directory, "NOPE", "x"),
            Err(TransferFailure::UnknownBank)
        );
        assert_eq!(
            destination(&directory, "ICBC", "12-34-56"),
            Err(TransferFailure::InvalidAccount)
        );
        assert_eq!(
            destination(&directory, "ICBC", "6228480000000000"),
            Err(TransferFailure::AccountClosed)
        );
        // Zeros elsewhere do not close an account.
        assert!(destination(&directory, "ICBC", "000012345").is_ok());
    }
}
