/* Shared helpers of the payment pages (社保缴费). */
(function () {
  "use strict";
  var el = SBP.el;
  window.PAY = {
    KIND_TITLES: { flexible_pension: "灵活就业社保缴费（养老）", flexible_medical: "灵活就业医保缴费（医疗）" },
    param: function (name) {
      return new URLSearchParams(window.location.search).get(name);
    },
    /** "5000" or "5000.5" or "5,000.00" (yuan) → integer fen, or null. No floating point. */
    yuanToFen: function (text) {
      var s = String(text || "").replace(/[,，\s¥]/g, "");
      var m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
      if (!m) return null;
      return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
    },
    fenToYuanText: function (fen) {
      return Math.floor(fen / 100) + "." + ("0" + (fen % 100)).slice(-2);
    },
    rate: function (bp) { return (bp / 100) + "%"; },
    /** Half-up rounding of base × rate, as the server does (for the preview only). */
    amount: function (baseFen, rateBp) { return Math.floor((baseFen * rateBp * 2 + 10000) / 20000); },
    lineRows: function (tbody, lines) {
      tbody.textContent = "";
      lines.forEach(function (line) {
        tbody.appendChild(el("tr", {},
          el("td", { "data-label": "月份" }, SBP.month(line.period)),
          el("td", { "data-label": "缴费基数" }, SBP.fen(line.base_fen)),
          el("td", { "data-label": "费率" }, PAY.rate(line.rate_bp)),
          el("td", { "data-label": "金额" }, SBP.fen(line.amount_fen))));
      });
    },
    safePath: function (path) {
      return typeof path === "string" && path.charAt(0) === "/" && path.charAt(1) !== "/" ? path : null;
    }
  };
})();
