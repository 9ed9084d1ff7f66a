//! The console's words in Chinese (the default) and English, chosen one way: a [`Lang`]. One
//! struct of words per language, so a template cannot name a word one language lacks, and the
//! domain's codes are labelled by exhaustive matches, so a new status, channel, category or
//! clock without a label in both languages does not compile.

use std::fmt;

use kefu_model::sla_clock::{ClockKind, ClockState};
use kefu_model::{Category, Channel, Status};

use super::kb_words::{self, KbTr};

/// The language a page is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `en` (or `en-…`) is English; anything else, or nothing, is Chinese (the default).
    pub fn from_code(code: Option<&str>) -> Lang {
        match code.map(str::trim) {
            Some(c) if c == "en" || c.starts_with("en-") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The HTML `lang` value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn tr(self) -> &'static Tr {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The knowledge base's words.
    pub fn kb(self) -> &'static KbTr {
        match self {
            Lang::Zh => &kb_words::ZH,
            Lang::En => &kb_words::EN,
        }
    }

    pub fn is_zh(self) -> bool {
        self == Lang::Zh
    }

    pub(super) fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

pub struct Tr {
    pub lang: Lang,
    pub other_lang: &'static str,
    pub other_lang_label: &'static str,
    pub product: &'static str,
    pub login_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub bad_login: &'static str,
    pub queues: &'static str,
    pub queue_mine: &'static str,
    pub queue_unassigned: &'static str,
    pub queue_department: &'static str,
    pub queue_at_risk: &'static str,
    pub queue_promises: &'static str,
    pub queue_all: &'static str,
    pub number: &'static str,
    pub subject: &'static str,
    pub customer: &'static str,
    pub channel: &'static str,
    pub category: &'static str,
    pub priority: &'static str,
    pub status: &'static str,
    pub assignee: &'static str,
    pub department: &'static str,
    pub clocks: &'static str,
    pub empty_queue: &'static str,
    pub any: &'static str,
    pub filter: &'static str,
    pub older: &'static str,
    pub timeline: &'static str,
    pub reply: &'static str,
    pub internal_note: &'static str,
    pub public_reply: &'static str,
    pub send: &'static str,
    pub save: &'static str,
    pub change: &'static str,
    pub assign: &'static str,
    pub unassigned: &'static str,
    pub transfer: &'static str,
    pub escalate: &'static str,
    pub reason: &'static str,
    pub escalation_level: &'static str,
    pub promises: &'static str,
    pub promise: &'static str,
    pub due: &'static str,
    pub note: &'static str,
    pub waybills: &'static str,
    pub overdue: &'static str,
    pub left: &'static str,
    pub no_clock: &'static str,
    pub back_to_queue: &'static str,
    pub error_title: &'static str,
    pub skip_to_content: &'static str,
    pub keyboard_help: &'static str,
    pub dashboard: &'static str,
    pub period: &'static str,
    pub today: &'static str,
    pub last_7_days: &'static str,
    pub last_30_days: &'static str,
    pub new_cases: &'static str,
    pub resolved_cases: &'static str,
    pub first_response_avg: &'static str,
    pub resolution_avg: &'static str,
    pub sla_attainment: &'static str,
    pub daily_cases: &'static str,
    pub live: &'static str,
    pub breached_open: &'static str,
    pub escalations_waiting: &'static str,
    pub by_channel: &'static str,
    pub by_department: &'static str,
    pub agents_load: &'static str,
    pub agents_presence: &'static str,
    pub portal: &'static str,
    pub track_parcel: &'static str,
    pub waybill_no: &'static str,
    pub track: &'static str,
    pub book_pickup: &'static str,
    pub window_from: &'static str,
    pub window_to: &'static str,
    pub my_pickups: &'static str,
    pub my_pickups_empty: &'static str,
    pub pickup_accept: &'static str,
    pub pickup_arrive: &'static str,
    pub pickup_collect: &'static str,
    pub pickup_fail: &'static str,
    pub pickup_fail_reason: &'static str,
    pub pickup_eta: &'static str,
    pub pickup_window: &'static str,
    pub contact_us: &'static str,
    pub case_progress: &'static str,
    pub online_chat: &'static str,
    pub chat_placeholder: &'static str,
    pub chat_send: &'static str,
    pub chat_image: &'static str,
    pub chat_typing: &'static str,
    pub chat_read: &'static str,
    pub chat_connecting: &'static str,
    pub chat_desk: &'static str,
    pub search: &'static str,
    pub help_centre: &'static str,
    pub knowledge_base: &'static str,
    pub search_hint: &'static str,
    pub search_none: &'static str,
    pub search_kind: &'static str,
    pub search_from: &'static str,
    pub search_to: &'static str,
    pub kind_case: &'static str,
    pub kind_customer: &'static str,
    pub kind_shipment: &'static str,
    pub kind_article: &'static str,
    pub chat_transfer: &'static str,
    pub canned: &'static str,
    pub canned_search: &'static str,
    pub canned_search_hint: &'static str,
    pub canned_none: &'static str,
    pub macros: &'static str,
    pub presence: &'static str,
    pub max_chats: &'static str,
    pub waiting_chats: &'static str,
    pub take_chat: &'static str,
    pub no_chats: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub received_thanks: &'static str,
    pub your_case_number: &'static str,
    pub topic: &'static str,
    pub your_name: &'static str,
    pub phone: &'static str,
    pub waybill_optional: &'static str,
    pub message: &'static str,
    pub submit: &'static str,
    pub case_number: &'static str,
    pub look_up: &'static str,
    pub rate_service: &'static str,
    pub comment: &'static str,
    pub thanks_for_rating: &'static str,
    pub pickup_booked: &'static str,
    pub pickup_number: &'static str,
    pub pickup_address: &'static str,
    pub destination_address: &'static str,
    pub item: &'static str,
    pub weight_kg: &'static str,
    pub get_quote: &'static str,
    pub book: &'static str,
    pub quote: &'static str,
    pub not_found_case: &'static str,
    pub too_many: &'static str,
    pub courier_comes: &'static str,
    pub pickup_review: &'static str,
    pub customer_360: &'static str,
    pub find_customer: &'static str,
    pub new_phone_case: &'static str,
    pub grade: &'static str,
    pub cases: &'static str,
    pub shipments: &'static str,
    pub pickups: &'static str,
    pub auto_classify: &'static str,
    pub create: &'static str,
    pub no_customer: &'static str,
    pub reveal: &'static str,
    pub department_deadline: &'static str,
    pub hand_back: &'static str,
    pub link_waybill: &'static str,
    /// The caller's identity on a case: the fact's label, "not yet", the form, its methods.
    pub identity: &'static str,
    pub identity_not_confirmed: &'static str,
    pub confirm_identity: &'static str,
    pub identity_method: &'static str,
    pub identity_order_number: &'static str,
    pub identity_waybill: &'static str,
    pub identity_account: &'static str,
    pub customer_merged_event: &'static str,
    pub open_claim: &'static str,
    pub claim_kind: &'static str,
    pub claim_lost: &'static str,
    pub claim_damaged: &'static str,
    pub claim_delayed: &'static str,
    pub claimed_amount: &'static str,
    pub freight: &'static str,
    pub claims_title: &'static str,
    pub loss_amount: &'static str,
    pub propose: &'static str,
    pub next_steps: &'static str,
    pub issue: &'static str,
    pub issue_not_received: &'static str,
    pub open_case_from_query: &'static str,
    pub track_menu: &'static str,
    pub sort: &'static str,
    pub sort_newest: &'static str,
    pub sort_oldest: &'static str,
    pub sort_priority: &'static str,
    pub sort_due_soonest: &'static str,
    pub sort_department_due: &'static str,
    pub department_inbox: &'static str,
    pub department_inbox_intro: &'static str,
    pub all_departments: &'static str,
    pub show: &'static str,
    pub no_transferred: &'static str,
    pub no_deadline: &'static str,
    pub answer_back: &'static str,
    pub customers_found: &'static str,
    pub pickup_booked_event: &'static str,
    pub sender_name: &'static str,
    pub sender_phone: &'static str,
    pub on_file: &'static str,
    pub not_covered: &'static str,
    pub prohibited_warning: &'static str,
    pub new_pickup: &'static str,
    pub eta: &'static str,
    pub courier: &'static str,
    pub quote_hint: &'static str,
    pub canned_nav: &'static str,
    pub channels_nav: &'static str,
    pub canned_intro: &'static str,
    pub canned_new: &'static str,
    pub canned_edit: &'static str,
    pub canned_back: &'static str,
    pub canned_title: &'static str,
    pub canned_body: &'static str,
    pub canned_variables: &'static str,
    pub canned_scope: &'static str,
    pub scope_team: &'static str,
    pub scope_personal: &'static str,
    pub everyone: &'static str,
    pub canned_language: &'static str,
    pub language_zh: &'static str,
    pub language_en: &'static str,
    pub canned_tags: &'static str,
    pub tags_hint: &'static str,
    pub canned_kind: &'static str,
    pub kind_reply: &'static str,
    pub kind_macro: &'static str,
    pub kind_macro_hint: &'static str,
    pub macro_actions: &'static str,
    pub unchanged: &'static str,
    pub add_tags: &'static str,
    pub tag_word: &'static str,
    pub last_updated: &'static str,
    pub system_user: &'static str,
    pub preview: &'static str,
    pub preview_case: &'static str,
    pub preview_need_case: &'static str,
    pub missing_variables: &'static str,
    pub none_missing: &'static str,
    pub archive: &'static str,
    pub archive_confirm: &'static str,
    pub archive_yes: &'static str,
    pub read_only_template: &'static str,
    pub saved: &'static str,
    pub archived_notice: &'static str,
    pub edit: &'static str,
    pub view: &'static str,
    pub fix_fields: &'static str,
    pub var_customer_name: &'static str,
    pub var_waybill: &'static str,
    pub var_latest_status: &'static str,
    pub var_expected_delivery: &'static str,
    pub var_case_number: &'static str,
    pub var_agent_name: &'static str,
    pub var_reply_by: &'static str,
    pub canned_more: &'static str,
}

pub const ZH: Tr = Tr {
    lang: Lang::Zh,
    other_lang: "en",
    other_lang_label: "English",
    product: "客服工作台",
    login_title: "登录客服工作台",
    username: "用户名",
    password: "密码",
    sign_in: "登录",
    sign_out: "退出",
    bad_login: "用户名或密码不正确",
    queues: "工单队列",
    queue_mine: "我的工单",
    queue_unassigned: "未分配",
    queue_department: "本部门",
    queue_at_risk: "即将超时",
    queue_promises: "待履约承诺",
    queue_all: "全部未结",
    number: "工单号",
    subject: "主题",
    customer: "客户",
    channel: "渠道",
    category: "类别",
    priority: "优先级",
    status: "状态",
    assignee: "处理人",
    department: "部门",
    clocks: "时限",
    empty_queue: "队列中没有工单",
    any: "全部",
    filter: "筛选",
    older: "更早的工单",
    timeline: "处理记录",
    reply: "回复",
    internal_note: "内部备注",
    public_reply: "回复客户",
    send: "发送",
    save: "保存",
    change: "修改",
    assign: "分配",
    unassigned: "未分配",
    transfer: "转部门",
    escalate: "升级",
    reason: "原因",
    escalation_level: "升级级别",
    promises: "承诺",
    promise: "记录承诺",
    due: "到期",
    note: "说明",
    waybills: "运单",
    overdue: "已超时",
    left: "剩余",
    no_clock: "无时限",
    back_to_queue: "返回队列",
    error_title: "出错了",
    skip_to_content: "跳到正文",
    keyboard_help: "快捷键：j/k 上下移动，回车打开",
    dashboard: "主管看板",
    period: "统计周期",
    today: "今日",
    last_7_days: "近 7 天",
    last_30_days: "近 30 天",
    new_cases: "新建",
    resolved_cases: "已解决",
    first_response_avg: "平均首次响应",
    resolution_avg: "平均解决时长",
    sla_attainment: "时限达成率",
    daily_cases: "每日工单量",
    live: "实时",
    breached_open: "已超时未结",
    escalations_waiting: "待处理升级",
    by_channel: "按渠道（未结）",
    by_department: "按部门（未结）",
    agents_load: "坐席负载（未结）",
    agents_presence: "坐席状态（会话 已接/上限）",
    portal: "云路速运 · 客户服务",
    track_parcel: "查快递",
    waybill_no: "运单号",
    track: "查询",
    book_pickup: "预约上门取件",
    window_from: "约定上门时间（起）",
    window_to: "约定上门时间（止）",
    my_pickups: "我的取件",
    my_pickups_empty: "暂无待办取件。",
    pickup_accept: "接单",
    pickup_arrive: "已到达",
    pickup_collect: "已取件",
    pickup_fail: "取件失败",
    pickup_fail_reason: "失败原因",
    pickup_eta: "预计上门",
    pickup_window: "约定上门时间",
    contact_us: "咨询与投诉",
    case_progress: "工单进度查询",
    online_chat: "在线客服",
    chat_placeholder: "请输入您的问题，例如：我的快递到哪了",
    chat_send: "发送",
    chat_image: "发送图片",
    chat_typing: "对方正在输入…",
    chat_read: "已读",
    chat_connecting: "正在连接…",
    chat_desk: "在线会话",
    search: "搜索",
    help_centre: "帮助中心",
    knowledge_base: "知识库",
    search_hint: "工单、客户、运单：关键词、运单号、手机号（或后四位）、工单号、邮箱",
    search_none: "没有找到。换个说法，或用运单号、手机号试试。",
    search_kind: "类型",
    search_from: "创建日期从",
    search_to: "至",
    kind_case: "工单",
    kind_customer: "客户",
    kind_shipment: "运单",
    kind_article: "知识",
    chat_transfer: "转接给",
    canned: "常用语",
    canned_search: "快捷回复",
    canned_search_hint: "输入标题或关键词，如 延误、破损",
    canned_none: "没有匹配的快捷回复",
    macros: "一键处理",
    presence: "我的状态",
    max_chats: "同时接待会话数",
    waiting_chats: "等待人工的会话",
    take_chat: "接入",
    no_chats: "暂无进行中的会话。上线后，转人工的会话会自动分配给您。",
    from: "寄件",
    to: "收件",
    received_thanks: "已收到，我们会尽快处理",
    your_case_number: "您的工单号：",
    topic: "问题类型",
    your_name: "姓名",
    phone: "手机号",
    waybill_optional: "运单号（选填）",
    message: "问题描述",
    submit: "提交",
    case_number: "工单号",
    look_up: "查询",
    rate_service: "请为本次服务评分",
    comment: "评价（选填）",
    thanks_for_rating: "感谢您的评价：",
    pickup_booked: "预约成功",
    pickup_number: "预约单号：",
    pickup_address: "取件地址",
    destination_address: "寄往地址",
    item: "物品",
    weight_kg: "重量（公斤）",
    get_quote: "估算运费",
    book: "确认预约",
    quote: "运费估算",
    not_found_case: "没有找到与该手机号对应的工单，请核对工单号和手机号。",
    too_many: "操作过于频繁，请稍后再试。",
    courier_comes: "快递员预计到达：",
    pickup_review: "您的物品需要人工确认是否可寄，客服会尽快与您联系。",
    customer_360: "客户查询",
    find_customer: "手机号、邮箱、运单号或姓名",
    new_phone_case: "新建电话工单",
    grade: "客户等级",
    cases: "工单",
    shipments: "运单",
    pickups: "取件预约",
    auto_classify: "自动分类",
    create: "创建",
    no_customer: "没有找到该客户",
    reveal: "查看完整号码（将被记录）",
    department_deadline: "部门处理时限",
    hand_back: "处理完毕，交回客服",
    link_waybill: "关联运单",
    identity: "身份核验",
    identity_not_confirmed: "未核验",
    confirm_identity: "确认身份",
    identity_method: "核验方式",
    identity_order_number: "订单号",
    identity_waybill: "运单号",
    identity_account: "账户信息",
    customer_merged_event: "客户已合并",
    open_claim: "发起理赔",
    claim_kind: "理赔类型",
    claim_lost: "丢失",
    claim_damaged: "破损",
    claim_delayed: "延误",
    claimed_amount: "索赔金额（元）",
    freight: "运费（元，选填）",
    claims_title: "理赔",
    loss_amount: "核定损失",
    propose: "提交审批",
    next_steps: "下一步",
    issue: "客户反映",
    issue_not_received: "显示签收但未收到",
    open_case_from_query: "按查询结果建工单",
    track_menu: "查件",
    sort: "排序",
    sort_newest: "最新",
    sort_oldest: "最早",
    sort_priority: "优先级",
    sort_due_soonest: "最先到期",
    sort_department_due: "部门时限最早",
    department_inbox: "部门待办",
    department_inbox_intro: "转给本部门的工单，按处理时限排序；打开工单处理并交回客服。",
    all_departments: "全部部门",
    show: "显示",
    no_transferred: "没有转给该部门的未结工单",
    no_deadline: "未设时限",
    answer_back: "处理并交回",
    customers_found: "找到多位客户，请选择：",
    pickup_booked_event: "已预约取件",
    sender_name: "寄件人",
    sender_phone: "寄件人电话",
    on_file: "默认：客户档案",
    not_covered: "不在服务范围",
    prohibited_warning: "违禁/限寄物品，需人工确认：",
    new_pickup: "预约取件",
    eta: "预计上门",
    courier: "快递员",
    quote_hint: "填写地址、物品和重量后自动估算运费。",
    canned_nav: "快捷回复",
    channels_nav: "渠道接入",
    canned_intro: "团队模板由主管和管理员维护，个人模板只有自己能看到和使用。搜索方式与工单页的快捷回复相同。",
    canned_new: "新建模板",
    canned_edit: "编辑模板",
    canned_back: "返回快捷回复",
    canned_title: "标题",
    canned_body: "正文",
    canned_variables: "可用变量（点击插入）",
    canned_scope: "范围",
    scope_team: "团队",
    scope_personal: "个人",
    everyone: "全体",
    canned_language: "语言",
    language_zh: "中文",
    language_en: "英文",
    canned_tags: "标签",
    tags_hint: "多个标签用逗号分隔",
    canned_kind: "类型",
    kind_reply: "回复",
    kind_macro: "宏",
    kind_macro_hint: "宏：发送回复的同时修改工单",
    macro_actions: "宏的动作",
    unchanged: "不变",
    add_tags: "添加标签",
    tag_word: "标签",
    last_updated: "最后更新",
    system_user: "系统",
    preview: "预览",
    preview_case: "用工单预览（工单号）",
    preview_need_case: "请输入要预览的工单号",
    missing_variables: "没有值的变量（显示为占位文字）：",
    none_missing: "所有变量都有值",
    archive: "归档",
    archive_confirm: "归档后，任何人都不会再看到这个模板。确定归档吗？",
    archive_yes: "确认归档",
    read_only_template: "只读：团队模板由主管和管理员维护，个人模板只有本人可以修改。",
    saved: "已保存",
    archived_notice: "已归档",
    edit: "编辑",
    view: "查看",
    fix_fields: "请修改标出的内容，模板尚未保存。",
    var_customer_name: "客户姓名",
    var_waybill: "运单号",
    var_latest_status: "最新物流状态",
    var_expected_delivery: "预计送达时间",
    var_case_number: "工单号",
    var_agent_name: "客服姓名",
    var_reply_by: "承诺回复时间",
    canned_more: "只显示前 100 个，输入关键词可缩小范围。",
};

pub const EN: Tr = Tr {
    lang: Lang::En,
    other_lang: "zh",
    other_lang_label: "中文",
    product: "Service console",
    login_title: "Sign in to the service console",
    username: "Username",
    password: "Password",
    sign_in: "Sign in",
    sign_out: "Sign out",
    bad_login: "Wrong username or password",
    queues: "Queues",
    queue_mine: "My cases",
    queue_unassigned: "Unassigned",
    queue_department: "My department",
    queue_at_risk: "Breaching soon",
    queue_promises: "Pending promises",
    queue_all: "All open",
    number: "Case",
    subject: "Subject",
    customer: "Customer",
    channel: "Channel",
    category: "Category",
    priority: "Priority",
    status: "Status",
    assignee: "Assignee",
    department: "Department",
    clocks: "Clocks",
    empty_queue: "No cases in this queue",
    any: "Any",
    filter: "Filter",
    older: "Older cases",
    timeline: "Timeline",
    reply: "Reply",
    internal_note: "Internal note",
    public_reply: "Reply to customer",
    send: "Send",
    save: "Save",
    change: "Change",
    assign: "Assign",
    unassigned: "Unassigned",
    transfer: "Transfer",
    escalate: "Escalate",
    reason: "Reason",
    escalation_level: "Escalation level",
    promises: "Promises",
    promise: "Record a promise",
    due: "Due",
    note: "Note",
    waybills: "Waybills",
    overdue: "Overdue",
    left: "left",
    no_clock: "No clock",
    back_to_queue: "Back to the queue",
    error_title: "Something went wrong",
    skip_to_content: "Skip to content",
    keyboard_help: "Keys: j/k to move, Enter to open",
    dashboard: "Supervisor dashboard",
    period: "Period",
    today: "Today",
    last_7_days: "Last 7 days",
    last_30_days: "Last 30 days",
    new_cases: "New",
    resolved_cases: "Resolved",
    first_response_avg: "Avg. first response",
    resolution_avg: "Avg. resolution time",
    sla_attainment: "SLA attainment",
    daily_cases: "Cases per day",
    live: "Live",
    breached_open: "Breached, open",
    escalations_waiting: "Escalations waiting",
    by_channel: "Open by channel",
    by_department: "Open by department",
    agents_load: "Agents' open cases",
    agents_presence: "Agents now (chats held/capacity)",
    portal: "Yunlu Express · Customer service",
    track_parcel: "Track a parcel",
    waybill_no: "Waybill number",
    track: "Track",
    book_pickup: "Book a pickup",
    window_from: "Agreed window from",
    window_to: "Agreed window to",
    my_pickups: "My pickups",
    my_pickups_empty: "No open pickups.",
    pickup_accept: "Accept",
    pickup_arrive: "Arrived",
    pickup_collect: "Collected",
    pickup_fail: "Failed",
    pickup_fail_reason: "Reason",
    pickup_eta: "Expected at",
    pickup_window: "Agreed window",
    contact_us: "Questions and complaints",
    case_progress: "Check a case",
    online_chat: "Chat with us",
    chat_placeholder: "Type your question, e.g. where is my parcel",
    chat_send: "Send",
    chat_image: "Send an image",
    chat_typing: "typing…",
    chat_read: "Read",
    chat_connecting: "Connecting…",
    chat_desk: "Live chats",
    search: "Search",
    help_centre: "Help centre",
    knowledge_base: "Knowledge base",
    search_hint: "Cases, customers, shipments: words, a waybill, a phone (or its last four), a case number, an email",
    search_none: "Nothing found. Try other words, a waybill or a phone number.",
    search_kind: "Type",
    search_from: "Created from",
    search_to: "to",
    kind_case: "Case",
    kind_customer: "Customer",
    kind_shipment: "Shipment",
    kind_article: "Article",
    chat_transfer: "Hand to",
    canned: "Canned replies",
    canned_search: "Canned replies",
    canned_search_hint: "Type a title or keyword, e.g. 延误, 破损",
    canned_none: "No matching canned reply",
    macros: "Macros",
    presence: "My status",
    max_chats: "Chats at once",
    waiting_chats: "Chats waiting for a person",
    take_chat: "Take",
    no_chats: "No chats right now. Go online and handed-over chats are assigned to you.",
    from: "From",
    to: "To",
    received_thanks: "Received — we will get back to you soon",
    your_case_number: "Your case number:",
    topic: "Topic",
    your_name: "Your name",
    phone: "Mobile number",
    waybill_optional: "Waybill number (optional)",
    message: "What happened",
    submit: "Submit",
    case_number: "Case number",
    look_up: "Look up",
    rate_service: "Rate our service",
    comment: "Comment (optional)",
    thanks_for_rating: "Thank you for your rating:",
    pickup_booked: "Pickup booked",
    pickup_number: "Booking number:",
    pickup_address: "Pickup address",
    destination_address: "Destination address",
    item: "Item",
    weight_kg: "Weight (kg)",
    get_quote: "Get a quote",
    book: "Book",
    quote: "Quote",
    not_found_case: "No case matches that number and phone; please check both.",
    too_many: "Too many requests; please try again shortly.",
    courier_comes: "Courier expected at:",
    pickup_review: "Your item needs a check before pickup; we will call you shortly.",
    customer_360: "Customers",
    find_customer: "Phone, email, waybill or name",
    new_phone_case: "New phone case",
    grade: "Grade",
    cases: "Cases",
    shipments: "Shipments",
    pickups: "Pickups",
    auto_classify: "Classify automatically",
    create: "Create",
    no_customer: "No such customer",
    reveal: "Show full number (recorded)",
    department_deadline: "Department deadline",
    hand_back: "Answer back to the agent",
    link_waybill: "Link a waybill",
    identity: "Identity",
    identity_not_confirmed: "Not confirmed",
    confirm_identity: "Confirm identity",
    identity_method: "Checked by",
    identity_order_number: "Order number",
    identity_waybill: "Waybill",
    identity_account: "Account details",
    customer_merged_event: "Customer merged",
    open_claim: "Open a claim",
    claim_kind: "Claim for",
    claim_lost: "Lost",
    claim_damaged: "Damaged",
    claim_delayed: "Delayed",
    claimed_amount: "Amount claimed (¥)",
    freight: "Freight paid (¥, optional)",
    claims_title: "Claims",
    loss_amount: "Assessed loss",
    propose: "Propose",
    next_steps: "Next steps",
    issue: "Customer says",
    issue_not_received: "Delivered but not received",
    open_case_from_query: "Open a case from this answer",
    track_menu: "Track",
    sort: "Sort",
    sort_newest: "Newest",
    sort_oldest: "Oldest",
    sort_priority: "Priority",
    sort_due_soonest: "Due soonest",
    sort_department_due: "Department deadline first",
    department_inbox: "Department inbox",
    department_inbox_intro: "Cases transferred to the department, by deadline; open one to answer back to its agent.",
    all_departments: "All departments",
    show: "Show",
    no_transferred: "No open cases with this department",
    no_deadline: "No deadline",
    answer_back: "Answer back",
    customers_found: "Several customers match; choose one:",
    pickup_booked_event: "Pickup booked",
    sender_name: "Sender",
    sender_phone: "Sender phone",
    on_file: "Default: on file",
    not_covered: "Outside the service area",
    prohibited_warning: "Prohibited or restricted item, needs a check:",
    new_pickup: "Book a pickup",
    eta: "Courier expected",
    courier: "Courier",
    quote_hint: "The price is estimated as you fill in addresses, item and weight.",
    canned_nav: "Canned replies",
    channels_nav: "Channels",
    canned_intro: "Team templates are kept by supervisors and admins; personal ones only you see and use. The search matches as the case page's canned replies do.",
    canned_new: "New template",
    canned_edit: "Edit template",
    canned_back: "Back to canned replies",
    canned_title: "Title",
    canned_body: "Text",
    canned_variables: "Variables (click to insert)",
    canned_scope: "Scope",
    scope_team: "Team",
    scope_personal: "Personal",
    everyone: "Everyone",
    canned_language: "Language",
    language_zh: "Chinese",
    language_en: "English",
    canned_tags: "Tags",
    tags_hint: "Separate tags with commas",
    canned_kind: "Kind",
    kind_reply: "Reply",
    kind_macro: "Macro",
    kind_macro_hint: "Macro: sends the reply and changes the case",
    macro_actions: "Macro actions",
    unchanged: "Unchanged",
    add_tags: "Add tags",
    tag_word: "tag",
    last_updated: "Last updated",
    system_user: "system",
    preview: "Preview",
    preview_case: "Preview for a case (case number)",
    preview_need_case: "Enter the number of a case to preview with",
    missing_variables: "Variables without a value (shown as a placeholder):",
    none_missing: "Every variable has a value",
    archive: "Archive",
    archive_confirm: "Once archived, nobody is offered this template again. Archive it?",
    archive_yes: "Yes, archive it",
    read_only_template: "Read only: team templates are kept by supervisors and admins, personal ones by their owner.",
    saved: "Saved",
    archived_notice: "Archived",
    edit: "Edit",
    view: "View",
    fix_fields: "Please correct the marked fields; nothing was saved.",
    var_customer_name: "customer's name",
    var_waybill: "waybill number",
    var_latest_status: "latest tracking status",
    var_expected_delivery: "expected delivery",
    var_case_number: "case number",
    var_agent_name: "agent's name",
    var_reply_by: "promised reply time",
    canned_more: "Only the first 100 are shown; type a word to narrow the list.",
};

/// What a template variable stands for, in the console's language.
pub fn variable_label(tr: &Tr, name: &str) -> &'static str {
    match name {
        "customer_name" => tr.var_customer_name,
        "waybill" => tr.var_waybill,
        "latest_status" => tr.var_latest_status,
        "expected_delivery" => tr.var_expected_delivery,
        "case_number" => tr.var_case_number,
        "agent_name" => tr.var_agent_name,
        "reply_by" => tr.var_reply_by,
        _ => "",
    }
}

