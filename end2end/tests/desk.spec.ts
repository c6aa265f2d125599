import { expect, test } from "@playwright/test";
import { fileReport, phoneReporter, signIn, uniqueCustomer } from "./helpers";

test("a handler sees new incidents newest first and opens one", async ({ page, browser }, testInfo) => {
  // A reporter files one on a phone ...
  const { context: phone, page: reporter } = await phoneReporter(browser, testInfo);
  const customer = uniqueCustomer("刘");
  const number = await fileReport(reporter, testInfo, {
    customer,
    number: "310087654321",
    description: "客户理财产品赎回后资金未到账，已过 T+1。",
  });
  await phone.close();

  // ... and the handler finds it at the top of the desk's queue.
  await signIn(page, testInfo, "handler");
  await expect(page).toHaveURL(/\/desk$/);
  await expect(page.getByRole("heading", { name: "事件队列" })).toBeVisible();
  const firstRow = page.getByRole("row").nth(1);
  await expect(firstRow.getByRole("link", { name: number })).toBeVisible();
  await expect(firstRow.getByText(customer)).toBeVisible();
  // The seeded demo incidents are there too, older.
  await expect(page.getByText("310012345678").first()).toBeVisible();

  await firstRow.getByRole("link", { name: number }).click();
  await expect(page).toHaveURL(new RegExp(`/desk/incidents/${number}$`));
  await expect(page.getByText("客户理财产品赎回后资金未到账")).toBeVisible();
  await expect(page.getByText("王小明 提交了事件")).toBeVisible();
  await page.getByRole("link", { name: "返回队列" }).click();
  await expect(page).toHaveURL(/\/desk$/);
});

test("an admin works the desk too; nobody signed out does", async ({ page }, testInfo) => {
  await page.goto("/desk");
  await expect(page).toHaveURL(/\/login\?next=\/desk$/);
  await signIn(page, testInfo, "admin");
  await expect(page).toHaveURL(/\/desk$/);
  await expect(page.locator(".desk-bar").getByText("赵强")).toBeVisible();
});
