//! `/assets/…`: versioned files are immutable, the evergreen loader short-lived, and
//! every file may be loaded cross-origin (Subresource Integrity needs CORS).

use crate::helpers::*;

#[tokio::test]
async fn versioned_assets_are_immutable_and_the_evergreen_loader_is_short_lived() {
    let mut fixture = None;
    let app =
        spawn_app_with(|config| fixture = Some(WidgetFixture::write(&config.widget_dir))).await;
    let version = fixture.unwrap().version;

    let versioned = app.get(&format!("/assets/{version}/paydesk.js")).await;
    assert_eq!(versioned.status(), 200);
    assert_eq!(
        versioned.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(versioned.headers()["access-control-allow-origin"], "*");
    assert_eq!(versioned.headers()["content-type"], "text/javascript");
    assert_eq!(versioned.headers()["x-content-type-options"], "nosniff");
    assert_eq!(versioned.text().await.unwrap(), WidgetFixture::LOADER);

    let css = app.get(&format!("/assets/{version}/hosted.css")).await;
    assert_eq!(css.status(), 200);
    assert_eq!(
        css.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let evergreen = app.get("/assets/paydesk.js").await;
    assert_eq!(evergreen.status(), 200);
    assert_eq!(evergreen.headers()["cache-control"], "public, max-age=300");
    assert_eq!(evergreen.headers()["access-control-allow-origin"], "*");

    for path in ["/assets/paydesk-widget.js", "/assets/manifest.json"] {
        let unversioned = app.get(path).await;
        assert_eq!(unversioned.status(), 200, "{path}");
        assert_eq!(unversioned.headers()["cache-control"], "no-cache", "{path}");
        assert_eq!(unversioned.headers()["access-control-allow-origin"], "*");
    }
}

#[tokio::test]
async fn a_missing_versioned_file_is_not_cached() {
    let app = spawn_app_with(|config| {
        WidgetFixture::write(&config.widget_dir);
    })
    .await;
    let missing = app.get("/assets/fedcba9876543210/paydesk.js").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn browsers_that_take_brotli_get_the_precompressed_copy() {
    let mut fixture = None;
    let app =
        spawn_app_with(|config| fixture = Some(WidgetFixture::write(&config.widget_dir))).await;
    let path = format!("/assets/{}/paydesk.js", fixture.unwrap().version);

    let br = app
        .client
        .get(app.url(&path))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["content-type"], "text/javascript");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        br.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("accept-encoding")
    );
    assert_eq!(br.bytes().await.unwrap(), WidgetFixture::LOADER_BROTLI);

    let plain = app
        .client
        .get(app.url(&path))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), WidgetFixture::LOADER);
}
