//! The bot's understanding of a customer message: one [`Intent`] of the shared taxonomy (SPEC,
//! "The bot's intents") with a confidence, and the [`Entity`]s found in the text. The types live
//! here so every crate speaks the same language; the model that fills them in (`kefu-nlu`) sits
//! behind the [`Understand`] trait. Nothing here does I/O, and time is always passed in.

use serde::{Deserialize, Serialize};

use crate::codes::Category;

/// What a customer message is about. Shares its codes with [`Category`] where they overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Track,
    Delay,
    Lost,
    Damaged,
    Pickup,
    Quote,
    Coverage,
    Prohibited,
    ChangeDelivery,
    Complaint,
    Claim,
    Invoice,
    Suggestion,
    Human,
    Greeting,
    Other,
}

impl Intent {
    /// Every intent, in the SPEC's order.
    pub const ALL: [Intent; 16] = [
        Intent::Track,
        Intent::Delay,
        Intent::Lost,
        Intent::Damaged,
        Intent::Pickup,
        Intent::Quote,
        Intent::Coverage,
        Intent::Prohibited,
        Intent::ChangeDelivery,
        Intent::Complaint,
        Intent::Claim,
        Intent::Invoice,
        Intent::Suggestion,
        Intent::Human,
        Intent::Greeting,
        Intent::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Track => "track",
            Intent::Delay => "delay",
            Intent::Lost => "lost",
            Intent::Damaged => "damaged",
            Intent::Pickup => "pickup",
            Intent::Quote => "quote",
            Intent::Coverage => "coverage",
            Intent::Prohibited => "prohibited",
            Intent::ChangeDelivery => "change_delivery",
            Intent::Complaint => "complaint",
            Intent::Claim => "claim",
            Intent::Invoice => "invoice",
            Intent::Suggestion => "suggestion",
            Intent::Human => "human",
            Intent::Greeting => "greeting",
            Intent::Other => "other",
        }
    }

    /// The intent with this code (`"change_delivery"`), if any.
    pub fn parse(s: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.as_str() == s)
    }

    /// The case category a message of this intent is filed under; `None` for messages that do
    /// not make a case by themselves (a greeting, a request for a person).
    pub fn category(self) -> Option<Category> {
        Some(match self {
            Intent::Track => Category::Track,
            Intent::Delay => Category::Delay,
            Intent::Lost => Category::Lost,
            Intent::Damaged => Category::Damaged,
            Intent::Pickup => Category::Pickup,
            Intent::Quote | Intent::Coverage | Intent::Prohibited => Category::Inquiry,
            Intent::ChangeDelivery => Category::ChangeDelivery,
            Intent::Complaint => Category::Complaint,
            Intent::Claim => Category::Claim,
            Intent::Invoice => Category::Invoice,
            Intent::Suggestion => Category::Suggestion,
            Intent::Other => Category::Other,
            Intent::Human | Intent::Greeting => return None,
        })
    }
}

impl std::fmt::Display for Intent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of thing an [`Entity`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Waybill,
    Mobile,
    Datetime,
    Place,
    Weight,
    Size,
    Item,
    OrderNo,
}

impl EntityKind {
    pub const ALL: [EntityKind; 8] = [
        EntityKind::Waybill,
        EntityKind::Mobile,
        EntityKind::Datetime,
        EntityKind::Place,
        EntityKind::Weight,
        EntityKind::Size,
        EntityKind::Item,
        EntityKind::OrderNo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Waybill => "waybill",
            EntityKind::Mobile => "mobile",
            EntityKind::Datetime => "datetime",
            EntityKind::Place => "place",
            EntityKind::Weight => "weight",
            EntityKind::Size => "size",
            EntityKind::Item => "item",
            EntityKind::OrderNo => "order_no",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Something found in a message. `start`/`end` count **characters** (not bytes) of the input,
/// `end` exclusive, so `text.chars().skip(start).take(end - start)` is what was written.
///
/// `value` is normalised: a waybill number upper-cased without spaces; a mobile as 11 digits; a
/// date-time as an RFC 3339 timestamp (or a `YYYY-MM-DD` date when no time of day was given),
/// resolved against the `now` and time zone passed in; a place as the division's name (`detail`
/// `{"code": ...}`); a weight in kg as a decimal string; a size as `LxWxH` in cm; an item as its
/// name; an order number as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub kind: EntityKind,
    pub value: String,
    pub start: usize,
    pub end: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

/// The intent of a message, how sure the model is (a probability in `[0, 1]`), and what it found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Understanding {
    pub intent: Intent,
    pub confidence: f64,
    pub entities: Vec<Entity>,
}

impl Understanding {
    /// The entities of one kind, in the order they occur.
    /// The first entity of a kind.
    pub fn first(&self, kind: EntityKind) -> Option<&Entity> {
        self.entities.iter().find(|e| e.kind == kind)
    }

