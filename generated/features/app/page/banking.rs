//! Withdrawing cash from a current account: Alice uses her overdraft,
//! never beyond the agreed amount.

use prototype::banking::{Account, Money};

use super::{form, html, input, parse};
use crate::Form;

/// Alice's current account.
pub struct Banking {
    account: Account,
}

impl Banking {
    /// The Background: Alice has 100 euros in her account and an agreed overdraft of 50 euros.
    pub fn new() -> Self {
        let mut account = Account::open("Alice", Money::euros(100));
        account.agree_overdraft(Money::euros(50));
        Banking { account }
    }

    /// "When Alice withdraws … euros".
    pub fn withdraw(&mut self, form: &Form) -> Result<String, String> {
        match self.account.withdraw(parse(form, "amount")?) {
            Ok(cash) => Ok(format!(
                "{} receives {cash} in cash.",
                self.account.holder()
            )),
            Err(refusal) => Err(format!("The withdrawal is refused: {refusal}.")),
        }
    }

    /// Back to the Background's account, to try another scenario.
    pub fn reset(&mut self) -> String {
        *self = Banking::new();
        format!("{}'s account is back as it was.", self.account.holder())
    }

    /// The section: Alice's account and the withdrawal form.
    pub fn render(&self) -> String {
        let account = &self.account;
        format!(
            "<section id=\"banking\">\n<h2>Withdrawing cash from a current account</h2>\n\
             <table>\n<tr><th>Account holder</th><td id=\"holder\">{holder}</td></tr>\n\
             <tr><th>Balance</th><td id=\"balance\">{balance}</td></tr>\n\
             <tr><th>Agreed overdraft</th><td id=\"overdraft\">{overdraft}</td></tr>\n\
             <tr><th>Can still be withdrawn</th><td id=\"available\">{available}</td></tr>\n\
             </table>\n{withdraw}{reset}</section>\n",
            holder = html(account.holder()),
            balance = html(account.balance()),
            overdraft = html(account.overdraft_limit()),
            available = html(account.available()),
            withdraw = form(
                &input("Amount (euros)", "amount", "30"),
                "withdraw",
                "Withdraw"
            ),
            reset = form("", "reset-account", "Start again"),
        )
    }
}
