"""Annotation in Label Studio: labeling config, server, push/pull, adjudication, agreement."""
