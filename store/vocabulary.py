"""The store's fixed vocabularies, defined once and importable without SQLAlchemy (the
command line's option help lists them, and `aiwatch --help` should not load an ORM)."""

ENTITY_TYPES = ("org", "person", "model", "product", "gov", "law", "chip")
EVENT_TYPES = ("model_release", "regulation")
REGULATION_STAGES = ("draft", "published", "effective", "amended", "enforcement")
