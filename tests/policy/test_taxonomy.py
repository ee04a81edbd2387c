from policykeeper.policy.taxonomy import builtin


def test_fideslang_keys_are_built_in() -> None:
    taxonomy = builtin()
    for key in ("user.contact.email", "user.device.ip_address", "user.financial.credit_card"):
        assert taxonomy.is_category(key)


def test_japanese_extensions_have_native_labels() -> None:
    taxonomy = builtin()
    assert (
        taxonomy.categories["user.government_id.my_number"].get("ja") == "個人番号（マイナンバー）"
    )
    assert taxonomy.is_sensitive("user.health.medical_history")


def test_appi_special_care_data_is_a_closed_list_apart_from_gdpr_special_categories() -> None:
    """要配慮個人情報 is APPI Art. 2(3) plus Cabinet Order Art. 2; sex life is GDPR Art. 9 only."""
    taxonomy = builtin()
    for key in (
        "user.health.medical_history",
        "user.criminal_history",
        "user.criminal_victim",
        "user.social_status",
        "user.demographic.race_ethnicity",
        "user.health.disability",
        "user.health.checkup",
        "user.criminal_procedure",
        "user.juvenile_procedure",
    ):
        assert taxonomy.is_appi_sensitive(key), key
    for key in (
        "user.demographic.sex_life",
        "user.demographic.sexual_orientation",
        "user.biometrics",
        "user.demographic.union_membership",
    ):
        assert not taxonomy.is_appi_sensitive(key) and taxonomy.is_gdpr_special(key), key
    assert not taxonomy.is_sensitive("user.contact.email")


def test_a_service_may_add_keys_under_built_in_ones() -> None:
    taxonomy = builtin()
    assert taxonomy.builtin_ancestor("user.financial.coin_balance") == "user.financial"
    assert taxonomy.builtin_ancestor("customer.loyalty") is None


def test_gpc_covers_targeted_advertising_and_sharing_only() -> None:
    taxonomy = builtin()
    assert taxonomy.is_opt_out_use("marketing.advertising.third_party.targeted")
    assert taxonomy.is_opt_out_use("third_party_sharing.sale")
    assert not taxonomy.is_opt_out_use("analytics.reporting")
