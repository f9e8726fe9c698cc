//! Programs (L1), their levels (L2), memberships (partner × program) with their level
//! history (L3), and referral links.

use diesel::prelude::*;
use partnerly_domain::level::{
    CommissionRule, DurationKind, Progress, RuleDuration, Rung, Threshold, ThresholdKind, Track,
};
use partnerly_domain::money::{Currency, Money, Rate};
pub use partnerly_domain::program::LevelChangeReason;
use partnerly_domain::program::{
    BonusTrigger, ClientBonus, LevelSpec, MembershipStatus, PayoutSchedule,
};
use time::PrimitiveDateTime;

use crate::conn::on_backend;
use crate::error::unreadable_row;
use crate::schema::{
    adjustments, client_bonuses, commissions, level_history, levels, links, memberships, programs,
};
use crate::{DbConn, insert_new};

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
}

/// A stored level.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = levels)]
pub struct Level {
    pub id: i64,
    pub program_id: i64,
    pub position: i32,
    pub name: String,
    pub track: Track,
    pub flat_minor: Option<i64>,
    pub percent: Option<String>,
    pub duration_kind: DurationKind,
    pub duration_months: Option<i32>,
    pub bonus_minor: Option<i64>,
    pub bonus_trigger: Option<BonusTrigger>,
    pub threshold_kind: Option<ThresholdKind>,
    pub threshold_value: Option<i64>,
    pub rule_version: i32,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// A level to create (or the new values of one being edited).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = levels, treat_none_as_null = true)]
pub struct NewLevel {
    pub program_id: i64,
    pub position: i32,
    pub name: String,
    pub track: Track,
    pub flat_minor: Option<i64>,
    pub percent: Option<String>,
    pub duration_kind: DurationKind,
    pub duration_months: Option<i32>,
    pub bonus_minor: Option<i64>,
    pub bonus_trigger: Option<BonusTrigger>,
    pub threshold_kind: Option<ThresholdKind>,
    pub threshold_value: Option<i64>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

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

/// A stored referral link.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = links)]
pub struct Link {
    pub id: i64,
    pub membership_id: i64,
    pub code: String,
    pub label: String,
    pub promo_code: Option<String>,
    pub is_default: bool,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
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

impl NewLevel {
    /// The row of a level with `spec`'s settings.
    pub fn from_spec(
        program_id: i64,
        spec: &LevelSpec,
        created_at: PrimitiveDateTime,
        now: PrimitiveDateTime,
    ) -> Self {
        let duration_months = match spec.duration {
            RuleDuration::Months { months } => Some(i32::from(months)),
            RuleDuration::FirstPayment {} | RuleDuration::Lifetime {} => None,
        };
        let threshold_value = spec.threshold.map(|t| match t {
            Threshold::PayingCustomers { count } => i64::from(count),
            Threshold::SalesVolume { minor } => minor,
        });
        NewLevel {
            program_id,
            position: spec.position,
            name: spec.name.clone(),
            track: spec.track,
            flat_minor: spec.flat_first_payment.map(Money::minor),
            percent: spec.percent.map(|r| r.percent().to_string()),
            duration_kind: DurationKind::of(spec.duration),
            duration_months,
            bonus_minor: spec.client_bonus.map(|b| b.amount.minor()),
            bonus_trigger: spec.client_bonus.map(|b| b.trigger),
            threshold_kind: spec.threshold.map(ThresholdKind::of),
            threshold_value,
            created_at,
            updated_at: now,
        }
    }

    /// Stores the level.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<Level> {
        diesel::insert_into(levels::table)
            .values(self)
            .returning(levels::all_columns)
            .get_result(conn)
    }
}

impl Level {
    /// The level with this id.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Level>> {
        levels::table
            .find(id)
            .select(Level::as_select())
            .get_result(conn)
            .optional()
    }

    /// A program's levels, lowest first.
    pub fn of_program(conn: &mut DbConn, program_id: i64) -> QueryResult<Vec<Level>> {
        levels::table
            .filter(levels::program_id.eq(program_id))
            .order(levels::position)
            .select(Level::as_select())
            .load(conn)
    }

    /// The track.
    pub fn track(&self) -> Track {
        self.track
    }

