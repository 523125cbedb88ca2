"""Calls run in threads at the same time, as a server's sessions run them."""

from __future__ import annotations

import threading
from collections.abc import Callable


def system_errors(*calls: Callable[[], object], times: int) -> list[str]:
    """Run each call ``times`` times, each in a thread of its own, all at once; the
    `SystemError` messages they raised (any other exception fails the test)."""
    errors: list[str] = []

    def repeat(call):
        for _ in range(times):
            try:
                call()
            except SystemError as err:
                errors.append(str(err))

    threads = [threading.Thread(target=repeat, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
