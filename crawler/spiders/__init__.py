"""Spiders: find article pages from a source's entry points."""
