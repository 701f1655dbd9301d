"""Outgoing webhooks: HMAC-signed HTTP POSTs of committed events to the URLs administrators
subscribe, retried with exponential backoff, with a circuit breaker per receiver.

It owns the subscriptions, their delivery log and the breaker state of each receiver, and the
sending. It knows nothing of the domains: it subscribes to every event on the bus, writes one
delivery row per matching subscription, and a scheduled job sends the rows that are due, each
receiver on a lane of its own so one that hangs never delays another. It does not decide who
may see an event's data beyond "administrators subscribe"."""
