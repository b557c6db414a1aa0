"""The content security policy lets forms reach only our pages and the e-signature provider's signing pages."""

from app.security import csp_for


def test_forms_may_go_to_the_esign_provider_and_nowhere_else():
    policy = csp_for({"ESIGN_API_URL": "https://demo.docusign.net/restapi"})
    assert "form-action 'self' https://demo.docusign.net;" in policy
    assert "script-src 'self';" in policy  # the rest is unchanged


def test_a_local_sandbox_keeps_its_port():
    assert "form-action 'self' http://127.0.0.1:8025;" in csp_for({"ESIGN_API_URL": "http://127.0.0.1:8025/esign"})
