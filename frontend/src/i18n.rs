//! Every string the shopper can see. A language is one `Text` value; the widget picks
//! one from the locale the merchant passed (or the browser's), so adding a language
//! means adding a `Text` and a line in [`text_for`], nothing else.

use paydesk_shared::bank::CardKind;

use crate::format;

/// The shopper's locale: the BCP 47 tag handed to `Intl` for numbers, and the texts.
#[derive(Debug, Clone)]
pub struct Locale {
    tag: String,
    text: &'static Text,
}

impl Locale {
    /// A locale for `tag` (`"en"`, `"zh-CN"`, …). A tag `Intl` rejects falls back to
    /// English rather than breaking the checkout.
    pub fn new(tag: &str) -> Locale {
        let tag = format::canonical_locale(tag).unwrap_or_else(|| FALLBACK_TAG.to_owned());
        let text = text_for(&tag);
        Locale { tag, text }
    }

    pub fn tag(&self) -> &str {
        &self.tag
    }

    pub fn text(&self) -> &'static Text {
        self.text
    }
}

impl Default for Locale {
    fn default() -> Self {
        Locale::new(FALLBACK_TAG)
    }
}

const FALLBACK_TAG: &str = "en";

/// The texts for a canonical locale tag. Only English exists so far; the tag still
/// reaches `Intl`, so amounts already follow the shopper's conventions.
fn text_for(_tag: &str) -> &'static Text {
    &EN
}

/// One language's strings. Sentences with values are functions so each language can
/// put the values where its grammar wants them.
#[derive(Debug)]
pub struct Text {
    pub widget_label: &'static str,
    pub loading: &'static str,
    pub retry: &'static str,

    pub order_from: fn(merchant: &str) -> String,
    pub quantity_times_price: fn(quantity: u32, unit_price: &str) -> String,
    pub total: &'static str,

    pub card_kind_legend: &'static str,
    pub debit: &'static str,
    pub credit: &'static str,
    pub banks_heading: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub no_bank_matches: &'static str,
    pub popular_banks: &'static str,
    pub other_banks: &'static str,
    pub not_supported: fn(kind: CardKind) -> &'static str,
    pub over_limit: fn(limit: Option<&str>) -> String,
    pub maintenance: &'static str,

    pub pay: fn(amount: &str, bank: &str) -> String,
    pub pay_without_bank: fn(amount: &str) -> String,
    pub choose_bank_first: &'static str,
    pub redirecting: fn(bank: &str) -> String,
    pub redirect_note: &'static str,

    pub paid: &'static str,
    pub paid_detail: &'static str,
    pub pending: &'static str,
    pub pending_detail: &'static str,
    pub failed: fn(reason: &str) -> String,
    pub decline_reason: fn(code: Option<&str>) -> &'static str,
    pub choose_another_bank: &'static str,
    pub expired: &'static str,
    pub expired_detail: &'static str,
    pub cancelled: &'static str,
    pub cancelled_detail: &'static str,
    pub stream_interrupted: &'static str,
    pub stream_stopped: &'static str,

    pub error_network: &'static str,
    pub error_link_invalid: &'static str,
    pub error_not_payable: &'static str,
    pub error_bank_unavailable: &'static str,
    pub error_generic: &'static str,
}

pub static EN: Text = Text {
    widget_label: "Checkout",
    loading: "Loading your order…",
    retry: "Try again",

    order_from: |merchant| format!("Your order from {merchant}"),
    quantity_times_price: |quantity, unit_price| format!("{quantity} × {unit_price}"),
    total: "Total",

    card_kind_legend: "Card type",
    debit: "Debit card",
    credit: "Credit card",
    banks_heading: "Choose your bank",
    search_label: "Search banks",
    search_placeholder: "Name, abbreviation or pinyin",
    no_bank_matches: "No bank matches your search.",
    popular_banks: "Popular banks",
    other_banks: "All banks",
    not_supported: |kind| match kind {
        CardKind::Debit => "Debit cards not accepted",
        CardKind::Credit => "Credit cards not accepted",
    },
    over_limit: |limit| match limit {
        Some(limit) => format!("Over this bank's limit of {limit}"),
        None => "Over this bank's limit".to_owned(),
    },
    maintenance: "Online banking under maintenance",

    pay: |amount, bank| format!("Pay {amount} with {bank}"),
    pay_without_bank: |amount| format!("Pay {amount}"),
    choose_bank_first: "Choose a bank to continue.",
    redirecting: |bank| format!("Redirecting to {bank}…"),
    redirect_note: "You will confirm the payment on your bank's online-banking page.",

    paid: "Payment received",
    paid_detail: "Thank you. The merchant has been told and will take it from here.",
    pending: "Waiting for your bank's confirmation…",
    pending_detail: "This page updates by itself as soon as your bank answers.",
    failed: |reason| format!("Payment failed: {reason}"),
    decline_reason: |code| match code {
        Some("insufficient_funds") => "the account does not have enough money.",
        Some("over_limit") => "the amount is over the card's limit.",
        Some("card_expired") => "the card has expired.",
        Some("card_locked") => "the card is locked.",
        Some("cancelled_by_shopper") => "the payment was cancelled at the bank.",
        Some("payment_expired") => "the bank's payment page timed out.",
        _ => "the bank declined the payment.",
    },
    choose_another_bank: "Choose another bank",
    expired: "This checkout has expired",
    expired_detail: "Return to the shop to place the order again.",
    cancelled: "This order was cancelled",
    cancelled_detail: "The shop cancelled this order. Return to the shop for details.",
    stream_interrupted: "Live updates are interrupted. Reconnecting…",
    stream_stopped: "Live updates stopped. Reload the page to see the latest status.",

    error_network: "We could not reach Paydesk. Check your connection and try again.",
    error_link_invalid: "This checkout is no longer valid. Return to the shop and start again.",
    error_not_payable: "This order can no longer be paid.",
    error_bank_unavailable: "This bank cannot take the payment right now. Choose another bank.",
    error_generic: "Something went wrong. Please try again.",
};
