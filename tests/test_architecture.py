"""The rooms of ARCHITECTURE.md, enforced: import-linter's contracts from pyproject.toml must hold."""

from __future__ import annotations

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
