//! Level promotion (L3): a membership climbs its track when its figures meet a higher
//! level's threshold.

use partnerly_db::DbConn;
use partnerly_db::level::Level;
use partnerly_db::membership::Membership;
use partnerly_domain::level::promoted_level;
use partnerly_domain::membership::LevelChangeReason;
use partnerly_domain::webhook_event::{LevelChanged, WebhookEvent};
use time::PrimitiveDateTime;

use super::CommissionError;
use super::batch::Batch;

/// Moves a membership up to the highest level of its track whose threshold it meets
/// (L3). Returns the new level when it moved.
pub fn promote(
    conn: &mut DbConn,
    lk: &mut Batch,
    membership: &Membership,
    now: PrimitiveDateTime,
) -> Result<Option<Level>, CommissionError> {
    // Nothing to reach: skip counting (most payments, on most programs).
    if !lk.can_climb(conn, membership)? {
        return Ok(None);
    }
    // Counted and moved under the membership's lock, from its level as it is now:
    // two transactions bringing customers to one partner at once must neither count
    // without each other's nor both move it.
    let Some(membership) = lk.lock_membership(conn, membership.id)? else {
        return Ok(None);
    };
    let membership = &membership;
    let levels: Vec<Level> = lk
        .levels(conn, membership.program_id)?
        .iter()
        .filter(|l| l.track == membership.track)
        .cloned()
        .collect();
    let Some(current) = levels.iter().find(|l| l.id == membership.level_id).cloned() else {
        return Ok(None);
    };
    let program = lk.program(conn, membership.program_id)?.clone();
    lk.flush(conn)?;
    let progress = membership.progress(conn, &program.currency, &lk.figures)?;
    let rungs = levels
        .iter()
        .map(Level::rung)
        .collect::<Result<Vec<_>, _>>()?;
    let target = promoted_level(&rungs, current.rung()?, progress);
    if target.level_id == current.id {
        return Ok(None);
    }
    let Some(new_level) = levels.into_iter().find(|l| l.id == target.level_id) else {
        return Ok(None);
    };
    Membership::set_level(
        conn,
        membership,
        new_level.id,
        LevelChangeReason::Promotion,
        None,
        now,
    )?;
    lk.memberships.remove(&membership.id);
    lk.enqueue(
        conn,
        WebhookEvent::LevelChanged(LevelChanged {
            membership_id: membership.id,
            program_id: program.id,
            from_level: current.name.clone(),
            to_level: new_level.name.clone(),
            reason: LevelChangeReason::Promotion,
        }),
    )?;
    tracing::info!(membership.id = membership.id, level = %new_level.name, "membership promoted");
    Ok(Some(new_level))
}
