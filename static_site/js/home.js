/* Home: greeting, to-do count, and the function groups of nav.js as cards. */
(function () {
  "use strict";
  var el = SBP.el;

  function groupCard(group) {
    var headingId = "group-" + group.key;
    var items = group.items.map(function (item) {
      if (item.href) return el("li", {}, el("a", { href: item.href }, item.title));
      return el("li", {}, el("span", { className: "soon" }, item.title, el("span", { className: "badge-soon" }, "即将开放")));
    });
    return el("li", { className: "card", id: "card-" + group.key, "aria-labelledby": headingId },
      el("h2", { id: headingId }, group.title),
      el("p", { className: "muted description" }, group.description),
      el("ul", {}, items));
  }

  document.addEventListener("sbp:ready", function (event) {
    var me = event.detail.me;
    var hour = new Date(Date.now() + 8 * 3600 * 1000).getUTCHours();
    var hello = hour < 11 ? "上午好" : hour < 13 ? "中午好" : hour < 18 ? "下午好" : "晚上好";
    document.getElementById("greeting").textContent = hello + "，" + me.name;
    var list = document.getElementById("feature-groups");
    (window.SBP_FEATURES || []).forEach(function (group) { list.appendChild(groupCard(group)); });

    SBP.api("GET", "/api/tasks").then(function (answer) {
      var count = (answer.items || []).length;
      var badge = document.getElementById("tasks-count");
      badge.textContent = String(count);
      badge.hidden = count === 0;
      document.getElementById("tasks-link").setAttribute("aria-label",
        count ? "待办事项，" + count + "项未完成" : "待办事项，暂无");
    }, function () { /* the badge is optional */ });
  });
})();
