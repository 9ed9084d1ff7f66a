//! The tantivy tokenizer over `kefu_text::Segmenter::shared()`.
//!
//! `tantivy-jieba` 0.21 uses the same jieba-rs (0.11) as the workspace, but it either builds its
//! own global `Jieba` (without our logistics words, and a second 350 000-word dictionary in
//! memory) or owns one given to it, which tantivy would clone with every analyzer clone. This
//! adapter borrows the product's one segmenter instead.

use kefu_text::Segmenter;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::identifiers::fold_full_width;

/// Name the tokenizer is registered under in every index of ours.
pub(crate) const CHINESE_TOKENIZER: &str = "kefu_zh";

/// Words longer than this (in bytes) are not indexed: base64 blobs and URLs pasted into a
/// message are not something anyone types into a search box.
const MAX_WORD_BYTES: usize = 64;

/// Search-mode jieba cut, lower-cased. (jieba cuts full-width letters one by one, so `ＳＦ` in a
/// text is two words; identifiers, which matter more, are folded to ASCII before indexing.)
///
/// A token's position is the character offset where its word starts, not its ordinal: the
/// search-mode cut emits sub-words that overlap their compound (烟花@0 爆竹@2 烟花爆竹@0), and
/// character positions keep a phrase of precise-cut words (`修改@0 收件@2 地址@4`) matching
/// whichever way the surrounding text was cut.
#[derive(Clone)]
pub(crate) struct ChineseTokenizer {
    segmenter: &'static Segmenter,
}

impl ChineseTokenizer {
    pub(crate) fn new() -> Self {
        Self {
            segmenter: Segmenter::shared(),
        }
    }
}

/// The text of a word as the index holds it.
pub(crate) fn normalize_word(word: &str) -> String {
    word.chars()
        .map(fold_full_width)
        .flat_map(char::to_lowercase)
        .collect()
}

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = ChineseTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChineseTokenStream {
        let mut tokens: Vec<Token> = Vec::new();
        for span in self.segmenter.word_spans(text) {
            if span.word.len() > MAX_WORD_BYTES {
                continue;
            }
            if let Some(tail) = last_ideograph_of_compound(span.word) {
                let position = span.char_start + span.word.chars().count() - 1;
                tokens.push(Token {
                    offset_from: span.byte_end - tail.len_utf8(),
                    offset_to: span.byte_end,
                    position,
                    text: tail_term(tail),
                    position_length: 1,
                });
            }
            tokens.push(Token {
                offset_from: span.byte_start,
                offset_to: span.byte_end,
                position: span.char_start,
                text: normalize_word(span.word),
                position_length: 1,
            });
        }
        // tantivy stores each word's positions as increasing deltas; a sub-word's tail and its
        // compound's can be the same character at the same place.
        tokens.sort_by(|a, b| {
            (a.position, a.offset_from, &a.text).cmp(&(b.position, b.offset_from, &b.text))
        });
        tokens.dedup_by(|a, b| a.position == b.position && a.text == b.text);
        ChineseTokenStream { tokens, next: 0 }
    }
}

/// Marks a compound's last character indexed again ([`tail_term`]), so that the character
/// searched as a word of its own (好) does not match every compound ending in it (最好).
/// A private-use character: no text holds it as a word.
const TAIL_MARK: char = '\u{E000}';

/// The term a compound's last character is indexed again as.
pub(crate) fn tail_term(tail: char) -> String {
    [TAIL_MARK, tail].iter().collect()
}

/// How many characters of the text a term stands for (a [`tail_term`] one).
pub(crate) fn text_chars(term: &str) -> usize {
    term.chars().filter(|&c| c != TAIL_MARK).count()
}

/// The last character of a word of two or more ideographs, indexed again as a [`tail_term`]:
/// jieba joins a word's first character to the text before it (被雨淋湿 is 被/雨淋/湿, 被扣费
/// is 被扣/费), and the tail lets a query for 淋湿 or 扣费 find that text as the phrase of the
/// tail 淋 and 湿…. Ideographs only: there are a few thousand, so tails add postings, not words.
fn last_ideograph_of_compound(word: &str) -> Option<char> {
    let mut chars = word.chars();
    let last = chars.next_back()?;
    let mut before = chars.peekable();
    (before.peek().is_some() && is_ideograph(last) && before.all(is_ideograph)).then_some(last)
}

pub(crate) struct ChineseTokenStream {
    tokens: Vec<Token>,
    /// Index of the token `advance` moves to; the current one is `next - 1`.
    next: usize,
}

