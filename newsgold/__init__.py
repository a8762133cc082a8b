"""newsgold: an annotated corpus and evaluation framework for claims, speakers, events and framing in news."""

from newsgold.io.config import load_schema
from newsgold.io.documents import load_documents, read_documents, write_documents
from newsgold.model.document import Document, Relation, Span
from newsgold.model.errors import NewsgoldError
from newsgold.model.schema import Schema
from newsgold.model.validation import validate

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
