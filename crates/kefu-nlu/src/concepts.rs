//! Concepts: the ways customers write the same thing, in Chinese, with common typos, and in
//! English, grouped so that the model can learn one weight for the group as well as one per
//! word. A message that says `smashed` then reads like one that says `摔碎了`, though the
//! training data may hold only the one. The groups name what is said, not an intent: the model
//! learns which intents they point to.
//!
//! A model uses only the expressions its own training messages contain ([`Lexicon::seen_in`]):
//! the table then ties together words the model has seen, and cross-validation on the training
//! data stays fair (an expression only a left-out fold contains does not count), as does the
//! held-out measure.

use std::collections::{HashMap, HashSet};

/// One concept per row: its name and its expressions. Chinese expressions match anywhere;
/// English ones at the start of a word (`complain` finds `complaints`), and those of three
/// letters or fewer only as a whole word (`hi` is not in `this`).
#[rustfmt::skip]
const CONCEPTS: &[(&str, &[&str])] = &[
    ("where", &["到哪", "在哪", "哪里了", "到那", "哪儿", "位置", "哪一站", "哪个站", "where", "whereabouts"]),
    ("tracking", &["出库", "在路上", "派送中", "什么时候来", "到了没", "发了没", "发货了吗", "签收没", "最新", "物流", "物留", "物liu", "轨迹", "进度", "动态", "状态",
                   "track", "status", "update", "left"]),
    // When it will come, asked without saying it is late: 预计几点到 is tracking, not delay.
    ("eta", &["预计", "几点到", "几点能到", "什么时候到", "啥时候到", "哪天到", "什么时候能到", "什么时候送", "啥时候送",
              "eta", "expected", "when will"]),
    // Asking to look something up.
    ("lookup", &["查", "茶一下", "看看", "看下", "看一下", "瞅", "瞧", "帮我看", "帮忙看", "跟一下", "跟踪",
                 "check", "look up", "look into", "trace"]),
    ("parcel", &["快递", "快第", "快地", "快滴", "块递", "包裹", "包果", "快件", "parcel", "package", "shipment", "delivery", "order"]),
    // Later than it should be. Not 预计 alone: only past it (过了预计, 比预计晚).
    ("slow", &["一个星期", "一周", "好几天", "承诺", "滞留", "待中转", "走路", "天了", "慢", "太曼", "还没到", "没到", "还不到", "不动", "没动", "卡", "没更新", "不更新", "停更", "延误", "延迟", "超时", "时效",
               "过了预计", "超过预计", "比预计", "趴", "睡着", "磨蹭", "磨叽", "蜗牛", "迟迟", "爆仓", "没下文", "没动静", "拖",
               "late", "delay", "slow", "stuck", "still", "hasn't", "not arrived", "yet", "overdue", "forever", "taking so long", "not moved", "no movement"]),
    ("chase", &["催", "加急", "快点", "急用", "赶紧", "优先", "hurry", "urgent", "asap", "expedite", "chase", "speed it up"]),
    ("missing", &["没见着", "没见到", "丢", "丟", "不见", "没收到", "没有收到", "收不到", "找不到", "找不着", "没影", "冒领", "搞没", "遗失", "消失", "下落不明", "偷", "被人拿", "别人拿", "取走", "拿错", "误取", "找不回",
                  "lost", "missing", "never received", "did not receive", "didn't receive", "gone", "stolen", "empty"]),
    ("signed", &["签收", "签手", "妥投", "送达", "代收", "投递成功", "已取件", "已取出", "signed", "delivered", "marked as"]),
    ("broken", &["破", "碎", "坏", "怀了", "烂", "裂", "压扁", "变形", "漏", "湿", "泡水", "受潮", "瘪", "凹", "划痕", "断了", "折了", "撕", "化了", "臭", "发霉",
                 "damage", "broke", "smash", "crush", "wet", "leak", "dent", "crack", "shatter", "ripped"]),
    ("short", &["少了", "少件", "短少", "缺了", "不全", "是空的", "空盒", "只有", "只收到", "数量不对", "contents missing", "item is missing", "missing from", "something is missing"]),
    ("collect", &["取件", "取建", "去件", "上门", "揽收", "揽件", "来拿", "来取", "来收", "过来拿", "过来收", "收一下", "收个", "来一趟", "来人", "拿走", "派车", "来揽", "记件",
                  "师傅", "派个人", "派人来", "叫个快递", "派个小哥",
                  "pick up", "pickup", "collect", "send a courier", "come get", "come by", "grab", "swing by"]),
    ("send", &["寄", "发个", "发货", "发走", "发出去", "寄出", "要发", "send", "ship", "mail", "post"]),
    ("price", &["多少钱", "多钱", "多少q", "几块", "价", "运费", "运废", "邮费", "快递费", "收费", "首重", "续重", "费用", "贵", "便宜", "报价", "算钱", "计费", "优惠", "加收", "体积重", "泡货",
                "how much", "price", "cost", "rate", "fee", "cheap", "expensive", "quote"]),
    ("duration", &["几天", "多久", "多少天", "次日达", "隔天", "最快", "how long", "how many days"]),
    ("outlet", &["网点", "营业", "驿站", "快递点", "自提点", "代收点", "营业部", "营业厅", "寄件点", "收发点", "开门", "关门", "上班", "下班", "几点",
                 "branch", "outlet", "office", "open", "close", "drop off", "drop-off", "station"]),
    // Days the network may stop: a question about them is about service, not a parcel.
    ("holiday", &["春节", "过年", "国庆", "五一", "元旦", "中秋", "清明", "端午", "元宵", "节假日", "放假", "停运", "停发", "holiday", "new year"]),
    ("reach", &["送不送", "能送到", "送得到", "派不派", "能不能到", "能到", "到不到", "寄得到", "发得了", "超区", "范围", "覆盖", "偏远", "农村", "乡", "村",
                "山区", "国外", "海外", "国际", "境外", "deliver to", "rural", "area", "abroad", "overseas", "international", "cover", "ship to"]),
    ("allowed", &["能寄吗", "可以寄", "能不能寄", "能寄", "能发", "可以发", "可以快递", "能邮寄", "违禁", "限制", "能记吗",
                  "不能寄", "不让寄", "收不收", "allowed", "can i send", "can i ship", "can i mail", "is it ok to", "prohibited"]),
    ("change", &["不要送上门", "补上", "补充", "another address", "再派", "再送", "改", "该地址", "该一下", "换", "修改", "转寄", "转到", "拦截", "截回", "截件", "截下", "拦下", "撤回", "退回", "拒收", "别送", "先别", "晚点", "推迟", "延后", "挪到", "暂存", "自提",
                 "放驿站", "放门卫", "放前台", "放物业", "放快递柜", "放丰巢", "放到", "放门口", "不在家",
                 "change", "redirect", "hold", "return", "instead", "redeliver", "leave it", "front desk", "intercept", "reception", "neighbour", "new address"]),
    ("complain", &["不爽", "踢皮球", "没人接", "私自", "乱收", "乱扔", "多收", "威胁", "不道歉", "太冲", "12305", "反映", "阴阳怪气", "嚣张", "不讲道理", "怎么这样", "投诉", "投术", "投素", "态度", "差劲", "太差", "很差", "恶劣", "骂", "凶", "横", "不满", "失望", "敷衍", "垃圾", "烂",
                   "过分", "离谱", "骗", "糊弄", "耍", "拉黑", "摆设", "屁用", "服了", "破快递", "破公司", "曝光", "媒体", "消协", "举报", "素质", "拽", "脾气", "吼", "不耐烦", "推脱", "推来推去", "转来转去", "一问三不知", "爱答不理",
                   "complain", "rude", "terrible", "awful", "impolite", "unacceptable", "threw", "yell", "worst", "attitude", "useless", "unhappy", "never again", "report you", "refused"]),
    // The people who carry parcels, named: what they did is most often praised or complained of.
    ("staff", &["快递员", "小哥", "派件员", "派送员", "送件员", "揽件员", "取件员", "配送员", "收件员", "驿站老板", "驿站的人", "网点的人",
                "courier", "driver", "delivery guy", "delivery man", "staff"]),
    // What staff did wrong, without a complaint word.
    ("mistreat", &["扔", "挂电话", "挂了", "挂我", "不接", "不回", "没人回", "不理", "嫌", "故意", "假装", "冒充", "刁难", "从不", "从来不", "每次都", "不肯", "不给", "不让", "放鸽子", "迟到", "凭什么", "索要",
                   "hung up", "swearing", "ignored", "ridiculous"]),
    ("compensate", &["赔", "理陪", "补偿", "保价", "索赔", "claim", "compensat", "reimburs", "refund"]),
    ("bill", &["账期", "怎么付", "税号", "名下", "抬头", "发票", "发漂", "发标", "开票", "专票", "普票", "收据", "账单", "对账", "对帐", "月结", "付款", "支付", "扣款", "扣了", "多扣", "扣费", "到账", "充值", "余额", "结算", "对公", "公账", "报销", "凭证", "信用卡",
               "invoice", "bill", "pay", "paid", "charged", "statement", "vat", "receipt", "fapiao", "monthly account"]),
    ("praise", &["不错", "继续保持", "加油", "太好了", "周到", "专业", "准时", "棒", "表扬", "点赞", "赞", "好评", "夸", "感谢", "感动", "很好", "真好", "很棒", "满意", "负责", "耐心", "礼貌", "贴心", "热情",
                 "praise", "great", "love", "thumbs up", "good job", "kudos", "amazing", "polite"]),
    ("suggest", &["想法", "提点", "提意见", "建议", "建意", "建仪", "希望", "意见", "提个", "能不能出", "可以搞", "要是能", "就好了", "可以考虑", "优化",
                  "suggest", "could you add", "idea", "feedback", "would be nice", "consider"]),
    ("person", &["人工", "人攻", "人公", "真人", "活人", "客服", "坐席", "工作人员", "经理", "主管", "负责人", "售后",
                 "human", "agent", "person", "someone", "representative", "customer service"]),
    // Asking whether a machine is answering, or saying it is one: often wanting a person.
    ("bot", &["机器人", "机器", "自动回复", "智能客服", "人工智能", "听不懂", "真人吗", "是人吗", "驴唇不对马嘴", "绕圈子",
              "robot", "bot", "ai", "chatgpt", "automated"]),
    // How to pack a parcel: the help centre's question, not a damaged one.
    ("packing", &["打包", "怎么包", "包才", "气泡膜", "气泡袋", "泡沫", "胶带", "封箱", "封口", "纸箱", "报纸", "bubble wrap", "packing", "tape"]),
    ("off_topic", &["招聘", "招人", "招不招", "招收", "招暑假工", "缺人", "报名", "学历", "福利", "提成", "底薪", "应聘", "工资", "挣多少", "兼职", "简历", "实习", "加盟", "代理点", "上市", "股票", "股价", "密码", "账号", "登录", "注册", "注销", "昵称", "验证码", "闪退", "红包", "中奖", "领取", "刷单", "链接", "http",
                    "天气", "下雨", "笑话", "唱", "电影", "外卖", "火车", "高铁", "机票", "作业",
                    "job", "weather", "joke", "song", "homework", "movie"]),
    ("hello", &["你好", "您好", "泥好", "在吗", "在么", "在不在", "在线吗", "有人吗", "哈喽", "哈罗", "嗨", "喂", "早", "晚上好", "下午好", "中午好",
                "hello", "hi", "hey", "hiya", "morning", "afternoon", "evening", "nihao"]),
    ("thanks", &["谢", "多谢", "感恩", "拜拜", "再见", "再会", "好的", "好嘞", "好滴", "好哒", "明白", "知道了", "了解", "懂了", "晓得", "88", "886",
                 "thank", "thanks", "thx", "tks", "ty", "3q", "cheers", "bye", "see you", "ok", "okk", "okay"]),
];

