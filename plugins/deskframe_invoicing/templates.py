"""The html templates, kept as string constants so they install with the Python modules.

Rules the templates keep: no JavaScript, no external resource (fonts, images,
stylesheets), CSS inline in a ``<style>`` element only, so a page works offline and
under ``default-src 'none'; style-src 'unsafe-inline'``. They are rendered with
autoescaping on: every value is text, never markup. Their own words go through
``_(message)`` (the invoice's gettext catalog, see :mod:`.i18n`).

Layout: an A4 sheet on screens wider than a sheet and in print; below 700 px the
sheet becomes the page and the lines table turns into one card per line, so a
390 px phone reads it without scrolling sideways.
"""

from __future__ import annotations

#: Shared stylesheet; a template literal, never a variable (autoescaping would mangle it).
_STYLE = """\
<style>
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #eceff1; color: #1b1f23;
       font: 10.5pt/1.45 "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
.sheet { position: relative; width: 210mm; min-height: 297mm; margin: 12mm auto; padding: 14mm 15mm;
         background: #fff; box-shadow: 0 1px 4px rgba(0, 0, 0, .2); }
h1 { margin: 0 0 4mm; font-size: 16pt; }
h2 { margin: 0 0 1.5mm; font-size: 9pt; text-transform: uppercase; letter-spacing: .08em; color: #57606a; }
p { margin: 0 0 1mm; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .5mm 4mm; margin: 1mm 0 0; }
dt { color: #57606a; }
dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.muted { color: #57606a; }
.bank { margin-bottom: 6mm; padding: 2.5mm 3.5mm; border: .3mm solid #1b1f23; }
.bank dl { grid-template-columns: max-content minmax(0, 1fr); }
.bank dd { font-variant-numeric: tabular-nums; }
.parties { display: grid; grid-template-columns: 1fr 1fr; gap: 6mm; margin-bottom: 5mm; }
.party-name { font-weight: bold; font-size: 11pt; overflow-wrap: anywhere; }
.facts { margin-bottom: 5mm; }
.notice { margin: 0 0 5mm; padding: 2mm 3mm; border-left: 1.2mm solid #b42318; background: #fef3f2; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 1.2mm 1.5mm; vertical-align: top; text-align: left; }
thead th { border-bottom: .4mm solid #1b1f23; font-size: 9pt; color: #57606a; }
.num { text-align: right; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.desc { overflow-wrap: anywhere; }
.phone { display: none; }
.meta { display: block; font-size: 8.5pt; color: #57606a; }
tbody.ticket tr.group th { padding-top: 3mm; border-bottom: .2mm solid #d0d7de; font-size: 10pt; }
tbody.ticket tr.line td { border-bottom: .1mm solid #eaeef2; }
tr.group-total td { font-weight: bold; border-bottom: .3mm solid #d0d7de; }
.estimate { display: block; font-weight: normal; font-size: 9pt; color: #57606a; }
.late { display: inline-block; margin-left: 1mm; padding: 0 1mm; border: .2mm solid #b54708; border-radius: 1mm;
        color: #b54708; font-size: 8pt; white-space: nowrap; }
.totals { width: auto; margin: 5mm 0 0 auto; }
.totals th { font-weight: normal; color: #57606a; padding-right: 6mm; }
.totals tr.total th, .totals tr.total td { font-size: 12.5pt; font-weight: bold; color: #1b1f23;
                                           border-top: .4mm solid #1b1f23; }
.summary { margin-top: 4mm; }
.words { font-weight: bold; }
.pay { margin-top: 4mm; padding: 2mm 3mm; background: #f6f8fa; }
.held { margin-top: 8mm; }
.held td, .held th { border-bottom: .1mm solid #eaeef2; }
.watermark { position: fixed; top: 42%; left: 0; right: 0; overflow: hidden; text-align: center; z-index: 10;
             font-size: 110pt; font-weight: bold; letter-spacing: .1em; color: rgba(180, 35, 24, .13);
             transform: rotate(-30deg); pointer-events: none; user-select: none; }
footer { margin-top: 10mm; font-size: 8.5pt; color: #57606a; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media screen and (max-width: 700px) {
  body { background: #fff; font-size: 11pt; }
  .phone { display: inline; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 4mm; box-shadow: none; }
  .parties { grid-template-columns: minmax(0, 1fr); }
  .watermark { font-size: 48pt; }
  .totals { width: 100%; }
  table.lines thead { display: none; }
  table.lines, table.lines tbody, table.lines tr, table.lines td, table.lines th { display: block; width: 100%; }
  tbody.ticket tr.line { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0 3mm;
                         padding: 2mm 0; border-bottom: .1mm solid #d0d7de; }
  tbody.ticket tr.line td { border: 0; padding: .3mm 0; }
  tbody.ticket tr.line td.no, tbody.ticket tr.line td.when { display: none; }
  tbody.ticket tr.line td.desc { grid-column: 1 / -1; font-weight: bold; }
  tbody.ticket tr.line td.qty::before, tbody.ticket tr.line td.rate::before { content: attr(data-label) ": ";
                                                                              color: #57606a; }
  tbody.ticket tr.line td.unit { display: none; }
  tbody.ticket tr.line td.amount { grid-column: 2; grid-row: 2 / span 2; align-self: center; font-weight: bold; }
  tbody.ticket tr.line td.num { text-align: left; white-space: normal; }
  tbody.ticket tr.line td.amount.num { text-align: right; }
  tr.group-total { display: flex !important; justify-content: space-between; }
  tr.group-total td { width: auto !important; border: 0; }
  .held table, .held tbody, .held tr, .held td { display: block; width: 100%; }
  .held thead { display: none; }
  .held tr { padding: 1.5mm 0; border-bottom: .1mm solid #eaeef2; }
  .held td { border: 0; padding: 0; }
}
@media print {
  body { background: none; font-size: 10pt; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
  thead { display: table-header-group; }
  tr, .totals, .held, .bank, .summary { break-inside: avoid; page-break-inside: avoid; }
  .watermark, .notice, .late, .pay { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
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
INVOICE = (
    _HEAD
    + """\
