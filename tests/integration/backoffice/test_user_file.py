"""A user's whole file on one page for staff holding `users`: every part of the account, identity numbers in clear
only to staff who also hold `kyc`, never a secret, and nothing to anyone else."""

from __future__ import annotations

from datetime import UTC, datetime

from app.data import user_details
from app.domain.onboarding import sensitive
from app.domain.orders import placement as ordering
from app.domain.platform import audit
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user
from tests.fixtures.orders import approve, order_form

NATIONAL_ID = "AB123456C9876"


def _investor_with_everything(app, db) -> dict:
    offering = list_offering(db, offering_doc(fee=0, tokenAddress="0x" + "ab" * 20, title="Quayside Court",
                                          details={"tokenDecimals": 18}))
    user = make_user("investor")
    db.users.update_one({"_id": user["_id"]}, {"$set": {"kycStatus": "approved", "isKyc": True,
                                                        "residenceCountry": "GB", "onchainID": "0x" + "cd" * 20}})
    user_details.ensure(db, user["_id"])
    user_details.save_any(db, user["_id"], sensitive.encrypt_fields(app.config["DATA_ENCRYPTION_KEY"], {
        "accountType": "individual",
        "personalInformation": {"firstName": "Grace", "lastName": "Hopper", "nationalIdNumber": NATIONAL_ID}}))
    wallet = approve(db, user, offering)
    order = ordering.place(app.config, user, str(offering["_id"]), order_form(10))
    db.holdings.insert_one({"_id": f"{offering['tokenAddress']}:{wallet}", "token": offering["tokenAddress"],
                            "wallet": wallet, "balance": "1000000000000000000000", "frozen": "0"})
    db.transferrequets.insert_one({"userId": user["_id"], "status": "pending", "createdAt": datetime.now(UTC),
                                   "toAddress": "0x" + "ef" * 20})
    audit.record("kyc.approved", subject=db.users.find_one({"_id": user["_id"]}), details={"reason": ""})
    return {**user, "wallet": wallet, "order": order}


def test_staff_see_the_whole_file_with_identity_numbers_as_the_kyc_review_does(app, db, auth):
    investor = _investor_with_everything(app, db)
    path = f"/admin/users/{investor['_id']}/file"
    users_only = auth("subadmin", permissions=["users"]).get(path)
    assert users_only.status_code == 200
    text = users_only.text
    for part in (investor["email"], "approved", "Grace", investor["wallet"], "Quayside Court",
                 investor["order"]["paymentReference"], "<td>1,000</td>", "0x" + "ef" * 20, "KYC approved",
                 "0x" + "cd" * 20):
        assert part in text, part
    assert NATIONAL_ID not in text and "•" in text and "9876" in text
    assert "enc:v1:" not in text and "Revoke KYC" not in text
    assert "$2b$" not in text and "argon2" not in text  # never the password hash

    reviewer = auth("subadmin", permissions=["users", "kyc"])
    with_kyc = reviewer.get(path)
    assert with_kyc.status_code == 200 and NATIONAL_ID in with_kyc.text and "Revoke KYC" in with_kyc.text
    audit.record("kyc.rejected", actor=reviewer.user, subject=investor, details={"reason": "blurred"})
    staff_file = reviewer.get(f"/admin/users/{reviewer.user['_id']}/file").text  # what a staff member did, too
    assert "KYC rejected" in staff_file and investor["email"] in staff_file


def test_nobody_else_opens_a_file(app, db, auth):
    investor = _investor_with_everything(app, db)
    path = f"/admin/users/{investor['_id']}/file"
    for client in (auth("investor"), auth("issuer"), auth("subadmin", permissions=["kyc", "orders"])):
        response = client.get(path)
        assert response.status_code == 403 and investor["email"] not in response.text
    staff = auth("subadmin", permissions=["users"])
    assert staff.get("/admin/users/0123456789abcdef01234567/file").status_code == 404
    assert staff.get("/admin/users/not-an-id/file").status_code == 404
