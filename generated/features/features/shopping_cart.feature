@checkout
Feature: Cart total with discount codes
  As a customer of the online coffee shop
  I want to see what my cart costs, discount and delivery included, before I pay
  So that the amount taken from my card is never a surprise

  Delivery costs 4.90 euros. It is free when the goods cost 50.00 euros or more,
  once any discount has been taken off.

  Background:
    Given the shop offers these discount codes:
      | code      | discount   | minimum order |
      | WELCOME10 | 10%        | 0.00          |
      | SPRING5   | 5.00 euros | 30.00         |

  @pricing
  Scenario: The total adds up every line of the cart
    Given my cart contains:
      | product          | unit price | quantity |
      | Coffee beans 1kg | 18.50      | 2        |
      | Paper filters    | 3.20       | 1        |
    Then the goods cost 40.20 euros
    And delivery costs 4.90 euros
    And I pay 45.10 euros

  @pricing
  Scenario: Delivery is free for big orders
    Given my cart contains:
      | product          | unit price | quantity |
      | Espresso machine | 129.00     | 1        |
    Then delivery is free
    And I pay 129.00 euros

  @pricing @discount
  Scenario: A percentage discount code
    Given my cart contains:
      | product          | unit price | quantity |
      | Coffee beans 1kg | 18.50      | 2        |
      | Paper filters    | 3.20       | 1        |
    When I enter the discount code "WELCOME10"
    Then the discount is 4.02 euros
    And I pay 41.08 euros

  @pricing @discount
  Scenario: A discount can bring an order below free delivery
    Given my cart contains:
      | product        | unit price | quantity |
      | Coffee grinder | 54.00      | 1        |
    When I enter the discount code "WELCOME10"
    Then the discount is 5.40 euros
    And delivery costs 4.90 euros
    And I pay 53.50 euros

  @discount
  Scenario: A fixed discount needs a minimum order
    Given my cart contains:
      | product       | unit price | quantity |
      | Paper filters | 3.20       | 5        |
    When I enter the discount code "SPRING5"
    Then the code is refused because the goods must cost at least 30.00 euros
    And I pay 20.90 euros

  @discount
  Scenario: An unknown discount code
    Given my cart contains:
      | product          | unit price | quantity |
      | Coffee beans 1kg | 18.50      | 2        |
      | Paper filters    | 3.20       | 1        |
    When I enter the discount code "FREECOFFEE"
    Then the code is refused because the shop does not know it
    And I pay 45.10 euros
