//! What the Tea House sells. Prices live on the shop's server and go to Paydesk from
//! there; a browser only ever chooses quantities.

use paydesk_shared::{AmountError, Currency, Money};

/// Every price in the shop is in this currency.
pub(crate) const CURRENCY: Currency = Currency::Cny;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Product {
    /// Stable identifier, used in form field names (`qty-<id>`).
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) unit_price: Money,
    /// Path of the product's picture under the shop's base URL.
    pub(crate) image_path: &'static str,
    /// Describes the picture for screen readers.
    pub(crate) image_alt: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    products: Vec<Product>,
}

/// (id, name, description, price, image file, image description)
const TEA_HOUSE: [(&str, &str, &str, &str, &str, &str); 4] = [
    (
        "longjing",
        "Longjing green tea",
        "Pan-fired Dragon Well leaves from West Lake, Hangzhou. Chestnut-sweet, 50 g tin.",
        "25.00",
        "/static/products/longjing.svg",
        "A green tea tin with flat Longjing leaves",
    ),
    (
        "jasmine-pearls",
        "Jasmine pearls",
        "Hand-rolled Fujian green tea scented with fresh jasmine blossoms, 50 g.",
        "38.50",
        "/static/products/jasmine-pearls.svg",
        "A bowl of rolled jasmine tea pearls with white blossoms",
    ),
    (
        "celadon-cup",
        "Celadon cup",
        "A Longquan celadon tasting cup in soft jade glaze, 80 ml.",
        "68.00",
        "/static/products/celadon-cup.svg",
        "A pale green celadon tea cup",
    ),
    (
        "bamboo-tray",
        "Bamboo tea tray",
        "Slatted bamboo gongfu tray with a hidden drip basin, 40 × 25 cm.",
        "129.90",
        "/static/products/bamboo-tray.svg",
        "A slatted bamboo tea tray",
    ),
];

impl Catalog {
    /// The Tea House's products, in the order the storefront shows them.
    pub(crate) fn tea_house() -> Result<Self, AmountError> {
        let products = TEA_HOUSE
            .into_iter()
            .map(|(id, name, description, price, image_path, image_alt)| {
                Ok(Product {
                    id,
                    name,
                    description,
                    unit_price: Money::parse(price, CURRENCY)?,
                    image_path,
                    image_alt,
                })
            })
            .collect::<Result<_, AmountError>>()?;
        Ok(Catalog { products })
    }

    pub(crate) fn products(&self) -> &[Product] {
        &self.products
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_fit_form_field_names() {
        let catalog = Catalog::tea_house().unwrap();
        let mut ids: Vec<&str> = catalog.products().iter().map(|p| p.id).collect();
        assert!(
            ids.iter()
                .all(|id| id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        );
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), catalog.products().len());
    }

    #[test]
    fn tea_house_prices_parse_at_currency_scale() {
        let catalog = Catalog::tea_house().unwrap();
        let prices: Vec<String> = catalog
            .products()
            .iter()
            .map(|p| p.unit_price.to_string())
            .collect();
        assert_eq!(prices, ["25.00", "38.50", "68.00", "129.90"]);
    }
}
