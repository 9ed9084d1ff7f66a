//! The codes every case carries: channel, category, priority, status, and a message's
//! visibility; with the status machine (`Status::can_become`); and what kind a channel account is.

use serde::{Deserialize, Serialize};

use crate::string_enum::string_enum;

string_enum!(
    /// Where the contact came from.
    Channel { Phone => "phone", Chat => "chat", Email => "email", Wechat => "wechat", Web => "web", Api => "api" }
);

string_enum!(
    /// What the case is about (R-CASE-2). Shares its codes with the bot's intents where they overlap.
    Category {
        Track => "track", Delay => "delay", Lost => "lost", Damaged => "damaged", Pickup => "pickup",
        Complaint => "complaint", Claim => "claim", Suggestion => "suggestion",
        ChangeDelivery => "change_delivery", Invoice => "invoice", Inquiry => "inquiry",
        Technical => "technical", AfterSales => "after_sales", Other => "other",
    }
);

string_enum!(
    /// P1 is the most urgent.
    Priority { P1 => "P1", P2 => "P2", P3 => "P3", P4 => "P4" }
);

string_enum!(
    Status {
        New => "new", Open => "open", PendingCustomer => "pending_customer",
        PendingDepartment => "pending_department", Resolved => "resolved", Closed => "closed",
    }
);

string_enum!(
    /// Public messages reach the customer; internal notes stay with staff.
    Visibility { Public => "public", Internal => "internal" }
);

impl Priority {
    /// One step more urgent (P1 stays P1).
    pub fn raised(self) -> Self {
        match self {
            Priority::P4 => Priority::P3,
            Priority::P3 => Priority::P2,
            _ => Priority::P1,
        }
    }
}

impl Status {
    /// The status machine. `closed` is left only by reopening; `new` is left by opening.
    /// A reopen (resolved/closed → open) is allowed; everything not listed is refused.
    pub fn can_become(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (New, Open)
                | (Open, PendingCustomer | PendingDepartment | Resolved)
                | (PendingCustomer, Open | PendingDepartment | Resolved)
                | (PendingDepartment, Open | PendingCustomer | Resolved)
                | (Resolved, Closed | Open)
                | (Closed, Open)
        )
    }

    pub fn is_reopen(self, to: Status) -> bool {
        matches!(self, Status::Resolved | Status::Closed) && to == Status::Open
    }
}

string_enum!(
    /// What an account connects: a mailbox, a WeChat official account or WeCom app, the
    /// telephone system's webhook, an SMS gateway (notices only).
    ChannelKind { Email => "email", Wechat => "wechat", Pbx => "pbx", Sms => "sms" }
);

impl ChannelKind {
    /// The case channel work from this account arrives on (an SMS gateway only sends).
    pub fn case_channel(self) -> Option<Channel> {
        match self {
            ChannelKind::Email => Some(Channel::Email),
            ChannelKind::Wechat => Some(Channel::Wechat),
            ChannelKind::Pbx => Some(Channel::Phone),
            ChannelKind::Sms => None,
        }
    }
}

string_enum!(
    /// Where a pickup order (上门取件) stands.
    PickupStatus {
        Booked => "booked", Dispatched => "dispatched", Accepted => "accepted",
        Arrived => "arrived", PickedUp => "picked_up", Cancelled => "cancelled",
        Failed => "failed",
    }
);

impl PickupStatus {
    /// `booked → dispatched → accepted → arrived → picked_up | failed`, and `cancelled` from
    /// any open state. The desk may skip the courier's steps (dispatched or accepted straight
    /// to picked up), re-dispatch an order not yet at the door, and dispatch a failed attempt
    /// again.
    pub fn can_become(self, next: PickupStatus) -> bool {
        use PickupStatus::*;
        matches!(
            (self, next),
            (Booked, Dispatched)
                | (Booked, Cancelled)
                | (Dispatched | Accepted, Dispatched)
                | (Dispatched, Accepted)
                | (Accepted, Arrived)
                | (Dispatched | Accepted | Arrived, PickedUp)
                | (Dispatched | Accepted | Arrived, Failed)
                | (Dispatched | Accepted | Arrived, Cancelled)
                | (Failed, Dispatched)
                | (Failed, Cancelled)
        )
    }

    pub fn is_open(self) -> bool {
        matches!(
            self,
            PickupStatus::Booked
                | PickupStatus::Dispatched
                | PickupStatus::Accepted
                | PickupStatus::Arrived
        )
    }

    /// The status's words for the customer and the console (zh-CN).
    pub fn label_zh(self) -> &'static str {
        match self {
            PickupStatus::Booked => "已预约",
            PickupStatus::Dispatched => "已派单",
            PickupStatus::Accepted => "快递员已接单",
            PickupStatus::Arrived => "快递员已到达",
            PickupStatus::PickedUp => "已取件",
            PickupStatus::Cancelled => "已取消",
            PickupStatus::Failed => "取件失败",
        }
    }
}
