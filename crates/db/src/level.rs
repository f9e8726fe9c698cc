//! Levels (L2): the stored level, its queries, and the reading of a row back into the
//! domain's commission rule, promotion threshold, ladder rung and settings
//! ([`Level::spec`], and [`NewLevel::from_spec`] the other way).

use diesel::prelude::*;
use partnerly_domain::level::{
    CommissionRule, DurationKind, RuleDuration, Rung, Threshold, ThresholdKind, Track,
};
use partnerly_domain::level_settings::{BonusTrigger, ClientBonus, LevelSpec};
use partnerly_domain::money::{Currency, Money, Rate};
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::error::unreadable_row;
use crate::schema::{client_bonuses, commissions, level_history, levels, memberships};

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
