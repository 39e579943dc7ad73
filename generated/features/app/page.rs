//! The prototype's page: one section per feature, each letting a stakeholder
//! do what its scenarios do. Every decision is the `prototype` library's; the
//! page only reads forms, calls the library and shows its answers.
//!
//! Ids of the elements showing key state (for browser tests):
//! - banking: `#balance`, `#overdraft`, `#available`
//! - shopping cart: `#discount-codes`, `#cart-lines`, `#cart-goods`, `#cart-discount`,
//!   `#cart-delivery`, `#cart-total`
//! - library loans: `#lending-rules`, `#loans`, `#fees-owed`, `#reminders`
//! - réservation de salles: `#salles`, `#reservations`

mod banking;
mod cart;
mod library;
mod rooms;

use std::fmt::Display;
use std::str::FromStr;

use crate::{Form, escape};

/// The state of the four features, in memory.
pub struct App {
    banking: banking::Banking,
    cart: cart::Shopping,
    library: library::Loans,
    rooms: rooms::Rooms,
}

impl App {
    /// Every feature seeded with its Background (and first scenario's) data.
    pub fn new() -> Self {
        App {
            banking: banking::Banking::new(),
            cart: cart::Shopping::new(),
            library: library::Loans::new(),
            rooms: rooms::Rooms::new(),
        }
    }

    /// The page's title, in the product owner's words.
    pub fn title(&self) -> String {
        "Cash withdrawals, cart totals, library loans and meeting rooms".to_owned()
    }

    /// The four sections, one per feature.
    pub fn render(&self) -> String {
        [
            self.banking.render(),
            self.cart.render(),
            self.library.render(),
            self.rooms.render(),
        ]
        .concat()
    }

    /// Hands the form to the feature whose button was pressed.
    pub fn submit(&mut self, form: &Form) -> Result<String, String> {
        match form.action() {
            "withdraw" => self.banking.withdraw(form),
            "reset-account" => Ok(self.banking.reset()),
            "add-to-cart" => self.cart.add(form),
            "enter-code" => self.cart.enter_code(form),
            "empty-cart" => Ok(self.cart.empty()),
            "borrow" => self.library.borrow(form),
            "bring-back" => self.library.bring_back(form),
            "pay-fees" => Ok(self.library.pay_fees()),
            "send-reminders" => self.library.send_reminders(form),
            "reserver" => self.rooms.book(form),
            "annuler" => self.rooms.cancel(form),
            other => Err(format!("The page has no button \"{other}\".")),
        }
    }
}

/// The value of the field `name`, or `""` if the form has none.
fn field<'a>(form: &'a Form, name: &str) -> &'a str {
    form.get(name).unwrap_or("")
}

/// The field `name`, read by a library type's `FromStr` (amounts, dates).
fn parse<T: FromStr<Err: Display>>(form: &Form, name: &str) -> Result<T, String> {
    field(form, name).parse().map_err(|e| format!("{e}."))
}

/// A labelled text field with a starting value.
fn input(label: &str, name: &str, value: &str) -> String {
    format!(
        "<label>{}<input name=\"{}\" value=\"{}\" required></label>",
        escape(label),
        escape(name),
        escape(value)
    )
}

/// Any shown value, escaped.
fn html(value: impl Display) -> String {
    escape(&value.to_string())
}

/// Table cells, every value escaped.
fn cells(values: &[&dyn Display]) -> String {
    values
        .iter()
        .map(|value| format!("<td>{}</td>", html(value)))
        .collect()
}

/// A table row of escaped values.
fn row(values: &[&dyn Display]) -> String {
    format!("<tr>{}</tr>\n", cells(values))
}

/// A form posting to the page itself, with its fields and one button.
fn form(fields: &str, action: &str, button: &str) -> String {
    format!(
        "<form method=\"post\">{fields}<button name=\"action\" value=\"{}\">{}</button></form>\n",
        escape(action),
        escape(button)
    )
}