/// The words the console's and the portal's scripts show (`static/kefu.js`, `chat.js`), given
/// to them in the page (`<meta name="kefu-words">`, JSON) so the scripts hold no language of
/// their own. `{}` in a word is where the script puts a value.
#[derive(serde::Serialize)]
pub struct ScriptWords {
    pub time_left: &'static str,
    pub time_overdue: &'static str,
    pub customer: &'static str,
    pub bot: &'static str,
    pub bot_understood: &'static str,
    /// Staff side: the bot's hand-over reasons.
    pub reasons: [(&'static str, &'static str); 11],
    /// Staff side: what happened to a conversation.
    pub staff_notices: [(&'static str, &'static str); 6],
    /// Customer side (the portal's chat).
    pub customer_notices: [(&'static str, &'static str); 6],
    pub an_agent: &'static str,
}

impl ScriptWords {
    pub fn of(lang: Lang) -> ScriptWords {
        let w = |zh, en| lang.pick(zh, en);
        ScriptWords {
            time_left: w("剩余 {}", "{} left"),
            time_overdue: w("已超时 {}", "overdue {}"),
            customer: w("客户", "Customer"),
            bot: w("机器人", "Bot"),
            bot_understood: w("机器人理解：", "Bot understood: "),
            reasons: [
                ("asked_for_person", w("客户要求人工", "asked for a person")),
                ("angry", w("客户情绪激动", "customer is upset")),
                (
                    "answers_rejected",
                    w("两次回答未解决", "two answers rejected"),
                ),
                ("not_understood", w("两次未理解", "not understood twice")),
                ("complaint", w("投诉", "complaint")),
                ("claim", w("理赔", "claim")),
                ("lost", w("丢件", "lost parcel")),
                ("damaged", w("破损", "damaged parcel")),
                ("change_delivery", w("改地址/退回", "change of delivery")),
                (
                    "prohibited_item",
                    w("疑似禁限寄物品", "possibly prohibited item"),
                ),
                ("pickup_failed", w("预约未完成", "booking failed")),
            ],
            staff_notices: [
                ("handed_over", w("机器人转人工：{}", "Bot handed over: {}")),
                ("agent_joined", w("{} 接入会话", "{} joined")),
                ("transferred", w("已转部门", "Transferred")),
                ("resolved", w("已解决", "Resolved")),
                ("closed", w("已关闭", "Closed")),
                ("reopened", w("已重新打开", "Reopened")),
            ],
            customer_notices: [
                (
                    "handed_over",
                    w("已为您转接人工客服", "A person will answer you shortly"),
                ),
                ("agent_joined", w("{} 为您服务", "{} joined")),
                (
                    "transferred",
                    w("已转交处理部门", "Passed to the team in charge"),
                ),
                ("resolved", w("问题已解决", "Resolved")),
                ("closed", w("会话已结束", "Conversation ended")),
                ("reopened", w("会话已重新打开", "Reopened")),
            ],
            an_agent: w("客服", "An agent"),
        }
    }
}

