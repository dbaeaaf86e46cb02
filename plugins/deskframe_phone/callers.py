"""Who called: an e-mail address or a phone number, matched to a contact.

Phone numbers are normalized with ``phonenumbers`` to E.164 (``+74951234567``) using
the configured default region for numbers written without a country code. The core
matches contacts by the digits of their stored number, so a contact stored as
``+7 (495) 123-45-67`` matches directly; this module also tries the national forms
(``8 (495) 123-45-67`` and ``(495) 123-45-67``) so contacts written the local way match too.

A caller with no contact e-mail is a message sender ``tel:+74951234567``: intake makes an
unknown caller a contact with that handle (in the unknown queue), and
:func:`route_phone_sender` routes a contact known only by phone to its customer.
"""

from __future__ import annotations

from typing import Any

import attrs
import phonenumbers

from deskframe import Contact, Route
from deskframe.errors import BadValue

TEL = "tel:"


def normalize(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The parsed number if ``text`` is a possible phone number, else None."""
    value = text.strip()
    if value.lower().startswith(TEL):
        value = value[len(TEL) :]
    if not value or sum(c.isdigit() for c in value) < 3:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def pretty(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def digit_forms(number: phonenumbers.PhoneNumber) -> list[str]:
    """The digit strings a contact's stored number may reduce to (international, national, bare)."""
    national = "".join(
        c for c in phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL) if c.isdigit()
    )
    forms = [e164(number)[1:], national, phonenumbers.national_significant_number(number)]
    return list(dict.fromkeys(f for f in forms if f))


def real_email(contact: Contact | None) -> str | None:
    """The contact's e-mail address, unless it is a handle such as ``tel:...`` or ``chat:...``."""
    email = contact.email if contact else None
    if not email or "@" not in email or ":" in email.split("@", 1)[0]:
        return None
    return email


def contact_by_number(lookup: Any, number: phonenumbers.PhoneNumber) -> Contact | None:
    for digits in digit_forms(number):
        found = lookup.contact_by_phone(digits)
        if found is not None:
            return found
    return lookup.contact_by_email(TEL + e164(number))


@attrs.frozen
class Caller:
    """A resolved caller: the message sender to use and the contact found (if any)."""

    given: str
    phone: str | None  # E.164, when the caller was given as a number
    email: str | None  # the address to write to: the contact's, or the one given
    contact: Contact | None
    display: str

    @property
    def sender(self) -> str:
        """The article's sender: the e-mail if there is one, else ``tel:<E.164>``."""
        if self.email:
            return self.email
        assert self.phone is not None
        return TEL + self.phone

    @property
    def name(self) -> str | None:
        if self.contact and self.contact.name and not self.contact.name.lower().startswith(TEL):
            return self.contact.name
        return None


def resolve(desk: Any, text: str, region: str) -> Caller:
    """Parse ``text`` (a phone number or an e-mail address) and find the contact."""
    value = text.strip()
    if "@" in value:
        local, _, domain = value.partition("@")
        if not local or "." not in domain or any(c.isspace() or c in '<>,;"' for c in value):
            raise BadValue(f"not an e-mail address: {value!r}")
        email = value.lower()
        with desk.directory.lookup() as lookup:
            contact = lookup.contact_by_email(email)
        return Caller(
            given=value,
            phone=None,
            email=email,
            contact=contact,
            display=f"{contact.name} <{email}>" if contact else email,
        )
    number = normalize(value, region)
    if number is None:
        raise BadValue(
            f"not a phone number or e-mail address: {value!r} (numbers without +country code are read as {region})"
        )
    with desk.directory.lookup() as lookup:
        contact = contact_by_number(lookup, number)
    shown = pretty(number)
    caller = Caller(given=value, phone=e164(number), email=real_email(contact), contact=contact, display=shown)
    return attrs.evolve(caller, display=f"{caller.name} ({shown})" if caller.name else shown)


def route_phone_sender(message: Any, directory: Any) -> Route | None:
    """``route_message``: a ``tel:`` sender known by phone goes to its contact's customer.

    Unknown numbers and ``tel:`` handle contacts are left to the core's default (the
    handle is looked up as an e-mail address; unknown ones go to the unknown queue).
    """
    sender = (message.sender or "").strip()
    if not sender.lower().startswith(TEL):
        return None
    number = normalize(sender, "ZZ")
    if number is None:
        return None
    contact = None
    for digits in digit_forms(number):
        contact = directory.contact_by_phone(digits)
        if contact is not None:
            break
    if contact is None or (contact.email and real_email(contact) is None):
        return None
    return Route(customer=contact.customer, contact_email=real_email(contact), contact_name=contact.name)
