//! `booktax-bindgen --target web|nodejs --out-dir DIR INPUT.wasm`: the wasm-bindgen CLI's output (short import names aside), from its library.
//!
//! The page needs only the glue generator: the CLI also builds a test runner (a web server and a
//! WebDriver client), which on a fresh machine took most of `cargo xtask serve`'s time to compile.
//! The options are the CLI's defaults, so the output is the CLI's, but for the short names it gives
//! the imports the wasm takes from its glue (`short_names.rs`).

mod short_names;

use std::path::PathBuf;
use std::process::ExitCode;
use wasm_bindgen_cli_support::Bindgen;

const USAGE: &str =
    "usage: booktax-bindgen --target web|nodejs --out-name NAME --out-dir DIR INPUT.wasm";

/// What to generate, from the command line.
struct Args {
    target: String,
    out_name: Option<String>,
    out_dir: PathBuf,
    input: PathBuf,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut target, mut out_name, mut out_dir, mut input) = (None, None, None, None);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--target" => target = Some(value()?),
            "--out-name" => out_name = Some(value()?),
            "--out-dir" => out_dir = Some(PathBuf::from(value()?)),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ if input.is_none() => input = Some(PathBuf::from(arg)),
            _ => return Err(format!("a second input: {arg}")),
        }
    }
    Ok(Args {
        target: target.ok_or("--target is required")?,
        out_name,
        out_dir: out_dir.ok_or("--out-dir is required")?,
        input: input.ok_or("the input wasm is required")?,
    })
}

fn generate(args: &Args) -> Result<(), String> {
    let mut b = Bindgen::new();
    match args.target.as_str() {
        "web" => b.web(true),
        "nodejs" => b.nodejs(true),
        other => return Err(format!("unknown target {other} (web or nodejs)")),
    }
    .map_err(|e| e.to_string())?;
    // As the CLI sets them when given no flags (some of the library's own defaults differ).
    #[allow(deprecated)] // the CLI still calls it; kept so the output stays the CLI's
    b.input_path(&args.input)
        .typescript(true)
        .demangle(true)
        .omit_default_module_path(false)
        .reference_types(false);
    if let Some(name) = &args.out_name {
        b.out_name(name);
    }
    let stem = b.stem().map_err(|e| format!("{e:#}"))?.to_string();
    let mut output = b.generate_output().map_err(|e| format!("{e:#}"))?;
    let renamed = short_names::shorten_imports(output.wasm_mut(), &format!("./{stem}_bg.js"));
    // Checked before anything is written, so a glue of another shape never leaves a renamed wasm
    // beside a glue with the old names (the file is this text re-indented).
    short_names::rename_in_glue(output.js(), &renamed)?;
    output.emit(&args.out_dir).map_err(|e| format!("{e:#}"))?;
    // Where wasm-bindgen writes it.
    let glue_path = args.out_dir.join(&stem).with_extension("js");
    let glue =
        std::fs::read_to_string(&glue_path).map_err(|e| format!("{}: {e}", glue_path.display()))?;
    let glue = short_names::rename_in_glue(&glue, &renamed)?;
    std::fs::write(&glue_path, glue).map_err(|e| format!("{}: {e}", glue_path.display()))
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)).and_then(|args| generate(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("booktax-bindgen: {e}\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}
