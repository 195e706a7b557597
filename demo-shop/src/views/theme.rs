//! `GET /theme`: the widget on a sample order next to a control for every design
//! token. `static/theme.js` mounts the widget, applies each edit to it live and
//! writes the `Paydesk.mount` snippet; without script the page still lists every
//! token with its default.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::layout::page;
use super::widget::TARGET_ID;
use crate::appearance::{Appearance, Locale, Theme};
use crate::order::ShopOrder;
use crate::theme_tokens::{Control, FONT_STACKS, GROUPS, Token};

pub(crate) fn render(order: &ShopOrder, loader_url: &str, appearance: Appearance) -> Response {
    let body = html! {
        section class="hero theme-hero" {
            p class="eyebrow" { "For designers" }
            h1 { "Theme the checkout" }
            p class="lede" { "Every design token of the Paydesk widget, applied live to a real sandbox order. When it looks right, copy the snippet into your checkout page." }
        }
        div class="theme-grid" {
            section class="card theme-preview" aria-labelledby="theme-preview-title" {
                h2 id="theme-preview-title" { "Preview" }
                p class="muted" { "Sandbox order " code { (order.reference.as_str()) } ". Paying it works like any checkout." }
                div id="theme-preview" data-client-token=(order.client_token) {
                    div id=(TARGET_ID) {}
                }
                noscript { p class="notice" { "The preview and live editing need JavaScript." } }
                p class="notice" id="theme-problem" role="alert" hidden {}
            }
            form class="card theme-form" id="theme-form" aria-labelledby="theme-form-title" {
                h2 id="theme-form-title" { "Design tokens" }
                fieldset class="token-group" {
                    legend { "Preset and language" }
                    div class="token" {
                        label for="theme-preset" { "Theme" }
                        select id="theme-preset" name="theme" data-setting="theme" {
                            (options(
                                Theme::ALL.map(|theme| (theme.as_str(), theme.label())),
                                appearance.theme.unwrap_or(Theme::Auto).as_str(),
                            ))
                        }
                    }
                    div class="token" {
                        label for="theme-locale" { "Language" }
                        select id="theme-locale" name="locale" data-setting="locale" {
                            (options(
                                std::iter::once(("", "Browser language"))
                                    .chain(Locale::ALL.map(|locale| (locale.as_str(), locale.label()))),
                                appearance.locale.map_or("", Locale::as_str),
                            ))
                        }
                    }
                }
                @for group in GROUPS {
                    fieldset class="token-group" {
                        legend { (group.title) }
                        @for token in group.tokens { (token_control(token)) }
                    }
                }
                p class="fine-print" {
                    "Fonts: the menu offers stacks of fonts that ship with common operating systems, each falling back to system Chinese fonts, plus Tea House Serif, a web font this shop serves itself (DejaVu Serif, Latin letters only; licence at "
                    a href="/static/fonts/LICENSE-DejaVu.txt" { "/static/fonts/LICENSE-DejaVu.txt" }
                    "). The shop declares it with " code { "@font-face" }
                    " in its own stylesheet, and the widget picks it up by name: declare your web font the same way."
                }
                p class="actions" { button type="button" class="button" data-action="reset-tokens" { "Reset to defaults" } }
            }
            section class="card theme-snippet" aria-labelledby="theme-snippet-title" {
                h2 id="theme-snippet-title" { "Snippet" }
                p { "Mount the widget with these settings from your checkout page's script:" }
                pre id="theme-snippet" tabindex="0" { code { (initial_snippet(appearance)) } }
                p class="actions" {
                    button type="button" class="button primary" data-action="copy-snippet" { "Copy snippet" }
                    " "
                    span id="copy-status" role="status" aria-live="polite" {}
                }
            }
        }
        script src=(loader_url) defer {}
        script src="/static/theme.js" defer {}
    };
    page(StatusCode::OK, "Theme the checkout", body)
}

fn options<'a>(choices: impl IntoIterator<Item = (&'a str, &'a str)>, selected: &str) -> Markup {
    html! {
        @for (value, label) in choices {
            option value=(value) selected[value == selected] { (label) }
        }
    }
}

/// One labelled control. `data-token` names the custom property without its
/// prefix, `data-default` holds the stylesheet's value and `data-unit` the unit a
/// slider's number is in: all the page's script needs.
fn token_control(token: &Token) -> Markup {
    let id = format!("token-{}", token.name);
    let kind = match token.control {
        Control::Color => "color",
        Control::Range { .. } => "range",
        Control::FontFamily => "font",
        Control::Text => "text",
    };
    html! {
        div class={ "token token--" (kind) } {
            label for=(id) { (token.label) " " code { "--paydesk-" (token.name) } }
            @match token.control {
                Control::Color => {
                    input type="color" id=(id) name=(token.name) value=(token.default)
                        data-token=(token.name) data-default=(token.default);
                }
                Control::Range { unit, min, max, step } => {
                    input type="range" id=(id) name=(token.name) min=(min) max=(max) step=(step)
                        value=(token.default_number()) data-token=(token.name) data-unit=(unit)
                        data-default=(token.default);
                    output for=(id) data-output-for=(token.name) { (token.default) }
                }
                Control::Text => {
                    input type="text" id=(id) name=(token.name) value=(token.default)
                        data-token=(token.name) data-default=(token.default) spellcheck="false"
                        autocomplete="off";
                }
                Control::FontFamily => {
                    select id=(id) name=(token.name) data-token=(token.name) data-default=(token.default) {
                        (options(FONT_STACKS.map(|font| (font.stack, font.label)), token.default))
                    }
                }
            }
        }
    }
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
            let html = token_control(token).into_string();
            let default = html! { (token.default) }.into_string();
            assert!(html.contains(&format!(r#"<label for="token-{}">"#, token.name)));
            assert!(html.contains(&format!(r#"data-token="{}""#, token.name)));
            assert!(html.contains(&format!(r#"data-default="{default}""#)));
        }
    }
}
