//! The online-banking rules: what happens when the shopper submits card number and
//! payment password, or cancels. No HTTP here; the routes render what this decides.

use paydesk_shared::bank::CardKind;
use paydesk_shared::bank_protocol::{DeclineReason, PaymentNotification};

use crate::cards::CardNumber;
use crate::clock::now_ms;
use crate::faults::FaultState;
use crate::ledger::{Decided, Ledger, LedgerError, PendingDelivery, Session, SessionId, Verdict};
use crate::notifier::Notifier;

/// Wrong passwords in a row that lock the card.
pub(crate) const MAX_WRONG_PASSWORDS: u32 = 3;

/// The payment is settled one way or the other; the shopper goes back to the merchant.
#[derive(Debug)]
pub(crate) enum Finished {
    /// Decided by this request: the gateway must be notified by these deliveries.
    Now {
        session: Session,
        notification: PaymentNotification,
        deliveries: Vec<PendingDelivery>,
    },
    /// Decided before (a resubmitted form, a second tab): nothing changes, nothing is
    /// sent again.
    Earlier { session: Session },
}

impl Finished {
    pub(crate) fn session(&self) -> &Session {
        match self {
            Finished::Now { session, .. } | Finished::Earlier { session } => session,
        }
    }
}

/// Why the payment did not finish.
#[derive(Debug)]
pub(crate) enum NotFinished {
    /// The session is unknown or long gone.
    SessionNotFound,
    /// Something the shopper can correct on the same page.
    Retry {
        session: Box<Session>,
        problem: Problem,
    },
    /// The bank is in maintenance (a sandbox fault): nothing is decided.
    Maintenance { session: Box<Session> },
    /// The books cannot be read or written; the cause is logged.
    Unavailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    CardNotRecognised,
    WrongCardKind { wanted: CardKind, given: CardKind },
    WrongPassword { attempts_left: u32 },
}

impl From<LedgerError> for NotFinished {
    fn from(error: LedgerError) -> Self {
        match error {
            // Sessions, attempts or cards that vanished between the checks here and
            // the decision: to the shopper they all look like a lost session.
            LedgerError::AttemptNotFound | LedgerError::UnknownCard(_) => {
                NotFinished::SessionNotFound
            }
            LedgerError::Database(_) | LedgerError::Migrate(_) | LedgerError::Corrupt(_) => {
                tracing::error!(%error, "the books failed during a payment");
                NotFinished::Unavailable
            }
        }
    }
}

/// The shopper pressed Pay.
pub(crate) async fn submit(
    ledger: &Ledger,
    notifier: &Notifier,
    faults: &FaultState,
    id: &SessionId,
    card_input: &str,
    password: &str,
    now: i64,
) -> Result<Finished, NotFinished> {
    let session = ledger
        .session(id)
        .await?
        .ok_or(NotFinished::SessionNotFound)?;
    if ledger
        .decision(&session.request.attempt_id)
        .await?
        .is_some()
    {
        return Ok(Finished::Earlier { session });
    }
    if faults.in_maintenance(&session.request.bank_code) {
        return Err(NotFinished::Maintenance {
            session: Box::new(session),
        });
    }
    let card = CardNumber::parse(card_input);
    if now >= session.request.expires_at {
        let verdict = Verdict::Decline {
            card,
            reason: DeclineReason::PaymentExpired,
        };
        return decide(ledger, notifier, session, verdict, now).await;
    }
    let Some((card, test_card)) = card.and_then(|c| c.test_card().map(|t| (c, t))) else {
        return Err(retry(session, Problem::CardNotRecognised));
    };
    if test_card.kind != session.request.card_kind {
        let problem = Problem::WrongCardKind {
            wanted: session.request.card_kind,
            given: test_card.kind,
        };
        return Err(retry(session, problem));
    }
    // A locked card is declined whatever password comes with it, so no more guesses
    // are counted (or learnt from).
    if ledger.card_locked(&card).await? {
        let verdict = Verdict::Decline {
            card: Some(card),
            reason: DeclineReason::CardLocked,
        };
        return decide(ledger, notifier, session, verdict, now).await;
    }
    if !constant_time_eq(password.as_bytes(), test_card.password.as_bytes()) {
        let wrong = ledger
            .record_wrong_password(&card, MAX_WRONG_PASSWORDS, now)
            .await?;
        if wrong.locked {
            let verdict = Verdict::Decline {
                card: Some(card),
                reason: DeclineReason::CardLocked,
            };
            return decide(ledger, notifier, session, verdict, now).await;
        }
        let problem = Problem::WrongPassword {
            attempts_left: MAX_WRONG_PASSWORDS.saturating_sub(wrong.in_a_row),
        };
        return Err(retry(session, problem));
    }
    ledger.reset_wrong_passwords(&card).await?;
    if crate::cards::is_expired(&test_card, now) {
        let verdict = Verdict::Decline {
            card: Some(card),
            reason: DeclineReason::CardExpired,
        };
        return decide(ledger, notifier, session, verdict, now).await;
    }
    // Insufficient funds is the ledger's to find, in the same step as the debit.
    decide(ledger, notifier, session, Verdict::Debit(card), now).await
}

