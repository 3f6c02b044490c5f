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

from . import partitions, stage_env

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "shebao-portal"

# The edge (PRODUCT.md section 9): CloudFront adds the origin secret to every API request and
# sets the viewer's address; the app checks the one and trusts the other (chalicelib edge check).
ORIGIN_SECRET_HEADER = "X-Origin-Verify"
VIEWER_ADDRESS_HEADER = "CloudFront-Viewer-Address"
# Headers the API reads (CloudFront's whitelist quota is 10; Host is never forwarded).
API_FORWARDED_HEADERS = (
    "Origin",
    "Sec-Fetch-Site",
    "X-Requested-With",
    "Content-Type",
    "User-Agent",
    "Accept-Language",
    "X-Bank-Timestamp",
    "X-Bank-Signature",
    VIEWER_ADDRESS_HEADER,
)
# WAF rate-based rules: URI substrings per group; limits per stage in infra/stages.json.
WAF_RATE_RULE_PATHS = {
    "sign_in": ("/api/auth/login", "/api/auth/passkey/", "/api/auth/sms-login/complete"),
    "sms": ("/api/auth/sms-login/start", "/api/auth/activate", "/api/auth/forgot/", "/api/account/contact"),
    "verification": ("/api/certificates/verify/",),
}
# The viewer certificate's parameter: ACM (global) or an IAM server certificate (China).
CERTIFICATE_PARAMETER = {False: "CertificateArn", True: "IamCertificateId"}
# Lambda functions chalice generates (logical id -> chalice function name).
FUNCTIONS = {"APIHandler": "api_handler", "ExpirePaymentOrders": "expire_payment_orders"}
SECRET_DESCRIPTIONS = {
    "bank-secret": "HMAC secret shared with bank {name}; put the value the bank issues (docs/deploy.md)",
    "origin-secret": "Header value CloudFront adds to API requests; the API refuses requests without it",
    "tencent-sms": 'Tencent Cloud SMS API key as JSON {{"secret_id", "secret_key"}} (docs/deploy.md)',
    "smtp": 'SMTP login as JSON {{"username", "password"}} (docs/deploy.md)',
}

# The site's Content-Security-Policy (chalicelib/security/headers.py): card photos are posted
# straight to the uploads bucket (presigned POST, path-style URL) at its regional S3 origin,
# partition-aware (amazonaws.com.cn in China) as a CloudFormation Fn::Sub string.
SITE_CSP = http_headers.content_security_policy((http_headers.UPLOADS_ORIGIN_CFN,), https=True)

# Data-plane actions the Lambda functions may use on their own tables (never dynamodb:*).
DYNAMODB_ITEM_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
]
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
    """ "card_applications" / "order-locks" -> "CardApplications" (a CloudFormation logical id part)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def stage_config(stage: str) -> dict[str, str]:
    variables = stage_env.stage_variables(stage)
    for key in ("TABLE_PREFIX", "UPLOADS_BUCKET", "SITE_ORIGIN"):
        if not variables.get(key):
            raise SystemExit(f".chalice/config.json: stage {stage!r} lacks {key}")
    return variables


def site_domain(stage: str) -> str:
    return urlparse(stage_config(stage)["SITE_ORIGIN"]).hostname or ""


def secret_names(stage: str) -> list[str]:
    """Secrets Manager names below `sbp/<stage>/`: the pseudonym and cursor keys, the origin
    secret, one per bank, and the login of the stage's SMS/mail provider where it needs one."""
    names = ["pseudonym-key", "cursor-key", "origin-secret"]
    banks_file = ROOT / "chalicelib" / "data" / "banks.json"
    if banks_file.exists():
        banks = json.loads(banks_file.read_text(encoding="utf-8")).get("banks", {})
        names += [f"bank-secret-{code}" for code in sorted(banks)]
    variables = stage_config(stage)
    if variables.get("SMS_PROVIDER") == "tencent":
        names.append("tencent-sms")
    if variables.get("MAIL_PROVIDER") == "smtp":
        names.append("smtp")
    return names


def _secret_description(name: str, stage: str) -> str:
    if name.startswith("bank-secret-"):
        return SECRET_DESCRIPTIONS["bank-secret"].format(name=name.rsplit("-", 1)[1])
    return (
        SECRET_DESCRIPTIONS.get(name, f"{name} of {APP_NAME} {stage}").replace("{{", "{").replace("}}", "}")
    )


