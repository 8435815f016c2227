"""Alerts: subscriptions, rendering, channels (email, Slack, file) and the dispatcher that
drains the outbox. Reads events from the store; never changes them."""
