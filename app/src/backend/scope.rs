//! An administrator's camera scope, applied in SQL.

/// SQL condition restricting camera alias `c` to the scope of the administrator whose id is
/// bound at placeholder `$n`. Superadmins and "all cameras" admins get `1 = 1` from the
/// `scope_all` column, so one statement serves every administrator. It is true or false,
/// never NULL (a camera without a location is simply not at one of the scope's locations),
/// so `NOT` of it is safe.
pub fn camera_condition(n: usize) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM administrators sa WHERE sa.id = ${n} AND sa.scope_all = 1) \
         OR EXISTS (SELECT 1 FROM administrator_scope_cameras sc WHERE sc.admin_id = ${n} AND sc.camera_id = c.id) \
         OR EXISTS (SELECT 1 FROM locations l JOIN administrator_scope_locations sl ON sl.csa_code = l.csa_code \
            WHERE sl.admin_id = ${n} AND l.id = c.location_id))"
    )
}

/// The cameras among `ids` that the scope of the administrator `admin` covers (cameras that
/// do not exist are not covered).
pub async fn covered<C: super::exec::Exec>(
    conn: &mut C,
    admin: i64,
    ids: &[i64],
) -> Result<std::collections::BTreeSet<i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows: Vec<(i64,)> = conn
        .rows(
            &format!("SELECT c.id FROM cameras c WHERE c.id IN ({list}) AND {}", camera_condition(1)),
            crate::args![admin],
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// What a scoped administrator may see of a list of camera ids: those in its scope, and
/// whether any were left out (to say that something is hidden). An administrator of every
/// camera sees them all without a query.
pub async fn keep_visible<C: super::exec::Exec>(
    conn: &mut C,
    admin: &super::principal::Admin,
    ids: &mut Vec<i64>,
) -> Result<bool, sqlx::Error> {
    if admin.scope_all {
        return Ok(false);
    }
    let seen = covered(conn, admin.id, ids).await?;
    let before = ids.len();
    ids.retain(|id| seen.contains(id));
    Ok(ids.len() != before)
}
