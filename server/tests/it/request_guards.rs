//! What every request goes through (regression tests of the security review): sign-in
//! throttling and redirects, cross-site refusal, page headers, body limits, secrets kept out
//! of storage and off the command line. Each runs on SQLite and, with TEST_POSTGRES_URL, on
//! PostgreSQL.

use crate::common::{each_backend, world, TestApp, USER_PASSWORD};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

/// Signs in to the console from an address (through the trusted header).
async fn sign_in_from(app: &TestApp, router: &axum::Router, login: &str, password: &str, addr: &str) -> StatusCode {
    let body = format!("login={login}&password={password}");
    let req = Request::post("/api/console/sign_in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", format!("10.9.9.9, {addr}"))
        .body(Body::from(body))
        .unwrap();
    app.request_via(router, req).await.0
}

#[tokio::test]
async fn sign_in_is_counted_before_hashing_throttled_per_login_and_address_and_bounded() {
    each_backend(|app| async move {
        app.create_admin("boss", "admin", &["users-view"], &[], &[]).await;
        let (router, _) = app.reconfigured(|c| c.client_ip_header = Some("x-forwarded-for".into()));
        // Parallel guesses at one login: only the free attempts reach a password check.
        let guesses = (0..16).map(|_| sign_in_from(&app, &router, "boss", "guess", "10.0.0.1"));
        let statuses = futures::future::join_all(guesses).await;
        let checked = statuses.iter().filter(|s| **s != StatusCode::TOO_MANY_REQUESTS).count();
        assert!((1..=5).contains(&checked), "{statuses:?}");
        // The stranger goes on guessing, waiting out each wait: the waits grow long (a minute
        // now) for it, while the real administrator, elsewhere, is not kept out at all.
        for _ in 0..6 {
            app.state.clock.advance_ms(40_000);
            assert_ne!(sign_in_from(&app, &router, "boss", "guess", "10.0.0.1").await, StatusCode::TOO_MANY_REQUESTS);
        }
        assert_eq!(sign_in_from(&app, &router, "boss", "guess", "10.0.0.1").await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(sign_in_from(&app, &router, "boss", "password-123", "10.0.0.9").await, StatusCode::OK);
        // Guesses at one login from many addresses: after 50, the login waits, a minute at most.
        let mut spread = Vec::new();
        for i in 0..60 {
            spread.push(sign_in_from(&app, &router, "boss", "guess", &format!("10.2.0.{i}")).await);
        }
        assert!(spread[..50].iter().all(|s| *s != StatusCode::TOO_MANY_REQUESTS), "{spread:?}");
        assert!(spread[50..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{spread:?}");
        assert_eq!(
            sign_in_from(&app, &router, "boss", "password-123", "10.0.0.9").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        app.state.clock.advance_ms(61_000);
        assert_eq!(sign_in_from(&app, &router, "boss", "password-123", "10.0.0.9").await, StatusCode::OK);
        // One address guessing many logins is stopped after 20, other addresses are not.
        for i in 0..20 {
            assert_ne!(
                sign_in_from(&app, &router, &format!("nobody{i}"), "guess", "10.0.0.3").await,
                StatusCode::TOO_MANY_REQUESTS
            );
        }
        assert_eq!(
            sign_in_from(&app, &router, "nobody-else", "guess", "10.0.0.3").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(sign_in_from(&app, &router, "boss", "password-123", "10.0.0.4").await, StatusCode::OK);
        // Hashing is bounded: one at a time (held here), one waiting, the rest refused at once.
        let (narrow, state) = app.reconfigured(|c| {
            c.sign_in_hashers = 1;
            c.sign_in_queue = 1;
            c.client_ip_header = Some("x-forwarded-for".into());
        });
        let turn = state.sign_ins.enter(false).await.expect("the only turn");
        let flood = (0..10).map(|i| {
            let narrow = narrow.clone();
            let app = &app;
            async move { sign_in_from(app, &narrow, &format!("flood{i}"), "guess", &format!("10.1.0.{i}")).await }
        });
        let release = async {
            tokio::time::sleep(Duration::from_millis(800)).await;
            drop(turn);
        };
        let (statuses, ()) = tokio::join!(futures::future::join_all(flood), release);
        let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!(refused, 9, "{statuses:?}");
        // A password typed as a login is not kept anywhere.
        let _ = app.sign_in("Correct-Horse-Battery", "x").await;
        for (table, column) in [
            ("audit_entries", "actor_login"),
            ("audit_entries", "target_label"),
            ("audit_entries", "details"),
            ("sign_in_throttle", "throttle_key"),
        ] {
            let n =
                app.scalar(&format!("SELECT COUNT(*) FROM {table} WHERE LOWER({column}) LIKE '%correct-horse%'")).await;
            assert_eq!(n, 0, "{table}.{column}");
        }
        let (last,): (String,) = sqlx::query_as(
            "SELECT target_label FROM audit_entries WHERE action = 'admin.sign_in_failed' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        assert_eq!(last, "(unknown login)", "the attempt is audited without the login typed");
        app
    })
    .await;
}

#[tokio::test]
async fn sign_in_follows_only_same_site_next_paths() {
    each_backend(|app| async move {
        app.create_admin("boss", "admin", &["users-view"], &[], &[]).await;
        for (next, expected) in [
            ("/users/1/cameras", "/users/1/cameras"),
            ("//evil.example", "/users"),
            ("/\\evil.example", "/users"),
            ("/\t/evil.example", "/users"),
            ("/%09/evil.example", "/users"),
            ("/%2F%2Fevil.example", "/users"),
            ("https://evil.example", "/users"),
            ("javascript:alert(1)", "/users"),
        ] {
            let (status, target) =
                app.call("sign_in", None, &[("login", "boss"), ("password", "password-123"), ("next", next)]).await;
            assert_eq!((status, target.as_str()), (StatusCode::OK, Some(expected)), "{next:?}");
        }
        app
    })
    .await;
}

#[tokio::test]
async fn cross_site_requests_are_refused() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let root = app.superadmin().await;
        let post = |headers: &[(&str, &str)]| {
            let mut b = Request::post("/api/console/users")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header(header::COOKIE, &root)
                .header(header::HOST, "vms.local");
            for (k, v) in headers {
                b = b.header(*k, *v);
            }
            b.body(Body::empty()).unwrap()
        };
        for headers in [
            &[("sec-fetch-site", "cross-site")][..],
            &[("sec-fetch-site", "same-site")],
            &[("origin", "https://evil.example")],
            &[("origin", "null")],
        ] {
            let (status, _, text) = app.request(post(headers)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}: {text}");
        }
        for headers in [&[("sec-fetch-site", "same-origin")][..], &[("origin", "http://vms.local")], &[]] {
            assert_eq!(app.request(post(headers)).await.0, StatusCode::OK, "{headers:?}");
        }
        // Sign-in forms posted from another site, and Log in as User links followed from one.
        let req = Request::post("/api/console/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from("login=root&password=password-123"))
            .unwrap();
        assert_eq!(app.request(req).await.0, StatusCode::FORBIDDEN);
        let (_, url) = app.call("impersonate_user", Some(&root), &[("id", &w.user.to_string())]).await;
        let req =
            Request::get(url.as_str().unwrap()).header("sec-fetch-site", "cross-site").body(Body::empty()).unwrap();
        assert_eq!(app.request(req).await.0, StatusCode::FORBIDDEN);
        // Apps with bearer tokens are not browsers' sessions: not refused.
        let (_, text) = app
            .api("POST", "/api/client/v1/sessions", None, Some(&json!({"login": "ulla", "password": USER_PASSWORD})))
            .await;
        let token = serde_json::from_str::<Value>(&text).unwrap()["token"].as_str().unwrap().to_string();
        let req = Request::delete(format!("/api/client/v1/cases/{}", w.inside_case))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.request(req).await.0, StatusCode::NO_CONTENT);
        app
    })
    .await;
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_and_defensive_headers() {
    each_backend(|app| async move {
        let (status, headers, html) = app.get("/login", None).await;
        assert_eq!(status, StatusCode::OK);
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
        let nonce = policy.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce in the policy");
        assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the policy's nonce");
        for part in ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "'wasm-unsafe-eval'"] {
            assert!(policy.contains(part), "{policy}");
        }
        // Every inline script carries the nonce.
        for script in html.split("<script").skip(1) {
            let open = script.split('>').next().unwrap();
            assert!(open.contains("src=") || open.contains(&format!("nonce=\"{nonce}\"")), "<script{open}>");
        }
        let (_, again, _) = app.get("/login", None).await;
        assert_ne!(
            again[header::CONTENT_SECURITY_POLICY],
            headers[header::CONTENT_SECURITY_POLICY],
            "a nonce per page"
        );
        for (name, value) in
            [("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"), ("referrer-policy", "same-origin")]
        {
            assert_eq!(headers[name], value);
        }
        let (_, api, _) = app.get("/api/billing/v1/openapi.json", None).await;
        assert_eq!(api["x-content-type-options"], "nosniff");
        app
    })
    .await;
}

#[tokio::test]
async fn bodies_over_their_limit_are_refused_without_being_read() {
    each_backend(|app| async move {
        let root = app.superadmin().await;
        let form = |size: usize, chunked: bool| {
            let body = format!("q={}", "a".repeat(size));
            let mut b = Request::post("/api/console/users")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header(header::COOKIE, &root);
            if !chunked {
                b = b.header(header::CONTENT_LENGTH, body.len());
            }
            if chunked {
                let chunks = body
                    .into_bytes()
                    .chunks(64 * 1024)
                    .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
                    .collect::<Vec<_>>();
                b.body(Body::from_stream(futures::stream::iter(chunks))).unwrap()
            } else {
                b.body(Body::from(body)).unwrap()
            }
        };
        for (size, chunked) in [(1_536 * 1024, false), (3 * 1024 * 1024, false), (2 * 1024 * 1024, true)] {
            let (status, _, text) = app.request(form(size, chunked)).await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{size} chunked={chunked}: {text}");
            assert!(text.contains("larger than 1 MiB"), "{text}");
        }
        assert_eq!(app.request(form(100, true)).await.0, StatusCode::OK, "a small chunked body passes");
        let big = json!({"id": "big", "type": "billing.new_entity", "entity": "E", "pad": "x".repeat(70 * 1024)});
        let (status, text) =
            app.api("POST", "/api/billing/v1/requests", Some("Bearer test-billing-token"), Some(&big)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
        assert!(text.contains("\"message\""), "the APIs' error shape: {text}");
        app
    })
    .await;
}

#[tokio::test]
async fn secrets_stay_out_of_storage() {
    each_backend(|app| async move {
        let body = json!({"id": "pw-1", "type": "billing.new_entity", "entity": "E-PW", "login": "pw", "password": "hunter2-secret", "name": "PW"});
        let first = app.billing(body.clone()).await;
        let (hash,): (String,) = sqlx::query_as("SELECT body_hash FROM billing_events WHERE request_id = 'pw-1'")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_ne!(hash, app::backend::token::hash_token(&body.to_string()), "not a plain hash of the body");
        let payload = app.scalar("SELECT COUNT(*) FROM billing_events WHERE payload LIKE '%hunter2%' OR response LIKE '%hunter2%'").await;
        assert_eq!(payload, 0);
        // Still idempotent: the same body replays, another password is a conflict.
        assert_eq!(app.billing(body.clone()).await, first);
        let mut other = body.clone();
        other["password"] = json!("another-secret");
        let (status, _) = app.api("POST", "/api/billing/v1/requests", Some("Bearer test-billing-token"), Some(&other)).await;
        assert_eq!(status, StatusCode::CONFLICT);
        app
    })
    .await;
}

/// `server admin create` takes the password from the environment or standard input, and
/// warns when it is given on the command line.
#[tokio::test]
async fn admin_create_keeps_the_password_off_the_command_line() {
    let dir = std::env::temp_dir().join(format!("vms-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/cli.db", dir.display());
    let run = |args: &[&str], env: Option<&str>, stdin: &str| {
        use std::io::Write;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        cmd.args(args).env("DATABASE_URL", &url).env_remove("VMS_ADMIN_PASSWORD");
        if let Some(p) = env {
            cmd.env("VMS_ADMIN_PASSWORD", p);
        }
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let from_env = run(&["admin", "create", "--login", "env-admin"], Some("env-password-1"), "");
    assert!(from_env.status.success(), "{}", String::from_utf8_lossy(&from_env.stderr));
    let from_stdin = run(&["admin", "create", "--login", "stdin-admin"], None, "stdin-password-1\n");
    assert!(from_stdin.status.success(), "{}", String::from_utf8_lossy(&from_stdin.stderr));
    let given = run(&["admin", "create", "--login", "argv-admin", "--password", "argv-password-1"], None, "");
    assert!(given.status.success());
    assert!(String::from_utf8_lossy(&given.stderr).contains("warning"), "a warning for a password in the arguments");
    let db = app::backend::db::Db::connect(&url).await.unwrap();
    for (login, password) in [("env-admin", "env-password-1"), ("stdin-admin", "stdin-password-1")] {
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM administrators WHERE login = $1")
            .bind(login)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert!(app::backend::password::verify(password.into(), Some(hash)).await, "{login}");
    }
    db.pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