/// The concepts with the expressions a model may use, indexed by their first character so that
/// a message is scanned once rather than once per expression.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lexicon {
    /// First character → (expression, index of its concept in [`CONCEPTS`]).
    by_first: HashMap<char, Vec<(&'static str, usize)>>,
}

impl Lexicon {
    /// The whole table.
    fn all() -> Lexicon {
        let mut by_first: HashMap<char, Vec<(&'static str, usize)>> = HashMap::new();
        for (concept, (_, expressions)) in CONCEPTS.iter().enumerate() {
            for e in *expressions {
                if let Some(first) = e.chars().next() {
                    by_first.entry(first).or_default().push((e, concept));
                }
            }
        }
        Lexicon { by_first }
    }

    /// The table's expressions that occur in at least one of `texts` (lower-cased).
    pub fn seen_in<'t>(texts: impl IntoIterator<Item = &'t str>) -> Lexicon {
        let all = Lexicon::all();
        let mut seen: HashSet<&'static str> = HashSet::new();
        for text in texts {
            all.scan(text, |expression, _| {
                seen.insert(expression);
            });
        }
        let mut by_first = all.by_first;
        for candidates in by_first.values_mut() {
            candidates.retain(|(e, _)| seen.contains(e));
        }
        by_first.retain(|_, candidates| !candidates.is_empty());
        Lexicon { by_first }
    }

