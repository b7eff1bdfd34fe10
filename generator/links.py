"""Every relative link and anchor of the site's Markdown pages, checked before the site engine runs.

factsheet writes the pages, so it knows every page and every anchor on them; checking
them itself makes a broken link an error whichever engine builds the site (MkDocs
checks some links, other engines fewer). The check reads the Markdown as the
Python-Markdown extensions of ``mkdocs.yml`` do:

* anchors: headings (their id from the ``toc`` extension's ``slugify``, numbered
  ``_1``, ``_2``… when repeated, or an ``attr_list`` id such as ``{: #question-x }``),
  any ``{: #id }`` at the end of a block, and ``id="…"`` in raw HTML;
* links: ``[text](target)``, images, reference definitions (``[label]: target``) and
  ``href``/``src`` in raw HTML, outside code. Links with a scheme (``https:``,
  ``mailto:``…) are left alone; a relative link must lead to a page or file in the docs
  folder, and its ``#anchor`` to an anchor on that page.

Each problem is reported at the link, as ``docs/page.md:line:col: error: …``.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from urllib.parse import unquote

from markdown.extensions import toc  # type: ignore[import-untyped]  # the engine's own Markdown

from generator.problems import Problem

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_COMMENT = re.compile(r"<!--.*?-->")
_ATX = re.compile(r"^(#{1,6})(.*?)#*[ \t]*$")
_SETEXT = re.compile(r"^(=+|-+)[ ]*$")
_ATTR_LIST = re.compile(r"\{:?[ ]*([^}\n ][^}\n]*?)[ ]*\}[ ]*$")
_ATTR_ID = re.compile(r"(?:^|\s)#([^\s}]+)")
_TAG = re.compile(r"<([A-Za-z][\w:-]*)(\s[^<>]*?)?/?>")
_TAG_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*(<[^>]*>|\S+)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_INLINE_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|<[^>]+>|\\(.)")
_UNDERSCORES = re.compile(r"(?<![^\W_])_+|_+(?![^\W_])")


@dataclass(frozen=True)
class Link:
    """A link as written on a page, at a 1-based line and column."""

    target: str
    line: int
    col: int
    raw: bool = False  # in raw HTML: an address of the built site, not rewritten by the engine


@dataclass
class PageLinks:
    """What one Markdown page offers (anchors) and asks for (links)."""

    anchors: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)


def _mask_code(line: str) -> str:
    """The line with code spans and HTML comments blanked out, columns kept."""
    if "`" in line:
        line = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
    if "<!--" in line:
        line = _COMMENT.sub(lambda m: " " * len(m.group(0)), line)
    return line


def _heading_text(markdown: str) -> str:
    """A heading's text as the toc extension sees it: links and tags reduced to their text."""
    text = markdown
    if any(c in text for c in "[<\\_`&"):
        text = text.replace("`", "")
        text = _INLINE_MARKUP.sub(lambda m: m.group(1) or m.group(2) or "", text)
        text = _UNDERSCORES.sub("", text)
        text = html.unescape(text)
    return text


# A destination without parentheses, backslashes or a leading '<', ending where the loop below ends it.
_PLAIN_DESTINATION = re.compile(r"[ \t]*([^ \t()\\<][^ \t()\\]*)(?=[ \t)]|$)")


def _destination(line: str, start: int) -> tuple[str, int] | None:
    """The link destination that begins at ``start`` (just after '('), and its column."""
    plain = _PLAIN_DESTINATION.match(line, start)
    if plain:
        return plain.group(1), plain.start(1)
    at = start
    while at < len(line) and line[at] in " \t":
        at += 1
    if at < len(line) and line[at] == "<":
        end = line.find(">", at)
        return (line[at + 1 : end], at + 1) if end != -1 else None
    depth = 0
    end = at
    while end < len(line):
        char = line[end]
        if char == "\\":
            end += 2
            continue
        if char in " \t":
            break
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        end += 1
    return line[at:end], at


def _inline_links(line: str) -> Iterator[tuple[str, int]]:
    at = line.find("](")
    while at != -1:
        if at == 0 or line[at - 1] != "\\":
            found = _destination(line, at + 2)
            if found is not None and found[0]:
                yield found
        at = line.find("](", at + 2)


