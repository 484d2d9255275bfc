"""Fault injection for the crash tests, inert unless asked for by the environment.

``THIDUA_FAULT_AT`` names a point (``run.chunk``: after a run's first chunk of results is
written; ``evidence.blob``: after an evidence file's bytes are written); there, inside the
open transaction, :func:`fault_point` touches ``THIDUA_FAULT_MARKER`` (if set) and sleeps
``THIDUA_FAULT_PAUSE`` seconds, so a test can kill the process mid-write.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


async def fault_point(name: str) -> None:
    if os.environ.get("THIDUA_FAULT_AT") != name:
        return
    if marker := os.environ.get("THIDUA_FAULT_MARKER"):
        Path(marker).touch()
    await asyncio.sleep(float(os.environ.get("THIDUA_FAULT_PAUSE") or 120))
