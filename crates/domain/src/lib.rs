//! The language of Partnerly, shared by the server and the portal.
//!
//! Everything here is pure: no database, web framework or runtime. Values are validated
//! once, when they are parsed (`Email::parse`, `Password::parse`, ...), and after that the
//! type is the proof. The API's request and response types live here too, so the portal
//! (compiled to wasm32) and the server can never disagree about a field.
//!
//! Crates that depend on this one must not pull diesel, actix or tokio into it; the test
//! command checks `cargo tree -p partnerly-domain -i diesel` finds nothing.

#[macro_use]
mod stored;
// `page_type!`, used by the modules that answer lists.
#[macro_use]
pub mod page;

pub mod account;
pub mod adjustment;
pub mod api_key;
pub mod audit;
pub mod auth;
pub mod customer;
pub mod deal;
pub mod email;
pub mod error;
pub mod event;
pub mod event_schema;
pub mod invitation;
pub mod iso;
pub mod ledger;
pub mod level;
pub mod level_settings;
pub mod link;
pub mod membership;
pub mod money;
pub mod outbox;
pub mod partner;
pub mod password;
pub mod pattern;
pub mod profile;
pub mod program;
pub mod public_id;
pub mod read;
pub mod text;
pub mod timestamp;
pub mod track_request;
pub mod tracking;
pub mod wallet;
pub mod webhook;
pub mod webhook_event;

pub use email::Email;
pub use error::{ErrorBody, FieldErrors};
pub use money::{Currency, Money, MoneyView, Rate};
pub use page::{Page, Paged};
pub use password::Password;
pub use public_id::PublicId;
