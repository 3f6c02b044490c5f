"""Child processes of the local stack (DynamoDB Local, moto S3, bank simulator)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
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


class LocalServer:
    """A server the local stack runs as a child process on 127.0.0.1. `port=0` picks a free
    port; `data_dir=None` keeps its data in memory. Subclasses implement `start()`."""

    error: type[Exception] = RuntimeError
    label = "the server"

    def __init__(
        self,
        port: int = 0,
        data_dir: str | os.PathLike | None = None,
        host: str = "127.0.0.1",
        log_path: str | os.PathLike | None = None,
    ):
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.log_path = Path(log_path) if log_path is not None else None
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def endpoint(self) -> str:
        if self.port is None:
            raise self.error(f"{self.label} is not running")
        return f"http://{self.host}:{self.port}"

    def start(self):
        """Start and wait until it answers. With port 0, a port taken by someone else between
        choosing and binding it is retried with another free port."""
        attempts = 1 if self.requested_port else 3
        for attempt in range(attempts):
            try:
                return self._start_once()
            except self.error:
                if attempt == attempts - 1:
                    raise
        return self

    def _start_once(self):
        raise NotImplementedError

    def _output(self):
        """Where the child's output goes: the log file if one was named, else nowhere."""
        if self.log_path is None:
            return subprocess.DEVNULL
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (lives as long as the child; closed in stop)
        return self._log

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 10 s) and wait for it."""
        process, self.process = self.process, None
        stop(process, self._log)
        self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
