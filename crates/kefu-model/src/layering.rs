//! The module graph of a crate, read from its sources, and the first import circle in it. Each
//! crate of the domain checks itself with this in a test (`mod layering` in its `lib.rs`), so a
//! module that starts importing from one above it fails the build's tests with the circle
//! named. Pure: the caller reads the files.

use std::collections::{BTreeMap, BTreeSet};

/// One source file: its path under `src/` (`"case.rs"`, `"ui/pages.rs"`) and its text.
pub type Source = (String, String);

/// The top-level module a file belongs to (`None` for the crate root).
fn module_of(path: &str) -> Option<String> {
    let first = path.split('/').next().unwrap_or(path);
    let name = first.strip_suffix(".rs").unwrap_or(first);
    match name {
        "lib" | "main" => None,
        _ => Some(name.to_string()),
    }
}

/// The names right after every `prefix` (`crate::` or `super::`) in `code`: `crate::case::Case`
/// gives `case`; `crate::{case::Case, ids}` gives `case` and `ids`.
fn names_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = &rest[..at];
        rest = &rest[at + prefix.len()..];
        // `kefu_model::crate::` cannot occur; skip `foo_crate::` and the like.
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        at_start = true;
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 1 && at_start {
                    if c.is_alphanumeric() || c == '_' {
                        item.push(c);
                    } else if !item.is_empty() {
                        out.push(std::mem::take(&mut item));
                        at_start = false;
                    }
                }
            }
            if at_start && !item.is_empty() {
                out.push(item);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

/// Code without its comment lines (doc links are not imports) and without the insides of its
/// string literals (a test's sample source is not an import either).
fn code_only(text: &str) -> String {
    let code: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let chars: Vec<char> = code.join("\n").chars().collect();
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            // A character literal: '\'', '\\', '"', 'x'.
            '\'' if chars.get(i + 1) == Some(&'\\') => {
                // Past the quote, the backslash and the escaped character, to the closing quote.
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                continue;
            }
            '\'' if chars.get(i + 2) == Some(&'\'') => {
                i += 3;
                continue;
            }
            // A raw string: r"…" or r#"…"#.
            'r' if matches!(chars.get(i + 1), Some('"' | '#'))
                && !chars
                    .get(i.wrapping_sub(1))
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_') =>
            {
                let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
                if chars.get(i + 1 + hashes) != Some(&'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let closing: Vec<char> = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                i += 2 + hashes;
                while i < chars.len() && !chars[i..].starts_with(&closing) {
                    i += 1;
                }
                i += closing.len();
                out.push_str("\"\"");
                continue;
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push_str("\"\"");
                continue;
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// The crate's modules and, for each, the other modules its files name.
pub fn module_graph(sources: &[Source]) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let modules: BTreeSet<String> = sources.iter().filter_map(|(p, _)| module_of(p)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    let mut through_root = Vec::new();
    for (path, text) in sources {
        let Some(module) = module_of(path) else {
            continue;
        };
        let code = code_only(text);
        for name in names_after(&code, "crate::") {
            if modules.contains(&name) {
                if name != module {
                    graph.entry(module.clone()).or_default().insert(name);
                }
            } else {
                // A root re-export hides which module the item comes from.
                through_root.push(format!("{path}: crate::{name}"));
            }
        }
        // In a top-level module, `super::x` is the root's `x`; in its inner modules (tests) it
        // is the module's own item, which only counts when it names another module.
        for name in names_after(&code, "super::") {
            if modules.contains(&name) && name != module {
                graph.entry(module.clone()).or_default().insert(name);
            }
        }
    }
    if through_root.is_empty() {
        Ok(graph)
    } else {
        Err(format!(
            "name the defining module instead of the crate root:\n  {}",
            through_root.join("\n  ")
        ))
    }
}

/// A circle in `graph` (`a → b → a`), if there is one.
pub fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = path.iter().position(|n| n == node).unwrap_or(0);
                let mut circle = path[from..].to_vec();
                circle.push(node.to_string());
                return Some(circle);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Open);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, marks, path) {
                return Some(circle);
            }
        }
        path.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        let mut path = Vec::new();
        if let Some(circle) = visit(node, graph, &mut marks, &mut path) {
            return Some(circle);
        }
    }
    None
}

