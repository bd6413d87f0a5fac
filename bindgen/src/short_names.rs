//! Short names for the imports the wasm takes from its own glue, in the wasm and in the glue alike.
//!
//! wasm-bindgen names each import after its function and a 16-digit hash (`__wbg_fetch_9b478faef8cda538`),
//! once in the wasm's import section and once as a key of the glue's imports object. Neither name is
//! seen outside the two files, and the hashes do not compress: for the page's 127 imports, renamed to
//! `a`, `b`, …, its wasm shrinks by 1.8 KB and its glue by 1.3 KB brotli (the package's booktax.js
//! 1.9 and 1.5 KB). This is what binaryen's `--minify-imports` does for Emscripten, which renames
//! only imports from `env` (its `-and-modules` variant renames the exports too).

/// The `n`th short name: `a` … `z`, `A` … `Z`, then `aa`, `ab`, …: valid JS property keys, none of
/// them `__proto__`.
pub fn short_name(mut n: usize) -> String {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = vec![FIRST[n % FIRST.len()]];
    n /= FIRST.len();
    while n > 0 {
        n -= 1;
        name.push(FIRST[n % FIRST.len()]);
        n /= FIRST.len();
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII letters")
}

/// Renames every import from `module` (the glue's own, `./NAME_bg.js`) in the wasm; returns the
/// (old, new) pairs. Imports from other modules (a crate's JS snippets) keep their names: those are
/// the snippets' exports.
pub fn shorten_imports(wasm: &mut walrus::Module, module: &str) -> Vec<(String, String)> {
    let mut renamed = Vec::new();
    for import in wasm.imports.iter_mut().filter(|i| i.module == module) {
        let new = short_name(renamed.len());
        renamed.push((std::mem::replace(&mut import.name, new.clone()), new));
    }
    renamed
}

/// The glue with each old name replaced by its new one. Each old name must be in it exactly once,
/// as a whole identifier (the imports object's key): anything else means wasm-bindgen's glue has
/// changed shape, and the build stops rather than ship a glue the wasm cannot link to.
pub fn rename_in_glue(glue: &str, renamed: &[(String, String)]) -> Result<String, String> {
    let mut out = glue.to_string();
    for (old, new) in renamed {
        let found: Vec<usize> = out
            .match_indices(old.as_str())
            .map(|(at, _)| at)
            .filter(|&at| whole_identifier(&out, at, old.len()))
            .collect();
        let [at] = found[..] else {
            return Err(format!(
                "the glue names the import {old} {} times, not once: wasm-bindgen's output has changed shape",
                found.len()
            ));
        };
        out.replace_range(at..at + old.len(), new);
    }
    Ok(out)
}

/// Whether `text[at..at + len]` is not part of a longer identifier.
fn whole_identifier(text: &str, at: usize, len: usize) -> bool {
    let part_of_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    !text[..at].chars().next_back().is_some_and(part_of_name)
        && !text[at + len..].chars().next().is_some_and(part_of_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_distinct_and_valid_keys() {
        assert_eq!(short_name(0), "a");
        assert_eq!(short_name(51), "Z");
        assert_eq!(short_name(52), "aa");
        assert_eq!(short_name(53), "ab");
        let names: Vec<String> = (0..3000).map(short_name).collect();
        let distinct: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_alphabetic()))
        );
        assert!(names[..52 + 52 * 52].iter().all(|n| n.len() <= 2));
    }

    #[test]
    fn the_glue_key_is_renamed_and_nothing_else() {
        let glue = "const import0 = {\n  __wbg_get_aa: function(a) { return a; },\n  __wbg_get_aab: function() {},\n};\nwasm.__wbg_get_aa_free();";
        let renamed = [("__wbg_get_aa".to_string(), "a".to_string())];
        assert_eq!(
            rename_in_glue(glue, &renamed).unwrap(),
            "const import0 = {\n  a: function(a) { return a; },\n  __wbg_get_aab: function() {},\n};\nwasm.__wbg_get_aa_free();"
        );
    }

    #[test]
    fn a_name_missing_or_repeated_stops_the_build() {
        let renamed = [("__wbg_x_1".to_string(), "a".to_string())];
        assert!(rename_in_glue("{ __wbg_y_1: f }", &renamed).is_err());
        assert!(rename_in_glue("{ __wbg_x_1: f, g: __wbg_x_1 }", &renamed).is_err());
    }

    #[test]
    fn only_the_glue_module_imports_are_renamed() {
        let mut wasm = walrus::Module::default();
        let ty = wasm.types.add(&[], &[]);
        wasm.add_import_func("./pkg_bg.js", "__wbg_now_0123456789abcdef", ty);
        wasm.add_import_func("./snippets/x/inline0.js", "helper", ty);
        wasm.add_import_func("./pkg_bg.js", "__wbindgen_init_externref_table", ty);
        let renamed = shorten_imports(&mut wasm, "./pkg_bg.js");
        assert_eq!(
            renamed,
            [
                ("__wbg_now_0123456789abcdef".into(), "a".into()),
                ("__wbindgen_init_externref_table".into(), "b".into())
            ]
        );
        let names: Vec<&str> = wasm.imports.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["a", "helper", "b"]);
    }
}
