"""`make package STAGE=dev|prod`: the Lambda zip and the CloudFormation template of a stage.

1. generate the resources template from the models (`infra/cfn_resources.py`) and the Lambda
   role policy `.chalice/policy-<stage>.json` (chalice reads it; `autogen_policy` is false);
2. `chalice package --stage STAGE --merge-template <resources> out/<stage>/` → `sam.json`
   (a SAM template) and `deployment.zip` (app.py, chalicelib/, vendor/functions → functions/,
   the runtime requirements);
3. translate `sam.json` to plain CloudFormation (`template.json`) with AWS's own SAM
   translator, so the same template is checked by cfn-lint, deployed into moto in the tests
   and deployed to AWS by `infra/deploy.py`.

    python -m infra.package --stage dev [--out out/dev]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"
DEPLOYABLE_STAGES = ("dev", "prod")
# Every package must hold the application itself (a missing symlink would ship no routes).
# Lambda runtime of the functions. Chalice takes it from the Python running it (3.11 here, which
# Lambda deprecated in 2026), so we run chalice with this version instead: it then downloads
# the manylinux wheels for this Python and writes it into the template. pip is told the target
# through its environment (PIP_PYTHON_VERSION, binary wheels only), since chalice's own pip
# calls assume the running interpreter's version.
LAMBDA_RUNTIME = "python3.13"
REQUIRED_IN_ZIP = ("app.py", "chalicelib/__init__.py", "functions/web.py", "functions/__init__.py")


class PackageError(RuntimeError):
    pass


@dataclass(frozen=True)
class Package:
    stage: str
    out_dir: Path
    sam_template: Path  # chalice's output (Transform: AWS::Serverless-2016-10-31)
    template: Path  # the same, translated to plain CloudFormation
    zip_path: Path
    resources_template: Path  # the generated merge template

    def load_template(self) -> dict[str, Any]:
        return json.loads(self.template.read_text(encoding="utf-8"))

    def load_sam(self) -> dict[str, Any]:
        return json.loads(self.sam_template.read_text(encoding="utf-8"))


def _chalice_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    env["PIP_PYTHON_VERSION"] = LAMBDA_RUNTIME.removeprefix("python")
    env["PIP_ONLY_BINARY"] = ":all:"
    env.pop("DDB_ENDPOINT", None)
    env.pop("S3_ENDPOINT", None)
    return env


def _generate_resources(stage: str, work_dir: Path) -> Path:
    """Run the generator in a child process set to `stage`, so table names come from that stage
    however this process was configured."""
    code = (
        "import sys; from pathlib import Path; from infra import stage_env; "
        f"stage_env.apply({stage!r}); from infra import cfn_resources; "
        f"cfn_resources.write({stage!r}, Path({str(work_dir)!r}))"
    )
    env = _chalice_env()
    for key in ("TABLE_PREFIX", "STAGE", "UPLOADS_BUCKET", "SITE_ORIGIN"):
        env.pop(key, None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise PackageError(f"generating the resources template failed:\n{done.stderr}")
    return work_dir / f"resources-{stage}.json"


CODE_PARAMETERS = {
    "CodeBucket": {
        "Type": "String",
        "Description": "S3 bucket holding deployment.zip (infra/deploy.py uploads it)",
    },
    "CodeKey": {"Type": "String", "Description": "S3 key of deployment.zip"},
}


def translate_sam(sam: dict[str, Any], region: str = "us-east-1") -> dict[str, Any]:
    """SAM → CloudFormation with aws-sam-translator (what CloudFormation runs for the Transform).

    The functions' code location becomes two stack parameters, CodeBucket and CodeKey, so one
    template serves every upload of the zip."""
    import copy

    from samtranslator.translator.transform import transform

    sam = copy.deepcopy(sam)
    sam.setdefault("Parameters", {}).update(CODE_PARAMETERS)
    for resource in sam["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = {"Bucket": {"Ref": "CodeBucket"}, "Key": {"Ref": "CodeKey"}}

    class _NoManagedPolicies:
        def load(self) -> dict[str, str]:  # chalice gives each function an explicit role
            return {}

    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    return transform(sam, {}, _NoManagedPolicies())


def _lambda_python() -> str | None:
    """An interpreter of the Lambda runtime's version (a pyenv shim may exist but refuse to run)."""
    version = LAMBDA_RUNTIME.removeprefix("python")
    candidates = [shutil.which(LAMBDA_RUNTIME)]
    candidates += sorted(str(p) for p in Path.home().glob(f".pyenv/versions/{version}*/bin/{LAMBDA_RUNTIME}"))
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def add_bytecode(zip_path: Path, log=print) -> int:
    """Add `__pycache__/*.cpython-3XX.pyc` (unchecked-hash, so file times do not matter) for every
    module in the zip, compiled by the Lambda runtime's Python. Lambda cannot write bytecode in
    /var/task, so without this every cold start compiles app, chalicelib and the libraries.
    Returns the number of .pyc files added (0 when that Python is not on this machine)."""
    python = _lambda_python()
    if python is None:
        log(f"note: {LAMBDA_RUNTIME} not found; the zip ships source only (slower cold start)")
        return 0
    work = zip_path.parent / ".bytecode"
    shutil.rmtree(work, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as original:
        # bytecode of the build machine's Python (copied from source folders) is useless there
        infos = [i for i in original.infolist() if "__pycache__/" not in i.filename]
        for info in infos:
            original.extract(info, work)
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(work)],
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )
    added = 0
    rebuilt = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(zip_path) as original, zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            out.writestr(info, original.read(info.filename))
        for pyc in sorted(work.rglob("*.pyc")):
            info = zipfile.ZipInfo(pyc.relative_to(work).as_posix(), date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, pyc.read_bytes())
            added += 1
    rebuilt.replace(zip_path)
    shutil.rmtree(work, ignore_errors=True)
    return added