/// `Ok` when no module of the crate imports, directly or not, from itself; otherwise the circle
/// (or the root re-exports that hide the graph).
pub fn check(sources: &[Source]) -> Result<(), String> {
    let graph = module_graph(sources)?;
    match find_cycle(&graph) {
        None => Ok(()),
        Some(circle) => Err(format!("import circle: {}", circle.join(" → "))),
    }
}

/// The modules in an order where each comes after everything it imports (bottom to top).
pub fn layers(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut placed: Vec<String> = Vec::new();
    let mut left: BTreeSet<&String> = graph.keys().collect();
    while !left.is_empty() {
        let ready: Vec<&String> = left
            .iter()
            .copied()
            .filter(|m| {
                graph[*m]
                    .iter()
                    .all(|d| placed.contains(d) || !graph.contains_key(d))
            })
            .collect();
        if ready.is_empty() {
            // A circle: the rest cannot be ordered.
            placed.extend(left.iter().map(|m| (*m).clone()));
            break;
        }
        for m in ready {
            left.remove(m);
            placed.push(m.clone());
        }
    }
    placed
}

/// Reads every `.rs` file under `src` (a crate's source folder) and checks them as [`check`]
/// does; the number of files read, or the problem found.
pub fn check_sources(src: &std::path::Path) -> Result<usize, String> {
    fn read(
        root: &std::path::Path,
        dir: &std::path::Path,
        out: &mut Vec<(String, String)>,
    ) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                read(root, &path, out)?;
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                out.push((relative, std::fs::read_to_string(&path)?));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    read(src, src, &mut files).map_err(|e| format!("reading {}: {e}", src.display()))?;
    check(&files)?;
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(path: &str, text: &str) -> Source {
        (path.to_string(), text.to_string())
    }

    #[test]
    fn a_circle_is_found_and_named() {
        let sources = [
            src("lib.rs", "pub mod a; pub mod b; pub mod c;"),
            src("a.rs", "use crate::b::B;"),
            src("b.rs", "use crate::{c::C, c::D};"),
            src("c.rs", "fn f() { crate::a::g() }"),
        ];
        let err = check(&sources).unwrap_err();
        assert_eq!(err, "import circle: a → b → c → a");
    }

    #[test]
    fn references_in_tests_count_and_comments_do_not() {
        let sources = [
            src("a.rs", "/// see [`crate::b::B`]\npub struct A;"),
            src(
                "b.rs",
                "#[cfg(test)]\nmod tests {\n    use super::super::a::A;\n    use crate::a::A;\n}",
            ),
        ];
        let graph = module_graph(&sources).unwrap();
        assert!(graph["a"].is_empty());
        assert_eq!(graph["b"], BTreeSet::from(["a".to_string()]));
        assert_eq!(layers(&graph), vec!["a".to_string(), "b".to_string()]);
        assert!(check(&sources).is_ok());
        let circle = [
            src("a.rs", "#[cfg(test)]\nmod tests { use crate::b::B; }"),
            sources[1].clone(),
        ];
        assert_eq!(check(&circle).unwrap_err(), "import circle: a → b → a");
    }

    #[test]
    fn string_and_character_literals_are_not_references() {
        let sources = [
            src(
                "a.rs",
                "const S: &str = \"crate::b::B\"; const Q: char = '\"'; fn f() {}",
            ),
            src(
                "b.rs",
                "const R: &str = r#\"use crate::a::A; \"quoted\"\"#; const E: &str = \"\\\"crate::a\"; const C: [char; 2] = ['\\'', '\\\\'];",
            ),
        ];
        let graph = module_graph(&sources).unwrap();
        assert!(graph["a"].is_empty(), "{graph:?}");
        assert!(graph["b"].is_empty(), "{graph:?}");
        let after = [
            src("a.rs", "const Q: char = '\"'; use crate::b::B;"),
            src("b.rs", ""),
        ];
        assert_eq!(
            module_graph(&after).unwrap()["a"],
            BTreeSet::from(["b".to_string()])
        );
    }

    #[test]
    fn a_root_re_export_is_refused() {
        let sources = [src("a.rs", "use crate::Desk;"), src("b.rs", "")];
        let err = check(&sources).unwrap_err();
        assert!(err.contains("a.rs: crate::Desk"), "{err}");
    }
}
