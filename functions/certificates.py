"""Certificate routes (参保证明): issue, list, download, revoke, verification log, public verify."""

from chalice import Blueprint, Response

from chalicelib.services import certificates
from functions import web
from functions.schemas import contract
from functions.schemas.certificates import (
    Certificate,
    Certificates,
    Download,
    IssueBody,
    Verifications,
    Verified,
)

bp = Blueprint(__name__)


@bp.route("/certificates", methods=["POST"])
@contract(body=IssueBody, responses={201: Certificate}, errors=(429,))
def issue():
    """Issue a certificate for chosen types and period ({"types":[..],"from","to"}); 201."""
    current = web.session()
    data = web.body_model(IssueBody)
    result = certificates.issue(
        current, {"types": data.types, "from": data.from_period, "to": data.to}, web.client_ip()
    )
    return Response(body=result, status_code=201, headers={"Content-Type": "application/json"})


@bp.route("/certificates", methods=["GET"])
@contract(responses={200: Certificates})
def list_mine():
    """The resident's certificates, newest first, with status and verification count."""
    return certificates.list_mine(web.session())


@bp.route("/certificates/{code}/download", methods=["GET"])
@contract(responses={200: Download}, errors=(410,))
def download(code):
    """A presigned URL (≤ 5 minutes) for the certificate PDF."""
    return certificates.download(web.session(), code)


@bp.route("/certificates/{code}/revoke", methods=["POST"])
@contract(responses={200: Certificate}, errors=(409, 410))
def revoke(code):
    """Revoke one of the resident's certificates; verification then answers 410."""
    return certificates.revoke(web.session(), code, web.client_ip())


@bp.route("/certificates/{code}/verifications", methods=["GET"])
@contract(responses={200: Verifications})
def verifications(code):
    """Who verified this certificate, when (newest first)."""
    return certificates.verifications(web.session(), code)


@bp.route("/certificates/verify/{code}", methods=["GET"])
@contract(responses={200: Verified}, errors=(410, 429), public=True)
def verify(code):
    """Public: verify a certificate code; 404 unknown, 410 revoked or expired, 429 too often."""
    return certificates.verify(code, web.client_ip(), web.user_agent())
