//! The widget's design tokens as the theming page offers them: one list, in one
//! place, mirroring the custom properties and defaults on `:host` in
//! `frontend/style/paydesk-widget.css` (a test below compares the two). The page's
//! script reads everything it needs from the controls rendered from this list.

/// One `--paydesk-<name>` custom property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// The name without the `--paydesk-` prefix, as `appearance.variables` takes it.
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    /// The stylesheet's default, exactly as written there.
    pub(crate) default: &'static str,
    pub(crate) control: Control,
}

/// How a designer edits a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    /// `<input type=color>`: defaults are `#rrggbb`.
    Color,
    /// A slider over numbers in one CSS unit (`""` for plain numbers); bounds as the
    /// `min`/`max`/`step` attributes take them.
    Range {
        unit: &'static str,
        min: &'static str,
        max: &'static str,
        step: &'static str,
    },
    /// A choice of font stacks from [`FONT_STACKS`].
    FontFamily,
    /// Free CSS, for compound values such as a shadow.
    Text,
}

impl Token {
    /// The slider position for the default: the default without its unit.
    pub(crate) fn default_number(&self) -> &'static str {
        match self.control {
            Control::Range { unit, .. } => self.default.strip_suffix(unit).unwrap_or(self.default),
            Control::Color | Control::FontFamily | Control::Text => self.default,
        }
    }
}

/// Tokens under a heading of the form.
#[derive(Debug)]
pub(crate) struct Group {
    pub(crate) title: &'static str,
    pub(crate) tokens: &'static [Token],
}

/// A font stack the font menu offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FontStack {
    pub(crate) label: &'static str,
    pub(crate) stack: &'static str,
}

/// The stylesheet's own stack, first in the menu.
const SYSTEM_STACK: &str = r#"system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif"#;

/// Font stacks that need nothing installed beyond the operating system's fonts, plus
/// the shop's web font to show that a merchant's own `@font-face` reaches into the
/// widget. Each ends with Chinese fallbacks so zh-CN and zh-TW stay readable.
pub(crate) const FONT_STACKS: [FontStack; 6] = [
    FontStack {
        label: "System UI (default)",
        stack: SYSTEM_STACK,
    },
    FontStack {
        label: "Humanist sans",
        stack: r#"Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", "PingFang SC", "Microsoft YaHei", sans-serif"#,
    },
    FontStack {
        label: "Rounded",
        stack: r#"ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, Manjari, "Arial Rounded MT", Calibri, "PingFang SC", "Microsoft YaHei", sans-serif"#,
    },
    FontStack {
        label: "Transitional serif",
        stack: r#"Charter, "Bitstream Charter", "Sitka Text", Cambria, "Songti SC", "Noto Serif CJK SC", serif"#,
    },
    FontStack {
        label: "Monospace",
        stack: r#"ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, "DejaVu Sans Mono", monospace"#,
    },
    FontStack {
        label: "Tea House Serif (web font served by the shop)",
        stack: r#""Tea House Serif", Georgia, "Songti SC", "Noto Serif CJK SC", serif"#,
    },
];

const fn color(name: &'static str, label: &'static str, default: &'static str) -> Token {
    Token {
        name,
        label,
        default,
        control: Control::Color,
    }
}

const fn rem(
    name: &'static str,
    label: &'static str,
    default: &'static str,
    max: &'static str,
) -> Token {
    Token {
        name,
        label,
        default,
        control: Control::Range {
            unit: "rem",
            min: "0",
            max,
            step: "0.0625",
        },
    }
}

const fn range(
    name: &'static str,
    label: &'static str,
    default: &'static str,
    (unit, min, max, step): (&'static str, &'static str, &'static str, &'static str),
) -> Token {
    Token {
        name,
        label,
        default,
        control: Control::Range {
            unit,
            min,
            max,
            step,
        },
    }
}

/// Every token the page edits, grouped as the stylesheet groups them.
pub(crate) const GROUPS: [Group; 6] = [
    Group {
        title: "Colours",
        tokens: &[
            color("color-background", "Background", "#ffffff"),
            color("color-surface", "Surface", "#f8fafc"),
            color("color-selected", "Selected bank", "#eff6ff"),
            color("color-text", "Text", "#0f172a"),
            color("color-muted", "Secondary text", "#475569"),
            color("color-border", "Control border", "#6b7280"),
            color("color-divider", "Divider", "#e2e8f0"),
            color("color-primary", "Primary", "#1d4ed8"),
            color("color-primary-text", "Text on primary", "#ffffff"),
            color("color-success", "Paid", "#15803d"),
            color("color-danger", "Failed", "#b91c1c"),
            color("color-warning", "Pending", "#b45309"),
        ],
    },
    Group {
        title: "Type",
        tokens: &[
            Token {
                name: "font-family",
                label: "Font family",
                default: SYSTEM_STACK,
                control: Control::FontFamily,
            },
            range(
                "font-size",
                "Font size",
                "1rem",
                ("rem", "0.75", "1.5", "0.0625"),
            ),
            range(
                "font-size-small",
                "Small text",
                "0.875rem",
                ("rem", "0.625", "1.25", "0.0625"),
            ),
            range(
                "font-size-large",
                "Headings",
                "1.125rem",
                ("rem", "0.875", "1.75", "0.0625"),
            ),
        ],
    },
    Group {
        title: "Shape",
        tokens: &[
            rem("radius", "Radius", "0.75rem", "1.5"),
            rem("radius-small", "Radius, small", "0.5rem", "1"),
            Token {
                name: "shadow",
                label: "Shadow",
                default: "0 1px 2px rgb(15 23 42 / 0.06), 0 8px 24px rgb(15 23 42 / 0.06)",
                control: Control::Text,
            },
        ],
    },
    Group {
        title: "Spacing",
        tokens: &[
            range("density", "Density", "1", ("", "0.75", "1.25", "0.05")),
            Token {
                name: "space",
                label: "Spacing unit (scaled by density)",
                default: "calc(1rem * var(--paydesk-density))",
                control: Control::Text,
            },
        ],
    },
    Group {
        title: "Focus ring",
        tokens: &[
            color("focus-color", "Colour", "#2563eb"),
            range("focus-width", "Width", "3px", ("px", "1", "6", "1")),
        ],
    },
    Group {
        title: "Motion",
        tokens: &[range(
            "duration",
            "Transition time",
            "150ms",
            ("ms", "0", "600", "10"),
        )],
    },
];

/// Every token, in form order.
#[cfg(test)]
pub(crate) fn all() -> impl Iterator<Item = &'static Token> {
    GROUPS.iter().flat_map(|group| group.tokens.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        let names: Vec<&str> = all().map(|token| token.name).collect();
        for (index, name) in names.iter().enumerate() {
            assert!(!names[..index].contains(name), "{name} twice");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{name}"
            );
        }
    }

    #[test]
    fn defaults_fit_their_controls() {
        for token in all() {
            match token.control {
                Control::Color => {
                    let hex = token.default.strip_prefix('#').unwrap_or_default();
                    assert!(
                        hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
                        "{}: <input type=color> needs #rrggbb, not {}",
                        token.name,
                        token.default
                    );
                }
                Control::Range { unit, .. } => {
                    assert!(token.default.ends_with(unit), "{}", token.name);
                    let number = token.default_number();
                    assert!(
                        !number.is_empty()
                            && number.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
                        "{}",
                        token.name
                    );
                }
                Control::FontFamily => {
                    assert_eq!(FONT_STACKS[0].stack, token.default);
                }
                Control::Text => assert!(!token.default.is_empty(), "{}", token.name),
            }
        }
    }
}
