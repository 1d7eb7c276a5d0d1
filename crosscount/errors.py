"""One catalogue of errors. Each class says what went wrong; each message says what to do next."""

from __future__ import annotations


class CrosscountError(Exception):
    """Base of every error crosscount raises on purpose."""


class InputError(CrosscountError):
    """An input file or record cannot be read: empty, binary, not UTF-8, malformed, missing text."""

    def __init__(self, origin: str, problem: str) -> None:
        self.origin = origin
        self.problem = problem
        super().__init__(f"{origin}: {problem}")


class ModelError(CrosscountError):
    """The NLP model is missing or is not the one crosscount was built and measured with."""


class ConfigError(CrosscountError):
    """A data file (aliases, measure cues, tolerances) is malformed."""


class LedgerError(CrosscountError):
    """The ledger database cannot be opened, migrated or written."""


class GoldError(CrosscountError):
    """A gold-annotation file cannot be read."""
