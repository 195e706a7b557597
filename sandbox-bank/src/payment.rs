//! The online-banking rules: what happens when the shopper submits card number and
//! payment password, or cancels. No HTTP here; the routes render what this decides.

use paydesk_shared::bank::CardKind;
use paydesk_shared::bank_protocol::DeclineReason;

use crate::cards::CardNumber;
use crate::ledger::{Decided, Decision, Ledger, LedgerError, Session, SessionId, Verdict};

/// Wrong passwords in a row that lock the card for this payment.
pub(crate) const MAX_WRONG_PASSWORDS: u32 = 3;

/// The payment is settled one way or the other; the shopper goes back to the merchant.
#[derive(Debug)]
pub(crate) enum Finished {
    /// Decided by this request: the gateway must be notified.
    Now {
        session: Session,
        decision: Decision,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    CardNotRecognised,
    WrongCardKind { wanted: CardKind, given: CardKind },
    WrongPassword { attempts_left: u32 },
}

impl From<LedgerError> for NotFinished {
    fn from(_: LedgerError) -> Self {
        // The ledger only fails on sessions or cards that vanished between the checks
        // here and the decision; to the shopper both look like a lost session.
        NotFinished::SessionNotFound
    }
}

/// The shopper pressed Pay.
pub(crate) async fn submit(
    ledger: &Ledger,
    id: &SessionId,
    card_input: &str,
    password: &str,
    now: i64,
) -> Result<Finished, NotFinished> {
    let session = ledger
        .session(id)
        .await
        .ok_or(NotFinished::SessionNotFound)?;
    if ledger.decision(id).await.is_some() {
        return Ok(Finished::Earlier { session });
    }
    let card = CardNumber::parse(card_input);
    if now >= session.request.expires_at {
        let verdict = Verdict::Decline {
            card,
            reason: DeclineReason::PaymentExpired,
        };
        return decide(ledger, session, verdict, now).await;
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
    if !constant_time_eq(password.as_bytes(), test_card.password.as_bytes()) {
        let wrong = ledger.record_wrong_password(id).await?;
        if wrong >= MAX_WRONG_PASSWORDS {
            let verdict = Verdict::Decline {
                card: Some(card),
                reason: DeclineReason::CardLocked,
            };
            return decide(ledger, session, verdict, now).await;
        }
        let problem = Problem::WrongPassword {
            attempts_left: MAX_WRONG_PASSWORDS - wrong,
        };
        return Err(retry(session, problem));
    }
    decide(ledger, session, Verdict::Debit(card), now).await
}

/// The shopper pressed Cancel.
pub(crate) async fn cancel(
    ledger: &Ledger,
    id: &SessionId,
    now: i64,
) -> Result<Finished, NotFinished> {
    let session = ledger
        .session(id)
        .await
        .ok_or(NotFinished::SessionNotFound)?;
    let verdict = Verdict::Decline {
        card: None,
        reason: DeclineReason::CancelledByShopper,
    };
    decide(ledger, session, verdict, now).await
}

async fn decide(
    ledger: &Ledger,
    session: Session,
    verdict: Verdict,
    now: i64,
) -> Result<Finished, NotFinished> {
    Ok(match ledger.decide(&session.id, verdict, now).await? {
        Decided::New(decision) => Finished::Now { session, decision },
        Decided::Already(_) => Finished::Earlier { session },
    })
}

fn retry(session: Session, problem: Problem) -> NotFinished {
    NotFinished::Retry {
        session: Box::new(session),
        problem,
    }
}

/// Compares without an early exit, so response time does not reveal how much of a
/// password was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let len_diff = u8::from(a.len() != b.len());
    let byte_diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    (len_diff | byte_diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::{CREDIT, RICH_DEBIT};
    use crate::payment_request::VerifiedRequest;
    use paydesk_shared::bank_protocol::{PaymentOutcome, PaymentRequest};
    use paydesk_shared::{Currency, Money};

    const NOW: i64 = 1_800_000_000;

    async fn open(ledger: &Ledger, attempt: &str) -> SessionId {
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
        ledger.open_session(verified, NOW).await.unwrap().id
    }

    fn outcome(finished: &Finished) -> PaymentOutcome {
        match finished {
            Finished::Now { decision, .. } => decision.outcome.clone(),
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
        let ledger = Ledger::new();
        let id = open(&ledger, "a1").await;
        let done = submit(&ledger, &id, "6222 0000 0000 0001", "123456", NOW)
            .await
            .unwrap();
        assert_eq!(outcome(&done), PaymentOutcome::Succeeded);
        let again = submit(&ledger, &id, "6222000000000001", "123456", NOW)
            .await
            .unwrap();
        assert!(matches!(again, Finished::Earlier { .. }));
    }

    #[tokio::test]
    async fn asks_again_for_fixable_mistakes() {
        let ledger = Ledger::new();
        let id = open(&ledger, "a2").await;
        assert_eq!(
            problem(submit(&ledger, &id, "6222000000000009", "123456", NOW).await),
            Problem::CardNotRecognised
        );
        assert_eq!(
            problem(submit(&ledger, &id, CREDIT.number, "123456", NOW).await),
            Problem::WrongCardKind {
                wanted: CardKind::Debit,
                given: CardKind::Credit
            }
        );
        assert_eq!(
            problem(submit(&ledger, &id, RICH_DEBIT.number, "12345", NOW).await),
            Problem::WrongPassword { attempts_left: 2 }
        );
    }

    #[tokio::test]
    async fn third_wrong_password_locks_the_card() {
        let ledger = Ledger::new();
        let id = open(&ledger, "a3").await;
        for left in [2, 1] {
            assert_eq!(
                problem(submit(&ledger, &id, RICH_DEBIT.number, "000000", NOW).await),
                Problem::WrongPassword {
                    attempts_left: left
                }
            );
        }
        let done = submit(&ledger, &id, RICH_DEBIT.number, "000000", NOW)
            .await
            .unwrap();
        assert_eq!(
            outcome(&done),
            PaymentOutcome::Failed {
                reason: DeclineReason::CardLocked
            }
        );
    }

    #[tokio::test]
    async fn late_submission_declines_as_expired_and_cancel_declines() {
        let ledger = Ledger::new();
        let id = open(&ledger, "a4").await;
        let done = submit(&ledger, &id, RICH_DEBIT.number, "123456", NOW + 60)
            .await
            .unwrap();
        assert_eq!(
            outcome(&done),
            PaymentOutcome::Failed {
                reason: DeclineReason::PaymentExpired
            }
        );

        let id = open(&ledger, "a5").await;
        let done = cancel(&ledger, &id, NOW).await.unwrap();
        assert_eq!(
            outcome(&done),
            PaymentOutcome::Failed {
                reason: DeclineReason::CancelledByShopper
            }
        );
        assert!(matches!(
            cancel(&ledger, &id, NOW).await,
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