impl Tr {
    /// [`ScriptWords`] as JSON, for the page's `<meta name="kefu-words">` (askama escapes it
    /// for the attribute; the browser gives the script the JSON back).
    pub fn script_words(&self) -> String {
        serde_json::to_string(&ScriptWords::of(self.lang)).unwrap_or_else(|_| "{}".into())
    }
}

pub fn for_lang(code: Option<&str>) -> &'static Tr {
    Lang::from_code(code).tr()
}

pub fn status_label(lang: Lang, status: Status) -> &'static str {
    match status {
        Status::New => lang.pick("新建", "New"),
        Status::Open => lang.pick("处理中", "Open"),
        Status::PendingCustomer => lang.pick("待客户回复", "Waiting for customer"),
        Status::PendingDepartment => lang.pick("待部门处理", "Waiting for department"),
        Status::Resolved => lang.pick("已解决", "Resolved"),
        Status::Closed => lang.pick("已关闭", "Closed"),
    }
}

pub fn channel_label(lang: Lang, channel: Channel) -> &'static str {
    match channel {
        Channel::Phone => lang.pick("电话", "Phone"),
        Channel::Chat => lang.pick("在线", "Chat"),
        Channel::Email => lang.pick("邮件", "Email"),
        Channel::Wechat => lang.pick("微信", "WeChat"),
        Channel::Web => lang.pick("网页", "Web form"),
        Channel::Api => lang.pick("接口", "API"),
    }
}

