/* 参保概况: per type first/last month, months, status (GET /api/records/summary). */
(function () {
  "use strict";
  var el = SBP.el;
  SBP.onReady(function () {
    var target = document.getElementById("summary");
    SBP.api("GET", "/api/records/summary").then(function (answer) {
      target.textContent = "";
      if (!answer.types.length) {
        target.appendChild(el("p", { className: "notice" }, "暂无参保缴费记录。"));
        return;
      }
      target.appendChild(el("ul", { className: "summary-list", id: "summary-list" }, answer.types.map(function (t) {
        var unit = t.unit === "year" ? "年" : "个月";
        return el("li", { dataset: { type: t.type_code } },
          el("h3", {}, t.type_name + "（" + t.type_code + "）"),
          el("dl", { className: "info" },
            el("div", {}, el("dt", {}, "首次缴费"), el("dd", {}, t.first_period ? SBP.month(t.first_period) : "—")),
            el("div", {}, el("dt", {}, "最近到账"), el("dd", {}, t.last_period ? SBP.month(t.last_period) : "—")),
            el("div", {}, el("dt", {}, "累计缴费"), el("dd", {}, t.months + unit)),
            t.owed_months ? el("div", {}, el("dt", {}, "欠缴"), el("dd", {}, t.owed_months + unit)) : null,
            el("div", {}, el("dt", {}, "当前状态"), el("dd", {}, t.status_label))),
          el("p", {}, el("a", { href: "/records/contributions.html?type=" + t.type_code }, "查看" + t.type_name + "缴费明细")));
      })));
    }, function (err) { SBPRecords.fail(target, err); });
  });
})();