/// The request asks for more than the bank's single-payment limit for its card kind:
/// declined as soon as the bank page opens, before any card is named.
pub(crate) async fn decline_over_limit(
    ledger: &Ledger,
    notifier: &Notifier,
    session: Session,
    now: i64,
) -> Result<Finished, NotFinished> {
    let verdict = Verdict::Decline {
        card: None,
        reason: DeclineReason::OverLimit,
    };
    decide(ledger, notifier, session, verdict, now).await
}

/// The shopper pressed Cancel.
pub(crate) async fn cancel(
    ledger: &Ledger,
    notifier: &Notifier,
    id: &SessionId,
    now: i64,
) -> Result<Finished, NotFinished> {
    let session = ledger
        .session(id)
        .await?
        .ok_or(NotFinished::SessionNotFound)?;
    let verdict = Verdict::Decline {
        card: None,
        reason: DeclineReason::CancelledByShopper,
    };
    decide(ledger, notifier, session, verdict, now).await
}

async fn decide(
    ledger: &Ledger,
    notifier: &Notifier,
    session: Session,
    verdict: Verdict,
    now: i64,
) -> Result<Finished, NotFinished> {
    let attempt_id = session.request.attempt_id.clone();
    let plan = notifier.plan(&attempt_id, now_ms());
    Ok(
        match ledger.decide(&attempt_id, verdict, now, plan).await? {
            Decided::New {
                notification,
                deliveries,
            } => Finished::Now {
                session,
                notification,
                deliveries,
            },
            Decided::Already(_) => Finished::Earlier { session },
        },
    )
}

fn retry(session: Session, problem: Problem) -> NotFinished {
    NotFinished::Retry {
        session: Box::new(session),
        problem,
    }
}

