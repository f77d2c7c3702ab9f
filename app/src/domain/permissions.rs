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

/// Administrator console permissions (SPEC §6).
pub const CONSOLE_PERMISSIONS: &[(&str, &str)] = &[
    ("users-view", "View users"),
    ("users-impersonate", "Log in as user"),
    ("users-sync-cameras", "Synchronize cameras"),
    ("users-access-edit", "Edit user access"),
    ("subusers-access-edit", "Edit sub-user access"),
    ("intercoms-edit", "Edit intercoms"),
    ("admins-manage", "Manage administrators"),
    ("audit-view", "View the audit log"),
];

pub fn is_console_permission(slug: &str) -> bool {
    CONSOLE_PERMISSIONS.iter().any(|(s, _)| *s == slug)
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
