"""What moto's CloudFormation cannot create, for the offline deploy tests.

moto implements only some resource types in CloudFormation (and fails a whole stack whose
outputs read an attribute of a type it lacks). `for_moto(template)` returns a copy that moto
can deploy: every resource of a type moto lacks is taken out, with whatever refers to it
(resources, conditions-free outputs, DependsOn), unless the caller provides `stand_ins`: literal
values for a resource's Ref and attributes (e.g. a CloudFront distribution the test created
with the CloudFront API). The removed resources are returned so the tests check them on the
template instead and say which they are.
"""

from __future__ import annotations

import copy
from typing import Any

# Types moto knows but cannot create from our template: a RestApi's swagger Body is ignored, so
# its Deployment fails with "The REST API doesn't contain any methods".
MOTO_INCOMPLETE = {"AWS::ApiGateway::RestApi"}


def moto_supports(resource_type: str) -> bool:
    from moto.cloudformation.parsing import resource_class_from_type

    if resource_type in MOTO_INCOMPLETE:
        return False
    return resource_class_from_type(resource_type) is not None


def _refs(node: Any) -> set[str]:
    """Logical ids a template fragment refers to (Ref, Fn::GetAtt, ${X} / ${X.Attr} in Fn::Sub)."""
    import re

    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                found.add(target)
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found.update(m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text))
                if isinstance(value, list):
                    found |= _refs(value[1])
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _refs(item)
    return found


def _substitute(node: Any, stand_ins: dict[str, dict[str, str]]) -> Any:
    import re

    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in stand_ins:
            return stand_ins[node["Ref"]]["Ref"]
        if set(node) == {"Fn::GetAtt"}:
            target, attr = (
                node["Fn::GetAtt"]
                if isinstance(node["Fn::GetAtt"], list)
                else node["Fn::GetAtt"].split(".", 1)
            )
            if target in stand_ins:
                return stand_ins[target][attr]
        if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):

            def repl(match):
                target, _, attr = match.group(1).partition(".")
                if target in stand_ins:
                    return stand_ins[target][attr or "Ref"]
                return match.group(0)

            return {"Fn::Sub": re.sub(r"\$\{([^}!]+)\}", repl, node["Fn::Sub"])}
        return {key: _substitute(value, stand_ins) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(item, stand_ins) for item in node]
    return node


def for_moto(
    template: dict[str, Any], stand_ins: dict[str, dict[str, str]] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """(template moto can deploy, {removed logical id: type})."""
    stand_ins = stand_ins or {}
    out = _substitute(copy.deepcopy(template), stand_ins)
    resources = out["Resources"]
    removed = {
        lid: r["Type"] for lid, r in resources.items() if lid in stand_ins or not moto_supports(r["Type"])
    }
    changed = True
    while changed:  # drop whatever depends on a removed resource, transitively
        changed = False
        for lid, resource in resources.items():
            if lid in removed:
                continue
            depends = resource.get("DependsOn", [])
            depends = [depends] if isinstance(depends, str) else depends
            if (_refs(resource.get("Properties", {})) | set(depends)) & set(removed):
                removed[lid] = resource["Type"]
                changed = True
    for lid in removed:
        resources.pop(lid)
    out["Outputs"] = {name: o for name, o in out.get("Outputs", {}).items() if not (_refs(o) & set(removed))}
    for stood_in in stand_ins:
        removed.pop(stood_in, None)
    return out, removed


def clean_up_stage(session, stage: str, stack: str, endpoint_url: str | None = None) -> None:
    """Tests: remove a deployed stack and what it retains (tables, buckets) from moto, whose
    in-process backends are shared by every test of a pytest worker (a moto server included)."""
    cfn = session.client("cloudformation", endpoint_url=endpoint_url)
    cfn.delete_stack(StackName=stack)
    ddb = session.client("dynamodb", endpoint_url=endpoint_url)
    for name in ddb.list_tables()["TableNames"]:
        if name.startswith(f"sbp-{stage}-"):
            ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
            ddb.delete_table(TableName=name)
    s3 = session.resource("s3", endpoint_url=endpoint_url)
    for bucket in s3.buckets.all():
        if bucket.name.startswith((f"sbp-{stage}-", f"{stack}-")):
            bucket.object_versions.delete()
            bucket.delete()


def stand_in_distribution(cloudfront, reference: str) -> dict[str, Any]:
    """A CloudFront distribution made through the API (moto's CloudFormation lacks
    AWS::CloudFront::Distribution), to stand in for the template's one."""
    config = {
        "CallerReference": reference,
        "Comment": "stand-in",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "o",
                    "DomainName": "example.com",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
    }
    distribution: dict[str, Any] = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]
    return distribution
