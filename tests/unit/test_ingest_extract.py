"""Pages and feeds to text: decoding under wrong charsets, main text with captions kept, RSS/Atom entries."""

from __future__ import annotations

import pytest

from pipeline.ingest.extract import NoArticle, decode, extract, paragraphs_of_fragment
from pipeline.ingest.feeds import MalformedFeed, parse_feed
from tests.support.news_site import AR_PARAGRAPHS, EN_PARAGRAPHS, article_page, no_article_page

ARABIC_PAGE = article_page(
    "تعاون أمني بين روسيا واليابان",
    list(AR_PARAGRAPHS),
    lang="ar",
    caption="Foreign ministers attend a joint news conference in Tokyo",
    canonical="https://ex.com/ar/news/1",
    author="مراسل الشؤون الآسيوية",
)


def test_utf8_sent_under_a_latin1_label_is_read_as_utf8() -> None:
    decoded = decode(ARABIC_PAGE.encode("utf-8"), "iso-8859-1")
    assert decoded.encoding == "utf-8" and AR_PARAGRAPHS[0] in decoded.text


def test_windows_1256_sent_under_a_utf8_label_is_read_as_windows_1256() -> None:
    page = article_page("خبر", list(AR_PARAGRAPHS), lang="ar", charset="windows-1256")
    decoded = decode(page.encode("cp1256"), "utf-8")
    assert decoded.encoding == "cp1256" and AR_PARAGRAPHS[1] in decoded.text and not decoded.replaced


def test_an_undeclared_legacy_page_is_guessed() -> None:
    page = article_page("خبر", list(AR_PARAGRAPHS), lang="ar", charset=None)
    assert AR_PARAGRAPHS[2] in decode(page.encode("cp1256")).text


def test_a_byte_order_mark_wins() -> None:
    assert decode(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "iso-8859-1").text == "<p>café</p>"


def test_extract_keeps_the_story_its_caption_and_metadata_and_drops_the_furniture() -> None:
    article = extract(ARABIC_PAGE, "https://ex.com/ar/news/1?utm_source=rss", min_chars=100)
    assert article.title == "تعاون أمني بين روسيا واليابان"
    assert article.paragraphs == list(AR_PARAGRAPHS)
    assert article.captions == ["Foreign ministers attend a joint news conference in Tokyo"]
    assert article.author == "مراسل الشؤون الآسيوية"
    assert article.language == "ar"
    assert article.canonical_url == "https://ex.com/ar/news/1"
    raw = article.raw()
    assert raw.split("\n\n") == [article.title, article.captions[0], *AR_PARAGRAPHS]
    assert "All rights reserved" not in raw and "Home" not in raw


def test_the_feed_title_can_replace_the_page_title() -> None:
    article = extract(ARABIC_PAGE, None, min_chars=100)
    assert article.raw("عنوان من الخلاصة").startswith("عنوان من الخلاصة\n\n")


def test_a_region_subtag_is_cut_to_the_language() -> None:
    page = article_page("Rates", list(EN_PARAGRAPHS), lang="en-GB")
    assert extract(page, None, min_chars=100).language == "en"


@pytest.mark.parametrize("html", [no_article_page(), "", "<<<>>> \x00 not html at all"])
def test_a_page_without_an_article_says_so(html: str) -> None:
    with pytest.raises(NoArticle, match="no article"):
        extract(html, None, min_chars=100)


def test_fragments_from_feeds_become_paragraphs() -> None:
    html = "<p>First <b>para</b>.</p><p>Second<br>line</p><script>x()</script>"
    assert paragraphs_of_fragment(html) == ["First para .", "Second", "line"]
    assert paragraphs_of_fragment("just text") == ["just text"]


ARABIC_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>أخبار</title><language>ar</language>
<item><title>خبر أول</title><link>https://ex.com/ar/1?utm_source=rss</link><guid>a1</guid>
<pubDate>Tue, 04 Jun 2024 10:00:00 GMT</pubDate><description>ملخص</description>
<author>news@ex.com (مراسل)</author></item>
<item><title>خبر ثان</title><link>https://ex.com/ar/2</link></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Economy</title><id>tag:x</id>
<updated>2024-06-04T10:00:00Z</updated>
<entry><title>Rates cut</title><link href="/en/story/a"/><id>tag:ex.com,2024:a</id>
<updated>2024-06-04T10:00:00Z</updated><author><name>Jane Reporter</name></author>
<content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"""


def test_arabic_rss_entries() -> None:
    feed = parse_feed(ARABIC_RSS, "https://ex.com/ar/rss.xml", "application/rss+xml; charset=utf-8")
    assert feed.language == "ar" and feed.warning is None
    first, second = feed.entries
    assert first.title == "خبر أول" and first.link == "https://ex.com/ar/1?utm_source=rss"
    assert first.published == "2024-06-04T10:00:00+00:00"
    assert first.language == "ar"
    assert second.published is None


def test_atom_links_resolve_against_the_feed_url() -> None:
    [entry] = parse_feed(ATOM, "https://ex.com/en/atom.xml", "application/atom+xml").entries
    assert entry.link == "https://ex.com/en/story/a"
    assert entry.author == "Jane Reporter" and entry.content == "<p>Body</p>"
    assert entry.updated == "2024-06-04T10:00:00+00:00"


def test_an_entry_changed_in_the_feed_has_a_new_fingerprint() -> None:
    before = parse_feed(ARABIC_RSS, "https://ex.com/ar/rss.xml").entries[0]
    edited = parse_feed(ARABIC_RSS.replace(b"10:00:00", b"11:30:00"), "https://ex.com/ar/rss.xml").entries[0]
    again = parse_feed(ARABIC_RSS, "https://ex.com/ar/rss.xml").entries[0]
    assert before.fingerprint() == again.fingerprint() != edited.fingerprint()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<?xml version='1.0'?><rss><channel><item><title>oops</ti \x00<<<", "malformed feed"),
        (b"<html><body><p>Not a feed</p></body></html>", "not an RSS or Atom feed"),
        (b"", "not an RSS or Atom feed|malformed"),
    ],
)
def test_documents_that_are_not_feeds(body: bytes, message: str) -> None:
    with pytest.raises(MalformedFeed, match=message):
        parse_feed(body, "https://ex.com/feed")


def test_a_feed_broken_after_some_entries_keeps_them_with_a_warning() -> None:
    broken = ARABIC_RSS.replace(b"</channel></rss>", b"<item><title>cut off")
    feed = parse_feed(broken, "https://ex.com/ar/rss.xml")
    assert len(feed.entries) >= 2 and feed.warning and "malformed" in feed.warning
