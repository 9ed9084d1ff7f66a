//! Short names of divisions, as people write them in addresses: 广东 for 广东省, 深圳 for 深圳市,
//! 新疆 for 新疆维吾尔自治区, 恩施州 for 恩施土家族苗族自治州, 石柱县 for 石柱土家族自治县.

use crate::Level;

/// The 56 recognised ethnic groups, as they appear inside names of autonomous divisions.
const ETHNIC_GROUPS: [&str; 56] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

/// Suffixes stripped to get a short name, longest first within a level.
fn suffixes(level: Level) -> &'static [&'static str] {
    match level {
        Level::Province => &["特别行政区", "自治区", "省", "市"],
        Level::City => &["自治州", "地区", "盟", "市"],
        Level::District => &[
            "自治县",
            "自治旗",
            "新区",
            "林区",
            "特区",
            "矿区",
            "区",
            "县",
            "市",
            "旗",
        ],
    }
}

fn char_count(s: &str) -> usize {
    s.chars().count()
}

/// Strips ethnic group names from the end of the name of an autonomous division, keeping at
/// least two characters: 恩施土家族苗族 → 恩施, 新疆维吾尔 → 新疆, 内蒙古 stays 内蒙古.
fn strip_ethnic(mut base: &str) -> &str {
    'outer: loop {
        for group in ETHNIC_GROUPS {
            // Both "蒙古族" and, for names of two or more characters, the bare "蒙古".
            let bare = &group[..group.len() - "族".len()];
            let forms = [group, bare];
            for form in forms {
                if form == bare && char_count(bare) < 2 {
                    continue;
                }
                if let Some(rest) = base.strip_suffix(form)
                    && char_count(rest) >= 2
                {
                    base = rest;
                    continue 'outer;
                }
            }
        }
        return base;
    }
}

/// Short names of a division (never the full name itself; each at least two characters and not
/// starting with 市, 区 or 县, so that 市中区 does not give 市中).
pub(crate) fn short_names(name: &str, level: Level) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some((suffix, base)) = suffixes(level)
        .iter()
        .find_map(|s| name.strip_suffix(s).map(|base| (*s, base)))
    else {
        return out;
    };
    let autonomous = suffix.starts_with("自治");
    let base = if autonomous { strip_ethnic(base) } else { base };
    let mut push = |s: String| {
        let ok = char_count(&s) >= 2
            && s != name
            && !s.starts_with(['市', '区', '县'])
            && !out.contains(&s);
        if ok {
            out.push(s);
        }
    };
    push(base.to_owned());
    if autonomous {
        // Everyday forms: 恩施州, 石柱县, 广西自治区.
        let everyday = match suffix {
            "自治州" => "州",
            "自治县" => "县",
            "自治旗" => "旗",
            _ => "自治区",
        };
        push(format!("{base}{everyday}"));
    }
    if name == "内蒙古自治区" {
        push("内蒙".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(name: &str, level: Level) -> Vec<String> {
        short_names(name, level)
    }

    #[test]
    fn provinces() {
        assert_eq!(short("广东省", Level::Province), ["广东"]);
        assert_eq!(short("北京市", Level::Province), ["北京"]);
        assert_eq!(
            short("新疆维吾尔自治区", Level::Province),
            ["新疆", "新疆自治区"]
        );
        assert_eq!(
            short("广西壮族自治区", Level::Province),
            ["广西", "广西自治区"]
        );
        assert_eq!(short("西藏自治区", Level::Province), ["西藏"]);
        assert_eq!(short("内蒙古自治区", Level::Province), ["内蒙古", "内蒙"]);
        assert_eq!(short("香港特别行政区", Level::Province), ["香港"]);
    }

    #[test]
    fn cities() {
        assert_eq!(short("深圳市", Level::City), ["深圳"]);
        assert_eq!(
            short("恩施土家族苗族自治州", Level::City),
            ["恩施", "恩施州"]
        );
        assert_eq!(
            short("克孜勒苏柯尔克孜自治州", Level::City),
            ["克孜勒苏", "克孜勒苏州"]
        );
        assert_eq!(
            short("海西蒙古族藏族自治州", Level::City),
            ["海西", "海西州"]
        );
        assert_eq!(short("大兴安岭地区", Level::City), ["大兴安岭"]);
        assert_eq!(short("阿拉善盟", Level::City), ["阿拉善"]);
    }

    #[test]
    fn districts() {
        assert_eq!(short("南山区", Level::District), ["南山"]);
        assert_eq!(short("浦东新区", Level::District), ["浦东"]);
        assert_eq!(short("昆山市", Level::District), ["昆山"]);
        assert_eq!(short("神农架林区", Level::District), ["神农架"]);
        assert_eq!(
            short("石柱土家族自治县", Level::District),
            ["石柱", "石柱县"]
        );
        assert_eq!(
            short("保亭黎族苗族自治县", Level::District),
            ["保亭", "保亭县"]
        );
        assert_eq!(
            short("鄂伦春自治旗", Level::District),
            ["鄂伦春", "鄂伦春旗"]
        );
        // No one-character or absurd short names.
        assert!(short("忠县", Level::District).is_empty());
        assert!(short("城区", Level::District).is_empty());
        assert!(short("矿区", Level::District).is_empty());
        assert!(short("市中区", Level::District).is_empty());
        assert!(short("市辖区", Level::District).is_empty());
    }
}