pub fn category_label(lang: Lang, category: Category) -> &'static str {
    match category {
        Category::Track => lang.pick("查件", "Tracking"),
        Category::Delay => lang.pick("延误", "Delay"),
        Category::Lost => lang.pick("丢件", "Lost"),
        Category::Damaged => lang.pick("破损", "Damaged"),
        Category::Pickup => lang.pick("取件", "Pickup"),
        Category::Complaint => lang.pick("投诉", "Complaint"),
        Category::Claim => lang.pick("理赔", "Claim"),
        Category::Suggestion => lang.pick("建议", "Suggestion"),
        Category::ChangeDelivery => lang.pick("改派", "Change delivery"),
        Category::Invoice => lang.pick("发票", "Invoice"),
        Category::Inquiry => lang.pick("咨询", "Inquiry"),
        Category::Technical => lang.pick("技术", "Technical"),
        Category::AfterSales => lang.pick("售后", "After-sales"),
        Category::Other => lang.pick("其他", "Other"),
    }
}

pub fn clock_label(lang: Lang, clock: ClockKind) -> &'static str {
    match clock {
        ClockKind::FirstResponse => lang.pick("首次响应", "First response"),
        ClockKind::NextResponse => lang.pick("再次响应", "Next response"),
        ClockKind::Resolution => lang.pick("解决", "Resolution"),
    }
}

