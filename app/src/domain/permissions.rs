//! User permission slugs (SPEC §3) and administrator console permissions (SPEC §6).

use std::collections::BTreeSet;

pub struct Group {
    pub name: &'static str,
    pub slugs: &'static [(&'static str, &'static str)],
}

/// The groups of the Access Settings tab, in display order, each slug with its human name.
pub const GROUPS: &[Group] = &[
    Group {
        name: "Live and PTZ",
        slugs: &[("cameras-live", "Watch live video"), ("ptz-control", "Control PTZ cameras")],
    },
    Group {
        name: "Archive",
        slugs: &[
            ("archives-show", "Watch the archive"),
            ("archives-download", "Download the archive"),
            ("archives-preview-download", "Download archive previews"),
        ],
    },
    Group { name: "Events", slugs: &[("camera-events-index", "See camera events")] },
    Group {
        name: "Camera groups",
        slugs: &[
            ("groups-index", "See camera groups"),
            ("groups-store", "Create camera groups"),
            ("groups-rename", "Rename camera groups"),
            ("groups-destroy", "Delete camera groups"),
            ("groups-cameras-attach", "Add cameras to groups"),
            ("groups-cameras-detach", "Remove cameras from groups"),
        ],
    },
    Group {
        name: "Layouts",
        slugs: &[
            ("layouts-index", "See layouts"),
            ("layouts-store", "Create layouts"),
            ("layouts-rename", "Rename layouts"),
            ("layouts-destroy", "Delete layouts"),
            ("layouts-cameras-attach", "Add cameras to layouts"),
            ("layouts-cameras-detach", "Remove cameras from layouts"),
        ],
    },
    Group {
        name: "Marks",
        slugs: &[
            ("marks-index", "See marks"),
            ("marks-store", "Create marks"),
            ("marks-update", "Edit marks"),
            ("marks-destroy", "Delete marks"),
        ],
    },
    Group {
        name: "Intercoms",
        slugs: &[("intercoms-open-door", "Open doors"), ("intercoms-calls", "Answer intercom calls")],
    },
    Group { name: "Sub-users", slugs: &[("subusers-manage", "Manage sub-users")] },
];

pub const SUBUSERS_MANAGE: &str = "subusers-manage";

/// What a new sub-user starts with in the web client's form, where the parent allows it:
/// live video and the archive.
pub const NEW_SUB_USER_SLUGS: &[&str] = &["cameras-live", "archives-show"];

/// A typical sub-user's permissions (the demo data's): live video, the archive, camera
/// events and opening the door.
pub const TYPICAL_SUB_USER_SLUGS: &[&str] =
    &["cameras-live", "archives-show", "camera-events-index", "intercoms-open-door"];

/// Analytics types with their level and human name (SPEC §2).
pub const ANALYTICS_TYPES: &[(&str, u8, &str)] = &[
    ("loud-sounds", 1, "Loud sounds"),
    ("smoke-fire", 1, "Smoke and fire"),
    ("line-intersection", 1, "Line intersection"),
    ("camera-obstacle", 1, "Camera obstacle"),
    ("motion-detect", 1, "Motion detection"),
    ("person-counting", 2, "Person counting"),
    ("visitor-counting", 2, "Visitor counting"),
    ("face", 3, "Face recognition"),
    ("license-plate", 3, "Licence plate recognition"),
    ("container-number-recognition", 3, "Container number recognition"),
];

pub const ANALYTICS_PREFIX: &str = "analytic-cases-";
pub const LEVELS: [u8; 3] = [1, 2, 3];

pub fn analytics_slug(kind: &str) -> String {
    format!("{ANALYTICS_PREFIX}{kind}")
}

/// The level of an analytics type, by type name.
pub fn analytics_level(kind: &str) -> Option<u8> {
    ANALYTICS_TYPES.iter().find(|(t, ..)| *t == kind).map(|(_, l, _)| *l)
}

/// The level of an analytics permission slug, `None` for other slugs.
pub fn slug_level(slug: &str) -> Option<u8> {
    analytics_level(slug.strip_prefix(ANALYTICS_PREFIX)?)
}

/// Every known user permission slug.
pub fn all_slugs() -> Vec<String> {
    GROUPS
        .iter()
        .flat_map(|g| g.slugs.iter().map(|(s, _)| s.to_string()))
        .chain(ANALYTICS_TYPES.iter().map(|(t, ..)| analytics_slug(t)))
        .collect()
}

pub fn is_known_slug(slug: &str) -> bool {
    slug_level(slug).is_some() || GROUPS.iter().any(|g| g.slugs.iter().any(|(s, _)| *s == slug))
}

/// Human name of a slug ("Manage sub-users").
pub fn slug_name(slug: &str) -> String {
    if let Some(kind) = slug.strip_prefix(ANALYTICS_PREFIX) {
        if let Some((_, _, name)) = ANALYTICS_TYPES.iter().find(|(t, ..)| *t == kind) {
            return format!("Analytics: {name}");
        }
    }
    GROUPS
        .iter()
        .flat_map(|g| g.slugs.iter())
        .find(|(s, _)| *s == slug)
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| slug.to_string())
}

