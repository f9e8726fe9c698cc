//! Email invitations partners send with their links (T4), and whether each led to a
//! sign-up: a customer of the same link with the invited email.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::schema::{customers, invitations};

/// A stored invitation.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub link_id: i64,
    pub membership_id: i64,
    pub email: String,
    pub message: String,
    pub sent_at: PrimitiveDateTime,
}

/// An invitation to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = invitations)]
pub struct NewInvitation<'a> {
    pub link_id: i64,
    pub membership_id: i64,
    pub email: &'a str,
    pub message: &'a str,
    pub sent_at: PrimitiveDateTime,
}

impl NewInvitation<'_> {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<Invitation> {
        diesel::insert_into(invitations::table)
            .values(self)
            .returning(invitations::all_columns)
            .get_result(conn)
    }
}

impl Invitation {
    /// A link's invitations, newest first (at most `limit`), each with whether a
    /// customer of the link signed up with its email.
    pub fn of_link(
        conn: &mut DbConn,
        link_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<(Invitation, bool)>> {
        let signed_up = diesel::dsl::exists(
            customers::table
                .filter(customers::link_id.eq(invitations::link_id.nullable()))
                .filter(customers::email.eq(invitations::email.nullable())),
        );
        invitations::table
            .filter(invitations::link_id.eq(link_id))
            .order((invitations::sent_at.desc(), invitations::id.desc()))
            .limit(limit)
            .select((Invitation::as_select(), signed_up))
            .load(conn)
    }
}
