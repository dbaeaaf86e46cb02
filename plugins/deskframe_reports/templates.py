"""The html report's template, a string constant so it installs with the modules.

No JavaScript, no external resource: CSS inline in one ``<style>`` element, charts as
inline SVG (:mod:`.charts`). Rendered with autoescaping on: every value (ticket
subjects, customer and agent names) is text, never markup; only the server-drawn
charts and the hours-by-ticket rows (:data:`BY_TICKET_ROW`, escaped cell by cell in
:mod:`.html_format`: one row per ticket, thousands in a month) are marked safe. Words go through ``_()`` (the report's catalog).
"""

from __future__ import annotations

#: One row of the hours-by-ticket table; every value is escaped before it is put in.
BY_TICKET_ROW = (
    '\n<tr><td>{ticket}</td><td class="subject">{subject}</td><td class="num">{billable}</td>\n'
    '<td class="num">{non_billable}</td><td class="num">{estimate}</td></tr>'
)

#: The last row of the hours-by-ticket table when it shows only the tickets with the most hours.
BY_TICKET_REST = (
    '\n<tr class="rest"><td colspan="2">{others}</td><td class="num">{billable}</td>\n'
    '<td class="num">{non_billable}</td><td class="num">{estimate}</td></tr>'
)

REPORT = """\
<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ _("Support report") }} {{ report.customer.name }} {{ report.period.label }}</title>
<style>
* { box-sizing: border-box; }
body { margin: 0; background: #eceff1; color: #1b1f23; font: 10.5pt/1.45 "Helvetica Neue", Arial, sans-serif; }
main { max-width: 210mm; margin: 8mm auto; padding: 12mm 14mm; background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
h1 { margin: 0 0 2mm; font-size: 17pt; }
h2 { margin: 7mm 0 2mm; font-size: 12pt; border-bottom: .3mm solid #d0d7de; padding-bottom: 1mm; }
h3 { margin: 4mm 0 1mm; font-size: 10pt; color: #57606a; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; }
th, td { padding: 1mm 1.5mm; text-align: left; vertical-align: top; border-bottom: .1mm solid #eaeef2; }
thead th { border-bottom: .4mm solid #1b1f23; font-size: 9pt; color: #57606a; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.muted { color: #57606a; }
tr.rest td { font-style: italic; }
.up { color: #b42318; } .down { color: #067647; }
.breached { color: #b42318; font-weight: bold; }
.recs li { margin-bottom: 2mm; } .because { display: block; color: #57606a; font-size: 9pt; }
.chart svg { width: 100%; height: auto; max-height: 90mm; }
.subject { overflow-wrap: anywhere; }
@media print {
  @page { size: A4; margin: 14mm; }
  body { background: #fff; font-size: 9.5pt; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  section { break-inside: avoid; }
  h2 { break-after: avoid; }
  .chart { break-inside: avoid; }
}
</style>
</head>
<body>
<main>
<header>
<h1>{{ _("Support report") }}: {{ report.customer.name }}</h1>
<p>{{ _("Period") }}: {{ view.period(report) }} ({{ report.period.label }})
{%- if report.contracts %} &middot; {{ _("Contracts") }}:
{%- for c in report.contracts %} {{ c.key }} ({{ c.support_type }}){% if not loop.last %},{% endif %}{% endfor %}{% endif %}</p>
<p class="muted">{{ _("Generated") }}: {{ view.instant(report.generated_at) }}</p>
</header>

<section id="summary">
<h2>{{ _("Summary") }}</h2>
<table>
<thead><tr><th></th><th class="num">{{ report.period.label }}</th><th class="num">{{ report.period.previous }}</th><th class="num">{{ _("Change") }}</th></tr></thead>
<tbody>
{%- for row in report.comparison %}
<tr><th>{{ view.figure(row.figure) }}</th><td class="num">{{ view.figure_value(row.figure, row.current) }}</td>
<td class="num">{{ view.figure_value(row.figure, row.previous) }}</td><td class="num {{ row.arrow }}">{{ view.change(row) }}</td></tr>
{%- endfor %}
</tbody>
</table>
</section>

<section id="recommendations">
<h2>{{ _("Recommendations") }}</h2>
{%- if recommendations %}
<ul class="recs">
{%- for rec in recommendations %}
<li>{{ rec.text }}<span class="because">{{ rec.because }}</span></li>
{%- endfor %}
</ul>
{%- else %}
<p class="muted">{{ _("No recommendations for this period.") }}</p>
{%- endif %}
</section>

<section id="tickets">
<h2>{{ _("Tickets") }}</h2>
<p>{{ _("Opened") }}: {{ view.number(report.tickets.opened) }} &middot; {{ _("Resolved") }}: {{ view.number(report.tickets.resolved) }}
&middot; {{ _("Backlog") }}: {{ view.number(report.tickets.backlog) }}</p>
{%- for title, key, label in groups %}
{%- if report.tickets[key] %}
<h3>{{ title }}</h3>
<table>
<thead><tr><th>{{ label }}</th><th class="num">{{ _("Opened") }}</th><th class="num">{{ _("Resolved") }}</th><th class="num">{{ _("Backlog") }}</th></tr></thead>
<tbody>
{%- for name, row in report.tickets[key].items() %}
<tr><td>{{ view.priority(report, name) if key == "by_priority" else name }}</td><td class="num">{{ view.number(row.opened) }}</td>
<td class="num">{{ view.number(row.resolved) }}</td><td class="num">{{ view.number(row.backlog) }}</td></tr>
{%- endfor %}
</tbody>
</table>
{%- endif %}
{%- endfor %}
<div class="chart">{{ charts.weekly }}</div>
</section>

<section id="sla">
<h2>{{ _("SLA") }}</h2>
{%- if report.sla %}
<table>
<thead><tr><th>{{ _("Priority") }}</th><th>{{ _("Clock") }}</th><th class="num">{{ _("Met") }}</th><th class="num">{{ _("Breached") }}</th>
<th class="num">{{ _("Open") }}</th><th class="num">{{ _("Median, h") }}</th><th class="num">{{ _("p90, h") }}</th><th class="num">{{ _("Target, h") }}</th></tr></thead>
<tbody>
{%- for row in report.sla %}
<tr><td>{{ view.priority(report, row.priority) }}</td><td>{{ view.kind(row.kind) }}</td>
<td class="num">{{ view.number(row.met) }} ({{ view.pct(row.met_pct) }})</td>
<td class="num{% if row.breached %} breached{% endif %}">{{ view.number(row.breached) }} ({{ view.pct(row.breached_pct) }})</td>
<td class="num">{{ view.number(row.open) }}</td><td class="num">{{ view.number(row.median_hours, 2) }}</td>
<td class="num">{{ view.number(row.p90_hours, 2) }}</td>
<td class="num">{% for t in row.target_hours %}{{ view.number(t, 2) }}{% if not loop.last %} / {% endif %}{% else %}&mdash;{% endfor %}</td></tr>
{%- endfor %}
</tbody>
</table>
<p class="muted">{{ _("Times are working hours of the contract's calendar.") }}</p>
<div class="chart">{{ charts.sla }}</div>
{%- else %}
<p class="muted">{{ _("No SLA clocks in this period.") }}</p>
{%- endif %}
<h3>{{ _("Slowest tickets") }}</h3>
{%- if report.slowest %}
<table>
<thead><tr><th>{{ _("Ticket") }}</th><th>{{ _("Subject") }}</th><th>{{ _("Priority") }}</th><th class="num">{{ _("Hours") }}</th><th class="num">{{ _("Target, h") }}</th></tr></thead>
<tbody>
{%- for t in report.slowest %}
<tr><td>{% if t.url is defined %}<a href="{{ t.url }}">{{ t.number }}</a>{% else %}{{ t.number }}{% endif %}</td><td class="subject">{{ t.subject }}{% if t.open %} <span class="muted">({{ _("still open") }})</span>{% endif %}</td>
<td>{{ view.priority(report, t.priority) }}</td><td class="num{% if t.breached %} breached{% endif %}">{{ view.number(t.hours, 2) }}</td>
<td class="num">{{ view.number(t.target_hours, 2) }}</td></tr>
{%- endfor %}
</tbody>
</table>
{%- else %}
<p class="muted">{{ _("No tickets with a resolution clock in this period.") }}</p>
{%- endif %}
</section>

<section id="hours">
<h2>{{ _("Hours") }}</h2>
<p>{{ _("Billable") }}: {{ view.hours(report.hours.billable) }} &middot; {{ _("Non-billable") }}: {{ view.hours(report.hours.non_billable) }}
{%- if report.hours.included is not none %} &middot; {{ _("Included in the contract") }}: {{ view.hours(report.hours.included) }}
({{ _("used") }} {{ view.pct(report.hours.used_pct) }}){% endif %}</p>
{%- if report.hours.by_agent %}
<h3>{{ _("By agent") }}</h3>
<table>
<thead><tr><th>{{ _("Agent") }}</th><th class="num">{{ _("Billable") }}</th><th class="num">{{ _("Non-billable") }}</th></tr></thead>
<tbody>
{%- for a in report.hours.by_agent %}
<tr><td>{{ a.name }}</td><td class="num">{{ view.hours(a.billable) }}</td><td class="num">{{ view.hours(a.non_billable) }}</td></tr>
{%- endfor %}
</tbody>
</table>
<div class="chart">{{ charts.hours }}</div>
<h3>{{ _("By ticket") }}</h3>
{%- if by_ticket_count > by_ticket_shown %}
<p class="muted">{{ _("{count} tickets: the {shown} with the most hours are shown, the json and csv formats list them all.").format(shown=view.number(by_ticket_shown), count=view.number(by_ticket_count)) }}</p>
{%- endif %}
<table>
<thead><tr><th>{{ _("Ticket") }}</th><th>{{ _("Subject") }}</th><th class="num">{{ _("Billable") }}</th><th class="num">{{ _("Non-billable") }}</th><th class="num">{{ _("Estimate") }}</th></tr></thead>
<tbody>
{{- by_ticket_rows }}
</tbody>
</table>
{%- else %}
<p class="muted">{{ _("No time logged in this period.") }}</p>
{%- endif %}
{%- if report.retainer_usage %}
<h3>{{ _("Retainer use") }}</h3>
<table>
<thead><tr><th>{{ _("Period") }}</th><th class="num">{{ _("Used") }}</th><th class="num">{{ _("Included") }}</th><th class="num">%</th></tr></thead>
<tbody>
{%- for u in report.retainer_usage %}
<tr><td>{{ u.period }}</td><td class="num">{{ view.hours(u.used) }}</td><td class="num">{{ view.hours(u.included) }}</td><td class="num">{{ view.pct(u.used_pct) }}</td></tr>
{%- endfor %}
</tbody>
</table>
{%- endif %}
</section>

<section id="categories">
<h2>{{ _("Incidents by category") }}</h2>
{%- if report.categories %}
<table>
<thead><tr><th>{{ _("Queue") }}</th><th class="num">{{ _("Tickets") }}</th></tr></thead>
<tbody>
{%- for c in report.categories %}
<tr><td>{{ c.queue }}</td><td class="num">{{ view.number(c.tickets) }}</td></tr>
{%- endfor %}
</tbody>
</table>
{%- else %}
<p class="muted">{{ _("No tickets opened in this period.") }}</p>
{%- endif %}
</section>
{%- if report.night_duty.applies %}

<section id="night">
<h2>{{ _("Night duty") }}</h2>
<p>{{ _("Tickets opened outside business hours") }}: {{ view.number(report.night_duty.count) }}</p>
{%- if report.night_duty.tickets %}
<table>
<thead><tr><th>{{ _("Ticket") }}</th><th>{{ _("Subject") }}</th><th>{{ _("Priority") }}</th><th>{{ _("Opened") }}</th></tr></thead>
<tbody>
{%- for t in report.night_duty.tickets %}
<tr><td>{{ t.number }}</td><td class="subject">{{ t.subject }}</td><td>{{ view.priority(report, t.priority) }}</td><td>{{ view.instant(t.opened_at) }}</td></tr>
{%- endfor %}
</tbody>
</table>
{%- endif %}
</section>
{%- endif %}
</main>
</body>
</html>
"""
