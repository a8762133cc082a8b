"""`python -m newsgold.cli`."""

from newsgold.cli import app

app()
