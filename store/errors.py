"""Errors the store raises with a message a user can act on."""


class StoreError(Exception):
    """A problem with the database: unreachable, corrupt, read-only or out of date."""
