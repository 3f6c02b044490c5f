/* 养老个人账户 (seed 2.5.1): year by year with the annual formula (GET /api/records/pension-account). */
(function () {
  "use strict";
  var el = SBP.el;
  SBP.onReady(function () {
    var target = document.getElementById("account");
    SBP.api("GET", "/api/records/pension-account").then(function (answer) {
      document.getElementById("formula").textContent = "计算方法（年度计算法）：" + answer.formula + "，每年末四舍五入到分。";
      target.textContent = "";
      if (!answer.items.length) {
        target.appendChild(el("p", { className: "notice" }, "暂无养老个人账户记录。"));
        return;
      }
      document.getElementById("balance").textContent = "当前账户累计储存额：" + SBP.fen(answer.balance_fen);
      target.appendChild(SBPRecords.table("养老个人账户逐年明细", [
        { label: "年度", value: function (r) { return r.year + "年"; } },
        { label: "年初余额", value: function (r) { return SBP.fen(r.opening_fen); } },
        { label: "缴费月数", value: function (r) { return r.months + "个月"; } },
        { label: "当年记账额", value: function (r) { return SBP.fen(r.credited_fen); } },
        { label: "记账利率", value: function (r) {
          return (r.rate_bp / 100).toFixed(2) + "%" + (r.rate_source === "published" ? "" : "（" + r.rate_label + "）");
        } },
        { label: "利息", value: function (r) { return SBP.fen(r.interest_fen); } },
        { label: "年末余额", value: function (r) { return SBP.fen(r.closing_fen); } }
      ], answer.items, "account-table"));
    }, function (err) { SBPRecords.fail(target, err); });
  });
})();
