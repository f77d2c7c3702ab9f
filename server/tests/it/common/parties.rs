//! Requests as the application's other parties send them: billing, the web client and its
//! API, an administrator logging in as a user; and the application under other settings.

use super::{test_config, TestApp};
use app::backend::state::{AppState, Config};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

impl TestApp {
    /// The same application on the same database and clock with other settings.
    pub fn reconfigured(&self, change: impl FnOnce(&mut Config)) -> (Router, AppState) {
        let mut config = test_config();
        change(&mut config);
        let state =
            AppState::new(self.state.leptos_options.clone(), self.state.db.clone(), self.state.clock.clone(), config);
        (server::router(state.clone()), state)
    }

    /// A request through another router (see `reconfigured`).
    pub async fn request_via(
        &self,
        router: &Router,
        req: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let res = router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    /// Sends a billing request with the test token: its status and answer.
    pub async fn billing_request(&self, body: &serde_json::Value) -> (StatusCode, serde_json::Value) {
        let req = Request::post("/api/billing/v1/requests")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, "Bearer test-billing-token")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, _, text) = self.request(req).await;
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
    }

    /// Sends a billing request; it must be applied.
    pub async fn billing(&self, body: serde_json::Value) -> serde_json::Value {
        let (status, answer) = self.billing_request(&body).await;
        assert_eq!(status, StatusCode::OK, "{body} → {answer}");
        answer
    }

    /// A JSON API call with a session cookie (`name=value`) or a bearer token (`Bearer …`).
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> (StatusCode, String) {
        let mut b = Request::builder().method(method).uri(path);
        match auth {
            Some(a) if a.starts_with("Bearer ") => b = b.header(header::AUTHORIZATION, a),
            Some(cookie) => b = b.header(header::COOKIE, cookie),
            None => {}
        }
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let (status, _, text) = self.request(b.body(body).unwrap()).await;
        (status, text)
    }

    /// Calls a web client server function (`/api/client/{endpoint}`): form fields, or a JSON
    /// body for those taking JSON.
    pub async fn client_fn(
        &self,
        endpoint: &str,
        cookie: Option<&str>,
        body: ClientBody<'_>,
    ) -> (StatusCode, serde_json::Value) {
        let mut b = Request::post(format!("/api/client/{endpoint}")).header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let body = match body {
            ClientBody::Form(fields) => {
                b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                let pairs: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{}={}", app::components::url::encode(k), app::components::url::encode(v)))
                    .collect();
                Body::from(pairs.join("&"))
            }
            ClientBody::Json(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
        };
        let (status, _, text) = self.request(b.body(body).unwrap()).await;
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
    }

    /// A web client session of a user or sub-user, as a `Cookie` value.
    pub async fn user_session(&self, login: &str, password: &str) -> String {
        let (status, _, text, cookie) = self.client_sign_in(login, password).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        cookie.expect("a session cookie")
    }

    /// Signs in to the web client: (status, headers, body, cookie).
    pub async fn client_sign_in(
        &self,
        login: &str,
        password: &str,
    ) -> (StatusCode, axum::http::HeaderMap, String, Option<String>) {
        let body = format!(
            "login={}&password={}",
            app::components::url::encode(login),
            app::components::url::encode(password)
        );
        let req = Request::post("/api/client/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap();
        let (status, headers, text) = self.request(req).await;
        let cookie = headers
            .get(header::SET_COOKIE)
            .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string())
            .filter(|c| !c.ends_with('='));
        (status, headers, text, cookie)
    }

    /// Log in as User: the administrator (by its console cookie) opens the web client as
    /// `user`; the web client's cookie.
    pub async fn impersonate(&self, admin_cookie: &str, user: i64) -> String {
        let (status, url) = self.call("impersonate_user", Some(admin_cookie), &[("id", &user.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        let (status, headers, body) = self.get(url.as_str().unwrap(), None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string()
    }
}

/// The body of a web client server function call.
pub enum ClientBody<'a> {
    Form(&'a [(&'a str, &'a str)]),
    Json(serde_json::Value),
}
