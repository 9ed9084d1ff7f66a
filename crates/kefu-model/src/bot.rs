//! The chat bot's dialogue: it answers first, 24 h, and hands over to a person (R-CH-2,
//! R-MG-8). `decide` is pure: the dialogue state and what the NLU understood go in, one step
//! comes out; the desk carries the step out (a tracking query, a quote, a booking) and writes
//! the bot's reply and its new state as events of the chat case, so the agent who takes over
//! sees everything the bot did and understood.

use serde::{Deserialize, Serialize};

use crate::nlu::{EntityKind, Intent, Understanding};

/// Below this the bot is not sure what the customer means.
pub const LOW_CONFIDENCE: f64 = 0.45;

/// Two rejected answers or two unsure turns hand the chat to a person.
pub const STRIKES: u8 = 2;

/// Where the bot's side of a conversation stands; folded into the case (`Case::bot`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BotState {
    /// False once a person has the conversation.
    pub active: bool,
    pub turns: u32,
    /// Answers the customer said did not help, in a row.
    pub rejected: u8,
    /// Turns the bot was unsure about, in a row.
    pub low_confidence: u8,
    pub last_intent: Option<Intent>,
    /// What the bot asked for and waits to hear.
    pub awaiting: Option<Awaiting>,
    /// A pickup being booked, slot by slot.
    pub pickup: PickupSlots,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handed_over_at: Option<jiff::Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handover_reason: Option<String>,
}

