//! One module per page (route) of the portal.

pub mod admin;
pub mod dashboard;
pub mod deals;
pub mod earnings;
pub mod forgot_password;
pub mod links;
pub mod profile;
pub mod reset_password;
pub mod sign_in;
pub mod sign_up;
