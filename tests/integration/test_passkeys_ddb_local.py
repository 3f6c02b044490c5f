"""Passkey guarantees under parallel bursts on DynamoDB Local: a challenge is used once, and of
several sign-ins verified against the same sign counter exactly one gets a session."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from chalicelib import clock
from chalicelib.errors import Gone, Unauthorized
from chalicelib.models.passkeys import Passkey
from chalicelib.models.sessions import Session
from chalicelib.services import passkey_login, passkeys, relying_party
from chalicelib.services.sessions import CurrentSession

from ..helpers import GOOD_PASSWORD, ZHANG, make_account
from ..soft_authenticator import SoftAuthenticator

IP = "198.51.100.9"


def _outcome(call) -> str:
    try:
        call()
        return "ok"
    except (Gone, Unauthorized) as exc:
        return type(exc).__name__


def test_twenty_parallel_uses_of_one_challenge_let_one_through(tables):
    challenge_id, _ = relying_party.new_challenge("login")
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(
            pool.map(
                lambda _: _outcome(lambda: relying_party.use_challenge(challenge_id, "login")), range(20)
            )
        )
    assert outcomes.count("ok") == 1 and outcomes.count("Gone") == 19


def test_parallel_sign_ins_with_the_same_counter_give_one_session(tables):
    make_account(password=GOOD_PASSWORD, state="SET")
    now = int(clock.now())
    current = CurrentSession(ZHANG, "h" * 64, now, now)
    authenticator = SoftAuthenticator()
    options = passkeys.registration_options(current, IP, password=GOOD_PASSWORD)
    passkeys.register(
        current, options["challenge_id"], authenticator.create(options["publicKey"]), "钥匙", IP
    )
    attempts = []
    for _ in range(8):  # a cloned authenticator: every assertion carries counter 1
        request = passkey_login.options()
        attempts.append((request["challenge_id"], authenticator.get(request["publicKey"], sign_count=1)))
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda a: _outcome(lambda: passkey_login.login(a[0], a[1], IP)), attempts))
    assert outcomes.count("ok") == 1, outcomes
    assert sum(1 for s in Session.scan() if s.id_number == ZHANG) == 1
    assert next(Passkey.query(ZHANG)).sign_count == 1
