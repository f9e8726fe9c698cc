//! Money: an amount in one ISO 4217 currency, held as integer minor units (cents,
//! yen, fils) so that sums are exact, and shown as a decimal string with the currency.
//!
//! There is one rounding function, [`round_to_minor`] (half-even, "banker's rounding"):
//! it is applied once per commission line, never to partial results, so a partner's
//! statement adds up to the cent however many lines it has.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use utoipa::ToSchema;

use crate::iso;

/// Why an amount or currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("{0:?} is not an ISO 4217 currency code.")]
    UnknownCurrency(String),
    #[error("{0:?} is not an amount; write it like \"12.50\".")]
    NotAnAmount(String),
    #[error("{currency} amounts have at most {exponent} decimal places.")]
    TooPrecise {
        currency: &'static str,
        exponent: u8,
    },
    #[error("The amount is too large.")]
    Overflow,
    #[error("An amount must be less than 1,000,000,000,000 (in the currency's major unit).")]
    TooLarge,
    #[error("The amount must be positive.")]
    NotPositive,
    #[error("The amount cannot be negative.")]
    Negative,
    #[error("Cannot combine {0} and {1} amounts.")]
    CurrencyMismatch(&'static str, &'static str),
}

/// An ISO 4217 currency with its minor-unit exponent (USD 2, JPY 0, KWD 3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl Currency {
    /// Parses a code, case-insensitively (`"usd"` is USD).
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let upper = code.to_ascii_uppercase();
        iso::currency(&upper)
            .map(|c| Self {
                code: c.code,
                exponent: c.minor_units,
            })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// Digits after the decimal point.
    pub fn exponent(self) -> u8 {
        self.exponent
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Currency::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(iso::CURRENCIES.iter().map(|c| c.code)))
            .description(Some(
                "ISO 4217 currency code, sent in upper case (Partnerly also reads lower \
                 case: `usd` is USD).",
            ))
            .examples(["USD"])
            .into()
    }
}

impl utoipa::ToSchema for Currency {}

/// Amounts read from clients are smaller than this, in major units (a trillion):
/// at most 10^15 minor units even for three-decimal currencies, so that thousands of
/// them add up without leaving 64 bits.
pub const AMOUNT_LIMIT: i64 = 1_000_000_000_000;

/// The shape of an amount a client sends (JSON Schema `pattern`, as documented):
/// what [`Money::parse`] reads, and nothing else.
pub const AMOUNT_PATTERN: &str = "^-?[0-9]{1,12}(\\.[0-9]{1,12})?$";

/// [`AMOUNT_PATTERN`] without the minus: amounts that cannot be negative.
pub const UNSIGNED_AMOUNT_PATTERN: &str = "^[0-9]{1,12}(\\.[0-9]{1,12})?$";

/// The shape of a percentage ([`Rate::parse`]): up to 3 digits and 4 decimals.
pub const PERCENT_PATTERN: &str = "^[0-9]{1,3}(\\.[0-9]{1,4})?$";

/// Reads an amount's text ([`AMOUNT_PATTERN`]) before its currency is known; see
/// [`Money::parse`].
pub fn parse_amount(amount: &str) -> Result<Decimal, MoneyError> {
    plain_decimal(amount, 12, 12).map_err(|e| match e {
        DecimalShape::TooManyDigits => MoneyError::TooLarge,
        DecimalShape::TooManyDecimals | DecimalShape::NotADecimal => {
            MoneyError::NotAnAmount(amount.to_owned())
        }
    })
}

/// Why a text is not a plain decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DecimalShape {
    NotADecimal,
    /// A plain decimal with more whole digits than allowed.
    TooManyDigits,
    /// A plain decimal with more decimals than allowed.
    TooManyDecimals,
}

/// Reads `-?D(.F)?` with 1 to `whole` digits D and 1 to `fraction` digits F, all
/// ASCII: the one decimal syntax clients may send (no `+`, spaces, `1e3` or `1_000`,
/// which `Decimal`'s own parser would take).
fn plain_decimal(text: &str, whole: usize, fraction: usize) -> Result<Decimal, DecimalShape> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(DecimalShape::NotADecimal);
    }
    if int.len() > whole {
        return Err(DecimalShape::TooManyDigits);
    }
    if frac.is_some_and(|f| f.len() > fraction) {
        return Err(DecimalShape::TooManyDecimals);
    }
    text.parse().map_err(|_| DecimalShape::NotADecimal)
}

/// Rounds `value` (in major units) to the currency's minor units, half to even.
/// The only rounding in Partnerly's money paths.
pub fn round_to_minor(value: Decimal, currency: Currency) -> Result<i64, MoneyError> {
    let scaled = value
        .checked_mul(Decimal::from(10_i64.pow(u32::from(currency.exponent))))
        .ok_or(MoneyError::Overflow)?
        .round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
    i64::try_from(scaled).map_err(|_| MoneyError::Overflow)
}

