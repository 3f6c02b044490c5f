"""`infra.deploy` end to end against a moto server, and the site build (content types, cache
headers, fingerprinted assets)."""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest

from infra import deploy as deploy_module
from infra import moto_compat, site_build
from infra.ddb_local import free_port

FIXTURE_SITE = Path(__file__).resolve().parent / "fixtures" / "site"


def test_site_build_fingerprints_assets_and_rewrites_references():
    objects = {o.key: o for o in site_build.build(FIXTURE_SITE)}
    html = objects["index.html"]
    assert html.content_type == "text/html; charset=utf-8" and html.cache_control == "no-cache"
    text = html.body.decode("utf-8")
    css_name = re.search(r'href="/(css/site\.[0-9a-f]{10}\.css)"', text).group(1)
    js_name = re.search(r'src="/(js/common\.[0-9a-f]{10}\.js)"', text).group(1)
    assert re.search(r'src="js/page\.[0-9a-f]{10}\.js"', text)  # relative stays relative
    assert 'href="https://example.gov.cn/"' in text
    for name in (css_name, js_name):
        assert objects[name].cache_control == "public, max-age=31536000, immutable"
    assert objects[js_name].content_type == "text/javascript; charset=utf-8"
    assert objects["js/common.js"].cache_control == "no-cache"  # the original name still works
    logo = next(k for k in objects if re.fullmatch(r"img/logo\.[0-9a-f]{10}\.png", k))
    assert f'url("../{logo}")' in objects[css_name].body.decode()  # CSS url() rewritten
    assert objects[logo].content_type == "image/png"


def test_fingerprint_changes_when_content_changes():
    assert site_build.fingerprint_name("js/a.js", b"1") != site_build.fingerprint_name("js/a.js", b"2")


@pytest.fixture
def moto_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_deploy_creates_stack_uploads_site_with_headers_and_invalidates(moto_server, packaged):
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    cloudfront = session.client("cloudfront", endpoint_url=moto_server)
    # moto's CloudFormation lacks AWS::CloudFront::Distribution: one made with the CloudFront
    # API stands in for it, so the deploy's invalidation runs against a real (moto) distribution.
    dist = moto_compat.stand_in_distribution(cloudfront, "deploy-test")
    stand_in = {"Distribution": {"Ref": dist["Id"], "DomainName": dist["DomainName"]}}
    lines: list[str] = []

    def run():
        return deploy_module.deploy(
            "dev",
            session=session,
            endpoint_url=moto_server,
            pkg=packaged,
            site_dir=FIXTURE_SITE,
            wait_delay_s=1,
            log=lines.append,
            template_filter=lambda t: moto_compat.for_moto(t, stand_in)[0],
        )

    try:
        result = run()
        check_deploy(session, moto_server, packaged, dist, result, lines, run)
    finally:
        moto_compat.clean_up_stage(session, "dev", "shebao-portal-dev", endpoint_url=moto_server)


def check_deploy(session, moto_server, packaged, dist, result, lines, run):
    cloudfront = session.client("cloudfront", endpoint_url=moto_server)

    assert result.action == "created"
    cfn = session.client("cloudformation", endpoint_url=moto_server)
    stack = cfn.describe_stacks(StackName="shebao-portal-dev")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert any("SiteBucketName" in line for line in lines)  # outputs printed
    ddb = session.client("dynamodb", endpoint_url=moto_server)
    assert "sbp-dev-accounts" in ddb.list_tables()["TableNames"]
    s3 = session.client("s3", endpoint_url=moto_server)
    bucket, key = result.code_location
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == packaged.zip_path.stat().st_size
    site = result.outputs["SiteBucketName"]
    index = s3.get_object(Bucket=site, Key="index.html")
    assert index["ContentType"] == "text/html; charset=utf-8" and index["CacheControl"] == "no-cache"
    css_key = re.search(r'href="/(css/site\.[0-9a-f]{10}\.css)"', index["Body"].read().decode()).group(1)
    css = s3.head_object(Bucket=site, Key=css_key)
    assert css["ContentType"] == "text/css; charset=utf-8"
    assert css["CacheControl"] == "public, max-age=31536000, immutable"
    invalidations = cloudfront.list_invalidations(DistributionId=dist["Id"])["InvalidationList"]["Items"]
    assert [i["Id"] for i in invalidations] == [result.invalidation_id]

    again = run()  # a second deploy updates the same stack (or finds nothing to change)
    assert again.action in ("updated", "unchanged")
    assert again.code_location == result.code_location
    assert any("already there" in line for line in lines)  # the same zip is not uploaded twice


def test_deploy_refuses_the_local_stage():
    with pytest.raises(deploy_module.DeployError):
        deploy_module.Deployer("local")
