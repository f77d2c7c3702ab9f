//! A realistic, deterministic demo data set: `VMS_DEMO_DATA=1` on an empty database, and
//! `server demo --users N [--seed S]`. Rows go in as multi-row inserts in one transaction.

use app::backend::db::{Backend, Db};
use app::backend::password;
use app::backend::sql::Arg;
use app::backend::token::hash_token;
use app::domain::permissions::{analytics_slug, default_user_slugs, ANALYTICS_TYPES, SUBUSERS_MANAGE};
use app::domain::rng::SplitMix64;
use app::domain::time::DAY_MS;
use app::error::AppError;
use serde_json::json;
use sqlx::AnyConnection;

mod batch;
mod words;
use batch::*;
use words::*;

/// The password of every demo user and sub-user.
pub const DEMO_USER_PASSWORD: &str = "demo-password";

#[derive(Debug, Default)]
pub struct Report {
    pub users: usize,
    pub sub_users: usize,
    pub locations: usize,
    pub cameras: usize,
    pub intercoms: usize,
    pub cases: usize,
    pub billing_events: usize,
}

pub async fn is_empty(db: &Db) -> Result<bool, AppError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await?;
    Ok(n == 0)
}

struct Ids {
    user: i64,
    location: i64,
    camera: i64,
    intercom: i64,
    link: i64,
    case: i64,
    event: i64,
}

/// How big the data set is beyond the number of users (for benchmarks at operator scale).
#[derive(Clone, Copy, Debug, Default)]
pub struct Scale {
    /// Older billing events per user on top of those that built the account.
    pub history_per_user: usize,
    /// The first user of the run gets this many cameras and billing events (0: like the others).
    pub heavy_cameras: usize,
    pub heavy_events: usize,
}

pub async fn generate(db: &Db, users: usize, seed: u64, now: i64) -> Result<Report, AppError> {
    generate_at_scale(db, users, Scale::default(), seed, now).await
}

