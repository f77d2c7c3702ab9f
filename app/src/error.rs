//! The one error type of the application: every server function returns it, and it maps
//! once to an HTTP status and to the message a person sees.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("You do not have permission to do this.")]
    Forbidden,
    /// A refusal that says why.
    #[error("{0}")]
    ForbiddenWhy(String),
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    /// A 422 that names each refused field with its reasons; the message sums them up.
    #[error("{message}")]
    Fields { message: String, fields: Vec<(String, String)> },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyAttempts(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("Something went wrong on the server. Please try again.")]
    Internal,
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden | Self::ForbiddenWhy(_) => 403,
            Self::NotFound => 404,
            Self::Invalid(_) | Self::Fields { .. } => 422,
            Self::Conflict(_) => 409,
            Self::TooManyAttempts(_) => 429,
            Self::TooLarge(_) => 413,
            Self::Internal => 500,
            Self::Transport(_) => 503,
        }
    }
}

impl AppError {
    /// What a person reads, in the language of the page or request: the fixed messages
    /// translated, the others as carried (they are written in that language already). The
    /// English `Display` stays for logs and the JSON APIs.
    pub fn message(&self) -> String {
        self.message_in(crate::lang::current())
    }

    /// `message` in a given language (a handler outside the app's pages).
    pub fn message_in(&self, locale: crate::lang::Locale) -> String {
        use crate::lang::td_string;
        match self {
            Self::Unauthorized => td_string!(locale, common.error_unauthorized).to_string(),
            Self::Forbidden => td_string!(locale, common.error_forbidden).to_string(),
            Self::NotFound => td_string!(locale, common.error_not_found).to_string(),
            Self::Internal => td_string!(locale, common.error_internal).to_string(),
            Self::Transport(detail) => td_string!(locale, common.error_transport, detail = detail).to_string(),
            Self::ForbiddenWhy(m)
            | Self::Invalid(m)
            | Self::Conflict(m)
            | Self::TooManyAttempts(m)
            | Self::TooLarge(m)
            | Self::Fields { message: m, .. } => m.clone(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Request(d) | ServerFnErrorErr::Response(d) => Self::Transport(d),
            ServerFnErrorErr::Args(d) | ServerFnErrorErr::MissingArg(d) => {
                let locale = crate::lang::current();
                Self::Invalid(crate::lang::td_string!(locale, common.error_not_understood, detail = d).to_string())
            }
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failure");
                let _ = other;
                Self::Internal
            }
        };
        #[cfg(feature = "ssr")]
        error.set_response_status();
        error
    }
}

impl AppError {
    /// A 422 for one field; `sentence` says what is wrong, in the request's language
    /// ("Login has already been taken"), without the final period.
    pub fn field(field: &str, sentence: impl Into<String>) -> Self {
        let sentence = sentence.into();
        Self::Fields { message: format!("{sentence}."), fields: vec![(field.to_string(), sentence)] }
    }

    /// A 422 for several fields, each with its sentence; the message lists them all.
    pub fn fields(fields: Vec<(String, String)>) -> Self {
        let list = fields.iter().map(|(_, sentence)| sentence.as_str()).collect::<Vec<_>>().join("; ");
        Self::Fields { message: format!("{list}."), fields }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Sets the status of the response being built (server functions and pages).
    pub fn set_response_status(&self) {
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(self.status()) {
                res.set_status(status);
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        // Database details go to the log, never to the browser.
        tracing::error!(error = %e, "database error");
        Self::Internal
    }
}

pub type AppResult<T> = Result<T, AppError>;
