/* The resident's own access log (/api/me/access-log), newest first. */
(function () {
  "use strict";
  var el = SBP.el;
  var ACTIONS = {
    login: "登录", activate: "激活账号", logout: "退出", password_change: "修改密码",
    password_reset_start: "找回密码（开始）", password_reset_code: "找回密码（发送验证码）",
    password_reset: "找回密码（重置）", protection_change: "设置密码保护",
    phone_change_start: "更改手机号码（发送验证码）", phone_change: "更改手机号码",
    email_change_start: "更改邮箱（发送验证码）", email_change: "更改邮箱",
    account_create: "开通账号", records_statement: "生成个人权益记录单", data_export: "下载我的数据",
    sms_login_start: "短信验证码登录（发送验证码）", sms_login: "短信验证码登录",
    passkey_login: "通行密钥登录", passkey_add: "添加通行密钥", passkey_remove: "删除通行密钥",
    confirm_code: "身份确认（发送验证码）"
  };
  var OUTCOMES = {
    ok: "成功", bad_password: "密码错误", bad_old_password: "原密码错误", locked: "账号已锁定",
    unknown_account: "账号不存在", activation_required: "需要激活", code_sent: "已发送验证码",
    sent: "已发送验证码", activation_no_phone: "未登记手机", seed: "系统导入", seeded: "系统导入",
    imported: "系统导入", code_wrong: "验证码错误", phone_mismatch: "手机号码与登记的不一致",
    invalid_credential: "通行密钥未通过验证", invalid_assertion: "通行密钥未通过验证",
    unknown_passkey: "通行密钥未登记", wrong_user: "通行密钥与账号不符", counter_conflict: "通行密钥疑似被复制"
  };

  document.addEventListener("sbp:ready", function () {
    var area = document.getElementById("log-area");
    SBP.api("GET", "/api/me/access-log").then(function (answer) {
      var items = answer.items || [];
      area.textContent = "";
      if (!items.length) {
        area.appendChild(el("p", { className: "empty" }, "暂无记录。"));
        return;
      }
      var rows = items.map(function (item) {
        var ok = item.outcome === "ok";
        return el("tr", {},
          el("td", { "data-label": "时间" }, SBP.dateTime(item.at)),
          el("td", { "data-label": "操作" }, ACTIONS[item.action] || "其他操作（" + item.action + "）"),
          el("td", { "data-label": "结果" }, ok ? "成功" : (OUTCOMES[item.outcome] || item.outcome)),
          el("td", { "data-label": "来源地址" }, item.source_ip || "—"));
      });
      area.appendChild(el("div", { className: "table-wrap", tabindex: "0", role: "region", "aria-label": "登录与操作记录表" },
        el("table", { id: "access-log", className: "stack" },
          el("caption", { className: "visually-hidden" }, "最近的登录与操作记录，最新的在前"),
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "时间"), el("th", { scope: "col" }, "操作"),
                                      el("th", { scope: "col" }, "结果"), el("th", { scope: "col" }, "来源地址"))),
          el("tbody", {}, rows))));
    }, function (err) {
      area.textContent = "";
      area.appendChild(el("p", { className: "form-error", role: "alert" }, err.message));
    });
  });
})();
