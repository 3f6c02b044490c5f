"""The CloudFormation resources merged into `chalice package` output, generated from the code.

One source of truth: the DynamoDB tables come from `chalicelib.models.registry.ALL_MODELS`
(key schema, attribute types and GSIs from each pynamodb model, TTL from `TTL_ATTRIBUTES`),
the stage parameters (table prefix, uploads bucket, site origin) from `.chalice/config.json`,
the bank secrets from `chalicelib/data/banks.json`. Nothing here is written by hand per table,
so a new model registered in the registry is deployed (and granted to the Lambda functions)
without touching this file.

    build_template("dev")   -> dict  (the merge template: tables, buckets, CloudFront, secrets)
    iam_policy("dev")       -> dict  (the Lambda role policy; chalice reads .chalice/policy-<stage>.json)
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from chalicelib.security import headers as http_headers
from chalicelib.storage import DOWNLOADS_PREFIX

from . import stage_env

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "shebao-portal"

# CloudFront managed policies (ids are fixed by AWS).
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

# The site's Content-Security-Policy (chalicelib/security/headers.py): card photos are posted
# straight to the uploads bucket (presigned POST, path-style URL). A CloudFormation Fn::Sub
# string: ${AWS::Region} is the stack's region.
SITE_CSP = http_headers.content_security_policy(("https://s3.${AWS::Region}.amazonaws.com",), https=True)

# Data-plane actions the Lambda functions may use on their own tables (never dynamodb:*).
DYNAMODB_ITEM_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                         "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem",
                         "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"]
DYNAMODB_INDEX_ACTIONS = ["dynamodb:Query"]
UPLOAD_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
# Objects under this prefix of the uploads bucket are unfinished uploads; they expire.
ABANDONED_UPLOAD_PREFIX = "incoming/"
ABANDONED_UPLOAD_DAYS = 1
# Generated downloads (权益记录单 PDFs, "下载我的数据" zips, under storage.DOWNLOADS_PREFIX) are
# fetched at once through a short presigned link; the objects themselves are gone a day later.
DOWNLOADS_DAYS = 1

RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


# ---- helpers -------------------------------------------------------------------------------

def camel(name: str) -> str:
    """"card_applications" / "order-locks" -> "CardApplications" (a CloudFormation logical id part)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def stage_config(stage: str) -> dict[str, str]:
    variables = stage_env.stage_variables(stage)
    for key in ("TABLE_PREFIX", "UPLOADS_BUCKET", "SITE_ORIGIN"):
        if not variables.get(key):
            raise SystemExit(f".chalice/config.json: stage {stage!r} lacks {key}")
    return variables


def site_domain(stage: str) -> str:
    return urlparse(stage_config(stage)["SITE_ORIGIN"]).hostname or ""


def secret_names() -> list[str]:
    """Secrets Manager names below `sbp/<stage>/`: one per bank, the pseudonym and cursor keys."""
    names = ["pseudonym-key", "cursor-key"]
    banks_file = ROOT / "chalicelib" / "data" / "banks.json"
    if banks_file.exists():
        banks = json.loads(banks_file.read_text(encoding="utf-8")).get("banks", {})
        names += [f"bank-secret-{code}" for code in sorted(banks)]
    return names


def _models():
    from chalicelib.models.registry import ALL_MODELS, TTL_ATTRIBUTES
    return ALL_MODELS, TTL_ATTRIBUTES


def table_short_name(model) -> str:
    """The model's table name without the prefix of the stage this process was started for."""
    from chalicelib import settings
    prefix, name = settings.table_prefix(), model.Meta.table_name
    if not name.startswith(prefix):
        raise RuntimeError(f"table {name} does not start with this process's prefix {prefix!r}; "
                           "import chalicelib with one stage's environment only")
    return name[len(prefix):]


def _key_schema(keys: list[dict[str, str]]) -> list[dict[str, str]]:
    ordered = sorted(keys, key=lambda k: 0 if k["KeyType"] == "HASH" else 1)
    return [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in ordered]


def _projection(projection: dict[str, Any]) -> dict[str, Any]:
    out = {"ProjectionType": projection["ProjectionType"]}
    if projection.get("NonKeyAttributes"):
        out["NonKeyAttributes"] = list(projection["NonKeyAttributes"])
    return out


