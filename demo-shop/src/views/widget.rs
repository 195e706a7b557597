//! The Paydesk integration on the browser side: one element to mount into, one
//! script tag. Everything else (order review, bank list, redirect, status) is the
//! widget's job.

use crate::html::esc;

/// The id of the element the widget mounts into.
pub(crate) const TARGET_ID: &str = "paydesk-checkout";

/// The script tag exactly as it goes into the page.
pub(crate) fn script_tag(loader_url: &str, client_token: &str) -> String {
    format!(
        r##"<script src="{src}" data-client-token="{token}" data-target="#{TARGET_ID}" async></script>"##,
        src = esc(loader_url),
        token = esc(client_token),
    )
}

/// The same tag laid out over several lines, as the integration guide shows it.
pub(crate) fn script_tag_listing(loader_url: &str, client_token: &str) -> String {
    format!(
        r##"<script src="{src}"
        data-client-token="{token}"
        data-target="#{TARGET_ID}"
        async></script>"##,
        src = esc(loader_url),
        token = esc(client_token),
    )
}

/// The mount point followed by the script tag.
pub(crate) fn mount(loader_url: &str, client_token: &str) -> String {
    format!(
        r#"<div id="{TARGET_ID}"></div>
{script}
<noscript><p class="notice">The payment form needs JavaScript. Please enable it to pay.</p></noscript>"#,
        script = script_tag(loader_url, client_token),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_tag_carries_token_and_target() {
        assert_eq!(
            script_tag("http://127.0.0.1:8080/assets/paydesk.js", "ct_abc"),
            r##"<script src="http://127.0.0.1:8080/assets/paydesk.js" data-client-token="ct_abc" data-target="#paydesk-checkout" async></script>"##
        );
    }

    #[test]
    fn token_cannot_break_out_of_its_attribute() {
        let tag = script_tag("http://gw/assets/paydesk.js", r#""><script>x</script>"#);
        assert!(tag.contains("data-client-token=\"&quot;&gt;&lt;script&gt;"));
    }
}
