/* Client-side password checks shared by activation, change password and forgot password.
   The server applies the full policy again (common passwords, ID-number fragments). */
(function () {
  "use strict";
  window.SBP = window.SBP || {};
  /** Returns an error {field, message} or null. */
  SBP.checkNewPassword = function (form, newName, confirmName) {
    var value = form.elements[newName].value;
    var again = form.elements[confirmName].value;
    if (!value) return { field: newName, message: "请输入新密码" };
    if (value === "888888") return { field: newName, message: "不能使用初始密码888888，请设置新的密码" };
    if (value.length < 8 || value.length > 64) return { field: newName, message: "密码长度需为8至64位" };
    if (!/[A-Za-z]/.test(value) || !/\d/.test(value)) return { field: newName, message: "密码需同时包含字母和数字" };
    if (again !== value) return { field: confirmName, message: "两次输入的新密码不一致，请重新输入" };
    return null;
  };
})();