impl Default for BotState {
    fn default() -> Self {
        BotState {
            active: true,
            turns: 0,
            rejected: 0,
            low_confidence: 0,
            last_intent: None,
            awaiting: None,
            pickup: PickupSlots::default(),
            handed_over_at: None,
            handover_reason: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Awaiting {
    /// A waybill number, or the phone for a search without one.
    WaybillOrPhone,
    /// An item name for the prohibited-items check.
    Item,
    /// Destination and weight for a price.
    QuoteDetails,
    /// A place for the coverage check.
    Place,
    /// The next missing detail of a pickup.
    PickupDetail,
    /// "Yes" to the quoted pickup.
    PickupConfirm,
}

/// What a pickup booking needs; filled over several turns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PickupSlots {
    pub name: Option<String>,
    pub phone: Option<String>,
    /// Where to collect (the sender's address).
    pub address: Option<String>,
    pub destination: Option<String>,
    pub item: Option<String>,
    pub weight_kg: Option<String>,
    pub time: Option<String>,
}

impl PickupSlots {
    /// The first missing slot, in the order an agent asks (R-PU-2).
    pub fn missing(&self) -> Option<PickupSlot> {
        [
            (PickupSlot::Address, self.address.is_none()),
            (PickupSlot::Destination, self.destination.is_none()),
            (PickupSlot::Item, self.item.is_none()),
            (PickupSlot::Weight, self.weight_kg.is_none()),
            (PickupSlot::Phone, self.phone.is_none()),
            (PickupSlot::Name, self.name.is_none()),
        ]
        .into_iter()
        .find_map(|(slot, missing)| missing.then_some(slot))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickupSlot {
    Address,
    Destination,
    Item,
    Weight,
    Phone,
    Name,
}

impl PickupSlot {
    pub fn question(self, en: bool) -> &'static str {
        match (self, en) {
            (PickupSlot::Address, false) => "请告诉我取件地址（省市区和详细地址）。",
            (PickupSlot::Destination, false) => "寄到哪里？请告诉我收件地址（到区县即可报价）。",
            (PickupSlot::Item, false) => "寄的是什么物品？",
            (PickupSlot::Weight, false) => "大概多重？（例如 3公斤）",
            (PickupSlot::Phone, false) => "请留一个联系手机号，快递员上门前会联系您。",
            (PickupSlot::Name, false) => "请问寄件人怎么称呼？",
            (PickupSlot::Address, true) => {
                "Where should we collect it? (province, city, district and street address)"
            }
            (PickupSlot::Destination, true) => {
                "Where does it go? The district is enough for a price."
            }
            (PickupSlot::Item, true) => "What are you sending?",
            (PickupSlot::Weight, true) => "About how heavy is it? (e.g. 3 kg)",
            (PickupSlot::Phone, true) => {
                "Please leave a mobile number; the courier calls before coming."
            }
            (PickupSlot::Name, true) => "And the sender's name?",
        }
    }
}

/// What the bot says when it only needs words (answers with facts are made by the desk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phrase {
    Rejected,
    Cancelled,
    NotUnderstood,
    Greeting,
    AskWaybillOrPhone,
    AskItem,
    AskPlace,
    AskQuoteDetails,
    Ask(PickupSlot),
}

impl Phrase {
    pub fn text(self, en: bool) -> &'static str {
        let (zh, english) = match self {
            Phrase::Rejected => (
                "抱歉没能帮到您。能换个说法再说一次吗？也可以输入「人工」转人工客服。",
                "Sorry that did not help. Could you put it another way? Or type \"agent\" for a person.",
            ),
            Phrase::Cancelled => (
                "好的，已取消这次预约。还有什么可以帮您？",
                "All right, the booking is cancelled. Anything else?",
            ),
            Phrase::NotUnderstood => (
                "抱歉，我没太明白。您可以说「查快递」「寄快递」「运费多少」「能不能寄」，或输入「人工」。",
                "Sorry, I did not quite get that. Try \"track my parcel\", \"send a parcel\", \"how much\" or \"can I send…\", or type \"agent\".",
            ),
            Phrase::Greeting => (
                "您好！这里是在线客服，查件、寄件、运费、能否寄递都可以问我。",
                "Hello! Ask me about tracking, sending a parcel, prices or what can be sent.",
            ),
            Phrase::AskWaybillOrPhone => (
                "请发一下运单号；没有单号的话，发寄件人或收件人的手机号我帮您查。",
                "Please send the waybill number, or without one the sender's or recipient's mobile number.",
            ),
            Phrase::AskItem => ("您想寄什么物品？", "What would you like to send?"),
            Phrase::AskPlace => (
                "请问是哪个地区？（省市区）",
                "Which place? (province, city, district)",
            ),
            Phrase::AskQuoteDetails => (
                "请告诉我从哪里寄到哪里、大概多重，例如「杭州寄北京 3公斤」。",
                "From where to where, and how heavy? E.g. \"Hangzhou to Beijing 3 kg\".",
            ),
            Phrase::Ask(slot) => return slot.question(en),
        };
        if en { english } else { zh }
    }
}

/// What the bot does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Answer with these words.
    Say(Phrase),
    /// Look the parcel up by its number.
    Track { waybill_no: String },
    /// Look for parcels by the customer's phone (no number).
    TrackByPhone { phone: String },
    /// Check an item against the prohibited list.
    CheckItem { item: String },
    /// Tell whether a place is served.
    Coverage { place: String },
    /// Price a parcel.
    Quote {
        origin: String,
        destination: String,
        weight_kg: String,
    },
    /// All pickup slots are there: quote them and ask to confirm.
    QuotePickup,
    /// The customer confirmed: book it.
    BookPickup,
    /// Answer from the best public knowledge-base article when it is strong enough, else
    /// say none was found (`handover_otherwise`: hand over instead, for an intent a person
    /// can serve).
    Faq {
        question: String,
        intent: Option<Intent>,
        handover_otherwise: bool,
    },
    /// A person takes over.
    Handover { reason: String },
}

/// Words of a customer who is angry: they get a person at once (R-TRK-9).
const ANGRY: &[&str] = &[
    "😡",
    "🤬",
    "垃圾",
    "气死",
    "什么破",
    "太差劲",
    "骗子",
    "滚",
    "妈的",
    "tmd",
    "无语死",
    "忍无可忍",
    "太过分",
];

/// Words that reject the bot's last answer.
const REJECTS: &[&str] = &[
    "没用",
    "不对",
    "不是这个",
    "没解决",
    "答非所问",
    "不是我问的",
    "听不懂",
    "机器人",
    "useless",
    "not helpful",
    "wrong answer",
];

const CONFIRMS: &[&str] = &[
    "确认",
    "可以",
    "好的",
    "好",
    "是的",
    "没问题",
    "下单",
    "行",
    "ok",
    "yes",
    "嗯",
];

const DECLINES: &[&str] = &["不用了", "取消", "算了", "不要", "no", "cancel"];

