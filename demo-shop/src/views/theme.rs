//! `GET /theme`: the widget on a sample order next to a control for every design
//! token. `static/theme.js` mounts the widget, applies each edit to it live and
//! writes the `Paydesk.mount` snippet; without script the page still lists every
//! token with its default.

use std::fmt::Write;

use axum::http::StatusCode;
use axum::response::Response;

use super::layout::page;
use super::widget::TARGET_ID;
use crate::appearance::{Appearance, Locale, Theme};
use crate::html::esc;
use crate::order::ShopOrder;
use crate::theme_tokens::{Control, FONT_STACKS, GROUPS, Token};

pub(crate) fn render(order: &ShopOrder, loader_url: &str, appearance: Appearance) -> Response {
    let groups: String = GROUPS
        .iter()
        .map(|group| {
            let controls: String = group.tokens.iter().map(token_control).collect();
            format!(
                "<fieldset class=\"token-group\">\n<legend>{title}</legend>\n{controls}</fieldset>\n",
                title = esc(group.title),
            )
        })
        .collect();
    let body = format!(
        r#"<section class="hero theme-hero">
<p class="eyebrow">For designers</p>
<h1>Theme the checkout</h1>
<p class="lede">Every design token of the Paydesk widget, applied live to a real sandbox order. When it looks right, copy the snippet into your checkout page.</p>
</section>
<div class="theme-grid">
<section class="card theme-preview" aria-labelledby="theme-preview-title">
<h2 id="theme-preview-title">Preview</h2>
<p class="muted">Sandbox order <code>{reference}</code>. Paying it works like any checkout.</p>
<div id="theme-preview" data-client-token="{token}">
<div id="{TARGET_ID}"></div>
</div>
<noscript><p class="notice">The preview and live editing need JavaScript.</p></noscript>
<p class="notice" id="theme-problem" role="alert" hidden></p>
</section>
<form class="card theme-form" id="theme-form" aria-labelledby="theme-form-title">
<h2 id="theme-form-title">Design tokens</h2>
<fieldset class="token-group">
<legend>Preset and language</legend>
<div class="token">
<label for="theme-preset">Theme</label>
<select id="theme-preset" name="theme" data-setting="theme">
{themes}</select>
</div>
<div class="token">
<label for="theme-locale">Language</label>
<select id="theme-locale" name="locale" data-setting="locale">
{locales}</select>
</div>
</fieldset>
{groups}<p class="fine-print">Fonts: the menu offers stacks of fonts that ship with common operating systems, each falling back to system Chinese fonts, plus Tea House Serif, a web font this shop serves itself (DejaVu Serif, Latin letters only; licence at <a href="/static/fonts/LICENSE-DejaVu.txt">/static/fonts/LICENSE-DejaVu.txt</a>). The shop declares it with <code>@font-face</code> in its own stylesheet, and the widget picks it up by name: declare your web font the same way.</p>
<p class="actions"><button type="button" class="button" data-action="reset-tokens">Reset to defaults</button></p>
</form>
<section class="card theme-snippet" aria-labelledby="theme-snippet-title">
<h2 id="theme-snippet-title">Snippet</h2>
<p>Mount the widget with these settings from your checkout page's script:</p>
<pre id="theme-snippet" tabindex="0"><code>{snippet}</code></pre>
<p class="actions"><button type="button" class="button primary" data-action="copy-snippet">Copy snippet</button> <span id="copy-status" role="status" aria-live="polite"></span></p>
</section>
</div>
<script src="{loader}" defer></script>
<script src="/static/theme.js" defer></script>"#,
        themes = options(
            Theme::ALL.map(|theme| (theme.as_str(), theme.label())),
            appearance.theme.unwrap_or(Theme::Auto).as_str(),
        ),
        locales = options(
            std::iter::once(("", "Browser language"))
                .chain(Locale::ALL.map(|locale| (locale.as_str(), locale.label()))),
            appearance.locale.map_or("", Locale::as_str),
        ),
        reference = esc(order.reference.as_str()),
        token = esc(&order.client_token),
        snippet = esc(&initial_snippet(appearance)),
        loader = esc(loader_url),
    );
    page(StatusCode::OK, "Theme the checkout", &body)
}

