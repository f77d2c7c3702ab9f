//! Static assets as served: precompressed brotli/gzip chosen by Accept-Encoding, a year of
//! caching for hashed modules and styles, revalidation for the rest.

use app::backend::db::Db;
use app::backend::state::{AppState, Clock, Config};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;

/// The whole router, serving the site in `root` (its database there too).
async fn site_router(root: &std::path::Path) -> axum::Router {
    let db = Db::connect(&format!("sqlite://{}/test.db", root.display())).await.unwrap();
    let options = LeptosOptions::builder().output_name("vms").site_root(root.display().to_string()).build();
    server::router(AppState::new(options, db, Clock::default(), Config::default()))
}

#[tokio::test]
async fn hashed_assets_are_served_compressed_and_cached_for_a_year() {
    let root = std::env::temp_dir().join(format!("vms-site-{}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let js = "export function hydrate() { /* the app */ }\n".repeat(300);
    std::fs::write(pkg.join("vms.Xq3vTn0Bq0aJ2Vt9_1-dKw.js"), &js).unwrap();
    std::fs::write(pkg.join("vms.css"), "body { margin: 0 }\n".repeat(50)).unwrap();
    std::fs::write(pkg.join("chunk_3.Vkz9zle0XA_x-rkGcKxm8Q.wasm"), "\0asm module ".repeat(300)).unwrap();
    assert_eq!(server::assets::precompress(&pkg).unwrap(), 3);

    let router = site_router(&root).await;
    let get = |path: &str, encoding: &str| {
        Request::get(path).header(header::ACCEPT_ENCODING, encoding).body(Body::empty()).unwrap()
    };

    let res = router.clone().oneshot(get("/pkg/vms.Xq3vTn0Bq0aJ2Vt9_1-dKw.js", "gzip, br")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache", "an entry point names the route modules");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body.as_ref(), std::fs::read(pkg.join("vms.Xq3vTn0Bq0aJ2Vt9_1-dKw.js.br")).unwrap().as_slice());
    assert!(body.len() < js.len() / 10);

    let res = router.clone().oneshot(get("/pkg/vms.Xq3vTn0Bq0aJ2Vt9_1-dKw.js", "gzip")).await.unwrap();
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");

    let res = router.clone().oneshot(get("/pkg/chunk_3.Vkz9zle0XA_x-rkGcKxm8Q.wasm", "br")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");

    let res = router.clone().oneshot(get("/pkg/vms.css", "br")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache", "an unhashed name may change with the next build");

    let res = router.clone().oneshot(get("/pkg/missing.Xq3vTn0Bq0aJ2Vt9_1-dKw.js", "br")).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers().get(header::CACHE_CONTROL).is_none(), "a missing file is not cached for a year");
    let _ = std::fs::remove_dir_all(&root);
}

/// A file's answer never takes the headers of a page being rendered on the same thread (a
/// page would lose its Content-Security-Policy, with the nonce its scripts carry, and not
/// hydrate). leptos_axum's own file handler did: it read them from the thread's reactive
/// owner. Here the file is served while a page's owner is the thread's current one.
#[tokio::test]
async fn files_never_take_the_headers_of_a_page_rendered_beside_them() {
    use leptos::prelude::{provide_context, Owner};
    use leptos::reactive::computed::ScopedFuture;
    let root = std::env::temp_dir().join(format!("vms-site-policy-{}", std::process::id()));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/vms.css"), "body { margin: 0 }\n").unwrap();
    let router = site_router(&root).await;

    let page = Owner::new();
    let page_headers = leptos_axum::ResponseOptions::default();
    page.with(|| provide_context(page_headers.clone()));
    page_headers.insert_header(header::CONTENT_SECURITY_POLICY, "script-src 'nonce-page'".parse().unwrap());
    let request = Request::get("/pkg/vms.css").body(Body::empty()).unwrap();
    let res = page.with(|| ScopedFuture::new(router.oneshot(request))).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get(header::CONTENT_SECURITY_POLICY).is_none(), "a file answers without a page's policy");
    assert!(
        page_headers.0.read().unwrap().headers.contains_key(header::CONTENT_SECURITY_POLICY),
        "the page keeps its own"
    );
    let _ = std::fs::remove_dir_all(&root);
}
