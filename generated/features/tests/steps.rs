//! The step definitions, one module per feature, each with its own `World`.
//!
//! Written by wow: it rewrites this file on every run.

pub mod banking;
pub mod library_loans;
pub mod reservation_salle;
pub mod shopping_cart;
