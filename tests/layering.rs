//! The crate's files import one another without circles: every file of `src/` reaches only files
//! below it, so each layer can be read (and tested) without the ones above. The graph is read from
//! the source text: `use` trees and `crate::`, `super::` and `self::` paths, resolved to the file
//! of the module they name (`crate::api::x::y` is `src/api/x.rs` or `src/api/x/mod.rs`), through
//! the re-exports of a `mod.rs` (`pub use client::Client`), and with inline modules (`mod tests
//! { use super::*; }`) counted as part of their file. `make lint` runs this file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (from the crate root) → the file that holds it.
type Files = BTreeMap<Vec<String>, String>;

#[test]
fn src_has_no_import_circles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = BTreeMap::new();
    read_dir(&root, &root, &mut sources);
    assert!(sources.len() > 40, "src/ was not read: {sources:?}");
    let circles = circles(&sources);
    assert!(
        circles.is_empty(),
        "import circles among src/ files (each file must import only files below it):\n{}",
        circles.join("\n")
    );
}

#[test]
fn a_circle_through_a_use_tree_is_found_and_named() {
    let circles = circles(&fixture(&[
        ("lib.rs", "pub mod api;"),
        ("api/mod.rs", "pub mod a;\npub mod b;\npub mod c;"),
        ("api/a.rs", "use crate::api::{b::{Thing, Other as O}};"),
        ("api/b.rs", "use crate::api::c::Other;"),
        ("api/c.rs", "fn f() { crate::api::a::g() }"),
    ]));
    assert_eq!(circles, ["api/a.rs -> api/b.rs -> api/c.rs -> api/a.rs"]);
}

#[test]
fn a_circle_through_a_reexport_or_super_is_found() {
    let circles = circles(&fixture(&[
        ("lib.rs", "pub mod api;"),
        (
            "api/mod.rs",
            "pub mod chain;\npub mod client;\npub use client::Client;",
        ),
        ("api/client.rs", "use super::chain::run::Runner;"),
        ("api/chain/mod.rs", "pub mod run;"),
        ("api/chain/run.rs", "use crate::api::Client;"),
    ]));
    assert_eq!(
        circles,
        ["api/chain/run.rs -> api/client.rs -> api/chain/run.rs"]
    );
}

#[test]
fn inline_modules_comments_and_strings_make_no_edges() {
    let circles = circles(&fixture(&[
        ("lib.rs", "pub mod a;\npub mod b;"),
        (
            "a.rs",
            "use crate::b::X;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
        ),
        (
            "b.rs",
            "// crate::a::Y\n/* crate::a::Z */\nconst T: &str = r#\"crate::a::W\"#;\nconst C: char = '\"';\nfn f<'a>(s: &'a str) -> &'a str { \"crate::a::V\"; s }",
        ),
    ]));
    assert!(circles.is_empty(), "{circles:?}");
}

fn fixture(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(p, s)| (p.to_string(), s.to_string()))
        .collect()
}

fn read_dir(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            read_dir(root, &path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path.strip_prefix(root).expect("under src");
            let text = std::fs::read_to_string(&path).expect("a UTF-8 source file");
            out.insert(rel.to_string_lossy().replace('\\', "/"), text);
        }
    }
}

/// Every circle, as `a.rs -> b.rs -> a.rs`, one per strongly connected set of files.
fn circles(sources: &BTreeMap<String, String>) -> Vec<String> {
    let files: Files = sources.keys().map(|f| (module_of(f), f.clone())).collect();
    let tokens: BTreeMap<&String, Vec<String>> =
        sources.iter().map(|(f, s)| (f, tokenize(s))).collect();
    let reexports: BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>> = files
        .iter()
        .map(|(m, f)| (m.clone(), reexports_of(m, &tokens[f])))
        .collect();
    let graph = Graph {
        files: &files,
        reexports: &reexports,
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &files {
        let targets = edges.entry(file.clone()).or_default();
        for path in paths_of(module, &tokens[file]) {
            if let Some(target) = graph.resolve(&path, 0) {
                if &target != file {
                    targets.insert(target);
                }
            }
        }
    }
    strongly_connected(&edges)
        .into_iter()
        .map(|set| cycle_through(&set, &edges))
        .collect()
}

fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

struct Graph<'a> {
    files: &'a Files,
    reexports: &'a BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>>,
}

impl Graph<'_> {
    /// The file a path leads to: the deepest module it names, following re-exports.
    fn resolve(&self, path: &[String], depth: usize) -> Option<String> {
        let mut at: Vec<String> = Vec::new();
        for (i, seg) in path.iter().enumerate() {
            let mut child = at.clone();
            child.push(seg.clone());
            if self.files.contains_key(&child) {
                at = child;
                continue;
            }
            if let Some(target) = self.reexports.get(&at).and_then(|r| r.get(seg)) {
                if depth < 8 {
                    let mut rest = target.clone();
                    rest.extend_from_slice(&path[i + 1..]);
                    return self.resolve(&rest, depth + 1);
                }
            }
            break;
        }
        self.files.get(&at).cloned()
    }
}

/// A file's tokens: identifiers, `::`, punctuation; comments and literals left out.
fn tokenize(src: &str) -> Vec<String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if let Some(end) = raw_string_end(&chars, i) {
            i = end;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '"'); a lifetime ('a) is skipped as a quote.
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == ':' && next == Some(':') {
            out.push("::".to_string());
            i += 2;
        } else {
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}

/// Where a raw string (`r"…"`, `r#"…"#`, `br#"…"#`) starting at `i` ends, if one does.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let before = i.checked_sub(1).map(|p| chars[p]);
    if before.is_some_and(|b| b.is_alphanumeric() || b == '_') {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|c| **c == '#').count();
    j += hashes;
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"' && chars[j + 1..].iter().take_while(|c| **c == '#').count() >= hashes {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(j)
}

