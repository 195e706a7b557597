//! `GET /`: what this sandbox is, its test cards and its banks.

use maud::{Markup, html};
use paydesk_shared::Currency;
use paydesk_shared::bank::{Bank, CardKind};

use super::{
    CardRow, badge_class, card_kind_label, document, money, sandbox_header, test_card_table, zh,
};
use crate::directory::css_class;

pub(crate) fn index_page(banks: &[Bank], cards: &[CardRow], public_url: &str) -> Markup {
    let main = html! {
        section class="panel intro" {
            h1 class="panel-title" { (zh("沙盒银行")) " Paydesk Sandbox Bank" }
            p {
                "This service plays the online banking of " (banks.len())
                " banks for Paydesk. The gateway sends shoppers to "
                code { (public_url) "/pay" }
                " with a signed payment request; the bank page takes a test card and payment password, debits the card and notifies the gateway with a signed message."
            }
        }
        section class="panel" aria-labelledby="cards-title" {
            h2 id="cards-title" class="panel-title" { (zh("测试卡")) " Test cards" }
            p {
                "Valid at every bank. Spaces in card numbers are ignored. Balances are in CNY; every currency has its own balance ("
                a href="/cards" { "all balances" } ", " a href="/transactions" { "transactions" }
                "). A card holder sees a card's balances and history on the "
                a href="/account" { "card account" } " page; a merchant sees the payouts Paydesk transferred to it on the "
                a href="/merchant_account" { "merchant account" } " page."
            }
            (test_card_table(cards))
        }
        section class="panel" aria-labelledby="banks-title" {
            h2 id="banks-title" class="panel-title" { (zh("银行")) " Banks" }
            p { "Single-payment limits per card kind and currency; a currency that is not listed is not accepted with that card." }
            ul class="bank-list" {
                @for bank in banks { (bank_item(bank)) }
            }
        }
    };
    document("Paydesk Sandbox Bank", "page-index", sandbox_header(), main)
}

fn bank_item(bank: &Bank) -> Markup {
    html! {
        li class={ "bank-item " (css_class(bank)) } data-bank=(bank.code) {
            span class=(badge_class(bank, true)) aria-hidden="true" { (bank.code) }
            div class="bank-item-text" {
                span class="bank-item-zh" lang="zh-CN" { (bank.name_zh) }
                span class="bank-item-en" { (bank.name_en) }
                ul class="bank-item-kinds" {
                    @for kind in CardKind::ALL { (card_kind_line(bank, kind)) }
                }
            }
        }
    }
}

/// "Debit card: CNY up to 50000.00 · USD · EUR", or nothing if the bank does not
/// take the card kind at all.
fn card_kind_line(bank: &Bank, kind: CardKind) -> Markup {
    let limits: Vec<String> = Currency::ALL
        .into_iter()
        .filter_map(|currency| bank.limit(kind, currency))
        .map(money)
        .collect();
    html! {
        @if !limits.is_empty() {
            li { (card_kind_label(kind)) ": " (limits.join(" · ")) }
        }
    }
}
