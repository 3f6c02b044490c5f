/* Personal basic information (seed 2.4.1), masked as the API gives it. */
(function () {
  "use strict";
  var el = SBP.el;
  // Profile keys as the seed and the import write them; social_security_no is never shown raw
  // (the masked ID number is the 社会保障号码).
  var PROFILE_LABELS = [
    ["ethnicity", "民族"], ["education", "文化程度"], ["hukou_type", "户口性质"], ["hukou", "户籍所在地"],
    ["address", "联系地址"], ["person_status", "人员类别"], ["insured_status", "参保状态"],
    ["employer", "单位名称"], ["insured_region", "参保地"], ["work_start", "参加工作时间"],
    ["insured_since", "首次参保时间"], ["retirement_date", "退休时间"], ["retirement_type", "退休类别"],
    ["pension_start", "开始领取养老金时间"], ["insured_types", "参保险种"]
  ];
  var TYPES = {
    "110": "职工基本养老保险", "210": "失业保险", "310": "职工基本医疗保险", "410": "工伤保险",
    "510": "生育保险", "170": "城乡居民基本养老保险", "390": "城乡居民基本医疗保险"
  };
  var GENDERS = { M: "男", F: "女", male: "男", female: "女", "男": "男", "女": "女" };

  function row(label, value) {
    return el("div", {}, el("dt", {}, label), el("dd", {}, value === null || value === undefined || value === "" ? "未登记" : value));
  }
  function isoDate(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? m[1] + "年" + parseInt(m[2], 10) + "月" + parseInt(m[3], 10) + "日" : text;
  }
  function profileValue(value) {
    if (Array.isArray(value)) return value.map(function (code) { return TYPES[code] || code; }).join("、");
    if (typeof value === "string" && /^\d{4}-\d{2}$/.test(value)) return SBP.month(value.replace("-", ""));
    if (typeof value === "string" && /^\d{6}$/.test(value)) return SBP.month(value);
    if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return isoDate(value);
    return typeof value === "object" ? null : String(value);
  }

  document.addEventListener("sbp:ready", function (event) {
    var me = event.detail.me;
    var basic = document.getElementById("basic-info");
    basic.appendChild(row("姓名", me.name));
    basic.appendChild(row("公民身份号码", me.id_number_masked));
    basic.appendChild(row("社会保障号码", me.id_number_masked));
    basic.appendChild(row("性别", GENDERS[me.gender] || me.gender));
    basic.appendChild(row("出生日期", isoDate(me.birth_date)));
    var profile = me.profile || {};
    var shown = {};
    PROFILE_LABELS.forEach(function (pair) {
      var value = profile[pair[0]];
      if (value === undefined || value === null || value === "" || shown[pair[1]]) return;
      var text = profileValue(value);
      if (text === null) return;
      shown[pair[1]] = true;
      basic.appendChild(row(pair[1], text));
    });
    basic.appendChild(row("手机号码", me.phone_masked));
    basic.appendChild(row("电子邮箱", me.email));

    var security = document.getElementById("security-info");
    security.appendChild(row("密码保护", me.password_protection_set ? "已设置" : "未设置（建议设置，忘记密码时可用于找回）"));
  });
})();