def _models():
    from chalicelib.models.registry import ALL_MODELS, TTL_ATTRIBUTES

    return ALL_MODELS, TTL_ATTRIBUTES


def table_short_name(model) -> str:
    """The model's table name without the prefix of the stage this process was started for."""
    from chalicelib import settings

    prefix, name = settings.table_prefix(), model.Meta.table_name
    if not name.startswith(prefix):
        raise RuntimeError(
            f"table {name} does not start with this process's prefix {prefix!r}; "
            "import chalicelib with one stage's environment only"
        )
    return name[len(prefix) :]


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
            (
                {"AttributeName": a["AttributeName"], "AttributeType": a["AttributeType"]}
                for a in schema["attribute_definitions"]
            ),
            key=lambda a: a["AttributeName"],
        ),
        "KeySchema": _key_schema(schema["key_schema"]),
    }
    gsis = [
        {
            "IndexName": index["index_name"],
            "KeySchema": _key_schema(index["key_schema"]),
            "Projection": _projection(index["projection"]),
        }
        for index in schema.get("global_secondary_indexes") or []
    ]
    lsis = [
        {
            "IndexName": index["index_name"],
            "KeySchema": _key_schema(index["key_schema"]),
            "Projection": _projection(index["projection"]),
        }
        for index in schema.get("local_secondary_indexes") or []
    ]
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
        out.append(
            {
                "logical_id": f"Table{camel(short)}",
                "name": f"{prefix}{short}",
                "short": short,
                "spec": table_spec(model),
                "ttl": ttl.get(model),
            }
        )
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
    return {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


def _private_bucket() -> dict[str, Any]:
    """What every bucket of ours has: no public access, encrypted, owner-enforced, versioned."""
    return {
        "PublicAccessBlockConfiguration": _block_public(),
        "BucketEncryption": _encryption(),
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "VersioningConfiguration": {"Status": "Enabled"},
    }


def _encryption() -> dict[str, Any]:
    return {
        "ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}
        ]
    }


def _deny_insecure_transport(bucket_logical_id: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [
            {"Fn::GetAtt": [bucket_logical_id, "Arn"]},
            {"Fn::Sub": f"${{{bucket_logical_id}.Arn}}/*"},
        ],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _site_access(stage: str, china: bool) -> dict[str, Any]:
    """How CloudFront reads the private site bucket: origin access control (SigV4) in the global
    partition; an origin access identity in the China regions, which lack OAC. Returns the
    resources plus the origin's access settings and the bucket policy's principal/condition."""
    if china:
        return {
            "resources": {
                "SiteOriginAccessIdentity": {
                    "Type": "AWS::CloudFront::CloudFrontOriginAccessIdentity",
                    "Properties": {
                        "CloudFrontOriginAccessIdentityConfig": {
                            "Comment": f"sbp-{stage}-site: CloudFront reads the private site bucket"
                        }
                    },
                }
            },
            "origin": {
                "S3OriginConfig": {
                    "OriginAccessIdentity": {
                        "Fn::Sub": "origin-access-identity/cloudfront/${SiteOriginAccessIdentity}"
                    }
                }
            },
            "statement": {
                "Principal": {
                    "CanonicalUser": {"Fn::GetAtt": ["SiteOriginAccessIdentity", "S3CanonicalUserId"]}
                }
            },
        }
    return {
        "resources": {
            "SiteOriginAccessControl": {
                "Type": "AWS::CloudFront::OriginAccessControl",
                "Properties": {
                    "OriginAccessControlConfig": {
                        "Name": f"sbp-{stage}-site",
                        "OriginAccessControlOriginType": "s3",
                        "SigningBehavior": "always",
                        "SigningProtocol": "sigv4",
                        "Description": "CloudFront reads the private site bucket",
                    }
                },
            }
        },
        "origin": {
            "S3OriginConfig": {"OriginAccessIdentity": ""},
            "OriginAccessControlId": {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]},
        },
        "statement": {
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Condition": {
                "StringEquals": {
                    "AWS:SourceArn": {
                        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}"
                    }
                }
            },
        },
    }


