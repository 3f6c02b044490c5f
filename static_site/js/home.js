/* Home: greeting; first what this resident comes for (GET /api/me/home: a pensioner's latest
 * payment, a flexible worker's dues and gaps, open to-dos); then every function as cards. */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };

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

  function isoDay(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? m[1] + "年" + parseInt(m[2], 10) + "月" + parseInt(m[3], 10) + "日" : "";
  }

  function showPayment(answer) {
    var p = answer.latest_payment;
    $("for-you-title").textContent = p ? "最近一次发放的" + p.benefit_name : "养老待遇发放";
    var body = $("for-you-body");
    if (!p) {
      body.appendChild(el("p", {}, "暂无发放记录。"));
    } else {
      body.appendChild(el("p", { className: "lead", id: "latest-payment" },
        "上次发放：", el("strong", {}, SBP.fen(p.gross_fen)), "，" + isoDay(p.pay_date) + "发放（" + SBP.month(p.period) + "）"));
      if (p.bank_name) body.appendChild(el("p", { className: "muted" }, "到账银行：" + p.bank_name + " " + (p.bank_account_masked || "")));
    }
    body.appendChild(el("p", {}, el("a", { href: answer.payments_href, id: "payments-link", className: "btn" }, "查看全部发放记录")));
  }

  function showDues(answer) {
    $("for-you-title").textContent = "缴费与断缴";
    var body = $("for-you-body");
    var list = el("ul", { className: "list", id: "dues-list" });
    answer.dues.forEach(function (d) {
      var gapText = d.payable_gap_months.length ? "，另有" + d.payable_gap_months.length + "个月断缴可在网上补缴" :
        (d.missing_months ? "，另有" + d.missing_months + "个月断缴需到经办机构办理" : "，没有断缴");
      var months = d.payable_gap_months.length + (d.this_month_paid ? 0 : 1);
      list.appendChild(el("li", { dataset: { type: d.type_code } },
        el("strong", {}, d.type_name), el("div", {},
          SBP.month(d.this_month) + (d.this_month_paid ? "已缴费" : "尚未缴费") + gapText + "。"),
        months ? el("p", {}, el("a", { href: d.pay_href, className: "btn btn-primary" }, "去缴费（已选好" + months + "个月）")) : null));
    });
    body.appendChild(list);
    body.appendChild(el("p", {}, el("a", { href: "/records/gaps.html", className: "target" }, "查看断缴明细")));
  }

  function showTasks(tasks) {
    if (!tasks.count) return;
    var list = $("open-tasks-list");
    tasks.items.forEach(function (t) {
      list.appendChild(el("li", {}, el("a", { href: t.resume_path, className: "target" }, t.title + "（继续办理）"),
        t.step ? el("div", { className: "muted" }, "进行到：" + t.step) : null));
    });
    if (tasks.count > tasks.items.length) {
      list.appendChild(el("li", {}, el("a", { href: "/tasks.html", className: "target" }, "查看全部" + tasks.count + "项")));
    }
    $("open-tasks").hidden = false;
  }

  document.addEventListener("sbp:ready", function (event) {
    var me = event.detail.me;
    var hour = new Date(Date.now() + 8 * 3600 * 1000).getUTCHours();
    var hello = hour < 11 ? "上午好" : hour < 13 ? "中午好" : hour < 18 ? "下午好" : "晚上好";
    $("greeting").textContent = hello + "，" + me.name;
    function showGroups() {
      var list = $("feature-groups");
      (window.SBP_FEATURES || []).forEach(function (group) { list.appendChild(groupCard(group)); });
      $("home-body").hidden = false;
    }
    // everything below the greeting is drawn in one go once the answer is in, so nothing that is
    // already on screen moves (no layout shift)
    SBP.api("GET", "/api/me/home").then(function (answer) {
      var count = answer.tasks.count;
      var badge = $("tasks-count");
      badge.textContent = String(count);
      badge.hidden = count === 0;
      $("tasks-link").setAttribute("aria-label", count ? "待办事项，" + count + "项未完成" : "待办事项，暂无");
      if (answer.kind === "retiree") showPayment(answer);
      else if (answer.kind === "flexible" && answer.dues && answer.dues.length) showDues(answer);
      $("for-you").hidden = !$("for-you-title").textContent;
      $("for-you").dataset.kind = answer.kind;
      showTasks(answer.tasks);
      showGroups();
    }, showGroups);
  });
})();
