//! The names people read for the domain's codes (statuses, event types, roles,
//! permissions, analytics types), in the page's language.
//!
//! Each `x(…)` names in the language of the page or request (`super::current()`); `x_in`
//! names in a given language. The English names are the domain's own (`label()`,
//! `GROUPS`, `ANALYTICS_TYPES`): the tests check that they agree.

use super::{current, td_string, Locale};
use crate::domain::admin::{Permission, Role};
use crate::domain::billing::{EventType, Outcome};
use crate::domain::camera::CameraStatus;
use crate::domain::permissions::{Refusal, ANALYTICS_PREFIX, GROUPS};
use crate::domain::user::{LoginProblem, UserStatus};

/// Why a login cannot be used, as a sentence: "Login must not contain spaces".
pub fn login_problem(problem: LoginProblem) -> &'static str {
    login_problem_in(current(), problem)
}

pub fn login_problem_in(l: Locale, problem: LoginProblem) -> &'static str {
    match problem {
        LoginProblem::Length => td_string!(l, domain.login_length),
        LoginProblem::Spaces => td_string!(l, domain.login_spaces),
    }
}

/// Why `slug` cannot be granted, as a sentence: "cameras-live is not held by the parent user".
pub fn refusal(slug: &str, why: Refusal) -> String {
    refusal_in(current(), slug, why)
}

/// Each refused slug with its sentence, as `AppError::fields` takes them.
pub fn refusals(refused: Vec<(String, Refusal)>) -> Vec<(String, String)> {
    refused.into_iter().map(|(slug, why)| (slug.clone(), refusal(&slug, why))).collect()
}

pub fn refusal_in(l: Locale, slug: &str, why: Refusal) -> String {
    match why {
        Refusal::Unknown => td_string!(l, domain.refusal_unknown, slug = slug).to_string(),
        Refusal::NeverForSubUsers => td_string!(l, domain.refusal_never, slug = slug).to_string(),
        Refusal::NeedsLicences(level) => td_string!(l, domain.refusal_level, slug = slug, level = level).to_string(),
        Refusal::ParentNeedsLicences(level) => {
            td_string!(l, domain.refusal_parent_level, slug = slug, level = level).to_string()
        }
        Refusal::NotHeldByParent => td_string!(l, domain.refusal_not_held, slug = slug).to_string(),
    }
}

/// A subscriber account's status: "active", "paused", "deleted".
pub fn user_status(status: UserStatus) -> &'static str {
    user_status_in(current(), status)
}

pub fn user_status_in(l: Locale, status: UserStatus) -> &'static str {
    match status {
        UserStatus::Active => td_string!(l, domain.user_status_active),
        UserStatus::Paused => td_string!(l, domain.user_status_paused),
        UserStatus::Deleted => td_string!(l, domain.user_status_deleted),
    }
}

/// A camera's status: "empty", "active", "partially active", "inactive".
pub fn camera_status(status: CameraStatus) -> &'static str {
    camera_status_in(current(), status)
}

pub fn camera_status_in(l: Locale, status: CameraStatus) -> &'static str {
    match status {
        CameraStatus::Empty => td_string!(l, domain.camera_status_empty),
        CameraStatus::Active => td_string!(l, domain.camera_status_active),
        CameraStatus::PartiallyActive => td_string!(l, domain.camera_status_partially_active),
        CameraStatus::Inactive => td_string!(l, domain.camera_status_inactive),
    }
}

/// A billing event type, as the Billing Events tab names it ("Billing. New entity").
pub fn event_type(t: EventType) -> &'static str {
    event_type_in(current(), t)
}

pub fn event_type_in(l: Locale, t: EventType) -> &'static str {
    match t {
        EventType::NewEntity => td_string!(l, domain.event_new_entity),
        EventType::PauseEntity => td_string!(l, domain.event_pause_entity),
        EventType::UnpauseEntity => td_string!(l, domain.event_unpause_entity),
        EventType::TerminateEntity => td_string!(l, domain.event_terminate_entity),
        EventType::CreateLocation => td_string!(l, domain.event_create_location),
        EventType::CreateLocationUnknownCsa => td_string!(l, domain.event_create_location_unknown_csa),
        EventType::DeleteLocation => td_string!(l, domain.event_delete_location),
        EventType::UpdateLogin => td_string!(l, domain.event_update_login),
        EventType::NewCamera => td_string!(l, domain.event_new_camera),
        EventType::AttachCamera => td_string!(l, domain.event_attach_camera),
        EventType::AttachCameraUnknownCsa => td_string!(l, domain.event_attach_camera_unknown_csa),
        EventType::DetachCamera => td_string!(l, domain.event_detach_camera),
        EventType::UnknownType => td_string!(l, domain.event_unknown_type),
        EventType::UpdatePassword => td_string!(l, domain.event_update_password),
        EventType::SetLicences => td_string!(l, domain.event_set_licences),
    }
}

