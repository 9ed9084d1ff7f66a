//! The bot's natural-language understanding: which of the 16 intents of the SPEC a customer
//! message has (with a calibrated probability) and which entities it names — waybill numbers
//! with their carrier, mobile numbers, dates and times, places, weights, sizes, items and order
//! numbers.
//!
//! The intent model is multinomial logistic regression over jieba words, characters and
//! character bigrams of the message, and the concepts of `concepts.rs` (ways of saying the same
//! thing) its training messages contain, with extracted entities replaced by placeholder tokens
//! so that numbers and place names do not fill the vocabulary. A place entity says in its detail
//! whether it is the `origin` or the `destination` (`role`) and, when a street follows it, the
//! `street` and the whole `address` as written. [`Nlu::new`] trains it from the
//! examples in `data/train.tsv` (embedded at compile time) in a fixed order, so the same build
//! always gives the same model. Nothing here does I/O or reads the clock: `now` and the time zone
//! are passed in.
//!
//! ```
//! use kefu_model::nlu::{EntityKind, Intent, Understand};
//! let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
//! let now: jiff::Timestamp = "2026-11-24T02:00:00Z".parse().unwrap();
//! let u = kefu_nlu::Nlu::shared().understand("我的快递到哪了", now, &tz);
//! assert_eq!(u.intent, Intent::Track);
//! let u = kefu_nlu::Nlu::shared().understand("明天下午来取件", now, &tz);
//! assert_eq!(u.entities[0].kind, EntityKind::Datetime);
//! assert_eq!(u.entities[0].value, "2026-11-25T14:00:00+08:00");
//! ```

mod concepts;
mod datetime;
mod entities;
mod model;

use std::collections::HashSet;
use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_model::nlu::{Entity, EntityKind, Intent, Understand, Understanding};
use kefu_model::waybill::{OwnFormat, Recognizer};

pub use entities::COMMON_ITEMS;

/// The training examples, `intent<TAB>text` per line.
pub const TRAIN_DATA: &str = include_str!("../data/train.tsv");
/// Examples kept out of training, to measure the model.
pub const HELDOUT_DATA: &str = include_str!("../data/heldout.tsv");

/// One labelled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub intent: Intent,
    pub text: String,
    /// 1-based line in the data it came from.
    pub line: usize,
}

/// A line of example data that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for DataError {}

/// Reads `intent<TAB>text` lines; blank lines and lines starting with `#` are skipped. The
/// first line that cannot be read is the error.
pub fn parse_examples(data: &str) -> Result<Vec<Example>, DataError> {
    let (examples, errors) = read_examples(data);
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(examples),
    }
}

/// The examples of `data` that can be read, and an error for every line that cannot.
pub fn read_examples(data: &str) -> (Vec<Example>, Vec<DataError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in data.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let mut fail = |message: String| errors.push(DataError { line, message });
        let Some((label, text)) = raw.split_once('\t') else {
            fail("no tab between intent and text".into());
            continue;
        };
        let Some(intent) = Intent::parse(label.trim()) else {
            fail(format!("unknown intent {label:?}"));
            continue;
        };
        let text = text.trim();
        if text.is_empty() {
            fail("empty text".into());
            continue;
        }
        out.push(Example {
            intent,
            text: text.to_owned(),
            line,
        });
    }
    (out, errors)
}

/// How the intent model is trained: the settings of stochastic gradient descent and which
/// features it reads. The defaults are the ones chosen by cross-validation on the training data
/// (`cargo run -p kefu-nlu --example sweep`; kefu-nlu is optimised in dev builds too).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub epochs: usize,
    pub learning_rate: f32,
    /// The learning rate of epoch `e` is `learning_rate / (1 + decay · e)`.
    pub decay: f32,
    pub l2: f32,
    /// Character trigrams besides unigrams and bigrams.
    pub trigrams: bool,
    /// Pairs of neighbouring jieba words.
    pub word_bigrams: bool,
    /// The concepts of the message (`concepts.rs`: ways of saying the same thing, English too),
    /// as far as the training messages contain their expressions.
    pub concepts: bool,
    /// English words cut to a crude stem (`delayed` → `delay`) besides the words themselves.
    pub stems: bool,
    /// A place's role (origin, destination) and whether a street follows it, as features.
    pub place_roles: bool,
    /// Chance that a feature is left out of one training step (the rest scaled to match), so
    /// that a message's words keep weight beside the concept that alone would fit it.
    pub dropout: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            epochs: 30,
            learning_rate: 2.0,
            decay: 0.1,
            l2: 1e-5,
            trigrams: false,
            word_bigrams: false,
            concepts: true,
            stems: false,
            place_roles: false,
            dropout: 0.2,
        }
    }
}

