"""The «Счёт на оплату» layout with the real pricing models: bank details, ИНН/КПП of both
parties, the VAT line, hours billed against hours logged, subscription lines, config checks,
and the gettext catalogs themselves."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from invoicing_helpers import check_html, spaces

from deskframe import Money
from deskframe.actors import Actor
from deskframe.model import Customer
from deskframe_invoicing import html_format, i18n, text_format
from deskframe_invoicing.words import amount_in_words

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)
VENDOR = """
[billing.vendor]
name = "ООО «Веб-студия Пиксель»"
address = "Санкт-Петербург, Невский пр., 1"
inn = "7801234567"
kpp = "780101001"
bank = "ПАО Сбербанк"
bik = "044030653"
corr_account = "30101810500000000653"
account = "40702810955000012345"
"""
CONFIG = (
    """timezone = "Europe/Moscow"
[billing]
tax_rate = "{tax}"
locale = "ru"
payment_terms_days = 5
"""
    + VENDOR
    + """
[pricing.hourly]
model = "hourly"
currency = "RUB"
rates = {{ default = "1500.00" }}
increment = "15m"
[pricing.sub]
model = "subscription"
currency = "RUB"
per_user = {{ "8x5" = "40.00" }}
"""
)


def _desk(make_desk, tax: str = "0%"):
    from deskframe.testing import Factory

    desk = make_desk(CONFIG.format(tax=tax), clock=lambda: NOW)
    f = Factory(desk)
    desk.directory.add_customer(
        Customer(
            key="romashka", name="ООО «Ромашка»", inn="7701234567", kpp="770101001", address="Москва, ул. Ленина, 1"
        ),
        actor=Actor.operator(),
    )
    f.contract("romashka", key="romashka-hourly", pricing="hourly", start=dt.date(2026, 1, 1))
    f.customer("vasilek", name="ООО «Василёк»")
    f.contract("vasilek", key="vasilek-sub", pricing="sub", start=dt.date(2026, 1, 1), params={"users": 25})
    f.agent("ivanov", name="Иван Иванов", role="developer")
    ticket = desk.tickets.open(
        subject="Сайт не открывается", body="500", customer="romashka", actor=Actor.operator()
    ).number
    # 6 h logged; 55 -> 60 and 65 -> 75 minutes with the 15-minute increment: 6.25 h billed
    for day, minutes in zip(range(5, 11), (55, 65, 60, 60, 60, 60)):
        desk.time.log(ticket, actor=Actor.agent("ivanov"), minutes=minutes, date=dt.date(2026, 10, day))
    desk.billing.run("2026-10", actor=Actor.operator())
    desk.billing.issue(period="2026-10", actor=Actor.operator())
    hourly, sub = sorted(desk.billing.invoices(status="issued"), key=lambda i: i.contract)
    return desk, hourly, sub, ticket


def test_russian_layout_bank_details_parties_vat_words(make_desk):
    _, hourly, _, ticket = _desk(make_desk)
    page = html_format.render("invoice", hourly, locale="ru", agent_label="name", payment_terms_days=5)
    check_html(page)
    text = spaces(page)
    bank = page.split('<section class="bank">')[1].split("</section>")[0]
    for label, value in (
        ("Банк получателя", "ПАО Сбербанк"),
        ("БИК", "044030653"),
        ("Корр. счёт", "30101810500000000653"),
        ("Расчётный счёт", "40702810955000012345"),
        ("Получатель", "ООО «Веб-студия Пиксель»"),
    ):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in bank, label
    vendor = page.split('<section class="vendor">')[1].split("</section>")[0]
    buyer = page.split('<section class="customer">')[1].split("</section>")[0]
    assert "<dt>ИНН</dt><dd>7801234567</dd>" in vendor and "<dt>КПП</dt><dd>780101001</dd>" in vendor
    assert "<dt>ИНН</dt><dd>7701234567</dd>" in buyer and "<dt>КПП</dt><dd>770101001</dd>" in buyer
    assert "Москва, ул. Ленина, 1" in buyer
    # no VAT configured: «Без НДС»; 6.25 h x 1500 = 9375.00 in words
    assert "Без НДС" in page and "НДС 20" not in page
    assert "9 375,00 ₽" in text and "Девять тысяч триста семьдесят пять рублей 00 копеек" in page
    # due date: issued 2026-11-02 (Moscow) + 5 days
    assert "07.11.2026" in page and "Срок оплаты: 5 дн. с даты счёта." in text
    # billed against logged, with the reason; the agent by display name, never the login
    assert "затрачено 6 ч, к оплате 6,25 ч: каждая запись округляется вверх до 15 мин" in text
    assert "Иван Иванов" in page and "ivanov" not in page
    assert f"Заявка № {ticket}" in page
    roles = html_format.render("invoice", hourly, locale="ru", agent_label="role")
    assert "Иван Иванов" not in roles and "developer" in roles
    en = spaces(text_format.render("invoice", hourly, locale="en"))
    assert "6 h logged, billed 6.25 h: each entry rounded up to 15 min" in en
    assert "Nine thousand, three hundred and seventy-five roubles 00 kopeks" in en
    assert "No VAT" in en and "BIC:" in en and "044030653" in en and "INN:" in en


def test_vat_included_line(make_desk):
    _, hourly, _, _ = _desk(make_desk, tax="20%")
    text = spaces(html_format.render("invoice", hourly, locale="ru"))
    # 9375.00 + 20 % = 11250.00
    assert "НДС 20 %" in text and "В том числе НДС 20 %: 1 875,00 ₽" in text and "Без НДС" not in text
    assert "Одиннадцать тысяч двести пятьдесят рублей 00 копеек" in text


def test_subscription_lines_fill_the_table(make_desk):
    _, _, sub, _ = _desk(make_desk)
    page = html_format.render("invoice", sub, locale="ru")
    check_html(page)
    assert "Другие" not in page and "Other charges" not in page
    assert "Услуги за октябрь 2026" in page
    (row,) = re.findall(r'<tr class="line">.*?</tr>', page)
    cells = [spaces(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    _number, description, when, qty, unit, price, amount = cells
    assert when == "01.10.2026–31.10.2026" and qty.startswith("25") and unit == "польз."
    assert price == "40,00 ₽" and amount == "1 000,00 ₽" and "Support 8x5: users" in description


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("bik", '"04403065"', "billing.vendor.bik: must be 9 digits"),
        ("account", '"4070281095500001234X"', "billing.vendor.account: must be 20 digits"),
        ("inn", '"123"', "billing.vendor.inn: must be 10 or 12 digits"),
        ("payment_terms_days", "-1", "billing.payment_terms_days: must be at least 0"),
        ("agent_label", '"login"', "billing.agent_label: unknown value 'login'"),
    ],
)
def test_config_keys_are_checked_at_load(tmp_path: Path, key: str, value: str, words: str):
    from deskframe.cli import build_cli
    from deskframe.plugins import build_plugins

    section = "[billing.vendor]" if key in ("bik", "account", "inn") else "[billing]"
    config = tmp_path / "deskframe.toml"
    config.write_text(f'[desk]\ndatabase = "sqlite:///{tmp_path}/x.db"\n{section}\n{key} = {value}\n', encoding="utf-8")
    result = CliRunner().invoke(build_cli(build_plugins()), ["--config", str(config), "invoice", "list"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0] and "deskframe.toml" in lines[0], result.output


def _used_messages() -> set[str]:
    folder = Path(i18n.__file__).parent
    found: set[str] = set()
    for name in ("view.py", "line_views.py", "locale_text.py", "text_format.py", "templates.py"):
        source = (folder / name).read_text(encoding="utf-8")
        found.update(re.findall(r'\b(?:_|w|N_)\(\s*"((?:[^"\\]|\\.)*)"', source))
        found.update(re.findall(r"\b(?:_|w|N_)\(\s*'((?:[^'\\]|\\.)*)'", source))
    return found


def test_catalogs_translate_every_message():
    from babel.messages.pofile import read_po

    used = _used_messages()
    assert {"Invoice for payment", "Subtotal", "No VAT", "Payee's bank"} <= used
    for lang in ("ru", "en"):
        with i18n.catalog_path(lang).open("rb") as fh:
            catalog = read_po(fh)
        ids = {m.id for m in catalog if m.id}
        assert used <= ids, f"{lang}: missing {sorted(used - ids)}"
        assert all(m.string for m in catalog if m.id), f"{lang}: untranslated messages"
        # placeholders survive translation
        for m in catalog:
            if m.id:
                assert set(re.findall(r"{\w+}", m.id)) == set(re.findall(r"{\w+}", m.string)), m.id
    # no compiled catalog is committed: the .po is compiled in memory on first use
    assert not list(i18n.LOCALE_DIR.rglob("*.mo"))
    assert i18n.translations("ru").gettext("Subtotal") == "Итого"
    assert i18n.translations("de").gettext("Subtotal") == "Subtotal"


@pytest.mark.parametrize(
    "amount, ru, en",
    [
        (
            "9375.00",
            "Девять тысяч триста семьдесят пять рублей 00 копеек",
            "Nine thousand, three hundred and seventy-five roubles 00 kopeks",
        ),
        ("1.01", "Один рубль 01 копейка", "One rouble 01 kopek"),
        ("22.42", "Двадцать два рубля 42 копейки", "Twenty-two roubles 42 kopeks"),
        ("1000000", "Один миллион рублей 00 копеек", "One million roubles 00 kopeks"),
    ],
)
def test_amount_in_words(amount, ru, en):
    assert amount_in_words(Money(amount, "RUB"), "ru") == ru
    assert amount_in_words(Money(amount, "RUB"), "en") == en
