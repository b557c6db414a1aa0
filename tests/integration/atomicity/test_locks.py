"""app.locks.locked: one holder at a time across threads; a caller that waits too long is told to retry."""

from __future__ import annotations

import threading
import time

import pytest

from app import locks


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
