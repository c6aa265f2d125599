import { expect, type Page, type TestInfo } from "@playwright/test";

export const PASSWORD = "mss-demo-2026";

/** Waits until the page is interactive: hydrated when JavaScript is on, loaded when off. */
export async function ready(page: Page, testInfo: TestInfo) {
  await page.waitForLoadState("load");
  if (testInfo.project.use.javaScriptEnabled !== false) {
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  }
}

export async function signIn(page: Page, testInfo: TestInfo, login: string, password = PASSWORD) {
  await page.goto("/login");
  await ready(page, testInfo);
  await page.getByLabel("账号").fill(login);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}

/** A customer name no other test uses, so assertions find exactly this report. */
export function uniqueCustomer(prefix: string) {
  return `${prefix}${Date.now().toString().slice(-6)}`;
}

export type Report = { customer: string; number: string; description: string };

/** Fills the report form the page is on and submits it. */
export async function fillReport(page: Page, report: Report) {
  await page.getByLabel("客户姓名").fill(report.customer);
  await page.getByLabel("资金账号/客户号").fill(report.number);
  await page.getByLabel("问题描述").fill(report.description);
  await page.getByRole("button", { name: "提交" }).click();
}

/** Opens the report form, files `report`, returns the incident number from the confirmation. */
export async function fileReport(page: Page, testInfo: TestInfo, report: Report) {
  await page.goto("/report/new");
  await ready(page, testInfo);
  await fillReport(page, report);
  await expect(page).toHaveURL(/\/report\/submitted\/MSS-\d{8}-\d{4,}$/);
  return new URL(page.url()).pathname.split("/").pop() ?? "";
}
