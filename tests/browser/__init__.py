"""Browser tests (Playwright + Debian Chromium) against the local stack."""
