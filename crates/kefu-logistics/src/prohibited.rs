//! Prohibited and restricted items: the 19 categories of the 禁止寄递物品指导目录 (State Post
//! Bureau, Ministry of Public Security and Ministry of State Security, 2016) with the examples
//! its text gives, plus the operator's own restrictions. A match flags an item for a person to
//! look at; nothing here refuses a shipment.

use std::collections::{HashMap, HashSet};
use std::ops::Deref;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use kefu_text::Segmenter;
use serde::{Deserialize, Serialize};

/// The official category names, in the catalogue's order (一 … 十九).
pub const OFFICIAL_CATEGORIES: [&str; 19] = [
    "枪支（含仿制品、主要零部件）弹药",
    "管制器具",
    "爆炸物品",
    "压缩和液化气体及其容器",
    "易燃液体",
    "易燃固体、自燃物质、遇水易燃物质",
    "氧化剂和过氧化物",
    "毒性物质",
    "生化制品、传染性、感染性物质",
    "放射性物质",
    "腐蚀性物质",
    "毒品及吸毒工具、非正当用途麻醉药品和精神药品、非正当用途的易制毒化学品",
    "非法出版物、印刷品、音像制品等宣传品",
    "间谍专用器材",
    "非法伪造物品",
    "侵犯知识产权和假冒伪劣物品",
    "濒危野生动物及其制品",
    "禁止进出境物品",
    "其他物品",
];

