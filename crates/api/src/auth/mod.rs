//! Authentication: access tokens (JWT), password hashing, opaque tokens (refresh and
//! reset), the refresh cookie, API keys, and the extractors handlers use to require a
//! role or a key's scope.

pub mod api_key;
pub mod extract;
pub mod jwt;
pub mod password;
pub mod tokens;

pub use api_key::ApiKeyCaller;
pub use extract::{AdminUser, AuthUser, FinanceUser, ManagerUser, StaffUser};
pub use jwt::JwtKeys;
