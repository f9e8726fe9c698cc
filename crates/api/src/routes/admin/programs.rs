//! Programs and their levels as managers configure them (L1, L2, A4).
//!
//! A program's currency is fixed once money was booked in it (commissions, client
//! bonuses, adjustments): 409 `currency_locked`. Before that, changing it
//! re-denominates the program's amounts (25.00 USD becomes 25.00 EUR). A level's rule
//! version goes up whenever its flat amount, percentage or duration changes, so every
//! commission can be traced to the rule it was computed with.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use partnerly_db::DbConn;
use partnerly_db::level::{Level, NewLevel};
use partnerly_db::program::{NewProgram, Program};
use partnerly_domain::ErrorBody;
use partnerly_domain::level::Threshold;
use partnerly_domain::level_settings::{
    ClientBonus, ClientBonusView, CreateLevelRequest, LevelSpec, LevelView, ThresholdView,
    UpdateLevelRequest,
};
use partnerly_domain::money::{Currency, Money};
use partnerly_domain::program::{
    CreateProgramRequest, ProgramList, ProgramSettings, ProgramView, UpdateProgramRequest,
    redenominate,
};
use partnerly_domain::text::{LandingUrl, Name};
use partnerly_engine::views::program_currency;
use time::PrimitiveDateTime;

use super::{Audit, Deferred};
use crate::auth::ManagerUser;
use crate::error::ApiError;
use crate::state::AppState;

/// The stored settings of a program.
fn settings(program: &Program) -> Result<ProgramSettings, ApiError> {
    let currency = program_currency(program)?;
    Ok(ProgramSettings {
        name: Name::from_stored(program.name.clone()),
        currency,
        attribution_window_days: program.attribution_window_days,
        hold_days: program.hold_days,
        minimum_payout: Money::from_minor(program.minimum_payout_minor, currency),
        payout_schedule: program.payout_schedule,
        landing_url: LandingUrl::from_stored(program.landing_url.clone()),
        allowed_domains: program
            .allowed_domains
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        rules_text: program.rules_text.clone(),
        self_signup: program.self_signup,
        attribution_model: program.attribution_model,
    })
}

fn program_row(
    s: &ProgramSettings,
    created_at: PrimitiveDateTime,
    now: PrimitiveDateTime,
) -> NewProgram {
    NewProgram {
        name: s.name.as_str().to_owned(),
        currency: s.currency.code().to_owned(),
        attribution_window_days: s.attribution_window_days,
        hold_days: s.hold_days,
        minimum_payout_minor: s.minimum_payout.minor(),
        payout_schedule: s.payout_schedule,
        landing_url: s.landing_url.as_str().to_owned(),
        allowed_domains: s.allowed_domains.join(" "),
        rules_text: s.rules_text.clone(),
        self_signup: s.self_signup,
        created_at,
        updated_at: now,
        attribution_model: s.attribution_model,
    }
}

/// The rule version a level gets when its settings go from `old` to `new`: one more
/// when the rule (flat amount, percentage, duration) changed.
fn next_rule_version(level: &Level, old: &LevelSpec, new: &LevelSpec) -> i32 {
    if new.rule() == old.rule() {
        level.rule_version
    } else {
        level.rule_version + 1
    }
}

/// A level as staff see it.
pub fn level_view(level: &Level, currency: Currency) -> Result<LevelView, ApiError> {
    let s = level.spec(currency)?;
    Ok(LevelView {
        id: level.id,
        program_id: level.program_id,
        name: s.name,
        position: s.position,
        track: s.track,
        flat_first_payment: s.flat_first_payment.map(Money::to_view),
        percent: s.percent,
        duration: s.duration,
        client_bonus: s.client_bonus.map(|b| ClientBonusView {
            amount: b.amount.to_view(),
            trigger: b.trigger,
        }),
        threshold: s.threshold.map(|t| ThresholdView::new(t, currency)),
        rule_version: level.rule_version,
        created_at: partnerly_db::utc(level.created_at),
        updated_at: partnerly_db::utc(level.updated_at),
    })
}

/// A program with its levels as staff see it.
fn program_view(conn: &mut DbConn, program: &Program) -> Result<ProgramView, ApiError> {
    let s = settings(program)?;
    let levels = Level::of_program(conn, program.id)?
        .iter()
        .map(|l| level_view(l, s.currency))
        .collect::<Result<_, _>>()?;
    Ok(ProgramView {
        id: program.id,
        name: s.name.into_string(),
        currency: s.currency,
        attribution_window_days: s.attribution_window_days,
        hold_days: s.hold_days,
        minimum_payout: s.minimum_payout.to_view(),
        payout_schedule: s.payout_schedule,
        landing_url: s.landing_url.into_string(),
        allowed_domains: s.allowed_domains,
        rules_text: s.rules_text,
        self_signup: s.self_signup,
        attribution_model: s.attribution_model,
        levels,
        created_at: partnerly_db::utc(program.created_at),
        updated_at: partnerly_db::utc(program.updated_at),
    })
}

