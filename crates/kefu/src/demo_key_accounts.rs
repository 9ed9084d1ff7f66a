//! Demo key accounts (大客户部): three contract customers graded 1, 2 and 3 over the last two
//! finished quarters, each with contacts (the management among them), shippers and consignees
//! in its customer file, a contract with its scope, a filed price and a draft one; the grade-1
//! account's contract ends within two months, so its renewal reminder shows. Assistants are
//! the demo agents (agent01 to agent03), so `/console/key-accounts` is filled for the
//! supervisor and each agent sees their own.

use jiff::{Span, Timestamp};
use kefu_desk::Desk;
use kefu_model::key_accounts::{
    AccountDraft, AccountPatch, AccountStatus, ContactDraft, DocumentDraft, DocumentKind,
    FileEntryDraft, FileRole, GradingDraft, PriceDraft, Quarter,
};
use kefu_model::{Actor, DomainError, StoreError};

/// One demo account: who it is, who serves it, what it does and how it scored.
struct DemoAccount {
    code: &'static str,
    name: &'static str,
    industry: &'static str,
    assistants: &'static [&'static str],
    /// Days from today the contract ends.
    contract_days: i64,
    services: &'static [&'static str],
    routes: &'static [&'static str],
    /// Revenue (yuan), margin %, difficulty, staff, paid on time % — the quarter before last,
    /// then the last.
    figures: [(f64, f64, u8, f64, f64); 2],
    contacts: &'static [(&'static str, &'static str, &'static str, bool)],
    file: &'static [(FileRole, &'static str, &'static str, &'static str)],
    /// Fen per unit, filed and draft.
    prices: [(&'static str, &'static str, &'static str, i64); 2],
}

const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        code: "KA-HUAXIN",
        name: "华信电子科技有限公司",
        industry: "消费电子",
        assistants: &["agent01"],
        contract_days: 45,
        services: &["整车", "零担", "仓配"],
        routes: &["广东-上海", "广东-北京", "广东-四川"],
        // 97.0 both quarters: grade 1.
        figures: [
            (2_800_000.0, 21.0, 2, 2.0, 99.0),
            (3_200_000.0, 22.5, 2, 2.0, 99.5),
        ],
        contacts: &[
            ("陈志远", "供应链副总裁", "13800138101", true),
            ("林晓", "物流经理", "13800138102", false),
        ],
        file: &[
            (
                FileRole::Shipper,
                "华信东莞工厂",
                "广东省东莞市松山湖园区工业北路 8 号",
                "13800138103",
            ),
            (
                FileRole::Consignee,
                "华信上海分拨中心",
                "上海市嘉定区安亭镇墨玉路 185 号",
                "13800138104",
            ),
        ],
        prices: [
            ("整车", "广东-上海", "trip", 680_000),
            ("零担", "广东-北京", "kg", 185),
        ],
    },
    DemoAccount {
        code: "KA-MEIJIA",
        name: "美佳家居用品有限公司",
        industry: "家居",
        assistants: &["agent02"],
        contract_days: 300,
        services: &["零担", "大件配送"],
        routes: &["浙江-江苏", "浙江-上海"],
        // 76.0: grade 2.
        figures: [
            (700_000.0, 14.0, 3, 4.0, 96.0),
            (800_000.0, 15.0, 3, 4.0, 95.0),
        ],
        contacts: &[
            ("王佳", "总经理", "13900139201", true),
            ("赵倩", "客服主管", "13900139202", false),
        ],
        file: &[
            (
                FileRole::Shipper,
                "美佳义乌仓",
                "浙江省金华市义乌市稠江街道",
                "13900139203",
            ),
            (
                FileRole::Consignee,
                "美佳南京门店",
                "江苏省南京市建邺区江东中路 100 号",
                "13900139204",
            ),
        ],
        prices: [
            ("大件配送", "浙江-江苏", "piece", 4_500),
            ("零担", "浙江-上海", "m3", 16_000),
        ],
    },
    DemoAccount {
        code: "KA-LVYUAN",
        name: "绿源食品有限公司",
        industry: "食品",
        assistants: &["agent01", "agent03"],
        contract_days: 400,
        services: &["冷链", "零担"],
        routes: &["山东-北京", "山东-天津"],
        // 53.5: grade 3.
        figures: [
            (280_000.0, 9.0, 4, 8.0, 91.0),
            (300_000.0, 10.0, 4, 8.0, 92.0),
        ],
        contacts: &[("孙立", "采购总监", "13700137301", true)],
        file: &[
            (
                FileRole::Shipper,
                "绿源寿光基地",
                "山东省潍坊市寿光市洛城街道",
                "13700137302",
            ),
            (
                FileRole::Consignee,
                "北京新发地批发市场",
                "北京市丰台区京开路 1 号",
                "13700137303",
            ),
        ],
        prices: [
            ("冷链", "山东-北京", "kg", 320),
            ("零担", "山东-天津", "kg", 150),
        ],
    },
];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Seeds the three accounts; how many were made.
pub async fn seed(desk: &Desk, now: Timestamp) -> Result<usize, DomainError> {
    let missing = |what: &str| DomainError::Store(StoreError::Backend(format!("demo: no {what}")));
    let head = desk
        .store()
        .user_by_username("supervisor")
        .await?
        .or(desk.store().user_by_username("admin").await?)
        .map(|u| Actor::of(&u))
        .ok_or_else(|| missing("supervisor"))?;
    let today = desk.time_zone().to_datetime(now).date();
    let last = Quarter::of(today).previous();
    let quarters = [last.previous(), last];
    let go_live = add_days(last.previous().first_day(), -200);
    for a in ACCOUNTS {
        let account = desk
            .create_key_account(
                &head,
                &AccountDraft {
                    code: a.code.into(),
                    name: a.name.into(),
                    industry: a.industry.into(),
                    go_live_on: Some(go_live),
                    owner: None,
                    assistants: strings(a.assistants),
                    customer_id: None,
                },
            )
            .await?;
        let id = account.id.to_string();
        for status in [AccountStatus::Handover, AccountStatus::Active] {
            desk.change_key_account(
                &head,
                &id,
                &AccountPatch {
                    status: Some(status),
                    ..Default::default()
                },
            )
            .await?;
        }
        for (name, title, phone, management) in a.contacts {
            desk.put_key_account_contact(
                &head,
                &id,
                None,
                &ContactDraft {
                    name: (*name).into(),
                    title: (*title).into(),
                    phone: (*phone).into(),
                    email: String::new(),
                    is_management: *management,
                },
            )
            .await?;
        }
        for (role, name, address, phone) in a.file {
            desk.put_key_account_file_entry(
                &head,
                &id,
                None,
                &FileEntryDraft {
                    role: *role,
                    name: (*name).into(),
                    address: (*address).into(),
                    contact: String::new(),
                    phone: (*phone).into(),
                },
            )
            .await?;
        }
        desk.put_key_account_document(
            &head,
            &id,
            None,
            &DocumentDraft {
                kind: DocumentKind::Contract,
                number: format!("HT-{}-{}", a.code.trim_start_matches("KA-"), go_live.year()),
                title: format!("{} 年度物流服务合同", a.name),
                starts_on: go_live,
                ends_on: add_days(today, a.contract_days),
                services: strings(a.services),
                routes: strings(a.routes),
                status: None,
            },
        )
        .await?;
        for (i, (service, route, unit, fen)) in a.prices.iter().enumerate() {
            let priced = desk
                .add_key_account_price(
                    &head,
                    &id,
                    &PriceDraft {
                        service: (*service).into(),
                        route: (*route).into(),
                        unit: (*unit).into(),
                        price_fen: *fen,
                        effective_from: go_live,
                        effective_to: None,
                    },
                )
                .await?;
            // The first is filed (usable); the second stays a draft awaiting the head.
            if i == 0
                && let Some(p) = priced.prices.last()
            {
                desk.file_key_account_price(&head, &id, &p.id).await?;
            }
        }
        for (quarter, (revenue, margin, difficulty, staff, punctual)) in
            quarters.iter().zip(a.figures)
        {
            desk.record_key_account_grading(
                &head,
                &id,
                &GradingDraft {
                    quarter: *quarter,
                    revenue_yuan: revenue,
                    margin_pct: margin,
                    difficulty,
                    staff,
                    punctuality_pct: punctual,
                    note: String::new(),
                },
            )
            .await?;
        }
    }
    Ok(ACCOUNTS.len())
}

fn add_days(day: jiff::civil::Date, days: i64) -> jiff::civil::Date {
    day.saturating_add(Span::new().days(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's figures give the grades its doc promises under the default grid.
    #[test]
    fn the_demo_accounts_are_graded_one_two_and_three() {
        let settings = kefu_model::key_accounts::KeyAccountSettings::default();
        let grades: Vec<u8> = ACCOUNTS
            .iter()
            .map(|a| {
                let (revenue, margin, difficulty, staff, punctual) = a.figures[1];
                let (_, score) = settings.score(&kefu_model::key_accounts::GradingFigures {
                    revenue_yuan: revenue,
                    margin_pct: margin,
                    difficulty,
                    staff,
                    punctuality_pct: punctual,
                });
                settings.grade_of(score)
            })
            .collect();
        assert_eq!(grades, [1, 2, 3]);
    }
}
