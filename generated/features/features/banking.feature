Feature: Withdrawing cash from a current account
  As a customer of the bank
  I want to withdraw cash from my current account, using my overdraft when I need to
  So that I have money in hand without going further into debt than I agreed with my bank

  Background:
    Given Alice has a current account with 100 euros in it
    And her agreed overdraft is 50 euros

  Rule: A withdrawal covered by the balance is always paid out

    Scenario: Withdrawing part of the balance
      When Alice withdraws 30 euros
      Then she receives 30 euros in cash
      And her balance is 70 euros

    Scenario: Emptying the account
      When Alice withdraws 100 euros
      Then she receives 100 euros in cash
      And her balance is 0 euros

  Rule: The overdraft may be used, but never beyond the agreed amount

    Scenario Outline: Withdrawing more than the balance
      When Alice withdraws <amount> euros
      Then the withdrawal is <decision>
      And her balance is <balance> euros

      Examples: Within the overdraft
        | amount | decision | balance |
        | 120    | paid out | -20     |
        | 150    | paid out | -50     |

      Examples: Beyond the overdraft
        | amount | decision | balance |
        | 151    | refused  | 100     |
        | 500    | refused  | 100     |
