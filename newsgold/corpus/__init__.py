"""The corpus: ingest seed articles, tokenize them, build and publish the dataset."""
