"""Chalice entry point: wiring only. Routes live in functions/, the domain in chalicelib/."""

from chalice import Chalice

from chalicelib import observability, settings
from functions import (
    account,
    auth,
    banks,
    cards,
    certificates,
    dev,
    docs,
    estimate,
    passkeys,
    payment_expiry,
    payments,
    person,
    records,
    tasks,
    web,
)

ROUTE_MODULES = (
    auth,
    account,
    passkeys,
    person,
    tasks,
    docs,
    cards,
    records,
    estimate,
    certificates,
    payments,
    banks,
    payment_expiry,
)
# Test helpers (captcha answers, the outbox): registered on the local stage only, so they are
# neither in a deployed API nor in its OpenAPI description.
LOCAL_ONLY_MODULES = (dev,)

app = Chalice(app_name="shebao-portal")
app.api.binary_types = []  # JSON only; PDFs and photos go through presigned S3 URLs

for module in ROUTE_MODULES + (LOCAL_ONLY_MODULES if settings.is_local() else ()):
    app.register_blueprint(module.bp, url_prefix="/api")

observability.install(app)
web.install(app)
