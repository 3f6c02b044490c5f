/* 个人权益记录单: choose a year with data, get a short-lived link to its PDF. */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };

  document.addEventListener("sbp:ready", function () {
    var form = $("statement-form");
    SBP.api("GET", "/api/records/statements").then(function (answer) {
      $("loading").hidden = true;
      if (!answer.years.length) {
        $("statement-result").appendChild(el("p", { className: "notice" }, "暂无参保缴费记录，无法生成记录单。"));
        return;
      }
      answer.years.forEach(function (y) {
        $("statement-year").appendChild(el("option", { value: String(y) }, y + "年度"));
      });
      form.hidden = false;
    }, function (err) {
      $("loading").hidden = true;
      $("statement-result").appendChild(el("p", { className: "form-error", role: "alert" }, err.message));
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      SBP.clearErrors(form);
      var result = $("statement-result");
      result.textContent = "";
      SBP.api("POST", "/api/records/statements", { year: parseInt($("statement-year").value, 10) }).then(function (answer) {
        result.appendChild(el("p", { className: "success" }, answer.year + "年度个人权益记录单已生成。"));
        result.appendChild(el("p", {}, el("a", { href: answer.download_url, id: "statement-download" },
          "下载" + answer.year + "年度个人权益记录单（PDF）")));
        result.appendChild(el("p", { className: "field-hint" }, "下载链接5分钟内有效，过期请重新生成。"));
        SBP.announce(answer.year + "年度个人权益记录单已生成");
      }, function (err) { SBP.showError(form, err); });
    });
  });
})();
