//! Invitations by email (T4): each address gets one email through the outbox, with the
//! partner's message and their link, and is recorded with the link. The email's text
//! is the caller's (the API keeps the templates); this module decides who gets it and
//! records it, in one transaction.

use partnerly_db::DbConn;
use partnerly_db::invitation::{Invitation, NewInvitation};
use partnerly_db::link::Link;
use partnerly_db::outbox::NewOutboxEmail;
use partnerly_domain::invitation::Invite;
use time::PrimitiveDateTime;

use super::TrackingError;

/// An email to send: subject and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationEmail {
    pub subject: String,
    pub body: String,
}

/// Invites every address of `invite` with one of `user_id`'s enabled links; `compose`
/// writes the email for the link. A disabled link invites nobody (409-like refusal as
/// a field error on the link).
pub fn invite(
    conn: &mut DbConn,
    user_id: i64,
    link_id: i64,
    invite: &Invite,
    now: PrimitiveDateTime,
    compose: impl Fn(&Link) -> InvitationEmail,
) -> Result<Vec<Invitation>, TrackingError> {
    let (link, _) = Link::of_user_by_id(conn, user_id, link_id)?.ok_or(TrackingError::NotFound)?;
    if link.disabled_at.is_some() {
        return Err(TrackingError::LinkDisabled);
    }
    let email = compose(&link);
    let mut sent = Vec::with_capacity(invite.emails.len());
    for to in &invite.emails {
        NewOutboxEmail::new(to, &email.subject, &email.body, None, now).insert(conn)?;
        sent.push(
            NewInvitation {
                link_id: link.id,
                membership_id: link.membership_id,
                email: to,
                message: &invite.message,
                sent_at: now,
            }
            .insert(conn)?,
        );
    }
    Ok(sent)
}
