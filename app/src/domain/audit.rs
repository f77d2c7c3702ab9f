//! Audit actions: the codes stored with the entries (the audit log names them in the
//! page's language).

pub const ACTIONS: &[&str] = &[
    "admin.sign_in",
    "admin.sign_in_failed",
    "admin.sign_out",
    "admin.create",
    "admin.update",
    "admin.disable",
    "admin.enable",
    "admin.password_reset",
    "user.access_change",
    "subuser.access_change",
    "user.sync_cameras",
    "user.impersonate",
    "user.impersonate_start",
    "user.impersonate_end",
    "subuser.create",
    "subuser.update",
    "subuser.delete",
    "case.create",
    "case.delete",
    "intercom.create",
    "intercom.update",
    "apartment.link",
    "apartment.unlink",
    "apartment.key_add",
    "apartment.key_remove",
    "retention.purge",
    "admin.export",
];

pub fn is_action(code: &str) -> bool {
    ACTIONS.contains(&code)
}
