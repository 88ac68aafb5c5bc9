// The web viewer in real headless Chromium (run by run_browser_test.sh):
// builds the demo ledger, starts `rareledger serve` on a loopback port and
// two forging proxies in front of it (tamper_proxy.py), and checks that the
// search finds a lot; the lot page shows the verdict text `assess` gives and
// a graph with the expected nodes, each a link; verification passes, also
// with the key pinned; it fails (in words, never a pass) with a forged tile,
// a forged checkpoint, or another key pinned; the downstream view; keyboard
// navigation into the graph; no console error anywhere. Screenshots go to
// ARTIFACTS.
// Usage: node browser_test.mjs RARELEDGER WORK ARTIFACTS MODULES CHROMIUM PROXY
import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import path from "node:path";

const [BIN, WORK, ARTIFACTS, MODULES, CHROMIUM, PROXY] = process.argv.slice(2);
const puppeteer = createRequire(path.join(MODULES, "x.js"))("puppeteer-core");
const children = [];
let failures = 0;

function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}

// Starts a process and resolves with the URL in its "listening on URL" line.
function listening(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[0-9.]+:[0-9]+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`${cmd} exited ${code} before listening: ${out}`)));
  });
}

const DB = path.join(WORK, "demo");
execFileSync(BIN, ["demo", "--db", DB], { stdio: ["ignore", "ignore", "inherit"] });
const assess = execFileSync(BIN, ["assess", "CAR-2026-40", "--db", DB], { encoding: "utf8" });
const summaries = assess.split("\n").filter((l) => /: (no )?licen[cs]e/i.test(l) && !l.startsWith(" ")).slice(0, 5);
const server = await listening(BIN, ["serve", "--db", DB, "--operator-key", `${DB}-keys/operator.key`,
  "--listen", "127.0.0.1:0"]);
const forgedTiles = await listening("python3", [PROXY, server, "tile"]);
const forgedCheckpoint = await listening("python3", [PROXY, server, "checkpoint"]);

const browser = await puppeteer.launch({
  executablePath: CHROMIUM, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
const consoleErrors = [];

async function open(url, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(`${url}: ${m.text()}`); });
  page.on("pageerror", (e) => consoleErrors.push(`${url}: ${e.message}`));
  page.on("requestfailed", (r) => consoleErrors.push(`${url}: request failed ${r.url()}`));
  await page.goto(url, { waitUntil: "load" });
  return page;
}

// Waits for the verification to finish; its state and words.
async function verdictOfVerify(page) {
  await page.waitForFunction(() => ["pass", "fail"].includes(document.getElementById("verify-result")?.dataset.verifyState), { timeout: 30000 });
  return page.$eval("#verify-result", (e) => ({ state: e.dataset.verifyState, text: e.textContent }));
}

const shot = (page, name, fullPage = false) => page.screenshot({ path: path.join(ARTIFACTS, name), fullPage });

