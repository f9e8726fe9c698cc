//! `partnerly seed-demo`: a demo program's people, so a first run has something to show.
//! Running it again changes nothing.

use partnerly_db::user::{CreateUserError, NewUser, User};
use partnerly_db::{DbConn, write_transaction};
use partnerly_domain::account::Role;

use crate::auth::password;

/// The demo accounts: (role, email, password, first name, last name).
pub const DEMO_ACCOUNTS: [(Role, &str, &str, &str, &str); 3] = [
    (
        Role::Partner,
        "partner@demo.partnerly.dev",
        "demo partner 2026",
        "Dana",
        "Reyes",
    ),
    (
        Role::Admin,
        "admin@demo.partnerly.dev",
        "demo admin 2026",
        "Alex",
        "Admin",
    ),
    (
        Role::Finance,
        "finance@demo.partnerly.dev",
        "demo finance 2026",
        "Fran",
        "Ledger",
    ),
];

/// Creates the demo accounts that are missing; returns how many were created.
pub fn seed_demo(conn: &mut DbConn) -> anyhow::Result<usize> {
    let mut created = 0;
    for (role, email, pass, first, last) in DEMO_ACCOUNTS {
        if User::find_by_email(conn, email)?.is_some() {
            continue;
        }
        let hash = password::hash(pass).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
        write_transaction(conn, |conn| -> anyhow::Result<()> {
            let now = partnerly_db::now();
            let mut new = NewUser::partner(email, &hash, first, last, now);
            if role != Role::Partner {
                new.partner_kind = None;
                new.role = role.as_str();
            }
            match new.insert(conn, || {
                rand::random_range(partnerly_domain::public_id::NUMBER_RANGE)
            }) {
                Ok(_) | Err(CreateUserError::EmailTaken) => Ok(()),
                Err(e) => Err(e.into()),
            }
        })?;
        created += 1;
    }
    Ok(created)
}

/// Lines describing the demo logins that exist in this database.
pub fn demo_logins(conn: &mut DbConn) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    for (role, email, pass, ..) in DEMO_ACCOUNTS {
        if User::find_by_email(conn, email)?.is_some() {
            lines.push(format!("{:<8} {email} / {pass}", role.as_str()));
        }
    }
    Ok(lines)
}

/// Creates a staff account for `partnerly create-admin`.
pub fn create_staff(
    conn: &mut DbConn,
    email: &str,
    role: Role,
    password_hash: &str,
) -> anyhow::Result<User> {
    write_transaction(conn, |conn| {
        let now = partnerly_db::now();
        let mut new = NewUser::partner(email, password_hash, "", "", now);
        new.partner_kind = None;
        new.role = role.as_str();
        new.insert(conn, || 0).map_err(|e| match e {
            CreateUserError::EmailTaken => {
                anyhow::anyhow!("an account with the email {email} exists")
            }
            other => other.into(),
        })
    })
}
