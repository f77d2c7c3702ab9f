//! Analytics licences and cases with their events.

use super::batch::*;
use super::people::Account;
use super::Gen;
use app::domain::billing::EventType;
use app::domain::permissions::ANALYTICS_TYPES;
use app::error::AppError;
use serde_json::json;
use sqlx::AnyConnection;

impl Gen {
    /// Licences for about a third of the subscribers: level 1, sometimes 2 and 3 too;
    /// answers the totals by level.
    pub(super) async fn licences(
        &mut self,
        conn: &mut AnyConnection,
        account: &mut Account,
    ) -> Result<[i64; 3], AppError> {
        let mut totals = [0i64; 3];
        if !self.rng.chance(30) {
            return Ok(totals);
        }
        totals[0] = 2 + self.rng.below(4) as i64;
        if self.rng.chance(35) {
            totals[1] = 1 + self.rng.below(3) as i64;
        }
        if self.rng.chance(15) {
            totals[2] = 1 + self.rng.below(2) as i64;
        }
        let at = account.at;
        for (level, total) in totals.iter().enumerate() {
            let row = vec![
                account.id.into(),
                (level as i64 + 1).into(),
                (*total).into(),
                (*total == 0).then_some(at).into(),
                at.into(),
            ];
            self.tables.push(conn, T_LIC, row).await?;
        }
        let body = json!({"entity": account.entity, "analytics_l1": totals[0], "analytics_l2": totals[1], "analytics_l3": totals[2]});
        let mut at = account.at;
        self.event(conn, account, EventType::SetLicences, body, &mut at).await?;
        account.at = at;
        Ok(totals)
    }

    /// A case of a random type in each licensed level (some of level 1 a sub-user's), on as
    /// many cameras as there are licences, with three recent events each.
    pub(super) async fn cases(
        &mut self,
        conn: &mut AnyConnection,
        account: &Account,
        cameras: &[i64],
        totals: [i64; 3],
        subs: &[i64],
    ) -> Result<(), AppError> {
        for (level, total) in totals.iter().enumerate().filter(|(_, t)| **t > 0) {
            let level = level as u8 + 1;
            let kinds: Vec<&str> = ANALYTICS_TYPES.iter().filter(|(_, l, _)| *l == level).map(|(t, ..)| *t).collect();
            let kind = *self.rng.pick(&kinds);
            self.ids.case += 1;
            let case = self.ids.case;
            let owner = if level == 1 && !subs.is_empty() && self.rng.chance(50) { subs[0] } else { account.id };
            let row = vec![
                case.into(),
                owner.into(),
                account.id.into(),
                format!("{kind} watch").into(),
                kind.into(),
                i64::from(level).into(),
                (account.at + 2000).into(),
            ];
            self.tables.push(conn, T_CASE, row).await?;
            for camera in cameras.iter().take((*total as usize).min(cameras.len())) {
                self.tables.push(conn, T_CCAM, vec![case.into(), (*camera).into()]).await?;
            }
            for e in 0..3 {
                let when = self.now - (e + 1) * 3 * 3_600_000;
                let data = json!({"confidence": 0.8 + 0.05 * e as f64, "camera_id": cameras[0]});
                let row = vec![
                    case.into(),
                    format!("{kind}.detected").into(),
                    when.into(),
                    data.to_string().into(),
                    when.into(),
                ];
                self.tables.push(conn, T_CEV, row).await?;
            }
            self.report.cases += 1;
        }
        Ok(())
    }
}
