// Screenshots of the main pages at 390x844 (phone) and 1280x800 (desk), to look at what we
// build. Run against a running app (./scripts/run): `node end2end/screenshots.mjs [out-dir]`.
import { chromium } from "@playwright/test";

const base = process.env.MSS_BASE_URL || "http://127.0.0.1:3000";
const out = process.argv[2] || "screenshots";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function shoot(viewport, login, pages, locale = "zh-CN") {
  const context = await browser.newContext({ viewport, locale, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.screenshot({ path: `${out}/${viewport.width}-login-${locale}.png`, fullPage: true });
  await page.getByLabel(/账号|Login/).fill(login);
  await page.getByLabel(/密码|Password/).fill("mss-demo-2026");
  await page.getByRole("button", { name: /登录|Sign in/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  for (const [name, path, act] of pages) {
    await page.goto(`${base}${path}`);
    await page.waitForLoadState("networkidle");
    if (act) await act(page);
    // A page reached by a click loads its data in the browser: shoot it loaded, not loading.
    await page.locator(".state-loading").first().waitFor({ state: "detached", timeout: 10000 }).catch(() => {});
    await page.screenshot({ path: `${out}/${viewport.width}-${name}-${locale}.png`, fullPage: true });
  }
  await context.close();
}

const photoFiles = async (page, count) => {
  const files = [];
  for (let i = 0; i < count; i++) {
    const base64 = await page.evaluate((seed) => {
      const c = document.createElement("canvas");
      c.width = 1600; c.height = 1200;
      const x = c.getContext("2d");
      for (let k = 0; k < 300; k++) { x.fillStyle = `hsl(${(k * 37 + seed * 90) % 360} 60% 55%)`; x.fillRect((k * 97) % 1600, (k * 61) % 1200, 240, 140); }
      return c.toDataURL("image/jpeg", 0.9).split(",")[1];
    }, i);
    files.push({ name: `IMG_${i}.JPG`, mimeType: "image/jpeg", buffer: Buffer.from(base64, "base64") });
  }
  return files;
};

const fullReport = async (page) => {
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel(/客户姓名|Customer name/).fill("欧阳娜娜");
  await page.getByLabel(/资金账号|Account/).fill("310012345678");
  await page.getByLabel(/证件号码|ID number/).fill("11010519491231002X");
  await page.getByLabel(/受影响系统|Affected system/).selectOption("trading");
  await page.getByLabel(/问题描述|Description/).fill("客户委托买入 600000 后一直显示已报未成交，价格已高于委托价。");
  await page.locator("input[type=file][name=screenshots]").setInputFiles(await photoFiles(page, 2));
  await page.locator("li.photo").nth(1).waitFor();
};

const submitted = async (page) => {
  await fullReport(page);
  await page.getByRole("button", { name: /^提交$|^Submit$/ }).click();
  await page.waitForURL(/report\/submitted/);
};

const badReport = async (page) => {
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel(/客户姓名|Customer name/).fill("欧阳娜娜");
  await page.getByLabel(/资金账号|Account/).fill("31a");
  await page.getByLabel(/问题描述|Description/).fill("交易不了");
  await page.getByRole("button", { name: /提交|Submit/ }).click();
  await page.getByText(/只能填数字|Digits only/).waitFor();
};

const phone = { width: 390, height: 844 };
await shoot(phone, "agent", [
  ["home", "/"],
  ["report", "/report/new"],
  ["report-errors", "/report/new", badReport],
  ["report-filled", "/report/new", fullReport],
  ["submitted", "/report/new", submitted],
  ["incident", "/incidents", async (page) => { await page.locator(".incident-card").first().click(); await page.waitForURL(/incidents\/MSS/); await page.locator("body[data-hydrated]").waitFor(); }],
  ["mine", "/incidents"],
  ["mine-new", "/incidents?status=new"],
  ["help", "/help"],
  ["help-search", "/help/search?q=%E9%96%8B%E6%88%B6%20%E4%BA%BA%E8%87%89%E8%AD%98%E5%88%A5"],
  ["help-list", "/help/systems/trading"],
  ["help-article", "/help/articles/1"],
  ["help-nothing", "/help/search?q=zzqqxx"],
]);
await shoot(phone, "agent", [["home", "/"]], "en");
await shoot({ width: 1280, height: 800 }, "handler", [
  ["desk", "/desk"],
  ["desk-incident", "/desk", async (page) => { await page.locator("table a.incident-number").first().click(); await page.waitForURL(/desk\/incidents/); }],
  ["desk-incident-triage", "/desk", async (page) => {
    await page.locator("table a.incident-number").last().click();
    await page.waitForURL(/desk\/incidents/);
    await page.locator("body[data-hydrated]").waitFor();
    await page.locator("#act-categorize summary").click();
  }],
  ["desk-all-by-priority", "/desk?status=all&sort=priority"],
  ["desk-story", "/desk?priority=P1", async (page) => {
    const first = page.locator("table a.incident-number").first();
    if (await first.count()) { await first.click(); await page.waitForURL(/desk\/incidents/); }
  }],
]);
await shoot({ width: 1280, height: 800 }, "ops", [["desk-member", "/desk"]]);
await shoot({ width: 1280, height: 800 }, "admin", [
  ["admin-users", "/admin/users"],
  ["admin-user", "/admin/users/ops"],
  ["admin-lists", "/admin/lists"],
  ["admin-replies", "/admin/replies"],
  ["admin-audit", "/admin/audit"],
  ["admin-deliveries", "/admin/deliveries"],
  ["admin-deliveries-dead", "/admin/deliveries?state=dead"],
  ["admin-search-words", "/admin/search-words"],
  ["desk-bulk", "/desk", async (page) => {
    await page.locator("body[data-hydrated]").waitFor();
    await page.keyboard.press("j");
    await page.keyboard.press("x");
    await page.keyboard.press("j");
    await page.keyboard.press("x");
  }],
  ["desk-keys", "/desk", async (page) => { await page.locator("body[data-hydrated]").waitFor(); await page.keyboard.press("?"); }],
]);
await shoot(phone, "handler", [["desk-phone", "/desk"]]);
await shoot(phone, "admin", [["admin-users-phone", "/admin/users"], ["admin-lists-phone", "/admin/lists"]]);
await browser.close();
console.log(`screenshots in ${out}/`);
