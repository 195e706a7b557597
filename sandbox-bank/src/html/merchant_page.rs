//! A merchant's account at the sandbox's banks: the look-up form, then balances and
//! the transfers (payouts) credited, so a merchant can check a payout against its
//! own bank.

use maud::{Markup, html};

use super::{document, sandbox_header, zh};
use crate::calendar::utc_minute;
use crate::directory::Directory;
use crate::ledger::{Credit, MerchantAccount};
use crate::merchant_accounts::AccountNumber;

const TITLE: &str = "Merchant account · Paydesk Sandbox Bank";

/// The look-up form, with what went wrong last time (plain text) if anything.
pub(crate) fn merchant_lookup_page(problem: Option<&str>, account_number: &str) -> Markup {
    let main = html! {
        section class="panel account-login" aria-labelledby="lookup-title" {
            h1 id="lookup-title" class="panel-title" { (zh("商户账户")) " Merchant account" }
            p { "See the payouts Paydesk transferred to a merchant's account at the sandbox's banks, and the account's balance." }
            @if let Some(text) = problem {
                p class="bank-error" role="alert" { (text) }
            }
            form id="merchant-lookup" class="pay-form" method="get" action="/merchant_account" {
                div class="field" {
                    label for="account_number" { (zh("账号")) " Account number" }
                    input id="account_number" name="account_number" type="text" inputmode="numeric"
                        spellcheck="false" value=(account_number) required;
                }
                button type="submit" class="button button-primary" { (zh("查询")) " Show account" }
            }
            p { a href="/" { "Sandbox bank home" } }
        }
    };
    document(TITLE, "page-account", sandbox_header(), main)
}

pub(crate) fn merchant_account_page(
    directory: &Directory,
    number: &AccountNumber,
    account: &MerchantAccount,
) -> Markup {
    let bank_name = |code: &str| {
        directory
            .get(code)
            .map_or_else(|| code.to_owned(), |bank| bank.name_en.clone())
    };
    let main = html! {
        section class="panel" aria-labelledby="merchant-title" {
            h1 id="merchant-title" class="panel-title" {
                (zh("商户账户")) " Account "
                span class="mono" data-testid="merchant-account" { (number.as_str()) }
            }
            ul {
                @for bank in &account.banks {
                    li data-bank=(bank.bank_code) {
                        (bank_name(&bank.bank_code)) " (" (bank.bank_code) "): " (bank.account_name)
                        " · opened " (utc_minute(bank.opened_at)) " UTC"
                    }
                }
            }
            h2 class="panel-title" { (zh("余额")) " Balances" }
            div class="table-scroll" {
                table class="card-table balances" {
                    thead {
                        tr {
                            th scope="col" { (zh("银行")) " Bank" }
                            th scope="col" { (zh("币种")) " Currency" }
                            th scope="col" { (zh("余额")) " Balance" }
                        }
                    }
                    tbody {
                        @for balance in &account.balances {
                            tr {
                                td { (balance.bank_code) }
                                td { (balance.currency) }
                                td class="amount"
                                    data-testid={ "balance-" (balance.bank_code) "-" (balance.currency) } {
                                    (balance.amount())
                                }
                            }
                        }
                    }
                }
            }
        }
        section class="panel" aria-labelledby="transfers-title" {
            h2 id="transfers-title" class="panel-title" { (zh("入账明细")) " Transfers received" }
            (transfers(&account.credits))
        }
        p { a href="/merchant_account" { "Another account" } " · " a href="/" { "Sandbox bank home" } }
    };
    document(TITLE, "page-account", sandbox_header(), main)
}

/// Newest first.
fn transfers(credits: &[Credit]) -> Markup {
    html! {
        div class="table-scroll" {
            table class="card-table statement" {
                thead {
                    tr {
                        th scope="col" { (zh("时间")) " Time (UTC)" }
                        th scope="col" { (zh("附言")) " Reference" }
                        th scope="col" { (zh("金额")) " Amount" }
                        th scope="col" { (zh("银行")) " Bank" }
                        th scope="col" { (zh("付款编号")) " Payout" }
                        th scope="col" { (zh("流水号")) " Transfer" }
                    }
                }
                tbody {
                    @for credit in credits {
                        tr data-transfer=(credit.bank_transfer_id) {
                            td { (utc_minute(credit.at)) }
                            td { (credit.reference) }
                            td class="amount amount-credit" {
                                "+" (credit.amount.currency()) " " (credit.amount)
                            }
                            td { (credit.bank_code) }
                            td class="mono" { (credit.payout_id) }
                            td class="mono" { (credit.bank_transfer_id) }
                        }
                    }
                }
            }
        }
    }
}
