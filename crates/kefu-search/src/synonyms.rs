//! Logistics concepts: ways customers write the same complaint. A search that names one of the
//! expressions also finds the others, so `破损` finds a case that only says `外包装破了`.
//!
//! Expansion happens at query time only, so the table can change without reindexing. Keep each
//! group to expressions that mean the same thing to an agent; no single characters (`破` would
//! find `破案`), and prefer what customers actually type.
//!
//! An expression of several words matches as a phrase of its jieba words, and jieba may cut it
//! differently inside a sentence when its last character joins the next one (`快点送` alone is
//! 快点/送, in `快点送到` it is 快点/送到); list such common continuations as expressions of
//! their own. (tantivy's phrase-prefix query would cover this, but it assumes consecutive
//! positions, and ours are character offsets.)

/// One concept per row: every expression in it finds every other.
#[rustfmt::skip]
pub const CONCEPTS: &[&[&str]] = &[
    // damaged
    &["破损", "损坏", "破了", "坏了", "摔坏", "压坏", "压扁", "碎了", "破裂", "漏了"],
    // lost or never arrived
    &["丢件", "丢失", "丢了", "弄丢", "遗失", "没收到", "没有收到", "收不到", "找不到"],
    // chase the delivery
    &["催件", "催派", "催一下", "快点送", "快点送到", "尽快送", "尽快送到", "尽快派送", "加急",
      "还没送到", "怎么还没到"],
    // change the address
    &["改地址", "修改地址", "修改收件地址", "更改地址", "更改收件地址", "换地址", "地址写错"],
    // tracking stuck
    &["没更新", "不更新", "没有更新", "没动静", "停滞", "物流停了", "延误", "延迟"],
    // compensation
    &["理赔", "索赔", "赔偿", "赔付", "赔钱"],
    // refused
    &["拒收", "不要了", "拒签"],
    // wrong or missing items
    &["错件", "发错", "送错", "漏件", "少件", "少了一件"],
    // pickup
    &["上门取件", "预约取件", "取件", "揽收", "揽件", "来取", "上门取"],
    // redirect or deliver elsewhere
    &["转寄", "改派", "改送", "送到新地址"],
    // shown as delivered
    &["已签收", "显示签收", "签收了", "被签收"],
    // insurance
    &["保价", "保价费", "保险", "insurance", "insured"],
    // invoices
    &["发票", "开票", "开发票", "报销", "invoice"],
    // packing
    &["怎么包装", "打包", "怎么包", "packing", "pack"],
    // a person
    &["人工客服", "客服电话", "热线", "联系客服", "转人工", "找人工"],
    // lithium batteries
    &["充电宝", "移动电源", "锂电池", "电池", "power bank", "battery", "batteries"],
    // price
    &["运费", "邮费", "快递费", "多少钱", "收费", "怎么收费", "how much"],
    // volumetric weight
    &["体积重", "抛货", "泡货", "按体积", "计费重量", "volumetric"],
];

/// The concept rows whose expressions occur in `text`, each with the expression found, longest
/// expressions first so that `修改收件地址` is taken whole rather than as `地址`-less pieces.
pub(crate) fn concepts_in(text: &str) -> Vec<(&'static [&'static str], &'static str)> {
    let mut found: Vec<(&'static [&'static str], &'static str)> = Vec::new();
    for &concept in CONCEPTS {
        if let Some(expression) = concept
            .iter()
            .filter(|expression| text.contains(**expression))
            .max_by_key(|expression| expression.chars().count())
        {
            found.push((concept, expression));
        }
    }
    found.sort_by_key(|(_, expression)| std::cmp::Reverse(expression.chars().count()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_expression_is_a_single_character_or_in_two_concepts() {
        let mut seen = std::collections::HashSet::new();
        for concept in CONCEPTS {
            for expression in *concept {
                assert!(expression.chars().count() >= 2, "{expression}");
                assert!(seen.insert(*expression), "{expression} twice");
            }
        }
    }

    #[test]
    fn the_longest_expression_of_a_concept_is_found() {
        let found = concepts_in("帮我修改收件地址，外包装破损");
        let expressions: Vec<_> = found.iter().map(|(_, e)| *e).collect();
        assert_eq!(expressions, ["修改收件地址", "破损"]);
        assert!(concepts_in("你好").is_empty());
    }
}