    /// The names of the concepts whose expressions occur in `lower` (the lower-cased message),
    /// in the table's order.
    pub fn concepts_in(&self, lower: &str) -> Vec<&'static str> {
        let mut found = [false; CONCEPTS.len()];
        self.scan(lower, |_, concept| found[concept] = true);
        CONCEPTS
            .iter()
            .zip(found)
            .filter(|(_, hit)| *hit)
            .map(|((name, _), _)| *name)
            .collect()
    }

    /// Calls `hit` with every expression that occurs in `text` and its concept.
    fn scan(&self, text: &str, mut hit: impl FnMut(&'static str, usize)) {
        for (at, c) in text.char_indices() {
            let Some(candidates) = self.by_first.get(&c) else {
                continue;
            };
            for &(expression, concept) in candidates {
                if occurs_at(text, at, expression) {
                    hit(expression, concept);
                }
            }
        }
    }
}

/// Whether `expression` is written at byte `at` of `text`, at a word start if it is English and
/// as a whole word if it is a short English one.
fn occurs_at(text: &str, at: usize, expression: &str) -> bool {
    if !text[at..].starts_with(expression) {
        return false;
    }
    if !expression.is_ascii() {
        return true;
    }
    let before = text[..at].chars().next_back();
    let after = text[at + expression.len()..].chars().next();
    let starts = before.is_none_or(|c| !c.is_ascii_alphabetic());
    let ends = expression.len() > 3 || after.is_none_or(|c| !c.is_ascii_alphabetic());
    starts && ends
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lexicon_knows_only_the_expressions_its_texts_contain() {
        let lexicon = Lexicon::seen_in(["箱子碎了", "where is it"]);
        assert_eq!(lexicon.concepts_in("碎了"), ["broken"]);
        assert_eq!(lexicon.concepts_in("where"), ["where"]);
        // 坏 is in the table under `broken` but in none of the texts.
        assert!(lexicon.concepts_in("坏了").is_empty());
    }

    #[test]
    fn english_matches_at_word_starts_and_short_words_whole() {
        let all = Lexicon::seen_in(["complaints about the driver", "hi there", "箱子碎了"]);
        assert_eq!(
            all.concepts_in("complaints about the driver"),
            ["complain", "staff"]
        );
        assert!(!all.concepts_in("this is it").contains(&"hello"));
        assert!(all.concepts_in("hi there").contains(&"hello"));
        assert!(all.concepts_in("箱子碎了").contains(&"broken"));
    }

    #[test]
    fn expected_time_alone_is_not_lateness() {
        let all = Lexicon::all();
        for asked in [
            "预计几点到",
            "预计什么时候能送到",
            "expected delivery time?",
        ] {
            let found = all.concepts_in(asked);
            assert!(found.contains(&"eta"), "{asked}: {found:?}");
            assert!(!found.contains(&"slow"), "{asked}: {found:?}");
        }
        for late in [
            "比预计晚了两天",
            "过了预计时间还没到",
            "expected monday, still nothing",
        ] {
            assert!(all.concepts_in(late).contains(&"slow"), "{late}");
        }
    }

    #[test]
    fn asking_for_a_machine_or_a_lookup_has_its_concept() {
        let all = Lexicon::all();
        assert!(all.concepts_in("你是机器人吗").contains(&"bot"));
        assert!(all.concepts_in("are you a bot?").contains(&"bot"));
        assert!(!all.concepts_in("about my parcel").contains(&"bot"));
        assert!(all.concepts_in("帮我查一下").contains(&"lookup"));
        assert!(all.concepts_in("瞅瞅我的件").contains(&"lookup"));
        assert!(all.concepts_in("can you check it").contains(&"lookup"));
    }

    #[test]
    fn every_concept_has_expressions_and_a_unique_name() {
        let mut names = std::collections::HashSet::new();
        for (name, expressions) in CONCEPTS {
            assert!(names.insert(*name), "{name} twice");
            assert!(!expressions.is_empty(), "{name}");
            for e in *expressions {
                assert_eq!(e.to_lowercase(), *e, "{name}: {e} must be lower case");
            }
        }
    }
}
