"""The rooms of ARCHITECTURE.md, enforced: import-linter's contracts from pyproject.toml must hold, and no
test module imports from another (shared helpers live in tests/helpers/, shared fixtures in a conftest.py)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def test_the_product_never_imports_the_fakes_and_rooms_import_only_downwards() -> None:
    result = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_a_production_module_importing_a_fake_breaks_the_contract(tmp_path: Path) -> None:
    """The check can fail: the project's own contracts, given a copy of the product with one listener that
    imports a fake, refuse it (a loosened contract in pyproject.toml would make this test fail)."""
    for package in ("bot", "bot_testing"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "bot" / "slack" / "listeners" / "sneaky.py").write_text("import bot_testing.slack\n")
    result = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tmp_path), "PATH": "", "LANG": "C.UTF-8"},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "bot.slack.listeners.sneaky -> bot_testing.slack" in result.stdout
    assert "1 kept, 1 broken" in result.stdout


def imported_test_modules(source: str) -> list[str]:
    """Every test_ module of tests/ that `source` imports from, at its top or inside a function:
    `from tests.e2e.test_x import y`, `import tests.e2e.test_x`, `from tests.e2e import test_x`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _is_test_module(node.module):
                found.append(node.module)
            elif node.module.split(".")[0] == "tests":
                found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("test_")]
    return found


def _is_test_module(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "tests" and any(part.startswith("test_") for part in parts[1:])


def test_no_test_module_imports_from_another() -> None:
    offenders = {
        str(path.relative_to(ROOT)): imported
        for path in sorted((ROOT / "tests").rglob("test_*.py"))
        if (imported := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "move shared helpers to tests/helpers/ and shared fixtures to a conftest.py"


def test_the_check_finds_a_test_module_imported_anywhere() -> None:
    """The check can fail: each way of importing a test module is caught, a helper's import is not."""
    source = """
from tests.e2e.test_accounts import connect
import tests.test_store
from tests.e2e import test_oauth, conftest
from tests.helpers.slack_app import dm_posts
import tests.helpers.accounts

def later() -> None:
    from tests.slack.test_listeners import something
"""
    assert imported_test_modules(source) == [
        "tests.e2e.test_accounts",
        "tests.test_store",
        "tests.e2e.test_oauth",
        "tests.slack.test_listeners",
    ]
