//! Static assets as served: precompressed brotli/gzip chosen by Accept-Encoding, a year of
//! caching for hashed modules and styles, revalidation for the rest.

use app::backend::db::Db;
use app::backend::state::{AppState, Clock, Config};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;

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

    let db = Db::connect(&format!("sqlite://{}/test.db", root.display())).await.unwrap();
    let state = AppState::new(
        LeptosOptions::builder().output_name("vms").site_root(root.display().to_string()).build(),
        db,
        Clock::default(),
        Config::default(),
    );
    let router = server::router(state);
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

/// Pages rendered while files are served beside them keep their own headers: a file's
/// answer must not take a page's Content-Security-Policy (with the nonce its scripts carry).
/// The web client's home waits on the database while it renders, so files are served
/// meanwhile on the same thread (leptos_axum's own file handler failed this).
#[tokio::test]
async fn pages_keep_their_policy_while_files_are_served_beside_them() {
    let root = std::env::temp_dir().join(format!("vms-site-policy-{}", std::process::id()));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/vms.css"), "body { margin: 0 }\n").unwrap();
    let db = Db::connect(&format!("sqlite://{}/test.db", root.display())).await.unwrap();
    let state = AppState::new(
        LeptosOptions::builder().output_name("vms").site_root(root.display().to_string()).build(),
        db,
        Clock::default(),
        crate::common::test_config(),
    );
    let router = server::router(state);
    let send = |req: Request<Body>| {
        let router = router.clone();
        async move {
            let res = router.oneshot(req).await.unwrap();
            let (parts, body) = res.into_parts();
            (parts, String::from_utf8_lossy(&body.collect().await.unwrap().to_bytes()).to_string())
        }
    };
    let new_user = r#"{"id":"p-1","type":"billing.new_entity","entity":"P-1","login":"pat","password":"pat-password","name":"Pat"}"#;
    let (parts, text) = send(
        Request::post("/api/billing/v1/requests")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, "Bearer test-billing-token")
            .body(Body::from(new_user))
            .unwrap(),
    )
    .await;
    assert_eq!(parts.status, StatusCode::OK, "{text}");
    let (parts, text) = send(
        Request::post("/api/client/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from("login=pat&password=pat-password"))
            .unwrap(),
    )
    .await;
    assert_eq!(parts.status, StatusCode::OK, "{text}");
    let cookie = parts.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();

    let mut tasks = Vec::new();
    for i in 0..300 {
        let req = if i % 3 == 0 {
            Request::get("/client").header(header::COOKIE, &cookie).body(Body::empty()).unwrap()
        } else {
            Request::get("/pkg/vms.css").body(Body::empty()).unwrap()
        };
        tasks.push(tokio::spawn(send(req)));
    }
    for task in tasks {
        let (parts, body) = task.await.unwrap();
        assert_eq!(parts.status, StatusCode::OK, "{body}");
        let policy = parts.headers.get(header::CONTENT_SECURITY_POLICY).map(|v| v.to_str().unwrap().to_string());
        if body.contains("<html") {
            let policy = policy.expect("a page has a policy");
            let nonce = policy.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("with a nonce");
            assert!(body.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the policy's nonce");
        } else {
            assert_eq!(policy, None, "a file answers without a page's policy");
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}
