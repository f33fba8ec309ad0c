#!/usr/bin/env python3
"""Builds tests/fixtures/feeds/expected.tsv, what the feed evaluation checks each item against.

Expectations come from the feed-rs project's own reading of its fixtures (the `*.serde.json`
beside each `feed-rs/fixture/**/*.xml`, which feed-rs's maintainers review in their tests), not
from watchkeeper's parser: per item its title, its link (the alternate link, else the first)
and the first eight words of its text (summary, else content, else media description), with
HTML removed by Python's own parser. The two Russian feeds, which feed-rs lacks, were written
by hand from reading the files (see HAND below).

    python3 scripts/make-feed-expectations.py FEED_RS_CHECKOUT > tests/fixtures/feeds/expected.tsv

Read the result before committing it: a line feed-rs got wrong should be corrected by hand and
said so in the commit.
"""

import html
import html.parser
import json
import pathlib
import sys


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        self.out.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        self.out.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def text(value, content_type):
    if value is None:
        return ""
    if content_type and "html" in content_type:
        p = Text()
        p.feed(value)
        value = "".join(p.out)
    return " ".join(value.split())


def first_words(value, n=8):
    return " ".join(value.split()[:n])


HAND = {
    "ru-koi8-r.xml": [
        ("Джон Коул жмет руку Лукашенко", "https://example.org/ru/1", "Посол Венесуэлы в России снова посетил Минск; Александр Лукашенко"),
        ("США задержали танкер у побережья Венесуэлы", "https://example.org/ru/2", "Танкер, находящийся под санкциями, задержан у побережья Венесуэлы; генпрокурор"),
        ("Минфин США расширил санкционный список", "https://example.org/ru/3", "В список внесены лица, связанные с «Картелем солнц»"),
    ],
}
HAND["ru-windows-1251.xml"] = HAND["ru-koi8-r.xml"]

# Where feed-rs's reading is not what a reader of the file expects, corrected by hand:
# (feed, item, field) -> value, with the reason.
OVERRIDES = {
    # relative links ("記事1のURL") that feed-rs leaves relative; resolved against the channel's
    # <link>http://www.example.com/</link>, as a browser would
    ("rss_1.0_example_1.xml", 0, "link"): "http://www.example.com/%E8%A8%98%E4%BA%8B1%E3%81%AEURL",
    ("rss_1.0_example_1.xml", 1, "link"): "http://www.example.com/%E8%A8%98%E4%BA%8B2%E3%81%AEURL",
}


def main():
    root = pathlib.Path(sys.argv[1]) / "feed-rs" / "fixture"
    print("# feed\titem\ttitle\tlink\ttext (first words of summary, else content)")
    for name, items in sorted(HAND.items()):
        for n, (title, link, words) in enumerate(items):
            print(f"{name}\t{n}\t{title}\t{link}\t{words}")
    for js in sorted(root.glob("*/*.serde.json")):
        if js.parent.name not in ("atom", "rss0", "rss1", "rss2"):
            continue
        name = js.name.replace(".serde.json", ".xml")
        feed = json.loads(js.read_text())
        for n, e in enumerate(feed.get("entries", [])):
            title = e.get("title") or {}
            title = text(title.get("content"), title.get("content_type"))
            links = e.get("links") or []
            alt = [l for l in links if l.get("rel") in (None, "alternate")]
            link = (alt or links or [{}])[0].get("href") or ""
            body = ""
            s = e.get("summary")
            if s:
                body = text(s.get("content"), s.get("content_type"))
            if not body and e.get("content"):
                c = e["content"]
                body = text(c.get("body"), c.get("content_type"))
            if not body:
                for m in e.get("media") or []:
                    d = m.get("description")
                    if d:
                        body = text(d.get("content"), d.get("content_type"))
                        break
            link = OVERRIDES.get((name, n, "link"), link)
            clean = lambda s: s.replace("\t", " ").replace("\n", " ")
            print(f"{name}\t{n}\t{clean(title)}\t{clean(link)}\t{clean(first_words(body))}")


main()
