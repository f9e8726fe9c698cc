//! QR codes of a partner's referral links (T2): the link's full URL (`{public url}/r/{code}`,
//! the `url` of its `LinkView`) as SVG, PNG or JPEG, for print and for sharing. Only the
//! signed-in partner's links: another partner's link id is 404, as for `GET
//! /api/v1/links/{id}`.
//!
//! A code never changes (its link's URL does not), so the answer may be kept a day by the
//! partner's browser (`Cache-Control: private`; `Vary: Authorization`, so that another
//! account signed in on the same browser does not get it from the cache) and is
//! revalidated with its `ETag`: a hash of the format, size and URL, answered 304 without
//! drawing when `If-None-Match` names it. Drawing runs on the blocking pool
//! ([`AppState::cpu`]); the pure part is [`crate::qr`].

use actix_web::http::header::{
    self, ContentDisposition, DispositionParam, DispositionType, EntityTag, IfNoneMatch,
};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, web};
use partnerly_db::link::Link;
use partnerly_domain::ErrorBody;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::admin::Deferred;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::qr::{DEFAULT_SIZE, Format, MAX_SIZE, MIN_SIZE, Qr};
use crate::state::AppState;

/// How a browser may keep a QR code: only for this account, a day.
pub const CACHE_CONTROL: &str = "private, max-age=86400";

/// Changes whenever the drawing does, so that no cache keeps an old one's ETag.
const DRAWING_VERSION: &str = "1";

// What the document says a PNG or JPEG answer is (`Vec<u8>` would be a list of numbers).
/// The image file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ImageFile(pub Vec<u8>);

/// The size of a QR code.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QrQuery {
    /// The side in pixels (PNG, JPEG) or the viewBox's side (SVG); default 512.
    #[param(minimum = 128, maximum = 2048, default = 512)]
    pub size: Option<u32>,
}

impl QrQuery {
    /// The size asked for, 128 to 2048 (422 naming `size` otherwise).
    fn size(&self) -> Result<u32, ApiError> {
        let size = self.size.unwrap_or(DEFAULT_SIZE);
        if (MIN_SIZE..=MAX_SIZE).contains(&size) {
            Ok(size)
        } else {
            Err(ApiError::field("size", "Ask for 128 to 2048 pixels."))
        }
    }
}

/// The ETag of a QR code: the format, size and text decide every byte of it. The SVG's
/// is weak: the server may send it gzipped.
fn entity_tag(format: Format, size: u32, text: &str) -> EntityTag {
    let digest = Sha256::digest(format!(
        "{DRAWING_VERSION}\n{}\n{size}\n{text}",
        format.extension()
    ));
    let tag: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    match format {
        Format::Svg => EntityTag::new_weak(tag),
        Format::Png | Format::Jpeg => EntityTag::new_strong(tag),
    }
}

/// The longest `If-None-Match` read (as documented).
const MAX_IF_NONE_MATCH_LEN: usize = 1024;

/// Whether the request's `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks).
fn not_modified(req: &HttpRequest, tag: &EntityTag) -> bool {
    match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(tag)),
        None => false,
    }
}

/// The answer of every format: the link's QR code, or 304.
async fn answer(
    format: Format,
    state: web::Data<AppState>,
    user_id: i64,
    id: i64,
    query: &QrQuery,
    req: &HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let size = query.size()?;
    // As documented: a longer header is no ETag of ours.
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.len() > MAX_IF_NONE_MATCH_LEN)
    {
        return Err(ApiError::field(
            "If-None-Match",
            format!("At most {MAX_IF_NONE_MATCH_LEN} characters."),
        ));
    }
    let (link, _) = state
        .db(move |conn| Link::of_user_by_id(conn, user_id, id)?.ok_or(ApiError::NotFound))
        .await?;
    // The same URL as the link's `LinkView::url`.
    let url = partnerly_domain::link::link_url(&state.config.public_url, &link.code);
    let tag = entity_tag(format, size, &url);
    let cached = |mut answer: actix_web::HttpResponseBuilder| {
        answer
            .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
            .insert_header((header::VARY, "Authorization"))
            .insert_header(header::ETag(tag.clone()));
        answer
    };
    if not_modified(req, &tag) {
        return Ok(cached(HttpResponse::NotModified()).finish());
    }
    let image = state
        .cpu(move || Qr::new(&url)?.render(format, size))
        .await?
        .map_err(ApiError::internal)?;
    Ok(cached(HttpResponse::Ok())
        .content_type(format.content_type())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Inline,
            parameters: vec![DispositionParam::Filename(format!(
                "partnerly-{}.{}",
                link.code,
                format.extension()
            ))],
        })
        .body(image))
}

