//! `normalizeCode` + `decideIsbn` on a million mixed inputs, as the core does them natively.

use booktax::core::code::{CodeKind, read_code};
use booktax::core::rules::{Checkout, decide_isbn};
use booktax::core::schema::{DateField, Isbn, IsbnStatus};
use booktax::core::taipei::parse_yyyymmdd;
use booktax_bench_native::mixed_inputs;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn read_and_decide(c: &mut Criterion) {
    let inputs = mixed_inputs(1_000_000);
    let record = |status, approved: &str| Isbn {
        isbn: String::new(),
        status: Some(status),
        approved_effective_date: DateField::parse(approved),
        ..Isbn::default()
    };
    let records = [
        record(IsbnStatus::Approved, "20210301"),
        record(IsbnStatus::Approved, "20270101"),
        record(IsbnStatus::Revoked, "20210301"),
    ];
    let at = Checkout::new(Some("20310228"), parse_yyyymmdd("20261124").unwrap(), None);
    let mut group = c.benchmark_group("core");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.sample_size(10);
    group.bench_function("read_code + decide_isbn, 1,000,000 mixed inputs", |b| {
        b.iter(|| {
            let mut exempt = 0u32;
            for (i, input) in inputs.iter().enumerate() {
                if let Ok(code) = read_code(black_box(input))
                    && code.kind == CodeKind::Isbn
                {
                    let d = decide_isbn(&records[i % 3], &at);
                    exempt += u32::from(d.verdict == booktax::core::rules::Verdict::Exempt);
                }
            }
            black_box(exempt)
        });
    });
    group.bench_function("read_code alone, 1,000,000 mixed inputs", |b| {
        b.iter(|| {
            inputs
                .iter()
                .filter(|i| read_code(black_box(i)).is_ok())
                .count()
        });
    });
    group.finish();
}

criterion_group!(benches, read_and_decide);
criterion_main!(benches);
