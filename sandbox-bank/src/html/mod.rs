//! Server-rendered pages. They work without JavaScript and under a strict content
//! security policy: no inline scripts, no style attributes, only the two stylesheets
//! under `/static/`. Pages are `maud` templates, so every value spliced into one is
//! escaped; nothing here is marked pre-escaped except the doctype.

mod account_page;
mod index_page;
mod merchant_page;
mod message_page;
mod pay_page;

pub(crate) use account_page::{Statement, account_login_page, statement_page};
pub(crate) use index_page::index_page;
pub(crate) use merchant_page::{merchant_account_page, merchant_lookup_page};
pub(crate) use message_page::{MessagePage, message_page};
pub(crate) use pay_page::{PayPage, pay_page};

use maud::{DOCTYPE, Markup, html};
use paydesk_shared::Money;
use paydesk_shared::bank::{Bank, CardKind};

use crate::cards::TestCard;
use crate::directory::css_class;

/// One test card in a card table.
pub(crate) struct CardRow {
    pub(crate) card: TestCard,
    pub(crate) balance: Option<String>,
}

/// The document around every page.
fn document(title: &str, body_class: &str, header: Markup, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                meta name="color-scheme" content="light";
                title { (title) }
                link rel="stylesheet" href="/static/bank.css";
                link rel="stylesheet" href="/static/banks.css";
            }
            body class=(body_class) {
                (header)
                main class="page-main" { (main) }
                footer class="page-footer" {
                    p {
                        (zh("沙盒银行 · 仅供测试，不涉及真实资金。"))
                        " Paydesk sandbox bank: for testing only, no real money moves."
                    }
                }
            }
        }
    }
}

/// The Chinese half of a bilingual label, marked so screen readers switch voice.
fn zh(text: &str) -> Markup {
    html! { span lang="zh-CN" { (text) } }
}

/// A bank's header: monogram badge in its colour, Chinese and English name.
fn bank_header(bank: &Bank) -> Markup {
    html! {
        header class={ "bank-header " (css_class(bank)) } data-bank=(bank.code) {
            div class="bank-header-inner" {
                span class=(badge_class(bank, false)) aria-hidden="true" { (bank.code) }
                div class="bank-names" {
                    span class="bank-name-zh" lang="zh-CN" { (bank.name_zh) }
                    span class="bank-name-en" lang="en" { (bank.name_en) }
                }
                (secure_label())
            }
        }
    }
}

/// Classes for a bank's monogram badge; five-letter codes get a smaller font.
fn badge_class(bank: &Bank, small: bool) -> &'static str {
    match (small, bank.code.chars().count() > 4) {
        (false, false) => "bank-badge",
        (false, true) => "bank-badge bank-badge-long",
        (true, false) => "bank-badge bank-badge-small",
        (true, true) => "bank-badge bank-badge-small bank-badge-long",
    }
}

/// The header of pages that belong to no bank in particular.
fn sandbox_header() -> Markup {
    html! {
        header class="bank-header bank-sandbox" {
            div class="bank-header-inner" {
                span class="bank-badge" aria-hidden="true" { "SBX" }
                div class="bank-names" {
                    span class="bank-name-zh" lang="zh-CN" { "沙盒银行" }
                    span class="bank-name-en" lang="en" { "Paydesk Sandbox Bank" }
                }
                (secure_label())
            }
        }
    }
}

fn secure_label() -> Markup {
    html! {
        span class="bank-secure" {
            svg class="icon-lock" viewBox="0 0 16 16" aria-hidden="true" focusable="false" {
                path d="M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7H4Zm2 0h4V5a2 2 0 1 0-4 0v2Z" {}
            }
            span { (zh("网上银行")) " Online banking" }
        }
    }
}

fn card_kind_label(kind: CardKind) -> Markup {
    match kind {
        CardKind::Debit => html! { (zh("借记卡")) " Debit card" },
        CardKind::Credit => html! { (zh("信用卡")) " Credit card" },
    }
}

fn money(amount: Money) -> String {
    format!("{} {amount}", amount.currency())
}

/// The test cards as a table, for the index page and the hint on the pay page. The
/// balance column appears when the rows carry balances.
fn test_card_table(rows: &[CardRow]) -> Markup {
    let with_balance = rows.iter().any(|r| r.balance.is_some());
    html! {
        div class="table-scroll" {
            table class="card-table" {
                thead {
                    tr {
                        th scope="col" { (zh("卡号")) " Card number" }
                        th scope="col" { (zh("卡种")) " Kind" }
                        th scope="col" { (zh("有效期")) " Valid thru" }
                        th scope="col" { (zh("支付密码")) " Password" }
                        @if with_balance {
                            th scope="col" { (zh("余额")) " Balance" }
                        }
                    }
                }
                tbody {
                    @for row in rows {
                        tr {
                            td class="card-number" { (row.card.display_number()) }
                            td { (card_kind_label(row.card.kind)) }
                            td { (row.card.display_valid_thru()) }
                            td class="card-password" { (row.card.password) }
                            @if with_balance {
                                td { (row.balance.as_deref().unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        let hostile = r#"<script>alert("x") & 'y'</script>"#;
        let page = document(hostile, hostile, sandbox_header(), zh("招商银行")).into_string();
        let escaped = "&lt;script&gt;alert(&quot;x&quot;) &amp; 'y'&lt;/script&gt;";
        assert!(page.contains(&format!("<title>{escaped}</title>")));
        // Attribute values are always double-quoted, so a single quote cannot end one.
        assert!(page.contains(&format!(r#"<body class="{escaped}">"#)));
        assert!(!page.contains("<script"));
        assert!(page.contains(r#"<span lang="zh-CN">招商银行</span>"#));
    }
}
