"""`make run`'s environment: moving a sandbox port moves everything that talks to it; one gunicorn per stack."""

from __future__ import annotations

import runpy

from infra.run import sandbox_env
from infra.tools import ROOT


def test_the_default_ports_match_the_apps_defaults():
    assert sandbox_env({}) == {"SANDBOX_SMTP_PORT": "1025", "SANDBOX_HTTP_PORT": "8025",
                               "SMTP_SERVER": "127.0.0.1:1025", "SMS_API_URL": "http://127.0.0.1:8025/sms",
                               "KYC_API_URL": "http://127.0.0.1:8025/kyc", "ESIGN_API_URL": "http://127.0.0.1:8025/esign"}


def test_moving_the_sandbox_moves_mail_sms_kyc_and_esignature_with_it():
    env = sandbox_env({"LIBERTUM_SANDBOX_SMTP_PORT": "2025", "LIBERTUM_SANDBOX_HTTP_PORT": "9025"})
    assert env["SANDBOX_SMTP_PORT"] == "2025" and env["SMTP_SERVER"] == "127.0.0.1:2025"
    assert env["SANDBOX_HTTP_PORT"] == "9025"
    assert {env[k] for k in ("SMS_API_URL", "KYC_API_URL", "ESIGN_API_URL")} == {
        "http://127.0.0.1:9025/sms", "http://127.0.0.1:9025/kyc", "http://127.0.0.1:9025/esign"}


def test_the_older_names_still_move_everything():
    env = sandbox_env({"SANDBOX_SMTP_PORT": "3025", "SANDBOX_HTTP_PORT": "7025"})
    assert env["SMTP_SERVER"] == "127.0.0.1:3025" and env["KYC_API_URL"] == "http://127.0.0.1:7025/kyc"


def test_a_real_provider_set_explicitly_is_kept():
    env = sandbox_env({"LIBERTUM_SANDBOX_HTTP_PORT": "9025", "KYC_API_URL": "https://api.sumsub.com"})
    assert env["KYC_API_URL"] == "https://api.sumsub.com" and env["ESIGN_API_URL"] == "http://127.0.0.1:9025/esign"


def test_gunicorn_opens_no_control_socket_shared_between_stacks():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["control_socket_disable"] is True
