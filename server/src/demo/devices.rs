//! Cameras with their streams, and apartments at intercoms with door keys.

use super::batch::*;
use super::people::Account;
use super::words::*;
use super::Gen;
use app::domain::billing::EventType;
use app::domain::camera::Stream;
use app::domain::time::DAY_MS;
use app::error::AppError;
use serde_json::json;
use sqlx::AnyConnection;

impl Gen {
    /// One to five cameras at the account's location (the heavy user: `Scale::heavy_cameras`),
    /// each with its streams and the billing requests that attached it; answers their ids.
    pub(super) async fn cameras(
        &mut self,
        conn: &mut AnyConnection,
        account: &mut Account,
        first: bool,
    ) -> Result<Vec<i64>, AppError> {
        account.heavy = first && self.scale.heavy_cameras > 0;
        let n = if account.heavy { self.scale.heavy_cameras as u64 } else { 1 + self.rng.below(5) };
        let mut cameras = Vec::new();
        let mut at = account.at;
        for c in 0..n {
            self.ids.camera += 1;
            let id = self.ids.camera;
            let mac = format!(
                "02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                (id >> 32) & 255,
                (id >> 24) & 255,
                (id >> 16) & 255,
                (id >> 8) & 255,
                id & 255
            );
            let serial = format!("SN{id:010}");
            let model = *self.rng.pick(MODELS);
            let name = match c {
                0 => "Front door".to_string(),
                1 => "Yard".to_string(),
                2 => "Parking".to_string(),
                n => format!("Camera {}", n + 1),
            };
            let row = vec![
                id.into(),
                mac.clone().into(),
                serial.clone().into(),
                name.clone().into(),
                model.into(),
                account.location.into(),
                "billing".into(),
                at.into(),
            ];
            self.tables.push(conn, T_CAM, row).await?;
            self.tables.push(conn, T_ACCESS, vec![account.id.into(), id.into(), at.into()]).await?;
            let streams: &[(Stream, i64)] = match self.rng.below(100) {
                0..=9 => &[],
                10..=69 => &[(Stream::High, 1), (Stream::Low, 1)],
                70..=84 => &[(Stream::High, 1), (Stream::Low, 0)],
                _ => &[(Stream::High, 0), (Stream::Low, 0)],
            };
            for (stream, up) in streams {
                let seen = self.now - self.rng.below(DAY_MS as u64) as i64;
                self.tables
                    .push(conn, T_STREAM, vec![id.into(), stream.name().into(), (*up).into(), seen.into()])
                    .await?;
            }
            let entity = &account.entity;
            let body = json!({"entity": entity, "mac": mac, "serial_number": serial, "name": name, "model": model});
            self.event(conn, account, EventType::NewCamera, body, &mut at).await?;
            let body = json!({"entity": entity, "mac": mac, "csa": account.csa});
            self.event(conn, account, EventType::AttachCamera, body, &mut at).await?;
            cameras.push(id);
            self.report.cameras += 1;
        }
        account.at = at;
        Ok(cameras)
    }

    /// Most subscribers at a location with an intercom live in one of its flats and hold one
    /// or two keys.
    pub(super) async fn apartment(
        &mut self,
        conn: &mut AnyConnection,
        account: &Account,
        intercom: Option<(i64, i64, i64)>,
    ) -> Result<(), AppError> {
        let Some((intercom, flat_from, flats)) = intercom else { return Ok(()) };
        if !self.rng.chance(70) {
            return Ok(());
        }
        self.ids.link += 1;
        let (link, at) = (self.ids.link, account.at);
        let flat = flat_from + self.rng.below(flats as u64) as i64;
        self.tables
            .push(conn, T_LINK, vec![link.into(), intercom.into(), flat.into(), account.id.into(), at.into()])
            .await?;
        for k in 0..(1 + self.rng.below(2)) {
            let key = vec![link.into(), intercom.into(), format!("K{link:06X}{k}").into(), at.into()];
            self.tables.push(conn, T_KEY, key).await?;
        }
        Ok(())
    }
}
