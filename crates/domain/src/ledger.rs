//! The money ledger (C5): accounts, transfers and the balances derived from them.
//!
//! Every movement of money is a transfer from one account to another, in one currency,
//! of a positive amount, under a unique key derived from its cause
//! (`commission:812:accrue`). Balances are sums of transfers; nothing edits a balance.
//! See docs/ledger.md for the flows; [`Ledger`] is the in-memory model the property tests
//! check the database against.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;
use utoipa::ToSchema;

use crate::money::{Currency, Money, MoneyView};

/// The kinds of account. Partner accounts belong to a membership (partner × program);
/// the others are the vendor's side.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// Earned, inside the hold period.
    Pending,
    /// Earned and withdrawable (may go below zero after a clawback).
    Available,
    /// Held by a withdrawal request.
    Reserved,
    /// Held by a fraud rule for review.
    Review,
    /// The vendor's cost of commissions (source of accruals, sink of reversals).
    CommissionExpense,
    /// The vendor's cost of bonuses.
    BonusExpense,
    /// Manual adjustments by finance staff.
    Adjustments,
    /// Money paid out to partners (withdrawn).
    PayoutsOut,
    /// Money credited to partners' product accounts.
    AccountCreditOut,
    /// Deposits partners made.
    DepositsIn,
}

stored_as_text!(AccountKind, "account kind");

/// What caused a transfer: stored beside it with the causing row's id
/// (`ledger_transfers.cause_type`, `cause_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum Cause {
    /// A commission line's accrual or release (its id).
    Commission,
    /// A refund reversing a commission (the commission's id).
    Refund,
    /// A chargeback reversing a commission (the commission's id).
    Chargeback,
    /// A commission voided because an earlier first payment arrived late.
    RuleCorrection,
    /// A manual balance adjustment (its id).
    Adjustment,
}

stored_as_text!(Cause, "transfer cause");

impl Cause {
    /// The stable name stored in the database (and sent as a reversal's `reason`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commission => "commission",
            Self::Refund => "refund",
            Self::Chargeback => "chargeback",
            Self::RuleCorrection => "rule_correction",
            Self::Adjustment => "adjustment",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "commission" => Some(Self::Commission),
            "refund" => Some(Self::Refund),
            "chargeback" => Some(Self::Chargeback),
            "rule_correction" => Some(Self::RuleCorrection),
            "adjustment" => Some(Self::Adjustment),
            _ => None,
        }
    }
}

impl AccountKind {
    /// Every kind.
    pub const ALL: [AccountKind; 10] = [
        AccountKind::Pending,
        AccountKind::Available,
        AccountKind::Reserved,
        AccountKind::Review,
        AccountKind::CommissionExpense,
        AccountKind::BonusExpense,
        AccountKind::Adjustments,
        AccountKind::PayoutsOut,
        AccountKind::AccountCreditOut,
        AccountKind::DepositsIn,
    ];

    /// Whether accounts of this kind belong to a membership.
    pub fn is_partner(self) -> bool {
        matches!(
            self,
            AccountKind::Pending
                | AccountKind::Available
                | AccountKind::Reserved
                | AccountKind::Review
        )
    }

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Pending => "pending",
            AccountKind::Available => "available",
            AccountKind::Reserved => "reserved",
            AccountKind::Review => "review",
            AccountKind::CommissionExpense => "commission_expense",
            AccountKind::BonusExpense => "bonus_expense",
            AccountKind::Adjustments => "adjustments",
            AccountKind::PayoutsOut => "payouts_out",
            AccountKind::AccountCreditOut => "account_credit_out",
            AccountKind::DepositsIn => "deposits_in",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// An account: a kind, a currency, and for partner kinds the membership owning it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Account {
    pub membership: Option<i64>,
    pub kind: AccountKind,
    pub currency: Currency,
}

impl Account {
    /// A membership's account.
    pub fn partner(membership: i64, kind: AccountKind, currency: Currency) -> Self {
        Self {
            membership: Some(membership),
            kind,
            currency,
        }
    }

    /// A vendor-side account.
    pub fn vendor(kind: AccountKind, currency: Currency) -> Self {
        Self {
            membership: None,
            kind,
            currency,
        }
    }
}

/// Why a transfer is not valid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransferError {
    #[error("a transfer moves a positive amount")]
    NotPositive,
    #[error("a transfer needs two different accounts")]
    SameAccount,
    #[error("both accounts of a transfer have the transfer's currency")]
    CurrencyMismatch,
    #[error("partner accounts need a membership and vendor accounts have none")]
    WrongOwner,
}

