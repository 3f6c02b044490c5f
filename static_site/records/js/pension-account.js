/* 养老个人账户 (seed 2.5.1): year by year with the annual formula (GET /api/records/pension-account).
   Years after the core system's last year-end are computed from the months paid and marked 暂计. */
(function () {
  "use strict";
  var el = SBP.el;

  function yearText(r) {
    if (!r.provisional) return r.year + "年";
    return el("span", {}, r.year + "年 ", el("span", { className: "tag-provisional" }, r.official ? "暂计·含网上补缴" : "暂计"));
  }

  function interestText(r) {
    var amount = SBP.fen(r.interest_fen);
    return r.interest_months < 12 ? amount + "（计息" + r.interest_months + "个月）" : amount;
  }

  function explain(answer) {
    var box = document.getElementById("provisional-note");
    box.textContent = "";
    if (!answer.provisional_from_year && !answer.online_years.length) { box.hidden = true; return; }
    var official = answer.last_official_year
      ? answer.last_official_year + "年及以前各年为社保经办机构年度结算的正式数据；"
      : "社保经办机构尚未提供您的年度结算数据；";
    if (answer.provisional_from_year) {
      box.appendChild(el("p", {}, official + answer.provisional_from_year +
        "年起标注“暂计”的年份，按您已缴费到账的月份（含网上缴费）即时计算，年度结算后以正式数据为准。"));
    }
    if (answer.online_years.length) {
      box.appendChild(el("p", {}, answer.online_years.join("年、") +
        "年含年度结算后网上补缴的月份，已暂计入当年记账额，待社保经办机构确认。"));
    }
    box.appendChild(el("p", {}, "尚未结束的年度只计算已过月份的利息，利息暂计至" + answer.interest_through +
      "；退休当年只计算退休前月份的利息。"));
    box.hidden = false;
  }

  SBP.onReady(function () {
    var target = document.getElementById("account");
    SBP.api("GET", "/api/records/pension-account").then(function (answer) {
      document.getElementById("formula").textContent = "计算方法（年度计算法）：" + answer.formula +
        "，每年末四舍五入到分。" + answer.partial_formula + "。";
      target.textContent = "";
      if (!answer.items.length) {
        target.appendChild(el("p", { className: "notice" }, "暂无养老个人账户记录。"));
        return;
      }
      var latest = answer.items[0];
      document.getElementById("balance").textContent = "当前账户累计储存额：" + SBP.fen(answer.balance_fen) +
        (latest.provisional ? "（暂计，利息计至" + answer.interest_through + "）" : "");
      explain(answer);
      target.appendChild(SBPRecords.table("养老个人账户逐年明细", [
        { label: "年度", value: yearText },
        { label: "年初余额", value: function (r) { return SBP.fen(r.opening_fen); } },
        { label: "缴费月数", value: function (r) { return r.months + "个月"; } },
        { label: "当年记账额", value: function (r) { return SBP.fen(r.credited_fen); } },
        { label: "记账利率", value: function (r) {
          return (r.rate_bp / 100).toFixed(2) + "%" + (r.rate_source === "published" ? "" : "（" + r.rate_label + "）");
        } },
        { label: "利息", value: interestText },
        { label: "年末余额", value: function (r) {
          return r.interest_months < 12 ? SBP.fen(r.closing_fen) + "（截至" + (r.interest_months ? r.interest_months + "月末" : "年初") + "）"
            : SBP.fen(r.closing_fen);
        } }
      ], answer.items, "account-table"));
    }, function (err) { SBPRecords.fail(target, err); });
  });
})();