fn position_taken(position: i32) -> ApiError {
    ApiError::conflict(
        "position_taken",
        format!("Another level of this program has position {position}."),
    )
}

/// Turns a unique violation of `(program_id, position)` (two managers racing) into
/// the same 409 the check before it gives.
fn level_write_error(e: DieselError, position: i32) -> ApiError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            position_taken(position)
        }
        other => other.into(),
    }
}

/// Every program with its levels.
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, body = ProgramList),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/programs")]
pub async fn list_programs(
    state: web::Data<AppState>,
    _manager: ManagerUser,
) -> Result<web::Json<ProgramList>, ApiError> {
    let items = state
        .db(|conn| {
            Program::all(conn)?
                .iter()
                .map(|p| program_view(conn, p))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(web::Json(ProgramList { items }))
}

/// Create a program (L1). It starts without levels; add them with
/// `POST /admin/programs/{id}/levels`.
#[utoipa::path(
    tag = "admin",
    request_body = CreateProgramRequest,
    responses(
        (status = 201, body = ProgramView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`, with field errors (`allowed_domains.1`).", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/programs")]
pub async fn create_program(
    state: web::Data<AppState>,
    ManagerUser(actor): ManagerUser,
    body: Deferred<crate::body::Json<CreateProgramRequest>>,
) -> actix_web::Result<HttpResponse> {
    let s = body?.validate().map_err(ApiError::from)?;
    let view = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let program = program_row(&s, now, now).insert(conn)?;
            let view = program_view(conn, &program)?;
            Audit::created("program.create", "program", program.id, &view)?
                .record(conn, actor.id, now)?;
            Ok(view)
        })
        .await?;
    state.tracking.refresh_now(&state.database).await;
    tracing::info!(program.id = view.id, "program created");
    Ok(HttpResponse::Created().json(view))
}

/// One program with its levels.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The program's id.")),
    responses(
        (status = 200, body = ProgramView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/programs/{id}")]
pub async fn get_program(
    state: web::Data<AppState>,
    _manager: ManagerUser,
    path: web::Path<i64>,
) -> Result<web::Json<ProgramView>, ApiError> {
    let id = path.into_inner();
    let view = state
        .db(move |conn| {
            let program = Program::find(conn, id)?.ok_or(ApiError::NotFound)?;
            program_view(conn, &program)
        })
        .await?;
    Ok(web::Json(view))
}

/// Change a program's settings. Absent fields stay. The currency can change only
/// while nothing was booked in it (409 `currency_locked`); the program's amounts then
/// keep their numbers in the new currency.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The program's id.")),
    request_body = UpdateProgramRequest,
    responses(
        (status = 200, body = ProgramView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`currency_locked`: the program has commissions, client bonuses or adjustments.", body = ErrorBody),
        (status = 422, description = "`validation_failed`, with field errors.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[patch("/admin/programs/{id}")]
pub async fn update_program(
    state: web::Data<AppState>,
    ManagerUser(actor): ManagerUser,
    path: web::Path<i64>,
    body: Deferred<crate::body::Json<UpdateProgramRequest>>,
) -> actix_web::Result<web::Json<ProgramView>> {
    let id = path.into_inner();
    let body = body?.into_inner();
    let view = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let program = Program::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let current = settings(&program)?;
            let updated = body.apply(&current)?;
            let before = program_view(conn, &program)?;
            if updated.currency != current.currency {
                if Program::has_money(conn, id)? {
                    return Err(ApiError::conflict(
                        "currency_locked",
                        format!(
                            "The program's currency stays {}: money was already booked in it.",
                            current.currency
                        ),
                    ));
                }
                redenominate_levels(conn, &program, current.currency, updated.currency, now)?;
            }
            let program =
                Program::update(conn, id, &program_row(&updated, program.created_at, now))?;
            let view = program_view(conn, &program)?;
            Audit::changed("program.update", "program", id, &before, &view)?
                .record(conn, actor.id, now)?;
            Ok(view)
        })
        .await?;
    // The redirect's landing settings (T6).
    state.tracking.refresh_now(&state.database).await;
    Ok(web::Json(view))
}

/// Re-expresses every amount of the program's levels in `to` (same number); an amount
/// `to` cannot hold exactly is a validation error on `currency`.
fn redenominate_levels(
    conn: &mut DbConn,
    program: &Program,
    from: Currency,
    to: Currency,
    now: PrimitiveDateTime,
) -> Result<(), ApiError> {
    for level in Level::of_program(conn, program.id)? {
        let old = level.spec(from)?;
        let convert = |m: Money| {
            redenominate(m, to).map_err(|e| {
                ApiError::field(
                    "currency",
                    format!("Level {}: {m} cannot become {to}: {e}", level.name),
                )
            })
        };
        let mut new = old.clone();
        new.flat_first_payment = old.flat_first_payment.map(&convert).transpose()?;
        new.client_bonus = old
            .client_bonus
            .map(|b| {
                convert(b.amount).map(|amount| ClientBonus {
                    amount,
                    trigger: b.trigger,
                })
            })
            .transpose()?;
        new.threshold = match old.threshold {
            Some(Threshold::SalesVolume { minor }) => Some(Threshold::SalesVolume {
                minor: convert(Money::from_minor(minor, from))?.minor(),
            }),
            other => other,
        };
        if new != old {
            let version = next_rule_version(&level, &old, &new);
            Level::update(
                conn,
                level.id,
                &NewLevel::from_spec(program.id, &new, level.created_at, now),
                version,
            )?;
        }
    }
    Ok(())
}

/// Add a level to a program (L2): a flat amount on a customer's first payment, a
/// percentage, or both; optionally a client bonus and a promotion threshold.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The program's id.")),
    request_body = CreateLevelRequest,
    responses(
        (status = 201, body = LevelView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, description = "No such program.", body = ErrorBody),
        (status = 409, description = "`position_taken`.", body = ErrorBody),
        (status = 422, description = "`validation_failed`, with field errors (`duration.months`, `client_bonus.amount`, `threshold.count`).", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/programs/{id}/levels")]
pub async fn create_level(
    state: web::Data<AppState>,
    ManagerUser(actor): ManagerUser,
    path: web::Path<i64>,
    body: Deferred<crate::body::Json<CreateLevelRequest>>,
) -> actix_web::Result<HttpResponse> {
    let program_id = path.into_inner();
    let body = body?.into_inner();
    let view = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let program = Program::find(conn, program_id)?.ok_or(ApiError::NotFound)?;
            let currency = program_currency(&program)?;
            let s = body.validate(currency)?;
            if Level::position_taken(conn, program_id, s.position, None)? {
                return Err(position_taken(s.position));
            }
            let level = NewLevel::from_spec(program_id, &s, now, now)
                .insert(conn)
                .map_err(|e| level_write_error(e, s.position))?;
            let view = level_view(&level, currency)?;
            Audit::created("level.create", "level", level.id, &view)?
                .record(conn, actor.id, now)?;
            Ok(view)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Change a level. Absent fields stay; `null` clears the flat amount, percentage,
/// client bonus or threshold. Changing the flat amount, percentage or duration bumps
/// `rule_version`; commissions already booked keep the version they used. The track
/// changes only while no membership is on the level.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The level's id.")),
    request_body = UpdateLevelRequest,
    responses(
        (status = 200, body = LevelView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`position_taken`, or `level_in_use` for a track change of a level partners are on.", body = ErrorBody),
        (status = 422, description = "`validation_failed`, with field errors.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[patch("/admin/levels/{id}")]
pub async fn update_level(
    state: web::Data<AppState>,
    ManagerUser(actor): ManagerUser,
    path: web::Path<i64>,
    body: Deferred<crate::body::Json<UpdateLevelRequest>>,
) -> actix_web::Result<web::Json<LevelView>> {
    let id = path.into_inner();
    let body = body?.into_inner();
    let view = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let level = Level::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let program = Program::find(conn, level.program_id)?.ok_or(ApiError::NotFound)?;
            let currency = program_currency(&program)?;
            let current = level.spec(currency)?;
            let updated = body.apply(&current, currency)?;
            if updated.track != current.track && Level::has_members(conn, id)? {
                return Err(ApiError::conflict(
                    "level_in_use",
                    "Partners are on this level, so its track cannot change.",
                ));
            }
            if updated.position != current.position
                && Level::position_taken(conn, program.id, updated.position, Some(id))?
            {
                return Err(position_taken(updated.position));
            }
            let version = next_rule_version(&level, &current, &updated);
            let before = level_view(&level, currency)?;
            let saved = Level::update(
                conn,
                id,
                &NewLevel::from_spec(program.id, &updated, level.created_at, now),
                version,
            )
            .map_err(|e| level_write_error(e, updated.position))?;
            let view = level_view(&saved, currency)?;
            Audit::changed("level.update", "level", id, &before, &view)?
                .record(conn, actor.id, now)?;
            Ok(view)
        })
        .await?;
    Ok(web::Json(view))
}

/// Delete a level no partner is or was on and no commission or bonus refers to.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The level's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`level_in_use`: memberships, level history, commissions or client bonuses refer to it.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/admin/levels/{id}")]
pub async fn delete_level(
    state: web::Data<AppState>,
    ManagerUser(actor): ManagerUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    state
        .write(move |conn| {
            let now = partnerly_db::now();
            let level = Level::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let program = Program::find(conn, level.program_id)?.ok_or(ApiError::NotFound)?;
            if Level::in_use(conn, id)? {
                return Err(ApiError::conflict(
                    "level_in_use",
                    "Partners are or were on this level, or commissions refer to it; \
                         it cannot be deleted.",
                ));
            }
            let before = level_view(&level, program_currency(&program)?)?;
            Level::delete(conn, id)?;
            Audit::deleted("level.delete", "level", id, &before)?.record(conn, actor.id, now)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
