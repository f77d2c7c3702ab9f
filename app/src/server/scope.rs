//! An administrator's camera scope, applied in SQL.

/// SQL condition restricting camera alias `c` to the scope of the administrator whose id is
/// bound at placeholder `$n`. Superadmins and "all cameras" admins get `1 = 1` from the
/// `scope_all` column, so one statement serves every administrator.
pub fn camera_condition(n: usize) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM administrators sa WHERE sa.id = ${n} AND sa.scope_all = 1) \
         OR c.id IN (SELECT camera_id FROM administrator_scope_cameras WHERE admin_id = ${n}) \
         OR c.location_id IN (SELECT l.id FROM locations l JOIN administrator_scope_locations sl \
            ON sl.csa_code = l.csa_code WHERE sl.admin_id = ${n}))"
    )
}
