//! `?theme=` and `?locale=` on the shop's pages reach the widget's script tag as
//! `data-theme` and `data-locale`; anything the widget does not know is dropped.

use reqwest::StatusCode;

use crate::helpers::spawn_shop;

/// The loader's script tag on a page.
fn script_tag(html: &str) -> &str {
    let start = html.find("<script src=").expect("no script tag");
    let end = start + html[start..].find("</script>").unwrap();
    &html[start..end]
}

#[tokio::test]
async fn known_presets_and_languages_reach_the_script_tag() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    for (query, theme, locale) in [
        ("?theme=light", Some("light"), None),
        ("?theme=dark&locale=zh-CN", Some("dark"), Some("zh-CN")),
        ("?locale=zh-TW&theme=flat", Some("flat"), Some("zh-TW")),
        ("?theme=auto&locale=en", Some("auto"), Some("en")),
        ("?locale=zh%2DCN", None, Some("zh-CN")),
    ] {
        for page in [
            format!("/checkout/{}{query}", order.reference),
            format!("/checkout/complete?ref={}&{}", order.reference, &query[1..]),
        ] {
            let html = shop.get_html(&page).await;
            let tag = script_tag(&html);
            assert!(
                tag.contains(r##"data-target="#paydesk-checkout""##),
                "{page}"
            );
            match theme {
                Some(theme) => {
                    assert!(tag.contains(&format!(r#" data-theme="{theme}""#)), "{page}")
                }
                None => assert!(!tag.contains("data-theme"), "{page}"),
            }
            match locale {
                Some(locale) => {
                    assert!(
                        tag.contains(&format!(r#" data-locale="{locale}""#)),
                        "{page}"
                    );
                }
                None => assert!(!tag.contains("data-locale"), "{page}"),
            }
        }
    }
}

#[tokio::test]
async fn unknown_values_are_ignored_not_errors() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    for query in [
        "theme=neon",
        "theme=Dark&locale=ZH-cn",
        "locale=fr",
        "theme=dark%22%20onload%3D%22x&locale=%3Cscript%3E",
        "theme=&locale=",
        "theme&locale",
        "theme=%FF&locale=%E4%B8",
        "theme[]=dark",
    ] {
        let html = shop
            .get_html(&format!("/checkout/{}?{query}", order.reference))
            .await;
        let tag = script_tag(&html);
        assert!(!tag.contains("data-theme"), "{query}: {tag}");
        assert!(!tag.contains("data-locale"), "{query}: {tag}");
        assert!(!html.contains("onload"), "{query}");

        let response = shop
            .get(&format!(
                "/checkout/complete?ref={}&{query}",
                order.reference
            ))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
    }
}

#[tokio::test]
async fn the_integration_guide_shows_the_same_attributes() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    let html = shop
        .get_html(&format!(
            "/checkout/{}?theme=dark&locale=zh-TW",
            order.reference
        ))
        .await;
    assert!(html.contains("data-theme=&quot;dark&quot;"));
    assert!(html.contains("data-locale=&quot;zh-TW&quot;"));
}