/// Keywords per official category: the catalogue's own examples ("如……"), with a few everyday
/// names for the same things (烟雾弹, 防狼喷雾, 双氧水 …).
const OFFICIAL_KEYWORDS: [&[&str]; 19] = [
    // 一 枪支弹药
    &[
        "枪支",
        "手枪",
        "步枪",
        "冲锋枪",
        "防暴枪",
        "气枪",
        "猎枪",
        "运动枪",
        "麻醉注射枪",
        "钢珠枪",
        "催泪枪",
        "仿真枪",
        "枪管",
        "子弹",
        "炸弹",
        "手榴弹",
        "火箭弹",
        "照明弹",
        "燃烧弹",
        "烟幕弹",
        "烟雾弹",
        "信号弹",
        "催泪弹",
        "毒气弹",
        "地雷",
        "手雷",
        "炮弹",
        "火药",
        "弹药",
    ],
    // 二 管制器具
    &[
        "管制刀具",
        "匕首",
        "三棱刮刀",
        "三棱刀",
        "弹簧刀",
        "跳刀",
        "蝴蝶刀",
        "弩",
        "弓弩",
        "弩箭",
        "催泪器",
        "催泪喷雾",
        "防狼喷雾",
        "电击器",
        "电击棒",
        "电棍",
        "甩棍",
    ],
    // 三 爆炸物品
    &[
        "炸药",
        "雷管",
        "导火索",
        "导爆索",
        "爆破剂",
        "烟花",
        "爆竹",
        "鞭炮",
        "礼花",
        "礼花弹",
        "摔炮",
        "拉炮",
        "砸炮",
        "擦炮",
        "彩药弹",
        "黑火药",
        "烟火药",
        "发令纸",
        "引火线",
        "推进剂",
        "发射药",
        "硝化棉",
        "电点火头",
    ],
    // 四 压缩和液化气体及其容器
    &[
        "氢气",
        "甲烷",
        "乙烷",
        "丁烷",
        "天然气",
        "液化气",
        "液化石油气",
        "煤气罐",
        "乙烯",
        "丙烯",
        "乙炔",
        "打火机",
        "一氧化碳",
        "一氧化氮",
        "氯气",
        "压缩氧气",
        "氧气瓶",
        "氧气罐",
        "氮气",
        "氦气",
        "氖气",
        "气雾剂",
        "喷漆",
        "灭火器",
    ],
    // 五 易燃液体
    &[
        "汽油",
        "柴油",
        "煤油",
        "桐油",
        "丙酮",
        "乙醚",
        "油漆",
        "生漆",
        "苯",
        "酒精",
        "乙醇",
        "甲醇",
        "松香油",
        "天那水",
        "香蕉水",
        "稀释剂",
    ],
    // 六 易燃固体、自燃物质、遇水易燃物质
    &[
        "红磷",
        "硫磺",
        "硫黄",
        "铝粉",
        "闪光粉",
        "固体酒精",
        "火柴",
        "活性炭",
        "黄磷",
        "白磷",
        "硝化纤维",
        "钛粉",
        "金属钠",
        "金属钾",
        "金属锂",
        "锌粉",
        "镁粉",
        "电石",
        "碳化钙",
        "氰化钠",
        "氰化钾",
    ],
    // 七 氧化剂和过氧化物
    &[
        "高锰酸钾",
        "高锰酸盐",
        "高氯酸盐",
        "过氧化氢",
        "双氧水",
        "过氧化钠",
        "过氧化钾",
        "过氧化铅",
        "氯酸钾",
        "氯酸钠",
        "氯酸盐",
        "溴酸盐",
        "硝酸盐",
        "硝酸铵",
    ],
    // 八 毒性物质
    &[
        "砷",
        "砒霜",
        "汞",
        "水银",
        "汞化物",
        "铊",
        "铊化物",
        "氰化物",
        "硒粉",
        "苯酚",
        "农药",
        "剧毒农药",
        "鼠药",
        "老鼠药",
        "毒鼠强",
        "百草枯",
        "敌敌畏",
    ],
    // 九 生化制品、传染性、感染性物质
    &[
        "病菌",
        "病毒",
        "菌种",
        "毒株",
        "炭疽",
        "寄生虫",
        "排泄物",
        "粪便",
        "医疗废物",
        "医疗废弃物",
        "尸骨",
        "动物器官",
        "血样",
        "血液样本",
    ],
    // 十 放射性物质
    &["放射性", "放射源", "核废料", "铀", "钴", "镭", "钚"],
    // 十一 腐蚀性物质
    &[
        "硫酸",
        "硝酸",
        "盐酸",
        "氢氟酸",
        "蓄电池",
        "铅酸电池",
        "汽车电瓶",
        "氢氧化钠",
        "烧碱",
        "火碱",
        "氢氧化钾",
    ],
    // 十二 毒品、吸毒工具、易制毒化学品
    &[
        "毒品",
        "鸦片",
        "罂粟",
        "罂粟壳",
        "吗啡",
        "海洛因",
        "可卡因",
        "大麻",
        "冰毒",
        "甲基苯丙胺",
        "苯丙胺",
        "氯胺酮",
        "K粉",
        "甲卡西酮",
        "安钠咖",
        "摇头丸",
        "麻古",
        "麻黄素",
        "麻黄碱",
        "胡椒醛",
        "黄樟素",
        "黄樟油",
        "羟亚胺",
        "邻酮",
        "苯乙酸",
        "溴代苯丙酮",
        "醋酸酐",
        "甲苯",
        "冰壶",
        "吸毒工具",
    ],
    // 十三 非法出版物、印刷品、音像制品等宣传品
    &["淫秽", "色情", "反动", "邪教", "宗教极端", "煽动"],
    // 十四 间谍专用器材
    &[
        "窃听器",
        "窃听",
        "窃照",
        "针孔摄像头",
        "针孔摄像机",
        "收发报机",
        "密码本",
        "密写",
        "监听器",
        "间谍器材",
    ],
    // 十五 非法伪造物品
    &[
        "假币",
        "假钞",
        "伪钞",
        "伪造",
        "变造",
        "假证",
        "假证件",
        "假身份证",
        "假驾照",
        "假护照",
        "假公章",
        "假印章",
        "假发票",
    ],
    // 十六 侵犯知识产权和假冒伪劣物品
    &["假冒", "高仿", "精仿", "仿冒", "仿牌", "盗版", "假货"],
    // 十七 濒危野生动物及其制品
    &[
        "象牙",
        "虎骨",
        "虎皮",
        "豹皮",
        "犀牛角",
        "犀角",
        "穿山甲",
        "熊胆",
        "玳瑁",
        "羚羊角",
        "麝香",
        "濒危动物",
    ],
    // 十八 禁止进出境物品
    &["疫区", "国家秘密", "涉密", "机密文件"],
    // 十九 其他物品
    &[
        "危险化学品",
        "危化品",
        "危险品",
        "易制爆",
        "易制毒",
        "人体器官",
    ],
];

