"""docs/configuration.md's table and .env.example describe every setting the app reads; the README starts people
(the two commands, the demo, the sandboxes, the first admin, one test) and links every topic in docs/."""

import re
from pathlib import Path

import pytest

from app.config import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
# the README's former sections, now one file each in docs/, and the areas' own docs
MOVED_TOPICS = ("running.md", "dependencies.md", "configuration.md", "production.md", "architecture.md",
                "exactly-once.md", "chain-backbone.md", "contract-licences.md", "accounts.md", "onboarding.md",
                "offerings.md", "whitelisting.md", "orders.md", "payments.md", "portfolio.md", "benchmarks.md",
                "demo.md", "roles-and-mail.md", "operations.md", "issuer-dashboard.md", "bank-statements.md",
                "platform-wallet.md", "offering-wizard.md")


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented(name):
    assert f"| `{name}` |" in (ROOT / "docs" / "configuration.md").read_text(), \
        f"add {name} to docs/configuration.md's table"
    assert f"\n{name}=" in (ROOT / ".env.example").read_text(), f"add {name} to .env.example"


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


def test_readme_starts_people_and_stays_short():
    readme = (ROOT / "README.md").read_text()
    for needed in ("make run", "make admin", "demo-admin@libertum.example", "demo-investor@libertum.example",
                   "http://127.0.0.1:8025/", "PYTEST_ARGS"):
        assert needed in readme, needed
    assert len(readme.splitlines()) <= 160


def test_the_readme_links_the_topics_in_docs_and_every_link_resolves():
    readme = (ROOT / "README.md").read_text()
    linked = set(re.findall(r"\]\((docs/[^)#]+)", readme))
    for path in linked:
        assert (ROOT / path).exists(), f"README links {path}, which does not exist"
    for topic in MOVED_TOPICS:
        assert f"docs/{topic}" in linked, f"link docs/{topic} from the README's More list"
