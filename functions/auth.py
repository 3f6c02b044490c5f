"""Sign-in (password, SMS code, passkey), activation, sign-out, keep-alive and forgot-password routes."""
from chalice import Blueprint

from functions import web
from chalicelib.services import auth, captcha, passkey_login, sms_login

bp = Blueprint(__name__)


@bp.route("/auth/captcha", methods=["POST"])
def new_captcha():
    """New image captcha (PNG data URL, single use, 5 minutes)."""
    return captcha.create()


@bp.route("/auth/login", methods=["POST"])
def login():
    """Sign in with ID number, password and captcha; initial password → activation."""
    data = web.body("id_number", "password", "captcha_id", "captcha_answer")
    return web.session_answer(auth.login(**data, ip=web.client_ip()))


@bp.route("/auth/activate", methods=["POST"])
def activate():
    """First sign-in: SMS code and a new password."""
    data = web.body("activation_token", "new_password", optional=("sms_code",))
    return web.session_answer(auth.activate(**data, ip=web.client_ip()))


@bp.route("/auth/sms-login/start", methods=["POST"])
def sms_login_start():
    """SMS sign-in: ID number + registered phone → a code to that phone (same answer either way)."""
    data = web.body("id_number", "phone")
    return sms_login.start(**data, ip=web.client_ip())


@bp.route("/auth/sms-login/complete", methods=["POST"])
def sms_login_complete():
    """SMS sign-in: the code → a session, or activation for an account on the initial password."""
    data = web.body("challenge_id", "sms_code")
    return web.session_answer(sms_login.complete(**data, ip=web.client_ip()))


@bp.route("/auth/passkey/options", methods=["POST"])
def passkey_options():
    """Passkey sign-in: WebAuthn request options (discoverable credential, user verification)."""
    return passkey_login.options()


@bp.route("/auth/passkey/login", methods=["POST"])
def passkey_sign_in():
    """Passkey sign-in: the authenticator's assertion → a session."""
    data = web.body("challenge_id")
    credential = web.json_object().get("credential")
    return web.session_answer(passkey_login.login(data["challenge_id"], credential, ip=web.client_ip()))


@bp.route("/auth/logout", methods=["POST"])
def logout():
    """End the session on the server and clear the cookie."""
    return web.with_cookie(auth.logout(web.session(), web.client_ip()), None)


@bp.route("/auth/keepalive", methods=["POST"])
def keepalive():
    """Stay signed in: resets the idle timer."""
    return auth.keepalive(web.session())


@bp.route("/auth/forgot/start", methods=["POST"])
def forgot_start():
    """Forgot password: ID number + registered phone (code sent; same answer either way), or
    ID number + captcha → available methods."""
    data = web.body("id_number", optional=("phone", "captcha_id", "captcha_answer"))
    return auth.forgot_start(**data, ip=web.client_ip())


@bp.route("/auth/forgot/send-code", methods=["POST"])
def forgot_send_code():
    """Forgot password: SMS code to the registered phone."""
    return auth.forgot_send_code(**web.body("reset_token"), ip=web.client_ip())


@bp.route("/auth/forgot/complete", methods=["POST"])
def forgot_complete():
    """Forgot password: SMS code or security answers + new password."""
    data = web.body("reset_token", "method", "new_password", optional=("sms_code",))
    answers = web.json_object().get("answers")
    return auth.forgot_complete(**data, answers=answers, ip=web.client_ip())