/// Harmless compounds that contain a keyword. Each is added to the segmenter's dictionary, so it
/// comes out as one word, and such a word is not matched.
const DEFAULT_EXEMPTIONS: &[&str] = &[
    // 枪 / 弹
    "手枪钻",
    "打气枪",
    "子弹杯",
    "子弹头",
    // 气体: plastics, paints and stoves
    "聚乙烯",
    "聚丙烯",
    "聚氯乙烯",
    "乙烯基",
    "丙烯酸",
    "丙烯颜料",
    "天然气灶",
    "液化气灶",
    // 油漆 / 汽油
    "油漆刷",
    "汽油滤芯",
    "柴油滤芯",
    // 病毒 in medicine
    "抗病毒",
    "防病毒",
    // 野生动物 in colours, food and scents
    "象牙白",
    "象牙色",
    "象牙黄",
    "象牙塔",
    "象牙果",
    "虎皮蛋糕",
    "虎皮凤爪",
    "虎皮鸡爪",
    "虎皮青椒",
    "虎皮尖椒",
    "白麝香",
    "人工麝香",
    // 鸦片 in history books
    "鸦片战争",
    // 危险品 negated
    "非危险品",
    // operator items: glasses, cabinets, pet supplies, vouchers
    "红酒杯",
    "葡萄酒杯",
    "啤酒杯",
    "红酒柜",
    "啤酒鸭",
    "宠物用品",
    "宠物食品",
    "宠物粮",
    "宠物玩具",
    "宠物衣服",
    "宠物服装",
    "宠物窝",
    "宠物笼",
    "宠物碗",
    "宠物床",
    "宠物牵引绳",
    "香水瓶",
    "现金券",
];

/// One category of prohibited or restricted items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProhibitedCategory {
    /// Category name, shown to people (for the official list, the catalogue's name).
    pub name: String,
    /// Words that flag an item. A keyword of one character, or with a Latin letter or digit in
    /// it, must be a whole word of the description (弩, 苯, 18650); any other keyword also
    /// matches inside a word (锂电池组 has 锂电池, 医用酒精 has 酒精) but never across two.
    pub keywords: Vec<String>,
}

impl ProhibitedCategory {
    /// A category from its name and keywords.
    pub fn new<'k>(name: &str, keywords: impl IntoIterator<Item = &'k str>) -> Self {
        Self {
            name: name.to_owned(),
            keywords: keywords.into_iter().map(str::to_owned).collect(),
        }
    }
}

/// A keyword found in an item description.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProhibitedMatch {
    /// The category's name.
    pub category: String,
    /// The keyword that matched, as listed.
    pub keyword: String,
    /// From the official catalogue, rather than the operator's own restrictions.
    pub official: bool,
}

/// The official catalogue plus the operator's restrictions, and harmless compounds not to flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProhibitedList {
    /// The 19 categories of the official catalogue.
    pub official: Vec<ProhibitedCategory>,
    /// The operator's own restrictions.
    pub operator: Vec<ProhibitedCategory>,
    /// Words that contain a keyword but are harmless (象牙白, 子弹杯, 宠物用品).
    pub exemptions: Vec<String>,
}

impl Default for ProhibitedList {
    /// The official catalogue, [`ProhibitedList::default_operator_items`], and the built-in
    /// exemptions.
    fn default() -> Self {
        Self::official_only().with_operator_items(Self::default_operator_items())
    }
}

impl ProhibitedList {
    /// The official catalogue and the built-in exemptions, with no operator restrictions.
    pub fn official_only() -> Self {
        Self {
            official: OFFICIAL_CATEGORIES
                .iter()
                .zip(OFFICIAL_KEYWORDS)
                .map(|(name, keywords)| ProhibitedCategory::new(name, keywords.iter().copied()))
                .collect(),
            operator: Vec::new(),
            exemptions: DEFAULT_EXEMPTIONS.iter().map(|w| (*w).to_owned()).collect(),
        }
    }

    /// This list with `items` as the operator's restrictions (replacing any it had).
    #[must_use]
    pub fn with_operator_items(
        mut self,
        items: impl IntoIterator<Item = ProhibitedCategory>,
    ) -> Self {
        self.operator = items.into_iter().collect();
        self
    }

