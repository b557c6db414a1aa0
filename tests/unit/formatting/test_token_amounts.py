"""Token amounts in sentences: "1 token", "2.5 tokens", "0 tokens", exact at 18 decimals and beyond uint64, through
the `tokens` filter every page and mail uses."""

from decimal import Decimal, localcontext

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from app.formatting import register_template_filters, tokens

E18 = 10**18


@pytest.mark.parametrize(("base", "decimals", "kind", "text"), [
    (E18, 18, "", "1 token"),  # 1.000000000000000000: the trailing zeros do not make it plural
    (25 * E18 // 10, 18, "", "2.5 tokens"),
    (0, 18, "", "0 tokens"),
    (None, 0, "", "0 tokens"),
    (1, 18, "", "0.000000000000000001 tokens"),
    (E18 + 1, 18, "", "1.000000000000000001 tokens"),
    (1, 0, "", "1 token"),
    (2, 0, "", "2 tokens"),
    (1_250 * E18, 18, "", "1,250 tokens"),
    (12, 0, "HBL", "12 HBL tokens"),
    (1, 0, "HBL", "1 HBL token"),
    (-E18, 18, "", "-1 token"),
    (2**256 - 1, 18, "", "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457."
                         "584007913129639935 tokens"),
])
def test_the_noun_agrees_with_the_amount(base, decimals, kind, text):
    assert tokens(base, decimals, kind) == text


@given(st.integers(min_value=0, max_value=2**256 - 1), st.integers(min_value=0, max_value=30))
def test_exactly_one_token_is_singular_and_the_figure_is_exact(base, decimals):
    figure, noun = tokens(base, decimals).rsplit(" ", 1)
    with localcontext() as context:
        context.prec = 120  # exact: the default 28 digits would round a uint256
        assert Decimal(figure.replace(",", "")) == Decimal(base).scaleb(-decimals)
    assert noun == ("token" if base == 10**decimals else "tokens")


def test_it_is_the_template_filter():
    app = Flask("app")
    register_template_filters(app)
    with app.app_context():
        render = app.jinja_env.from_string("{{ n|tokens(d) }} / {{ n|tokens(d, 'HBL') }}").render
        assert render(n=E18, d=18) == "1 token / 1 HBL token"
        assert render(n=3 * E18, d=18) == "3 tokens / 3 HBL tokens"
