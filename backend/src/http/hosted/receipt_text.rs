//! The words on the shopper's receipt, in the languages the hosted pages speak. `{m}`
//! stands for the merchant's name; the page escapes the finished string.

use paydesk_shared::language::Language;

use super::text::Message;
use crate::domain::refund::RefundStatus;

#[derive(Debug)]
pub(super) struct ReceiptText {
    /// The page's language; its `lang` is `language.tag()`.
    pub(super) language: Language,
    title: &'static str,
    pub(super) heading: &'static str,
    pub(super) paid_to: &'static str,
    pub(super) items: &'static str,
    pub(super) item: &'static str,
    pub(super) amount: &'static str,
    /// `{q}` the quantity, `{p}` the unit price.
    each: &'static str,
    pub(super) total: &'static str,
    pub(super) payment: &'static str,
    pub(super) bank: &'static str,
    pub(super) card: &'static str,
    /// Read out before the masked digits, which are hidden from screen readers.
    pub(super) card_ending: &'static str,
    pub(super) paid_at: &'static str,
    pub(super) order_id: &'static str,
    pub(super) attempt_id: &'static str,
    pub(super) bank_transaction_id: &'static str,
    pub(super) refunds: &'static str,
    /// Heading of the order's other payments, given back.
    pub(super) returned: &'static str,
    pub(super) returned_note: &'static str,
    pub(super) status: &'static str,
    pub(super) time: &'static str,
    refund_pending: &'static str,
    refund_succeeded: &'static str,
    refund_failed: &'static str,
    pub(super) print_hint: &'static str,
    pub(super) secured_by: &'static str,
    pub(super) not_found: Message,
    pub(super) try_again: Message,
}

impl ReceiptText {
    /// The text for a language tag such as `zh-CN`, `zh-Hant-TW` or `en-GB`; `None`
    /// if the pages do not speak it.
    pub(super) fn for_tag(tag: &str) -> Option<&'static ReceiptText> {
        Language::of(tag).map(Self::of)
    }

    /// The first language in an `Accept-Language` header the pages speak, else English.
    pub(super) fn for_accept_language(header: &str) -> &'static ReceiptText {
        Language::first_accepted(header).map_or(&EN, Self::of)
    }

    pub(super) fn english() -> &'static ReceiptText {
        &EN
    }

    fn of(language: Language) -> &'static ReceiptText {
        match language {
            Language::English => &EN,
            Language::SimplifiedChinese => &ZH_CN,
            Language::TraditionalChinese => &ZH_TW,
        }
    }

    pub(super) fn title(&self, merchant: &str) -> String {
        self.title.replace("{m}", merchant)
    }

    pub(super) fn each(&self, quantity: u32, unit_price: &str) -> String {
        self.each
            .replace("{q}", &quantity.to_string())
            .replace("{p}", unit_price)
    }

    pub(super) fn refund_status(&self, status: RefundStatus) -> &'static str {
        match status {
            RefundStatus::Pending => self.refund_pending,
            RefundStatus::Succeeded => self.refund_succeeded,
            RefundStatus::Failed => self.refund_failed,
        }
    }

    /// Whether the page shows a bank's Chinese name rather than its English one.
    pub(super) fn chinese(&self) -> bool {
        self.language != Language::English
    }
}

static EN: ReceiptText = ReceiptText {
    language: Language::English,
    title: "Receipt from {m} · Paydesk",
    heading: "Payment receipt",
    paid_to: "Paid to",
    items: "Items",
    item: "Item",
    amount: "Amount",
    each: "{q} × {p}",
    total: "Total",
    payment: "Payment",
    bank: "Bank",
    card: "Card",
    card_ending: "ending in",
    paid_at: "Paid",
    order_id: "Order ID",
    attempt_id: "Payment ID",
    bank_transaction_id: "Bank transaction ID",
    refunds: "Refunds",
    returned: "Other payments given back",
    returned_note: "This order was paid more than once. It keeps the payment above; the others go back to you.",
    status: "Status",
    time: "Time",
    refund_pending: "In progress",
    refund_succeeded: "Refunded",
    refund_failed: "Failed",
    print_hint: "Keep this page or print it for your records. Times are in UTC.",
    secured_by: "Secured by Paydesk",
    not_found: Message {
        title: "We could not find this receipt",
        body: "The link may be incomplete, or the payment is not complete yet. Please check the link you were given.",
    },
    try_again: Message {
        title: "Please try again",
        body: "Something went wrong on our side. Please reload this page in a moment.",
    },
};

