"""Read built HTML pages the way a browser resolves them: links, ids and element text."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class HTMLPage(HTMLParser):
    """The links, ids and element texts of one built page (in the article only)."""

    links: list[str] = field(default_factory=list)
    ids: dict[str, Element] = field(default_factory=dict)
    elements: list[Element] = field(default_factory=list)
    _open: list[Element] = field(default_factory=list)
    _in_article: int = 0

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        element = Element(tag, values)
        self.elements.append(element)
        if tag == "article":
            self._in_article += 1
        if "id" in values:
            self.ids[values["id"]] = element
        if tag == "a" and "href" in values and self._in_article:
            self.links.append(values["href"])
        if tag not in ("br", "img", "meta", "link", "input", "hr"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in_article -= 1
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def read_page(site: Path, url_path: str) -> HTMLPage:
    """Parse ``site/<url_path>/index.html``."""
    page = HTMLPage()
    page.feed((site / url_path / "index.html").read_text(encoding="utf-8"))
    return page


def resolve(from_url: str, href: str) -> tuple[str, str]:
    """(page url path, fragment) of a relative link found on the page at ``from_url``."""
    target, _, fragment = href.partition("#")
    if not target:
        return from_url, fragment
    joined = posixpath.normpath(posixpath.join(from_url, target))
    return joined.strip("/"), fragment


@dataclass
class Node:
    """An element of a parsed page, with its children (text pieces are str)."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def find_all(self, tag: str) -> list[Node]:
        """Every descendant element with this tag, in document order."""
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag:
                    found.append(child)
                found.extend(child.find_all(tag))
        return found

    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]


class _TreeBuilder(HTMLParser):
    VOID = ("br", "img", "meta", "link", "input", "hr", "source", "wbr")

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def read_tree(site: Path, url_path: str) -> Node:
    """``site/<url_path>/index.html`` as a tree of elements."""
    builder = _TreeBuilder()
    builder.feed((site / url_path / "index.html").read_text(encoding="utf-8"))
    return builder.root
