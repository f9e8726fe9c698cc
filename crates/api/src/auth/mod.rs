//! Authentication: access tokens (JWT), password hashing, opaque tokens (refresh and
//! reset), the refresh cookie, and the extractors handlers use to require a role.

pub mod api_key;
pub mod extract;
pub mod jwt;
pub mod password;
pub mod tokens;

pub use api_key::ApiKeyCaller;
pub use extract::{AdminUser, AuthUser, FinanceUser, ManagerUser, StaffUser};
pub use jwt::JwtKeys;
