/* The browser side of passkeys (WebAuthn): turns the server's JSON options into what
 * navigator.credentials expects (base64url → bytes) and the authenticator's answer back into JSON
 * (bytes → base64url), in the shape py_webauthn reads. Used by the sign-in page and 账号设置. */
(function () {
  "use strict";
  var SBP = (window.SBP = window.SBP || {});

  function toBytes(text) {
    var base64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }
  function toText(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return window.btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function descriptors(list) {
    return (list || []).map(function (d) { return { type: d.type, id: toBytes(d.id), transports: d.transports }; });
  }

  function common(credential, response) {
    return {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: response
    };
  }

  SBP.passkey = {
    supported: function () {
      return !!(window.PublicKeyCredential && navigator.credentials && window.isSecureContext);
    },

    /** Registration: creation options JSON → credential JSON for POST /api/account/passkeys. */
    create: function (options) {
      var publicKey = Object.assign({}, options, {
        challenge: toBytes(options.challenge),
        user: Object.assign({}, options.user, { id: toBytes(options.user.id) }),
        excludeCredentials: descriptors(options.excludeCredentials)
      });
      return navigator.credentials.create({ publicKey: publicKey }).then(function (credential) {
        var r = credential.response;
        return common(credential, {
          clientDataJSON: toText(r.clientDataJSON), attestationObject: toText(r.attestationObject),
          transports: r.getTransports ? r.getTransports() : []
        });
      });
    },

    /** Sign-in: request options JSON → assertion JSON for POST /api/auth/passkey/login. */
    get: function (options) {
      var publicKey = Object.assign({}, options, {
        challenge: toBytes(options.challenge),
        allowCredentials: descriptors(options.allowCredentials)
      });
      return navigator.credentials.get({ publicKey: publicKey }).then(function (credential) {
        var r = credential.response;
        return common(credential, {
          clientDataJSON: toText(r.clientDataJSON), authenticatorData: toText(r.authenticatorData),
          signature: toText(r.signature), userHandle: toText(r.userHandle)
        });
      });
    },

    /** A resident-readable message for a failed or cancelled browser ceremony. */
    message: function (err) {
      var name = err && err.name;
      if (name === "NotAllowedError") return "操作已取消或超时。如需重试，请再次点击按钮并按提示验证指纹、面容或锁屏密码。";
      if (name === "InvalidStateError") return "这个设备上的通行密钥已经登记过了。";
      if (name === "SecurityError") return "当前网址无法使用通行密钥，请通过官方网址访问。";
      if (err instanceof SBP.ApiError) return err.message;
      return "通行密钥操作未完成，请重试或改用其他方式。";
    }
  };
})();
