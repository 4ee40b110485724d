"""The glossary and the help page: public, plain HTML (no JavaScript needed), linked everywhere."""

import re


def test_the_glossary_is_public_and_anchors_every_term(client, catalog):
    page = client.get("/thuat-ngu")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for term in catalog.glossary:
        assert f'id="{term.anchor}"' in body
    assert "generative AI" in body  # the English beside the Vietnamese term


def test_the_help_page_is_public_and_lists_the_numbers(client):
    page = client.get("/khi-can-giup-do")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Khi cần giúp đỡ" in body and "113" in body and "Cập nhật:" in body


def test_every_page_links_both_from_its_footer(client):
    foot = client.get("/").get_data(as_text=True).split('<footer class="foot">')[1]
    assert 'href="/thuat-ngu"' in foot and 'href="/khi-can-giup-do"' in foot


def test_a_module_page_shows_its_review_date_links_help_and_the_glossary(client, catalog):
    course = catalog.courses["cong-dan-so"]
    module = course.modules[0]
    body = client.get(f"/courses/{course.slug}/{module.slug}").get_data(as_text=True)
    assert "Cập nhật: " in body
    foot = body.split('<nav class="pager"')[1].split('<footer')[0]
    assert 'href="/khi-can-giup-do"' in foot
    assert re.search(r'<a class="term" href="../../thuat-ngu#[a-z0-9-]+"', body)
