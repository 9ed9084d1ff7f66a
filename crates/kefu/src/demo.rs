//! Demo data: the customer-service centre of a fictional courier, 云路速运, with two months of
//! history. Everything goes through the [`Desk`], with a [`FixedClock`] moved to the moment each
//! thing happened, so cases, events and service clocks look like real use.
//!
//! The data is planned first from a seeded random generator (pure and deterministic), then
//! played: departments, users and customers in order, all cases created in the order they
//! arrived (so case numbers follow time), and then the histories of the cases, several at once
//! (each case's history in order, on its own clock) so the store can group its writes.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use kefu_desk::{Desk, Store};
use kefu_model::classify::Classifier;
use kefu_model::customer::ExternalId;
use kefu_model::drafts::{
    CaseDraft, CasePatch, CustomerDraft, DepartmentDraft, MessageDraft, UserDraft,
};
use kefu_model::{
    Actor, Category, Channel, Clock, DomainError, FixedClock, Grade, KeywordClassifier, Priority,
    Role, Status, StoreError, Visibility,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "kefu-demo-2026";

/// One account the demo created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub username: String,
    pub role: Role,
    pub display_name: String,
}

/// What [`seed`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub departments: usize,
    pub users: Vec<DemoLogin>,
    pub customers: usize,
    pub cases: usize,
}

/// The random seed: the same seed gives the same demo.
const SEED: u64 = 0x4b45_4655_2026_0001;
/// Customers on file before the first case.
const KNOWN_CUSTOMERS: usize = 166;
/// Cases over the history window.
const CASES: usize = 600;
/// The history window, in days before `now`.
const HISTORY_DAYS: i64 = 60;
/// Case histories played at the same time (each on its own clock).
const LANES: usize = 16;

// ---- staff ------------------------------------------------------------------------------------

struct Dept {
    key: &'static str,
    name: &'static str,
    kind: &'static str,
}

const DEPARTMENTS: &[Dept] = &[
    Dept {
        key: "service",
        name: "客服部",
        kind: "service",
    },
    Dept {
        key: "ops",
        name: "运营部",
        kind: "operations",
    },
    Dept {
        key: "outlet",
        name: "上海浦东网点",
        kind: "outlet",
    },
    Dept {
        key: "hub",
        name: "华东分拨中心",
        kind: "sorting_center",
    },
    Dept {
        key: "finance",
        name: "财务部",
        kind: "finance",
    },
];

struct Staff {
    username: &'static str,
    display_name: &'static str,
    role: Role,
    department: Option<&'static str>,
}

const STAFF: &[Staff] = &[
    Staff {
        username: "supervisor",
        display_name: "王主管",
        role: Role::Supervisor,
        department: Some("service"),
    },
    Staff {
        username: "agent01",
        display_name: "李晓婷",
        role: Role::Agent,
        department: Some("service"),
    },
    Staff {
        username: "agent02",
        display_name: "张伟",
        role: Role::Agent,
        department: Some("service"),
    },
    Staff {
        username: "agent03",
        display_name: "陈静",
        role: Role::Agent,
        department: Some("service"),
    },
    Staff {
        username: "agent04",
        display_name: "刘洋",
        role: Role::Agent,
        department: Some("service"),
    },
    Staff {
        username: "agent05",
        display_name: "赵敏",
        role: Role::Agent,
        department: Some("service"),
    },
    Staff {
        username: "agent06",
        display_name: "孙浩然",
        role: Role::Agent,
        department: Some("service"),
    },
    Staff {
        username: "ops01",
        display_name: "周立新",
        role: Role::Department,
        department: Some("ops"),
    },
    Staff {
        username: "outlet01",
        display_name: "黄志强",
        role: Role::Department,
        department: Some("outlet"),
    },
    Staff {
        username: "hub01",
        display_name: "吴建华",
        role: Role::Department,
        department: Some("hub"),
    },
    Staff {
        username: "finance01",
        display_name: "郑丽",
        role: Role::Department,
        department: Some("finance"),
    },
    Staff {
        username: "viewer",
        display_name: "林静（质检只读）",
        role: Role::Readonly,
        department: None,
    },
];

const SUPERVISOR: usize = 0;
const FIRST_AGENT: usize = 1;
const AGENTS: usize = 6;

/// The staff member who answers for a department.
fn department_staff(key: &str) -> usize {
    STAFF
        .iter()
        .position(|s| s.role == Role::Department && s.department == Some(key))
        .unwrap_or(SUPERVISOR)
}

fn department_name(key: &str) -> &'static str {
    DEPARTMENTS
        .iter()
        .find(|d| d.key == key)
        .map(|d| d.name)
        .unwrap_or("相关部门")
}

// ---- people -----------------------------------------------------------------------------------

/// Surnames with their pinyin (for email addresses).
const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("高", "gao"),
    ("林", "lin"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("许", "xu"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
    ("彭", "peng"),
    ("曾", "zeng"),
    ("肖", "xiao"),
    ("田", "tian"),
    ("董", "dong"),
    ("袁", "yuan"),
    ("潘", "pan"),
    ("蒋", "jiang"),
    ("蔡", "cai"),
    ("余", "yu"),
    ("杜", "du"),
    ("叶", "ye"),
    ("程", "cheng"),
    ("苏", "su"),
    ("魏", "wei"),
    ("吕", "lv"),
    ("丁", "ding"),
    ("沈", "shen"),
    ("姚", "yao"),
    ("卢", "lu"),
    ("姜", "jiang"),
    ("崔", "cui"),
    ("钟", "zhong"),
    ("谭", "tan"),
    ("陆", "lu"),
    ("汪", "wang"),
    ("范", "fan"),
    ("金", "jin"),
    ("石", "shi"),
    ("廖", "liao"),
    ("贾", "jia"),
    ("夏", "xia"),
    ("付", "fu"),
    ("方", "fang"),
    ("邹", "zou"),
    ("熊", "xiong"),
    ("秦", "qin"),
    ("江", "jiang"),
    ("薛", "xue"),
    ("顾", "gu"),
    ("毛", "mao"),
    ("邵", "shao"),
];

/// Given names with their pinyin.
const GIVEN_NAMES: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀英", "xiuying"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂英", "guiying"),
    ("建华", "jianhua"),
    ("晓燕", "xiaoyan"),
    ("志强", "zhiqiang"),
    ("海燕", "haiyan"),
    ("俊杰", "junjie"),
    ("子涵", "zihan"),
    ("欣怡", "xinyi"),
    ("浩然", "haoran"),
    ("雨桐", "yutong"),
    ("梓轩", "zixuan"),
    ("佳怡", "jiayi"),
    ("思远", "siyuan"),
    ("文博", "wenbo"),
    ("婷婷", "tingting"),
    ("玉兰", "yulan"),
    ("国栋", "guodong"),
    ("红梅", "hongmei"),
    ("晨曦", "chenxi"),
    ("一鸣", "yiming"),
    ("嘉豪", "jiahao"),
    ("诗涵", "shihan"),
    ("宇航", "yuhang"),
    ("立新", "lixin"),
    ("春生", "chunsheng"),
    ("美玲", "meiling"),
    ("宏伟", "hongwei"),
    ("雪", "xue"),
    ("鑫", "xin"),
    ("凯", "kai"),
    ("琳", "lin"),
    ("昊", "hao"),
    ("鹏", "peng"),
    ("倩", "qian"),
    ("斌", "bin"),
    ("晓峰", "xiaofeng"),
    ("丹丹", "dandan"),
    ("建国", "jianguo"),
    ("淑珍", "shuzhen"),
    ("梦琪", "mengqi"),
    ("天佑", "tianyou"),
    ("秋月", "qiuyue"),
    ("振宇", "zhenyu"),
];

/// Fictional business shippers: name, pinyin handle, area code, tags.
const COMPANIES: &[(&str, &str, &str, &[&str])] = &[
    (
        "杭州云裳电子商务有限公司",
        "yunshang",
        "0571",
        &["月结客户", "电商卖家"],
    ),
    (
        "深圳市星河拾光数码科技有限公司",
        "xinghe",
        "0755",
        &["月结客户", "电商卖家"],
    ),
    (
        "义乌市百汇通日用品电子商务有限公司",
        "baihuitong",
        "0579",
        &["月结客户", "电商卖家"],
    ),
    (
        "广州美颜坊化妆品贸易有限公司",
        "meiyanfang",
        "020",
        &["月结客户", "电商卖家"],
    ),
    ("苏州青禾茶业有限公司", "qinghe", "0512", &["月结客户"]),
    (
        "成都蜀味坊食品有限公司",
        "shuweifang",
        "028",
        &["月结客户", "电商卖家", "生鲜"],
    ),
    (
        "东莞市恒锐五金制品有限公司",
        "hengrui",
        "0769",
        &["月结客户", "大件"],
    ),
    (
        "厦门蓝湾服饰有限公司",
        "lanwan",
        "0592",
        &["月结客户", "电商卖家"],
    ),
    (
        "宁波暖居家居用品有限公司",
        "nuanju",
        "0574",
        &["月结客户", "电商卖家"],
    ),
    (
        "上海小橙子母婴用品有限公司",
        "xiaochengzi",
        "021",
        &["月结客户", "电商卖家", "VIP"],
    ),
    ("南京墨香图书发行有限公司", "moxiang", "025", &["月结客户"]),
    (
        "青岛海之味水产有限公司",
        "haizhiwei",
        "0532",
        &["月结客户", "生鲜"],
    ),
    (
        "长沙湘里香食品有限公司",
        "xianglixiang",
        "0731",
        &["月结客户", "电商卖家"],
    ),
    (
        "泉州疾风体育用品有限公司",
        "jifeng",
        "0595",
        &["月结客户", "电商卖家"],
    ),
    ("合肥启辰电子有限公司", "qichen", "0551", &["月结客户"]),
    (
        "温州步云鞋业有限公司",
        "buyun",
        "0577",
        &["月结客户", "电商卖家"],
    ),
    (
        "武汉楚天汽配有限公司",
        "chutian",
        "027",
        &["月结客户", "大件"],
    ),
    (
        "昆明花间集鲜花电子商务有限公司",
        "huajianji",
        "0871",
        &["月结客户", "电商卖家", "生鲜"],
    ),
];

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181",
    "182", "183", "185", "186", "187", "188", "189", "191", "195", "198", "199",
];

const MAIL_DOMAINS: &[&str] = &["163.com", "126.com", "qq.com", "sina.com", "foxmail.com"];

// ---- places and things ------------------------------------------------------------------------

const CITIES: &[&str] = &[
    "北京",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "重庆",
    "天津",
    "长沙",
    "郑州",
    "济南",
    "青岛",
    "厦门",
    "福州",
    "合肥",
    "南昌",
    "昆明",
    "沈阳",
    "哈尔滨",
    "石家庄",
    "宁波",
    "温州",
    "义乌",
    "东莞",
    "佛山",
    "无锡",
    "南宁",
];
const FAR_PLACES: &[&str] = &[
    "新疆乌鲁木齐",
    "新疆喀什",
    "西藏拉萨",
    "青海西宁",
    "内蒙古呼伦贝尔",
    "甘肃敦煌",
    "宁夏银川",
];
/// The sorting centre serving a destination.
fn hub_for(city: &str) -> &'static str {
    const REGIONS: &[(&str, &[&str])] = &[
        (
            "华北分拨中心",
            &["北京", "天津", "石家庄", "济南", "青岛", "沈阳", "哈尔滨"],
        ),
        ("华南分拨中心", &["广州", "深圳", "东莞", "佛山", "南宁"]),
        ("华中分拨中心", &["武汉", "长沙", "郑州"]),
        ("西南分拨中心", &["成都", "重庆", "昆明"]),
        ("西北分拨中心", &["西安"]),
    ];
    REGIONS
        .iter()
        .find(|(_, cities)| cities.contains(&city))
        .map(|(hub, _)| *hub)
        .unwrap_or("华东分拨中心")
}
const OUTLETS: &[&str] = &[
    "张江营业部",
    "金桥营业部",
    "川沙营业部",
    "花木营业部",
    "陆家嘴营业部",
    "周浦营业部",
];
const ROADS: &[&str] = &[
    "张江路",
    "碧波路",
    "金科路",
    "川沙路",
    "锦绣路",
    "博山东路",
    "杨高中路",
    "张杨路",
    "祖冲之路",
    "金桥路",
    "沪南路",
    "东方路",
];
const ITEMS: &[&str] = &[
    "衣服",
    "手机壳",
    "蓝牙耳机",
    "笔记本电脑",
    "茶叶",
    "护肤品",
    "几本书",
    "运动鞋",
    "家乡土特产",
    "保温杯",
    "儿童玩具",
    "合同文件",
    "奶粉",
    "羽绒服",
    "床上四件套",
    "咖啡豆",
    "相机镜头",
    "手办",
    "电饭煲",
    "药品",
    "平板电脑",
    "毛绒玩具",
];
const FRAGILE: &[&str] = &[
    "陶瓷茶具",
    "玻璃花瓶",
    "两瓶红酒",
    "显示器",
    "蜂蜜",
    "香水",
    "小鱼缸",
    "手工瓷碗",
    "台灯",
    "相框",
];
const COURIERS: &[&str] = &[
    "王师傅",
    "李师傅",
    "小张",
    "陈建军",
    "刘斌",
    "赵小龙",
    "孙师傅",
    "马强",
];
const REASONS: &[&str] = &[
    "雨雪天气",
    "大促期间件量激增",
    "高速临时管控",
    "中转场地设备检修",
    "车辆故障",
    "航班延误",
];
const ETAS: &[&str] = &[
    "明天上午",
    "明天下午",
    "后天中午前",
    "明天18点前",
    "本周五前",
];
const PLACES: &[&str] = &[
    "楼下快递柜",
    "小区代收点",
    "物业前台",
    "隔壁邻居家",
    "单元门口的鞋柜上",
];
const PICKUP_TIMES: &[&str] = &[
    "明天上午9点到11点",
    "今天下午3点以后",
    "明天下午2点左右",
    "周六上午",
    "今天傍晚6点前",
];
const BATTERIES: &[&str] = &[
    "充电宝",
    "电动车锂电池",
    "无人机备用电池",
    "18650锂电池",
    "移动电源",
];
const PHONE_MODELS: &[&str] = &[
    "iPhone 13",
    "华为P50",
    "小米13",
    "OPPO Reno8",
    "vivo X90",
    "荣耀70",
];

// ---- case stories -----------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// Answered on the spot: the first reply is the answer.
    Quick,
    /// Needs work: maybe information from the customer, maybe a department.
    Work,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waybill {
    Yes,
    No,
    /// Found during handling and linked then.
    Later,
}

/// Where the parcel is handled by our own 浦东 outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Local {
    Nowhere,
    Destination,
    Origin,
}

/// A kind of contact with its texts. Placeholders in braces are filled per case.
struct Scenario {
    intent: Category,
    w_person: u32,
    w_company: u32,
    /// Weights in the order of [`Channel::ALL`]: phone, chat, email, wechat, web, api.
    channels: [u32; 6],
    waybill: Waybill,
    local: Local,
    flow: Flow,
    /// Subjects, notes and texts are variants of one story, to be taken with the same index.
    paired: bool,
    dept: Option<&'static str>,
    subjects: &'static [&'static str],
    /// What the agent writes down during a call.
    told: &'static [&'static str],
    /// What the customer writes.
    written: &'static [&'static str],
    replies: &'static [&'static str],
    asks: &'static [&'static str],
    answers: &'static [&'static str],
    handoffs: &'static [&'static str],
    /// The department's findings; the resolution with the same index tells the customer.
    dept_answers: &'static [&'static str],
    chases: &'static [&'static str],
    resolutions: &'static [&'static str],
    tags: &'static [&'static str],
}

