"""A local news site for crawler tests, served on 127.0.0.1 by a real HTTP server in a
subprocess (`python -m tests.newssite`)."""