    /// The level's commission rule; the flat amount is in `program_currency`. A row the
    /// rule cannot be read from (months missing or out of range, a percentage that is
    /// not one) is an error, never a default.
    pub fn rule(&self, program_currency: Currency) -> QueryResult<CommissionRule> {
        let duration = match (self.duration_kind, self.duration_months) {
            (DurationKind::Months, Some(m)) => RuleDuration::Months {
                months: u16::try_from(m)
                    .ok()
                    .filter(|m| *m >= 1)
                    .ok_or_else(|| unreadable_row(format!("level {}: {m} months", self.id)))?,
            },
            (DurationKind::Months, None) => {
                return Err(unreadable_row(format!("level {}: months missing", self.id)));
            }
            (DurationKind::Lifetime, _) => RuleDuration::Lifetime {},
            (DurationKind::FirstPayment, _) => RuleDuration::FirstPayment {},
        };
        let percent = match self.percent.as_deref() {
            Some(p) => Some(Rate::parse(p).map_err(|e| {
                unreadable_row(format!("level {}: percentage {p:?}: {e}", self.id))
            })?),
            None => None,
        };
        Ok(CommissionRule {
            flat_first_payment: self
                .flat_minor
                .map(|m| Money::from_minor(m, program_currency)),
            percent,
            duration,
        })
    }

    /// What promotes a membership to this level; a kind without its value (or the
    /// reverse) is an error.
    pub fn threshold(&self) -> QueryResult<Option<Threshold>> {
        match (self.threshold_kind, self.threshold_value) {
            (None, None) => Ok(None),
            (Some(ThresholdKind::PayingCustomers), Some(value)) => u32::try_from(value)
                .map(|count| Some(Threshold::PayingCustomers { count }))
                .map_err(|_| unreadable_row(format!("level {}: {value} customers", self.id))),
            (Some(ThresholdKind::SalesVolume), Some(minor)) => {
                Ok(Some(Threshold::SalesVolume { minor }))
            }
            _ => Err(unreadable_row(format!(
                "level {}: threshold kind and value disagree",
                self.id
            ))),
        }
    }

    /// The level's stored settings, its amounts in the program's `currency`.
    pub fn spec(&self, currency: Currency) -> QueryResult<LevelSpec> {
        let rule = self.rule(currency)?;
        let client_bonus = match (self.bonus_minor, self.bonus_trigger) {
            (Some(minor), Some(trigger)) => Some(ClientBonus {
                amount: Money::from_minor(minor, currency),
                trigger,
            }),
            (None, _) => None,
            (Some(_), None) => {
                return Err(unreadable_row(format!(
                    "level {}: a client bonus without its trigger",
                    self.id
                )));
            }
        };
        Ok(LevelSpec {
            name: self.name.clone(),
            position: self.position,
            track: self.track,
            flat_first_payment: rule.flat_first_payment,
            percent: rule.percent,
            duration: rule.duration,
            client_bonus,
            threshold: self.threshold()?,
        })
    }

    /// The level as a rung of the promotion ladder.
    pub fn rung(&self) -> QueryResult<Rung> {
        Ok(Rung {
            level_id: self.id,
            position: self.position,
            threshold: self.threshold()?,
        })
    }
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
}

impl Link {
    /// Creates a link with a fresh code; a code already taken is retried in a savepoint.
    pub fn create(
        conn: &mut DbConn,
        membership_id: i64,
        label: &str,
        is_default: bool,
        now: PrimitiveDateTime,
        new_code: &mut impl FnMut() -> String,
    ) -> QueryResult<Link> {
        for _ in 0..10 {
            let code = new_code();
            let inserted = insert_new(conn, |c| {
                diesel::insert_into(links::table)
                    .values((
                        links::membership_id.eq(membership_id),
                        links::code.eq(&code),
                        links::label.eq(label),
                        links::is_default.eq(is_default),
                        links::created_at.eq(now),
                    ))
                    .returning(links::all_columns)
                    .get_result(c)
            })?;
            if let Some(link) = inserted {
                return Ok(link);
            }
        }
        // Ten codes in a row taken: the code space is far too small, not bad luck.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            Box::new("no free link code after 10 attempts".to_owned()),
        ))
    }

    /// The links of a partner's memberships, default first.
    pub fn of_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<(Link, Membership)>> {
        links::table
            .inner_join(memberships::table)
            .filter(memberships::user_id.eq(user_id))
            .order((links::membership_id, links::is_default.desc(), links::id))
            .select((Link::as_select(), Membership::as_select()))
            .load(conn)
    }

    /// The enabled link with this referral code.
    pub fn by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<Link>> {
        links::table
            .filter(links::code.eq(code))
            .filter(links::disabled_at.is_null())
            .select(Link::as_select())
            .get_result(conn)
            .optional()
    }

    /// The enabled link carrying this promo code (compared case-insensitively: codes
    /// are stored upper-case).
    pub fn by_promo_code(conn: &mut DbConn, promo: &str) -> QueryResult<Option<Link>> {
        links::table
            .filter(links::promo_code.eq(promo.trim().to_uppercase()))
            .filter(links::disabled_at.is_null())
            .select(Link::as_select())
            .get_result(conn)
            .optional()
    }
}

