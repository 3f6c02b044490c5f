/* Sign-in page (seed 2.1): the choice of the three ways in, and the first of them: ID number +
 * password + image captcha; initial password → activation. (SMS code: sms-login.js; passkey:
 * passkey-login.js.) */
(function () {
  "use strict";
  var form = document.getElementById("login-form");
  var idInput = form.elements.id_number;
  var captchaImg = document.getElementById("captcha-img");
  var button = document.getElementById("login-button");

  function newCaptcha() {
    form.elements.captcha_answer.value = "";
    return SBP.loadCaptcha(captchaImg).catch(function (err) { SBP.showError(form, err); });
  }

  SBP.upperCaseX(idInput);
  captchaImg.addEventListener("click", newCaptcha);
  document.getElementById("captcha-refresh").addEventListener("click", function () {
    newCaptcha().then(function () { SBP.announce("已换一张验证码"); });
  });

  function check() {
    var problem = SBP.idNumberProblem(idInput.value);
    if (problem) return { field: "id_number", message: problem };
    if (!form.elements.password.value) return { field: "password", message: "请输入密码（首次登录请输入初始密码888888）" };
    if (!form.elements.captcha_answer.value.trim()) return { field: "captcha_answer", message: "请输入图片中的验证码" };
    return null;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(form);
    idInput.value = idInput.value.trim().toUpperCase();
    var problem = check();
    if (problem) { SBP.showError(form, problem); return; }
    button.disabled = true;
    SBP.api("POST", "/api/auth/login", {
      id_number: idInput.value,
      password: form.elements.password.value,
      captcha_id: captchaImg.dataset.captchaId || "",
      captcha_answer: form.elements.captcha_answer.value.trim()
    }).then(SBP.afterSignIn, function (err) {
      button.disabled = false;
      // The captcha is single use: every failed attempt needs a new one.
      newCaptcha().then(function () {
        if (err.field === "password") form.elements.password.value = "";
        SBP.showError(form, err);
      });
    });
  });

  // The three ways in: one panel shown at a time, chosen with radio buttons.
  var panels = { password: form, sms: document.getElementById("sms-form"), passkey: document.getElementById("passkey-panel") };
  Array.prototype.forEach.call(document.querySelectorAll("input[name=way]"), function (radio) {
    radio.addEventListener("change", function () {
      Object.keys(panels).forEach(function (way) { panels[way].hidden = way !== radio.value; });
    });
  });

  document.addEventListener("sbp:ready", function () {
    newCaptcha();
    var reason = new URLSearchParams(window.location.search).get("next");
    if (reason && !document.getElementById("flash")) {
      var main = document.getElementById("main");
      main.insertBefore(SBP.el("div", { className: "notice", role: "status" }, "请先登录，登录后将回到您刚才访问的页面。"),
                        main.firstChild);
    }
  });
})();
