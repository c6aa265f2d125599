import { expect, test, type Page } from "@playwright/test";
import { fileReport, phoneReporter, ready, signIn, uniqueCustomer } from "./helpers";

/** Opens an action's form on the desk's incident page (each is a collapsed section). */
async function openAction(page: Page, action: string) {
  const section = page.locator(`#act-${action}`);
  if (!(await section.evaluate((el) => (el as HTMLDetailsElement).open))) {
    await section.locator(":scope > summary").click();
  }
  return section;
}

/** Letters no other run uses, for finding exactly this article. */
function tag() {
  return "kb" + Date.now().toString(36).replace(/[0-9]/g, (d) => "abcdefghij"[Number(d)]);
}

test("a solved incident becomes an article, is published, and a reporter finds it in the help center", async ({ page, browser }, testInfo) => {
  test.slow();
  const { context: phone, page: reporter } = await phoneReporter(browser, testInfo);
  const customer = uniqueCustomer("孙");
  const number = await fileReport(reporter, testInfo, {
    customer,
    number: "310066667777",
    description: `积分兑换话费一直提示“兑换失败”。客户${customer}，手机 139 8765 4321，想知道原因。`,
  });

  // The handler answers it ...
  await signIn(page, testInfo, "handler");
  await expect(page).toHaveURL(/\/desk$/);
  await page.goto(`/desk/incidents/${number}`);
  await ready(page, testInfo);
  await page.locator("#act-claim").getByRole("button", { name: "认领" }).click();
  await expect(page.locator(".timeline").getByText("陈静 认领了事件")).toBeVisible();
  const answer = await openAction(page, "answer");
  await answer.getByLabel("解决方案").fill("积分兑换话费每月限 3 次，超过后次月 1 日恢复；请客户下月再试。");
  await answer.getByRole("button", { name: "给出解决方案" }).click();
  await expect(page.locator(".desk-side").getByText("已答复")).toBeVisible();

  // ... and turns it into an article: a draft without the customer's data.
  await page.getByRole("button", { name: "整理成知识" }).click();
  await expect(page).toHaveURL(/\/desk\/kb\/\d+$/);
  await ready(page, testInfo);
  await expect(page.getByRole("heading", { name: "已隐去的客户信息" })).toBeVisible();
  await expect(page.locator(".kb-redactions")).toContainText("139****4321");
  const body = page.locator("textarea[name=body]");
  await expect(body).toContainText("积分兑换话费");
  await expect(body).toContainText("每月限 3 次");
  expect(await body.inputValue()).not.toContain(customer);
  expect(await body.inputValue()).not.toContain("8765");

  // Edited, previewed and published.
  const mark = tag();
  await page.getByRole("textbox", { name: "标题", exact: true }).fill(`积分兑换话费失败怎么办 ${mark}`);
  await body.fill(`${await body.inputValue()}\n\n## 流程\n\n\`\`\`dot\ndigraph { "兑换失败" -> "本月已满 3 次？" -> "次月再试" }\n\`\`\`\n`);
  await expect(page.locator(".kb-preview img[alt^='流程图']")).toBeVisible();
  await page.locator(".kb-actions select[name=status]").selectOption({ label: "已发布" });
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.locator(".desk-head .badge")).toHaveText("已发布");
  await expect(page.locator(".kb-history tbody tr")).toHaveCount(2);

  // The reporter finds it from the help center on the phone, with its flow chart.
  await reporter.goto("/help");
  await ready(reporter, testInfo);
  await reporter.getByRole("searchbox").fill(`积分兑换 ${mark}`);
  await reporter.getByRole("button", { name: "搜索" }).click();
  await expect(reporter).toHaveURL(/\/help\/search\?q=/);
  await reporter.getByRole("link", { name: new RegExp(mark) }).click();
  await ready(reporter, testInfo);
  await expect(reporter.getByRole("heading", { name: new RegExp(mark) })).toBeVisible();
  await expect(reporter.locator(".help-article-body img[alt^='流程图']")).toBeVisible();
  await expect(reporter.getByText(customer)).toHaveCount(0);
  await reporter.getByRole("button", { name: "有帮助" }).click();
  await expect(reporter.getByText("感谢反馈")).toBeVisible();
  await phone.close();
});

test("two editors: the second save is refused with what it would overwrite", async ({ page, browser }, testInfo) => {
  await signIn(page, testInfo, "handler");
  await expect(page).toHaveURL(/\/desk$/);
  await page.goto("/desk/kb/new");
  await ready(page, testInfo);
  const mark = tag();
  await page.getByRole("textbox", { name: "标题", exact: true }).fill(`两融开通条件 ${mark}`);
  await page.locator("select[name=system]").selectOption({ label: "交易系统" });
  await page.locator("textarea[name=body]").fill("资产满 50 万。");
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page).toHaveURL(/\/desk\/kb\/\d+$/);
  const url = page.url();

  const other = await browser.newContext({ ...testInfo.project.use });
  const admin = await other.newPage();
  await signIn(admin, testInfo, "admin");
  await expect(admin).toHaveURL(/\/desk$/);
  await admin.goto(url);
  await ready(admin, testInfo);

  await page.locator("textarea[name=body]").fill("资产满 50 万，交易满半年。");
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.locator(".kb-history tbody tr")).toHaveCount(2);

  await admin.locator("textarea[name=body]").fill("资产满 50 万，并完成风险测评。");
  await admin.getByRole("button", { name: "保存" }).click();
  await expect(admin.getByRole("heading", { name: "有人先保存了这篇文章" })).toBeVisible();
  await expect(admin.locator(".kb-stale del")).toContainText("交易满半年");
  await expect(admin.locator("textarea[name=body]")).toHaveValue("资产满 50 万，并完成风险测评。");
  await other.close();
});