pub fn clock_state_label(lang: Lang, state: ClockState) -> &'static str {
    match state {
        ClockState::Running => lang.pick("计时中", "Running"),
        ClockState::Paused => lang.pick("暂停", "Paused"),
        ClockState::Met => lang.pick("已达成", "Met"),
        ClockState::Breached => lang.pick("已超时", "Breached"),
    }
}

pub fn claim_kind_label(lang: Lang, kind: kefu_model::claim::ClaimKind) -> &'static str {
    use kefu_model::claim::ClaimKind;
    match kind {
        ClaimKind::Lost => lang.pick("丢件", "Lost parcel"),
        ClaimKind::Damaged => lang.pick("破损", "Damaged parcel"),
        ClaimKind::Delayed => lang.pick("延误", "Delayed parcel"),
    }
}

pub fn claim_state_label(lang: Lang, state: kefu_model::claim::ClaimState) -> &'static str {
    use kefu_model::claim::ClaimState;
    match state {
        ClaimState::Opened => lang.pick("已受理", "Opened"),
        ClaimState::Proposed => lang.pick("已提出赔付方案", "Proposed"),
        ClaimState::Approved => lang.pick("已批准", "Approved"),
        ClaimState::Rejected => lang.pick("已拒绝", "Rejected"),
        ClaimState::Paid => lang.pick("已赔付", "Paid"),
    }
}

