"""The review's html page, a string constant so it installs with the modules.

No JavaScript, no external resource: CSS inline, the timeline as inline SVG
(:mod:`.timeline_svg`). Autoescaped: every value is text; only the server-drawn SVG is
marked safe. Words go through ``_()`` (the review's catalog).
"""

from __future__ import annotations

REVIEW = """\
<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} {{ review.period.label }}</title>
<style>
* { box-sizing: border-box; }
body { margin: 0; background: #eceff1; color: #1b1f23; font: 10.5pt/1.45 "Helvetica Neue", Arial, sans-serif; }
main { max-width: 210mm; margin: 8mm auto; padding: 12mm 14mm; background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
h1 { margin: 0 0 2mm; font-size: 17pt; }
h2 { margin: 7mm 0 2mm; font-size: 12pt; border-bottom: .3mm solid #d0d7de; padding-bottom: 1mm; }
h3 { margin: 3mm 0 1mm; font-size: 10pt; color: #57606a; }
ul { margin: 0 0 2mm; padding-left: 5mm; } li { margin-bottom: 1mm; }
.muted, .empty { color: #57606a; }
.timeline-box svg { width: 100%; height: auto; }
@media print {
  @page { size: A4; margin: 14mm; }
  body { background: #fff; font-size: 9.5pt; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  section { break-inside: avoid; }
}
</style>
</head>
<body>
<main>
<header>
<h1>{{ title }}</h1>
<p>{{ subtitle }}</p>
{%- if review.projects %}
<p class="muted">{{ _("Projects") }}:
{%- for p in review.projects %} {{ p.title }}{% if p.goal %} ({{ p.goal }}){% endif %}{% if not loop.last %};{% endif %}{% endfor %}</p>
{%- endif %}
</header>
{%- for key, heading, groups, empty in sections %}
<section class="answer" id="q-{{ key }}">
<h2>{{ heading }}</h2>
{%- if groups %}
{%- for sub, lines in groups %}
<h3>{{ sub }}</h3>
<ul>
{%- for line in lines %}
<li>{{ line }}</li>
{%- endfor %}
</ul>
{%- endfor %}
{%- else %}
<p class="empty">{{ empty }}</p>
{%- endif %}
</section>
{%- endfor %}
<section id="timeline">
<h2>{{ _("Timeline") }}</h2>
{%- if timeline %}
<div class="timeline-box">{{ timeline }}</div>
{%- else %}
<p class="empty">{{ _("No timeline stages recorded.") }}</p>
{%- endif %}
</section>
</main>
</body>
</html>
"""
