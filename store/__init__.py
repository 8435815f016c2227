"""The SQL store: typed models, Alembic migrations, and the read/write helpers every stage uses.

Data flows crawler -> store -> nlp -> store -> alerts; every stage talks to the others only
through these tables.
"""