/// The name of a stored event type code; a code this version does not know reads as the
/// unknown type ("Billing. Unknown type").
pub fn event_type_of(code: &str) -> &'static str {
    event_type_of_in(current(), code)
}

pub fn event_type_of_in(l: Locale, code: &str) -> &'static str {
    event_type_in(l, EventType::from_code(code).unwrap_or(EventType::UnknownType))
}

/// What became of a billing request: "pending", "applied", "rejected".
pub fn outcome(o: Outcome) -> &'static str {
    outcome_in(current(), o)
}

pub fn outcome_in(l: Locale, o: Outcome) -> &'static str {
    match o {
        Outcome::Applied => td_string!(l, domain.outcome_applied),
        Outcome::Rejected => td_string!(l, domain.outcome_rejected),
    }
}

/// An administrator's role: "superadmin", "admin".
pub fn role(r: Role) -> &'static str {
    role_in(current(), r)
}

pub fn role_in(l: Locale, r: Role) -> &'static str {
    match r {
        Role::Superadmin => td_string!(l, domain.role_superadmin),
        Role::Admin => td_string!(l, domain.role_admin),
    }
}

/// A console permission ("View users").
pub fn permission(p: Permission) -> &'static str {
    permission_in(current(), p)
}

pub fn permission_in(l: Locale, p: Permission) -> &'static str {
    match p {
        Permission::UsersView => td_string!(l, domain.console_users_view),
        Permission::UsersImpersonate => td_string!(l, domain.console_users_impersonate),
        Permission::UsersSyncCameras => td_string!(l, domain.console_users_sync_cameras),
        Permission::UsersAccessEdit => td_string!(l, domain.console_users_access_edit),
        Permission::SubusersAccessEdit => td_string!(l, domain.console_subusers_access_edit),
        Permission::IntercomsEdit => td_string!(l, domain.console_intercoms_edit),
        Permission::AdminsManage => td_string!(l, domain.console_admins_manage),
        Permission::AuditView => td_string!(l, domain.console_audit_view),
    }
}

/// A group of user permissions, by its English name (`Group::name`, or "Analytics");
/// a name this version does not know reads as "Other".
pub fn permission_group(group_name: &str) -> &'static str {
    permission_group_in(current(), group_name)
}

pub fn permission_group_in(l: Locale, group_name: &str) -> &'static str {
    match group_name {
        "Live and PTZ" => td_string!(l, domain.group_live_ptz),
        "Archive" => td_string!(l, domain.group_archive),
        "Events" => td_string!(l, domain.group_events),
        "Camera groups" => td_string!(l, domain.group_camera_groups),
        "Layouts" => td_string!(l, domain.group_layouts),
        "Marks" => td_string!(l, domain.group_marks),
        "Intercoms" => td_string!(l, domain.group_intercoms),
        "Sub-users" => td_string!(l, domain.group_sub_users),
        "Analytics" => td_string!(l, domain.group_analytics),
        _ => td_string!(l, domain.group_unknown),
    }
}

/// A user permission, by slug ("Watch live video", "Analytics: Face recognition"); a slug
/// this version does not know reads as "Unknown permission".
pub fn user_permission(slug: &str) -> &'static str {
    user_permission_in(current(), slug)
}

