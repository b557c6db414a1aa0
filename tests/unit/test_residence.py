"""Which country an approved investor resides in, from the KYC data (seed: userDetails)."""

import pytest

from app.domain.onboarding.identities import residence_country


@pytest.mark.parametrize(("details", "country"), [
    ({"address": {"country": "gb"}}, "GB"),
    ({"institutions": {"address": {"country": "FR"}}}, "FR"),
    ({"address": {"country": "France"}}, None),
    ({}, None),
    (None, None),
])
def test_residence_comes_from_the_verified_address(details, country):
    assert residence_country(details) == country