impl Settings {
    fn model_config(&self) -> model::Config {
        model::Config {
            epochs: self.epochs,
            learning_rate: self.learning_rate,
            decay: self.decay,
            l2: self.l2,
            dropout: self.dropout,
            ..model::Config::default()
        }
    }
}

/// What k-fold cross-validation on training data found.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossValidation {
    pub correct: usize,
    pub total: usize,
    /// The examples the model of the other folds got wrong: index into the examples, and what
    /// it answered.
    pub misses: Vec<(usize, Intent)>,
}

impl CrossValidation {
    pub fn accuracy(&self) -> f64 {
        self.correct as f64 / self.total.max(1) as f64
    }
}

/// The understanding model: an entity extractor and a trained intent classifier.
#[derive(Debug, Clone)]
pub struct Nlu {
    extractor: entities::Extractor,
    model: model::Model,
    examples: usize,
    settings: Settings,
    lexicon: concepts::Lexicon,
}

static SHARED: LazyLock<Nlu> = LazyLock::new(Nlu::new);

/// The time used when extracting entities for training (only their spans and kinds matter).
fn training_time() -> (Timestamp, TimeZone) {
    (Timestamp::UNIX_EPOCH, TimeZone::UTC)
}

impl Nlu {
    /// A model trained from the embedded [`TRAIN_DATA`], recognising the demo operator's own
    /// waybill format ([`OwnFormat::default`]). Lines that cannot be read are skipped (the
    /// crate's tests make sure there are none).
    pub fn new() -> Nlu {
        let (examples, _) = read_examples(TRAIN_DATA);
        Nlu::train(&examples)
    }

    /// The process-wide instance, trained on first use.
    pub fn shared() -> &'static Nlu {
        &SHARED
    }

    /// A model trained on `examples` with the default [`Settings`].
    pub fn train(examples: &[Example]) -> Nlu {
        Nlu::train_with(examples, Settings::default())
    }

    /// A model trained on `examples` with `settings`.
    pub fn train_with(examples: &[Example], settings: Settings) -> Nlu {
        let extractor = entities::Extractor::new(Recognizer::new(OwnFormat::default()));
        let (now, tz) = training_time();
        let lowered: Vec<String> = examples
            .iter()
            .map(|e| normalize(&e.text).iter().collect::<String>().to_lowercase())
            .collect();
        let lexicon = if settings.concepts {
            concepts::Lexicon::seen_in(lowered.iter().map(String::as_str))
        } else {
            concepts::Lexicon::default()
        };
        let samples: Vec<model::Sample> = examples
            .iter()
            .map(|e| {
                let chars = normalize(&e.text);
                let found = extractor.extract(&chars, now, &tz);
                model::Sample {
                    class: class_of(e.intent),
                    features: features(&chars, &found, &settings, &lexicon),
                }
            })
            .collect();
        let model = model::Model::train(&samples, settings.model_config());
        Nlu {
            extractor,
            model,
            examples: examples.len(),
            settings,
            lexicon,
        }
    }

    /// k-fold cross-validated accuracy of training on `examples` (example `i` is in fold
    /// `i % folds`): a measure taken on the training data alone, for choosing features and
    /// settings without looking at held-out data.
    pub fn cross_validate(examples: &[Example], folds: usize) -> f64 {
        Nlu::cross_validate_with(examples, folds, Settings::default()).accuracy()
    }

    /// [`Nlu::cross_validate`] with `settings`, and which examples it got wrong.
    pub fn cross_validate_with(
        examples: &[Example],
        folds: usize,
        settings: Settings,
    ) -> CrossValidation {
        let folds = folds.max(2);
        let (now, tz) = training_time();
        let mut correct = 0;
        let mut misses = Vec::new();
        for fold in 0..folds {
            let train: Vec<Example> = examples
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds != fold)
                .map(|(_, e)| e.clone())
                .collect();
            let nlu = Nlu::train_with(&train, settings);
            for (i, e) in examples
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds == fold)
            {
                let answer = nlu.understand(&e.text, now, &tz).intent;
                if answer == e.intent {
                    correct += 1;
                } else {
                    misses.push((i, answer));
                }
            }
        }
        misses.sort_unstable_by_key(|m| m.0);
        CrossValidation {
            correct,
            total: examples.len(),
            misses,
        }
    }

    /// The settings this model was trained with.
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// This model with the operator's own waybill format (the `waybill_format` setting).
    #[must_use]
    pub fn with_waybill_format(mut self, own: OwnFormat) -> Nlu {
        self.extractor.recognizer = Recognizer::new(own);
        self
    }

    /// The entities of `text`, in text order, spans in characters.
    pub fn entities(&self, text: &str, now: Timestamp, tz: &TimeZone) -> Vec<Entity> {
        self.extractor.extract(&normalize(text), now, tz)
    }

    /// Every intent with its probability, most likely first (all zero for empty text, except
    /// `other`, which is then the answer with confidence 0).
    pub fn scores(&self, text: &str, now: Timestamp, tz: &TimeZone) -> Vec<(Intent, f64)> {
        self.analyse(text, now, tz).1
    }

    /// Number of distinct features the model knows.
    pub fn vocabulary_size(&self) -> usize {
        self.model.vocabulary_size()
    }

    /// How many examples it was trained on.
    pub fn training_examples(&self) -> usize {
        self.examples
    }

    /// The softmax temperature fitted by cross-validation on the training data.
    pub fn temperature(&self) -> f64 {
        self.model.temperature()
    }

    fn analyse(
        &self,
        text: &str,
        now: Timestamp,
        tz: &TimeZone,
    ) -> (Vec<Entity>, Vec<(Intent, f64)>) {
        let chars = normalize(text);
        if chars.iter().all(|c| c.is_whitespace()) {
            let scores = Intent::ALL.iter().map(|i| (*i, 0.0)).collect();
            return (Vec::new(), scores);
        }
        let found = self.extractor.extract(&chars, now, tz);
        let features = features(&chars, &found, &self.settings, &self.lexicon);
        let p = self.model.probabilities(&features);
        let mut scores: Vec<(Intent, f64)> = Intent::ALL.iter().copied().zip(p).collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        (found, scores)
    }
}

