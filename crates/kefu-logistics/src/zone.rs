//! Price zones between an origin and a destination code.

use serde::{Deserialize, Serialize};

use crate::rate::RateCard;
use crate::region::{Overlap, code_prefix, entry_prefix, overlap, same_city};

/// The price zone of a shipment, from cheapest to dearest in the default card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// Same city (a municipality such as 北京 or 重庆 counts as one city).
    SameCity,
    /// Same province, different or unknown city.
    SameProvince,
    /// Different provinces of one economic region of the card (江浙沪皖, 京津冀, 川渝, 东北 …).
    Regional,
    /// Different provinces otherwise.
    CrossProvince,
    /// Destination in one of the card's remote areas that the origin is not in.
    Remote,
}

impl Zone {
    /// Every zone, in order.
    pub const ALL: [Zone; 5] = [
        Zone::SameCity,
        Zone::SameProvince,
        Zone::Regional,
        Zone::CrossProvince,
        Zone::Remote,
    ];

    /// The zone's name in Chinese, for people.
    pub fn label(self) -> &'static str {
        match self {
            Zone::SameCity => "同城",
            Zone::SameProvince => "省内",
            Zone::Regional => "区域",
            Zone::CrossProvince => "跨省",
            Zone::Remote => "偏远",
        }
    }
}

/// The zone from `origin_code` to `destination_code` under `card`.
///
/// In order: a destination inside one of `card.remote_areas` that does not also contain the
/// origin is [`Zone::Remote`] (so 乌鲁木齐 → 喀什 is priced as in-province, 上海 → 乌鲁木齐 as
/// remote); then same city, same province, same region of `card.regions`, else cross-province.
/// A province-level code can never be "same city": the dearer same-province zone is used until a
/// fuller address is known. Codes are meant to be valid (a [`crate::QuoteRequest`] is checked);
/// an invalid code compares as unknown and gives [`Zone::CrossProvince`].
pub fn zone(origin_code: &str, destination_code: &str, card: &RateCard) -> Zone {
    let (Some(origin), Some(destination)) =
        (code_prefix(origin_code), code_prefix(destination_code))
    else {
        return Zone::CrossProvince;
    };
    let remote = card
        .remote_areas
        .iter()
        .filter_map(|e| entry_prefix(e))
        .any(|area| {
            overlap(destination, area) == Overlap::Inside
                && overlap(origin, area) != Overlap::Inside
        });
    if remote {
        return Zone::Remote;
    }
    let (origin_province, destination_province) = (&origin[..2], &destination[..2]);
    if origin_province == destination_province {
        return if same_city(origin, destination) {
            Zone::SameCity
        } else {
            Zone::SameProvince
        };
    }
    let regional = card.regions.iter().any(|region| {
        let has = |province: &str| region.provinces.iter().any(|p| p.trim() == province);
        has(origin_province) && has(destination_province)
    });
    if regional {
        Zone::Regional
    } else {
        Zone::CrossProvince
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(origin: &str, destination: &str) -> Zone {
        zone(origin, destination, &RateCard::default())
    }

    #[test]
    fn zone_table() {
        let table = [
            // same city
            ("440305", "440306", Zone::SameCity), // 深圳南山 → 深圳宝安
            ("440300", "440305", Zone::SameCity), // 深圳 (vague) → 深圳南山
            ("110105", "110108", Zone::SameCity), // 北京朝阳 → 北京海淀
            ("110000", "110108", Zone::SameCity), // 北京 (vague) is still 北京
            ("310115", "310104", Zone::SameCity), // 上海浦东 → 上海徐汇
            ("500103", "500235", Zone::SameCity), // 重庆渝中 → 重庆云阳县
            ("650102", "650104", Zone::SameCity), // 乌鲁木齐 within: not remote
            // same province
            ("440305", "440106", Zone::SameProvince), // 深圳 → 广州
            ("440000", "440305", Zone::SameProvince), // 广东 (vague) → 深圳: city unknown
            ("429004", "429005", Zone::SameProvince), // 仙桃 → 潜江
            ("650102", "653101", Zone::SameProvince), // 乌鲁木齐 → 喀什: in-province
            // regional
            ("310115", "320505", Zone::Regional), // 上海 → 苏州
            ("330106", "340104", Zone::Regional), // 杭州 → 合肥 (皖 in 江浙沪皖)
            ("110105", "130102", Zone::Regional), // 北京 → 石家庄
            ("120101", "110105", Zone::Regional), // 天津 → 北京
            ("510104", "500103", Zone::Regional), // 成都 → 重庆
            ("210102", "230102", Zone::Regional), // 沈阳 → 哈尔滨
            // cross-province
            ("440305", "110105", Zone::CrossProvince), // 深圳 → 北京
            ("310115", "440305", Zone::CrossProvince), // 上海 → 深圳
            ("110105", "210102", Zone::CrossProvince), // 北京 → 沈阳: different regions
            ("650102", "440305", Zone::CrossProvince), // from a remote area is not remote
            ("460105", "440305", Zone::CrossProvince), // 海口 → 深圳
            // remote
            ("440305", "650102", Zone::Remote), // 深圳 → 乌鲁木齐
            ("110105", "540102", Zone::Remote), // 北京 → 拉萨
            ("110105", "150102", Zone::Remote), // 北京 → 呼和浩特 (not 京津冀)
            ("310115", "630000", Zone::Remote), // 上海 → 青海 (vague)
            ("440305", "620102", Zone::Remote), // 甘肃
            ("440305", "640104", Zone::Remote), // 宁夏
            ("650102", "540102", Zone::Remote), // 新疆 → 西藏: different remote areas
        ];
        for (origin, destination, expected) in table {
            assert_eq!(z(origin, destination), expected, "{origin} → {destination}");
        }
    }

    #[test]
    fn finer_remote_areas_win_over_same_province() {
        let mut card = RateCard::default();
        card.remote_areas.push("460300".into()); // 三沙
        assert_eq!(zone("460105", "460321", &card), Zone::Remote);
        assert_eq!(zone("460321", "460322", &card), Zone::SameCity);
        assert_eq!(zone("460105", "460106", &card), Zone::SameCity);
    }

    #[test]
    fn regions_come_from_the_card() {
        let mut card = RateCard::default();
        card.regions.clear();
        assert_eq!(zone("310115", "320505", &card), Zone::CrossProvince);
    }

    #[test]
    fn invalid_codes_are_cross_province() {
        assert_eq!(z("44030", "440305"), Zone::CrossProvince);
        assert_eq!(z("440305", ""), Zone::CrossProvince);
    }

    #[test]
    fn labels() {
        let labels: Vec<_> = Zone::ALL.iter().map(|z| z.label()).collect();
        assert_eq!(labels, ["同城", "省内", "区域", "跨省", "偏远"]);
    }
}