static ZH_CN: ReceiptText = ReceiptText {
    language: Language::SimplifiedChinese,
    title: "{m} 的收据 · Paydesk",
    heading: "付款收据",
    paid_to: "收款方",
    items: "商品",
    item: "商品",
    amount: "金额",
    each: "{q} × {p}",
    total: "合计",
    payment: "支付信息",
    bank: "银行",
    card: "银行卡",
    card_ending: "尾号",
    paid_at: "支付时间",
    order_id: "订单号",
    attempt_id: "支付编号",
    bank_transaction_id: "银行交易号",
    refunds: "退款",
    returned: "退回的其他付款",
    returned_note: "此订单被支付了不止一次。订单保留上面的付款，其余付款将退还给您。",
    status: "状态",
    time: "时间",
    refund_pending: "处理中",
    refund_succeeded: "已退款",
    refund_failed: "退款失败",
    print_hint: "请保存或打印此页面以备查询。时间为协调世界时（UTC）。",
    secured_by: "由 Paydesk 提供安全保障",
    not_found: Message {
        title: "找不到这张收据",
        body: "链接可能不完整，或付款尚未完成。请检查您收到的链接。",
    },
    try_again: Message {
        title: "请重试",
        body: "我们这边出了点问题，请稍后刷新此页面。",
    },
};

static ZH_TW: ReceiptText = ReceiptText {
    language: Language::TraditionalChinese,
    title: "{m} 的收據 · Paydesk",
    heading: "付款收據",
    paid_to: "收款方",
    items: "商品",
    item: "商品",
    amount: "金額",
    each: "{q} × {p}",
    total: "合計",
    payment: "付款資訊",
    bank: "銀行",
    card: "銀行卡",
    card_ending: "末四碼",
    paid_at: "付款時間",
    order_id: "訂單編號",
    attempt_id: "付款編號",
    bank_transaction_id: "銀行交易編號",
    refunds: "退款",
    returned: "退回的其他付款",
    returned_note: "此訂單被支付了不止一次。訂單保留上面的付款，其餘付款將退還給您。",
    status: "狀態",
    time: "時間",
    refund_pending: "處理中",
    refund_succeeded: "已退款",
    refund_failed: "退款失敗",
    print_hint: "請保存或列印此頁面以備查詢。時間為世界協調時間（UTC）。",
    secured_by: "由 Paydesk 提供安全保障",
    not_found: Message {
        title: "找不到這張收據",
        body: "連結可能不完整，或付款尚未完成。請檢查您收到的連結。",
    },
    try_again: Message {
        title: "請重試",
        body: "我們這邊出了點問題，請稍後重新整理此頁面。",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_headers_pick_the_language() {
        assert_eq!(
            ReceiptText::for_tag("zh-Hant").map(|t| t.language.tag()),
            Some("zh-TW")
        );
        assert_eq!(
            ReceiptText::for_tag("zh").map(|t| t.language.tag()),
            Some("zh-CN")
        );
        assert!(ReceiptText::for_tag("fr").is_none());
        assert_eq!(
            ReceiptText::for_accept_language("fr, zh-HK;q=0.5")
                .language
                .tag(),
            "zh-TW"
        );
        assert_eq!(ReceiptText::for_accept_language("de").language.tag(), "en");
    }

    #[test]
    fn every_language_says_every_refund_status() {
        for text in [&EN, &ZH_CN, &ZH_TW] {
            for status in [
                RefundStatus::Pending,
                RefundStatus::Succeeded,
                RefundStatus::Failed,
            ] {
                assert!(!text.refund_status(status).is_empty());
            }
            assert_eq!(text.each(2, "CNY 25.00"), "2 × CNY 25.00");
        }
    }
}
