// @ts-check
// The sale for the invoice as JSON, and files to download (loaded when first used, not before the page is ready).

/** @typedef {import('./pkg/booktax.js').SaleTotals} SaleTotals */
/** @typedef {import('./pkg/booktax.js').SaleLine} WasmSaleLine */

/**
 * The sale as the e-invoice needs it: each item's tax type (1 應稅, 3 免稅) and amount, and the invoice's
 * `SalesAmount` (taxable, tax included), `FreeTaxSalesAmount` and `TaxType` (1, 3 or 9 for mixed).
 * @param {WasmSaleLine[]} items
 * @param {SaleTotals} totals
 * @param {{ checkoutTime: string, format: string }} terms
 */
export function invoiceJson(items, totals, terms) {
  const invoice = {
    checkoutTime: terms.checkoutTime,
    format: terms.format,
    TaxType: totals.invoiceTaxType,
    SalesAmount: totals.taxableAmount,
    FreeTaxSalesAmount: totals.exemptAmount,
    ZeroTaxSalesAmount: 0,
    TotalAmount: totals.taxableAmount + totals.exemptAmount,
    taxIncluded: totals.taxIncluded,
    items: items.map((item, i) => ({
      Description: item.title || item.code,
      code: item.code,
      verdict: item.verdict,
      Quantity: item.quantity,
      UnitPrice: item.unitPrice,
      Amount: totals.items[i].amount,
      TaxType: totals.items[i].taxType,
    })),
  };
  return `${JSON.stringify(invoice, null, 2)}\n`;
}

/**
 * Offers text (or a file's bytes as they are) as a file to save.
 * @param {BlobPart} content
 * @param {string} name
 * @param {string} type
 */
export function downloadText(content, name, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once it starts.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/**
 * "2026-11-24T13:05:09" -> "20261124-1305", for file names.
 * @param {string} time
 */
export function fileStamp(time) {
  return time.slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
}