pub fn user_permission_in(l: Locale, slug: &str) -> &'static str {
    if let Some(kind) = slug.strip_prefix(ANALYTICS_PREFIX) {
        return analytics_permission_in(l, kind);
    }
    // Found by the domain's English name: slugs are written in the domain only.
    let name = GROUPS.iter().flat_map(|g| g.slugs.iter()).find(|(s, _)| *s == slug).map(|(_, name)| *name);
    match name.unwrap_or_default() {
        "Watch live video" => td_string!(l, domain.perm_cameras_live),
        "Control PTZ cameras" => td_string!(l, domain.perm_ptz_control),
        "Watch the archive" => td_string!(l, domain.perm_archives_show),
        "Download the archive" => td_string!(l, domain.perm_archives_download),
        "Download archive previews" => td_string!(l, domain.perm_archives_preview_download),
        "See camera events" => td_string!(l, domain.perm_camera_events_index),
        "See camera groups" => td_string!(l, domain.perm_groups_index),
        "Create camera groups" => td_string!(l, domain.perm_groups_store),
        "Rename camera groups" => td_string!(l, domain.perm_groups_rename),
        "Delete camera groups" => td_string!(l, domain.perm_groups_destroy),
        "Add cameras to groups" => td_string!(l, domain.perm_groups_cameras_attach),
        "Remove cameras from groups" => td_string!(l, domain.perm_groups_cameras_detach),
        "See layouts" => td_string!(l, domain.perm_layouts_index),
        "Create layouts" => td_string!(l, domain.perm_layouts_store),
        "Rename layouts" => td_string!(l, domain.perm_layouts_rename),
        "Delete layouts" => td_string!(l, domain.perm_layouts_destroy),
        "Add cameras to layouts" => td_string!(l, domain.perm_layouts_cameras_attach),
        "Remove cameras from layouts" => td_string!(l, domain.perm_layouts_cameras_detach),
        "See marks" => td_string!(l, domain.perm_marks_index),
        "Create marks" => td_string!(l, domain.perm_marks_store),
        "Edit marks" => td_string!(l, domain.perm_marks_update),
        "Delete marks" => td_string!(l, domain.perm_marks_destroy),
        "Open doors" => td_string!(l, domain.perm_intercoms_open_door),
        "Answer intercom calls" => td_string!(l, domain.perm_intercoms_calls),
        "Manage sub-users" => td_string!(l, domain.perm_subusers_manage),
        _ => td_string!(l, domain.perm_unknown),
    }
}

/// The permission of an analytics type ("Analytics: Face recognition").
fn analytics_permission_in(l: Locale, kind: &str) -> &'static str {
    match kind {
        "loud-sounds" => td_string!(l, domain.perm_analytics_loud_sounds),
        "smoke-fire" => td_string!(l, domain.perm_analytics_smoke_fire),
        "line-intersection" => td_string!(l, domain.perm_analytics_line_intersection),
        "camera-obstacle" => td_string!(l, domain.perm_analytics_camera_obstacle),
        "motion-detect" => td_string!(l, domain.perm_analytics_motion_detect),
        "person-counting" => td_string!(l, domain.perm_analytics_person_counting),
        "visitor-counting" => td_string!(l, domain.perm_analytics_visitor_counting),
        "face" => td_string!(l, domain.perm_analytics_face),
        "license-plate" => td_string!(l, domain.perm_analytics_license_plate),
        "container-number-recognition" => td_string!(l, domain.perm_analytics_container_number_recognition),
        _ => td_string!(l, domain.perm_unknown),
    }
}

/// An analytics type, by its type name ("face" → "Face recognition"); a type this version
/// does not know reads as "Unknown analytics type".
pub fn analytics_type(kind: &str) -> &'static str {
    analytics_type_in(current(), kind)
}

