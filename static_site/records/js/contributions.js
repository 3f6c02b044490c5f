/* 缴费历史查询 (seed 2.5): type and year, six months a page, 下一页 via the opaque cursor. */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };
  var types = [];
  var current = null;   // {type, year, cursors: [null, c1, ...], page}

  function fillYears() {
    var chosen = types.filter(function (t) { return t.type_code === $("type-select").value; })[0];
    var select = $("year-select");
    select.textContent = "";
    (chosen ? chosen.years : []).forEach(function (y) { select.appendChild(el("option", { value: String(y) }, y + "年")); });
  }

  function employeeColumns() {
    return [
      { label: "费款所属期", value: function (r) { return SBP.month(r.period); } },
      { label: "缴费单位", value: function (r) { return r.employer; } },
      { label: "缴费基数", value: function (r) { return SBP.fen(r.base_fen); } },
      { label: "单位缴费", value: function (r) { return SBP.fen(r.employer_fen); } },
      { label: "个人缴费", value: function (r) { return SBP.fen(r.personal_fen); } },
      { label: "划入个人账户", value: function (r) { return r.account_fen ? SBP.fen(r.account_fen) : "—"; } },
      { label: "状态", value: function (r) { return r.status_label; } },
      { label: "到账日期", value: function (r) { return r.posted_on ? SBPRecords.isoDate(r.posted_on) : "—"; } }
    ];
  }

  /** 城乡居民 insurance: paid once a year at a fixed amount, with a government subsidy. */
  function residentColumns() {
    return [
      { label: "缴费年度", value: function (r) { return r.period.slice(0, 4) + "年"; } },
      { label: "代收单位", value: function (r) { return r.employer; } },
      { label: "个人缴费", value: function (r) { return SBP.fen(r.personal_fen); } },
      { label: "政府补贴", value: function (r) { return r.subsidy_fen ? SBP.fen(r.subsidy_fen) : "—"; } },
      { label: "划入个人账户", value: function (r) { return r.account_fen ? SBP.fen(r.account_fen) : "—"; } },
      { label: "状态", value: function (r) { return r.status_label; } },
      { label: "到账日期", value: function (r) { return r.posted_on ? SBPRecords.isoDate(r.posted_on) : "—"; } }
    ];
  }

  function render(answer) {
    var title = $("result-title");
    title.textContent = answer.type_name + " " + answer.year + "年 第" + (current.page + 1) + "页";
    title.hidden = false;
    var target = $("result");
    target.textContent = "";
    if (!answer.items.length) {
      target.appendChild(el("p", { className: "notice", id: "empty-year" }, answer.year + "年没有" + answer.type_name + "缴费记录。"));
    } else {
      target.appendChild(SBPRecords.table(answer.type_name + answer.year + "年缴费明细",
        answer.scheme === "resident" ? residentColumns() : employeeColumns(), answer.items, "contributions-table"));
    }
    current.cursors[current.page + 1] = answer.next_cursor;
    $("next-page").hidden = !answer.next_cursor;
    $("first-page").hidden = current.page === 0;
    SBP.announce(title.textContent + "，共" + answer.items.length + "条");
  }

  function load() {
    var cursor = current.cursors[current.page];
    var path = "/api/insurance/" + encodeURIComponent(current.type) + "/contributions?year=" +
      encodeURIComponent(current.year) + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    return SBP.api("GET", path).then(render, function (err) { SBP.showError($("query-form"), err); });
  }

  SBP.onReady(function () {
    SBP.api("GET", "/api/records/summary").then(function (answer) {
      types = answer.types;
      if (!types.length) { $("no-types").hidden = false; $("query-form").hidden = true; return; }
      types.forEach(function (t) {
        $("type-select").appendChild(el("option", { value: t.type_code }, t.type_name + "（" + t.type_code + "）"));
      });
      var wanted = new URLSearchParams(window.location.search).get("type");
      if (wanted && types.some(function (t) { return t.type_code === wanted; })) $("type-select").value = wanted;
      fillYears();
    }, function (err) { SBP.showError($("query-form"), err); });
    $("type-select").addEventListener("change", fillYears);
    $("query-form").addEventListener("submit", function (event) {
      event.preventDefault();
      SBP.clearErrors($("query-form"));
      current = { type: $("type-select").value, year: $("year-select").value, cursors: [null], page: 0 };
      load();
    });
    $("next-page").addEventListener("click", function () {
      current.page += 1;
      load().then(function () { $("result-title").focus(); });
    });
    $("first-page").addEventListener("click", function () {
      current.page = 0;
      load().then(function () { $("result-title").focus(); });
    });
  });
})();
