/* Shared helpers of the payment pages (社保缴费). */
(function () {
  "use strict";
  var el = SBP.el;
  window.PAY = {
    KIND_TITLES: { flexible_pension: "灵活就业社保缴费（养老）", flexible_medical: "灵活就业医保缴费（医疗）",
      resident_medical: "城乡居民医保缴费", resident_pension: "城乡居民养老保险缴费" },
    /** Where a new order of `kind` starts (step 1). */
    startPath: function (kind) {
      var page = /^resident_/.test(kind) ? "/pay/resident.html" : "/pay/new.html";
      return page + "?kind=" + encodeURIComponent(kind);
    },
    /** What an order pays, in words: "2027年度" (resident) or "2026年10月、2026年11月". */
    periodsText: function (order) {
      return order.year ? order.year + "年度" : order.months.map(SBP.month).join("、");
    },
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
    /** A resident order's one year: 年度, 档次 (pension) or "—", government subsidy, personal amount. */
    residentRows: function (table, lines, order) {
      var heads = table.querySelectorAll("thead th");
      ["缴费年度", "缴费档次", "政府补助", "个人缴费"].forEach(function (text, i) { heads[i].textContent = text; });
      var tbody = table.querySelector("tbody");
      tbody.textContent = "";
      lines.forEach(function (line) {
        tbody.appendChild(el("tr", {},
          el("td", { "data-label": "缴费年度" }, line.year + "年度"),
          el("td", { "data-label": "缴费档次" }, order.level_fen ? SBP.fen(order.level_fen) : "—"),
          el("td", { "data-label": "政府补助" }, SBP.fen(line.subsidy_fen)),
          el("td", { "data-label": "个人缴费" }, SBP.fen(line.amount_fen))));
      });
    },
    safePath: function (path) {
      return typeof path === "string" && path.charAt(0) === "/" && path.charAt(1) !== "/" ? path : null;
    }
  };
})();
