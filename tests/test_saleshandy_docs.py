"""The Saleshandy client explains itself: the contract lives in docs/saleshandy-api.md, and every section
a docstring of bot/saleshandy names is there."""

from __future__ import annotations

import re
from pathlib import Path

from bot.saleshandy import SaleshandyError

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = (ROOT / "docs" / "saleshandy-api.md").read_text()
NAMED_SECTION = re.compile(r'docs/saleshandy-api\.md[,:(\s]+"([^"]+)"')


def sections_named_in_the_code() -> set[str]:
    named: set[str] = set()
    for module in (ROOT / "bot" / "saleshandy").glob("*.py"):
        text = " ".join(module.read_text().split())  # a reference may wrap over two lines
        named.update(NAMED_SECTION.findall(text))
    return named


def test_every_section_the_code_points_at_is_in_the_contract() -> None:
    headings = [line[3:] for line in CONTRACT.splitlines() if line.startswith("## ")]
    named = sections_named_in_the_code()
    assert len(named) >= 4
    for section in named:
        assert any(heading.startswith(section) for heading in headings), section


def test_the_contract_lists_every_error_class() -> None:
    kinds = {kind.__name__ for kind in _subclasses(SaleshandyError)}
    assert kinds
    for kind in kinds:
        assert f"`{kind}`" in CONTRACT, kind


def _subclasses(kind: type[SaleshandyError]) -> list[type[SaleshandyError]]:
    return [sub for direct in kind.__subclasses__() for sub in (direct, *_subclasses(direct))]
