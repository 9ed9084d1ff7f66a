//! The first classifier: category and priority from the text of a new case and the customer's
//! grade (R-CASE-2/3). Deliberately small and behind a trait: the bot's NLU replaces its brain.

use crate::codes::{Category, Priority};
use crate::customer::Grade;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    pub category: Category,
    pub priority: Priority,
}

pub trait Classifier: Send + Sync {
    /// A short name recorded in the `created` event so one can tell who decided.
    fn name(&self) -> &'static str;
    fn classify(&self, text: &str, grade: Grade) -> Classification;
    /// The priority of a case whose category is already known (given by the caller).
    fn priority(&self, category: Category, grade: Grade, text: &str) -> Priority;
}

/// Keyword rules in priority order: the first category whose keyword occurs wins, so the
/// serious categories (complaint, lost, damaged) are listed before the routine ones.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeywordClassifier;

const RULES: &[(Category, &[&str])] = &[
    (
        Category::Complaint,
        &[
            "投诉",
            "态度",
            "差评",
            "骂",
            "12305",
            "邮政管理局",
            "申诉",
            "举报",
            "太差",
            "不满",
            "complain",
        ],
    ),
    (
        Category::Claim,
        &[
            "理赔",
            "赔偿",
            "索赔",
            "赔付",
            "怎么赔",
            "保价",
            "compensat",
            "claim",
        ],
    ),
    (
        Category::Lost,
        &[
            "丢件",
            "丢失",
            "丢了",
            "找不到",
            "没收到",
            "未收到",
            "显示签收",
            "被签收",
            "lost",
            "missing",
        ],
    ),
    (
        Category::Damaged,
        &[
            "破损", "损坏", "坏了", "破了", "摔", "压坏", "漏液", "少了", "少件", "受潮", "湿了",
            "damaged", "broken",
        ],
    ),
    (
        Category::Delay,
        &[
            "延误",
            "还没到",
            "没到",
            "怎么还",
            "不动",
            "没更新",
            "没有更新",
            "停滞",
            "超时",
            "慢",
            "几天了",
            "delay",
            "late",
        ],
    ),
    (
        Category::ChangeDelivery,
        &[
            "改地址",
            "修改地址",
            "改收件",
            "更改地址",
            "转寄",
            "退回",
            "拦截",
            "改派",
            "redirect",
        ],
    ),
    (
        Category::Pickup,
        &[
            "寄件",
            "取件",
            "上门",
            "揽收",
            "揽件",
            "下单寄",
            "pickup",
            "pick up",
        ],
    ),
    (
        Category::Invoice,
        &[
            "发票", "对账", "月结", "账单", "开票", "付款", "invoice", "bill",
        ],
    ),
    (
        Category::Suggestion,
        &[
            "建议",
            "表扬",
            "感谢快递员",
            "希望你们",
            "suggest",
            "praise",
        ],
    ),
    (
        Category::Technical,
        &[
            "app",
            "小程序",
            "打不开",
            "登录不了",
            "报错",
            "闪退",
            "系统故障",
            "bug",
        ],
    ),
    (
        Category::AfterSales,
        &["退货", "换货", "退款", "售后", "refund", "return"],
    ),
    (
        Category::Track,
        &[
            "到哪",
            "查件",
            "查询",
            "物流",
            "快递单",
            "运单",
            "单号",
            "跟踪",
            "where is",
            "track",
        ],
    ),
    (
        Category::Inquiry,
        &[
            "网点",
            "营业时间",
            "多少钱",
            "运费",
            "能寄",
            "能不能寄",
            "几天",
            "地址在哪",
            "price",
            "how much",
        ],
    ),
];

/// Words that make any case more urgent: the customer is upset or threatens to escalate.
const URGENT: &[&str] = &[
    "紧急",
    "急",
    "马上",
    "立刻",
    "12305",
    "邮政管理局",
    "媒体",
    "曝光",
    "律师",
    "urgent",
];

impl KeywordClassifier {
    fn category_of(text: &str) -> Category {
        let lower = text.to_lowercase();
        RULES
            .iter()
            .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
            .map(|(c, _)| *c)
            .unwrap_or(Category::Other)
    }

    /// Lost, damaged, complaints and claims are urgent; routine queries are low (R-CASE-2).
    pub fn base_priority(category: Category) -> Priority {
        match category {
            Category::Complaint | Category::Lost | Category::Damaged | Category::Claim => {
                Priority::P2
            }
            Category::Delay | Category::ChangeDelivery | Category::Pickup | Category::Technical => {
                Priority::P3
            }
            _ => Priority::P4,
        }
    }

    /// The customer's grade and urgent wording each raise the priority one step.
    pub fn priority_for(category: Category, grade: Grade, text: &str) -> Priority {
        let mut p = Self::base_priority(category);
        if grade.is_key_account() {
            p = p.raised();
        }
        let lower = text.to_lowercase();
        if URGENT.iter().any(|w| lower.contains(w)) {
            p = p.raised();
        }
        p
    }
}

impl Classifier for KeywordClassifier {
    fn name(&self) -> &'static str {
        "keyword_rules"
    }

    fn priority(&self, category: Category, grade: Grade, text: &str) -> Priority {
        Self::priority_for(category, grade, text)
    }

    fn classify(&self, text: &str, grade: Grade) -> Classification {
        let category = Self::category_of(text);
        Classification {
            category,
            priority: Self::priority_for(category, grade, text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(text: &str, grade: i64) -> Classification {
        KeywordClassifier.classify(text, Grade::new(grade).unwrap())
    }

    #[test]
    fn serious_problems_are_high_and_routine_queries_low() {
        assert_eq!(
            classify("快递员态度太差，我要投诉", 3).category,
            Category::Complaint
        );
        assert_eq!(
            classify("快递员态度太差，我要投诉", 3).priority,
            Priority::P2
        );
        assert_eq!(classify("显示签收了但我没收到", 3).category, Category::Lost);
        assert_eq!(
            classify("箱子破了，里面的杯子碎了", 3).category,
            Category::Damaged
        );
        let routine = classify("我的快递到哪了", 3);
        assert_eq!(
            (routine.category, routine.priority),
            (Category::Track, Priority::P4)
        );
        assert_eq!(classify("你好", 3).category, Category::Other);
    }

    #[test]
    fn key_accounts_and_urgency_raise_priority() {
        assert_eq!(classify("我的快递到哪了", 1).priority, Priority::P3);
        assert_eq!(classify("包裹丢了，很急", 1).priority, Priority::P1);
        assert_eq!(
            classify("再不处理我就打12305投诉", 3).priority,
            Priority::P1
        );
    }
}
