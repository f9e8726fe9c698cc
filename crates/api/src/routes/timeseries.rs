//! `GET /api/v1/me/stats/timeseries`: a partner's clicks, unique clicks, sign-ups, paying
//! customers, deals and earnings per day or month, for all their programs, one program
//! or one link: read from the daily rollups (`link_daily_stats`, `daily_earnings`),
//! never from raw rows.

use actix_web::{get, web};
use partnerly_domain::ErrorBody;
use partnerly_domain::error::Validator;
use partnerly_domain::tracking::{
    Interval, MAX_DAYS, MAX_MONTHS, Timeseries, format_date, parse_date, period_start,
};
use partnerly_engine::stats;
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// The range, interval and scope of a time series.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimeseriesQuery {
    /// First day, `YYYY-MM-DD` (default: 30 days, or 12 months, before `to`).
    #[param(max_length = 10, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today, UTC).
    #[param(max_length = 10, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<String>,
    /// `day` (default; at most 366 days) or `month` (at most 120 months).
    pub interval: Option<Interval>,
    /// Only this link (one of the partner's).
    pub link_id: Option<i64>,
    /// Only this program (one of the partner's).
    pub program_id: Option<i64>,
}

/// The partner's figures per day or month, every period of the range present.
#[utoipa::path(
    tag = "partner",
    params(TimeseriesQuery),
    responses(
        (status = 200, body = Timeseries),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Not one of the partner's programs or links.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a bad date, `from` after `to`, a range too long.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/me/stats/timeseries")]
pub async fn get_timeseries(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    query: web::Query<TimeseriesQuery>,
) -> Result<web::Json<Timeseries>, ApiError> {
    let interval = query.interval.unwrap_or_default();
    let mut v = Validator::new();
    let today = OffsetDateTime::now_utc().date();
    let to = match query.to.as_deref() {
        Some(raw) => v.check("to", parse_date(raw)),
        None => Some(today),
    };
    let from = match (query.from.as_deref(), to) {
        (Some(raw), _) => v.check("from", parse_date(raw)),
        (None, Some(to)) => Some(match interval {
            Interval::Day => to - Duration::days(29),
            Interval::Month => period_start(Interval::Month, to - Duration::days(334)),
        }),
        (None, None) => None,
    };
    if let (Some(from), Some(to)) = (from, to) {
        let days = (to - from).whole_days() + 1;
        let months = i64::from(to.year() - from.year()) * 12 + i64::from(u8::from(to.month()))
            - i64::from(u8::from(from.month()))
            + 1;
        if from > to {
            v.add("from", "The range starts after it ends.");
        } else if interval == Interval::Day && days > MAX_DAYS {
            v.add(
                "from",
                format!("A daily series covers at most {MAX_DAYS} days."),
            );
        } else if interval == Interval::Month && months > MAX_MONTHS {
            v.add(
                "from",
                format!("A monthly series covers at most {MAX_MONTHS} months."),
            );
        }
    }
    v.finish()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ApiError::internal("validated dates went missing"));
    };
    let (link_id, program_id) = (query.link_id, query.program_id);
    let points = state
        .db(move |conn| {
            Ok(stats::partner_timeseries(
                conn, user.id, program_id, link_id, interval, from, to,
            )?)
        })
        .await?;
    Ok(web::Json(Timeseries {
        interval,
        from: format_date(from),
        to: format_date(to),
        points,
    }))
}
