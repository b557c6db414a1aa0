"""app.locks.locked: one holder at a time across threads; a caller that waits too long is told to retry."""

from __future__ import annotations

import threading
import time

import pytest
from bson import ObjectId

from app import create_app, locks
from app.access import access
from app.domain.accounts.permissions import PUBLIC
from app.extensions import redis_client


def test_one_holder_at_a_time_and_a_busy_answer_after_the_wait(app):
    inside, peak, lock = [0], [0], threading.Lock()

    def hold() -> None:
        with app.app_context(), locks.locked(None, "test:counter"):
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.01)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=hold) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 1

    with locks.locked(app.config, "test:held"):
        with pytest.raises(locks.Busy) as busy, locks.locked(app.config, "test:held", wait_s=0.05):
            pass
        assert busy.value.code == 503, "a view shows 'try again shortly', never a 500"
        refused = pytest.raises(ValueError, match="being decided")
        with refused, locks.locked(app.config, "test:held", wait_s=0.05, busy=ValueError, message="being decided"):
            pass
    with locks.locked(app.config, "test:held", wait_s=0.05):
        pass  # released on leaving the block


def test_named_locks_keep_the_redis_keys_running_processes_and_tests_hold(app):
    oid = ObjectId()
    redis = redis_client.get(app.config)
    with app.app_context(), locks.order(oid), locks.offering(oid):
        assert redis.exists(f"lock:order:{oid}") and redis.exists(f"lock:offering:{oid}")
    with app.app_context(), locks.reservations(oid):
        assert redis.exists(f"orders:reservations:{oid}")
    assert not redis.exists(f"lock:order:{oid}", f"lock:offering:{oid}", f"orders:reservations:{oid}")


def test_the_documented_lock_order_is_checked_and_a_lock_out_of_order_fails_loudly(app):
    assert app.config["LOCK_ORDER_CHECKS"], "on in tests (tests/conftest.py), off by default in production"
    oid, user_id = ObjectId(), ObjectId()
    redis = redis_client.get(app.config)
    with app.app_context():
        with locks.payment("crypto:0xab:1"), locks.reservations(oid), locks.order(oid), locks.offering(oid):
            pass  # a transfer, an offering's reservations, the order, its offering: the documented nesting
        with locks.wallet("0x" + "ab" * 20), locks.userdetails(user_id):
            pass
        with locks.user(user_id), locks.userdetails(user_id):
            pass
        with locks.offering(oid):
            refused = pytest.raises(locks.LockOrderError, match=r"lock order:.* taken while holding offering:")
            with refused, locks.order(oid):
                raise AssertionError("an order taken inside its offering's lock")
            assert not redis.exists(f"lock:order:{oid}"), "refused before it took anything"
            with pytest.raises(locks.LockOrderError), locks.offering(oid):  # the same lock again: not re-entrant
                pass
        with locks.userdetails(user_id), pytest.raises(locks.LockOrderError), locks.user(user_id):
            pass
        with locks.order(oid):  # the refusals left nothing held behind
            pass


def test_the_lock_order_is_per_thread_and_off_without_the_setting(app):
    oid = ObjectId()
    taken = []

    def other_thread() -> None:
        with app.app_context(), locks.order(oid):  # this thread holds nothing
            taken.append(True)

    with app.app_context(), locks.offering(ObjectId()):
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert taken == [True]
    unchecked = {**app.config, "LOCK_ORDER_CHECKS": False}
    with locks.offering(oid, unchecked), locks.order(oid, unchecked):
        pass  # production: the order is documented, not checked


def test_a_busy_lock_is_one_answer_a_503_page_or_an_htmx_fragment(services):
    web = create_app()
    web.add_url_rule("/test-busy", "test_busy", access(PUBLIC)(lambda: _hold_busy(web)))
    client = web.test_client()
    page = client.get("/test-busy")
    assert page.status_code == 503 and "try again in a moment" in page.text and "<html" in page.text.lower()
    fragment = client.get("/test-busy", headers={"HX-Request": "true"})
    assert fragment.status_code == 503 and "try again in a moment" in fragment.text
    assert "<html" not in fragment.text.lower() and fragment.headers.get("HX-Reswap") == "afterbegin"


def _hold_busy(web):
    name = ObjectId()
    with locks.order(name), locks.locked(web.config, f"order:{name}", wait_s=0.05):
        raise AssertionError("a held lock was taken twice")