/// The outcome of a tracking query, as the agent's tracking page names it.
pub fn tracking_outcome_label(lang: Lang, outcome: kefu_model::tracking::Outcome) -> &'static str {
    use kefu_model::tracking::Outcome;
    match outcome {
        Outcome::WithResult => lang.pick("有结果", "Result found"),
        Outcome::Delay => lang.pick("延误", "Delayed"),
        Outcome::NoResult => lang.pick("无结果（久未更新）", "No result (no recent scans)"),
        Outcome::FoundByFacts => lang.pick("按信息找到", "Found by details"),
        Outcome::NotFound => lang.pick("未找到", "Not found"),
        Outcome::OtherCarrier => lang.pick("其他快递公司单号", "Another carrier's number"),
        Outcome::Expired => lang.pick("超过查询期限", "Past the query period"),
    }
}

/// What happened, as a case's timeline titles it; every kind of event has a title in both
/// languages (the timeline adds the details).
pub fn event_label(lang: Lang, event: &kefu_model::EventData) -> &'static str {
    use kefu_model::EventData as E;
    match event {
        E::Created { .. } => lang.pick("创建工单", "Case created"),
        E::MessageAdded { .. } => lang.pick("消息", "Message"),
        E::BotTurn { .. } => lang.pick("机器人应答", "Bot answered"),
        E::HandedOver { .. } => lang.pick("机器人转人工", "Bot handed over"),
        E::StatusChanged { .. } => lang.pick("状态变更", "Status changed"),
        E::Reopened { .. } => lang.pick("重新打开", "Reopened"),
        E::PriorityChanged { .. } => lang.pick("优先级变更", "Priority changed"),
        E::CategoryChanged { .. } => lang.pick("类别变更", "Category changed"),
        E::Assigned { .. } => lang.pick("分配", "Assigned"),
        E::Transferred { .. } => lang.pick("转部门", "Transferred"),
        E::DepartmentOverdue { .. } => lang.pick("部门处理超时", "Department overdue"),
        E::WaybillLinked { .. } => lang.pick("关联运单", "Waybill linked"),
        E::PickupBooked { .. } => lang.pick("预约取件", "Pickup booked"),
        E::PickupProgress { .. } => lang.pick("取件进度", "Pickup progress"),
        E::TagsChanged { .. } => lang.pick("标签变更", "Tags changed"),
        E::SlaStarted(_) => lang.pick("时限开始计时", "Clock started"),
        E::SlaPaused(_) => lang.pick("时限暂停", "Clock paused"),
        E::SlaResumed(_) => lang.pick("时限恢复计时", "Clock resumed"),
        E::SlaRetargeted(_) => lang.pick("时限目标调整", "Clock retargeted"),
        E::SlaMet { .. } => lang.pick("时限达成", "Clock met"),
        E::SlaBreached { .. } => lang.pick("时限超时", "Clock breached"),
        E::SlaWarning { .. } => lang.pick("时限预警", "Clock warning"),
        E::CommitmentMade { .. } => lang.pick("承诺回复", "Promise made"),
        E::CommitmentReminded { .. } => lang.pick("承诺提醒", "Promise reminder"),
        E::CommitmentKept { .. } => lang.pick("承诺已兑现", "Promise kept"),
        E::CommitmentMissed { .. } => lang.pick("承诺未兑现", "Promise missed"),
        E::Escalated { .. } => lang.pick("升级", "Escalated"),
        E::ClaimOpened(_) => lang.pick("理赔受理", "Claim opened"),
        E::Rated { .. } => lang.pick("客户评价", "Customer rating"),
        E::ClaimEvidenceAdded { .. } => lang.pick("理赔补充材料", "Claim evidence added"),
        E::ClaimProposed { .. } => lang.pick("理赔方案提出", "Claim proposed"),
        E::ClaimApproved { .. } => lang.pick("理赔已批准", "Claim approved"),
        E::ClaimRejected { .. } => lang.pick("理赔已拒绝", "Claim rejected"),
        E::ClaimPaid { .. } => lang.pick("理赔已赔付", "Claim paid"),
        E::ClaimOverdue { .. } => lang.pick("理赔环节超时", "Claim step overdue"),
        E::CustomerMerged { .. } => lang.pick("客户合并", "Customer merged"),
        E::IdentityConfirmed { .. } => lang.pick("身份核验", "Identity confirmed"),
        E::DeliverySent { .. } => lang.pick("回复已发出", "Reply sent"),
        E::DeliveryFailed {
            retry_at: Some(_), ..
        } => lang.pick("回复发送失败，稍后重试", "Reply not sent, will retry"),
        E::DeliveryFailed { retry_at: None, .. } => lang.pick("回复发送失败", "Reply not sent"),
        E::NoticeQueued { kind, .. } => notice_label(lang, *kind),
        E::NoticeSkipped { .. } => lang.pick("未通知客户", "Customer not notified"),
        E::WorkOrderSent(_) => lang.pick("发出网点工单", "Work order sent"),
        E::WorkOrderReplied { .. } => lang.pick("网点已回复", "Work order answered"),
        E::WorkOrderCompleted { .. } => lang.pick("网点工单已完成", "Work order completed"),
        E::WorkOrderRefused { .. } => lang.pick("网点拒绝工单", "Work order refused"),
        E::WorkOrderWithdrawn { .. } => lang.pick("工单已撤回", "Work order withdrawn"),
        E::WorkOrderRerouted { .. } => lang.pick("工单改派", "Work order re-routed"),
        E::WorkOrderOverdue { .. } => {
            lang.pick("网点工单超时升级", "Work order overdue, escalated")
        }
        E::MediaSaved {
            kind: kefu_model::media::MediaKind::Image,
            ..
        } => lang.pick("客户发来的图片已保存", "Customer's picture saved"),
        E::MediaSaved {
            kind: kefu_model::media::MediaKind::Voice,
            ..
        } => lang.pick("客户发来的语音已保存", "Customer's voice message saved"),
    }
}

