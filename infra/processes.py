"""Child processes of the local stack (DynamoDB Local, moto S3, bank simulator)."""
from __future__ import annotations

import subprocess
from typing import IO


def stop(process: subprocess.Popen | None, log: IO | None = None, grace_s: float = 10) -> None:
    """SIGTERM, then SIGKILL after `grace_s`; wait for it; close its log file."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace_s)
    if log is not None:
        log.close()
