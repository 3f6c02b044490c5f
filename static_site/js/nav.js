/*
 * The home page's function groups (the eight of the seed's introduction, plus account settings).
 * Each group: {key, title, description, items: [{title, href}]}.
 * href null → shown as "即将开放" and not a link. Engineers set href when their page works.
 */
window.SBP_FEATURES = [
  {
    key: "info",
    title: "个人信息",
    description: "查询个人社保基本信息，管理密码和密码保护。",
    items: [
      { title: "个人社保基本信息", href: "/info.html" },
      { title: "修改密码", href: "/account/password.html" },
      { title: "密码保护", href: "/account/protection.html" }
    ]
  },
  {
    key: "records",
    title: "社会保险",
    description: "按年份查询各险种缴费历史和养老个人账户。",
    items: [
      { title: "缴费历史查询", href: "/records/contributions.html" },
      { title: "养老账户查询", href: "/records/pension-account.html" },
      { title: "参保概况", href: "/records/index.html" },
      { title: "断缴情况", href: "/records/gaps.html" },
      { title: "养老金测算", href: "/records/estimate.html" }
    ]
  },
  {
    key: "card",
    title: "社保卡",
    description: "查询社保卡信息，办理申领信息采集和照片采集。",
    items: [
      { title: "社保卡基本信息", href: "/card/index.html" },
      { title: "社保卡信息采集", href: "/card/apply.html" },
      { title: "社保卡照片采集", href: "/card/photo.html" }
    ]
  },
  {
    key: "payment",
    title: "社保缴费",
    description: "灵活就业人员养老保险和医疗保险网上缴费。",
    items: [
      { title: "灵活就业社保缴费", href: "/pay/new.html?kind=flexible_pension" },
      { title: "灵活就业医保缴费", href: "/pay/new.html?kind=flexible_medical" }
    ]
  },
  {
    key: "print",
    title: "打印业务",
    description: "在线开具参保证明，可凭验证码核验真伪。",
    items: [
      { title: "参保证明打印", href: "/records/certificates.html" }
    ]
  },
  {
    key: "benefits",
    title: "社保待遇",
    description: "查询养老待遇（退休金、城乡居民养老金）发放记录及发放明细。",
    items: [
      { title: "养老待遇发放查询", href: "/records/pension-payments.html" }
    ]
  },
  {
    key: "employment",
    title: "公共就业信息",
    description: "查询就业登记、失业登记等公共就业信息。",
    items: [
      { title: "公共就业信息查询", href: "/records/employment.html#notices" }
    ]
  },
  {
    key: "labour",
    title: "劳动关系",
    description: "查询劳动合同等劳动关系信息。",
    items: [
      { title: "劳动合同信息查询", href: "/records/employment.html#contracts" }
    ]
  },
  {
    key: "account",
    title: "账号设置",
    description: "修改密码、密码保护、更改注册信息、待办事项和登录记录。",
    items: [
      { title: "修改密码", href: "/account/password.html" },
      { title: "密码保护", href: "/account/protection.html" },
      { title: "更改注册信息", href: "/account/contact.html" },
      { title: "待办事项", href: "/tasks.html" },
      { title: "登录与操作记录", href: "/account/access-log.html" },
      { title: "退出当前账号", href: "/account/index.html#logout" }
    ]
  }
];
