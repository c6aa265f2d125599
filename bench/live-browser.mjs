// A reply's commit to its text appearing in the reporter's page in Chromium, without a reload:
// the live stream, the page loading the thread again, and the render. Run by bench/live.sh
// (a release server with the bench accounts): `node ../bench/live-browser.mjs` from end2end/.
import { createRequire } from "node:module";
import path from "node:path";

// Playwright lives in end2end/node_modules.
const require = createRequire(path.resolve("package.json"));
const { chromium } = require("@playwright/test");

const base = process.env.MSS_BENCH_BASE;
const handlerToken = process.env.MSS_BENCH_TOKEN;
const reporterToken = process.env.MSS_BENCH_REPORTER_TOKEN;
const rounds = Number(process.env.MSS_BENCH_ROUNDS || 100);

async function api(method, url, token, body, headers = {}) {
  const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${token}`, ...headers }, body });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

const form = new FormData();
form.append("incident", JSON.stringify({ customer: { name: "浏览器延迟", customer_no: "310012345678" }, system: "trading", description: "压测：页面实时更新，回复应当立刻出现在上报人的页面上" }));
const created = await api("POST", "/api/v1/incidents", reporterToken, form, { "idempotency-key": crypto.randomUUID() });
let version = (await api("POST", `/api/v1/incidents/${created.id}/actions`, handlerToken, JSON.stringify({ action: "claim", version: created.version }), { "content-type": "application/json" })).version;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN", isMobile: true });
const page = await context.newPage();
await page.goto(`${base}/login`);
await page.locator("body[data-hydrated]").waitFor();
await page.getByLabel("账号").fill("bench_live_agent");
await page.getByLabel("密码").fill("bench-password");
await page.getByRole("button", { name: "登录" }).click();
await page.waitForURL((u) => !u.pathname.startsWith("/login"));
await page.goto(`${base}/incidents/${created.number}`);
await page.locator("body[data-hydrated]").waitFor();
// When each reply's text first shows, by the page's own clock (wall time, as the server's).
await page.evaluate(() => {
  window.__seen = {};
  new MutationObserver(() => {
    const now = performance.timeOrigin + performance.now();
    for (const bubble of document.querySelectorAll(".bubble")) {
      const text = bubble.textContent || "";
      if (text.startsWith("browser-") && !(text in window.__seen)) window.__seen[text] = now;
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
});
await page.waitForTimeout(1000);

const latencies = [];
for (let i = 0; i < rounds; i++) {
  const text = `browser-${i}`;
  const after = await api("POST", `/api/v1/incidents/${created.id}/actions`, handlerToken, JSON.stringify({ action: "reply", version, body: text }), { "content-type": "application/json" });
  version = after.version;
  const committed = Date.parse(after.timeline.at(-1).at);
  await page.waitForFunction((t) => t in window.__seen, text, { timeout: 5000 });
  const seen = await page.evaluate((t) => window.__seen[t], text);
  latencies.push(seen - committed);
  await page.waitForTimeout(150);
}
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.round((p / 100) * (latencies.length - 1)))].toFixed(0);
console.log(`browser: ${rounds} replies, commit -> shown in the reporter's page: p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1).toFixed(0)} ms`);
await browser.close();