<title>{{ v.title }} {{ v.reference }}</title>
"""
    + _STYLE
    + """
</head>
<body>
{% if v.watermark %}
<div class="watermark" aria-hidden="true">{{ v.watermark }}</div>
{% endif %}
<main class="sheet">
{% if v.bank %}
<section class="bank">
  <h2>{{ _("Payment details") }}</h2>
  <dl>
{% for label, value in v.bank %}
    <dt>{{ label }}</dt><dd>{{ value }}</dd>
{% endfor %}
  </dl>
</section>
{% endif %}
<h1>{{ v.heading }}</h1>
{% for notice in v.notices %}
<p class="notice">{{ notice }}</p>
{% endfor %}
<div class="parties">
{% if v.vendor %}
  <section class="vendor">
    <h2>{{ _("Supplier") }}</h2>
    <p class="party-name">{{ v.vendor.name }}</p>
{% if v.vendor.details %}
    <dl>
{% for label, value in v.vendor.details %}
      <dt>{{ label }}</dt><dd>{{ value }}</dd>
{% endfor %}
    </dl>
{% endif %}
  </section>
{% endif %}
  <section class="customer">
    <h2>{{ _("Customer") }}</h2>
    <p class="party-name">{{ v.buyer.name }}</p>
{% if v.buyer.details %}
    <dl>
{% for label, value in v.buyer.details %}
      <dt>{{ label }}</dt><dd>{{ value }}</dd>
{% endfor %}
    </dl>
{% endif %}
  </section>