impl TokenStream for ChineseTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    // tantivy calls `token` only after `advance` returned true, so `next - 1` is in bounds.
    #[allow(clippy::indexing_slicing)]
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    #[allow(clippy::indexing_slicing)]
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// A Chinese, Japanese or Korean ideograph: the characters jieba groups into words, and the
/// only ones a word is looked for in other pieces (Latin words and numbers are whole words
/// already, and identifiers have their own exact field).
pub(crate) fn is_ideograph(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// The characters of `expression` when it is two or more ideographs and nothing else: a word
/// the index may hold in other pieces than the search text's cut (`漏派` in `被漏派了`).
pub(crate) fn ideograph_run(expression: &str) -> Option<Vec<char>> {
    let chars: Vec<char> = expression.chars().collect();
    if chars.len() < 2 || !chars.iter().all(|&c| is_ideograph(c)) {
        return None;
    }
    Some(chars)
}

/// One word of a precise cut and its character offset from the start of the text, for building
/// phrases at query time with the same positions the indexer gave.
pub(crate) fn query_words(text: &str) -> Vec<(usize, String)> {
    Segmenter::shared()
        .cut_spans(text)
        .into_iter()
        .filter(|span| span.word.len() <= MAX_WORD_BYTES)
        .map(|span| (span.char_start, normalize_word(span.word)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize)> {
        let mut tokenizer = ChineseTokenizer::new();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let token = stream.token();
            let covered = normalize_word(&text[token.offset_from..token.offset_to]);
            let is_tail = covered.chars().count() == 1
                && covered.chars().next().map(tail_term) == Some(token.text.clone());
            assert!(covered == token.text || is_tail, "{covered} {}", token.text);
            out.push((token.text.clone(), token.position));
        }
        out
    }

    #[test]
    fn compounds_yield_their_parts_at_character_positions() {
        let tokens = tokens("禁寄烟花爆竹");
        assert!(tokens.contains(&("烟花".to_owned(), 2)), "{tokens:?}");
        assert!(tokens.contains(&("爆竹".to_owned(), 4)), "{tokens:?}");
        assert!(tokens.contains(&("烟花爆竹".to_owned(), 2)), "{tokens:?}");
    }

    #[test]
    fn a_compounds_last_ideograph_is_indexed_again_once() {
        // jieba: 包裹/被/雨淋/湿/了
        let rained = tokens("包裹被雨淋湿了");
        assert!(rained.contains(&("雨淋".to_owned(), 3)), "{rained:?}");
        assert!(rained.contains(&(tail_term('淋'), 4)), "{rained:?}");
        assert!(!rained.contains(&("淋".to_owned(), 4)), "{rained:?}");
        assert!(rained.contains(&("湿".to_owned(), 5)), "{rained:?}");
        let positions: Vec<usize> = rained.iter().map(|(_, position)| *position).collect();
        assert!(positions.windows(2).all(|pair| pair[0] <= pair[1]));
        // 爆竹 and 烟花爆竹 share their tail: one token
        let tails = tokens("烟花爆竹")
            .iter()
            .filter(|(word, _)| *word == tail_term('竹'))
            .count();
        assert_eq!(tails, 1);
        // not for Latin words or mixed ones
        assert!(
            !tokens("iphone坏了")
                .iter()
                .any(|(word, _)| *word == tail_term('e'))
        );
    }

    #[test]
    fn latin_is_lower_cased_and_digits_kept() {
        let tokens = tokens("iPhone 15 寄到 SF1234567890");
        let words: Vec<_> = tokens.iter().map(|(w, _)| w.as_str()).collect();
        assert!(words.contains(&"iphone"), "{words:?}");
        assert!(words.contains(&"15"), "{words:?}");
        assert!(words.contains(&"sf1234567890"), "{words:?}");
    }

    #[test]
    fn only_runs_of_two_or_more_ideographs_are_pieced() {
        assert_eq!(ideograph_run("漏派件"), Some(vec!['漏', '派', '件']));
        assert_eq!(ideograph_run("漏"), None);
        assert_eq!(ideograph_run("power bank"), None);
        assert_eq!(ideograph_run("iphone坏了"), None);
    }

    #[test]
    fn query_words_are_the_precise_cut_with_offsets() {
        let words = query_words("修改收件地址");
        let offsets: Vec<_> = words.iter().map(|(offset, _)| *offset).collect();
        let joined: String = words.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(joined, "修改收件地址");
        assert_eq!(offsets[0], 0);
        assert!(offsets.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
