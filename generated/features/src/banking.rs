//! Current accounts: cash withdrawals, with an overdraft agreed with the bank.

mod money;

use std::fmt;

pub use money::{Money, ParseMoneyError};

/// A customer's current account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    holder: String,
    balance: Money,
    overdraft_limit: Money,
}

/// Why a withdrawal was refused. A refused withdrawal leaves the balance untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawalError {
    /// Only a positive amount can be withdrawn.
    InvalidAmount(Money),
    /// The withdrawal would go beyond the agreed overdraft.
    InsufficientFunds { requested: Money, available: Money },
}

impl fmt::Display for WithdrawalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidAmount(amount) => {
                write!(f, "a withdrawal must be more than 0 euros, not {amount}")
            }
            Self::InsufficientFunds {
                requested,
                available,
            } => write!(
                f,
                "insufficient funds: {requested} requested, but only {available} \
                 can be withdrawn, overdraft included"
            ),
        }
    }
}

impl std::error::Error for WithdrawalError {}

impl Account {
    /// Opens an account with no overdraft.
    pub fn open(holder: impl Into<String>, opening_balance: Money) -> Self {
        Account {
            holder: holder.into(),
            balance: opening_balance,
            overdraft_limit: Money::ZERO,
        }
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Negative when the account is overdrawn.
    pub fn balance(&self) -> Money {
        self.balance
    }

    pub fn overdraft_limit(&self) -> Money {
        self.overdraft_limit
    }

    /// Sets how far below zero the balance may go. A negative limit means no overdraft.
    pub fn agree_overdraft(&mut self, limit: Money) {
        self.overdraft_limit = limit.max(Money::ZERO);
    }

    /// What can still be withdrawn: the balance plus the agreed overdraft.
    pub fn available(&self) -> Money {
        self.balance + self.overdraft_limit
    }

    /// Pays out `amount` in cash and returns it, or refuses without changing the balance.
    pub fn withdraw(&mut self, amount: Money) -> Result<Money, WithdrawalError> {
        if amount <= Money::ZERO {
            return Err(WithdrawalError::InvalidAmount(amount));
        }
        let available = self.available();
        if amount > available {
            return Err(WithdrawalError::InsufficientFunds {
                requested: amount,
                available,
            });
        }
        self.balance -= amount;
        Ok(amount)
    }
}
