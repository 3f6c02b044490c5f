/* 养老金测算: the resident's facts, the assumptions (within their limits) and the estimate with its
 * parts (GET /api/records/pension-estimate?retire_period=&base_index_bp=&wage_growth_bp=&interest_bp=). */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };
  var limits = null;

  function pct(bp) { return (bp / 100).toFixed(2) + "%"; }
  function index(bp) { return (bp / 10000).toFixed(2); }
  function index4(bp) { return bp === null || bp === undefined ? "—" : (bp / 10000).toFixed(4); }
  function months(n) {
    var y = Math.floor(n / 12), m = n % 12;
    return (y ? y + "年" : "") + (m || !y ? m + "个月" : "");
  }

  function ageText(m) { return Math.floor(m / 12) + "周岁" + (m % 12 ? (m % 12) + "个月" : ""); }
  function addMonths(period, n) {
    var i = parseInt(period.slice(0, 4), 10) * 12 + parseInt(period.slice(4), 10) - 1 + n;
    return String(Math.floor(i / 12)) + ("0" + (i % 12 + 1)).slice(-2);
  }
  function monthsFrom(a, b) {
    return (parseInt(b.slice(0, 4), 10) - parseInt(a.slice(0, 4), 10)) * 12 +
      parseInt(b.slice(4), 10) - parseInt(a.slice(4), 10);
  }

  function fact(label, value) {
    return el("div", {}, el("dt", {}, label), el("dd", {}, value === null || value === undefined ? "—" : value));
  }

  function renderFacts(a) {
    var f = a.facts;
    var list = $("facts");
    list.textContent = "";
    list.appendChild(fact("出生年月 / 性别", SBP.month(f.birth_period) + " / " + f.gender));
    var st = a.statutory;
    list.appendChild(fact("原法定退休年龄", st.original_age + "周岁" + (st.original_age_assumed ? "（记录中没有，按55周岁估算）" : "")));
    list.appendChild(fact("法定退休年龄", st.age_text + "，" + SBP.month(st.retire_period) + "退休（按渐进式延迟法定退休年龄规定）"));
    list.appendChild(fact("首次参保年月", SBP.month(f.first_period)));
    list.appendChild(fact("最近缴费年月", f.last_paid_period ? SBP.month(f.last_paid_period) : "—"));
    list.appendChild(fact("累计缴费", months(f.months_paid) + "（" + f.months_paid + "个月）" +
      (f.owed_months ? "，另有欠缴" + f.owed_months + "个月" : "")));
    list.appendChild(fact("历年平均缴费指数", index4(f.avg_index_bp)));
    list.appendChild(fact("最近缴费指数", index(f.latest_index_bp)));
    list.appendChild(fact("养老个人账户储存额", SBP.fen(f.account_balance_fen) +
      (f.account_balance_year ? "（截至" + f.account_balance_year + "年，与养老账户查询一致）" : "")));
    $("facts-section").hidden = false;
  }

  function fillForm(a) {
    var s = a.assumptions;
    limits = s;
    var select = $("retire-period");
    var st = a.statutory;
    select.textContent = "";
    for (var p = a.earliest_period; p <= a.latest_period; p = addMonths(p, 1)) {
      var age = monthsFrom(a.facts.birth_period, p);
      var label = SBP.month(p) + "（" + ageText(age) + (p === st.retire_period ? "，法定退休年月" : "") + "）";
      var option = el("option", { value: p }, label);
      if (p === s.retire_period.value) option.selected = true;
      select.appendChild(option);
    }
    $("retire-period-hint").textContent = "您的法定退休年月为" + SBP.month(st.retire_period) + "（" + st.age_text +
      "）；可选" + SBP.month(a.earliest_period) + "至" + SBP.month(a.latest_period) + "，提前最多3年且不低于原法定退休年龄，延后最多3年。";
    setNumber("base-index", index(s.base_index_bp.value), index(s.base_index_bp.min), index(s.base_index_bp.max));
    $("base-index-hint").textContent = "可填" + index(s.base_index_bp.min) + "至" + index(s.base_index_bp.max) +
      "；1.00表示按社平工资缴费，默认为您最近的缴费指数" + index(s.base_index_bp.default) + "。";
    setNumber("wage-growth", (s.wage_growth_bp.value / 100).toFixed(2), s.wage_growth_bp.min / 100, s.wage_growth_bp.max / 100);
    $("wage-growth-hint").textContent = "可填" + pct(s.wage_growth_bp.min) + "至" + pct(s.wage_growth_bp.max) +
      "，默认" + pct(s.wage_growth_bp.default) + "，用于推算今后各年的社平工资。";
    setNumber("interest", (s.interest_bp.value / 100).toFixed(2), s.interest_bp.min / 100, s.interest_bp.max / 100);
    $("interest-hint").textContent = "可填" + pct(s.interest_bp.min) + "至" + pct(s.interest_bp.max) +
      "，默认" + pct(s.interest_bp.default) + "，用于今年起的账户计息。";
    $("estimate-form").hidden = false;
  }

  function setNumber(id, value, min, max) {
    var input = $(id);
    input.value = value;
    input.min = String(min);
    input.max = String(max);
  }

  function renderResult(a) {
    var r = a.result;
    var target = $("result");
    target.textContent = "";
    target.appendChild(el("p", { className: "lead" },
      SBP.month(r.retire_period) + "退休（" + r.retire_age_text + "），" + SBP.month(r.pension_from) + "起每月预计领取："));
    target.appendChild(el("p", { className: "success", id: "estimate-total" },
      el("strong", {}, "基本养老金合计约 " + SBP.fen(r.total_fen) + " / 月"),
      el("br"), el("span", { id: "estimate-today" }, "折合今天的钱约 " + SBP.fen(r.total_today_fen) + " / 月")));
    target.appendChild(SBPRecords.table("养老金测算结果明细", [
      { label: "项目", value: function (p) { return p.name; } },
      { label: "每月金额", value: function (p) { return SBP.fen(p.amount_fen); } },
      { label: "折合今天", value: function (p) { return SBP.fen(p.today_fen); } },
      { label: "计算", value: function (p) { return el("span", {}, p.formula, el("br"), p.work); } }
    ], r.parts, "parts-table"));
    var facts = el("dl", { className: "info", id: "result-facts" },
      fact("缴费年限（已缴 + 今后）", r.contribution_years_text + "（" + r.total_months + "个月，其中今后" + r.future_months + "个月）"),
      fact("平均缴费指数（含今后）", index4(r.avg_index_bp)),
      fact(r.avg_wage_year + "年社平工资" + (r.avg_wage_projected ? "（推算）" : ""), SBP.fen(r.avg_wage_fen) + " / 月"),
      fact("退休时个人账户储存额（推算）", SBP.fen(r.account_at_retirement_fen)),
      fact("计发月数（个人账户储存额要除以的月数，按退休年龄确定）", r.divisor + "个月"),
      fact("约为退休时上年度社平工资的", (r.replacement_bp / 100).toFixed(1) + "%"));
    target.appendChild(facts);
    if (!r.meets_min_contribution) {
      target.appendChild(el("p", { className: "notice", id: "min-warning" },
        SBP.month(r.retire_period) + "退休需累计缴费满" + months(r.min_contribution_months) + "，按此测算累计缴费" +
        r.contribution_years_text + "，还差" + r.missing_months + "个月。" +
        (r.early ? "提前退休必须缴满最低缴费年限，请选择更晚的退休年月。" : "届时可以延长缴费至满足年限。")));
    }
    var notes = $("notes");
    notes.textContent = "";
    (a.notes || []).forEach(function (n) { notes.appendChild(el("li", {}, n)); });
    $("result-section").hidden = false;
    $("method-section").hidden = false;
  }

  function showStatus(a) {
    var box = $("estimate-message");
    box.textContent = "";
    if (a.status === "ok") return;
    var p = el("p", { className: "notice", id: "estimate-status", dataset: { status: a.status } }, a.message);
    box.appendChild(p);
    if (a.link) box.appendChild(el("p", {}, el("a", { href: a.link.href, id: "estimate-link" }, a.link.text)));
  }

  /** Read the form into query values (basis points), or show the first problem and return null. */
  function readForm(form) {
    var specs = [
      { id: "base-index", field: "base_index_bp", scale: 10000, name: "今后缴费指数", show: index, key: "base_index_bp" },
      { id: "wage-growth", field: "wage_growth_bp", scale: 100, name: "社平工资年增长率", show: pct, key: "wage_growth_bp" },
      { id: "interest", field: "interest_bp", scale: 100, name: "记账利率", show: pct, key: "interest_bp" }
    ];
    var query = { retire_period: $("retire-period").value };
    for (var i = 0; i < specs.length; i++) {
      var s = specs[i];
      var text = String($(s.id).value || "").trim();
      var value = Math.round(parseFloat(text) * s.scale);
      var lim = limits[s.key];
      if (!/^\d+(\.\d+)?$/.test(text) || !isFinite(value) || value < lim.min || value > lim.max) {
        SBP.showError(form, { field: s.field, message: s.name + "请填" + s.show(lim.min) + "至" + s.show(lim.max) + "之间的数" });
        return null;
      }
      query[s.field] = value;
    }
    return query;
  }

  function load(query) {
    var form = $("estimate-form");
    var parts = [];
    Object.keys(query || {}).forEach(function (k) { parts.push(k + "=" + encodeURIComponent(query[k])); });
    var result = $("result");
    result.setAttribute("aria-busy", "true");
    return SBP.api("GET", "/api/records/pension-estimate" + (parts.length ? "?" + parts.join("&") : "")).then(function (a) {
      result.removeAttribute("aria-busy");
      showStatus(a);
      if (a.status !== "ok") {
        ["facts-section", "result-section", "method-section"].forEach(function (id) { $(id).hidden = true; });
        form.hidden = true;
        return;
      }
      renderFacts(a);
      if (!query) fillForm(a);
      renderResult(a);
      SBP.announce("测算结果：" + SBP.month(a.result.retire_period) + "退休，每月约" + SBP.fen(a.result.total_fen) +
        "，折合今天约" + SBP.fen(a.result.total_today_fen));
    }, function (err) {
      result.removeAttribute("aria-busy");
      if (!limits) { SBPRecords.fail($("estimate-message"), err); return; }
      SBP.showError(form, err);
    });
  }

  function recalculate() {
    var form = $("estimate-form");
    SBP.clearErrors(form);
    var query = readForm(form);
    if (query) load(query);
  }

  SBP.onReady(function () {
    $("estimate-form").addEventListener("submit", function (event) {
      event.preventDefault();
      recalculate();
    });
    $("retire-period").addEventListener("change", recalculate);
    $("defaults-button").addEventListener("click", function () {
      SBP.clearErrors($("estimate-form"));
      load(null);
    });
    load(null);
  });
})();
