//! Synonyms: ways customers write the same thing. A search that names one expression of a
//! concept also finds the others, so `破损` finds a case that only says `外包装破了`, ranked below
//! the cases that say `破损` itself.
//!
//! Expansion happens at query time only, so [`Synonyms`] can be replaced while the index runs
//! ([`crate::SearchIndex::replace_synonyms`]) without reindexing. Admins edit the list as text
//! ([`Synonyms::parse`], [`Synonyms::to_text`]); kefu ships [`STARTER_SYNONYMS`].

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::tokenizer::normalize_word;

/// The list kefu ships, in the text format admins edit (see [`Synonyms::parse`]).
pub use kefu_model::search::STARTER_SYNONYMS;

/// Longest text accepted by [`Synonyms::parse`], in bytes.
pub const MAX_SYNONYMS_BYTES: usize = 64 * 1024;
/// Most concepts (lines) in one list.
pub const MAX_CONCEPTS: usize = 500;
/// Most expressions in one concept: every one is a clause of the search.
pub const MAX_EXPRESSIONS_PER_CONCEPT: usize = 30;
/// Longest expression, in characters: a search text is at most 200, and an expression is a
/// way of saying one thing.
pub const MAX_EXPRESSION_CHARS: usize = 20;

/// Concepts, each a set of expressions that mean the same thing to an agent. Expressions are
/// kept as the index holds words (lower-cased, full-width letters folded, inner spaces single).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    concepts: Vec<Vec<String>>,
}

/// What is wrong with one line of a synonym list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SynonymLineError {
    /// 1-based line number in the text as given.
    pub line: usize,
    /// What is wrong, in words.
    pub message: String,
}

/// A synonym list that cannot be used, with every line that is wrong (not just the first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SynonymsError {
    /// The wrong lines, in order; line 0 is the text as a whole (too long).
    pub errors: Vec<SynonymLineError>,
}

