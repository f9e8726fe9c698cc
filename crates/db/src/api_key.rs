//! API keys (E3), stored as SHA-256 hashes with a display prefix and their scopes.
//!
//! `scopes` is one text column holding the scope names separated by single spaces
//! (`events:write read`), as OAuth writes them; [`ApiKey::scopes`] splits it.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use crate::DbConn;
use crate::schema::api_keys;

/// `last_used_at` is written at most this often per key, so that a busy integration does
/// not cause a write on every request.
pub const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// A stored key.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The integration the key belongs to; events are idempotent per owner.
    pub owner: String,
    /// The first characters of the key, shown to tell keys apart.
    pub prefix: String,
    /// Hex SHA-256 of the whole key; the key itself is never stored.
    pub key_hash: String,
    /// Space-separated scope names.
    pub scopes: String,
    pub created_by: Option<i64>,
    pub created_at: PrimitiveDateTime,
    pub last_used_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
}

/// A key to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub owner: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    /// Space-separated scope names; see [`scopes_column`].
    pub scopes: &'a str,
    pub created_by: Option<i64>,
    pub created_at: PrimitiveDateTime,
}

/// The stored form of a list of scopes.
pub fn scopes_column<S: AsRef<str>>(scopes: &[S]) -> String {
    scopes
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(" ")
}

impl NewApiKey<'_> {
    /// Stores the key and returns it.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<ApiKey> {
        diesel::insert_into(api_keys::table)
            .values(self)
            .returning(api_keys::all_columns)
            .get_result(conn)
    }
}

impl ApiKey {
    /// Every key, newest first, revoked ones included.
    pub fn list(conn: &mut DbConn) -> QueryResult<Vec<ApiKey>> {
        api_keys::table
            .order(api_keys::id.desc())
            .select(ApiKey::as_select())
            .load(conn)
    }

    /// The key with this id, whatever its state.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<ApiKey>> {
        api_keys::table
            .find(id)
            .select(ApiKey::as_select())
            .get_result(conn)
            .optional()
    }

    /// The unrevoked key with this hash.
    pub fn find_active_by_hash(conn: &mut DbConn, hash: &str) -> QueryResult<Option<ApiKey>> {
        api_keys::table
            .filter(api_keys::key_hash.eq(hash))
            .filter(api_keys::revoked_at.is_null())
            .select(ApiKey::as_select())
            .get_result(conn)
            .optional()
    }

    /// Revokes the key if it is not revoked yet. Returns whether it changed, so that of
    /// two racing revocations exactly one records it.
    pub fn revoke(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> QueryResult<bool> {
        let changed = diesel::update(
            api_keys::table
                .find(id)
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(now))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// Records that the key was used at `now`, unless that was already recorded less than
    /// [`TOUCH_INTERVAL`] ago. Returns whether a row was written.
    pub fn touch(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> QueryResult<bool> {
        let stale = now - TOUCH_INTERVAL;
        let changed = diesel::update(
            api_keys::table.find(id).filter(
                api_keys::last_used_at
                    .is_null()
                    .or(api_keys::last_used_at.lt(stale)),
            ),
        )
        .set(api_keys::last_used_at.eq(now))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// The key's scope names.
    pub fn scopes(&self) -> Vec<&str> {
        self.scopes.split_whitespace().collect()
    }

    /// Whether the key has `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.split_whitespace().any(|s| s == scope)
    }

    /// The key as admins see it (no secret, no hash).
    pub fn view(&self) -> partnerly_domain::api_key::ApiKey {
        partnerly_domain::api_key::ApiKey {
            id: self.id,
            name: self.name.clone(),
            owner: self.owner.clone(),
            prefix: self.prefix.clone(),
            scopes: self.scopes().into_iter().map(str::to_owned).collect(),
            created_by: self.created_by,
            created_at: crate::utc(self.created_at),
            last_used_at: self.last_used_at.map(crate::utc),
            revoked_at: self.revoked_at.map(crate::utc),
        }
    }
}
