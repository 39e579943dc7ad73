//! The prototype, one module per feature.
//!
//! Written by wow: it rewrites this file on every run.

pub mod banking;
pub mod library_loans;
pub mod reservation_salle;
pub mod shopping_cart;
