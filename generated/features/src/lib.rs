//! Prototype for the four features in `features/`.
//!
//! One module per feature, plus [`money`], the amount type they share:
//!
//! - [`banking`]: cash withdrawals from a current account with an agreed overdraft.
//! - [`shopping_cart`]: cart totals, discount codes and delivery costs.
//! - [`library_loans`]: book loans, due dates, late fees and reminder emails.
//! - [`reservation`]: meeting-room bookings (the feature is written in French).
//!
//! Only the standard library is used. The scenarios run with `cargo test --test intents`.

pub mod banking;
pub mod library_loans;
pub mod money;
pub mod reservation;
pub mod shopping_cart;

pub use money::Money;
