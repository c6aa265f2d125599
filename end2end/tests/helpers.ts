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