/// A pickup's status in words.
pub fn pickup_status_label(lang: Lang, status: kefu_model::pickup::PickupStatus) -> &'static str {
    use kefu_model::pickup::PickupStatus as P;
    match status {
        P::Booked => lang.pick("已预约", "booked"),
        P::Dispatched => lang.pick("已派单", "dispatched"),
        P::Accepted => lang.pick("快递员已接单", "accepted by the courier"),
        P::Arrived => lang.pick("快递员已到达", "courier arrived"),
        P::PickedUp => lang.pick("已取件", "picked up"),
        P::Cancelled => lang.pick("已取消", "cancelled"),
        P::Failed => lang.pick("取件失败", "failed"),
    }
}

/// What a notice kefu sent by itself was about.
pub fn notice_label(lang: Lang, kind: kefu_model::notices::NoticeKind) -> &'static str {
    use kefu_model::notices::NoticeKind as N;
    match kind {
        N::Received => lang.pick("已发送受理通知", "Receipt sent to customer"),
        N::CallbackPromised => lang.pick("已发送回电通知", "Call-back notice sent"),
        N::Resolved => lang.pick("已发送处理完毕通知", "Resolution notice sent"),
        N::Survey => lang.pick("已发送满意度调查", "Survey sent"),
        N::Pickup => lang.pick("已发送取件进度通知", "Pickup progress sent"),
    }
}