impl fmt::Display for SynonymsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the synonym list has errors:")?;
        for e in &self.errors {
            write!(f, " line {}: {};", e.line, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for SynonymsError {}

impl Synonyms {
    /// No synonyms: every word stands for itself.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The list kefu ships ([`STARTER_SYNONYMS`]); a test makes sure it parses.
    pub fn starter() -> Self {
        Self::parse(STARTER_SYNONYMS).unwrap_or_default()
    }

    /// Reads a list in the admin's format: one concept per line, its expressions separated by
    /// commas (`,` `，` `、` `;` `；`), or — on a line without any — by spaces (so `power bank`
    /// needs commas on its line); `#` starts a comment; blank lines are ignored.
    ///
    /// Refused, with every offending line named: a concept with fewer than two expressions, a
    /// single-character expression (`破` would find `破案`), an expression longer than
    /// [`MAX_EXPRESSION_CHARS`] or without a letter, digit or CJK character, control
    /// characters, an expression listed twice (in one concept or two: one expression cannot
    /// stand for two concepts), more than [`MAX_EXPRESSIONS_PER_CONCEPT`] expressions on a
    /// line, more than [`MAX_CONCEPTS`] concepts, a text over [`MAX_SYNONYMS_BYTES`].
    pub fn parse(text: &str) -> Result<Self, SynonymsError> {
        let mut errors = Vec::new();
        if text.len() > MAX_SYNONYMS_BYTES {
            return Err(SynonymsError {
                errors: vec![SynonymLineError {
                    line: 0,
                    message: format!("the list is longer than {MAX_SYNONYMS_BYTES} bytes"),
                }],
            });
        }
        let mut concepts: Vec<Vec<String>> = Vec::new();
        // expression → the line it was first given on
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let mut fail = |message: String| errors.push(SynonymLineError { line, message });
            let content = raw.split('#').next().unwrap_or_default().trim();
            if content.is_empty() {
                continue;
            }
            if content.chars().any(|c| c.is_control() && c != '\t') {
                fail("contains control characters".into());
                continue;
            }
            let is_separator = |c: char| matches!(c, ',' | '，' | '、' | ';' | '；');
            let pieces: Vec<&str> = if content.contains(is_separator) {
                content.split(is_separator).collect()
            } else {
                content.split_whitespace().collect()
            };
            let mut concept: Vec<String> = Vec::new();
            let mut line_ok = true;
            for piece in pieces {
                let expression = normalize_expression(piece);
                if expression.is_empty() {
                    continue;
                }
                let chars = expression.chars().count();
                let problem = if chars == 1 {
                    Some(format!(
                        "“{expression}” is a single character, which would match inside unrelated words"
                    ))
                } else if chars > MAX_EXPRESSION_CHARS {
                    Some(format!(
                        "“{expression}” is longer than {MAX_EXPRESSION_CHARS} characters"
                    ))
                } else if !expression.chars().any(char::is_alphanumeric) {
                    Some(format!("“{expression}” has no letter, digit or character"))
                } else if concept.contains(&expression) {
                    Some(format!("“{expression}” is listed twice on this line"))
                } else {
                    first_seen.get(&expression).map(|other| {
                        format!("“{expression}” is already in the concept on line {other}")
                    })
                };
                match problem {
                    Some(message) => {
                        fail(message);
                        line_ok = false;
                    }
                    None => concept.push(expression),
                }
            }
            if !line_ok {
                continue;
            }
            if concept.len() < 2 {
                fail("a concept needs at least two expressions".into());
                continue;
            }
            if concept.len() > MAX_EXPRESSIONS_PER_CONCEPT {
                fail(format!(
                    "more than {MAX_EXPRESSIONS_PER_CONCEPT} expressions in one concept"
                ));
                continue;
            }
            for expression in &concept {
                first_seen.insert(expression.clone(), line);
            }
            concepts.push(concept);
            if concepts.len() > MAX_CONCEPTS {
                fail(format!("more than {MAX_CONCEPTS} concepts"));
                break;
            }
        }
        if errors.is_empty() {
            Ok(Self { concepts })
        } else {
            Err(SynonymsError { errors })
        }
    }

    /// The list in the format [`Synonyms::parse`] reads (comments are not kept): one concept a
    /// line, expressions separated by `、`.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for concept in &self.concepts {
            text.push_str(&concept.join("、"));
            text.push('\n');
        }
        text
    }

    /// The concepts, each with its expressions in the order given.
    pub fn concepts(&self) -> impl Iterator<Item = &[String]> {
        self.concepts.iter().map(Vec::as_slice)
    }

    /// The concepts whose expressions occur in `text` (as the index holds words: lower-cased),
    /// each with the expression found, longest expressions first so that `修改收件地址` is taken
    /// whole rather than as `地址`-less pieces.
    pub(crate) fn concepts_in<'s>(&'s self, text: &str) -> Vec<(&'s [String], &'s str)> {
        let mut found: Vec<(&[String], &str)> = Vec::new();
        for concept in &self.concepts {
            if let Some(expression) = concept
                .iter()
                .filter(|expression| text.contains(expression.as_str()))
                .max_by_key(|expression| expression.chars().count())
            {
                found.push((concept, expression));
            }
        }
        found.sort_by_key(|(_, expression)| std::cmp::Reverse(expression.chars().count()));
        found
    }
}

