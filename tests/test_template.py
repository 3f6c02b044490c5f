"""The packaged CloudFormation template: cfn-lint, tables identical to the pynamodb models (deployed
into moto CloudFormation), and the resources moto cannot create, checked on the template."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from infra import cfn_resources, moto_compat

# Resource types moto's CloudFormation cannot create from our template; each is checked on the
# template by a test below (named in the comment).
CHECKED_ON_TEMPLATE = {
    "AWS::CloudFront::ResponseHeadersPolicy",   # test_response_headers_policy_sets_csp_hsts_frame_and_nosniff
    "AWS::CloudFront::OriginAccessControl",     # test_site_bucket_is_private_and_read_only_by_cloudfront
    "AWS::S3::BucketPolicy",                    # test_site_bucket_is_private_and_read_only_by_cloudfront
    "AWS::SecretsManager::Secret",              # test_a_secret_per_bank_and_for_the_keys
    "AWS::ApiGateway::RestApi",                 # test_rest_api_has_every_route_of_the_app (moto ignores Body)
    "AWS::ApiGateway::Deployment",              # (depends on the RestApi)
    "AWS::ApiGateway::Stage",                   # test_cloudfront_sends_api_paths_to_the_rest_api_stage
    "AWS::Lambda::Permission",                  # (depends on the RestApi)
}
STOOD_IN = {"Distribution"}  # created with the CloudFront API in the test, its id put in the template


@pytest.fixture(scope="module")
def template(packaged):
    return packaged.load_template()


def resources_of(template, resource_type):
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == resource_type}


def test_cfn_lint_finds_no_errors_in_the_packaged_templates(packaged):
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run([str(cfn_lint), str(packaged.sam_template), str(packaged.template)],
                          capture_output=True, text=True)
    errors = [line for line in done.stdout.splitlines() if line[:1] == "E"]
    assert errors == [] and done.returncode in (0, 4, 8, 12), done.stdout + done.stderr  # 4/8: warnings/info only


def test_every_registered_model_has_a_table(template):
    from chalicelib.models.registry import ALL_MODELS
    names = {r["Properties"]["TableName"] for r in resources_of(template, "AWS::DynamoDB::Table").values()}
    assert names == {"sbp-dev-" + cfn_resources.table_short_name(m) for m in ALL_MODELS}


def test_tables_are_on_demand_with_pitr_encryption_and_ttl_where_registered(template):
    # moto's CloudFormation ignores PITR, SSE and TTL settings: checked here on the template.
    from chalicelib.models.registry import ALL_MODELS, TTL_ATTRIBUTES
    by_name = {r["Properties"]["TableName"]: r for r in resources_of(template, "AWS::DynamoDB::Table").values()}
    for model in ALL_MODELS:
        table = by_name["sbp-dev-" + cfn_resources.table_short_name(model)]
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert table["DeletionPolicy"] == "Retain"
        if model in TTL_ATTRIBUTES:
            assert props["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTES[model], "Enabled": True}
        else:
            assert "TimeToLiveSpecification" not in props


def _shape(description):
    def keys(k):
        return sorted((x["AttributeName"], x["KeyType"]) for x in k)
    return {
        "keys": keys(description["KeySchema"]),
        "attributes": sorted((a["AttributeName"], a["AttributeType"]) for a in description["AttributeDefinitions"]),
        "gsis": sorted((g["IndexName"], tuple(keys(g["KeySchema"])), g["Projection"]["ProjectionType"])
                       for g in description.get("GlobalSecondaryIndexes", [])),
        "lsis": sorted((g["IndexName"], tuple(keys(g["KeySchema"]))) for g in description.get("LocalSecondaryIndexes", [])),
    }


@pytest.fixture(scope="module")
def moto_stack(aws, packaged):
    """The packaged template deployed with boto3 into moto's CloudFormation (same moto as `aws`)."""
    cloudfront = boto3.client("cloudfront")
    dist = cloudfront.create_distribution(DistributionConfig={
        "CallerReference": "template-test", "Comment": "stand-in", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com", "CustomOriginConfig": {
            "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"}})["Distribution"]
    deployable, removed = moto_compat.for_moto(
        packaged.load_template(), {"Distribution": {"Ref": dist["Id"], "DomainName": dist["DomainName"]}})
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="template-test-code")
    s3.put_object(Bucket="template-test-code", Key="code.zip", Body=packaged.zip_path.read_bytes())
    cfn = boto3.client("cloudformation")
    cfn.create_stack(StackName="template-test", TemplateBody=json.dumps(deployable),
                     Parameters=[{"ParameterKey": "CodeBucket", "ParameterValue": "template-test-code"},
                                 {"ParameterKey": "CodeKey", "ParameterValue": "code.zip"}],
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"])
    stack = cfn.describe_stacks(StackName="template-test")["Stacks"][0]
    yield stack, removed
    moto_compat.clean_up_stage(boto3.session.Session(), "dev", "template-test")
    # (the code bucket "template-test-code" goes with the stack's name prefix)
    cloudfront.delete_distribution(Id=dist["Id"], IfMatch=cloudfront.get_distribution(Id=dist["Id"])["ETag"])


def test_moto_deploy_creates_every_table_with_the_models_keys_and_indexes(moto_stack):
    """Tables created by CloudFormation from the template are compared with the tables pynamodb
    itself created from the same models (the `aws` fixture's sbp-local-* tables)."""
    stack, _ = moto_stack
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    from chalicelib.models.registry import ALL_MODELS
    ddb = boto3.client("dynamodb")
    for model in ALL_MODELS:
        short = cfn_resources.table_short_name(model)
        deployed = ddb.describe_table(TableName=f"sbp-dev-{short}")["Table"]
        from_pynamodb = ddb.describe_table(TableName=model.Meta.table_name)["Table"]
        assert _shape(deployed) == _shape(from_pynamodb), short
        assert deployed["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_moto_deploy_leaves_out_only_the_types_checked_on_the_template(moto_stack):
    _, removed = moto_stack
    assert set(removed.values()) <= CHECKED_ON_TEMPLATE, removed
    assert "TableAccounts" not in removed and "APIHandler" not in removed and "SiteBucket" not in removed


def test_moto_deploy_creates_the_lambda_with_the_role_and_stage_environment(moto_stack):
    stack, _ = moto_stack
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    function = boto3.client("lambda").get_function(FunctionName=outputs["APIHandlerName"])["Configuration"]
    assert function["Runtime"].startswith("python3.1")
    assert function["Handler"] == "app.app"
    assert function["Environment"]["Variables"]["TABLE_PREFIX"] == "sbp-dev-"


def test_site_bucket_is_private_and_read_only_by_cloudfront(template):
    site = template["Resources"]["SiteBucket"]["Properties"]
    assert all(site["PublicAccessBlockConfiguration"].values()) and len(site["PublicAccessBlockConfiguration"]) == 4
    oac = template["Resources"]["SiteOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert oac["OriginAccessControlOriginType"] == "s3" and oac["SigningBehavior"] == "always"
    [allow, deny] = template["Resources"]["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"} and allow["Action"] == "s3:GetObject"
    assert "distribution/${Distribution}" in json.dumps(allow["Condition"])
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    origin = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]["Origins"][0]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}


def test_uploads_bucket_is_encrypted_expires_abandoned_uploads_and_allows_the_site_origin(template):
    uploads = template["Resources"]["UploadsBucket"]["Properties"]
    assert uploads["BucketName"] == "sbp-dev-uploads"
    assert all(uploads["PublicAccessBlockConfiguration"].values())
    assert uploads["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    rules = {r["Id"]: r for r in uploads["LifecycleConfiguration"]["Rules"]}
    assert rules["abort-incomplete-multipart"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    assert rules["expire-abandoned-uploads"]["Prefix"] == cfn_resources.ABANDONED_UPLOAD_PREFIX
    assert uploads["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"] == ["https://dev.shebao.example.gov.cn"]


def test_cloudfront_sends_api_paths_to_the_rest_api_stage(template):
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert origins["api"]["OriginPath"] == "/v1"
    assert "${RestAPI}.execute-api" in origins["api"]["DomainName"]["Fn::Sub"]
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    [api] = config["CacheBehaviors"]
    assert api["PathPattern"] == "/api/*" and api["TargetOriginId"] == "api"
    assert api["CachePolicyId"] == cfn_resources.CACHING_DISABLED and "POST" in api["AllowedMethods"]
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "site"
    assert resources_of(template, "AWS::ApiGateway::Stage")["RestAPIv1Stage"]["Properties"]["StageName"] == "v1"


def test_response_headers_policy_sets_csp_hsts_frame_and_nosniff(template):
    headers = template["Resources"]["SecurityHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    # card photos are posted straight to the uploads bucket's regional endpoint
    assert "connect-src 'self' https://s3.${AWS::Region}.amazonaws.com" in csp
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"]["Override"] is True
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"}


def test_a_secret_per_bank_and_for_the_keys(template):
    names = {r["Properties"]["Name"] for r in resources_of(template, "AWS::SecretsManager::Secret").values()}
    assert names == {"sbp/dev/pseudonym-key", "sbp/dev/cursor-key", "sbp/dev/bank-secret-icbc",
                     "sbp/dev/bank-secret-ccb", "sbp/dev/bank-secret-abc"}


def test_rest_api_has_every_route_of_the_app(template):
    import app as app_module
    body = template["Resources"]["RestAPI"]["Properties"]["Body"]
    for path, methods in app_module.app.routes.items():
        for method in methods:
            assert method.lower() in body["paths"][path], f"{method} {path}"


def test_lambda_role_grants_item_actions_on_every_table_and_no_wildcard_actions(template):
    roles = resources_of(template, "AWS::IAM::Role")
    assert roles, "the functions need a role"
    table_names = {r["Properties"]["TableName"] for r in resources_of(template, "AWS::DynamoDB::Table").values()}
    for role in roles.values():
        [policy] = role["Properties"]["Policies"]
        statements = policy["PolicyDocument"]["Statement"]
        actions = [a for s in statements for a in s["Action"]]
        assert not any(a == "*" or a.endswith(":*") for a in actions), actions
        assert "dynamodb:Scan" not in actions and "dynamodb:DeleteTable" not in actions
        [tables] = [s for s in statements if s["Sid"] == "Tables"]
        granted = {r["Fn::Sub"].rsplit("table/", 1)[1] for r in tables["Resource"]}
        assert granted == table_names
        for statement in statements:
            if statement["Resource"] == "*":
                assert statement["Action"] == ["sns:Publish"]  # SMS to a phone number has no ARN


def test_stage_settings_come_from_chalice_config():
    prod = cfn_resources.stage_config("prod")
    assert cfn_resources.site_domain("prod") == "shebao.example.gov.cn"
    assert prod["TABLE_PREFIX"] == "sbp-prod-"
    with pytest.raises(SystemExit):
        cfn_resources.stage_config("nope")
