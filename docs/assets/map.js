// The map page's optional OpenStreetMap background (generator/mapview.py).
//
// The page shows its own drawing of the places and makes no request outside the site.
// Only when the reader asks (and from then on in this browser, until they stop it) does
// this load the vendored Leaflet and OpenStreetMap's map tiles.

const KEY = "factsheet.map.tiles";
const TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

const root = document.querySelector("[data-fs-map]");
if (root) setUp(root);

function remembered() {
  try {
    return localStorage.getItem(KEY) === "osm";
  } catch {
    return false; // storage blocked: ask every time
  }
}

function remember(allowed) {
  try {
    if (allowed) localStorage.setItem(KEY, "osm");
    else localStorage.removeItem(KEY);
  } catch {
    // storage blocked: the choice lasts for this page only
  }
}

function loadLeaflet(base) {
  return new Promise((resolve, reject) => {
    if (window.L) return resolve(window.L);
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = base + "leaflet.css";
    document.head.append(css);
    const script = document.createElement("script");
    script.src = base + "leaflet.js";
    script.onload = () => resolve(window.L);
    script.onerror = reject;
    document.head.append(script);
  });
}

function setUp(root) {
  const consent = root.querySelector("[data-fs-map-consent]");
  const allow = root.querySelector("[data-fs-map-allow]");
  const stop = root.querySelector("[data-fs-map-stop]");
  const tiles = root.querySelector("[data-fs-map-tiles]");
  const pictures = root.querySelectorAll("[data-fs-map-picture]");
  const places = JSON.parse(document.getElementById("fs-map-data").textContent);
  const base = new URL(root.dataset.fsLeaflet, document.baseURI).href;
  consent.hidden = false;

  async function show() {
    allow.hidden = true;
    stop.hidden = false;
    let L;
    try {
      L = await loadLeaflet(base);
    } catch {
      allow.hidden = false;
      stop.hidden = true;
      return;
    }
    tiles.hidden = false;
    for (const picture of pictures) picture.hidden = true;
    const map = L.map(tiles, { scrollWheelZoom: false });
    L.tileLayer(TILES, { maxZoom: 18, attribution: ATTRIBUTION }).addTo(map);
    const most = Math.max(...places.map((p) => p.incidents));
    const bounds = [];
    for (const place of places) {
      const at = [place.lat, place.lon];
      bounds.push(at);
      L.circle(at, { radius: place.precision_m, weight: 1, fillOpacity: 0.08 }).addTo(map);
      const marker = L.circleMarker(at, { radius: 5 + 9 * Math.sqrt(place.incidents / most), weight: 2 }).addTo(map);
      const link = document.createElement("a");
      link.href = place.href;
      link.textContent = place.name;
      const popup = document.createElement("div");
      popup.append(link, ` ${place.incidents} incident${place.incidents === 1 ? "" : "s"}`);
      marker.bindPopup(popup);
    }
    if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
  }

  allow.addEventListener("click", () => {
    remember(true);
    show();
  });
  stop.addEventListener("click", () => {
    remember(false);
    window.location.reload();
  });
  if (remembered()) show();
}
