//! Step definitions for every feature in `features/`, one module per feature.
//!
//! All features run with the same `World`, so it holds one part per feature;
//! each scenario starts from a fresh, empty `World`.

mod banking;
mod library_loans;
mod reservation;
mod shopping_cart;

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    banking: banking::BankingWorld,
    cart: shopping_cart::CartWorld,
    library: library_loans::LibraryWorld,
    rooms: reservation::RoomsWorld,
}
