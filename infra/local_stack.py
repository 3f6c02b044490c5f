"""The whole service on this machine (`make run` = `python -m infra.local_stack`).

1. DynamoDB Local (Java 17, from the pinned npm package), tables in `.local/data/ddb`;
2. moto's server for S3, its requests recorded in `.local/data/s3` and replayed on start;
3. the `local` stage environment (`infra/stage_env.py`) with those endpoints, also written to
   `.local/stack.json` for the ops CLI (`python -m infra ...`);
4. the app (imported only now, since pynamodb reads the endpoint at import), missing tables,
   the uploads bucket, the demo residents (idempotent: a restart keeps what residents changed);
5. the bank simulator (`infra/bank_simulator.py`, a subprocess) if present;
6. one origin, `http://127.0.0.1:8080`: the site at `/`, the API at `/api` (`infra/gateway.py`).

Ctrl-C or SIGTERM stops everything. `--in-memory` keeps nothing (tests); `--port 0` picks free
ports and `--ready-file` tells the caller where everything runs once it serves:

    with LocalStack(in_memory=True, port=0, bank_port=0) as stack:
        stack.url, stack.bank_url

The in-process API must run before anything imported chalicelib's models (pynamodb reads the
endpoint at import); tests therefore usually run `python -m infra.local_stack` as a subprocess
(see tests/browser/conftest.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import processes, stage_env
from .ddb_local import DynamoDBLocal, free_port
from .s3_local import S3Local

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT / ".local" / "data"
BANK_SIMULATOR = ROOT / "infra" / "bank_simulator.py"
BANK_START_TIMEOUT_S = 30.0

log = logging.getLogger("sbp.local_stack")


class LocalStackError(RuntimeError):
    pass


def _wait_for_port(host: str, port: int, process: subprocess.Popen, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LocalStackError(f"{what} exited with code {process.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise LocalStackError(f"{what} did not listen on {host}:{port} within {timeout_s:.0f} s")


class LocalStack:
    def __init__(
        self,
        port: int = 8080,
        bank_port: int = 8090,
        data_dir: str | os.PathLike = DEFAULT_DATA_DIR,
        in_memory: bool = False,
        seed: bool = True,
        bank: bool = True,
        host: str = "127.0.0.1",
        stack_file: str | os.PathLike | None = None,
        say: Callable[[str], Any] | None = None,
    ):
        self.host = host
        self.port = port
        self.bank_port = bank_port
        self.in_memory = in_memory
        self.data_dir = Path(data_dir)
        self.seed = seed
        self.bank = bank and BANK_SIMULATOR.exists()
        # The ops CLI finds a persistent stack through .local/stack.json; an in-memory one
        # (tests) must not take that place from a `make run` that may be running.
        self.stack_file = Path(stack_file) if stack_file else (None if in_memory else stage_env.STACK_FILE)
        self.say = say or (lambda text: None)
        self.ddb: DynamoDBLocal | None = None
        self.s3: S3Local | None = None
        self.gateway = None
        self.bank_process: subprocess.Popen | None = None
        self.bank_url: str | None = None
        self.seed_summary: dict[str, Any] = {}
        self._scratch: Path | None = None
        self._bank_log = None

    # ---- where things go -----------------------------------------------------------------

    @property
    def url(self) -> str:
        if self.gateway is None:
            raise LocalStackError("the local stack is not running")
        return self.gateway.url

    @property
    def work_dir(self) -> Path:
        """Logs and bank statements: the data folder, or a scratch folder when in memory."""
        if not self.in_memory:
            return self.data_dir
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="sbp-stack-"))
        return self._scratch

    def endpoints(self) -> dict[str, str]:
        values = {"DDB_ENDPOINT": self.ddb.endpoint, "S3_ENDPOINT": self.s3.endpoint}
        if self.gateway is not None:
            values["SITE_ORIGIN"] = self.url
        if self.bank_url:
            values["BANK_BASE_URL"] = f"{self.bank_url}/{{code}}"
        return values

    # ---- start / stop --------------------------------------------------------------------

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self._refuse_if_models_imported()
        logs = self.work_dir / "logs"
        self.ddb = DynamoDBLocal(
            data_dir=None if self.in_memory else self.data_dir / "ddb",
            host=self.host,
            log_path=logs / "dynamodb-local.log",
        )
        self.s3 = S3Local(
            data_dir=None if self.in_memory else self.data_dir / "s3",
            host=self.host,
            log_path=logs / "s3-moto.log",
        )
        self.say("starting DynamoDB Local and the S3 server ...")
        with ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(self.ddb.start), pool.submit(self.s3.start)]:
                future.result()
        stage_env.apply("local", self.endpoints())

        # Only now: chalicelib's models read DDB_ENDPOINT when they are imported.
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import app as app_module
        from chalicelib import storage
        from chalicelib.models.registry import create_missing_tables

        from .gateway import Gateway

        try:
            self.gateway = Gateway(
                app_module.app, host=self.host, port=self.port, connect_src=(self.s3.endpoint,)
            )
        except OSError as exc:
            raise LocalStackError(
                f"cannot listen on {self.host}:{self.port} ({exc.strerror}); "
                "is another local stack running? (--port to choose another)"
            ) from None
        os.environ["SITE_ORIGIN"] = self.url

        created = create_missing_tables()
        if created:
            self.say(f"created tables: {', '.join(created)}")
        storage.client.cache_clear()
        storage.ensure_bucket(allowed_origin=self.url)
        if self.seed:
            self.say("seeding the demo residents ...")
            from .seed import seed_all

            self.seed_summary = seed_all(log=self.say)
        if self.bank:
            self._start_bank()
        self.gateway.start()
        if self.stack_file is not None:
            self.stack_file.parent.mkdir(parents=True, exist_ok=True)
            self.stack_file.write_text(json.dumps(self.endpoints(), indent=1), encoding="utf-8")

    def _refuse_if_models_imported(self) -> None:
        base = sys.modules.get("chalicelib.models.base")
        if base is not None:
            raise LocalStackError(
                "chalicelib's models were imported before the local stack started, so they point at "
                f"{base.BaseMeta.host or 'real DynamoDB'}; start LocalStack first or run "
                "`python -m infra.local_stack` in its own process"
            )

    def _start_bank(self) -> None:
        port = self.bank_port or free_port(self.host)
        logs = self.work_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self._bank_log = open(logs / "bank-simulator.log", "ab")  # noqa: SIM115 (lives as long as the process; closed in stop)
        self.bank_process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infra.bank_simulator",
                "--host",
                self.host,
                "--port",
                str(port),
                "--api-url",
                self.url,
                "--statement-dir",
                str(self.work_dir / "bank-statements"),
            ],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._bank_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_for_port(self.host, port, self.bank_process, BANK_START_TIMEOUT_S, "the bank simulator")
        self.bank_url = f"http://{self.host}:{port}"
        os.environ["BANK_BASE_URL"] = f"{self.bank_url}/{{code}}"

    def stop(self) -> None:
        """Stop everything that was started, in reverse order; safe to call twice."""
        if self.gateway is not None:
            self.gateway.stop()
        process, self.bank_process = self.bank_process, None
        processes.stop(process, self._bank_log)
        self._bank_log = None
        for server in (self.s3, self.ddb):
            if server is not None:
                server.stop()
        if self.stack_file is not None and self.stack_file.exists() and self.ddb is not None:
            try:
                if (
                    json.loads(self.stack_file.read_text(encoding="utf-8")).get("DDB_ENDPOINT")
                    == self.ddb.endpoint
                ):
                    self.stack_file.unlink()
            except (OSError, ValueError):
                pass
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ---- command line ------------------------------------------------------------------------


def demo_logins() -> list[str]:
    from .seed.residents import INITIAL_PASSWORD, demo_residents

    return [
        f"  {r['name']:<4s} 身份证号 {r['id_number']}  初始密码 {INITIAL_PASSWORD}  手机 {r['phone']}"
        for r in demo_residents()
    ]


def banner(stack: LocalStack) -> str:
    lines = [
        "",
        f"社保个人网上服务（本地）: {stack.url}",
        f"  API: {stack.url}/api  (接口说明 {stack.url}/api/openapi.json)",
    ]
    if stack.bank_url:
        lines.append(f"  模拟银行: {stack.bank_url}  (icbc, ccb, abc)")
    lines += ["", f"演示账号（首次登录需短信激活；本地短信见 {stack.url}/api/dev/outbox?phone=手机号）:"]
    lines += demo_logins()
    where = "仅在内存中，退出即清空" if stack.in_memory else f"数据保存在 {stack.data_dir}（make reset 清空）"
    lines += ["", f"{where}。按 Ctrl-C 停止。", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local_stack",
        description="Run the site, the API, DynamoDB Local, S3 (moto) and "
        "the bank simulator on this machine.",
    )
    parser.add_argument("--port", type=int, default=8080, help="site + API port (0: any free port)")
    parser.add_argument("--bank-port", type=int, default=8090, help="bank simulator port (0: any free port)")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="where the data lives")
    parser.add_argument("--in-memory", action="store_true", help="keep nothing (tests)")
    parser.add_argument("--no-seed", action="store_true", help="do not load the demo residents")
    parser.add_argument("--no-bank", action="store_true", help="do not start the bank simulator")
    parser.add_argument("--ready-file", help="write {url, bank_url, ...} as JSON here once serving")
    parser.add_argument(
        "--stack-file",
        help="where to record the endpoints for the ops CLI "
        "(default .local/stack.json; none when --in-memory)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(name)s %(message)s"
    )

    stop = threading.Event()
    started = threading.Event()

    def on_signal(signum, frame):  # noqa: ARG001 (signal handler signature)
        if not started.is_set():
            raise KeyboardInterrupt  # abort the start; LocalStack.start() cleans up
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stack = LocalStack(
        port=args.port,
        bank_port=args.bank_port,
        data_dir=args.data_dir,
        in_memory=args.in_memory,
        seed=not args.no_seed,
        bank=not args.no_bank,
        stack_file=args.stack_file,
        say=lambda text: print(text, flush=True),
    )
    try:
        stack.start()
    except LocalStackError as exc:
        print(f"local stack failed to start: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted while starting; stopped.", file=sys.stderr)
        return 130
    started.set()
    try:
        print(banner(stack), flush=True)
        if args.ready_file:
            ready = dict(stack.endpoints(), url=stack.url, bank_url=stack.bank_url, pid=os.getpid())
            tmp = Path(args.ready_file + ".tmp")
            tmp.write_text(json.dumps(ready), encoding="utf-8")
            tmp.replace(args.ready_file)
        while not stop.wait(0.5):
            pass
        print("stopping ...", flush=True)
    finally:
        stack.stop()
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
