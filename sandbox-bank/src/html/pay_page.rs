//! The bank's online-banking payment page.

use paydesk_shared::bank::{Bank, CardKind};

use super::{CardRow, bank_header, card_kind_label, document, escape, money, test_card_table};
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

pub(crate) fn pay_page(page: &PayPage<'_>) -> String {
    let request = &page.session.request;
    let session_id = escape(page.session.id.as_str());
    let amount = escape(&money(page.session.amount));
    let error = page.problem.map_or_else(String::new, |problem| {
        format!(
            r#"<p class="bank-error" role="alert">{}</p>"#,
            problem_text(problem)
        )
    });
    let card_hint = TEST_CARDS
        .into_iter()
        .filter(|card| card.kind == request.card_kind)
        .map(|card| CardRow {
            card,
            balance: None,
        })
        .collect::<Vec<_>>();
    let main = format!(
        r#"<div class="pay-layout">
<section class="panel summary" aria-labelledby="summary-title">
<h1 id="summary-title" class="summary-title"><span lang="zh-CN">订单支付</span> Payment</h1>
<p class="summary-label"><span lang="zh-CN">收款方</span> Pay to</p>
<p class="summary-merchant">{merchant}</p>
<p class="summary-amount" data-testid="bank-amount">{amount}</p>
<dl class="summary-details">
<div><dt><span lang="zh-CN">订单号</span> Order</dt><dd class="mono">{order_id}</dd></div>
<div><dt><span lang="zh-CN">支付卡种</span> Card</dt><dd>{card_kind}</dd></div>
<div><dt><span lang="zh-CN">单笔限额</span> Single-payment limit</dt><dd>{limit}</dd></div>
</dl>
</section>
<section class="panel pay-panel" aria-labelledby="pay-title">
<h2 id="pay-title" class="panel-title"><span lang="zh-CN">输入卡号和支付密码</span> Enter card number and payment password</h2>
{error}
<form id="bank-pay" class="pay-form" method="post" action="/pay">
<input type="hidden" name="session" value="{session_id}">
<div class="field">
<label for="card_number"><span lang="zh-CN">卡号</span> Card number</label>
<input id="card_number" name="card_number" type="text" inputmode="numeric" autocomplete="cc-number" spellcheck="false" value="{card_number}" required>
</div>
<div class="field">
<label for="password"><span lang="zh-CN">支付密码</span> Payment password</label>
<input id="password" name="password" type="password" inputmode="numeric" autocomplete="off" placeholder="••••••" required>
</div>
<button type="submit" class="button button-primary"><span lang="zh-CN">确认付款</span> Pay {amount}</button>
</form>
<form class="cancel-form" method="post" action="/pay/cancel">
<input type="hidden" name="session" value="{session_id}">
<button type="submit" class="button button-quiet" data-action="cancel"><span lang="zh-CN">取消付款</span> Cancel and return to the merchant</button>
</form>
</section>
</div>
<details class="panel sandbox-hint">
<summary><span lang="zh-CN">测试卡</span> Sandbox test cards</summary>
<p>These cards work at every bank of the sandbox. Spaces in the card number are ignored; three wrong passwords in a row lock the card; a card past its valid-thru month is declined.</p>
{cards}
</details>"#,
        merchant = escape(&request.merchant_name),
        order_id = escape(&request.order_id),
        card_kind = card_kind_label(request.card_kind),
        limit = escape(&money(page.session.limit)),
        card_number = escape(page.card_number),
        cards = test_card_table(&card_hint),
    );
    let title = format!(
        "{} · {} {}",
        page.bank.name_zh, request.currency, page.session.amount
    );
    let body_class = format!("page-pay {}", css_class(page.bank));
    document(&title, &body_class, &bank_header(page.bank), &main)
}

fn problem_text(problem: Problem) -> String {
    match problem {
        Problem::CardNotRecognised => concat!(
            r#"<span lang="zh-CN">卡号无效，请检查后重新输入。</span> "#,
            "The card number is not recognised. Check it and try again."
        )
        .to_owned(),
        Problem::WrongCardKind { wanted, given } => format!(
            r#"<span lang="zh-CN">本次支付需使用{wanted_zh}，您输入的是{given_zh}。</span> This payment needs a {wanted}; the card entered is a {given}."#,
            wanted_zh = kind_zh(wanted),
            given_zh = kind_zh(given),
            wanted = kind_en(wanted),
            given = kind_en(given),
        ),
        Problem::WrongPassword { attempts_left } => format!(
            r#"<span lang="zh-CN">支付密码错误，还可尝试 {attempts_left} 次。</span> Incorrect payment password. {attempts_left} {tries} left before the card is locked."#,
            tries = if attempts_left == 1 { "try" } else { "tries" },
        ),
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
