//! The events' OpenAPI description: `EventEnvelope` is a union of one schema per event
//! type, told apart by `type` (an OpenAPI discriminator), each naming its `data` schema.
//! Generated clients get one typed struct per event, and the contract test can build
//! real events.
//!
//! The server still reads an event in two steps (the envelope, then `data` as the
//! type's struct, see [`crate::event`]) so that an error names `data.<field>`; this
//! module only describes that shape, from the same structs.

use std::borrow::Cow;

use utoipa::openapi::schema::{
    AdditionalProperties, Discriminator, KnownFormat, ObjectBuilder, OneOfBuilder, Schema,
    SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::event::{
    CustomerSignedUpData, CustomerStatusChangedData, EventEnvelope, MAX_ID_LEN,
    PaymentReversedData, PaymentSucceededData, SubscriptionUpdatedData,
};
use crate::pattern;
use crate::timestamp::MAX_TIME_LEN;

/// Every event type: its `type`, the name of its envelope schema, and a description.
const TYPES: [(&str, &str, &str); 7] = [
    (
        "customer.signed_up",
        "CustomerSignedUpEvent",
        "An account was created in the vendor's product (`data`: CustomerSignedUpData).",
    ),
    (
        "payment.succeeded",
        "PaymentSucceededEvent",
        "A customer paid (`data`: PaymentSucceededData).",
    ),
    (
        "payment.refunded",
        "PaymentRefundedEvent",
        "Money went back to the customer (`data`: PaymentReversedData).",
    ),
    (
        "payment.charged_back",
        "PaymentChargedBackEvent",
        "The customer's bank took a payment back (`data`: PaymentReversedData).",
    ),
    (
        "customer.status_changed",
        "CustomerStatusChangedEvent",
        "The customer's account changed state (`data`: CustomerStatusChangedData).",
    ),
    (
        "subscription.updated",
        "SubscriptionUpdatedEvent",
        "The customer's plan changed (`data`: SubscriptionUpdatedData).",
    ),
    (
        "deal.status_changed",
        "DealStatusChangedEvent",
        "A deal from a referred lead was won or lost (`data`: DealStatusChangedData).",
    ),
];

/// The `data` schema of an event type.
fn data_schema(kind: &str) -> &'static str {
    match kind {
        "customer.signed_up" => "CustomerSignedUpData",
        "payment.succeeded" => "PaymentSucceededData",
        "payment.refunded" | "payment.charged_back" => "PaymentReversedData",
        "customer.status_changed" => "CustomerStatusChangedData",
        "deal.status_changed" => "DealStatusChangedData",
        _ => "SubscriptionUpdatedData",
    }
}

/// The event types, as the envelope's `type` accepts them.
pub fn event_types() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|(kind, ..)| *kind)
}

fn envelope_of(kind: &str, description: &str) -> Schema {
    let id = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_ID_LEN))
        .pattern(Some(pattern::NOT_BLANK))
        .description(Some(
            "The sender's unique id for this event; sending it again changes nothing.",
        ))
        .examples(["evt_01J9Z3"]);
    let kind_schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([kind]));
    let occurred_at = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .max_length(Some(MAX_TIME_LEN))
        .description(Some(
            "When it happened in the vendor's system (RFC 3339, 1970 to 9998).",
        ));
    ObjectBuilder::new()
        .description(Some(description))
        .property("id", id)
        .property("type", kind_schema)
        .property("occurred_at", occurred_at)
        .property("data", Ref::from_schema_name(data_schema(kind)))
        .required("id")
        .required("type")
        .required("occurred_at")
        .required("data")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .into()
}

impl PartialSchema for EventEnvelope {
    fn schema() -> RefOr<Schema> {
        let mut discriminator = Discriminator::new("type");
        let mut one_of = OneOfBuilder::new().description(Some(
            "One event as sent: `{id, type, occurred_at, data}`, where `type` decides the \
             schema of `data`.",
        ));
        for (kind, name, _) in TYPES {
            discriminator
                .mapping
                .insert(kind.to_owned(), format!("#/components/schemas/{name}"));
            one_of = one_of.item(Ref::from_schema_name(name));
        }
        one_of.discriminator(Some(discriminator)).into()
    }
}

impl ToSchema for EventEnvelope {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EventEnvelope")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for (kind, name, description) in TYPES {
            schemas.push((name.to_owned(), envelope_of(kind, description).into()));
        }
        fn with<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            schemas.push((T::name().into_owned(), T::schema()));
            T::schemas(schemas);
        }
        with::<CustomerSignedUpData>(schemas);
        with::<PaymentSucceededData>(schemas);
        with::<PaymentReversedData>(schemas);
        with::<CustomerStatusChangedData>(schemas);
        with::<SubscriptionUpdatedData>(schemas);
        with::<crate::deal::DealStatusChangedData>(schemas);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_the_validator_reads_is_described() {
        for kind in event_types() {
            let envelope = EventEnvelope {
                id: "evt_1".into(),
                kind: kind.into(),
                occurred_at: time::macros::datetime!(2026-11-01 0:00 UTC),
                data: serde_json::json!({}),
            };
            // An empty `data` is refused for its fields, never for an unknown type.
            let errors = envelope.validate().unwrap_err();
            assert!(!errors.contains_key("type"), "{kind}: {errors:?}");
        }
    }
}
