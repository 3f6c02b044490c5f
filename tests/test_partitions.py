"""Stages, regions and partitions: prod in the China regions (aws-cn), dev in a global region."""

from __future__ import annotations

import boto3
import pytest

from infra import deploy as deploy_module
from infra import partitions


def test_prod_runs_in_the_china_partition_and_dev_in_the_global_one():
    assert partitions.stage_regions("prod") == ["cn-northwest-1", "cn-north-1"]
    assert partitions.stage_partition("prod") == "aws-cn"
    assert partitions.stage_partition("dev") == "aws" and partitions.stage_regions("dev") == ["ap-east-1"]
    assert partitions.url_suffix("cn-north-1") == "amazonaws.com.cn"
    assert partitions.url_suffix("ap-east-1") == "amazonaws.com"


def test_template_url_uses_the_china_endpoint_in_a_china_region():
    deployer = deploy_module.Deployer("prod", session=boto3.session.Session(region_name="cn-northwest-1"))
    assert (
        deployer.template_url("b", "prod/t.json")
        == "https://b.s3.cn-northwest-1.amazonaws.com.cn/prod/t.json"
    )
    global_ = deploy_module.Deployer("dev", session=boto3.session.Session(region_name="ap-east-1"))
    assert global_.template_url("b", "k") == "https://b.s3.ap-east-1.amazonaws.com/k"


def test_deploying_prod_outside_its_regions_is_refused():
    with pytest.raises(deploy_module.DeployError, match="cn-northwest-1"):
        deploy_module.Deployer("prod", session=boto3.session.Session(region_name="ap-east-1"))