impl Default for Nlu {
    fn default() -> Self {
        Nlu::new()
    }
}

impl Understand for Nlu {
    fn name(&self) -> &'static str {
        "nlu-logreg"
    }

    fn understand(&self, text: &str, now: Timestamp, tz: &TimeZone) -> Understanding {
        let (entities, scores) = self.analyse(text, now, tz);
        match scores.first() {
            Some(&(intent, confidence)) if confidence > 0.0 => Understanding {
                intent,
                confidence: (confidence * 10_000.0).round() / 10_000.0,
                entities,
            },
            _ => Understanding {
                intent: Intent::Other,
                confidence: 0.0,
                entities,
            },
        }
    }
}

fn class_of(intent: Intent) -> usize {
    Intent::ALL
        .iter()
        .position(|i| *i == intent)
        .unwrap_or(Intent::ALL.len() - 1)
}

/// Full-width ASCII to half-width and the ideographic space to a space, one char for one char,
/// so that offsets into the result are offsets into the input.
fn normalize(text: &str) -> Vec<char> {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// The placeholder character standing for an entity of `kind` in the text the model reads.
fn placeholder(kind: EntityKind) -> char {
    let offset = EntityKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
    char::from_u32(0xE000 + u32::try_from(offset).unwrap_or(0)).unwrap_or('\u{E000}')
}

fn placeholder_name(c: char) -> Option<&'static str> {
    let offset = u32::from(c).checked_sub(0xE000)?;
    EntityKind::ALL
        .get(usize::try_from(offset).ok()?)
        .map(|k| k.as_str())
}

