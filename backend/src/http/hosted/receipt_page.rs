//! The receipt's HTML. Like the other gateway pages it is a `maud` template, so every
//! value spliced in is escaped; unlike the checkout it runs no script at all, so its
//! policy allows nothing but its own stylesheet.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use paydesk_shared::Money;
use paydesk_shared::bank::Bank;
use paydesk_shared::language::Language;

use super::page::{INFO_ICON, LOCK_ICON, document, html};
use super::receipt_text::ReceiptText;
use super::text::Message;
use crate::domain::order::{Attempt, Order};
use crate::domain::refund::Refund;
use crate::domain::time::{Millis, rfc3339};

/// No script, no frames, no forms: the receipt's own stylesheet and the empty
/// `data:` icon are all it loads.
pub(crate) const RECEIPT_POLICY: &str = "default-src 'none'; style-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Where the gateway serves the receipt's stylesheet.
pub(super) const STYLESHEET_PATH: &str = "/receipts/receipt.css";

/// What one receipt shows: a paid order and the attempt that paid it.
pub(super) struct Receipt<'a> {
    pub(super) merchant: &'a str,
    pub(super) order: &'a Order,
    pub(super) attempt: &'a Attempt,
    /// The attempt's bank in the directory, if it is still listed.
    pub(super) bank: Option<&'a Bank>,
    pub(super) card_last4: Option<&'a str>,
    /// Refunds of the paid attempt, oldest first.
    pub(super) refunds: &'a [Refund],
    /// Other payments of the order, which it could not keep, going back to the
    /// shopper (a second payment), oldest first.
    pub(super) returned: &'a [Refund],
    pub(super) text: &'static ReceiptText,
}

/// The receipt, `200 OK`.
pub(super) fn receipt(r: &Receipt<'_>) -> Response {
    let text = r.text;
    let order = r.order;
    let paid_at = order.paid_at.or(r.attempt.decided_at);
    let body = html! {
        body class="receipt-page" {
            main class="receipt" id="main" {
                header class="receipt-head" {
                    h1 class="receipt-title" { (text.heading) }
                    p class="receipt-merchant" {
                        span class="receipt-muted" { (text.paid_to) } " "
                        strong data-testid="merchant" { (r.merchant) }
                    }
                    p class="receipt-sum" data-testid="total" { (money(order.total)) }
                }
                section class="receipt-section" aria-labelledby="receipt-items" {
                    h2 class="receipt-subtitle" id="receipt-items" { (text.items) }
                    table class="receipt-table" {
                        thead {
                            tr {
                                th scope="col" { (text.item) }
                                th scope="col" class="receipt-num" { (text.amount) }
                            }
                        }
                        tbody {
                            @for item in &order.items {
                                tr data-testid="item" {
                                    td {
                                        span class="receipt-item" { (item.name) }
                                        span class="receipt-each receipt-muted" {
                                            (text.each(item.quantity, &money(item.unit_price)))
                                        }
                                    }
                                    td class="receipt-num" { (money(item.line_total)) }
                                }
                            }
                        }
                        tfoot {
                            tr {
                                th scope="row" { (text.total) }
                                td class="receipt-num" { (money(order.total)) }
                            }
                        }
                    }
                }
                section class="receipt-section" aria-labelledby="receipt-payment" {
                    h2 class="receipt-subtitle" id="receipt-payment" { (text.payment) }
                    dl class="receipt-facts" {
                        div {
                            dt { (text.bank) }
                            dd data-testid="bank" { (bank_name(r, text)) }
                        }
                        @if let Some(last4) = r.card_last4 {
                            div {
                                dt { (text.card) }
                                dd data-testid="card" {
                                    span class="receipt-sr" { (text.card_ending) " " }
                                    span aria-hidden="true" { "•••• " }
                                    (last4)
                                }
                            }
                        }
                        @if let Some(at) = paid_at {
                            div {
                                dt { (text.paid_at) }
                                dd data-testid="paid-at" { (when(at)) }
                            }
                        }
                        div {
                            dt { (text.order_id) }
                            dd class="receipt-id" data-testid="order-id" { (order.id) }
                        }
                        div {
                            dt { (text.attempt_id) }
                            dd class="receipt-id" data-testid="attempt-id" { (r.attempt.id) }
                        }
                        @if let Some(txn) = &r.attempt.bank_transaction_id {
                            div {
                                dt { (text.bank_transaction_id) }
                                dd class="receipt-id" data-testid="bank-transaction-id" { (txn) }
                            }
                        }
                    }
                }
                @if !r.refunds.is_empty() {
                    section class="receipt-section" aria-labelledby="receipt-refunds" {
                        h2 class="receipt-subtitle" id="receipt-refunds" { (text.refunds) }
                        (refund_table(text, r.refunds, "refund"))
                    }
                }
                @if !r.returned.is_empty() {
                    section class="receipt-section" aria-labelledby="receipt-returned" {
                        h2 class="receipt-subtitle" id="receipt-returned" { (text.returned) }
                        p class="receipt-muted" data-testid="returned-note" { (text.returned_note) }
                        (refund_table(text, r.returned, "returned-payment"))
                    }
                }
                p class="receipt-hint receipt-muted" { (text.print_hint) }
            }
            (footer(text))
        }
    };
    html(
        StatusCode::OK,
        RECEIPT_POLICY,
        document(
            text.language.tag(),
            &text.title(r.merchant),
            stylesheet(),
            body,
        ),
    )
}