    /// This list with `words` added to the exemptions.
    #[must_use]
    pub fn with_exemptions<'w>(mut self, words: impl IntoIterator<Item = &'w str>) -> Self {
        self.exemptions.extend(words.into_iter().map(str::to_owned));
        self
    }

    /// The default operator restrictions: lithium batteries and power banks (not accepted on air
    /// routes, a fire risk in transit), liquor, live animals, cash, and perfume-like flammable
    /// cosmetics (香水 is an alcohol solution, UN 1266; not in the official text but refused on
    /// air routes, so it is flagged for a person rather than let through).
    pub fn default_operator_items() -> Vec<ProhibitedCategory> {
        vec![
            ProhibitedCategory::new(
                "锂电池及移动电源",
                [
                    "锂电池",
                    "锂离子电池",
                    "锂电",
                    "充电宝",
                    "移动电源",
                    "电芯",
                    "18650",
                ],
            ),
            ProhibitedCategory::new(
                "酒类",
                [
                    "酒",
                    "酒类",
                    "白酒",
                    "红酒",
                    "葡萄酒",
                    "啤酒",
                    "黄酒",
                    "米酒",
                    "果酒",
                    "洋酒",
                    "清酒",
                    "烧酒",
                    "威士忌",
                    "伏特加",
                    "白兰地",
                    "朗姆酒",
                    "茅台",
                    "五粮液",
                    "二锅头",
                ],
            ),
            ProhibitedCategory::new(
                "活体动物",
                [
                    "活体",
                    "活物",
                    "活体动物",
                    "宠物",
                    "幼犬",
                    "幼猫",
                    "活鱼",
                    "活虾",
                    "活蟹",
                    "大闸蟹",
                    "活禽",
                    "活鸡",
                    "鸡苗",
                    "仓鼠",
                    "鹦鹉",
                ],
            ),
            ProhibitedCategory::new("现金", ["现金", "人民币", "纸币", "钞票", "外币"]),
            ProhibitedCategory::new(
                "香水及易燃化妆品",
                ["香水", "指甲油", "洗甲水", "发胶", "摩丝"],
            ),
        ]
    }

    /// Every keyword, with its category and whether it is official.
    fn keywords(&self) -> impl Iterator<Item = (&ProhibitedCategory, &str, bool)> {
        let official = self.official.iter().map(|c| (c, true));
        let operator = self.operator.iter().map(|c| (c, false));
        official
            .chain(operator)
            .flat_map(|(category, is_official)| {
                category
                    .keywords
                    .iter()
                    .map(|k| k.trim())
                    .filter(|k| !k.is_empty())
                    .map(move |k| (category, k, is_official))
            })
    }

    /// Keywords of this list found in `text`, once per category and keyword, in the order they
    /// first occur.
    ///
    /// The text is cut into words by a [`Segmenter`] that knows every keyword and exemption, so
    /// a keyword matches a word or a part of one (烟花爆竹 → 烟花, 爆竹; 锂电池组 → 锂电池;
    /// 医用酒精, 酒精湿巾 → 酒精) but never a span across two words: 白酒店 is cut 白/酒店 and
    /// has no 白酒. Words listed as exemptions are skipped whole. Latin letters are compared
    /// without case.
    pub fn check(&self, text: &str) -> Vec<ProhibitedMatch> {
        let text = text.to_lowercase();
        let segmenter = self.segmenter();
        let exemptions: HashSet<String> = self
            .exemptions
            .iter()
            .map(|w| w.trim().to_lowercase())
            .collect();
        let keywords: Vec<_> = self
            .keywords()
            .map(|(category, keyword, official)| {
                let whole_word_only = keyword.chars().count() == 1
                    || keyword.chars().any(|c| c.is_ascii_alphanumeric());
                (
                    category,
                    keyword,
                    keyword.to_lowercase(),
                    whole_word_only,
                    official,
                )
            })
            .collect();
        let mut seen = HashSet::new();
        let mut matches = Vec::new();
        for word in segmenter.cut(&text) {
            if exemptions.contains(&word) {
                continue;
            }
            for (category, keyword, lower, whole_word_only, official) in &keywords {
                let hit = if *whole_word_only {
                    word == *lower
                } else {
                    word.contains(lower.as_str())
                };
                if hit && seen.insert((category.name.as_str(), *keyword, *official)) {
                    matches.push(ProhibitedMatch {
                        category: category.name.clone(),
                        keyword: (*keyword).to_owned(),
                        official: *official,
                    });
                }
            }
        }
        matches
    }

    /// A segmenter that knows every keyword and exemption: the shared one if it already does,
    /// else a clone of it with the missing words added, cached by those words.
    fn segmenter(&self) -> SegmenterRef {
        let shared = Segmenter::shared();
        let mut missing: Vec<String> = self
            .keywords()
            .map(|(_, keyword, _)| keyword.to_lowercase())
            .chain(self.exemptions.iter().map(|w| w.trim().to_lowercase()))
            .filter(|w| !w.is_empty() && !shared.has_word(w))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        segmenter_with(missing)
    }
}

/// How many distinct extended segmenters are kept; each is a whole dictionary (tens of MB).
const CACHED_SEGMENTERS: usize = 4;