/// The features of a message: entity kinds, jieba words, and character unigrams and bigrams of
/// the text with entities (other than items) replaced by placeholders; trigrams, word pairs and
/// place roles as `settings` say.
fn features(
    chars: &[char],
    found: &[Entity],
    settings: &Settings,
    lexicon: &concepts::Lexicon,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut masked: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    for e in found {
        out.push(format!("e:{}", e.kind.as_str()));
        if settings.place_roles && e.kind == EntityKind::Place {
            let detail = e.detail.as_ref();
            if let Some(role) = detail.and_then(|d| d.get("role")).and_then(|r| r.as_str()) {
                out.push(format!("e:place:{role}"));
            }
            if detail.and_then(|d| d.get("street")).is_some() {
                out.push("e:place:street".into());
            }
        }
        if e.kind == EntityKind::Item
            && e.detail
                .as_ref()
                .and_then(|d| d.get("prohibited"))
                .is_some()
        {
            out.push("e:prohibited_item".into());
        }
    }
    let mut spans = found
        .iter()
        .filter(|e| e.kind != EntityKind::Item)
        .peekable();
    while i < chars.len() {
        if let Some(e) = spans.peek()
            && e.start == i
        {
            masked.push(' ');
            masked.push(placeholder(e.kind));
            masked.push(' ');
            i = e.end.max(i + 1);
            spans.next();
            continue;
        }
        masked.push(chars[i].to_ascii_lowercase());
        i += 1;
    }
    let masked_text: String = masked.iter().collect();
    for concept in lexicon.concepts_in(&masked_text) {
        out.push(format!("c:{concept}"));
    }
    let mut previous_word = String::from("^");
    for w in kefu_text::Segmenter::shared().words(&masked_text) {
        let word = if w.chars().any(|c| c.is_ascii_digit()) {
            "#".to_owned()
        } else {
            w.to_lowercase()
        };
        if settings.stems && word.len() > 4 && word.chars().all(|c| c.is_ascii_alphabetic()) {
            out.push(format!("s:{}", stem(&word)));
        }
        out.push(format!("w:{word}"));
        if settings.word_bigrams {
            out.push(format!("ww:{previous_word}|{word}"));
        }
        previous_word = word;
    }
    if settings.word_bigrams {
        out.push(format!("ww:{previous_word}|$"));
    }
    // Units: a CJK character or symbol, an ASCII word, a placeholder, ! or ?.
    let mut units: Vec<String> = vec!["^".into()];
    let mut k = 0;
    while k < masked.len() {
        let c = masked[k];
        if c.is_ascii_alphanumeric() {
            let start = k;
            while k < masked.len() && masked[k].is_ascii_alphanumeric() {
                k += 1;
            }
            let word: String = masked[start..k]
                .iter()
                .map(|c| if c.is_ascii_digit() { '#' } else { *c })
                .collect();
            units.push(word);
            continue;
        }
        k += 1;
        if let Some(name) = placeholder_name(c) {
            units.push(format!("<{name}>"));
        } else if matches!(c, '!' | '?') {
            units.push(c.to_string());
        } else if c.is_whitespace() || c.is_ascii() || is_cjk_punctuation(c) {
            continue;
        } else {
            out.push(format!("u:{c}"));
            units.push(c.to_string());
        }
    }
    units.push("$".into());
    for pair in units.windows(2) {
        out.push(format!("b:{}|{}", pair[0], pair[1]));
    }
    if settings.trigrams {
        for triple in units.windows(3) {
            out.push(format!("t:{}|{}|{}", triple[0], triple[1], triple[2]));
        }
    }
    let mut seen = HashSet::new();
    out.retain(|f| seen.insert(f.clone()));
    out
}

/// An English word without its commonest endings: `parcels`, `delayed`, `missing` → `parcel`,
/// `delay`, `miss`.
fn stem(word: &str) -> &str {
    for ending in ["ing", "ed", "es", "s", "ly"] {
        if let Some(base) = word.strip_suffix(ending)
            && base.len() >= 3
        {
            return base;
        }
    }
    word
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '（'
            | '）'
            | '《'
            | '》'
            | '【'
            | '】'
            | '…'
            | '—'
            | '～'
            | '·'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_full_width_one_to_one() {
        let text = "ＳＦ１２３　好";
        let n = normalize(text);
        assert_eq!(n.len(), text.chars().count());
        assert_eq!(n.iter().collect::<String>(), "SF123 好");
    }

    #[test]
    fn entities_become_placeholders() {
        let chars = normalize("单号SF1234567890123怎么还没到");
        let found = vec![Entity {
            kind: EntityKind::Waybill,
            value: "SF1234567890123".into(),
            start: 2,
            end: 17,
            detail: None,
        }];
        let f = features(
            &chars,
            &found,
            &Settings::default(),
            &concepts::Lexicon::default(),
        );
        assert!(f.contains(&"e:waybill".to_owned()), "{f:?}");
        assert!(f.contains(&"b:号|<waybill>".to_owned()), "{f:?}");
        assert!(!f.iter().any(|x| x.contains("1234")), "{f:?}");
    }
}

/// The process-wide model as an [`Understand`]: no copy of the weights per desk, and no
/// training until the first message (commands that never parse one never train).
#[derive(Debug, Default, Clone, Copy)]
pub struct SharedNlu;

impl kefu_model::nlu::Understand for SharedNlu {
    fn name(&self) -> &'static str {
        Nlu::shared().name()
    }

    fn understand(
        &self,
        text: &str,
        now: jiff::Timestamp,
        tz: &jiff::tz::TimeZone,
    ) -> kefu_model::nlu::Understanding {
        Nlu::shared().understand(text, now, tz)
    }
}
