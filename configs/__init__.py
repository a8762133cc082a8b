"""Shipped configuration (schema, build and Label Studio settings), installed as `newsgold.configs`."""