/// A membership's changes made by staff; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, PartialEq, AsChangeset)]
#[diesel(table_name = memberships)]
pub struct MembershipChanges {
    pub track: Option<Track>,
    pub rate_override: Option<Option<String>>,
    pub status: Option<MembershipStatus>,
}

impl Program {
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

impl Level {
    /// Replaces the level's settings and sets its rule version (the caller bumps it
    /// when the rule changed; `values.created_at` should be the original).
    pub fn update(
        conn: &mut DbConn,
        id: i64,
        values: &NewLevel,
        rule_version: i32,
    ) -> QueryResult<Level> {
        diesel::update(levels::table.find(id))
            .set((values, levels::rule_version.eq(rule_version)))
            .returning(levels::all_columns)
            .get_result(conn)
    }

    /// Deletes the level; check [`Level::in_use`] first.
    pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<()> {
        diesel::delete(levels::table.find(id))
            .execute(conn)
            .map(drop)
    }

    /// Whether anything refers to the level: a membership on it now or before (level
    /// history), a commission or a client bonus booked under it.
    pub fn in_use(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
        if Self::has_members(conn, id)? {
            return Ok(true);
        }
        let commissions: i64 = commissions::table
            .filter(commissions::level_id.eq(id))
            .count()
            .get_result(conn)?;
        let bonuses: i64 = client_bonuses::table
            .filter(client_bonuses::level_id.eq(id))
            .count()
            .get_result(conn)?;
        let history: i64 = level_history::table
            .filter(
                level_history::to_level_id
                    .eq(id)
                    .or(level_history::from_level_id.eq(id)),
            )
            .count()
            .get_result(conn)?;
        Ok(commissions + bonuses + history > 0)
    }

    /// Whether another level of the program (not `except`) has this position.
    pub fn position_taken(
        conn: &mut DbConn,
        program_id: i64,
        position: i32,
        except: Option<i64>,
    ) -> QueryResult<bool> {
        let count: i64 = levels::table
            .filter(levels::program_id.eq(program_id))
            .filter(levels::position.eq(position))
            .filter(levels::id.ne(except.unwrap_or(0)))
            .count()
            .get_result(conn)?;
        Ok(count > 0)
    }

    /// Whether memberships are on the level now.
    pub fn has_members(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
        let count: i64 = memberships::table
            .filter(memberships::level_id.eq(id))
            .count()
            .get_result(conn)?;
        Ok(count > 0)
    }
}

impl Membership {
    /// The progress figures that promote a membership: paying customers, and sales in the
    /// program's currency net of refunds. Counted and summed in SQL, so the cost does not
    /// grow with the partner's history.
    pub fn progress(&self, conn: &mut DbConn, program_currency: &str) -> QueryResult<Progress> {
        #[derive(QueryableByName)]
        struct Totals {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            paying: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            sales: i64,
        }
        // SUM over BIGINT is NUMERIC on PostgreSQL: the CASTs give both backends one type.
        let totals: Totals = diesel::sql_query(
            "SELECT \
               CAST((SELECT COUNT(*) FROM customers \
                     WHERE membership_id = $1 AND first_paid_at IS NOT NULL) AS BIGINT) AS paying, \
               CAST(COALESCE((SELECT SUM(p.amount_minor - p.refunded_minor) FROM payments p \
                     JOIN customers c ON c.id = p.customer_id \
                     WHERE c.membership_id = $1 AND p.currency = $2), 0) AS BIGINT) AS sales",
        )
        .bind::<diesel::sql_types::BigInt, _>(self.id)
        .bind::<diesel::sql_types::Text, _>(program_currency)
        .get_result(conn)?;
        Ok(Progress {
            paying_customers: u32::try_from(totals.paying).unwrap_or(u32::MAX),
            sales_volume: totals.sales,
        })
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
