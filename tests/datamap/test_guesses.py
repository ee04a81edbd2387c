"""Column and table names in English, Japanese and romaji suggest categories and roles."""

from __future__ import annotations

import pytest

from policykeeper.datamap.guesses import (
    category_of,
    is_catalogue,
    is_dependent,
    is_other_person_column,
    is_other_person_table,
    is_transaction,
)


@pytest.mark.parametrize(
    ("column", "category"),
    [
        ("email", "user.contact.email"),
        ("mail_address", "user.contact.email"),
        ("MailAddress", "user.contact.email"),
        ("tel", "user.contact.phone_number"),
        ("denwa_bango", "user.contact.phone_number"),
        ("電話番号", "user.contact.phone_number"),
        ("jusho", "user.contact.address"),
        ("住所", "user.contact.address"),
        ("zip_code", "user.contact.address.postal_code"),
        ("line1", "user.contact.address.street"),
        ("address_line2", "user.contact.address.street"),
        ("birthday", "user.demographic.date_of_birth"),
        ("seinengappi", "user.demographic.date_of_birth"),
        ("生年月日", "user.demographic.date_of_birth"),
        ("氏名", "user.name"),
        ("shimei_kana", "user.name"),
        ("first_name", "user.name.first"),
        ("ip_address", "user.device.ip_address"),
        ("password_hash", "user.authorization.password"),
        ("my_number", "user.government_id.my_number"),
        ("user_id", None),
        ("created_at", None),
    ],
)
def test_category_guesses(column: str, category: str | None) -> None:
    assert category_of(column) == category


def test_table_roles() -> None:
    assert is_other_person_table("staff") and is_other_person_table("support_employees")
    assert is_other_person_column("support_rep_id") and is_other_person_column("resolved_by")
    assert is_catalogue("products") and is_catalogue("episodes") and is_catalogue("cities")
    assert not is_catalogue("order_items") and is_transaction("order_items")
    assert is_dependent("addresses") and is_dependent("user_profiles")
    assert is_dependent("order_shippingaddress") and is_dependent("order_billingaddress")
    assert is_catalogue("address_country") and not is_dependent("shipping_methods")
