// The header search box over the Pagefind index (overrides/partials/pagefind-search.html).
//
// Pagefind loads only the index chunks for the words typed and, here, the fragments
// of the results shown, so what a query downloads does not grow with the corpus.
// Keyboard: "/" or "s" focuses the box, arrows move through results, Enter opens
// the selected (or first) result, Escape closes the box.

const SHOWN = 10; // results whose fragments are loaded at once; "More results" loads more
const DEBOUNCE_MS = 120;
const KIND_LABELS = { incident: "Incident", actor: "Actor", place: "Place", source: "Source" };

const root = document.querySelector("[data-fs-search]");
if (root) setUp(root);

// Lower case, without accents, split into words: how both query and page text are compared.
function words(text) {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

// Pagefind's results for the query as an exact phrase, when it has two words or more.
async function phraseResults(module, query) {
  const words = query.trim().split(/\s+/);
  if (words.length < 2 || query.includes('"')) return [];
  const search = await module.search(`"${words.join(" ")}"`);
  return search ? search.results : [];
}

// The starts of the query's words that mark a word of a result as matching: the first four
// letters (so "attacks" marks "attack"), leaving out one-letter words ("C" of "C-RAM").
function queryStarts(query) {
  const all = words(query);
  const long = all.filter((word) => word.length > 1);
  return (long.length ? long : all).map((word) => word.slice(0, 4));
}

// What the page says, without the words after the mark "⁂" that find it but are not shown
// on it (other spellings of its names: overrides/main.html).
function ownText(page) {
  return page.content.split("⁂")[0];
}

// A short passage around the first word of the query the text has, with the words marked,
// as DOM nodes (the text is never parsed as HTML); the start of the text when none is found.
function passage(text, query, length = 180) {
  const wanted = queryStarts(query);
  const pattern = /[\p{L}\p{N}]+/gu;
  let hit = -1;
  for (let match; (match = pattern.exec(text)); ) {
    const word = words(match[0])[0] ?? "";
    if (wanted.some((start) => word.startsWith(start))) {
      hit = match.index;
      break;
    }
  }
  let start = hit < 0 ? 0 : Math.max(0, hit - length / 3);
  if (start > 0) start = text.indexOf(" ", start) + 1 || start;
  let end = Math.min(text.length, start + length);
  if (end < text.length) end = text.lastIndexOf(" ", end) > start ? text.lastIndexOf(" ", end) : end;
  const piece = (start > 0 ? "… " : "") + text.slice(start, end).trim() + (end < text.length ? " …" : "");
  return marked(piece, wanted);
}

// The text as nodes, each word that starts like a word of the query in a <mark>.
function marked(text, wanted) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = words(match[0])[0] ?? "";
    if (!wanted.some((start) => word.startsWith(start))) continue;
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    const mark = document.createElement("mark");
    mark.textContent = match[0];
    nodes.push(mark);
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

// Whether the page has, for each word of the query, a word starting with its first four
// letters (four, so that a stemmed match such as "attacks" for "attack" still counts).
function contains(page, query) {
  const pageWords = words(page.content + " " + (page.meta?.title ?? ""));
  return words(query).every((word) => {
    const start = word.slice(0, 4);
    return pageWords.some((candidate) => candidate.startsWith(start));
  });
}

function setUp(root) {
  const toggle = document.getElementById("__search");
  const form = root.querySelector("[data-fs-search-form]");
  const input = root.querySelector("[data-fs-search-input]");
  const status = root.querySelector("[data-fs-search-status]");
  const list = root.querySelector("[data-fs-search-results]");
  const placeholder = status.textContent.trim();
  const siteRoot = new URL(root.dataset.fsBase.replace(/\/?$/, "/"), document.baseURI);
  let pagefind = null;
  let current = null; // the Pagefind search whose results are shown
  let shown = 0;
  let active = -1;
  let generation = 0; // drops answers to queries the reader has typed past

  function load() {
    if (!pagefind) {
      pagefind = import(new URL(root.dataset.fsPagefind, document.baseURI).href).then(async (module) => {
        // Result URLs are paths from the site root; a site served under a sub-path
        // (GitHub Pages project sites) needs that path in front of them.
        // A long page (an incident with many reports) is not ranked down for its length much:
        // its many words are the answer, not padding.
        await module.options({ baseUrl: siteRoot.pathname, excerptLength: 24, ranking: { pageLength: 0.5 } });
        module.init();
        return module;
      });
      pagefind.catch(() => {
        pagefind = null;
        setStatus("Search is unavailable: the search index was not found.");
      });
    }
    return pagefind;
  }

  function open() {
    if (toggle && !toggle.checked) toggle.checked = true;
    load();
  }

  function close() {
    if (toggle) toggle.checked = false;
    input.blur();
  }

  function setStatus(text) {
    status.textContent = text;
  }

  function setActive(index) {
    const items = list.querySelectorAll(".md-search-result__link");
    items.forEach((item, i) => item.classList.toggle("fs-search-result--active", i === index));
    active = index;
    if (index >= 0 && items[index]) {
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  async function run(query) {
    const mine = ++generation;
    if (!query.trim()) {
      clear();
      return;
    }
    const module = await load();
    const search = await module.debouncedSearch(query, {}, DEBOUNCE_MS);
    if (search === null || mine !== generation) return; // superseded by later typing
    // Pages with the words as a phrase ("three drones") first, then pages with them apart;
    // each group in Pagefind's order (its phrase search does not rank).
    const phrase = new Set((await phraseResults(module, query)).map((result) => result.id));
    if (mine !== generation) return;
    const together = search.results.filter((result) => phrase.has(result.id));
    current = { results: [...together, ...search.results.filter((result) => !phrase.has(result.id))] };
    shown = 0;
    list.replaceChildren();
    setActive(-1);
    input.setAttribute("aria-expanded", "true");
    // When a word matches nothing, Pagefind falls back to words that share only its first
    // letters ("zanzibar" finds "zone"); such results are not matches, so check the first.
    const top = search.results.length ? await search.results[0].data() : null;
    if (mine !== generation) return;
    const count = top && contains(top, query) ? search.results.length : 0;
    if (count === 0) {
      setStatus(`No matching incidents or pages for “${query.trim()}”`);
      root.dataset.fsState = "empty";
      root.dataset.fsQuery = query;
      return;
    }
    setStatus(count === 1 ? "1 matching page" : `${count} matching pages`);
    await showMore(mine);
    if (mine === generation) root.dataset.fsQuery = query;
  }

  async function showMore(mine) {
    const batch = current.results.slice(shown, shown + SHOWN);
    shown += batch.length;
    const query = input.value;
    const pages = (await Promise.all(batch.map((result) => result.data()))).filter((page) => contains(page, query));
    if (mine !== generation) return;
    list.querySelector(".fs-search-more")?.remove();
    for (const page of pages) list.append(resultItem(page, list.children.length));
    if (shown < current.results.length) {
      const more = document.createElement("li");
      more.className = "fs-search-more";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "md-search-result__more fs-search-more__button";
      button.textContent = `More results (${current.results.length - shown} more)`;
      button.addEventListener("click", () => showMore(generation));
      more.append(button);
      list.append(more);
    }
    root.dataset.fsState = "results";
  }

  function resultItem(page, index) {
    const meta = page.meta || {};
    const item = document.createElement("li");
    item.className = "md-search-result__item";
    const link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = page.url;
    link.id = `fs-search-result-${index}`;
    link.tabIndex = -1;
    link.setAttribute("role", "option");
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    if (meta.kind) article.dataset.kind = meta.kind;
    const title = document.createElement("h1");
    title.textContent = meta.title || page.url;
    article.append(title);
    const facts = [KIND_LABELS[meta.kind], meta.date, meta.place].filter(Boolean);
    if (facts.length) {
      const line = document.createElement("p");
      line.className = "fs-search-result__facts";
      line.textContent = facts.join(" · ");
      article.append(line);
    }
    // Under the title: the page's summary when it has one and it has a word of the query,
    // else the passage of the page's own text where the query's words are.
    const excerpt = document.createElement("p");
    excerpt.className = "fs-search-result__excerpt";
    const query = input.value;
    const wanted = queryStarts(query);
    const summary = meta.summary ?? "";
    const inSummary = words(summary).some((word) => wanted.some((start) => word.startsWith(start)));
    excerpt.append(...(summary && inSummary ? marked(summary, wanted) : passage(ownText(page), query)));
    article.append(excerpt);
    link.append(article);
    item.append(link);
    return item;
  }

  function clear() {
    current = null;
    list.replaceChildren();
    setActive(-1);
    input.setAttribute("aria-expanded", "false");
    setStatus(placeholder);
    delete root.dataset.fsState;
    delete root.dataset.fsQuery;
  }

  input.addEventListener("focus", open);
  input.addEventListener("input", () => run(input.value));
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("reset", () => {
    generation++;
    clear();
    input.focus();
  });
  if (toggle) {
    toggle.addEventListener("change", () => {
      if (toggle.checked) input.focus();
    });
  }

  input.addEventListener("keydown", (event) => {
    const links = list.querySelectorAll(".md-search-result__link");
    switch (event.key) {
      case "ArrowDown":
        if (links.length) setActive((active + 1) % links.length);
        event.preventDefault();
        break;
      case "ArrowUp":
        if (links.length) setActive(active <= 0 ? links.length - 1 : active - 1);
        event.preventDefault();
        break;
      case "Enter": {
        const target = links[Math.max(active, 0)];
        if (target) target.click();
        event.preventDefault();
        break;
      }
      case "Escape":
        close();
        event.preventDefault();
        break;
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    const typing = target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing) return;
    if (event.key === "/" || event.key === "s" || event.key === "f") {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });

  // Clicking a result closes the box, like Material's search.
  list.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a")) {
      if (toggle) toggle.checked = false;
    }
  });
}
