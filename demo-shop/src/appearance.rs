//! The widget's theme preset and language as the shop's own URLs may choose them
//! (`?theme=dark&locale=zh-CN`), so designers and tests can look at every preset.
//! Only values the widget knows pass; anything else is dropped, never an error.

/// The widget's theme presets (the loader's `data-theme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Theme {
    /// Light or dark, following the shopper's `prefers-color-scheme`.
    Auto,
    Light,
    Dark,
    Flat,
}

impl Theme {
    pub(crate) const ALL: [Theme; 4] = [Theme::Auto, Theme::Light, Theme::Dark, Theme::Flat];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Flat => "flat",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Theme::Auto => "Automatic (follows the device)",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
            Theme::Flat => "Flat",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        Theme::ALL.into_iter().find(|theme| theme.as_str() == value)
    }
}

/// The languages the widget is translated into (the loader's `data-locale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locale {
    En,
    ZhCn,
    ZhTw,
}

impl Locale {
    pub(crate) const ALL: [Locale; 3] = [Locale::En, Locale::ZhCn, Locale::ZhTw];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
            Locale::ZhTw => "zh-TW",
        }
    }

    /// The language's own name, as a language menu shows it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::ZhCn => "简体中文",
            Locale::ZhTw => "繁體中文",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        Locale::ALL
            .into_iter()
            .find(|locale| locale.as_str() == value)
    }
}

/// What a page asks the widget to look like; `None` leaves the widget's own choice
/// (automatic theme, the browser's language).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Appearance {
    pub(crate) theme: Option<Theme>,
    pub(crate) locale: Option<Locale>,
}

impl Appearance {
    /// Reads `theme` and `locale` from a raw query string. Other parameters, unknown
    /// values and undecodable bytes are ignored; the first valid value of each wins.
    pub(crate) fn from_query(query: Option<&str>) -> Self {
        let mut appearance = Appearance::default();
        let pairs = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes());
        for (name, value) in pairs {
            match name.as_ref() {
                "theme" if appearance.theme.is_none() => appearance.theme = Theme::parse(&value),
                "locale" if appearance.locale.is_none() => {
                    appearance.locale = Locale::parse(&value);
                }
                _ => {}
            }
        }
        appearance
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for theme in Theme::ALL {
            assert_eq!(Theme::parse(theme.as_str()), Some(theme));
        }
        for locale in Locale::ALL {
            assert_eq!(Locale::parse(locale.as_str()), Some(locale));
        }
    }

    #[test]
    fn reads_known_values_from_the_query() {
        assert_eq!(
            Appearance::from_query(Some("ref=TH-1&theme=dark&locale=zh-TW")),
            Appearance {
                theme: Some(Theme::Dark),
                locale: Some(Locale::ZhTw)
            }
        );
        assert_eq!(
            Appearance::from_query(Some("locale=zh%2DCN")).locale,
            Some(Locale::ZhCn)
        );
    }

    #[test]
    fn ignores_anything_else() {
        for query in [
            None,
            Some(""),
            Some("theme=Dark&locale=fr"),
            Some("theme=dark%22%3E&locale=zh-cn"),
            Some("theme&locale"),
            Some("theme=%FF%FE&locale=%ZZ"),
            Some("theme[]=dark"),
        ] {
            assert_eq!(
                Appearance::from_query(query),
                Appearance::default(),
                "{query:?}"
            );
        }
    }

    #[test]
    fn an_invalid_first_value_does_not_hide_a_valid_second() {
        let appearance = Appearance::from_query(Some("theme=neon&theme=flat&theme=dark"));
        assert_eq!(appearance.theme, Some(Theme::Flat));
    }
}
