from app.catalog.render import render_markdown
from app.sanitize import clean_html


def test_markdown_is_rendered_and_links_between_modules_become_page_urls():
    out = render_markdown("## Bước 1\n\nXem [bài sau](02-b.md#cuoi) và [khóa khác](../../k/modules/x.md).\n", "c")
    assert "<h2>Bước 1</h2>" in out.html
    assert 'href="02-b#cuoi"' in out.html
    assert 'href="../k/x"' in out.html
    assert out.module_links == [("02-b.md#cuoi", "c", "02-b"), ("../../k/modules/x.md", "k", "x")]


def test_sanitiser_drops_scripts_with_their_text_and_event_handlers():
    html = clean_html('<p onclick="steal()">Chào<script>alert("x")</script></p>'
                      '<a href="javascript:alert(1)">bấm</a><img src="https://a.vn/i.png" onerror="x()">')
    assert "script" not in html and "alert" not in html
    assert "onclick" not in html and "onerror" not in html
    assert "javascript:" not in html
    assert "<p>Chào</p>" in html


def test_raw_html_in_markdown_never_reaches_the_page_even_unreported():
    out = render_markdown('Chữ <img src=x onerror="alert(1)"> và <iframe src="https://x"></iframe>', "c")
    assert out.raw_html  # reported to the content editor
    assert "onerror" not in out.html and "iframe" not in out.html
