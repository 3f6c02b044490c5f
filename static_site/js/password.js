/* Change password (seed 2.2.1 / 2.4.2): old password required. */
(function () {
  "use strict";
  var form = document.getElementById("password-form");
  var result = document.getElementById("result");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(form);
    result.textContent = "";
    if (!form.elements.old_password.value) {
      SBP.showError(form, { field: "old_password", message: "请输入原密码" });
      return;
    }
    var problem = SBP.checkNewPassword(form, "new_password", "confirm_password");
    if (problem) { SBP.showError(form, problem); return; }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    SBP.api("POST", "/api/account/password", {
      old_password: form.elements.old_password.value,
      new_password: form.elements.new_password.value
    }).then(function (answer) {
      button.disabled = false;
      form.reset();
      var text = "密码修改成功，下次登录请使用新密码。";
      if (answer.other_sessions_ended) text += "您在其他设备上的 " + answer.other_sessions_ended + " 个登录已失效。";
      result.textContent = "";
      result.appendChild(SBP.el("p", { className: "success", id: "password-done" }, text));
      result.appendChild(SBP.el("p", {}, SBP.el("a", { href: "/home.html" }, "返回首页")));
    }, function (err) {
      button.disabled = false;
      SBP.showError(form, err);
    });
  });
})();
