/* Card photo helpers shared by the application and photo pages.
 * CardPhoto.show(canvas, applicationId) draws the stored photo, fetched through the short-lived
 * presigned URL the API gives (the canvas needs no img-src for the storage origin).
 * CardPhoto.upload(applicationId, file) → Promise of the application after the API checked it:
 * presigned POST straight to storage, then /photo/check; rejects with SBP.ApiError (field "photo"). */
(function () {
  "use strict";
  var base = function (id) { return "/api/card/applications/" + encodeURIComponent(id); };

  function drawBlob(canvas, blob) {
    return window.createImageBitmap(blob).then(function (bitmap) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      canvas.getContext("2d").drawImage(bitmap, 0, 0);
      canvas.dataset.loaded = "1";
      canvas.hidden = false;
    });
  }

  function show(canvas, applicationId) {
    return SBP.api("GET", base(applicationId) + "/photo").then(function (answer) {
      return window.fetch(answer.url, { mode: "cors", credentials: "omit" });
    }).then(function (response) {
      if (!response.ok) throw new SBP.ApiError(response.status, "photo_unavailable", "照片暂时无法显示，请刷新页面重试");
      return response.blob();
    }).then(function (blob) { return drawBlob(canvas, blob); });
  }

  function photoError(code, message) { return new SBP.ApiError(400, code, message, "photo"); }

  function upload(applicationId, file) {
    if (!file) return Promise.reject(photoError("photo_missing", "请先选择一张照片"));
    return SBP.api("POST", base(applicationId) + "/photo/upload").then(function (form) {
      if (file.size > form.max_bytes) {
        throw photoError("photo_upload_too_large", "照片文件过大（" + Math.ceil(file.size / 1024) +
          "KB），上传的文件不能超过" + Math.round(form.max_bytes / 1024 / 1024) + "MB");
      }
      var data = new FormData();
      Object.keys(form.fields).forEach(function (name) { data.append(name, form.fields[name]); });
      data.append("file", file);  // must be the last field of a POST upload
      return window.fetch(form.url, { method: "POST", body: data, mode: "cors", credentials: "omit" }).then(
        function (response) {
          if (!response.ok) {
            throw photoError("photo_upload_failed", "照片上传没有成功（文件可能过大，或上传凭证已过期），请重新选择照片上传");
          }
          return SBP.api("POST", base(applicationId) + "/photo/check", { key: form.key });
        },
        function () { throw photoError("photo_upload_failed", "照片上传失败，请检查网络后重试"); });
    });
  }

  window.CardPhoto = { show: show, upload: upload };
})();
