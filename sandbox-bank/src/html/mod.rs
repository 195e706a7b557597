//! Server-rendered pages. They work without JavaScript and under a strict content
//! security policy: no inline scripts, no style attributes, only the two stylesheets
//! under `/static/`. Every piece of text that came from a request goes through
//! [`escape`].

mod account_page;
mod index_page;
mod message_page;
mod pay_page;

pub(crate) use account_page::{Statement, account_login_page, statement_page};
pub(crate) use index_page::index_page;
pub(crate) use message_page::{MessagePage, message_page};
pub(crate) use pay_page::{PayPage, pay_page};

use paydesk_shared::Money;
use paydesk_shared::bank::{Bank, CardKind};

use crate::cards::TestCard;
use crate::directory::css_class;

/// One test card in a card table.
pub(crate) struct CardRow {
    pub(crate) card: TestCard,
    pub(crate) balance: Option<String>,
}

/// Escapes text for use in element content and in double- or single-quoted
/// attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The document around every page.
fn document(title: &str, body_class: &str, header: &str, main: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light">
<title>{title}</title>
<link rel="stylesheet" href="/static/bank.css">
<link rel="stylesheet" href="/static/banks.css">
</head>
<body class="{body_class}">
{header}
<main class="page-main">
{main}
</main>
<footer class="page-footer">
<p><span lang="zh-CN">沙盒银行 · 仅供测试，不涉及真实资金。</span> Paydesk sandbox bank: for testing only, no real money moves.</p>
</footer>
</body>
</html>
"#,
        title = escape(title),
        body_class = escape(body_class),
    )
}

/// A bank's header: monogram badge in its colour, Chinese and English name.
fn bank_header(bank: &Bank) -> String {
    let code = escape(&bank.code);
    format!(
        r#"<header class="bank-header {class}" data-bank="{code}">
<div class="bank-header-inner">
<span class="{badge}" aria-hidden="true">{code}</span>
<div class="bank-names">
<span class="bank-name-zh" lang="zh-CN">{name_zh}</span>
<span class="bank-name-en" lang="en">{name_en}</span>
</div>
{secure}
</div>
</header>"#,
        class = escape(&css_class(bank)),
        badge = badge_class(bank, false),
        name_zh = escape(&bank.name_zh),
        name_en = escape(&bank.name_en),
        secure = secure_label(),
    )
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
fn sandbox_header() -> String {
    format!(
        r#"<header class="bank-header bank-sandbox">
<div class="bank-header-inner">
<span class="bank-badge" aria-hidden="true">SBX</span>
<div class="bank-names">
<span class="bank-name-zh" lang="zh-CN">沙盒银行</span>
<span class="bank-name-en" lang="en">Paydesk Sandbox Bank</span>
</div>
{secure}
</div>
</header>"#,
        secure = secure_label()
    )
}

fn secure_label() -> &'static str {
    r#"<span class="bank-secure"><svg class="icon-lock" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7H4Zm2 0h4V5a2 2 0 1 0-4 0v2Z"/></svg><span><span lang="zh-CN">网上银行</span> Online banking</span></span>"#
}

fn card_kind_label(kind: CardKind) -> &'static str {
    match kind {
        CardKind::Debit => r#"<span lang="zh-CN">借记卡</span> Debit card"#,
        CardKind::Credit => r#"<span lang="zh-CN">信用卡</span> Credit card"#,
    }
}

fn money(amount: Money) -> String {
    format!("{} {amount}", amount.currency())
}

/// The test cards as a table, for the index page and the hint on the pay page. The
/// balance column appears when the rows carry balances.
fn test_card_table(rows: &[CardRow]) -> String {
    let with_balance = rows.iter().any(|r| r.balance.is_some());
    let mut body = String::new();
    for row in rows {
        let balance = match (&row.balance, with_balance) {
            (Some(balance), _) => format!("<td>{}</td>", escape(balance)),
            (None, true) => "<td></td>".to_owned(),
            (None, false) => String::new(),
        };
        body.push_str(&format!(
            r#"<tr><td class="card-number">{number}</td><td>{kind}</td><td>{valid_thru}</td><td class="card-password">{password}</td>{balance}</tr>
"#,
            number = escape(&row.card.display_number()),
            kind = card_kind_label(row.card.kind),
            valid_thru = escape(&row.card.display_valid_thru()),
            password = escape(row.card.password),
        ));
    }
    let balance_head = if with_balance {
        r#"<th scope="col"><span lang="zh-CN">余额</span> Balance</th>"#
    } else {
        ""
    };
    format!(
        r#"<div class="table-scroll"><table class="card-table">
<thead><tr><th scope="col"><span lang="zh-CN">卡号</span> Card number</th><th scope="col"><span lang="zh-CN">卡种</span> Kind</th><th scope="col"><span lang="zh-CN">有效期</span> Valid thru</th><th scope="col"><span lang="zh-CN">支付密码</span> Password</th>{balance_head}</tr></thead>
<tbody>
{body}</tbody>
</table></div>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("招商银行"), "招商银行");
    }
}
