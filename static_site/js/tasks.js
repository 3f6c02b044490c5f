/* To-do list (seed 2.2.2): unfinished business from /api/tasks, each resumable. */
(function () {
  "use strict";
  var el = SBP.el;

  function safePath(path) {
    return typeof path === "string" && path.charAt(0) === "/" && path.charAt(1) !== "/" ? path : null;
  }

  document.addEventListener("sbp:ready", function () {
    var area = document.getElementById("tasks-area");
    SBP.api("GET", "/api/tasks").then(function (answer) {
      var items = answer.items || [];
      area.textContent = "";
      if (!items.length) {
        area.appendChild(el("p", { className: "empty", id: "tasks-empty" },
          "您目前没有待办事项。所有业务都已办结，无需继续操作。"));
        area.appendChild(el("p", {}, el("a", { href: "/home.html", className: "target" }, "返回首页办理其他业务")));
        return;
      }
      var list = el("ul", { className: "list", id: "tasks-list" });
      items.forEach(function (task) {
        var href = safePath(task.resume_path);
        var title = task.title || "未完结业务";
        list.appendChild(el("li", {},
          href ? el("a", { href: href }, title, "（继续办理）") : el("strong", {}, title),
          task.step ? el("div", { className: "muted" }, "进行到：" + task.step) : null,
          el("div", { className: "muted" }, "最近更新：" + SBP.dateTime(task.updated_at))));
      });
      area.appendChild(el("p", {}, "共 " + items.length + " 项未完结业务："));
      area.appendChild(list);
    }, function (err) {
      area.textContent = "";
      area.appendChild(el("p", { className: "form-error", role: "alert" }, err.message));
    });
  });
})();
