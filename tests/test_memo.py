"""The byte-bounded memo the app keeps results in (optviz/memo.py)."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from optviz import Scenario, simulate
from optviz.memo import Memo, nbytes


def test_values_are_shared_read_only_and_counted_once():
    result = simulate(Scenario.from_query("opt=adam:lr=0.05&steps=300&cloud=ring:n=8").scenario)
    runs = result.runs[0].trajectories
    # one buffer per field per run, viewed by every start: 8 starts × 301 rows × (path 2 + loss 1 + grad 2),
    # 8 × 300 updates × 2, one lr per step
    assert nbytes(result) == 8 * (8 * 301 * 5 + 8 * 300 * 2 + 300)
    memo = Memo(lambda q: simulate(Scenario.from_query(q).scenario), max_bytes=10**8)
    first = memo("opt=adam:lr=0.05&steps=300")
    assert memo("opt=adam:lr=0.05&steps=300") is first and memo.bytes == nbytes(first)
    with pytest.raises(ValueError, match="read-only"):
        first.runs[0].path[0, 0] = 1.0
    assert runs[3].path.base is runs[5].path.base  # a view of the run's buffer, not a copy


def test_least_recently_used_values_go_first_and_oversized_ones_are_not_kept():
    memo = Memo(lambda n: np.zeros(n), max_bytes=8 * 100)
    memo(40), memo(40), memo(30), memo(40)  # 40 is the most recent
    memo(50)  # 40 + 30 + 50 > 100 elements: 30 goes
    assert memo.bytes == 8 * 90 and len(memo) == 2
    calls = []
    memo = Memo(lambda n: calls.append(n) or np.zeros(n), max_bytes=8 * 100)
    memo(200), memo(200)
    assert calls == [200, 200] and memo.bytes == 0


def test_a_key_asked_for_together_is_computed_once_and_errors_reach_every_caller():
    calls = []

    def slow(key):
        calls.append(key)
        time.sleep(0.2)
        if key == "bad":
            raise ValueError(key)
        return np.arange(3)

    memo = Memo(slow, max_bytes=10**6)
    got, errors = [], []

    def ask(key):
        try:
            got.append(memo(key))
        except ValueError as e:
            errors.append(e)

    threads = [threading.Thread(target=ask, args=(k,)) for k in ["a"] * 5 + ["bad"] * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert sorted(calls) == ["a", "bad"]
    assert len(got) == 5 and all(v is got[0] for v in got) and len(errors) == 3


def test_a_memo_weighs_values_with_its_own_size_function():
    memo = Memo(lambda n: "x" * n, max_bytes=100, size=len)
    memo(60), memo(30)
    assert memo.bytes == 90 and len(memo) == 2
    memo(50)  # 60 + 30 + 50 > 100: the least recent (60) goes
    assert memo.bytes == 80 and len(memo) == 2


_HEAP_PROBE = """
import ctypes, sys
import numpy as np
from optviz.memo import map_large_blocks

class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
if sys.argv[1] == "mapped":
    map_large_blocks(256 * 2**10)
mapped = []
for _ in range(3):  # glibc raises its threshold past a freed mmapped block, so the 2nd and 3rd differ
    block = np.ones(2**20)  # 8 MiB
    mapped.append(libc.mallinfo2().hblkhd >= block.nbytes)
    del block
print(mapped)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_blocks_over_the_threshold_are_mapped_on_their_own_every_time():
    def run(mode: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", _HEAP_PROBE, mode],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parents[1],
        ).stdout.strip()

    assert run("default") == "[True, False, False]"  # the first freed block moved the threshold above 8 MiB
    assert run("mapped") == "[True, True, True]"
