"""Loops over pixels (and label points) compiled to machine code by numba, for the few hot paths numpy cannot
express in one pass.

A loop is plain Python over arrays and numbers, compiled on its first call in a process (numba is
imported then, not before: planning, and rendering without effects, never pay for it) and cached on
disk, so later processes load it in milliseconds.

The same bits on every machine: loops are compiled without fast-math, so the compiler may neither
reorder float arithmetic nor fuse a multiply and an add, and every operation rounds as IEEE 754 and
numpy do. A loop that replaces numpy code does the same operations, on the same types, in the
same order; the tests hold the renders to stored digests.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

Function = TypeVar("Function", bound=Callable[..., Any])


def compiled(function: Function) -> Function:
    """`function`, compiled by numba on its first call. `nogil` lets the render's I/O thread run meanwhile, and
    numpy's error model makes a division by zero give inf, not raise. The machine code is cached beside the
    module, or in the user's cache directory; where neither can be written (a read-only install without a home),
    each process compiles it anew, in about a second."""
    machine_code: Callable[..., Any] | None = None

    @functools.wraps(function)
    def call(*args: Any) -> Any:
        nonlocal machine_code
        if machine_code is None:
            import numba

            try:
                machine_code = numba.njit(function, cache=True, nogil=True, error_model="numpy")
            except RuntimeError:  # numba's "cannot cache function ...: no locator available"
                machine_code = numba.njit(function, nogil=True, error_model="numpy")
        return machine_code(*args)

    return call  # type: ignore[return-value]
