//! Steps for `shopping_cart.feature`: cart totals, discount codes and delivery.

use std::collections::HashMap;

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use prototype::shopping_cart::{Cart, Discount, DiscountCode, DiscountError, Money, Shop};

/// The state of one scenario.
#[derive(Debug, Default, cucumber::World)]
pub struct World {
    shop: Shop,
    cart: Cart,
    code: Option<Result<Money, DiscountError>>,
}

impl World {
    fn code(&self) -> &Result<Money, DiscountError> {
        self.code
            .as_ref()
            .expect("the scenario should enter a discount code before checking it")
    }
}

/// The rows of the step's data table, each as column name → cell.
fn rows(step: &Step) -> Vec<HashMap<&str, &str>> {
    let table = step
        .table
        .as_ref()
        .expect("this step needs a table below it");
    let Some((header, rows)) = table.rows.split_first() else {
        return Vec::new();
    };
    rows.iter()
        .map(|row| {
            header
                .iter()
                .map(String::as_str)
                .zip(row.iter().map(String::as_str))
                .collect()
        })
        .collect()
}

fn cell<'a>(row: &HashMap<&str, &'a str>, column: &str) -> &'a str {
    row.get(column)
        .unwrap_or_else(|| panic!("the table needs a \"{column}\" column"))
}

fn money(text: &str) -> Money {
    let amount = text.trim().trim_end_matches("euros").trim();
    amount.parse().unwrap_or_else(|error| panic!("{error}"))
}

/// `10%` or `5.00 euros`.
fn discount(text: &str) -> Discount {
    match text.trim().strip_suffix('%') {
        Some(percent) => Discount::Percent(
            percent
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("\"{text}\" is not a percentage such as 10%")),
        ),
        None => Discount::Fixed(money(text)),
    }
}

#[given("the shop offers these discount codes:")]
fn shop_offers(world: &mut World, step: &Step) {
    for row in rows(step) {
        world.shop.offer(DiscountCode {
            code: cell(&row, "code").to_owned(),
            discount: discount(cell(&row, "discount")),
            minimum_order: money(cell(&row, "minimum order")),
        });
    }
}

#[given("my cart contains:")]
fn cart_contains(world: &mut World, step: &Step) {
    for row in rows(step) {
        let quantity = cell(&row, "quantity");
        let quantity = quantity
            .parse()
            .unwrap_or_else(|_| panic!("\"{quantity}\" is not a quantity such as 2"));
        world.cart.add(
            cell(&row, "product"),
            money(cell(&row, "unit price")),
            quantity,
        );
    }
}

#[when(expr = "I enter the discount code {string}")]
fn enter_code(world: &mut World, code: String) {
    let result = world.cart.apply_code(&world.shop, &code);
    world.code = Some(result);
}

#[then(expr = "the goods cost {float} euros")]
fn goods_cost(world: &mut World, expected: Money) {
    let goods = world.cart.goods();
    assert!(
        goods == expected,
        "the goods in the cart should cost {expected}, but they cost {goods}"
    );
}

#[then(expr = "the discount is {float} euros")]
fn discount_is(world: &mut World, expected: Money) {
    if let Err(refusal) = world.code() {
        panic!("the discount code should be accepted, but it was refused: {refusal}");
    }
    let discount = world.cart.discount();
    assert!(
        discount == expected,
        "the discount should be {expected}, but it is {discount}"
    );
}

#[then(expr = "delivery costs {float} euros")]
fn delivery_costs(world: &mut World, expected: Money) {
    let delivery = world.cart.delivery();
    assert!(
        delivery == expected,
        "delivery should cost {expected}, but it costs {delivery}"
    );
}

#[then("delivery is free")]
fn delivery_is_free(world: &mut World) {
    let delivery = world.cart.delivery();
    assert!(
        delivery == Money::ZERO,
        "delivery should be free, but it costs {delivery}"
    );
}

#[then(expr = "I pay {float} euros")]
fn pay(world: &mut World, expected: Money) {
    let total = world.cart.total();
    assert!(
        total == expected,
        "the customer should pay {expected}, but the cart asks for {total}"
    );
}

#[then(expr = "the code is refused because the goods must cost at least {float} euros")]
fn refused_below_minimum(world: &mut World, expected: Money) {
    match world.code() {
        Err(DiscountError::BelowMinimumOrder { minimum, .. }) => assert!(
            *minimum == expected,
            "the code should need goods worth at least {expected}, but it needs {minimum}"
        ),
        Err(refusal) => panic!(
            "the code should be refused because the goods must cost at least {expected}, \
             but it was refused because {refusal}"
        ),
        Ok(discount) => panic!(
            "the code should be refused because the goods must cost at least {expected}, \
             but it was accepted and took off {discount}"
        ),
    }
}

#[then("the code is refused because the shop does not know it")]
fn refused_unknown(world: &mut World) {
    match world.code() {
        Err(DiscountError::UnknownCode(_)) => {}
        Err(refusal) => panic!(
            "the code should be refused because the shop does not know it, \
             but it was refused because {refusal}"
        ),
        Ok(discount) => panic!(
            "the code should be refused because the shop does not know it, \
             but it was accepted and took off {discount}"
        ),
    }
}
