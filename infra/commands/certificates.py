"""`certificates show|revoke CODE`: look up or revoke a certificate (参保证明) by its code.

    show    facts (name, masked ID, period, types), state, verification counts
    revoke  revoke it for good: the public verification then answers 410      [--reason] [--yes]

CODE is the 20-character verification code printed on the PDF (dashes, spaces and case do not
matter). A revocation is written to the audit log (action `ops.certificate_revoke`, source
`ops-cli`, the operator and the reason in `detail`).
Exit codes: 0 done, 1 unknown certificate, already revoked or refused, 2 bad input.
"""

from __future__ import annotations

import sys

from .. import ops_common as ops
from ..ops_common import EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED


def _fen(amount: int) -> str:
    return f"¥{amount // 100:,}.{amount % 100:02d}"


def _print(view: dict) -> None:
    print(f"certificate  {view['code_display']}")
    print(f"resident     {view['name']} ({view['id_number_masked']})")
    print(f"period       {view['from_period']} – {view['to_period']}")
    for t in view["types"]:
        owed = f", {t['owed_months']} month(s) owed" if t["owed_months"] else ""
        print(
            f"  {t['type_code']} {t['type_name']}: {t['months']} month(s) paid, {_fen(t['total_fen'])}{owed}"
        )
    print(f"issued       {ops.when(view['issued_at'])}, expires {ops.when(view['expires_at'])}")
    state = f"{view['status']} ({view['status_label']})"
    if view["revoked_at"]:
        state += f" on {ops.when(view['revoked_at'])} by {view['revoked_by']}"
        if view["revoke_reason"]:
            state += f": {view['revoke_reason']}"
    print(f"state        {state}")
    print(
        f"verified     {view['verify_count']} time(s) successfully; {view['verifications_logged']} "
        f"verification attempt(s) logged, last {ops.when(view['last_verified_at'])}"
    )


def _load(args):
    """(view, exit code): the certificate's ops view, or None and the exit code after a message."""
    from chalicelib.errors import BadInput, NotFound
    from chalicelib.services import certificates

    try:
        return certificates.ops_view(args.code), EXIT_OK
    except BadInput:
        print(
            f"error: {args.code!r} is not a certificate code (20 letters or digits, dashes allowed)",
            file=sys.stderr,
        )
        return None, EXIT_BAD_INPUT
    except NotFound:
        print(f"error: no certificate with code {args.code!r}", file=sys.stderr)
        return None, EXIT_REFUSED


def _show(args) -> int:
    view, code = _load(args)
    if view is not None:
        _print(view)
    return code


def _revoke(args) -> int:
    from chalicelib.errors import BadInput, Gone
    from chalicelib.services import certificates

    view, code = _load(args)
    if view is None:
        return code
    try:
        certificates.check_revoke_reason(args.reason)
    except BadInput as exc:
        print(f"error: --reason: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if view["revoked_at"]:
        print(
            f"refused: certificate {view['code_display']} was already revoked on {ops.when(view['revoked_at'])} "
            f"by {view['revoked_by']}",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    what = (
        f"revoke certificate {view['code_display']} of {view['name']} ({view['id_number_masked']}, "
        f"{view['status_label']}); its verification will answer 410 from then on"
    )
    print(f"would {what}", file=sys.stderr)
    if not ops.confirm(args, what):
        return EXIT_REFUSED
    try:
        after = certificates.revoke_by_ops(args.code, args.reason, ops.SOURCE, ops.operator(args))
    except Gone:
        print("refused: the certificate was revoked in the meantime", file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"revoked {after['code_display']} on {ops.when(after['revoked_at'])}"
        + (f" (reason: {after['revoke_reason']})" if after["revoke_reason"] else "")
    )
    return EXIT_OK


def register(sub) -> None:
    parser = sub.add_parser(
        "certificates",
        help="show or revoke a certificate by its verification code",
        description=__doc__.split("\n\n")[0],
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show",
        help="facts, state and verification count of a certificate",
        description="Facts (name, masked ID, period, types), state and verification count.",
    )
    show.add_argument("code", help="the 20-character verification code on the certificate")
    show.set_defaults(func=_show)
    revoke = actions.add_parser(
        "revoke",
        help="revoke a certificate; its verification then answers 410",
        description="Revoke a certificate for good (audited); verification then answers 410.",
    )
    revoke.add_argument("code", help="the 20-character verification code on the certificate")
    revoke.add_argument("--reason", help="why (at most 200 characters, no ID numbers); kept and audited")
    revoke.add_argument("--operator", help="who does this (default: the OS user); goes into the audit log")
    revoke.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    revoke.set_defaults(func=_revoke)
