/* Password protection (seed 2.4.3): two security questions, current password required. */
(function () {
  "use strict";
  var el = SBP.el;
  var form = document.getElementById("protection-form");
  var result = document.getElementById("result");

  function showStatus(questions, phoneMasked) {
    var status = document.getElementById("protection-status");
    status.textContent = "";
    if (questions && questions.length) {
      status.appendChild(document.createTextNode("已设置密保问题：" + questions.join("；") + "。"));
    } else {
      status.appendChild(document.createTextNode("尚未设置密保问题。"));
    }
    if (phoneMasked) status.appendChild(document.createTextNode("登记的手机 " + phoneMasked + " 也可用于找回密码。"));
  }

  document.addEventListener("sbp:ready", function () {
    SBP.api("GET", "/api/account/protection").then(function (answer) {
      showStatus(answer.questions, answer.phone_masked);
      ["question_0", "question_1"].forEach(function (name, index) {
        var select = form.elements[name];
        select.appendChild(el("option", { value: "" }, "请选择问题"));
        (answer.available_questions || []).forEach(function (q) {
          select.appendChild(el("option", { value: q }, q));
        });
        if (answer.questions && answer.questions[index]) select.value = answer.questions[index];
      });
    }, function (err) { SBP.showError(form, err); });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    SBP.clearErrors(form);
    result.textContent = "";
    var q0 = form.elements.question_0.value, q1 = form.elements.question_1.value;
    var a0 = form.elements.answer_0.value.trim(), a1 = form.elements.answer_1.value.trim();
    if (!q0) return SBP.showError(form, { field: "question_0", message: "请选择第一个密保问题" });
    if (!a0) return SBP.showError(form, { field: "answer_0", message: "请填写第一个问题的答案" });
    if (!q1) return SBP.showError(form, { field: "question_1", message: "请选择第二个密保问题" });
    if (q1 === q0) return SBP.showError(form, { field: "question_1", message: "两个密保问题不能相同，请换一个" });
    if (!a1) return SBP.showError(form, { field: "answer_1", message: "请填写第二个问题的答案" });
    if (!form.elements.password.value) return SBP.showError(form, { field: "password", message: "请输入当前登录密码" });
    SBP.api("PUT", "/api/account/protection", {
      password: form.elements.password.value,
      questions: [{ question: q0, answer: a0 }, { question: q1, answer: a1 }]
    }).then(function (answer) {
      form.elements.password.value = "";
      form.elements.answer_0.value = "";
      form.elements.answer_1.value = "";
      showStatus(answer.questions, null);
      result.appendChild(el("p", { className: "success", id: "protection-done", tabindex: "-1" },
        "密码保护已设置。忘记密码时，可在登录页点击“忘记密码”，回答这两个问题找回。"));
      result.firstChild.focus();
    }, function (err) {
      if (err.code === "invalid_questions" && /^questions\.\d$/.test(err.field || "")) {
        err.field = err.field + ".question";
      }
      SBP.showError(form, err);
    });
  });
})();
