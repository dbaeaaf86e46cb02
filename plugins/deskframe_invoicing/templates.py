"""The html templates, kept as string constants so they install with the Python modules.

Rules the templates keep: no JavaScript, no external resource (fonts, images,
stylesheets), CSS inline in a ``<style>`` element only, so a page works offline and
under ``default-src 'none'; style-src 'unsafe-inline'``. They are rendered with
autoescaping on: every value is text, never markup.
"""

from __future__ import annotations

#: Shared stylesheet; a template literal, never a variable (autoescaping would mangle it).
_STYLE = """\
<style>
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #eceff1; color: #1b1f23;
       font: 10.5pt/1.45 "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
.sheet { position: relative; width: 210mm; min-height: 297mm; margin: 12mm auto; padding: 16mm 15mm;
         background: #fff; box-shadow: 0 1px 4px rgba(0, 0, 0, .2); }
h1 { margin: 0; font-size: 20pt; letter-spacing: .06em; }
h2 { margin: 0 0 2mm; font-size: 10pt; text-transform: uppercase; letter-spacing: .08em; color: #57606a; }
p { margin: 0 0 1mm; }
dl { display: grid; grid-template-columns: max-content auto; gap: .5mm 4mm; margin: 2mm 0 0; }
dt { color: #57606a; }
dd { margin: 0; }
.muted { color: #57606a; }
.head { display: flex; justify-content: space-between; gap: 10mm; margin-bottom: 8mm; }
.doc { text-align: right; }
.doc dl { justify-content: end; text-align: left; }
.number { font-size: 13pt; font-weight: bold; }
.vendor-name { font-size: 13pt; font-weight: bold; }
.notice { margin: 0 0 6mm; padding: 2mm 3mm; border-left: 1.2mm solid #b42318; background: #fef3f2; }
.customer { margin-bottom: 6mm; }
.customer-name { font-size: 12pt; font-weight: bold; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 1.2mm 1.5mm; vertical-align: top; text-align: left; }
thead th { border-bottom: .4mm solid #1b1f23; font-size: 9pt; color: #57606a; }
.num { text-align: right; white-space: nowrap; }
.nowrap { white-space: nowrap; }
tbody.ticket tr.group th { padding-top: 3mm; border-bottom: .2mm solid #d0d7de; font-size: 10pt; }
tbody.ticket tr.line td { border-bottom: .1mm solid #eaeef2; }
tr.group-total td { font-weight: bold; border-bottom: .3mm solid #d0d7de; }
.estimate { float: right; font-weight: normal; color: #57606a; }
.over { color: #b42318; }
.late { display: inline-block; margin-left: 1mm; padding: 0 1mm; border: .2mm solid #b54708; border-radius: 1mm;
        color: #b54708; font-size: 8pt; white-space: nowrap; }
.totals { width: auto; margin: 5mm 0 0 auto; }
.totals th { font-weight: normal; color: #57606a; padding-right: 6mm; }
.totals tr.total th, .totals tr.total td { font-size: 12.5pt; font-weight: bold; color: #1b1f23;
                                           border-top: .4mm solid #1b1f23; }
.held { margin-top: 8mm; }
.held td, .held th { border-bottom: .1mm solid #eaeef2; }
.watermark { position: fixed; top: 42%; left: 0; right: 0; text-align: center; z-index: 10;
             font-size: 110pt; font-weight: bold; letter-spacing: .1em; color: rgba(180, 35, 24, .13);
             transform: rotate(-30deg); pointer-events: none; user-select: none; }
footer { margin-top: 10mm; font-size: 8.5pt; color: #57606a; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { background: none; font-size: 10pt; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
  thead { display: table-header-group; }
  tr, .totals, .held { break-inside: avoid; page-break-inside: avoid; }
  .watermark, .notice, .late { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>"""

_HEAD = """\
<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
"""

