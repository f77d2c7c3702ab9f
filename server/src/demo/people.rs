//! Subscribers and their sub-users.

use super::batch::*;
use super::words::*;
use super::Gen;
use app::backend::sql::Arg;
use app::domain::billing::EventType;
use app::domain::permissions::{analytics_slug, default_user_slugs, SUBUSERS_MANAGE, TYPICAL_SUB_USER_SLUGS};
use app::domain::time::DAY_MS;
use app::domain::user::UserStatus;
use app::error::AppError;
use serde_json::json;
use sqlx::AnyConnection;

/// A subscriber being made.
pub(super) struct Account {
    pub id: i64,
    pub entity: String,
    pub login: String,
    pub last_name: &'static str,
    pub status: UserStatus,
    pub deleted_at: Option<i64>,
    pub created: i64,
    /// The time of its latest billing request so far.
    pub at: i64,
    pub location: i64,
    pub csa: String,
    pub manages_sub_users: bool,
    /// The benchmark's heavy user (`Scale::heavy_*`).
    pub heavy: bool,
}

impl Gen {
    /// The `i`-th of `users` subscribers, created over the past year at `place`: its row,
    /// permissions and the requests that created it and its location.
    pub(super) async fn account(
        &mut self,
        conn: &mut AnyConnection,
        i: usize,
        users: usize,
        place: &(i64, String),
    ) -> Result<Account, AppError> {
        const SPAN: i64 = 365 * DAY_MS;
        self.ids.user += 1;
        let id = self.ids.user;
        let created = self.now - SPAN + (i as i64) * (SPAN / users.max(1) as i64);
        let (first, last) = (*self.rng.pick(FIRST), *self.rng.pick(LAST));
        let name = format!("{first} {last}");
        let login = format!("{}.{}{}", first.to_lowercase(), last.to_lowercase(), id);
        let entity = format!("ENT-{id:08}");
        let status = match self.rng.below(100) {
            0..85 => UserStatus::Active,
            85..95 => UserStatus::Paused,
            _ => UserStatus::Deleted,
        };
        let deleted_at = (status == UserStatus::Deleted).then(|| self.now - (1 + self.rng.below(20) as i64) * DAY_MS);
        let (location, csa) = place.clone();
        let props = json!({
            "contract": format!("C-{}-{:06}", 2024 + i % 3, id),
            "phone": format!("+371 2{:07}", self.rng.below(10_000_000)),
            "email": format!("{login}@example.net"),
            "address": csa,
            "tariff": self.rng.pick(TARIFFS),
        });
        let row = vec![
            id.into(),
            None::<i64>.into(),
            entity.clone().into(),
            login.clone().into(),
            name.clone().into(),
            self.hash.clone().into(),
            props.to_string().into(),
            status.as_str().into(),
            format!("{name} {login}").to_lowercase().into(),
            created.into(),
            created.into(),
            deleted_at.into(),
        ];
        self.tables.push(conn, T_USERS, row).await?;
        self.report.users += 1;
        let manages_sub_users = self.rng.chance(20);
        for slug in default_user_slugs().iter().map(String::as_str).chain(manages_sub_users.then_some(SUBUSERS_MANAGE))
        {
            self.tables.push(conn, T_PERM, vec![id.into(), slug.into()]).await?;
        }
        let mut account = Account {
            id,
            entity: entity.clone(),
            login: login.clone(),
            last_name: last,
            status,
            deleted_at,
            created,
            at: created,
            location,
            csa: csa.clone(),
            manages_sub_users,
            heavy: false,
        };
        let mut at = created;
        let body =
            json!({"entity": entity, "login": login, "password": "[redacted]", "name": name, "properties": props});
        self.event(conn, &account, EventType::NewEntity, body, &mut at).await?;
        self.tables.push(conn, T_ULOC, vec![id.into(), location.into(), created.into()]).await?;
        self.event(conn, &account, EventType::CreateLocation, json!({"entity": entity, "csa": csa}), &mut at).await?;
        account.at = at;
        Ok(account)
    }

    /// One to three sub-users of a subscriber that manages them, with a few permissions and
    /// two of its cameras; answers their ids.
    pub(super) async fn sub_users(
        &mut self,
        conn: &mut AnyConnection,
        account: &Account,
        cameras: &[i64],
        licences: [i64; 3],
    ) -> Result<Vec<i64>, AppError> {
        let mut subs = Vec::new();
        if !account.manages_sub_users {
            return Ok(subs);
        }
        let at = account.at + 1000;
        for s in 0..(1 + self.rng.below(3)) {
            self.ids.user += 1;
            let id = self.ids.user;
            let name = format!("{} {}", self.rng.pick(FIRST), account.last_name);
            let login = format!("{}.sub{}", account.login, s + 1);
            let status = if account.status == UserStatus::Deleted { UserStatus::Deleted } else { UserStatus::Active };
            let row = vec![
                id.into(),
                account.id.into(),
                Arg::NullText,
                login.clone().into(),
                name.clone().into(),
                self.hash.clone().into(),
                "{}".into(),
                status.as_str().into(),
                format!("{name} {login}").to_lowercase().into(),
                at.into(),
                at.into(),
                account.deleted_at.into(),
            ];
            self.tables.push(conn, T_USERS, row).await?;
            for slug in TYPICAL_SUB_USER_SLUGS {
                self.tables.push(conn, T_PERM, vec![id.into(), (*slug).into()]).await?;
            }
            if licences[0] > 0 {
                self.tables.push(conn, T_PERM, vec![id.into(), analytics_slug("motion-detect").into()]).await?;
            }
            for camera in cameras.iter().take(2) {
                self.tables.push(conn, T_ACCESS, vec![id.into(), (*camera).into(), at.into()]).await?;
            }
            subs.push(id);
            self.report.sub_users += 1;
        }
        Ok(subs)
    }
}
