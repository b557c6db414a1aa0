"""What issuers (and the document's readers) see of distributions: scoped loaders that 404 for anyone else."""

from __future__ import annotations

from pathlib import Path

from app.data import distributions, dividends
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.platform import uploads


class NotFound(errors.NotFound):
    """No such distribution for this person (404, revealing nothing)."""


def of_offering(config: dict, offering: dict) -> list[dict]:
    return distributions.of_offering(get_db(config), offering["_id"])


def _load(config: dict, distribution_id: str) -> dict:
    did = parse_id(distribution_id)
    found = distributions.by_id(get_db(config), did) if did else None
    if found is None:
        raise NotFound(distribution_id)
    return found


def own(config: dict, actor: dict, distribution_id: str) -> dict:
    """The distribution if `actor` declared it (its issuer)."""
    found = _load(config, distribution_id)
    if found["issuerId"] != actor["_id"]:
        raise NotFound(distribution_id)
    return found


def lines(config: dict, distribution: dict) -> list[dict]:
    return dividends.of_distribution(get_db(config), distribution["_id"])


def document(config: dict, actor: dict, distribution_id: str) -> tuple[Path, str]:
    """The supporting document, for its issuer, staff with `dividends`, or a holder with a line in it."""
    found = _load(config, distribution_id)
    allowed = (found["issuerId"] == actor["_id"] or has_permission(actor, "dividends")
               or any(line.get("userId") == actor["_id"] for line in dividends.of_distribution(get_db(config),
                                                                                               found["_id"])))
    if not allowed or not found.get("documentName"):
        raise NotFound(distribution_id)
    return uploads.locate(config["UPLOAD_DIR"], str(found["issuerId"]), found["documentName"])
