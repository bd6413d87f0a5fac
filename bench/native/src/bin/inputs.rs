//! Prints the benchmarks' million mixed inputs, one per line, for the peers (python-stdnum, isbn3) to read the same list.

use std::io::Write;

fn main() {
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for input in booktax_bench_native::mixed_inputs(1_000_000) {
        let _ = writeln!(out, "{input}");
    }
}
