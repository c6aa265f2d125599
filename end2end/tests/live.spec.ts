import { expect, test, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileReport, phoneReporter, ready, signIn, uniqueCustomer } from "./helpers";

// Two app instances sharing one database, as behind a load balancer: the one cargo-leptos
// started (the reporter's), and a second one this file starts on another port (the handler's).
const SECOND = "http://127.0.0.1:3002";
let second: ChildProcess | undefined;

test.beforeAll(async () => {
  const root = path.resolve(__dirname, "../..");
  const target = process.env.CARGO_TARGET_DIR || path.join(root, "target");
  second = spawn(path.join(target, "debug", "mss"), [], {
    cwd: root,
    env: {
      ...process.env,
      MSS_ADDR: "127.0.0.1:3002",
      LEPTOS_SITE_ADDR: "127.0.0.1:3002",
      LEPTOS_OUTPUT_NAME: "mss",
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_SITE_PKG_DIR: "pkg",
      MSS_DEMO: "false",
    },
    stdio: "inherit",
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${SECOND}/readyz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the second app instance did not start");
});

test.afterAll(() => {
  second?.kill("SIGTERM");
});

/** Opens an action's form on the desk's incident page (each is a collapsed section). */
async function openAction(page: Page, action: string) {
  const section = page.locator(`#act-${action}`);
  if (!(await section.evaluate((el) => (el as HTMLDetailsElement).open))) {
    await section.locator(":scope > summary").click();
  }
  return section;
}

test("a reporter and a handler on two instances see each other's messages without reloading", async ({ browser }, testInfo) => {
  test.slow();
  // The reporter, on a phone, on the first instance.
  const { context: phone, page: reporter } = await phoneReporter(browser, testInfo);
  const number = await fileReport(reporter, testInfo, {
    customer: uniqueCustomer("钱"),
    number: "310077778888",
    description: "客户融资融券额度显示为 0，无法下单。",
  });
  await reporter.goto(`/incidents/${number}`);
  await ready(reporter, testInfo);

  // The handler, at a desk, on the second instance: claims it and keeps the page open.
  const deskContext = await browser.newContext({ ...testInfo.project.use, baseURL: SECOND, viewport: { width: 1280, height: 800 } });
  const handler = await deskContext.newPage();
  await signIn(handler, testInfo, "handler");
  await expect(handler).toHaveURL(/\/desk$/);
  await handler.goto(`/desk/incidents/${number}`);
  await ready(handler, testInfo);
  await handler.locator("#act-claim").getByRole("button", { name: "认领" }).click();
  await expect(handler.locator(".timeline").getByText("陈静 认领了事件")).toBeVisible();
  // The reporter's page shows the claim by itself.
  await expect(reporter.getByText("陈静 认领了事件")).toBeVisible({ timeout: 2_000 });

  // The handler replies: the reporter sees it within a second, without reloading.
  const form = await openAction(handler, "reply");
  await form.getByLabel("回复内容").fill("请让客户截图额度页面发给我们。");
  await form.getByRole("button", { name: "回复上报人" }).click();
  await expect(reporter.getByText("请让客户截图额度页面发给我们。")).toBeVisible({ timeout: 1_000 });

  // The reporter starts typing, an update arrives, and what they typed stays.
  const message = reporter.getByLabel("补充说明");
  await message.fill("已经截图");
  await expect(handler.locator(".timeline").getByText("请让客户截图额度页面发给我们。")).toBeVisible();
  await message.fill("已经截图，额度页面显示 0 元。");
  await reporter.getByRole("button", { name: "发送" }).click();

  // The handler sees it within a second, without reloading, and having seen it, the reporter's
  // message says "已读".
  await expect(handler.locator(".timeline").getByText("已经截图，额度页面显示 0 元。")).toBeVisible({ timeout: 1_000 });
  const mine = reporter.locator(".timeline-message.mine").filter({ hasText: "已经截图，额度页面显示 0 元。" });
  await expect(mine.getByText("已读")).toBeVisible({ timeout: 2_000 });

  // A reporter's message does not change the incident's version: no "reload first" notice.
  await expect(handler.getByText("这个事件有了新的变化")).toHaveCount(0);
  await deskContext.close();
  await phone.close();
});

test("the reporter's list updates by itself when the team answers", async ({ browser }, testInfo) => {
  const { context: phone, page: reporter } = await phoneReporter(browser, testInfo);
  const number = await fileReport(reporter, testInfo, {
    customer: uniqueCustomer("孙"),
    number: "310012121212",
    description: "客户银证转账提示系统繁忙。",
  });
  await reporter.goto("/incidents");
  await ready(reporter, testInfo);
  const card = reporter.locator(".incident-card").filter({ hasText: number });
  await expect(card.getByText("待处理")).toBeVisible();

  const deskContext = await browser.newContext({ ...testInfo.project.use, baseURL: SECOND, viewport: { width: 1280, height: 800 } });
  const handler = await deskContext.newPage();
  await signIn(handler, testInfo, "handler");
  await expect(handler).toHaveURL(/\/desk$/);
  await handler.goto(`/desk/incidents/${number}`);
  await ready(handler, testInfo);
  await handler.locator("#act-claim").getByRole("button", { name: "认领" }).click();
  await expect(card.getByText("处理中")).toBeVisible({ timeout: 2_000 });
  await expect(card.locator(".unread")).toHaveText("1");
  await deskContext.close();
  await phone.close();
});
