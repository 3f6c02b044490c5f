/* Sign-in with a passkey: no ID number, no captcha. The browser offers the passkeys it holds for
 * this site; the resident verifies with fingerprint, face or screen lock. */
(function () {
  "use strict";
  var button = document.getElementById("passkey-button");
  var errorBox = document.getElementById("passkey-error");

  function showProblem(message) {
    errorBox.className = "form-error";
    errorBox.setAttribute("role", "alert");
    errorBox.textContent = message;
    errorBox.focus();
  }

  if (!SBP.passkey.supported()) {
    document.getElementById("passkey-unsupported").hidden = false;
    button.disabled = true;
  }

  button.addEventListener("click", function () {
    errorBox.className = "";
    errorBox.textContent = "";
    button.disabled = true;
    SBP.api("POST", "/api/auth/passkey/options").then(function (options) {
      return SBP.passkey.get(options.publicKey).then(function (credential) {
        return SBP.api("POST", "/api/auth/passkey/login", { challenge_id: options.challenge_id, credential: credential });
      });
    }).then(SBP.afterSignIn, function (err) {
      button.disabled = false;
      showProblem(SBP.passkey.message(err));
    });
  });
})();
