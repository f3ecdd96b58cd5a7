"""The layering of docs (DESIGN.md): imports run down, never back up."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

# What each layer may import of the project's packages.
ALLOWED = {
    "ticker": {"ticker"},
    "ingest": {"ticker", "ingest"},
    "web": {"ticker", "ingest", "web"},
    "voc": {"ticker", "ingest", "web", "voc"},
}
PLATFORMS = re.compile(
    r"\b(qualtrics|surveymonkey|typeform|delighted|zendesk|formbricks|alchemer|google ?forms)\b",
    re.IGNORECASE,
)


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, with its line, and every `"pkg.module:..."` string that
    names a project module (how uvicorn was once told to load web.app)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            named = re.fullmatch(r"(\w+)\.[\w.]+:\w+", node.value)
            if named:
                found.append((node.lineno, named.group(1)))
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_layer_imports_one_above_it(package: str) -> None:
    """ticker/ imports neither ingest/ nor web/; ingest/ never web/; only voc/ imports all."""
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules(package)
        for line, name in imports(path)
        if name.split(".")[0] in ALLOWED and name.split(".")[0] not in ALLOWED[package]
    ]
    assert wrong == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The import reader finds plain, from- and string imports (so the test above can fail)."""
    path = tmp_path / "m.py"
    path.write_text('import web.app\nfrom ingest import files\nAPP = "web.app:create_app"\n')
    assert [name for _, name in imports(path)] == ["web.app", "ingest", "web"]


def test_the_core_knows_no_survey_platform() -> None:
    """No module of ticker/ names a survey platform: adapters live in ingest/ alone."""
    named = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in modules("ticker")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PLATFORMS.search(line)
    ]
    assert named == []
