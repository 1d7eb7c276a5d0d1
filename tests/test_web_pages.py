"""The 109 real web pages of ../shared/corpora/web-pages: almost nothing on them is a casualty claim.

They are blogs, shops, institutions and news in English, German, French and Chinese (saved by the
trafilatura project for its tests). The pages not in English are reported as skipped, never mined with
English rules; on the English ones, at most three figures in all may pass as claims.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crosscount.extract import Extractor
from crosscount.ingest import IngestProblem, iter_documents

pytestmark = pytest.mark.slow


def test_the_web_pages_give_at_most_three_claims_and_skip_every_page_not_in_english(shared_dir: Path) -> None:
    folder = shared_dir / "corpora" / "web-pages"
    pages = sorted(p for p in folder.iterdir() if p.suffix in (".html", ".htm"))
    assert len(pages) == 109
    problems: list[IngestProblem] = []
    extractor = Extractor()
    claims = []
    documents = 0
    for doc in iter_documents([folder], on_problem=problems.append):
        documents += 1
        claims.extend(extractor.extract_document(doc))
    languages = [p.message.split(",")[0].removeprefix("language ") for p in problems if "not English" in p.message]
    assert all(p.skipped for p in problems)
    # Every page is read or reported; the pages not in English (most are German) are all reported as such.
    assert documents + len(problems) == len(pages)
    assert len(languages) >= 70
    assert {"de", "fr"} <= set(languages)
    assert all(str(p).endswith(f"language {lang}, not English; skipped") for p, lang in
               zip((p for p in problems if "not English" in p.message), languages, strict=True))
    assert documents >= 30  # the English pages are read, not thrown away with the rest
    assert len(claims) <= 3, [(c.doc, c.figure, c.sentence[:80]) for c in claims]