def _certificate(stage: str, china: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """(parameter, viewer certificate). Global: an ACM certificate in us-east-1. China: ACM cannot
    serve CloudFront there; the certificate is uploaded to IAM (`aws iam upload-server-certificate
    --path /cloudfront/ ...`) and named by its id."""
    if china:
        parameter = {
            "Type": "String",
            "Default": "",
            "Description": f"IAM server certificate id for {site_domain(stage)} (ICP-filed domain; docs/deploy.md)",
        }
        viewer = {"IamCertificateId": {"Ref": CERTIFICATE_PARAMETER[True]}}
    else:
        parameter = {
            "Type": "String",
            "Default": "",
            "Description": f"ACM certificate (us-east-1) for {site_domain(stage)}; empty = CloudFront's default domain",
        }
        viewer = {"AcmCertificateArn": {"Ref": CERTIFICATE_PARAMETER[False]}}
    viewer.update({"SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"})
    return parameter, viewer


def _cache_policies(stage: str) -> dict[str, Any]:
    """Our own cache and origin request policies (the managed ones are not guaranteed in every
    partition). The API is never cached; it gets the headers it reads, every cookie and query
    string, and CloudFront-Viewer-Address (the client address the app trusts), never Host."""
    no_key = {
        "CookiesConfig": {"CookieBehavior": "none"},
        "HeadersConfig": {"HeaderBehavior": "none"},
        "QueryStringsConfig": {"QueryStringBehavior": "none"},
    }
    return {
        "SiteCachePolicy": {
            "Type": "AWS::CloudFront::CachePolicy",
            "Properties": {
                "CachePolicyConfig": {
                    "Name": f"sbp-{stage}-site",
                    "DefaultTTL": 86400,
                    "MaxTTL": 31536000,
                    "MinTTL": 1,
                    "ParametersInCacheKeyAndForwardedToOrigin": {
                        **no_key,
                        "EnableAcceptEncodingGzip": True,
                        "EnableAcceptEncodingBrotli": True,
                    },
                }
            },
        },
        "ApiCachePolicy": {
            "Type": "AWS::CloudFront::CachePolicy",
            "Properties": {
                "CachePolicyConfig": {
                    "Name": f"sbp-{stage}-api-no-cache",
                    "DefaultTTL": 0,
                    "MaxTTL": 0,
                    "MinTTL": 0,
                    "ParametersInCacheKeyAndForwardedToOrigin": {
                        **no_key,
                        "EnableAcceptEncodingGzip": False,
                        "EnableAcceptEncodingBrotli": False,
                    },
                }
            },
        },
        "ApiOriginRequestPolicy": {
            "Type": "AWS::CloudFront::OriginRequestPolicy",
            "Properties": {
                "OriginRequestPolicyConfig": {
                    "Name": f"sbp-{stage}-api",
                    "Comment": "what the API reads; never the Host header",
                    "CookiesConfig": {"CookieBehavior": "all"},
                    "QueryStringsConfig": {"QueryStringBehavior": "all"},
                    "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": list(API_FORWARDED_HEADERS)},
                }
            },
        },
    }


