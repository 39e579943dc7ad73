//! The shopping cart: line totals, discount codes and delivery.

mod money;

use std::collections::BTreeMap;
use std::fmt;

pub use money::{Money, ParseMoneyError};

/// What delivery costs when it is not free.
pub const DELIVERY_COST: Money = Money::cents(490);

/// Goods costing at least this much, once the discount is taken off, are delivered for free.
pub const FREE_DELIVERY_FROM: Money = Money::euros(50);

/// What a discount code takes off the goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    /// A percentage of the goods, e.g. 10 %.
    Percent(u32),
    /// A fixed amount, never more than the goods cost.
    Fixed(Money),
}

impl Discount {
    fn amount_off(self, goods: Money) -> Money {
        match self {
            Discount::Percent(percent) => goods.percent(percent),
            Discount::Fixed(amount) => amount.min(goods),
        }
    }
}

/// A discount code the shop offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountCode {
    pub code: String,
    pub discount: Discount,
    /// The goods must cost at least this much for the code to apply.
    pub minimum_order: Money,
}

/// Why a discount code was refused. A refused code leaves the cart as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscountError {
    UnknownCode(String),
    BelowMinimumOrder {
        code: String,
        minimum: Money,
        goods: Money,
    },
}

impl fmt::Display for DiscountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownCode(code) => write!(f, "the shop has no discount code \"{code}\""),
            Self::BelowMinimumOrder {
                code,
                minimum,
                goods,
            } => write!(
                f,
                "the code \"{code}\" needs goods worth at least {minimum}, the cart holds {goods}"
            ),
        }
    }
}

impl std::error::Error for DiscountError {}

/// The discount codes the shop currently offers.
#[derive(Debug, Clone, Default)]
pub struct Shop {
    codes: BTreeMap<String, DiscountCode>,
}

impl Shop {
    pub fn offer(&mut self, code: DiscountCode) {
        self.codes.insert(code.code.clone(), code);
    }

    pub fn code(&self, code: &str) -> Option<&DiscountCode> {
        self.codes.get(code)
    }
}

/// One line of the cart: a product, its unit price and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub product: String,
    pub unit_price: Money,
    pub quantity: u32,
}

impl Line {
    pub fn total(&self) -> Money {
        self.unit_price * i64::from(self.quantity)
    }
}

/// A customer's cart, with at most one discount code.
#[derive(Debug, Clone, Default)]
pub struct Cart {
    lines: Vec<Line>,
    code: Option<DiscountCode>,
}

impl Cart {
    pub fn add(&mut self, product: impl Into<String>, unit_price: Money, quantity: u32) {
        self.lines.push(Line {
            product: product.into(),
            unit_price,
            quantity,
        });
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// What the goods cost before any discount.
    pub fn goods(&self) -> Money {
        self.lines.iter().map(Line::total).sum()
    }

    /// Applies a code the shop offers and returns what it takes off. It replaces any earlier code.
    pub fn apply_code(&mut self, shop: &Shop, code: &str) -> Result<Money, DiscountError> {
        let offered = shop
            .code(code)
            .ok_or_else(|| DiscountError::UnknownCode(code.to_owned()))?;
        let goods = self.goods();
        if goods < offered.minimum_order {
            return Err(DiscountError::BelowMinimumOrder {
                code: code.to_owned(),
                minimum: offered.minimum_order,
                goods,
            });
        }
        self.code = Some(offered.clone());
        Ok(self.discount())
    }

    /// What the applied code takes off; nothing if the goods fell below its minimum order.
    pub fn discount(&self) -> Money {
        let goods = self.goods();
        match &self.code {
            Some(code) if goods >= code.minimum_order => code.discount.amount_off(goods),
            _ => Money::ZERO,
        }
    }

    /// Free when the goods, discount taken off, cost at least [`FREE_DELIVERY_FROM`].
    pub fn delivery(&self) -> Money {
        if self.lines.is_empty() || self.goods() - self.discount() >= FREE_DELIVERY_FROM {
            Money::ZERO
        } else {
            DELIVERY_COST
        }
    }

    /// What the customer pays: goods, minus the discount, plus delivery.
    pub fn total(&self) -> Money {
        self.goods() - self.discount() + self.delivery()
    }
}