try {
  // The search finds a lot; its link leads to the lot page.
  const search = await open(`${server}/`);
  check((await search.$eval("#q", (e) => document.activeElement === e)), "the search field has the focus");
  await search.type("#q", "car-2026");
  await Promise.all([search.waitForNavigation({ waitUntil: "load" }), search.keyboard.press("Enter")]);
  await search.waitForSelector("#results a");
  const found = await search.$$eval("#results a", (as) => as.map((a) => a.textContent));
  check(found.includes("CAR-2026-40"), `the search for "car-2026" finds CAR-2026-40 (${found})`);
  await shot(search, "search.png");
  const byParty = await open(`${server}/?q=magnet`);
  // #results is in the page before the search's answer fills it: wait for
  // the answer (bounded; a slow sanitizer build once lost this race).
  await byParty
    .waitForFunction(() => (document.querySelector("#results")?.textContent ?? "").includes("held by"),
                     { timeout: 20000 })
    .catch(() => {});
  check((await byParty.$eval("#results", (e) => e.textContent)).includes("held by jp-mag"), "a search by party name finds its lots");

  // The lot page: verdict text, graph, verification.
  await search.bringToFront();
  await Promise.all([search.waitForNavigation({ waitUntil: "load" }), search.click("#results a")]);
  const lot = search;
  check(lot.url().endsWith("/ui/lots/CAR-2026-40"), `the result links to the lot page (${lot.url()})`);
  const v = await verdictOfVerify(lot);
  check(v.state === "pass" && v.text.startsWith("✔ verified: entries "), `verify passes: ${v.text.slice(0, 160)}`);
  check(/in the log of size \d+ .*signed by operator key [0-9a-f]{4}…/.test(v.text), "it says the log size and the key");
  check(v.text.includes("came from this server itself"), "unpinned, it says the key came from the server");
  const verdictText = await lot.$eval(".verdicts", (e) => e.textContent);
  check(summaries.length > 0 && summaries.every((s) => verdictText.includes(s.replace(/^\s+/, ""))),
    `the page shows assess's verdict text (${summaries.join(" | ")})`);
  const first = await lot.$eval(".verdict", (e) => e.getBoundingClientRect().top);
  check(first < 250, `the verdict is at the top of the page (y=${first})`);
  const nodes = await lot.$$eval("svg g.node title", (ts) => ts.map((t) => t.textContent));
  const expected = ["DYOX-2026-001", "DYOX-2026-001-A", "MAG-1", "MAG-1-DE", "MOTOR-DE-1", "MOTOR-DE-1-US", "CAR-2026-40"];
  check(expected.every((id) => nodes.includes(id)), `the graph has the nodes ${expected.join(", ")} (${nodes})`);
  const links = await lot.$$eval("svg a", (as) => as.map((a) => a.getAttribute("href")));
  check(expected.every((id) => links.includes(`/ui/lots/${id}`)), "each lot node links to its lot");
  check((await lot.$$eval("svg polygon[fill='#f4b6b6'], svg path[fill='#f4b6b6']", (p) => p.length)) > 0, "controlled-origin lots are filled red");
  check((await lot.$$eval("svg g.edge path[stroke='#c0392b']", (p) => p.length)) > 0, "contributing paths are red");
  check((await lot.$eval(".legend", (e) => e.textContent)).includes("controlled origin item"), "a legend");
  check((await lot.$eval(".graph-text", (e) => e.textContent)).includes("carries controlled content"), "the graph in words");
  check((await lot.$eval("tbody", (e) => e.textContent)).includes("No transfer"), "a lot never transferred says so");
  const fitted = await lot.$eval(".graph-scroll svg", (e) => e.getBoundingClientRect().width);
  check(fitted <= 1200, `the graph is fitted to the width (${fitted}px)`);
  await shot(lot, "lot-1280x800.png");
  await shot(lot, "lot-full.png", true);
  await lot.$eval("#graph-h", (e) => e.scrollIntoView());
  await shot(lot, "lot-graph-fitted.png");
  await lot.click(".graph-tools button");
  const full = await lot.$eval(".graph-scroll svg", (e) => e.getBoundingClientRect().width);
  check(full > fitted, `"Show at full size" shows it larger (${full}px)`);
  await lot.$eval("#graph-h", (e) => e.scrollIntoView());
  await shot(lot, "lot-graph-full-size.png");

  // Keyboard: Tab reaches a node of the graph; Enter follows it.
  let inGraph = null;
  for (let i = 0; i < 80 && !inGraph; ++i) {
    await lot.keyboard.press("Tab");
    inGraph = await lot.evaluate(() => (document.activeElement?.closest("svg") ? document.activeElement.getAttribute("href") : null));
  }
  check(inGraph !== null, `Tab reaches a graph node (${inGraph})`);
  if (inGraph) {
    await Promise.all([lot.waitForNavigation({ waitUntil: "load" }), lot.keyboard.press("Enter")]);
    check(lot.url().endsWith(inGraph), `Enter on it opens ${inGraph}`);
    check((await verdictOfVerify(lot)).state === "pass", "and that lot verifies too");
  }

  // A custody chain, read from the verified entries.
  const oxide = await open(`${server}/ui/lots/DYOX-2026-001`);
  check((await verdictOfVerify(oxide)).state === "pass", "DYOX-2026-001 verifies");
  const custody = await oxide.$$eval("tbody tr", (rs) => rs.map((r) => r.textContent));
  check(custody.some((r) => r.includes("cn-sep") && r.includes("sg-trade")), `its custody chain shows the transfer cn-sep → sg-trade (${custody})`);
  check((await oxide.$eval(".verdicts", (e) => e.textContent)).includes("LICENCE REQUIRED"), "and its verdict: licence required");
  await shot(oxide, "lot-oxide-1280x800.png");

  // Phone width.
  const phone = await open(`${server}/ui/lots/MOTOR-DE-1`, { width: 390, height: 844, isMobile: true, deviceScaleFactor: 2 });
  check((await verdictOfVerify(phone)).state === "pass", "at phone width, verify passes");
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `at phone width the page does not scroll sideways (only the graph does) (${overflow})`);
  await shot(phone, "lot-phone.png");
  await shot(phone, "lot-phone-full.png", true);

  // Downstream.
  const down = await open(`${server}/ui/lots/DYOX-2026-001/down`);
  check((await verdictOfVerify(down)).state === "pass", "the downstream view verifies");
  const downNodes = await down.$$eval("svg g.node title", (ts) => ts.map((t) => t.textContent));
  check(downNodes.includes("CAR-2026-40"), `the downstream view of DYOX-2026-001 reaches CAR-2026-40 (${downNodes})`);
  await shot(down, "downstream.png");

  // Pinned: the right key passes and says so; another key fails.
  const vkey = await lot.$eval("code.vkey", (e) => e.textContent);
  const pinned = await open(`${server}/ui/lots/MAG-1?vkey=${encodeURIComponent(vkey)}`);
  const p = await verdictOfVerify(pinned);
  check(p.state === "pass" && p.text.includes("the one you pinned"), "the pinned operator key passes and says it is pinned");
  const other = JSON.parse(execFileSync("curl", ["-sf", `${server}/v1/parties/jp-mag`]).toString()).keys[0].pubkey;
  const otherRaw = Buffer.from(other, "base64");
  const name = vkey.split("+")[0];
  const id = createHash("sha256").update(Buffer.concat([Buffer.from(name + "\n"), Buffer.from([1]), otherRaw])).digest("hex").slice(0, 8);
  const wrongKey = `${name}+${id}+${Buffer.concat([Buffer.from([1]), otherRaw]).toString("base64")}`;
  const wrong = await open(`${server}/ui/lots/MAG-1?vkey=${encodeURIComponent(wrongKey)}`);
  const w = await verdictOfVerify(wrong);
  check(w.state === "fail" && w.text.includes("verification failed: the checkpoint carries no signature"), `another key pinned fails: ${w.text}`);

  // Forged bytes never pass.
  const forged = await open(`${forgedTiles}/ui/lots/CAR-2026-40`);
  const f = await verdictOfVerify(forged);
  check(f.state === "fail" && f.text.startsWith("✘ verification failed: "), `a forged tile fails: ${f.text}`);
  check((await forged.$eval("#verify-result", (e) => getComputedStyle(e).color)) === "rgb(179, 38, 30)", "in red");
  await shot(forged, "forged-tile.png");
  const forgedCp = await open(`${forgedCheckpoint}/ui/lots/CAR-2026-40`);
  const c = await verdictOfVerify(forgedCp);
  check(c.state === "fail" && c.text.includes("does not verify"), `a forged checkpoint fails: ${c.text}`);
  await shot(forgedCp, "forged-checkpoint.png");

  // The page's headers.
  const res = await fetch(`${server}/ui/lots/CAR-2026-40`);
  check(res.headers.get("content-type") === "text/html; charset=utf-8", "the page is text/html");
  check((res.headers.get("content-security-policy") ?? "").includes("default-src 'none'"), "with a strict CSP");
  const js = await fetch(`${server}/ui/verify.js`);
  check(js.headers.get("content-type") === "text/javascript; charset=utf-8", "scripts are text/javascript");
  check((await fetch(`${server}/ui/app.css`)).headers.get("content-type") === "text/css; charset=utf-8", "styles are text/css");
  check((await fetch(`${server}/ui/nothing.js`)).status === 404, "an unknown file is 404");
  check((await fetch(`${server}/ui/api/search`)).status === 400, "a search without q is 400");
  check((await fetch(`${server}/ui/api/lots/NO-SUCH-LOT`)).status === 404, "an unknown lot is 404");
  // (Its 404 is logged by Chromium, expected: this page is not listened to.)
  const unknown = await browser.newPage();
  await unknown.goto(`${server}/ui/lots/NO-SUCH-LOT`, { waitUntil: "load" });
  await unknown.waitForSelector("main .error");
  check((await unknown.$eval("main .error", (e) => e.textContent)).includes("NO-SUCH-LOT"), "the page says the lot is unknown");

  check(consoleErrors.length === 0, `no console errors (${consoleErrors.join("; ")})`);
} catch (e) {
  check(false, `the test ran to its end: ${e.stack}`);
} finally {
  await browser.close();
  for (const c of children) c.kill("SIGTERM");
}
console.log(failures === 0 ? "all checks passed" : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
