//! The JSON Schema `pattern`s of text fields, as the OpenAPI document states them. Each
//! matches exactly what the field's validator accepts, so that a generated client, the
//! contract test and the server agree. (`char::is_control` is Unicode's Cc category:
//! U+0000–U+001F and U+007F–U+009F.)

/// `array`, or `null`: the schema of an optional list in a change request (`null`
/// keeps the list as it is).
pub fn array_or_null(
    array: utoipa::openapi::schema::ArrayBuilder,
) -> utoipa::openapi::schema::Array {
    array
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::Array,
            utoipa::openapi::schema::Type::Null,
        ]))
        .build()
}

/// Any text without control characters (names, reasons, descriptions, plans).
pub const NO_CONTROL: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

/// Text without control characters and not only white space (ids, codes).
pub const NOT_BLANK: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$";
