"""Sign-in (password, SMS code, passkey), activation, sign-out, keep-alive and forgot-password routes."""

from chalice import Blueprint

from chalicelib.services import auth, captcha, passkey_login, sms_login
from functions import web
from functions.schemas import Status, as_dict, contract
from functions.schemas.auth import (
    ActivateBody,
    Captcha,
    Challenge,
    CodeSent,
    ForgotCompleteBody,
    ForgotStartAnswer,
    ForgotStartBody,
    LoginBody,
    PasskeyLoginBody,
    ResetTokenBody,
    SessionTiming,
    SignInAnswer,
    SmsLoginCompleteBody,
    SmsLoginStartBody,
    WebAuthnOptions,
)

bp = Blueprint(__name__)


@bp.route("/auth/captcha", methods=["POST"])
@contract(responses={200: Captcha}, errors=(429,), public=True)
def new_captcha():
    """New image captcha (PNG data URL, single use, 5 minutes)."""
    return captcha.create()


@bp.route("/auth/login", methods=["POST"])
@contract(body=LoginBody, responses={200: SignInAnswer}, errors=(401, 423, 429), public=True)
def login():
    """Sign in with ID number, password and captcha; initial password → activation."""
    data = as_dict(web.body_model(LoginBody))
    return web.session_answer(auth.login(**data, ip=web.client_ip()))


@bp.route("/auth/activate", methods=["POST"])
@contract(body=ActivateBody, responses={200: SignInAnswer}, errors=(410, 429), public=True)
def activate():
    """First sign-in: SMS code and a new password."""
    data = as_dict(web.body_model(ActivateBody))
    return web.session_answer(auth.activate(**data, ip=web.client_ip()))


@bp.route("/auth/sms-login/start", methods=["POST"])
@contract(body=SmsLoginStartBody, responses={200: Challenge}, errors=(429,), public=True)
def sms_login_start():
    """SMS sign-in: ID number + registered phone → a code to that phone (same answer either way)."""
    data = as_dict(web.body_model(SmsLoginStartBody))
    return sms_login.start(**data, ip=web.client_ip())


@bp.route("/auth/sms-login/complete", methods=["POST"])
@contract(body=SmsLoginCompleteBody, responses={200: SignInAnswer}, errors=(401, 410, 423, 429), public=True)
def sms_login_complete():
    """SMS sign-in: the code → a session, or activation for an account on the initial password."""
    data = as_dict(web.body_model(SmsLoginCompleteBody))
    return web.session_answer(sms_login.complete(**data, ip=web.client_ip()))


@bp.route("/auth/passkey/options", methods=["POST"])
@contract(responses={200: WebAuthnOptions}, errors=(429,), public=True)
def passkey_options():
    """Passkey sign-in: WebAuthn request options (discoverable credential, user verification)."""
    return passkey_login.options()


@bp.route("/auth/passkey/login", methods=["POST"])
@contract(body=PasskeyLoginBody, responses={200: SignInAnswer}, errors=(401, 410, 429), public=True)
def passkey_sign_in():
    """Passkey sign-in: the authenticator's assertion → a session."""
    data = web.body_model(PasskeyLoginBody)
    return web.session_answer(passkey_login.login(data.challenge_id, data.credential, ip=web.client_ip()))


@bp.route("/auth/logout", methods=["POST"])
@contract(responses={200: Status})
def logout():
    """End the session on the server and clear the cookie."""
    return web.with_cookie(auth.logout(web.session(), web.client_ip()), None)


@bp.route("/auth/keepalive", methods=["POST"])
@contract(responses={200: SessionTiming})
def keepalive():
    """Stay signed in: resets the idle timer."""
    return auth.keepalive(web.session())


@bp.route("/auth/forgot/start", methods=["POST"])
@contract(body=ForgotStartBody, responses={200: ForgotStartAnswer}, errors=(429,), public=True)
def forgot_start():
    """Forgot password: ID number + registered phone (code sent; same answer either way), or
    ID number + captcha → available methods."""
    data = as_dict(web.body_model(ForgotStartBody))
    return auth.forgot_start(**data, ip=web.client_ip())


@bp.route("/auth/forgot/send-code", methods=["POST"])
@contract(body=ResetTokenBody, responses={200: CodeSent}, errors=(410, 429), public=True)
def forgot_send_code():
    """Forgot password: SMS code to the registered phone."""
    return auth.forgot_send_code(**as_dict(web.body_model(ResetTokenBody)), ip=web.client_ip())


@bp.route("/auth/forgot/complete", methods=["POST"])
@contract(body=ForgotCompleteBody, responses={200: Status}, errors=(410, 429), public=True)
def forgot_complete():
    """Forgot password: SMS code or security answers + new password."""
    data = as_dict(web.body_model(ForgotCompleteBody))
    return auth.forgot_complete(**data, ip=web.client_ip())
