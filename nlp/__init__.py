"""The NLP stage: reads stored articles, writes entities and mentions (and, downstream,
stories and events). It never fetches anything and never sends anything."""