/// An expression as the index compares it: normalised like a word, inner whitespace single.
fn normalize_expression(piece: &str) -> String {
    normalize_word(piece)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<(usize, String)> {
        Synonyms::parse(text)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| (e.line, e.message))
            .collect()
    }

    #[test]
    fn the_starter_list_parses_and_keeps_the_trade_words() {
        let starter = Synonyms::parse(STARTER_SYNONYMS).unwrap();
        assert_eq!(starter, Synonyms::starter());
        let concept_of = |word: &str| {
            starter
                .concepts()
                .find(|c| c.iter().any(|e| e == word))
                .unwrap_or_else(|| panic!("{word} is in no concept"))
                .to_vec()
        };
        for group in [
            ["破损", "损坏", "压坏", "摔坏"].as_slice(),
            &["丢件", "丢失", "找不到"],
            &["受潮", "进水", "湿透"],
            &["延误", "晚到", "迟迟不到"],
        ] {
            let concept = concept_of(group[0]);
            for word in group {
                assert!(
                    concept.iter().any(|e| e == word),
                    "{word} not with {group:?}"
                );
            }
        }
        concept_of("漏派");
        assert!(concept_of("power bank").len() > 2);
    }

    #[test]
    fn the_text_format_reads_commas_spaces_and_comments() {
        let synonyms = Synonyms::parse(
            "# a comment\n\n破损 损坏  摔坏 # trailing comment\n充电宝，Power Bank, 移动电源\n丢件、丢失",
        )
        .unwrap();
        let concepts: Vec<Vec<String>> = synonyms.concepts().map(<[String]>::to_vec).collect();
        assert_eq!(
            concepts,
            [
                vec!["破损", "损坏", "摔坏"],
                vec!["充电宝", "power bank", "移动电源"],
                vec!["丢件", "丢失"],
            ]
        );
        // what to_text writes, parse reads back the same
        assert_eq!(Synonyms::parse(&synonyms.to_text()).unwrap(), synonyms);
        assert_eq!(Synonyms::parse("# nothing\n\n").unwrap(), Synonyms::empty());
    }

    #[test]
    fn bad_lines_are_each_named() {
        let errors = messages(
            "破损 破\n丢件\n延误 晚到\n晚到 迟到\n理赔 理赔\n拒收 这是一个超过二十个字的很长很长很长很长的表达方式\n改地址 ，，\n催件 !!",
        );
        let lines: Vec<usize> = errors.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [1, 2, 4, 5, 6, 7, 8], "{errors:?}");
        assert!(errors[0].1.contains("single character"), "{errors:?}");
        assert!(errors[1].1.contains("at least two"), "{errors:?}");
        assert!(errors[2].1.contains("line 3"), "{errors:?}");
        assert!(errors[3].1.contains("twice"), "{errors:?}");
        assert!(errors[4].1.contains("longer than"), "{errors:?}");
        assert!(errors[5].1.contains("at least two"), "{errors:?}");
        assert!(errors[6].1.contains("no letter"), "{errors:?}");
        let error = Synonyms::parse("破损 破").unwrap_err();
        assert!(error.to_string().contains("line 1"), "{error}");
    }

    #[test]
    fn limits_are_enforced() {
        let long = "破损 损坏\n".repeat(MAX_SYNONYMS_BYTES / 10);
        assert_eq!(messages(&long)[0].0, 0);
        let wide: Vec<String> = (0..=MAX_EXPRESSIONS_PER_CONCEPT)
            .map(|n| format!("词{n:02}"))
            .collect();
        assert!(messages(&wide.join(" "))[0].1.contains("more than"));
        let many: String = (0..=MAX_CONCEPTS)
            .map(|n| format!("甲{n} 乙{n}\n"))
            .collect();
        assert!(messages(&many)[0].1.contains("concepts"));
        assert!(messages("破损\u{7}坏 损坏")[0].1.contains("control"));
    }

    #[test]
    fn the_longest_expression_of_a_concept_is_found() {
        let synonyms = Synonyms::starter();
        let found = synonyms.concepts_in("帮我修改收件地址，外包装破损");
        let expressions: Vec<_> = found.iter().map(|(_, e)| *e).collect();
        assert_eq!(expressions, ["修改收件地址", "破损"]);
        assert!(synonyms.concepts_in("你好").is_empty());
        assert!(Synonyms::empty().concepts_in("破损").is_empty());
    }
}
