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
    /// A price being asked for: what the customer has said of it so far.
    pub quote: QuoteSlots,
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
            quote: QuoteSlots::default(),
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
    /// What a price still needs (`QuoteSlots::missing`).
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

/// What a price needs; a message may give any part of it ("寄到北京5公斤多少钱" gives the
/// destination and the weight), and the bot asks only for the rest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuoteSlots {
    pub origin: Option<String>,
    pub destination: Option<String>,
    pub weight_kg: Option<String>,
}

impl QuoteSlots {
    pub fn missing(&self) -> Option<QuoteSlot> {
        [
            (QuoteSlot::Origin, self.origin.is_none()),
            (QuoteSlot::Destination, self.destination.is_none()),
            (QuoteSlot::Weight, self.weight_kg.is_none()),
        ]
        .into_iter()
        .find_map(|(slot, missing)| missing.then_some(slot))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteSlot {
    Origin,
    Destination,
    Weight,
}

impl QuoteSlot {
    pub fn question(self, en: bool) -> &'static str {
        match (self, en) {
            (QuoteSlot::Origin, false) => "从哪里寄出？（城市或区县，例如「杭州西湖区」）",
            (QuoteSlot::Destination, false) => "寄到哪里？（城市或区县）",
            (QuoteSlot::Weight, false) => "大概多重？（例如 3公斤）",
            (QuoteSlot::Origin, true) => "Where is it sent from? (city or district)",
            (QuoteSlot::Destination, true) => "Where does it go? (city or district)",
            (QuoteSlot::Weight, true) => "About how heavy is it? (e.g. 3 kg)",
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
    AskQuote(QuoteSlot),
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
            Phrase::AskQuote(slot) => return slot.question(en),
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

/// A short message that calls something off ("取消", "算了不寄了"); a longer one that merely
/// contains such a word ("不要放门口") is something else.
fn is_decline(text: &str) -> bool {
    text.trim().chars().count() <= 6 && has_any(text, DECLINES)
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
                let asked = state.quote.missing();
                if fill_quote(&mut next.quote, u, text, asked) {
                    return quote_next(next);
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
                // "取消" is not the answer to "where does it go?".
                if is_decline(text) {
                    next.awaiting = None;
                    next.pickup = PickupSlots::default();
                    return (Step::Say(Phrase::Cancelled), next);
                }
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
        Intent::Quote => {
            // A new question: what it names replaces what an earlier one said, and the origin
            // (where the customer sends from) carries over unless named anew.
            let origin = next.quote.origin.take();
            next.quote = QuoteSlots::default();
            fill_quote(&mut next.quote, u, text, None);
            if next.quote.origin.is_none() {
                next.quote.origin = origin;
            }
            quote_next(next)
        }
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

/// The role the NLU read for a place from the words around it ("从杭州", "寄到北京", "杭州到北京").
fn place_role(e: &crate::nlu::Entity) -> Option<&str> {
    e.detail
        .as_ref()
        .and_then(|d| d.get("role"))
        .and_then(|v| v.as_str())
}

/// Fills the price's slots from this message: places by their role, places without one in the
/// order named (the first is the origin) or as the answer to the slot `asked`; the weight. True
/// when the message gave anything.
fn fill_quote(
    slots: &mut QuoteSlots,
    u: &Understanding,
    text: &str,
    asked: Option<QuoteSlot>,
) -> bool {
    let before = slots.clone();
    let places: Vec<&crate::nlu::Entity> = u
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Place)
        .collect();
    let mut unroled = Vec::new();
    for p in &places {
        match place_role(p) {
            Some("origin") => slots.origin = Some(place_text(p)),
            Some("destination") => slots.destination = Some(place_text(p)),
            _ => unroled.push(place_text(p)),
        }
    }
    for place in unroled {
        let slot = match asked {
            Some(QuoteSlot::Origin) if slots.origin.is_none() => &mut slots.origin,
            Some(QuoteSlot::Destination) if slots.destination.is_none() => &mut slots.destination,
            _ if slots.origin.is_none() => &mut slots.origin,
            _ if slots.destination.is_none() => &mut slots.destination,
            _ => continue,
        };
        *slot = Some(place);
    }
    if let Some(w) = u.first(EntityKind::Weight) {
        slots.weight_kg = Some(w.value.clone());
    }
    // A bare answer to "from where?" or "to where?" that the NLU did not read as a place.
    if places.is_empty()
        && let Some(slot @ (QuoteSlot::Origin | QuoteSlot::Destination)) = asked
        && let Some(answer) = short_text(text).filter(|t| !t.chars().any(|c| c.is_ascii_digit()))
    {
        match slot {
            QuoteSlot::Origin => slots.origin = Some(answer),
            _ => slots.destination = Some(answer),
        }
    }
    *slots != before
}

/// Prices when everything is known, else asks for the first thing missing.
fn quote_next(mut next: BotState) -> (Step, BotState) {
    match next.quote.missing() {
        Some(slot) => {
            next.awaiting = Some(Awaiting::QuoteDetails);
            (Step::Say(Phrase::AskQuote(slot)), next)
        }
        None => {
            next.awaiting = None;
            let q = &next.quote;
            let step = Step::Quote {
                origin: q.origin.clone().unwrap_or_default(),
                destination: q.destination.clone().unwrap_or_default(),
                weight_kg: q.weight_kg.clone().unwrap_or_default(),
            };
            (step, next)
        }
    }
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

/// The street address the NLU read around a place, with province and city in front
/// ("上海市浦东新区张江路100号"); none when only a place was named.
fn full_address(e: &crate::nlu::Entity) -> Option<String> {
    let detail = e.detail.as_ref()?;
    let address = detail.get("address")?.as_str()?;
    let mut out = String::new();
    for k in ["province", "city"] {
        if let Some(part) = detail.get(k).and_then(|v| v.as_str())
            && !address.contains(part)
            && !out.ends_with(part)
        {
            out.push_str(part);
        }
    }
    out.push_str(address);
    Some(out)
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
    // A place the message names with its street is where to collect, unless it is said to be
    // where the parcel goes; a place named as the destination is the destination.
    for p in &places {
        match place_role(p) {
            Some("destination") => {
                slots.destination.get_or_insert_with(|| place_text(p));
            }
            _ => {
                if let Some(address) = full_address(p) {
                    slots.address.get_or_insert(address);
                }
            }
        }
    }
    let trimmed = text.trim();
    match asked {
        Some(PickupSlot::Address)
            if slots.address.is_none() && (!places.is_empty() || trimmed.chars().count() >= 6) =>
        {
            slots.address = Some(trimmed.to_string());
        }
        Some(PickupSlot::Destination)
            if slots.destination.is_none()
                && (!places.is_empty() || trimmed.chars().count() >= 2) =>
        {
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

    /// A place entity as the NLU gives it: its detail carries the role and the address read
    /// around it.
    fn place(value: &str, detail: serde_json::Value) -> Entity {
        Entity {
            kind: EntityKind::Place,
            value: value.into(),
            start: 0,
            end: 0,
            detail: Some(detail),
        }
    }

    fn with(intent: Intent, entities: Vec<Entity>) -> Understanding {
        Understanding {
            intent,
            confidence: 0.9,
            entities,
        }
    }

    fn weight(kg: &str) -> Entity {
        Entity {
            kind: EntityKind::Weight,
            value: kg.into(),
            start: 0,
            end: 0,
            detail: None,
        }
    }

    #[test]
    fn a_price_question_asks_only_for_what_it_lacks_and_keeps_what_it_had() {
        let beijing = place(
            "北京市",
            serde_json::json!({"city": "北京市", "role": "destination"}),
        );
        let (step, s) = decide(
            &BotState::default(),
            &with(Intent::Quote, vec![beijing, weight("5")]),
            "寄到北京5公斤多少钱",
        );
        assert_eq!(step, Step::Say(Phrase::AskQuote(QuoteSlot::Origin)));
        assert_eq!(s.awaiting, Some(Awaiting::QuoteDetails));
        // The answer has no cue: it is the origin that was asked for, not a second destination.
        let hangzhou = place("杭州市", serde_json::json!({"city": "杭州市"}));
        let (step, s) = decide(&s, &with(Intent::Coverage, vec![hangzhou]), "杭州");
        assert_eq!(
            step,
            Step::Quote {
                origin: "杭州市".into(),
                destination: "北京市".into(),
                weight_kg: "5".into()
            }
        );
        assert_eq!(s.awaiting, None);
        // The next question about another destination keeps the origin and asks the weight.
        let shanghai = place(
            "上海市",
            serde_json::json!({"city": "上海市", "role": "destination"}),
        );
        let (step, _) = decide(&s, &with(Intent::Quote, vec![shanghai]), "那寄到上海呢");
        assert_eq!(step, Step::Say(Phrase::AskQuote(QuoteSlot::Weight)));
    }

    #[test]
    fn places_take_their_roles_and_unmarked_ones_go_in_the_order_named() {
        let from = place(
            "成都市",
            serde_json::json!({"city": "成都市", "role": "destination"}),
        );
        let to = place(
            "广州市",
            serde_json::json!({"city": "广州市", "role": "origin"}),
        );
        let (step, _) = decide(
            &BotState::default(),
            &with(Intent::Quote, vec![from, to, weight("2")]),
            "成都的朋友让我从广州寄2kg多少钱",
        );
        assert_eq!(
            step,
            Step::Quote {
                origin: "广州市".into(),
                destination: "成都市".into(),
                weight_kg: "2".into()
            }
        );
        let a = place("杭州市", serde_json::json!({"city": "杭州市"}));
        let b = place("厦门市", serde_json::json!({"city": "厦门市"}));
        let (step, _) = decide(
            &BotState::default(),
            &with(Intent::Quote, vec![a, b, weight("1")]),
            "杭州 厦门 1公斤",
        );
        assert!(
            matches!(&step, Step::Quote { origin, destination, .. } if origin == "杭州市" && destination == "厦门市"),
            "{step:?}"
        );
    }

    #[test]
    fn a_pickup_request_with_its_address_asks_for_the_destination_next() {
        let home = place(
            "浦东新区",
            serde_json::json!({"province": "上海市", "city": "上海市", "district": "浦东新区",
                "street": "张江路100号", "address": "上海市浦东新区张江路100号"}),
        );
        let (step, s) = decide(
            &BotState::default(),
            &with(Intent::Pickup, vec![home, weight("3")]),
            "明天下午来我家取个件，上海市浦东新区张江路100号，大概3公斤",
        );
        assert_eq!(
            s.pickup.address.as_deref(),
            Some("上海市浦东新区张江路100号")
        );
        assert_eq!(s.pickup.weight_kg.as_deref(), Some("3"));
        assert_eq!(step, Step::Say(Phrase::Ask(PickupSlot::Destination)));
        // Calling it off while the bot asks is not an answer to the question.
        let (step, s) = decide(&s, &with(Intent::Other, vec![]), "取消");
        assert_eq!(step, Step::Say(Phrase::Cancelled));
        assert_eq!(s.pickup, PickupSlots::default());
        assert_eq!(s.awaiting, None);
    }
}
