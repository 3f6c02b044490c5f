/* First sign-in activation: SMS code + a new password (never 888888). */
(function () {
  "use strict";
  var form = document.getElementById("activate-form");
  var flow = null;
  try { flow = JSON.parse(sessionStorage.getItem("sbp.activation") || "null"); } catch (e) { flow = null; }

  document.addEventListener("sbp:ready", function () {
    if (!flow || !flow.token) {
      document.getElementById("no-flow").hidden = false;
      return;
    }
    form.hidden = false;
    if (flow.phone_verified) {
      // Signed in by SMS code: the phone is proven, only the new password is needed.
      form.elements.sms_code.closest(".field").hidden = true;
      form.elements.sms_code.required = false;
      document.getElementById("sent-to").textContent = "您已通过短信验证码验证了登记的手机，请设置新密码。";
      form.elements.new_password.focus();
      return;
    }
    if (flow.phone_masked) {
      document.getElementById("sent-to").textContent =
        "短信验证码已发送到您登记的手机 " + flow.phone_masked + "，5分钟内有效。";
    }
    form.elements.sms_code.focus();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(form);
    if (!flow.phone_verified && !form.elements.sms_code.value.trim()) {
      SBP.showError(form, { field: "sms_code", message: "请输入短信中的验证码" });
      return;
    }
    var problem = SBP.checkNewPassword(form, "new_password", "confirm_password");
    if (problem) { SBP.showError(form, problem); return; }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    SBP.api("POST", "/api/auth/activate", {
      activation_token: flow.token,
      sms_code: flow.phone_verified ? undefined : form.elements.sms_code.value.trim(),
      new_password: form.elements.new_password.value
    }).then(function () {
      sessionStorage.removeItem("sbp.activation");
      SBP.flash("账号已激活，请牢记您的新密码。下次登录请使用新密码。");
      window.location.assign(flow.next || "/home.html");
    }, function (err) {
      button.disabled = false;
      if (err.code === "flow_expired") {
        sessionStorage.removeItem("sbp.activation");
        form.hidden = true;
        var box = document.getElementById("no-flow");
        box.hidden = false;
        box.setAttribute("tabindex", "-1");
        box.focus();
        return;
      }
      SBP.showError(form, err);
    });
  });
})();
