"""On KYC approval the investor's residence country is recorded for offering eligibility."""

from app.data import user_details, users
from app.domain.onboarding.identities import create_identities
from tests.fixtures.accounts import make_user


def test_identity_job_records_the_verified_residence_country(app, db, platform):
    investor = make_user("investor")
    user_details.ensure(db, investor["_id"])
    user_details.save_any(db, investor["_id"], {"address": {"country": "fr", "city": "Lyon"}})
    create_identities(str(investor["_id"]))
    assert "residenceCountry" not in users.by_id(db, investor["_id"]), "not before KYC approval"

    users.set_fields(db, investor["_id"], {"isKyc": True, "kycStatus": "approved"})
    create_identities(str(investor["_id"]))
    assert users.by_id(db, investor["_id"])["residenceCountry"] == "FR"