def _distribution(
    stage: str, china: bool, site_origin: dict[str, Any], viewer_certificate: dict[str, Any]
) -> dict[str, Any]:
    api_methods = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
    config: dict[str, Any] = {
        "Comment": f"{APP_NAME} {stage}",
        "Enabled": True,
        # CloudFront in the China regions: HTTP/2 at most, no IPv6, one price class.
        "HttpVersion": "http2" if china else "http2and3",
        "IPV6Enabled": not china,
        "PriceClass": "PriceClass_All",
        "DefaultRootObject": "index.html",
        "Aliases": {"Fn::If": ["HasCertificate", [site_domain(stage)], {"Ref": "AWS::NoValue"}]},
        "ViewerCertificate": {
            "Fn::If": ["HasCertificate", viewer_certificate, {"CloudFrontDefaultCertificate": True}]
        },
        "Origins": [
            {"Id": "site", "DomainName": {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]}, **site_origin},
            {
                "Id": "api",
                "DomainName": {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"},
                "OriginPath": "/" + _api_stage(),
                # The API answers only requests carrying this secret (chalicelib edge check).
                "OriginCustomHeaders": [
                    {
                        "HeaderName": ORIGIN_SECRET_HEADER,
                        "HeaderValue": {
                            "Fn::Sub": "{{resolve:secretsmanager:${SecretOriginSecret}:SecretString}}"
                        },
                    }
                ],
                "CustomOriginConfig": {
                    "OriginProtocolPolicy": "https-only",
                    "OriginSSLProtocols": ["TLSv1.2"],
                },
            },
        ],
        "DefaultCacheBehavior": {
            "TargetOriginId": "site",
            "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": ["GET", "HEAD"],
            "CachedMethods": ["GET", "HEAD"],
            "Compress": True,
            "CachePolicyId": {"Ref": "SiteCachePolicy"},
            "ResponseHeadersPolicyId": {"Ref": "SecurityHeadersPolicy"},
        },
        "CacheBehaviors": [
            {
                "PathPattern": "/api/*",
                "TargetOriginId": "api",
                "ViewerProtocolPolicy": "https-only",
                "AllowedMethods": api_methods,
                "CachedMethods": ["GET", "HEAD"],
                "Compress": True,
                "CachePolicyId": {"Ref": "ApiCachePolicy"},
                "OriginRequestPolicyId": {"Ref": "ApiOriginRequestPolicy"},
                "ResponseHeadersPolicyId": {"Ref": "SecurityHeadersPolicy"},
            }
        ],
        # No CustomErrorResponses: they apply to the whole distribution, so an API 403 (CSRF,
        # captcha) or 404 would reach the browser as an HTML page. Site paths need none: the
        # site bucket lets CloudFront list it, so a missing page is an honest 404 from S3.
    }
    return {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": config}}


def _rate_rule(name: str, priority: int, limit: int, paths: tuple[str, ...]) -> dict[str, Any]:
    """Block a client address sending more than `limit` requests in 5 minutes to `paths`.

    The address is CloudFront-Viewer-Address (set by CloudFront, not by the client); the API
    stage sees only CloudFront's own addresses otherwise."""
    matches = [
        {
            "ByteMatchStatement": {
                "SearchString": path,
                "PositionalConstraint": "CONTAINS",
                "FieldToMatch": {"UriPath": {}},
                "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}],
            }
        }
        for path in paths
    ]
    scope = matches[0] if len(matches) == 1 else {"OrStatement": {"Statements": matches}}
    return {
        "Name": name,
        "Priority": priority,
        "Action": {"Block": {}},
        "Statement": {
            "RateBasedStatement": {
                "Limit": limit,
                "EvaluationWindowSec": 300,
                "AggregateKeyType": "CUSTOM_KEYS",
                "CustomKeys": [
                    {
                        "Header": {
                            "Name": VIEWER_ADDRESS_HEADER,
                            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                        }
                    }
                ],
                "ScopeDownStatement": scope,
            }
        },
        "VisibilityConfig": {
            "SampledRequestsEnabled": True,
            "CloudWatchMetricsEnabled": True,
            "MetricName": f"sbp-{name}",
        },
    }


def _web_acl(stage: str) -> dict[str, Any]:
    limits = partitions.stage_settings(stage)["waf_limits"]
    rules = [
        _rate_rule(
            f"rate-{group.replace('_', '-')}", priority, int(limits[group]), WAF_RATE_RULE_PATHS[group]
        )
        for priority, group in enumerate(sorted(WAF_RATE_RULE_PATHS))
    ]
    return {
        "ApiWebAcl": {
            "Type": "AWS::WAFv2::WebACL",
            "Properties": {
                "Name": f"sbp-{stage}-api",
                "Scope": "REGIONAL",
                "DefaultAction": {"Allow": {}},
                "Description": "Rate limits per client address on sign-in, SMS and verification routes",
                "Rules": rules,
                "VisibilityConfig": {
                    "SampledRequestsEnabled": True,
                    "CloudWatchMetricsEnabled": True,
                    "MetricName": f"sbp-{stage}-api",
                },
            },
        },
        "ApiWebAclAssociation": {
            "Type": "AWS::WAFv2::WebACLAssociation",
            "Properties": {
                "ResourceArn": {
                    "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/${RestAPI.Stage}"
                },
                "WebACLArn": {"Fn::GetAtt": ["ApiWebAcl", "Arn"]},
            },
        },
    }


def _alarm(
    description: str,
    namespace: str,
    metric: str,
    dimensions: dict[str, Any],
    threshold: float = 1,
    statistic: str = "Sum",
    period_s: int = 300,
) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
            "Statistic": statistic,
            "Period": period_s,
            "EvaluationPeriods": 1,
            "Threshold": threshold,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }


