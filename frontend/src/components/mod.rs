//! Building blocks shared by the pages: the page layouts and the form controls.

pub mod form;
pub mod layout;
