"""The sandbox's front page: a newcomer at http://127.0.0.1:8025/ finds the mailbox, texts, KYC and e-signature."""

import requests


def test_the_sandbox_root_links_every_stand_in(mail_sandbox):
    page = requests.get(mail_sandbox + "/", timeout=5)
    assert page.status_code == 200
    for href in ("/mail/", "/sms/", "/kyc/", "/esign/"):
        assert f'href="{href}"' in page.text
        assert requests.get(mail_sandbox + href, timeout=5).status_code == 200, href
