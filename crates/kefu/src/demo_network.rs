//! The demo's network: a region (华南大区), a sorting centre (深圳分拨中心) under it and the
//! demo's outlets under the centre, each with its districts, calendar, contacts, a manager login
//! (`wangdian1`, `wangdian2`, … role `outlet_manager`) and its couriers' logins (role
//! `courier`, linked by `CourierEntry.username`).

use kefu_desk::Desk;
use kefu_model::drafts::UserDraft;
use kefu_model::error::DomainError;
use kefu_model::network::{Contact, CourierEntry, OrgKind, OrganisationDraft};
use kefu_model::user::{Actor, Role};

/// A demo login: (user name, role, what it is for).
pub type DemoLogin = (String, Role, String);

/// An outlet of the demo: (key, name, district code, couriers as (id, name)).
pub type DemoOutlet = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

fn draft(key: &str, name: &str, kind: OrgKind, parent: Option<&str>) -> OrganisationDraft {
    OrganisationDraft {
        key: key.into(),
        name: name.into(),
        kind,
        parent: parent.map(str::to_string),
        districts: Vec::new(),
        calendar: Some("cn-service".into()),
        lead_minutes: Some(120),
        contacts: vec![Contact {
            name: format!("{name}前台"),
            phone: "075526001234".into(),
            duty: "前台".into(),
        }],
        manager: None,
        couriers: Vec::new(),
        active: Some(true),
        version: None,
    }
}

/// The courier's login name: their id without dashes (`c-sz-01` → `csz01`).
pub fn courier_login(id: &str) -> String {
    id.replace('-', "")
}

/// Creates the network: region, centre, and `outlets` (key, name, district, couriers (id,
/// name)) under the centre, with their managers and couriers as logins. Returns the logins.
pub async fn seed_organisations(
    desk: &Desk,
    admin: &Actor,
    outlets: &[DemoOutlet],
    courier_phone: impl Fn(&str) -> String,
) -> Result<Vec<DemoLogin>, DomainError> {
    let mut logins = Vec::new();
    let mut region = draft("south", "华南大区", OrgKind::Region, None);
    region.districts = vec!["44".into(), "45".into(), "46".into()];
    desk.save_organisation(admin, None, region).await?;
    let mut centre = draft(
        "sz-hub",
        "深圳分拨中心",
        OrgKind::SortingCenter,
        Some("south"),
    );
    centre.districts = vec!["4403".into()];
    desk.save_organisation(admin, None, centre).await?;
    for (i, (key, name, district, couriers)) in outlets.iter().enumerate() {
        let mut outlet = draft(key, name, OrgKind::Outlet, Some("sz-hub"));
        outlet.districts = vec![district.to_string()];
        let saved = desk.save_organisation(admin, None, outlet.clone()).await?;
        let manager = format!("wangdian{}", i + 1);
        let user = |username: &str, role: Role, display: String| UserDraft {
            username: username.into(),
            password: crate::demo::DEMO_PASSWORD.into(),
            role,
            display_name: Some(display),
            department: Some(key.to_string()),
        };
        desk.create_user(
            Some(admin),
            user(&manager, Role::OutletManager, format!("{name}-经理")),
        )
        .await?;
        logins.push((manager.clone(), Role::OutletManager, format!("{name} 经理")));
        let mut entries = Vec::new();
        for (id, courier) in couriers.iter() {
            let login = courier_login(id);
            desk.create_user(
                Some(admin),
                user(&login, Role::Courier, format!("快递员-{courier}")),
            )
            .await?;
            logins.push((
                login.clone(),
                Role::Courier,
                format!("{name} 快递员 {courier}"),
            ));
            entries.push(CourierEntry {
                id: id.to_string(),
                name: courier.to_string(),
                phone: courier_phone(id),
                districts: Vec::new(),
                username: Some(login),
            });
        }
        outlet.manager = Some(manager);
        outlet.couriers = entries;
        outlet.version = Some(saved.version);
        desk.save_organisation(admin, Some(key), outlet).await?;
    }
    Ok(logins)
}
