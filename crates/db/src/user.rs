//! Accounts: partners and staff, with their profile and password hash.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use partnerly_domain::account::{Account, Role};
use partnerly_domain::public_id::{PartnerKind, PublicId};
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::schema::users;

/// A stored account.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub public_number: Option<i32>,
    pub partner_kind: Option<String>,
    pub role: String,
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
    pub partner_kind: Option<&'a str>,
    pub role: &'a str,
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
    pub role: Option<String>,
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
            partner_kind: Some("referral"),
            role: Role::Partner.as_str(),
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
            .first(conn)
            .optional()
    }

    /// The account with this (normalised) email.
    pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
        users::table
            .filter(users::email.eq(email))
            .select(User::as_select())
            .first(conn)
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
        Role::parse(&self.role).unwrap_or(Role::Partner)
    }

    /// `A123456` / `P123456` for partners.
    pub fn public_id(&self) -> Option<PublicId> {
        let kind = match self.partner_kind.as_deref()? {
            "official" => PartnerKind::Official,
            _ => PartnerKind::Referral,
        };
        PublicId::new(kind, u32::try_from(self.public_number?).ok()?)
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
