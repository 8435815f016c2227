# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench models lang-tables event-model clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/aiwatch init
	$(BIN)/aiwatch run

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# Character tables of the language detector (seeds/lang/han_evidence.txt).
lang-tables: $(STAMP)
	$(BIN)/python -m crawler.lang_tables

# the event classifier (seeds/event_model.json): tests/corpus plus the dev set's fit split
DEVSET ?= ../shared/devset/corpus
event-model: $(STAMP)
	$(BIN)/python -m nlp.train_events $(if $(wildcard $(DEVSET)/splits.json),--devset $(DEVSET))

bench: $(STAMP)
	$(BIN)/python -m bench

# The NER models in nlp/ner/models/ (shipped): training data, `spacy train`, trimmed copy.
models: $(STAMP)
	for lang in ja zh en; do \
	  $(BIN)/python -m nlp.ner.build $$lang nlp/ner/corpus/$$lang && \
	  $(BIN)/python -m spacy train nlp/ner/$$lang.cfg --code nlp/components.py \
	    --output nlp/ner/training/$$lang && \
	  $(BIN)/python -m nlp.ner.ship nlp/ner/training/$$lang/model-best nlp/ner/models/$$lang \
	  || exit 1; \
	done

clean:
	rm -rf $(VENV)