const DEFAULT_CHANNELS: [u32; 6] = [40, 22, 8, 14, 10, 6];

const SCENARIOS: &[Scenario] = &[
    // 1. not moving
    Scenario {
        intent: Category::Delay,
        w_person: 14,
        w_company: 8,
        channels: DEFAULT_CHANNELS,
        waybill: Waybill::Yes,
        local: Local::Nowhere,
        flow: Flow::Work,
        paired: false,
        dept: Some("hub"),
        subjects: &[
            "快递{days_cn}天没更新了",
            "单号{wb}物流{days}天没有更新",
            "物流一直停在{hub}不动",
            "寄往{dest}的快递怎么还没到",
            "{item}寄出{days}天了还没到",
        ],
        told: &[
            "客户来电称{days}天前从{city}寄往{dest}的包裹（单号{wb}），物流信息一直停在“{hub}已发出”，之后再没有更新。内件是{item}，收件人着急用，希望尽快查明原因。",
            "客户反映单号{wb}已超过承诺时效{days}天，轨迹停在{hub}，要求给出明确的到达时间。客户语气比较着急。",
            "来电人是收件人，网购的{item}，商家发货{days}天了物流还停在{hub}，商家让她直接联系快递公司。",
        ],
        written: &[
            "您好，我{days}天前在网上买的{item}，单号{wb}，物流到{hub}之后就不动了，商家让我找你们问问，麻烦帮忙看一下是什么情况。",
            "单号{wb}，从{city}寄到{dest}，都{days}天了物流还没有更新，你们到底有没有在运？",
            "我的快递{wb}卡在{hub}好几天了，里面是{item}，急用，麻烦尽快帮我催一下。",
        ],
        replies: &[
            "您好，已收到您的反馈。经查询，您的快件目前在{hub}，因近期{reason}出现积压，我们已登记催件，会在今天18:00前给您回复最新进展。",
            "您好，很抱歉让您久等了。已为您联系分拨中心核实快件位置，预计{eta}给您答复，请保持电话畅通。",
        ],
        asks: &["麻烦您再确认一下收件地址和收件人电话是否正确，我们好安排网点优先派送。"],
        answers: &[
            "地址没错，就是{dest}的，电话也是对的。",
            "收件人电话是对的，麻烦快一点。",
        ],
        handoffs: &[
            "已转分拨中心核查：{wb}在{hub}后无扫描记录，请协助查找并在今天下班前回复。",
            "请分拨中心查一下{wb}的实际位置，客户催得很急，承诺今天18点前回复客户。",
        ],
        dept_answers: &[
            "经查，该件因面单模糊在{hub}滞留，已重新贴单发出，预计{eta}到达{dest}。",
            "已找到，件压在异常区，已安排今晚第一班车发往{dest}。",
            "因{reason}，{hub}积压较多，该件已优先处理，今天发出。",
        ],
        chases: &[
            "今天还是没有动静，到底什么时候能到？",
            "已经等了一天了，物流还是没变，再不处理我就打12305投诉了。",
            "麻烦快点，收件人等着用。",
        ],
        resolutions: &[
            "您好，您的快件已重新发出，最新轨迹显示已到达{dest}转运中心，预计{eta}派送，给您带来不便非常抱歉。",
            "您好，快件已恢复正常转运，预计{eta}送达，我们会继续跟进，如有问题随时联系我们。",
        ],
        tags: &["催件", "时效"],
    },
    // 2. delivered but not received
    Scenario {
        intent: Category::Lost,
        w_person: 9,
        w_company: 2,
        channels: [45, 20, 5, 15, 10, 5],
        waybill: Waybill::Yes,
        local: Local::Destination,
        flow: Flow::Work,
        paired: false,
        dept: Some("outlet"),
        subjects: &[
            "显示签收但没收到",
            "快递显示已签收，本人没收到",
            "包裹显示被签收了，不是我签的",
            "{wb}显示签收，家里没人收到",
        ],
        told: &[
            "客户称单号{wb}的物流显示{date}已签收，签收人为“门卫”，但客户到门卫处查询没有该包裹，家人也没有代收。内件为{item}，价值约{amount}元。",
            "客户来电：快递{wb}显示已签收，但本人一直在家，没有人送货也没接到电话，要求查清楚包裹去向。",
        ],
        written: &[
            "我的快递{wb}显示已经签收了，可是我一直在家根本没人来送，电话也没接到过。东西是{item}，请你们帮忙找一下。",
            "为什么显示签收了？我没收到！单号{wb}，地址是{addr}，请给个说法。",
        ],
        replies: &[
            "您好，非常抱歉给您带来困扰。已为您联系派送网点核实签收情况，网点会在2小时内回电给您，请保持电话畅通。",
            "您好，已收到您的反馈，我们马上联系{outlet}核实签收凭证和放置位置，稍后给您回复。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[
            "请网点核实{wb}签收情况：客户本人未收到，要求提供签收凭证或放置位置照片，2小时内回复。",
            "客户称{wb}未收到但系统显示签收，请{outlet}联系派件员{courier}核实，今天内回复。",
        ],
        dept_answers: &[
            "已联系派件员{courier}，件放在了{place}，未及时通知客户，已批评教育，派件员今天会送上门。",
            "派件员称已放入{place}，已调取放置照片，请转告客户去取，取件码已短信重发。",
            "派件员误将包裹送到了同小区另一栋，已找回，今天下午送到客户手上。",
        ],
        chases: &[
            "网点说会回电，到现在都没人打给我。",
            "东西到底在哪？我明天就要用。",
        ],
        resolutions: &[
            "您好，经网点核实，包裹被放在了{place}，派件员已将包裹送到您手上。对未经您同意放置的情况我们深表歉意，已对派件员进行处理。",
            "您好，经网点核实，包裹放在了{place}，取件码已重新发送到您的手机，请您凭取件码领取。未提前告知您，我们深表歉意。",
            "您好，包裹已找到并重新送达，请您查收。今后派件员会先电话联系再派送，感谢您的理解。",
        ],
        tags: &["虚假签收"],
    },
    // 3. lost in transit
    Scenario {
        intent: Category::Lost,
        w_person: 4,
        w_company: 3,
        channels: [50, 15, 10, 10, 10, 5],
        waybill: Waybill::Yes,
        local: Local::Nowhere,
        flow: Flow::Work,
        paired: false,
        dept: Some("hub"),
        subjects: &[
            "包裹丢失，一周都找不到",
            "快递丢了怎么办",
            "查件：{wb}疑似丢件",
        ],
        told: &[
            "客户来电：单号{wb}，{days}天前从{city}寄往{dest}，物流停在{hub}之后查无下落，网点说找不到了。内件{item}，很重要。",
        ],
        written: &[
            "单号{wb}，{days}天前寄出，物流停在{hub}之后就没了，问了网点说找不到了。里面是{item}，对我很重要，请尽快处理。",
        ],
        replies: &[
            "您好，非常抱歉发生这样的情况。已为您提交分拨中心全面查找，48小时内给您答复，请您放心。",
        ],
        asks: &["请您提供一下内件的价值证明（购买记录或发票），如查找无果我们将启动理赔。"],
        answers: &[
            "购买记录截图已经发到你们邮箱了。",
            "发票照片发过去了，请查收。",
        ],
        handoffs: &["请分拨中心全面查找{wb}：最后扫描在{hub}，之后无轨迹，客户要求48小时内答复。"],
        dept_answers: &[
            "经查监控，该件在{hub}分拣时面单脱落，已在无头件中找到，今天随车发往{dest}。",
            "全场查找未找到该件，确认遗失，建议按丢件流程理赔。",
        ],
        chases: &["已经两天了，找到了没有？", "再找不到我就要投诉了。"],
        resolutions: &[
            "您好，您的快件已在分拨中心找到，今天已发往{dest}，预计{eta}送达，给您带来的困扰深表歉意。",
            "您好，经多次查找仍未找到您的快件，已确认丢失，我们已为您发起理赔，财务会在3个工作日内联系您。",
        ],
        tags: &["丢件"],
    },
    // 4. damaged
    Scenario {
        intent: Category::Damaged,
        w_person: 8,
        w_company: 5,
        channels: [40, 20, 10, 15, 10, 5],
        waybill: Waybill::Yes,
        local: Local::Destination,
        flow: Flow::Work,
        paired: false,
        dept: Some("outlet"),
        subjects: &[
            "外包装破损，里面的{fragile}坏了",
            "收到的快递箱子破了",
            "包裹外包装破损，内件受损",
            "{fragile}压坏了",
        ],
        told: &[
            "客户收到单号{wb}的包裹时外箱明显压扁破损，当场拍了照，打开后发现{fragile}已经损坏。客户要求说明原因并处理。",
            "客户来电反映快件{wb}外包装破损，内件{fragile}摔坏了，派件员放下就走，没有让客户当面验货。",
        ],
        written: &[
            "我今天收到的快递箱子都烂了，里面的{fragile}摔坏了，快递员放下就走了，我有照片。单号{wb}。",
            "快递{wb}外包装破损严重，{fragile}碎了，这个怎么处理？",
        ],
        replies: &[
            "您好，非常抱歉您收到的快件出现破损。我们已登记，会尽快核实运输环节并给您处理方案。",
            "您好，给您添麻烦了。请您先保留好外包装和物品，我们马上联系网点核实。",
        ],
        asks: &["麻烦您提供外包装和内件破损的照片，以及购买凭证，我们尽快为您核实处理。"],
        answers: &[
            "照片已经发到你们邮箱了，请查收。",
            "照片和购买截图都发过去了，什么时候能处理好？",
        ],
        handoffs: &[
            "请网点核实{wb}派送时外包装状态，查看是否有签收异常登记，今天内回复。",
            "{wb}破损件，客户已提供照片，请{outlet}核实责任环节。",
        ],
        dept_answers: &[
            "网点查看派件前照片，外包装在分拨环节已有挤压痕迹，派件员未做异常登记，同意按实际损失处理。",
            "派件员承认装车时压到了，责任在网点，同意赔付。",
        ],
        chases: &["照片都给你们了，怎么还没有结果？"],
        resolutions: &[
            "您好，经核实为运输途中挤压导致破损，我们将按实际损失为您赔付{amount}元，款项3至5个工作日到账，再次向您致歉。",
            "您好，网点已与您协商一致，按{amount}元赔付，今后我们会加强易碎品的包装和装卸管理。",
        ],
        tags: &["破损", "易碎品"],
    },
    // 5. contents missing
    Scenario {
        intent: Category::Damaged,
        w_person: 3,
        w_company: 3,
        channels: DEFAULT_CHANNELS,
        waybill: Waybill::Yes,
        local: Local::Nowhere,
        flow: Flow::Work,
        paired: false,
        dept: Some("hub"),
        subjects: &["快递少件", "收到的包裹少了一件", "包裹被拆过，东西少了"],
        told: &[
            "客户称单号{wb}买了{pieces}件{item}，收到只有1件，外箱有二次封箱的胶带痕迹，怀疑途中被拆。",
        ],
        written: &[
            "我买了{pieces}件{item}，收到只有1件，箱子上明显有重新封过的胶带，单号{wb}，你们查一下是怎么回事。",
        ],
        replies: &["您好，非常抱歉。已登记您的问题，我们会调取各环节称重记录核实，尽快给您答复。"],
        asks: &["麻烦您提供外箱封口处的照片和商家的发货清单，方便我们核对重量。"],
        answers: &["照片发了，商家的发货单也截图了。"],
        handoffs: &["请分拨中心调取{wb}各环节称重数据，客户反映少件、外箱有二次封箱痕迹。"],
        dept_answers: &[
            "称重记录显示{hub}出港重量比揽收时轻了0.8公斤，问题出在中转环节，已上报处理。",
            "各环节重量一致，未发现异常，建议客户与商家核实发货数量。",
        ],
        chases: &["查了这么久还没结果吗？"],
        resolutions: &[
            "您好，经核实中转环节存在异常，我们将按缺少物品的价值{amount}元为您赔付，并对相关人员追责。",
            "您好，经核对各环节重量一致，建议您与商家确认发货数量，如有需要我们可以提供称重记录。",
        ],
        tags: &["少件"],
    },
    // 6. courier attitude
    Scenario {
        intent: Category::Complaint,
        w_person: 7,
        w_company: 2,
        channels: [55, 15, 5, 15, 10, 0],
        waybill: Waybill::Yes,
        local: Local::Destination,
        flow: Flow::Work,
        paired: true,
        dept: Some("outlet"),
        subjects: &[
            "投诉快递员态度差，不肯送上楼",
            "快递员不打电话直接放{place}，态度恶劣",
        ],
        told: &[
            "客户投诉{outlet}派件员{courier}：今天派送时客户要求送上楼，派件员态度很差，说话很冲，还把包裹扔在楼下。客户情绪激动，要求道歉。",
            "客户反映派件员{courier}未经同意把包裹放在{place}，打电话过去询问时对方不耐烦，直接挂断。客户要求投诉并处理。",
        ],
        written: &[
            "你们那个快递员太差了，打电话让我自己下楼拿，我说腿不方便，他直接挂电话。我要投诉！单号{wb}。",
            "快递员每次都不打电话直接放{place}，说了好几次也不改，今天还嫌我事多，什么态度？单号{wb}。",
        ],
        replies: &[
            "您好，非常抱歉给您带来了不愉快的体验。您反映的情况我们已详细记录，会立即核实并在24小时内给您处理结果。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[
            "客户投诉派件员服务态度，请网点负责人核实并联系客户致歉，今天内回复处理结果。",
            "投诉：{outlet}派件员{courier}未经同意放置包裹且态度差，请24小时内回复处理结果。",
        ],
        dept_answers: &[
            "已与派件员核实，承认当时语气不好，站点负责人已电话向客户道歉，并对派件员进行罚款和培训。",
            "派件员当天派件量大，没有提前联系客户，已批评教育，今后放柜前必须电话确认。",
        ],
        chases: &[
            "说好24小时给答复的，现在都没人联系我。",
            "如果今天还不处理，我就打12305投诉。",
        ],
        resolutions: &[
            "您好，网点负责人已经联系您致歉，我们也对派件员进行了处理，今后会加强服务培训。感谢您的监督。",
            "您好，您反映的问题已核实，派件员已受到处理，今后派送前会先与您电话确认，再次向您致歉。",
        ],
        tags: &["服务态度"],
    },
    // 7. through the regulator
    Scenario {
        intent: Category::Complaint,
        w_person: 2,
        w_company: 0,
        channels: [40, 0, 30, 0, 30, 0],
        waybill: Waybill::Yes,
        local: Local::Nowhere,
        flow: Flow::Work,
        paired: false,
        dept: Some("ops"),
        subjects: &[
            "邮政管理局转来申诉：{wb}延误未处理",
            "客户已向邮政管理局申诉",
        ],
        told: &[
            "客户来电称已向邮政管理局申诉：单号{wb}寄出{days}天未送达，多次来电都没有得到答复。申诉需在规定时限内回复处理结果。",
        ],
        written: &[
            "邮政管理局申诉转办：申诉人反映单号{wb}自{city}寄往{dest}，寄出{days}天未送达，多次联系客服未获答复，请企业在规定时限内处理并回复。",
        ],
        replies: &[
            "您好，您的申诉我们已收到并高度重视，已安排专人跟进，会在今天内与您联系并告知处理进展。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[
            "邮政管理局申诉件，最高优先级：请运营部今天内查明{wb}延误原因并给出处理方案，申诉回复有时限。",
        ],
        dept_answers: &[
            "经查，该件因{reason}在{hub}滞留，责任在我方，已安排专车转运，明天送达，同意按延误标准赔付。",
        ],
        chases: &["我已经等不下去了，你们到底管不管？"],
        resolutions: &[
            "您好，经查明您的快件因{reason}延误，已于今天送达。我们按延误标准给予补偿{amount}元，并已向邮政管理局回复处理结果，再次向您致歉。",
        ],
        tags: &["申诉", "邮政管理局"],
    },
    // 8. change address
    Scenario {
        intent: Category::ChangeDelivery,
        w_person: 5,
        w_company: 2,
        channels: [45, 25, 5, 15, 5, 5],
        waybill: Waybill::Yes,
        local: Local::Destination,
        flow: Flow::Work,
        paired: false,
        dept: Some("outlet"),
        subjects: &[
            "要求改地址",
            "修改收件地址",
            "快递能改派到公司吗",
            "改地址：{wb}",
        ],
        told: &[
            "客户来电要求将单号{wb}的收件地址由{addr}改为{addr2}，收件人电话不变。目前快件在{dest}转运中心。",
            "收件人来电：这两天家里没人，要求把快件{wb}改派到公司，地址{addr2}。",
        ],
        written: &[
            "我填错地址了，单号{wb}，麻烦帮我改到{addr2}，谢谢！",
            "这两天家里没人，快递{wb}能改派到公司吗？地址是{addr2}。",
        ],
        replies: &[
            "您好，已为您提交改址申请，派送网点确认后会短信通知您。改址可能产生额外的转寄费用，请知悉。",
        ],
        asks: &["麻烦您提供一下新地址的联系人姓名和电话，以便网点派送。"],
        answers: &["联系人还是我本人，电话不变。"],
        handoffs: &[
            "改址申请：{wb}原地址{addr}，新地址{addr2}，请网点在派送前拦截并按新地址派送。",
        ],
        dept_answers: &[
            "已收到改址申请，件已在派送途中拦下，明天按新地址派送。",
            "件已派送签收，无法改址，请客服与客户协商。",
        ],
        chases: &["改地址的事处理了吗？快递员今天就要送了。"],
        resolutions: &[
            "您好，您的快件已按新地址安排派送，预计{eta}送达。",
            "您好，很抱歉，您的快件在改址申请前已派送签收，无法再修改地址，建议您与签收人联系取回。如需帮助请随时联系我们。",
        ],
        tags: &["改址"],
    },
    // 8b. intercept and return
    Scenario {
        intent: Category::ChangeDelivery,
        w_person: 2,
        w_company: 4,
        channels: [45, 25, 5, 15, 5, 5],
        waybill: Waybill::Yes,
        local: Local::Origin,
        flow: Flow::Work,
        paired: false,
        dept: Some("outlet"),
        subjects: &["申请拦截退回", "快件拦截：{wb}", "买家取消订单，要求拦截"],
        told: &["寄件人来电：单号{wb}寄往{dest}的{item}，买家已取消订单，要求拦截退回寄件地址。"],
        written: &["单号{wb}是发给客户的{item}，对方不要了，麻烦帮忙拦截退回给我。"],
        replies: &["您好，已为您提交拦截申请，拦截成功后快件将原路退回，退回运费按实际重量收取。"],
        asks: &[],
        answers: &[],
        handoffs: &["拦截退回申请：{wb}，昨天揽收，请网点在发出前拦截，退回寄件人。"],
        dept_answers: &[
            "件还在网点未发出，已拦截，今天退回寄件人。",
            "件已发出，已通知目的地网点拦截，到达后原路退回。",
        ],
        chases: &["拦截成功了吗？"],
        resolutions: &[
            "您好，快件已拦截成功，今天将退回给您，退回单号与原单号相同，您可随时查询。",
            "您好，快件已在目的地拦截成功，正在原路退回，预计{eta}退回到您手上。",
        ],
        tags: &["拦截"],
    },
    // 9. hurry a delivery (催件)
    Scenario {
        intent: Category::Delay,
        w_person: 5,
        w_company: 4,
        channels: DEFAULT_CHANNELS,
        waybill: Waybill::Yes,
        local: Local::Destination,
        flow: Flow::Work,
        paired: false,
        dept: Some("outlet"),
        subjects: &[
            "催件：{wb}明天一定要送到",
            "催件，急用",
            "快递到了{dest}两天还没派送",
        ],
        told: &[
            "客户来电催件：单号{wb}已到{outlet}两天，还没到派送，里面是{item}，明天要用，希望今天能送到。",
        ],
        written: &[
            "快递{wb}都到{outlet}两天了还没派送，我急用，麻烦今天送一下。",
            "催件！单号{wb}，物流显示到了{dest}就没动了，怎么还不派送？",
        ],
        replies: &["您好，已为您联系派送网点催件，网点会优先安排派送，请保持电话畅通。"],
        asks: &[],
        answers: &[],
        handoffs: &["催件：{wb}到{outlet}两天未派送，客户急用，请今天优先派送并回复。"],
        dept_answers: &[
            "该件因地址不详滞留，已联系客户确认地址，今天下午派送。",
            "已安排{courier}今天优先派送。",
        ],
        chases: &["下午了还没送来，到底送不送？"],
        resolutions: &[
            "您好，网点已安排优先派送，快件今天已送达，请您查收，给您带来不便非常抱歉。",
        ],
        tags: &["催件"],
    },
    // 10. where is my parcel
    Scenario {
        intent: Category::Track,
        w_person: 11,
        w_company: 5,
        channels: [45, 25, 3, 17, 5, 5],
        waybill: Waybill::Yes,
        local: Local::Nowhere,
        flow: Flow::Quick,
        paired: false,
        dept: None,
        subjects: &[
            "查询快递到哪了",
            "查件：{wb}",
            "帮我查一下物流",
            "我的快递到哪了",
        ],
        told: &[
            "客户来电查询单号{wb}的物流状态。",
            "收件人来电询问单号{wb}什么时候能送到。",
        ],
        written: &[
            "你好，帮我查一下{wb}到哪了",
            "我的快递到哪了？单号{wb}",
            "查一下物流，单号{wb}，谢谢",
        ],
        replies: &[
            "您好，您的快件已到达{dest}，目前正在派送中，派件员{courier}会在今天送达，请保持电话畅通。",
            "您好，您的快件目前在{hub}转运，预计{eta}到达{dest}，请您耐心等待。",
            "您好，查询到您的快件昨天已从{city}发出，运输正常，预计{eta}送达。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[],
        dept_answers: &[],
        chases: &[],
        resolutions: &[],
        tags: &[],
    },
    // 11. no waybill number
    Scenario {
        intent: Category::Track,
        w_person: 3,
        w_company: 0,
        channels: [60, 25, 0, 15, 0, 0],
        waybill: Waybill::Later,
        local: Local::Nowhere,
        flow: Flow::Quick,
        paired: false,
        dept: None,
        subjects: &["没有单号怎么查快递", "忘记单号了，查件"],
        told: &[
            "客户忘记单号，只记得是{date}从{city}寄给{dest}的{surname}先生，寄件电话尾号{tail}，要求查询。",
        ],
        written: &[
            "单号找不到了，是{date}从{city}寄出去的，收件人姓{surname}，寄件人手机尾号{tail}，能帮我查一下吗？",
        ],
        replies: &["您好，已根据寄件人手机号为您查到运单号{wb}，快件目前运输正常，预计{eta}送达。"],
        asks: &[],
        answers: &[],
        handoffs: &[],
        dept_answers: &[],
        chases: &[],
        resolutions: &[],
        tags: &[],
    },
    // 12. another carrier's number
    Scenario {
        intent: Category::Track,
        w_person: 2,
        w_company: 0,
        channels: [50, 35, 0, 15, 0, 0],
        waybill: Waybill::No,
        local: Local::Nowhere,
        flow: Flow::Quick,
        paired: false,
        dept: None,
        subjects: &["查询单号{other}", "这个单号查不到"],
        told: &["客户提供单号{other}查询，经核对不是我司单号，从格式看属于其他快递公司。"],
        written: &["帮我查一下{other}，商家说是你们发的货，怎么查不到？"],
        replies: &[
            "您好，您提供的单号{other}不是云路速运的运单号，从格式看应该是其他快递公司的，建议您联系商家确认承运公司后再查询。如还有其他需要，随时联系我们。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[],
        dept_answers: &[],
        chases: &[],
        resolutions: &[],
        tags: &[],
    },
    // 13. pickup booking
    Scenario {
        intent: Category::Pickup,
        w_person: 7,
        w_company: 9,
        channels: [45, 20, 5, 15, 10, 5],
        waybill: Waybill::Later,
        local: Local::Origin,
        flow: Flow::Work,
        paired: false,
        dept: Some("outlet"),
        subjects: &[
            "预约上门取件",
            "明天上午来取件",
            "我要寄件，请安排上门",
            "寄{pieces}箱货到{dest}，需要上门揽收",
        ],
        told: &[
            "客户需要寄{item}到{dest}，约{weight}公斤，{pieces}件，希望{when}上门取件。取件地址：{addr}。",
            "客户来电预约寄件：{pieces}箱货寄往{dest}，总重约{weight}公斤，要求{when}上门揽收，地址{addr}。",
        ],
        written: &[
            "你好，我要寄件，{item}寄到{dest}，大概{weight}公斤，{when}能上门取件吗？地址是{addr}。",
            "有{pieces}箱货要发{dest}，请安排{when}上门揽收，地址{addr}。",
        ],
        replies: &[
            "您好，已为您预约{when}上门取件，取件员会提前半小时联系您。寄往{dest}的{weight}公斤运费约{amount}元，预计{transit}天送达。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &["请安排{when}到{addr}揽收，{pieces}件约{weight}公斤，寄往{dest}。"],
        dept_answers: &[
            "已派单给业务员{courier}，已按约定时间上门揽收，单号{wb}。",
            "业务员{courier}已揽收，运单号{wb}，今晚发出。",
        ],
        chases: &["约好的时间到了，取件员还没来。"],
        resolutions: &["您好，您的快件已揽收，运单号{wb}，您可以随时查询物流。"],
        tags: &["上门取件"],
    },
    // 14. prohibited items
    Scenario {
        intent: Category::Inquiry,
        w_person: 3,
        w_company: 1,
        channels: [40, 35, 0, 20, 5, 0],
        waybill: Waybill::No,
        local: Local::Nowhere,
        flow: Flow::Quick,
        paired: false,
        dept: None,
        subjects: &["寄锂电池可以吗", "{battery}能寄吗", "能不能寄{battery}"],
        told: &["客户咨询能否寄送{battery}到{dest}。"],
        written: &[
            "请问{battery}能寄吗？要寄到{dest}。",
            "我想寄个{battery}给家里，能寄吗？",
        ],
        replies: &[
            "您好，单独的锂电池、充电宝属于禁寄物品，无法收寄；设备内置的锂电池（如手机、笔记本电脑）在包装完好、电池不外露的情况下可以寄递，需如实申报。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[],
        dept_answers: &[],
        chases: &[],
        resolutions: &[],
        tags: &["禁寄品"],
    },
    // 15. price to far places
    Scenario {
        intent: Category::Inquiry,
        w_person: 4,
        w_company: 2,
        channels: [45, 30, 0, 20, 5, 0],
        waybill: Waybill::No,
        local: Local::Nowhere,
        flow: Flow::Quick,
        paired: false,
        dept: None,
        subjects: &[
            "寄到{far}多少钱",
            "寄到{far}多少钱，几天能到",
            "{weight}公斤寄到{far}运费多少",
        ],
        told: &["客户咨询从{city}寄{weight}公斤{item}到{far}的运费和时效。"],
        written: &[
            "寄到{far}多少钱？大概{weight}公斤，几天能到？",
            "{item}寄{far}，{weight}公斤，运费多少？",
        ],
        replies: &[
            "您好，从{city}寄往{far}，首重1公斤{first}元，续重每公斤{extra}元，{weight}公斤运费约{amount}元，时效一般{transit}天，偏远地区可能略有延误，请知悉。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[],
        dept_answers: &[],
        chases: &[],
        resolutions: &[],
        tags: &["报价"],
    },
    // 16. outlet phone unreachable
    Scenario {
        intent: Category::Complaint,
        w_person: 4,
        w_company: 1,
        channels: [55, 20, 0, 20, 5, 0],
        waybill: Waybill::Yes,
        local: Local::Destination,
        flow: Flow::Work,
        paired: false,
        dept: Some("outlet"),
        subjects: &[
            "网点电话打不通",
            "派送网点电话一直没人接",
            "{outlet}电话打不通，快递不派送",
        ],
        told: &[
            "客户称{outlet}的电话打了一上午都打不通，快件{wb}显示在该网点待派送，想知道什么时候送。",
        ],
        written: &["{outlet}的电话一直打不通，我的快递{wb}在那放了两天了，到底什么时候送？"],
        replies: &["您好，抱歉给您带来不便，已联系网点负责人，会尽快回电并安排派送。"],
        asks: &[],
        answers: &[],
        handoffs: &["客户反映{outlet}电话无人接听，请网点负责人回电客户并说明{wb}派送时间。"],
        dept_answers: &[
            "网点座机线路故障，已报修，已用手机回电客户，件今天下午派送。",
            "早高峰分拣时无人接听，已回电客户致歉，今天派送。",
        ],
        chases: &["还是没人给我打电话。"],
        resolutions: &["您好，网点已回电并安排派送，座机故障已报修，给您带来不便非常抱歉。"],
        tags: &["网点服务"],
    },
    // 17. claim
    Scenario {
        intent: Category::Claim,
        w_person: 4,
        w_company: 4,
        channels: [35, 15, 20, 10, 10, 10],
        waybill: Waybill::Yes,
        local: Local::Nowhere,
        flow: Flow::Work,
        paired: true,
        dept: Some("finance"),
        subjects: &[
            "申请理赔",
            "理赔进度查询",
            "保价件申请理赔",
            "理赔款怎么还没到账",
        ],
        told: &[
            "客户单号{wb}的{item}在运输中损坏，声明保价{amount}元，现申请理赔，已提供购买凭证和照片。",
            "客户来电询问{wb}的理赔进度，称提交材料已经一周，还没有人联系。",
        ],
        written: &[
            "单号{wb}的{item}寄丢了，当时保价了{amount}元，请问怎么申请理赔？",
            "理赔申请提交一个星期了，单号{wb}，怎么还没到账？",
        ],
        replies: &[
            "您好，已为您登记理赔申请，我们会在材料齐全后3个工作日内完成审核。",
            "您好，非常抱歉让您久等，已为您催促财务加急审核，今天内给您答复。",
        ],
        asks: &["请您提供购买凭证、物品照片和身份证明，以便财务审核。"],
        answers: &["材料都发过去了，请尽快审核。", "购买凭证和照片已经上传。"],
        handoffs: &["理赔审核：{wb}，保价{amount}元，材料齐全，请财务审核打款。"],
        dept_answers: &[
            "理赔已审核通过，赔付{amount}元，预计3个工作日内退回原支付账户。",
            "材料齐全，已审核通过，按声明价值赔付{amount}元，今天打款。",
        ],
        chases: &["理赔到底什么时候能到账？"],
        resolutions: &[
            "您好，您的理赔已审核通过，赔付金额{amount}元，预计3个工作日到账，请注意查收。",
        ],
        tags: &["理赔"],
    },
    // 18. monthly statement and invoice (business shippers)
    Scenario {
        intent: Category::Invoice,
        w_person: 0,
        w_company: 7,
        channels: [25, 0, 60, 0, 0, 15],
        waybill: Waybill::No,
        local: Local::Nowhere,
        flow: Flow::Work,
        paired: false,
        dept: Some("finance"),
        subjects: &[
            "{month}月月结对账及开票",
            "月结对账开发票",
            "申请开具{month}月增值税专用发票",
        ],
        told: &[
            "{customer}财务来电，要求核对{month}月月结账单共{count}票，金额{amount}元，并开具增值税专用发票。",
        ],
        written: &[
            "您好，我司{month}月月结账单共{count}票，金额{amount}元，请核对后开具增值税专用发票，开票信息见附件。",
        ],
        replies: &["您好，已收到您的对账需求，已提交财务部核对，预计2个工作日内回复。"],
        asks: &["麻烦提供一下贵司的开票信息（税号、开户行及账号）。"],
        answers: &["开票信息已发到邮箱，请查收。"],
        handoffs: &[
            "请财务核对{customer}{month}月账单（{count}票，{amount}元）并开具专票，客户要求本月10号前收到。",
        ],
        dept_answers: &["账单已核对无误，专票已开具，电子版已发送至客户邮箱，纸质票今天寄出。"],
        chases: &["发票什么时候能开好？我们月底要做账。"],
        resolutions: &["您好，{month}月账单已核对完毕，发票已开具并寄出，请注意查收。"],
        tags: &["对账", "开票"],
    },
    // 18b. a statement that does not add up
    Scenario {
        intent: Category::Invoice,
        w_person: 0,
        w_company: 3,
        channels: [30, 0, 60, 0, 0, 10],
        waybill: Waybill::No,
        local: Local::Nowhere,
        flow: Flow::Work,
        paired: false,
        dept: Some("finance"),
        subjects: &["{month}月对账单金额有出入", "月结账单重复计费"],
        told: &[
            "{customer}财务来电，称{month}月对账单有几票重复计费，与其系统金额差了{diff}元，要求重新核对。",
        ],
        written: &[
            "{month}月对账单里有几票重复计费，金额和我们系统对不上，差了{diff}元，麻烦重新核对一下。",
        ],
        replies: &["您好，已收到，已提交财务部逐票核对，核对后会把更新的对账单发给您。"],
        asks: &["麻烦把贵司系统导出的明细发给我们，方便逐票核对。"],
        answers: &["明细已经发到邮箱了。"],
        handoffs: &[
            "{customer}反映{month}月账单重复计费，差额{diff}元，请财务逐票核对并出具新对账单。",
        ],
        dept_answers: &[
            "经核对，有3票重复计费，已调整，更新后的对账单已发客户。",
            "经核对账单无误，差额为客户系统漏记的5票退回件运费，明细已发客户。",
        ],
        chases: &["对账的事什么时候能给结果？"],
        resolutions: &[
            "您好，重复计费的3票已调整，新的对账单已发您邮箱，请核对。",
            "您好，经逐票核对，差额为5票退回件的运费，明细已发您邮箱，请核对。",
        ],
        tags: &["对账"],
    },
    // 19. invoice for a single shipment
    Scenario {
        intent: Category::Invoice,
        w_person: 2,
        w_company: 1,
        channels: [30, 30, 20, 10, 10, 0],
        waybill: Waybill::Yes,
        local: Local::Nowhere,
        flow: Flow::Quick,
        paired: false,
        dept: None,
        subjects: &["寄件能开发票吗", "申请电子发票"],
        told: &["客户{date}寄件单号{wb}，需要开具电子发票，抬头为个人。"],
        written: &["{date}寄的件，单号{wb}，需要开个电子发票，怎么开？"],
        replies: &["您好，电子发票已为您开具并发送到预留邮箱，也可以在小程序“我的-发票”中下载。"],
        asks: &[],
        answers: &[],
        handoffs: &[],
        dept_answers: &[],
        chases: &[],
        resolutions: &[],
        tags: &[],
    },
    // 20. praise and suggestions
    Scenario {
        intent: Category::Suggestion,
        w_person: 3,
        w_company: 1,
        channels: [40, 15, 10, 25, 10, 0],
        waybill: Waybill::No,
        local: Local::Nowhere,
        flow: Flow::Quick,
        paired: true,
        dept: None,
        subjects: &[
            "表扬快递员{courier}",
            "建议增加晚间派送时段",
            "建议你们改进一下取件通知",
        ],
        told: &[
            "客户来电表扬{outlet}快递员{courier}：下雨天主动把包裹送到家门口，还帮忙把旧纸箱带走，服务非常好。",
            "客户建议增加晚上7点到9点的派送时段，上班族白天不在家。",
            "客户建议取件通知短信写明快递柜位置和格口号，现在每次都要找半天。",
        ],
        written: &[
            "想表扬一下快递员{courier}，每次都很准时，态度也好，下雨天还帮我把东西送到门口。",
            "建议你们增加晚上的派送时段，白天上班根本不在家。",
            "建议取件短信里写清楚放在哪个柜子，每次都要找半天。",
        ],
        replies: &[
            "您好，非常感谢您的表扬，我们会转达给网点并给予快递员奖励。",
            "您好，感谢您的建议，已反馈给运营部门评估，后续如有调整会通过公众号通知。",
            "您好，感谢您的建议，已反馈给产品部门优化取件通知内容。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[],
        dept_answers: &[],
        chases: &[],
        resolutions: &[],
        tags: &[],
    },
    // 21. app / mini program problems
    Scenario {
        intent: Category::Technical,
        w_person: 3,
        w_company: 2,
        channels: [20, 40, 10, 10, 20, 0],
        waybill: Waybill::No,
        local: Local::Nowhere,
        flow: Flow::Work,
        paired: true,
        dept: Some("ops"),
        subjects: &[
            "小程序下单页面打不开",
            "APP登录不了",
            "网站查件报错",
            "电子面单打印不出来",
        ],
        told: &[
            "客户反映用小程序下单时，填完地址点提交一直转圈，提示“系统繁忙”，试了好几次都不行。手机型号{model}。",
            "客户反映APP登录不了，收到验证码输入后一直提示错误，手机型号{model}。",
            "客户反映官网查件页面输入单号后显示“服务异常”。",
            "月结客户反映后台电子面单打印不出来，点打印没有反应，影响今天发货。",
        ],
        written: &[
            "小程序下单页面打不开，填完地址一提交就转圈，手机是{model}。",
            "你们的APP登录不了，一直提示验证码错误，手机是{model}。",
            "网站查件页面报错，输入单号就显示“服务异常”。",
            "月结客户后台的电子面单打印不出来了，点打印没反应，今天的货都发不了。",
        ],
        replies: &[
            "您好，感谢反馈，已提交技术部门排查，有进展会第一时间通知您，给您带来不便非常抱歉。",
        ],
        asks: &["麻烦您截个图发给我们，并告诉我们大概的操作时间。"],
        answers: &["截图发过去了，大概是上午10点左右。"],
        handoffs: &[
            "请运营部协调技术排查：客户反映下单或查件功能异常，客户手机型号{model}，已附截图。",
        ],
        dept_answers: &[
            "技术已定位为版本兼容问题，已发布修复，请客户更新后重试。",
            "系统已恢复，原因是接口超时，已扩容。",
        ],
        chases: &["还是用不了，什么时候能修好？"],
        resolutions: &[
            "您好，技术同事已修复该问题，请您更新到最新版本后重试，如仍有问题随时联系我们。",
        ],
        tags: &["系统问题"],
    },
    // 22. returns for online shops
    Scenario {
        intent: Category::AfterSales,
        w_person: 3,
        w_company: 2,
        channels: [30, 30, 5, 15, 10, 10],
        waybill: Waybill::Yes,
        local: Local::Nowhere,
        flow: Flow::Quick,
        paired: true,
        dept: None,
        subjects: &["退货件商家还没签收", "退货运费谁来付"],
        told: &[
            "客户在网店买的{item}申请了退货，退货单号{wb}，商家说退货件还没签收，退款一直不处理。",
            "客户咨询退货{item}用我司寄回，运费由谁承担，能否到付。",
        ],
        written: &[
            "我的退货单号{wb}，商家说还没签收，不给我退款，能帮我看看退货件到哪了吗？",
            "退货用你们寄的，运费是我付还是商家付？",
        ],
        replies: &[
            "您好，查询到您的退货件已于今天到达商家所在城市，正在派送，您可以告知商家留意签收。",
            "您好，退货运费由您和商家约定，如果商家同意承担，可以选择到付。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[],
        dept_answers: &[],
        chases: &[],
        resolutions: &[],
        tags: &["退货"],
    },
    // 23. missed pickup
    Scenario {
        intent: Category::Complaint,
        w_person: 2,
        w_company: 2,
        channels: [55, 20, 0, 20, 5, 0],
        waybill: Waybill::No,
        local: Local::Origin,
        flow: Flow::Work,
        paired: false,
        dept: Some("outlet"),
        subjects: &["预约取件没人来", "约好的上门取件一直没人来"],
        told: &[
            "客户预约了{when}上门取件，一直等到现在也没有人来，打取件员电话不接，客户很不满。地址{addr}。",
        ],
        written: &["约了{when}上门取件，等了半天没人来，打电话也不接，太耽误事了！地址{addr}。"],
        replies: &[
            "您好，非常抱歉耽误您的时间，已联系网点立即安排人员上门，并会核实未按约定取件的原因。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &["客户预约取件未上门，请网点立即安排揽收并回复原因。地址{addr}。"],
        dept_answers: &["业务员车辆故障没能按时到，已改派{courier}一小时内上门，已电话致歉。"],
        chases: &["又过了一个小时，人还是没来。"],
        resolutions: &[
            "您好，取件员已上门揽收，对之前未按约定时间上门再次致歉，我们已对网点进行考核。",
        ],
        tags: &["取件超时"],
    },
    // 24. sent to the wrong city
    Scenario {
        intent: Category::Delay,
        w_person: 2,
        w_company: 2,
        channels: DEFAULT_CHANNELS,
        waybill: Waybill::Yes,
        local: Local::Nowhere,
        flow: Flow::Work,
        paired: false,
        dept: Some("hub"),
        subjects: &["快递被发错城市了", "物流显示到了{wrong}，我寄的是{dest}"],
        told: &["客户的快件{wb}应寄往{dest}，物流却显示到了{wrong}，客户担心耽误时间。"],
        written: &["我寄的是{dest}，为什么物流显示到了{wrong}？单号{wb}，里面是{item}。"],
        replies: &[
            "您好，非常抱歉，您的快件在分拣时被错发到{wrong}，我们已安排返回并优先发往{dest}。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &["{wb}错分到{wrong}，请分拨中心尽快返回并优先发往{dest}，查明错分原因。"],
        dept_answers: &["已从{wrong}返回，今晚发往{dest}。错分原因是分拣口标签贴错，已整改。"],
        chases: &["到底什么时候能到？"],
        resolutions: &[
            "您好，您的快件已从{wrong}返回并发往{dest}，预计{eta}送达，给您带来的延误深表歉意。",
        ],
        tags: &["错分"],
    },
    // 25. fee dispute
    Scenario {
        intent: Category::Complaint,
        w_person: 2,
        w_company: 1,
        channels: [55, 20, 5, 15, 5, 0],
        waybill: Waybill::Yes,
        local: Local::Origin,
        flow: Flow::Work,
        paired: false,
        dept: Some("finance"),
        subjects: &["运费多收了", "到付费用和说好的不一样"],
        told: &[
            "客户反映单号{wb}取件时业务员收了{amount}元，比客服报价多出一倍，客户不满，要求退还差价。",
        ],
        written: &[
            "单号{wb}，打电话问的时候说{first}元，结果业务员收了我{amount}元，太坑了，我要投诉。",
        ],
        replies: &["您好，已收到您的反馈，我们会核实计费重量和收费明细，如多收会为您退还差价。"],
        asks: &["麻烦您提供一下付款截图。"],
        answers: &["截图已经发给你们了。"],
        handoffs: &["请财务核实{wb}的计费明细，客户反映多收运费，如属实请办理退款。"],
        dept_answers: &["核实为业务员按体积重计费有误，多收部分已原路退回。"],
        chases: &["差价什么时候退给我？"],
        resolutions: &[
            "您好，经核实确实多收了运费，差价已原路退回，请注意查收，给您带来不便非常抱歉。",
        ],
        tags: &["运费争议"],
    },
    // 26. outlet hours and addresses
    Scenario {
        intent: Category::Inquiry,
        w_person: 3,
        w_company: 0,
        channels: [45, 30, 0, 25, 0, 0],
        waybill: Waybill::No,
        local: Local::Nowhere,
        flow: Flow::Quick,
        paired: false,
        dept: None,
        subjects: &["网点营业时间", "最近的网点在哪", "周末网点开门吗"],
        told: &["客户咨询{outlet}的营业时间和地址。"],
        written: &[
            "请问{outlet}几点关门？周末营业吗？",
            "离{road}最近的网点地址在哪？",
        ],
        replies: &[
            "您好，{outlet}营业时间为每天8:30至19:00，周末正常营业，地址在{road}附近，也可以在小程序“网点查询”中查看。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[],
        dept_answers: &[],
        chases: &[],
        resolutions: &[],
        tags: &[],
    },
    // 27. other
    Scenario {
        intent: Category::Other,
        w_person: 2,
        w_company: 0,
        channels: [70, 20, 0, 10, 0, 0],
        waybill: Waybill::No,
        local: Local::Nowhere,
        flow: Flow::Quick,
        paired: true,
        dept: None,
        subjects: &["咨询招聘派送员", "打错电话", "无效来电"],
        told: &[
            "来电人询问是否招聘派送员，已告知人事招聘渠道。",
            "来电人本想打给其他公司，已礼貌说明。",
            "来电接通后无声，按规范提示两次后挂机。",
        ],
        written: &["你们招派送员吗？", "不好意思，发错了。", "你好"],
        replies: &[
            "您好，感谢您的关注，派送员招聘可以关注公众号“加入我们”栏目，或到就近网点咨询。",
            "没关系，祝您生活愉快！",
            "您好，请问有什么可以帮您？",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[],
        dept_answers: &[],
        chases: &[],
        resolutions: &[],
        tags: &[],
    },
    // 28. key account exception report
    Scenario {
        intent: Category::Delay,
        w_person: 0,
        w_company: 5,
        channels: [30, 0, 55, 0, 0, 15],
        waybill: Waybill::Yes,
        local: Local::Nowhere,
        flow: Flow::Work,
        paired: false,
        dept: Some("ops"),
        subjects: &[
            "大客户：{count}票货未按时到达",
            "{date}发往{dest}的货超时未到，要求异常说明",
        ],
        told: &[
            "{customer}反映{date}发往{dest}的{count}票货件中有{late}票超时未到（其中一票{wb}），影响店铺评分，要求出具异常说明。",
        ],
        written: &[
            "贵司承运的{date}发往{dest}的{count}票货中有{late}票超时，包括{wb}，已影响我司店铺评分，请于2个工作日内出具异常说明及改进措施。",
        ],
        replies: &[
            "您好，已收到贵司反馈，我们已安排运营部逐票核查，会在2个工作日内提供异常说明及改进措施。",
        ],
        asks: &[],
        answers: &[],
        handoffs: &[
            "大客户异常：{customer}{date}发往{dest}有{late}票超时，请运营部逐票核查原因，2个工作日内出具异常反馈单。",
        ],
        dept_answers: &[
            "已核查：{reason}导致{hub}积压，超时件已全部送达。已调整线路，后续每日10:30报送在途情况。",
        ],
        chases: &["异常说明什么时候能给到？我们要向平台申诉。"],
        resolutions: &[
            "您好，异常反馈单已发送至贵司邮箱，超时原因为{reason}，我们已调整线路并每日报送在途情况，感谢贵司的理解与支持。",
        ],
        tags: &["大客户", "异常反馈"],
    },
    // 29. wet parcel
    Scenario {
        intent: Category::Damaged,
        w_person: 2,
        w_company: 2,
        channels: DEFAULT_CHANNELS,
        waybill: Waybill::Yes,
        local: Local::Destination,
        flow: Flow::Work,
        paired: false,
        dept: Some("outlet"),
        subjects: &["快递被雨淋湿了", "包裹受潮，里面的{item}湿了"],
        told: &["客户反映今天收到的快件{wb}纸箱全湿了，里面的{item}受潮，派件员说是路上下雨。"],
        written: &["快递{wb}送来的时候箱子全是湿的，{item}都受潮了，怎么处理？"],
        replies: &["您好，非常抱歉，已登记您的问题，会联系网点核实并给您处理方案。"],
        asks: &["麻烦您拍一下包裹和物品受潮的照片发给我们。"],
        answers: &["照片发了。"],
        handoffs: &["{wb}雨天派送受潮，请网点核实是否未做防雨措施，并与客户协商赔付。"],
        dept_answers: &["派件电动车防雨罩破了，已更换，同意按{amount}元赔付。"],
        chases: &["处理得怎么样了？"],
        resolutions: &["您好，网点已同意按{amount}元为您赔付，并已加强雨天防护措施，再次致歉。"],
        tags: &["受潮"],
    },
];

const THANKS: &[&str] = &[
    "好的，谢谢。",
    "收到了，谢谢你们。",
    "行，知道了。",
    "问题解决了，谢谢客服。",
    "好的，辛苦了。",
];
const GENERIC_ASKS: &[&str] = &[
    "麻烦您提供一下运单号或寄件人手机号，方便我们为您查询。",
    "为了尽快处理，请您补充一下收件人姓名、电话和详细地址。",
];
const GENERIC_ANSWERS: &[&str] = &["信息已经补充了，麻烦尽快处理。", "好的，已发给你们了。"];
const GENERIC_CHASES: &[&str] = &["都过去一天了，怎么还没有消息？", "麻烦快点处理，我很着急。"];
/// Reopening: reason, what the customer said, the reply, the new answer.
const REOPENINGS: &[[&str; 4]] = &[
    [
        "客户来电反映问题仍未解决",
        "你们说已经处理好了，可是问题根本没解决！",
        "您好，非常抱歉之前的处理没有让您满意，已重新为您跟进，今天内给您答复。",
        "您好，您反映的问题已重新处理完毕，如还有任何疑问请随时联系我们。",
    ],
    [
        "客户对处理结果不满意，要求重新处理",
        "这个处理结果我不接受，要求重新处理。",
        "您好，已将您的意见上报主管重新评估，会在24小时内给您新的处理方案。",
        "您好，主管已与您沟通并确认新的处理方案，感谢您的耐心，我们会避免类似问题再次发生。",
    ],
    [
        "客户称网点未按承诺执行",
        "说好的今天给我回复，到现在都没有消息。",
        "您好，已重新核实，问题出在网点未按承诺执行，已督促今天处理完毕，给您添麻烦了。",
        "您好，网点已按承诺处理完毕，对之前的延误再次向您致歉。",
    ],
];
/// Reopening after a payout that did not arrive.
const REOPENING_PAYOUT: [&str; 4] = [
    "赔付款未到账，客户再次来电",
    "说好的赔付到现在还没到账。",
    "您好，非常抱歉，已催促财务加急处理，今天内打款，请注意查收。",
    "您好，赔付款已打出，一般1至3个工作日到账，请注意查收。",
];
const SURVEYS: &[&str] = &[
    "回访：客户对处理结果表示满意（5分）。",
    "回访：客户表示基本满意（4分），希望时效再快一些。",
    "回访：客户未接电话，已发送满意度短信。",
    "回访：客户评价一般（3分），认为处理时间较长。",
];
const ESCALATION_NOTES: &[&str] = &[
    "客户情绪激动，有升级投诉风险，已提升优先级，请2小时内给出处理结果。",
    "已升级：客户提到12305，由主管跟进督办。",
];
const OVERDUE_NOTES: &[&str] = &[
    "【催办】{dept}已超时未回复，请今天内处理并回复。",
    "{dept}回复已超时，客户多次来电，请尽快处理。",
];
const CLOSE_NOTES: &[&str] = &["客户确认无异议，结案。", "已超过3天无异议，按规定结案。"];

// ---- the plan ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct CustomerPlan {
    created_at: Timestamp,
    creator: usize,
    draft: CustomerDraft,
    grade: i64,
    company: bool,
    wechat: bool,
    /// The agent who looks after this account (key accounts have one).
    agent: Option<usize>,
    surname: String,
}

#[derive(Debug, Clone)]
enum CustomerRef {
    Known(usize),
    Inline(CustomerDraft),
}

#[derive(Debug, Clone)]
enum Action {
    Patch(CasePatch),
    Message(MessageDraft),
    /// The customer answers the satisfaction survey (by its link).
    Rate(kefu_model::survey::AnswerDraft),
    /// A supervisor records what came of a poor answer's follow-up.
    FollowUp(kefu_model::survey::FollowUpOutcome, String),
}

#[derive(Debug, Clone)]
struct Step {
    at: Timestamp,
    who: usize,
    action: Action,
}

#[derive(Debug, Clone)]
struct CasePlan {
    created_at: Timestamp,
    creator: usize,
    customer: CustomerRef,
    draft: CaseDraft,
    steps: Vec<Step>,
}

#[derive(Debug, Clone)]
struct World {
    setup_at: Timestamp,
    customers: Vec<CustomerPlan>,
    cases: Vec<CasePlan>,
}

fn plus_secs(t: Timestamp, secs: i64) -> Timestamp {
    t.saturating_add(SignedDuration::from_secs(secs))
        .unwrap_or(t)
}

fn plus_mins(t: Timestamp, mins: i64) -> Timestamp {
    plus_secs(t, mins * 60)
}

fn hour_of(t: Timestamp, tz: &TimeZone) -> i8 {
    t.to_zoned_datetime(tz.clone()).hour()
}

/// `t`'s local date at the given local time; `t` itself if that does not exist.
fn local_at(t: Timestamp, tz: &TimeZone, hour: i8, minute: i8, second: i8) -> Timestamp {
    t.to_zoned_datetime(tz.clone())
        .date()
        .at(hour, minute, second, 0)
        .to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp())
        .unwrap_or(t)
}

/// "3月2日"
fn month_day(t: Timestamp, tz: &TimeZone) -> String {
    let z = t.to_zoned_datetime(tz.clone());
    format!("{}月{}日", z.month(), z.day())
}

fn one(rng: &mut StdRng, list: &[&'static str]) -> &'static str {
    list.choose(rng).copied().unwrap_or("")
}

/// The entry for a story's variant, or any entry when the list's entries are interchangeable.
fn variant_of(rng: &mut StdRng, list: &[&'static str], variant: Option<usize>) -> &'static str {
    match variant {
        Some(v) if !list.is_empty() => list.get(v % list.len()).copied().unwrap_or(""),
        _ => one(rng, list),
    }
}

fn weighted(rng: &mut StdRng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut x = rng.gen_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len().saturating_sub(1)
}

fn digits(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// Four equal digits in a row, or a straight run, look made up: skip them.
fn looks_special(number: &str) -> bool {
    let b = number.as_bytes();
    b.windows(4).any(|w| w.iter().all(|c| *c == w[0]))
        || b.windows(5).any(|w| w.windows(2).all(|p| p[1] == p[0] + 1))
}

fn new_mobile(rng: &mut StdRng, used: &mut HashSet<String>) -> String {
    loop {
        let number = format!("{}{}", one(rng, MOBILE_PREFIXES), digits(rng, 8));
        if !looks_special(&number[3..]) && used.insert(number.clone()) {
            return number;
        }
    }
}

fn new_landline(rng: &mut StdRng, area: &str, used: &mut HashSet<String>) -> String {
    let len = if area.len() == 3 { 8 } else { 7 };
    loop {
        let local = format!("{}{}", rng.gen_range(2..9u8), digits(rng, len - 1));
        let number = format!("{area}{local}");
        if !looks_special(&local) && used.insert(number.clone()) {
            return format!("{area}-{local}");
        }
    }
}

fn new_openid(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::from("o");
    for _ in 0..27 {
        s.push(char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]));
    }
    s
}

/// `YL` + 13 digits, the last the Luhn check digit of the 12 before it (the demo operator's
/// format), so the recogniser knows them as ours.
fn new_waybill(rng: &mut StdRng) -> String {
    let raw = format!("{}{}", rng.gen_range(1..10u8), digits(rng, 12));
    let body: Vec<u32> = raw
        .chars()
        .take(12)
        .filter_map(|c| c.to_digit(10))
        .collect();
    format!("YL{}{}", &raw[..12], kefu_model::waybill::luhn_digit(&body))
}

fn agent_index(rng: &mut StdRng) -> usize {
    FIRST_AGENT + rng.gen_range(0..AGENTS)
}

fn username(who: usize) -> String {
    STAFF
        .get(who)
        .map(|s| s.username)
        .unwrap_or("supervisor")
        .to_string()
}

fn plan_customers(
    rng: &mut StdRng,
    now: Timestamp,
    phones: &mut HashSet<String>,
    emails: &mut HashSet<String>,
) -> Vec<CustomerPlan> {
    let mut out = Vec::with_capacity(KNOWN_CUSTOMERS);
    for i in 0..KNOWN_CUSTOMERS {
        let created_at = plus_mins(now, -rng.gen_range((HISTORY_DAYS + 2) * 1440..=400 * 1440));
        let creator = agent_index(rng);
        if let Some((name, handle, area, tags)) = COMPANIES.get(i) {
            let grade = if i < 6 { 1 } else { 2 };
            let mobile = new_mobile(rng, phones);
            let landline = new_landline(rng, area, phones);
            let email = format!(
                "{}{}@{}",
                one(rng, &["caiwu.", "kf.", "wuliu."]),
                handle,
                one(rng, &["163.com", "126.com"])
            );
            emails.insert(email.clone());
            let (surname, _) = SURNAMES.choose(rng).copied().unwrap_or(("王", "wang"));
            out.push(CustomerPlan {
                created_at,
                creator,
                draft: CustomerDraft {
                    name: Some((*name).to_string()),
                    phone: Some(mobile),
                    phones: vec![landline],
                    email: Some(email),
                    grade: Some(grade),
                    tags: tags.iter().map(|t| (*t).to_string()).collect(),
                    ..CustomerDraft::default()
                },
                grade,
                company: true,
                wechat: false,
                agent: Some(FIRST_AGENT + i % AGENTS),
                surname: surname.to_string(),
            });
            continue;
        }
        let (surname, surname_py) = SURNAMES.choose(rng).copied().unwrap_or(("王", "wang"));
        let (given, given_py) = GIVEN_NAMES.choose(rng).copied().unwrap_or(("伟", "wei"));
        let phone = new_mobile(rng, phones);
        let roll: f64 = rng.r#gen();
        let grade = if roll < 0.04 {
            2
        } else if roll < 0.82 {
            3
        } else if roll < 0.95 {
            4
        } else {
            5
        };
        let mut tags = Vec::new();
        if grade == 2 || rng.gen_bool(0.1) {
            tags.push("电商卖家".to_string());
        }
        if grade == 2 || rng.gen_bool(0.04) {
            tags.push("VIP".to_string());
        }
        if grade == 2 && rng.gen_bool(0.5) {
            tags.push("月结客户".to_string());
        }
        let email = if rng.gen_bool(0.3) {
            loop {
                let candidate = if rng.gen_bool(0.55) {
                    let n = if rng.gen_bool(0.6) {
                        rng.gen_range(2..5)
                    } else {
                        0
                    };
                    let suffix = digits(rng, n);
                    format!("{surname_py}{given_py}{suffix}@{}", one(rng, MAIL_DOMAINS))
                } else {
                    let lead = rng.gen_range(1..10u8);
                    let n = rng.gen_range(5..10);
                    format!("{lead}{}@qq.com", digits(rng, n))
                };
                if emails.insert(candidate.clone()) {
                    break Some(candidate);
                }
            }
        } else {
            None
        };
        let wechat = rng.gen_bool(0.15);
        let external_ids = if wechat {
            vec![ExternalId {
                kind: "wechat".to_string(),
                value: new_openid(rng),
            }]
        } else {
            vec![]
        };
        out.push(CustomerPlan {
            created_at,
            creator,
            draft: CustomerDraft {
                name: Some(format!("{surname}{given}")),
                phone: Some(phone),
                email,
                external_ids,
                grade: Some(grade),
                tags,
                ..CustomerDraft::default()
            },
            grade,
            company: false,
            wechat,
            agent: None,
            surname: surname.to_string(),
        });
    }
    out
}

/// When contacts arrive: more lately, fewer at weekends, a rush after a promotion.
fn received_times(rng: &mut StdRng, tz: &TimeZone, now: Timestamp) -> Vec<Timestamp> {
    const HOURS: [u32; 24] = [
        1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 7, 7, 9, 10, 9, 8, 7, 6, 5, 4, 3, 2,
    ];
    let day_weights: Vec<u32> = (0..HISTORY_DAYS)
        .map(|d| {
            let day = plus_mins(now, -d * 1440);
            let weekday = day
                .to_zoned_datetime(tz.clone())
                .weekday()
                .to_monday_zero_offset();
            let mut w = 100 + (HISTORY_DAYS - d) as u32;
            if weekday >= 5 {
                w = w * 3 / 4;
            }
            if (38..=44).contains(&d) {
                w = w * 17 / 10;
            }
            w
        })
        .collect();
    let mut times = Vec::with_capacity(CASES);
    // Make sure the window is used from end to end.
    let edges = [HISTORY_DAYS - 1, 0];
    for i in 0..CASES {
        let mut at = None;
        for _ in 0..50 {
            let d = match edges.get(i) {
                Some(d) => *d,
                None => weighted(rng, &day_weights) as i64,
            };
            let day = plus_mins(now, -d * 1440);
            let hour = weighted(rng, &HOURS) as i8;
            let t = local_at(day, tz, hour, rng.gen_range(0..60), rng.gen_range(0..60));
            if t < plus_mins(now, -2) && t > plus_mins(now, -HISTORY_DAYS * 1440) {
                at = Some(t);
                break;
            }
        }
        times.push(at.unwrap_or_else(|| plus_mins(now, -rng.gen_range(3..600))));
    }
    times.sort();
    times
}

/// Where a case stops developing, whatever the clock says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    New,
    Open,
    PendingCustomer,
    PendingDepartment,
    Resolved,
    Never,
}

fn choose_stop(rng: &mut StdRng, age_hours: i64) -> Stop {
    let r: f64 = rng.r#gen();
    let table: &[(f64, Stop)] = if age_hours < 3 {
        &[(0.55, Stop::New), (0.85, Stop::Open)]
    } else if age_hours < 48 {
        &[
            (0.30, Stop::New),
            (0.62, Stop::Open),
            (0.72, Stop::PendingCustomer),
            (0.84, Stop::PendingDepartment),
        ]
    } else if age_hours < 24 * 7 {
        &[
            (0.05, Stop::Open),
            (0.12, Stop::PendingCustomer),
            (0.24, Stop::PendingDepartment),
            (0.28, Stop::Resolved),
        ]
    } else {
        &[
            (0.01, Stop::Open),
            (0.035, Stop::PendingCustomer),
            (0.07, Stop::PendingDepartment),
            (0.10, Stop::Resolved),
        ]
    };
    table
        .iter()
        .find(|(p, _)| r < *p)
        .map(|(_, s)| *s)
        .unwrap_or(Stop::Never)
}

/// Values for a case's placeholders.
struct Ctx {
    vars: Vec<(&'static str, String)>,
}

impl Ctx {
    fn fill(&self, template: &str) -> String {
        let mut s = template.to_string();
        for (key, value) in &self.vars {
            if s.contains(key) {
                s = s.replace(key, value);
            }
        }
        s
    }

    fn get(&self, key: &str) -> &str {
        self.vars
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

fn pudong_address(rng: &mut StdRng) -> String {
    format!(
        "浦东新区{}{}弄{}号{}0{}室",
        one(rng, ROADS),
        rng.gen_range(1..900),
        rng.gen_range(1..40),
        rng.gen_range(1..20),
        rng.gen_range(1..5)
    )
}

fn context(
    rng: &mut StdRng,
    tz: &TimeZone,
    sc: &Scenario,
    received: Timestamp,
    customer_name: &str,
    surname: &str,
    tail: &str,
) -> Ctx {
    let city = one(rng, CITIES);
    let mut dest = one(rng, CITIES);
    if dest == city {
        dest = "北京";
    }
    let (city, dest) = match sc.local {
        Local::Nowhere => (city.to_string(), dest.to_string()),
        Local::Destination => (city.to_string(), "上海浦东".to_string()),
        Local::Origin => ("上海浦东".to_string(), dest.to_string()),
    };
    let mut wrong = one(rng, CITIES).to_string();
    if wrong == dest {
        wrong = "合肥".to_string();
    }
    let days = rng.gen_range(2..7i64);
    let pieces = rng.gen_range(2..6i64);
    let weight = if sc.intent == Category::Pickup {
        pieces * rng.gen_range(3..9i64)
    } else {
        rng.gen_range(1..30i64)
    };
    let first = rng.gen_range(10..23i64);
    let extra = rng.gen_range(3..13i64);
    let amount = match sc.intent {
        Category::Invoice => rng.gen_range(8_000..180_000i64),
        Category::Pickup | Category::Inquiry => first + extra * (weight - 1),
        Category::Complaint => rng.gen_range(20..300i64),
        _ => rng.gen_range(3..200i64) * 10,
    };
    let sent = plus_mins(received, -days * 1440);
    let month = {
        let z = received.to_zoned_datetime(tz.clone());
        if z.month() == 1 { 12 } else { z.month() - 1 }
    };
    let count = rng.gen_range(120..2400i64);
    let vars = vec![
        ("{wb}", new_waybill(rng)),
        (
            "{other}",
            format!("SF{}{}", rng.gen_range(1..10u8), digits(rng, 11)),
        ),
        ("{city}", city),
        ("{dest}", dest.clone()),
        ("{wrong}", wrong),
        ("{far}", one(rng, FAR_PLACES).to_string()),
        ("{hub}", hub_for(&dest).to_string()),
        ("{outlet}", one(rng, OUTLETS).to_string()),
        ("{road}", one(rng, ROADS).to_string()),
        ("{item}", one(rng, ITEMS).to_string()),
        ("{fragile}", one(rng, FRAGILE).to_string()),
        ("{battery}", one(rng, BATTERIES).to_string()),
        ("{model}", one(rng, PHONE_MODELS).to_string()),
        ("{courier}", one(rng, COURIERS).to_string()),
        ("{reason}", one(rng, REASONS).to_string()),
        ("{eta}", one(rng, ETAS).to_string()),
        ("{place}", one(rng, PLACES).to_string()),
        ("{when}", one(rng, PICKUP_TIMES).to_string()),
        ("{addr}", pudong_address(rng)),
        ("{addr2}", pudong_address(rng)),
        ("{days}", days.to_string()),
        (
            "{days_cn}",
            ["两", "三", "四", "五", "六"]
                .get(days as usize - 2)
                .copied()
                .unwrap_or("三")
                .to_string(),
        ),
        ("{diff}", (rng.gen_range(30..900i64) * 10).to_string()),
        ("{weight}", weight.to_string()),
        ("{pieces}", pieces.to_string()),
        ("{first}", first.to_string()),
        ("{extra}", extra.to_string()),
        ("{amount}", amount.to_string()),
        ("{transit}", rng.gen_range(2..6i64).to_string()),
        ("{date}", month_day(sent, tz)),
        ("{month}", month.to_string()),
        ("{count}", count.to_string()),
        ("{late}", rng.gen_range(3..40i64).to_string()),
        ("{customer}", customer_name.to_string()),
        ("{surname}", surname.to_string()),
        ("{tail}", tail.to_string()),
        ("{ticket}", digits(rng, 6)),
    ];
    Ctx { vars }
}

/// A case's history being written, with the status it will have, stopping at `now`.
struct Story<'r> {
    rng: &'r mut StdRng,
    tz: TimeZone,
    now: Timestamp,
    t: Timestamp,
    status: Status,
    priority: Priority,
    tags: Vec<String>,
    steps: Vec<Step>,
    live: bool,
}

impl Story<'_> {
    fn wait(&mut self, min_mins: i64, max_mins: i64) {
        let secs = self
            .rng
            .gen_range(min_mins * 60..=max_mins.max(min_mins) * 60);
        self.t = plus_secs(self.t, secs.max(1));
    }

    /// Moves to working hours (`start`..`end`, local) if outside them.
    fn office(&mut self, start: i8, end: i8) {
        let hour = hour_of(self.t, &self.tz);
        if hour >= end {
            let tomorrow = plus_mins(self.t, 1440);
            self.t = local_at(
                tomorrow,
                &self.tz,
                start,
                self.rng.gen_range(0..50),
                self.rng.gen_range(0..60),
            );
        } else if hour < start {
            self.t = local_at(
                self.t,
                &self.tz,
                start,
                self.rng.gen_range(0..50),
                self.rng.gen_range(0..60),
            );
        }
    }

    fn act(&mut self, who: usize, action: Action) -> bool {
        if !self.live || self.t > self.now {
            self.live = false;
            return false;
        }
        match &action {
            Action::Message(m) => {
                if self.status == Status::New
                    && m.visibility == Visibility::Public
                    && !m.from_customer
                {
                    self.status = Status::Open;
                }
            }
            Action::Patch(p) => {
                if let Some(s) = p.status {
                    self.status = s;
                }
                if let Some(pr) = p.priority {
                    self.priority = pr;
                }
                if let Some(tags) = &p.tags {
                    self.tags.clone_from(tags);
                }
            }
            Action::Rate(_) | Action::FollowUp(..) => {}
        }
        self.steps.push(Step {
            at: self.t,
            who,
            action,
        });
        // Two things never happen in the same second.
        self.t = plus_secs(self.t, 1);
        true
    }

    fn say(&mut self, who: usize, body: String) -> bool {
        self.act(
            who,
            Action::Message(MessageDraft {
                body,
                visibility: Visibility::Public,
                from_customer: false,
                call: false,
            }),
        )
    }

    fn note(&mut self, who: usize, body: String) -> bool {
        self.act(
            who,
            Action::Message(MessageDraft {
                body,
                visibility: Visibility::Internal,
                from_customer: false,
                call: false,
            }),
        )
    }

    /// What the customer said, relayed by staff; customers rarely write in the small hours.
    fn hear(&mut self, who: usize, body: String) -> bool {
        self.office(7, 23);
        self.act(
            who,
            Action::Message(MessageDraft {
                body,
                visibility: Visibility::Public,
                from_customer: true,
                call: false,
            }),
        )
    }

    fn status(&mut self, who: usize, to: Status) -> bool {
        self.act(
            who,
            Action::Patch(CasePatch {
                status: Some(to),
                ..CasePatch::default()
            }),
        )
    }
}

fn or_generic(
    list: &'static [&'static str],
    generic: &'static [&'static str],
) -> &'static [&'static str] {
    if list.is_empty() { generic } else { list }
}

/// The minutes until the first answer, by channel.
fn first_reply_delay(channel: Channel) -> (i64, i64, bool) {
    match channel {
        Channel::Phone => (1, 6, false),
        Channel::Chat => (0, 4, false),
        Channel::Wechat => (2, 40, false),
        Channel::Email => (20, 150, true),
        Channel::Web => (15, 240, true),
        Channel::Api => (10, 180, true),
    }
}

struct CaseInput<'a> {
    received: Timestamp,
    customers: &'a [CustomerPlan],
}

fn plan_case(
    rng: &mut StdRng,
    tz: &TimeZone,
    now: Timestamp,
    input: &CaseInput<'_>,
    weights: &[u32],
    phones: &mut HashSet<String>,
) -> CasePlan {
    let received = input.received;
    let customers = input.customers;
    // Who: mostly a known customer, sometimes a caller who only gives a name and a number.
    let inline_roll: f64 = rng.r#gen();
    let (customer, grade, company, wechat, key_agent, name, surname, tail) = if inline_roll < 0.09 {
        let (surname, _) = SURNAMES.choose(rng).copied().unwrap_or(("王", "wang"));
        let title = if rng.gen_bool(0.5) {
            "先生"
        } else {
            "女士"
        };
        let reuse = rng.gen_bool(0.4);
        let known = customers
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.company)
            .map(|(i, _)| i)
            .collect::<Vec<_>>();
        let existing = if reuse {
            known.choose(rng).and_then(|i| customers.get(*i))
        } else {
            None
        };
        match existing {
            Some(c) => {
                let phone = c.draft.phone.clone().unwrap_or_default();
                let tail = phone.chars().skip(7).collect::<String>();
                let draft = CustomerDraft {
                    name: Some(format!("{}{title}", c.surname)),
                    phone: Some(phone),
                    ..CustomerDraft::default()
                };
                (
                    CustomerRef::Inline(draft),
                    c.grade,
                    false,
                    c.wechat,
                    None,
                    format!("{}{title}", c.surname),
                    c.surname.clone(),
                    tail,
                )
            }
            None => {
                let phone = new_mobile(rng, phones);
                let tail = phone.chars().skip(7).collect::<String>();
                let name = format!("{surname}{title}");
                let draft = CustomerDraft {
                    name: Some(name.clone()),
                    phone: Some(phone),
                    ..CustomerDraft::default()
                };
                (
                    CustomerRef::Inline(draft),
                    3,
                    false,
                    false,
                    None,
                    name,
                    surname.to_string(),
                    tail,
                )
            }
        }
    } else {
        let cw: Vec<u32> = customers
            .iter()
            .enumerate()
            // Business shippers and a few regulars write often.
            .map(|(i, c)| if c.company || i % 9 == 0 { 4 } else { 1 })
            .collect();
        let i = weighted(rng, &cw);
        let c = customers.get(i);
        let phone = c.and_then(|c| c.draft.phone.clone()).unwrap_or_default();
        (
            CustomerRef::Known(i),
            c.map(|c| c.grade).unwrap_or(3),
            c.is_some_and(|c| c.company),
            c.is_some_and(|c| c.wechat),
            c.and_then(|c| c.agent),
            c.and_then(|c| c.draft.name.clone()).unwrap_or_default(),
            c.map(|c| c.surname.clone()).unwrap_or_default(),
            phone.chars().skip(7).collect::<String>(),
        )
    };
    let inline = matches!(customer, CustomerRef::Inline(_));

    // What about, and how it came in.
    let scenario_weights: Vec<u32> = SCENARIOS
        .iter()
        .zip(weights)
        .map(|(s, w)| if company { s.w_company } else { *w })
        .collect();
    let sc = SCENARIOS
        .get(weighted(rng, &scenario_weights))
        .unwrap_or(&SCENARIOS[0]);
    let mut channel = Channel::ALL
        .get(weighted(rng, &sc.channels))
        .copied()
        .unwrap_or(Channel::Phone);
    if wechat && rng.gen_bool(0.45) && sc.channels[3] > 0 {
        channel = Channel::Wechat;
    }
    if company && rng.gen_bool(0.3) {
        channel = if sc.channels[5] > 0 && rng.gen_bool(0.4) {
            Channel::Api
        } else {
            Channel::Email
        };
    }
    if inline && !matches!(channel, Channel::Phone | Channel::Chat | Channel::Web) {
        channel = Channel::Phone;
    }
    let ctx = context(rng, tz, sc, received, &name, &surname, &tail);
    let variants = sc
        .subjects
        .len()
        .max(sc.told.len())
        .max(sc.written.len())
        .max(1);
    let variant = sc.paired.then(|| rng.gen_range(0..variants));

    let subject = ctx.fill(variant_of(rng, sc.subjects, variant));
    let description = match channel {
        Channel::Phone => ctx.fill(variant_of(rng, sc.told, variant)),
        Channel::Api => format!(
            "【电商平台工单同步】{}",
            ctx.fill(variant_of(rng, sc.written, variant))
        ),
        _ => ctx.fill(variant_of(rng, sc.written, variant)),
    };
    let waybill_no = (sc.waybill == Waybill::Yes).then(|| ctx.get("{wb}").to_string());
    let mut tags: Vec<String> = Vec::new();
    if !sc.tags.is_empty() && rng.gen_bool(0.4) {
        tags.push(one(rng, sc.tags).to_string());
    }
    if grade <= 2 && rng.gen_bool(0.5) {
        tags.push("大客户".to_string());
    }
    tags.dedup();

    // Explicit classification sometimes; the complaint that came through the regulator always.
    let key_account = Grade::new(grade).is_ok_and(|g| g.is_key_account());
    let text = format!("{subject}\n{description}");
    let regulator = sc.tags.contains(&"邮政管理局");
    let roll: f64 = rng.r#gen();
    let (category, priority) = if regulator {
        (Some(Category::Complaint), Some(Priority::P1))
    } else if roll < 0.12 {
        (Some(sc.intent), None)
    } else if roll < 0.17 {
        let p = KeywordClassifier::base_priority(sc.intent);
        (
            Some(sc.intent),
            Some(if key_account { p.raised() } else { p }),
        )
    } else {
        (None, None)
    };
    let grade_value = Grade::new(grade).unwrap_or(Grade::DEFAULT);
    let guessed =
        category.unwrap_or_else(|| KeywordClassifier.classify(&text, grade_value).category);
    let predicted_priority =
        priority.unwrap_or_else(|| KeywordClassifier::priority_for(guessed, grade_value, &text));
    let recategorise = guessed != sc.intent && rng.gen_bool(0.8);

    // When the case was written down.
    let creation_delay = match channel {
        Channel::Phone => rng.gen_range(60..360),
        Channel::Chat | Channel::Wechat => rng.gen_range(5..120),
        Channel::Email => rng.gen_range(300..5400),
        Channel::Web | Channel::Api => rng.gen_range(0..30),
    };
    let created_at = plus_secs(received, creation_delay).min(now);
    let agent = key_agent.unwrap_or_else(|| agent_index(rng));

    let draft = CaseDraft {
        channel,
        subject,
        description,
        customer_id: None,
        customer: None,
        category,
        priority,
        waybill_no,
        tags: tags.clone(),
        received_at: Some(received),
    };

    let age_hours = now.duration_since(received).as_hours();
    let mut stop = choose_stop(rng, age_hours);
    if stop == Stop::PendingDepartment && sc.dept.is_none() {
        stop = Stop::PendingCustomer;
    }
    let mut story = Story {
        rng,
        tz: tz.clone(),
        now,
        t: created_at,
        status: Status::New,
        priority: predicted_priority,
        tags,
        steps: Vec::new(),
        live: true,
    };
    let how = How {
        agent,
        channel,
        stop,
        recategorise,
        variant,
    };
    tell(&mut story, sc, &ctx, &how);
    let steps = story.steps;
    CasePlan {
        created_at,
        creator: agent,
        customer,
        draft,
        steps,
    }
}

/// How a case is handled, decided with its contents.
struct How {
    agent: usize,
    channel: Channel,
    stop: Stop,
    recategorise: bool,
    variant: Option<usize>,
}

fn tell(s: &mut Story<'_>, sc: &Scenario, ctx: &Ctx, how: &How) {
    let How {
        agent,
        channel,
        stop,
        recategorise,
        variant,
    } = *how;
    // Triage: the agent takes it, or the supervisor hands it out.
    if stop == Stop::New && s.rng.gen_bool(0.4) {
        return;
    }
    let dispatched =
        matches!(channel, Channel::Email | Channel::Web | Channel::Api) && s.rng.gen_bool(0.5);
    let triager = if dispatched { SUPERVISOR } else { agent };
    if dispatched {
        s.wait(2, 60);
        s.office(8, 22);
    } else {
        s.wait(0, 2);
    }
    s.act(
        triager,
        Action::Patch(CasePatch {
            assignee: Some(Some(username(agent))),
            category: recategorise.then_some(sc.intent),
            ..CasePatch::default()
        }),
    );
    if stop == Stop::New {
        return;
    }

    // First answer.
    let (lo, hi, office) = first_reply_delay(channel);
    s.wait(lo, hi);
    if office {
        s.office(8, 22);
    }
    let reply = ctx.fill(variant_of(s.rng, sc.replies, variant));
    s.say(agent, reply.clone());
    let link_waybill = |s: &mut Story<'_>| {
        s.act(
            agent,
            Action::Patch(CasePatch {
                waybill_no: Some(ctx.get("{wb}").to_string()),
                ..CasePatch::default()
            }),
        )
    };
    let mut linked = false;
    if sc.waybill == Waybill::Later && sc.flow == Flow::Quick {
        linked = link_waybill(s);
    }
    if stop == Stop::Open {
        if s.rng.gen_bool(0.3) {
            s.wait(30, 600);
            let chase = ctx.fill(one(s.rng, or_generic(sc.chases, GENERIC_CHASES)));
            s.hear(agent, chase);
        }
        return;
    }

    let quick = sc.flow == Flow::Quick && stop != Stop::PendingCustomer;
    let mut resolution = reply;
    if !quick {
        // Information from the customer.
        let ask = stop == Stop::PendingCustomer || (!sc.asks.is_empty() && s.rng.gen_bool(0.45));
        let transfer =
            sc.dept.is_some() && (stop == Stop::PendingDepartment || s.rng.gen_bool(0.75));
        if ask {
            s.wait(2, 30);
            let text = ctx.fill(one(s.rng, or_generic(sc.asks, GENERIC_ASKS)));
            s.say(agent, text);
            s.status(agent, Status::PendingCustomer);
            if stop == Stop::PendingCustomer {
                return;
            }
            s.wait(60, 30 * 60);
            let answer = ctx.fill(one(s.rng, or_generic(sc.answers, GENERIC_ANSWERS)));
            s.hear(agent, answer);
            if !transfer {
                s.wait(5, 90);
                s.status(agent, Status::Open);
            }
        }
        if let (true, Some(dept)) = (transfer, sc.dept) {
            let staff = department_staff(dept);
            s.wait(3, 40);
            let handoff = ctx.fill(one(s.rng, sc.handoffs));
            s.note(agent, handoff);
            s.act(
                agent,
                Action::Patch(CasePatch {
                    department: Some(Some(dept.to_string())),
                    status: Some(Status::PendingDepartment),
                    ..CasePatch::default()
                }),
            );
            if s.rng.gen_bool(0.3) {
                s.wait(120, 20 * 60);
                let chase = ctx.fill(one(s.rng, or_generic(sc.chases, GENERIC_CHASES)));
                let angry = chase.contains("12305") || chase.contains("投诉");
                s.hear(agent, chase);
                if angry {
                    s.wait(5, 60);
                    let raised = s.priority.raised();
                    s.act(
                        SUPERVISOR,
                        Action::Patch(CasePatch {
                            priority: Some(raised),
                            ..CasePatch::default()
                        }),
                    );
                    let note = one(s.rng, ESCALATION_NOTES).to_string();
                    s.note(SUPERVISOR, note);
                }
            }
            if stop == Stop::PendingDepartment {
                return;
            }
            if s.rng.gen_bool(0.15) {
                // Overdue: the supervisor chases the department.
                s.wait(24 * 60, 26 * 60);
                s.office(9, 18);
                let note = one(s.rng, OVERDUE_NOTES).replace("{dept}", department_name(dept));
                s.note(SUPERVISOR, note);
            }
            s.wait(30, 8 * 60);
            s.office(8, 19);
            let outcome = s.rng.gen_range(0..sc.dept_answers.len().max(1));
            let answer = ctx.fill(sc.dept_answers.get(outcome).copied().unwrap_or("已处理。"));
            s.note(staff, answer);
            if let Some(r) = sc.resolutions.get(outcome % sc.resolutions.len().max(1)) {
                resolution = ctx.fill(r);
            }
            if s.rng.gen_bool(0.6) {
                s.wait(1, 20);
                s.status(staff, Status::Open);
            }
        } else if !sc.resolutions.is_empty() {
            resolution = ctx.fill(one(s.rng, sc.resolutions));
        }
        if sc.waybill == Waybill::Later && !linked {
            s.wait(1, 30);
            link_waybill(s);
        }
        // The answer for the customer.
        s.wait(10, 240);
        if channel != Channel::Phone {
            s.office(8, 22);
        }
        s.say(agent, resolution.clone());
    } else {
        s.wait(0, 5);
    }
    let paid = resolution.contains("赔付");
    let mut resolve = CasePatch {
        status: Some(Status::Resolved),
        root_cause: Some(demo_cause(sc.intent, paid, resolution.chars().count())),
        ..CasePatch::default()
    };
    if paid {
        let mut tags = s.tags.clone();
        tags.push("已赔付".to_string());
        tags.dedup();
        resolve.tags = Some(tags);
    }
    s.act(agent, Action::Patch(resolve));
    rate(s);
    if stop == Stop::Resolved {
        return;
    }

    let thanked = s.rng.gen_bool(0.35);
    if thanked {
        s.wait(10, 600);
        let thanks = one(s.rng, THANKS).to_string();
        s.hear(agent, thanks);
    }
    // Not solved after all: reopened before it was closed.
    if !thanked && s.rng.gen_bool(0.03) {
        s.wait(60, 2 * 1440);
        reopen(s, agent, paid);
    }

    // Closing: a survey call sometimes, then the case is closed.
    s.wait(2 * 1440, 4 * 1440);
    s.office(9, 21);
    let closer = if s.rng.gen_bool(0.4) {
        SUPERVISOR
    } else {
        agent
    };
    if s.rng.gen_bool(0.35) {
        let survey = one(s.rng, SURVEYS).to_string();
        s.note(agent, survey);
    } else if s.rng.gen_bool(0.2) {
        let note = one(s.rng, CLOSE_NOTES).to_string();
        s.note(closer, note);
    }
    s.status(closer, Status::Closed);

    // Reopened after closing.
    if s.rng.gen_bool(0.07) {
        s.wait(60, 6 * 1440);
        reopen(s, agent, paid);
        s.wait(2 * 1440, 4 * 1440);
        s.office(9, 21);
        s.status(closer, Status::Closed);
    }
}

/// What the agent records when resolving a case of `intent` (R-CASE-10): a resolution code and
/// the causes a courier's service centre would name, picked by `n` (the answer's length) so
/// the demo's random draws stay as they were.
fn demo_cause(intent: Category, paid: bool, n: usize) -> kefu_model::causes::CauseDraft {
    let pick = |list: &[&str]| list.get(n % list.len().max(1)).map(|c| c.to_string());
    let (code, causes): (&str, Vec<String>) = match intent {
        Category::Complaint => (
            "explained",
            pick(&[
                "delivery/false_scan",
                "delivery/no_consent",
                "delivery/false_scan",
                "service/slow_answer",
                "delivery/not_delivered",
                "pickup/late",
            ])
            .into_iter()
            .collect(),
        ),
        Category::Delay => (
            "explained",
            pick(&["sorting/hub_delay", "external/weather", "sorting/hub_delay"])
                .into_iter()
                .collect(),
        ),
        Category::Lost => ("reshipped", vec!["sorting/mis_sort".to_string()]),
        Category::Damaged => ("compensated", vec!["packaging".to_string()]),
        Category::Pickup => (
            "to_outlet",
            pick(&["pickup/missed", "pickup/late"])
                .into_iter()
                .collect(),
        ),
        Category::Track => ("explained", vec!["system/wrong_tracking".to_string()]),
        Category::ChangeDelivery => ("to_outlet", Vec::new()),
        _ => ("explained", Vec::new()),
    };
    kefu_model::causes::CauseDraft {
        resolution_code: Some(if paid { "compensated" } else { code }.to_string()),
        causes,
        organisation: None,
        lesson: None,
    }
}

/// Two improvement items (改进项) the supervisor opened from the month's complaints, each naming
/// the cases behind it: one done, one in progress.
async fn seed_improvements(desk: &Desk, supervisor: &Actor) -> Result<(), DomainError> {
    let mut complaints = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = desk
            .list_cases(
                supervisor,
                kefu_model::records::CaseQuery {
                    category: Some(Category::Complaint),
                    ..Default::default()
                },
                cursor.as_deref(),
                Some(200),
            )
            .await?;
        complaints.extend(page.items.into_iter().filter(|c| c.root_cause.is_some()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let named = |tag: &str| -> Vec<String> {
        complaints
            .iter()
            .filter(|c| {
                c.root_cause
                    .as_ref()
                    .is_some_and(|r| r.causes.iter().any(|t| t == tag))
            })
            .take(4)
            .map(|c| c.id.to_string())
            .collect()
    };
    let items = [
        (
            "派送员签收规范培训",
            "虚假签收投诉集中：派送员须在客户确认后才扫描签收，网点每周抽查签收照片。",
            "delivery/false_scan",
            kefu_model::improvement::ImprovementStatus::InProgress,
        ),
        (
            "高峰期客服排班增加人手",
            "答复慢的投诉集中在晚高峰：19–22 点增加两名坐席。",
            "service/slow_answer",
            kefu_model::improvement::ImprovementStatus::Done,
        ),
    ];
    for (title, description, tag, status) in items {
        let item = desk
            .create_improvement(
                supervisor,
                &kefu_model::improvement::ImprovementDraft {
                    title: title.to_string(),
                    description: description.to_string(),
                    owner_user: Some(supervisor.username.clone()),
                    causes: vec![tag.to_string()],
                    cases: named(tag),
                    ..Default::default()
                },
            )
            .await?;
        let mut steps = vec![kefu_model::improvement::ImprovementStatus::Accepted];
        steps.push(kefu_model::improvement::ImprovementStatus::InProgress);
        if status == kefu_model::improvement::ImprovementStatus::Done {
            steps.push(status);
        }
        for step in steps {
            desk.update_improvement(
                supervisor,
                &item.id,
                &kefu_model::improvement::ImprovementPatch {
                    status: Some(step),
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// About half the customers answer the survey, mostly satisfied (the trade aims at 95 %);
/// most poor answers are followed up by a supervisor within the day, some are still open.
fn rate(s: &mut Story<'_>) {
    if !s.rng.gen_bool(0.55) {
        return;
    }
    let score = [5u8, 4, 3, 2, 1][weighted(s.rng, &[62, 25, 6, 4, 3])];
    let (reasons, comments): (&[&str], &[&str]) = if score >= 4 {
        (
            &["响应快", "问题已解决", "态度好", "专业"],
            &["", "", "处理很及时，谢谢", "客服很耐心"],
        )
    } else {
        (
            &["响应慢", "没解决问题", "态度不好", "派送问题"],
            &[
                "",
                "等了很久才有人回复",
                "快递员没打电话就放驿站了",
                "问题还是没解决",
            ],
        )
    };
    let mut chosen = vec![one(s.rng, reasons).to_string()];
    if s.rng.gen_bool(0.3) {
        let more = one(s.rng, reasons).to_string();
        if !chosen.contains(&more) {
            chosen.push(more);
        }
    }
    let comment = one(s.rng, comments).to_string();
    s.wait(20, 600);
    s.office(8, 23);
    let answered = s.act(
        SUPERVISOR,
        Action::Rate(kefu_model::survey::AnswerDraft {
            score,
            reasons: chosen,
            comment,
        }),
    );
    if answered && score <= 2 && s.rng.gen_bool(0.7) {
        use kefu_model::survey::FollowUpOutcome as O;
        let (outcome, note) = [
            (
                O::CalledBack,
                "已致电客户致歉，说明了延误原因，客户表示理解。",
            ),
            (O::Resolved, "回访时重新处理了客户的问题，客户满意。"),
            (O::Unreachable, "两次致电未接通，已发短信说明。"),
        ][weighted(s.rng, &[50, 30, 20])];
        s.wait(60, 8 * 60);
        s.office(9, 21);
        s.act(SUPERVISOR, Action::FollowUp(outcome, note.to_string()));
    }
}

fn reopen(s: &mut Story<'_>, agent: usize, paid: bool) {
    let [reason, complaint, reply, answer] = if paid && s.rng.gen_bool(0.7) {
        REOPENING_PAYOUT
    } else {
        REOPENINGS
            .choose(s.rng)
            .copied()
            .unwrap_or(REOPENING_PAYOUT)
    };
    s.act(
        agent,
        Action::Patch(CasePatch {
            status: Some(Status::Open),
            reason: Some(reason.to_string()),
            ..CasePatch::default()
        }),
    );
    s.hear(agent, complaint.to_string());
    s.wait(5, 120);
    s.say(agent, reply.to_string());
    s.wait(60, 1440);
    s.office(8, 21);
    s.say(agent, answer.to_string());
    s.status(agent, Status::Resolved);
}

/// The whole demo, decided up front: pure, and the same for the same `now` and time zone.
fn plan(tz: &TimeZone, now: Timestamp) -> World {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut phones = HashSet::new();
    let mut emails = HashSet::new();
    let setup_at = plus_mins(now, -420 * 1440);
    let customers = plan_customers(&mut rng, now, &mut phones, &mut emails);
    let person_weights: Vec<u32> = SCENARIOS.iter().map(|s| s.w_person).collect();
    let received = received_times(&mut rng, tz, now);
    let mut cases = Vec::with_capacity(CASES);
    for at in received {
        let input = CaseInput {
            received: at,
            customers: &customers,
        };
        cases.push(plan_case(
            &mut rng,
            tz,
            now,
            &input,
            &person_weights,
            &mut phones,
        ));
    }
    // Created in the order they were written down, so case numbers follow time.
    cases.sort_by_key(|c| c.created_at);
    World {
        setup_at,
        customers,
        cases,
    }
}

// ---- playing the plan -------------------------------------------------------------------------

fn desk_on(store: &Arc<dyn Store>, clock: &Arc<FixedClock>, time_zone: &TimeZone) -> Desk {
    Desk::new(Arc::clone(store), Arc::clone(clock) as Arc<dyn Clock>)
        .with_nlu(std::sync::Arc::new(kefu_nlu::SharedNlu))
        .with_time_zone(time_zone.clone())
}

fn staff_actor(actors: &[Actor], who: usize) -> Result<&Actor, DomainError> {
    actors.get(who).ok_or_else(|| {
        DomainError::Store(StoreError::Backend(format!("demo: no staff member {who}")))
    })
}

/// Plays one lane of case histories, each step at its own time.
async fn play_lane(
    desk: Desk,
    clock: Arc<FixedClock>,
    actors: Arc<Vec<Actor>>,
    cases: Vec<(String, Vec<Step>)>,
) -> Result<(), DomainError> {
    for (case_id, steps) in cases {
        for step in steps {
            clock.set(step.at);
            let actor = staff_actor(&actors, step.who)?;
            match step.action {
                Action::Patch(patch) => {
                    desk.update_case(actor, &case_id, patch).await?;
                }
                Action::Message(message) => {
                    desk.add_message(actor, &case_id, message).await?;
                }
                Action::Rate(answer) => {
                    let id = kefu_model::ids::CaseId::from_stored(case_id.clone());
                    desk.rate_case(&id, answer, kefu_model::survey::SurveyWay::Page)
                        .await?;
                }
                Action::FollowUp(outcome, note) => {
                    desk.close_follow_up(actor, &case_id, outcome, &note)
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// Seeds departments, users, ~200 customers and ~600 cases spread over the 60 days before `now`.
pub async fn seed(
    store: Arc<dyn Store>,
    time_zone: TimeZone,
    now: Timestamp,
) -> Result<DemoSummary, DomainError> {
    let world = plan(&time_zone, now);
    let clock = Arc::new(FixedClock::new(world.setup_at));
    let desk = desk_on(&store, &clock, &time_zone);

    // The organisation.
    for d in DEPARTMENTS {
        desk.create_department(
            None,
            DepartmentDraft {
                key: d.key.to_string(),
                name: d.name.to_string(),
                kind: d.kind.to_string(),
            },
        )
        .await?;
    }
    let mut actors = Vec::with_capacity(STAFF.len());
    let mut logins = Vec::with_capacity(STAFF.len());
    for (i, s) in STAFF.iter().enumerate() {
        clock.set(plus_mins(world.setup_at, 30 + i as i64 * 7));
        let user = desk
            .create_user(
                None,
                UserDraft {
                    username: s.username.to_string(),
                    password: DEMO_PASSWORD.to_string(),
                    role: s.role,
                    display_name: Some(s.display_name.to_string()),
                    department: s.department.map(str::to_string),
                },
            )
            .await?;
        logins.push(DemoLogin {
            username: user.username.clone(),
            role: user.role,
            display_name: user.display_name.clone(),
        });
        actors.push(Actor::of(&user));
    }

    // Customers on file.
    let mut order: Vec<usize> = (0..world.customers.len()).collect();
    order.sort_by_key(|i| world.customers.get(*i).map(|c| c.created_at));
    let mut customer_ids: Vec<String> = vec![String::new(); world.customers.len()];
    let mut known: HashSet<String> = HashSet::new();
    for i in order {
        let Some(c) = world.customers.get(i) else {
            continue;
        };
        clock.set(c.created_at);
        let actor = staff_actor(&actors, c.creator)?;
        let customer = desk.create_customer(actor, c.draft.clone()).await?;
        known.insert(customer.id.as_str().to_string());
        if let Some(slot) = customer_ids.get_mut(i) {
            *slot = customer.id.as_str().to_string();
        }
    }

    // Cases, in the order they were recorded.
    let mut histories: Vec<(String, Vec<Step>)> = Vec::with_capacity(world.cases.len());
    for plan in world.cases {
        clock.set(plan.created_at);
        let mut draft = plan.draft;
        match plan.customer {
            CustomerRef::Known(i) => {
                draft.customer_id = customer_ids.get(i).cloned();
            }
            CustomerRef::Inline(c) => draft.customer = Some(c),
        }
        let actor = staff_actor(&actors, plan.creator)?;
        let created = desk.create_case(actor, draft, None).await?;
        known.insert(created.case.customer_id.as_str().to_string());
        histories.push((created.case.id.as_str().to_string(), plan.steps));
    }
    let cases = histories.len();

    // Their histories, several cases at a time, each lane on its own clock.
    let actors = Arc::new(actors);
    let mut lanes: Vec<Vec<(String, Vec<Step>)>> = vec![Vec::new(); LANES];
    for (i, h) in histories.into_iter().enumerate() {
        if let Some(lane) = lanes.get_mut(i % LANES) {
            lane.push(h);
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    for lane in lanes {
        let lane_clock = Arc::new(FixedClock::new(now));
        let lane_desk = desk_on(&store, &lane_clock, &time_zone);
        tasks.spawn(play_lane(lane_desk, lane_clock, Arc::clone(&actors), lane));
    }
    let mut failure = None;
    while let Some(joined) = tasks.join_next().await {
        let result =
            joined.map_err(|e| DomainError::Store(StoreError::Backend(format!("demo: {e}"))))?;
        if let (Err(e), None) = (result, &failure) {
            failure = Some(e);
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    clock.set(now);
    seed_improvements(&desk, staff_actor(&actors, SUPERVISOR)?).await?;

    Ok(DemoSummary {
        departments: DEPARTMENTS.len(),
        users: logins,
        customers: known.len(),
        cases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_model::Case;
    use kefu_model::records::{CaseQuery, CustomerQuery};
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static DIRS: AtomicUsize = AtomicUsize::new(0);

    fn test_now() -> Timestamp {
        "2026-03-16T02:30:00Z".parse().unwrap()
    }

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    async fn fresh_store() -> (Arc<dyn Store>, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "kefu-demo-test-{}-{}",
            std::process::id(),
            DIRS.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = kefu_store_sqlite::open(&dir.join("kefu.db")).await.unwrap();
        (Arc::new(store), dir)
    }

    async fn all_cases(store: &Arc<dyn Store>) -> Vec<Case> {
        let mut out = Vec::new();
        let mut before = None;
        loop {
            let page = store
                .list_cases(&CaseQuery {
                    before: before.clone(),
                    limit: 200,
                    ..CaseQuery::default()
                })
                .await
                .unwrap();
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => before = Some(kefu_model::CaseId::parse(&c).unwrap()),
                None => return out,
            }
        }
    }

    async fn all_customers(store: &Arc<dyn Store>) -> Vec<kefu_model::Customer> {
        let mut out = Vec::new();
        let mut before = None;
        loop {
            let page = store
                .list_customers(&CustomerQuery {
                    before: before.clone(),
                    limit: 100,
                    ..CustomerQuery::default()
                })
                .await
                .unwrap();
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => before = Some(kefu_model::CustomerId::parse(&c).unwrap()),
                None => return out,
            }
        }
    }

    #[test]
    fn the_plan_is_deterministic_and_keeps_to_the_window() {
        let (a, b) = (plan(&shanghai(), test_now()), plan(&shanghai(), test_now()));
        assert_eq!(format!("{:?}", a.cases), format!("{:?}", b.cases));
        assert_eq!(format!("{:?}", a.customers), format!("{:?}", b.customers));
        let now = test_now();
        for c in &a.cases {
            let received = c.draft.received_at.unwrap();
            assert!(received <= c.created_at && c.created_at <= now);
            let mut last = c.created_at;
            for s in &c.steps {
                assert!(
                    s.at > last && s.at <= now,
                    "steps move forward and stay before now"
                );
                last = s.at;
            }
        }
    }

    /// `YL` followed by 13 digits, wherever it appears in `text`.
    fn own_numbers(text: &str) -> Vec<String> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i + 15 <= b.len() {
            if &b[i..i + 2] == b"YL" && b[i + 2..i + 15].iter().all(u8::is_ascii_digit) {
                out.push(text[i..i + 15].to_string());
                i += 15;
            } else {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn every_demo_waybill_carries_its_check_digit() {
        use kefu_model::waybill::{CheckScheme, check_digit_ok};
        let world = plan(&shanghai(), test_now());
        let mut seen = 0;
        for c in &world.cases {
            let mut texts = vec![c.draft.subject.clone(), c.draft.description.clone()];
            texts.extend(c.draft.waybill_no.clone());
            for s in &c.steps {
                match &s.action {
                    Action::Message(m) => texts.push(m.body.clone()),
                    Action::Patch(p) => texts.extend(p.waybill_no.clone()),
                    Action::Rate(_) | Action::FollowUp(..) => {}
                }
            }
            for number in texts.iter().flat_map(|t| own_numbers(t)) {
                seen += 1;
                assert!(
                    check_digit_ok(CheckScheme::Luhn, &number[2..]),
                    "{number} fails its Luhn check digit"
                );
            }
        }
        assert!(seen > 400, "only {seen} waybill numbers in the demo cases");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn seeds_a_realistic_centre() {
        let (store, dir) = fresh_store().await;
        let now = test_now();
        let started = std::time::Instant::now();
        let summary = seed(Arc::clone(&store), shanghai(), now).await.unwrap();
        eprintln!("seeded in {:?}: {summary:?}", started.elapsed());

        assert_eq!(summary.departments, 5);
        assert_eq!(store.list_departments().await.unwrap().len(), 5);
        assert!(summary.users.len() <= 15);
        assert!(summary.users.iter().all(|u| u.username != "admin"));
        let viewer = summary
            .users
            .iter()
            .find(|u| u.username == "viewer")
            .unwrap();
        assert_eq!(viewer.role, Role::Readonly);

        let customers = all_customers(&store).await;
        assert_eq!(customers.len(), summary.customers);
        assert!(
            (180..=230).contains(&customers.len()),
            "{} customers",
            customers.len()
        );
        let key_accounts = customers
            .iter()
            .filter(|c| c.grade.is_key_account())
            .count();
        assert!(
            key_accounts >= 15 && key_accounts <= customers.len() / 6,
            "{key_accounts} key accounts"
        );
        assert!(
            customers
                .iter()
                .any(|c| c.external_ids.iter().any(|x| x.kind == "wechat"))
        );
        assert!(customers.iter().any(|c| !c.emails.is_empty()));

        let cases = all_cases(&store).await;
        assert_eq!(cases.len(), summary.cases);
        assert!((570..=630).contains(&cases.len()), "{} cases", cases.len());

        let statuses: HashSet<Status> = cases.iter().map(|c| c.status).collect();
        for s in Status::ALL {
            assert!(statuses.contains(s), "no case is {s}");
        }
        let categories: HashSet<Category> = cases.iter().map(|c| c.category).collect();
        assert!(categories.len() >= 10, "categories: {categories:?}");
        let channels: HashSet<Channel> = cases.iter().map(|c| c.channel).collect();
        assert!(channels.len() >= 5, "channels: {channels:?}");
        let first = cases.iter().map(|c| c.received_at).min().unwrap();
        let last = cases.iter().map(|c| c.received_at).max().unwrap();
        assert!(last <= now);
        assert!(
            last.duration_since(first).as_hours() >= 50 * 24,
            "{first} .. {last}"
        );
        assert!(cases.iter().any(|c| c.reopen_count > 0));
        assert!(
            cases
                .iter()
                .any(|c| c.department.is_some() && c.status == Status::PendingDepartment)
        );
        assert!(cases.iter().all(|c| c.updated_at <= now));

        // Recent cases are mostly still being worked on; old ones mostly finished.
        let recent: Vec<&Case> = cases
            .iter()
            .filter(|c| now.duration_since(c.received_at).as_hours() < 48)
            .collect();
        let recent_active = recent
            .iter()
            .filter(|c| matches!(c.status, Status::New | Status::Open))
            .count();
        assert!(
            recent_active * 2 >= recent.len(),
            "{recent_active} of {} recent cases active",
            recent.len()
        );
        let old: Vec<&Case> = cases
            .iter()
            .filter(|c| now.duration_since(c.received_at).as_hours() > 24 * 14)
            .collect();
        let old_done = old
            .iter()
            .filter(|c| matches!(c.status, Status::Resolved | Status::Closed))
            .count();
        assert!(
            old_done * 10 >= old.len() * 8,
            "{old_done} of {} old cases done",
            old.len()
        );

        // Case numbers follow the order in which cases were written down.
        let mut by_time: Vec<&Case> = cases.iter().collect();
        by_time.sort_by_key(|c| c.created_at);
        let seqs: Vec<i64> = by_time
            .iter()
            .map(|c| kefu_model::records::case_number_seq(&c.number).unwrap())
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));

        // Every projection is the fold of its events.
        let mut actors: HashSet<String> = HashSet::new();
        for case in &cases {
            let events = store.case_events(&case.id).await.unwrap();
            actors.extend(events.iter().map(|e| e.actor.clone()));
            let replayed = Case::replay(&events).unwrap();
            assert_eq!(&replayed, case, "case {} replays", case.number);
            assert!(events.windows(2).all(|w| w[0].at <= w[1].at));
            if case.status != Status::New {
                assert!(
                    case.first_response_at.is_some(),
                    "case {} has an answer",
                    case.number
                );
            }
        }

        // Resolved cases carry how they ended (R-CASE-10), complaints their causes too; the
        // supervisor's two improvement items name complaints with those causes, one done.
        let ended: Vec<&Case> = cases
            .iter()
            .filter(|c| matches!(c.status, Status::Resolved | Status::Closed))
            .collect();
        assert!(!ended.is_empty());
        for c in &ended {
            let cause = c.root_cause.as_ref();
            assert!(
                cause.is_some_and(|r| r.code.is_some()),
                "case {} has a code",
                c.number
            );
        }
        // Complaints the scenario meant as complaints name a cause; those the classifier
        // filed as complaints carry their scenario's (or only a code).
        let complaints: Vec<&&Case> = ended
            .iter()
            .filter(|c| c.category == Category::Complaint)
            .collect();
        let with_causes = complaints
            .iter()
            .filter(|c| c.root_cause.as_ref().is_some_and(|r| !r.causes.is_empty()))
            .count();
        assert!(
            with_causes * 2 >= complaints.len() && with_causes > 4,
            "{with_causes} of {} complaints name a cause",
            complaints.len()
        );
        let items = kefu_desk::store::CauseStore::improvements(store.as_ref())
            .await
            .unwrap();
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(|i| !i.cases.is_empty()), "{items:?}");
        assert_eq!(
            items
                .iter()
                .filter(|i| i.status == kefu_model::improvement::ImprovementStatus::Done)
                .count(),
            1
        );

        for who in [
            "supervisor",
            "agent01",
            "agent06",
            "ops01",
            "outlet01",
            "hub01",
            "finance01",
        ] {
            assert!(actors.contains(&format!("user:{who}")), "{who} did nothing");
        }
        assert!(!actors.contains("user:viewer"));

        // One customer, one history across channels.
        let mut by_customer: HashMap<&str, HashSet<Channel>> = HashMap::new();
        for c in &cases {
            by_customer
                .entry(c.customer_id.as_str())
                .or_default()
                .insert(c.channel);
        }
        assert!(by_customer.values().any(|ch| ch.len() >= 2));

        let _ = std::fs::remove_dir_all(dir);
    }
}
