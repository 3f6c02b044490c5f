"""Money is integer fen; rates are integer basis points (1 bp = 0.01%)."""

from __future__ import annotations


def apply_rate(amount_fen: int, rate_bp: int) -> int:
    """amount × rate, rounded half up to the fen, in integer arithmetic."""
    if amount_fen < 0 or rate_bp < 0:
        raise ValueError("amount and rate must be non-negative")
    return (amount_fen * rate_bp * 2 + 10000) // 20000


def yuan(amount_fen: int) -> str:
    """¥1,234.56 (for PDFs and messages; the site formats on its own)."""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(amount_fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"
