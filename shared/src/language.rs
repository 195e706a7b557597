//! The languages Paydesk's pages speak and which one a BCP 47 tag asks for: one
//! mapping for the widget and the gateway's hosted pages, so both answer a shopper's
//! `zh-Hans-TW` the same way.

/// A language the widget and the hosted pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    SimplifiedChinese,
    TraditionalChinese,
}

impl Language {
    /// The language for a BCP 47 tag, `None` if it is not spoken. Script wins over
    /// region (`zh-Hant-CN` is Traditional); a bare `zh` and Singapore are Simplified;
    /// Taiwan, Hong Kong and Macao are Traditional. The widget's loader
    /// (`assets/paydesk.js`, `language`) applies the same rule before the widget's
    /// files have loaded: change both together.
    pub fn of(tag: &str) -> Option<Language> {
        let mut subtags = tag.split(['-', '_']).map(str::to_ascii_lowercase);
        match subtags.next()?.as_str() {
            "en" => Some(Language::English),
            "zh" => {
                let rest: Vec<String> = subtags.collect();
                let has = |s: &str| rest.iter().any(|t| t == s);
                Some(if has("hant") {
                    Language::TraditionalChinese
                } else if has("hans") {
                    Language::SimplifiedChinese
                } else if has("tw") || has("hk") || has("mo") {
                    Language::TraditionalChinese
                } else {
                    Language::SimplifiedChinese
                })
            }
            _ => None,
        }
    }

    /// The first spoken language of an `Accept-Language` header, in the order listed.
    pub fn first_accepted(header: &str) -> Option<Language> {
        header
            .split(',')
            .filter_map(|entry| entry.split(';').next())
            .find_map(|tag| Language::of(tag.trim()))
    }

    /// The tag for a page's `lang` attribute, and for `Intl` when the asked-for tag
    /// is not usable.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::SimplifiedChinese => "zh-CN",
            Language::TraditionalChinese => "zh-TW",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_tags_fall_back_by_script_then_region() {
        use Language::*;
        for (tag, want) in [
            ("zh", SimplifiedChinese),
            ("zh-CN", SimplifiedChinese),
            ("zh-Hans", SimplifiedChinese),
            ("zh-SG", SimplifiedChinese),
            ("zh-Hans-HK", SimplifiedChinese),
            ("zh-Hans-TW", SimplifiedChinese),
            ("zh-TW", TraditionalChinese),
            ("zh-Hant", TraditionalChinese),
            ("zh-HK", TraditionalChinese),
            ("zh_MO", TraditionalChinese),
            ("zh-Hant-CN", TraditionalChinese),
            ("en", English),
            ("EN-gb", English),
        ] {
            assert_eq!(Language::of(tag), Some(want), "{tag}");
        }
        for tag in ["fr", "ja-JP", "", "english"] {
            assert_eq!(Language::of(tag), None, "{tag}");
        }
    }

    #[test]
    fn the_first_spoken_language_of_a_header_wins() {
        let first = Language::first_accepted;
        assert_eq!(
            first("fr-FR, zh-TW;q=0.8, en;q=0.5"),
            Some(Language::TraditionalChinese)
        );
        assert_eq!(first("de, en-GB;q=0.9"), Some(Language::English));
        assert_eq!(first("fr, de"), None);
        assert_eq!(first(""), None);
    }
}