def _operations(stage: str) -> dict[str, Any]:
    """Log groups (retention from infra/stages.json), the alarm topic and its alarms, the expiry
    job's failure destination, API stage throttling and metrics."""
    from chalicelib import observability

    settings_ = partitions.stage_settings(stage)
    retention = int(settings_["log_retention_days"])
    resources: dict[str, Any] = {}
    for logical_id in FUNCTIONS:
        resources[f"{logical_id}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            **RETAIN,
            "Properties": {
                "LogGroupName": {"Fn::Sub": f"/aws/lambda/${{{logical_id}}}"},
                "RetentionInDays": retention,
            },
        }
    resources["AlarmTopic"] = {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": f"sbp-{stage}-alarms", "DisplayName": f"{APP_NAME} {stage} alarms"},
    }
    resources["AlarmEmailSubscription"] = {
        "Type": "AWS::SNS::Subscription",
        "Condition": "HasAlarmEmail",
        "Properties": {
            "TopicArn": {"Ref": "AlarmTopic"},
            "Protocol": "email",
            "Endpoint": {"Ref": "AlarmEmail"},
        },
    }
    # The job is invoked asynchronously by EventBridge: a failed run lands in this queue.
    resources["ExpiryJobFailureQueue"] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "QueueName": f"sbp-{stage}-expiry-job-failures",
            "MessageRetentionPeriod": 1209600,
            "SqsManagedSseEnabled": True,
        },
    }
    resources["ExpiryJobInvokeConfig"] = {
        "Type": "AWS::Lambda::EventInvokeConfig",
        "Properties": {
            "FunctionName": {"Ref": "ExpirePaymentOrders"},
            "Qualifier": "$LATEST",
            "MaximumRetryAttempts": 0,  # the next run comes in 5 minutes
            "MaximumEventAgeInSeconds": 300,
            "DestinationConfig": {
                "OnFailure": {"Destination": {"Fn::GetAtt": ["ExpiryJobFailureQueue", "Arn"]}}
            },
        },
    }
    api = {"ApiName": APP_NAME, "Stage": _api_stage()}
    custom = {"service": observability.SERVICE, "stage": stage}
    resources.update(
        {
            "AlarmApi5xx": _alarm("API answered 5xx", "AWS/ApiGateway", "5XXError", api, threshold=5),
            "AlarmApiHandlerErrors": _alarm(
                "API Lambda errors", "AWS/Lambda", "Errors", {"FunctionName": {"Ref": "APIHandler"}}
            ),
            "AlarmApiHandlerThrottles": _alarm(
                "API Lambda throttled (reserved concurrency reached)",
                "AWS/Lambda",
                "Throttles",
                {"FunctionName": {"Ref": "APIHandler"}},
            ),
            "AlarmExpiryJobErrors": _alarm(
                "Payment expiry job failed",
                "AWS/Lambda",
                "Errors",
                {"FunctionName": {"Ref": "ExpirePaymentOrders"}},
            ),
            "AlarmExpiryJobFailureQueue": _alarm(
                "Failed expiry job runs are waiting in the failure queue",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": {"Fn::GetAtt": ["ExpiryJobFailureQueue", "QueueName"]}},
                statistic="Maximum",
            ),
            "AlarmExpiryJobStoppedEarly": _alarm(
                "Payment expiry job ran out of time",
                observability.NAMESPACE,
                observability.EXPIRY_JOB_STOPPED_EARLY,
                custom,
                threshold=3,
                period_s=3600,
            ),
            "AlarmBankEventsFlagged": _alarm(
                "A bank notification was flagged for review (python -m infra bank-events)",
                observability.NAMESPACE,
                observability.BANK_EVENT_FLAGGED,
                custom,
            ),
        }
    )
    # API stage throttling and per-method metrics (merged into chalice's RestAPI).
    resources["RestAPI"] = {
        "Properties": {
            "MethodSettings": [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "MetricsEnabled": True,
                    "ThrottlingRateLimit": settings_["api_throttle_rate"],
                    "ThrottlingBurstLimit": settings_["api_throttle_burst"],
                }
            ]
        }
    }
    return resources