def table_spec(model) -> dict[str, Any]:
    """Key schema, attribute definitions and indexes of one pynamodb model, in CloudFormation form."""
    schema = model._get_schema()
    spec: dict[str, Any] = {
        "AttributeDefinitions": sorted(
            ({"AttributeName": a["AttributeName"], "AttributeType": a["AttributeType"]}
             for a in schema["attribute_definitions"]), key=lambda a: a["AttributeName"]),
        "KeySchema": _key_schema(schema["key_schema"]),
    }
    gsis = [{"IndexName": index["index_name"], "KeySchema": _key_schema(index["key_schema"]),
             "Projection": _projection(index["projection"])}
            for index in schema.get("global_secondary_indexes") or []]
    lsis = [{"IndexName": index["index_name"], "KeySchema": _key_schema(index["key_schema"]),
             "Projection": _projection(index["projection"])}
            for index in schema.get("local_secondary_indexes") or []]
    if gsis:
        spec["GlobalSecondaryIndexes"] = sorted(gsis, key=lambda i: i["IndexName"])
    if lsis:
        spec["LocalSecondaryIndexes"] = sorted(lsis, key=lambda i: i["IndexName"])
    return spec


def tables(stage: str) -> list[dict[str, Any]]:
    """[{logical_id, name, short, spec, ttl}] for every registered model, named for `stage`."""
    prefix = stage_config(stage)["TABLE_PREFIX"]
    models, ttl = _models()
    out = []
    for model in models:
        short = table_short_name(model)
        out.append({"logical_id": f"Table{camel(short)}", "name": f"{prefix}{short}", "short": short,
                    "spec": table_spec(model), "ttl": ttl.get(model)})
    return out


# ---- the template --------------------------------------------------------------------------

