//! Page requests shared by every paginated list: `page` from 1, `per_page` 1 to 100,
//! and the page answered ([`Paging::page_of`]).

use partnerly_domain::Page;
use partnerly_domain::error::Validator;

use crate::error::ApiError;

/// Largest page any list returns.
pub const MAX_PER_PAGE: u32 = 100;
/// Page size when none is asked for.
pub const DEFAULT_PER_PAGE: u32 = 20;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    /// Checks `page` (from 1) and `per_page` (1 to 100); 422 with field errors.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let paging = Self::check(page, per_page, &mut v);
        v.finish()?;
        Ok(paging)
    }

    /// Like [`Paging::new`], recording problems in `v` beside the request's other fields.
    pub fn check(page: Option<u32>, per_page: Option<u32>, v: &mut Validator) -> Self {
        let paging = Self {
            page: page.unwrap_or(1),
            per_page: per_page.unwrap_or(DEFAULT_PER_PAGE),
        };
        if paging.page == 0 {
            v.add("page", "Pages start at 1.");
        }
        if !(1..=MAX_PER_PAGE).contains(&paging.per_page) {
            v.add("per_page", "Ask for 1 to 100 items per page.");
        }
        paging
    }

    /// Rows to skip.
    pub fn offset(self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }

    /// Rows to read.
    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    /// The page of a list answering this request: `items`, of `count` matching rows in
    /// all.
    pub fn page_of<T>(self, items: Vec<T>, count: i64) -> Page<T> {
        Page {
            items,
            page: self.page,
            per_page: self.per_page,
            total: u64::try_from(count).unwrap_or_default(),
        }
    }
}
