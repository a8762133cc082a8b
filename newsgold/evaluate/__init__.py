"""Scoring extraction systems against the gold annotations."""
