/* 城乡居民缴费, step 1: resident medical (for oneself or a family member named by ID number and
 * name) or resident pension (a level, 档次), one year whose collection window is open. The
 * server decides amounts and whether the year can still be paid; then steps 2–4 are the
 * order page shared with flexible employment. */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };
  var TITLES = { resident_medical: "城乡居民医保缴费", resident_pension: "城乡居民养老保险缴费" };
  var LEADS = {
    resident_medical: "每年在集中缴费期内缴纳下一年度的城乡居民医疗保险费。可以为本人缴纳，也可以为参保的家庭成员缴纳。",
    resident_pension: "年满16周岁至59周岁、未参加职工养老保险的城乡居民，每年选择一个缴费档次缴纳养老保险费。"
  };

  document.addEventListener("sbp:ready", function () {
    var kind = PAY.param("kind") === "resident_pension" ? "resident_pension" : "resident_medical";
    var form = $("resident-form");
    var options = null;
    $("page-title").textContent = TITLES[kind];
    document.title = TITLES[kind] + " - 社保个人网上服务";
    $("lead").textContent = LEADS[kind];

    function yearEntry() {
      var chosen = parseInt($("year").value, 10);
      return options.years.filter(function (y) { return y.year === chosen; })[0];
    }

    function chosenLevel() {
      var input = form.querySelector('input[name="level_fen"]:checked');
      return input ? parseInt(input.value, 10) : null;
    }

    function showAmount() {
      var entry = yearEntry();
      if (!entry) return;
      if (kind === "resident_medical") {
        $("amount").textContent = SBP.fen(entry.personal_fen);
        $("subsidy").textContent = "（另有政府补助" + SBP.fen(entry.subsidy_fen) + "）";
      } else {
        var fen = chosenLevel();
        var level = entry.levels.filter(function (lv) { return lv.level_fen === fen; })[0];
        $("amount").textContent = level ? SBP.fen(level.level_fen) : "请选择档次";
        $("subsidy").textContent = level ? "（政府补助" + SBP.fen(level.subsidy_fen) + "，合计计入个人账户" +
          SBP.fen(level.level_fen + level.subsidy_fen) + "）" : "";
      }
    }

    function renderLevels() {
      var list = $("level-list");
      list.textContent = "";
      yearEntry().levels.forEach(function (lv, i) {
        var id = "level-" + lv.level_fen;
        list.appendChild(el("label", { className: "choice", "for": id },
          el("input", { type: "radio", id: id, name: "level_fen", value: String(lv.level_fen), checked: i === 0 }),
          " " + SBP.fen(lv.level_fen) + "（政府补助" + SBP.fen(lv.subsidy_fen) + "）"));
      });
    }

    function render(answer) {
      options = answer;
      $("loading").hidden = true;
      if (!answer.years.length) {
        $("not-open").appendChild(el("p", { className: "notice" }, "现在不在缴费期内，请在集中缴费期内办理。"));
        return;
      }
      if (kind === "resident_pension" && !answer.self.eligible) {
        $("not-open").appendChild(el("p", { className: "notice", id: "not-eligible" }, answer.self.reason + "。"));
        return;
      }
      answer.years.forEach(function (y) {
        $("year").appendChild(el("option", { value: String(y.year) }, y.year + "年度"));
      });
      var first = answer.years[0];
      $("year-hint").textContent = "缴费期：" + first.window_from + " 至 " + first.window_to;
      if (kind === "resident_medical") {
        $("whom-fieldset").hidden = false;
        var selfTaken = first.self_state !== "payable";
        $("self-label").textContent = "本人（" + answer.self.name_masked + "）" +
          (selfTaken ? "：" + first.year + "年度已缴费或已在未完成的订单中" : "");
        if (!answer.self.eligible || selfTaken) {
          $("whom-self").disabled = true;
          $("whom-other").checked = true;
          $("member-fields").hidden = false;
        }
      } else {
        $("level-fieldset").hidden = false;
        renderLevels();
      }
      form.hidden = false;
      showAmount();
    }

    form.addEventListener("change", function (event) {
      if (event.target.name === "whom") $("member-fields").hidden = event.target.value !== "other";
      if (event.target.id === "year" && kind === "resident_pension") renderLevels();
      showAmount();
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      SBP.clearErrors(form);
      var body = { kind: kind, year: parseInt($("year").value, 10) };
      if (kind === "resident_medical" && form.querySelector('input[name="whom"]:checked').value === "other") {
        var number = $("member-id").value.trim();
        var name = $("member-name").value.trim();
        var problem = SBP.idNumberProblem(number);
        if (problem) { SBP.showError(form, { field: "insured.id_number", message: problem }); return; }
        if (!name) { SBP.showError(form, { field: "insured.name", message: "请填写家庭成员的姓名" }); return; }
        body.insured = { id_number: number, name: name };
      }
      if (kind === "resident_pension") body.level_fen = chosenLevel();
      SBP.api("POST", "/api/payments/orders", body).then(function (order) {
        window.location.href = "/pay/order.html?no=" + encodeURIComponent(order.order_no);
      }, function (err) {
        if (err.field === "insured" && body.insured) err = { field: "insured.id_number", message: err.message };
        SBP.showError(form, err);
      });
    });

    SBP.api("GET", "/api/payments/options?kind=" + kind).then(render, function (err) {
      $("loading").hidden = true;
      $("not-open").appendChild(el("p", { className: "form-error", role: "alert" }, err.message));
    });
  });
})();
