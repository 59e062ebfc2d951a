"""Our records as Stripe's objects (the fields and types of Stripe's API reference): one
module a group. Every object says `livemode: false`; fields of features we don't have
(payment methods, subscriptions, cash balance, test clocks) carry Stripe's empty value."""
