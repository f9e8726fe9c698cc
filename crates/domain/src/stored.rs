//! States and kinds as the database stores them: by their stable names (`as_str`), read
//! back with `parse`. With the `diesel` feature (turned on by the db crate only, so the
//! portal's wasm carries none of it) each such enum is a diesel `Text` value on every
//! backend: models hold the enum, never a string, and a stored name the enum does not
//! know is an error when the row is read, never a default.
//!
//! An enum joins with `#[cfg_attr(feature = "diesel", derive(diesel::AsExpression,
//! diesel::FromSqlRow), diesel(sql_type = diesel::sql_types::Text))]` on its definition and
//! `stored_as_text!(Type, "what it is")` beside its `as_str`/`parse`.

/// Implements diesel's `ToSql`/`FromSql` for `Text` through the enum's `as_str` and
/// `parse`, on every backend that stores text (SQLite, PostgreSQL, and the connection
/// over both). Without the `diesel` feature it expands to nothing.
macro_rules! stored_as_text {
    ($ty:ty, $what:literal) => {
        #[cfg(feature = "diesel")]
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $ty
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        #[cfg(feature = "diesel")]
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $ty
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                use diesel::deserialize::FromSql as Read;
                use diesel::sql_types::Text;
                let name = <String as Read<Text, DB>>::from_sql(bytes)?;
                <$ty>::parse(&name)
                    .ok_or_else(|| format!("unknown stored {} {name:?}", $what).into())
            }
        }
    };
}
