//! Chinese word segmentation shared by the product: a thin wrapper over `jieba-rs` whose embedded
//! dictionary (compiled into the binary, nothing is downloaded) is extended with logistics and
//! e-commerce words ([`LOGISTICS_WORDS`]) so that 运单号, 上门取件 or 充电宝 come out as words.
//!
//! Building a [`Segmenter`] parses the whole dictionary (about 350 000 entries), so build one
//! once: [`Segmenter::shared`] is the product-wide instance; a caller that needs words of its own
//! clones it (or starts from [`Segmenter::new`]) and adds them with [`Segmenter::add_word`].
//!
//! ```
//! let words = kefu_text::Segmenter::shared().words("烟花爆竹");
//! assert!(words.iter().any(|w| w == "烟花"));
//! assert!(words.iter().any(|w| w == "爆竹"));
//! assert!(words.iter().any(|w| w == "烟花爆竹"));
//! ```

use std::fmt;
use std::sync::LazyLock;

use jieba_rs::Jieba;

/// Words the product's texts use that the general dictionary lacks or splits: courier trade
/// terms, item names that matter for pickup rules, carrier and service names.
pub const LOGISTICS_WORDS: &[&str] = &[
    // the trade
    "快递",
    "快递员",
    "快递单",
    "快递单号",
    "运单",
    "运单号",
    "单号",
    "面单",
    "电子面单",
    "揽收",
    "揽件",
    "派送",
    "派件",
    "签收",
    "代签收",
    "拒收",
    "丢件",
    "破损",
    "错件",
    "漏件",
    "理赔",
    "索赔",
    "保价",
    "保价费",
    "到付",
    "寄付",
    "月结",
    "上门取件",
    "预约取件",
    "首重",
    "续重",
    "抛重",
    "体积重",
    "计费重量",
    "偏远地区",
    "中转",
    "中转站",
    "分拣中心",
    "网点",
    "驿站",
    "快递柜",
    "自提",
    "退件",
    "转寄",
    "改地址",
    "催件",
    "催派",
    "物流",
    "同城",
    "省内",
    "跨省",
    "标快",
    "特快",
    "陆运",
    "空运",
    "冷链",
    // carriers and places the parcels sit
    "顺丰",
    "中通",
    "圆通",
    "申通",
    "韵达",
    "极兔",
    "京东物流",
    "德邦",
    "邮政",
    "菜鸟驿站",
    "丰巢",
    // e-commerce
    "包邮",
    "退货",
    "换货",
    "仅退款",
    "退运费",
    "运费险",
    "七天无理由",
    // items pickup rules care about
    "锂电池",
    "充电宝",
    "移动电源",
    "电动车电池",
    "打火机",
    "酒精湿巾",
    "医用酒精",
];

/// A word segmenter: the embedded jieba dictionary, [`LOGISTICS_WORDS`], and whatever the caller
/// adds. Cheap to use from many threads (`&self`); expensive to build (see the crate docs).
#[derive(Clone)]
pub struct Segmenter {
    jieba: Jieba,
    added: usize,
}

static SHARED: LazyLock<Segmenter> = LazyLock::new(Segmenter::new);

impl Segmenter {
    /// A segmenter with the embedded dictionary and [`LOGISTICS_WORDS`]. Prefer
    /// [`Segmenter::shared`] (or a clone of it) over building a new one.
    pub fn new() -> Self {
        let mut segmenter = Self {
            jieba: Jieba::new(),
            added: 0,
        };
        segmenter.add_words(LOGISTICS_WORDS.iter().copied());
        segmenter
    }

    /// The product-wide segmenter, built on first use.
    pub fn shared() -> &'static Segmenter {
        &SHARED
    }

    /// Adds `word` to the dictionary with a frequency just high enough that the word wins over
    /// the pieces it would otherwise be cut into (jieba's `suggest_freq`). Surrounding
    /// whitespace is trimmed; an empty word is ignored.
    pub fn add_word(&mut self, word: &str) -> &mut Self {
        let word = word.trim();
        if !word.is_empty() {
            self.jieba.add_word(word, None, None);
            self.added += 1;
        }
        self
    }

    /// [`Segmenter::add_word`] for each of `words`.
    pub fn add_words<'w>(&mut self, words: impl IntoIterator<Item = &'w str>) -> &mut Self {
        for word in words {
            self.add_word(word);
        }
        self
    }

    /// Builder form of [`Segmenter::add_words`].
    #[must_use]
    pub fn with_words<'w>(mut self, words: impl IntoIterator<Item = &'w str>) -> Self {
        self.add_words(words);
        self
    }

    /// Whether `word` is in the dictionary (embedded, built-in or added).
    pub fn has_word(&self, word: &str) -> bool {
        self.jieba.has_word(word)
    }

    /// Search-mode cut, for indexing and matching: every word of the precise cut, and before a
    /// long word its 2- and 3-character sub-words that are themselves in the dictionary
    /// (烟花爆竹 → 烟花, 爆竹, 烟花爆竹). Whitespace and punctuation are dropped; Latin letters
    /// and digits are kept as they were written.
    pub fn words(&self, text: &str) -> Vec<String> {
        self.jieba
            .cut_for_search(text, true)
            .into_iter()
            .filter(|token| is_word(token.word))
            .map(|token| token.word.to_owned())
            .collect()
    }

    /// Precise cut: the text split into non-overlapping words, in order, with whitespace and
    /// punctuation dropped. Use it where a word's neighbours matter (a word is never counted
    /// twice, and no word straddles two of these).
    pub fn cut(&self, text: &str) -> Vec<String> {
        self.jieba
            .cut(text, true)
            .into_iter()
            .filter(|token| is_word(token.word))
            .map(|token| token.word.to_owned())
            .collect()
    }

    /// [`Segmenter::words`] with where each word sits in `text`, for an indexer that must point
    /// back into the text (highlighting) and place words by position (phrases). Sub-words of a
    /// search-mode cut overlap the compound they come from.
    pub fn word_spans<'t>(&self, text: &'t str) -> Vec<WordSpan<'t>> {
        spans(self.jieba.cut_for_search(text, true))
    }

    /// [`Segmenter::cut`] with where each word sits in `text` (no overlaps).
    pub fn cut_spans<'t>(&self, text: &'t str) -> Vec<WordSpan<'t>> {
        spans(self.jieba.cut(text, true))
    }
}