def read_page(text: str) -> PageLinks:
    """The anchors and links of one Markdown page (front matter skipped)."""
    page = PageLinks()
    lines = text.split("\n")
    first = 0
    if lines and lines[0].rstrip() == "---":
        for number in range(1, len(lines)):
            if lines[number].rstrip() in ("---", "..."):
                first = number + 1
                break
    headings: list[tuple[str | None, str]] = []  # (explicit id, text), in order
    fence: str | None = None
    previous = ""  # the line before, when it begins a block (a setext heading's text)
    after_blank = True
    for number in range(first, len(lines)):
        raw = lines[number]
        opener = _FENCE.match(raw)
        if fence is not None or opener:
            if fence is None:
                fence = opener.group(1) if opener else None
            elif opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            previous, after_blank = "", True
            continue
        line = _mask_code(raw)
        _read_line(page, headings, raw, line, number + 1, previous)
        previous = raw if after_blank and line.strip() else ""
        after_blank = not line.strip()
    used = set(page.anchors)  # the toc extension never gives a heading an id already taken
    for explicit, heading in headings:
        if explicit is None:
            page.anchors.add(str(toc.unique(toc.slugify(_heading_text(heading), "-"), used)))
    return page


def _read_line(
    page: PageLinks, headings: list[tuple[str | None, str]], raw: str, line: str, number: int, previous: str
) -> None:
    """One line outside code blocks: ``line`` is ``raw`` with its code spans blanked out."""
    attrs = _ATTR_LIST.search(line) if "}" in line else None
    explicit = None
    if attrs:
        found = _ATTR_ID.search(attrs.group(1))
        if found:
            explicit = found.group(1)
            page.anchors.add(explicit)
    atx = _ATX.match(raw[: attrs.start()] if attrs else raw) if line.startswith("#") else None
    if atx:
        headings.append((explicit, atx.group(2).strip()))
    elif previous and _SETEXT.match(line):
        headings.append((None, previous.strip()))
    for tag in _TAG.finditer(line) if "<" in line else ():
        if not tag.group(2):
            continue
        offset = tag.start(2)
        for attribute in _TAG_ATTR.finditer(tag.group(2)):
            name = attribute.group(1).lower()
            group = next((g for g in (2, 3, 4) if attribute.group(g) is not None), 2)
            value = html.unescape(attribute.group(group) or "")
            if name == "id" or (name == "name" and tag.group(1).lower() == "a"):
                page.anchors.add(value)
            elif name in ("href", "src") and value:
                page.links.append(Link(value, number, offset + attribute.start(group) + 1, raw=True))
    reference = _REFERENCE.match(line) if "]:" in line else None
    if reference:
        page.links.append(Link(reference.group(1).strip("<>"), number, reference.start(1) + 1))
        return
    for target, column in _inline_links(line):
        page.links.append(Link(target, number, column + 1))


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_links(pages: Mapping[str, str], files: Iterable[str], docs_prefix: str = "docs") -> list[Problem]:
    """Problems with the links of ``pages`` (docs-relative path → Markdown text).

    ``files`` are the other files a link may lead to (docs-relative paths): images,
    downloads, stylesheets. ``docs_prefix`` is the docs folder as problems name it.
    """
    read = {path: read_page(text) for path, text in pages.items()}
    existing = set(files) | set(pages)
    folders = {posixpath.dirname(path) for path in existing}
    problems: list[Problem] = []
    for path, page in sorted(read.items()):
        where = posixpath.join(docs_prefix, path)
        for link in page.links:
            if link.raw:
                message = _raw_link_problem(path, link.target, read, existing, docs_prefix)
            else:
                message = _link_problem(path, link.target, read, existing, folders, docs_prefix)
            if message:
                problems.append(Problem(where, link.line, link.col, "error", message))
    return sorted(problems)


