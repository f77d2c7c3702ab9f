//! English and Russian: the page's language is the one chosen in the header (a cookie),
//! else the browser's (`Accept-Language`), else English; the server renders the page, its
//! dates, counts and the server's own messages in it.

use crate::common::{each_backend, world, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

async fn page(app: &TestApp, path: &str, cookie: Option<&str>, accept_language: Option<&str>) -> String {
    let mut req = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(l) = accept_language {
        req = req.header(header::ACCEPT_LANGUAGE, l);
    }
    let (status, _, text) = app.request(req.body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{path}: {text}");
    text
}

#[tokio::test]
async fn pages_are_rendered_in_the_chosen_language_else_the_browsers() {
    each_backend(|app| async move {
        let english = page(&app, "/login", None, None).await;
        assert!(english.contains(r#"<html lang="en""#), "{english}");
        assert!(english.contains("<title>Sign in · VMS Admin Console</title>"), "{english}");

        // The browser's preference, by weight; a language we do not have falls through.
        for header in ["ru-RU,ru;q=0.9,en;q=0.8", "de, en;q=0.5, ru;q=0.7", "ru"] {
            let russian = page(&app, "/login", None, Some(header)).await;
            assert!(russian.contains(r#"<html lang="ru""#), "{header}: {russian}");
            assert!(russian.contains("<title>Вход · Консоль администратора VMS</title>"), "{header}");
            assert!(russian.contains(">Пароль<"), "{header}");
        }
        for header in ["de", "en-GB,ru;q=0.9", "ru;q=0, en", "*"] {
            assert!(page(&app, "/login", None, Some(header)).await.contains(r#"<html lang="en""#), "{header}");
        }

        // The language chosen in the header wins over the browser's.
        assert!(page(&app, "/login", Some("vms_lang=en"), Some("ru")).await.contains(r#"<html lang="en""#));
        assert!(page(&app, "/login", Some("vms_lang=ru"), Some("en")).await.contains(r#"<html lang="ru""#));
        // A cookie naming no language of ours is ignored.
        assert!(page(&app, "/login", Some("vms_lang=xx"), Some("ru")).await.contains(r#"<html lang="ru""#));
        app
    })
    .await;
}

#[tokio::test]
async fn the_switch_remembers_the_language_and_returns_to_the_page() {
    each_backend(|app| async move {
        let (status, headers, _) = app.get("/language/ru?next=%2Fusers%2F5%2Fcameras%3Fsort%3Dname", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[header::LOCATION], "/users/5/cameras?sort=name");
        let cookie = headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with("vms_lang=ru; Path=/;"), "{cookie}");
        assert!(cookie.contains("Max-Age=31536000"), "{cookie}");

        // Only back to a page of this site; a language we do not have is not found.
        for next in ["%2F%2Fevil.example%2F", "https%3A%2F%2Fevil.example", "%2F%5Cevil.example"] {
            let (status, headers, _) = app.get(&format!("/language/en?next={next}"), None).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{next}");
            assert_eq!(headers[header::LOCATION], "/users", "{next}");
        }
        let (status, headers, _) = app.get("/language/de?next=%2Fusers", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(headers.get(header::SET_COOKIE).is_none());
        app
    })
    .await;
}

#[tokio::test]
async fn counts_dates_and_server_messages_follow_the_language() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let root = app.superadmin().await;
        app.create_admin("scoped", "admin", &["users-view"], &["IN-1"], &[]).await;
        let scoped = app.sign_in("scoped", "password-123").await.unwrap();
        let cameras = format!("/users/{}/cameras", w.user);

        // Plurals: 2 cameras for the superadmin, 1 in the scoped administrator's scope.
        let two = page(&app, &cameras, Some(&format!("{root}; vms_lang=ru")), None).await;
        assert!(two.contains(">2 камеры<"), "{two}");
        assert!(page(&app, &cameras, Some(&format!("{scoped}; vms_lang=ru")), None).await.contains(">1 камера<"));
        assert!(page(&app, &cameras, Some(&root), None).await.contains(">2 cameras<"));
        assert!(page(&app, &cameras, Some(&scoped), None).await.contains(">1 camera<"));

        // Dates: day first in Russian.
        let (y, m, d, ..) = app::domain::time::civil(app.now());
        let user_tab = format!("/users/{}/user", w.user);
        let ru = page(&app, &user_tab, Some(&format!("{root}; vms_lang=ru")), None).await;
        assert!(ru.contains(&format!("{d:02}.{m:02}.{y:04} ")), "{ru}");
        let en = page(&app, &user_tab, Some(&root), None).await;
        assert!(en.contains(&format!("{y:04}-{m:02}-{d:02} ")), "{en}");

        // The server's messages: a refused sign-in in the language of the request.
        for (cookie, message) in
            [("vms_lang=ru", "Неверный логин или пароль."), ("vms_lang=en", "Wrong login or password.")]
        {
            let req = Request::post("/api/console/sign_in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header(header::COOKIE, cookie)
                .body(Body::from("login=root&password=wrong-password"))
                .unwrap();
            let (status, _, text) = app.request(req).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
            assert!(text.contains(message), "{cookie}: {text}");
        }
        app
    })
    .await;
}
