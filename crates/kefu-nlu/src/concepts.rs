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
    ("where", &["到哪", "在哪", "哪里了", "到那", "哪儿", "位置", "where", "whereabouts"]),
    ("tracking", &["出库", "在路上", "派送中", "什么时候来", "到了没", "物流", "物留", "物liu", "轨迹", "进度", "动态", "状态", "track", "status", "update"]),
    ("parcel", &["快递", "快第", "快地", "包裹", "快件", "parcel", "package", "shipment", "delivery", "order"]),
    ("slow", &["一个星期", "一周", "好几天", "承诺", "滞留", "待中转", "走路", "天了", "慢", "还没到", "没到", "还不到", "不动", "没动", "卡", "没更新", "不更新", "停更", "延误", "延迟", "超时", "时效",
               "late", "delay", "slow", "stuck", "still", "hurry", "hasn't", "not arrived", "yet"]),
    ("chase", &["催", "加急", "快点", "急用", "hurry", "urgent", "asap"]),
    ("missing", &["没见着", "没见到", "丢", "丟", "不见", "没收到", "没有收到", "收不到", "找不到", "找不着", "没影", "冒领", "搞没",
                  "lost", "missing", "never received", "did not receive", "didn't receive", "gone"]),
    ("signed", &["签收", "妥投", "送达", "代收", "signed", "delivered", "marked as"]),
    ("broken", &["破", "碎", "坏", "烂", "裂", "压扁", "变形", "漏", "湿", "泡水", "受潮", "瘪",
                 "damage", "broke", "smash", "crush", "wet", "leak", "dent"]),
    ("short", &["少了", "少件", "短少", "缺了", "不全", "是空的", "contents missing", "item is missing", "missing from"]),
    ("collect", &["取件", "取建", "上门", "揽收", "揽件", "来拿", "来取", "来收", "过来拿", "过来收", "收一下", "收个",
                  "师傅", "派个人", "派人来", "叫个快递",
                  "pick up", "pickup", "collect", "send a courier"]),
    ("send", &["寄", "发个", "发货", "发走", "发出去", "寄出", "send", "ship", "mail", "post"]),
    ("price", &["多少钱", "多钱", "价", "运费", "运废", "邮费", "快递费", "收费", "首重", "续重", "费用", "贵", "便宜", "报价",
                "how much", "price", "cost", "rate", "fee", "cheap", "expensive"]),
    ("duration", &["几天", "多久", "多少天", "次日达", "最快", "how long", "how many days"]),
    ("outlet", &["网点", "营业", "驿站", "快递点", "自提点", "代收点", "营业部", "开门", "关门", "上班", "下班", "几点",
                 "branch", "outlet", "office", "open", "close", "drop off", "station"]),
    ("reach", &["送不送", "能送到", "送得到", "派不派", "能不能到", "能到", "超区", "范围", "覆盖", "偏远", "农村", "乡", "村",
                "山区", "国外", "deliver to", "rural", "area", "abroad"]),
    ("allowed", &["能寄吗", "可以寄", "能不能寄", "能寄", "能发", "可以发", "可以快递", "能邮寄", "违禁", "限制",
                  "不能寄", "不让寄", "allowed", "can i send", "can i ship", "can i mail", "is it ok to"]),
    ("change", &["不要送上门", "补上", "another address", "再派", "再送", "改", "换", "修改", "转寄", "转到", "拦截", "截回", "退回", "拒收", "别送", "先别", "晚点",
                 "放驿站", "放门卫", "放前台", "放物业", "放快递柜", "放丰巢", "放到", "放门口", "不在家",
                 "change", "redirect", "hold", "return", "instead", "redeliver", "leave it", "front desk"]),
    ("complain", &["不爽", "踢皮球", "没人接", "私自", "乱收", "乱扔", "多收", "威胁", "不道歉", "太冲", "12305", "反映", "阴阳怪气", "嚣张", "不讲道理", "怎么这样", "投诉", "投术", "态度", "差劲", "太差", "很差", "恶劣", "骂", "凶", "横", "不满", "失望", "敷衍", "垃圾", "烂",
                   "complain", "rude", "terrible", "awful", "impolite", "unacceptable", "threw"]),
    ("compensate", &["赔", "理陪", "补偿", "保价", "claim", "compensat", "reimburs", "refund"]),
    ("bill", &["账期", "怎么付", "税号", "名下", "抬头", "发票", "发漂", "开票", "专票", "普票", "收据", "账单", "对账", "月结", "付款", "支付", "扣款", "扣了", "多扣", "到账",
               "invoice", "bill", "pay", "charged", "statement", "vat", "receipt"]),
    ("praise", &["不错", "继续保持", "加油", "太好了", "周到", "专业", "准时", "棒", "表扬", "点赞", "赞", "好评", "夸", "感谢", "感动", "很好", "真好", "很棒", "满意", "负责", "耐心", "礼貌",
                 "praise", "great", "love", "thumbs up", "good job"]),
    ("suggest", &["想法", "提点", "提意见", "建议", "希望", "意见", "提个", "能不能出", "可以搞", "suggest", "could you add", "idea"]),
    ("person", &["人工", "人攻", "真人", "活人", "客服", "坐席", "工作人员", "经理",
                 "human", "agent", "person", "someone", "representative"]),
    ("off_topic", &["招聘", "招人", "应聘", "工资", "实习", "加盟", "上市", "股票", "密码", "账号", "登录", "注册"]),
    ("hello", &["你好", "您好", "在吗", "在不在", "有人吗", "哈喽", "哈罗", "嗨", "早", "晚上好", "下午好",
                "hello", "hi", "hey", "morning", "evening", "nihao"]),
    ("thanks", &["谢", "多谢", "辛苦", "拜拜", "再见", "再会", "好的", "好嘞", "好滴", "明白", "知道了", "了解",
                 "thank", "thanks", "thx", "bye", "see you", "ok"]),
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
        assert_eq!(all.concepts_in("complaints about the driver"), ["complain"]);
        assert!(!all.concepts_in("this is it").contains(&"hello"));
        assert!(all.concepts_in("hi there").contains(&"hello"));
        assert!(all.concepts_in("箱子碎了").contains(&"broken"));
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
