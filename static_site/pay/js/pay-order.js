/* Steps 2–4 of a payment order, chosen by the order's state on the server:
 * DRAFT → 查看应缴; CONFIRMED / FAILED → 选择银行支付; AWAITING_PAYMENT → waiting for the bank
 * (polls briefly, then asks the server to query the bank); PAID / CANCELLED / EXPIRED → result.
 * The result is always the server's record, never what the browser was told by the bank. */
(function () {
  "use strict";
  var el = SBP.el;
  var POLL_MS = 2000;
  var POLLS_BEFORE_QUERY = 4;

  document.addEventListener("sbp:ready", function () {
    var orderNo = PAY.param("no");
    var order = null;
    var polls = 0;
    var pollTimer = null;
    var path = "/api/payments/orders/" + encodeURIComponent(orderNo || "");
    var statusArea = document.getElementById("status-area");

    function show(id, on) { document.getElementById(id).hidden = !on; }

    function setStep(step) {
      Array.prototype.forEach.call(document.querySelectorAll("#steps li"), function (li) {
        if (li.getAttribute("data-step") === step) li.setAttribute("aria-current", "step");
        else li.removeAttribute("aria-current");
      });
    }

    function notice(kind, text) {
      statusArea.textContent = "";
      if (text) statusArea.appendChild(el("p", { className: kind, id: "status-text" }, text));
    }

    function renderBanks() {
      var list = document.getElementById("bank-list");
      if (list.childNodes.length) return;
      return SBP.api("GET", "/api/payments/options?kind=" + encodeURIComponent(order.kind)).then(function (opts) {
        opts.banks.forEach(function (bank, i) {
          var id = "bank-" + bank.code;
          list.appendChild(el("label", { className: "choice", "for": id },
            el("input", { type: "radio", id: id, name: "bank_code", value: bank.code,
              checked: order.bank_code ? order.bank_code === bank.code : i === 0 }), bank.name));
        });
      });
    }

    function render(o) {
      order = o;
      document.getElementById("loading").hidden = true;
      document.getElementById("order-no").textContent = o.order_no;
      document.getElementById("type-name").textContent = PAY.KIND_TITLES[o.kind] || o.type_name;
      document.getElementById("total").textContent = SBP.fen(o.total_fen);
      if (o.year) PAY.residentRows(document.getElementById("lines").closest("table"), o.lines, o);
      else PAY.lineRows(document.getElementById("lines"), o.lines);
      if (o.insured) {
        document.getElementById("insured-name").textContent = o.insured.self ? "本人" :
          o.insured.name_masked + "（" + o.insured.id_number_masked + "）";
        show("insured-line", true);
      }
      document.getElementById("back").setAttribute("href", o.year ? PAY.startPath(o.kind) :
        "/pay/new.html?no=" + encodeURIComponent(o.order_no));
      show("summary", true);
      show("review-form", o.status === "DRAFT");
      show("bank-form", o.status === "CONFIRMED" || o.status === "FAILED");
      var finished = ["AWAITING_PAYMENT", "PAID", "FAILED", "CANCELLED", "EXPIRED"].indexOf(o.status) >= 0;
      show("result", finished && o.status !== "FAILED");
      var waiting = o.status === "AWAITING_PAYMENT";
      ["paid-button", "failed-button", "query-button", "to-bank-button"].forEach(function (id) { show(id, waiting); });
      var result = document.getElementById("result-text");
      result.textContent = "";
      if (o.status === "DRAFT") {
        setStep("review"); notice("notice", "第2步：请核对应缴明细。");
      } else if (o.status === "CONFIRMED") {
        setStep("bank"); notice("notice", "第3步：请选择银行，点击“立即支付”后将前往银行页面付款。");
        renderBanks();
      } else if (o.status === "FAILED") {
        setStep("bank"); notice("form-error", "支付失败：银行未能完成扣款。您可以重新选择银行支付，或作废本订单。");
        renderBanks();
      } else if (waiting) {
        setStep("result");
        notice("notice", "正在等待银行的支付结果（" + (o.bank_name || "") + "）……如已在银行付款，结果通常几秒内到达。");
        result.appendChild(el("p", {}, "订单有效期至 " + SBP.dateTime(o.expires_at) + "，过期未付将自动作废。"));
      } else if (o.status === "PAID") {
        setStep("result");
        notice("success", "缴费成功！" + PAY.periodsText(o) + " 共 " + SBP.fen(o.total_fen) + " 已到账。");
        result.appendChild(el("p", { id: "paid-detail" }, "支付银行：" + (o.bank_name || "") + "，银行流水号：" + (o.bank_txn_id || "")));
      } else if (o.status === "CANCELLED") {
        setStep("result"); notice("notice", "本订单已作废。");
        result.appendChild(el("p", {}, el("a", { href: PAY.startPath(o.kind) }, "重新办理缴费")));
      } else if (o.status === "EXPIRED") {
        setStep("result"); notice("notice", "本订单已过期（超过规定时间未完成支付）。");
        result.appendChild(el("p", {}, el("a", { href: PAY.startPath(o.kind) }, "重新办理缴费")));
      }
      document.title = (o.status_name || "缴费订单") + " - 社保个人网上服务";
      SBP.announce(statusArea.textContent);
      if (waiting) schedulePoll(); else stopPoll();
    }

    function stopPoll() { if (pollTimer) { window.clearTimeout(pollTimer); pollTimer = null; } }

    function schedulePoll() {
      stopPoll();
      pollTimer = window.setTimeout(function () {
        polls += 1;
        var ask = polls >= POLLS_BEFORE_QUERY;
        (ask ? SBP.api("POST", path + "/query-bank") : SBP.api("GET", path)).then(function (o) {
          if (o.status === "AWAITING_PAYMENT" && ask) {
            render(o);
            stopPoll();
            notice("notice", "银行尚未返回支付结果。如已付款，请稍后点击“查询银行”；如未付款，可点击“前往银行支付”。");
            return;
          }
          render(o);
        }, function (err) {
          stopPoll();
          notice("form-error", err.message);
        });
      }, POLL_MS);
    }

    function reload() {
      return SBP.api("GET", path).then(render, function (err) {
        document.getElementById("loading").hidden = true;
        notice("form-error", err.message);
      });
    }

    function cancelOrder(form) {
      SBP.confirm("作废后本订单不能再支付，所选月份可以重新办理。确定作废吗？", { title: "作废订单", focusCancel: true })
        .then(function (yes) {
          if (!yes) return;
          SBP.api("POST", path + "/cancel").then(render, function (err) { SBP.showError(form, err); });
        });
    }

    var reviewForm = document.getElementById("review-form");
    reviewForm.addEventListener("submit", function (event) {
      event.preventDefault();
      SBP.clearErrors(reviewForm);
      SBP.api("POST", path + "/confirm").then(function (o) {
        render(o);
        document.getElementById("page-title").focus();
      }, function (err) { SBP.showError(reviewForm, err); });
    });
    document.getElementById("cancel-review").addEventListener("click", function () { cancelOrder(reviewForm); });

    var bankForm = document.getElementById("bank-form");
    function goToBank(bankCode, form) {
      SBP.api("POST", path + "/pay", { bank_code: bankCode }).then(function (answer) {
        window.location.href = answer.redirect_url;
      }, function (err) { SBP.showError(form, err); });
    }
    bankForm.addEventListener("submit", function (event) {
      event.preventDefault();
      SBP.clearErrors(bankForm);
      var chosen = bankForm.querySelector('input[name="bank_code"]:checked');
      if (!chosen) { SBP.showError(bankForm, { field: "bank_code", message: "请选择支付银行" }); return; }
      goToBank(chosen.value, bankForm);
    });
    document.getElementById("cancel-bank").addEventListener("click", function () { cancelOrder(bankForm); });

    // "支付成功" / "支付失败" (seed 2.8) only re-read the server's record.
    document.getElementById("paid-button").addEventListener("click", function () { polls = 0; reload(); });
    document.getElementById("failed-button").addEventListener("click", function () { polls = 0; reload(); });
    document.getElementById("query-button").addEventListener("click", function () {
      SBP.api("POST", path + "/query-bank").then(function (o) {
        render(o);
        if (o.status === "AWAITING_PAYMENT") { stopPoll(); notice("notice", "银行暂未查到该订单的付款。"); }
      }, function (err) { notice("form-error", err.message); });
    });
    document.getElementById("to-bank-button").addEventListener("click", function () {
      goToBank(order.bank_code, document.getElementById("result"));
    });

    if (!orderNo) {
      document.getElementById("loading").hidden = true;
      notice("form-error", "缺少订单号。");
      return;
    }
    reload();
  });
})();
