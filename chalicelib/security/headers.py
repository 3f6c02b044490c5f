"""The security headers and Content-Security-Policy, in one place for every place that sends them:
the API's answers (functions/web.py), the local gateway (infra/gateway.py) and CloudFront's
response-headers policy (infra/cfn_resources.py).

What differs by place is a parameter: `connect_src`, the other origins pages may fetch from (the
S3 server locally, the uploads bucket's regional origin in AWS, where card photos are posted with a
presigned POST), and `https` (HSTS and upgrade-insecure-requests only where the site is on HTTPS).
Plain Python, no chalice: both the functions and infra import it.
"""

from __future__ import annotations

HSTS_MAX_AGE_S = 63072000  # two years
FRAME_OPTIONS = "DENY"
REFERRER_POLICY = "no-referrer"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"
# The uploads bucket's regional S3 origin in AWS, as a CloudFormation Fn::Sub string:
# ${AWS::URLSuffix} is amazonaws.com, or amazonaws.com.cn in the China regions (aws-cn).
UPLOADS_ORIGIN_CFN = "https://s3.${AWS::Region}.${AWS::URLSuffix}"


def content_security_policy(connect_src: tuple[str, ...] = (), *, https: bool = False) -> str:
    """Everything from our own origin; images also as data: (the captcha is a data: PNG)."""
    connect = " ".join(("'self'", *connect_src))
    policy = (
        f"default-src 'self'; connect-src {connect}; img-src 'self' data:; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    return f"{policy}; upgrade-insecure-requests" if https else policy


def strict_transport_security() -> str:
    return f"max-age={HSTS_MAX_AGE_S}; includeSubDomains"


def security_headers(connect_src: tuple[str, ...] = (), *, https: bool = False) -> dict[str, str]:
    """Every security header of an answer, by name."""
    headers = {
        "Content-Security-Policy": content_security_policy(connect_src, https=https),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": FRAME_OPTIONS,
        "Referrer-Policy": REFERRER_POLICY,
        "Permissions-Policy": PERMISSIONS_POLICY,
    }
    if https:
        headers["Strict-Transport-Security"] = strict_transport_security()
    return headers
