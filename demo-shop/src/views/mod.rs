//! Server-rendered pages. Each page is a function from data to HTML; values are
//! escaped with [`crate::html::esc`] where they are inserted.

pub(crate) mod checkout;
pub(crate) mod complete;
pub(crate) mod error;
pub(crate) mod layout;
pub(crate) mod order;
pub(crate) mod storefront;
pub(crate) mod theme;
pub(crate) mod widget;

use paydesk_shared::Currency;
use paydesk_shared::api::LineItem;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::html::esc;

/// `¥25.00`: an amount string from the catalog or from Paydesk with its symbol.
fn price(amount: &str, currency: Currency) -> String {
    let symbol = match currency {
        Currency::Cny | Currency::Jpy => "¥",
        Currency::Usd => "$",
        Currency::Eur => "€",
        Currency::Gbp => "£",
        Currency::Hkd => "HK$",
        Currency::Krw => "₩",
    };
    format!("{symbol}{}", esc(amount))
}

fn timestamp(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
    ))
    .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// The items table and total, as on the checkout and order pages.
fn order_lines(items: &[LineItem], total: &str, currency: Currency) -> String {
    let rows: String = items
        .iter()
        .map(|item| {
            format!(
                r#"<tr><td class="item-name">{name}<span class="item-each">{qty} × {unit}</span></td><td class="num">{line}</td></tr>"#,
                name = esc(&item.name),
                qty = item.quantity,
                unit = price(&item.unit_price, currency),
                line = price(&item.line_total, currency),
            )
        })
        .collect();
    format!(
        r#"<table class="lines">
<thead><tr><th scope="col">Item</th><th scope="col" class="num">Amount</th></tr></thead>
<tbody>{rows}</tbody>
<tfoot><tr><th scope="row">Total <span class="currency">{code}</span></th><td class="num total">{total}</td></tr></tfoot>
</table>"#,
        code = currency.code(),
        total = price(total, currency),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_carry_their_symbol_and_are_escaped() {
        assert_eq!(price("25.00", Currency::Cny), "¥25.00");
        assert_eq!(price("<b>", Currency::Usd), "$&lt;b&gt;");
    }

    #[test]
    fn timestamps_are_readable() {
        assert_eq!(
            timestamp(OffsetDateTime::UNIX_EPOCH),
            "1970-01-01 00:00:00 UTC"
        );
    }
}
