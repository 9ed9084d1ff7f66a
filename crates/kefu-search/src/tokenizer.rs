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
        let tokens = self
            .segmenter
            .word_spans(text)
            .into_iter()
            .filter(|span| span.word.len() <= MAX_WORD_BYTES)
            .map(|span| Token {
                offset_from: span.byte_start,
                offset_to: span.byte_end,
                position: span.char_start,
                text: normalize_word(span.word),
                position_length: 1,
            })
            .collect();
        ChineseTokenStream { tokens, next: 0 }
    }
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

/// Name of the character-bigram tokenizer (the recall field).
pub(crate) const BIGRAM_TOKENIZER: &str = "kefu_bigram";

/// A Chinese, Japanese or Korean ideograph: the characters jieba groups into words, and the
/// only ones the bigram field indexes (Latin words and numbers are whole words already, and
/// identifiers have their own exact field).
pub(crate) fn is_ideograph(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// Every two ideographs in a row, at the character offset of the first (so the bigrams of one
/// run of text sit at consecutive positions and a phrase of them matches the run). What it
/// finds does not depend on where jieba put a word boundary: `被漏派了` holds `漏派` here even
/// though jieba cuts it 被/漏/派/了.
#[derive(Clone, Default)]
pub(crate) struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = ChineseTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChineseTokenStream {
        let mut tokens = Vec::new();
        let mut previous: Option<(usize, char)> = None;
        for (position, (byte_start, c)) in text.char_indices().enumerate() {
            if !is_ideograph(c) {
                previous = None;
                continue;
            }
            if let Some((start, first)) = previous {
                tokens.push(Token {
                    offset_from: start,
                    offset_to: byte_start + c.len_utf8(),
                    position: position - 1,
                    text: [first, c].iter().collect(),
                    position_length: 1,
                });
            }
            previous = Some((byte_start, c));
        }
        ChineseTokenStream { tokens, next: 0 }
    }
}

/// The bigrams of `expression` in order, when it is two or more ideographs and nothing else
/// (`漏派件` → 漏派, 派件); `None` for anything else, which the bigram field cannot match.
pub(crate) fn expression_bigrams(expression: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = expression.chars().collect();
    if chars.len() < 2 || !chars.iter().all(|&c| is_ideograph(c)) {
        return None;
    }
    Some(chars.windows(2).map(|pair| pair.iter().collect()).collect())
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
            assert_eq!(
                normalize_word(&text[token.offset_from..token.offset_to]),
                token.text
            );
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
    fn latin_is_lower_cased_and_digits_kept() {
        let tokens = tokens("iPhone 15 寄到 SF1234567890");
        let words: Vec<_> = tokens.iter().map(|(w, _)| w.as_str()).collect();
        assert!(words.contains(&"iphone"), "{words:?}");
        assert!(words.contains(&"15"), "{words:?}");
        assert!(words.contains(&"sf1234567890"), "{words:?}");
    }

    #[test]
    fn bigrams_cover_runs_of_ideographs_at_consecutive_positions() {
        let mut tokenizer = BigramTokenizer;
        let text = "被漏派了，SF12 改地址";
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let token = stream.token();
            assert_eq!(&text[token.offset_from..token.offset_to], token.text);
            out.push((token.text.clone(), token.position));
        }
        let expected = [
            ("被漏", 0),
            ("漏派", 1),
            ("派了", 2),
            ("改地", 10),
            ("地址", 11),
        ];
        let expected: Vec<(String, usize)> = expected
            .iter()
            .map(|(t, p)| ((*t).to_owned(), *p))
            .collect();
        assert_eq!(out, expected);
        assert_eq!(
            expression_bigrams("漏派件"),
            Some(vec!["漏派".to_owned(), "派件".to_owned()])
        );
        assert_eq!(expression_bigrams("漏"), None);
        assert_eq!(expression_bigrams("power bank"), None);
        assert_eq!(expression_bigrams("iphone坏了"), None);
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
