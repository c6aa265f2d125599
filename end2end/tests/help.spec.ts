import { expect, test } from "@playwright/test";
import { phoneReporter, ready } from "./helpers";

// The help center on a phone, with JavaScript and without (the same steps in both projects).
test("a reporter searches the help center, reads an answer with its flow chart, rates it, and reports from it", async ({ browser }, testInfo) => {
  const noJs = testInfo.project.use.javaScriptEnabled === false;
  // Each run votes once: a reporter of its own.
  const { context, page } = await phoneReporter(browser, testInfo, noJs ? "agent2" : "agent");
  await page.getByRole("link", { name: /先查帮助中心/ }).click();
  await expect(page).toHaveURL(/\/help$/);
  await ready(page, testInfo);
  await expect(page.getByRole("heading", { name: "帮助中心" })).toBeVisible();
  await expect(page.locator(".help-tiles")).toContainText("开户");
  await expect(page.locator(".tabbar").getByRole("link", { name: "帮助" })).toHaveAttribute("aria-current", "page");

  // Traditional characters, as some agents' phones type them.
  await page.getByRole("searchbox").fill("開戶 人臉識別");
  await page.getByRole("button", { name: "搜索" }).click();
  await expect(page).toHaveURL(/\/help\/search\?q=/);
  await ready(page, testInfo);
  const first = page.locator(".help-results li").first();
  await expect(first).toContainText("人脸");
  await expect(first.locator("mark").first()).toBeVisible();
  await first.getByRole("link").click();
  await expect(page).toHaveURL(/\/help\/articles\/\d+$/);
  await ready(page, testInfo);
  await expect(page.locator(".help-article-body img[alt^='流程图']")).toBeVisible();
  // The chart fits the phone's width.
  const chart = await page.locator(".help-article-body img[alt^='流程图']").boundingBox();
  expect(chart && chart.width).toBeLessThanOrEqual(390);

  // "没有帮助", with a reason.
  await page.locator(".help-vote-no > summary").click();
  await page.getByLabel(/哪里没说清楚/).fill("客户已经关了美颜，还是失败");
  await page.getByRole("button", { name: "提交" }).click();
  await expect(page.getByText("感谢反馈，我们会改进这篇解答。")).toBeVisible();

  // "还是没解决？上报事件": the report form with the article's system chosen.
  await page.locator(".help-stuck").getByRole("link", { name: "上报事件" }).click();
  await expect(page).toHaveURL(/\/report\/new\?system=account_opening$/);
  await ready(page, testInfo);
  await expect(page.getByLabel("受影响系统")).toHaveValue("account_opening");
  await context.close();
});
