//! Server-rendered pages. Each page is a function from data to a `maud` template, so
//! every value spliced into a page is escaped; only the doctype is pre-escaped.

pub(crate) mod checkout;
pub(crate) mod complete;
pub(crate) mod error;
pub(crate) mod layout;
pub(crate) mod order;
pub(crate) mod storefront;
pub(crate) mod theme;
pub(crate) mod widget;

use maud::{Markup, html};
use paydesk_shared::Currency;
use paydesk_shared::api::LineItem;
use time::OffsetDateTime;
use time::macros::format_description;

/// `¥25.00`: an amount string from the catalog or from Paydesk with its symbol.
fn price(amount: &str, currency: Currency) -> Markup {
    let symbol = match currency {
        Currency::Cny | Currency::Jpy => "¥",
        Currency::Usd => "$",
        Currency::Eur => "€",
        Currency::Gbp => "£",
        Currency::Hkd => "HK$",
        Currency::Krw => "₩",
    };
    html! { (symbol) (amount) }
}

fn timestamp(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
    ))
    .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// The items table and total, as on the checkout and order pages.
fn order_lines(items: &[LineItem], total: &str, currency: Currency) -> Markup {
    html! {
        table class="lines" {
            thead { tr { th scope="col" { "Item" } th scope="col" class="num" { "Amount" } } }
            tbody {
                @for item in items {
                    tr {
                        td class="item-name" {
                            (item.name)
                            span class="item-each" { (item.quantity) " × " (price(&item.unit_price, currency)) }
                        }
                        td class="num" { (price(&item.line_total, currency)) }
                    }
                }
            }
            tfoot {
                tr {
                    th scope="row" { "Total " span class="currency" { (currency.code()) } }
                    td class="num total" { (price(total, currency)) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_carry_their_symbol_and_are_escaped() {
        assert_eq!(price("25.00", Currency::Cny).into_string(), "¥25.00");
        assert_eq!(price("<b>", Currency::Usd).into_string(), "$&lt;b&gt;");
    }

    #[test]
    fn escapes_markup_and_quotes() {
        let item = |name: &str| LineItem {
            name: name.to_owned(),
            quantity: 1,
            unit_price: "1.00".to_owned(),
            line_total: "1.00".to_owned(),
            image_url: None,
        };
        let items = [
            item(r#"<script>alert("x") & 'y'</script>"#),
            item("Longjing 龙井"),
            item(""),
        ];
        let html = order_lines(&items, "3.00", Currency::Cny).into_string();
        // Attribute values are always double-quoted, so a single quote cannot end one.
        let escaped = "&lt;script&gt;alert(&quot;x&quot;) &amp; 'y'&lt;/script&gt;";
        assert!(html.contains(&format!(r#"<td class="item-name">{escaped}<span"#)));
        assert!(html.contains(r#"<td class="item-name">Longjing 龙井<span"#));
        assert!(html.contains(r#"<td class="item-name"><span"#));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn timestamps_are_readable() {
        assert_eq!(
            timestamp(OffsetDateTime::UNIX_EPOCH),
            "1970-01-01 00:00:00 UTC"
        );
    }
}
