/* Public certificate verification (no sign-in): GET /api/certificates/verify/{code}. */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };

  function show(answer) {
    var target = $("verify-result");
    target.textContent = "";
    target.appendChild(el("div", { className: "success", id: "verify-valid" },
      el("h2", {}, "证明有效"),
      el("dl", { className: "info" },
        el("div", {}, el("dt", {}, "验证码"), el("dd", {}, answer.code_display)),
        el("div", {}, el("dt", {}, "姓名"), el("dd", { id: "verify-name" }, answer.name_masked)),
        el("div", {}, el("dt", {}, "公民身份号码"), el("dd", {}, answer.id_number_masked)),
        el("div", {}, el("dt", {}, "证明期间"), el("dd", {}, SBP.month(answer.from_period) + " 至 " + SBP.month(answer.to_period))),
        el("div", {}, el("dt", {}, "开具日期"), el("dd", {}, answer.issued_on)),
        el("div", {}, el("dt", {}, "有效期至"), el("dd", {}, answer.expires_on)))));
    target.appendChild(SBPRecords.table("证明内容", [
      { label: "险种", value: function (t) { return t.type_name + "（" + t.type_code + "）"; } },
      { label: "缴费月数", value: function (t) { return t.months + "个月"; } },
      { label: "缴费合计", value: function (t) { return SBP.fen(t.total_fen); } },
      { label: "欠缴月数", value: function (t) { return t.owed_months + "个月"; } }
    ], answer.types, "verify-types"));
    SBP.announce("证明有效");
  }

  function showProblem(err) {
    var target = $("verify-result");
    target.textContent = "";
    var title = err.status === 410 ? "证明已失效" : err.status === 404 ? "未找到该证明" : "暂时无法核验";
    target.appendChild(el("div", { className: "form-error", role: "alert", id: "verify-invalid", dataset: { status: String(err.status) } },
      el("h2", {}, title), el("p", {}, err.message)));
  }

  function verify(code) {
    SBP.clearErrors($("verify-form"));
    // as the server does: full-width forms folded (NFKC), spaces and dashes between the groups dropped
    var cleaned = String(code || "").normalize("NFKC").replace(/[\s\u2010-\u2015\u2212\u4e00_.·-]/g, "");
    if (!cleaned) { SBP.showError($("verify-form"), { message: "请输入证明上的验证码", field: "code" }); return; }
    SBP.api("GET", "/api/certificates/verify/" + encodeURIComponent(cleaned)).then(show, showProblem);
  }

  SBP.onReady(function () {
    $("verify-form").addEventListener("submit", function (event) {
      event.preventDefault();
      verify($("code").value);
    });
    var fromQr = new URLSearchParams(window.location.search).get("code");
    if (fromQr) { $("code").value = fromQr; verify(fromQr); }
  });
})();
