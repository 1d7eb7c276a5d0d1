"""crosscount: who says how many, as of when, and where the sources disagree."""

from __future__ import annotations

__version__ = "0.1.0"

from crosscount.models import Claim, Document, Finding, Statement, Variable  # noqa: E402

__all__ = sorted(["Claim", "Document", "Finding", "Statement", "Variable", "__version__"])
