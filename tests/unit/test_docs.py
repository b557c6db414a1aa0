"""The README's configuration table and .env.example describe every setting the app reads."""

from pathlib import Path

import pytest

from app.config import SETTINGS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented(name):
    assert f"| `{name}` |" in (ROOT / "README.md").read_text(), f"add {name} to README.md's configuration table"
    assert f"\n{name}=" in (ROOT / ".env.example").read_text(), f"add {name} to .env.example"


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
