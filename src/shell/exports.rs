//! The stateless exports the checkout page calls, totalling a sale and writing it as CSV; the reading of a served record; the TypeScript shapes of every answer.

use crate::core::rules::Verdict;
use crate::core::sale::{LineLabel, MAX_AMOUNT, SaleLine, sale_csv, sale_totals, sale_tsv};
use crate::core::schema::read_schema;
use crate::shell::js_error::{Failure, to_js};
use crate::shell::js_input::field;
use crate::shell::js_read::JsRead;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// Reads a record as served (an `Isbn` or `Ean` object).
pub(crate) fn record<T: serde::de::DeserializeOwned>(record: JsValue) -> Result<T, Failure> {
    if !record.is_object() {
        return Err(Failure::record("紀錄必須是公告服務回傳的物件"));
    }
    read_schema(JsRead::new(record))
        .map_err(|e| Failure::record(format!("紀錄格式有誤（欄位 {e}）")))
}

/// `saleTotals()`: `{ exemptAmount, taxableAmount, taxIncluded, invoiceTaxType, items, unknownLines }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SaleTotalsView {
    exempt_amount: u64,
    taxable_amount: u64,
    tax_included: u64,
    invoice_tax_type: u8,
    items: Vec<SaleItemView>,
    unknown_lines: Vec<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SaleItemView {
    tax_type: u8,
    amount: u64,
}

/// A whole number of NT$ or items: finite, not negative, no fraction, exact in JavaScript.
fn whole(line: usize, value: &JsValue, what: &str) -> Result<u64, Failure> {
    let bad = |why: &str| Failure::new("bad_line", format!("第 {} 項：{what}{why}", line + 1));
    let n = value.as_f64().ok_or_else(|| bad("必須是數字"))?;
    if !n.is_finite() || n.fract() != 0.0 {
        return Err(bad("必須是整數"));
    }
    if n < 0.0 {
        return Err(bad("不可為負數"));
    }
    if n > MAX_AMOUNT as f64 {
        return Err(bad("過大"));
    }
    Ok(n as u64)
}

/// Totals a sale for the invoice: lines `{ verdict, unitPrice, quantity }` (whole NT$, tax included).
///
/// # Errors
///
/// `bad_line` naming the line (1-based) for a verdict that is not `exempt`, `taxable` or
/// `unknown`, or a price or quantity that is negative, fractional or not a number;
/// `amount_too_large` when an amount passes 2⁵³ − 1.
#[wasm_bindgen(js_name = saleTotals, unchecked_return_type = "SaleTotals")]
pub fn sale_totals_js(
    #[wasm_bindgen(unchecked_param_type = "SaleLine[]")] lines: JsValue,
) -> Result<JsValue, Failure> {
    let (_, read) = sale_lines(lines, "saleTotals")?;
    let totals = sale_totals(&read).map_err(|e| Failure::new("amount_too_large", e.to_string()))?;
    to_js(&SaleTotalsView {
        exempt_amount: totals.exempt_amount,
        taxable_amount: totals.taxable_amount,
        tax_included: totals.tax_included,
        invoice_tax_type: totals.invoice_tax_type.code(),
        items: totals
            .items
            .iter()
            .map(|(kind, amount)| SaleItemView {
                tax_type: kind.code(),
                amount: *amount,
            })
            .collect(),
        unknown_lines: totals.unknown_lines,
    })
}

/// The sale as CSV for Excel: lines `{ code, title?, detail?, verdict, unitPrice, quantity }`,
/// each with its e-invoice tax type and amount, then the invoice's totals; with
/// `{ separator: "tab" }`, tab-separated text without a BOM, for the clipboard.
///
/// # Errors
///
/// As [`sale_totals_js`].
#[wasm_bindgen(js_name = saleCsv)]
pub fn sale_csv_js(
    #[wasm_bindgen(unchecked_param_type = "SaleLine[]")] lines: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ separator?: 'comma' | 'tab' }")]
    opts: JsValue,
) -> Result<String, Failure> {
    let (array, read) = sale_lines(lines, "saleCsv")?;
    let texts: Vec<[String; 3]> = array
        .iter()
        .map(|line| {
            ["code", "title", "detail"].map(|f| field(&line, f).as_string().unwrap_or_default())
        })
        .collect();
    let labels: Vec<LineLabel> = texts
        .iter()
        .map(|[code, title, detail]| LineLabel {
            code,
            title,
            detail,
        })
        .collect();
    let totals = sale_totals(&read).map_err(|e| Failure::new("amount_too_large", e.to_string()))?;
    Ok(match field(&opts, "separator").as_string().as_deref() {
        Some("tab") => sale_tsv(&read, &labels, &totals),
        _ => sale_csv(&read, &labels, &totals),
    })
}

/// Reads a sale's lines `{ verdict, unitPrice, quantity }` for `what`.
fn sale_lines(lines: JsValue, what: &str) -> Result<(js_sys::Array, Vec<SaleLine>), Failure> {
    let array: js_sys::Array = lines
        .dyn_into()
        .map_err(|_| Failure::new("bad_line", format!("{what} 需要一個陣列")))?;
    let mut read = Vec::with_capacity(array.length() as usize);
    for (i, line) in array.iter().enumerate() {
        let verdict = match field(&line, "verdict").as_string().as_deref() {
            Some("exempt") => Verdict::Exempt,
            Some("taxable") => Verdict::Taxable,
            Some("unknown") => Verdict::Unknown,
            _ => {
                return Err(Failure::new(
                    "bad_line",
                    format!("第 {} 項：判定結果必須是 exempt、taxable 或 unknown", i + 1),
                ));
            }
        };
        read.push(SaleLine {
            verdict,
            unit_price: whole(i, &field(&line, "unitPrice"), "單價")?,
            quantity: whole(i, &field(&line, "quantity"), "數量")?,
        });
    }
    Ok((array, read))
}
