//! The Paydesk integration on the browser side: one element to mount into, one
//! script tag. Everything else (order review, bank list, redirect, status) is the
//! widget's job.

use std::fmt::Write;

use maud::{Markup, html};

use crate::appearance::{Appearance, Locale, Theme};

/// The id of the element the widget mounts into.
pub(crate) const TARGET_ID: &str = "paydesk-checkout";

/// The script tag exactly as it goes into the page.
pub(crate) fn script_tag(loader_url: &str, client_token: &str, appearance: Appearance) -> Markup {
    html! {
        script src=(loader_url) data-client-token=(client_token) data-target={ "#" (TARGET_ID) }
            data-theme=[appearance.theme.map(Theme::as_str)]
            data-locale=[appearance.locale.map(Locale::as_str)]
            async {}
    }
}

/// The same tag laid out over several lines, as the integration guide shows it. It is
/// source text for a code listing, not markup: the page escapes it once more, so
/// the attribute values appear escaped exactly as they would be in a page's source.
pub(crate) fn script_tag_listing(
    loader_url: &str,
    client_token: &str,
    appearance: Appearance,
) -> String {
    format!(
        r##"<script src="{src}"
        data-client-token="{token}"
        data-target="#{TARGET_ID}"{extra}
        async></script>"##,
        src = html! { (loader_url) }.into_string(),
        token = html! { (client_token) }.into_string(),
        extra = appearance_attributes(appearance, "\n        "),
    )
}

/// `data-theme` and `data-locale` for the values the page asked for, each after
/// `separator`. The values come from closed lists, so they need no escaping.
fn appearance_attributes(appearance: Appearance, separator: &str) -> String {
    let mut attributes = String::new();
    if let Some(theme) = appearance.theme {
        let _ = write!(attributes, r#"{separator}data-theme="{}""#, theme.as_str());
    }
    if let Some(locale) = appearance.locale {
        let _ = write!(
            attributes,
            r#"{separator}data-locale="{}""#,
            locale.as_str()
        );
    }
    attributes
}

/// The mount point followed by the script tag.
pub(crate) fn mount(loader_url: &str, client_token: &str, appearance: Appearance) -> Markup {
    html! {
        div id=(TARGET_ID) {}
        (script_tag(loader_url, client_token, appearance))
        noscript { p class="notice" { "The payment form needs JavaScript. Please enable it to pay." } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_tag_carries_token_and_target() {
        assert_eq!(
            script_tag(
                "http://127.0.0.1:8080/assets/paydesk.js",
                "ct_abc",
                Appearance::default()
            )
            .into_string(),
            r##"<script src="http://127.0.0.1:8080/assets/paydesk.js" data-client-token="ct_abc" data-target="#paydesk-checkout" async></script>"##
        );
    }

    #[test]
    fn script_tag_passes_theme_and_locale_on() {
        let appearance = Appearance {
            theme: Some(Theme::Dark),
            locale: Some(Locale::ZhTw),
        };
        assert_eq!(
            script_tag("http://gw/assets/paydesk.js", "ct_abc", appearance).into_string(),
            r##"<script src="http://gw/assets/paydesk.js" data-client-token="ct_abc" data-target="#paydesk-checkout" data-theme="dark" data-locale="zh-TW" async></script>"##
        );
        assert!(
            script_tag_listing("http://gw/assets/paydesk.js", "ct_abc", appearance)
                .contains("data-target=\"#paydesk-checkout\"\n        data-theme=\"dark\"\n        data-locale=\"zh-TW\"\n        async>")
        );
    }

    #[test]
    fn token_cannot_break_out_of_its_attribute() {
        let tag = script_tag(
            "http://gw/assets/paydesk.js",
            r#""><script>x</script>"#,
            Appearance::default(),
        )
        .into_string();
        assert!(tag.contains("data-client-token=\"&quot;&gt;&lt;script&gt;"));
    }
}
