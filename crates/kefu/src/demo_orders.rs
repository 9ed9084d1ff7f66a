//! Demo work orders: a week of customer service asking the network's outlets to act — hurry,
//! intercept, change an address, trace, damage or loss, complaints (one through the 12305
//! hotline, one a repeat) — and the outlets answering on time, late, refusing, passing an
//! order on, or not yet; the ladder fired where a deadline passed; and each outlet's daily
//! parcel counts. Played through the real desk on a clock moved to each step, so the queue, the
//! case pages and the assessment show every state and a week of figures.

use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use kefu_desk::Desk;
use kefu_desk::network::OrderAction;
use kefu_model::drafts::{CaseDraft, CasePatch, CustomerDraft};
use kefu_model::network::OrgKind;
use kefu_model::work_order::{
    DayVolume, InterceptAction, OrderDetails, OrderKind, Regulator, WorkOrderDraft,
};
use kefu_model::{Actor, Category, Channel, Clock, DomainError, FixedClock, StoreError};

/// What the outlet does with a demo order, and how many minutes after it was sent.
#[derive(Clone, Copy)]
enum Fate {
    /// Answered and completed within the hour.
    OnTime,
    /// Answered after its response deadline, then completed.
    Late,
    Refused,
    /// Sent on to the next outlet with a reason, which completes it.
    Rerouted,
    /// Withdrawn by customer service (the customer solved it).
    Withdrawn,
    /// Answered, not yet completed.
    Replied,
    /// Nothing yet.
    Open,
}

/// One demo order: days ago, hour sent (local), kind, what the customer said, the fate.
struct DemoOrder {
    days_ago: i64,
    hour: i8,
    kind: OrderKind,
    complaint: &'static str,
    fate: Fate,
    regulator: Option<Regulator>,
}

const fn order(
    days_ago: i64,
    hour: i8,
    kind: OrderKind,
    complaint: &'static str,
    fate: Fate,
) -> DemoOrder {
    DemoOrder {
        days_ago,
        hour,
        kind,
        complaint,
        fate,
        regulator: None,
    }
}

fn orders() -> Vec<DemoOrder> {
    use Fate::*;
    use OrderKind::*;
    let mut v = vec![
        order(6, 10, Hurry, "快递三天没有更新，客户急用", OnTime),
        order(6, 11, Trace, "物流信息停在分拨中心", OnTime),
        order(6, 15, Complaint, "派件员未打电话直接放驿站", Refused),
        order(5, 9, Intercept, "寄错了，要求退回", OnTime),
        order(5, 14, DamageLoss, "外箱破损，内物摔坏", Late),
        order(5, 16, Hurry, "生鲜件，需今天送到", Late),
        order(4, 10, ChangeAddress, "收件人搬家，改送新地址", OnTime),
        order(4, 11, Complaint, "派件员态度恶劣", OnTime),
        order(4, 17, Trace, "显示已签收但本人没收到", Rerouted),
        order(3, 9, Hurry, "催一下派送", OnTime),
        order(3, 13, Complaint, "又一次未送货上门", Late),
        order(3, 15, Intercept, "客户拒收，退回寄件人", Withdrawn),
        order(2, 10, DamageLoss, "包裹丢失，价值 800 元", Replied),
        order(2, 11, Hurry, "催件", Refused),
        order(2, 14, Trace, "三天无物流", OnTime),
        order(1, 9, ChangeAddress, "改派到公司地址", Late),
        order(1, 10, Hurry, "客户第二次催件", Replied),
        order(1, 16, Intercept, "拦截，暂存网点自提", Open),
        order(0, 9, Trace, "查一下包裹在哪", Open),
        order(0, 10, Hurry, "今天一定要送到", Open),
    ];
    v.push(DemoOrder {
        regulator: Some(Regulator::Hotline12305),
        ..order(2, 9, Complaint, "客户拨打 12305 投诉快递延误", Replied)
    });
    v.push(DemoOrder {
        regulator: Some(Regulator::PostOffice),
        ..order(5, 10, Complaint, "客户向邮政管理局申诉丢件", OnTime)
    });
    v
}

fn details(kind: OrderKind, note: &str) -> OrderDetails {
    let mut d = OrderDetails {
        note: note.to_string(),
        ..OrderDetails::default()
    };
    match kind {
        OrderKind::ChangeAddress => {
            d.new_address = Some("广东省深圳市南山区科技园科苑路 15 号".into())
        }
        OrderKind::Intercept => {
            d.intercept = Some(if note.contains("自提") {
                InterceptAction::Hold
            } else {
                InterceptAction::Return
            })
        }
        OrderKind::Complaint => d.about = Some("派件员".into()),
        _ => {}
    }
    d
}

fn demo_error(what: &str) -> DomainError {
    DomainError::Store(StoreError::Backend(format!("demo orders: {what}")))
}

/// How many orders were sent and how many outlets report parcels.
pub struct OrdersSummary {
    pub orders: usize,
    pub outlets: usize,
}

