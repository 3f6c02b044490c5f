/* Step 1 (选择缴费信息): months and base → a DRAFT order (or amend one with ?no=). */
(function () {
  "use strict";
  var el = SBP.el;

  document.addEventListener("sbp:ready", function () {
    var orderNo = PAY.param("no");
    var kind = PAY.param("kind");
    var form = document.getElementById("choose-form");
    var baseInput = document.getElementById("base");
    var options = null;
    var existing = null;

    function chosenMonths() {
      return Array.prototype.map.call(form.querySelectorAll('input[name="months"]:checked'), function (i) { return i.value; });
    }

    function preview() {
      var base = PAY.yuanToFen(baseInput.value);
      var rows = [];
      var total = 0;
      var byPeriod = {};
      options.months.forEach(function (m) { byPeriod[m.period] = m; });
      chosenMonths().forEach(function (p) {
        var m = byPeriod[p];
        var amount = base === null ? 0 : PAY.amount(base, m.rate_bp);
        total += amount;
        rows.push({ period: p, base_fen: base || 0, rate_bp: m.rate_bp, amount_fen: amount });
      });
      PAY.lineRows(document.getElementById("preview-body"), rows);
      document.getElementById("preview-total").textContent = SBP.fen(total);
    }

    function render() {
      document.getElementById("page-title").textContent = PAY.KIND_TITLES[options.kind] || "灵活就业缴费";
      var list = document.getElementById("months-list");
      list.textContent = "";
      // ?months=YYYYMM,YYYYMM (from the gaps page) preselects those months when they are free
      var mine = existing ? existing.months : (PAY.param("months") || "").split(",");
      options.months.slice().reverse().forEach(function (m) {
        var inMine = mine.indexOf(m.period) >= 0;
        var free = m.state === "payable" || m.state === "owed" || (existing !== null && inMine);
        var note = m.state === "paid" ? "（已缴费）" : (m.state === "in_order" && !inMine ? "（在其他未完成订单中）" :
          (m.state === "owed" ? "（欠缴）" : ""));
        var id = "m-" + m.period;
        list.appendChild(el("label", { className: "choice", "for": id },
          el("input", { type: "checkbox", id: id, name: "months", value: m.period, disabled: !free,
            checked: inMine && free, onchange: preview }),
          SBP.month(m.period) + note));
      });
      var hint = "";
      if (options.base_lower_fen !== null) {
        hint = "可选范围 " + SBP.fen(options.base_lower_fen) + " 至 " + SBP.fen(options.base_upper_fen) + "（单位：元）";
      }
      document.getElementById("base-hint").textContent = hint;
      baseInput.value = existing ? PAY.fenToYuanText(existing.base_fen) :
        (options.base_lower_fen !== null ? PAY.fenToYuanText(options.base_lower_fen) : "");
      baseInput.addEventListener("input", preview);
      document.getElementById("rounding").textContent = options.rounding || "";
      document.getElementById("loading").hidden = true;
      form.hidden = false;
      preview();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      SBP.clearErrors(form);
      var months = chosenMonths();
      var base = PAY.yuanToFen(baseInput.value);
      if (!months.length) { SBP.showError(form, { field: "months", message: "请至少勾选一个缴费月份" }); return; }
      if (base === null) { SBP.showError(form, { field: "base_fen", message: "请按“5000.00”的格式填写缴费基数（元）" }); return; }
      var body = { kind: options.kind, months: months, base_fen: base };
      var call = existing ? SBP.api("PUT", "/api/payments/orders/" + encodeURIComponent(existing.order_no), body)
        : SBP.api("POST", "/api/payments/orders", body);
      call.then(function (order) {
        window.location.href = "/pay/order.html?no=" + encodeURIComponent(order.order_no);
      }, function (err) { SBP.showError(form, err); });
    });

    document.getElementById("cancel").addEventListener("click", function () {
      if (!existing) { window.location.href = "/pay/index.html"; return; }
      SBP.confirm("作废后本订单不能再支付，所选月份可以重新办理。确定作废吗？", { title: "作废订单", focusCancel: true })
        .then(function (yes) {
          if (!yes) return;
          SBP.api("POST", "/api/payments/orders/" + encodeURIComponent(existing.order_no) + "/cancel").then(function () {
            SBP.flash("订单已作废");
            window.location.href = "/pay/index.html";
          }, function (err) { SBP.showError(form, err); });
        });
    });

    var start = orderNo ? SBP.api("GET", "/api/payments/orders/" + encodeURIComponent(orderNo)).then(function (o) {
      if (o.status !== "DRAFT" && o.status !== "CONFIRMED") {
        window.location.replace("/pay/order.html?no=" + encodeURIComponent(o.order_no));
        return new Promise(function () {});
      }
      existing = o;
      kind = o.kind;
    }) : Promise.resolve();
    start.then(function () {
      return SBP.api("GET", "/api/payments/options?kind=" + encodeURIComponent(kind || ""));
    }).then(function (answer) { options = answer; render(); }, function (err) {
      document.getElementById("loading").hidden = true;
      var main = document.getElementById("main");
      main.appendChild(el("p", { className: "form-error", role: "alert" }, err.message));
    });
  });
})();
