/* 社保卡照片采集 (seed 2.6.3): the photo of the latest application; upload happens in its photo step. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  document.addEventListener("sbp:ready", function () {
    SBP.api("GET", "/api/card").then(function (overview) {
      $("photo-loading").hidden = true;
      var app = overview.open_application || (overview.applications || [])[0];
      var link = $("photo-link");
      $("photo-panel").hidden = false;
      if (!app || app.status === "WITHDRAWN") {
        $("photo-text").textContent = overview.card
          ? "您目前没有办理中的社保卡申请，无需采集照片。卡片丢失时请先挂失，再在补卡申请中上传新照片。"
          : "请先开始社保卡申领，照片在申领的第4步上传。";
        link.textContent = overview.card ? "查看社保卡信息" : "开始申领";
        link.href = overview.card ? "/card/index.html" : "/card/apply.html?kind=new";
        link.hidden = false;
        return;
      }
      var editable = app.status === "DRAFT";
      $("photo-text").textContent = app.photo_uploaded
        ? app.kind_label + "的照片已通过检查" + (editable ? "，可以更换。" : "，已随申请提交。")
        : "您的" + app.kind_label + "申请还没有上传照片。";
      if (editable) {
        link.href = "/card/apply.html?id=" + encodeURIComponent(app.application_id) + "&step=photo";
        link.textContent = app.photo_uploaded ? "更换照片" : "上传照片";
        link.hidden = false;
      }
      if (app.photo_uploaded) {
        $("photo-frame").hidden = false;
        window.CardPhoto.show($("photo-canvas"), app.application_id).catch(function (err) {
          $("photo-text").textContent += "（照片暂时无法显示：" + err.message + "）";
        });
      }
    }, function (err) {
      $("photo-loading").hidden = true;
      $("photo-result").appendChild(SBP.el("p", { className: "form-error", role: "alert" }, err.message));
    });
  });
})();
