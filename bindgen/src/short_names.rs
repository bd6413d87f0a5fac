//! Short names for the imports the wasm takes from its own glue, in the wasm and in the glue alike.
//!
//! wasm-bindgen names each import after its function and a 16-digit hash (`__wbg_fetch_9b478faef8cda538`),
//! once in the wasm's import section and once as a key of the glue's imports object. Neither name is
//! seen outside the two files, and the hashes do not compress: for the page's 127 imports, renamed to
//! `a`, `b`, …, its wasm shrinks by 1.8 KB and its glue by 1.3 KB brotli (the package's booktax.js
//! 1.9 and 1.5 KB). This is what binaryen's `--minify-imports` does for Emscripten, which renames
//! only imports from `env` (its `-and-modules` variant renames the exports too).

/// The `n`th short name: `a` … `z`, `A` … `Z`, then `aa`, `ab`, …: letters only, so never
/// `__proto__`, and valid keys of the glue's imports object (keys, not bindings: `do` and `if` are
/// fine there).
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

/// Renames every function the wasm imports from `module` (the glue's own, `./NAME_bg.js`); returns
/// the (old, new) pairs. Imports from other modules (a crate's JS snippets, whose exports they name)
/// and imports of anything but a function (a shared memory) keep their names.
///
/// Short names follow the imports' order, so a glue and a wasm from two builds with different imports
/// would still link, each letter then naming another function (wasm does not check an imported JS
/// function's type); the hashed names made such a pair fail to link. So the first import's name also
/// carries a fingerprint of the whole list of old names, in order: a pair from two builds whose
/// imports differ fails to link, as before, and the page says it could not load its decision module.
pub fn shorten_imports(wasm: &mut walrus::Module, module: &str) -> Vec<(String, String)> {
    let glue_functions = |i: &&mut walrus::Import| {
        i.module == module && matches!(i.kind, walrus::ImportKind::Function(_))
    };
    let mut imports: Vec<&mut walrus::Import> =
        wasm.imports.iter_mut().filter(glue_functions).collect();
    let fingerprint = fnv1a(imports.iter().map(|i| i.name.as_str()));
    let mut renamed = Vec::new();
    for (n, import) in imports.iter_mut().enumerate() {
        let new = match n {
            0 => format!("{}_{:08x}", short_name(0), fingerprint as u32),
            n => short_name(n),
        };
        renamed.push((std::mem::replace(&mut import.name, new.clone()), new));
    }
    renamed
}

/// FNV-1a (64 bits) over the names, each ended by a newline: the same list in the same order, the
/// same number, on any machine and toolchain.
fn fnv1a<'a>(names: impl Iterator<Item = &'a str>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in names.flat_map(|n| n.bytes().chain([b'\n'])) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
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
        // Joined to a longer name on either side, it is not the key.
        assert!(
            rename_in_glue("{ $__wbg_x_1: f, x__wbg_x_1: g, __wbg_x_12: h }", &renamed).is_err()
        );
        assert_eq!(
            rename_in_glue("{ $__wbg_x_1: f, __wbg_x_1: g }", &renamed).unwrap(),
            "{ $__wbg_x_1: f, a: g }"
        );
    }

    /// A wasm importing these functions from the glue, a snippet's function and a memory.
    fn wasm_importing(names: &[&str]) -> walrus::Module {
        let mut wasm = walrus::Module::default();
        let ty = wasm.types.add(&[], &[]);
        wasm.add_import_func("./snippets/x/inline0.js", "helper", ty);
        wasm.add_import_memory("./pkg_bg.js", "memory", false, false, 1, None, None);
        for name in names {
            wasm.add_import_func("./pkg_bg.js", name, ty);
        }
        wasm
    }

    #[test]
    fn only_the_glue_modules_functions_are_renamed_the_first_with_a_fingerprint() {
        let mut wasm = wasm_importing(&[
            "__wbg_now_0123456789abcdef",
            "__wbindgen_init_externref_table",
        ]);
        let renamed = shorten_imports(&mut wasm, "./pkg_bg.js");
        let first = &renamed[0].1;
        assert!(first.starts_with("a_") && first.len() == 10, "{first}");
        assert_eq!(
            renamed,
            [
                ("__wbg_now_0123456789abcdef".into(), first.clone()),
                ("__wbindgen_init_externref_table".into(), "b".into())
            ]
        );
        let names: Vec<&str> = wasm.imports.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["helper", "memory", first, "b"]);
    }

    #[test]
    fn builds_with_other_imports_cannot_link_to_each_other() {
        let first = |names: &[&str]| {
            shorten_imports(&mut wasm_importing(names), "./pkg_bg.js")[0]
                .1
                .clone()
        };
        let build = first(&["__wbg_a_01", "__wbg_b_02"]);
        assert_eq!(
            first(&["__wbg_a_01", "__wbg_b_02"]),
            build,
            "the same imports: the same names"
        );
        assert_ne!(
            first(&["__wbg_a_01", "__wbg_c_03"]),
            build,
            "another import"
        );
        assert_ne!(
            first(&["__wbg_b_02", "__wbg_a_01"]),
            build,
            "the same imports in another order"
        );
        assert_ne!(first(&["__wbg_a_01"]), build, "one fewer");
    }
}