/// The QR code of one of the partner's links as SVG, `size` units a side (its viewBox).
#[utoipa::path(
    tag = "partner",
    params(
        ("id" = i64, Path, description = "The link's id."),
        QrQuery,
        ("If-None-Match" = Option<String>, Header, max_length = 1024, description = "An ETag of an earlier answer: 304 if it is still the code's."),
    ),
    responses(
        (status = 200, description = "The QR code of the link's URL, black on white, level M, a quiet zone of 4 modules.", content_type = "image/svg+xml", body = String,
            headers(
                ("ETag" = String, description = "Weak: a hash of format, size and URL."),
                ("Cache-Control" = String, description = "`private, max-age=86400`."),
                ("Content-Disposition" = String, description = "`inline; filename=\"partnerly-{code}.svg\"`."),
            )),
        (status = 304, description = "`If-None-Match` named the current ETag.", headers(("ETag" = String))),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such link among the partner's.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `size` is not 128 to 2048, or `If-None-Match` is longer than 1024 characters.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/links/{id}/qr.svg")]
pub async fn link_qr_svg(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<i64>,
    query: Deferred<web::Query<QrQuery>>,
    req: HttpRequest,
) -> actix_web::Result<HttpResponse> {
    let query = query?;
    Ok(answer(Format::Svg, state, user.id, path.into_inner(), &query, &req).await?)
}

/// The QR code of one of the partner's links as PNG, `size` pixels a side.
#[utoipa::path(
    tag = "partner",
    params(
        ("id" = i64, Path, description = "The link's id."),
        QrQuery,
        ("If-None-Match" = Option<String>, Header, max_length = 1024, description = "An ETag of an earlier answer: 304 if it is still the code's."),
    ),
    responses(
        (status = 200, description = "The QR code of the link's URL, black on white, level M, a quiet zone of 4 modules.", content_type = "image/png", body = inline(ImageFile),
            headers(
                ("ETag" = String, description = "A hash of format, size and URL."),
                ("Cache-Control" = String, description = "`private, max-age=86400`."),
                ("Content-Disposition" = String, description = "`inline; filename=\"partnerly-{code}.png\"`."),
            )),
        (status = 304, description = "`If-None-Match` named the current ETag.", headers(("ETag" = String))),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such link among the partner's.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `size` is not 128 to 2048, or `If-None-Match` is longer than 1024 characters.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/links/{id}/qr.png")]
pub async fn link_qr_png(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<i64>,
    query: Deferred<web::Query<QrQuery>>,
    req: HttpRequest,
) -> actix_web::Result<HttpResponse> {
    let query = query?;
    Ok(answer(Format::Png, state, user.id, path.into_inner(), &query, &req).await?)
}

/// The QR code of one of the partner's links as JPEG (quality 90), `size` pixels a side.
#[utoipa::path(
    tag = "partner",
    params(
        ("id" = i64, Path, description = "The link's id."),
        QrQuery,
        ("If-None-Match" = Option<String>, Header, max_length = 1024, description = "An ETag of an earlier answer: 304 if it is still the code's."),
    ),
    responses(
        (status = 200, description = "The QR code of the link's URL, black on white, level M, a quiet zone of 4 modules.", content_type = "image/jpeg", body = inline(ImageFile),
            headers(
                ("ETag" = String, description = "A hash of format, size and URL."),
                ("Cache-Control" = String, description = "`private, max-age=86400`."),
                ("Content-Disposition" = String, description = "`inline; filename=\"partnerly-{code}.jpg\"`."),
            )),
        (status = 304, description = "`If-None-Match` named the current ETag.", headers(("ETag" = String))),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such link among the partner's.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `size` is not 128 to 2048, or `If-None-Match` is longer than 1024 characters.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/links/{id}/qr.jpg")]
pub async fn link_qr_jpg(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<i64>,
    query: Deferred<web::Query<QrQuery>>,
    req: HttpRequest,
) -> actix_web::Result<HttpResponse> {
    let query = query?;
    Ok(answer(
        Format::Jpeg,
        state,
        user.id,
        path.into_inner(),
        &query,
        &req,
    )
    .await?)
}
