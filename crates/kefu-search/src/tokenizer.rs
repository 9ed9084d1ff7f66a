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
    fn query_words_are_the_precise_cut_with_offsets() {
        let words = query_words("修改收件地址");
        let offsets: Vec<_> = words.iter().map(|(offset, _)| *offset).collect();
        let joined: String = words.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(joined, "修改收件地址");
        assert_eq!(offsets[0], 0);
        assert!(offsets.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
