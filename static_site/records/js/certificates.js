/* 参保证明: issue (types + period) → PDF via a short-lived link; list, revoke, verification log. */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };

  /** The PDF opens in a new tab (opened at the click, so no pop-up blocker stops it) and the
   *  resident stays in the portal. */
  function openPdf(tab, url) {
    if (tab) { tab.opener = null; tab.location.href = url; } else { window.location.assign(url); }
  }

  function monthValue(period) { return period.slice(0, 4) + "-" + period.slice(4); }

  function showLog(cert) {
    SBP.api("GET", "/api/certificates/" + encodeURIComponent(cert.code) + "/verifications").then(function (answer) {
      var target = $("log");
      target.textContent = "";
      $("log-title").textContent = "核验记录：" + answer.code_display;
      if (!answer.items.length) target.appendChild(el("p", { className: "notice" }, "这份证明还没有被核验过。"));
      else target.appendChild(SBPRecords.table("核验记录", [
        { label: "核验时间", value: function (v) { return SBP.dateTime(v.at); } },
        { label: "结果", value: function (v) { return { VALID: "有效", REVOKED: "已撤销", EXPIRED: "已过期" }[v.outcome] || v.outcome; } },
        { label: "来源地址", value: function (v) { return v.source_ip; } },
        { label: "方式", value: function (v) { return v.agent; } }
      ], answer.items, "log-table"));
      $("log-section").hidden = false;
      $("log-title").focus();
    }, function (err) { SBPRecords.fail($("log"), err); });
  }

  function actions(cert) {
    var box = el("div", { className: "actions" });
    if (cert.status === "VALID") {
      var download = el("button", { type: "button", className: "btn btn-small", dataset: { action: "download" } }, "打开PDF");
      download.addEventListener("click", function () {
        var tab = window.open("", "_blank");
        SBP.api("GET", "/api/certificates/" + encodeURIComponent(cert.code) + "/download").then(function (a) {
          openPdf(tab, a.download_url);
        }, function (err) { if (tab) tab.close(); SBP.announce(err.message); });
      });
      var revoke = el("button", { type: "button", className: "btn btn-small", dataset: { action: "revoke" } }, "撤销");
      revoke.addEventListener("click", function () {
        SBP.confirm("撤销后，任何人核验这份证明都会显示“已撤销”，且不能恢复。确定撤销吗？", { ok: "确定撤销" }).then(function (yes) {
          if (!yes) return;
          SBP.api("POST", "/api/certificates/" + encodeURIComponent(cert.code) + "/revoke").then(function () {
            SBP.announce("证明已撤销");
            loadMine();
          }, function (err) { SBP.announce(err.message); });
        });
      });
      box.appendChild(download);
      box.appendChild(revoke);
    }
    var log = el("button", { type: "button", className: "btn btn-small", dataset: { action: "log" } },
      "核验记录（" + cert.verify_count + "）");
    log.addEventListener("click", function () { showLog(cert); });
    box.appendChild(log);
    return box;
  }

  function loadMine() {
    return SBP.api("GET", "/api/certificates").then(function (answer) {
      var target = $("mine");
      target.textContent = "";
      if (!answer.items.length) { target.appendChild(el("p", { className: "notice" }, "您还没有开具过参保证明。")); return; }
      target.appendChild(SBPRecords.table("我开具的证明", [
        { label: "验证码", value: function (c) { return el("span", { className: "code" }, c.code_display); } },
        { label: "险种", value: function (c) { return c.types.map(function (t) { return t.type_name; }).join("、"); } },
        { label: "证明期间", value: function (c) { return SBP.month(c.from_period) + " 至 " + SBP.month(c.to_period); } },
        { label: "开具日期", value: function (c) { return SBP.date(c.issued_at); } },
        { label: "有效期至", value: function (c) { return SBP.date(c.expires_at); } },
        { label: "状态", value: function (c) { return el("span", { className: "status-" + c.status, dataset: { status: c.status } }, c.status_label); } },
        { label: "操作", value: actions }
      ], answer.items, "mine-table"));
    }, function (err) { SBPRecords.fail($("mine"), err); });
  }

  SBP.onReady(function () {
    SBP.api("GET", "/api/records/summary").then(function (answer) {
      var box = $("type-choices");
      // Defaults: every type the resident has, over their own contribution span.
      answer.types.forEach(function (t) {
        var id = "type-" + t.type_code;
        box.appendChild(el("label", { className: "choice", htmlFor: id },
          el("input", { type: "checkbox", id: id, value: t.type_code, name: "type_code", checked: true }),
          t.type_name + "（" + t.type_code + "）"));
      });
      var now = new Date();
      var thisMonth = String(now.getFullYear()) + ("0" + (now.getMonth() + 1)).slice(-2);
      var firsts = answer.types.map(function (t) { return t.first_period; }).filter(Boolean).sort();
      var lasts = answer.types.map(function (t) {
        if (!t.last_period) return null;
        var end = t.unit === "year" ? t.last_period.slice(0, 4) + "12" : t.last_period;
        return end > thisMonth ? thisMonth : end;
      }).filter(Boolean).sort();
      $("cert-from").value = monthValue(firsts.length ? firsts[0] : thisMonth);
      $("cert-to").value = monthValue(lasts.length ? lasts[lasts.length - 1] : thisMonth);
    });
    loadMine();
    $("issue-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = $("issue-form");
      SBP.clearErrors(form);
      var types = Array.prototype.map.call(form.querySelectorAll("input[name=type_code]:checked"), function (i) { return i.value; });
      var body = { types: types, from: SBPRecords.periodOf($("cert-from").value), to: SBPRecords.periodOf($("cert-to").value) };
      $("issue-button").disabled = true;
      SBP.api("POST", "/api/certificates", body).then(function (cert) {
        var target = $("issued");
        target.textContent = "";
        target.appendChild(el("div", { className: "success" },
          el("p", {}, "证明已开具，验证码：", el("strong", { id: "issued-code" }, cert.code_display)),
          el("p", {}, el("a", { href: cert.download_url, id: "issued-download", target: "_blank", rel: "noopener",
            className: "target" }, "打开参保证明PDF（在新标签页中打开）"),
            "（链接5分钟内有效，过期请在下方列表中重新下载）")));
        SBP.announce("证明已开具，验证码 " + cert.code_display);
        loadMine();
      }, function (err) {
        if (err.field === "types") err = { message: err.message, field: "type_code" };
        SBP.showError(form, err);
      }).then(function () { $("issue-button").disabled = false; });
    });
  });
})();
