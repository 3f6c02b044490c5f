"""S3 for the local stack: moto's server (`python -m moto.server`) on 127.0.0.1.

moto keeps its state in memory. To let uploads survive a `make run` restart we use moto's
recorder: with `MOTO_ENABLE_RECORDING` set, the server appends every request it serves to
`MOTO_RECORDER_FILEPATH` (one JSON line each); on the next start we ask it to replay that file
(`POST /moto-api/recorder/replay-recording`), which rebuilds the buckets and objects. Recording
is paused during a replay, so the file does not grow with replays.

    with S3Local(data_dir=".local/data/s3") as s3:   # persistent
        os.environ["S3_ENDPOINT"] = s3.endpoint
    with S3Local() as s3:                             # in memory (tests)
        ...
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from . import processes
from .ddb_local import free_port

RECORDING_NAME = "s3-recording.jsonl"
START_TIMEOUT_S = 30.0


class S3LocalError(RuntimeError):
    pass


class S3Local(processes.LocalServer):
    error = S3LocalError
    label = "the S3 server"

    @property
    def recording(self) -> Path | None:
        return self.data_dir / RECORDING_NAME if self.data_dir is not None else None

    def _start_once(self) -> S3Local:
        if self.process is not None:
            return self
        self.port = self.requested_port or free_port(self.host)
        env = dict(os.environ)
        env.pop("MOTO_ENABLE_RECORDING", None)
        if self.recording is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.recording.touch()
            env.update(MOTO_ENABLE_RECORDING="true", MOTO_RECORDER_FILEPATH=str(self.recording))
        out = self._output()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_until_ready()
            if self.recording is not None and self.recording.stat().st_size:
                self._replay()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise S3LocalError(f"moto server exited with code {self.process.returncode}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise S3LocalError(f"moto server did not listen on {self.endpoint} within {START_TIMEOUT_S:.0f} s")

    def _replay(self) -> None:
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/recorder/replay-recording", data=b"", method="POST"
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            if response.status != 200:
                raise S3LocalError(f"replaying {self.recording} failed: HTTP {response.status}")