fn options<'a>(choices: impl IntoIterator<Item = (&'a str, &'a str)>, selected: &str) -> String {
    choices
        .into_iter()
        .fold(String::new(), |mut html, (value, label)| {
            let _ = writeln!(
                html,
                r#"<option value="{value}"{selected}>{label}</option>"#,
                value = esc(value),
                selected = if value == selected { " selected" } else { "" },
                label = esc(label),
            );
            html
        })
}

/// One labelled control. `data-token` names the custom property without its
/// prefix, `data-default` holds the stylesheet's value and `data-unit` the unit a
/// slider's number is in: all the page's script needs.
fn token_control(token: &Token) -> String {
    let id = format!("token-{}", token.name);
    let input = match token.control {
        Control::Color => format!(
            r#"<input type="color" id="{id}" name="{name}" value="{default}" data-token="{name}" data-default="{default}">"#,
            name = token.name,
            default = esc(token.default),
        ),
        Control::Range {
            unit,
            min,
            max,
            step,
        } => format!(
            r#"<input type="range" id="{id}" name="{name}" min="{min}" max="{max}" step="{step}" value="{number}" data-token="{name}" data-unit="{unit}" data-default="{default}">
<output for="{id}" data-output-for="{name}">{default}</output>"#,
            name = token.name,
            number = esc(token.default_number()),
            default = esc(token.default),
        ),
        Control::Text => format!(
            r#"<input type="text" id="{id}" name="{name}" value="{default}" data-token="{name}" data-default="{default}" spellcheck="false" autocomplete="off">"#,
            name = token.name,
            default = esc(token.default),
        ),
        Control::FontFamily => format!(
            r#"<select id="{id}" name="{name}" data-token="{name}" data-default="{default}">
{options}</select>"#,
            name = token.name,
            default = esc(token.default),
            options = options(
                FONT_STACKS.map(|font| (font.stack, font.label)),
                token.default
            ),
        ),
    };
    let kind = match token.control {
        Control::Color => "color",
        Control::Range { .. } => "range",
        Control::FontFamily => "font",
        Control::Text => "text",
    };
    format!(
        "<div class=\"token token--{kind}\">\n<label for=\"{id}\">{label} <code>--paydesk-{name}</code></label>\n{input}\n</div>\n",
        label = esc(token.label),
        name = token.name,
    )
}

/// The snippet for the page's starting point; `static/theme.js` writes the same
/// text, and rewrites it on every edit.
fn initial_snippet(appearance: Appearance) -> String {
    let locale = appearance
        .locale
        .map(|locale| format!("  locale: \"{}\",\n", locale.as_str()))
        .unwrap_or_default();
    format!(
        r##"// clientToken: the order's client_token from your server's POST /v1/orders
Paydesk.mount(document.querySelector("#{TARGET_ID}"), {{
  clientToken,
{locale}  appearance: {{
    theme: "{theme}",
    variables: {{}},
  }},
}});"##,
        theme = appearance.theme.unwrap_or(Theme::Auto).as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_snippet_names_the_chosen_preset_and_language() {
        let snippet = initial_snippet(Appearance {
            theme: Some(Theme::Dark),
            locale: Some(Locale::ZhCn),
        });
        assert!(snippet.contains("  locale: \"zh-CN\",\n  appearance: {\n    theme: \"dark\","));
        let plain = initial_snippet(Appearance::default());
        assert!(plain.contains("theme: \"auto\""));
        assert!(!plain.contains("locale"));
    }

    #[test]
    fn every_token_gets_a_labelled_control_with_its_default() {
        for token in crate::theme_tokens::all() {
            let html = token_control(token);
            assert!(html.contains(&format!(r#"<label for="token-{}">"#, token.name)));
            assert!(html.contains(&format!(r#"data-token="{}""#, token.name)));
            assert!(html.contains(&format!(r#"data-default="{}""#, esc(token.default))));
        }
    }
}
