//! Library loans: due dates, late fees and reminder emails.

mod money;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub use money::{Money, ParseMoneyError};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar day, written the way the library writes it: `22 March 2025`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1 January 1970.
    days: i64,
}

/// The text was not a date such as `22 March 2025`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDateError(String);

impl fmt::Display for ParseDateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" is not a date such as 22 March 2025", self.0)
    }
}

impl std::error::Error for ParseDateError {}

impl Date {
    /// `None` if the day does not exist (30 February, month 13, …).
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Days from civil, after Howard Hinnant: years start in March so leap days come last.
        let (m, d) = (i64::from(month), i64::from(day));
        let y = if month <= 2 { year - 1 } else { year };
        let (era, year_of_era) = (y.div_euclid(400), y.rem_euclid(400));
        let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        Some(Date {
            days: era * 146_097 + day_of_era - 719_468,
        })
    }

    /// The year, month (1–12) and day of the month.
    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.days + 719_468;
        let (era, day_of_era) = (z.div_euclid(146_097), z.rem_euclid(146_097));
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        // Both are small and positive by construction.
        (year, month as u32, day as u32)
    }

    pub fn plus_days(self, days: i64) -> Date {
        Date {
            days: self.days + days,
        }
    }

    /// How many days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days - self.days
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        let name = MONTHS[month as usize - 1];
        write!(f, "{day} {name} {year}")
    }
}

impl FromStr for Date {
    type Err = ParseDateError;

    /// Reads `22 March 2025` (the month name in any case).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ParseDateError(text.to_owned());
        let mut parts = text.split_whitespace();
        let (Some(day), Some(month), Some(year), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(error());
        };
        let month = MONTHS
            .iter()
            .position(|name| name.eq_ignore_ascii_case(month))
            .ok_or_else(error)?;
        let day = day.parse().map_err(|_| error())?;
        let year = year.parse().map_err(|_| error())?;
        Date::from_ymd(year, month as u32 + 1, day).ok_or_else(error)
    }
}

/// The library's lending rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// How long a book may be kept.
    pub loan_days: i64,
    /// Charged for each day a book is kept after its due date.
    pub fee_per_day: Money,
    /// The late fee for one book never goes above this.
    pub fee_cap: Money,
}

impl Default for Policy {
    /// The town library's rules: 21 days, 0.20 euros a day late, at most 5.00 euros a book.
    fn default() -> Self {
        Policy {
            loan_days: 21,
            fee_per_day: Money::cents(20),
            fee_cap: Money::euros(5),
        }
    }
}

/// One book lent to one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loan {
    pub member: String,
    pub title: String,
    pub borrowed_on: Date,
    /// Fixed when the book is lent, with the rules in force that day.
    pub due_on: Date,
    pub returned_on: Option<Date>,
}

impl Loan {
    /// Days past the due date on `day`; 0 while the book is not late.
    pub fn days_late(&self, day: Date) -> i64 {
        self.due_on.days_until(day).max(0)
    }

    /// The late fee if the book comes back on `day`, capped by the policy.
    pub fn late_fee(&self, policy: &Policy, day: Date) -> Money {
        (policy.fee_per_day * self.days_late(day)).min(policy.fee_cap)
    }
}

/// Why the library refused to lend or take back a book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoanError {
    /// Members who owe late fees pay them before borrowing again.
    UnpaidFees { member: String, owed: Money },
    /// The member does not have this book.
    NotOnLoan { member: String, title: String },
}

impl fmt::Display for LoanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnpaidFees { member, owed } => {
                write!(f, "{member} must first pay {owed} of late fees")
            }
            Self::NotOnLoan { member, title } => write!(f, "{member} has not borrowed \"{title}\""),
        }
    }
}

impl std::error::Error for LoanError {}

/// An email sent to a member about an overdue book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub to: String,
    pub title: String,
    pub body: String,
}

/// The library's loans and the late fees its members still owe.
#[derive(Debug, Clone, Default)]
pub struct Library {
    policy: Policy,
    loans: Vec<Loan>,
    unpaid: BTreeMap<String, Money>,
}

impl Library {
    pub fn new(policy: Policy) -> Self {
        Library {
            policy,
            ..Library::default()
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn policy_mut(&mut self) -> &mut Policy {
        &mut self.policy
    }

    /// Lends a book, unless the member still owes late fees.
    pub fn lend(&mut self, member: &str, title: &str, day: Date) -> Result<&Loan, LoanError> {
        let owed = self.unpaid_fees(member);
        if owed > Money::ZERO {
            return Err(LoanError::UnpaidFees {
                member: member.to_owned(),
                owed,
            });
        }
        self.loans.push(Loan {
            member: member.to_owned(),
            title: title.to_owned(),
            borrowed_on: day,
            due_on: day.plus_days(self.policy.loan_days),
            returned_on: None,
        });
        Ok(&self.loans[self.loans.len() - 1])
    }

    /// Takes a book back and returns the late fee charged, which the member now owes.
    pub fn take_back(&mut self, member: &str, title: &str, day: Date) -> Result<Money, LoanError> {
        let loan = self
            .loans
            .iter_mut()
            .find(|loan| loan.member == member && loan.title == title && loan.returned_on.is_none())
            .ok_or_else(|| LoanError::NotOnLoan {
                member: member.to_owned(),
                title: title.to_owned(),
            })?;
        loan.returned_on = Some(day);
        let fee = loan.late_fee(&self.policy, day);
        self.charge(member, fee);
        Ok(fee)
    }

    /// Late fees the member owes and has not paid yet.
    pub fn unpaid_fees(&self, member: &str) -> Money {
        self.unpaid.get(member).copied().unwrap_or(Money::ZERO)
    }

    /// Adds to what the member owes.
    pub fn charge(&mut self, member: &str, fee: Money) {
        if fee > Money::ZERO {
            *self.unpaid.entry(member.to_owned()).or_default() += fee;
        }
    }

    /// The member pays everything owed at the desk; returns the amount paid.
    pub fn pay_fees(&mut self, member: &str) -> Money {
        self.unpaid.remove(member).unwrap_or(Money::ZERO)
    }

    /// Books the member has and has not brought back yet.
    pub fn loans_of<'a>(&'a self, member: &'a str) -> impl Iterator<Item = &'a Loan> {
        self.loans
            .iter()
            .filter(move |loan| loan.member == member && loan.returned_on.is_none())
    }

    /// One reminder for every book still out and past its due date on `day`.
    pub fn reminders(&self, day: Date) -> Vec<Reminder> {
        self.loans
            .iter()
            .filter(|loan| loan.returned_on.is_none() && loan.days_late(day) > 0)
            .map(|loan| Reminder {
                to: loan.member.clone(),
                title: loan.title.clone(),
                body: self.reminder_text(loan, day),
            })
            .collect()
    }

    fn reminder_text(&self, loan: &Loan, day: Date) -> String {
        let days_late = loan.days_late(day);
        let days = if days_late == 1 { "day" } else { "days" };
        let Policy {
            fee_per_day,
            fee_cap,
            ..
        } = &self.policy;
        format!(
            "Hello {member},\n\
             \n\
             \"{title}\" was due back on {due} and is now {days_late} {days} late.\n\
             The late fee so far is {fee}. It grows by {fee_per_day} a day,\n\
             up to {fee_cap}.\n\
             \n\
             Please bring it back at your earliest convenience.\n\
             The Town Library",
            member = loan.member,
            title = loan.title,
            due = loan.due_on,
            fee = loan.late_fee(&self.policy, day),
        )
    }
}
