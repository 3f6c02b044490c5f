"""AWS partitions: the China regions (`cn-north-1`, `cn-northwest-1`) are partition `aws-cn`, with
`amazonaws.com.cn` endpoints and no CloudFront origin access control, CloudFront Functions,
Lambda@Edge, SES or SNS SMS. Templates use `${AWS::Partition}` / `${AWS::URLSuffix}` wherever they
can; this module answers what must be known when the template is generated."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

STAGES_FILE = Path(__file__).resolve().parent / "stages.json"


def partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws"


def is_china(region: str) -> bool:
    return partition(region) == "aws-cn"


def url_suffix(region: str) -> str:
    return "amazonaws.com.cn" if is_china(region) else "amazonaws.com"


def s3_regional_url(bucket: str, region: str) -> str:
    return f"https://{bucket}.s3.{region}.{url_suffix(region)}"


@cache
def _stages() -> dict[str, Any]:
    return json.loads(STAGES_FILE.read_text(encoding="utf-8"))


def stage_settings(stage: str) -> dict[str, Any]:
    """The stage's block of infra/stages.json (regions, throttling, WAF limits, log retention)."""
    if stage not in _stages() or stage.startswith("_"):
        raise SystemExit(f"infra/stages.json has no stage {stage!r}")
    return _stages()[stage]


def stage_regions(stage: str) -> list[str]:
    return list(stage_settings(stage)["regions"])


def stage_partition(stage: str) -> str:
    """One stage, one partition: all its regions must agree."""
    found = {partition(region) for region in stage_regions(stage)}
    if len(found) != 1:
        raise SystemExit(f"stage {stage!r} mixes partitions {sorted(found)}")
    return found.pop()
