"""The packaged CloudFormation template: cfn-lint, tables identical to the pynamodb models (deployed
into moto CloudFormation), and the resources moto cannot create, checked on the template."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from infra import cfn_resources, moto_compat, partitions

# Resource types moto's CloudFormation cannot create from our template; each is checked on the
# template by a test below (named in the comment).
CHECKED_ON_TEMPLATE = {
    "AWS::CloudFront::ResponseHeadersPolicy",  # test_response_headers_policy_sets_csp_hsts_frame_and_nosniff
    "AWS::CloudFront::OriginAccessControl",  # test_site_bucket_is_private_and_read_only_by_cloudfront
    "AWS::CloudFront::CloudFrontOriginAccessIdentity",  # test_china_stage_reads_the_site_through_an_origin_access_identity
    "AWS::CloudFront::CachePolicy",  # test_cloudfront_sends_api_paths_to_the_rest_api_stage
    "AWS::CloudFront::OriginRequestPolicy",  # test_api_gets_the_viewer_address_and_the_origin_secret_never_host
    "AWS::WAFv2::WebACL",  # test_waf_rate_rules_guard_sign_in_sms_and_verification_on_the_api_stage
    "AWS::WAFv2::WebACLAssociation",  # (same)
    "AWS::Lambda::EventInvokeConfig",  # test_expiry_job_has_a_failure_destination_and_its_own_minimal_role
    "AWS::CloudWatch::Alarm",  # test_alarms_go_to_the_topic
    "AWS::SNS::Subscription",  # test_alarms_go_to_the_topic
    "AWS::Logs::LogGroup",  # test_log_groups_keep_logs_at_least_180_days
    "AWS::S3::BucketPolicy",  # test_site_bucket_is_private_and_read_only_by_cloudfront
    "AWS::SecretsManager::Secret",  # test_a_secret_per_bank_and_for_the_keys
    "AWS::ApiGateway::RestApi",  # test_rest_api_has_every_route_of_the_app (moto ignores Body)
    "AWS::ApiGateway::Deployment",  # (depends on the RestApi)
    "AWS::ApiGateway::Stage",  # test_cloudfront_sends_api_paths_to_the_rest_api_stage
    "AWS::Lambda::Permission",  # (depends on the RestApi)
}
STOOD_IN = {"Distribution"}  # created with the CloudFront API in the test, its id put in the template


@pytest.fixture(scope="module")
def template(packaged):
    return packaged.load_template()


@pytest.fixture(scope="module")
def packaged_prod(tmp_path_factory):
    from infra.package import package

    return package("prod", tmp_path_factory.mktemp("package") / "prod", log=lambda *_: None)


@pytest.fixture(scope="module", params=["dev", "prod"])
def stage_package(request):
    """The packaged stage, dev (global partition) then prod (China)."""
    return request.getfixturevalue("packaged" if request.param == "dev" else "packaged_prod")


@pytest.fixture(scope="module")
def prod_template(packaged_prod):
    return packaged_prod.load_template()


def resources_of(template, resource_type):
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == resource_type}


def test_cfn_lint_finds_no_errors_in_the_packaged_templates_for_the_stages_regions(stage_package):
    regions = partitions.stage_regions(stage_package.stage)
    assert regions == {"dev": ["ap-east-1"], "prod": ["cn-northwest-1", "cn-north-1"]}[stage_package.stage]
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run(
        [
            str(cfn_lint),
            "--regions",
            *regions,
            "--",
            str(stage_package.sam_template),
            str(stage_package.template),
        ],
        capture_output=True,
        text=True,
    )
    errors = [line for line in done.stdout.splitlines() if line[:1] == "E"]
    assert errors == [] and done.returncode in (0, 4, 8, 12), (
        done.stdout + done.stderr
    )  # 4/8: warnings/info only


def test_origin_access_control_is_refused_by_cfn_lint_in_china_which_is_why_prod_uses_an_identity(
    packaged, tmp_path
):
    """The check above can fail: the global template (OAC) does not pass for a China region."""
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run(
        [str(cfn_lint), "--regions", "cn-northwest-1", "--", str(packaged.template)],
        capture_output=True,
        text=True,
    )
    assert "E3006" in done.stdout and "OriginAccessControl" in done.stdout


def deployed_models():
    """The registered models but the local-only outbox (this test process runs as `local`)."""
    from chalicelib.models.outbox import OutboxMessage
    from chalicelib.models.registry import ALL_MODELS

    return [m for m in ALL_MODELS if m is not OutboxMessage]


def test_every_registered_model_has_a_table_and_the_outbox_none(stage_package):
    template = stage_package.load_template()
    names = {r["Properties"]["TableName"] for r in resources_of(template, "AWS::DynamoDB::Table").values()}
    prefix = f"sbp-{stage_package.stage}-"
    assert names == {prefix + cfn_resources.table_short_name(m) for m in deployed_models()}
    assert prefix + "outbox" not in names


def test_tables_are_on_demand_with_pitr_encryption_and_ttl_where_registered(template):
    # moto's CloudFormation ignores PITR, SSE and TTL settings: checked here on the template.
    from chalicelib.models.registry import TTL_ATTRIBUTES

    by_name = {
        r["Properties"]["TableName"]: r for r in resources_of(template, "AWS::DynamoDB::Table").values()
    }
    for model in deployed_models():
        table = by_name["sbp-dev-" + cfn_resources.table_short_name(model)]
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert table["DeletionPolicy"] == "Retain"
        if model in TTL_ATTRIBUTES:
            assert props["TimeToLiveSpecification"] == {
                "AttributeName": TTL_ATTRIBUTES[model],
                "Enabled": True,
            }
        else:
            assert "TimeToLiveSpecification" not in props


def _shape(description):
    def keys(k):
        return sorted((x["AttributeName"], x["KeyType"]) for x in k)

    return {
        "keys": keys(description["KeySchema"]),
        "attributes": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in description["AttributeDefinitions"]
        ),
        "gsis": sorted(
            (g["IndexName"], tuple(keys(g["KeySchema"])), g["Projection"]["ProjectionType"])
            for g in description.get("GlobalSecondaryIndexes", [])
        ),
        "lsis": sorted(
            (g["IndexName"], tuple(keys(g["KeySchema"])))
            for g in description.get("LocalSecondaryIndexes", [])
        ),
    }


@pytest.fixture(scope="module")
def moto_stack(aws, stage_package):
    """The packaged template deployed with boto3 into moto's CloudFormation in the stage's home
    region (same moto as `aws`)."""
    stage = stage_package.stage
    region = partitions.stage_regions(stage)[0]
    cloudfront = boto3.client("cloudfront", region_name=region)
    dist = moto_compat.stand_in_distribution(cloudfront, f"template-test-{stage}")
    deployable, removed = moto_compat.for_moto(
        stage_package.load_template(), {"Distribution": {"Ref": dist["Id"], "DomainName": dist["DomainName"]}}
    )
    s3 = boto3.client("s3", region_name=region)
    code_bucket = f"template-test-{stage}-code"
    s3.create_bucket(Bucket=code_bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_object(Bucket=code_bucket, Key="code.zip", Body=stage_package.zip_path.read_bytes())
    cfn = boto3.client("cloudformation", region_name=region)
    cfn.create_stack(
        StackName=f"template-test-{stage}",
        TemplateBody=json.dumps(deployable),
        Parameters=[
            {"ParameterKey": "CodeBucket", "ParameterValue": code_bucket},
            {"ParameterKey": "CodeKey", "ParameterValue": "code.zip"},
        ],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    )
    stack = cfn.describe_stacks(StackName=f"template-test-{stage}")["Stacks"][0]
    yield stack, removed, stage, region
    moto_compat.clean_up_stage(boto3.session.Session(region_name=region), stage, f"template-test-{stage}")
    cloudfront.delete_distribution(Id=dist["Id"], IfMatch=cloudfront.get_distribution(Id=dist["Id"])["ETag"])


def test_moto_deploy_creates_every_table_with_the_models_keys_and_indexes(moto_stack):
    """Tables created by CloudFormation from the template are compared with the tables pynamodb
    itself created from the same models (the `aws` fixture's sbp-local-* tables)."""
    stack, _, stage, region = moto_stack
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    deployed_ddb, local_ddb = boto3.client("dynamodb", region_name=region), boto3.client("dynamodb")
    for model in deployed_models():
        short = cfn_resources.table_short_name(model)
        deployed = deployed_ddb.describe_table(TableName=f"sbp-{stage}-{short}")["Table"]
        from_pynamodb = local_ddb.describe_table(TableName=model.Meta.table_name)["Table"]
        assert _shape(deployed) == _shape(from_pynamodb), short
        assert deployed["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert f"sbp-{stage}-outbox" not in deployed_ddb.list_tables()["TableNames"]


def test_moto_deploy_leaves_out_only_the_types_checked_on_the_template(moto_stack):
    _, removed, _, _ = moto_stack
    assert set(removed.values()) <= CHECKED_ON_TEMPLATE, removed
    assert "TableAccounts" not in removed and "APIHandler" not in removed and "SiteBucket" not in removed


def test_moto_deploy_creates_the_lambda_with_the_role_and_stage_environment(moto_stack):
    stack, _, stage, region = moto_stack
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    function = boto3.client("lambda", region_name=region).get_function(
        FunctionName=outputs["APIHandlerName"]
    )["Configuration"]
    assert function["Runtime"].startswith("python3.1")
    assert function["Handler"] == "app.app"
    variables = function["Environment"]["Variables"]
    assert variables["TABLE_PREFIX"] == f"sbp-{stage}-" and variables["STAGE"] == stage
    assert variables["SMS_PROVIDER"] == {"dev": "sns", "prod": "tencent"}[stage]
    assert variables["MAIL_PROVIDER"] == {"dev": "ses", "prod": "smtp"}[stage]
    assert stack["StackId"].startswith(f"arn:{partitions.partition(region)}:cloudformation:{region}:")


def test_site_bucket_is_private_and_read_only_by_cloudfront(template):
    site = template["Resources"]["SiteBucket"]["Properties"]
    assert (
        all(site["PublicAccessBlockConfiguration"].values())
        and len(site["PublicAccessBlockConfiguration"]) == 4
    )
    oac = template["Resources"]["SiteOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert oac["OriginAccessControlOriginType"] == "s3" and oac["SigningBehavior"] == "always"
    [get, listing, deny] = template["Resources"]["SiteBucketPolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    assert get["Principal"] == {"Service": "cloudfront.amazonaws.com"} and get["Action"] == "s3:GetObject"
    assert listing["Action"] == "s3:ListBucket" and listing["Principal"] == get["Principal"]
    assert (
        "distribution/${Distribution}" in json.dumps(get["Condition"])
        and listing["Condition"] == get["Condition"]
    )
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    origin = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]["Origins"][0]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert "SiteOriginAccessIdentity" not in template["Resources"]


def test_china_stage_reads_the_site_through_an_origin_access_identity(prod_template):
    resources = prod_template["Resources"]
    assert "SiteOriginAccessControl" not in resources
    assert resources["SiteOriginAccessIdentity"]["Type"] == "AWS::CloudFront::CloudFrontOriginAccessIdentity"
    origin = resources["Distribution"]["Properties"]["DistributionConfig"]["Origins"][0]
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == {
        "Fn::Sub": "origin-access-identity/cloudfront/${SiteOriginAccessIdentity}"
    }
    assert "OriginAccessControlId" not in origin
    [get, listing, _] = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    identity = {"CanonicalUser": {"Fn::GetAtt": ["SiteOriginAccessIdentity", "S3CanonicalUserId"]}}
    assert get["Principal"] == identity and listing["Principal"] == identity
    # no ACM for CloudFront in China: an IAM server certificate (ICP-filed domain)
    assert (
        "IamCertificateId" in prod_template["Parameters"]
        and "CertificateArn" not in prod_template["Parameters"]
    )
    viewer = resources["Distribution"]["Properties"]["DistributionConfig"]["ViewerCertificate"]["Fn::If"][1]
    assert viewer["IamCertificateId"] == {"Ref": "IamCertificateId"}


def test_no_literal_global_endpoint_or_partition_in_either_template(stage_package):
    """ARNs say ${AWS::Partition}, endpoints ${AWS::URLSuffix}: the same text works in aws-cn."""
    import re

    text = stage_package.template.read_text(encoding="utf-8")
    assert "arn:aws:" not in text and "${AWS::URLSuffix}" in text and "${AWS::Partition}" in text
    # the only literal amazonaws.com names are IAM service principals (the same in aws-cn)
    literal = set(re.findall(r'"([^"]*amazonaws\.com[^"]*)"', text))
    assert literal <= {
        "lambda.amazonaws.com",
        "events.amazonaws.com",
        "apigateway.amazonaws.com",
        "cloudfront.amazonaws.com",
    }, literal


def test_uploads_bucket_is_encrypted_expires_abandoned_uploads_and_allows_the_site_origin(template):
    uploads = template["Resources"]["UploadsBucket"]["Properties"]
    assert uploads["BucketName"] == "sbp-dev-uploads"
    assert all(uploads["PublicAccessBlockConfiguration"].values())
    assert uploads["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ]
    rules = {r["Id"]: r for r in uploads["LifecycleConfiguration"]["Rules"]}
    assert rules["abort-incomplete-multipart"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    assert rules["expire-abandoned-uploads"]["Prefix"] == cfn_resources.ABANDONED_UPLOAD_PREFIX
    assert uploads["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"] == [
        "https://dev.shebao.example.gov.cn"
    ]


def test_cloudfront_sends_api_paths_to_the_rest_api_stage(template):
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert origins["api"]["OriginPath"] == "/v1"
    assert (
        origins["api"]["DomainName"]["Fn::Sub"] == "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    )
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    [api] = config["CacheBehaviors"]
    assert (
        api["PathPattern"] == "/api/*" and api["TargetOriginId"] == "api" and "POST" in api["AllowedMethods"]
    )
    no_cache = template["Resources"][api["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    assert no_cache["DefaultTTL"] == no_cache["MaxTTL"] == 0
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "site"
    assert (
        resources_of(template, "AWS::ApiGateway::Stage")["RestAPIv1Stage"]["Properties"]["StageName"] == "v1"
    )


def test_error_pages_are_never_rewritten_for_the_api(stage_package):
    """CloudFront's custom error responses apply to every path, /api/* included: there are none."""
    config = stage_package.load_template()["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    assert not config.get("CustomErrorResponses")


def test_api_gets_the_viewer_address_and_the_origin_secret_never_host(stage_package):
    template = stage_package.load_template()
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    api_origin = {o["Id"]: o for o in config["Origins"]}["api"]
    [header] = api_origin["OriginCustomHeaders"]
    assert header["HeaderName"] == cfn_resources.ORIGIN_SECRET_HEADER
    assert header["HeaderValue"] == {
        "Fn::Sub": "{{resolve:secretsmanager:${SecretOriginSecret}:SecretString}}"
    }
    assert (
        template["Resources"]["SecretOriginSecret"]["Properties"]["Name"]
        == f"sbp/{stage_package.stage}/origin-secret"
    )
    [api] = config["CacheBehaviors"]
    policy = template["Resources"][api["OriginRequestPolicyId"]["Ref"]]["Properties"][
        "OriginRequestPolicyConfig"
    ]
    headers = policy["HeadersConfig"]["Headers"]
    assert "CloudFront-Viewer-Address" in headers and "Host" not in headers and len(headers) <= 10
    assert policy["CookiesConfig"]["CookieBehavior"] == "all"


def test_waf_rate_rules_guard_sign_in_sms_and_verification_on_the_api_stage(stage_package):
    resources = stage_package.load_template()["Resources"]
    acl = resources["ApiWebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    rules = {r["Name"]: r["Statement"]["RateBasedStatement"] for r in acl["Rules"]}
    assert set(rules) == {"rate-sign-in", "rate-sms", "rate-verification"}
    limits = partitions.stage_settings(stage_package.stage)["waf_limits"]
    assert rules["rate-sms"]["Limit"] == limits["sms"]
    for rule in rules.values():
        assert rule["CustomKeys"] == [
            {
                "Header": {
                    "Name": "CloudFront-Viewer-Address",
                    "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                }
            }
        ]
    paths = json.dumps(rules)
    for route in (
        "/api/auth/login",
        "/api/auth/sms-login/start",
        "/api/auth/forgot/",
        "/api/certificates/verify/",
    ):
        assert route in paths
    association = resources["ApiWebAclAssociation"]["Properties"]
    assert association["ResourceArn"]["Fn::Sub"].endswith("/restapis/${RestAPI}/stages/${RestAPIv1Stage}")
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}


def test_log_groups_keep_logs_at_least_180_days(stage_package):
    resources = stage_package.load_template()["Resources"]
    groups = resources_of(stage_package.load_template(), "AWS::Logs::LogGroup")
    names = {json.dumps(g["Properties"]["LogGroupName"]) for g in groups.values()}
    assert names == {
        json.dumps({"Fn::Sub": "/aws/lambda/${APIHandler}"}),
        json.dumps({"Fn::Sub": "/aws/lambda/${ExpirePaymentOrders}"}),
    }
    assert all(g["Properties"]["RetentionInDays"] >= 180 for g in groups.values())
    assert resources["APIHandler"]["Properties"]["TracingConfig"] == {"Mode": "Active"}


def test_alarms_go_to_the_topic(stage_package):
    from chalicelib import observability

    template = stage_package.load_template()
    alarms = resources_of(template, "AWS::CloudWatch::Alarm")
    watched = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms.values()}
    assert {
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        (observability.NAMESPACE, observability.BANK_EVENT_FLAGGED),
    } <= watched
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    flagged = next(
        a for a in alarms.values() if a["Properties"]["MetricName"] == observability.BANK_EVENT_FLAGGED
    )
    assert {"Name": "stage", "Value": stage_package.stage} in flagged["Properties"]["Dimensions"]
    assert template["Resources"]["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    subscription = template["Resources"]["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["TopicArn"] == {"Ref": "AlarmTopic"}


def test_stage_throttling_and_reserved_concurrency_are_set_per_stage(stage_package):
    template = stage_package.load_template()
    settings_ = partitions.stage_settings(stage_package.stage)
    [stage] = resources_of(template, "AWS::ApiGateway::Stage").values()
    [method] = stage["Properties"]["MethodSettings"]
    assert method["ThrottlingRateLimit"] == settings_["api_throttle_rate"]
    assert method["ThrottlingBurstLimit"] == settings_["api_throttle_burst"]
    api = template["Resources"]["APIHandler"]["Properties"]
    assert api["ReservedConcurrentExecutions"] == {"dev": 20, "prod": 100}[stage_package.stage]


def test_expiry_job_has_a_failure_destination_and_its_own_minimal_role(stage_package):
    template = stage_package.load_template()
    resources = template["Resources"]
    invoke = resources["ExpiryJobInvokeConfig"]["Properties"]
    assert invoke["FunctionName"] == {"Ref": "ExpirePaymentOrders"}
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["ExpiryJobFailureQueue", "Arn"]
    }
    job = resources["ExpirePaymentOrders"]["Properties"]
    assert (
        job["Role"] == {"Fn::GetAtt": ["ExpirePaymentOrdersRole", "Arn"]}
        and job["ReservedConcurrentExecutions"] == 1
    )
    [policy] = resources["ExpirePaymentOrdersRole"]["Properties"]["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    tables = {r["Fn::Sub"].rsplit("table/", 1)[1] for r in statements["Tables"]["Resource"]}
    assert tables == {f"sbp-{stage_package.stage}-{t}" for t in cfn_resources.JOB_TABLES}
    assert not any(a.startswith(("s3:", "ses:", "sns:")) for s in statements.values() for a in s["Action"])
    assert statements["FailureDestination"]["Action"] == ["sqs:SendMessage"]
    secrets = json.dumps(statements["Secrets"]["Resource"])
    assert "bank-secret-icbc" in secrets and "origin-secret" not in secrets and "cursor-key" not in secrets


def test_response_headers_policy_sets_csp_hsts_frame_and_nosniff(template):
    headers = template["Resources"]["SecurityHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    # card photos are posted straight to the uploads bucket's regional endpoint (.com.cn in China)
    assert "connect-src 'self' https://s3.${AWS::Region}.${AWS::URLSuffix}" in csp
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"]["Override"] is True
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"}


def test_a_secret_per_bank_for_the_keys_and_for_the_stages_providers(stage_package):
    stage = stage_package.stage
    template = stage_package.load_template()
    names = {r["Properties"]["Name"] for r in resources_of(template, "AWS::SecretsManager::Secret").values()}
    common = {
        f"sbp/{stage}/{n}"
        for n in (
            "pseudonym-key",
            "cursor-key",
            "origin-secret",
            "bank-secret-icbc",
            "bank-secret-ccb",
            "bank-secret-abc",
        )
    }
    extra = {"dev": set(), "prod": {"sbp/prod/tencent-sms", "sbp/prod/smtp"}}[stage]
    assert names == common | extra


def test_rest_api_has_every_route_of_the_app_and_no_dev_route(stage_package):
    import app as app_module

    body = stage_package.load_template()["Resources"]["RestAPI"]["Properties"]["Body"]
    for path, methods in app_module.app.routes.items():
        if path.startswith("/api/dev/"):
            assert path not in body["paths"], path
            continue
        for method in methods:
            assert method.lower() in body["paths"][path], f"{method} {path}"
    assert not [p for p in body["paths"] if p.startswith("/api/dev")]


def test_api_role_grants_item_actions_on_every_table_and_no_wildcard_actions(stage_package):
    template = stage_package.load_template()
    table_names = {
        r["Properties"]["TableName"] for r in resources_of(template, "AWS::DynamoDB::Table").values()
    }
    for role in [template["Resources"]["ApiHandlerRole"]]:
        [policy] = role["Properties"]["Policies"]
        statements = policy["PolicyDocument"]["Statement"]
        actions = [a for s in statements for a in s["Action"]]
        assert not any(a == "*" or a.endswith(":*") for a in actions), actions
        assert "dynamodb:Scan" not in actions and "dynamodb:DeleteTable" not in actions
        [tables] = [s for s in statements if s["Sid"] == "Tables"]
        granted = {r["Fn::Sub"].rsplit("table/", 1)[1] for r in tables["Resource"]}
        assert granted == table_names
        for statement in statements:  # only actions that have no resource ARN
            if statement["Resource"] == "*":
                assert statement["Action"] in (["sns:Publish"], cfn_resources.XRAY_ACTIONS)
        publish = [s for s in statements if "sns:Publish" in s["Action"]]
        assert bool(publish) == (stage_package.stage == "dev")  # China: Tencent Cloud SMS, no SNS


def test_stage_settings_come_from_chalice_config():
    prod = cfn_resources.stage_config("prod")
    assert cfn_resources.site_domain("prod") == "shebao.example.gov.cn"
    assert prod["TABLE_PREFIX"] == "sbp-prod-"
    with pytest.raises(SystemExit):
        cfn_resources.stage_config("nope")