/// A page with one message (no such receipt, or try again), in the receipt's style.
pub(super) fn message(status: StatusCode, text: &ReceiptText, message: Message) -> Response {
    let body = html! {
        body class="receipt-page" {
            main class="receipt receipt-message" id="main" {
                (INFO_ICON)
                h1 class="receipt-title" { (message.title) }
                p class="receipt-muted" { (message.body) }
            }
            (footer(text))
        }
    };
    html(
        status,
        RECEIPT_POLICY,
        document(text.language.tag(), message.title, stylesheet(), body),
    )
}

fn stylesheet() -> Markup {
    html! { link rel="stylesheet" href=(STYLESHEET_PATH); }
}

fn footer(text: &ReceiptText) -> Markup {
    html! {
        footer class="receipt-footer" { (LOCK_ICON) span { (text.secured_by) } }
    }
}

/// `CNY 25.00`: the code, not a symbol, so yuan and yen never look alike.
/// Refunds as a table of amount, status and time; each row is `data-testid=row`.
fn refund_table(text: &ReceiptText, refunds: &[Refund], row: &str) -> Markup {
    html! {
        table class="receipt-table receipt-refunds" {
            thead {
                tr {
                    th scope="col" { (text.amount) }
                    th scope="col" { (text.status) }
                    th scope="col" { (text.time) }
                }
            }
            tbody {
                @for refund in refunds {
                    tr data-testid=(row) data-status=(refund.status.as_str()) {
                        td { (money(refund.amount)) }
                        td { (text.refund_status(refund.status)) }
                        td { (when(refund.decided_at.unwrap_or(refund.created_at))) }
                    }
                }
            }
        }
    }
}

fn money(amount: Money) -> String {
    format!("{} {amount}", amount.currency().code())
}

/// A moment as `2027-01-15 08:01 UTC`, machine-readable in `datetime`.
fn when(at: Millis) -> Markup {
    let stamp = rfc3339(at);
    let shown = match (stamp.get(..10), stamp.get(11..16)) {
        (Some(day), Some(minute)) => format!("{day} {minute} UTC"),
        _ => stamp.clone(),
    };
    html! { time datetime=(stamp) { (shown) } }
}

/// The bank by its name in the page's language and script; its code if the directory
/// no longer lists it.
fn bank_name(r: &Receipt<'_>, text: &ReceiptText) -> Markup {
    let code = &r.attempt.bank_code;
    match r.bank {
        Some(bank) if text.language == Language::TraditionalChinese => html! {
            (bank.name_zh_tw)
        },
        Some(bank) if text.chinese() => html! { (bank.name_zh) },
        Some(bank) => html! { (bank.name_en) " (" (code) ")" },
        None => html! { (code) },
    }
}

