"""Chalice entry point: wiring only. Routes live in functions/, the domain in chalicelib/."""
from chalice import Chalice

from functions import web
from functions import (account, auth, banks, cards, certificates, dev, docs, estimate, passkeys,
                       payment_expiry, payments, person, records, tasks)

app = Chalice(app_name="shebao-portal")
app.api.binary_types = []  # JSON only; PDFs and photos go through presigned S3 URLs

for module in (auth, account, passkeys, person, tasks, dev, docs, cards, records, estimate, certificates,
               payments, banks, payment_expiry):
    app.register_blueprint(module.bp, url_prefix="/api")

web.install(app)
