//! The words on the gateway's own pages, in the languages the widget speaks. The
//! widget translates itself; this is only the page around it.

use paydesk_shared::language::Language;

/// A page's one message.
#[derive(Debug, Clone, Copy)]
pub(super) struct Message {
    pub(super) title: &'static str,
    pub(super) body: &'static str,
}

/// Every string of the hosted pages in one language. `{m}` stands for the merchant's
/// name; the page escapes the finished string.
#[derive(Debug)]
pub(super) struct PageText {
    /// The page's language; its `lang` is `language.tag()`.
    pub(super) language: Language,
    title: &'static str,
    back_to: &'static str,
    continue_to: &'static str,
    noscript: &'static str,
    pub(super) skip_to_checkout: &'static str,
    pub(super) secured_by: &'static str,
    pub(super) checkout_not_found: Message,
    pub(super) payment_not_found: Message,
    pub(super) try_again: Message,
}

impl PageText {
    pub(super) fn english() -> &'static PageText {
        &EN
    }

    /// The text for a language tag such as `zh-CN`, `zh-Hant-TW` or `en-GB`;
    /// English for anything else.
    pub(super) fn for_locale(tag: Option<&str>) -> &'static PageText {
        Self::of(tag.and_then(Language::of))
    }

    /// The first language in an `Accept-Language` header the pages speak.
    pub(super) fn for_accept_language(header: &str) -> &'static PageText {
        Self::of(Language::first_accepted(header))
    }

    fn of(language: Option<Language>) -> &'static PageText {
        match language {
            None | Some(Language::English) => &EN,
            Some(Language::SimplifiedChinese) => &ZH_CN,
            Some(Language::TraditionalChinese) => &ZH_TW,
        }
    }

    pub(super) fn title(&self, merchant: &str) -> String {
        self.title.replace("{m}", merchant)
    }

    pub(super) fn back_to(&self, merchant: &str) -> String {
        self.back_to.replace("{m}", merchant)
    }

    pub(super) fn continue_to(&self, merchant: &str) -> String {
        self.continue_to.replace("{m}", merchant)
    }

    pub(super) fn noscript(&self, merchant: &str) -> String {
        self.noscript.replace("{m}", merchant)
    }
}

/// Whether `tag` looks like a BCP 47 language tag; anything else is not passed on.
pub(super) fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    tag.len() <= 35
        && primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

static EN: PageText = PageText {
    language: Language::English,
    title: "Pay {m} · Paydesk",
    back_to: "Back to {m}",
    continue_to: "Continue to {m}",
    noscript: "This checkout needs JavaScript. Please turn it on and reload the page, or go back to {m}.",
    skip_to_checkout: "Skip to checkout",
    secured_by: "Secured by Paydesk",
    checkout_not_found: Message {
        title: "This checkout link is not valid",
        body: "It may be incomplete or mistyped. Please go back to the shop and open the checkout from there again.",
    },
    payment_not_found: Message {
        title: "We could not find this payment",
        body: "Please go back to the shop and check your order there.",
    },
    try_again: Message {
        title: "Please try again",
        body: "Something went wrong on our side. Please reload this page in a moment.",
    },
};

static ZH_CN: PageText = PageText {
    language: Language::SimplifiedChinese,
    title: "向 {m} 付款 · Paydesk",
    back_to: "返回 {m}",
    continue_to: "继续前往 {m}",
    noscript: "此收银台需要 JavaScript。请启用后刷新页面，或返回 {m}。",
    skip_to_checkout: "跳到收银台",
    secured_by: "由 Paydesk 提供安全保障",
    checkout_not_found: Message {
        title: "此付款链接无效",
        body: "链接可能不完整或有误。请返回商户，从那里重新打开收银台。",
    },
    payment_not_found: Message {
        title: "找不到这笔付款",
        body: "请返回商户查看您的订单。",
    },
    try_again: Message {
        title: "请重试",
        body: "我们这边出了点问题，请稍后刷新此页面。",
    },
};

static ZH_TW: PageText = PageText {
    language: Language::TraditionalChinese,
    title: "向 {m} 付款 · Paydesk",
    back_to: "返回 {m}",
    continue_to: "繼續前往 {m}",
    noscript: "此收銀台需要 JavaScript。請啟用後重新整理頁面，或返回 {m}。",
    skip_to_checkout: "跳到收銀台",
    secured_by: "由 Paydesk 提供安全保障",
    checkout_not_found: Message {
        title: "此付款連結無效",
        body: "連結可能不完整或有誤。請返回商戶，從那裡重新開啟收銀台。",
    },
    payment_not_found: Message {
        title: "找不到這筆付款",
        body: "請返回商戶查看您的訂單。",
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
    fn chinese_tags_pick_simplified_or_traditional() {
        assert_eq!(PageText::for_locale(Some("zh-CN")).language.tag(), "zh-CN");
        assert_eq!(PageText::for_locale(Some("zh")).language.tag(), "zh-CN");
        assert_eq!(
            PageText::for_locale(Some("zh-Hant")).language.tag(),
            "zh-TW"
        );
        assert_eq!(PageText::for_locale(Some("zh-HK")).language.tag(), "zh-TW");
        assert_eq!(PageText::for_locale(Some("fr")).language.tag(), "en");
        assert_eq!(PageText::for_locale(None).language.tag(), "en");
    }

    #[test]
    fn accept_language_takes_the_first_spoken_language() {
        assert_eq!(
            PageText::for_accept_language("fr-FR, zh-TW;q=0.8, en;q=0.5")
                .language
                .tag(),
            "zh-TW"
        );
        assert_eq!(
            PageText::for_accept_language("en-GB,zh;q=0.9")
                .language
                .tag(),
            "en"
        );
        assert_eq!(PageText::for_accept_language("").language.tag(), "en");
    }

    #[test]
    fn language_tags_are_checked() {
        for good in ["en", "zh-CN", "zh-Hant-TW", "yue"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in [
            "",
            "e",
            "english",
            "zh-",
            "en\"><script>",
            "zh CN",
            "en-abcdefghi",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