#: One invoice or credit note (``v`` is a :class:`deskframe_invoicing.view.InvoiceView`).
INVOICE = _HEAD + """\
<title>{{ v.title }} {{ v.reference }}</title>
""" + _STYLE + """
</head>
<body>
{% if v.watermark %}
<div class="watermark" aria-hidden="true">{{ v.watermark }}</div>
{% endif %}
<main class="sheet">
<header class="head">
  <div class="vendor">
{% if v.vendor_name %}
    <p class="vendor-name">{{ v.vendor_name }}</p>
{% endif %}
{% if v.vendor_details %}
    <dl>
{% for label, value in v.vendor_details %}
      <dt>{{ label }}</dt><dd>{{ value }}</dd>
{% endfor %}
    </dl>
{% endif %}
  </div>
  <div class="doc">
    <h1>{{ v.title }}</h1>
    <p class="number">{{ v.reference }}</p>
    <dl>
      <dt>Status</dt><dd>{{ v.status }}</dd>
      <dt>Issued</dt><dd>{{ v.issued or "not issued" }}</dd>
      <dt>Period</dt><dd>{{ v.period }}</dd>
      <dt>Contract</dt><dd>{{ v.contract or "-" }}</dd>
      <dt>Currency</dt><dd>{{ v.currency }}</dd>
    </dl>
  </div>
</header>
{% if v.kind == "credit" %}
<p class="notice">CREDIT NOTE for invoice <strong>{{ v.credit_for or "-" }}</strong>{% if v.reason %}: {{ v.reason }}{% endif %}</p>
{% endif %}
{% if v.status == "draft" %}
<p class="notice">DRAFT: not an invoice yet; the number is assigned when it is issued.</p>
{% elif v.status == "void" %}
<p class="notice">VOID: this invoice was cancelled by a credit note{% if v.reason %} ({{ v.reason }}){% endif %}.</p>
{% endif %}
<section class="customer">
  <h2>Bill to</h2>
  <p class="customer-name">{{ v.customer_name }}</p>
  <p class="muted">Customer ID {{ v.customer }}</p>
</section>
<table class="lines">
  <thead>
    <tr><th>#</th><th>Date</th><th>Agent</th><th>Description</th><th class="num">Quantity</th><th>Unit</th>
        <th class="num">Rate</th><th class="num">Amount</th></tr>
  </thead>
{% for g in v.groups %}
  <tbody class="ticket">
    <tr class="group"><th colspan="8" scope="rowgroup">{% if g.ticket %}Ticket {{ g.ticket }}{% else %}Other charges{% endif %}
{% if g.estimate %}
      <span class="estimate">estimate {{ g.estimate }} h &middot; actual {{ g.hours or "0" }} h</span>
{% elif g.hours %}
      <span class="estimate">actual {{ g.hours }} h</span>
{% endif %}
    </th></tr>
{% for l in g.lines %}
    <tr class="line"><td>{{ l.no }}</td><td class="nowrap">{{ l.date }}{% if l.late %} <span class="late">{{ late_label }}</span>{% endif %}</td><td>{{ l.agent }}</td><td>{{ l.description }}</td><td class="num">{{ l.quantity }}</td><td>{{ l.unit }}</td><td class="num">{{ l.rate }}</td><td class="num">{{ l.amount }}</td></tr>
{% endfor %}
{% if g.lines|length > 1 %}
    <tr class="group-total"><td colspan="7">{% if g.ticket %}Ticket {{ g.ticket }}{% else %}Other charges{% endif %}</td><td class="num">{{ g.amount }}</td></tr>
{% endif %}
  </tbody>
{% endfor %}
</table>
<table class="totals">
  <tr><th>Subtotal</th><td class="num">{{ v.subtotal }}</td></tr>
  <tr><th>Tax ({{ v.tax_rate }})</th><td class="num">{{ v.tax }}</td></tr>
  <tr class="total"><th>Total</th><td class="num">{{ v.total }}</td></tr>
</table>
{% if v.held %}
<section class="held">
  <h2>Not billed</h2>
  <table>
    <thead><tr><th>Ticket</th><th>Date</th><th>Agent</th><th class="num">Hours</th><th>Status</th></tr></thead>
    <tbody>
{% for h in v.held %}
      <tr><td>{{ h.ticket }}</td><td class="nowrap">{{ h.date }}</td><td>{{ h.agent }}</td><td class="num">{{ h.hours }}</td><td>{{ h.reason }}</td></tr>
{% endfor %}
    </tbody>
  </table>
</section>
{% endif %}
<footer>{{ v.title }} {{ v.reference }} &middot; {{ v.customer_name }} &middot; {{ v.period }}</footer>
</main>
</body>
</html>
"""

#: A list of invoices (``rows`` are :class:`deskframe_invoicing.view.IndexRow`).
INDEX = _HEAD + """\
<title>Invoices</title>
""" + _STYLE + """
</head>
<body>
<main class="sheet">
<h1>Invoices</h1>
<p class="muted">{{ rows|length }} document{{ "" if rows|length == 1 else "s" }}</p>
<table class="lines">
  <thead>
    <tr><th>Number</th><th>Document</th><th>Status</th><th>Issued</th><th>Customer</th><th>Contract</th>
        <th>Period</th><th class="num">Total</th></tr>
  </thead>
  <tbody class="ticket">
{% for r in rows %}
    <tr class="line"><td class="nowrap">{{ r.reference }}</td><td>{{ r.title }}</td><td>{{ r.status }}</td><td class="nowrap">{{ r.issued }}</td><td>{{ r.customer_name }} <span class="muted">({{ r.customer }})</span></td><td>{{ r.contract }}</td><td>{{ r.period }}</td><td class="num">{{ r.total }}</td></tr>
{% else %}
    <tr><td colspan="8">No invoices.</td></tr>
{% endfor %}
  </tbody>
</table>
</main>
</body>
</html>
"""
