/* 养老待遇发放 (seed 2.7): a year-month range, twelve months a page, items per month; each month
   named for its benefit (职工基本养老金（退休金） or 城乡居民基本养老金). */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };
  var range = null;
  var cursor = null;

  function itemsText(p) {
    return el("ul", { className: "plain" }, p.items.map(function (i) { return el("li", {}, i.name + " " + SBP.fen(i.amount_fen)); }));
  }

  function render(answer, append) {
    var title = $("payments-title");
    title.textContent = SBP.month(answer.from) + " 至 " + SBP.month(answer.to) + " 发放记录";
    title.hidden = false;
    var target = $("payments");
    if (!append) target.textContent = "";
    if (!answer.items.length && !append) {
      target.appendChild(el("p", { className: "notice", id: "no-payments" }, "所选期间没有养老待遇发放记录。"));
    } else {
      target.appendChild(SBPRecords.table("养老待遇发放明细", [
        { label: "发放年月", value: function (p) { return SBP.month(p.period); } },
        { label: "待遇类别", value: function (p) { return p.benefit_name; } },
        { label: "发放项目", value: itemsText },
        { label: "应发合计", value: function (p) { return SBP.fen(p.gross_fen); } },
        { label: "发放银行", value: function (p) { return (p.bank_name || "") + " " + (p.bank_account_masked || ""); } },
        { label: "发放日期", value: function (p) { return SBPRecords.isoDate(p.pay_date); } }
      ], answer.items));
    }
    cursor = answer.next_cursor;
    $("payments-next").hidden = !cursor;
    SBP.announce(title.textContent + "，本页" + answer.items.length + "个月");
  }

  var asked = 0;   // only the answer to the latest request is shown (the opening load may be slower)
  function load(append) {
    var path = "/api/benefits/pension-payments?from=" + range.from + "&to=" + range.to +
      (append && cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    var mine = ++asked;
    return SBP.api("GET", path).then(function (a) { if (mine === asked) render(a, append); },
      function (err) { if (mine === asked) SBP.showError($("range-form"), err); });
  }

  SBP.onReady(function () {
    var now = new Date();
    var to = now.getFullYear() + "-" + ("0" + (now.getMonth() + 1)).slice(-2);
    $("to-month").value = to;
    $("from-month").value = now.getFullYear() + "-01";
    $("range-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = $("range-form");
      SBP.clearErrors(form);
      var from = SBPRecords.periodOf($("from-month").value);
      var until = SBPRecords.periodOf($("to-month").value);
      if (!from) { SBP.showError(form, { message: "请输入起始年月，例如 2024-01", field: "from" }); return; }
      if (!until) { SBP.showError(form, { message: "请输入截止年月，例如 2024-12", field: "to" }); return; }
      range = { from: from, to: until };
      cursor = null;
      load(false);
    });
    $("payments-next").addEventListener("click", function () { load(true); });
    // open with this year's payments, newest first, without a click
    range = { from: SBPRecords.periodOf($("from-month").value), to: SBPRecords.periodOf($("to-month").value) };
    load(false);
  });
})();
