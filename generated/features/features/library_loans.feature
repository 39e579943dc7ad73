Feature: Borrowing books and paying late fees
  As a member of the town library
  I want to know when my books are due back and what I owe when I am late
  So that I can plan my reading and never get a bad surprise at the desk

  Background:
    Given books are lent for 21 days
    And a late fee of 0.20 euros per day, up to 5.00 euros per book

  Scenario: Bringing a book back on time costs nothing
    Given Sam borrowed "The Hobbit" on 1 March 2025
    When Sam brings it back on 20 March 2025
    Then Sam owes nothing

  Scenario: Bringing a book back three days late
    Given Sam borrowed "Dune" on 1 March 2025
    When Sam brings it back on 25 March 2025
    Then the book was due back on 22 March 2025
    And Sam owes a late fee of 0.60 euros

  Scenario: The late fee stops growing at 5 euros
    Given Sam borrowed "War and Peace" on 6 January 2025
    When Sam brings it back on 1 April 2025
    Then Sam owes a late fee of 5.00 euros

  Scenario: Unpaid late fees stop a member from borrowing
    Given Sam has 1.40 euros of unpaid late fees
    When Sam asks to borrow "Emma" on 2 April 2025
    Then the loan is refused until the late fees are paid

  Scenario: Paying the late fees lets a member borrow again
    Given Sam has 1.40 euros of unpaid late fees
    But Sam paid them at the desk this morning
    When Sam asks to borrow "Emma" on 2 April 2025
    Then the loan is granted
    And the book is due back on 23 April 2025

  Scenario: Only overdue books trigger a reminder email
    Given Sam borrowed "Dune" on 1 March 2025
    * Sam borrowed "Emma" on 20 March 2025
    When the library sends its reminders on 24 March 2025
    Then Sam receives exactly one reminder email
    And the email reads:
      """
      Hello Sam,

      "Dune" was due back on 22 March 2025 and is now 2 days late.
      The late fee so far is 0.40 euros. It grows by 0.20 euros a day,
      up to 5.00 euros.

      Please bring it back at your earliest convenience.
      The Town Library
      """