def check_zip(zip_path: Path) -> list[str]:
    names = set(zipfile.ZipFile(zip_path).namelist())
    missing = [name for name in REQUIRED_IN_ZIP if name not in names]
    if missing:
        raise PackageError(
            f"{zip_path} lacks {', '.join(missing)} (is vendor/functions a symlink to ../functions?)"
        )
    return sorted(names)


@contextlib.contextmanager
def _one_build_at_a_time() -> Iterator[None]:
    """chalice caches the built requirements in .chalice/deployments/ under one name per lock;
    two builds at once (dev and prod, or two test workers) would write that zip together and
    leave it corrupt. A lock file serialises them across processes."""
    import fcntl

    lock_path = ROOT / ".chalice" / "deployments" / ".build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def package(stage: str, out_dir: Path | None = None, log=print) -> Package:
    if stage not in DEPLOYABLE_STAGES:
        raise PackageError(
            f"stage must be one of {', '.join(DEPLOYABLE_STAGES)} (the local stage is `make run`)"
        )
    out_dir = Path(out_dir or OUT / stage).resolve()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    resources = _generate_resources(stage, out_dir.parent / f".resources-{stage}")
    log(f"resources template: {resources.relative_to(ROOT) if resources.is_relative_to(ROOT) else resources}")
    chalice = [
        sys.executable,
        "-c",
        "import sys; from chalice.config import Config; "
        f"Config.lambda_python_version = property(lambda self: {LAMBDA_RUNTIME!r}); "
        "from chalice.cli import main; sys.exit(main())",
    ]
    cmd = [
        *chalice,
        "--project-dir",
        str(ROOT),
        "package",
        "--stage",
        stage,
        "--merge-template",
        str(resources),
        str(out_dir),
    ]
    log(f"$ chalice package --stage {stage} --merge-template {resources.name} {out_dir.name}")
    # chalice imports app.py, which registers the routes of the stage it runs as.
    with _one_build_at_a_time():
        done = subprocess.run(
            cmd, cwd=ROOT, env={**_chalice_env(), "STAGE": stage}, capture_output=True, text=True
        )
    if done.returncode:
        raise PackageError(f"chalice package failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    if "Could not install dependencies" in done.stdout + done.stderr:
        raise PackageError(f"chalice left requirements out of the zip:\n{done.stdout}\n{done.stderr}")
    sam_path, zip_path = out_dir / "sam.json", out_dir / "deployment.zip"
    check_zip(zip_path)
    log(f"bytecode: {add_bytecode(zip_path, log)} .pyc files added for {LAMBDA_RUNTIME}")
    shutil.copy(resources, out_dir / resources.name)
    sam = json.loads(sam_path.read_text(encoding="utf-8"))
    template_path = out_dir / "template.json"
    template_path.write_text(
        json.dumps(translate_sam(sam), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return Package(stage, out_dir, sam_path, template_path, zip_path, out_dir / resources.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", required=True, choices=DEPLOYABLE_STAGES)
    parser.add_argument("--out", type=Path, help="output folder (default out/<stage>)")
    args = parser.parse_args(argv)
    try:
        result = package(args.stage, args.out)
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    size = result.zip_path.stat().st_size
    unzipped = sum(i.file_size for i in zipfile.ZipFile(result.zip_path).infolist())
    print(
        f"packaged {args.stage}: {result.template} ({len(result.load_template()['Resources'])} resources), "
        f"{result.zip_path} ({size / 1e6:.1f} MB zipped, {unzipped / 1e6:.1f} MB unzipped)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