/// A word of a cut and its place in the text it was cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordSpan<'t> {
    /// The word, a slice of the text.
    pub word: &'t str,
    /// Byte offset of the word's first byte.
    pub byte_start: usize,
    /// Byte offset just past the word.
    pub byte_end: usize,
    /// Offset of the word's first character, counted in characters.
    pub char_start: usize,
}

fn spans(tokens: Vec<jieba_rs::Token<'_>>) -> Vec<WordSpan<'_>> {
    tokens
        .into_iter()
        .filter(|token| is_word(token.word))
        .map(|token| WordSpan {
            word: token.word,
            byte_start: token.byte_start,
            byte_end: token.byte_end,
            char_start: token.start,
        })
        .collect()
}

impl Default for Segmenter {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Segmenter")
            .field("added_words", &self.added)
            .finish_non_exhaustive()
    }
}

/// A token counts as a word when it has a letter, digit or CJK character in it.
fn is_word(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistics_words_are_in_the_dictionary() {
        let segmenter = Segmenter::shared();
        for word in LOGISTICS_WORDS {
            assert!(segmenter.has_word(word), "{word}");
        }
    }

    #[test]
    fn logistics_words_come_out_whole() {
        let cut = Segmenter::shared().cut("请帮我查一下运单号，明天上门取件，到付可以吗");
        for word in ["运单号", "上门取件", "到付"] {
            assert!(cut.iter().any(|w| w == word), "{word} not in {cut:?}");
        }
    }

    #[test]
    fn search_mode_yields_sub_words() {
        let words = Segmenter::shared().words("烟花爆竹");
        assert_eq!(words, ["烟花", "爆竹", "烟花爆竹"]);
    }

    #[test]
    fn punctuation_and_spaces_are_dropped() {
        let words = Segmenter::shared().cut("充电宝， 两个！ iPhone 15");
        assert_eq!(words, ["充电宝", "两个", "iPhone", "15"]);
    }

    #[test]
    fn empty_text_has_no_words() {
        assert!(Segmenter::shared().words("").is_empty());
        assert!(Segmenter::shared().cut(" ，。").is_empty());
    }

    #[test]
    fn added_words_segment_as_words() {
        let text = "三棱刮刀一把";
        let mut segmenter = Segmenter::shared().clone();
        let before = segmenter.cut(text);
        assert!(!before.iter().any(|w| w == "三棱刮刀"), "{before:?}");
        segmenter.add_word(" 三棱刮刀 ").add_word("");
        assert!(segmenter.has_word("三棱刮刀"));
        assert!(!segmenter.has_word(""));
        assert_eq!(segmenter.cut(text), ["三棱刮刀", "一把"]);
        // the shared instance is untouched
        assert!(!Segmenter::shared().has_word("三棱刮刀"));
    }

    #[test]
    fn spans_point_back_into_the_text() {
        let text = "A1 烟花爆竹，禁寄";
        let spans = Segmenter::shared().word_spans(text);
        for span in &spans {
            assert_eq!(&text[span.byte_start..span.byte_end], span.word);
            assert_eq!(text[..span.byte_start].chars().count(), span.char_start);
        }
        let words: Vec<_> = spans.iter().map(|s| s.word).collect();
        assert_eq!(words, ["A1", "烟花", "爆竹", "烟花爆竹", "禁", "寄"]);
        let cut: Vec<_> = Segmenter::shared()
            .cut_spans(text)
            .iter()
            .map(|s| s.word)
            .collect();
        assert_eq!(cut, Segmenter::shared().cut(text));
    }

    #[test]
    fn builder_adds_words() {
        let segmenter = Segmenter::shared().clone().with_words(["溴代苯丙酮"]);
        assert_eq!(segmenter.cut("溴代苯丙酮"), ["溴代苯丙酮"]);
    }
}