/// Compares without an early exit, so response time does not reveal how much of a
/// password was right.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let len_diff = u8::from(a.len() != b.len());
    let byte_diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    (len_diff | byte_diff) == 0
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::cards::{CREDIT, EXPIRED_DEBIT, RICH_DEBIT};
    use crate::faults::FaultState;
    use crate::ledger::Opened;
    use crate::ledger::testing::{TempLedger, temp_ledger};
    use crate::notifier::RETRY_BACKOFF;
    use crate::payment_request::VerifiedRequest;
    use paydesk_shared::bank_protocol::{PaymentOutcome, PaymentRequest};
    use paydesk_shared::signing::Signer;
    use paydesk_shared::{Currency, Money};

    const NOW: i64 = 1_800_000_000;

    /// A ledger and a notifier whose deliveries are never started.
    struct Bank {
        ledger: TempLedger,
        notifier: Notifier,
        faults: Arc<FaultState>,
    }

    async fn bank() -> Bank {
        let ledger = temp_ledger().await;
        let faults = Arc::new(FaultState::default());
        let notifier = Notifier::new(
            Signer::generate("bank"),
            RETRY_BACKOFF,
            Arc::clone(&ledger.shared),
            Arc::clone(&faults),
        )
        .unwrap();
        Bank {
            ledger,
            notifier,
            faults,
        }
    }

    impl Bank {
        async fn open(&self, attempt: &str) -> SessionId {
            let request = PaymentRequest {
                merchant_id: "mer_test".into(),
                attempt_id: attempt.into(),
                order_id: "ord".into(),
                merchant_name: "Shop".into(),
                bank_code: "CMB".into(),
                card_kind: CardKind::Debit,
                amount: "5.00".into(),
                currency: Currency::Cny,
                notify_url: "http://127.0.0.1:1/n".into(),
                return_url: "http://127.0.0.1:1/r".into(),
                expires_at: NOW + 60,
            };
            let verified = VerifiedRequest {
                request,
                amount: Money::parse("5.00", Currency::Cny).unwrap(),
                limit: Money::parse("50000.00", Currency::Cny).unwrap(),
            };
            match self.ledger.open_session(verified, NOW).await.unwrap() {
                Opened::Session(session) => session.id,
                other => panic!("expected a session, got {other:?}"),
            }
        }

        async fn submit(
            &self,
            id: &SessionId,
            card: &str,
            password: &str,
            now: i64,
        ) -> Result<Finished, NotFinished> {
            submit(
                &self.ledger,
                &self.notifier,
                &self.faults,
                id,
                card,
                password,
                now,
            )
            .await
        }

        async fn cancel(&self, id: &SessionId) -> Result<Finished, NotFinished> {
            cancel(&self.ledger, &self.notifier, id, NOW).await
        }
    }

    fn outcome(finished: &Finished) -> PaymentOutcome {
        match finished {
            Finished::Now {
                notification,
                deliveries,
                ..
            } => {
                assert_eq!(deliveries.len(), 1, "one notification to deliver");
                notification.outcome.clone()
            }
            Finished::Earlier { .. } => panic!("expected a fresh decision"),
        }
    }

    fn problem(result: Result<Finished, NotFinished>) -> Problem {
        match result {
            Err(NotFinished::Retry { problem, .. }) => problem,
            other => panic!("expected a retry, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn pays_with_spaces_in_the_card_number() {
        let bank = bank().await;
        let id = bank.open("a1").await;
        let done = bank
            .submit(&id, "6222 0000 0000 0001", "123456", NOW)
            .await
            .unwrap();
        assert_eq!(outcome(&done), PaymentOutcome::Succeeded);
        let again = bank
            .submit(&id, "6222000000000001", "123456", NOW)
            .await
            .unwrap();
        assert!(matches!(again, Finished::Earlier { .. }));
    }

    #[tokio::test]
    async fn asks_again_for_fixable_mistakes() {
        let bank = bank().await;
        let id = bank.open("a2").await;
        assert_eq!(
            problem(bank.submit(&id, "6222000000000009", "123456", NOW).await),
            Problem::CardNotRecognised
        );
        assert_eq!(
            problem(bank.submit(&id, CREDIT.number, "123456", NOW).await),
            Problem::WrongCardKind {
                wanted: CardKind::Debit,
                given: CardKind::Credit
            }
        );
        assert_eq!(
            problem(bank.submit(&id, RICH_DEBIT.number, "12345", NOW).await),
            Problem::WrongPassword { attempts_left: 2 }
        );
    }

    #[tokio::test]
    async fn third_wrong_password_in_a_row_locks_the_card() {
        let bank = bank().await;
        let id = bank.open("a3").await;
        for left in [2, 1] {
            assert_eq!(
                problem(bank.submit(&id, RICH_DEBIT.number, "000000", NOW).await),
                Problem::WrongPassword {
                    attempts_left: left
                }
            );
        }
        let done = bank
            .submit(&id, RICH_DEBIT.number, "000000", NOW)
            .await
            .unwrap();
        assert_eq!(
            outcome(&done),
            PaymentOutcome::Failed {
                reason: DeclineReason::CardLocked
            }
        );
        let card = CardNumber::parse(RICH_DEBIT.number).unwrap();
        assert!(bank.ledger.card_locked(&card).await.unwrap());
    }

    #[tokio::test]
    async fn a_locked_card_declines_later_payments_whatever_the_password() {
        let bank = bank().await;
        let first = bank.open("a8").await;
        for _ in 0..3 {
            let _ = bank.submit(&first, RICH_DEBIT.number, "000000", NOW).await;
        }
        for (attempt, password) in [("a9", "123456"), ("a10", "000000")] {
            let id = bank.open(attempt).await;
            let done = bank
                .submit(&id, RICH_DEBIT.number, password, NOW)
                .await
                .unwrap();
            assert_eq!(
                outcome(&done),
                PaymentOutcome::Failed {
                    reason: DeclineReason::CardLocked
                }
            );
        }
        let card = CardNumber::parse(RICH_DEBIT.number).unwrap();
        assert_eq!(
            bank.ledger
                .balance(&card, Currency::Cny)
                .await
                .unwrap()
                .to_string(),
            "100000.00"
        );
    }

    #[tokio::test]
    async fn an_expired_card_is_declined_after_its_password() {
        let bank = bank().await;
        let id = bank.open("a11").await;
        assert_eq!(
            problem(bank.submit(&id, EXPIRED_DEBIT.number, "000000", NOW).await),
            Problem::WrongPassword { attempts_left: 2 }
        );
        let done = bank
            .submit(&id, EXPIRED_DEBIT.number, "123456", NOW)
            .await
            .unwrap();
        assert_eq!(
            outcome(&done),
            PaymentOutcome::Failed {
                reason: DeclineReason::CardExpired
            }
        );
    }

    #[tokio::test]
    async fn over_limit_declines_without_a_card() {
        let bank = bank().await;
        let id = bank.open("a12").await;
        let session = bank.ledger.session(&id).await.unwrap().unwrap();
        let done = decline_over_limit(&bank.ledger, &bank.notifier, session, NOW)
            .await
            .unwrap();
        assert_eq!(
            outcome(&done),
            PaymentOutcome::Failed {
                reason: DeclineReason::OverLimit
            }
        );
        let log = bank.ledger.transactions().await.unwrap();
        assert_eq!(log.len(), 1);
        assert!(log[0].card.is_none());
    }

    #[tokio::test]
    async fn a_bank_in_maintenance_takes_no_payment() {
        let bank = bank().await;
        let id = bank.open("a13").await;
        bank.faults
            .set(crate::faults::Faults::from_json(br#"{"maintenance":["CMB"]}"#).unwrap());
        assert!(matches!(
            bank.submit(&id, RICH_DEBIT.number, "123456", NOW).await,
            Err(NotFinished::Maintenance { .. })
        ));
        assert!(bank.ledger.transactions().await.unwrap().is_empty());
        bank.faults.set(crate::faults::Faults::default());
        let done = bank
            .submit(&id, RICH_DEBIT.number, "123456", NOW)
            .await
            .unwrap();
        assert_eq!(outcome(&done), PaymentOutcome::Succeeded);
    }

    #[tokio::test]
    async fn a_right_password_ends_a_run_of_wrong_ones() {
        let bank = bank().await;
        let first = bank.open("a6").await;
        for _ in 0..2 {
            bank.submit(&first, RICH_DEBIT.number, "000000", NOW)
                .await
                .unwrap_err();
        }
        bank.submit(&first, RICH_DEBIT.number, "123456", NOW)
            .await
            .unwrap();
        // Two more wrong ones on the next payment are again two, not four.
        let second = bank.open("a7").await;
        bank.submit(&second, RICH_DEBIT.number, "000000", NOW)
            .await
            .unwrap_err();
        assert_eq!(
            problem(bank.submit(&second, RICH_DEBIT.number, "000000", NOW).await),
            Problem::WrongPassword { attempts_left: 1 }
        );
    }

    #[tokio::test]
    async fn late_submission_declines_as_expired_and_cancel_declines() {
        let bank = bank().await;
        let id = bank.open("a4").await;
        let done = bank
            .submit(&id, RICH_DEBIT.number, "123456", NOW + 60)
            .await
            .unwrap();
        assert_eq!(
            outcome(&done),
            PaymentOutcome::Failed {
                reason: DeclineReason::PaymentExpired
            }
        );

        let id = bank.open("a5").await;
        let done = bank.cancel(&id).await.unwrap();
        assert_eq!(
            outcome(&done),
            PaymentOutcome::Failed {
                reason: DeclineReason::CancelledByShopper
            }
        );
        assert!(matches!(
            bank.cancel(&id).await,
            Ok(Finished::Earlier { .. })
        ));
    }

    #[test]
    fn constant_time_eq_is_eq() {
        assert!(constant_time_eq(b"123456", b"123456"));
        assert!(!constant_time_eq(b"123456", b"123457"));
        assert!(!constant_time_eq(b"12345", b"123456"));
        assert!(!constant_time_eq(b"", b"1"));
    }
}
