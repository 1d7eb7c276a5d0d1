"""crosscount: who says how many, as of when, and where the sources disagree."""

from __future__ import annotations

__version__ = "0.1.0"

# The function shadows its module's name on the package on purpose: `crosscount.extract(text)`.
from crosscount.extract import extract
from crosscount.ledger import Ledger
from crosscount.models import Claim, Document, Finding, Statement, Variable

__all__ = ["Claim", "Document", "Finding", "Ledger", "Statement", "Variable", "__version__", "extract"]
