"""The rooms of ARCHITECTURE.md, enforced: import-linter's contracts from pyproject.toml must hold."""

from __future__ import annotations

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
    """The check can fail: a copy of the contracts with a module that imports a fake is refused."""
    package = tmp_path / "bot"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "listener.py").write_text("import bot_testing.slack\n")
    testing = tmp_path / "bot_testing"
    testing.mkdir()
    (testing / "__init__.py").write_text("")
    (testing / "slack.py").write_text("")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_packages =\n    bot\n    bot_testing\n\n"
        "[importlinter:contract:fakes]\nname = no fakes\ntype = forbidden\n"
        "source_modules =\n    bot\nforbidden_modules =\n    bot_testing\n"
    )
    result = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(tmp_path), "PATH": "", "LANG": "C.UTF-8"},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "bot.listener -> bot_testing.slack" in result.stdout
