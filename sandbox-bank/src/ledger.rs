//! The bank's books: card balances, open payment sessions, decided attempts and the
//! transaction log.
//!
//! Everything lives in memory behind one mutex for now. The methods are `async` and
//! each one is a single atomic step (what would be one database transaction), so a
//! SQLite-backed ledger can replace this one without touching its callers.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paydesk_shared::bank_protocol::{
    DeclineReason, PaymentNotification, PaymentOutcome, PaymentRequest,
};
use paydesk_shared::{Currency, Money};
use rand::rngs::OsRng;
use rand::{Rng, RngCore};

use crate::cards::CardNumber;
use crate::payment_request::VerifiedRequest;

/// How long a session outlives its request's expiry, so a shopper who submits a
/// moment too late still gets a clear "expired" decision instead of "not found".
const SESSION_GRACE_SECS: i64 = 3600;

/// The opaque id of one visit to the online-banking page. Random and unguessable: it
/// is the only thing that ties a form post to a verified payment request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SessionId(String);

const SESSION_ID_BYTES: usize = 24;

impl SessionId {
    fn generate() -> Self {
        let mut bytes = [0u8; SESSION_ID_BYTES];
        OsRng.fill_bytes(&mut bytes);
        SessionId(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only strings shaped like a generated id.
    pub(crate) fn parse(input: &str) -> Option<Self> {
        let expected_len = SESSION_ID_BYTES.div_ceil(3) * 4;
        (input.len() == expected_len
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| SessionId(input.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A verified payment request waiting for the shopper.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) id: SessionId,
    pub(crate) request: PaymentRequest,
    pub(crate) amount: Money,
    pub(crate) limit: Money,
    /// Wrong payment passwords entered in a row during this session.
    pub(crate) wrong_passwords: u32,
}

/// What the bank is asked to do with a session's payment.
#[derive(Debug, Clone)]
pub(crate) enum Verdict {
    /// Take the money from this card, or decline for insufficient funds.
    Debit(CardNumber),
    Decline {
        card: Option<CardNumber>,
        reason: DeclineReason,
    },
}

/// The bank's final word on one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) bank_transaction_id: String,
    pub(crate) outcome: PaymentOutcome,
    pub(crate) decided_at: i64,
}

impl Decision {
    pub(crate) fn notification(&self, request: &PaymentRequest) -> PaymentNotification {
        PaymentNotification {
            attempt_id: request.attempt_id.clone(),
            order_id: request.order_id.clone(),
            bank_code: request.bank_code.clone(),
            bank_transaction_id: self.bank_transaction_id.clone(),
            amount: request.amount.clone(),
            currency: request.currency,
            outcome: self.outcome.clone(),
            decided_at: self.decided_at,
        }
    }
}

/// The result of [`Ledger::decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decided {
    /// This call decided the attempt: the gateway must be told.
    New(Decision),
    /// The attempt was decided before (a resubmitted form, a second tab): nothing
    /// changed and nothing must be sent again.
    Already(Decision),
}

/// One line of the bank's transaction log; declines are logged too.
#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub(crate) id: String,
    pub(crate) attempt_id: String,
    pub(crate) order_id: String,
    pub(crate) bank_code: String,
    pub(crate) merchant_name: String,
    pub(crate) card: Option<CardNumber>,
    pub(crate) amount: Money,
    pub(crate) outcome: PaymentOutcome,
    pub(crate) decided_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LedgerError {
    #[error("no such payment session")]
    SessionNotFound,
    #[error("card {0} has no account at this bank")]
    UnknownCard(String),
}

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    books: Mutex<Books>,
}

#[derive(Debug, Default)]
struct Books {
    sessions: HashMap<SessionId, Session>,
    /// Decisions by the gateway's attempt id: an attempt is paid at most once however
    /// many sessions were opened for it.
    decisions: HashMap<String, Decision>,
    /// Balances that moved; untouched ones are the card's opening balance.
    balances: HashMap<(CardNumber, Currency), Money>,
    transactions: Vec<Transaction>,
    transaction_ids: HashSet<String>,
}

impl Ledger {
    pub(crate) fn new() -> Self {
        Ledger::default()
    }

    fn books(&self) -> MutexGuard<'_, Books> {
        // Every mutation below completes before it can panic, so a poisoned lock still
        // guards consistent books.
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens a session for a verified request, unless its attempt is already decided;
    /// then the error is that decision.
    pub(crate) async fn open_session(
        &self,
        verified: VerifiedRequest,
        now: i64,
    ) -> Result<Session, Decision> {
        let mut books = self.books();
        if let Some(decision) = books.decisions.get(&verified.request.attempt_id) {
            return Err(decision.clone());
        }
        books
            .sessions
            .retain(|_, s| s.request.expires_at.saturating_add(SESSION_GRACE_SECS) > now);
        let session = Session {
            id: SessionId::generate(),
            request: verified.request,
            amount: verified.amount,
            limit: verified.limit,
            wrong_passwords: 0,
        };
        books.sessions.insert(session.id.clone(), session.clone());
        Ok(session)
    }