pub fn analytics_type_in(l: Locale, kind: &str) -> &'static str {
    match kind {
        "loud-sounds" => td_string!(l, domain.analytics_loud_sounds),
        "smoke-fire" => td_string!(l, domain.analytics_smoke_fire),
        "line-intersection" => td_string!(l, domain.analytics_line_intersection),
        "camera-obstacle" => td_string!(l, domain.analytics_camera_obstacle),
        "motion-detect" => td_string!(l, domain.analytics_motion_detect),
        "person-counting" => td_string!(l, domain.analytics_person_counting),
        "visitor-counting" => td_string!(l, domain.analytics_visitor_counting),
        "face" => td_string!(l, domain.analytics_face),
        "license-plate" => td_string!(l, domain.analytics_license_plate),
        "container-number-recognition" => td_string!(l, domain.analytics_container_number_recognition),
        _ => td_string!(l, domain.analytics_unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::permissions::{all_slugs, slug_name, ANALYTICS_TYPES};

    const BOTH: [Locale; 2] = [Locale::en, Locale::ru];
    const OUTCOMES: [Outcome; 2] = [Outcome::Applied, Outcome::Rejected];
    const ROLES: [Role; 2] = [Role::Superadmin, Role::Admin];
    const CAMERA_STATUSES: [CameraStatus; 4] =
        [CameraStatus::Empty, CameraStatus::Active, CameraStatus::PartiallyActive, CameraStatus::Inactive];

    /// Every name in both languages, each language naming the codes apart.
    fn named_in_both<T: Copy + std::fmt::Debug>(items: &[T], name: impl Fn(Locale, T) -> &'static str) {
        for l in BOTH {
            let names: std::collections::BTreeSet<&str> = items.iter().map(|t| name(l, *t)).collect();
            assert_eq!(names.len(), items.len(), "two codes share a name in {l}");
            for t in items {
                assert!(!name(l, *t).trim().is_empty(), "{t:?} has no name in {l}");
            }
        }
    }

    #[test]
    fn every_code_has_a_name_in_both_languages() {
        named_in_both(&UserStatus::ALL, user_status_in);
        named_in_both(&CAMERA_STATUSES, camera_status_in);
        named_in_both(&EventType::ALL, event_type_in);
        named_in_both(&OUTCOMES, outcome_in);
        named_in_both(&ROLES, role_in);
        named_in_both(&Permission::ALL, permission_in);
        let slugs = all_slugs();
        named_in_both(&slugs.iter().map(String::as_str).collect::<Vec<_>>(), user_permission_in);
        let groups: Vec<&str> = GROUPS.iter().map(|g| g.name).chain(["Analytics"]).collect();
        named_in_both(&groups, permission_group_in);
        let kinds: Vec<&str> = ANALYTICS_TYPES.iter().map(|(kind, ..)| *kind).collect();
        named_in_both(&kinds, analytics_type_in);
    }

    /// The English names are the domain's, and none is left untranslated in Russian.
    #[test]
    fn english_names_are_the_domains() {
        for t in EventType::ALL {
            assert_eq!(event_type_in(Locale::en, t), t.label());
            assert_eq!(event_type_of_in(Locale::en, t.code()), t.label());
            assert_ne!(event_type_in(Locale::ru, t), t.label());
        }
        for s in CAMERA_STATUSES {
            assert_eq!(camera_status_in(Locale::en, s), s.label());
        }
        for s in UserStatus::ALL {
            assert_eq!(user_status_in(Locale::en, s), s.as_str());
        }
        for o in OUTCOMES {
            assert_eq!(outcome_in(Locale::en, o), o.as_str());
        }
        for r in ROLES {
            assert_eq!(role_in(Locale::en, r), r.slug());
        }
        for p in Permission::ALL {
            assert_eq!(permission_in(Locale::en, p), p.label());
            assert_ne!(permission_in(Locale::ru, p), p.label());
        }
        for slug in all_slugs() {
            assert_eq!(user_permission_in(Locale::en, &slug), slug_name(&slug), "{slug}");
            assert_ne!(user_permission_in(Locale::ru, &slug), slug_name(&slug), "{slug}");
        }
        for g in GROUPS {
            assert_eq!(permission_group_in(Locale::en, g.name), g.name);
        }
        for (kind, _, name) in ANALYTICS_TYPES {
            assert_eq!(analytics_type_in(Locale::en, kind), *name);
            assert_ne!(analytics_type_in(Locale::ru, kind), *name);
        }
    }

    #[test]
    fn unknown_codes_read_as_unknown() {
        assert_eq!(event_type_of_in(Locale::en, "billing.whatever"), "Billing. Unknown type");
        assert_eq!(event_type_of_in(Locale::ru, "billing.whatever"), "Биллинг. Неизвестный тип");
        assert_eq!(user_permission_in(Locale::en, "fly"), "Unknown permission");
        assert_eq!(user_permission_in(Locale::ru, &format!("{ANALYTICS_PREFIX}fly")), "Неизвестное право");
        assert_eq!(analytics_type_in(Locale::en, "fly"), "Unknown analytics type");
        assert_eq!(permission_group_in(Locale::ru, "Spare"), "Другое");
        assert_eq!(camera_status_in(Locale::ru, CameraStatus::PartiallyActive), "частично активна");
    }
}
