//! Billing events: the requests that built each account, and older history before them.

use super::batch::*;
use super::people::Account;
use super::Gen;
use app::backend::token::hash_token;
use app::domain::billing::{EventType, Outcome};
use app::domain::user::UserStatus;
use app::error::AppError;
use serde_json::{json, Value};
use sqlx::AnyConnection;

impl Gen {
    /// Records an applied billing request of `account` a minute after `at` (which moves on).
    pub(super) async fn event(
        &mut self,
        conn: &mut AnyConnection,
        account: &Account,
        kind: EventType,
        body: Value,
        at: &mut i64,
    ) -> Result<(), AppError> {
        *at += 60_000;
        self.ids.event += 1;
        let (id, run) = (self.ids.event, self.run);
        let payload = body.to_string();
        let response = json!({"id": format!("demo-{run}-{id}"), "type": kind, "event_id": id, "user_id": account.id, "outcome": Outcome::Applied});
        let row = vec![
            id.into(),
            format!("demo-{run}-{id}").into(),
            kind.code().into(),
            account.entity.clone().into(),
            account.id.into(),
            hash_token(&payload).into(),
            payload.into(),
            Outcome::Applied.as_str().into(),
            200i64.into(),
            response.to_string().into(),
            (*at).into(),
        ];
        self.tables.push(conn, T_BEV, row).await
    }

    /// Older password and licence changes, before the account's current state; then its
    /// pause or termination.
    pub(super) async fn history(
        &mut self,
        conn: &mut AnyConnection,
        account: &mut Account,
        cameras: usize,
    ) -> Result<(), AppError> {
        let history = if account.heavy {
            self.scale.heavy_events.saturating_sub(8 + 2 * cameras)
        } else {
            self.scale.history_per_user
        };
        let entity = account.entity.clone();
        let mut past = account.created - (history as i64 + 1) * 60_000;
        for h in 0..history {
            let (kind, body) = if h % 2 == 0 {
                (EventType::UpdatePassword, json!({"entity": entity, "password": "[redacted]"}))
            } else {
                (
                    EventType::SetLicences,
                    json!({"entity": entity, "analytics_l1": h % 5, "analytics_l2": 0, "analytics_l3": 0}),
                )
            };
            self.event(conn, account, kind, body, &mut past).await?;
        }
        if account.status == UserStatus::Paused {
            let mut at = account.at;
            self.event(conn, account, EventType::PauseEntity, json!({"entity": entity}), &mut at).await?;
            account.at = at;
        }
        if let Some(when) = account.deleted_at {
            // After the account's last change, or at its deletion if later.
            let mut at = account.at.max(when);
            self.event(conn, account, EventType::TerminateEntity, json!({"entity": entity}), &mut at).await?;
        }
        Ok(())
    }
}
