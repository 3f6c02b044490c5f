/* Forgot password: ID number + registered phone → SMS code → new password (no captcha); or, for a
 * resident whose phone is gone, ID number + captcha → security questions → new password. */
(function () {
  "use strict";
  var startForm = document.getElementById("start-form");
  var questionsForm = document.getElementById("questions-start-form");
  var resetForm = document.getElementById("reset-form");
  var captchaImg = document.getElementById("captcha-img");
  var flow = null;
  var phoneStart = null;

  function newCaptcha() {
    questionsForm.elements.captcha_answer.value = "";
    return SBP.loadCaptcha(captchaImg).catch(function (err) { SBP.showError(questionsForm, err); });
  }
  captchaImg.addEventListener("click", newCaptcha);
  document.getElementById("captcha-refresh").addEventListener("click", function () {
    newCaptcha().then(function () { SBP.announce("已换一张验证码"); });
  });
  SBP.upperCaseX(startForm.elements.id_number);
  SBP.upperCaseX(questionsForm.elements.id_number);

  // The usual way: ID number + registered phone, no captcha. The answer is the same whether or
  // not they match, so the page cannot say more than "if it matches, the code was sent".
  startForm.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(startForm);
    var idInput = startForm.elements.id_number;
    idInput.value = idInput.value.trim().toUpperCase();
    var problem = SBP.idNumberProblem(idInput.value);
    if (problem) { SBP.showError(startForm, { field: "id_number", message: problem }); return; }
    var phone = startForm.elements.phone.value.trim();
    if (!/^1[3-9]\d{9}$/.test(phone)) { SBP.showError(startForm, { field: "phone", message: "请输入11位手机号码" }); return; }
    phoneStart = { id_number: idInput.value, phone: phone };
    SBP.api("POST", "/api/auth/forgot/start", phoneStart)
      .then(showStep2, function (err) { SBP.showError(startForm, err); });
  });

  // For a resident whose registered phone is gone: ID number + captcha → security questions.
  document.getElementById("use-questions").addEventListener("click", function () {
    startForm.hidden = true;
    questionsForm.hidden = false;
    newCaptcha();
    questionsForm.elements.id_number.focus();
  });
  questionsForm.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(questionsForm);
    var idInput = questionsForm.elements.id_number;
    idInput.value = idInput.value.trim().toUpperCase();
    var problem = SBP.idNumberProblem(idInput.value);
    if (problem) { SBP.showError(questionsForm, { field: "id_number", message: problem }); return; }
    if (!questionsForm.elements.captcha_answer.value.trim()) {
      SBP.showError(questionsForm, { field: "captcha_answer", message: "请输入图片中的验证码" });
      return;
    }
    SBP.api("POST", "/api/auth/forgot/start", {
      id_number: idInput.value,
      captcha_id: captchaImg.dataset.captchaId || "",
      captcha_answer: questionsForm.elements.captcha_answer.value.trim()
    }).then(showStep2, function (err) {
      newCaptcha().then(function () { SBP.showError(questionsForm, err); });
    });
  });

  function showStep2(answer) {
    flow = answer;
    startForm.hidden = true;
    questionsForm.hidden = true;
    resetForm.hidden = false;
    document.getElementById("step-1-label").removeAttribute("aria-current");
    document.getElementById("step-2-label").setAttribute("aria-current", "step");
    var methods = answer.methods || [];
    document.getElementById("method-phone-label").hidden = methods.indexOf("phone") < 0;
    document.getElementById("method-questions-label").hidden = methods.indexOf("questions") < 0;
    if (answer.code_sent) {
      document.getElementById("phone-text").textContent = "如果手机号码与登记的一致，验证码已发送到 " + answer.phone_masked + "，5分钟内有效。";
      document.getElementById("send-code").textContent = "重新发送";
    } else if (answer.phone_masked) {
      document.getElementById("phone-text").textContent = "验证码将发送到您登记的手机 " + answer.phone_masked + "。";
    }
    var part = document.getElementById("questions-part");
    part.textContent = "";
    (answer.questions || []).forEach(function (question, index) {
      var id = "answer_" + index;
      part.appendChild(SBP.el("div", { className: "field" },
        SBP.el("label", { for: id }, "密保问题" + (index + 1) + "：" + question),
        SBP.el("input", { type: "text", id: id, name: id, autocomplete: "off", maxlength: "50",
                          "data-field": index === 0 ? "answers" : null })));
    });
    var radios = resetForm.querySelectorAll("input[name=method]");
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", showMethod);
    });
    var first = methods.length === 1 ? resetForm.querySelector("input[value=" + methods[0] + "]") : null;
    if (first) { first.checked = true; showMethod(); }
    if (answer.code_sent) {
      document.getElementById("method-choice").hidden = true;
      SBP.announce("请输入短信验证码并设置新密码");
      resetForm.elements.sms_code.focus();
      return;
    }
    SBP.announce("身份证号码已验证，请选择验证方式并设置新密码");
    var focusTarget = resetForm.querySelector("label:not([hidden]) > input[name=method]");
    if (focusTarget) focusTarget.focus();
  }

  function method() {
    var checked = resetForm.querySelector("input[name=method]:checked");
    return checked ? checked.value : null;
  }
  function showMethod() {
    document.getElementById("phone-part").hidden = method() !== "phone";
    document.getElementById("questions-part").hidden = method() !== "questions";
  }

  document.getElementById("send-code").addEventListener("click", function () {
    var button = this;
    SBP.clearErrors(resetForm);
    button.disabled = true;
    // A flow opened with ID number + phone is resent by opening it again (a new flow, same answer).
    var again = flow.code_sent
      ? SBP.api("POST", "/api/auth/forgot/start", phoneStart).then(function (answer) {
          flow.reset_token = answer.reset_token;
          return answer;
        })
      : SBP.api("POST", "/api/auth/forgot/send-code", { reset_token: flow.reset_token });
    again.then(function (answer) {
      button.textContent = "重新发送";
      button.disabled = false;
      var text = (flow.code_sent ? "如果手机号码与登记的一致，验证码已重新发送到 " : "验证码已发送到 ")
        + (answer.phone_masked || flow.phone_masked) + "，5分钟内有效。";
      document.getElementById("phone-text").textContent = text;
      SBP.announce(text);
      resetForm.elements.sms_code.focus();
    }, function (err) {
      button.disabled = false;
      SBP.showError(resetForm, err);
    });
  });

  resetForm.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(resetForm);
    var how = method();
    if (!how) { SBP.showError(resetForm, { field: "method", message: "请选择验证方式" }); return; }
    var body = { reset_token: flow.reset_token, method: how };
    if (how === "phone") {
      body.sms_code = resetForm.elements.sms_code.value.trim();
      if (!body.sms_code) { SBP.showError(resetForm, { field: "sms_code", message: "请先点击“发送验证码”，再输入短信中的验证码" }); return; }
    } else {
      body.answers = (flow.questions || []).map(function (q, i) { return resetForm.elements["answer_" + i].value; });
      for (var i = 0; i < body.answers.length; i++) {
        if (!body.answers[i].trim()) {
          SBP.showError(resetForm, { field: "answer_" + i, message: "请回答这个密保问题" });
          return;
        }
      }
    }
    var problem = SBP.checkNewPassword(resetForm, "new_password", "confirm_password");
    if (problem) { SBP.showError(resetForm, problem); return; }
    body.new_password = resetForm.elements.new_password.value;
    SBP.api("POST", "/api/auth/forgot/complete", body).then(function () {
      SBP.flash("密码已重置，请使用新密码登录。");
      window.location.assign("/index.html");
    }, function (err) {
      if (err.code === "flow_expired") {
        err = { message: err.message + "（请点击下方“重新开始”）" };
      }
      SBP.showError(resetForm, err);
    });
  });
})();
