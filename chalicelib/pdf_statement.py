"""个人权益记录单 PDF (the annual personal rights record): per insurance type the months of the
year with base and amounts, then the pension personal account's year. reportlab with its
built-in CID font (as `pdf_certificate`), imported inside `render`."""

from __future__ import annotations

import io
from typing import Any

from .money import yuan
from .pdf_certificate import FONT

STATUS_NAMES = {"PAID": "已到账", "BACKPAID": "补缴到账", "OWED": "欠缴"}


def _month(period: str) -> str:
    return f"{period[:4]}年{int(period[4:])}月"


class _Page:
    """A top-down writer that starts a new page when the current one is full."""

    def __init__(self, canvas: Any, height: float, margin: float) -> None:
        self.c, self.height, self.margin = canvas, height, margin
        self.y = height - margin

    def need(self, space: float) -> None:
        if self.y - space < self.margin:
            self.c.showPage()
            self.c.setFont(FONT, 10.5)
            self.y = self.height - self.margin

    def text(self, x: float, line: str, size: float = 10.5, step: float = 16) -> None:
        self.need(step)
        self.c.setFont(FONT, size)
        self.c.drawString(x, self.y, line)
        self.y -= step

    def row(self, columns: list[float], cells: list[str], step: float = 15) -> None:
        self.need(step)
        self.c.setFont(FONT, 10)
        for x, cell in zip(columns, cells, strict=False):
            self.c.drawString(x, self.y, cell)
        self.y -= step


def render(facts: dict[str, Any], issued_on: str, issuer: str = "社会保险个人网上服务") -> bytes:
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: PLC0415
    from reportlab.pdfgen import canvas as pdf_canvas  # noqa: PLC0415

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    width, height = A4
    c = pdf_canvas.Canvas(buffer, pagesize=A4, invariant=1)
    title = f"{facts['year']}年度社会保险个人权益记录单"
    c.setTitle(title)
    c.setAuthor(issuer)
    page = _Page(c, height, 20 * mm)
    c.setFont(FONT, 18)
    c.drawCentredString(width / 2, page.y, title)
    page.y -= 28
    left = 22 * mm
    page.text(left, f"姓名：{facts['name']}    公民身份号码：{facts['id_number_masked']}")
    page.text(left, f"记录年度：{facts['year']}年1月至{facts['year']}年12月    打印日期：{issued_on}")
    columns = [left, left + 30 * mm, left + 62 * mm, left + 94 * mm, left + 124 * mm, left + 152 * mm]
    for entry in facts["types"]:
        page.y -= 6
        page.text(left, f"{entry['type_name']}（{entry['type_code']}）", size=12, step=18)
        page.row(columns, ["月份", "缴费基数", "单位缴费", "个人缴费", "计入个人账户", "状态"])
        for item in entry["months"]:
            page.row(
                columns,
                [
                    _month(item["period"]),
                    yuan(item["base_fen"]) if item["base_fen"] else "—",
                    yuan(item["employer_fen"]),
                    yuan(item["personal_fen"]),
                    yuan(item["account_fen"]),
                    STATUS_NAMES.get(item["status"], item["status"]),
                ],
            )
        page.text(
            left,
            f"本年缴费{entry['paid_count']}期，单位（补助）合计{yuan(entry['employer_total_fen'])}，"
            f"个人合计{yuan(entry['personal_total_fen'])}，欠缴{entry['owed_count']}期。",
        )
    account = facts.get("account")
    page.y -= 6
    page.text(left, "养老保险个人账户", size=12, step=18)
    if account:
        page.text(
            left,
            f"年初余额{yuan(account['opening_fen'])}，本年记账{account['months']}个月"
            f"{yuan(account['credited_fen'])}，记账利息{yuan(account['interest_fen'])}，"
            f"年末余额{yuan(account['closing_fen'])}。",
        )
        page.text(left, f"记账利率：{account['rate_label']}")
    else:
        page.text(left, "本年度无养老保险个人账户记录。")
    page.y -= 10
    page.text(left, "说明：缴费以社会保险经办机构记录为准；城乡居民缴费的“单位缴费”栏为政府补助。", size=9.5)
    page.text(left, f"出具单位：{issuer}", size=9.5)
    c.showPage()
    c.save()
    return buffer.getvalue()
