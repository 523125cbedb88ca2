"""A process-wide memo bounded by bytes, shared by every session of the app.

Why not ``st.cache_data`` for results: it bounds entries, not bytes, and hands every
caller its own unpickled copy. The largest link's `Result` holds ~56 MB (10⁶ recorded
rows × 56 bytes), so eight cached entries plus one copy per running session took the
server past 3 GB (`bench/soak.py`). Here:

- values are shared, not copied: their NumPy arrays are made read-only;
- least-recently-used values are dropped once the values' bytes exceed ``max_bytes``
  (a value larger than that is returned but not kept);
- a key is computed once even when many sessions ask for it together (the others wait);
- at most ``workers`` computations run at once, so sessions opening different heavy
  links together hold at most ``workers`` uncached values being built;
- after dropping values the C allocator is asked to return freed pages (glibc's
  ``malloc_trim``): measured over 20 worst-case links in one process, resident memory
  levelled at ~640 MB with it (and two malloc arenas, `limit_arenas`) against 650–810 MB
  without;
- ``size`` says what a value weighs (default `nbytes`: its arrays' buffers).

`map_large_blocks` keeps big buffers out of the allocator's heap altogether.
"""

from __future__ import annotations

import ctypes
import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

import numpy as np

V = TypeVar("V")
_M_MMAP_THRESHOLD = -3  # mallopt parameters (glibc's malloc.h)
_M_ARENA_MAX = -8
try:
    _LIBC = ctypes.CDLL(None)
    _LIBC.malloc_trim, _LIBC.mallopt  # noqa: B018  (glibc only: other C libraries lack them)
except (OSError, AttributeError):
    _LIBC = None


def limit_arenas(count: int) -> None:
    """Cap glibc's malloc arenas (default 8 per core): each session thread may otherwise
    get its own arena and keep freed memory in it."""
    if _LIBC is not None:
        _LIBC.mallopt(_M_ARENA_MAX, count)


def map_large_blocks(threshold: int) -> None:
    """Serve every block of ``threshold`` bytes or more with its own ``mmap`` (glibc), so
    that freeing it gives its pages straight back to the system.

    glibc's default threshold starts at 128 KiB but rises to the size of each such block
    freed, up to 32 MiB; after the first big NumPy array is freed, arrays, message strings
    and compiled buffers up to 32 MiB all come from the heap, whose free holes stay
    resident and are reused badly by other sizes. Measured in the server
    (30 worst-case sessions at once, `mallinfo2`): 1,023 MB free in the
    heap against 416 MB in use; with a fixed 256 KiB threshold, 75 MB free against 291 MB
    in use and a peak RSS 170 MB lower. Setting it also stops the dynamic adjustment."""
    if _LIBC is not None:
        _LIBC.mallopt(_M_MMAP_THRESHOLD, threshold)


def trim() -> None:
    """Return the allocator's free pages to the system (glibc)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _arrays(value, seen: set[int]) -> Iterator[np.ndarray]:
    """Every NumPy array reachable through dataclass fields, tuples, lists and dict values."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _arrays(getattr(value, field.name), seen)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _arrays(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item, seen)


def nbytes(value) -> int:
    """Bytes of the distinct array buffers ``value`` holds (views count their base once)."""
    bases = {}
    for array in _arrays(value, set()):
        base = array
        while isinstance(base.base, np.ndarray):
            base = base.base
        bases[id(base)] = base.nbytes
    return sum(bases.values())


def freeze(value: V) -> V:
    """Make every array in ``value`` read-only (it is about to be shared); returns it."""
    for array in _arrays(value, set()):
        array.flags.writeable = False
    return value


class _Pending:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value = None
        self.error: BaseException | None = None


class Memo(Generic[V]):
    """``fn`` memoised by its (hashable) arguments under a byte budget; thread-safe.

    >>> square = Memo(lambda n: np.full(n, n), max_bytes=8 * 100)
    >>> square(3).tolist(), square.bytes
    ([3, 3, 3], 24)
    """

    def __init__(
        self, fn: Callable[..., V], max_bytes: int, workers: int = 1, size: Callable[[V], int] = nbytes
    ) -> None:
        self.fn, self.max_bytes, self.size = fn, max_bytes, size
        self.bytes = 0
        self._values: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._pending: dict[Hashable, _Pending] = {}
        self._lock = threading.Lock()
        self._workers = threading.BoundedSemaphore(workers)

    def __call__(self, *key: Hashable) -> V:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key][0]
            pending = self._pending.get(key)
            owner = pending is None
            if owner:
                pending = self._pending[key] = _Pending()
        if not owner:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.value
        try:
            with self._workers:
                pending.value = freeze(self.fn(*key))
            self._keep(key, pending.value)
            return pending.value
        except BaseException as error:
            pending.error = error
            raise
        finally:
            with self._lock:
                del self._pending[key]
            pending.done.set()

    def _keep(self, key: Hashable, value: V) -> None:
        size = self.size(value)
        with self._lock:
            if size > self.max_bytes:
                return
            self._values[key] = (value, size)
            self.bytes += size
            dropped = []
            while self.bytes > self.max_bytes:
                _, (value, size) = self._values.popitem(last=False)
                self.bytes -= size
                dropped.append(value)
        if dropped:
            del dropped
            trim()

    def __len__(self) -> int:
        return len(self._values)