/// An exact amount of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount from minor units (`1250` USD is 12.50).
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero of a currency.
    pub fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// Parses a decimal string from a client exactly: more decimals than the currency
    /// has is an error, never a silent rounding, and so is an amount whose size is
    /// [`AMOUNT_LIMIT`] or more. The limit keeps every sum Partnerly forms from such
    /// amounts (a payment's refunds, a batch's totals) far inside 64 bits.
    ///
    /// The text must be a plain decimal ([`AMOUNT_PATTERN`]): an optional minus, up to
    /// 12 digits, and up to 12 decimals; no spaces, plus sign, exponent or separators.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        Self::from_decimal_exact(parse_amount(amount)?, currency)
    }

    /// An exact decimal amount (no rounding).
    pub fn from_decimal_exact(value: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        if value.normalize().scale() > u32::from(currency.exponent) {
            return Err(MoneyError::TooPrecise {
                currency: currency.code,
                exponent: currency.exponent,
            });
        }
        Ok(Self::from_minor(round_to_minor(value, currency)?, currency))
    }

    /// Minor units.
    pub fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// The amount in major units, with exactly the currency's decimals.
    pub fn amount(self) -> Decimal {
        Decimal::new(self.minor, u32::from(self.currency.exponent))
    }

    /// Adds two amounts of one currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|m| Money::from_minor(m, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// Subtracts an amount of the same currency.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|m| Money::from_minor(m, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(
                self.currency.code,
                other.currency.code,
            ))
        }
    }

    /// Whether the amount is above zero.
    pub fn is_positive(self) -> bool {
        self.minor > 0
    }

    /// The API's representation.
    pub fn to_view(self) -> MoneyView {
        MoneyView {
            amount: self.amount().to_string(),
            currency: self.currency,
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount(), self.currency.code)
    }
}

/// An amount as the API sends it: `{"amount": "12.50", "currency": "USD"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MoneyView {
    /// Decimal string with the currency's number of decimals.
    #[schema(
        example = "12.50",
        max_length = 26,
        pattern = "^-?[0-9]{1,12}(\\.[0-9]{1,12})?$"
    )]
    pub amount: String,
    pub currency: Currency,
}

impl MoneyView {
    /// Parses the view back into exact money.
    pub fn parse(&self) -> Result<Money, MoneyError> {
        Money::parse(&self.amount, self.currency)
    }
}

/// A percentage between 0 (exclusive) and 100 (inclusive), e.g. 20 for 20%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(Decimal);

/// Why a rate was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RateError {
    #[error("A rate is a percentage like \"20\" or \"12.5\".")]
    NotANumber,
    #[error("A rate is above 0% and at most 100%.")]
    OutOfRange,
    #[error("A rate has at most 4 decimal places.")]
    TooPrecise,
}

impl Rate {
    /// A rate from a percentage (`20` is 20%).
    pub fn from_percent(percent: Decimal) -> Result<Self, RateError> {
        if percent <= Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(RateError::OutOfRange);
        }
        if percent.normalize().scale() > 4 {
            return Err(RateError::TooPrecise);
        }
        Ok(Self(percent.normalize()))
    }

    /// Parses `"20"` or `"12.5"`.
    /// The text must match [`PERCENT_PATTERN`].
    pub fn parse(raw: &str) -> Result<Self, RateError> {
        let d = plain_decimal(raw, 3, 4).map_err(|e| match e {
            DecimalShape::TooManyDigits => RateError::OutOfRange,
            DecimalShape::TooManyDecimals => RateError::TooPrecise,
            DecimalShape::NotADecimal => RateError::NotANumber,
        })?;
        Self::from_percent(d)
    }

    /// The percentage (20 for 20%).
    pub fn percent(self) -> Decimal {
        self.0
    }

    /// This rate of `amount`, rounded once with [`round_to_minor`].
    pub fn of(self, amount: Money) -> Result<Money, MoneyError> {
        let value = amount
            .amount()
            .checked_mul(self.0)
            .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::from_minor(
            round_to_minor(value, amount.currency)?,
            amount.currency,
        ))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Rate::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Rate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A percentage as a decimal string: \"20\" is 20%."))
            .examples(["20"])
            .into()
    }
}

