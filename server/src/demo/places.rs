//! Locations (CSA codes with their addresses), shared by neighbours, and the intercoms of
//! their entrances.

use super::batch::*;
use super::words::*;
use super::Gen;
use app::domain::time::DAY_MS;
use app::error::AppError;
use sqlx::AnyConnection;

pub(super) struct Places {
    /// Each location: (id, CSA code).
    pub codes: Vec<(i64, String)>,
    /// Each location's intercom, if it has one: (id, first flat, flats).
    pub intercoms: Vec<Option<(i64, i64, i64)>>,
}

impl Gen {
    /// About 0.6 locations per user (at least 3); one intercom per 4 locations.
    pub(super) async fn places(&mut self, conn: &mut AnyConnection, users: usize) -> Result<Places, AppError> {
        let n = (users * 6 / 10).max(3);
        let mut places = Places { codes: Vec::with_capacity(n), intercoms: Vec::with_capacity(n) };
        for k in 0..n {
            self.ids.location += 1;
            let code = format!("CSA-{}-{k:06}", self.run);
            let (city, street) = (*self.rng.pick(CITIES), *self.rng.pick(STREETS));
            let house = (1 + self.rng.below(120)).to_string();
            let entrance = (1 + self.rng.below(6)).to_string();
            let created = self.now - 400 * DAY_MS + k as i64 * 1000;
            let csa =
                vec![code.clone().into(), city.into(), street.into(), house.clone().into(), entrance.clone().into()];
            self.tables.push(conn, T_CSA, csa).await?;
            let location =
                vec![self.ids.location.into(), code.clone().into(), format!("{street} {house}").into(), created.into()];
            self.tables.push(conn, T_LOC, location).await?;
            places.codes.push((self.ids.location, code.clone()));
            if k % 4 != 0 {
                places.intercoms.push(None);
                continue;
            }
            self.ids.intercom += 1;
            let flats = 20 + self.rng.below(100) as i64;
            let flat_from = 1 + (entrance.parse::<i64>().unwrap_or(1) - 1) * flats;
            let name = format!("Panel {street} {house}-{entrance}");
            let search = format!("{name} {city} {street} {house}").to_lowercase();
            let intercom = vec![
                self.ids.intercom.into(),
                name.into(),
                code.into(),
                format!("Entrance {entrance}").into(),
                flat_from.into(),
                (flat_from + flats - 1).into(),
                search.into(),
                created.into(),
            ];
            self.tables.push(conn, T_ICOM, intercom).await?;
            places.intercoms.push(Some((self.ids.intercom, flat_from, flats)));
            self.report.intercoms += 1;
        }
        self.report.locations = n;
        Ok(places)
    }
}
