"""Records routes: contributions by type and year, summary, gaps, pension account, pension
payments, labour contracts and public employment information."""

from chalice import Blueprint, Response

from chalicelib.services import employment, pension_account, pension_payments, records, statements
from functions import web
from functions.schemas import contract
from functions.schemas.records import (
    CursorQuery,
    Page,
    PensionAccount,
    PensionPayments,
    RangeQuery,
    Statement,
    StatementBody,
    StatementYears,
    Types,
    YearContributions,
    YearQuery,
)

bp = Blueprint(__name__)


@bp.route("/insurance/{type_code}/contributions", methods=["GET"])
@contract(query=YearQuery, responses={200: YearContributions})
def contributions(type_code):
    """One page of a year of contributions of one insurance type (?year=&cursor=)."""
    current = web.session()
    query = web.query_model(YearQuery)
    return records.year_view(current, type_code, query.year, query.cursor)


@bp.route("/records/summary", methods=["GET"])
@contract(responses={200: Types})
def summary():
    """Per insurance type the resident has: first and last paid month, months, status."""
    return records.summary(web.session())


@bp.route("/records/gaps", methods=["GET"])
@contract(responses={200: Types})
def gaps():
    """Missing months (断缴) per type, grouped into runs, with the cost to fill each."""
    return records.gaps(web.session())


@bp.route("/records/pension-account", methods=["GET"])
@contract(responses={200: PensionAccount})
def pension_account_statement():
    """Pension personal account year by year: opening, months, credited, interest, closing."""
    return pension_account.statement(web.session())


@bp.route("/benefits/pension-payments", methods=["GET"])
@contract(query=RangeQuery, responses={200: PensionPayments})
def pension_payment_history():
    """Pension payments in a year-month range (?from=YYYYMM&to=YYYYMM&cursor=), with items."""
    current = web.session()
    query = web.query_model(RangeQuery)
    return pension_payments.history(current, query.from_period, query.to, query.cursor)


@bp.route("/records/labour-contracts", methods=["GET"])
@contract(query=CursorQuery, responses={200: Page})
def labour_contracts():
    """Labour contracts (劳动合同), newest first (?cursor=)."""
    current = web.session()
    return employment.labour_contracts(current, web.query_model(CursorQuery).cursor)


@bp.route("/records/employment", methods=["GET"])
@contract(query=CursorQuery, responses={200: Page})
def employment_notices():
    """Public employment information (就业登记、失业登记 ...), newest first (?cursor=)."""
    current = web.session()
    return employment.employment_notices(current, web.query_model(CursorQuery).cursor)


@bp.route("/records/statements", methods=["GET"])
@contract(responses={200: StatementYears})
def statement_years():
    """The years a personal rights record (个人权益记录单) can be printed for, newest first."""
    return statements.available(web.session())


@bp.route("/records/statements", methods=["POST"])
@contract(body=StatementBody, responses={201: Statement}, errors=(429,))
def issue_statement():
    """The personal rights record of a year as PDF: a short-lived download link (201)."""
    current = web.session()
    result = statements.issue(current, web.body_model(StatementBody).year, web.client_ip())
    return Response(body=result, status_code=201, headers={"Content-Type": "application/json"})