def build_template(stage: str) -> dict[str, Any]:
    """The merge template for `chalice package --merge-template` for `stage`, for the partition
    of the stage's regions (infra/stages.json)."""
    config = stage_config(stage)
    china = partitions.stage_partition(stage) == "aws-cn"
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}

    for table in tables(stage):
        resources[table["logical_id"]] = _table_resource(table)

    # -- site bucket: private, read by CloudFront only --
    access = _site_access(stage, china)
    resources["SiteBucket"] = {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            **_private_bucket(),
            # Versions let a bad site upload be rolled back (docs/deploy.md).
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "expire-old-site-versions",
                        "Status": "Enabled",
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                    }
                ]
            },
        },
    }
    resources.update(access["resources"])
    resources["SiteBucketPolicy"] = {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": "SiteBucket"},
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "CloudFrontReadsSite",
                        "Effect": "Allow",
                        **access["statement"],
                        "Action": "s3:GetObject",
                        "Resource": {"Fn::Sub": "${SiteBucket.Arn}/*"},
                    },
                    # Listing lets S3 answer 404 (not 403) for a page that does not exist.
                    {
                        "Sid": "CloudFrontSeesMissingPages",
                        "Effect": "Allow",
                        **access["statement"],
                        "Action": "s3:ListBucket",
                        "Resource": {"Fn::GetAtt": ["SiteBucket", "Arn"]},
                    },
                    _deny_insecure_transport("SiteBucket"),
                ],
            },
        },
    }

    # -- uploads bucket: private, encrypted, abandoned uploads expire, CORS for the site --
    resources["UploadsBucket"] = {
        "Type": "AWS::S3::Bucket",
        **RETAIN,
        "Properties": {
            "BucketName": config["UPLOADS_BUCKET"],
            **_private_bucket(),
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "abort-incomplete-multipart",
                        "Status": "Enabled",
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABANDONED_UPLOAD_DAYS},
                    },
                    {
                        "Id": "expire-abandoned-uploads",
                        "Status": "Enabled",
                        "Prefix": ABANDONED_UPLOAD_PREFIX,
                        "ExpirationInDays": ABANDONED_UPLOAD_DAYS,
                        "NoncurrentVersionExpiration": {"NoncurrentDays": ABANDONED_UPLOAD_DAYS},
                    },
                    {
                        "Id": "expire-generated-downloads",
                        "Status": "Enabled",
                        "Prefix": DOWNLOADS_PREFIX,
                        "ExpirationInDays": DOWNLOADS_DAYS,
                        "NoncurrentVersionExpiration": {"NoncurrentDays": DOWNLOADS_DAYS},
                    },
                    {
                        "Id": "expire-old-versions",
                        "Status": "Enabled",
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                    },
                ]
            },
            "CorsConfiguration": {
                "CorsRules": [
                    {
                        "AllowedOrigins": [config["SITE_ORIGIN"]],
                        "AllowedMethods": ["GET", "PUT", "POST"],
                        "AllowedHeaders": ["content-type", "content-md5", "x-amz-*"],
                        "MaxAge": 300,
                    }
                ]
            },
        },
    }
    resources["UploadsBucketPolicy"] = {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": "UploadsBucket"},
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [_deny_insecure_transport("UploadsBucket")],
            },
        },
    }

    # -- CloudFront: the site at /, the API at /api/* (same origin for cookies and CSP 'self') --
    resources["SecurityHeadersPolicy"] = {
        "Type": "AWS::CloudFront::ResponseHeadersPolicy",
        "Properties": {
            "ResponseHeadersPolicyConfig": {
                "Name": f"sbp-{stage}-security-headers",
                "Comment": "CSP, HSTS, frame-ancestors, nosniff for the site and the API",
                "SecurityHeadersConfig": {
                    "ContentSecurityPolicy": {
                        "ContentSecurityPolicy": {"Fn::Sub": SITE_CSP},
                        "Override": True,
                    },
                    "StrictTransportSecurity": {
                        "AccessControlMaxAgeSec": http_headers.HSTS_MAX_AGE_S,
                        "IncludeSubdomains": True,
                        "Override": True,
                    },
                    "FrameOptions": {"FrameOption": http_headers.FRAME_OPTIONS, "Override": True},
                    "ContentTypeOptions": {"Override": True},
                    "ReferrerPolicy": {"ReferrerPolicy": http_headers.REFERRER_POLICY, "Override": True},
                },
                "CustomHeadersConfig": {
                    "Items": [
                        {
                            "Header": "Permissions-Policy",
                            "Value": http_headers.PERMISSIONS_POLICY,
                            "Override": True,
                        }
                    ]
                },
            }
        },
    }
    resources.update(_cache_policies(stage))
    certificate_parameter, viewer_certificate = _certificate(stage, china)
    resources["Distribution"] = _distribution(stage, china, access["origin"], viewer_certificate)
    resources.update(_web_acl(stage))
    resources.update(_operations(stage))

    # -- secrets: generated keys; bank secrets are replaced by the value the bank issues --
    for name in secret_names(stage):
        resources[f"Secret{camel(name)}"] = {
            "Type": "AWS::SecretsManager::Secret",
            **RETAIN,
            "Properties": {
                "Name": f"sbp/{stage}/{name}",
                "Description": _secret_description(name, stage),
                "GenerateSecretString": {"PasswordLength": 64, "ExcludePunctuation": True},
            },
        }

    outputs.update(
        {
            "SiteBucketName": {
                "Description": "Private S3 bucket holding static_site/",
                "Value": {"Ref": "SiteBucket"},
            },
            "UploadsBucketName": {"Value": {"Ref": "UploadsBucket"}},
            "DistributionId": {"Value": {"Ref": "Distribution"}},
            "DistributionDomainName": {"Value": {"Fn::GetAtt": ["Distribution", "DomainName"]}},
            "AlarmTopicArn": {
                "Description": "SNS topic of every alarm (subscribe the on-call)",
                "Value": {"Ref": "AlarmTopic"},
            },
            "ExpiryJobFailureQueueUrl": {"Value": {"Ref": "ExpiryJobFailureQueue"}},
            "SiteURL": {
                "Description": "Where residents reach the site",
                "Value": {
                    "Fn::If": [
                        "HasCertificate",
                        config["SITE_ORIGIN"],
                        {"Fn::Sub": "https://${Distribution.DomainName}"},
                    ]
                },
            },
        }
    )
    certificate_name = CERTIFICATE_PARAMETER[china]
    return {
        "Parameters": {
            certificate_name: certificate_parameter,
            "AlarmEmail": {
                "Type": "String",
                "Default": "",
                "Description": "E-mail address subscribed to the alarm topic (empty: subscribe later)",
            },
        },
        "Conditions": {
            "HasCertificate": {"Fn::Not": [{"Fn::Equals": [{"Ref": certificate_name}, ""]}]},
            "HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]},
        },
        "Resources": resources,
        "Outputs": outputs,
    }


