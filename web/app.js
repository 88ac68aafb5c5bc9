// The web viewer (docs/web.md): the search at /, a lot at /ui/lots/ID, what
// contains it at /ui/lots/ID/down. The server's JSON is for display; what
// the page claims about the log it verifies itself (verify.js).
import { VerifyError, hex, parseVerifierKey, verifierKey, verifyEntries, base64Decode } from "./verify.js";

const main = document.getElementById("main");
const SVG = "http://www.w3.org/2000/svg";

// el("p", {class: "x"}, "text", child, ...): no HTML is ever parsed from data.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

async function getJson(url) {
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `${url}: HTTP ${res.status}`);
  return body;
}

async function getBytes(path) {
  const res = await fetch("/" + path, { cache: "no-store" });
  if (!res.ok) throw new VerifyError(`/${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

const lotUrl = (id, down = false) => `/ui/lots/${encodeURIComponent(id)}${down ? "/down" : ""}`;
const lotLink = (id) => el("a", { href: lotUrl(id) }, id);
const grams = (g) => `${Number(g).toLocaleString("en")} g`;
const day = (time) => (time ?? "").slice(0, 10);

function showError(message) {
  main.replaceChildren(el("p", { class: "error", role: "alert" }, message), el("p", {}, el("a", { href: "/" }, "Search")));
}

// ---- search ----

function searchForm(value = "") {
  const input = el("input", { id: "q", name: "q", type: "search", value, autocomplete: "off", required: "" });
  return el("form", { class: "search", action: "/", method: "get", role: "search" },
    el("label", { for: "q" }, "Lot id or party"), input, el("button", { type: "submit" }, "Search"));
}

async function searchPage() {
  const q = new URLSearchParams(location.search).get("q") ?? "";
  document.title = "rareledger: search";
  const results = el("section", { id: "results", "aria-live": "polite" });
  main.replaceChildren(el("h1", {}, "Find a lot"),
    el("p", {}, "Search the ledger's lots by lot id, or by the party (id or name) that holds them."),
    searchForm(q), results);
  if (!q) return document.getElementById("q").focus();
  const found = await getJson(`/ui/api/search?q=${encodeURIComponent(q)}`);
  if (found.lots.length === 0) return results.append(el("p", {}, `No lot matches "${q}".`));
  results.append(el("h2", {}, `${found.lots.length}${found.truncated ? "+" : ""} lot(s) for "${q}"`),
    el("ul", { class: "lots" }, found.lots.map((l) =>
      el("li", {}, lotLink(l.lot), ` — ${l.material}, ${l.category}, made in ${l.made_in}, held by ${l.holder}`))));
}

// ---- the graph ----

// The server's graphviz SVG, inline, each lot node a link to its lot.
async function graphFigure(id, direction, trace) {
  const figure = el("figure", { class: "graph" });
  const res = await fetch(`/v1/lots/${encodeURIComponent(id)}/trace?direction=${direction}&format=svg&policy=${encodeURIComponent(trace.policy)}`);
  if (!res.ok) {
    figure.append(el("p", { class: "error" }, `The graph could not be drawn (HTTP ${res.status}); the list below says the same.`));
    return figure;
  }
  const doc = new DOMParser().parseFromString(await res.text(), "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg") return figure;
  for (const bad of svg.querySelectorAll("script, foreignObject")) bad.remove();
  const lots = new Set(trace.lots.map((l) => l.lot));
  for (const g of svg.querySelectorAll("g.node")) {
    const name = g.querySelector("title")?.textContent;
    if (!lots.has(name)) continue;
    const a = document.createElementNS(SVG, "a");
    a.setAttribute("href", lotUrl(name));
    a.setAttribute("aria-label", `lot ${name}`);
    g.replaceWith(a);
    a.append(g);
  }
  svg.setAttribute("role", "group");
  svg.setAttribute("aria-label", `Provenance graph ${direction === "up" ? "upstream" : "downstream"} of ${id}; the list after it says the same in words`);
  // The page has its own title and legend: drop graphviz's (settleGraph
  // then crops the drawing to what is left).
  for (const t of svg.querySelectorAll(":scope > g > text")) t.remove();
  for (const g of svg.querySelectorAll("g.cluster, g.node")) {
    const name = g.querySelector("title")?.textContent;
    if (name === "cluster_legend" || (name === "legend" && !lots.has(name))) g.remove();
  }
  const shown = document.importNode(svg, true);
  shown.removeAttribute("height");
  const box = el("div", { class: "graph-scroll fit", tabindex: "0", "aria-label": "graph (scrolls at full size)" }, shown);
  const toggle = el("button", { type: "button", class: "secondary", "aria-pressed": "false" }, "Show at full size");
  toggle.addEventListener("click", () => setGraphFit(box, toggle, !box.classList.contains("fit")));
  figure.append(el("div", { class: "graph-tools" }, toggle), box, el("figcaption", {}, legend()));
  return figure;
}

function setGraphFit(box, toggle, fit) {
  box.classList.toggle("fit", fit);
  toggle.setAttribute("aria-pressed", String(!fit));
  toggle.textContent = fit ? "Show at full size" : "Fit to the width";
}

// Once in the page: crops the SVG to its drawing and fits it to the width
// (the whole structure at a glance) unless that makes its text smaller than
// about 60 %, as on a phone: then it shows it at full size, scrolling.
function settleGraph() {
  const box = document.querySelector(".graph-scroll");
  const svg = box?.querySelector("svg");
  if (!svg) return;
  const g = svg.querySelector("g.graph");
  g.querySelector(":scope > polygon")?.remove();  // the white background
  const b = g.getBBox();
  const t = g.transform.baseVal.consolidate()?.matrix ?? { a: 1, d: 1, e: 0, f: 0 };
  const m = 8;
  const [x, y, w, h] = [b.x * t.a + t.e - m, b.y * t.d + t.f - m, b.width * t.a + 2 * m, b.height * t.d + 2 * m];
  svg.setAttribute("viewBox", `${x} ${y} ${w} ${h}`);
  const natural = w * 4 / 3;  // graphviz's points as CSS pixels
  svg.setAttribute("width", `${Math.round(natural)}px`);
  svg.style.maxWidth = `${Math.round(natural)}px`;
  setGraphFit(box, document.querySelector(".graph-tools button"), box.clientWidth / natural >= 0.6);
}

function legend() {
  return el("ul", { class: "legend", "aria-label": "Legend" },
    el("li", {}, el("span", { class: "key coi" }), "controlled origin item (filled red)"),
    el("li", {}, el("span", { class: "key root" }), "the lot of this page (bold border; green or red: its verdict)"),
    el("li", {}, el("span", { class: "key carries" }), "path carrying controlled content (red)"),
    el("li", {}, el("span", { class: "key split" }), "split of a controlled origin item (dashed red)"),
    el("li", {}, el("span", { class: "key plain" }), "no controlled content (grey)"));
}

// The graph in words: every lot and every derivation, with links.
function graphText(trace) {
  const byId = new Map(trace.lots.map((l) => [l.lot, l]));
  const lotItem = (l) => el("li", {}, lotLink(l.lot),
    ` — ${l.category}, made in ${l.made_in}, held by ${l.holder}`,
    l.controlled_origin_item ? el("strong", { class: "coi-text" }, " controlled origin item") : null);
  const edgeItem = (d) => el("li", { class: d.carries_content || d.controlled_split ? "carries" : "" },
    lotLink(d.from), " → ", lotLink(d.to), ` (entry ${d.index}, ${d.type}${d.process ? ": " + d.process : ""})`,
    d.carries_content ? el("strong", { class: "coi-text" }, " carries controlled content") : null,
    d.controlled_split ? el("strong", { class: "coi-text" }, " split of a controlled origin item") : null);
  return el("details", { class: "graph-text" }, el("summary", {}, `The graph in words: ${trace.lots.length} lots, ${trace.derivations.length} derivations`),
    el("h4", {}, "Lots"), el("ul", {}, trace.lots.map(lotItem)),
    el("h4", {}, "Derivations (from → to)"), el("ul", {}, trace.derivations.filter((d) => byId.has(d.from)).map(edgeItem)));
}

// ---- verification ----

function pinnedKey(ledgerId) {
  return new URLSearchParams(location.search).get("vkey") ?? localStorage.getItem(`rareledger.vkey.${ledgerId}`);
}

function verifyPanel(ledgerId) {
  const result = el("p", { id: "verify-result", "data-verify-state": "pending", role: "status" }, "Verifying in this browser…");
  const field = el("input", { id: "vkey", type: "text", spellcheck: "false", autocomplete: "off", value: pinnedKey(ledgerId) ?? "" });
  const pin = el("button", { type: "submit" }, "Pin this key");
  const form = el("form", { class: "pin" }, el("label", { for: "vkey" }, "Operator key to trust (vkey, compare it out of band)"), field, pin);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = field.value.trim();
    if (v) localStorage.setItem(`rareledger.vkey.${ledgerId}`, v);
    else localStorage.removeItem(`rareledger.vkey.${ledgerId}`);
    const url = new URL(location.href);
    url.searchParams.delete("vkey");
    location.assign(url);
  });
  const keyInfo = el("p", { class: "key-info" });
  return { node: el("section", { class: "verify", "aria-labelledby": "verify-h" }, el("h2", { id: "verify-h" }, "Verified in this browser"), result, keyInfo, form), result, keyInfo };
}

// The operator key: pinned, or the server's own word (said so).
async function operatorKey(ledgerId) {
  const pinned = pinnedKey(ledgerId);
  if (pinned) return { key: await parseVerifierKey(pinned), pinned: true };
  const op = await getJson("/v1/parties/operator");
  const pub = base64Decode(op.keys[op.keys.length - 1].pubkey);
  return { key: await parseVerifierKey(await verifierKey(ledgerId, pub)), pinned: false };
}

// Verifies `indexes`; `onLeaves(leaves)` renders what is shown from the
// verified bytes and may throw VerifyError when they do not say what the
// page claims.
async function runVerify(panel, ledgerId, indexes, onLeaves, onFail) {
  const { result, keyInfo } = panel;
  try {
    const { key, pinned } = await operatorKey(ledgerId);
    keyInfo.replaceChildren(`Operator key ${key.name}+${key.keyId}, fingerprint (SHA-256 of the key) `,
      el("code", {}, key.fingerprint), pinned ? " — pinned by you." : " — taken from this server itself: pin it to check it against a copy you trust.",
      el("br"), "vkey: ", el("code", { class: "vkey" }, await verifierKey(key.name, key.pub)));
    const note = new TextDecoder().decode(await getBytes("checkpoint"));
    const sorted = [...new Set(indexes)].sort((a, b) => a - b);
    const { checkpoint, leaves } = await verifyEntries(note, key, sorted, getBytes);
    onLeaves(leaves);
    result.dataset.verifyState = "pass";
    result.replaceChildren(el("strong", {}, "✔ verified: "),
      `entries ${sorted.join(", ")} are in the log of size ${checkpoint.size} (root ${hex(checkpoint.root).slice(0, 16)}…) signed by operator key ${key.fingerprint.slice(0, 4)}… (${key.name}). ` +
      "Checked here with WebCrypto: the checkpoint's Ed25519 signature, and for each entry the SHA-256 path from its bytes to the signed root. " +
      (pinned ? "The key is the one you pinned." : "The key came from this server itself, not pinned."));
  } catch (e) {
    result.dataset.verifyState = "fail";
    onFail();
    result.replaceChildren(el("strong", {}, "✘ verification failed: "), e instanceof VerifyError ? e.message : `could not check: ${e.message}`);
  }
}

// ---- a lot ----

function verdictSection(verdicts) {
  const required = verdicts.filter((v) => v.license_required).map((v) => v.policy);
  const headline = required.length
    ? `Licence required under ${required.join(", ")} (${required.length} of ${verdicts.length} served policies)`
    : `No licence required under any of the ${verdicts.length} served policies`;
  return el("section", { class: "verdicts", "aria-labelledby": "verdict-h" },
    el("h2", { id: "verdict-h", class: `headline ${required.length ? "required" : "free"}` }, headline),
    verdicts.map((v) => el("div", { class: `verdict ${v.license_required ? "required" : "free"}` },
      el("p", { class: "verdict-word" }, v.license_required ? "Licence required" : "No licence required",
        el("span", { class: "verdict-policy" }, ` under ${v.policy}, as of ${v.as_of}`)),
      el("p", { class: "verdict-why" }, v.summary),
      el("details", {}, el("summary", {}, "The full explanation"), el("pre", {}, v.text)))));
}

function lotFacts(lot) {
  const row = (k, v) => [el("dt", {}, k), el("dd", {}, v)];
  return el("dl", { class: "facts" },
    row("Material", lot.material), row("Category", lot.category), row("Made in", lot.made_in),
    row("Holder", lot.holder), row("Mass", `${grams(lot.remaining_g)} left of ${grams(lot.mass_g)}`),
    row("Created", `entry ${lot.created_at} (${lot.created_by})`),
    lot.parent ? row("Split from", lotLink(lot.parent)) : [],
    lot.consumed_by?.length ? row("Used in entries", lot.consumed_by.join(", ")) : []);
}

// The custody chain, rendered from the verified leaves themselves.
function custodyTable(id, custody, leaves, tbody) {
  const rows = custody.map((i) => {
    const p = leaves.get(i);
    if (p?.type !== "transfer" || p.lot !== id) throw new VerifyError(`entry ${i} is not a transfer of ${id}`);
    return el("tr", {}, el("td", {}, String(i)), el("td", {}, day(p.time)), el("td", {}, p.party), el("td", {}, p.to));
  });
  tbody.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: "4" }, "No transfer: the creator still holds it."))]));
}

async function lotPage(id, down) {
  const data = await getJson(`/ui/api/lots/${encodeURIComponent(id)}`);
  const lot = data.lot;
  const policy = data.verdicts.find((v) => v.policy === "CN-MOFCOM-2025-61")?.policy ?? data.verdicts[0]?.policy ?? "";
  const trace = await getJson(`/v1/lots/${encodeURIComponent(id)}/trace?direction=${down ? "down" : "up"}&policy=${encodeURIComponent(policy)}`);
  trace.policy = policy;
  document.title = `rareledger: ${id}${down ? " downstream" : ""}`;
  const panel = verifyPanel(data.ledger);
  const tbody = el("tbody", {}, el("tr", {}, el("td", { colspan: "4" }, "Waiting for verification…")));
  const shown = [lot.created_at, ...data.custody, ...lot.attestations.map((a) => a.entry),
    ...(lot.corrections ?? []).map((c) => c.entry), ...trace.derivations.map((d) => d.index)];
  const nav = el("nav", { class: "crumbs", "aria-label": "Views" }, el("a", { href: "/" }, "Search"), " · ",
    down ? lotLink(id) : el("a", { href: lotUrl(id, true) }, `Which products contain ${id}?`));
  const header = el("header", { class: "lot-head" }, el("h1", {}, down ? `Which products contain ${id}` : `Lot ${id}`),
    el("p", { class: "lede" }, `${lot.material}, ${lot.category}, made in ${lot.made_in}, held by ${lot.holder}`));
  const graphTitle = down ? `Downstream: what was made from ${id}` : `Upstream provenance of ${id}`;
  main.replaceChildren(nav, header, verdictSection(data.verdicts), panel.node,
    el("section", { "aria-labelledby": "graph-h" }, el("h2", { id: "graph-h" }, graphTitle), await graphFigure(id, down ? "down" : "up", trace), graphText(trace)));
  settleGraph();
  if (!down) {
    main.append(el("section", { "aria-labelledby": "lot-h" }, el("h2", { id: "lot-h" }, "The lot"), lotFacts(lot)),
      el("section", { "aria-labelledby": "custody-h" }, el("h2", { id: "custody-h" }, "Custody chain"),
        el("p", { class: "note" }, "Read from the log's own entry bytes, verified above."),
        el("table", {}, el("thead", {}, el("tr", {}, ["Entry", "Date", "From", "To"].map((h) => el("th", { scope: "col" }, h)))), tbody)),
      el("section", { "aria-labelledby": "att-h" }, el("h2", { id: "att-h" }, "Attestations and corrections"),
        lot.attestations.length || lot.corrections?.length ? el("ul", {},
          lot.attestations.map((a) => el("li", {}, `entry ${a.entry}, ${day(a.time)}: ${a.auditor} attests "${a.claim}"${a.detail ? ` (${a.detail})` : ""}`)),
          (lot.corrections ?? []).map((c) => el("li", {}, `entry ${c.entry}: corrected (${c.reason}): ` +
            c.changes.map((f) => `${f.field} ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`).join("; ")))) :
          el("p", {}, "None.")));
  }
  await runVerify(panel, data.ledger, shown, (leaves) => { if (!down) custodyTable(id, data.custody, leaves, tbody); },
    () => tbody.replaceChildren(el("tr", {}, el("td", { colspan: "4", class: "error" }, "Not shown: the log's entries did not verify."))));
}

async function route() {
  const m = /^\/ui\/lots\/([^/]+)(\/down)?$/.exec(location.pathname);
  try {
    if (m) await lotPage(decodeURIComponent(m[1]), Boolean(m[2]));
    else if (location.pathname === "/") await searchPage();
    else showError("No such page.");
  } catch (e) {
    showError(e.message);
  }
}

route();
