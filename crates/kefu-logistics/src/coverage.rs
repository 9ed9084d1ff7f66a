//! Where an operator picks up and delivers.

use serde::{Deserialize, Serialize};

use crate::region::{Overlap, code_prefix, entry_prefix, overlap};

/// Service area. Entries are 2-digit province or 4-digit city prefixes, or full 6-digit codes
/// (`440000` means the same as `44`, `440300` as `4403`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Coverage {
    /// Served areas; empty means nationwide.
    pub served: Vec<String>,
    /// Areas not served even inside `served`.
    pub excluded: Vec<String>,
    /// Served areas that are remote (longer transit; remote pricing or surcharge).
    pub remote: Vec<String>,
}

impl Default for Coverage {
    /// Mainland China nationwide. Not served: 台湾 71, 香港 81, 澳门 82 (cross-border: customs
    /// declaration and other products). Remote: 新疆 65, 西藏 54, 青海 63, 内蒙古 15, 甘肃 62,
    /// 宁夏 64 — the provinces carriers exclude from "包邮" and price in their dearest bands.
    fn default() -> Self {
        Self {
            served: Vec::new(),
            excluded: ["71", "81", "82"].map(str::to_owned).to_vec(),
            remote: ["65", "54", "63", "15", "62", "64"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

/// What [`Coverage::check`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageResult {
    /// Served for certain.
    pub covered: bool,
    /// In a remote area for certain.
    pub remote: bool,
    /// The code is too vague to decide (a province only partly served, or partly remote): ask
    /// for a fuller address.
    pub needs_fuller_address: bool,
    /// Why not covered, or what is uncertain; `None` when simply covered.
    pub reason: Option<String>,
}

impl Coverage {
    /// Whether `code` (a 6-digit GB/T 2260 code, possibly only province- or city-level) is served.
    ///
    /// A vague code is covered only when all of the area it stands for is: `440000` with only
    /// `4403` served is *not* covered and `needs_fuller_address` is set, rather than silently
    /// quoted. Likewise a vague code that is partly excluded. A vague code that is partly remote
    /// is covered, not remote, with `needs_fuller_address` and a reason saying so.
    pub fn check(&self, code: &str) -> CoverageResult {
        let Some(prefix) = code_prefix(code) else {
            return CoverageResult {
                covered: false,
                remote: false,
                needs_fuller_address: false,
                reason: Some(format!("地区编码 {code:?} 无效，应为 6 位行政区划代码")),
            };
        };
        let worst = |list: &[String]| {
            let mut found = Overlap::None;
            for entry in list.iter().filter_map(|e| entry_prefix(e)) {
                match overlap(prefix, entry) {
                    Overlap::Inside => return Overlap::Inside,
                    Overlap::Partial => found = Overlap::Partial,
                    Overlap::None => {}
                }
            }
            found
        };
        let served = if self.served.is_empty() {
            Overlap::Inside
        } else {
            worst(&self.served)
        };
        let excluded = worst(&self.excluded);
        let remote = worst(&self.remote);

        let vague = |why: &str| CoverageResult {
            covered: false,
            remote: false,
            needs_fuller_address: true,
            reason: Some(format!(
                "地址只精确到{}（{code}），{why}，需要更完整的地址",
                level(prefix)
            )),
        };
        let refused = |why: String| CoverageResult {
            covered: false,
            remote: false,
            needs_fuller_address: false,
            reason: Some(why),
        };
        match (served, excluded) {
            (_, Overlap::Inside) => refused(format!("{code} 在不服务的区域内")),
            (Overlap::None, _) => refused(format!("{code} 不在服务范围内")),
            (Overlap::Partial, _) => vague("该区域只有部分地区可以服务"),
            (Overlap::Inside, Overlap::Partial) => vague("该区域有部分地区不服务"),
            (Overlap::Inside, Overlap::None) => match remote {
                Overlap::Inside => CoverageResult {
                    covered: true,
                    remote: true,
                    needs_fuller_address: false,
                    reason: None,
                },
                Overlap::Partial => CoverageResult {
                    covered: true,
                    remote: false,
                    needs_fuller_address: true,
                    reason: Some(format!(
                        "地址只精确到{}（{code}），其中部分地区为偏远地区，需要更完整的地址才能确定",
                        level(prefix)
                    )),
                },
                Overlap::None => CoverageResult {
                    covered: true,
                    remote: false,
                    needs_fuller_address: false,
                    reason: None,
                },
            },
        }
    }
}

fn level(prefix: &str) -> &'static str {
    if prefix.len() == 2 {
        "省级"
    } else {
        "市级"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(result: &CoverageResult) -> (bool, bool, bool) {
        (result.covered, result.remote, result.needs_fuller_address)
    }

    #[test]
    fn default_is_mainland_nationwide() {
        let coverage = Coverage::default();
        for code in ["440305", "110105", "440000", "440300", "460105", "500235"] {
            let result = coverage.check(code);
            assert_eq!(covered(&result), (true, false, false), "{code}");
            assert_eq!(result.reason, None);
        }
        for code in ["650102", "540102", "630000", "150102", "620102", "640104"] {
            assert_eq!(
                covered(&coverage.check(code)),
                (true, true, false),
                "{code}"
            );
        }
        for code in ["810000", "820000", "710000", "810001"] {
            let result = coverage.check(code);
            assert_eq!(covered(&result), (false, false, false), "{code}");
            assert!(result.reason.unwrap().contains("不服务"), "{code}");
        }
    }

    #[test]
    fn invalid_code_is_not_covered() {
        let result = Coverage::default().check("44030");
        assert_eq!(covered(&result), (false, false, false));
        assert!(result.reason.unwrap().contains("无效"));
    }

    #[test]
    fn partly_served_province_needs_a_fuller_address() {
        let coverage = Coverage {
            served: vec!["440300".into(), "4401".into(), "110000".into()],
            excluded: vec![],
            remote: vec![],
        };
        assert_eq!(covered(&coverage.check("440305")), (true, false, false));
        assert_eq!(covered(&coverage.check("440300")), (true, false, false));
        assert_eq!(covered(&coverage.check("110000")), (true, false, false));
        let vague = coverage.check("440000");
        assert_eq!(covered(&vague), (false, false, true));
        assert!(vague.reason.unwrap().contains("省级"));
        let outside = coverage.check("440604"); // 佛山
        assert_eq!(covered(&outside), (false, false, false));
        assert!(outside.reason.unwrap().contains("不在服务范围"));
        assert_eq!(covered(&coverage.check("320505")), (false, false, false));
    }

    #[test]
    fn excluded_districts() {
        let coverage = Coverage {
            served: vec!["44".into()],
            excluded: vec!["440305".into()],
            remote: vec!["4418".into()], // 清远
        };
        assert_eq!(covered(&coverage.check("440305")), (false, false, false));
        assert_eq!(covered(&coverage.check("440306")), (true, false, false));
        let vague = coverage.check("440300");
        assert_eq!(covered(&vague), (false, false, true));
        assert!(vague.reason.unwrap().contains("市级"));
        assert_eq!(covered(&coverage.check("441802")), (true, true, false));
        let partly_remote = coverage.check("440000");
        // 440000 is also partly excluded, which comes first
        assert_eq!(covered(&partly_remote), (false, false, true));
    }

    #[test]
    fn partly_remote_is_covered_but_uncertain() {
        let coverage = Coverage {
            remote: vec!["4603".into()],
            ..Coverage::default()
        };
        let result = coverage.check("460000");
        assert_eq!(covered(&result), (true, false, true));
        assert!(result.reason.unwrap().contains("偏远"));
        assert_eq!(covered(&coverage.check("460321")), (true, true, false));
    }

    #[test]
    fn serde_defaults() {
        let coverage: Coverage = serde_json::from_str(r#"{"served": ["31"]}"#).unwrap();
        // missing lists keep the defaults
        assert_eq!(coverage.excluded, Coverage::default().excluded);
        assert_eq!(covered(&coverage.check("310115")), (true, false, false));
        assert_eq!(covered(&coverage.check("320505")), (false, false, false));
        let default: Coverage = serde_json::from_str("{}").unwrap();
        assert_eq!(default, Coverage::default());
    }
}