fn has_any(text: &str, words: &[&str]) -> bool {
    let lower = text.to_lowercase();
    words.iter().any(|w| lower.contains(w))
}

/// True when the customer is angry.
pub fn is_angry(text: &str) -> bool {
    has_any(text, ANGRY) || text.matches(['！', '!']).count() >= 4
}

/// The next step for `text`, which the NLU read as `u`, and the state after it.
pub fn decide(state: &BotState, u: &Understanding, text: &str) -> (Step, BotState) {
    let mut next = state.clone();
    next.turns += 1;
    let entity = |k: EntityKind| u.first(k).map(|e| e.value.clone());
    let handover = |next: &mut BotState, reason: &str| {
        next.awaiting = None;
        (
            Step::Handover {
                reason: reason.to_string(),
            },
            next.clone(),
        )
    };

    // A person when asked for, when it is serious, or when the customer is angry.
    if is_angry(text) {
        return handover(&mut next, "angry");
    }
    if u.intent == Intent::Human {
        return handover(&mut next, "asked_for_person");
    }
    if matches!(
        u.intent,
        Intent::Complaint | Intent::Claim | Intent::Lost | Intent::Damaged
    ) && u.confidence >= LOW_CONFIDENCE
    {
        return handover(&mut next, u.intent.as_str());
    }
    if state.turns > 0 && state.last_intent.is_some() && has_any(text, REJECTS) {
        next.rejected += 1;
        if next.rejected >= STRIKES {
            return handover(&mut next, "answers_rejected");
        }
        next.awaiting = None;
        return (Step::Say(Phrase::Rejected), next);
    }

    // Answers to what the bot asked for come first.
    if let Some(awaiting) = state.awaiting {
        match awaiting {
            Awaiting::WaybillOrPhone => {
                if let Some(w) = entity(EntityKind::Waybill) {
                    next.awaiting = None;
                    return (Step::Track { waybill_no: w }, next);
                }
                if let Some(p) = entity(EntityKind::Mobile) {
                    next.awaiting = None;
                    return (Step::TrackByPhone { phone: p }, next);
                }
            }
            Awaiting::Item => {
                if let Some(item) = entity(EntityKind::Item).or_else(|| short_text(text)) {
                    next.awaiting = None;
                    return (Step::CheckItem { item }, next);
                }
            }
            Awaiting::Place => {
                let place = u.first(EntityKind::Place).map(place_text);
                if let Some(place) = place.or_else(|| short_text(text)) {
                    next.awaiting = None;
                    return (Step::Coverage { place }, next);
                }
            }
            Awaiting::QuoteDetails => {
                if let Some(step) = quote_step(u) {
                    next.awaiting = None;
                    return (step, next);
                }
            }
            Awaiting::PickupConfirm => {
                if has_any(text, DECLINES) {
                    next.awaiting = None;
                    next.pickup = PickupSlots::default();
                    return (Step::Say(Phrase::Cancelled), next);
                }
                if has_any(text, CONFIRMS) {
                    next.awaiting = None;
                    return (Step::BookPickup, next);
                }
            }
            Awaiting::PickupDetail => {
                fill_pickup(&mut next.pickup, u, text, true);
                return pickup_next(next);
            }
        }
    }

    if u.confidence < LOW_CONFIDENCE || u.intent == Intent::Other {
        next.low_confidence += 1;
        if next.low_confidence >= STRIKES {
            return handover(&mut next, "not_understood");
        }
        // Maybe the help centre answers it; the desk resets the count when it does.
        return (
            Step::Faq {
                question: text.trim().to_string(),
                // The guess is too unsure to pick the article by.
                intent: None,
                handover_otherwise: false,
            },
            next,
        );
    }
    next.low_confidence = 0;
    next.last_intent = Some(u.intent);
    match u.intent {
        Intent::Greeting => (Step::Say(Phrase::Greeting), next),
        Intent::Track | Intent::Delay | Intent::ChangeDelivery => {
            if u.intent == Intent::ChangeDelivery {
                return handover(&mut next, "change_delivery");
            }
            if let Some(w) = entity(EntityKind::Waybill) {
                (Step::Track { waybill_no: w }, next)
            } else if let Some(p) = entity(EntityKind::Mobile) {
                (Step::TrackByPhone { phone: p }, next)
            } else {
                next.awaiting = Some(Awaiting::WaybillOrPhone);
                (Step::Say(Phrase::AskWaybillOrPhone), next)
            }
        }
        Intent::Prohibited => match entity(EntityKind::Item) {
            Some(item) => (Step::CheckItem { item }, next),
            None => {
                next.awaiting = Some(Awaiting::Item);
                (Step::Say(Phrase::AskItem), next)
            }
        },
        Intent::Coverage => match u.first(EntityKind::Place).map(place_text) {
            Some(place) => (Step::Coverage { place }, next),
            None => {
                next.awaiting = Some(Awaiting::Place);
                (Step::Say(Phrase::AskPlace), next)
            }
        },
        Intent::Quote => match quote_step(u) {
            Some(step) => (step, next),
            None => {
                next.awaiting = Some(Awaiting::QuoteDetails);
                (Step::Say(Phrase::AskQuoteDetails), next)
            }
        },
        Intent::Pickup => {
            fill_pickup(&mut next.pickup, u, text, false);
            pickup_next(next)
        }
        // Invoices are mostly how-to questions the help centre answers; a person otherwise.
        Intent::Invoice => (
            Step::Faq {
                question: text.trim().to_string(),
                intent: Some(Intent::Invoice),
                handover_otherwise: true,
            },
            next,
        ),
        // Suggestions, and the intents served above (handover) or by the fallback.
        _ => handover(&mut next, u.intent.as_str()),
    }
}

