"""A local news site for the ingest tests (127.0.0.1 only): Arabic RSS, Atom, a feed that changes between
polls, conditional GET, a 500, a slow feed, a malformed feed and pages that are broken in the usual ways.

The ingest tests import `NewsSite` from here (unit and integration alike); tests/unit/test_ingest_site.py checks
the site itself, so a broken fixture shows up as such and not as an ingester bug."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

EPOCH = datetime(2024, 6, 4, 8, 0, tzinfo=UTC)
SLOW_LIMIT_S = 10.0  # the slow feed answers after this at the latest (it is released at shutdown anyway)

AR_PARAGRAPHS = (
    "اتفقت روسيا واليابان على تعزيز التعاون الأمني في آسيا والمحيط الهادئ، وتفاهمتا على إجراء مناورات بحرية "
    "مشتركة لمكافحة القرصنة، وذلك في ختام لقاء مشترك لوزراء الخارجية والدفاع في البلدين.",
    "وقال وزير خارجية اليابان في مؤتمر صحفي إن البلدين اتفقا على توسيع التعاون ليشمل مجال الأمن، وعدم "
    "الاقتصار على الاقتصاد وتبادل الزيارات الرسمية بين المسؤولين.",
    "من جانبه اعتبر وزير خارجية روسيا أن تحسين العلاقات العسكرية بين الجانبين يخدم مصلحة البلدين في مواجهة "
    "التحديات المشتركة، والسعي إلى حل الأزمات التي تشهدها المنطقة.",
)
EN_PARAGRAPHS = (
    "The central bank cut its main interest rate by a quarter of a percentage point on Thursday, the first "
    "reduction in five years, citing a steady fall in inflation across the euro zone.",
    "Policymakers said further cuts would depend on incoming data, and markets trimmed bets on a second move "
    "before the autumn as wage growth remained strong in several large economies.",
    "Analysts said the decision had been widely expected after weeks of signals from board members, and that "
    "the bank was keen to avoid committing to a particular path for rates.",
)


def article_page(
    title: str,
    paragraphs: list[str],
    *,
    lang: str,
    caption: str | None = None,
    canonical: str | None = None,
    charset: str | None = "utf-8",
    author: str | None = None,
) -> str:
    """A news article page with the usual furniture (navigation, footer) around the story."""
    head = [f'<meta charset="{charset}">' if charset else "", f"<title>{escape(title)} | Example News</title>"]
    if canonical:
        head.append(f'<link rel="canonical" href="{escape(canonical)}">')
    if author:
        head.append(f'<meta name="author" content="{escape(author)}">')
    figure = (
        f'<figure><img src="/photo.jpg" alt=""><figcaption>{escape(caption)}</figcaption></figure>' if caption else ""
    )
    body = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{"".join(head)}</head><body>'
        '<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>'
        f"<main><article><h1>{escape(title)}</h1>{figure}{body}</article></main>"
        "<footer><p>© Example News. All rights reserved.</p></footer></body></html>"
    )


def no_article_page() -> str:
    return (
        "<!DOCTYPE html><html><head><title>Section</title></head><body><nav><a href='/'>Home</a></nav>"
        "<ul><li><a href='/a'>Story A</a></li><li><a href='/b'>Story B</a></li></ul></body></html>"
    )


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    """One request the site received."""

    path: str
    headers: dict[str, str]


Route = Callable[[dict[str, str]], Response]


@dataclass
class LiveStory:
    number: int
    edition: int = 1
    page_note: str = ""  # changes the page only, not the feed (a silent edit)


class QuietServer(ThreadingHTTPServer):
    """Clients hanging up early (a size limit, a timeout) is what the tests provoke: not worth a traceback."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class NewsSite:
    """The site, served from a thread; `url(path)` gives absolute links, `requests` what was asked."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.release = threading.Event()
        self.live: dict[int, LiveStory] = {1: LiveStory(1), 2: LiveStory(2)}
        # Changes applied to the live desk just before the nth request (0-based) for its feed.
        self.live_changes: dict[int, Callable[[], None]] = {1: self.default_live_change}
        self.live_polls = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.hold = threading.Event()
        self._lock = threading.Lock()
        self.routes: dict[str, Route] = self._routes()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = {name.lower(): value for name, value in self.headers.items()}
                path = self.path
                with site._lock:
                    site.requests.append(Seen(path, headers))
                route = site.routes.get(path.split("?", 1)[0])
                response = route(headers) if route else Response(404, b"not found")
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if response.status != 304:
                    self.wfile.write(response.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> NewsSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def requested(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    # ------------------------------------------------------------ the live desk

    def default_live_change(self) -> None:
        """Between the first and second poll: story 1 is edited, story 3 appears."""
        self.edit_live(1)
        self.add_live(3)

    def edit_live(self, number: int) -> None:
        self.live[number].edition += 1

    def add_live(self, number: int) -> None:
        self.live[number] = LiveStory(number)

    def live_story_paragraphs(self, story: LiveStory) -> list[str]:
        lead = f"Story {story.number}, edition {story.edition}: "
        if story.edition > 1:
            lead += "this version was corrected after publication. "
        return [lead + EN_PARAGRAPHS[0], *EN_PARAGRAPHS[1:], *([story.page_note] if story.page_note else [])]

    # ------------------------------------------------------------ routes

    def _routes(self) -> dict[str, Route]:
        routes: dict[str, Route] = {
            "/ar/rss.xml": self._arabic_rss,
            "/en/atom.xml": self._atom,
            "/live/rss.xml": self._live_rss,
            "/broken/rss.xml": lambda _: Response(500, b"Internal Server Error", {"Content-Type": "text/plain"}),
            "/slow/rss.xml": self._slow,
            "/bad/rss.xml": lambda _: Response(
                200, b"<?xml version='1.0'?><rss><channel><item><title>oops</ti \x00<<<", {"Content-Type": "text/xml"}
            ),
            "/mixed/rss.xml": self._mixed_rss,
            "/full/rss.xml": self._full_text_rss,
            "/pages/empty": lambda _: self._html(no_article_page()),
            "/pages/loop": lambda _: Response(302, headers={"Location": "/pages/loop2"}),
            "/pages/loop2": lambda _: Response(302, headers={"Location": "/pages/loop"}),
            "/pages/latin1-declared": lambda _: self._html(
                article_page("خبر بترميز معلن خطأ", list(AR_PARAGRAPHS), lang="ar", charset=None),
                content_type="text/html; charset=ISO-8859-1",
            ),
            "/pages/cp1256": lambda _: Response(
                200,
                article_page("خبر بترميز ويندوز", list(AR_PARAGRAPHS[::-1]), lang="ar", charset="windows-1256").encode(
                    "cp1256"
                ),
                {"Content-Type": "text/html; charset=utf-8"},
            ),
            "/pages/huge": lambda _: self._html(article_page("Huge", ["x" * 3_000_000], lang="en")),
            "/pages/held": self._held,
        }
        for number in range(1, 4):
            routes[f"/ar/news/{number}"] = self._arabic_page(number)
        for letter in "ab":
            routes[f"/en/story/{letter}"] = self._english_page(letter)
        for number in range(1, 10):
            routes[f"/live/{number}"] = self._live_page(number)
        return routes

    @staticmethod
    def _html(text: str, content_type: str = "text/html; charset=utf-8") -> Response:
        return Response(200, text.encode("utf-8"), {"Content-Type": content_type})

    @staticmethod
    def _conditional(headers: dict[str, str], body: bytes, etag: str, content_type: str) -> Response:
        if headers.get("if-none-match") == etag:
            return Response(304, headers={"ETag": etag})
        return Response(200, body, {"Content-Type": content_type, "ETag": etag})

    def _arabic_rss(self, headers: dict[str, str]) -> Response:
        items = "".join(
            f"<item><title>خبر رقم {number}: تعاون أمني بين روسيا واليابان</title>"
            f"<link>{self.url(f'/ar/news/{number}')}{'?utm_source=rss&amp;utm_medium=feed' if number == 1 else ''}"
            f"</link><guid isPermaLink='false'>ar-{number}</guid>"
            f"<pubDate>{format_datetime(EPOCH + timedelta(hours=number), usegmt=True)}</pubDate>"
            f"<description>ملخص الخبر رقم {number}</description></item>"
            for number in range(1, 4)
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>أخبار العالم</title>'
            f"<link>{self.base}/ar/</link><language>ar</language>{items}</channel></rss>"
        ).encode()
        return self._conditional(headers, body, '"ar-v1"', "application/rss+xml; charset=utf-8")

    def _arabic_page(self, number: int) -> Route:
        def page(_: dict[str, str]) -> Response:
            paragraphs = [f"الخبر رقم {number}. " + AR_PARAGRAPHS[0], *AR_PARAGRAPHS[1:]]
            return self._html(
                article_page(
                    f"خبر رقم {number}: تعاون أمني بين روسيا واليابان",
                    paragraphs,
                    lang="ar",
                    caption=f"Foreign ministers attend a joint news conference in Tokyo (photo {number})",
                    canonical=self.url(f"/ar/news/{number}"),
                    author="مراسل الشؤون الآسيوية",
                )
            )

        return page

    def _atom(self, headers: dict[str, str]) -> Response:
        modified = format_datetime(EPOCH, usegmt=True)
        if headers.get("if-modified-since") == modified:
            return Response(304, headers={"Last-Modified": modified})
        entries = "".join(
            f"<entry><title>Rates story {letter.upper()}</title><link href='{self.url(f'/en/story/{letter}')}'/>"
            f"<id>tag:example.com,2024:{letter}</id><updated>2024-06-04T0{index}:00:00Z</updated>"
            f"<author><name>Jane Reporter</name></author><summary>Summary {letter}</summary></entry>"
            for index, letter in enumerate("ab", start=1)
        )
        # The same Arabic story the RSS feed carries, behind another tracking parameter: not a new article.
        entries += (
            f"<entry><title>خبر رقم 1: تعاون أمني بين روسيا واليابان</title>"
            f"<link href='{self.url('/ar/news/1')}?fbclid=xyz'/><id>tag:example.com,2024:ar-1</id>"
            "<updated>2024-06-04T09:00:00Z</updated></entry>"
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Economy</title><id>tag:example.com,2024:economy</id><updated>2024-06-04T09:00:00Z</updated>"
            f"{entries}</feed>"
        ).encode()
        return Response(200, body, {"Content-Type": "application/atom+xml", "Last-Modified": modified})

    def _english_page(self, letter: str) -> Route:
        def page(_: dict[str, str]) -> Response:
            paragraphs = [f"Story {letter.upper()}. " + EN_PARAGRAPHS[0], *EN_PARAGRAPHS[1:]]
            return self._html(
                article_page(
                    f"Rates story {letter.upper()}",
                    paragraphs,
                    lang="en-GB",
                    caption=f"The bank's headquarters (story {letter})",
                    canonical=self.url(f"/en/story/{letter}"),
                )
            )

        return page

    def _live_rss(self, headers: dict[str, str]) -> Response:
        with self._lock:
            change = self.live_changes.get(self.live_polls)
            self.live_polls += 1
            if change:
                change()
            stories = sorted(self.live.values(), key=lambda story: story.number)
        items = "".join(
            f"<item><title>Live story {story.number}</title><link>{self.url(f'/live/{story.number}')}</link>"
            f"<guid>live-{story.number}</guid>"
            f"<pubDate>{format_datetime(EPOCH + timedelta(minutes=story.number), usegmt=True)}</pubDate>"
            f"<description>Edition {story.edition}</description></item>"
            for story in stories
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Live</title>{items}</channel></rss>'
        return Response(200, body.encode(), {"Content-Type": "application/rss+xml"})

    def _live_page(self, number: int) -> Route:
        def page(_: dict[str, str]) -> Response:
            story = self.live.get(number)
            if story is None:
                return Response(404, b"no such story")
            return self._html(article_page(f"Live story {number}", self.live_story_paragraphs(story), lang="en"))

        return page

    def _slow(self, _: dict[str, str]) -> Response:
        self.release.wait(SLOW_LIMIT_S)
        return Response(200, b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>')

    def _mixed_rss(self, _: dict[str, str]) -> Response:
        paths = ["/pages/empty", "/pages/loop", "/pages/latin1-declared", "/pages/cp1256", "/pages/huge", "/pages/gone"]
        items = "".join(
            f"<item><title>Mixed {index}</title><link>{self.url(path)}</link></item>"
            for index, path in enumerate(paths)
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Mixed</title>{items}</channel></rss>'
        return Response(200, body.encode(), {"Content-Type": "application/rss+xml"})

    def _full_text_rss(self, _: dict[str, str]) -> Response:
        """Full text in content:encoded (for `fetch_pages = false`), and a link-less item with only a summary."""
        paragraphs = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in EN_PARAGRAPHS)
        body = (
            '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>Briefs</title><item><title>Full brief</title><link>{self.url('/briefs/1')}</link>"
            f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded></item>"
            "<item><title>Teaser</title><description>Too short.</description></item></channel></rss>"
        )
        return Response(200, body.encode(), {"Content-Type": "application/rss+xml"})

    def _held(self, _: dict[str, str]) -> Response:
        """Counts concurrent requests and holds each until `hold` is set (or briefly, to let others pile up)."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.hold.wait(0.05)
        with self._lock:
            self.in_flight -= 1
        return self._html(article_page("Held", list(EN_PARAGRAPHS), lang="en"))


if __name__ == "__main__":  # `python -m tests.support.news_site`: serve the site to try `newsflow ingest` by hand
    with NewsSite() as demo:
        print(demo.base, flush=True)
        threading.Event().wait()
