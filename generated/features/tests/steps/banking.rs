//! Steps for `banking.feature`: withdrawals and the overdraft.

use cucumber::{given, then, when};
use prototype::banking::{Account, Money, WithdrawalError};

/// The state of one scenario.
#[derive(Debug, Default, cucumber::World)]
pub struct World {
    account: Option<Account>,
    withdrawal: Option<Result<Money, WithdrawalError>>,
}

impl World {
    fn account(&mut self) -> &mut Account {
        self.account
            .as_mut()
            .expect("the scenario should open the account before using it")
    }

    fn withdrawal(&self) -> &Result<Money, WithdrawalError> {
        self.withdrawal
            .as_ref()
            .expect("the scenario should make a withdrawal before checking it")
    }
}

#[given(expr = "{word} has a current account with {int} euros in it")]
fn open_account(world: &mut World, holder: String, balance: Money) {
    world.account = Some(Account::open(holder, balance));
}

#[given(expr = "her agreed overdraft is {int} euros")]
fn agree_overdraft(world: &mut World, limit: Money) {
    world.account().agree_overdraft(limit);
}

#[when(expr = "{word} withdraws {int} euros")]
fn withdraw(world: &mut World, holder: String, amount: Money) {
    let account = world.account();
    assert!(
        account.holder() == holder,
        "{holder} has no account in this scenario, only {}",
        account.holder()
    );
    world.withdrawal = Some(account.withdraw(amount));
}

#[then(expr = "she receives {int} euros in cash")]
fn receives_cash(world: &mut World, expected: Money) {
    match world.withdrawal() {
        Ok(cash) => assert!(
            *cash == expected,
            "the cash machine should pay out {expected}, but it paid out {cash}"
        ),
        Err(refusal) => {
            panic!(
                "the cash machine should pay out {expected}, but the withdrawal was refused: {refusal}"
            )
        }
    }
}

#[then(expr = "her balance is {int} euros")]
fn balance_is(world: &mut World, expected: Money) {
    let balance = world.account().balance();
    assert!(
        balance == expected,
        "the balance should be {expected} after the withdrawal, but it is {balance}"
    );
}

#[then(regex = r"^the withdrawal is (paid out|refused)$")]
fn withdrawal_decision(world: &mut World, decision: String) {
    match (decision.as_str(), world.withdrawal()) {
        ("paid out", Ok(_)) | ("refused", Err(WithdrawalError::InsufficientFunds { .. })) => {}
        ("paid out", Err(refusal)) => {
            panic!("the withdrawal should be paid out, but it was refused: {refusal}")
        }
        (_, Err(refusal)) => panic!(
            "the withdrawal should be refused for insufficient funds, but it was refused because {refusal}"
        ),
        (_, Ok(cash)) => panic!("the withdrawal should be refused, but {cash} was paid out"),
    }
}
