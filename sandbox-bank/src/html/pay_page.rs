//! The bank's online-banking payment page.

use maud::{Markup, html};
use paydesk_shared::bank::{Bank, CardKind};

use super::{CardRow, bank_header, card_kind_label, document, money, test_card_table, zh};
use crate::cards::TEST_CARDS;
use crate::directory::css_class;
use crate::ledger::Session;
use crate::payment::Problem;

pub(crate) struct PayPage<'a> {
    pub(crate) bank: &'a Bank,
    pub(crate) session: &'a Session,
    /// What went wrong on the last submission, shown above the form.
    pub(crate) problem: Option<Problem>,
    /// The card number the shopper typed last time, kept so only the password needs
    /// retyping. Never the password itself.
    pub(crate) card_number: &'a str,
}

pub(crate) fn pay_page(page: &PayPage<'_>) -> Markup {
    let request = &page.session.request;
    let session_id = page.session.id.as_str();
    let amount = money(page.session.amount);
    let card_hint = TEST_CARDS
        .into_iter()
        .filter(|card| card.kind == request.card_kind)
        .map(|card| CardRow {
            card,
            balance: None,
        })
        .collect::<Vec<_>>();
    let main = html! {
        div class="pay-layout" {
            section class="panel summary" aria-labelledby="summary-title" {
                h1 id="summary-title" class="summary-title" { (zh("订单支付")) " Payment" }
                p class="summary-label" { (zh("收款方")) " Pay to" }
                p class="summary-merchant" { (request.merchant_name) }
                p class="summary-amount" data-testid="bank-amount" { (amount) }
                dl class="summary-details" {
                    div { dt { (zh("订单号")) " Order" } dd class="mono" { (request.order_id) } }
                    div { dt { (zh("支付卡种")) " Card" } dd { (card_kind_label(request.card_kind)) } }
                    div { dt { (zh("单笔限额")) " Single-payment limit" } dd { (money(page.session.limit)) } }
                }
            }
            section class="panel pay-panel" aria-labelledby="pay-title" {
                h2 id="pay-title" class="panel-title" {
                    (zh("输入卡号和支付密码")) " Enter card number and payment password"
                }
                @if let Some(problem) = page.problem {
                    p class="bank-error" role="alert" { (problem_text(problem)) }
                }
                form id="bank-pay" class="pay-form" method="post" action="/pay" {
                    input type="hidden" name="session" value=(session_id);
                    div class="field" {
                        label for="card_number" { (zh("卡号")) " Card number" }
                        input id="card_number" name="card_number" type="text" inputmode="numeric"
                            autocomplete="cc-number" spellcheck="false" value=(page.card_number) required;
                    }
                    div class="field" {
                        label for="password" { (zh("支付密码")) " Payment password" }
                        input id="password" name="password" type="password" inputmode="numeric"
                            autocomplete="off" placeholder="••••••" required;
                    }
                    button type="submit" class="button button-primary" { (zh("确认付款")) " Pay " (amount) }
                }
                form class="cancel-form" method="post" action="/pay/cancel" {
                    input type="hidden" name="session" value=(session_id);
                    button type="submit" class="button button-quiet" data-action="cancel" {
                        (zh("取消付款")) " Cancel and return to the merchant"
                    }
                }
            }
        }
        details class="panel sandbox-hint" {
            summary { (zh("测试卡")) " Sandbox test cards" }
            p { "These cards work at every bank of the sandbox. Spaces in the card number are ignored; three wrong passwords in a row lock the card; a card past its valid-thru month is declined." }
            (test_card_table(&card_hint))
        }
    };
    let title = format!(
        "{} · {} {}",
        page.bank.name_zh, request.currency, page.session.amount
    );
    let body_class = format!("page-pay {}", css_class(page.bank));
    document(&title, &body_class, bank_header(page.bank), main)
}

fn problem_text(problem: Problem) -> Markup {
    match problem {
        Problem::CardNotRecognised => html! {
            (zh("卡号无效，请检查后重新输入。"))
            " The card number is not recognised. Check it and try again."
        },
        Problem::WrongCardKind { wanted, given } => html! {
            (zh(&format!("本次支付需使用{}，您输入的是{}。", kind_zh(wanted), kind_zh(given))))
            " This payment needs a " (kind_en(wanted)) "; the card entered is a " (kind_en(given)) "."
        },
        Problem::WrongPassword { attempts_left } => html! {
            (zh(&format!("支付密码错误，还可尝试 {attempts_left} 次。")))
            " Incorrect payment password. " (attempts_left)
            (if attempts_left == 1 { " try" } else { " tries" })
            " left before the card is locked."
        },
    }
}

fn kind_zh(kind: CardKind) -> &'static str {
    match kind {
        CardKind::Debit => "借记卡",
        CardKind::Credit => "信用卡",
    }
}

fn kind_en(kind: CardKind) -> &'static str {
    match kind {
        CardKind::Debit => "debit card",
        CardKind::Credit => "credit card",
    }
}