def _table_resource(table: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {
        "TableName": table["name"],
        "BillingMode": "PAY_PER_REQUEST",
        **table["spec"],
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
        "DeletionProtectionEnabled": True,
    }
    if table["ttl"]:
        props["TimeToLiveSpecification"] = {"AttributeName": table["ttl"], "Enabled": True}
    return {"Type": "AWS::DynamoDB::Table", **RETAIN, "Properties": props}


def _block_public() -> dict[str, bool]:
    return {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}


def _encryption() -> dict[str, Any]:
    return {"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]}


def _deny_insecure_transport(bucket_logical_id: str) -> dict[str, Any]:
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [{"Fn::GetAtt": [bucket_logical_id, "Arn"]},
                         {"Fn::Sub": "${%s.Arn}/*" % bucket_logical_id}],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def build_template(stage: str) -> dict[str, Any]:
    """The merge template for `chalice package --merge-template` for `stage`."""
    config = stage_config(stage)
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}

    for table in tables(stage):
        resources[table["logical_id"]] = _table_resource(table)

    # -- site bucket: private, read by CloudFront only (origin access control) --
    resources["SiteBucket"] = {"Type": "AWS::S3::Bucket", "Properties": {
        "PublicAccessBlockConfiguration": _block_public(),
        "BucketEncryption": _encryption(),
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        # Versions let a bad site upload be rolled back (docs/deploy.md).
        "VersioningConfiguration": {"Status": "Enabled"},
        "LifecycleConfiguration": {"Rules": [{"Id": "expire-old-site-versions", "Status": "Enabled",
                                              "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]},
    }}
    resources["SiteOriginAccessControl"] = {"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {
        "OriginAccessControlConfig": {"Name": f"sbp-{stage}-site", "OriginAccessControlOriginType": "s3",
                                      "SigningBehavior": "always", "SigningProtocol": "sigv4",
                                      "Description": "CloudFront reads the private site bucket"}}}
    resources["SiteBucketPolicy"] = {"Type": "AWS::S3::BucketPolicy", "Properties": {
        "Bucket": {"Ref": "SiteBucket"},
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "CloudFrontReadsSite", "Effect": "Allow",
             "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
             "Resource": {"Fn::Sub": "${SiteBucket.Arn}/*"},
             "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub":
                 "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}"}}}},
            _deny_insecure_transport("SiteBucket")]}}}

    # -- uploads bucket: private, encrypted, abandoned uploads expire, CORS for the site --
    resources["UploadsBucket"] = {"Type": "AWS::S3::Bucket", **RETAIN, "Properties": {
        "BucketName": config["UPLOADS_BUCKET"],
        "PublicAccessBlockConfiguration": _block_public(),
        "BucketEncryption": _encryption(),
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "VersioningConfiguration": {"Status": "Enabled"},
        "LifecycleConfiguration": {"Rules": [
            {"Id": "abort-incomplete-multipart", "Status": "Enabled",
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABANDONED_UPLOAD_DAYS}},
            {"Id": "expire-abandoned-uploads", "Status": "Enabled", "Prefix": ABANDONED_UPLOAD_PREFIX,
             "ExpirationInDays": ABANDONED_UPLOAD_DAYS,
             "NoncurrentVersionExpiration": {"NoncurrentDays": ABANDONED_UPLOAD_DAYS}},
            {"Id": "expire-generated-downloads", "Status": "Enabled", "Prefix": DOWNLOADS_PREFIX,
             "ExpirationInDays": DOWNLOADS_DAYS, "NoncurrentVersionExpiration": {"NoncurrentDays": DOWNLOADS_DAYS}},
            {"Id": "expire-old-versions", "Status": "Enabled",
             "NoncurrentVersionExpiration": {"NoncurrentDays": 30}},
        ]},
        "CorsConfiguration": {"CorsRules": [{
            "AllowedOrigins": [config["SITE_ORIGIN"]], "AllowedMethods": ["GET", "PUT", "POST"],
            "AllowedHeaders": ["content-type", "content-md5", "x-amz-*"], "MaxAge": 300}]},
    }}
    resources["UploadsBucketPolicy"] = {"Type": "AWS::S3::BucketPolicy", "Properties": {
        "Bucket": {"Ref": "UploadsBucket"},
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [_deny_insecure_transport("UploadsBucket")]}}}

    # -- CloudFront: the site at /, the API at /api/* (same origin for cookies and CSP 'self') --
    resources["SecurityHeadersPolicy"] = {"Type": "AWS::CloudFront::ResponseHeadersPolicy", "Properties": {
        "ResponseHeadersPolicyConfig": {
            "Name": f"sbp-{stage}-security-headers",
            "Comment": "CSP, HSTS, frame-ancestors, nosniff for the site and the API",
            "SecurityHeadersConfig": {
                "ContentSecurityPolicy": {"ContentSecurityPolicy": {"Fn::Sub": SITE_CSP}, "Override": True},
                "StrictTransportSecurity": {"AccessControlMaxAgeSec": http_headers.HSTS_MAX_AGE_S,
                                            "IncludeSubdomains": True, "Override": True},
                "FrameOptions": {"FrameOption": http_headers.FRAME_OPTIONS, "Override": True},
                "ContentTypeOptions": {"Override": True},
                "ReferrerPolicy": {"ReferrerPolicy": http_headers.REFERRER_POLICY, "Override": True},
            },
            "CustomHeadersConfig": {"Items": [
                {"Header": "Permissions-Policy", "Value": http_headers.PERMISSIONS_POLICY, "Override": True}]},
        }}}
    api_methods = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
    resources["Distribution"] = {"Type": "AWS::CloudFront::Distribution", "Properties": {
        "DistributionConfig": {
            "Comment": f"{APP_NAME} {stage}",
            "Enabled": True,
            "HttpVersion": "http2and3",
            "IPV6Enabled": True,
            "PriceClass": "PriceClass_All",
            "DefaultRootObject": "index.html",
            "Aliases": {"Fn::If": ["HasCertificate", [site_domain(stage)], {"Ref": "AWS::NoValue"}]},
            "ViewerCertificate": {"Fn::If": [
                "HasCertificate",
                {"AcmCertificateArn": {"Ref": "CertificateArn"}, "SslSupportMethod": "sni-only",
                 "MinimumProtocolVersion": "TLSv1.2_2021"},
                {"CloudFrontDefaultCertificate": True}]},
            "Origins": [
                {"Id": "site", "DomainName": {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]},
                 "S3OriginConfig": {"OriginAccessIdentity": ""},
                 "OriginAccessControlId": {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}},
                {"Id": "api",
                 "DomainName": {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"},
                 "OriginPath": "/" + _api_stage(),
                 "CustomOriginConfig": {"OriginProtocolPolicy": "https-only",
                                        "OriginSSLProtocols": ["TLSv1.2"]}},
            ],
            "DefaultCacheBehavior": {
                "TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                "AllowedMethods": ["GET", "HEAD"], "CachedMethods": ["GET", "HEAD"],
                "Compress": True, "CachePolicyId": CACHING_OPTIMIZED,
                "ResponseHeadersPolicyId": {"Ref": "SecurityHeadersPolicy"}},
            "CacheBehaviors": [{
                "PathPattern": "/api/*", "TargetOriginId": "api",
                "ViewerProtocolPolicy": "https-only",
                "AllowedMethods": api_methods, "CachedMethods": ["GET", "HEAD"],
                "Compress": True, "CachePolicyId": CACHING_DISABLED,
                "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
                "ResponseHeadersPolicyId": {"Ref": "SecurityHeadersPolicy"}}],
            "CustomErrorResponses": [{"ErrorCode": 403, "ResponseCode": 404,
                                      "ResponsePagePath": "/404.html", "ErrorCachingMinTTL": 60}]
            if (ROOT / "static_site" / "404.html").exists() else [],
        }}}

    # -- secrets: generated keys; bank secrets are replaced by the value the bank issues --
    for name in secret_names():
        resources[f"Secret{camel(name)}"] = {"Type": "AWS::SecretsManager::Secret", **RETAIN, "Properties": {
            "Name": f"sbp/{stage}/{name}",
            "Description": (f"HMAC secret shared with bank {name.rsplit('-', 1)[1]}; "
                            "put the value the bank issues (docs/deploy.md)")
            if name.startswith("bank-secret-") else f"{name} of {APP_NAME} {stage}",
            "GenerateSecretString": {"PasswordLength": 64, "ExcludePunctuation": True}}}

    outputs.update({
        "SiteBucketName": {"Description": "Private S3 bucket holding static_site/",
                           "Value": {"Ref": "SiteBucket"}},
        "UploadsBucketName": {"Value": {"Ref": "UploadsBucket"}},
        "DistributionId": {"Value": {"Ref": "Distribution"}},
        "DistributionDomainName": {"Value": {"Fn::GetAtt": ["Distribution", "DomainName"]}},
        "SiteURL": {"Description": "Where residents reach the site",
                    "Value": {"Fn::If": ["HasCertificate", config["SITE_ORIGIN"],
                                         {"Fn::Sub": "https://${Distribution.DomainName}"}]}},
    })
    return {
        "Parameters": {"CertificateArn": {
            "Type": "String", "Default": "",
            "Description": f"ACM certificate (us-east-1) for {site_domain(stage)}; empty = CloudFront's default domain"}},
        "Conditions": {"HasCertificate": {"Fn::Not": [{"Fn::Equals": [{"Ref": "CertificateArn"}, ""]}]}},
        "Resources": resources,
        "Outputs": outputs,
    }


