"""参保证明 PDF: reportlab with its built-in CID font STSong-Light (no font file in the zip) and a
vector QR code of the public verification URL (qrcode gives the module matrix; reportlab draws
it, so no image library is needed). reportlab and qrcode are imported inside `render`."""

from __future__ import annotations

import io
from typing import Any

from .money import yuan

FONT = "STSong-Light"


def _month(period: str) -> str:
    return f"{period[:4]}年{period[4:]}月"


def _qr(canvas: Any, text: str, x: float, y: float, size: float) -> None:
    import qrcode  # noqa: PLC0415

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell = size / len(matrix)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + col_index * cell, y + size - (row_index + 1) * cell, cell, cell, stroke=0, fill=1
                )


def render(
    facts: dict[str, Any],
    code_display: str,
    verify_url: str,
    issued_on: str,
    expires_on: str,
    issuer: str = "社会保险个人网上服务",
) -> bytes:
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
    c.setTitle("社会保险参保缴费证明")
    c.setAuthor(issuer)
    c.setFont(FONT, 20)
    c.drawCentredString(width / 2, height - 30 * mm, "社会保险参保缴费证明")
    c.setFont(FONT, 12)
    y = height - 48 * mm
    lines = [
        f"姓名：{facts['name']}",
        f"公民身份号码：{facts['id_number_masked']}",
        f"证明期间：{_month(facts['from_period'])} 至 {_month(facts['to_period'])}",
    ]
    for line in lines:
        c.drawString(22 * mm, y, line)
        y -= 8 * mm
    y -= 4 * mm
    columns = [22 * mm, 90 * mm, 120 * mm, 165 * mm]
    c.setFont(FONT, 11)
    for x, title in zip(columns, ["险种", "缴费月数", "缴费合计", "欠缴月数"], strict=True):
        c.drawString(x, y, title)
    c.line(20 * mm, y - 2.5 * mm, width - 20 * mm, y - 2.5 * mm)
    y -= 9 * mm
    for entry in facts["types"]:
        c.drawString(columns[0], y, f"{entry['type_name']}（{entry['type_code']}）")
        c.drawString(columns[1], y, f"{entry['months']}个月")
        c.drawString(columns[2], y, yuan(int(entry["total_fen"])))
        c.drawString(columns[3], y, f"{entry.get('owed_months', 0)}个月")
        y -= 8 * mm
    c.line(20 * mm, y + 5 * mm, width - 20 * mm, y + 5 * mm)
    y -= 6 * mm
    c.setFont(FONT, 10.5)
    notes = [
        "兹证明上述人员在证明期间的参保缴费情况如上（缴费合计为单位与个人缴费之和）。",
        f"出具日期：{issued_on}    有效期至：{expires_on}",
        f"验证码：{code_display}",
        "核验方式：扫描右侧二维码，或访问以下网址输入验证码：",
        verify_url.split("?")[0],
        f"出具单位：{issuer}（本证明经网上核验有效，无需加盖印章）",
    ]
    for line in notes:
        c.drawString(22 * mm, y, line)
        y -= 7 * mm
    _qr(c, verify_url, width - 62 * mm, 24 * mm, 40 * mm)
    c.setFont(FONT, 9)
    c.drawCentredString(width - 42 * mm, 20 * mm, "扫码核验")
    c.showPage()
    c.save()
    return buffer.getvalue()
