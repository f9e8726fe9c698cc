//! The ledger in the database (C5, docs/ledger.md): immutable transfers with a unique key
//! per cause, and the balances derived from them.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use partnerly_domain::ledger::{Account, AccountKind, Cause, Transfer};
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::schema::ledger_transfers;

/// A stored transfer.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = ledger_transfers)]
pub struct StoredTransfer {
    pub id: i64,
    pub key: String,
    pub currency: String,
    pub from_membership: Option<i64>,
    pub from_kind: AccountKind,
    pub to_membership: Option<i64>,
    pub to_kind: AccountKind,
    pub amount_minor: i64,
    pub cause_type: Cause,
    pub cause_id: i64,
    pub created_at: PrimitiveDateTime,
}

/// An account's identity as stored: (membership, kind, currency).
pub type AccountKey = (Option<i64>, AccountKind, String);

/// A transfer as booked: `cause_type` and `cause_id` name what caused it
/// (`commission`, `refund`, `adjustment`, ... and that row's id).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ledger_transfers, treat_none_as_default_value = false)]
pub struct NewTransfer {
    pub key: String,
    pub currency: &'static str,
    pub from_membership: Option<i64>,
    pub from_kind: AccountKind,
    pub to_membership: Option<i64>,
    pub to_kind: AccountKind,
    pub amount_minor: i64,
    pub cause_type: Cause,
    pub cause_id: i64,
    pub created_at: PrimitiveDateTime,
}

impl NewTransfer {
    pub fn new(
        transfer: &Transfer,
        cause_type: Cause,
        cause_id: i64,
        now: PrimitiveDateTime,
    ) -> Self {
        Self {
            key: transfer.key.clone(),
            currency: transfer.amount.currency().code(),
            from_membership: transfer.from.membership,
            from_kind: transfer.from.kind,
            to_membership: transfer.to.membership,
            to_kind: transfer.to.kind,
            amount_minor: transfer.amount.minor(),
            cause_type,
            cause_id,
            created_at: now,
        }
    }
}

/// Books a transfer in the caller's transaction. Returns `false` when a transfer with
/// the same key exists: the booking was already done (by a retry, a replayed event or
/// another instance), and nothing is added.
pub fn post(
    conn: &mut DbConn,
    transfer: &Transfer,
    cause_type: Cause,
    cause_id: i64,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    // ON CONFLICT rather than catching the error: no savepoint per transfer.
    let row = NewTransfer::new(transfer, cause_type, cause_id, now);
    let inserted =
        crate::conn::on_backend!(conn, |c| diesel::insert_into(ledger_transfers::table)
            .values(&row)
            .on_conflict_do_nothing()
            .execute(c))?;
    Ok(inserted == 1)
}

/// Books many transfers, a few hundred per statement; as with [`post`], a transfer
/// whose key is already booked is skipped. Returns how many were added.
pub fn post_all(conn: &mut DbConn, rows: &[NewTransfer]) -> QueryResult<usize> {
    Ok(crate::insert_in_chunks!(rows, |chunk| {
        crate::conn::on_backend!(conn, |c| diesel::insert_into(ledger_transfers::table)
            .values(chunk)
            .on_conflict_do_nothing()
            .execute(c))?
    }))
}

#[derive(QueryableByName)]
struct Sum {
    #[diesel(sql_type = Nullable<BigInt>)]
    membership: Option<i64>,
    #[diesel(sql_type = Text)]
    kind: AccountKind,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// Balances of the accounts of some memberships (or of every account with `None`), in
/// minor units, keyed by (membership, kind, currency). Accounts without transfers are
/// absent (their balance is zero).
pub fn balances(
    conn: &mut DbConn,
    memberships: Option<&[i64]>,
) -> QueryResult<BTreeMap<AccountKey, i64>> {
    // SUM over BIGINT is NUMERIC on PostgreSQL and INTEGER on SQLite: the CAST gives
    // both the same type. Membership ids are integers, so formatting them is safe.
    let filter = |column: &str| match memberships {
        Some([]) => " WHERE 1 = 0".to_owned(),
        Some(ids) => format!(
            " WHERE {column} IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
        None => String::new(),
    };
    let credits = format!(
        "SELECT to_membership AS membership, to_kind AS kind, currency, \
         CAST(SUM(amount_minor) AS BIGINT) AS total FROM ledger_transfers{} \
         GROUP BY to_membership, to_kind, currency",
        filter("to_membership")
    );
    let debits = format!(
        "SELECT from_membership AS membership, from_kind AS kind, currency, \
         CAST(SUM(amount_minor) AS BIGINT) AS total FROM ledger_transfers{} \
         GROUP BY from_membership, from_kind, currency",
        filter("from_membership")
    );
    let mut out = BTreeMap::new();
    for row in diesel::sql_query(credits).load::<Sum>(conn)? {
        *out.entry((row.membership, row.kind, row.currency))
            .or_insert(0) += row.total;
    }
    for row in diesel::sql_query(debits).load::<Sum>(conn)? {
        *out.entry((row.membership, row.kind, row.currency))
            .or_insert(0) -= row.total;
    }
    Ok(out)
}

/// What memberships have withdrawn, per (membership, currency): transfers from their
/// reserved account to the payout sinks.
pub fn withdrawn(
    conn: &mut DbConn,
    memberships: &[i64],
) -> QueryResult<BTreeMap<(i64, String), i64>> {
    if memberships.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<(Option<i64>, String, i64)> = ledger_transfers::table
        .filter(ledger_transfers::from_membership.eq_any(memberships))
        .filter(ledger_transfers::from_kind.eq(AccountKind::Reserved))
        .filter(
            ledger_transfers::to_kind
                .eq_any([AccountKind::PayoutsOut, AccountKind::AccountCreditOut]),
        )
        .select((
            ledger_transfers::from_membership,
            ledger_transfers::currency,
            ledger_transfers::amount_minor,
        ))
        .load(conn)?;
    let mut out = BTreeMap::new();
    for (membership, currency, amount) in rows {
        if let Some(m) = membership {
            *out.entry((m, currency)).or_insert(0) += amount;
        }
    }
    Ok(out)
}

/// Every transfer, oldest first (for `partnerly ledger-check` and tests).
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<StoredTransfer>> {
    ledger_transfers::table
        .order(ledger_transfers::id)
        .select(StoredTransfer::as_select())
        .load(conn)
}

/// The account a stored transfer's side names, if its values are valid.
pub fn account(membership: Option<i64>, kind: AccountKind, currency: &str) -> Option<Account> {
    Some(Account {
        membership,
        kind,
        currency: partnerly_domain::Currency::parse(currency).ok()?,
    })
}