def _api_stage() -> str:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return config.get("api_gateway_stage", "api")


# ---- IAM -----------------------------------------------------------------------------------

def iam_policy(stage: str) -> dict[str, Any]:
    """Least-privilege policy of the Lambda functions: item actions on this stage's tables and
    their indexes, objects of the uploads bucket, this stage's secrets, own log groups."""
    config = stage_config(stage)
    arn = "arn:${AWS::Partition}:%s:${AWS::Region}:${AWS::AccountId}:%s"
    table_arns, index_arns = [], []
    for table in tables(stage):
        table_arns.append({"Fn::Sub": arn % ("dynamodb", f"table/{table['name']}")})
        for index in table["spec"].get("GlobalSecondaryIndexes", []) + table["spec"].get("LocalSecondaryIndexes", []):
            index_arns.append({"Fn::Sub": arn % ("dynamodb", f"table/{table['name']}/index/{index['IndexName']}")})
    statements: list[dict[str, Any]] = [
        {"Sid": "Tables", "Effect": "Allow", "Action": DYNAMODB_ITEM_ACTIONS, "Resource": table_arns},
    ]
    if index_arns:
        statements.append({"Sid": "Indexes", "Effect": "Allow", "Action": DYNAMODB_INDEX_ACTIONS,
                           "Resource": index_arns})
    statements += [
        {"Sid": "Uploads", "Effect": "Allow", "Action": UPLOAD_OBJECT_ACTIONS,
         "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::%s/*" % config["UPLOADS_BUCKET"]}},
        {"Sid": "Secrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
         # Secrets Manager appends a 6-character suffix to every secret ARN.
         "Resource": [{"Fn::Sub": arn % ("secretsmanager", f"secret:sbp/{stage}/{name}-??????")}
                      for name in secret_names()]},
        {"Sid": "Logs", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [{"Fn::Sub": arn % ("logs", f"log-group:/aws/lambda/{APP_NAME}-{stage}-*")},
                      {"Fn::Sub": arn % ("logs", f"log-group:/aws/lambda/{APP_NAME}-{stage}-*:log-stream:*")}]},
        {"Sid": "MailFromOurDomain", "Effect": "Allow", "Action": ["ses:SendEmail"],
         "Resource": {"Fn::Sub": arn % ("ses", f"identity/{_mail_domain(stage)}")}},
        # SMS to a phone number has no resource ARN in SNS: Publish is the only action granted.
        {"Sid": "SmsCodes", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": "*"},
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def _mail_domain(stage: str) -> str:
    host = site_domain(stage)
    # dev.shebao.example.gov.cn sends as shebao.example.gov.cn (MAIL_FROM default in notify.py).
    return host.split(".", 1)[1] if host.count(".") > 3 else host


def policy_path(stage: str) -> Path:
    return ROOT / ".chalice" / f"policy-{stage}.json"


def write(stage: str, out_dir: Path) -> tuple[Path, Path]:
    """Write the merge template to out_dir and the role policy where chalice reads it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    template_path = out_dir / f"resources-{stage}.json"
    template_path.write_text(json.dumps(build_template(stage), indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    policy = policy_path(stage)
    staged = policy.with_suffix(f".{os.getpid()}.tmp")
    staged.write_text(json.dumps(iam_policy(stage), indent=2) + "\n", encoding="utf-8")
    os.replace(staged, policy)  # atomic: a parallel `chalice package` never reads half a file
    return template_path, policy
