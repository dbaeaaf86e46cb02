"""Reference invoice output formats: HTML (printable, served as a link), CSV, plain text."""
