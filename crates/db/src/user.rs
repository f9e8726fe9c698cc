//! Accounts: partners and staff, with their profile and password hash.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use partnerly_domain::account::{Account, Role};
use partnerly_domain::public_id::{PartnerKind, PublicId};
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::schema::{refresh_tokens, users};

/// A stored account.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub public_number: Option<i32>,
    pub partner_kind: Option<PartnerKind>,
    pub role: Role,
    pub email: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub payout_currency: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// An account to create. Partners get their public number from [`NewUser::insert`].
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub public_number: Option<i32>,
    pub partner_kind: Option<PartnerKind>,
    pub role: Role,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// Profile fields to change; `None` leaves a column as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<Option<String>>,
    pub country: Option<Option<String>>,
    pub payout_currency: Option<Option<String>>,
    pub password_hash: Option<String>,
    pub role: Option<Role>,
    pub updated_at: Option<PrimitiveDateTime>,
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("an account with this email exists")]
    EmailTaken,
    #[error("no free public number after several tries")]
    NoFreeNumber,
    #[error(transparent)]
    Db(#[from] DieselError),
}

impl NewUser<'_> {
    /// A new partner (`A` id); call [`NewUser::insert`] to give it a number and store it.
    pub fn partner<'a>(
        email: &'a str,
        password_hash: &'a str,
        first_name: &'a str,
        last_name: &'a str,
        now: PrimitiveDateTime,
    ) -> NewUser<'a> {
        NewUser {
            public_number: None,
            partner_kind: Some(PartnerKind::Referral),
            role: Role::Partner,
            email,
            password_hash,
            first_name,
            last_name,
            created_at: now,
            updated_at: now,
        }
    }

    /// Stores the account. A partner gets a random six-digit public number from
    /// `pick_number`; a number already taken is retried (inside a savepoint, so a clash
    /// does not abort the caller's transaction on PostgreSQL).
    pub fn insert(
        mut self,
        conn: &mut DbConn,
        mut pick_number: impl FnMut() -> u32,
    ) -> Result<User, CreateUserError> {
        let is_partner = self.partner_kind.is_some();
        for _ in 0..20 {
            if is_partner {
                let number = pick_number();
                self.public_number =
                    Some(i32::try_from(number).map_err(|_| CreateUserError::NoFreeNumber)?);
            }
            let attempt = conn.transaction(|c| {
                diesel::insert_into(users::table)
                    .values(&self)
                    .returning(users::all_columns)
                    .get_result(c)
            });
            match attempt {
                Ok(user) => return Ok(user),
                Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => {
                    if info.message().contains("email")
                        || info.constraint_name().is_some_and(|c| c.contains("email"))
                    {
                        return Err(CreateUserError::EmailTaken);
                    }
                    if !is_partner {
                        return Err(DieselError::DatabaseError(
                            DatabaseErrorKind::UniqueViolation,
                            info,
                        )
                        .into());
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(CreateUserError::NoFreeNumber)
    }
}

impl User {
    /// The account with this id.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
        users::table
            .find(id)
            .select(User::as_select())
            .get_result(conn)
            .optional()
    }

    /// The account with this id, if its session `family` (of refresh tokens) is still
    /// live: one query, on the refresh tokens' family index.
    pub fn find_in_session(conn: &mut DbConn, id: i64, family: &str) -> QueryResult<Option<User>> {
        let live = refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(id))
            .filter(refresh_tokens::family.eq(family))
            .filter(refresh_tokens::revoked_at.is_null());
        users::table
            .find(id)
            .filter(diesel::dsl::exists(live))
            .select(User::as_select())
            .get_result(conn)
            .optional()
    }

    /// The account with this (normalised) email.
    pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
        users::table
            .filter(users::email.eq(email))
            .select(User::as_select())
            .get_result(conn)
            .optional()
    }

    /// The emails of the accounts with these ids (ids without an account are absent).
    pub fn emails(
        conn: &mut DbConn,
        ids: &[i64],
    ) -> QueryResult<std::collections::HashMap<i64, String>> {
        if ids.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        let rows: Vec<(i64, String)> = users::table
            .filter(users::id.eq_any(ids))
            .select((users::id, users::email))
            .load(conn)?;
        Ok(rows.into_iter().collect())
    }

    /// Applies `changes` and returns the updated account.
    pub fn update(conn: &mut DbConn, id: i64, changes: &UserChanges) -> QueryResult<User> {
        diesel::update(users::table.find(id))
            .set(changes)
            .returning(users::all_columns)
            .get_result(conn)
    }

    /// The account's role; an unknown stored value (impossible through the CHECK
    /// constraint) is treated as the least privileged role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// `A123456` / `P123456` for partners.
    pub fn public_id(&self) -> Option<PublicId> {
        PublicId::new(self.partner_kind?, u32::try_from(self.public_number?).ok()?)
    }

    /// The account as the API shows it.
    pub fn to_account(&self) -> Account {
        Account {
            public_id: self.public_id(),
            role: self.role(),
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            phone: self.phone.clone(),
            country: self.country.clone(),
            payout_currency: self.payout_currency.clone(),
            created_at: crate::utc(self.created_at),
        }
    }
}

impl User {
    /// One page of partners, oldest first, whose email, name or public id matches `q`
    /// (case-insensitive, anywhere; `A123456`, `P123456` or the six digits match the
    /// public id), and the number of matching partners.
    pub fn search_partners(
        conn: &mut DbConn,
        q: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<User>, i64)> {
        let needle = q.map(str::trim).filter(|s| !s.is_empty());
        let number = needle.and_then(public_number);
        let query = || {
            let mut query = users::table
                .filter(users::role.eq(Role::Partner))
                .into_boxed();
            if let Some(needle) = needle {
                let pattern = crate::contains_pattern(needle);
                query = query.filter(
                    crate::lower(users::email)
                        .like(pattern.clone())
                        .escape('\\')
                        .or(
                            crate::lower(users::first_name.concat(" ").concat(users::last_name))
                                .like(pattern)
                                .escape('\\'),
                        )
                        .or(users::public_number.eq(number.unwrap_or(-1))),
                );
            }
            query
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order(users::id)
            .offset(offset)
            .limit(limit)
            .select(User::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// The partner with this public id. The digits identify a partner for good; the
    /// letter changes when they become official, so an old `A` id still finds them.
    pub fn by_public_id(conn: &mut DbConn, id: PublicId) -> QueryResult<Option<User>> {
        let Ok(number) = i32::try_from(id.number()) else {
            return Ok(None);
        };
        users::table
            .filter(users::public_number.eq(number))
            .filter(users::role.eq(Role::Partner))
            .select(User::as_select())
            .get_result(conn)
            .optional()
    }

    /// Some accounts by id.
    pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<User>> {
        users::table
            .filter(users::id.eq_any(ids))
            .select(User::as_select())
            .load(conn)
    }
}

/// The public number a search term names: `A123456`, `P123456` or `123456`.
fn public_number(needle: &str) -> Option<i32> {
    let upper = needle.to_ascii_uppercase();
    let digits = upper
        .strip_prefix('A')
        .or_else(|| upper.strip_prefix('P'))
        .unwrap_or(&upper);
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}
