//! Audit actions: the code stored with each entry and what the audit log calls it.

pub const ACTIONS: &[(&str, &str)] = &[
    ("admin.sign_in", "Signed in"),
    ("admin.sign_in_failed", "Sign-in failed"),
    ("admin.sign_out", "Signed out"),
    ("admin.create", "Administrator created"),
    ("admin.update", "Administrator changed"),
    ("admin.disable", "Administrator disabled"),
    ("admin.enable", "Administrator enabled"),
    ("admin.password_reset", "Administrator password reset"),
    ("user.access_change", "User access changed"),
    ("subuser.access_change", "Sub-user access changed"),
    ("user.sync_cameras", "Cameras synchronized"),
    ("user.impersonate", "Log in as user requested"),
    ("user.impersonate_start", "Logged in as user"),
    ("user.impersonate_end", "Ended logging in as user"),
    ("subuser.create", "Sub-user created"),
    ("subuser.update", "Sub-user changed"),
    ("subuser.delete", "Sub-user deleted"),
    ("case.create", "Analytics case created"),
    ("case.delete", "Analytics case deleted"),
    ("intercom.create", "Intercom created"),
    ("intercom.update", "Intercom changed"),
    ("apartment.link", "Apartment linked"),
    ("apartment.unlink", "Apartment unlinked"),
    ("apartment.key_add", "Apartment key added"),
    ("apartment.key_remove", "Apartment key removed"),
    ("retention.purge", "Data removed by retention"),
    ("admin.export", "Table exported"),
];

pub fn action_label(code: &str) -> &str {
    ACTIONS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or(code)
}

pub fn is_action(code: &str) -> bool {
    ACTIONS.iter().any(|(c, _)| *c == code)
}
