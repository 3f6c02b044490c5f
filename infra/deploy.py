"""`make deploy STAGE=dev|prod`: package, deploy the stack, upload the site, invalidate CloudFront.

    python -m infra.deploy --stage dev [--certificate-arn arn:...] [--package-dir out/dev]

1. `infra.package` builds `out/<stage>/template.json` (plain CloudFormation) and `deployment.zip`;
2. the zip and the template go to the stage's artifacts bucket
   (`sbp-<stage>-artifacts-<account>-<region>`, created private and encrypted if missing), the
   zip under its SHA-256, so an unchanged zip is not uploaded twice and every old version stays
   there for a rollback (docs/deploy.md);
3. the stack `shebao-portal-<stage>` is created or updated (CodeBucket/CodeKey parameters point
   at the zip) and waited for; its outputs are printed;
4. `static_site/` is uploaded to the stack's SiteBucket (see `infra/site_build.py`: HTML
   `no-cache`, fingerprinted assets a year and immutable);
5. CloudFront is invalidated (`/*`) so the new HTML is served at once.

Credentials and region come from the usual AWS environment/profile; `endpoint_url` (tests) points
every client at a moto server.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import partitions, site_build
from .cfn_resources import CERTIFICATE_PARAMETER
from .package import DEPLOYABLE_STAGES, Package, PackageError, package

APP_NAME = "shebao-portal"
TEMPLATE_BODY_LIMIT = 51_200  # larger templates must be passed by S3 URL
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


class DeployError(RuntimeError):
    pass


@dataclass
class DeployResult:
    stack_name: str
    action: str  # created | updated | unchanged
    outputs: dict[str, str]
    site_objects: int
    invalidation_id: str | None
    code_location: tuple[str, str]
    notes: list[str] = field(default_factory=list)


def stack_name(stage: str) -> str:
    return f"{APP_NAME}-{stage}"


class Deployer:
    def __init__(
        self, stage: str, session=None, endpoint_url: str | None = None, log=print, wait_delay_s: int = 15
    ):
        import boto3

        if stage not in DEPLOYABLE_STAGES:
            raise DeployError(f"stage must be one of {', '.join(DEPLOYABLE_STAGES)}")
        self.stage = stage
        self.session = session or boto3.session.Session()
        self.region = self.session.region_name or "us-east-1"
        regions = partitions.stage_regions(stage)
        if endpoint_url is None and self.region not in regions:
            raise DeployError(
                f"stage {stage} runs in {', '.join(regions)} (infra/stages.json), "
                f"not {self.region}: set AWS_DEFAULT_REGION / the profile's region"
            )
        self.endpoint_url = endpoint_url
        self.log = log
        self.wait_delay_s = wait_delay_s

    def client(self, service: str):
        return self.session.client(service, region_name=self.region, endpoint_url=self.endpoint_url)

    # -- artifacts -------------------------------------------------------------------------
    def artifacts_bucket(self) -> str:
        account = self.client("sts").get_caller_identity()["Account"]
        name = f"sbp-{self.stage}-artifacts-{account}-{self.region}"
        s3 = self.client("s3")
        try:
            s3.head_bucket(Bucket=name)
            return name
        except Exception as exc:  # 404: create it; 403: someone else's name
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code not in ("404", "NoSuchBucket", "NotFound"):
                raise DeployError(f"artifacts bucket {name} is not usable: {exc}") from exc
        kwargs: dict[str, Any] = {"Bucket": name}
        if self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        s3.create_bucket(**kwargs)
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        self.log(f"created artifacts bucket s3://{name}")
        return name

    def upload_artifact(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        s3 = self.client("s3")
        try:
            s3.head_object(Bucket=bucket, Key=key)
            self.log(f"s3://{bucket}/{key} already there")
            return
        except Exception:  # noqa: BLE001 (absent, or not readable: upload it)
            pass
        s3.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=content_type, ServerSideEncryption="AES256"
        )
        self.log(f"uploaded s3://{bucket}/{key} ({len(body) / 1e6:.1f} MB)")

    def template_url(self, bucket: str, key: str) -> str:
        if self.endpoint_url:
            return f"{self.endpoint_url.rstrip('/')}/{bucket}/{key}"
        return f"{partitions.s3_regional_url(bucket, self.region)}/{key}"  # .amazonaws.com.cn in China

    # -- stack -----------------------------------------------------------------------------
    def _stack(self, cfn, name: str) -> dict[str, Any] | None:
        try:
            return cfn.describe_stacks(StackName=name)["Stacks"][0]
        except cfn.exceptions.ClientError as exc:
            if "does not exist" in str(exc):
                return None
            raise

    def _failure_reasons(self, cfn, name: str) -> str:
        events = cfn.describe_stack_events(StackName=name).get("StackEvents", [])[:30]
        reasons = [
            f"  {e['LogicalResourceId']}: {e.get('ResourceStatus')} {e.get('ResourceStatusReason', '')}"
            for e in events
            if "FAILED" in e.get("ResourceStatus", "")
        ]
        return "\n".join(reasons) or "  (no failed resource events)"

    def deploy_stack(
        self, template: dict[str, Any], parameters: dict[str, str], bucket: str
    ) -> tuple[str, dict[str, str]]:
        cfn = self.client("cloudformation")
        name = stack_name(self.stage)
        body = json.dumps(template, separators=(",", ":"), ensure_ascii=False)
        source: dict[str, str]
        if len(body.encode("utf-8")) <= TEMPLATE_BODY_LIMIT:
            source = {"TemplateBody": body}
        else:
            key = f"{self.stage}/template-{hashlib.sha256(body.encode()).hexdigest()[:16]}.json"
            self.upload_artifact(bucket, key, body.encode("utf-8"), "application/json")
            source = {"TemplateURL": self.template_url(bucket, key)}
        params = [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())]
        existing = self._stack(cfn, name)
        if existing and existing["StackStatus"] == "ROLLBACK_COMPLETE":
            raise DeployError(
                f"stack {name} is in ROLLBACK_COMPLETE (its first creation failed); "
                f"delete it (aws cloudformation delete-stack --stack-name {name}) and deploy again"
            )
        if existing is None:
            self.log(f"creating stack {name} …")
            cfn.create_stack(
                StackName=name,
                Parameters=params,
                Capabilities=CAPABILITIES,
                Tags=[{"Key": "app", "Value": APP_NAME}, {"Key": "stage", "Value": self.stage}],
                **source,
            )
            action, waiter = "created", "stack_create_complete"
        else:
            self.log(f"updating stack {name} …")
            try:
                cfn.update_stack(StackName=name, Parameters=params, Capabilities=CAPABILITIES, **source)
            except cfn.exceptions.ClientError as exc:
                if "No updates are to be performed" not in str(exc):
                    raise
                return "unchanged", self._outputs(cfn, name)
            action, waiter = "updated", "stack_update_complete"
        try:
            cfn.get_waiter(waiter).wait(
                StackName=name,
                WaiterConfig={
                    "Delay": self.wait_delay_s,
                    "MaxAttempts": max(1, 3600 // max(self.wait_delay_s, 1)),
                },
            )
        except Exception as exc:
            raise DeployError(
                f"stack {name} did not reach {waiter}: {exc}\n{self._failure_reasons(cfn, name)}"
            ) from exc
        return action, self._outputs(cfn, name)

    def _outputs(self, cfn, name: str) -> dict[str, str]:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    # -- site ------------------------------------------------------------------------------
    def upload_site(self, bucket: str, site_dir: Path) -> int:
        return site_build.upload(self.client("s3"), bucket, site_build.build(site_dir), log=self.log)

    def invalidate(self, distribution_id: str) -> str:
        answer = self.client("cloudfront").create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": 1, "Items": ["/*"]},
                "CallerReference": f"deploy-{int(time.time() * 1000)}",
            },
        )
        invalidation_id = answer["Invalidation"]["Id"]
        self.log(f"CloudFront invalidation {invalidation_id} of /* on {distribution_id}")
        return invalidation_id

    # -- all of it -------------------------------------------------------------------------
    def run(
        self,
        pkg: Package,
        certificate_arn: str = "",
        site_dir: Path = site_build.SITE_DIR,
        template_filter: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> DeployResult:
        template = pkg.load_template()
        if template_filter is not None:
            template = template_filter(template)
        bucket = self.artifacts_bucket()
        zip_body = pkg.zip_path.read_bytes()
        code_key = f"{self.stage}/deployment-{hashlib.sha256(zip_body).hexdigest()}.zip"
        self.upload_artifact(bucket, code_key, zip_body, "application/zip")
        parameters = {"CodeBucket": bucket, "CodeKey": code_key}
        for name in CERTIFICATE_PARAMETER.values():  # ACM ARN (global) or IAM certificate id (China)
            if name in template.get("Parameters", {}):
                parameters[name] = certificate_arn
        action, outputs = self.deploy_stack(template, parameters, bucket)
        self.log(f"stack {stack_name(self.stage)} {action}; outputs:")
        for key, value in sorted(outputs.items()):
            self.log(f"  {key:24s} {value}")
        if "SiteBucketName" not in outputs:
            raise DeployError("the stack has no SiteBucketName output")
        count = self.upload_site(outputs["SiteBucketName"], site_dir)
        invalidation = self.invalidate(outputs["DistributionId"]) if outputs.get("DistributionId") else None
        if invalidation is None:
            raise DeployError(
                "the stack has no DistributionId output; the site was uploaded but not invalidated"
            )
        return DeployResult(stack_name(self.stage), action, outputs, count, invalidation, (bucket, code_key))


def deploy(
    stage: str,
    *,
    session=None,
    endpoint_url: str | None = None,
    pkg: Package | None = None,
    certificate_arn: str = "",
    site_dir: Path = site_build.SITE_DIR,
    template_filter=None,
    wait_delay_s: int = 15,
    log=print,
) -> DeployResult:
    deployer = Deployer(stage, session=session, endpoint_url=endpoint_url, log=log, wait_delay_s=wait_delay_s)
    pkg = pkg or package(stage, log=log)
    return deployer.run(
        pkg, certificate_arn=certificate_arn, site_dir=site_dir, template_filter=template_filter
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.deploy",
        description="Package and deploy a stage to AWS (stack, site, CloudFront).",
    )
    parser.add_argument("--stage", required=True, choices=DEPLOYABLE_STAGES)
    parser.add_argument(
        "--certificate-arn",
        default="",
        help="ACM certificate in us-east-1 for the stage's domain (empty: CloudFront's own domain); "
        "China regions: the IAM server certificate id (docs/deploy.md)",
    )
    parser.add_argument(
        "--package-dir", type=Path, help="deploy an existing `make package` output instead of packaging again"
    )
    parser.add_argument("--endpoint-url", help=argparse.SUPPRESS)  # moto server in tests
    args = parser.parse_args(argv)
    try:
        pkg = None
        if args.package_dir:
            d = args.package_dir.resolve()
            pkg = Package(
                args.stage,
                d,
                d / "sam.json",
                d / "template.json",
                d / "deployment.zip",
                d / f"resources-{args.stage}.json",
            )
        result = deploy(
            args.stage, endpoint_url=args.endpoint_url, pkg=pkg, certificate_arn=args.certificate_arn
        )
    except (DeployError, PackageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"done: stack {result.stack_name} {result.action}, {result.site_objects} site objects, "
        f"invalidation {result.invalidation_id}; site at {result.outputs.get('SiteURL', '?')}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
