//! Amounts of money in euros, kept as whole cents so that totals never drift.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul, Sub};
use std::str::FromStr;

/// An amount in euros, stored in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    /// A whole number of euros.
    pub const fn euros(euros: i64) -> Self {
        Money(euros * 100)
    }

    /// An amount given in cents: `Money::cents(490)` is 4.90 euros.
    pub const fn cents(cents: i64) -> Self {
        Money(cents)
    }

    /// `percent` per cent of this amount, rounded to the nearest cent (half a cent rounds up).
    pub fn percent(self, percent: u32) -> Money {
        Money((self.0 * i64::from(percent) + 50).div_euclid(100))
    }
}

impl fmt::Display for Money {
    /// Formats as the features write amounts: `45.10 euros`, `-20.00 euros`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let cents = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02} euros", cents / 100, cents % 100)
    }
}

/// The text was not an amount such as `12`, `12.5` or `-12.50`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseMoneyError(String);

impl fmt::Display for ParseMoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" is not an amount of money such as 12.50", self.0)
    }
}

impl std::error::Error for ParseMoneyError {}

impl FromStr for Money {
    type Err = ParseMoneyError;

    /// Reads `100`, `4.9`, `4.90` or `-20` (euros, at most two decimals).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ParseMoneyError(text.to_owned());
        let (negative, digits) = match text.trim().strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.trim()),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 {
            return Err(error());
        }
        let euros: i64 = whole.parse().map_err(|_| error())?;
        let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| error())?;
        let amount = euros
            .checked_mul(100)
            .and_then(|c| c.checked_add(cents))
            .ok_or_else(error)?;
        Ok(Money(if negative { -amount } else { amount }))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

/// A price times a quantity.
impl Mul<i64> for Money {
    type Output = Money;
    fn mul(self, times: i64) -> Money {
        Money(self.0 * times)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(amounts: I) -> Money {
        amounts.fold(Money::ZERO, Add::add)
    }
}
