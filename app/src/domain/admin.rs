//! Administrators' roles and console permissions (SPEC §6): the one place their slugs are
//! written. Everything else names them by these types, so a typo is a compile error.

use serde::{Deserialize, Serialize};

/// A console permission; serialised as its SPEC slug (`users-view`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    UsersView,
    UsersImpersonate,
    UsersSyncCameras,
    UsersAccessEdit,
    SubusersAccessEdit,
    IntercomsEdit,
    AdminsManage,
    AuditView,
}

impl Permission {
    /// Every permission, in the order the console lists them.
    pub const ALL: [Permission; 8] = [
        Self::UsersView,
        Self::UsersImpersonate,
        Self::UsersSyncCameras,
        Self::UsersAccessEdit,
        Self::SubusersAccessEdit,
        Self::IntercomsEdit,
        Self::AdminsManage,
        Self::AuditView,
    ];

    /// The SPEC slug, as stored and sent.
    pub fn slug(self) -> &'static str {
        self.entry().0
    }

    /// What the console calls it.
    pub fn label(self) -> &'static str {
        self.entry().1
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.slug() == slug)
    }

    fn entry(self) -> (&'static str, &'static str) {
        match self {
            Self::UsersView => ("users-view", "View users"),
            Self::UsersImpersonate => ("users-impersonate", "Log in as user"),
            Self::UsersSyncCameras => ("users-sync-cameras", "Synchronize cameras"),
            Self::UsersAccessEdit => ("users-access-edit", "Edit user access"),
            Self::SubusersAccessEdit => ("subusers-access-edit", "Edit sub-user access"),
            Self::IntercomsEdit => ("intercoms-edit", "Edit intercoms"),
            Self::AdminsManage => ("admins-manage", "Manage administrators"),
            Self::AuditView => ("audit-view", "View the audit log"),
        }
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}

/// An administrator's role; serialised as `superadmin` or `admin`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every permission, every camera.
    Superadmin,
    /// The permissions and camera scope it is given.
    #[default]
    Admin,
}

impl Role {
    pub fn slug(self) -> &'static str {
        match self {
            Self::Superadmin => "superadmin",
            Self::Admin => "admin",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        [Self::Superadmin, Self::Admin].into_iter().find(|r| r.slug() == slug)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_the_spec_names_and_serde_agrees() {
        let slugs: Vec<&str> = Permission::ALL.iter().map(|p| p.slug()).collect();
        assert_eq!(
            slugs,
            [
                "users-view",
                "users-impersonate",
                "users-sync-cameras",
                "users-access-edit",
                "subusers-access-edit",
                "intercoms-edit",
                "admins-manage",
                "audit-view"
            ]
        );
        for p in Permission::ALL {
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.slug()));
            assert_eq!(Permission::from_slug(p.slug()), Some(p));
        }
        assert_eq!(Permission::from_slug("users-fly"), None);
        assert_eq!(serde_json::to_string(&Role::Superadmin).unwrap(), "\"superadmin\"");
        assert_eq!(Role::from_slug("admin"), Some(Role::Admin));
        assert_eq!(Role::from_slug("owner"), None);
    }
}
