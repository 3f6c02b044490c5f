/* Shared by the records pages: a stacked table builder and the resident's insurance types. */
(function () {
  "use strict";
  var el = SBP.el;
  window.SBPRecords = {
    /** A <table class="stack"> from column specs [{label, value(row) → text|Node}] and rows. */
    table: function (caption, columns, rows, id) {
      var head = el("tr", {}, columns.map(function (c) { return el("th", { scope: "col" }, c.label); }));
      var body = rows.map(function (row) {
        return el("tr", {}, columns.map(function (c) {
          var value = c.value(row);
          return el("td", { "data-label": c.label }, value === null || value === undefined || value === "" ? "—" : value);
        }));
      });
      var attrs = { className: "stack" };
      if (id) attrs.id = id;
      return el("div", { className: "table-wrap" },
        el("table", attrs, el("caption", { className: "visually-hidden" }, caption),
          el("thead", {}, head), el("tbody", {}, body)));
    },
    /** "YYYY-MM" (input type=month) → "YYYYMM", or "" */
    periodOf: function (value) {
      var m = /^(\d{4})-(\d{2})$/.exec(value || "");
      return m ? m[1] + m[2] : "";
    },
    isoDate: function (text) {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
      return m ? m[1] + "年" + m[2] + "月" + m[3] + "日" : "—";
    },
    fail: function (target, err) {
      target.textContent = "";
      target.appendChild(el("p", { className: "form-error", role: "alert" }, err.message));
    }
  };
})();