/// One movement of money from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Unique per cause, e.g. `commission:812:accrue`; a second transfer with the same
    /// key is refused, which makes every booking idempotent.
    pub key: String,
    pub from: Account,
    pub to: Account,
    pub amount: Money,
}

impl Transfer {
    /// A checked transfer (invariant 1 of docs/ledger.md).
    pub fn new(
        key: impl Into<String>,
        from: Account,
        to: Account,
        amount: Money,
    ) -> Result<Self, TransferError> {
        if !amount.is_positive() {
            return Err(TransferError::NotPositive);
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }
        if from.currency != amount.currency() || to.currency != amount.currency() {
            return Err(TransferError::CurrencyMismatch);
        }
        for account in [from, to] {
            if account.kind.is_partner() != account.membership.is_some() {
                return Err(TransferError::WrongOwner);
            }
        }
        Ok(Self {
            key: key.into(),
            from,
            to,
            amount,
        })
    }
}

/// A membership's figures in one currency (C5), as the dashboard shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Balance {
    pub currency: Currency,
    /// Inside the hold period.
    pub pending: MoneyView,
    /// Withdrawable now (negative after a clawback not yet repaid).
    pub available: MoneyView,
    /// Held by withdrawal requests.
    pub reserved: MoneyView,
    /// Held for review by a fraud rule.
    pub review: MoneyView,
    /// Paid out (to a wallet or the product account).
    pub withdrawn: MoneyView,
    /// Everything earned, net of reversals and adjustments:
    /// pending + available + reserved + review + withdrawn.
    pub earned: MoneyView,
}

/// An in-memory ledger with the same rules as the database: the reference model.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    transfers: Vec<Transfer>,
    keys: BTreeSet<String>,
}

impl Ledger {
    /// Records a transfer; `false` (and nothing recorded) when its key was seen before.
    pub fn post(&mut self, transfer: Transfer) -> bool {
        if !self.keys.insert(transfer.key.clone()) {
            return false;
        }
        self.transfers.push(transfer);
        true
    }

    /// All transfers, in order.
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    /// An account's balance in minor units: what came in minus what went out.
    pub fn balance(&self, account: Account) -> i64 {
        self.transfers
            .iter()
            .map(|t| {
                let mut delta = 0;
                if t.to == account {
                    delta += t.amount.minor();
                }
                if t.from == account {
                    delta -= t.amount.minor();
                }
                delta
            })
            .sum()
    }

    /// Every account's balance.
    pub fn balances(&self) -> BTreeMap<Account, i64> {
        let mut out = BTreeMap::new();
        for t in &self.transfers {
            *out.entry(t.to).or_insert(0) += t.amount.minor();
            *out.entry(t.from).or_insert(0) -= t.amount.minor();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn transfers_must_be_positive_between_two_accounts_of_their_currency() {
        let pending = Account::partner(1, AccountKind::Pending, usd());
        let expense = Account::vendor(AccountKind::CommissionExpense, usd());
        let eur = Currency::parse("EUR").unwrap();
        assert!(Transfer::new("k", expense, pending, Money::from_minor(100, usd())).is_ok());
        assert_eq!(
            Transfer::new("k", expense, pending, Money::from_minor(0, usd())),
            Err(TransferError::NotPositive)
        );
        assert_eq!(
            Transfer::new("k", pending, pending, Money::from_minor(1, usd())),
            Err(TransferError::SameAccount)
        );
        assert_eq!(
            Transfer::new("k", expense, pending, Money::from_minor(1, eur)),
            Err(TransferError::CurrencyMismatch)
        );
        assert_eq!(
            Transfer::new(
                "k",
                Account::vendor(AccountKind::Pending, usd()),
                expense,
                Money::from_minor(1, usd())
            ),
            Err(TransferError::WrongOwner)
        );
    }

    #[test]
    fn a_key_books_once_and_balances_sum_to_zero() {
        let mut ledger = Ledger::default();
        let pending = Account::partner(1, AccountKind::Pending, usd());
        let expense = Account::vendor(AccountKind::CommissionExpense, usd());
        let t = Transfer::new(
            "commission:1:accrue",
            expense,
            pending,
            Money::from_minor(980, usd()),
        )
        .unwrap();
        assert!(ledger.post(t.clone()));
        assert!(!ledger.post(t));
        assert_eq!(ledger.balance(pending), 980);
        assert_eq!(ledger.balances().values().sum::<i64>(), 0);
    }
}
