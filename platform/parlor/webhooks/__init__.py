"""Signed webhooks: endpoints, events written with their cause, deliveries retried.

See docs/webhooks.md. The outbox is the tenant's `webhooks_webhookevent` table: an event row and
its delivery jobs are written by one statement inside the transaction that stores the cause.
"""
