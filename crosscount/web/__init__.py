"""The web app: live views of a ledger, a JSON API, uploads (``crosscount serve``)."""

from __future__ import annotations

from crosscount.web.app import DEFAULT_MAX_UPLOAD_BYTES, WebError, create_app

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "WebError", "create_app"]
