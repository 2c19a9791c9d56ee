"""Privacy: member-only and privacy-flagged records never reach any public output, and
practitioners named in sanctions are masked as configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import pipeline
from generator.identifiers import mask_person_name

from .conftest import AS_OF, ASSOC, MEMBER_ONLY_SECRET, PRACTITIONER, PRIVACY_SECRET
from .scan import leaks, output_files, private_documents, readable_text


def _everything(public: Path) -> dict[str, str]:
    return {p.relative_to(public).as_posix(): readable_text(p) for p in output_files(public)}


def test_private_records_reach_no_output(rich_site: tuple[Path, Path]) -> None:
    content, public = rich_site
    private = private_documents(content)
    assert {p.rel for p in private} == {f"{ASSOC}/member-disclosures/2025-财务收支.md", f"{ASSOC}/sanctions/2025-警告-004.md"}
    assert all(p.strings for p in private)
    assert leaks(public, private) == []
    texts = _everything(public)
    # Kinds of output the scan covered: pages, feeds, open data, search, sitemap, manifest.
    assert any(r.endswith(".xml") for r in texts) and any(r.startswith("data/") for r in texts)
    assert any(r.startswith("search/") for r in texts) and "sitemap.xml" in texts and "manifest.json" in texts
    for secret in (MEMBER_ONLY_SECRET, PRIVACY_SECRET):
        assert [r for r, t in texts.items() if secret in t] == []


def test_private_records_are_not_even_named(rich_site: tuple[Path, Path]) -> None:
    _content, public = rich_site
    texts = _everything(public)
    for name in ("2025-警告-004", "2025-财务收支"):
        assert [r for r, t in texts.items() if name in t] == []


def test_practitioner_is_masked_on_every_output(rich_site: tuple[Path, Path]) -> None:
    _content, public = rich_site
    page = (public / ASSOC / "sanctions/2025-批评-003/index.html").read_text("utf-8")
    masked = mask_person_name(PRACTITIONER)
    assert masked == "李某某" and masked in page
    assert [r for r, t in _everything(public).items() if PRACTITIONER in t] == []
    # The open data carries the record, masked too.
    data = "".join(t for r, t in _everything(public).items() if r.startswith("data/"))
    assert "2025-批评-003" in data and masked in data


def test_unmasking_is_a_configuration_choice(rich_content: Path, tmp_path: Path) -> None:
    site = rich_content / "site.yaml"
    site.write_text(site.read_text("utf-8") + "mask_individuals: false\n", "utf-8")
    result = pipeline.build(rich_content, tmp_path / "public", AS_OF)
    assert result.ok, [d.message() for d in result.diagnostics]
    page = (tmp_path / "public" / ASSOC / "sanctions/2025-批评-003/index.html").read_text("utf-8")
    assert PRACTITIONER in page


def test_example_site_leaks_no_private_record(example_site: Path) -> None:
    from tests.conftest import EXAMPLE_CONTENT
    private = private_documents(EXAMPLE_CONTENT)
    # The example content must exercise both kinds of private record, or this proves nothing.
    assert any("/member-disclosures/" in p.rel for p in private)
    assert any("privacy: true" in (EXAMPLE_CONTENT / p.rel).read_text("utf-8") for p in private)
    assert all(p.strings for p in private), [p.rel for p in private if not p.strings]
    assert leaks(example_site, private) == []