/// The set a new billing user gets: the first seven groups and every analytics slug.
pub fn default_user_slugs() -> Vec<String> {
    all_slugs().into_iter().filter(|s| s != SUBUSERS_MANAGE).collect()
}

/// Levels (1..=3) in which the given licence totals are positive.
pub fn licensed_levels(totals: &[(u8, i64)]) -> BTreeSet<u8> {
    totals.iter().filter(|(_, t)| *t > 0).map(|(l, _)| *l).collect()
}

/// The slugs of a user that take effect: analytics slugs only in licensed levels.
pub fn effective_user_slugs(stored: &[String], licensed: &BTreeSet<u8>) -> Vec<String> {
    stored.iter().filter(|s| slug_level(s).is_none_or(|l| licensed.contains(&l))).cloned().collect()
}

/// Checks the slugs an administrator saves for a user (SPEC §3): every slug must be known,
/// and an analytics slug of a level without licences may stay stored but not be newly
/// granted. Returns the slugs sorted and deduplicated, or each refused slug with its reason.
pub fn check_user_grant(
    requested: &[String],
    stored: &[String],
    licensed: &BTreeSet<u8>,
) -> Result<Vec<String>, Vec<(String, Refusal)>> {
    let mut refused = Vec::new();
    for slug in requested {
        if !is_known_slug(slug) {
            refused.push((slug.clone(), Refusal::Unknown));
        } else if let Some(level) = slug_level(slug) {
            if !licensed.contains(&level) && !stored.contains(slug) {
                refused.push((slug.clone(), Refusal::NeedsLicences(level)));
            }
        }
    }
    if !refused.is_empty() {
        return Err(refused);
    }
    let set: BTreeSet<&String> = requested.iter().collect();
    Ok(set.into_iter().cloned().collect())
}

/// Why a permission cannot be granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a permission of SPEC §3.
    Unknown,
    /// `subusers-manage`, which sub-users never hold.
    NeverForSubUsers,
    /// Analytics of a level the user holds no licences of.
    NeedsLicences(u8),
    /// Analytics of a level the sub-user's parent holds no licences of.
    ParentNeedsLicences(u8),
    /// A permission the sub-user's parent does not hold.
    NotHeldByParent,
}

/// What a user's sub-users may hold (SPEC §3): the parent's effective slugs, never
/// `subusers-manage`, analytics only in levels where the parent holds licences.
pub fn sub_user_allowed(parent_stored: &[String], parent_licensed: &BTreeSet<u8>) -> BTreeSet<String> {
    effective_user_slugs(parent_stored, parent_licensed).into_iter().filter(|s| s != SUBUSERS_MANAGE).collect()
}

/// The slugs of a sub-user that take effect now: stored and allowed.
pub fn effective_sub_user_slugs(stored: &[String], allowed: &BTreeSet<String>) -> Vec<String> {
    stored.iter().filter(|s| allowed.contains(*s)).cloned().collect()
}

