"""aiwatch's own statistical recogniser: character-level spaCy NER for Japanese and Chinese
(configs, training-data builders and the trained models)."""
