// What a printed page needs that the screen does not (docs/assets/reader.css, @media print):
// a header with the site's name, the page's address and the day it was printed, and the
// address of every link on the page, since paper cannot follow a link.
//
// Both are built when the page loads (and the date again just before printing), hidden on
// screen. Same-page links (#…) are left out; a link into another page's anchor is listed
// by that page's address, which is what a reader of the paper can type.

(function () {
  const article = document.querySelector("article.md-content__inner");
  if (!article) return;
  // The page's own content (a record page's is wrapped for the search index).
  const content = article.querySelector(":scope > [data-pagefind-body] > div") || article;
  const canonical = document.querySelector('link[rel="canonical"]');
  const address = canonical ? canonical.href : window.location.href;
  const siteName = document.querySelector(".md-header__topic .md-ellipsis")?.textContent.trim() || document.title;

  function today() {
    return new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  }

  const header = document.createElement("div");
  header.className = "fs-print-only fs-print-header";
  header.setAttribute("data-pagefind-ignore", "");
  const name = document.createElement("strong");
  name.textContent = siteName;
  const where = document.createElement("span");
  where.textContent = address;
  const when = document.createElement("span");
  when.textContent = `Printed ${today()}`;
  header.append(name, where, when);
  content.prepend(header);
  window.addEventListener("beforeprint", () => {
    when.textContent = `Printed ${today()}`;
  });

  // The published address of a link: relative links are resolved against the page's
  // published address, so that paper shows where the link leads on the public site.
  const base = new URL(address);
  const here = new URL(window.location.href);
  const seen = new Map();
  for (const link of article.querySelectorAll("a[href]")) {
    const raw = link.getAttribute("href");
    if (!raw || raw.startsWith("#") || link.closest(".fs-print-header, .headerlink")) continue;
    const resolved = new URL(raw, here);
    let target = resolved.origin === here.origin ? new URL(raw, base) : resolved;
    target = new URL(target.href);
    target.hash = "";
    if (target.href === base.href) continue;
    // Named by the shortest text that links there (a title or name rather than a quote).
    let text = link.textContent.replace(/\s+/g, " ").trim();
    if (text.length > 40) text = text.slice(0, 38).trimEnd() + "…";
    const known = seen.get(target.href);
    if (known === undefined || (text && text.length < known.length)) seen.set(target.href, text);
  }
  if (!seen.size) return;

  // The site's root on the public site: the address of the home page (the logo's link).
  function siteRoot() {
    const home = document.querySelector("a.md-logo");
    const path = home ? new URL(home.getAttribute("href"), base).pathname : "/";
    return path.replace(/\/?$/, "/");
  }

  // Addresses on the site, from its root ("/actors/afp/"), so that the list stays short.
  function shorten(href) {
    const root = base.origin + siteRoot();
    return href.startsWith(root) ? "/" + href.slice(root.length) : href;
  }
  const section = document.createElement("section");
  section.className = "fs-print-only fs-print-links";
  section.setAttribute("data-pagefind-ignore", "");
  const heading = document.createElement("h2");
  heading.textContent = "Links on this page";
  const note = document.createElement("p");
  note.textContent = `Addresses starting with / are on ${base.origin}${siteRoot()}.`;
  const list = document.createElement("ol");
  for (const [href, text] of seen) {
    const item = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = `${text}: `;
    const url = document.createElement("span");
    url.className = "fs-print-url";
    url.textContent = shorten(href);
    item.append(label, url);
    list.append(item);
  }
  section.append(heading, note, list);
  content.append(section);
})();
