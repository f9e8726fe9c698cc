//! Data a page loads from the API, as one kind of resource for every type: [`Fetch<T>`].
//!
//! A `LocalResource` is generic over its fetcher, so each one the portal created copied
//! Leptos's async-derived machinery (its futures' polling, its subscribers) into the wasm
//! once more — about 7 KB per page's resource before compression. A `Fetch` boxes the
//! loading future and keeps the value as `Rc<dyn Any>`, so that machinery, and the
//! loading frame of [`Loaded`](super::layout::Loaded), exist once; what stays per type is
//! the fetch itself and a downcast.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;

use crate::api::ApiFailure;

/// A loaded value of any type, or why it is not there.
pub type Erased = Result<Rc<dyn Any>, ApiFailure>;

/// A load in flight.
type Loading = Pin<Box<dyn Future<Output = Erased>>>;

/// A `T` loaded from the API: reloaded when a signal the fetch read changes, or on
/// [`Fetch::refetch`].
pub struct Fetch<T> {
    pub(super) resource: LocalResource<Erased>,
    ty: PhantomData<fn() -> T>,
}

impl<T> Clone for Fetch<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Fetch<T> {}

impl<T: Clone + 'static> Fetch<T> {
    /// Loads with `fetch`, which reads the signals it depends on before its `async` part
    /// (as with `LocalResource::new`).
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, ApiFailure>> + 'static,
    {
        Self {
            resource: erased(Box::new(move || {
                let loading = fetch();
                Box::pin(async move { loading.await.map(|value| Rc::new(value) as Rc<dyn Any>) })
            })),
            ty: PhantomData,
        }
    }

    /// Loads again.
    pub fn refetch(self) {
        self.resource.refetch();
    }

    /// The last load's failure, if it failed (reactive).
    pub fn failure(self) -> Option<ApiFailure> {
        self.resource
            .with(|loaded| loaded.as_ref().and_then(|r| r.as_ref().err().cloned()))
    }

    /// Reads the loaded value, `None` while loading or after a failure (reactive).
    pub fn with_loaded<U>(self, read: impl FnOnce(Option<&T>) -> U) -> U {
        self.resource.with(|loaded| {
            read(
                loaded
                    .as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|value| value.downcast_ref::<T>()),
            )
        })
    }

    /// The value once loaded (inside a `Suspend`, as `resource.await`).
    pub async fn value(self) -> Result<T, ApiFailure> {
        self.resource.await.and_then(|value| downcast(&value))
    }
}

/// The `T` a [`Fetch<T>`] stored.
pub(super) fn downcast<T: Clone + 'static>(value: &Rc<dyn Any>) -> Result<T, ApiFailure> {
    value
        .downcast_ref::<T>()
        .cloned()
        .ok_or_else(|| ApiFailure::Network("the page's data had an unexpected type".to_owned()))
}

/// The one resource type every [`Fetch`] uses.
#[inline(never)]
fn erased(fetch: Box<dyn Fn() -> Loading>) -> LocalResource<Erased> {
    LocalResource::new(fetch)
}
