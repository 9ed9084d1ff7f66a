//! What the bot understands of a customer message: one intent of the shared taxonomy (SPEC
//! "The bot's intents") and the entities in the text. The model lives in `kefu-nlu`; the
//! domain only knows this contract, so the desk runs with any implementation.

use serde::{Deserialize, Serialize};

use crate::case::Category;

macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

codes!(
    /// The intent of one customer message.
    Intent {
        Track => "track", Delay => "delay", Lost => "lost", Damaged => "damaged",
        Pickup => "pickup", Quote => "quote", Coverage => "coverage", Prohibited => "prohibited",
        ChangeDelivery => "change_delivery", Complaint => "complaint", Claim => "claim",
        Invoice => "invoice", Suggestion => "suggestion", Human => "human",
        Greeting => "greeting", Other => "other",
    }
);

codes!(
    /// What an entity found in the text is.
    EntityKind {
        Waybill => "waybill", Mobile => "mobile", Datetime => "datetime", Place => "place",
        Weight => "weight", Size => "size", Item => "item", OrderNo => "order_no",
    }
);

impl Intent {
    /// The case category a conversation with this intent belongs to, where there is one.
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

/// One entity: `start`/`end` are character offsets into the text (not bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub kind: EntityKind,
    /// The normalised value (a waybill upper-cased, a weight in kg, a time in RFC 3339).
    pub value: String,
    pub start: usize,
    pub end: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

/// What one message means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Understanding {
    pub intent: Intent,
    /// A probability in [0, 1].
    pub confidence: f64,
    pub entities: Vec<Entity>,
}

impl Understanding {
    pub fn first(&self, kind: EntityKind) -> Option<&Entity> {
        self.entities.iter().find(|e| e.kind == kind)
    }
}

/// Natural-language understanding. Time is passed in so relative dates are testable.
pub trait Understand: Send + Sync {
    fn name(&self) -> &'static str;
    fn understand(
        &self,
        text: &str,
        now: jiff::Timestamp,
        tz: &jiff::tz::TimeZone,
    ) -> Understanding;
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
        use crate::Classifier as _;
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
            let category = crate::KeywordClassifier
                .classify(text, crate::customer::Grade::DEFAULT)
                .category;
            match Intent::ALL
                .iter()
                .find(|i| i.category() == Some(category) && **i != Intent::Other)
            {
                Some(i) if category != crate::case::Category::Inquiry => (*i, 0.6),
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
