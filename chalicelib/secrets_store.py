"""Secrets: from the stage's environment on the local stage, from AWS Secrets Manager elsewhere.

Values are cached per process (one Secrets Manager call per secret per cold start).
"""

from __future__ import annotations

import functools
import os

from . import settings


@functools.cache
def _from_secrets_manager(secret_id: str) -> str:
    import boto3  # noqa: PLC0415  (only stages that read Secrets Manager pay for boto3)

    client = boto3.client("secretsmanager", region_name=settings.region())
    return client.get_secret_value(SecretId=secret_id)["SecretString"]


def get(name: str) -> str:
    """Secret `name`: env var `<NAME>` locally, Secrets Manager id `sbp/<stage>/<name>` elsewhere."""
    if settings.is_local():
        value = os.environ.get(name.upper().replace("-", "_"))
        if value is None:
            raise KeyError(f"local secret {name} is not configured")
        return value
    return _from_secrets_manager(f"sbp/{settings.stage()}/{name}")


def clear_cache() -> None:
    _from_secrets_manager.cache_clear()
