/* 断缴情况: missing months per type, in runs, with the cost to fill each (GET /api/records/gaps). */
(function () {
  "use strict";
  var el = SBP.el;

  function runText(run, unit) {
    var span = run.from === run.to ? SBP.month(run.from) : SBP.month(run.from) + " 至 " + SBP.month(run.to);
    if (unit === "year") span = run.from.slice(0, 4) + "年" + (run.years > 1 ? " 至 " + run.to.slice(0, 4) + "年" : "");
    return span + "，共" + (unit === "year" ? run.years + "年" : run.months + "个月") +
      (run.owed_months ? "（其中欠缴" + (unit === "year" ? run.owed_months / 12 + "年" : run.owed_months + "个月") + "）" : "");
  }

  function costText(run) {
    if (run.cost_fen === null) return "此险种不能以灵活就业身份补缴，请联系用人单位或社保经办机构。";
    var parts = run.by_year.map(function (y) {
      return y.base_fen === null ? y.year + "年 " + SBP.fen(y.cost_fen)
        : y.year + "年 " + y.months + "个月 × " + SBP.fen(y.base_fen) + " × " + (y.rate_bp / 100) + "%";
    });
    return "补缴约 " + SBP.fen(run.cost_fen) + "（" + parts.join("；") + "）" +
      (run.payable_online_months ? "，其中" + run.payable_online_months + "个月可在网上补缴" : "");
  }

  /** One step into the payment flow with the run's payable months already chosen. */
  function payLink(type, run) {
    if (!type.pay_kind || !run.payable_months || !run.payable_months.length) return null;
    var href = "/pay/new.html?kind=" + encodeURIComponent(type.pay_kind) +
      "&months=" + encodeURIComponent(run.payable_months.join(","));
    return el("p", {}, el("a", { href: href, className: "btn btn-primary pay-gap" },
      "补缴这" + run.payable_months.length + "个月"));
  }

  SBP.onReady(function () {
    var target = document.getElementById("gaps");
    SBP.api("GET", "/api/records/gaps").then(function (answer) {
      target.textContent = "";
      if (!answer.types.length) { target.appendChild(el("p", { className: "notice" }, "暂无参保缴费记录。")); return; }
      answer.types.forEach(function (t) {
        var section = el("section", { className: "panel", dataset: { type: t.type_code }, "aria-labelledby": "gap-" + t.type_code },
          el("h2", { id: "gap-" + t.type_code }, t.type_name + "（" + t.type_code + "）"),
          el("p", { className: "muted" }, "统计范围：" + SBP.month(t.first_period) + " 至 " + SBP.month(t.through_period)));
        if (!t.runs.length) {
          section.appendChild(el("p", { className: "success" }, "没有断缴，缴费连续。"));
        } else {
          section.appendChild(el("p", {}, "共断缴 " + (t.unit === "year" ? t.missing_months + "年" : t.missing_months + "个月") +
            (t.total_cost_fen !== null ? "，全部补缴约 " + SBP.fen(t.total_cost_fen) : "") + "："));
          section.appendChild(el("ul", { className: "list" }, t.runs.map(function (run) {
            return el("li", { className: "gap-run" + (run.owed_months ? " owed" : "") },
              el("strong", {}, runText(run, t.unit)), el("div", {}, costText(run)), payLink(t, run));
          })));
        }
        target.appendChild(section);
      });
    }, function (err) { SBPRecords.fail(target, err); });
  });
})();
