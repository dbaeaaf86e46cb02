#!/usr/bin/env bash
# The quick tour on SQLite: a desk in ./deskframe-demo, a customer, two agents,
# a ticket answered, locked, searched and timed. Safe to run twice.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-deskframe-demo}
deskframe init "$dir" --timezone Europe/Moscow
cd "$dir"
deskframe apply "$here/directory.toml"
number=$(deskframe ticket open --customer acme --contact ivan@acme.example \
    --subject "Сайт не открывается" --body "С утра главная страница отдаёт ошибку 500" --priority P2)
echo "opened ticket $number"
deskframe ticket reply "$number" --agent alice --canned thanks --body "Смотрим журнал веб-сервера."
deskframe ticket lock "$number" --agent bob || echo "(as expected: alice holds the lock)"
deskframe time log "$number" --agent alice --minutes 45 --note "nginx upstream fix"
deskframe ticket state "$number" resolved --agent alice
deskframe ticket search "ошибку"
deskframe ticket list
deskframe ticket show "$number"