    pub(crate) async fn session(&self, id: &SessionId) -> Option<Session> {
        self.books().sessions.get(id).cloned()
    }

    /// The decision on the session's attempt, if there is one yet.
    pub(crate) async fn decision(&self, id: &SessionId) -> Option<Decision> {
        let books = self.books();
        let session = books.sessions.get(id)?;
        books.decisions.get(&session.request.attempt_id).cloned()
    }

    /// Counts a wrong payment password and returns how many came in a row.
    pub(crate) async fn record_wrong_password(&self, id: &SessionId) -> Result<u32, LedgerError> {
        let mut books = self.books();
        let session = books
            .sessions
            .get_mut(id)
            .ok_or(LedgerError::SessionNotFound)?;
        session.wrong_passwords = session.wrong_passwords.saturating_add(1);
        Ok(session.wrong_passwords)
    }

    /// Decides the session's attempt once: debits the card (or declines), logs the
    /// transaction and marks the attempt decided, all in one step.
    pub(crate) async fn decide(
        &self,
        id: &SessionId,
        verdict: Verdict,
        now: i64,
    ) -> Result<Decided, LedgerError> {
        let mut guard = self.books();
        let books = &mut *guard;
        let session = books.sessions.get(id).ok_or(LedgerError::SessionNotFound)?;
        let request = &session.request;
        if let Some(decision) = books.decisions.get(&request.attempt_id) {
            return Ok(Decided::Already(decision.clone()));
        }
        let (card, outcome) = match verdict {
            Verdict::Debit(card) => {
                let outcome = debit(&mut books.balances, &card, session.amount)?;
                (Some(card), outcome)
            }
            Verdict::Decline { card, reason } => (card, PaymentOutcome::Failed { reason }),
        };
        let bank_transaction_id = fresh_transaction_id(&books.transaction_ids);
        let decision = Decision {
            bank_transaction_id: bank_transaction_id.clone(),
            outcome: outcome.clone(),
            decided_at: now,
        };
        books.transactions.push(Transaction {
            id: bank_transaction_id.clone(),
            attempt_id: request.attempt_id.clone(),
            order_id: request.order_id.clone(),
            bank_code: request.bank_code.clone(),
            merchant_name: request.merchant_name.clone(),
            card,
            amount: session.amount,
            outcome,
            decided_at: now,
        });
        books.transaction_ids.insert(bank_transaction_id);
        books
            .decisions
            .insert(request.attempt_id.clone(), decision.clone());
        Ok(Decided::New(decision))
    }

    /// What the card holds in `currency` now.
    pub(crate) async fn balance(
        &self,
        card: &CardNumber,
        currency: Currency,
    ) -> Result<Money, LedgerError> {
        current_balance(&self.books().balances, card, currency)
    }

