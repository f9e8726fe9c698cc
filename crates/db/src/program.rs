//! Programs (L1): the stored settings and every query about a program, including the
//! default program of a fresh installation and whether money was booked in its currency.

use diesel::prelude::*;
use partnerly_domain::level::{DurationKind, Track};
use partnerly_domain::money::Currency;
use partnerly_domain::program::PayoutSchedule;
use partnerly_domain::tracking::AttributionModel;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::level::NewLevel;
use crate::schema::{adjustments, client_bonuses, commissions, memberships, programs};

/// A stored program.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = programs)]
pub struct Program {
    pub id: i64,
    pub name: String,
    pub currency: String,
    pub attribution_window_days: i32,
    pub hold_days: i32,
    pub minimum_payout_minor: i64,
    pub payout_schedule: PayoutSchedule,
    pub landing_url: String,
    pub allowed_domains: String,
    pub rules_text: String,
    pub self_signup: bool,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub attribution_model: AttributionModel,
}

/// A program to create.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = programs)]
pub struct NewProgram {
    pub name: String,
    pub currency: String,
    pub attribution_window_days: i32,
    pub hold_days: i32,
    pub minimum_payout_minor: i64,
    pub payout_schedule: PayoutSchedule,
    pub landing_url: String,
    pub allowed_domains: String,
    pub rules_text: String,
    pub self_signup: bool,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub attribution_model: AttributionModel,
}

impl Program {
    /// The program with this id.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Program>> {
        programs::table
            .find(id)
            .select(Program::as_select())
            .get_result(conn)
            .optional()
    }

    /// Every program, oldest first.
    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Program>> {
        programs::table
            .order(programs::id)
            .select(Program::as_select())
            .load(conn)
    }

    /// The program's currency (stored codes are validated on write).
    pub fn currency(&self) -> Option<Currency> {
        Currency::parse(&self.currency).ok()
    }

    /// Creates the default program (with one level) when there is no program at all:
    /// a fresh installation is usable at once and admins edit it later. Returns whether
    /// it was created.
    pub fn ensure_default(
        conn: &mut DbConn,
        landing_url: &str,
        now: PrimitiveDateTime,
    ) -> QueryResult<bool> {
        crate::write_transaction(conn, |conn| {
            let count: i64 = programs::table.count().get_result(conn)?;
            if count > 0 {
                return Ok(false);
            }
            let program = NewProgram {
                name: "Referral program".into(),
                currency: "USD".into(),
                attribution_window_days: 14,
                hold_days: 31,
                minimum_payout_minor: 5_000,
                payout_schedule: PayoutSchedule::OnRequest,
                landing_url: landing_url.into(),
                allowed_domains: String::new(),
                rules_text: "Earn 20% of every payment your referred customers make in their \
                             first 12 months."
                    .into(),
                self_signup: true,
                created_at: now,
                updated_at: now,
                attribution_model: AttributionModel::LastClick,
            }
            .insert(conn)?;
            NewLevel {
                program_id: program.id,
                position: 1,
                name: "Partner".into(),
                track: Track::Referral,
                flat_minor: None,
                percent: Some("20".into()),
                duration_kind: DurationKind::Months,
                duration_months: Some(12),
                bonus_minor: None,
                bonus_trigger: None,
                threshold_kind: None,
                threshold_value: None,
                created_at: now,
                updated_at: now,
            }
            .insert(conn)?;
            Ok(true)
        })
    }

    /// Programs partners join by signing up.
    pub fn open_for_signup(conn: &mut DbConn) -> QueryResult<Vec<Program>> {
        programs::table
            .filter(programs::self_signup.eq(true))
            .order(programs::id)
            .select(Program::as_select())
            .load(conn)
    }

    /// Replaces the program's settings (`values.created_at` should be the original).
    pub fn update(conn: &mut DbConn, id: i64, values: &NewProgram) -> QueryResult<Program> {
        diesel::update(programs::table.find(id))
            .set(values)
            .returning(programs::all_columns)
            .get_result(conn)
    }

    /// Whether money was booked in the program's currency for its memberships:
    /// commissions, client bonuses or adjustments. Its currency is fixed from then on.
    pub fn has_money(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
        let members = || {
            memberships::table
                .filter(memberships::program_id.eq(id))
                .select(memberships::id)
        };
        let commissions: i64 = commissions::table
            .filter(commissions::membership_id.eq_any(members()))
            .count()
            .get_result(conn)?;
        let bonuses: i64 = client_bonuses::table
            .filter(client_bonuses::membership_id.eq_any(members()))
            .count()
            .get_result(conn)?;
        let adjustments: i64 = adjustments::table
            .filter(adjustments::membership_id.eq_any(members()))
            .count()
            .get_result(conn)?;
        Ok(commissions + bonuses + adjustments > 0)
    }
}

impl NewProgram {
    /// Stores the program.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<Program> {
        diesel::insert_into(programs::table)
            .values(self)
            .returning(programs::all_columns)
            .get_result(conn)
    }
}
