//! 405 Method Not Allowed for the documented paths.
//!
//! actix routes by path and method together, so a request for a path the server serves
//! with a method it does not serve would otherwise fall through to the 404 handler. The
//! table of path templates and their methods is read from the OpenAPI document, which is
//! built from the very handlers the server mounts ([`crate::openapi::document`]): the
//! `Allow` header can then never disagree with the routes or the document.

use actix_web::dev::ResourceDef;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::PathItem;

/// Each documented path template with the methods it is served with.
#[derive(Debug, Default)]
pub struct AllowedMethods {
    paths: Vec<(ResourceDef, Vec<&'static str>)>,
}

impl AllowedMethods {
    /// The table of `document`'s paths.
    pub fn from_document(document: &OpenApi) -> Self {
        let paths = document
            .paths
            .paths
            .iter()
            .map(|(template, item)| (ResourceDef::new(template.as_str()), methods(item)))
            .collect();
        Self { paths }
    }

    /// The methods `path` is served with, as an `Allow` header value; `None` when no
    /// documented path matches it.
    pub fn allow(&self, path: &str) -> Option<String> {
        let mut allowed: Vec<&str> = self
            .paths
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, methods)| methods.iter().copied())
            .collect();
        if allowed.is_empty() {
            return None;
        }
        allowed.sort_unstable();
        allowed.dedup();
        Some(allowed.join(", "))
    }
}

fn methods(item: &PathItem) -> Vec<&'static str> {
    [
        ("DELETE", item.delete.is_some()),
        ("GET", item.get.is_some()),
        ("HEAD", item.head.is_some()),
        ("OPTIONS", item.options.is_some()),
        ("PATCH", item.patch.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("TRACE", item.trace.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_every_method_of_every_matching_template() {
        let table = AllowedMethods::from_document(&crate::openapi::document());
        assert_eq!(
            table.allow("/api/v1/admin/webhooks/7").as_deref(),
            Some("DELETE, GET, PATCH")
        );
        assert_eq!(table.allow("/api/v1/events").as_deref(), Some("POST"));
        assert_eq!(table.allow("/healthz").as_deref(), Some("GET"));
        assert_eq!(table.allow("/api/v1/no-such-thing"), None);
        assert_eq!(table.allow("/api/v1/admin/webhooks/7/nope"), None);
    }
}