def _link_problem(
    page: str,
    target: str,
    read: Mapping[str, PageLinks],
    existing: set[str],
    folders: set[str],
    docs_prefix: str,
) -> str | None:
    if _SCHEME.match(target) or target.startswith("//"):
        return None  # another site, or mail: not ours to check
    address, _, fragment = target.partition("#")
    address = address.partition("?")[0]
    fragment = unquote(fragment)
    if address.startswith("/"):
        return (
            f"the link '{target}' is absolute, so it breaks when the site is served under a sub-path "
            "(as on GitHub Pages): make it relative to this page"
        )
    if not address:
        destination = page
    else:
        destination = _resolve(posixpath.dirname(page), address)
        if destination == ".." or destination.startswith("../"):
            return f"the link '{target}' leads outside the {docs_prefix} folder"
        if destination not in existing:
            if address.endswith("/") or destination in folders:
                index = posixpath.join(destination, "index.md")
                hint = f": link to its page, '{posixpath.relpath(index, posixpath.dirname(page) or '.')}'"
                return f"the link '{target}' leads to a folder{hint if index in read else ''}"
            siblings = [p for p in existing if posixpath.dirname(p) == posixpath.dirname(destination)]
            return (
                f"the link '{target}' leads nowhere: there is no {posixpath.join(docs_prefix, destination)}"
                + _suggest(posixpath.basename(destination), [posixpath.basename(p) for p in siblings])
            )
    if not fragment or destination not in read:
        return None  # no anchor, or a file that is not a page (its anchors are not ours to know)
    anchors = read[destination].anchors
    if fragment in anchors:
        return None
    on = "this page" if destination == page else posixpath.join(docs_prefix, destination)
    return f"the link '{target}' leads to no anchor: {on} has no heading or element with id '{fragment}'" + _suggest(
        fragment, anchors
    )


@functools.lru_cache(maxsize=1 << 16)
def _resolve(folder: str, address: str) -> str:
    """Where a relative address leads from a page in ``folder`` (pages link to the same few places)."""
    return posixpath.normpath(posixpath.join(folder, unquote(address)))


def _raw_link_problem(
    page: str, target: str, read: Mapping[str, PageLinks], existing: set[str], docs_prefix: str
) -> str | None:
    """A link in raw HTML (an SVG picture's marks): the engine leaves it as written, so it is
    an address of the built site, relative to the page's own address (``incidents/x.md`` is
    served as ``incidents/x/``, ``timeline/index.md`` as ``timeline/``)."""
    if _SCHEME.match(target) or target.startswith("//"):
        return None
    address, _, fragment = target.partition("#")
    address = unquote(address.partition("?")[0])
    fragment = unquote(fragment)
    if address.startswith("/"):
        return (
            f"the link '{target}' is absolute, so it breaks when the site is served under a sub-path: make it relative"
        )
    here = posixpath.dirname(page) if posixpath.basename(page) == "index.md" else page[: -len(".md")]
    destination = page
    if address:
        joined = posixpath.normpath(posixpath.join(here or ".", address))
        if joined == ".." or joined.startswith("../"):
            return f"the link '{target}' leads outside the site"
        if joined.endswith(".md") and joined in read:
            address_of = joined[: -len("index.md")] if joined.endswith("index.md") else joined[: -len(".md")] + "/"
            return (
                f"the link '{target}' is in HTML, which the site engine does not rewrite: link to the page's "
                f"address, '{posixpath.relpath(address_of or '.', here or '.')}/'"
            )
        if joined in existing:
            return None  # a file (a download, a picture)
        base = "" if joined == "." else joined
        candidates = [f"{base}.md", posixpath.join(base, "index.md")] if base else ["index.md"]
        found = next((c for c in candidates if c in read), None)
        if found is None:
            return f"the link '{target}' leads nowhere: no page is served at {base or 'the site root'}/"
        destination = found
    if not fragment or fragment in read[destination].anchors:
        return None
    on = "this page" if destination == page else posixpath.join(docs_prefix, destination)
    return f"the link '{target}' leads to no anchor: {on} has no heading or element with id '{fragment}'"


def docs_files(docs_dir: Path, leaving: Iterable[str] = ()) -> tuple[dict[str, str], list[str]]:
    """The Markdown pages (path → text) and the other files in the docs folder, as the engine sees them.

    Files and folders whose names begin with a dot are skipped (site engines skip them);
    ``leaving`` are files that are about to be deleted.
    """
    gone = set(leaving)
    pages: dict[str, str] = {}
    files: list[str] = []
    if not docs_dir.is_dir():
        return pages, files
    for path in sorted(docs_dir.rglob("*")):
        relative = path.relative_to(docs_dir).as_posix()
        if any(part.startswith(".") for part in relative.split("/")) or relative in gone or not path.is_file():
            continue
        if relative.endswith(".md"):
            pages[relative] = path.read_text(encoding="utf-8", errors="replace")
        else:
            files.append(relative)
    return pages, files


class BrokenLinks(Exception):
    """Links on the pages lead nowhere; carries a problem for each."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} broken link{'s' if len(problems) != 1 else ''}")
