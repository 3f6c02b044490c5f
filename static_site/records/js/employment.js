/* 公共就业信息 and 劳动合同, newest first, "更多" pages with the cursor. */
(function () {
  "use strict";
  var el = SBP.el;
  var $ = function (id) { return document.getElementById(id); };

  function lister(path, listId, nextId, caption, columns, emptyText) {
    var cursor = null;
    var first = true;
    function load() {
      return SBP.api("GET", path + (cursor ? "?cursor=" + encodeURIComponent(cursor) : "")).then(function (answer) {
        var target = $(listId);
        if (first) target.textContent = "";
        if (first && !answer.items.length) target.appendChild(el("p", { className: "notice" }, emptyText));
        else if (answer.items.length) target.appendChild(SBPRecords.table(caption, columns, answer.items));
        first = false;
        cursor = answer.next_cursor;
        $(nextId).hidden = !cursor;
      }, function (err) { SBPRecords.fail($(listId), err); });
    }
    $(nextId).addEventListener("click", load);
    return load;
  }

  SBP.onReady(function () {
    lister("/api/records/employment", "notices-list", "notices-next", "公共就业信息", [
      { label: "日期", value: function (n) { return SBPRecords.isoDate(n.date); } },
      { label: "类别", value: function (n) { return n.kind_label; } },
      { label: "办理机构", value: function (n) { return n.organisation; } },
      { label: "内容", value: function (n) { return n.detail; } }
    ], "暂无公共就业信息。")();
    lister("/api/records/labour-contracts", "contracts-list", "contracts-next", "劳动合同", [
      { label: "用人单位", value: function (c) { return c.employer; } },
      { label: "合同期限类型", value: function (c) { return c.contract_type_label; } },
      { label: "开始日期", value: function (c) { return SBPRecords.isoDate(c.start_date); } },
      { label: "结束日期", value: function (c) { return c.end_date ? SBPRecords.isoDate(c.end_date) : "无固定期限"; } },
      { label: "岗位", value: function (c) { return c.position; } },
      { label: "状态", value: function (c) { return c.current ? "履行中" : "已终止"; } }
    ], "暂无劳动合同记录。")();
  });
})();
