//! Steps for `library_loans.feature`: loans, late fees and reminder emails.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use prototype::library_loans::{Date, Library, Loan, LoanError, Money, Reminder};

/// The state of one scenario.
#[derive(Debug, Default, cucumber::World)]
pub struct World {
    library: Library,
    /// The book the scenario talks about ("it", "the book").
    book: Option<Loan>,
    loan_request: Option<Result<Loan, LoanError>>,
    reminders: Vec<Reminder>,
    email: Option<Reminder>,
}

impl World {
    fn book(&self) -> &Loan {
        self.book
            .as_ref()
            .expect("the scenario should lend a book before talking about it")
    }

    fn loan_request(&self) -> &Result<Loan, LoanError> {
        self.loan_request
            .as_ref()
            .expect("the scenario should ask to borrow a book before checking the answer")
    }
}

#[given(expr = "books are lent for {int} days")]
fn loan_period(world: &mut World, days: i64) {
    world.library.policy_mut().loan_days = days;
}

#[given(expr = "a late fee of {float} euros per day, up to {float} euros per book")]
fn late_fee_rules(world: &mut World, per_day: Money, cap: Money) {
    let policy = world.library.policy_mut();
    policy.fee_per_day = per_day;
    policy.fee_cap = cap;
}

#[given(expr = "{word} borrowed {string} on {}")]
fn borrowed(world: &mut World, member: String, title: String, day: Date) {
    match world.library.lend(&member, &title, day) {
        Ok(loan) => world.book = Some(loan.clone()),
        Err(refusal) => {
            panic!(
                "{member} should be able to borrow \"{title}\", but the library refused: {refusal}"
            )
        }
    }
}

#[given(expr = "{word} has {float} euros of unpaid late fees")]
fn unpaid_fees(world: &mut World, member: String, owed: Money) {
    world.library.charge(&member, owed);
}

#[given(expr = "{word} paid them at the desk this morning")]
fn paid_fees(world: &mut World, member: String) {
    world.library.pay_fees(&member);
}

#[when(expr = "{word} brings it back on {}")]
fn brings_back(world: &mut World, member: String, day: Date) {
    let title = world.book().title.clone();
    if let Err(refusal) = world.library.take_back(&member, &title, day) {
        panic!(
            "{member} should be able to bring back \"{title}\", but the library refused: {refusal}"
        );
    }
}

#[when(expr = "{word} asks to borrow {string} on {}")]
fn asks_to_borrow(world: &mut World, member: String, title: String, day: Date) {
    let request = world.library.lend(&member, &title, day).cloned();
    if let Ok(loan) = &request {
        world.book = Some(loan.clone());
    }
    world.loan_request = Some(request);
}

#[when(expr = "the library sends its reminders on {}")]
fn send_reminders(world: &mut World, day: Date) {
    world.reminders = world.library.reminders(day);
}

#[then(expr = "{word} owes nothing")]
fn owes_nothing(world: &mut World, member: String) {
    let owed = world.library.unpaid_fees(&member);
    assert!(
        owed == Money::ZERO,
        "{member} should owe nothing, but owes {owed}"
    );
}

#[then(expr = "{word} owes a late fee of {float} euros")]
fn owes_late_fee(world: &mut World, member: String, expected: Money) {
    let owed = world.library.unpaid_fees(&member);
    assert!(
        owed == expected,
        "{member} should owe a late fee of {expected}, but owes {owed}"
    );
}

#[then(expr = "the book was/is due back on {}")]
fn due_back(world: &mut World, expected: Date) {
    let loan = world.book();
    assert!(
        loan.due_on == expected,
        "\"{}\" should be due back on {expected}, but the library expects it on {}",
        loan.title,
        loan.due_on
    );
}

#[then("the loan is refused until the late fees are paid")]
fn loan_refused(world: &mut World) {
    match world.loan_request() {
        Err(LoanError::UnpaidFees { .. }) => {}
        Err(refusal) => panic!(
            "the loan should be refused until the late fees are paid, but it was refused because {refusal}"
        ),
        Ok(loan) => panic!(
            "the loan should be refused until the late fees are paid, but \"{}\" was lent to {}",
            loan.title, loan.member
        ),
    }
}

#[then("the loan is granted")]
fn loan_granted(world: &mut World) {
    if let Err(refusal) = world.loan_request() {
        panic!("the loan should be granted, but it was refused: {refusal}");
    }
}

#[then(expr = "{word} receives exactly one reminder email")]
fn one_reminder(world: &mut World, member: String) {
    let mut emails = world.reminders.iter().filter(|r| r.to == member);
    match (emails.next(), emails.next()) {
        (Some(email), None) => world.email = Some(email.clone()),
        (None, _) => panic!("{member} should receive one reminder email, but received none"),
        (Some(first), Some(second)) => panic!(
            "{member} should receive one reminder email, but received several: \
             about \"{}\", \"{}\"…",
            first.title, second.title
        ),
    }
}

#[then("the email reads:")]
fn email_reads(world: &mut World, step: &Step) {
    let expected = step
        .docstring
        .as_deref()
        .expect("this step needs the email text below it, between \"\"\"");
    let email = world
        .email
        .as_ref()
        .expect("the scenario should check who receives the email first");
    assert!(
        email.body.trim() == expected.trim(),
        "the reminder email should read:\n\n{}\n\nbut it reads:\n\n{}",
        expected.trim(),
        email.body.trim()
    );
}
