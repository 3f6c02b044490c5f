/*
 * 社保个人网上服务 — shared front-end for every page.
 *
 * Contract (pages code against this):
 *   <body data-auth="required" data-title="页面标题"> … <main id="main"> …
 *   Optional on <body>: data-parent-title / data-parent-href (a middle breadcrumb step).
 *   document.addEventListener("sbp:ready", e => e.detail.me)   // /api/me answer (null on public pages)
 *   SBP.api(method, path, body?) → Promise<JSON>; rejects with SBP.ApiError {status, code, message, field}
 *   SBP.fen(n) "¥1,234.56" · SBP.month("202611") "2026年11月" · SBP.date(unixSeconds) "2026年11月27日"
 *   SBP.showError(form, err) · SBP.clearErrors(form) · SBP.announce(text) · SBP.el(tag, attrs, ...children)
 *   Extras: SBP.onReady(fn); SBP.confirm(message, {title, ok, cancel}) → Promise<boolean>; SBP.me; SBP.flash(text)
 *   (a message shown once on the next page); SBP.logout(); SBP.nextPath(); SBP.validIdNumber(s).
 */
(function () {
  "use strict";

  var SITE_NAME = "社保个人网上服务";
  var ELDERLY_KEY = "sbp.elderly";
  var FLASH_KEY = "sbp.flash";
  var WARN_BEFORE_MS = 2 * 60 * 1000;
  var SIGNED_OUT_CODES = { not_signed_in: true, session_expired: true };

  var SBP = (window.SBP = window.SBP || {});

  // ---- elderly mode: applied as early as possible to avoid a flash of small type ----------
  function elderlyOn() {
    try { return window.localStorage.getItem(ELDERLY_KEY) === "1"; } catch (e) { return false; }
  }
  if (elderlyOn()) document.documentElement.classList.add("elderly");

  // ---- errors -------------------------------------------------------------------------------
  function ApiError(status, code, message, field) {
    this.name = "ApiError";
    this.status = status;
    this.code = code || "error";
    this.message = message || "操作未成功，请稍后再试";
    this.field = field || null;
    this.stack = new Error(this.message).stack;
  }
  ApiError.prototype = Object.create(Error.prototype);
  ApiError.prototype.constructor = ApiError;
  SBP.ApiError = ApiError;

  // ---- DOM helper ---------------------------------------------------------------------------
  /** Build an element safely: attrs are set as attributes (on* functions as listeners),
   *  children are nodes or text (never parsed as HTML). */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key.slice(0, 2) === "on" && typeof value === "function") {
          node.addEventListener(key.slice(2).toLowerCase(), value);
        } else if (key === "className" || key === "class") {
          node.className = value;
        } else if (key === "text") {
          node.textContent = value;
        } else if (key === "dataset") {
          Object.keys(value).forEach(function (d) { node.dataset[d] = value[d]; });
        } else {
          node.setAttribute(key, value === true ? "" : String(value));
        }
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  SBP.el = el;

  // ---- formatting ---------------------------------------------------------------------------
  SBP.fen = function (n) {
    var value = Number(n);
    if (!isFinite(value)) return "—";
    value = Math.round(value);
    var sign = value < 0 ? "-" : "";
    var abs = Math.abs(value);
    var yuan = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = String(abs % 100);
    if (cents.length < 2) cents = "0" + cents;
    return sign + "¥" + yuan + "." + cents;
  };
  SBP.month = function (yyyymm) {
    var s = String(yyyymm || "");
    if (!/^\d{6}$/.test(s)) return s;
    return s.slice(0, 4) + "年" + parseInt(s.slice(4), 10) + "月";
  };
  SBP.date = function (unixSeconds) {
    if (unixSeconds === null || unixSeconds === undefined || unixSeconds === "") return "—";
    // Always China time (UTC+8), whatever the device's zone.
    var d = new Date(Number(unixSeconds) * 1000 + 8 * 3600 * 1000);
    return d.getUTCFullYear() + "年" + (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日";
  };
  SBP.dateTime = function (unixSeconds) {
    if (unixSeconds === null || unixSeconds === undefined || unixSeconds === "") return "—";
    var d = new Date(Number(unixSeconds) * 1000 + 8 * 3600 * 1000);
    function two(x) { return (x < 10 ? "0" : "") + x; }
    return SBP.date(unixSeconds) + " " + two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  };

  // ---- GB 11643 citizen ID check (client side; the server checks again) ---------------------
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECKS = "10X98765432";
  /** Returns "" when valid, else a Chinese message saying how to fix it. */
  SBP.idNumberProblem = function (raw) {
    var s = String(raw || "").trim().toUpperCase();
    if (!s) return "请输入身份证号码";
    if (s.length !== 18) return "身份证号码应为18位，您输入了" + s.length + "位";
    if (!/^\d{17}[\dX]$/.test(s)) return "身份证号码前17位应为数字，最后一位为数字或X";
    var y = +s.slice(6, 10), m = +s.slice(10, 12), d = +s.slice(12, 14);
    var born = new Date(Date.UTC(y, m - 1, d));
    if (y < 1900 || born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) {
      return "身份证号码中的出生日期不正确，请核对";
    }
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += +s.charAt(i) * WEIGHTS[i];
    if (CHECKS.charAt(sum % 11) !== s.charAt(17)) return "身份证号码校验位不正确，请核对每一位数字";
    return "";
  };
  SBP.validIdNumber = function (raw) { return SBP.idNumberProblem(raw) === ""; };

  // ---- live region --------------------------------------------------------------------------
  var liveRegion = null;
  SBP.announce = function (text) {
    if (!liveRegion) {
      liveRegion = el("div", { id: "sbp-live", className: "visually-hidden", role: "status", "aria-live": "polite" });
      document.body.appendChild(liveRegion);
    }
    liveRegion.textContent = "";
    window.setTimeout(function () { liveRegion.textContent = text; }, 50);
  };

  // ---- form errors --------------------------------------------------------------------------
  SBP.clearErrors = function (form) {
    if (!form) return;
    Array.prototype.forEach.call(form.querySelectorAll(".field-error, .form-error"), function (n) {
      n.parentNode.removeChild(n);
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (input) {
      input.removeAttribute("aria-invalid");
      var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && id.indexOf("err-") !== 0;
      });
      if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
      else input.removeAttribute("aria-describedby");
    });
  };

  /** Put err.message next to the input named err.field (or at the form's top) and focus it. */
  SBP.showError = function (form, err) {
    var message = (err && err.message) || "操作未成功，请稍后再试";
    var field = err && err.field;
    var input = null;
    if (form && field) {
      input = form.querySelector('[name="' + String(field).replace(/"/g, "") + '"]');
      if (!input) input = form.querySelector('[data-field="' + String(field).replace(/"/g, "") + '"]');
    }
    if (input) {
      var id = "err-" + (input.id || input.name || "field") ;
      var old = document.getElementById(id);
      if (old) old.parentNode.removeChild(old);
      var msg = el("p", { id: id, className: "field-error" }, message);
      // label, hint, error, then the input (or the row that holds it)
      var anchor = input.closest(".field, fieldset") || input.parentNode;
      var node = input;
      while (node.parentNode && node.parentNode !== anchor) node = node.parentNode;
      anchor.insertBefore(msg, node);
      input.setAttribute("aria-invalid", "true");
      var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (described.indexOf(id) < 0) described.unshift(id);
      input.setAttribute("aria-describedby", described.join(" "));
      if (typeof input.focus === "function") input.focus();
    } else if (form) {
      var box = form.querySelector(".form-error");
      if (!box) {
        box = el("div", { className: "form-error", role: "alert", tabindex: "-1" });
        form.insertBefore(box, form.firstChild);
      }
      box.textContent = message;
      box.focus();
    } else {
      SBP.announce(message);
    }
  };

  // ---- one-time messages across pages -------------------------------------------------------
  SBP.flash = function (text) {
    try { window.sessionStorage.setItem(FLASH_KEY, text); } catch (e) { /* private mode */ }
  };
  function takeFlash() {
    try {
      var text = window.sessionStorage.getItem(FLASH_KEY);
      window.sessionStorage.removeItem(FLASH_KEY);
      return text;
    } catch (e) { return null; }
  }

  // ---- API ----------------------------------------------------------------------------------
  var activityListeners = [];
  SBP.api = function (method, path, body) {
    var opts = {
      method: method,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" }
    };
    if (body !== undefined && body !== null) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return window.fetch(path, opts).then(
      function (response) {
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : {}; } catch (e) { data = null; }
          if (response.ok) {
            activityListeners.forEach(function (fn) { fn(path, data); });
            return data || {};
          }
          var e = (data && data.error) || {};
          var err = new ApiError(response.status, e.code, e.message || defaultMessage(response.status), e.field);
          if (response.status === 401 && SIGNED_OUT_CODES[err.code] && requiresAuth()) {
            goToSignIn(err.code === "session_expired" ? "登录已超时或已退出，请重新登录" : null);
          }
          throw err;
        });
      },
      function () {
        throw new ApiError(0, "network_error", "网络连接失败，请检查网络后重试");
      }
    );
  };
  function defaultMessage(status) {
    if (status === 404) return "没有找到您要的内容";
    if (status === 429) return "操作过于频繁，请稍后再试";
    if (status >= 500) return "服务暂时繁忙，请稍后再试";
    return "操作未成功，请稍后再试";
  }

  function requiresAuth() { return document.body && document.body.dataset.auth === "required"; }

  /** A same-origin path from ?next= (never another site), or null. */
  SBP.nextPath = function () {
    var next = new URLSearchParams(window.location.search).get("next");
    if (!next || next.charAt(0) !== "/" || next.charAt(1) === "/" || next.charAt(1) === "\\") return null;
    if (/^\/(index|activate|forgot)\.html/.test(next)) return null;
    return next;
  };

  var leaving = false;
  function goToSignIn(message) {
    if (leaving) return;
    leaving = true;
    if (message) SBP.flash(message);
    var here = window.location.pathname + window.location.search;
    window.location.assign("/index.html?next=" + encodeURIComponent(here));
  }

  SBP.logout = function (message) {
    stopIdle();
    return SBP.api("POST", "/api/auth/logout").catch(function () { return null; }).then(function () {
      leaving = true;
      SBP.flash(message || "您已安全退出");
      window.location.assign("/index.html");
    });
  };

  // ---- image captcha -----------------------------------------------------------------------
  /** Fetch a new captcha and draw it into `target` (a <canvas id="captcha-img">); the PNG is
   *  decoded with createImageBitmap so no data: URL is needed under CSP default-src 'self'.
   *  Sets target.dataset.captchaId and resolves with the id. */
  SBP.loadCaptcha = function (target) {
    return SBP.api("POST", "/api/auth/captcha").then(function (answer) {
      target.dataset.captchaId = answer.captcha_id;
      var base64 = String(answer.image || "").split(",")[1] || "";
      var raw = window.atob(base64);
      var bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return window.createImageBitmap(new Blob([bytes], { type: "image/png" })).then(function (bitmap) {
        if (target.getContext) {
          target.width = bitmap.width;
          target.height = bitmap.height;
          target.getContext("2d").drawImage(bitmap, 0, 0);
        }
        return answer.captcha_id;
      });
    });
  };

  // ---- dialogs ------------------------------------------------------------------------------
  function trapFocus(dialog) {
    dialog.addEventListener("keydown", function (event) {
      if (event.key !== "Tab") return;
      var items = dialog.querySelectorAll("button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])");
      if (!items.length) return;
      var first = items[0], last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
      else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
    });
  }

  /** A modal confirmation: resolves true (确定) or false (取消 / Esc). */
  SBP.confirm = function (message, options) {
    options = options || {};
    return new Promise(function (resolve) {
      var titleId = "dlg-title-" + Date.now();
      var msgId = titleId + "-msg";
      var okBtn = el("button", { type: "button", className: "btn btn-primary", "data-action": "ok" }, options.ok || "确定");
      var cancelBtn = el("button", { type: "button", className: "btn", "data-action": "cancel" }, options.cancel || "取消");
      var dialog = el("dialog", { className: "sbp-dialog", "aria-labelledby": titleId, "aria-describedby": msgId },
        el("h2", { id: titleId }, options.title || "请确认"),
        el("p", { id: msgId }, message),
        el("div", { className: "dialog-actions" }, okBtn, cancelBtn));
      var previous = document.activeElement;
      var done = false;
      function finish(answer) {
        if (done) return;
        done = true;
        if (dialog.open) dialog.close();
        dialog.parentNode && dialog.parentNode.removeChild(dialog);
        if (previous && typeof previous.focus === "function" && document.contains(previous)) previous.focus();
        resolve(answer);
      }
      okBtn.addEventListener("click", function () { finish(true); });
      cancelBtn.addEventListener("click", function () { finish(false); });
      dialog.addEventListener("cancel", function (event) { event.preventDefault(); finish(false); });
      trapFocus(dialog);
      document.body.appendChild(dialog);
      dialog.showModal();
      (options.focusCancel ? cancelBtn : okBtn).focus();
    });
  };

  // ---- idle timeout -------------------------------------------------------------------------
  var idle = { deadline: 0, timeoutMs: 15 * 60 * 1000, timer: null, dialog: null, countdown: null };

  function setDeadlineFromServer(timing) {
    if (!timing) return;
    if (timing.idle_timeout_s) idle.timeoutMs = timing.idle_timeout_s * 1000;
    if (timing.idle_expires_at && timing.server_time) {
      idle.deadline = Date.now() + (timing.idle_expires_at - timing.server_time) * 1000;
    } else {
      idle.deadline = Date.now() + idle.timeoutMs;
    }
  }

  function startIdle(timing) {
    setDeadlineFromServer(timing);
    activityListeners.push(function (path, data) {
      if (path === "/api/auth/logout") return;
      if (data && data.idle_expires_at) setDeadlineFromServer(data);
      else if (data && data.session && data.session.idle_expires_at) setDeadlineFromServer(data.session);
      else idle.deadline = Date.now() + idle.timeoutMs;
      if (idle.dialog && idle.dialog.open && idle.deadline - Date.now() > WARN_BEFORE_MS) hideWarning();
    });
    if (idle.timer) window.clearInterval(idle.timer);
    idle.timer = window.setInterval(tickIdle, 1000);
  }

  function stopIdle() {
    if (idle.timer) window.clearInterval(idle.timer);
    idle.timer = null;
    hideWarning();
  }

  function tickIdle() {
    if (!idle.deadline || leaving) return;
    var left = idle.deadline - Date.now();
    if (left <= 0) {
      stopIdle();
      goToSignInExpired();
    } else if (left <= WARN_BEFORE_MS) {
      showWarning(Math.ceil(left / 1000));
    }
  }

  function goToSignInExpired() {
    leaving = true;
    SBP.flash("您已超过15分钟未操作，为保护您的信息已自动退出，请重新登录");
    window.location.assign("/index.html?next=" + encodeURIComponent(window.location.pathname + window.location.search));
  }

  function showWarning(seconds) {
    if (!idle.dialog) {
      idle.countdown = el("strong", { className: "countdown" }, String(seconds));
      var stay = el("button", { type: "button", className: "btn btn-primary", "data-action": "stay" }, "继续使用");
      var quit = el("button", { type: "button", className: "btn", "data-action": "logout" }, "退出");
      idle.dialog = el("dialog", { className: "sbp-dialog", id: "idle-warning", "aria-labelledby": "idle-title",
                                   "aria-describedby": "idle-text" },
        el("h2", { id: "idle-title" }, "即将自动退出"),
        el("p", { id: "idle-text" }, "您已长时间未操作，将在 ", idle.countdown, " 秒后自动退出。"),
        el("div", { className: "dialog-actions" }, stay, quit));
      stay.addEventListener("click", function () {
        SBP.api("POST", "/api/auth/keepalive").then(function () {
          hideWarning();
          SBP.announce("已为您延长登录时间");
        }, function () { /* 401 → api() already goes to sign-in */ });
      });
      quit.addEventListener("click", function () { SBP.logout(); });
      idle.dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
      trapFocus(idle.dialog);
      document.body.appendChild(idle.dialog);
    }
    idle.countdown.textContent = String(seconds);
    if (!idle.dialog.open) {
      idle.dialog.showModal();
      idle.dialog.querySelector("[data-action=stay]").focus();
    }
  }

  function hideWarning() {
    if (idle.dialog && idle.dialog.open) idle.dialog.close();
  }

  // ---- header -------------------------------------------------------------------------------
  function toggleElderly(button) {
    var on = !document.documentElement.classList.contains("elderly");
    document.documentElement.classList.toggle("elderly", on);
    try { window.localStorage.setItem(ELDERLY_KEY, on ? "1" : "0"); } catch (e) { /* ignore */ }
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "标准模式" : "适老模式";
    SBP.announce(on ? "已切换到适老模式：大字体、高对比度" : "已切换到标准模式");
  }

  function renderHeader(signedIn) {
    var body = document.body;
    var title = body.dataset.title || "";
    var elderly = document.documentElement.classList.contains("elderly");

    var skip = el("a", { className: "skip-link", href: "#main" }, "跳到主要内容");
    var toggle = el("button", { type: "button", className: "btn btn-small", id: "elderly-toggle",
                                "aria-pressed": elderly ? "true" : "false" }, elderly ? "标准模式" : "适老模式");
    toggle.addEventListener("click", function () { toggleElderly(toggle); });
    var tools = el("div", { className: "header-tools" }, toggle);
    if (signedIn) {
      var exit = el("button", { type: "button", className: "btn btn-small", id: "exit-button" }, "退出");
      exit.addEventListener("click", function () {
        SBP.confirm("确定要退出社保个人网上服务吗？退出后需要重新登录。", { title: "退出系统", focusCancel: true })
          .then(function (yes) { if (yes) SBP.logout(); });
      });
      tools.appendChild(exit);
    }
    var homeHref = signedIn ? "/home.html" : "/index.html";
    var header = el("header", { className: "site-header" },
      el("div", { className: "header-inner" },
        el("a", { className: "site-name", href: homeHref },
          el("span", { className: "site-logo", "aria-hidden": "true" }, "社"), SITE_NAME),
        tools));

    var crumbs = el("ol", {});
    if (signedIn && body.dataset.title && window.location.pathname !== "/home.html") {
      crumbs.appendChild(el("li", {}, el("a", { href: "/home.html" }, "首页")));
      if (body.dataset.parentTitle && body.dataset.parentHref) {
        crumbs.appendChild(el("li", {}, el("a", { href: body.dataset.parentHref }, body.dataset.parentTitle)));
      }
    }
    crumbs.appendChild(el("li", { "aria-current": "page" }, title || SITE_NAME));
    var nav = el("nav", { className: "breadcrumb", "aria-label": "您的位置" },
      el("span", { className: "breadcrumb-label" }, "您的位置："), crumbs);

    // Rendered at once on load (before /api/me answers) and again only if that fails, so the
    // page never shifts under the reader: replace whatever an earlier call put in.
    ["a.skip-link", "header.site-header", "nav.breadcrumb"].forEach(function (selector) {
      var existing = body.querySelector(selector);
      if (existing && existing.parentNode === body) body.removeChild(existing);
    });
    body.insertBefore(nav, body.firstChild);
    body.insertBefore(header, nav);
    body.insertBefore(skip, header);

    if (!body.querySelector("footer.site-footer")) {
      body.appendChild(el("footer", { className: "site-footer" },
        el("p", {}, "社会保险个人网上服务 · 咨询电话 12333 · 请勿将密码和验证码告诉他人")));
    }
    if (title) document.title = title + " - " + SITE_NAME;

    var flash = takeFlash();
    var main = document.getElementById("main");
    if (flash && main) {
      main.insertBefore(el("div", { className: "notice", role: "status", id: "flash" }, flash), main.firstChild);
    }
  }

  // sbp:ready fires once both the DOM is fully loaded (so every deferred page script has
  // registered its listener) and /api/me has answered.
  var domLoaded = document.readyState === "complete";
  var pendingMe;
  var meKnown = false;
  var readyListeners = [];
  document.addEventListener("DOMContentLoaded", function () { domLoaded = true; maybeReady(); });
  function ready(me) { pendingMe = me; meKnown = true; maybeReady(); }
  function maybeReady() {
    if (!domLoaded || !meKnown || SBP.isReady) return;
    SBP.me = pendingMe;
    SBP.isReady = true;
    document.body.classList.add("sbp-ready");
    document.dispatchEvent(new CustomEvent("sbp:ready", { detail: { me: pendingMe } }));
    readyListeners.forEach(function (fn) { fn(pendingMe); });
  }
  /** Run fn(me) once the page is ready (immediately if it already is). */
  SBP.onReady = function (fn) {
    if (SBP.isReady) fn(SBP.me); else readyListeners.push(fn);
  };

  function start() {
    if (requiresAuth()) {
      document.body.classList.add("sbp-loading");
      renderHeader(true);
      SBP.api("GET", "/api/me").then(function (me) {
        document.body.classList.remove("sbp-loading");
        startIdle(me.session);
        ready(me);
      }, function (err) {
        if (err.status === 401) { goToSignIn(null); return; }
        document.body.classList.remove("sbp-loading");
        renderHeader(false);
        var main = document.getElementById("main");
        if (main) {
          main.insertBefore(el("div", { className: "form-error", role: "alert" },
            err.message + "（", el("a", { href: window.location.pathname }, "刷新重试"), "）"), main.firstChild);
        }
      });
    } else {
      renderHeader(false);
      ready(null);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
