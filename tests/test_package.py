"""`chalice package` output: the zip holds the app (functions/ through vendor/), and the app taken
from an extracted copy of the zip answers an API Gateway proxy event in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from infra.package import PackageError, package

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_zip_holds_app_chalicelib_and_functions_from_the_vendor_symlink(packaged):
    names = set(zipfile.ZipFile(packaged.zip_path).namelist())
    assert "app.py" in names
    assert {"functions/web.py", "chalicelib/models/registry.py", "chalicelib/data/policy.json"} <= names
    for handler in sorted((ROOT / "functions").glob("*.py")):
        assert f"functions/{handler.name}" in names
    assert "pynamodb/__init__.py" in names  # runtime requirements are vendored
    assert not any(n.startswith(("tests/", "infra/", "static_site/")) for n in names)


def test_zip_ships_exactly_the_runtime_lock(packaged):
    """chalice builds the zip from requirements.txt, the hashed lock: every locked package at its
    locked version and nothing else, botocore included (the one boto3 and pynamodb share)."""
    from infra.lock import normalise

    locked = {
        normalise(line.split("==")[0]): line.split("==")[1].split()[0]
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    }
    shipped = {}
    for name in zipfile.ZipFile(packaged.zip_path).namelist():
        top = name.split("/")[0]
        if top.endswith(".dist-info"):
            dist, _, version = top.removesuffix(".dist-info").rpartition("-")
            shipped[normalise(dist)] = version
    assert {"boto3", "botocore", "pynamodb", "pillow"} <= set(locked)
    assert shipped == locked


def test_packaged_template_names_the_runtime_the_zip_was_built_for(packaged):
    from infra.package import LAMBDA_RUNTIME

    functions = [
        r for r in packaged.load_sam()["Resources"].values() if r["Type"] == "AWS::Serverless::Function"
    ]
    assert functions and all(f["Properties"]["Runtime"] == LAMBDA_RUNTIME for f in functions)
    tag = "cp" + LAMBDA_RUNTIME.removeprefix("python").replace(".", "")
    binaries = [
        n for n in zipfile.ZipFile(packaged.zip_path).namelist() if n.endswith(".so") and ".cpython-" in n
    ]
    assert binaries and all(f"cpython-{tag[2:]}" in n for n in binaries)


def test_app_from_the_extracted_zip_answers_an_api_gateway_event(packaged, tmp_path):
    """The zip on the Lambda runtime's Python (its binary wheels are built for that version), with
    only what the zip holds on the path; AWS points at a closed port, so an import or an answer
    that called AWS would fail instead of reaching it. The cold start leaves pyOpenSSL unloaded
    (chalicelib/__init__.py)."""
    from infra.package import LAMBDA_RUNTIME, _lambda_python

    python = _lambda_python()
    assert python, f"no {LAMBDA_RUNTIME} interpreter on this machine (PATH or ~/.pyenv/versions)"
    extracted = tmp_path / "lambda"
    zipfile.ZipFile(packaged.zip_path).extractall(extracted)
    event = json.loads((FIXTURES / "apigw_get_openapi_event.json").read_text(encoding="utf-8"))
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(extracted)!r})\n"
        "import app\n"
        f"assert app.__file__.startswith({str(extracted)!r}), app.__file__\n"
        "answer = app.app(json.loads(sys.stdin.read()), None)\n"
        "print(json.dumps([m for m in ('OpenSSL', 'cryptography.x509') if m in sys.modules]))\n"
        "print(json.dumps(answer))\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DDB_ENDPOINT", "S3_ENDPOINT", "PYTHONPATH", "VIRTUAL_ENV")
    }
    # the event carries the origin secret CloudFront adds (X-Origin-Verify in the fixture)
    env.update(
        {
            "STAGE": "dev",
            "ORIGIN_SECRET": "fixture-origin-secret",
            "TABLE_PREFIX": "sbp-dev-",
            "UPLOADS_BUCKET": "sbp-dev-uploads",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "PYTHONNOUSERSITE": "1",
        }
    )
    done = subprocess.run(
        [python, "-s", "-c", script],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # pyOpenSSL is in the zip (webauthn) but botocore does not load it on a cold start
    assert json.loads(done.stdout.strip().splitlines()[-2]) == []
    response = json.loads(done.stdout.strip().splitlines()[-1])
    assert response["statusCode"] == 200
    headers = {k.lower(): v for k, v in response["headers"].items()}
    headers.update({k.lower(): v[0] for k, v in (response.get("multiValueHeaders") or {}).items()})
    assert headers["content-type"] == "application/json"
    assert headers["strict-transport-security"].startswith("max-age=")  # not the local stage
    document = json.loads(response["body"])
    assert document["openapi"].startswith("3.") and "/api/auth/login" in document["paths"]


def test_zip_ships_bytecode_for_the_lambda_runtime(packaged):
    """Lambda cannot write bytecode; without it every cold start compiles all our modules."""
    from infra.package import LAMBDA_RUNTIME, _lambda_python

    names = set(zipfile.ZipFile(packaged.zip_path).namelist())
    tag = "cpython-" + LAMBDA_RUNTIME.removeprefix("python").replace(".", "")
    assert not any("__pycache__/" in n and tag not in n for n in names), "build machine's bytecode shipped"
    if _lambda_python() is None:
        pytest.fail(f"{LAMBDA_RUNTIME} is needed to build the zip's bytecode")
    for module in ("app", "functions/web", "chalicelib/services/auth", "functions/auth", "pynamodb/models"):
        folder, _, name = module.rpartition("/")
        pyc = f"{folder + '/' if folder else ''}__pycache__/{name}.{tag}.pyc"
        assert pyc in names, pyc


def test_package_refuses_the_local_stage(tmp_path):
    with pytest.raises(PackageError):
        package("local", tmp_path / "x", log=lambda *_: None)
