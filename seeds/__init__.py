"""Seed data shipped with aiwatch: default sources, the entity gazetteer, the demo corpus."""
