"""What every pool process of ocrgen does first: leave Ctrl-C to its parent, and never outlive it."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def become_worker(parent: int) -> None:
    """Ctrl-C reaches every process of the terminal's group; the parent alone handles it, so a worker
    neither dies with a traceback nor sends the interrupt back as a result. SIGTERM ends a worker at
    once (the parent sends it); the kernel kills it when the parent dies.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """A worker whose parent is killed (kill -9, the OOM killer) must not live on, let alone write files.

    Linux's PR_SET_PDEATHSIG has the kernel send SIGKILL when the parent goes; a parent gone
    before the call is seen by the worker's parent pid having changed.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
