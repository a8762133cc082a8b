"""newsgold: an annotated corpus and evaluation framework for claims, speakers, events and framing in news."""

from newsgold.document import Document, Relation, Span, read_documents, write_documents
from newsgold.errors import NewsgoldError
from newsgold.schema import Schema, load_schema
from newsgold.validation import load_documents, validate

__version__ = "0.1.0"

__all__ = [
    "Document",
    "NewsgoldError",
    "Relation",
    "Schema",
    "Span",
    "__version__",
    "load_documents",
    "load_schema",
    "read_documents",
    "validate",
    "write_documents",
]
