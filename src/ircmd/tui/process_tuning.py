"""Process-wide interpreter tuning for the TUI, applied once by the app and undone on exit.

* **GIL switch interval 1 ms** (default 5 ms): spans are decoded and indexed in worker
  threads; with the default interval the UI loop waits up to 5 ms at every wake-up while
  they run, which adds up to >100 ms per key under a flood of spans.
* **gc.freeze of long-lived data**: a long timeline or millions of spans are long-lived,
  acyclic objects (reference counting frees them); moving them out of the cyclic
  collector's generations keeps a full collection from stalling a random key press. The
  panes call :func:`freeze_long_lived` after loading such data; exit unfreezes.

Nothing outside this module changes interpreter-wide settings (the CLI's bulk loaders
restore what they change themselves).
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL = 0.001


class ProcessTuning:
    def __init__(self) -> None:
        self._switch: float | None = None

    def apply(self) -> None:
        if self._switch is None:
            self._switch = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch, SWITCH_INTERVAL))

    def undo(self) -> None:
        if self._switch is not None:
            sys.setswitchinterval(self._switch)
            self._switch = None
        gc.unfreeze()


def freeze_long_lived() -> None:
    """Move every object alive now out of the cyclic GC (undone by ``ProcessTuning.undo``)."""
    gc.freeze()