#[cfg(test)]
mod tests {
    use paydesk_shared::api::WidgetMode;
    use paydesk_shared::bank::CardKind;
    use paydesk_shared::payment::AttemptStatus;
    use paydesk_shared::{Currency, OrderStatus};

    use super::*;
    use crate::domain::refund::RefundStatus;

    fn cny(s: &str) -> Money {
        Money::parse(s, Currency::Cny).expect("money")
    }

    async fn body_of(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a page body is in memory");
        String::from_utf8(bytes.to_vec()).expect("pages are UTF-8")
    }

    #[tokio::test]
    async fn hostile_names_come_out_escaped_and_the_page_runs_no_script() {
        let attempt = Attempt {
            id: "att_1".into(),
            order_id: "ord_1".into(),
            bank_code: "ICBC".into(),
            card_kind: CardKind::Debit,
            mode: WidgetMode::Hosted,
            status: AttemptStatus::Succeeded,
            amount: cny("25.00"),
            failure_reason: None,
            bank_transaction_id: Some("<b>txn</b>".into()),
            created_at: 0,
            decided_at: Some(1_800_000_100_000),
        };
        let order = Order {
            id: "ord_1".into(),
            merchant_id: "mer_1".into(),
            status: OrderStatus::Paid,
            currency: Currency::Cny,
            items: vec![paydesk_shared::order::DraftItem {
                name: "<script>alert(1)</script>".into(),
                quantity: 1,
                unit_price: cny("25.00"),
                line_total: cny("25.00"),
                image_url: None,
            }],
            total: cny("25.00"),
            merchant_reference: "r".into(),
            return_url: "https://shop.example/".into(),
            client_token: "ct_1".into(),
            created_at: 0,
            expires_at: 1,
            paid_at: Some(1_800_000_100_000),
            paid_attempt_id: Some("att_1".into()),
            attempts: vec![attempt.clone()],
        };
        let refunds = [Refund {
            id: "rfd_1".into(),
            order_id: "ord_1".into(),
            attempt_id: "att_1".into(),
            bank_code: "ICBC".into(),
            bank_transaction_id: None,
            amount: cny("5.00"),
            reason: "requested_by_customer".into(),
            status: RefundStatus::Pending,
            bank_refund_id: None,
            failure_reason: None,
            created_at: 1_800_000_200_000,
            decided_at: None,
            tries: 0,
        }];
        let second = Refund {
            id: "rfd_2".into(),
            attempt_id: "att_2".into(),
            amount: cny("25.00"),
            reason: "duplicate_payment".into(),
            status: RefundStatus::Succeeded,
            decided_at: Some(1_800_000_300_000),
            ..refunds[0].clone()
        };
        let refunds = [refunds[0].clone(), second];
        let page = Receipt {
            merchant: r#"Tom & "Jerry" <i>"#,
            order: &order,
            attempt: &attempt,
            bank: None,
            card_last4: Some("1234"),
            refunds: &refunds[..1],
            returned: &refunds[1..],
            text: ReceiptText::english(),
        };
        let html = body_of(receipt(&page)).await;
        for expected in [
            r#"<strong data-testid="merchant">Tom &amp; &quot;Jerry&quot; &lt;i&gt;</strong>"#,
            r#"<span class="receipt-item">&lt;script&gt;alert(1)&lt;/script&gt;</span>"#,
            "&lt;b&gt;txn&lt;/b&gt;",
            r#"<span aria-hidden="true">•••• </span>1234"#,
            r#"<time datetime="2027-01-15T08:01:40Z">2027-01-15 08:01 UTC</time>"#,
            r#"<tr data-testid="refund" data-status="pending"><td>CNY 5.00</td><td>In progress</td>"#,
            r#"<h2 class="receipt-subtitle" id="receipt-returned">Other payments given back</h2>"#,
            r#"<tr data-testid="returned-payment" data-status="succeeded"><td>CNY 25.00</td><td>Refunded</td>"#,
            r#"<link rel="stylesheet" href="/receipts/receipt.css">"#,
        ] {
            assert!(html.contains(expected), "{expected}\nnot in\n{html}");
        }
        assert!(!html.contains("<script") && !html.contains("<i>"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }
}
