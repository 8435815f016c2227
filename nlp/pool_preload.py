"""Imported once by the NLP pool's fork server (nlp.analysis), never by the parent: the
server loads what every worker loads, and each worker forked from it starts with it."""

from nlp.analysis import warm_up

warm_up()