</div>
<dl class="facts">
{% for label, value in v.facts %}
  <dt>{{ label }}</dt><dd>{{ value }}</dd>
{% endfor %}
</dl>
<table class="lines">
  <thead>
    <tr><th>{{ _("No.") }}</th><th>{{ _("Work and services") }}</th><th>{{ _("Date or period") }}</th>
        <th class="num">{{ _("Qty") }}</th><th>{{ _("Unit") }}</th><th class="num">{{ _("Price") }}</th>
        <th class="num">{{ _("Amount") }}</th></tr>
  </thead>
{% for g in v.groups %}
  <tbody class="ticket">
    <tr class="group"><th colspan="7" scope="rowgroup">{{ g.title }}
{% if g.note %}
      <span class="estimate">{{ g.note }}</span>
{% endif %}
    </th></tr>
{% for l in g.lines %}
    <tr class="line"><td class="no">{{ l.no }}</td><td class="desc">{{ l.description }}<span class="meta"><span class="phone">{{ l.when }} </span>{{ l.agent }}{% if l.late %} <span class="late">{{ _(late_label) }}</span>{% endif %}</span></td><td class="when nowrap">{{ l.when }}</td><td class="num qty" data-label="{{ _("Qty") }}">{{ l.quantity }}<span class="phone"> {{ l.unit }}</span></td><td class="unit">{{ l.unit }}</td><td class="num rate" data-label="{{ _("Price") }}">{{ l.rate }}</td><td class="num amount">{{ l.amount }}</td></tr>
{% endfor %}
{% if g.lines|length > 1 %}
    <tr class="group-total"><td colspan="6">{{ g.title }}</td><td class="num">{{ g.amount }}</td></tr>
{% endif %}
  </tbody>
{% endfor %}
</table>
<table class="totals">
{% for label, amount in v.totals %}
  <tr{% if loop.last %} class="total"{% endif %}><th>{{ label }}</th><td class="num">{{ amount }}</td></tr>
{% endfor %}
{% for label, amount in v.payment %}
  <tr{% if loop.last %} class="total"{% endif %}><th>{{ label }}</th><td class="num">{{ amount }}</td></tr>
{% endfor %}
</table>
<section class="summary">
  <p>{{ v.items_line }}</p>
  <p class="words">{{ v.total_words }}</p>
  <p>{{ v.vat_line }}</p>
{% if v.payment_note %}
  <p class="pay">{{ v.payment_note }}</p>
{% endif %}
</section>
{% if v.held %}
<section class="held">
  <h2>{{ _("Not billed") }}</h2>
  <table>
    <thead><tr><th>{{ _("Ticket") }}</th><th>{{ _("Date") }}</th><th>{{ _("Specialist") }}</th><th class="num">{{ _("Hours") }}</th><th>{{ _("Reason") }}</th></tr></thead>
    <tbody>
{% for h in v.held %}
      <tr><td>{{ h.ticket }}</td><td class="nowrap">{{ h.date }}</td><td>{{ h.agent }}</td><td class="num">{{ h.hours }}</td><td>{{ h.reason }}</td></tr>
{% endfor %}
    </tbody>
  </table>
</section>
{% endif %}
<footer>{{ v.footer }}</footer>
</main>
</body>
</html>
"""
)

#: A list of invoices (``rows`` are :class:`deskframe_invoicing.view.IndexRow`).
INDEX = (
    _HEAD
    + """\
<title>{{ _("Invoices") }}</title>
"""
    + _STYLE
    + """
</head>
<body>
<main class="sheet">
<h1>{{ _("Invoices") }}</h1>
<p class="muted">{{ _("Documents: {count}", count=rows|length) }}</p>
<table class="lines">
  <thead>
    <tr><th>{{ _("Number") }}</th><th>{{ _("Document") }}</th><th>{{ _("Date") }}</th><th>{{ _("Customer") }}</th>
        <th>{{ _("Period") }}</th><th>{{ _("Due date") }}</th><th class="num">{{ _("Total") }}</th>
        <th class="num">{{ _("Balance due") }}</th></tr>
  </thead>
  <tbody class="ticket">
{% for r in rows %}
    <tr class="line"><td class="nowrap desc">{{ r.reference }}</td><td>{{ r.title }}</td><td class="nowrap">{{ r.issued }}</td><td>{{ r.customer_name }}</td><td>{{ r.period }}</td><td class="nowrap">{{ r.due }}</td><td class="num">{{ r.total }}</td><td class="num amount">{{ r.balance }}</td></tr>
{% else %}
    <tr><td colspan="8">{{ _("No invoices.") }}</td></tr>
{% endfor %}
  </tbody>
</table>
</main>
</body>
</html>
"""
)
