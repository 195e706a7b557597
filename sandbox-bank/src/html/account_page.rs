//! The card holder's online banking: sign in with card number and payment password,
//! then see balances and the card's payments, declines and refunds.

use maud::{Markup, html};
use paydesk_shared::Money;
use paydesk_shared::bank::CardKind;

use super::{card_kind_label, document, money, sandbox_header, zh};
use crate::calendar::utc_minute;
use crate::cards::{CardNumber, TestCard};
use crate::ledger::{Transaction, TransactionKind};

const TITLE: &str = "Card account · Paydesk Sandbox Bank";

/// The sign-in form, with what went wrong last time (plain text) if anything.
pub(crate) fn account_login_page(problem: Option<&str>, card_number: &str) -> Markup {
    let main = html! {
        section class="panel account-login" aria-labelledby="login-title" {
            h1 id="login-title" class="panel-title" { (zh("账户查询")) " Card account" }
            p { "See a test card's balances and its payments, declines and refunds. Sign in with the card number and its payment password." }
            @if let Some(text) = problem {
                p class="bank-error" role="alert" { (text) }
            }
            form id="account-login" class="pay-form" method="post" action="/account" {
                div class="field" {
                    label for="card_number" { (zh("卡号")) " Card number" }
                    input id="card_number" name="card_number" type="text" inputmode="numeric"
                        autocomplete="cc-number" spellcheck="false" value=(card_number) required;
                }
                div class="field" {
                    label for="password" { (zh("支付密码")) " Payment password" }
                    input id="password" name="password" type="password" inputmode="numeric"
                        autocomplete="off" required;
                }
                button type="submit" class="button button-primary" { (zh("查询")) " Show account" }
            }
            p {
                "A merchant checking a payout? See the " a href="/merchant_account" { "merchant account" } " page."
            }
            p { a href="/" { "Sandbox bank home" } }
        }
    };
    document(TITLE, "page-account", sandbox_header(), main)
}

/// What the statement shows.
pub(crate) struct Statement<'a> {
    pub(crate) card: &'a CardNumber,
    pub(crate) test_card: TestCard,
    pub(crate) locked: bool,
    pub(crate) expired: bool,
    /// Every currency's balance (debit) or remaining credit line (credit).
    pub(crate) balances: &'a [Money],
    /// Newest first.
    pub(crate) transactions: &'a [Transaction],
}

pub(crate) fn statement_page(statement: &Statement<'_>) -> Markup {
    let main = html! {
        section class="panel" aria-labelledby="account-title" {
            h1 id="account-title" class="panel-title" {
                (zh("账户")) " Card "
                span class="mono" data-testid="account-card" { (statement.card.masked()) }
            }
            p {
                (card_kind_label(statement.test_card.kind))
                " · " (zh("有效期")) " valid thru " (statement.test_card.display_valid_thru())
            }
            @if statement.locked {
                p class="bank-error" data-testid="card-locked" {
                    (zh("此卡已锁定。"))
                    " Locked after three wrong payment passwords in a row: payments are declined."
                }
            } @else if statement.expired {
                p class="bank-error" data-testid="card-expired" {
                    (zh("此卡已过期。")) " Expired: payments are declined."
                }
            }
            h2 class="panel-title" { (zh("余额")) " Balances" }
            div class="table-scroll" {
                table class="card-table balances" {
                    thead {
                        tr {
                            th scope="col" { (zh("币种")) " Currency" }
                            th scope="col" { (balance_heading(statement.test_card.kind)) }
                        }
                    }
                    tbody {
                        @for balance in statement.balances {
                            tr {
                                td { (balance.currency()) }
                                td class="amount" data-testid={ "balance-" (balance.currency()) } { (balance) }
                            }
                        }
                    }
                }
            }
        }
        section class="panel" aria-labelledby="history-title" {
            h2 id="history-title" class="panel-title" { (zh("交易明细")) " Payments, declines and refunds" }
            (history(statement.transactions))
        }
        p { a href="/account" { "Sign out" } " · " a href="/" { "Sandbox bank home" } }
    };
    document(TITLE, "page-account", sandbox_header(), main)
}

fn balance_heading(kind: CardKind) -> Markup {
    match kind {
        CardKind::Debit => html! { (zh("可用余额")) " Available balance" },
        CardKind::Credit => html! { (zh("可用额度")) " Available credit" },
    }
}

fn history(transactions: &[Transaction]) -> Markup {
    if transactions.is_empty() {
        return html! { p data-testid="no-transactions" { "No payments yet." } };
    }
    html! {
        div class="table-scroll" {
            table class="card-table statement" {
                thead {
                    tr {
                        th scope="col" { (zh("时间")) " Time (UTC)" }
                        th scope="col" { (zh("商户")) " Merchant" }
                        th scope="col" { (zh("类型")) " Type" }
                        th scope="col" { (zh("金额")) " Amount" }
                        th scope="col" { (zh("银行")) " Bank" }
                        th scope="col" { (zh("流水号")) " Transaction" }
                    }
                }
                tbody {
                    @for transaction in transactions { (history_row(transaction)) }
                }
            }
        }
    }
}

/// A payment takes money (−), a refund gives it back (+), a decline moves nothing.
fn history_row(t: &Transaction) -> Markup {
    let (kind, amount_class, amount) = match &t.kind {
        TransactionKind::Payment => (
            html! { (zh("消费")) " Payment" },
            "amount amount-debit",
            format!("−{}", money(t.amount)),
        ),
        TransactionKind::Refund { .. } => (
            html! { (zh("退款")) " Refund" },
            "amount amount-credit",
            format!("+{}", money(t.amount)),
        ),
        TransactionKind::Decline(reason) => (
            html! { (zh("已拒绝")) " Declined (" (reason.as_str()) ")" },
            "amount amount-none",
            money(t.amount),
        ),
    };
    html! {
        tr data-transaction=(t.id) {
            td { (utc_minute(t.at)) }
            td { (t.merchant_name) br; span class="mono" { (t.order_id) } }
            td { (kind) }
            td class=(amount_class) { (amount) }
            td { (t.bank_code) }
            td class="mono" { (t.id) }
        }
    }
}
