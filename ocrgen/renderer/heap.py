"""The heap of a process that renders: freed arrays stay in it for the next image, and Python's cycle
collector runs less often.

One image allocates dozens of numpy temporaries of a few hundred kilobytes, a rotation's
coordinate maps above all, and frees them again. By default glibc maps each allocation above
its threshold fresh from the kernel and unmaps it on free, and it trims the heap's free top,
so every image faults all those pages in anew: that cost a third of a rotated line's render.
With both thresholds raised, the temporaries reuse pages the process already has. The heap
then keeps at most `_KEEP_FREE` of free top beyond what the largest image needed; allocations
above `_OWN_PAGES` (a large image's layers) still get pages of their own, returned on free.

Python's cycle collector runs after every 700 new container objects by default. Drawing and
labelling an image makes hundreds of small tuples, which reference counting frees, so the
collector kept running and walking the layouts and glyphs the caches hold: a sixth of a single
word's render. After every 10,000 it costs next to nothing, and garbage in cycles, which rendering
seldom makes, is still collected.
Measured with bench/bench.py: see the README's render rows.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import sys

_M_TRIM_THRESHOLD = -1  # malloc.h
_M_MMAP_THRESHOLD = -3
_OWN_PAGES = 32 << 20
_KEEP_FREE = 64 << 20
_NEW_CONTAINERS = 10_000  # between two runs of the cycle collector's youngest generation


@functools.cache
def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds, once per process; False where the C library has no `mallopt`."""
    if not sys.platform.startswith("linux"):
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_MMAP_THRESHOLD, _OWN_PAGES)) and bool(mallopt(_M_TRIM_THRESHOLD, _KEEP_FREE))


@functools.cache
def collect_cycles_less_often() -> None:
    """Raise the cycle collector's first threshold to `_NEW_CONTAINERS`, once per process; a higher one stays."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, _NEW_CONTAINERS), middle, old)