pub async fn generate_at_scale(db: &Db, users: usize, scale: Scale, seed: u64, now: i64) -> Result<Report, AppError> {
    let hash = password::hash(DEMO_USER_PASSWORD.into()).await?;
    let mut rng = SplitMix64::new(seed);
    let mut tx = db.pool.begin().await?;
    let conn: &mut AnyConnection = &mut tx;
    let mut ids = Ids {
        user: max_id(conn, "users").await?,
        location: max_id(conn, "locations").await?,
        camera: max_id(conn, "cameras").await?,
        intercom: max_id(conn, "intercoms").await?,
        link: max_id(conn, "apartment_links").await?,
        case: max_id(conn, "analytics_cases").await?,
        event: max_id(conn, "billing_events").await?,
    };
    let run = ids.user; // distinguishes logins and codes of repeated runs
    let mut tables = Tables::all();
    let mut report = Report::default();
    let first_event = ids.event;

    // Locations, shared by neighbours: about 0.6 per user; one intercom per 4 locations.
    let n_loc = (users * 6 / 10).max(3);
    let mut loc_codes = Vec::with_capacity(n_loc);
    let mut loc_intercom: Vec<Option<(i64, i64, i64)>> = Vec::with_capacity(n_loc);
    for k in 0..n_loc {
        ids.location += 1;
        let code = format!("CSA-{run}-{k:06}");
        let (city, street) = (*rng.pick(CITIES), *rng.pick(STREETS));
        let house = (1 + rng.below(120)).to_string();
        let entrance = (1 + rng.below(6)).to_string();
        let created = now - 400 * DAY_MS + k as i64 * 1000;
        tables
            .push(
                conn,
                T_CSA,
                vec![code.clone().into(), city.into(), street.into(), house.clone().into(), entrance.clone().into()],
            )
            .await?;
        tables
            .push(
                conn,
                T_LOC,
                vec![ids.location.into(), code.clone().into(), format!("{street} {house}").into(), created.into()],
            )
            .await?;
        loc_codes.push((ids.location, code.clone()));
        if k % 4 == 0 {
            ids.intercom += 1;
            let flats = 20 + rng.below(100) as i64;
            let flat_from = 1 + (entrance.parse::<i64>().unwrap_or(1) - 1) * flats;
            let name = format!("Panel {street} {house}-{entrance}");
            let search = format!("{name} {city} {street} {house}").to_lowercase();
            tables
                .push(
                    conn,
                    T_ICOM,
                    vec![
                        ids.intercom.into(),
                        name.into(),
                        code.into(),
                        format!("Entrance {entrance}").into(),
                        flat_from.into(),
                        (flat_from + flats - 1).into(),
                        search.into(),
                        created.into(),
                    ],
                )
                .await?;
            loc_intercom.push(Some((ids.intercom, flat_from, flats)));
            report.intercoms += 1;
        } else {
            loc_intercom.push(None);
        }
    }
    report.locations = n_loc;

    let defaults = default_user_slugs();
    let span = 365 * DAY_MS;
    let mut event = |t_type: &str, entity: &str, user: i64, body: serde_json::Value, at: i64| {
        ids.event += 1;
        let payload = body.to_string();
        let response = json!({"id": format!("demo-{run}-{}", ids.event), "type": t_type, "event_id": ids.event, "user_id": user, "outcome": "applied"});
        vec![
            ids.event.into(),
            format!("demo-{run}-{}", ids.event).into(),
            t_type.into(),
            entity.into(),
            user.into(),
            hash_token(&payload).into(),
            payload.into(),
            "applied".into(),
            200i64.into(),
            response.to_string().into(),
            at.into(),
        ]
    };
    for i in 0..users {
        ids.user += 1;
        let uid = ids.user;
        let created = now - span + (i as i64) * (span / users.max(1) as i64);
        let (first, last) = (*rng.pick(FIRST), *rng.pick(LAST));
        let name = format!("{first} {last}");
        let login = format!("{}.{}{}", first.to_lowercase(), last.to_lowercase(), uid);
        let entity = format!("ENT-{uid:08}");
        let roll = rng.below(100);
        let status = if roll < 85 {
            "active"
        } else if roll < 95 {
            "paused"
        } else {
            "deleted"
        };
        let deleted_at = (status == "deleted").then(|| now - (1 + rng.below(20) as i64) * DAY_MS);
        let (location, code) = loc_codes[(i * 6 / 10).min(n_loc - 1)].clone();
        let props = json!({
            "contract": format!("C-{}-{:06}", 2024 + i % 3, uid),
            "phone": format!("+371 2{:07}", rng.below(10_000_000)),
            "email": format!("{login}@example.net"),
            "address": code,
            "tariff": rng.pick(TARIFFS),
        });
        tables
            .push(
                conn,
                T_USERS,
                vec![
                    uid.into(),
                    None::<i64>.into(),
                    entity.clone().into(),
                    login.clone().into(),
                    name.clone().into(),
                    hash.clone().into(),
                    props.to_string().into(),
                    status.into(),
                    format!("{name} {login}").to_lowercase().into(),
                    created.into(),
                    created.into(),
                    deleted_at.into(),
                ],
            )
            .await?;
        report.users += 1;
        let manages = rng.chance(20);
        for slug in defaults.iter().map(String::as_str).chain(manages.then_some(SUBUSERS_MANAGE)) {
            tables.push(conn, T_PERM, vec![uid.into(), slug.into()]).await?;
        }
        let mut at = created;
        let mut ev = |t: &str, body: serde_json::Value, at: &mut i64| {
            *at += 60_000;
            event(t, &entity, uid, body, *at)
        };
        tables.push(conn, T_BEV, ev("billing.new_entity", json!({"entity": entity, "login": login, "password": "[redacted]", "name": name, "properties": props}), &mut at)).await?;
        tables.push(conn, T_ULOC, vec![uid.into(), location.into(), created.into()]).await?;
        tables
            .push(conn, T_BEV, ev("billing.create_location", json!({"entity": entity, "csa": code}), &mut at))
            .await?;

        let heavy = i == 0 && scale.heavy_cameras > 0;
        let n_cameras = if heavy { scale.heavy_cameras as u64 } else { 1 + rng.below(5) };
        let mut cameras = Vec::new();
        for c in 0..n_cameras {
            ids.camera += 1;
            let cid = ids.camera;
            let mac = format!(
                "02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                (cid >> 32) & 255,
                (cid >> 24) & 255,
                (cid >> 16) & 255,
                (cid >> 8) & 255,
                cid & 255
            );
            let serial = format!("SN{cid:010}");
            let model = *rng.pick(MODELS);
            let cname = match c {
                0 => "Front door".to_string(),
                1 => "Yard".to_string(),
                2 => "Parking".to_string(),
                n => format!("Camera {}", n + 1),
            };
            tables
                .push(
                    conn,
                    T_CAM,
                    vec![
                        cid.into(),
                        mac.clone().into(),
                        serial.clone().into(),
                        cname.clone().into(),
                        model.into(),
                        location.into(),
                        "billing".into(),
                        at.into(),
                    ],
                )
                .await?;
            tables.push(conn, T_ACCESS, vec![uid.into(), cid.into(), at.into()]).await?;
            let streams: &[(&str, i64)] = match rng.below(100) {
                0..=9 => &[],
                10..=69 => &[("high", 1), ("low", 1)],
                70..=84 => &[("high", 1), ("low", 0)],
                _ => &[("high", 0), ("low", 0)],
            };
            for (s, up) in streams {
                tables
                    .push(
                        conn,
                        T_STREAM,
                        vec![cid.into(), (*s).into(), (*up).into(), (now - rng.below(DAY_MS as u64) as i64).into()],
                    )
                    .await?;
            }
            tables
                .push(
                    conn,
                    T_BEV,
                    ev(
                        "billing.new_camera",
                        json!({"entity": entity, "mac": mac, "serial_number": serial, "name": cname, "model": model}),
                        &mut at,
                    ),
                )
                .await?;
            tables
                .push(
                    conn,
                    T_BEV,
                    ev("billing.attach_camera", json!({"entity": entity, "mac": mac, "csa": code}), &mut at),
                )
                .await?;
            cameras.push(cid);
            report.cameras += 1;
        }

        if let Some((intercom, flat_from, flats)) = loc_intercom[(i * 6 / 10).min(n_loc - 1)] {
            if rng.chance(70) {
                ids.link += 1;
                let flat = flat_from + rng.below(flats as u64) as i64;
                tables
                    .push(conn, T_LINK, vec![ids.link.into(), intercom.into(), flat.into(), uid.into(), at.into()])
                    .await?;
                for k in 0..(1 + rng.below(2)) {
                    tables
                        .push(
                            conn,
                            T_KEY,
                            vec![ids.link.into(), intercom.into(), format!("K{:06X}{k}", ids.link).into(), at.into()],
                        )
                        .await?;
                }
            }
        }

        let mut totals = [0i64; 3];
        if rng.chance(30) {
            totals[0] = 2 + rng.below(4) as i64;
            if rng.chance(35) {
                totals[1] = 1 + rng.below(3) as i64;
            }
            if rng.chance(15) {
                totals[2] = 1 + rng.below(2) as i64;
            }
            for (l, total) in totals.iter().enumerate() {
                tables
                    .push(
                        conn,
                        T_LIC,
                        vec![
                            uid.into(),
                            (l as i64 + 1).into(),
                            (*total).into(),
                            (*total == 0).then_some(at).into(),
                            at.into(),
                        ],
                    )
                    .await?;
            }
            tables.push(conn, T_BEV, ev("billing.set_licences", json!({"entity": entity, "analytics_l1": totals[0], "analytics_l2": totals[1], "analytics_l3": totals[2]}), &mut at)).await?;
        }

        let mut subs = Vec::new();
        if manages {
            for s in 0..(1 + rng.below(3)) {
                ids.user += 1;
                let sid = ids.user;
                let sub_name = format!("{} {last}", rng.pick(FIRST));
                let sub_login = format!("{login}.sub{}", s + 1);
                tables
                    .push(
                        conn,
                        T_USERS,
                        vec![
                            sid.into(),
                            uid.into(),
                            Arg::NullText,
                            sub_login.clone().into(),
                            sub_name.clone().into(),
                            hash.clone().into(),
                            "{}".into(),
                            if status == "deleted" { "deleted" } else { "active" }.into(),
                            format!("{sub_name} {sub_login}").to_lowercase().into(),
                            (at + 1000).into(),
                            (at + 1000).into(),
                            deleted_at.into(),
                        ],
                    )
                    .await?;
                for slug in ["cameras-live", "archives-show", "camera-events-index", "intercoms-open-door"] {
                    tables.push(conn, T_PERM, vec![sid.into(), slug.into()]).await?;
                }
                if totals[0] > 0 {
                    tables.push(conn, T_PERM, vec![sid.into(), analytics_slug("motion-detect").into()]).await?;
                }
                for cam in cameras.iter().take(2) {
                    tables.push(conn, T_ACCESS, vec![sid.into(), (*cam).into(), (at + 1000).into()]).await?;
                }
                subs.push(sid);
                report.sub_users += 1;
            }
        }

        for (level, total) in totals.iter().enumerate().filter(|(_, t)| **t > 0) {
            let level = level as u8 + 1;
            let kinds: Vec<&str> = ANALYTICS_TYPES.iter().filter(|(_, l, _)| *l == level).map(|(t, ..)| *t).collect();
            let kind = *rng.pick(&kinds);
            ids.case += 1;
            let owner = if level == 1 && !subs.is_empty() && rng.chance(50) { subs[0] } else { uid };
            tables
                .push(
                    conn,
                    T_CASE,
                    vec![
                        ids.case.into(),
                        owner.into(),
                        uid.into(),
                        format!("{kind} watch").into(),
                        kind.into(),
                        i64::from(level).into(),
                        (at + 2000).into(),
                    ],
                )
                .await?;
            for cam in cameras.iter().take((*total as usize).min(cameras.len())) {
                tables.push(conn, T_CCAM, vec![ids.case.into(), (*cam).into()]).await?;
            }
            for e in 0..3 {
                let when = now - (e + 1) * 3 * 3_600_000;
                tables
                    .push(
                        conn,
                        T_CEV,
                        vec![
                            ids.case.into(),
                            format!("{kind}.detected").into(),
                            when.into(),
                            json!({"confidence": 0.8 + 0.05 * e as f64, "camera_id": cameras[0]}).to_string().into(),
                            when.into(),
                        ],
                    )
                    .await?;
            }
            report.cases += 1;
        }

        // Older history: password and licence changes, before the account's current state.
        let history =
            if heavy { scale.heavy_events.saturating_sub(8 + 2 * cameras.len()) } else { scale.history_per_user };
        let mut past = created - (history as i64 + 1) * 60_000;
        for h in 0..history {
            let body = if h % 2 == 0 {
                json!({"entity": entity, "password": "[redacted]"})
            } else {
                json!({"entity": entity, "analytics_l1": h % 5, "analytics_l2": 0, "analytics_l3": 0})
            };
            let kind = if h % 2 == 0 { "billing.update_password" } else { "billing.set_licences" };
            tables.push(conn, T_BEV, ev(kind, body, &mut past)).await?;
        }
        if status == "paused" {
            tables.push(conn, T_BEV, ev("billing.pause_entity", json!({"entity": entity}), &mut at)).await?;
        }
        if let Some(when) = deleted_at {
            tables
                .push(conn, T_BEV, ev("billing.terminate_entity", json!({"entity": entity}), &mut at.max(when)))
                .await?;
        }
    }
    tables.flush(conn).await?;
    report.billing_events = (max_id(conn, "billing_events").await? - first_event) as usize;
    if db.backend == Backend::Postgres {
        for table in [
            "users",
            "locations",
            "cameras",
            "intercoms",
            "apartment_links",
            "apartment_keys",
            "analytics_cases",
            "case_events",
            "billing_events",
        ] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            ))
            .execute(&mut *conn)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(report)
}
