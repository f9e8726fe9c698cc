//! The JSON body of every route: [`Json`] reads the body as JSON with the limits and
//! errors of actix's extractor (413, 415, 400 `malformed_json`), then as the route's
//! request type through [`partnerly_domain::read`], so that a body of the wrong shape
//! is a 400 `invalid_body` that names the field (`details.fields`) in plain words,
//! and integral floats count as integers, as JSON Schema says.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;

/// A request body of type `T`, read as described in the module docs.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            read(value).map(Json).map_err(Into::into)
        })
    }
}

/// Reads a JSON value as the body type `T`; every body is a JSON object.
pub fn read<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    partnerly_domain::read::object_from_value(value, "").map_err(ApiError::BodyShape)
}
