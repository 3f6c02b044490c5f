/* Sign-in page (seed 2.1): ID number + password + image captcha; initial password → activation. */
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

  idInput.addEventListener("input", function () {
    if (/x/.test(idInput.value)) idInput.value = idInput.value.replace(/x/g, "X");
  });
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
    }).then(function (answer) {
      if (answer.status === "activation_required") {
        sessionStorage.setItem("sbp.activation", JSON.stringify({
          token: answer.activation_token, phone_masked: answer.phone_masked || "", next: SBP.nextPath()
        }));
        window.location.assign("/activate.html");
        return;
      }
      window.location.assign(SBP.nextPath() || "/home.html");
    }, function (err) {
      button.disabled = false;
      // The captcha is single use: every failed attempt needs a new one.
      newCaptcha().then(function () {
        if (err.field === "password") form.elements.password.value = "";
        SBP.showError(form, err);
      });
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
