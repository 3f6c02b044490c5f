/* 账号设置 → 通行密钥: the list, adding one (the browser's passkey dialog) and removing one.
 * Each change is confirmed by the login password or an SMS code (used once). */
(function () {
  "use strict";
  var el = SBP.el;
  var listArea = document.getElementById("passkey-list");
  var result = document.getElementById("result");
  var confirmForm = document.getElementById("confirm-form");
  var addForm = document.getElementById("add-form");
  var addButton = document.getElementById("add-button");
  var confirmId = null;

  function confirmBy() { return confirmForm.querySelector("input[name=confirm_by]:checked").value; }

  Array.prototype.forEach.call(confirmForm.querySelectorAll("input[name=confirm_by]"), function (radio) {
    radio.addEventListener("change", function () {
      document.getElementById("password-part").hidden = confirmBy() !== "password";
      document.getElementById("sms-part").hidden = confirmBy() !== "sms";
    });
  });
  confirmForm.addEventListener("submit", function (event) { event.preventDefault(); });

  document.getElementById("confirm-send").addEventListener("click", function () {
    var button = this;
    SBP.clearErrors(confirmForm);
    button.disabled = true;
    SBP.api("POST", "/api/account/passkeys/confirm-code").then(function (answer) {
      confirmId = answer.confirm_id;
      button.disabled = false;
      button.textContent = "重新获取";
      document.getElementById("confirm-status").textContent = "验证码已发送到 " + answer.phone_masked + "，5分钟内有效。";
      confirmForm.elements.sms_code.focus();
    }, function (err) {
      button.disabled = false;
      SBP.showError(confirmForm, err);
    });
  });

  /** The confirmation fields for the API, or null after showing what is missing. */
  function confirmation() {
    SBP.clearErrors(confirmForm);
    if (confirmBy() === "password") {
      var password = confirmForm.elements.password.value;
      if (!password) { SBP.showError(confirmForm, { field: "password", message: "请输入登录密码以确认是您本人" }); return null; }
      return { password: password };
    }
    var code = confirmForm.elements.sms_code.value.trim();
    if (!confirmId) { SBP.showError(confirmForm, { field: "sms_code", message: "请先点击“获取短信验证码”" }); return null; }
    if (!/^\d{6}$/.test(code)) { SBP.showError(confirmForm, { field: "sms_code", message: "请输入短信中的6位数字验证码" }); return null; }
    return { confirm_id: confirmId, sms_code: code };
  }

  function confirmationUsed() {
    confirmForm.elements.password.value = "";
    confirmForm.elements.sms_code.value = "";
    if (confirmId) {
      confirmId = null;
      document.getElementById("confirm-status").textContent = "短信验证码已使用，下次添加或删除需重新获取。";
    }
  }

  function showFailure(err, otherForm) {
    if (err.field === "password" || err.field === "sms_code" || err.code === "flow_expired") {
      if (err.code === "flow_expired") { confirmId = null; err = { field: "sms_code", message: err.message }; }
      SBP.showError(confirmForm, err);
    } else {
      SBP.showError(otherForm, { message: SBP.passkey.message(err) });
    }
  }

  function say(text) {
    result.textContent = "";
    result.appendChild(el("p", { className: "success" }, text));
  }

  function render(items) {
    listArea.textContent = "";
    if (!items.length) {
      listArea.appendChild(el("p", { className: "empty" }, "您还没有登记通行密钥。"));
      return;
    }
    var rows = items.map(function (item) {
      return el("tr", {},
        el("td", { "data-label": "名称" }, item.name),
        el("td", { "data-label": "添加时间" }, SBP.dateTime(item.created_at)),
        el("td", { "data-label": "最近使用" }, item.last_used_at ? SBP.dateTime(item.last_used_at) : "尚未使用"),
        el("td", { "data-label": "操作" },
          el("button", { type: "button", className: "btn btn-small", "data-id": item.id,
                         "aria-label": "删除通行密钥“" + item.name + "”", onclick: function () { remove(item); } }, "删除")));
    });
    listArea.appendChild(el("div", { className: "table-wrap" },
      el("table", { id: "passkey-table", className: "stack" },
        el("caption", { className: "visually-hidden" }, "已登记的通行密钥"),
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "名称"), el("th", { scope: "col" }, "添加时间"),
                                    el("th", { scope: "col" }, "最近使用"), el("th", { scope: "col" }, "操作"))),
        el("tbody", {}, rows))));
  }

  function load() {
    return SBP.api("GET", "/api/account/passkeys").then(function (answer) { render(answer.items || []); }, function (err) {
      listArea.textContent = "";
      listArea.appendChild(el("p", { className: "form-error", role: "alert" }, err.message));
    });
  }

  function remove(item) {
    var proof = confirmation();
    if (!proof) return;
    SBP.confirm("删除后，就不能再用“" + item.name + "”登录了。确定删除吗？", { title: "删除通行密钥", ok: "删除", focusCancel: true })
      .then(function (yes) {
        if (!yes) return null;
        return SBP.api("DELETE", "/api/account/passkeys/" + encodeURIComponent(item.id), proof).then(function () {
          confirmationUsed();
          say("已删除通行密钥“" + item.name + "”。");
          return load().then(function () { document.getElementById("list-title").focus(); });
        }, function (err) { showFailure(err, confirmForm); });
      });
  }

  if (!SBP.passkey.supported()) {
    document.getElementById("add-unsupported").hidden = false;
    addButton.disabled = true;
  }

  addForm.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(addForm);
    result.textContent = "";
    var proof = confirmation();
    if (!proof) return;
    var name = addForm.elements.name.value.trim();
    addButton.disabled = true;
    SBP.api("POST", "/api/account/passkeys/options", proof).then(function (options) {
      confirmationUsed();
      return SBP.passkey.create(options.publicKey).then(function (credential) {
        return SBP.api("POST", "/api/account/passkeys", { challenge_id: options.challenge_id, name: name, credential: credential });
      });
    }).then(function (added) {
      addButton.disabled = false;
      addForm.elements.name.value = "";
      say("已添加通行密钥“" + added.name + "”。下次登录时可选择“通行密钥登录”。");
      return load();
    }, function (err) {
      addButton.disabled = false;
      showFailure(err, addForm);
    });
  });

  document.getElementById("list-title").setAttribute("tabindex", "-1");
  document.addEventListener("sbp:ready", load);
})();
