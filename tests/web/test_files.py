from policykeeper.web.files import attachment


def test_a_persons_filename_cannot_break_the_header() -> None:
    response = attachment(b"x", 'id "card"\r\n運転免許証.png', "image/png")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="id _card_')
    assert "filename*=UTF-8''id%20%22card%22%0D%0A%E9%81%8B" in disposition
    assert "\r" not in disposition and "\n" not in disposition
    assert response.headers["cache-control"] == "no-store"


def test_a_plain_name_is_kept_as_is() -> None:
    disposition = attachment(b"{}", "export.json", "application/json").headers[
        "content-disposition"
    ]
    assert disposition == "attachment; filename=\"export.json\"; filename*=UTF-8''export.json"
