// A reporter's phone on a slow network, before the page's wasm has arrived: the plain post is
// what sends the report then. Photos must be shrunk all the same, and a report filed that way
// must never come back as a draft whose used key swallows the next report.
import { expect, test, type Browser, type Page, type Route, type TestInfo } from "@playwright/test";
import { fillReportFields, ready, signIn, uniqueCustomer } from "./helpers";
import { throttledProxy } from "./throttle";

/** Holds the wasm back (the page stays as the server rendered it) until `release` is called. */
async function holdWasm(page: Page) {
  const held: Route[] = [];
  let released = false;
  await page.route("**/*.wasm", (route) => (released ? route.continue() : held.push(route)));
  return {
    async release() {
      released = true;
      for (const route of held.splice(0)) await route.continue();
    },
  };
}

/** A phone whose upload link sends 400 kbit/s (50 KB a second), signed in as the agent. */
async function slowPhone(browser: Browser, testInfo: TestInfo, wasmAfterMs = 0, bytesPerSecond = 50_000) {
  const throttle = await throttledProxy(bytesPerSecond, wasmAfterMs);
  const context = await browser.newContext({ ...testInfo.project.use, proxy: throttle.proxy });
  const page = await context.newPage();
  // Every page load asks for its wasm again (routing turns the browser's cache off): the small
  // main module would otherwise come from the cache on the second page and the page would
  // hydrate at once, where this phone is meant to wait for it.
  if (wasmAfterMs > 0) await page.route("**/*.wasm", (route) => route.continue());
  await signIn(page, testInfo, "agent");
  await expect(page).toHaveURL(/\/$/);
  return { context, page, close: async () => { await context.close(); await throttle.close(); } };
}

/** Camera-like originals: 4000 × 3000, smooth with sensor noise, JPEG at 0.95 (3–4 MB each). */
async function cameraOriginals(page: Page, count: number) {
  const context = await page.context().browser()!.newContext();
  const painter = await context.newPage();
  const files = [];
  for (let i = 0; i < count; i++) {
    const base64 = await painter.evaluate((seed) => {
      const [w, h] = [4000, 3000];
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext("2d")!;
      const img = ctx.createImageData(w, h);
      let s = seed * 7919 + 1;
      for (let p = 0; p < w * h; p++) {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        const noise = (s >> 16) % 24;
        const x = p % w, y = (p / w) | 0;
        img.data[4 * p] = (x * 255) / w + noise;
        img.data[4 * p + 1] = (y * 255) / h + noise;
        img.data[4 * p + 2] = 128 + noise;
        img.data[4 * p + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
      return canvas.toDataURL("image/jpeg", 0.95).split(",")[1];
    }, i + 1);
    files.push({ name: `IMG_${2000 + i}.JPG`, mimeType: "image/jpeg", buffer: Buffer.from(base64, "base64") });
  }
  await context.close();
  return files;
}

/** The drafts this browser keeps (IndexedDB), as the page's script stored them. */
async function drafts(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ key: string; state: string; fields: Record<string, string> }[]>((resolve) => {
        const req = indexedDB.open("mss", 1);
        req.onupgradeneeded = () => req.result.createObjectStore("drafts", { keyPath: "key" });
        req.onsuccess = () => {
          const all = req.result.transaction("drafts", "readonly").objectStore("drafts").getAll();
          all.onsuccess = () => resolve(all.result);
          all.onerror = () => resolve([]);
        };
        req.onerror = () => resolve([]);
      }),
  );
}

type Item = { id: number; number: string; customer_name: string };
async function mine(page: Page): Promise<Item[]> {
  return (await (await page.request.get("/api/v1/incidents")).json()).items;
}

test("photos picked before the wasm arrives are shrunk before a plain post sends them", async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  const { page, close } = await slowPhone(browser, testInfo);
  const wasm = await holdWasm(page);
  await page.goto("/report/new");
  await page.waitForLoadState("load");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(0);
  const customer = uniqueCustomer("慢网");
  await fillReportFields(page, { customer, number: "310012345678", system: "交易系统", description: "客户在地铁里，委托下单一直转圈，两张截图。" });
  const originals = await cameraOriginals(page, 2);
  const sent = originals.reduce((n, f) => n + f.buffer.length, 0);
  expect(sent).toBeGreaterThan(5_000_000);
  const posted = page.waitForRequest((r) => r.url().endsWith("/api/incidents/create") && r.method() === "POST");
  await page.locator("input[type=file][name=screenshots]").setInputFiles(originals);
  // Tapped at once, while the photos are still being shrunk.
  await page.getByRole("button", { name: "提交" }).click();
  const request = await posted;
  const size = request.postDataBuffer()?.length ?? 0;
  expect(size).toBeGreaterThan(20_000);
  expect(size).toBeLessThan(Math.min(2_000_000, sent / 4));
  await expect(page).toHaveURL(/\/report\/submitted\/MSS-\d{8}-\d{4,}/, { timeout: 150_000 });
  await expect(page.locator("body[data-hydrated]")).toHaveCount(0);
  const item = (await mine(page)).find((i) => i.customer_name === customer)!;
  const detail = await (await page.request.get(`/api/v1/incidents/${item.id}`)).json();
  expect(detail.screenshots).toHaveLength(2);
  for (const shot of detail.screenshots) expect(Math.max(shot.width, shot.height)).toBeLessThanOrEqual(2048);
  await wasm.release();
  await close();
});