/// Checks the slugs saved for a sub-user: a slug may be newly granted only when allowed; a
/// stored one that is disallowed for now may stay stored (it is not effective). Returns the
/// slugs sorted and deduplicated, or each refused slug with its reason.
pub fn check_sub_user_grant(
    requested: &[String],
    stored: &[String],
    parent_stored: &[String],
    parent_licensed: &BTreeSet<u8>,
) -> Result<Vec<String>, Vec<(String, Refusal)>> {
    let allowed = sub_user_allowed(parent_stored, parent_licensed);
    let mut refused = Vec::new();
    for slug in requested {
        let reason = if !is_known_slug(slug) {
            Some(Refusal::Unknown)
        } else if slug == SUBUSERS_MANAGE {
            Some(Refusal::NeverForSubUsers)
        } else if allowed.contains(slug) || stored.contains(slug) {
            None
        } else if let Some(level) = slug_level(slug).filter(|l| !parent_licensed.contains(l)) {
            Some(Refusal::ParentNeedsLicences(level))
        } else {
            Some(Refusal::NotHeldByParent)
        };
        if let Some(reason) = reason {
            refused.push((slug.clone(), reason));
        }
    }
    if !refused.is_empty() {
        return Err(refused);
    }
    let set: BTreeSet<&String> = requested.iter().collect();
    Ok(set.into_iter().cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_cover_seven_groups_and_analytics_but_not_subusers() {
        let d = default_user_slugs();
        assert!(!d.contains(&SUBUSERS_MANAGE.to_string()));
        for g in &GROUPS[..7] {
            for (s, _) in g.slugs {
                assert!(d.contains(&s.to_string()), "{s}");
            }
        }
        for (t, ..) in ANALYTICS_TYPES {
            assert!(d.contains(&analytics_slug(t)));
        }
        assert_eq!(d.len(), all_slugs().len() - 1);
    }

    #[test]
    fn slug_levels_and_names() {
        assert_eq!(slug_level("analytic-cases-face"), Some(3));
        assert_eq!(slug_level("analytic-cases-motion-detect"), Some(1));
        assert_eq!(slug_level("analytic-cases-person-counting"), Some(2));
        assert_eq!(slug_level("analytic-cases-nothing"), None);
        assert_eq!(slug_level("cameras-live"), None);
        assert_eq!(slug_name("subusers-manage"), "Manage sub-users");
        assert!(is_known_slug("marks-destroy"));
        assert!(!is_known_slug("marks-burn"));
        assert_eq!(all_slugs().len(), 25 + 10);
    }

    #[test]
    fn grants_refuse_unknown_slugs_and_new_unlicensed_analytics() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let licensed = licensed_levels(&[(1, 3)]);
        let stored = s(&["analytic-cases-face"]);
        assert_eq!(
            check_user_grant(
                &s(&["ptz-control", "cameras-live", "cameras-live", "analytic-cases-smoke-fire"]),
                &stored,
                &licensed
            ),
            Ok(s(&["analytic-cases-smoke-fire", "cameras-live", "ptz-control"]))
        );
        // Kept while stored, even without level-3 licences.
        assert_eq!(check_user_grant(&stored, &stored, &licensed), Ok(stored.clone()));
        let refused = check_user_grant(&s(&["analytic-cases-person-counting", "fly"]), &stored, &licensed).unwrap_err();
        assert_eq!(refused[0], ("analytic-cases-person-counting".into(), Refusal::NeedsLicences(2)));
        assert_eq!(refused[1].0, "fly");
    }

    /// Random parents, licences, stored sets and requests: whatever is accepted stays within
    /// the rules, and what takes effect is always allowed.
    #[test]
    fn sub_user_grants_stay_within_the_rules() {
        let all = all_slugs();
        let mut rng = crate::domain::rng::SplitMix64::new(31337);
        let pick = |rng: &mut crate::domain::rng::SplitMix64, p: u64| -> Vec<String> {
            all.iter().filter(|_| rng.chance(p)).cloned().collect()
        };
        for _ in 0..2_000 {
            let parent = pick(&mut rng, 60);
            let licensed: BTreeSet<u8> = LEVELS.iter().copied().filter(|_| rng.chance(50)).collect();
            let stored = pick(&mut rng, 30);
            let requested = pick(&mut rng, 40);
            let allowed = sub_user_allowed(&parent, &licensed);
            assert!(!allowed.contains(SUBUSERS_MANAGE));
            assert!(allowed.iter().all(|s| parent.contains(s) && slug_level(s).is_none_or(|l| licensed.contains(&l))));
            match check_sub_user_grant(&requested, &stored, &parent, &licensed) {
                Ok(granted) => {
                    assert!(granted.iter().all(|s| allowed.contains(s) || stored.contains(s)), "{granted:?}");
                    assert!(!granted.iter().any(|s| s == SUBUSERS_MANAGE));
                    let effective = effective_sub_user_slugs(&granted, &allowed);
                    assert!(effective.iter().all(|s| allowed.contains(s)));
                }
                Err(refused) => {
                    assert!(!refused.is_empty());
                    assert!(refused.iter().all(|(s, _)| requested.contains(s)
                        && (s == SUBUSERS_MANAGE || (!allowed.contains(s) && !stored.contains(s)))));
                }
            }
        }
    }

    #[test]
    fn sub_user_refusals_say_why() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let parent = s(&["cameras-live", "subusers-manage", "analytic-cases-face", "analytic-cases-smoke-fire"]);
        let licensed = licensed_levels(&[(1, 1)]);
        let r = check_sub_user_grant(
            &s(&["subusers-manage", "ptz-control", "analytic-cases-face"]),
            &[],
            &parent,
            &licensed,
        )
        .unwrap_err();
        assert_eq!(r[0].1, Refusal::NeverForSubUsers);
        assert_eq!(r[1].1, Refusal::NotHeldByParent);
        assert_eq!(r[2].1, Refusal::ParentNeedsLicences(3));
        // Stored but disallowed may stay; it is not effective.
        let kept = check_sub_user_grant(
            &s(&["analytic-cases-face", "cameras-live"]),
            &s(&["analytic-cases-face"]),
            &parent,
            &licensed,
        )
        .unwrap();
        assert_eq!(effective_sub_user_slugs(&kept, &sub_user_allowed(&parent, &licensed)), s(&["cameras-live"]));
    }

    #[test]
    fn analytics_slugs_only_effective_with_licences() {
        let stored = vec![
            "cameras-live".to_string(),
            "analytic-cases-face".to_string(),
            "analytic-cases-loud-sounds".to_string(),
        ];
        let licensed = licensed_levels(&[(1, 2), (2, 0), (3, 0)]);
        assert_eq!(
            effective_user_slugs(&stored, &licensed),
            vec!["cameras-live".to_string(), "analytic-cases-loud-sounds".to_string()]
        );
        let none = licensed_levels(&[]);
        assert_eq!(effective_user_slugs(&stored, &none), vec!["cameras-live".to_string()]);
    }
}
