//! Cart total with discount codes: the online coffee shop's cart, its
//! discount, delivery and what the customer pays.

use prototype::shopping_cart::{Cart, DELIVERY_COST, FREE_DELIVERY_FROM};
use prototype::shopping_cart::{Discount, DiscountCode, Money, Shop};

use super::{field, form, html, input, parse, row};
use crate::Form;

/// The Background: the discount codes the shop offers (code, discount, minimum order).
const CODES: [(&str, Discount, Money); 2] = [
    ("WELCOME10", Discount::Percent(10), Money::ZERO),
    (
        "SPRING5",
        Discount::Fixed(Money::euros(5)),
        Money::euros(30),
    ),
];

/// The first scenario's cart (product, unit price, quantity).
const FIRST_CART: [(&str, Money, u32); 2] = [
    ("Coffee beans 1kg", Money::cents(1850), 2),
    ("Paper filters", Money::cents(320), 1),
];

/// The shop and the customer's cart.
pub struct Shopping {
    shop: Shop,
    cart: Cart,
}

impl Shopping {
    /// The Background's discount codes, and the first scenario's cart.
    pub fn new() -> Self {
        let mut shop = Shop::default();
        for (code, discount, minimum_order) in CODES {
            let code = code.to_owned();
            shop.offer(DiscountCode {
                code,
                discount,
                minimum_order,
            });
        }
        let mut cart = Cart::default();
        for (product, unit_price, quantity) in FIRST_CART {
            cart.add(product, unit_price, quantity);
        }
        Shopping { shop, cart }
    }

    /// "Given my cart contains": adds one line.
    pub fn add(&mut self, form: &Form) -> Result<String, String> {
        let product = field(form, "product");
        let unit_price = parse(form, "unit-price")?;
        let quantity = field(form, "quantity");
        let quantity: u32 = quantity
            .parse()
            .map_err(|_| format!("\"{quantity}\" is not a quantity such as 2."))?;
        self.cart.add(product, unit_price, quantity);
        Ok(format!("{quantity} × {product} added to the cart."))
    }

    /// "When I enter the discount code …".
    pub fn enter_code(&mut self, form: &Form) -> Result<String, String> {
        let code = field(form, "code");
        let discount = self.cart.apply_code(&self.shop, code);
        let discount = discount.map_err(|refusal| format!("The code is refused: {refusal}."))?;
        Ok(format!("The code \"{code}\" takes {discount} off."))
    }

    /// An empty cart, to fill with another scenario's lines.
    pub fn empty(&mut self) -> String {
        self.cart = Cart::default();
        "The cart is empty.".to_owned()
    }

    /// The section: the codes on offer, the cart's lines and what the customer pays.
    pub fn render(&self) -> String {
        let codes: String = CODES
            .iter()
            .map(|(code, discount, minimum)| match discount {
                Discount::Percent(percent) => row(&[code, &format!("{percent}%"), minimum]),
                Discount::Fixed(amount) => row(&[code, amount, minimum]),
            })
            .collect();
        let lines: String = self
            .cart
            .lines()
            .iter()
            .map(|l| row(&[&l.product, &l.unit_price, &l.quantity, &l.total()]))
            .collect();
        let delivery = match self.cart.delivery() {
            Money::ZERO => "free".to_owned(),
            cost => cost.to_string(),
        };
        let code = input("Discount code", "code", "WELCOME10");
        let add = input("Product", "product", "Paper filters")
            + &input("Unit price (euros)", "unit-price", "3.20")
            + &input("Quantity", "quantity", "1");
        format!(
            "<section id=\"shopping-cart\">\n<h2>Cart total with discount codes</h2>\n\
             <p>Delivery costs {cost}. It is free when the goods cost {free_from} or more, \
             once any discount has been taken off.</p>\n<table id=\"discount-codes\">\n\
             <tr><th>Code</th><th>Discount</th><th>Minimum order</th></tr>\n{codes}</table>\n\
             <table id=\"cart-lines\">\n<tr><th>Product</th><th>Unit price</th><th>Quantity</th>\
             <th>Line total</th></tr>\n{lines}</table>\n\
             <table>\n<tr><th>Goods</th><td id=\"cart-goods\">{goods}</td></tr>\n\
             <tr><th>Discount</th><td id=\"cart-discount\">{discount}</td></tr>\n\
             <tr><th>Delivery</th><td id=\"cart-delivery\">{delivery}</td></tr>\n\
             <tr><th>I pay</th><td id=\"cart-total\">{total}</td></tr>\n</table>\n\
             {enter}{add}{empty}</section>\n",
            cost = html(DELIVERY_COST),
            free_from = html(FREE_DELIVERY_FROM),
            goods = html(self.cart.goods()),
            discount = html(self.cart.discount()),
            delivery = html(delivery),
            total = html(self.cart.total()),
            enter = form(&code, "enter-code", "Enter the code"),
            add = form(&add, "add-to-cart", "Add to the cart"),
            empty = form("", "empty-cart", "Empty the cart"),
        )
    }
}
