//! Borrowing books and paying late fees: Sam's loans at the town library,
//! what Sam owes, and the reminder emails the library sends.

use prototype::library_loans::{Date, Library, Money, Policy, Reminder};

use super::{field, form, html, input, parse, row};
use crate::Form;

/// The member the scenarios follow.
const MEMBER: &str = "Sam";

/// The library, and the reminders it sent last (on which day).
pub struct Loans {
    library: Library,
    reminders: Option<(Date, Vec<Reminder>)>,
}

impl Loans {
    /// The Background's lending rules, and the first scenario's loan:
    /// Sam borrowed "The Hobbit" on 1 March 2025.
    pub fn new() -> Self {
        let (fee_per_day, fee_cap) = (Money::cents(20), Money::euros(5));
        let mut library = Library::new(Policy {
            loan_days: 21,
            fee_per_day,
            fee_cap,
        });
        let first_of_march = Date::from_ymd(2025, 3, 1).expect("1 March 2025 exists");
        library
            .lend(MEMBER, "The Hobbit", first_of_march)
            .expect("Sam owes nothing yet");
        Loans {
            library,
            reminders: None,
        }
    }

    /// "When Sam asks to borrow … on …".
    pub fn borrow(&mut self, form: &Form) -> Result<String, String> {
        let (title, day) = (field(form, "title"), parse(form, "date")?);
        let loan = self.library.lend(MEMBER, title, day);
        let loan = loan.map_err(|refusal| format!("The loan is refused: {refusal}."))?;
        Ok(format!(
            "{MEMBER} borrows \"{title}\": due back on {}.",
            loan.due_on
        ))
    }

    /// "When Sam brings it back on …".
    pub fn bring_back(&mut self, form: &Form) -> Result<String, String> {
        let (title, day) = (field(form, "title"), parse(form, "date")?);
        let fee = self.library.take_back(MEMBER, title, day);
        let fee = fee.map_err(|refusal| format!("The library cannot take it back: {refusal}."))?;
        Ok(format!(
            "{MEMBER} brings back \"{title}\" on {day}: late fee {fee}."
        ))
    }

    /// "Sam paid them at the desk".
    pub fn pay_fees(&mut self) -> String {
        let paid = self.library.pay_fees(MEMBER);
        format!("{MEMBER} pays {paid} of late fees at the desk.")
    }

    /// "When the library sends its reminders on …".
    pub fn send_reminders(&mut self, form: &Form) -> Result<String, String> {
        let day = parse(form, "date")?;
        let reminders = self.library.reminders(day);
        let sent = format!("The library sends {} reminder email(s).", reminders.len());
        self.reminders = Some((day, reminders));
        Ok(sent)
    }

    /// The section: the lending rules, Sam's loans and fees, the forms and the reminders sent.
    pub fn render(&self) -> String {
        let policy = self.library.policy();
        let loans: String = self
            .library
            .loans_of(MEMBER)
            .map(|loan| row(&[&loan.title, &loan.borrowed_on, &loan.due_on]))
            .collect();
        let owed = match self.library.unpaid_fees(MEMBER) {
            Money::ZERO => "nothing".to_owned(),
            owed => owed.to_string(),
        };
        let back = input("Book", "title", "The Hobbit") + &input("On", "date", "25 March 2025");
        let borrow = input("Title", "title", "Emma") + &input("On", "date", "2 April 2025");
        let remind = input("On", "date", "24 March 2025");
        let sent = match &self.reminders {
            Some((day, sent)) => format!("Reminder emails sent on {day}: {}", sent.len()),
            None => "No reminder emails sent yet".to_owned(),
        };
        let emails: String = self
            .reminders
            .iter()
            .flat_map(|(_, sent)| sent)
            .map(|mail| {
                format!(
                    "<p>To: {}</p>\n<pre>{}</pre>\n",
                    html(&mail.to),
                    html(&mail.body)
                )
            })
            .collect();
        format!(
            "<section id=\"library-loans\">\n<h2>Borrowing books and paying late fees</h2>\n\
             <p id=\"lending-rules\">Books are lent for {days} days, with a late fee of {per_day} \
             per day, up to {cap} per book.</p>\n<table id=\"loans\">\n<tr><th>Book {member} \
             borrowed</th><th>Borrowed on</th><th>Due back on</th></tr>\n{loans}</table>\n\
             <p>Late fees {member} owes: <strong id=\"fees-owed\">{owed}</strong></p>\n\
             {borrow}{back}{pay}{remind}<div id=\"reminders\">\n<h3>{sent}</h3>\n{emails}</div>\n\
             </section>\n",
            days = html(policy.loan_days),
            per_day = html(policy.fee_per_day),
            cap = html(policy.fee_cap),
            member = html(MEMBER),
            owed = html(owed),
            borrow = form(&borrow, "borrow", "Ask to borrow"),
            back = form(&back, "bring-back", "Bring it back"),
            pay = form("", "pay-fees", "Pay the late fees at the desk"),
            remind = form(&remind, "send-reminders", "Send the reminders"),
            sent = html(sent),
        )
    }
}
