import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { fileReport, phoneReporter, ready, signIn, uniqueCustomer } from "./helpers";

/** Opens an action's form on the desk's incident page (each is a collapsed section). */
async function openAction(page: Page, action: string) {
  const section = page.locator(`#act-${action}`);
  if (!(await section.evaluate((el) => (el as HTMLDetailsElement).open))) {
    await section.locator(":scope > summary").click();
  }
  return section;
}

async function deskIncident(page: Page, testInfo: TestInfo, number: string) {
  await page.goto(`/desk/incidents/${number}`);
  await ready(page, testInfo);
}

test("from a phone report to a confirmed solution, through a transfer", async ({ page, browser }, testInfo) => {
  test.slow();
  // A reporter files one on a phone.
  const { context: phone, page: reporter } = await phoneReporter(browser, testInfo);
  const customer = uniqueCustomer("赵");
  const number = await fileReport(reporter, testInfo, {
    customer,
    number: "310055556666",
    description: "客户持仓显示为 0，但当天并未卖出，资金也没有到账。",
  });

  // The handler claims it from the queue, then triages and transfers it to operations.
  await signIn(page, testInfo, "handler");
  await expect(page).toHaveURL(/\/desk$/);
  const row = page.getByRole("row").filter({ hasText: number });
  await row.getByRole("button", { name: "认领" }).click();
  await expect(page).toHaveURL(new RegExp(`/desk/incidents/${number}`));
  await expect(page.locator(".timeline").getByText("陈静 认领了事件")).toBeVisible();

  let form = await openAction(page, "categorize");
  await form.getByLabel("分类", { exact: true }).selectOption({ label: "数据类" });
  await form.getByLabel("子分类").selectOption({ label: "数据错误" });
  await form.getByLabel("优先级").selectOption("P2");
  await form.getByLabel("标签").fill("持仓");
  await form.getByRole("button", { name: "分类与优先级" }).click();
  await expect(page.getByText("数据类 / 数据错误")).toBeVisible();

  form = await openAction(page, "transfer");
  await form.getByLabel("转交组").selectOption({ label: "运维" });
  await form.getByLabel("转交说明（仅内部可见）").fill("请核对该客户的持仓表");
  await form.getByRole("button", { name: "转交" }).click();
  await expect(page.locator(".timeline").getByText("请核对该客户的持仓表")).toBeVisible();

  // Operations finds it in its own queue and hands it back with the fix it applied.
  const opsContext = await browser.newContext({ ...testInfo.project.use });
  const ops = await opsContext.newPage();
  await signIn(ops, testInfo, "ops");
  await expect(ops).toHaveURL(/\/desk$/);
  await ops.getByRole("link", { name: number }).click();
  await ready(ops, testInfo);
  form = await openAction(ops, "return");
  await form.getByLabel("排查结论（仅内部可见）").fill("持仓表缺一条记录，已补录");
  await form.getByLabel("已执行的脚本或变更").fill("INSERT INTO position VALUES ('310055556666', 600000, 100)");
  await form.getByRole("button", { name: "转回" }).click();
  await expect(ops.locator(".timeline").getByText("持仓表缺一条记录，已补录")).toBeVisible();
  await opsContext.close();

  // The handler answers the reporter.
  await deskIncident(page, testInfo, number);
  await expect(page.locator(".timeline").getByText("持仓表缺一条记录，已补录")).toBeVisible();
  form = await openAction(page, "answer");
  await form.getByLabel("解决方案").fill("持仓数据已修正，请客户退出 App 重新登录后查看。");
  await form.getByRole("button", { name: "给出解决方案" }).click();
  await expect(page.locator(".desk-side").getByText("已答复")).toBeVisible();

  // The reporter sees the answer, nothing internal, and confirms.
  await reporter.goto(`/incidents/${number}`);
  await ready(reporter, testInfo);
  await expect(reporter.getByText("持仓数据已修正，请客户退出 App 重新登录后查看。")).toBeVisible();
  await expect(reporter.getByText("请核对该客户的持仓表")).toHaveCount(0);
  await expect(reporter.getByText("持仓表缺一条记录")).toHaveCount(0);
  await reporter.getByRole("button", { name: "已解决" }).click();
  await expect(reporter.getByText("王小明 确认问题已解决")).toBeVisible();
  await phone.close();

  // The desk's timeline tells the whole story.
  await deskIncident(page, testInfo, number);
  const timeline = page.locator(".timeline");
  for (const line of [
    "王小明 提交了事件",
    "陈静 认领了事件",
    "陈静 更新了分类",
    "陈静 转交给",
    "孙伟 转回并附上结论",
    "陈静 给出了解决方案",
    "王小明 确认问题已解决",
  ]) {
    await expect(timeline.getByText(line)).toBeVisible();
  }
  await expect(page.locator(".desk-side").getByText("已关闭")).toBeVisible();
});

test("a stale form is refused: this incident changed, reload", async ({ page, browser }, testInfo) => {
  const { context: phone, page: reporter } = await phoneReporter(browser, testInfo);
  const number = await fileReport(reporter, testInfo, {
    customer: uniqueCustomer("钱"),
    number: "310077778888",
    description: "客户反映转账记录里有两笔相同金额的转出。",
  });
  await phone.close();

  await signIn(page, testInfo, "handler");
  await expect(page).toHaveURL(/\/desk$/);
  await deskIncident(page, testInfo, number);
  // Someone else claims it while this page is open.
  const other = await browser.newContext({ ...testInfo.project.use });
  const admin = await other.newPage();
  await signIn(admin, testInfo, "admin");
  await expect(admin).toHaveURL(/\/desk$/);
  await deskIncident(admin, testInfo, number);
  await admin.locator("#act-claim").getByRole("button", { name: "认领" }).click();
  await expect(admin.locator(".timeline").getByText("赵强 认领了事件")).toBeVisible();
  await other.close();

  const form = await openAction(page, "note");
  await form.getByLabel("备注内容（上报人看不到）").fill("先看一下转账流水");
  await form.getByRole("button", { name: "内部备注" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "刷新" })).toBeVisible();
  // What was typed is still there.
  await expect(page.getByLabel("备注内容（上报人看不到）")).toHaveValue("先看一下转账流水");
});
