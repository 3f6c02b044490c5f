/* What every way of signing in does with the server's answer: on to the activation page for an
 * account still on the initial password, else to the page the resident came from (or home). */
(function () {
  "use strict";
  var SBP = (window.SBP = window.SBP || {});

  SBP.afterSignIn = function (answer) {
    if (answer && answer.status === "activation_required") {
      sessionStorage.setItem("sbp.activation", JSON.stringify({
        token: answer.activation_token, phone_masked: answer.phone_masked || "", next: SBP.nextPath(),
        phone_verified: !!answer.phone_verified
      }));
      window.location.assign("/activate.html");
      return;
    }
    window.location.assign(SBP.nextPath() || "/home.html");
  };

  /** Upper-case a typed x in an ID number field as the resident types. */
  SBP.upperCaseX = function (input) {
    input.addEventListener("input", function () {
      if (/x/.test(input.value)) input.value = input.value.replace(/x/g, "X");
    });
  };
})();
