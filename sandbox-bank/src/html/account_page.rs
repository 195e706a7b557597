//! The card holder's online banking: sign in with card number and payment password,
//! then see balances and the card's payments, declines and refunds.

use paydesk_shared::Money;

use super::{card_kind_label, document, escape, money, sandbox_header};
use crate::calendar::utc_minute;
use crate::cards::{CardNumber, TestCard};
use crate::ledger::{Transaction, TransactionKind};

/// The sign-in form, with what went wrong last time (plain text) if anything.
pub(crate) fn account_login_page(problem: Option<&str>, card_number: &str) -> String {
    let error = problem.map_or_else(String::new, |text| {
        format!(r#"<p class="bank-error" role="alert">{}</p>"#, escape(text))
    });
    let main = format!(
        r#"<section class="panel account-login" aria-labelledby="login-title">
<h1 id="login-title" class="panel-title"><span lang="zh-CN">账户查询</span> Card account</h1>
<p>See a test card's balances and its payments, declines and refunds. Sign in with the card number and its payment password.</p>
{error}
<form id="account-login" class="pay-form" method="post" action="/account">
<div class="field">
<label for="card_number"><span lang="zh-CN">卡号</span> Card number</label>
<input id="card_number" name="card_number" type="text" inputmode="numeric" autocomplete="cc-number" spellcheck="false" value="{card_number}" required>
</div>
<div class="field">
<label for="password"><span lang="zh-CN">支付密码</span> Payment password</label>
<input id="password" name="password" type="password" inputmode="numeric" autocomplete="off" required>
</div>
<button type="submit" class="button button-primary"><span lang="zh-CN">查询</span> Show account</button>
</form>
<p><a href="/">Sandbox bank home</a></p>
</section>"#,
        card_number = escape(card_number),
    );
    document(
        "Card account · Paydesk Sandbox Bank",
        "page-account",
        &sandbox_header(),
        &main,
    )
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

pub(crate) fn statement_page(statement: &Statement<'_>) -> String {
    let status = match (statement.locked, statement.expired) {
        (true, _) => {
            r#"<p class="bank-error" data-testid="card-locked"><span lang="zh-CN">此卡已锁定。</span> Locked after three wrong payment passwords in a row: payments are declined.</p>"#
        }
        (false, true) => {
            r#"<p class="bank-error" data-testid="card-expired"><span lang="zh-CN">此卡已过期。</span> Expired: payments are declined.</p>"#
        }
        (false, false) => "",
    };
    let balances: String = statement
        .balances
        .iter()
        .map(|balance| {
            format!(
                r#"<tr><td>{}</td><td class="amount" data-testid="balance-{}">{}</td></tr>
"#,
                balance.currency(),
                balance.currency(),
                balance
            )
        })
        .collect();
    let history = if statement.transactions.is_empty() {
        r#"<p data-testid="no-transactions">No payments yet.</p>"#.to_owned()
    } else {
        let rows: String = statement.transactions.iter().map(history_row).collect();
        format!(
            r#"<div class="table-scroll"><table class="card-table statement">
<thead><tr><th scope="col"><span lang="zh-CN">时间</span> Time (UTC)</th><th scope="col"><span lang="zh-CN">商户</span> Merchant</th><th scope="col"><span lang="zh-CN">类型</span> Type</th><th scope="col"><span lang="zh-CN">金额</span> Amount</th><th scope="col"><span lang="zh-CN">银行</span> Bank</th><th scope="col"><span lang="zh-CN">流水号</span> Transaction</th></tr></thead>
<tbody>
{rows}</tbody>
</table></div>"#
        )
    };
    let main = format!(
        r#"<section class="panel" aria-labelledby="account-title">
<h1 id="account-title" class="panel-title"><span lang="zh-CN">账户</span> Card <span class="mono" data-testid="account-card">{card}</span></h1>
<p>{kind} · <span lang="zh-CN">有效期</span> valid thru {valid_thru}</p>
{status}
<h2 class="panel-title"><span lang="zh-CN">余额</span> Balances</h2>
<div class="table-scroll"><table class="card-table balances">
<thead><tr><th scope="col"><span lang="zh-CN">币种</span> Currency</th><th scope="col">{balance_head}</th></tr></thead>
<tbody>
{balances}</tbody>
</table></div>
</section>
<section class="panel" aria-labelledby="history-title">
<h2 id="history-title" class="panel-title"><span lang="zh-CN">交易明细</span> Payments, declines and refunds</h2>
{history}
</section>
<p><a href="/account">Sign out</a> · <a href="/">Sandbox bank home</a></p>"#,
        card = escape(&statement.card.masked()),
        kind = card_kind_label(statement.test_card.kind),
        valid_thru = escape(&statement.test_card.display_valid_thru()),
        balance_head = match statement.test_card.kind {
            paydesk_shared::bank::CardKind::Debit =>
                r#"<span lang="zh-CN">可用余额</span> Available balance"#,
            paydesk_shared::bank::CardKind::Credit =>
                r#"<span lang="zh-CN">可用额度</span> Available credit"#,
        },
    );
    document(
        "Card account · Paydesk Sandbox Bank",
        "page-account",
        &sandbox_header(),
        &main,
    )
}

/// A payment takes money (−), a refund gives it back (+), a decline moves nothing.
fn history_row(t: &Transaction) -> String {
    let (kind, amount_class, amount) = match &t.kind {
        TransactionKind::Payment => (
            r#"<span lang="zh-CN">消费</span> Payment"#.to_owned(),
            "amount amount-debit",
            format!("−{}", money(t.amount)),
        ),
        TransactionKind::Refund { .. } => (
            r#"<span lang="zh-CN">退款</span> Refund"#.to_owned(),
            "amount amount-credit",
            format!("+{}", money(t.amount)),
        ),
        TransactionKind::Decline(reason) => (
            format!(
                r#"<span lang="zh-CN">已拒绝</span> Declined ({})"#,
                reason.as_str()
            ),
            "amount amount-none",
            money(t.amount),
        ),
    };
    format!(
        r#"<tr data-transaction="{id}"><td>{at}</td><td>{merchant}<br><span class="mono">{order}</span></td><td>{kind}</td><td class="{amount_class}">{amount}</td><td>{bank}</td><td class="mono">{id}</td></tr>
"#,
        id = escape(&t.id),
        at = utc_minute(t.at),
        merchant = escape(&t.merchant_name),
        order = escape(&t.order_id),
        amount = escape(&amount),
        bank = escape(&t.bank_code),
    )
}
