"""`cards show|issue`: the social-security cards (社保卡) of a resident and their production.

    show   --id-number ID                      the resident's cards and card applications (masked)
    issue  APPLICATION_ID --id-number ID --card-no NO --bank-account NO [--issued-on DATE] [--yes]
           card production is done: the submitted application becomes 已制卡 and its card 正常
           (card number, bank account, issue date, valid until = issue date + validity years)

`issue` is written to the audit log (action `card_issue`, source `ops-cli`, the operator in
`detail`; card number masked). Exit codes: 0 done, 1 unknown resident or application, application
not submitted, or refused; 2 bad input.
"""

from __future__ import annotations

import sys
from datetime import date

from .. import ops_common as ops
from ..ops_common import EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED


def _account(value: str):
    """The resident's account, or None after a message."""
    from chalicelib import id_number as ids
    from chalicelib.errors import NotFound
    from chalicelib.services import accounts

    try:
        return accounts.get(value)
    except NotFound:
        print(f"error: no account for {ids.mask(value)}", file=sys.stderr)
        return None


def _card_line(card: dict) -> str:
    bank = " ".join(x for x in (card["bank_name"] or card["bank_code"], card["bank_account_masked"]) if x)
    return (
        f"{card['card_id']}  {card['status']} ({card['status_label']})  card {card['card_no_masked'] or '-'}  "
        f"bank {bank or '-'}  issued {card['issued_on'] or '-'}, valid until {card['valid_until'] or '-'}"
    )


def _show(args) -> int:
    from chalicelib import id_number as ids
    from chalicelib.services import card_applications, cards

    value = ops.checked_id(args.id_number)
    if value is None:
        return EXIT_BAD_INPUT
    account = _account(value)
    if account is None:
        return EXIT_REFUSED
    print(f"resident     {account.name} ({ids.mask(value)})")
    all_cards = [cards.view(c) for c in cards.all_cards(value)]
    print(f"cards        {len(all_cards) or 'none'}")
    for card in all_cards:
        print(f"  {_card_line(card)}")
    history = card_applications.history(value)
    print(f"applications {len(history) or 'none'}")
    for app in history:
        delivery = (app["delivery"] or {}).get("method_label") or "-"
        print(
            f"  {app['application_id']}  {app['kind_label']}  {app['status']} ({app['status_label']})  "
            f"created {ops.when(app['created_at'])}, submitted {ops.when(app['submitted_at'])}, "
            f"bank {app['bank_name'] or '-'}, delivery {delivery}"
        )
    return EXIT_OK


def _issued_on(text: str | None) -> date | bool | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        print(f"error: --issued-on {text!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return False


def _issue(args) -> int:
    from chalicelib import id_number as ids
    from chalicelib.errors import BadInput, Conflict, NotFound
    from chalicelib.services import card_applications, cards

    value = ops.checked_id(args.id_number)
    if value is None:
        return EXIT_BAD_INPUT
    card_no, bank_account = args.card_no.strip().upper(), args.bank_account.strip().replace(" ", "")
    try:
        cards.check_card_numbers(card_no, bank_account)
    except BadInput as exc:
        print(f"error: --{exc.field.replace('_', '-')}: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    issued_on = _issued_on(args.issued_on)
    if issued_on is False:
        return EXIT_BAD_INPUT
    account = _account(value)
    if account is None:
        return EXIT_REFUSED
    try:
        app = card_applications.view(card_applications.load(value, args.application_id))
    except NotFound:
        print(f"error: {ids.mask(value)} has no card application {args.application_id!r}", file=sys.stderr)
        return EXIT_REFUSED
    if app["status"] != card_applications.SUBMITTED:
        print(
            f"refused: application {app['application_id']} is {app['status']} ({app['status_label']}), "
            f"not {card_applications.SUBMITTED}; only a submitted application can be issued",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    what = (
        f"record card {cards.mask_card_no(card_no)} (bank account ending {bank_account[-4:]}) as made for "
        f"{app['kind_label']} {app['application_id']} of {account.name} ({ids.mask(value)}); "
        "the card becomes NORMAL and the application ISSUED"
    )
    print(f"would {what}", file=sys.stderr)
    if not ops.confirm(args, what):
        return EXIT_REFUSED
    try:
        card = card_applications.issue(
            value,
            args.application_id,
            card_no,
            bank_account,
            issued_on,
            ip=ops.SOURCE,
            operator=ops.operator(args),
        )
    except Conflict as exc:
        print(f"refused: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"issued: {_card_line(card)}")
    return EXIT_OK


def register(sub) -> None:
    parser = sub.add_parser(
        "cards",
        help="show a resident's cards; record a made card (issue)",
        description=__doc__.split("\n\n")[0],
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show",
        help="the resident's cards and card applications (masked)",
        description="The resident's cards and card applications, numbers masked.",
    )
    show.add_argument("--id-number", required=True, help="the resident's 18-character citizen ID number")
    show.set_defaults(func=_show)
    issue = actions.add_parser(
        "issue",
        help="card production done: a submitted application becomes issued",
        description="Record that the card of a submitted application has been made: "
        "the card becomes 正常 with its numbers, the application 已制卡.",
    )
    issue.add_argument("application_id", help="the application (A…), as `cards show` lists it")
    issue.add_argument("--id-number", required=True, help="the resident's 18-character citizen ID number")
    issue.add_argument(
        "--card-no", required=True, help="the card number printed on the card (9 letters or digits)"
    )
    issue.add_argument("--bank-account", required=True, help="the card's bank account (16-19 digits)")
    issue.add_argument("--issued-on", help="issue date YYYY-MM-DD (default: today, China time)")
    issue.add_argument("--operator", help="who does this (default: the OS user); goes into the audit log")
    issue.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    issue.set_defaults(func=_issue)
