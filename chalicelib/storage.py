"""S3 access for the stage's private uploads bucket (certificate PDFs, card photos).

One boto3 client per process, created on first use (moto server locally via S3_ENDPOINT).
Objects are private and server-side encrypted; residents get short-lived presigned URLs.
"""

from __future__ import annotations

import functools
from typing import Any

from . import settings

PRESIGN_MAX_S = 300
# Generated files handed out once (statements, data exports); the bucket expires them after a day
# (infra/cfn_resources.py DOWNLOADS_PREFIX).
DOWNLOADS_PREFIX = "downloads/"


@functools.lru_cache(maxsize=1)
def client():
    import boto3  # noqa: PLC0415  (boto3 loads on the first S3 call, not at cold start)
    from botocore.config import Config  # noqa: PLC0415

    return boto3.client(
        "s3",
        region_name=settings.region(),
        endpoint_url=settings.s3_endpoint(),
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=1,
            read_timeout=3,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    )


def bucket() -> str:
    return settings.uploads_bucket()


def put_bytes(key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None) -> None:
    client().put_object(
        Bucket=bucket(),
        Key=key,
        Body=data,
        ContentType=content_type,
        ServerSideEncryption="AES256",
        Metadata=metadata or {},
    )


def get_bytes(key: str) -> bytes:
    return client().get_object(Bucket=bucket(), Key=key)["Body"].read()


def delete(key: str) -> None:
    client().delete_object(Bucket=bucket(), Key=key)


def presigned_get(key: str, expires_s: int = PRESIGN_MAX_S, filename: str | None = None) -> str:
    params: dict[str, Any] = {"Bucket": bucket(), "Key": key}
    if filename:
        params["ResponseContentDisposition"] = f'inline; filename="{filename}"'
    return client().generate_presigned_url(
        "get_object", Params=params, ExpiresIn=min(expires_s, PRESIGN_MAX_S)
    )


def ensure_bucket(allowed_origin: str | None = None) -> None:
    """Create the bucket if missing (local stack, tests); block public access; CORS for uploads."""
    s3 = client()
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket() not in existing:
        if settings.region() == "us-east-1":
            s3.create_bucket(Bucket=bucket())
        else:
            s3.create_bucket(
                Bucket=bucket(), CreateBucketConfiguration={"LocationConstraint": settings.region()}
            )
    s3.put_public_access_block(
        Bucket=bucket(),
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    if allowed_origin:
        s3.put_bucket_cors(
            Bucket=bucket(),
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": [allowed_origin],
                        "AllowedMethods": ["POST", "GET"],
                        "AllowedHeaders": ["*"],
                        "MaxAgeSeconds": 300,
                    }
                ]
            },
        )
