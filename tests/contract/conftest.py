"""The contract run's own local stack (tests/browser/conftest.py starts it): its own, because the
fuzzer spends the per-address sign-in and SMS budgets that the browser tests need."""

from tests.browser.conftest import stack  # noqa: F401 (the same fixture, in this directory's session)
