/* 社保卡基本信息 (seed 2.6.1): card information, loss report and its cancellation, applications. */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };

  function row(label, value, id) {
    return el("div", {}, el("dt", {}, label), el("dd", id ? { id: id } : {}, value || "—"));
  }

  function isoDate(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? m[1] + "年" + parseInt(m[2], 10) + "月" + parseInt(m[3], 10) + "日" : "—";
  }

  function renderCard(card) {
    var info = $("card-info");
    info.textContent = "";
    info.appendChild(row("卡片状态", el("span", { className: "status-tag status-" + card.status, id: "card-status" },
      card.status_label)));
    info.appendChild(row("社保卡卡号", card.card_no_masked || "制卡完成后生成", "card-no"));
    info.appendChild(row("合作银行", card.bank_name));
    info.appendChild(row("银行账号", card.bank_account_masked || "制卡完成后生成"));
    info.appendChild(row("发卡日期", isoDate(card.issued_on)));
    info.appendChild(row("有效期至", isoDate(card.valid_until)));
    info.appendChild(row("最近状态变更", SBP.dateTime(card.status_changed_at) +
      (card.status_reason ? "（" + card.status_reason + "）" : ""), "card-last-change"));
    $("card-panel").hidden = false;
  }

  function renderHistory(items) {
    var list = $("history-list");
    list.textContent = "";
    items.forEach(function (app) {
      var link = app.status === "DRAFT"
        ? el("a", { href: "/card/apply.html?id=" + encodeURIComponent(app.application_id) + "&step=" + app.step }, "继续办理")
        : null;
      list.appendChild(el("li", {},
        el("strong", {}, app.kind_label), "：", app.status_label, " ", link,
        el("div", { className: "muted" }, "创建于 " + SBP.dateTime(app.created_at) +
          (app.submitted_at ? "，提交于 " + SBP.dateTime(app.submitted_at) : ""))));
    });
    $("history-section").hidden = items.length === 0;
  }

  function render(answer) {
    $("card-loading").hidden = true;
    ["card-panel", "no-card", "open-application", "loss-section", "unloss-section"].forEach(function (id) {
      $(id).hidden = true;
    });
    if (answer.card) renderCard(answer.card);
    else {
      $("how-to-apply").textContent = answer.how_to_apply || "";
      $("no-card").hidden = false;
      $("apply-link").hidden = !answer.actions.apply;
    }
    var open = answer.open_application;
    if (open && open.status === "DRAFT") {
      $("open-text").textContent = "您有一个未提交的" + open.kind_label + "申请，下一步：" +
        ((open.steps || []).filter(function (s) { return s.name === open.step; })[0] || {}).label + "。";
      $("open-link").href = "/card/apply.html?id=" + encodeURIComponent(open.application_id) + "&step=" + open.step;
      $("open-link").hidden = false;
      $("open-application").hidden = false;
    } else if (open) {
      $("open-text").textContent = "您的" + open.kind_label + "申请" + open.status_label + "，制卡完成后按您选择的方式领取。";
      $("open-link").hidden = true;
      $("open-application").hidden = false;
    }
    $("loss-section").hidden = !answer.actions.report_loss;
    $("unloss-section").hidden = !answer.actions.cancel_loss;
    $("replacement-link").hidden = !answer.actions.apply_replacement;
    renderHistory(answer.applications || []);
  }

  function load() {
    return SBP.api("GET", "/api/card").then(render, function (err) {
      $("card-loading").hidden = true;
      $("card-result").appendChild(el("p", { className: "form-error", role: "alert" }, err.message));
    });
  }

  function done(text) {
    var box = $("card-result");
    box.textContent = "";
    box.appendChild(el("p", { className: "success", id: "card-done" }, text));
  }

  function passwordForm(form, path, confirmText, successText) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      SBP.clearErrors(form);
      var password = form.elements.password.value;
      if (!password) {
        SBP.showError(form, { field: "password", message: "请输入登录密码" });
        return;
      }
      var ask = confirmText ? SBP.confirm(confirmText, { title: "请确认", focusCancel: true }) : Promise.resolve(true);
      ask.then(function (yes) {
        if (!yes) return;
        var button = form.querySelector("button[type=submit]");
        button.disabled = true;
        SBP.api("POST", path, { password: password }).then(function () {
          button.disabled = false;
          form.reset();
          return load().then(function () {
            done(successText);
            SBP.announce(successText);
            $("card-title").focus();
          });
        }, function (err) {
          button.disabled = false;
          SBP.showError(form, err);
        });
      });
    });
  }

  document.addEventListener("sbp:ready", function () {
    passwordForm($("loss-form"), "/api/card/loss",
      "挂失后社保卡将立即暂停使用（医保结算和金融功能）。确定要挂失吗？",
      "挂失成功，已立即生效。找回卡片后可以解除挂失，无法找回请申请补卡。");
    passwordForm($("unloss-form"), "/api/card/loss/cancel", null, "已解除挂失，社保卡恢复正常使用。");
    load();
  });
})();
