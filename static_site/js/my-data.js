/* 下载我的数据: the server packs everything it holds about the resident; a short-lived link. */
(function () {
  "use strict";
  var el = SBP.el;

  document.addEventListener("sbp:ready", function () {
    var form = document.getElementById("export-form");
    var result = document.getElementById("export-result");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      SBP.clearErrors(form);
      result.textContent = "";
      var button = document.getElementById("export-button");
      button.disabled = true;
      SBP.api("POST", "/api/me/export", {}).then(function (answer) {
        button.disabled = false;
        result.appendChild(el("p", { className: "success" }, "您的数据已生成。"));
        result.appendChild(el("p", {}, el("a", { href: answer.download_url, id: "export-download", download: "" },
          "下载我的数据（ZIP）")));
        result.appendChild(el("p", { className: "field-hint" }, "下载链接在 " + SBP.dateTime(answer.expires_at) +
          " 前有效，过期请重新生成。"));
        SBP.announce("您的数据已生成，请点击下载");
      }, function (err) {
        button.disabled = false;
        SBP.showError(form, err);
      });
    });
  });
})();
