"""The command line and the daemon: wiring only. Each stage's logic lives in its own package
(crawler, nlp, store, alerts); this package parses options and calls them."""

__version__ = "0.1.0"
