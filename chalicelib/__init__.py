"""The domain: services, models, security, messaging (no HTTP, no chalice).

Imported first by the app, so this is where the Lambda's cold start is kept lean:

- The service modules load when first used, not at `import app` (`lazy_services`; on the
  Lambda's Python 3.13).
- botocore imports `urllib3.contrib.pyopenssl` whenever pyOpenSSL is installed, only to take the
  standard library's `SSLContext` from it, which it falls back to when that import fails.
  pyOpenSSL is in the zip for webauthn alone (attestation certificate chains, imported when a
  passkey is registered), and the import pulls OpenSSL and cryptography.x509 into every cold
  start: about 40 ms of ~230 ms (`make bench`). Marking the module absent keeps botocore on that
  fallback; webauthn imports `OpenSSL.crypto` itself and is not affected.
"""

import sys

from chalicelib import lazy_services

# None in sys.modules makes an import raise ImportError (the import system's documented block)
sys.modules.setdefault("urllib3.contrib.pyopenssl", None)  # type: ignore[arg-type]
lazy_services.install()
