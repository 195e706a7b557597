//! Colours that come from data rather than from the stylesheet: each bank's badge.
//!
//! They reach the page as CSS custom properties set through the CSSOM
//! (`style.setProperty`), which a Content-Security-Policy without `unsafe-inline`
//! allows, unlike `style` attributes in markup.

/// A badge's background and a text colour readable on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeColours {
    pub background: String,
    pub ink: &'static str,
}

const LIGHT_INK: &str = "#ffffff";
const DARK_INK: &str = "#111827";

/// Colours for a `#rrggbb` bank colour; `None` for anything else, so the badge
/// keeps the stylesheet's neutral colour.
pub fn badge_colours(colour: &str) -> Option<BadgeColours> {
    let hex = colour.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u32::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    let (r, g, b) = (channel(0)?, channel(2)?, channel(4)?);
    // Perceived brightness with the Rec. 709 weights, in integers. Badges carry
    // short bold text, so a simple threshold keeps it readable.
    let brightness = (2126 * r + 7152 * g + 722 * b) / 10_000;
    Some(BadgeColours {
        background: ["#", &hex.to_ascii_lowercase()].concat(),
        ink: if brightness < 150 {
            LIGHT_INK
        } else {
            DARK_INK
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_colours_get_light_ink() {
        let c = badge_colours("#C7000B").unwrap();
        assert_eq!(c.background, "#c7000b");
        assert_eq!(c.ink, LIGHT_INK);
    }

    #[test]
    fn light_colours_get_dark_ink() {
        assert_eq!(badge_colours("#ffd200").unwrap().ink, DARK_INK);
    }

    #[test]
    fn rejects_anything_but_six_hex_digits() {
        for bad in [
            "", "#", "#fff", "c7000b", "#c7000b;", "#zzzzzz", "#c7000b0", "red",
        ] {
            assert_eq!(badge_colours(bad), None, "{bad}");
        }
    }
}
