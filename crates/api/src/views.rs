//! The view builders the partner's routes use, from [`partnerly_engine::views`] (where
//! every view builder lives, since the engine's operations answer views and write them
//! to the audit log), with the API's error for handlers whose closures answer
//! `ApiError` as they are.

use partnerly_db::DbConn;
use partnerly_db::level::Level;
use partnerly_db::membership::Membership;
use partnerly_db::program::Program;
use partnerly_domain::ledger::Balance;
use partnerly_domain::partner::MembershipView;
pub use partnerly_engine::views::program_currency;

use crate::error::ApiError;

/// A membership as its partner sees it ([`partnerly_engine::views::membership_view`]).
pub fn membership_view(
    membership: &Membership,
    program: &Program,
    level: &Level,
) -> Result<MembershipView, ApiError> {
    Ok(partnerly_engine::views::membership_view(
        membership, program, level,
    )?)
}

/// The balances of some memberships, added up per currency
/// ([`partnerly_engine::views::balances`]).
pub fn balances(conn: &mut DbConn, memberships: &[i64]) -> Result<Vec<Balance>, ApiError> {
    Ok(partnerly_engine::views::balances(conn, memberships)?)
}
