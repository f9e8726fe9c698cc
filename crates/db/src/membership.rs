//! Memberships (partner × program, L3, L4): the stored membership and its queries, from
//! enrolment (with its default link) to staff changes, the level history
//! ([`LevelChange`]), the progress figures that promote a membership, and its row lock.

use diesel::prelude::*;
use partnerly_domain::level::{Progress, Track};
use partnerly_domain::membership::{LevelChangeReason, MembershipStatus};
use partnerly_domain::money::Rate;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::conn::on_backend;
use crate::customer::CustomerCounts;
use crate::figures::{self, FigureChanges};
use crate::level::Level;
use crate::link::Link;
use crate::payment::Sales;
use crate::program::Program;
use crate::schema::{level_history, levels, memberships, programs};

/// A stored membership.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub id: i64,
    pub user_id: i64,
    pub program_id: i64,
    pub level_id: i64,
    pub track: Track,
    pub rate_override: Option<String>,
    pub status: MembershipStatus,
    pub joined_at: PrimitiveDateTime,
}

/// An entry of a membership's level history.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = level_history)]
pub struct LevelChange {
    pub id: i64,
    pub membership_id: i64,
    pub from_level_id: Option<i64>,
    pub to_level_id: i64,
    pub reason: LevelChangeReason,
    pub actor_id: Option<i64>,
    pub at: PrimitiveDateTime,
}

/// A membership's changes made by staff; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, PartialEq, AsChangeset)]
#[diesel(table_name = memberships)]
pub struct MembershipChanges {
    pub track: Option<Track>,
    pub rate_override: Option<Option<String>>,
    pub status: Option<MembershipStatus>,
}

