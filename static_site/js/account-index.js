/* 账号设置 menu; "退出当前账号" (seed 2.2.4) ends the session at once and returns to sign-in. */
(function () {
  "use strict";
  document.getElementById("logout-now").addEventListener("click", function () {
    this.disabled = true;
    SBP.logout("您已退出当前账号。");
  });
})();
