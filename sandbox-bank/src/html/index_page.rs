//! `GET /`: what this sandbox is, its test cards and its banks.

use paydesk_shared::Currency;
use paydesk_shared::bank::{Bank, CardKind};

use super::{
    CardRow, badge_class, card_kind_label, document, escape, money, sandbox_header, test_card_table,
};
use crate::directory::css_class;

pub(crate) fn index_page(banks: &[Bank], cards: &[CardRow], public_url: &str) -> String {
    let bank_items: String = banks.iter().map(bank_item).collect();
    let main = format!(
        r#"<section class="panel intro">
<h1 class="panel-title"><span lang="zh-CN">沙盒银行</span> Paydesk Sandbox Bank</h1>
<p>This service plays the online banking of {count} banks for Paydesk. The gateway sends shoppers to <code>{public_url}/pay</code> with a signed payment request; the bank page takes a test card and payment password, debits the card and notifies the gateway with a signed message.</p>
</section>
<section class="panel" aria-labelledby="cards-title">
<h2 id="cards-title" class="panel-title"><span lang="zh-CN">测试卡</span> Test cards</h2>
<p>Valid at every bank. Spaces in card numbers are ignored. Balances are in CNY; every currency has its own balance (<a href="/cards">all balances</a>, <a href="/transactions">transactions</a>). A card holder sees a card's balances and history on the <a href="/account">card account</a> page.</p>
{cards}
</section>
<section class="panel" aria-labelledby="banks-title">
<h2 id="banks-title" class="panel-title"><span lang="zh-CN">银行</span> Banks</h2>
<p>Single-payment limits per card kind and currency; a currency that is not listed is not accepted with that card.</p>
<ul class="bank-list">
{bank_items}</ul>
</section>"#,
        count = banks.len(),
        public_url = escape(public_url),
        cards = test_card_table(cards),
    );
    document(
        "Paydesk Sandbox Bank",
        "page-index",
        &sandbox_header(),
        &main,
    )
}

fn bank_item(bank: &Bank) -> String {
    let kinds: String = CardKind::ALL
        .into_iter()
        .filter_map(|kind| card_kind_line(bank, kind))
        .collect();
    format!(
        r#"<li class="bank-item {class}" data-bank="{code}">
<span class="{badge}" aria-hidden="true">{code}</span>
<div class="bank-item-text">
<span class="bank-item-zh" lang="zh-CN">{name_zh}</span>
<span class="bank-item-en">{name_en}</span>
<ul class="bank-item-kinds">{kinds}</ul>
</div>
</li>
"#,
        class = escape(&css_class(bank)),
        code = escape(&bank.code),
        badge = badge_class(bank, true),
        name_zh = escape(&bank.name_zh),
        name_en = escape(&bank.name_en),
    )
}

/// "Debit card: CNY up to 50000.00 · USD · EUR", or nothing if the bank does not
/// take the card kind at all.
fn card_kind_line(bank: &Bank, kind: CardKind) -> Option<String> {
    let currencies: Vec<String> = Currency::ALL
        .into_iter()
        .filter_map(|currency| bank.limit(kind, currency))
        .map(|limit| escape(&money(limit)))
        .collect();
    (!currencies.is_empty()).then(|| {
        format!(
            "<li>{}: {}</li>",
            card_kind_label(kind),
            currencies.join(" · ")
        )
    })
}