def _api_stage() -> str:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return config.get("api_gateway_stage", "api")


# ---- IAM -----------------------------------------------------------------------------------

ARN = "arn:${AWS::Partition}:%s:${AWS::Region}:${AWS::AccountId}:%s"
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
# What the scheduled expiry job touches (services/payment_expiry.py and what it calls).
JOB_TABLES = (
    "orders",
    "order_locks",
    "bank_events",
    "contributions",
    "contribution-summaries",
    "record-conflicts",
    "messages",
    "tasks",
    "audit",
)
JOB_INDEXES = (("orders", "open_orders"),)


def _table_statements(
    stage: str, only: tuple[str, ...] | None = None, only_indexes: tuple[tuple[str, str], ...] | None = None
) -> list[dict[str, Any]]:
    table_arns, index_arns = [], []
    for table in tables(stage):
        if only is not None and table["short"] not in only:
            continue
        table_arns.append({"Fn::Sub": ARN % ("dynamodb", f"table/{table['name']}")})
        for index in table["spec"].get("GlobalSecondaryIndexes", []) + table["spec"].get(
            "LocalSecondaryIndexes", []
        ):
            if only_indexes is None or (table["short"], index["IndexName"]) in only_indexes:
                index_arns.append(
                    {"Fn::Sub": ARN % ("dynamodb", f"table/{table['name']}/index/{index['IndexName']}")}
                )
    if only is not None and len(table_arns) != len(only):
        raise RuntimeError(f"job tables {only} not all registered for {stage}")
    statements = [
        {"Sid": "Tables", "Effect": "Allow", "Action": DYNAMODB_ITEM_ACTIONS, "Resource": table_arns}
    ]
    if index_arns:
        statements.append(
            {"Sid": "Indexes", "Effect": "Allow", "Action": DYNAMODB_INDEX_ACTIONS, "Resource": index_arns}
        )
    return statements