type SegmenterCache = Mutex<HashMap<Vec<String>, Arc<Segmenter>>>;
static SEGMENTERS: LazyLock<SegmenterCache> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// The shared segmenter, or one extended with words it lacks.
enum SegmenterRef {
    Shared(&'static Segmenter),
    Extended(Arc<Segmenter>),
}

impl Deref for SegmenterRef {
    type Target = Segmenter;

    fn deref(&self) -> &Segmenter {
        match self {
            SegmenterRef::Shared(segmenter) => segmenter,
            SegmenterRef::Extended(segmenter) => segmenter,
        }
    }
}

/// The shared segmenter extended with `words` (sorted, deduplicated), built once per set of
/// words (a clone of the shared one, some 20 ms) and cached.
fn segmenter_with(words: Vec<String>) -> SegmenterRef {
    if words.is_empty() {
        return SegmenterRef::Shared(Segmenter::shared());
    }
    let mut cache = SEGMENTERS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(segmenter) = cache.get(&words) {
        return SegmenterRef::Extended(Arc::clone(segmenter));
    }
    let extended = Segmenter::shared()
        .clone()
        .with_words(words.iter().map(String::as_str));
    let segmenter = Arc::new(extended);
    if cache.len() >= CACHED_SEGMENTERS {
        cache.clear();
    }
    cache.insert(words, Arc::clone(&segmenter));
    SegmenterRef::Extended(segmenter)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(category index or operator name, keyword)` of each match; official categories as their
    /// number in the catalogue (1 … 19).
    fn flags(text: &str) -> Vec<(String, String)> {
        ProhibitedList::default()
            .check(text)
            .into_iter()
            .map(|m| {
                let category = if m.official {
                    let n = OFFICIAL_CATEGORIES
                        .iter()
                        .position(|c| *c == m.category)
                        .unwrap()
                        + 1;
                    n.to_string()
                } else {
                    m.category
                };
                (category, m.keyword)
            })
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(c, k)| ((*c).to_owned(), (*k).to_owned()))
            .collect()
    }

    #[test]
    fn item_descriptions() {
        let battery = "锂电池及移动电源";
        let table: &[(&str, &[(&str, &str)])] = &[
            // clean
            ("手机", &[]),
            ("衣服", &[]),
            ("化妆品", &[]),
            ("书籍", &[]),
            ("笔记本电脑", &[]),
            ("iPhone 15 Pro 手机壳", &[]),
            ("零食 薯片 饼干", &[]),
            ("月饼礼盒", &[]),
            ("医用口罩", &[]),
            ("保温杯", &[]),
            ("蓝牙耳机", &[]),
            ("菜刀", &[]),
            // harmless compounds
            ("象牙白衬衫", &[]),
            ("手枪钻", &[]),
            ("子弹杯一套", &[]),
            ("丙烯颜料", &[]),
            ("聚乙烯袋子", &[]),
            ("天然气灶", &[]),
            ("宠物用品", &[]),
            ("虎皮凤爪", &[]),
            ("抗病毒口服液", &[]),
            ("红酒杯两个", &[]),
            ("酒店用品", &[]),
            ("白酒店", &[]), // cut 白/酒店: no 白酒 across the boundary
            ("大麻花", &[]), // cut 大/麻花
            // flagged
            ("手机+充电宝", &[(battery, "充电宝")]),
            ("充电宝两个", &[(battery, "充电宝")]),
            ("锂电池组", &[(battery, "锂电池"), (battery, "锂电")]),
            ("18650电池两节", &[(battery, "18650")]),
            ("茅台白酒两瓶", &[("酒类", "茅台"), ("酒类", "白酒")]),
            ("两瓶酒", &[("酒类", "酒")]),
            ("香水", &[("香水及易燃化妆品", "香水")]),
            ("打火机", &[("4", "打火机")]),
            ("一次性打火机十个", &[("4", "打火机")]),
            ("烟花爆竹一箱", &[("3", "烟花"), ("3", "爆竹")]),
            ("医用酒精", &[("5", "酒精")]),
            ("酒精湿巾", &[("5", "酒精")]), // known false positive, for a person to clear
            ("象牙手镯", &[("17", "象牙")]),
            ("仿真手枪", &[("1", "手枪")]),
            ("三棱刮刀一把", &[("2", "三棱刮刀")]),
            ("防狼喷雾", &[("2", "防狼喷雾")]),
            ("假发票", &[("15", "假发票")]),
            ("农药", &[("8", "农药")]),
            ("汽油", &[("5", "汽油")]),
            ("硫酸", &[("11", "硫酸")]),
            ("海洛因", &[("12", "海洛因")]),
            ("K粉", &[("12", "K粉")]),
            ("k粉", &[("12", "K粉")]),
            (
                "活体宠物狗一只",
                &[("活体动物", "活体"), ("活体动物", "宠物")],
            ),
            ("美元现金", &[("现金", "现金")]),
            ("盐酸二甲双胍片", &[("11", "盐酸")]), // a medicine: known false positive
        ];
        for (text, expected) in table {
            assert_eq!(flags(text), pairs(expected), "{text}");
        }
    }

    #[test]
    fn matches_are_deduplicated_and_in_text_order() {
        assert_eq!(
            flags("充电宝、打火机、充电宝、一瓶白酒，还有一个充电宝"),
            pairs(&[
                ("锂电池及移动电源", "充电宝"),
                ("4", "打火机"),
                ("酒类", "白酒")
            ])
        );
    }

    #[test]
    fn official_flag_and_category_names() {
        let matches = ProhibitedList::default().check("打火机和充电宝");
        assert_eq!(
            matches,
            [
                ProhibitedMatch {
                    category: "压缩和液化气体及其容器".into(),
                    keyword: "打火机".into(),
                    official: true,
                },
                ProhibitedMatch {
                    category: "锂电池及移动电源".into(),
                    keyword: "充电宝".into(),
                    official: false,
                },
            ]
        );
    }

    #[test]
    fn official_list_has_nineteen_categories_with_unique_keywords() {
        let list = ProhibitedList::official_only();
        assert_eq!(list.official.len(), 19);
        assert!(list.operator.is_empty());
        assert_eq!(list.official[0].name, "枪支（含仿制品、主要零部件）弹药");
        assert_eq!(list.official[18].name, "其他物品");
        let mut seen = HashSet::new();
        for category in list
            .official
            .iter()
            .chain(&ProhibitedList::default_operator_items())
        {
            assert!(!category.keywords.is_empty(), "{}", category.name);
            for keyword in &category.keywords {
                assert!(seen.insert(keyword.as_str()), "{keyword} listed twice");
            }
        }
        assert!(ProhibitedList::official_only().check("充电宝").is_empty());
    }

    #[test]
    fn every_keyword_is_found_on_its_own() {
        let list = ProhibitedList::default();
        for (category, keyword, _) in list.keywords() {
            let found = list.check(keyword);
            assert!(
                found
                    .iter()
                    .any(|m| m.keyword == keyword && m.category == category.name),
                "{keyword}: {found:?}"
            );
        }
    }

    #[test]
    fn no_exemption_is_flagged() {
        let list = ProhibitedList::default();
        for word in &list.exemptions {
            assert_eq!(list.check(word), [], "{word}");
        }
    }

    #[test]
    fn operator_items_are_editable() {
        let list = ProhibitedList::default()
            .with_operator_items([ProhibitedCategory::new("生鲜", ["榴莲", "海鲜"])]);
        assert_eq!(
            list.check("一箱榴莲和充电宝"),
            [ProhibitedMatch {
                category: "生鲜".into(),
                keyword: "榴莲".into(),
                official: false,
            }]
        );
        // a keyword the dictionary does not know still comes out as a word
        let list = list.with_operator_items([ProhibitedCategory::new("试剂", ["溴化乙锭"])]);
        assert_eq!(list.check("溴化乙锭一瓶").len(), 1);
        let list = ProhibitedList::default().with_exemptions(["打火机壳"]);
        assert_eq!(list.check("打火机壳"), []);
        assert_eq!(list.check("打火机").len(), 1);
    }

    #[test]
    fn empty_text_and_empty_keywords() {
        assert_eq!(ProhibitedList::default().check(""), []);
        let list = ProhibitedList::official_only()
            .with_operator_items([ProhibitedCategory::new("空", ["", " "])]);
        assert_eq!(list.check("衣服"), []);
    }

    #[test]
    fn serde_round_trip_and_defaults() {
        let list = ProhibitedList::default();
        let json = serde_json::to_string(&list).unwrap();
        let back: ProhibitedList = serde_json::from_str(&json).unwrap();
        assert_eq!(back, list);
        let operator_only: ProhibitedList =
            serde_json::from_str(r#"{"operator": [{"name": "酒类", "keywords": ["白酒"]}]}"#)
                .unwrap();
        assert_eq!(operator_only.official.len(), 19);
        assert_eq!(operator_only.operator.len(), 1);
        assert_eq!(operator_only.check("白酒")[0].keyword, "白酒");
    }
}