impl utoipa::ToSchema for Rate {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_plain_decimals_of_at_most_twelve_and_twelve_digits() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(
            Money::parse("999999999999", usd).unwrap().minor(),
            99_999_999_999_900
        );
        assert_eq!(
            Money::parse("1000000000000", usd),
            Err(MoneyError::TooLarge)
        );
        // Twelve decimals are read (and must still fit the currency), thirteen are not.
        assert_eq!(Money::parse("1.000000000000", usd).unwrap().minor(), 100);
        assert!(matches!(
            Money::parse("1.0000000000000", usd),
            Err(MoneyError::NotAnAmount(_))
        ));
        for not_plain in [
            "", "-", ".5", "5.", "+5", " 5", "5 ", "1e3", "1_000", "١٢", "--1",
        ] {
            assert!(
                matches!(
                    Money::parse(not_plain, usd),
                    Err(MoneyError::NotAnAmount(_))
                ),
                "{not_plain:?}"
            );
        }
        assert_eq!(Money::parse("-0.50", usd).unwrap().minor(), -50);
    }

    #[test]
    fn rates_have_at_most_three_digits_and_four_decimals() {
        assert_eq!(
            Rate::parse("12.1234").unwrap().percent().to_string(),
            "12.1234"
        );
        assert_eq!(Rate::parse("12.12345"), Err(RateError::TooPrecise));
        assert_eq!(
            Rate::parse("100.0000").unwrap().percent().to_string(),
            "100"
        );
        assert_eq!(Rate::parse("1000"), Err(RateError::OutOfRange));
        assert_eq!(Rate::parse(" 20"), Err(RateError::NotANumber));
    }

    use proptest::prelude::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn currencies_carry_their_exponent() {
        assert_eq!(Currency::parse("jpy").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().exponent(), 3);
        assert_eq!(usd().exponent(), 2);
        assert!(Currency::parse("XYZ").is_err());
    }

    #[test]
    fn amounts_of_a_trillion_or_more_are_refused() {
        assert_eq!(
            Money::parse("999999999999.99", usd()).unwrap().minor(),
            99_999_999_999_999
        );
        assert_eq!(
            Money::parse("1000000000000", usd()),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            Money::parse("-1000000000000", usd()),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            Money::parse("79228162514264337593543950335", usd()),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn amounts_parse_exactly_or_not_at_all() {
        assert_eq!(Money::parse("12.5", usd()).unwrap().minor(), 1250);
        assert_eq!(
            Money::parse("12.50", usd()).unwrap().amount().to_string(),
            "12.50"
        );
        assert_eq!(
            Money::parse("12.505", usd()),
            Err(MoneyError::TooPrecise {
                currency: "USD",
                exponent: 2
            })
        );
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::parse("1500", jpy).unwrap().minor(), 1500);
        assert!(Money::parse("1500.5", jpy).is_err());
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(
            Money::parse("1.234", kwd).unwrap().amount().to_string(),
            "1.234"
        );
        assert!(Money::parse("twelve", usd()).is_err());
    }

    #[test]
    fn rounding_is_half_to_even() {
        let round = |s: &str| round_to_minor(s.parse().unwrap(), usd()).unwrap();
        assert_eq!(round("0.125"), 12);
        assert_eq!(round("0.135"), 14);
        assert_eq!(round("0.1251"), 13);
        assert_eq!(round("-0.125"), -12);
    }

    #[test]
    fn rates_apply_once_with_one_rounding() {
        let rate = Rate::parse("20").unwrap();
        assert_eq!(
            rate.of(Money::parse("49.99", usd()).unwrap())
                .unwrap()
                .minor(),
            1000
        );
        let rate = Rate::parse("12.5").unwrap();
        // 0.10 × 12.5% = 0.0125 → 0.01 (half-even)
        assert_eq!(
            rate.of(Money::parse("0.10", usd()).unwrap())
                .unwrap()
                .minor(),
            1
        );
        assert!(Rate::parse("0").is_err());
        assert!(Rate::parse("100.01").is_err());
        assert!(Rate::parse("abc").is_err());
    }

    #[test]
    fn money_serialises_as_a_string_with_its_currency() {
        let view = Money::parse("12.5", usd()).unwrap().to_view();
        assert_eq!(
            serde_json::to_value(&view).unwrap(),
            serde_json::json!({"amount": "12.50", "currency": "USD"})
        );
    }

    #[test]
    fn different_currencies_never_add() {
        let eur = Currency::parse("EUR").unwrap();
        assert!(Money::zero(usd()).checked_add(Money::zero(eur)).is_err());
    }

    proptest! {
        #[test]
        fn minor_units_round_trip_through_the_view(minor in -1_000_000_000_000_i64..1_000_000_000_000) {
            for code in ["USD", "JPY", "KWD"] {
                let money = Money::from_minor(minor, Currency::parse(code).unwrap());
                prop_assert_eq!(money.to_view().parse().unwrap(), money);
            }
        }

        #[test]
        fn a_rate_of_an_amount_is_within_half_a_minor_unit_of_the_exact_value(
            minor in 0_i64..10_000_000_000, percent_bp in 1_u32..=10_000,
        ) {
            let rate = Rate::from_percent(Decimal::new(i64::from(percent_bp), 2)).unwrap();
            let amount = Money::from_minor(minor, usd());
            let got = rate.of(amount).unwrap();
            let exact = Decimal::from(minor) * rate.percent() / Decimal::ONE_HUNDRED;
            prop_assert!((Decimal::from(got.minor()) - exact).abs() <= Decimal::new(5, 1));
            prop_assert!(got.minor() <= minor);
        }
    }
}