/// A place as the address parser reads it best: province, city and district from the NLU's
/// detail ("西湖区" alone is ambiguous, "浙江省杭州市西湖区" is not).
fn place_text(e: &crate::nlu::Entity) -> String {
    let part = |k: &str| {
        e.detail
            .as_ref()
            .and_then(|d| d.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let mut out = String::new();
    for k in ["province", "city", "district"] {
        if let Some(p) = part(k)
            && !out.ends_with(&p)
        {
            out.push_str(&p);
        }
    }
    if out.is_empty() { e.value.clone() } else { out }
}

/// A price needs where from, where to and the weight: the first place named is the origin.
fn quote_step(u: &Understanding) -> Option<Step> {
    let mut places = u.entities.iter().filter(|e| e.kind == EntityKind::Place);
    let origin = place_text(places.next()?);
    let destination = place_text(places.next()?);
    let weight_kg = u.first(EntityKind::Weight)?.value.clone();
    Some(Step::Quote {
        origin,
        destination,
        weight_kg,
    })
}

fn pickup_next(mut next: BotState) -> (Step, BotState) {
    match next.pickup.missing() {
        Some(slot) => {
            next.awaiting = Some(Awaiting::PickupDetail);
            (Step::Say(Phrase::Ask(slot)), next)
        }
        None => {
            next.awaiting = Some(Awaiting::PickupConfirm);
            (Step::QuotePickup, next)
        }
    }
}

/// A short answer taken as it is ("锂电池", "新疆").
fn short_text(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty() && t.chars().count() <= 20).then(|| t.to_string())
}

/// Fills the slots this message answers. When it answers the bot's question (`answering`), the
/// slot asked for also takes a bare answer ("张三", an address without a cue).
fn fill_pickup(slots: &mut PickupSlots, u: &Understanding, text: &str, answering: bool) {
    let asked = slots.missing().filter(|_| answering);
    let places: Vec<&crate::nlu::Entity> = u
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Place)
        .collect();
    if let Some(p) = u.first(EntityKind::Mobile) {
        slots.phone.get_or_insert(p.value.clone());
    }
    if let Some(w) = u.first(EntityKind::Weight) {
        slots.weight_kg.get_or_insert(w.value.clone());
    }
    if let Some(i) = u.first(EntityKind::Item) {
        slots.item.get_or_insert(i.value.clone());
    }
    if let Some(t) = u.first(EntityKind::Datetime) {
        slots.time.get_or_insert(t.value.clone());
    }
    let trimmed = text.trim();
    match asked {
        Some(PickupSlot::Address) if !places.is_empty() || trimmed.chars().count() >= 6 => {
            slots.address = Some(trimmed.to_string());
        }
        Some(PickupSlot::Destination) if !places.is_empty() || trimmed.chars().count() >= 2 => {
            slots.destination = Some(trimmed.to_string());
        }
        Some(PickupSlot::Item) if slots.item.is_none() && !trimmed.is_empty() => {
            slots.item = short_text(trimmed);
        }
        Some(PickupSlot::Name) if !trimmed.is_empty() && trimmed.chars().count() <= 20 => {
            slots.name = Some(trimmed.to_string());
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::Entity;

    fn u(intent: Intent, confidence: f64, entities: Vec<(EntityKind, &str)>) -> Understanding {
        Understanding {
            intent,
            confidence,
            entities: entities
                .into_iter()
                .map(|(kind, value)| Entity {
                    kind,
                    value: value.into(),
                    start: 0,
                    end: 0,
                    detail: None,
                })
                .collect(),
        }
    }

    #[test]
    fn tracking_asks_for_the_number_then_looks_it_up() {
        let s = BotState::default();
        let (step, s) = decide(&s, &u(Intent::Track, 0.9, vec![]), "我的快递到哪了");
        assert!(matches!(step, Step::Say(_)));
        assert_eq!(s.awaiting, Some(Awaiting::WaybillOrPhone));
        let (step, s) = decide(
            &s,
            &u(
                Intent::Other,
                0.2,
                vec![(EntityKind::Mobile, "13800138000")],
            ),
            "13800138000",
        );
        assert_eq!(
            step,
            Step::TrackByPhone {
                phone: "13800138000".into()
            }
        );
        assert_eq!(s.awaiting, None);
    }

    #[test]
    fn serious_intents_and_anger_go_to_a_person() {
        let s = BotState::default();
        for intent in [
            Intent::Human,
            Intent::Complaint,
            Intent::Lost,
            Intent::Claim,
        ] {
            let (step, _) = decide(&s, &u(intent, 0.8, vec![]), "…");
            assert!(matches!(step, Step::Handover { .. }), "{intent}");
        }
        let (step, _) = decide(&s, &u(Intent::Track, 0.9, vec![]), "到底在哪 😡");
        assert_eq!(
            step,
            Step::Handover {
                reason: "angry".into()
            }
        );
    }

    #[test]
    fn two_unsure_turns_or_two_rejections_hand_over() {
        let s = BotState::default();
        let (_, s) = decide(&s, &u(Intent::Other, 0.2, vec![]), "嗯嗯啊");
        let (step, _) = decide(&s, &u(Intent::Other, 0.2, vec![]), "啊这");
        assert!(matches!(step, Step::Handover { reason } if reason == "not_understood"));

        let s = BotState::default();
        let (_, s) = decide(&s, &u(Intent::Greeting, 0.9, vec![]), "你好");
        let (_, s) = decide(&s, &u(Intent::Other, 0.5, vec![]), "没用");
        let (step, _) = decide(&s, &u(Intent::Other, 0.5, vec![]), "还是没用");
        assert!(matches!(step, Step::Handover { reason } if reason == "answers_rejected"));
    }

    #[test]
    fn pickup_fills_slots_then_asks_to_confirm() {
        let mut s = BotState::default();
        let (step, next) = decide(
            &s,
            &u(
                Intent::Pickup,
                0.9,
                vec![(EntityKind::Weight, "3"), (EntityKind::Item, "衣服")],
            ),
            "我要寄3公斤衣服",
        );
        assert!(matches!(step, Step::Say(_)));
        s = next;
        for answer in [
            "浙江省杭州市西湖区文三路100号",
            "北京市朝阳区",
            "13800138000",
            "张三",
        ] {
            let entities = if answer.starts_with("138") {
                vec![(EntityKind::Mobile, answer)]
            } else {
                vec![]
            };
            let (_, next) = decide(&s, &u(Intent::Other, 0.3, entities), answer);
            s = next;
        }
        assert_eq!(s.pickup.missing(), None, "{:?}", s.pickup);
        assert_eq!(s.awaiting, Some(Awaiting::PickupConfirm));
        let (step, _) = decide(&s, &u(Intent::Other, 0.3, vec![]), "确认");
        assert_eq!(step, Step::BookPickup);
    }
}
