/* 社保卡信息采集 (seed 2.6.2) and 补卡: a multi-step application, saved at every step and resumed
 * from the to-do list at ?id=<application>&step=<step>. Steps: details → bank → delivery → photo → review. */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };
  var STEPS = ["details", "bank", "delivery", "photo", "review"];
  var state = { app: null, options: null, shown: null };

  function path(suffix) {
    return "/api/card/applications/" + encodeURIComponent(state.app.application_id) + (suffix || "");
  }

  function row(label, value, id) {
    return el("div", {}, el("dt", {}, label), el("dd", id ? { id: id } : {}, value || "—"));
  }

  function setResult(node) {
    var box = $("apply-result");
    box.textContent = "";
    if (node) box.appendChild(node);
  }

  // ---- rendering ---------------------------------------------------------------------------
  function renderSteps(current) {
    var list = $("steps");
    list.textContent = "";
    var reachable = STEPS.indexOf(state.app.step);
    state.app.steps.forEach(function (step, i) {
      var text = (i + 1) + ". " + step.label + (step.done ? "（已完成）" : "");
      var item;
      if (step.name === current) item = el("li", { "aria-current": "step" }, text);
      else if (i <= reachable) {
        item = el("li", {}, el("a", { href: "?id=" + encodeURIComponent(state.app.application_id) + "&step=" + step.name,
                                      onclick: function (event) { event.preventDefault(); go(step.name, true); } }, text));
      } else item = el("li", {}, text);
      list.appendChild(item);
    });
  }

  function fillDetails(app) {
    var person = app.person || {};
    var dl = $("person");
    dl.textContent = "";
    dl.appendChild(row("姓名", person.name, "person-name"));
    dl.appendChild(row("公民身份号码", person.id_number_masked));
    dl.appendChild(row("性别", person.gender));
    dl.appendChild(row("出生日期", person.birth_date));
    dl.appendChild(row("民族", person.ethnicity));
    dl.appendChild(row("登记手机号码", person.phone_masked));
    $("confirmed").checked = !!app.details_confirmed;
  }

  function fillBank(app) {
    var box = $("bank-list");
    box.textContent = "";
    state.options.banks.forEach(function (bank) {
      box.appendChild(el("label", { className: "choice", "for": "bank-" + bank.code },
        el("input", { type: "radio", name: "bank_code", value: bank.code, id: "bank-" + bank.code,
                      checked: app.bank_code === bank.code }), " ", bank.name));
    });
  }

  function outletDetail() {
    var code = $("outlet_code").value;
    var outlet = state.options.outlets.filter(function (o) { return o.code === code; })[0];
    $("outlet-detail").textContent = outlet ? "地址：" + outlet.address + "；办理时间：" + outlet.hours : "";
  }

  function methodChanged() {
    var form = $("delivery-form");
    var method = form.elements.method.value;
    $("pickup-fields").hidden = method !== "pickup";
    $("mail-fields").hidden = method !== "mail";
  }

  function fillDelivery(app) {
    var select = $("outlet_code");
    if (select.options.length === 1) {
      state.options.outlets.forEach(function (o) {
        select.appendChild(el("option", { value: o.code }, o.name + "（" + o.district + "）"));
      });
    }
    var d = app.delivery || {};
    var form = $("delivery-form");
    $("method-pickup").checked = d.method === "pickup";
    $("method-mail").checked = d.method === "mail";
    select.value = d.outlet_code || "";
    ["recipient", "phone", "address", "postal_code"].forEach(function (name) {
      form.elements[name].value = d[name] || (name === "recipient" && app.person ? app.person.name : "");
    });
    outletDetail();
    methodChanged();
  }

  function fillPhoto(app) {
    $("photo-next").hidden = !app.photo_uploaded;
    if (!app.photo_uploaded) { $("photo-frame").hidden = true; return; }
    $("photo-frame").hidden = false;
    window.CardPhoto.show($("photo-canvas"), app.application_id).catch(function (err) {
      $("photo-ok").textContent = "照片已通过检查，但暂时无法显示：" + err.message;
    });
  }

  function fillReview(app) {
    var dl = $("review-info");
    dl.textContent = "";
    var d = app.delivery || {};
    var delivery = d.method === "pickup"
      ? "到服务网点领取：" + (d.outlet_name || "") + "（" + (d.outlet_address || "") + "）"
      : d.method === "mail" ? "邮寄到家：" + d.address + "，" + d.postal_code + "，收件人" + d.recipient + "，电话" + d.phone : "";
    dl.appendChild(row("办理业务", app.kind_label));
    dl.appendChild(row("姓名", app.person && app.person.name));
    dl.appendChild(row("合作银行", app.bank_name, "review-bank"));
    dl.appendChild(row("领卡方式", delivery, "review-delivery"));
    dl.appendChild(row("照片", app.photo_uploaded ? "已上传并通过检查" : "未上传"));
  }

  function show(app, wanted, moveFocus) {
    state.app = app;
    $("apply-loading").hidden = true;
    $("start-panel").hidden = true;
    $("apply-title").textContent = app.kind === "REPLACEMENT" ? "社保卡补卡申请" : "社保卡申领信息采集";
    if (app.status !== "DRAFT") { showFinished(app); return; }
    var step = STEPS.indexOf(wanted) >= 0 && STEPS.indexOf(wanted) <= STEPS.indexOf(app.step) ? wanted : app.step;
    state.shown = step;
    ({ details: fillDetails, bank: fillBank, delivery: fillDelivery, photo: fillPhoto, review: fillReview })[step](app);
    STEPS.forEach(function (name) { $("step-" + name).hidden = name !== step; });
    renderSteps(step);
    $("steps-nav").hidden = false;
    $("later").hidden = false;
    $("done-panel").hidden = true;
    var query = "?id=" + encodeURIComponent(app.application_id) + "&step=" + step;
    if (window.location.search !== query) window.history.replaceState(null, "", query);
    if (moveFocus) $("h-" + step).focus();
  }

  function go(step, moveFocus) { setResult(null); show(state.app, step, moveFocus); }

  function showFinished(app) {
    STEPS.forEach(function (name) { $("step-" + name).hidden = true; });
    $("steps-nav").hidden = true;
    $("later").hidden = true;
    $("done-title").textContent = app.status === "SUBMITTED" ? "申请已提交" : app.kind_label + "：" + app.status_label;
    $("done-text").textContent = app.status === "SUBMITTED"
      ? "您的" + app.kind_label + "申请已提交（" + app.status_label + "）。制卡完成后，请按您选择的方式领取社保卡。"
      : "该申请" + app.status_label + "。";
    $("done-panel").hidden = false;
  }

  function showStart(overview, kind) {
    $("apply-loading").hidden = true;
    var replacement = kind === "replacement" || overview.actions.apply_replacement;
    var allowed = replacement ? overview.actions.apply_replacement : overview.actions.apply;
    var text;
    if (allowed) {
      text = replacement ? "您的社保卡已挂失。补卡将重新采集信息，提交后原卡注销，新卡进入制作。"
                         : "您还没有社保卡，可以在网上申领。整个过程约需5分钟，请准备好一张证件照。";
    } else if (overview.card) {
      text = "您已有社会保障卡（" + overview.card.status_label + "），无需申领。卡片丢失时请先在“社保卡基本信息”中挂失，再申请补卡。";
    } else {
      text = "暂时不能发起新的申请。";
    }
    $("apply-title").textContent = replacement ? "社保卡补卡申请" : "社保卡申领信息采集";
    $("start-text").textContent = text;
    var button = $("start-button");
    button.hidden = !allowed;
    button.textContent = replacement ? "开始补卡申请" : "开始申领";
    button.dataset.kind = replacement ? "replacement" : "new";
    $("start-panel").hidden = false;
  }

  // ---- actions -----------------------------------------------------------------------------
  function saving(form, request) {
    SBP.clearErrors(form);
    setResult(null);
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    return request().then(function (app) {
      button.disabled = false;
      return app;
    }, function (err) {
      button.disabled = false;
      SBP.showError(form, err);
      throw err;
    });
  }

  function savedThenNext(app) {
    SBP.announce("已保存");
    show(app, app.step, true);
  }

  function bind() {
    $("start-button").addEventListener("click", function () {
      var button = $("start-button");
      button.disabled = true;
      SBP.api("POST", "/api/card/applications", { kind: button.dataset.kind }).then(function (app) {
        show(app, "details", true);
      }, function (err) {
        button.disabled = false;
        setResult(el("p", { className: "form-error", role: "alert" }, err.message));
      });
    });

    $("details-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      if (!$("confirmed").checked) {
        SBP.clearErrors(form);
        SBP.showError(form, { field: "confirmed", message: "请核对个人信息，无误后勾选“以上信息准确无误”" });
        return;
      }
      saving(form, function () { return SBP.api("POST", path("/details"), { confirmed: true }); })
        .then(savedThenNext, function () {});
    });

    $("bank-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      var code = form.elements.bank_code.value;
      if (!code) {
        SBP.clearErrors(form);
        SBP.showError(form, { field: "bank_code", message: "请选择一家合作银行" });
        return;
      }
      saving(form, function () { return SBP.api("POST", path("/bank"), { bank_code: code }); })
        .then(savedThenNext, function () {});
    });

    $("delivery-form").addEventListener("change", function (event) {
      if (event.target.name === "method") methodChanged();
      if (event.target.id === "outlet_code") outletDetail();
    });
    $("delivery-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      var method = form.elements.method.value;
      var body = { method: method };
      if (method === "pickup") body.outlet_code = form.elements.outlet_code.value;
      if (method === "mail") {
        ["recipient", "phone", "address", "postal_code"].forEach(function (name) {
          body[name] = form.elements[name].value.trim();
        });
      }
      saving(form, function () { return SBP.api("POST", path("/delivery"), body); })
        .then(savedThenNext, function () {});
    });

    $("photo-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      var file = $("photo").files[0];
      saving(form, function () { return window.CardPhoto.upload(state.app.application_id, file); })
        .then(function (app) {
          form.reset();
          SBP.announce("照片已通过检查");
          show(app, "photo", false);
          $("photo-ok").focus();
        }, function () {});
    });

    $("review-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      saving(form, function () { return SBP.api("POST", path("/submit")); }).then(function (app) {
        showFinished(app);
        SBP.announce("申请已提交");
        $("done-title").focus();
      }, function (err) {
        if (err.code === "application_incomplete" && STEPS.indexOf(err.field) >= 0) {
          setResult(el("p", { className: "form-error", role: "alert" }, err.message));
        }
      });
    });

    Array.prototype.forEach.call(document.querySelectorAll("[data-goto]"), function (button) {
      button.addEventListener("click", function () { go(button.dataset.goto, true); });
    });

    $("withdraw-button").addEventListener("click", function () {
      SBP.confirm("撤销后，本次已填写的信息和上传的照片将被删除。确定要撤销吗？",
                  { title: "撤销申请", ok: "撤销申请", cancel: "不撤销", focusCancel: true }).then(function (yes) {
        if (!yes) return;
        SBP.api("POST", path("/withdraw")).then(function () {
          SBP.flash("申请已撤销");
          window.location.assign("/card/index.html");
        }, function (err) {
          setResult(el("p", { className: "form-error", role: "alert" }, err.message));
        });
      });
    });
  }

  document.addEventListener("sbp:ready", function () {
    bind();
    var params = new URLSearchParams(window.location.search);
    var id = params.get("id");
    var step = params.get("step");
    Promise.all([SBP.api("GET", "/api/card/options"), SBP.api("GET", "/api/card")]).then(function (answers) {
      state.options = answers[0];
      var overview = answers[1];
      var open = overview.open_application;
      if (!id && open) id = open.application_id;
      if (!id) { showStart(overview, params.get("kind")); return null; }
      return SBP.api("GET", "/api/card/applications/" + encodeURIComponent(id)).then(function (app) {
        show(app, step || app.step, false);
      });
    }).catch(function (err) {
      $("apply-loading").hidden = true;
      setResult(el("p", { className: "form-error", role: "alert" }, err.message));
    });
  });
})();