impl Membership {
    /// The membership with this id.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Membership>> {
        on_backend!(conn, |c| memberships::table
            .find(id)
            .select(Membership::as_select())
            .get_result(c)
            .optional())
    }

    /// A partner's memberships with their program and level, oldest first.
    pub fn of_user(
        conn: &mut DbConn,
        user_id: i64,
    ) -> QueryResult<Vec<(Membership, Program, Level)>> {
        memberships::table
            .inner_join(programs::table)
            .inner_join(levels::table)
            .filter(memberships::user_id.eq(user_id))
            .order(memberships::id)
            .select((
                Membership::as_select(),
                Program::as_select(),
                Level::as_select(),
            ))
            .load(conn)
    }

    /// Enrols a partner in a program on its lowest referral level (or its lowest
    /// level), with a default link whose code comes from `new_code`. Does nothing and
    /// returns `None` when the partner is already a member or the program has no level.
    pub fn enrol(
        conn: &mut DbConn,
        user_id: i64,
        program: &Program,
        now: PrimitiveDateTime,
        mut new_code: impl FnMut() -> String,
    ) -> QueryResult<Option<Membership>> {
        let exists: i64 = memberships::table
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::program_id.eq(program.id))
            .count()
            .get_result(conn)?;
        if exists > 0 {
            return Ok(None);
        }
        let levels = Level::of_program(conn, program.id)?;
        let Some(level) = levels
            .iter()
            .find(|l| l.track() == Track::Referral)
            .or_else(|| levels.first())
        else {
            return Ok(None);
        };
        let membership: Membership = diesel::insert_into(memberships::table)
            .values((
                memberships::user_id.eq(user_id),
                memberships::program_id.eq(program.id),
                memberships::level_id.eq(level.id),
                memberships::track.eq(&level.track),
                memberships::status.eq(MembershipStatus::Active),
                memberships::joined_at.eq(now),
            ))
            .returning(memberships::all_columns)
            .get_result(conn)?;
        Self::record_level_change(
            conn,
            membership.id,
            None,
            level.id,
            LevelChangeReason::Enrolment,
            None,
            now,
        )?;
        Link::create(
            conn,
            membership.id,
            "Default link",
            true,
            now,
            &mut new_code,
        )?;
        Ok(Some(membership))
    }

    /// Moves a membership to another level and records why.
    pub fn set_level(
        conn: &mut DbConn,
        membership: &Membership,
        level_id: i64,
        reason: LevelChangeReason,
        actor_id: Option<i64>,
        now: PrimitiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(memberships::table.find(membership.id))
            .set(memberships::level_id.eq(level_id))
            .execute(conn)?;
        Self::record_level_change(
            conn,
            membership.id,
            Some(membership.level_id),
            level_id,
            reason,
            actor_id,
            now,
        )
    }

    fn record_level_change(
        conn: &mut DbConn,
        membership_id: i64,
        from: Option<i64>,
        to: i64,
        reason: LevelChangeReason,
        actor_id: Option<i64>,
        now: PrimitiveDateTime,
    ) -> QueryResult<()> {
        diesel::insert_into(level_history::table)
            .values((
                level_history::membership_id.eq(membership_id),
                level_history::from_level_id.eq(from),
                level_history::to_level_id.eq(to),
                level_history::reason.eq(reason),
                level_history::actor_id.eq(actor_id),
                level_history::at.eq(now),
            ))
            .execute(conn)
            .map(drop)
    }

    /// The membership's rate override (L4).
    pub fn rate_override(&self) -> Option<Rate> {
        self.rate_override
            .as_deref()
            .and_then(|r| Rate::parse(r).ok())
    }

    /// Whether the membership earns (suspended ones do not).
    pub fn is_active(&self) -> bool {
        self.status == MembershipStatus::Active
    }

    /// The membership's level history, newest first.
    pub fn history(conn: &mut DbConn, membership_id: i64) -> QueryResult<Vec<LevelChange>> {
        level_history::table
            .filter(level_history::membership_id.eq(membership_id))
            .order(level_history::id.desc())
            .select(LevelChange::as_select())
            .load(conn)
    }

    /// The progress figures that promote a membership: paying customers, and sales in the
    /// program's currency net of refunds, from the rollups the dashboard shows
    /// ([`figures`]) and the changes of the caller's unit of work not yet written.
    pub fn progress(
        &self,
        conn: &mut DbConn,
        program_currency: &str,
        pending: &FigureChanges,
    ) -> QueryResult<Progress> {
        let mut counts = figures::customer_counts(conn, &[self.id])?;
        counts.paying += pending.paying_of(self.id);
        // `progress_of` sums every entry of the program's currency: the stored and the
        // pending ones go side by side.
        let mut sales = figures::sales(conn, self.id)?;
        sales.extend(pending.sales_of(self.id));
        Ok(progress_of(&counts, &sales, program_currency))
    }

    /// The membership with its program and current level.
    pub fn with_program(
        conn: &mut DbConn,
        id: i64,
    ) -> QueryResult<Option<(Membership, Program, Level)>> {
        memberships::table
            .inner_join(programs::table)
            .inner_join(levels::table)
            .filter(memberships::id.eq(id))
            .select((
                Membership::as_select(),
                Program::as_select(),
                Level::as_select(),
            ))
            .get_result(conn)
            .optional()
    }

    /// The memberships of several partners with their program and level.
    pub fn of_users(
        conn: &mut DbConn,
        user_ids: &[i64],
    ) -> QueryResult<Vec<(Membership, Program, Level)>> {
        memberships::table
            .inner_join(programs::table)
            .inner_join(levels::table)
            .filter(memberships::user_id.eq_any(user_ids))
            .order(memberships::id)
            .select((
                Membership::as_select(),
                Program::as_select(),
                Level::as_select(),
            ))
            .load(conn)
    }

    /// Takes the membership's row lock until the transaction ends (PostgreSQL; on
    /// SQLite `BEGIN IMMEDIATE` already serialises writers), so that two requests
    /// about one membership run one after the other. Returns whether it exists.
    pub fn lock(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
        diesel::update(memberships::table.find(id))
            .set(memberships::status.eq(memberships::status))
            .execute(conn)
            .map(|n| n > 0)
    }

    /// Applies staff changes (the level changes through [`Membership::set_level`]).
    pub fn update(
        conn: &mut DbConn,
        id: i64,
        changes: &MembershipChanges,
    ) -> QueryResult<Membership> {
        if *changes == MembershipChanges::default() {
            return memberships::table
                .find(id)
                .select(Membership::as_select())
                .get_result(conn);
        }
        diesel::update(memberships::table.find(id))
            .set(changes)
            .returning(memberships::all_columns)
            .get_result(conn)
    }
}

/// Progress towards a level from a membership's customer counts and its sales per currency:
/// the paying customers, and the sales in the program's currency.
pub fn progress_of(
    counts: &CustomerCounts,
    sales: &[(String, Sales)],
    program_currency: &str,
) -> Progress {
    Progress {
        paying_customers: u32::try_from(counts.paying).unwrap_or(u32::MAX),
        sales_volume: sales
            .iter()
            .filter(|(code, _)| code == program_currency)
            .map(|(_, s)| s.net_minor)
            .sum(),
    }
}