/// The name of a kind of notice.
pub fn notice_name(lang: Lang, kind: kefu_model::notices::NoticeKind) -> &'static str {
    use kefu_model::notices::NoticeKind as N;
    match kind {
        N::Received => lang.pick("受理通知", "receipt"),
        N::CallbackPromised => lang.pick("回电通知", "call-back notice"),
        N::Resolved => lang.pick("处理完毕通知", "resolution notice"),
        N::Survey => lang.pick("满意度调查", "survey"),
        N::Pickup => lang.pick("取件进度通知", "pickup progress"),
    }
}

/// The way a notice took.
pub fn way_label(lang: Lang, way: kefu_model::channels::ChannelKind) -> &'static str {
    use kefu_model::channels::ChannelKind as K;
    match way {
        K::Email => lang.pick("邮件", "e-mail"),
        K::Sms => lang.pick("短信", "SMS"),
        K::Wechat => lang.pick("微信", "WeChat"),
        K::Pbx => lang.pick("电话", "phone"),
    }
}

/// The label of any of the domain's codes above (status, channel, category, clock, clock
/// state); a code that is none of them shows as it is.
pub fn label(tr: &Tr, code: &str) -> String {
    let lang = tr.lang;
    let found = Status::parse(code)
        .map(|s| status_label(lang, s))
        .or_else(|| Channel::parse(code).map(|c| channel_label(lang, c)))
        .or_else(|| Category::parse(code).map(|c| category_label(lang, c)))
        .or_else(|| ClockKind::parse(code).map(|c| clock_label(lang, c)))
        .or_else(|| ClockState::parse(code).map(|c| clock_state_label(lang, c)));
    found.map_or_else(|| code.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_label_in_both_languages() {
        let codes: Vec<&str> = Status::ALL
            .iter()
            .map(|s| s.as_str())
            .chain(Channel::ALL.iter().map(|c| c.as_str()))
            .chain(Category::ALL.iter().map(|c| c.as_str()))
            .collect();
        for code in codes {
            for tr in [&ZH, &EN] {
                assert_ne!(label(tr, code), code, "{code} has no {} label", tr.lang);
            }
        }
        assert_eq!(label(&ZH, "pending_customer"), "待客户回复");
        assert_eq!(label(&EN, "first_response"), "First response");
        assert_eq!(label(&ZH, "no-such-code"), "no-such-code");
    }

    #[test]
    fn languages_come_from_their_codes() {
        assert_eq!(Lang::from_code(Some("en")), Lang::En);
        assert_eq!(Lang::from_code(Some("en-GB")), Lang::En);
        assert_eq!(Lang::from_code(Some("zh")), Lang::Zh);
        assert_eq!(Lang::from_code(None), Lang::Zh);
        assert_eq!(Lang::En.tr().lang, Lang::En);
        assert_eq!(Lang::Zh.to_string(), "zh-CN");
    }

    #[test]
    fn scripts_get_their_words_as_json_in_both_languages() {
        for tr in [&ZH, &EN] {
            let words: serde_json::Value = serde_json::from_str(&tr.script_words()).unwrap();
            assert!(words["time_left"].as_str().unwrap().contains("{}"));
            assert_eq!(words["reasons"].as_array().unwrap().len(), 11);
        }
        assert!(ZH.script_words().contains("机器人转人工"));
        assert!(EN.script_words().contains("Bot handed over"));
    }
}