    pub fn entities_of(&self, kind: EntityKind) -> impl Iterator<Item = &Entity> {
        self.entities.iter().filter(move |e| e.kind == kind)
    }
}

/// A natural-language understanding model. `now` and `tz` resolve relative dates (明天下午);
/// implementations must not read the wall clock.
pub trait Understand: Send + Sync {
    /// A short name recorded with what the model decided.
    fn name(&self) -> &'static str;
    fn understand(
        &self,
        text: &str,
        now: jiff::Timestamp,
        tz: &jiff::tz::TimeZone,
    ) -> Understanding;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intent_codes_round_trip() {
        assert_eq!(Intent::ALL.len(), 16);
        for i in Intent::ALL {
            assert_eq!(Intent::parse(i.as_str()), Some(i));
            let json = serde_json::to_string(&i).unwrap();
            assert_eq!(json, format!("\"{}\"", i.as_str()));
        }
        assert_eq!(Intent::parse("nope"), None);
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
    }

    #[test]
    fn intents_map_to_existing_categories() {
        assert_eq!(Intent::Quote.category(), Some(Category::Inquiry));
        assert_eq!(Intent::Coverage.category(), Some(Category::Inquiry));
        assert_eq!(Intent::Prohibited.category(), Some(Category::Inquiry));
        assert_eq!(Intent::Greeting.category(), None);
        assert_eq!(Intent::Human.category(), None);
        // Where the codes are shared, they are the same code.
        for i in Intent::ALL {
            if let Some(c) = Category::parse(i.as_str()) {
                assert_eq!(i.category(), Some(c), "{i}");
            }
        }
    }

    #[test]
    fn detail_is_skipped_when_absent() {
        let u = Understanding {
            intent: Intent::Track,
            confidence: 0.5,
            entities: vec![Entity {
                kind: EntityKind::Mobile,
                value: "13800138000".into(),
                start: 0,
                end: 11,
                detail: None,
            }],
        };
        let json = serde_json::to_value(&u).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"intent": "track", "confidence": 0.5, "entities": [
                {"kind": "mobile", "value": "13800138000", "start": 0, "end": 11}
            ]})
        );
        let back: Understanding = serde_json::from_value(json).unwrap();
        assert_eq!(back, u);
    }
}

/// A small keyword reader for when no trained model is plugged in (tests of other parts, a
/// build without `kefu-nlu`): the case classifier's keywords, a few more for the bot's own
/// intents, and waybill and mobile numbers.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeywordUnderstanding;

impl Understand for KeywordUnderstanding {
    fn name(&self) -> &'static str {
        "keywords"
    }

    fn understand(
        &self,
        text: &str,
        _now: jiff::Timestamp,
        _tz: &jiff::tz::TimeZone,
    ) -> Understanding {
        use crate::classify::Classifier as _;
        let lower = text.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
        let recognizer = crate::waybill::Recognizer::new(crate::waybill::OwnFormat::default());
        let entities: Vec<Entity> = crate::waybill::find_numbers(&recognizer, text)
            .into_iter()
            .map(|f| Entity {
                kind: if f.kind == "mobile" {
                    EntityKind::Mobile
                } else {
                    EntityKind::Waybill
                },
                value: f.value.clone(),
                start: f.start,
                end: f.end,
                detail: None,
            })
            .collect();
        let (intent, confidence) = if text.trim().is_empty() {
            (Intent::Other, 0.0)
        } else if has(&["人工", "客服", "真人", "human", "agent"]) {
            (Intent::Human, 0.9)
        } else if has(&["你好", "您好", "谢谢", "在吗", "hello", "hi", "thanks"]) {
            (Intent::Greeting, 0.8)
        } else if has(&["寄件", "取件", "上门", "寄快递", "寄个"]) {
            (Intent::Pickup, 0.7)
        } else if has(&["能寄吗", "可以寄", "能不能寄", "禁寄"]) {
            (Intent::Prohibited, 0.7)
        } else if has(&["多少钱", "运费", "价格", "几天"]) {
            (Intent::Quote, 0.7)
        } else {
            let category = crate::classify::KeywordClassifier
                .classify(text, crate::customer::Grade::DEFAULT)
                .category;
            match Intent::ALL
                .iter()
                .find(|i| i.category() == Some(category) && **i != Intent::Other)
            {
                Some(i) if category != crate::codes::Category::Inquiry => (*i, 0.6),
                _ if !entities.is_empty() => (Intent::Track, 0.6),
                _ => (Intent::Other, 0.3),
            }
        };
        Understanding {
            intent,
            confidence,
            entities,
        }
    }
}
