/* Sign-in by SMS code: ID number + registered phone → a code to that phone → signed in (or the
 * activation step). The server answers the same whether or not the phone is the registered one,
 * so the page says "if it matches, the code has been sent". */
(function () {
  "use strict";
  var RESEND_WAIT_S = 60;
  var form = document.getElementById("sms-form");
  var idInput = form.elements.sms_id_number;
  var phoneInput = form.elements.sms_phone;
  var sendButton = document.getElementById("sms-send");
  var status = document.getElementById("sms-status");
  var codeField = document.getElementById("sms-code-field");
  var loginButton = document.getElementById("sms-login-button");
  var challengeId = null;
  var timer = null;

  SBP.upperCaseX(idInput);

  function countDown(seconds) {
    sendButton.disabled = true;
    sendButton.textContent = seconds + "秒后可重新获取";
    timer = window.setInterval(function () {
      seconds -= 1;
      if (seconds > 0) { sendButton.textContent = seconds + "秒后可重新获取"; return; }
      window.clearInterval(timer);
      sendButton.disabled = false;
      sendButton.textContent = "重新获取短信验证码";
    }, 1000);
  }

  function checkStart() {
    var problem = SBP.idNumberProblem(idInput.value);
    if (problem) return { field: "sms_id_number", message: problem };
    if (!/^1[3-9]\d{9}$/.test(phoneInput.value.trim())) return { field: "sms_phone", message: "请输入11位手机号码" };
    return null;
  }

  function fieldOf(err) {
    var map = { id_number: "sms_id_number", phone: "sms_phone", sms_code: "sms_code" };
    return { message: err.message, field: map[err.field] || null };
  }

  sendButton.addEventListener("click", function () {
    SBP.clearErrors(form);
    idInput.value = idInput.value.trim().toUpperCase();
    var problem = checkStart();
    if (problem) { SBP.showError(form, problem); return; }
    sendButton.disabled = true;
    SBP.api("POST", "/api/auth/sms-login/start", { id_number: idInput.value, phone: phoneInput.value.trim() })
      .then(function (answer) {
        challengeId = answer.challenge_id;
        codeField.hidden = false;
        status.textContent = "如果手机号码与登记的一致，验证码已发送到该手机，请在5分钟内输入。没有收到可稍后重新获取。";
        countDown(RESEND_WAIT_S);
        form.elements.sms_code.value = "";
        form.elements.sms_code.focus();
      }, function (err) {
        sendButton.disabled = false;
        SBP.showError(form, fieldOf(err));
      });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(form);
    if (!challengeId) {
      var problem = checkStart();
      SBP.showError(form, problem || { field: "sms_phone", message: "请先点击“获取短信验证码”" });
      return;
    }
    var code = form.elements.sms_code.value.trim();
    if (!/^\d{6}$/.test(code)) { SBP.showError(form, { field: "sms_code", message: "请输入短信中的6位数字验证码" }); return; }
    loginButton.disabled = true;
    SBP.api("POST", "/api/auth/sms-login/complete", { challenge_id: challengeId, sms_code: code })
      .then(SBP.afterSignIn, function (err) {
        loginButton.disabled = false;
        if (err.status === 410) {
          challengeId = null;
          err = { field: "sms_code", message: err.message + "（请点击“获取短信验证码”重新获取）" };
        }
        SBP.showError(form, fieldOf(err));
      });
  });
})();
