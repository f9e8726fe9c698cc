//! One page of a list: the shape every paginated response has
//! (`{items, page, per_page, total}`).
//!
//! [`Page<T>`] is generic, but the OpenAPI document names each page after its list
//! (`CommissionPage`, `AuditPage`, ...) with its own description, as it did when each
//! was a struct of its own. utoipa's derive would name a generic schema
//! `Page_CommissionView`, so the schema is written here by hand, and the item type says
//! the page's name and description by implementing [`Paged`], which the [`page_type!`]
//! macro does beside the type alias each list keeps:
//!
//! ```ignore
//! page_type! {
//!     /// A page of commissions by payment date, newest first.
//!     pub type CommissionPage = Page<CommissionView>;
//! }
//! ```

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// One page of a list, newest or oldest first as the list says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: u32,
    pub per_page: u32,
    /// Items matching the filters, on every page.
    pub total: u64,
}

/// An item type that lists answer a page of: the page's name and description in the
/// OpenAPI document. Implemented by [`page_type!`].
pub trait Paged: ToSchema {
    /// The page's schema name (`CommissionPage`).
    const PAGE_NAME: &'static str;
    /// The page's description.
    const PAGE_DESCRIPTION: &'static str;
    /// The description of the `page` field, if the document gives one.
    const PAGE_NUMBER_DESCRIPTION: Option<&'static str> = None;
    /// The description of the `total` field, if the document gives one.
    const TOTAL_DESCRIPTION: Option<&'static str> = None;
}

/// `schema` with `description`, when it is an object schema and there is one.
fn described(schema: RefOr<Schema>, description: Option<&str>) -> RefOr<Schema> {
    match (schema, description) {
        (RefOr::T(Schema::Object(mut object)), Some(description)) => {
            object.description = Some(description.to_owned());
            RefOr::T(Schema::Object(object))
        }
        (schema, _) => schema,
    }
}

/// The schema utoipa's derive gives a struct of these four fields, with `T`'s name and
/// descriptions.
impl<T: Paged> PartialSchema for Page<T> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(T::PAGE_DESCRIPTION))
            .property(
                "items",
                ArrayBuilder::new().items(Ref::from_schema_name(T::name())),
            )
            .required("items")
            .property("page", described(u32::schema(), T::PAGE_NUMBER_DESCRIPTION))
            .required("page")
            .property("per_page", u32::schema())
            .required("per_page")
            .property("total", described(u64::schema(), T::TOTAL_DESCRIPTION))
            .required("total")
            .into()
    }
}

impl<T: Paged> ToSchema for Page<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed(T::PAGE_NAME)
    }

    /// The item's schema (and those it refers to), which the page refers to.
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

/// A list's page type: `pub type XPage = Page<X>;` with its one-line doc comment, and
/// `X`'s [`Paged`] naming the schema `XPage`, described by that comment. Optional
/// `page = "..."` and `total = "..."` after the alias describe those fields.
macro_rules! page_type {
    (
        #[doc = $doc:literal]
        $vis:vis type $name:ident = Page<$item:ty>;
        $(page = $page:literal;)?
        $(total = $total:literal;)?
    ) => {
        #[doc = $doc]
        $vis type $name = $crate::page::Page<$item>;

        impl $crate::page::Paged for $item {
            const PAGE_NAME: &'static str = stringify!($name);
            const PAGE_DESCRIPTION: &'static str = $doc.trim_ascii();
            $(const PAGE_NUMBER_DESCRIPTION: Option<&'static str> = Some($page);)?
            $(const TOTAL_DESCRIPTION: Option<&'static str> = Some($total);)?
        }
    };
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;
    use utoipa::{PartialSchema, ToSchema};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
    struct Thing {
        id: i64,
    }

    page_type! {
        /// A page of things.
        type ThingPage = Page<Thing>;
        total = "Things, on every page.";
    }

    // The struct a page was before `Page`, whose derived schema the page must equal
    // (the doc comment below is its description).
    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = ThingPage)]
    /// A page of things.
    struct Derived {
        items: Vec<Thing>,
        page: u32,
        per_page: u32,
        /// Things, on every page.
        total: u64,
    }

    #[test]
    fn a_page_has_the_schema_and_name_the_derive_gave_its_struct() {
        assert_eq!(ThingPage::name(), "ThingPage");
        assert_eq!(
            serde_json::to_value(ThingPage::schema()).unwrap(),
            serde_json::to_value(Derived::schema()).unwrap()
        );
        let mut page_schemas = Vec::new();
        ThingPage::schemas(&mut page_schemas);
        let mut derived_schemas = Vec::new();
        Derived::schemas(&mut derived_schemas);
        assert_eq!(
            serde_json::to_value(page_schemas).unwrap(),
            serde_json::to_value(derived_schemas).unwrap()
        );
    }

    #[test]
    fn a_page_reads_and_writes_as_the_four_fields() {
        let page = ThingPage {
            items: vec![Thing { id: 1 }],
            page: 2,
            per_page: 20,
            total: 21,
        };
        let value = json!({"items": [{"id": 1}], "page": 2, "per_page": 20, "total": 21});
        assert_eq!(serde_json::to_value(&page).unwrap(), value);
        assert_eq!(serde_json::from_value::<ThingPage>(value).unwrap(), page);
    }
}