    /// The transaction log, oldest first.
    pub(crate) async fn transactions(&self) -> Vec<Transaction> {
        self.books().transactions.clone()
    }
}

fn current_balance(
    balances: &HashMap<(CardNumber, Currency), Money>,
    card: &CardNumber,
    currency: Currency,
) -> Result<Money, LedgerError> {
    let test_card = card
        .test_card()
        .ok_or_else(|| LedgerError::UnknownCard(card.masked()))?;
    Ok(balances
        .get(&(card.clone(), currency))
        .copied()
        .unwrap_or_else(|| test_card.opening_balance(currency)))
}

/// Takes `amount` from the card if it holds enough; works in integer minor units
/// because `Money` has no subtraction.
fn debit(
    balances: &mut HashMap<(CardNumber, Currency), Money>,
    card: &CardNumber,
    amount: Money,
) -> Result<PaymentOutcome, LedgerError> {
    let currency = amount.currency();
    let balance = current_balance(balances, card, currency)?;
    let remaining = balance
        .minor()
        .checked_sub(amount.minor())
        .filter(|m| *m >= 0)
        .and_then(|m| Money::from_minor(m, currency).ok());
    Ok(match remaining {
        Some(remaining) => {
            balances.insert((card.clone(), currency), remaining);
            PaymentOutcome::Succeeded
        }
        None => PaymentOutcome::Failed {
            reason: DeclineReason::InsufficientFunds,
        },
    })
}

/// `SBX` and 20 random digits, unique within this bank.
fn fresh_transaction_id(taken: &HashSet<String>) -> String {
    loop {
        let digits: String = (0..20)
            .map(|_| char::from(b'0' + OsRng.gen_range(0..10u8)))
            .collect();
        let id = format!("SBX{digits}");
        if !taken.contains(&id) {
            return id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::{POOR_DEBIT, RICH_DEBIT};
    use paydesk_shared::bank::CardKind;

    const NOW: i64 = 1_800_000_000;

    fn verified(attempt: &str, amount: &str) -> VerifiedRequest {
        VerifiedRequest {
            request: PaymentRequest {
                merchant_id: "mer_test".into(),
                attempt_id: attempt.into(),
                order_id: "ord_1".into(),
                merchant_name: "Demo Shop".into(),
                bank_code: "ICBC".into(),
                card_kind: CardKind::Debit,
                amount: amount.into(),
                currency: Currency::Cny,
                notify_url: "http://127.0.0.1:1/notify".into(),
                return_url: "http://127.0.0.1:1/return".into(),
                expires_at: NOW + 900,
            },
            amount: Money::parse(amount, Currency::Cny).unwrap(),
            limit: Money::parse("50000.00", Currency::Cny).unwrap(),
        }
    }

    fn card(c: crate::cards::TestCard) -> CardNumber {
        CardNumber::parse(c.number).unwrap()
    }

    #[tokio::test]
    async fn debits_once_per_attempt_across_sessions() {
        let ledger = Ledger::new();
        let first = ledger
            .open_session(verified("att_1", "25.00"), NOW)
            .await
            .unwrap();
        let second = ledger
            .open_session(verified("att_1", "25.00"), NOW)
            .await
            .unwrap();
        let rich = card(RICH_DEBIT);

        let Decided::New(decision) = ledger
            .decide(&first.id, Verdict::Debit(rich.clone()), NOW)
            .await
            .unwrap()
        else {
            panic!("first decision must be new");
        };
        assert_eq!(decision.outcome, PaymentOutcome::Succeeded);
        assert!(decision.bank_transaction_id.starts_with("SBX"));
        assert_eq!(decision.bank_transaction_id.len(), 23);

        let again = ledger
            .decide(&second.id, Verdict::Debit(rich.clone()), NOW)
            .await
            .unwrap();
        assert_eq!(again, Decided::Already(decision.clone()));
        assert_eq!(
            ledger
                .balance(&rich, Currency::Cny)
                .await
                .unwrap()
                .to_string(),
            "99975.00"
        );
        assert_eq!(ledger.transactions().await.len(), 1);
        assert_eq!(ledger.decision(&first.id).await, Some(decision.clone()));
        assert_eq!(
            ledger
                .open_session(verified("att_1", "25.00"), NOW)
                .await
                .unwrap_err(),
            decision
        );
    }

    #[tokio::test]
    async fn declines_insufficient_funds_without_moving_money() {
        let ledger = Ledger::new();
        let session = ledger
            .open_session(verified("att_2", "10.01"), NOW)
            .await
            .unwrap();
        let poor = card(POOR_DEBIT);
        let Decided::New(decision) = ledger
            .decide(&session.id, Verdict::Debit(poor.clone()), NOW)
            .await
            .unwrap()
        else {
            panic!("expected a new decision");
        };
        assert_eq!(
            decision.outcome,
            PaymentOutcome::Failed {
                reason: DeclineReason::InsufficientFunds
            }
        );
        assert_eq!(
            ledger
                .balance(&poor, Currency::Cny)
                .await
                .unwrap()
                .to_string(),
            "10.00"
        );
    }

    #[tokio::test]
    async fn exact_balance_can_be_spent() {
        let ledger = Ledger::new();
        let session = ledger
            .open_session(verified("att_3", "10.00"), NOW)
            .await
            .unwrap();
        let poor = card(POOR_DEBIT);
        ledger
            .decide(&session.id, Verdict::Debit(poor.clone()), NOW)
            .await
            .unwrap();
        assert!(
            ledger
                .balance(&poor, Currency::Cny)
                .await
                .unwrap()
                .is_zero()
        );
    }

    #[tokio::test]
    async fn counts_wrong_passwords_and_prunes_old_sessions() {
        let ledger = Ledger::new();
        let session = ledger
            .open_session(verified("att_4", "1.00"), NOW)
            .await
            .unwrap();
        assert_eq!(ledger.record_wrong_password(&session.id).await, Ok(1));
        assert_eq!(ledger.record_wrong_password(&session.id).await, Ok(2));
        let later = NOW + 900 + SESSION_GRACE_SECS;
        ledger
            .open_session(verified("att_5", "1.00"), later)
            .await
            .unwrap();
        assert!(ledger.session(&session.id).await.is_none());
    }

    #[test]
    fn session_ids_round_trip_and_reject_junk() {
        let id = SessionId::generate();
        assert_eq!(SessionId::parse(id.as_str()), Some(id.clone()));
        assert!(SessionId::parse("short").is_none());
        assert!(SessionId::parse(&"<".repeat(32)).is_none());
    }
}