/// The module paths (from the crate root) a file names.
fn paths_of(file_module: &[String], tokens: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for_each_path(file_module, tokens, |_, path| out.push(path));
    out
}

/// `pub use` re-exports of a module: the name it gives → the path it names.
fn reexports_of(file_module: &[String], tokens: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for_each_path(file_module, tokens, |reexport, path| {
        if reexport {
            if let Some(name) = path.last() {
                out.insert(name.clone(), path.clone());
            }
        }
    });
    out
}

/// Calls `found(is_pub_use, path)` for every path in `tokens`, resolved to a path from the crate
/// root. Inline modules shift `self` and `super` as they nest.
fn for_each_path(
    file_module: &[String],
    tokens: &[String],
    mut found: impl FnMut(bool, Vec<String>),
) {
    let mut here: Vec<String> = file_module.to_vec();
    // The brace depth at which each inline module opened.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth: usize = 0;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        match t {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last() == Some(&depth) {
                    inline.pop();
                    here.pop();
                }
            }
            "mod" if tokens.get(i + 2).map(String::as_str) == Some("{") => {
                here.push(tokens[i + 1].clone());
                inline.push(depth);
                depth += 1;
                i += 3;
                continue;
            }
            "use" => {
                let reexport = (i > 0 && tokens[i - 1] == "pub")
                    || (i > 3 && tokens[i - 1] == ")" && tokens[i - 4] == "pub");
                let end = tokens[i..]
                    .iter()
                    .position(|t| t == ";")
                    .map_or(tokens.len(), |p| i + p);
                let mut trees = Vec::new();
                use_tree(&tokens[i + 1..end], Vec::new(), &mut trees);
                for path in trees {
                    if let Some(abs) = absolute(&here, &path, true) {
                        found(reexport, abs);
                    }
                }
                i = end + 1;
                continue;
            }
            "crate" | "super" | "self" if tokens.get(i + 1).map(String::as_str) == Some("::") => {
                let mut path = vec![t.to_string()];
                let mut j = i + 1;
                while tokens.get(j).map(String::as_str) == Some("::")
                    && tokens.get(j + 1).is_some_and(|s| is_ident(s))
                {
                    path.push(tokens[j + 1].clone());
                    j += 2;
                }
                if let Some(abs) = absolute(&here, &path, false) {
                    found(false, abs);
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// The paths of one `use` tree (`a::{b, c::{d, e as f}}` → `a::b`, `a::c::d`, `a::c::e`).
fn use_tree(tokens: &[String], prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i].as_str() {
            "::" => {}
            "{" => {
                let close = matching_brace(tokens, i);
                for item in split_top(&tokens[i + 1..close]) {
                    use_tree(item, path.clone(), out);
                }
                return;
            }
            "as" => break,
            "*" => break,
            "self" if !path.is_empty() => break,
            s if is_ident(s) => path.push(s.to_string()),
            _ => {}
        }
        i += 1;
    }
    out.push(path);
}

fn matching_brace(tokens: &[String], open: usize) -> usize {
    let mut depth = 0;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        match t.as_str() {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// The items of a brace group, split at its top-level commas.
fn split_top(tokens: &[String]) -> Vec<&[String]> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (k, t) in tokens.iter().enumerate() {
        match t.as_str() {
            "{" => depth += 1,
            "}" => depth -= 1,
            "," if depth == 0 => {
                out.push(&tokens[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    out.push(&tokens[start..]);
    out
}

/// A path from the crate root: `crate::` from the root, `self::`/`super::` from `here`, and (in a
/// `use`) a first segment that names a child module of `here`. Anything else is another crate's.
fn absolute(here: &[String], path: &[String], in_use: bool) -> Option<Vec<String>> {
    let first = path.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut b = here.to_vec();
            b.pop();
            b
        }
        _ if in_use => {
            let mut b = here.to_vec();
            b.push(first.clone());
            b.extend_from_slice(&path[1..]);
            return Some(b);
        }
        _ => return None,
    };
    let mut rest = &path[1..];
    while rest.first().map(String::as_str) == Some("super") {
        base.pop();
        rest = &rest[1..];
    }
    base.extend_from_slice(rest);
    Some(base)
}

/// Tarjan's strongly connected sets of more than one file, each sorted, in file order.
fn strongly_connected(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        let edges = s.edges;
        for w in edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut set = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                set.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort();
                s.out.push(set);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

/// One circle inside a strongly connected set, from its first file: the shortest way back.
fn cycle_through(set: &[String], edges: &BTreeMap<String, BTreeSet<String>>) -> String {
    let start = &set[0];
    let inside: BTreeSet<&String> = set.iter().collect();
    // Breadth first from `start` within the set, until an edge leads back to it.
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in edges.get(v).into_iter().flatten() {
            if w == start {
                let mut path = vec![start.clone()];
                let mut at = v;
                let mut back = vec![v.clone()];
                while let Some(prev) = came_from.get(at) {
                    back.push((*prev).clone());
                    at = prev;
                }
                back.pop();
                back.reverse();
                path.extend(back);
                path.push(start.clone());
                return path.join(" -> ");
            }
            if inside.contains(w) && w != start && !came_from.contains_key(w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    set.join(", ")
}
