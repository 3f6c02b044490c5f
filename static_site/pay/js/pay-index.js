/* 社保缴费 landing: start a payment, list my orders. */
(function () {
  "use strict";
  var el = SBP.el;
  document.addEventListener("sbp:ready", function () {
    var area = document.getElementById("orders-area");
    SBP.api("GET", "/api/payments/orders").then(function (answer) {
      var items = answer.items || [];
      area.textContent = "";
      if (!items.length) {
        area.appendChild(el("p", { className: "muted", id: "orders-empty" }, "您还没有缴费订单。"));
        return;
      }
      var list = el("ul", { className: "list", id: "orders-list" });
      items.forEach(function (o) {
        list.appendChild(el("li", {},
          el("a", { href: "/pay/order.html?no=" + encodeURIComponent(o.order_no) },
            o.type_name + " " + SBP.fen(o.total_fen) + "（" + o.status_name + "）"),
          el("div", { className: "muted" }, "订单号 " + o.order_no + "，" + (o.year ? "" : "月份：") +
            PAY.periodsText(o) + (o.insured && !o.insured.self ? "，为" + o.insured.name_masked + "缴纳" : ""))));
      });
      area.appendChild(list);
    }, function (err) {
      area.textContent = "";
      area.appendChild(el("p", { className: "form-error", role: "alert" }, err.message));
    });
  });
})();