test("a report sent before the wasm arrived never swallows the next one", async ({ browser }, testInfo) => {
  test.setTimeout(240_000);
  // The wasm takes eight seconds to arrive; the photos, from the camera, are at hand.
  const { context, page, close } = await slowPhone(browser, testInfo, 8_000);
  const originals = await cameraOriginals(page, 2);
  // 1. The form goes out as a plain post before the page's script took over, slowly ...
  await page.goto("/report/new");
  await page.waitForLoadState("load");
  const first = uniqueCustomer("先报");
  await fillReportFields(page, { customer: first, number: "310011112222", system: "开户", description: "客户开户视频见证时画面卡住，第一份报告。" });
  await page.locator("input[type=file][name=screenshots]").setInputFiles(originals);
  const form = await page.locator("form[data-report-form]").evaluate((f: HTMLFormElement) => ({
    key: (f.elements.namedItem("idempotency_key") as HTMLInputElement).value,
    owner: f.dataset.owner ?? "",
    fields: Object.fromEntries([...new FormData(f).entries()].filter(([k, v]) => typeof v === "string" && k !== "idempotency_key")),
  }));
  // The page's script keeps the form as a draft under its key (it does when the page hydrates
  // during the long upload; when that happens depends on the machine's speed, so the draft is
  // written here, exactly as the script writes it: an editing draft of this form, under its key).
  await page.evaluate(
    (draft) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open("mss", 1);
        req.onupgradeneeded = () => req.result.createObjectStore("drafts", { keyPath: "key" });
        req.onsuccess = () => {
          const tx = req.result.transaction("drafts", "readwrite");
          tx.objectStore("drafts").put({ ...draft, state: "editing", action: location.origin + "/api/incidents/create", photos: [], kept: [], savedAt: Date.now() });
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
        req.onerror = () => reject(req.error);
      }),
    form,
  );
  expect((await drafts(page)).filter((d) => d.key === form.key)).toHaveLength(1);
  expect(await page.locator("body[data-hydrated]").count()).toBe(0);
  const posted = page.waitForRequest((r) => r.url().endsWith("/api/incidents/create") && r.method() === "POST");
  await page.getByRole("button", { name: "提交" }).click();
  await posted;
  await expect(page).toHaveURL(/\/report\/submitted\/MSS-\d{8}-\d{4,}/, { timeout: 180_000 });
  const firstNumber = new URL(page.url()).pathname.split("/").pop()!;
  await ready(page, testInfo);
  // The confirmation dropped whatever draft was kept under the key it filed.
  await expect.poll(async () => (await drafts(page)).filter((d) => d.fields["customer.name"] === first).length).toBe(0);

  // 2. The next report: the form opens empty, not with the first one in it ...
  await page.goto("/report/new");
  await ready(page, testInfo);
  await expect(page.getByLabel("客户姓名")).toHaveValue("");
  await expect(page.getByLabel("问题描述")).toHaveValue("");
  const second = uniqueCustomer("后报");
  await fillReportFields(page, { customer: second, number: "310033334444", system: "交易系统", description: "另一位客户，委托撤单失败，第二份报告。" });
  await page.locator("input[type=file][name=screenshots]").setInputFiles(await cameraOriginals(page, 1));
  await expect(page.getByRole("button", { name: "移除第 1 张截图" })).toBeVisible();
  // ... sent offline, queued, and sent when the network returns: a new incident of its own.
  await context.setOffline(true);
  await page.getByRole("button", { name: "提交" }).click();
  await expect(page.getByText("已保存，联网后自动提交")).toBeVisible();
  await context.setOffline(false);
  await expect(page).toHaveURL(/\/report\/submitted\/MSS-\d{8}-\d{4,}/, { timeout: 60_000 });
  const secondNumber = new URL(page.url()).pathname.split("/").pop()!;
  expect(secondNumber).not.toBe(firstNumber);
  const items = await mine(page);
  const byCustomer = (c: string) => items.filter((i) => i.customer_name === c).map((i) => i.number);
  expect(byCustomer(first)).toEqual([firstNumber]);
  expect(byCustomer(second)).toEqual([secondNumber]);
  const detail = await (await page.request.get(`/api/v1/incidents/${items.find((i) => i.number === secondNumber)!.id}`)).json();
  expect(detail.screenshots).toHaveLength(1);
  expect(await drafts(page)).toEqual([]);
  await close();
});
