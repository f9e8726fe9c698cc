//! Building blocks shared by the pages: the page layouts, the data a page loads, the form
//! controls, the pager, the list table, the copy box and the confirm button.

pub mod confirm;
pub mod copy;
pub mod fetch;
pub mod form;
pub mod layout;
pub mod pager;
pub mod table;