def _secrets_statement(stage: str, names: list[str]) -> dict[str, Any]:
    # Secrets Manager appends a 6-character suffix to every secret ARN.
    return {
        "Sid": "Secrets",
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": [
            {"Fn::Sub": ARN % ("secretsmanager", f"secret:sbp/{stage}/{name}-??????")} for name in names
        ],
    }


def _logs_and_traces(stage: str, function: str) -> list[dict[str, Any]]:
    group = f"/aws/lambda/{APP_NAME}-{stage}{function}"
    return [
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [
                {"Fn::Sub": ARN % ("logs", f"log-group:{group}")},
                {"Fn::Sub": ARN % ("logs", f"log-group:{group}:log-stream:*")},
            ],
        },
        # X-Ray segments have no resource ARN.
        {"Sid": "Traces", "Effect": "Allow", "Action": XRAY_ACTIONS, "Resource": "*"},
    ]


def iam_policy(stage: str) -> dict[str, Any]:
    """Least-privilege policy of the API function: item actions on this stage's tables and
    their indexes, objects of the uploads bucket, this stage's secrets, its own log group,
    traces, and the stage's mail/SMS provider."""
    config = stage_config(stage)
    uploads = config["UPLOADS_BUCKET"]
    statements = [
        *_table_statements(stage),
        {
            "Sid": "Uploads",
            "Effect": "Allow",
            "Action": UPLOAD_OBJECT_ACTIONS,
            "Resource": {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{uploads}/*"},
        },
        _secrets_statement(stage, secret_names(stage)),
        *_logs_and_traces(stage, ""),
    ]
    if config.get("MAIL_PROVIDER") == "ses":
        statements.append(
            {
                "Sid": "MailFromOurDomain",
                "Effect": "Allow",
                "Action": ["ses:SendEmail"],
                "Resource": {"Fn::Sub": ARN % ("ses", f"identity/{_mail_domain(stage)}")},
            }
        )
    if config.get("SMS_PROVIDER") == "sns":
        # SMS to a phone number has no resource ARN in SNS: Publish is the only action granted.
        statements.append({"Sid": "SmsCodes", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


def job_iam_policy(stage: str) -> dict[str, Any]:
    """The expiry job's own policy: the tables it reads and writes, the bank secrets (status
    queries are signed) and the pseudonym key (audit), its log group, traces, its failure queue."""
    names = ["pseudonym-key", *[n for n in secret_names(stage) if n.startswith("bank-secret-")]]
    statements = [
        *_table_statements(stage, JOB_TABLES, JOB_INDEXES),
        _secrets_statement(stage, names),
        *_logs_and_traces(stage, "-" + FUNCTIONS["ExpirePaymentOrders"]),
        {
            "Sid": "FailureDestination",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": {"Fn::GetAtt": ["ExpiryJobFailureQueue", "Arn"]},
        },
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def _mail_domain(stage: str) -> str:
    host = site_domain(stage)
    # dev.shebao.example.gov.cn sends as shebao.example.gov.cn (MAIL_FROM default in notify.py).
    return host.split(".", 1)[1] if host.count(".") > 3 else host


def policy_path(stage: str, job: bool = False) -> Path:
    """Where chalice reads a function's policy (`iam_policy_file` in .chalice/config.json)."""
    return ROOT / ".chalice" / (f"policy-{stage}-job.json" if job else f"policy-{stage}.json")


def _write_atomically(path: Path, document: dict[str, Any]) -> None:
    staged = path.with_suffix(f".{os.getpid()}.tmp")
    staged.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(staged, path)  # atomic: a parallel `chalice package` never reads half a file


def write(stage: str, out_dir: Path) -> tuple[Path, Path]:
    """Write the merge template to out_dir and the role policies where chalice reads them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    template_path = out_dir / f"resources-{stage}.json"
    template_path.write_text(
        json.dumps(build_template(stage), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _write_atomically(policy_path(stage, job=True), job_iam_policy(stage))
    policy = policy_path(stage)
    _write_atomically(policy, iam_policy(stage))
    return template_path, policy
