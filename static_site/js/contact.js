/* Change registration info (seed 2.2.3): phone or e-mail, confirmed by a code sent to the new address. */
(function () {
  "use strict";
  var form = document.getElementById("contact-form");
  var confirmForm = document.getElementById("confirm-form");
  var result = document.getElementById("result");
  var changeId = null;

  function field() { return form.querySelector("input[name=field]:checked").value; }
  function updateLabels() {
    var phone = field() === "phone";
    var input = form.elements.value;
    document.getElementById("value-label").textContent = phone ? "新的手机号码" : "新的电子邮箱";
    document.getElementById("value-hint").textContent = phone ? "11位手机号码，例如 13912345678" : "例如 zhang@example.com";
    input.type = phone ? "tel" : "email";
    input.setAttribute("autocomplete", phone ? "tel" : "email");
  }
  Array.prototype.forEach.call(form.querySelectorAll("input[name=field]"), function (radio) {
    radio.addEventListener("change", function () { SBP.clearErrors(form); updateLabels(); });
  });

  function showCurrent(me) {
    document.getElementById("current-phone").textContent = me.phone_masked || "未登记";
    document.getElementById("current-email").textContent = me.email || "未登记";
  }
  document.addEventListener("sbp:ready", function (event) { showCurrent(event.detail.me); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(form);
    result.textContent = "";
    var value = form.elements.value.value.trim();
    if (field() === "phone" && !/^1[3-9]\d{9}$/.test(value)) {
      return SBP.showError(form, { field: "value", message: "请输入11位手机号码，以1开头" });
    }
    if (field() === "email" && !/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(value)) {
      return SBP.showError(form, { field: "value", message: "邮箱格式不正确，例如 zhang@example.com" });
    }
    SBP.api("POST", "/api/account/contact", { field: field(), value: value }).then(function (answer) {
      changeId = answer.change_id;
      form.hidden = true;
      confirmForm.hidden = false;
      document.getElementById("sent-to").textContent = "验证码已发送到 " + answer.sent_to + "，5分钟内有效。请输入收到的验证码。";
      confirmForm.elements.code.value = "";
      confirmForm.elements.code.focus();
    }, function (err) { SBP.showError(form, err); });
  });

  confirmForm.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(confirmForm);
    var code = confirmForm.elements.code.value.trim();
    if (!code) return SBP.showError(confirmForm, { field: "code", message: "请输入收到的验证码" });
    SBP.api("POST", "/api/account/contact/confirm", { change_id: changeId, code: code }).then(function (answer) {
      confirmForm.hidden = true;
      form.hidden = false;
      form.reset();
      updateLabels();
      var label = answer.field === "phone" ? "手机号码" : "电子邮箱";
      document.getElementById(answer.field === "phone" ? "current-phone" : "current-email").textContent = answer.value_masked;
      var done = SBP.el("p", { className: "success", id: "contact-done", tabindex: "-1" },
        label + "已更改为 " + answer.value_masked + "。");
      result.textContent = "";
      result.appendChild(done);
      done.focus();
    }, function (err) {
      if (err.code === "flow_expired") err = { message: err.message + "（请点击“重新填写”）" };
      SBP.showError(confirmForm, err);
    });
  });

  document.getElementById("start-over").addEventListener("click", function () {
    SBP.clearErrors(confirmForm);
    confirmForm.hidden = true;
    form.hidden = false;
    form.elements.value.focus();
  });
})();
