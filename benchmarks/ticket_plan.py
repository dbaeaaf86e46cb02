"""Deterministic data plan for benchmarks/tickets.py: customers, agents, queues and
realistic ticket/article texts (English and Russian), generated from a seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

UTC = dt.timezone.utc
MAX_ARTICLES = 999  # article r of ticket i seeds its own Random from i * 1000 + r

# --- the data set ------------------------------------------------------------------

QUEUES = (("support", 40), ("network", 20), ("hardware", 15), ("software", 15), ("billing", 10))
STATES = (("new", 15), ("open", 35), ("pending", 15), ("closed", 35))
PRIORITIES = (("P1", 5), ("P2", 20), ("P3", 55), ("P4", 20))
CHANNELS = (("email", 70), ("phone", 15), ("web", 15))

EN_FIRST = (
    "Anna",
    "Boris",
    "Carla",
    "Dmitri",
    "Elena",
    "Frank",
    "Galina",
    "Hugo",
    "Irina",
    "James",
    "Ksenia",
    "Leo",
    "Maria",
    "Nikolai",
    "Olga",
    "Pavel",
    "Rita",
    "Sergei",
    "Tanya",
    "Victor",
)
EN_LAST = (
    "Ivanova",
    "Smith",
    "Petrov",
    "Keller",
    "Sokolova",
    "Brown",
    "Volkov",
    "Garcia",
    "Orlova",
    "Novak",
    "Kuznetsov",
    "Meyer",
    "Popova",
    "Lebedev",
    "Fischer",
)
RU_NAMES = (
    "Ирина Петрова",
    "Сергей Иванов",
    "Ольга Смирнова",
    "Дмитрий Козлов",
    "Анна Волкова",
    "Николай Морозов",
    "Татьяна Павлова",
    "Алексей Соколов",
)
COMPANIES = (
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Oceanic",
    "Dunder",
    "Wonka",
    "Gringotts",
    "Monarch",
    "Aperture",
    "Massive",
    "Pied Piper",
    "Уралсталь",
    "Сибтранс",
    "Волгаэнерго",
    "Балтснаб",
)

POOLS: dict[str, Any] = {
    "device": (
        "printer",
        "scanner",
        "laptop",
        "router",
        "switch",
        "firewall",
        "VPN gateway",
        "mail server",
        "database server",
        "backup appliance",
        "workstation",
        "access point",
        "UPS",
        "storage array",
        "phone system",
        "label printer",
        "NAS",
    ),
    "software": (
        "Outlook",
        "1C",
        "the ERP client",
        "Chrome",
        "the VPN client",
        "Exchange",
        "SAP GUI",
        "Teams",
        "the CRM",
        "PostgreSQL",
        "the billing module",
        "Windows Update",
        "the web portal",
    ),
    "symptom": (
        "keeps rebooting",
        "does not respond",
        "is very slow",
        "drops the connection every few minutes",
        "shows a blank screen",
        "cannot reach the network",
        "rejects the password",
        "hangs at startup",
        "reports a certificate error",
        "fails with a timeout",
        "prints garbage characters",
        "runs out of disk space",
        "beeps and shuts down",
        "loses its settings after a restart",
    ),
    "place": (
        "room 214",
        "the second floor",
        "the warehouse",
        "the Kazan office",
        "the accounting department",
        "the server room",
        "reception",
        "the Novosibirsk branch",
        "the call centre",
        "the lab",
    ),
    "when": (
        "this morning",
        "yesterday evening",
        "Monday",
        "the last update",
        "about an hour ago",
        "the power outage",
        "the weekend",
        "the move to the new office",
    ),
    "process": (
        "invoicing",
        "payroll",
        "shipping",
        "month-end closing",
        "the night backup",
        "order entry",
        "the audit",
        "customer calls",
    ),
    "part": (
        "power supply",
        "fan",
        "hard disk",
        "network card",
        "toner cartridge",
        "fuser unit",
        "battery",
        "memory module",
        "patch cable",
    ),
    "cause": (
        "an expired certificate",
        "a full disk",
        "a misconfigured DNS record",
        "a faulty network cable",
        "a driver update",
        "a locked account",
        "a duplicate IP address",
        "an overloaded uplink",
        "a stuck print queue",
        "a failed RAID disk",
    ),
    "day": ("tomorrow morning", "Thursday", "next Monday", "this afternoon", "Friday at 10:00"),
    "ru_device": ("принтер", "сканер", "маршрутизатор", "ноутбук", "сервер", "коммутатор", "телефон"),
    "ru_place": ("бухгалтерии", "переговорной", "на складе", "в офисе на Ленина", "в серверной", "на ресепшене"),
    "ru_when": ("с утра", "со вчерашнего вечера", "после обновления", "после отключения питания", "с понедельника"),
    "ru_name": RU_NAMES,
    "code": lambda rng: rng.choice(
        (
            f"0x8007{rng.randrange(65536):04X}",
            f"E-{rng.randrange(100, 999)}",
            f"error {rng.randrange(1, 600)}",
            f"HTTP {rng.choice((500, 502, 503, 504))}",
            f"ORA-{rng.randrange(1, 30000):05d}",
        )
    ),
    "name": lambda rng: f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}",
    "phone": lambda rng: (
        f"+7 {rng.randrange(900, 999)} {rng.randrange(100, 999)}-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}"
    ),
    "serial": lambda rng: f"SN{rng.randrange(10**7, 10**8)}",
}

EN_CUSTOMER = (
    "The {device} in {place} {symptom} since {when}.",
    "Since {when}, {software} {symptom} on several machines.",
    'Users in {place} cannot log in to {software}; it says "{code}".',
    "Please check the {device}: it {symptom}.",
    "We already restarted the {device} but it still {symptom}.",
    "This blocks {process} and we need it fixed today.",
    "The ticket is urgent, the whole of {place} is affected.",
    "Attached is a screenshot of the error {code}.",
    "Could you please call {name} at {phone}?",
    "The {device} (serial {serial}) {symptom} after {when}.",
    "Printing from {software} ends with a timeout and the job stays in the queue.",
    "It worked fine before {when}, nothing was changed on our side.",
    "Is there any update on this? {process} is still waiting.",
    "The error {code} appears again, please have a look.",
)
EN_AGENT = (
    "Thank you for the report. We are looking into the {device} now.",
    "Please restart {software} and try again; if the timeout persists, send us the log.",
    "We have replaced the {part} of the {device}.",
    "The issue was caused by {cause}. It is fixed now.",
    "Could you tell us the serial number of the {device}?",
    "We scheduled an engineer visit to {place} for {day}.",
    "Please confirm that the problem is solved so we can close the ticket.",
    "We could not reproduce the error {code}; please describe the exact steps.",
    "The printer driver was rolled back to the previous version.",
    "We increased the timeout on the {device} and are monitoring it.",
    "A workaround: use {software} in the browser until the fix is deployed.",
)
RU_CUSTOMER = (
    "Не работает {ru_device} {ru_place}, ошибка {code}.",
    "После обновления {software} не запускается, пишет ошибку {code}.",
    "Принтер печатает пустые листы, просим срочно помочь.",
    "Пользователи не могут подключиться к VPN {ru_when}.",
    "Сервер перезагружается каждые полчаса, проверьте, пожалуйста.",
    "{ru_device} {ru_place} не отвечает {ru_when}.",
    "Прошу перезвонить по номеру {phone}.",
    "Срочно: не проходит оплата, ошибка {code}.",
)
RU_AGENT = (
    "Мы проверили {ru_device}, проблема в сетевом кабеле.",
    "Пожалуйста, перезагрузите компьютер и попробуйте снова.",
    "Инженер приедет {ru_when_next}.",
    "Заменили картридж, принтер работает.",
    "Ошибка {code} исправлена, просим подтвердить.",
)
POOLS["ru_when_next"] = ("завтра утром", "в четверг", "сегодня после обеда", "в понедельник")
SUBJECTS_EN = (
    "{device} {symptom}",
    "{software}: {code}",
    "Cannot log in to {software}",
    "{device} in {place}",
    "Problem with {process}",
    "Urgent: {software} {symptom}",
    "Timeout in {software}",
    "New {device} for {place}",
)
SUBJECTS_RU = (
    "Не работает {ru_device}",
    "Ошибка {code} в {software}",
    "Срочно: {ru_device} {ru_place}",
    "Проблема с VPN",
    "Принтер не печатает",
)
LOG_LEVELS = ("INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG")
LOG_PARTS = ("spooler", "kernel", "sshd", "postfix/smtpd", "nginx", "vpn", "dhcpd", "backup", "smartd", "cron")
LOG_MSGS = (
    "connection reset by peer",
    "timeout waiting for response",
    "disk usage at 97%",
    "retrying job",
    "authentication failure",
    "link down",
    "link up",
    "certificate will expire soon",
    "queue length exceeded",
    "write error on device",
)

#: Planted in a handful of first articles so the "rare word" search has a known answer.
RARE_WORD, RARE_EVERY, RARE_AT = "defenestration", 20011, 17
SEARCHES = (
    ("common word", "error"),
    ("rare word", RARE_WORD),
    ("Cyrillic word", "принтер"),
    ("two words", "printer timeout"),
)


class Slots(dict):
    """``str.format_map`` filler: each missing slot is drawn from POOLS with ``rng``."""

    def __init__(self, rng: random.Random):
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        pool = POOLS[key]
        return pool(self.rng) if callable(pool) else self.rng.choice(pool)


def weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    total = sum(w for _, w in pairs)
    x = rng.randrange(total)
    for value, w in pairs:
        if x < w:
            return value
        x -= w
    raise AssertionError


def fill(rng: random.Random, template: str) -> str:
    filled = template.format_map(Slots(rng))
    return filled[:1].upper() + filled[1:]


class Meta:
    """What a ticket is, without its texts (cheap; kept for every ticket)."""

    __slots__ = ("channel", "contact", "customer", "owner", "priority", "queue", "russian", "state", "subject")

    def __init__(self, **kw: Any):
        for k, v in kw.items():
            setattr(self, k, v)


class Plan:
    """The deterministic data set: directory, and every ticket and article from ``seed``."""

    def __init__(self, tickets: int, articles_per_ticket: int, seed: int):
        self.n, self.apt, self.seed = tickets, articles_per_ticket, seed
        rng = random.Random(seed)
        self.customers = []  # (key, name, domain)
        for k in range(40):
            name = f"{COMPANIES[k % len(COMPANIES)]}{'' if k < len(COMPANIES) else ' ' + str(k)}"
            self.customers.append((f"cust{k:02d}", name, f"cust{k:02d}.example"))
        self.customer_weights = [1.0 / (k + 1) ** 0.8 for k in range(len(self.customers))]
        self.agents = []  # (login, name, email, line)
        for k in range(12):
            login = f"agent{k:02d}"
            self.agents.append((login, f"{EN_FIRST[k]} {EN_LAST[k]}", f"{login}@vendor.example", 1 + k % 3))
        self.contracts = {}  # customer key -> (contract key, lines)
        for k, (key, _, _) in enumerate(self.customers):
            if k % 2 == 0:
                self.contracts[key] = (f"{key}-2025", (1, 2) if k % 4 == 0 else (2, 3))
        self.contacts = {}  # customer key -> [email]
        for key, _, domain in self.customers:
            self.contacts[key] = [f"user{j}@{domain}" for j in range(rng.randrange(20, 80))]
        self.metas = [self._meta(i) for i in range(tickets)]
        self.rare_tickets = [i for i in range(tickets) if i % RARE_EVERY == RARE_AT]

    def rng(self, i: int, r: int) -> random.Random:
        return random.Random(self.seed * 10**12 + i * 1000 + r)

    def _meta(self, i: int) -> Meta:
        rng = self.rng(i, MAX_ARTICLES)
        if rng.random() < 0.95:
            customer = rng.choices(self.customers, self.customer_weights)[0][0]
            contact = rng.choice(self.contacts[customer])
        else:
            customer, contact = None, f"sender{i}@{rng.choice(('mail.example', 'inbox.example', 'post.example'))}"
        state = weighted(rng, STATES)
        owner = None if state == "new" and rng.random() < 0.8 else rng.choice(self.agents)[0]
        russian = rng.random() < 0.15
        subject = fill(rng, rng.choice(SUBJECTS_RU if russian else SUBJECTS_EN))
        return Meta(
            customer=customer,
            contact=contact,
            priority=weighted(rng, PRIORITIES),
            channel=weighted(rng, CHANNELS),
            queue=weighted(rng, QUEUES),
            owner=owner,
            state=state,
            subject=subject,
            russian=russian,
        )

    def article(self, i: int, r: int) -> tuple[str, str, str | None, str | None]:
        """Article ``r`` of ticket ``i``: (direction, body, agent login or None, sender)."""
        meta, rng = self.metas[i], self.rng(i, r)
        if r == 0:
            direction = "in"
        elif meta.owner is None:
            direction = "out" if rng.random() < 0.2 else "in"
        else:
            direction = ("out" if r % 2 else "in") if rng.random() < 0.85 else ("in" if r % 2 else "out")
        if direction == "in":
            russian = meta.russian or rng.random() < 0.03
            lines = [
                rng.choice(("Добрый день!", "Здравствуйте,", ""))
                if russian
                else rng.choice(("Hello,", "Hi team,", "Good morning,", "Dear support,", ""))
            ]
            pool = RU_CUSTOMER if russian else EN_CUSTOMER
            lines.append(" ".join(fill(rng, rng.choice(pool)) for _ in range(rng.randrange(1, 5))))
            if rng.random() < 0.06:
                lines.append(self._log(rng))
            if r == 0 and i % RARE_EVERY == RARE_AT:
                lines.append(f"The cleaner mentioned a {RARE_WORD} incident near the {rng.choice(POOLS['device'])}.")
            lines.append(
                f"С уважением,\n{rng.choice(RU_NAMES)}"
                if russian
                else f"Best regards,\n{fill(rng, '{name}')}\n{meta.customer or 'home office'}"
            )
            return direction, "\n\n".join(x for x in lines if x), None, meta.contact
        agent = meta.owner or rng.choice(self.agents)[0]
        russian = meta.russian and rng.random() < 0.8
        pool = RU_AGENT if russian else EN_AGENT
        body = " ".join(fill(rng, rng.choice(pool)) for _ in range(rng.randrange(1, 4)))
        sign = "С уважением, служба поддержки" if russian else "Kind regards, Service Desk"
        return direction, f"{body}\n\n{sign}", agent, f"{agent}@vendor.example"

    @staticmethod
    def _log(rng: random.Random) -> str:
        lines = []
        for _ in range(rng.randrange(5, 30)):
            lines.append(
                f"2025-03-{rng.randrange(1, 29):02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}:"
                f"{rng.randrange(60):02d} {rng.choice(LOG_LEVELS)} {rng.choice(LOG_PARTS)}: "
                f"{rng.choice(LOG_MSGS)} (code {rng.randrange(1, 400)})"
            )
        return "Log excerpt:\n" + "\n".join(lines)

    def rounds(self, start: int, stop: int) -> Iterator[tuple[int, int]]:
        """(ticket, article) pairs after the first article: round by round, tickets shuffled."""
        for r in range(1, self.apt):
            order = list(range(start, stop))
            random.Random(self.seed * 7919 + r).shuffle(order)
            for i in order:
                yield i, r

    def workflow(self, i: int) -> list[tuple[str, str]]:
        """What happens to ticket ``i`` after its articles: [("owner", login), ("state", name)]."""
        meta, steps = self.metas[i], []
        if meta.owner:
            steps.append(("owner", meta.owner))
        if meta.state != "new":
            steps.append(("state", meta.state))
        return steps


# --- small helpers -----------------------------------------------------------------
