//! Turning the storefront form into a cart: the one place that decides which
//! quantities a shopper may ask for.

use crate::catalog::{Catalog, Product};

/// Largest quantity of one product in one order.
pub(crate) const MAX_QUANTITY: u8 = 99;
/// Form fields are named `qty-<product id>`.
pub(crate) const FIELD_PREFIX: &str = "qty-";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CartError {
    #[error("We don't sell a product called “{0}”.")]
    UnknownProduct(String),
    #[error("The quantity for {0} was sent twice.")]
    DuplicateField(&'static str),
    #[error("The quantity for {0} must be a whole number from 0 to {MAX_QUANTITY}.")]
    InvalidQuantity(&'static str),
    #[error("Your basket is empty: choose at least one item.")]
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CartLine<'a> {
    pub(crate) product: &'a Product,
    pub(crate) quantity: u8,
}

/// At least one line, each with a quantity from 1 to [`MAX_QUANTITY`], in catalog
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cart<'a> {
    lines: Vec<CartLine<'a>>,
}

impl<'a> Cart<'a> {
    /// Reads the storefront form. A product without a field, or with an empty one
    /// (a cleared number input), counts as zero; fields that are not quantities are
    /// ignored, so the form may grow.
    pub(crate) fn from_form(
        catalog: &'a Catalog,
        fields: &[(String, String)],
    ) -> Result<Self, CartError> {
        let mut quantities: Vec<Option<u8>> = vec![None; catalog.products().len()];
        for (name, value) in fields {
            let Some(id) = name.strip_prefix(FIELD_PREFIX) else {
                continue;
            };
            let index = catalog
                .products()
                .iter()
                .position(|p| p.id == id)
                .ok_or_else(|| CartError::UnknownProduct(id.chars().take(40).collect()))?;
            let product = &catalog.products()[index];
            if quantities[index].is_some() {
                return Err(CartError::DuplicateField(product.name));
            }
            quantities[index] =
                Some(parse_quantity(value).ok_or(CartError::InvalidQuantity(product.name))?);
        }
        let lines: Vec<CartLine<'a>> = catalog
            .products()
            .iter()
            .zip(quantities)
            .filter_map(|(product, quantity)| match quantity {
                Some(quantity @ 1..) => Some(CartLine { product, quantity }),
                Some(0) | None => None,
            })
            .collect();
        if lines.is_empty() {
            return Err(CartError::Empty);
        }
        Ok(Cart { lines })
    }

    pub(crate) fn lines(&self) -> &[CartLine<'a>] {
        &self.lines
    }
}

/// Digits only: no sign, no decimals, no exponent; empty means zero.
fn parse_quantity(value: &str) -> Option<u8> {
    if value.is_empty() {
        return Some(0);
    }
    if value.len() > 3 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<u8>().ok().filter(|q| *q <= MAX_QUANTITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn quantities(cart: &Cart<'_>) -> Vec<(&'static str, u8)> {
        cart.lines()
            .iter()
            .map(|l| (l.product.id, l.quantity))
            .collect()
    }

    #[test]
    fn keeps_positive_quantities_in_catalog_order() {
        let catalog = Catalog::tea_house().unwrap();
        let fields = form(&[
            ("qty-bamboo-tray", "1"),
            ("qty-longjing", "2"),
            ("qty-celadon-cup", "0"),
            ("qty-jasmine-pearls", ""),
            ("note", "ignored"),
        ]);
        let cart = Cart::from_form(&catalog, &fields).unwrap();
        assert_eq!(quantities(&cart), [("longjing", 2), ("bamboo-tray", 1)]);
    }

    #[test]
    fn accepts_the_maximum_and_leading_zeros() {
        let catalog = Catalog::tea_house().unwrap();
        let cart = Cart::from_form(
            &catalog,
            &form(&[("qty-longjing", "99"), ("qty-celadon-cup", "007")]),
        )
        .unwrap();
        assert_eq!(quantities(&cart), [("longjing", 99), ("celadon-cup", 7)]);
    }

    #[test]
    fn rejects_bad_quantities() {
        let catalog = Catalog::tea_house().unwrap();
        for bad in [
            "-1", "100", "1.5", "1e2", " 1", "+1", "abc", "0x10", "9999", "２",
        ] {
            assert_eq!(
                Cart::from_form(&catalog, &form(&[("qty-longjing", bad)])),
                Err(CartError::InvalidQuantity("Longjing green tea")),
                "{bad}"
            );
        }
    }

    #[test]
    fn rejects_empty_unknown_and_duplicate() {
        let catalog = Catalog::tea_house().unwrap();
        assert_eq!(Cart::from_form(&catalog, &[]), Err(CartError::Empty));
        assert_eq!(
            Cart::from_form(&catalog, &form(&[("qty-longjing", "0")])),
            Err(CartError::Empty)
        );
        assert_eq!(
            Cart::from_form(&catalog, &form(&[("qty-teapot", "1")])),
            Err(CartError::UnknownProduct("teapot".into()))
        );
        assert_eq!(
            Cart::from_form(
                &catalog,
                &form(&[("qty-longjing", "1"), ("qty-longjing", "2")])
            ),
            Err(CartError::DuplicateField("Longjing green tea"))
        );
    }
}