/// Plays the week before `now` through a desk on the same store; nothing when the network has
/// no outlets.
pub async fn seed(
    desk: &Desk,
    now: Timestamp,
    waybills: &[String],
) -> Result<OrdersSummary, DomainError> {
    let clock = Arc::new(FixedClock::new(now));
    let tz: TimeZone = desk.time_zone().clone();
    let on =
        Desk::new(desk.store().clone(), clock.clone() as Arc<dyn Clock>).with_time_zone(tz.clone());
    let store = desk.store().clone();
    let admin = store
        .user_by_username("admin")
        .await?
        .map(|u| Actor::of(&u))
        .ok_or_else(|| demo_error("no admin"))?;
    let agent = store
        .user_by_username("agent01")
        .await?
        .map(|u| Actor::of(&u))
        .unwrap_or_else(|| admin.clone());
    let outlets: Vec<String> = on
        .list_organisations(&admin)
        .await?
        .into_iter()
        .filter(|o| o.kind == OrgKind::Outlet && o.active)
        .map(|o| o.key)
        .collect();
    if outlets.is_empty() {
        return Ok(OrdersSummary {
            orders: 0,
            outlets: 0,
        });
    }
    let today = tz.to_datetime(now).date();
    let mut plan = orders();
    plan.sort_by_key(|o| (-o.days_ago, o.hour));
    let mut sent = 0usize;
    // A customer who complains twice about the same outlet within the week (a repeat).
    let repeat_phone = "13922220001";
    for (i, o) in plan.iter().enumerate() {
        let day = today - jiff::Span::new().days(o.days_ago);
        let at = tz
            .to_timestamp(day.at(o.hour, 0, 0, 0))
            .map_err(|e| demo_error(&e.to_string()))?;
        if at > now {
            continue;
        }
        clock.set(at);
        let complaint = o.kind == OrderKind::Complaint;
        let phone = if complaint && o.regulator.is_none() {
            repeat_phone.to_string()
        } else {
            format!("139222{:05}", 100 + i)
        };
        let category = match o.kind {
            OrderKind::Complaint => Category::Complaint,
            OrderKind::DamageLoss => Category::Damaged,
            OrderKind::ChangeAddress | OrderKind::Intercept => Category::ChangeDelivery,
            OrderKind::Hurry => Category::Delay,
            OrderKind::Trace => Category::Track,
        };
        let created = on
            .create_case(
                &agent,
                CaseDraft {
                    channel: Channel::Phone,
                    subject: format!("{}：{}", o.kind.label_zh(), o.complaint),
                    description: o.complaint.to_string(),
                    customer_id: None,
                    customer: Some(CustomerDraft {
                        name: Some(format!("网点工单客户{}", i + 1)),
                        phone: Some(phone),
                        ..CustomerDraft::default()
                    }),
                    category: Some(category),
                    priority: None,
                    waybill_no: waybills.get(i % waybills.len().max(1)).cloned(),
                    tags: vec!["网点工单".into()],
                    received_at: None,
                },
                None,
            )
            .await?;
        let case_id = created.case.id.to_string();
        on.update_case(
            &agent,
            &case_id,
            CasePatch {
                assignee: Some(Some(agent.username.clone())),
                ..CasePatch::default()
            },
        )
        .await?;
        // Complaints go to the first outlet (so one is a repeat), the rest round the network.
        let outlet = if complaint {
            outlets[0].clone()
        } else {
            outlets[i % outlets.len()].clone()
        };
        clock.set(at + SignedDuration::from_mins(5));
        let (_, order) = on
            .send_work_order(
                &agent,
                &case_id,
                WorkOrderDraft {
                    kind: o.kind,
                    waybill_no: None,
                    organisation: Some(outlet.clone()),
                    details: details(o.kind, o.complaint),
                    regulator: o.regulator,
                },
            )
            .await?;
        sent += 1;
        // The outlet's answer, recorded as its staff would.
        let later = |mins: i64| at + SignedDuration::from_mins(5 + mins);
        let steps: Vec<(i64, OrderAction, &str)> = match o.fate {
            Fate::OnTime => vec![
                (25, OrderAction::Reply, "已联系派件员，今天处理"),
                (50, OrderAction::Complete, "已处理完毕，客户已确认"),
            ],
            Fate::Late => vec![
                (200, OrderAction::Reply, "抱歉回复晚了，正在处理"),
                (600, OrderAction::Complete, "已处理"),
            ],
            Fate::Refused => vec![(40, OrderAction::Refuse, "包裹不在本网点，请核实")],
            Fate::Withdrawn => vec![(30, OrderAction::Withdraw, "客户已自行解决，撤回")],
            Fate::Replied => vec![(30, OrderAction::Reply, "已安排查找，明天答复")],
            Fate::Rerouted | Fate::Open => vec![],
        };
        for (mins, action, text) in steps {
            let when = later(mins);
            if when > now {
                break;
            }
            clock.set(when);
            // The ladder fires what fell due before the answer, as the node's timer would.
            on.fire_due_timers(200).await?;
            let actor = if action == OrderAction::Withdraw {
                &agent
            } else {
                &admin
            };
            on.act_on_work_order(actor, &order.id, action, text).await?;
        }
        if let Fate::Rerouted = o.fate {
            let next = outlets[(i + 1) % outlets.len()].clone();
            if next != outlet && later(20) <= now {
                clock.set(later(20));
                on.reroute_work_order(&admin, &order.id, &next, "收件地址属于相邻网点")
                    .await?;
                if later(90) <= now {
                    clock.set(later(90));
                    on.act_on_work_order(&admin, &order.id, OrderAction::Complete, "已派送签收")
                        .await?;
                }
            }
        }
    }
    // Every deadline passed by now has climbed the ladder.
    clock.set(now);
    on.fire_due_timers(500).await?;
    // Parcels handled per outlet per day, as the carrier's system would report them.
    for (n, key) in outlets.iter().enumerate() {
        let days: Vec<DayVolume> = (0..8i64)
            .map(|ago| DayVolume {
                day: today - jiff::Span::new().days(ago),
                parcels: 3_000 + ((n as i64 * 797 + ago * 131) % 2_500),
            })
            .collect();
        on.record_parcel_volumes(&admin, key, &days).await?;
    }
    Ok(OrdersSummary {
        orders: sent,
        outlets: outlets.len(),
    })
}
